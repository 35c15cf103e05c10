package org.chemfit.fit;

import java.util.Objects;
import org.chemfit.ChemFitException;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.ObjectiveWrapper;
import org.chemfit.ResidualLoss;
import org.chemfit.Residuals;
import org.jspecify.annotations.Nullable;

/**
 * Holds a fit to the rule of {@link ResidualLoss}: always as many residuals, in the same order.
 * The first point with residuals sets their number; a later point with another number is refused,
 * naming the term whose count changed, where a least-squares method would otherwise take the
 * point for a bad one and go on.
 *
 * <pre>{@code
 * ResidualCount count = new ResidualCount(objective);
 * count.check(ctx, Residuals.of(objective, ctx));   // throws ChemFitException on a change
 * }</pre>
 *
 * @implNote Not thread-safe: the Fitter's thread checks every point.
 */
final class ResidualCount {

    private final ObjectiveFunction objective;
    private @Nullable EvaluationContext first;
    private int count = -1;

    ResidualCount(ObjectiveFunction objective) {
        this.objective = Objects.requireNonNull(objective, "objective");
    }

    /**
     * @param ctx an evaluated point
     * @param residuals its residuals, or null when it has none (it is then not checked)
     * @throws ChemFitException when their number differs from that of the first point with
     *     residuals, naming the term, both counts and both points
     */
    void check(EvaluationContext ctx, double @Nullable [] residuals) {
        if (residuals == null) {
            return;
        }
        EvaluationContext f = first;
        if (f == null) {
            first = ctx;
            count = residuals.length;
            return;
        }
        if (residuals.length == count) {
            return;
        }
        Change c = changed(objective, f, ctx, "");
        String what = c == null ? "the objective" : c.term();
        int before = c == null ? count : c.before();
        int now = c == null ? residuals.length : c.now();
        throw new ChemFitException(what + " gave " + residuals(now) + " at " + ctx.parameters() + " (evaluation "
                + ctx.evaluationId() + ") but " + residuals(before) + " at " + f.parameters() + " (evaluation "
                + f.evaluationId() + "), the first point with residuals: a ResidualLoss must give as many"
                + " residuals, in the same order, at every point");
    }

    private static String residuals(int n) {
        return n + (n == 1 ? " residual" : " residuals");
    }

    /**
     * A leaf whose number of residuals changed.
     *
     * @param term "term 'a/b'" by its path of term names, or "the objective" when it is the leaf
     * @param before its count at the first point
     * @param now its count at the later point
     */
    private record Change(String term, int before, int now) {}

    /**
     * @return the first leaf whose number of residuals differs between the two points, or null
     *     when none does (the leaves could not be told apart)
     */
    private static @Nullable Change changed(
            ObjectiveFunction f, EvaluationContext a, EvaluationContext b, String path) {
        ObjectiveFunction u = unwrap(f);
        if (u instanceof CombinedObjectiveFunction c) {
            if (a.children().size() != c.size() || b.children().size() != c.size()) {
                return null;
            }
            for (int i = 0; i < c.size(); i++) {
                if (c.weight(i) == 0) {
                    continue; // gives no residual
                }
                String name = c.termNames().get(i);
                Change found =
                        changed(c.terms().get(i), a.child(i), b.child(i), path.isEmpty() ? name : path + "/" + name);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        int na = residualsOf(u, a);
        int nb = residualsOf(u, b);
        if (na < 0 || nb < 0 || na == nb) {
            return null;
        }
        String own = f.name() != null ? f.name() : u.name();
        String term = path.isEmpty() ? (own == null ? "the objective" : "term '" + own + "'") : "term '" + path + "'";
        return new Change(term, na, nb);
    }

    /** @return the number of residuals the leaf gives for what its context recorded, -1 when none */
    private static int residualsOf(ObjectiveFunction leaf, EvaluationContext ctx) {
        double[] r = Residuals.available(leaf) ? Residuals.of(leaf, ctx) : null;
        return r == null ? -1 : r.length;
    }

    private static ObjectiveFunction unwrap(ObjectiveFunction f) {
        ObjectiveFunction u = f;
        while (u instanceof ObjectiveWrapper w) {
            u = w.wrapped();
        }
        return u;
    }
}
