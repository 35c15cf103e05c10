package org.chemfit;

/**
 * How a {@link CombinedObjectiveFunction} reduces its weighted terms to one number. The sum runs
 * in term order, so every backend gives the same result bit for bit.
 *
 * <pre>{@code
 * combined.withReducer(Reducer.MEAN);
 * }</pre>
 *
 * @implNote An enum: immutable and thread-safe.
 */
public enum Reducer {
    /** {@code sum(w_i * f_i)}, the default. */
    SUM,
    /**
     * {@code sum(w_i * f_i) / n}, n the number of terms of non-zero weight not skipped (a term of
     * weight 0, monitored, is no part of the mean).
     */
    MEAN,
    /** {@code sqrt(sum(w_i * f_i) / n)}: the root-mean of squared-error terms is an RMSE. */
    ROOT_MEAN;

    /**
     * @param sum the weighted sum, in term order
     * @param n the number of terms included (of non-zero weight, not skipped)
     * @return the reduced value (NaN when n is 0)
     */
    public double apply(double sum, int n) {
        if (n == 0) {
            return Double.NaN;
        }
        return switch (this) {
            case SUM -> sum;
            case MEAN -> sum / n;
            case ROOT_MEAN -> Math.sqrt(sum / n);
        };
    }
}
