package org.chemfit;

/**
 * A loss that is a sum of squares, {@code loss = sum_i r_i^2}, and exposes its residuals
 * {@code r_i}: what least-squares methods ({@code least-squares}, {@code levenberg-marquardt})
 * need, and what the uncertainty at the optimum is computed from. The built-in squared errors of
 * {@link LossFunctions} are residual losses.
 *
 * <pre>{@code
 * ResidualLoss loss = q -> new double[] {q.get("energy") + 0.0103, 0.1 * (q.get("dipole") - 1.85)};
 * double[] r = loss.residuals(quantities);   // loss.evaluate(quantities) == r[0]^2 + r[1]^2
 * }</pre>
 *
 * <p>An exception thrown by {@link #residuals} propagates like one thrown by {@code evaluate}.
 *
 * @implNote Must be safe to call from many threads at once, like every {@link LossFunction}.
 */
// A lambda becomes a ResidualLoss on purpose: it gives the residuals, and evaluate is their sum of
// squares (FunctionalInterfaceMethodChanged warns of exactly this change of the lambda's method).
@SuppressWarnings("FunctionalInterfaceMethodChanged")
@FunctionalInterface
public interface ResidualLoss extends LossFunction {

    /**
     * @param quantities the computed quantities
     * @return the residuals, always as many and in the same order for a given term (a
     *     least-squares fit refuses a point where their number changed, naming the term and both
     *     counts)
     */
    double[] residuals(Quantities quantities);

    /**
     * Parameter-aware form; by default ignores the parameters.
     *
     * @param quantities the computed quantities
     * @param params the parameters they were computed at
     * @return the residuals
     */
    default double[] residuals(Quantities quantities, Parameters params) {
        return residuals(quantities);
    }

    /** @return the sum of the squared residuals, in order */
    @Override
    default double evaluate(Quantities quantities) {
        return sumOfSquares(residuals(quantities));
    }

    @Override
    default double evaluate(Quantities quantities, Parameters params) {
        return sumOfSquares(residuals(quantities, params));
    }

    /**
     * @param r residuals
     * @return {@code sum r_i^2}, summed in order
     */
    static double sumOfSquares(double[] r) {
        double s = 0;
        for (double d : r) {
            s += d * d;
        }
        return s;
    }
}
