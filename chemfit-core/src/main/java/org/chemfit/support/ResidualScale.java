package org.chemfit.support;

import java.util.function.Function;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.LossFunction;
import org.chemfit.ObjectiveFunction;
import org.chemfit.ObjectiveWrapper;
import org.chemfit.QuantityComputerObjectiveFunction;
import org.chemfit.Reducer;
import org.jspecify.annotations.Nullable;

/**
 * The factor between an objective's residuals and the plain errors (model minus reference), when
 * every residual carries the same one. The residuals that least squares and the uncertainty use are
 * the errors times {@code sqrt(weight)} of their term, divided by their scale, by
 * {@code sqrt(count)} under a mean squared error and by {@code sqrt(terms)} (of non-zero weight) under a
 * {@link Reducer#MEAN}. When that factor {@code c} is the same for every residual, the residual
 * variance of the errors is that of the residuals divided by {@code c^2}; otherwise only the
 * variance of the weighted residuals has a meaning.
 *
 * <pre>{@code
 * double c = ResidualScale.commonFactor(objective);   // 1 / sqrt(46) for one mean squared error over 46 values
 * double s2 = Double.isNaN(c) ? s2Weighted : s2Weighted / (c * c);
 * }</pre>
 *
 * @implNote Stateless; thread-safe.
 */
public final class ResidualScale {

    /** Two factors closer than this (relative) are the same: they differ only by rounding. */
    static final double SAME = 1e-12;

    /** Reads a term's loss, which the term keeps to its own package; set by the term's class. */
    private static volatile @Nullable Function<QuantityComputerObjectiveFunction, LossFunction> lossReader;

    private ResidualScale() {}

    /**
     * Lets this class read the loss of a {@link QuantityComputerObjectiveFunction}, which keeps it to
     * its package; the term's class calls this once, when it is initialized.
     *
     * <pre>{@code
     * static { ResidualScale.lossReader(QuantityComputerObjectiveFunction::lossFunction); }
     * }</pre>
     *
     * @param reader gives a term's loss
     * @throws IllegalStateException when a reader was set already
     */
    public static synchronized void lossReader(Function<QuantityComputerObjectiveFunction, LossFunction> reader) {
        if (lossReader != null) {
            throw new IllegalStateException("the loss reader of the terms is set once, by their class");
        }
        lossReader = reader;
    }

    /**
     * The loss of a term, which its class keeps to its package: what a resumed fit recomputes a
     * replayed term's loss with, from the quantities the journal recorded.
     *
     * <pre>{@code
     * double again = ResidualScale.lossOf(term).evaluate(ctx.quantities(), ctx.parameters());
     * }</pre>
     *
     * @param term a term
     * @return its loss function
     */
    public static LossFunction lossOf(QuantityComputerObjectiveFunction term) {
        // the term's class has set the reader: it is initialized, since the term exists
        Function<QuantityComputerObjectiveFunction, LossFunction> reader =
                java.util.Objects.requireNonNull(lossReader, "the loss reader of the terms");
        return reader.apply(term);
    }

    /**
     * A residual loss that knows the factor between its residuals and the errors it squares.
     *
     * <pre>{@code
     * double c = loss instanceof ResidualScale.Scaled s ? s.commonFactor() : 1.0;
     * }</pre>
     *
     * @implNote Implementations are immutable.
     */
    public interface Scaled {
        /**
         * @return the factor {@code c} with {@code r_i = c (model_i - reference_i)} for every residual
         *     of this loss, or NaN when it differs between residuals (quantities of different scales)
         */
        double commonFactor();
    }

    /**
     * The factor common to every residual of an objective. A residual loss that does not say its
     * factor (one written by a user) counts as giving the errors themselves (factor 1).
     *
     * @param objective an objective whose residuals {@link org.chemfit.Residuals#of} gives
     * @return the factor, or NaN when the residuals carry different factors (terms of different
     *     weights, counts under a mean squared error, or scales), or when the objective has no
     *     residuals
     */
    public static double commonFactor(ObjectiveFunction objective) {
        ObjectiveFunction u = objective;
        while (u instanceof ObjectiveWrapper w) {
            u = w.wrapped();
        }
        if (u instanceof CombinedObjectiveFunction c) {
            // a mean is over the terms of non-zero weight
            int weighted = 0;
            for (int i = 0; i < c.size(); i++) {
                weighted += c.weight(i) != 0 ? 1 : 0;
            }
            double g = c.reducer() == Reducer.MEAN ? 1 / Math.sqrt(Math.max(1, weighted)) : 1.0;
            double common = Double.NaN;
            for (int i = 0; i < c.size(); i++) {
                if (c.weight(i) == 0) {
                    continue; // gives no residual (Residuals.of)
                }
                double t = commonFactor(c.terms().get(i)) * Math.sqrt(c.weight(i)) * g;
                if (!(t > 0) || !Double.isFinite(t)) {
                    return Double.NaN;
                }
                if (Double.isNaN(common)) {
                    common = t;
                } else if (!same(common, t)) {
                    return Double.NaN;
                }
            }
            return common;
        }
        if (u instanceof QuantityComputerObjectiveFunction q) {
            // the term's class has set the reader: it is initialized, since q exists
            Function<QuantityComputerObjectiveFunction, LossFunction> reader = lossReader;
            LossFunction l = reader == null ? null : reader.apply(q);
            return l instanceof Scaled s ? s.commonFactor() : 1.0;
        }
        return Double.NaN;
    }

    /**
     * @param a a positive factor
     * @param b another
     * @return whether they differ only by rounding
     */
    public static boolean same(double a, double b) {
        return Math.abs(a - b) <= SAME * Math.max(Math.abs(a), Math.abs(b));
    }
}
