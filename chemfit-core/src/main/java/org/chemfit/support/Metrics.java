package org.chemfit.support;

/**
 * Error metrics of model values against reference values: root-mean-square error, mean absolute
 * error, the largest absolute error and the coefficient of determination R².
 *
 * <pre>{@code
 * Metrics m = Metrics.of(new double[] {1, 2, 3}, new double[] {1.1, 1.9, 3.2});
 * System.out.println(m.rmse() + " " + m.mae() + " " + m.maxAbsError() + " " + m.r2());
 * }</pre>
 *
 * <p>Pairs in which either value is NaN or infinite (a failed structure) are left out, and
 * {@link #count()} says how many pairs were used. R² = 1 - SS_res / SS_tot is given only where it
 * means something: with at least three pairs whose reference values are not all equal; otherwise
 * it is NaN.
 *
 * @param count how many pairs were used
 * @param rmse sqrt(mean((model - reference)^2)), NaN when no pair was used; finite whenever the
 *     largest absolute error is (computed with the errors scaled by the largest when their squares
 *     would overflow or underflow)
 * @param mae mean(|model - reference|), NaN when no pair was used
 * @param maxAbsError max |model - reference|, NaN when no pair was used
 * @param r2 the coefficient of determination, or NaN where it is not meaningful
 * @implNote Immutable and thread-safe.
 */
public record Metrics(int count, double rmse, double mae, double maxAbsError, double r2) {

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException when count is negative
     */
    public Metrics {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, got " + count);
        }
    }

    /**
     * @param reference the reference values
     * @param model the model's values, in the same order
     * @return the metrics over the pairs where both values are finite
     * @throws IllegalArgumentException when the arrays differ in length
     */
    public static Metrics of(double[] reference, double[] model) {
        if (reference.length != model.length) {
            throw new IllegalArgumentException(
                    "reference and model must have the same length, got " + reference.length + " and " + model.length);
        }
        int n = 0;
        double sq = 0;
        double abs = 0;
        double max = 0;
        double mean = 0;
        for (int i = 0; i < reference.length; i++) {
            if (Double.isFinite(reference[i]) && Double.isFinite(model[i])) {
                double d = model[i] - reference[i];
                sq += d * d;
                abs += Math.abs(d);
                max = Math.max(max, Math.abs(d));
                mean += reference[i];
                n++;
            }
        }
        if (n == 0) {
            return new Metrics(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        mean /= n;
        double tot = 0;
        for (int i = 0; i < reference.length; i++) {
            if (Double.isFinite(reference[i]) && Double.isFinite(model[i])) {
                tot += (reference[i] - mean) * (reference[i] - mean);
            }
        }
        // an error beyond a double (two values of opposite sign near its limit) has no scale to divide by
        if (!Double.isFinite(max)
                || Double.isFinite(sq) && Double.isFinite(abs) && (sq >= Double.MIN_NORMAL || max == 0)) {
            double r2 = n >= 3 && tot > 0 ? 1 - sq / tot : Double.NaN;
            return new Metrics(n, Math.sqrt(sq / n), abs / n, max, r2);
        }
        return scaled(reference, model, n, abs, max, tot);
    }

    /**
     * The metrics of pairs whose sum of squared errors overflowed to infinity, or underflowed below the
     * normal doubles, or whose sum of absolute errors overflowed: each error is divided by the largest
     * before it is squared or summed, so that the RMSE (at most the largest error) and the MAE are finite
     * and precise whenever the largest error is.
     *
     * @param reference the reference values
     * @param model the model's values, in the same order
     * @param n the number of pairs where both values are finite, at least 1
     * @param abs the sum of absolute errors, unscaled (kept when finite)
     * @param max the largest absolute error, finite and more than 0
     * @param tot the sum of squares of the reference values about their mean
     * @return the metrics over the pairs where both values are finite
     */
    private static Metrics scaled(double[] reference, double[] model, int n, double abs, double max, double tot) {
        double sq = 0;
        double sum = 0;
        for (int i = 0; i < reference.length; i++) {
            if (Double.isFinite(reference[i]) && Double.isFinite(model[i])) {
                double e = (model[i] - reference[i]) / max;
                sq += e * e;
                sum += Math.abs(e);
            }
        }
        double mae = Double.isFinite(abs) ? abs / n : max * (sum / n);
        // SS_res / SS_tot = sq * (max / sqrt(tot))^2: -Infinity only when 1 - that is beyond a double
        double ratio = max / Math.sqrt(tot);
        double r2 = n >= 3 && tot > 0 && Double.isFinite(tot) ? 1 - sq * ratio * ratio : Double.NaN;
        return new Metrics(n, max * Math.sqrt(sq / n), mae, max, r2);
    }
}
