package org.chemfit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The residual vector of an evaluated objective, for least-squares methods and for the
 * uncertainty of fitted parameters. An objective has residuals when it is a sum of squares: a
 * {@link QuantityComputerObjectiveFunction} whose loss is a {@link ResidualLoss}, or a
 * {@link CombinedObjectiveFunction} whose terms all have residuals and whose reducer is
 * {@link Reducer#SUM} or {@link Reducer#MEAN}. Weights and reducer are applied so that the loss is
 * the sum of the squared residuals: term {@code i}'s residuals are multiplied by
 * {@code sqrt(w_i)}, and under {@code MEAN} all of them by {@code 1 / sqrt(n)}, n the terms of non-zero weight. A term of weight 0
 * gives none (it is not in the loss, and its zeros would count as residuals in the uncertainty),
 * so it need not be a sum of squares: a plain function of weight 0, a term to monitor, leaves the
 * objective's residuals as they are without it. A
 * {@link Reducer#ROOT_MEAN} objective is not a sum of squares (its square is) and is refused.
 *
 * <pre>{@code
 * Residuals.check(objective);                        // throws, naming the term, when not a sum of squares
 * objective.evaluate(params, ctx);
 * double[] r = Residuals.of(objective, ctx);         // sum r_i^2 == ctx.loss(), up to rounding
 * }</pre>
 *
 * <p>Residuals are computed from what the context recorded (quantities and parameters), so a
 * context replayed from a journal gives the same residuals, bit for bit, as the evaluation did.
 *
 * @implNote Stateless; thread-safe.
 */
public final class Residuals {

    private Residuals() {}

    /**
     * @param objective an objective
     * @return whether {@link #of} gives its residuals
     */
    public static boolean available(ObjectiveFunction objective) {
        return problem(Objects.requireNonNull(objective, "objective"), "") == null;
    }

    /**
     * @param objective an objective
     * @throws IllegalArgumentException when it is not a sum of squares, naming the term (by its
     *     path of term names) and why
     */
    public static void check(ObjectiveFunction objective) {
        String p = problem(Objects.requireNonNull(objective, "objective"), "");
        if (p != null) {
            throw new IllegalArgumentException("least squares needs an objective that is a sum of squares, but " + p);
        }
    }

    /**
     * What a method that fits residuals needs besides {@link #check}: the residuals of every point
     * it evaluates, which a combination that replaces a failed term by a penalty, or skips it, does
     * not give (the point then has no residuals, or fewer than the others).
     *
     * @param objective an objective
     * @throws IllegalArgumentException when a combination in it does not raise a failed term,
     *     naming it
     */
    public static void checkEveryPoint(ObjectiveFunction objective) {
        String f = failureProblem(Objects.requireNonNull(objective, "objective"), "");
        if (f != null) {
            throw new IllegalArgumentException("least squares needs the residuals of every point, but " + f);
        }
    }

    private static @Nullable String failureProblem(ObjectiveFunction f, String path) {
        if (!(unwrap(f) instanceof CombinedObjectiveFunction c)) {
            return null;
        }
        FailurePolicy.Action a = c.failurePolicy().action();
        if (a != FailurePolicy.Action.RAISE) {
            String where = path.isEmpty() ? "the objective" : "term '" + path + "'";
            return where
                    + (a == FailurePolicy.Action.PENALTY ? " gives a failed term a penalty" : " skips a failed term")
                    + ", which has no residuals (use FailurePolicy.raise())";
        }
        return firstInTerms(c, path, Residuals::failureProblem);
    }

    /**
     * @return the first problem that {@code check} finds in the combination's terms of non-zero
     *     weight, each at its path; a term of weight 0 gives no residual (collect skips it), so
     *     what it is (a plain function, a loss that is not a sum of squares, a combination that
     *     penalises a failure) does not matter
     */
    private static @Nullable String firstInTerms(
            CombinedObjectiveFunction c,
            String path,
            java.util.function.BiFunction<ObjectiveFunction, String, @Nullable String> check) {
        for (int i = 0; i < c.size(); i++) {
            if (c.weight(i) == 0) {
                continue;
            }
            String name = c.termNames().get(i);
            String p = check.apply(c.terms().get(i), path.isEmpty() ? name : path + "/" + name);
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    private static @Nullable String problem(ObjectiveFunction f, String path) {
        ObjectiveFunction u = unwrap(f);
        String own = f.name() != null ? f.name() : u.name();
        String where = path.isEmpty() ? (own == null ? "the objective" : "term '" + own + "'") : "term '" + path + "'";
        if (u instanceof CombinedObjectiveFunction c) {
            if (c.reducer() == Reducer.ROOT_MEAN) {
                return where + " reduces its terms with root_mean, which is not a sum of squares (use sum or mean)";
            }
            return firstInTerms(c, path, Residuals::problem);
        }
        if (u instanceof QuantityComputerObjectiveFunction q) {
            return q.lossFunction() instanceof ResidualLoss
                    ? null
                    : where + " has a loss that is not a sum of squares (only squared errors expose residuals)";
        }
        return where + " is a plain function of the parameters, not a sum of squares (give it a squared-error loss)";
    }

    /**
     * @param f an objective, possibly wrapped
     * @return the objective inside every {@link ObjectiveWrapper}
     */
    static ObjectiveFunction unwrap(ObjectiveFunction f) {
        ObjectiveFunction u = f;
        while (u instanceof ObjectiveWrapper w) {
            u = w.wrapped();
        }
        return u;
    }

    /**
     * The residuals of one evaluation.
     *
     * @param objective the objective that filled {@code ctx}
     * @param ctx an evaluated context
     * @return the residuals, or null when the evaluation has none: it failed, or a term was
     *     replaced by a penalty or skipped
     * @throws IllegalArgumentException when the objective is not a sum of squares (see {@link #check})
     */
    public static double @Nullable [] of(ObjectiveFunction objective, EvaluationContext ctx) {
        Objects.requireNonNull(ctx, "ctx");
        check(objective);
        List<double[]> parts = new ArrayList<>();
        if (!collect(objective, ctx, 1.0, parts)) {
            return null;
        }
        int m = 0;
        for (double[] p : parts) {
            m += p.length;
        }
        double[] r = new double[m];
        int k = 0;
        for (double[] p : parts) {
            System.arraycopy(p, 0, r, k, p.length);
            k += p.length;
        }
        return r;
    }

    private static boolean collect(ObjectiveFunction f, EvaluationContext ctx, double factor, List<double[]> out) {
        ObjectiveFunction u = unwrap(f);
        if (factor == 0) {
            // a term of weight 0 is not in the loss, failed or not: its residuals are none of the loss's
            return true;
        }
        EvaluationContext.Status s = ctx.status();
        if (s == EvaluationContext.Status.FAILED
                || s == EvaluationContext.Status.PENALTY
                || s == EvaluationContext.Status.SKIPPED) {
            return false;
        }
        if (u instanceof CombinedObjectiveFunction c) {
            if (ctx.children().size() != c.size()) {
                return false;
            }
            double g = factor;
            if (c.reducer() == Reducer.MEAN) {
                g = factor / Math.sqrt(weighted(c));
            }
            for (int i = 0; i < c.size(); i++) {
                if (!collect(c.terms().get(i), ctx.child(i), g * Math.sqrt(c.weight(i)), out)) {
                    return false;
                }
            }
            return true;
        }
        QuantityComputerObjectiveFunction q = (QuantityComputerObjectiveFunction) u;
        if (ctx.quantities() == null) {
            return false;
        }
        double[] r = ((ResidualLoss) q.lossFunction())
                .residuals(ctx.quantities(), ctx.parameters())
                .clone();
        if (factor != 1.0) {
            for (int i = 0; i < r.length; i++) {
                r[i] *= factor;
            }
        }
        out.add(r);
        return true;
    }

    /**
     * @param c a combination
     * @return the number of its terms of non-zero weight, those a {@link Reducer#MEAN} is over
     *     (at least 1, so that a combination of monitored terms alone divides by 1)
     */
    static int weighted(CombinedObjectiveFunction c) {
        int n = 0;
        for (int i = 0; i < c.size(); i++) {
            if (c.weight(i) != 0) {
                n++;
            }
        }
        return Math.max(1, n);
    }
}
