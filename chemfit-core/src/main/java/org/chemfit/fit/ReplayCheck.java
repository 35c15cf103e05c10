package org.chemfit.fit;

import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.LossFunction;
import org.chemfit.ObjectiveFunction;
import org.chemfit.ObjectiveWrapper;
import org.chemfit.QuantityComputerObjectiveFunction;
import org.chemfit.support.ResidualScale;
import org.jspecify.annotations.Nullable;

/**
 * Checks a resumed fit's replayed terms against the objective it fits now: a term whose loss is
 * made of quantities and a loss function ({@link QuantityComputerObjectiveFunction}) gets its loss
 * recomputed from the quantities the journal recorded, with today's loss function, and compared
 * with the loss the journal recorded. They differ when the term's reference data or loss changed
 * since the run was recorded: a fit that replayed the old loss would end at the old result while
 * its residuals, recomputed from the quantities, came from the new data. No term is run.
 *
 * <pre>{@code
 * String why = ReplayCheck.mismatch(objective, ctx);   // after the evaluation was replayed
 * if (why != null) { ... refuse the resume ... }
 * }</pre>
 *
 * @implNote Stateless; thread-safe.
 */
final class ReplayCheck {

    /** Losses this close, relative to the larger, differ by rounding only. */
    static final double RELATIVE_TOLERANCE = 1e-12;

    private ReplayCheck() {}

    /**
     * @param objective the objective being fitted
     * @param ctx an evaluated root context, some or all of whose terms were replayed
     * @return what differs, for the first replayed term whose recomputed loss is not the recorded
     *     one ("term 'y': recorded loss 0.1, recomputed 80.3"), or null when none differs
     */
    static @Nullable String mismatch(ObjectiveFunction objective, EvaluationContext ctx) {
        return walk(objective, ctx, "");
    }

    private static @Nullable String walk(ObjectiveFunction f, EvaluationContext ctx, String path) {
        ObjectiveFunction u = f;
        while (u instanceof ObjectiveWrapper w) {
            u = w.wrapped();
        }
        if (u instanceof CombinedObjectiveFunction c) {
            if (ctx.children().size() != c.size()) {
                return null;
            }
            java.util.List<String> names = c.termNames();
            for (int i = 0; i < c.size(); i++) {
                String name = names.get(i);
                String p = walk(c.terms().get(i), ctx.child(i), path.isEmpty() ? name : path + "/" + name);
                if (p != null) {
                    return p;
                }
            }
            return null;
        }
        if (!(u instanceof QuantityComputerObjectiveFunction q) || ctx.status() != EvaluationContext.Status.REPLAYED) {
            return null;
        }
        String where = path.isEmpty() ? "the objective" : "term '" + path + "'";
        double recorded = ctx.value();
        double again;
        try {
            LossFunction loss = ResidualScale.lossOf(q);
            again = loss.evaluate(ctx.quantities(), ctx.parameters());
        } catch (RuntimeException e) {
            if (ctx.quantities().names().isEmpty()) {
                return null; // no quantities were recorded: nothing to recompute the loss from
            }
            return where + ": recorded loss " + recorded + ", but the loss cannot be recomputed from the recorded"
                    + " quantities: " + org.chemfit.support.Reasons.of(e);
        }
        return same(recorded, again) ? null : where + ": recorded loss " + recorded + ", recomputed " + again;
    }

    /** @return whether two losses are equal up to rounding (NaN equals NaN) */
    static boolean same(double a, double b) {
        if (Double.compare(a, b) == 0 || a == b) {
            return true;
        }
        if (!Double.isFinite(a) || !Double.isFinite(b)) {
            return false;
        }
        return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
    }
}
