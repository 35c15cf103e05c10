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
 * @param r2 the coefficient of determination, or NaN where it is not meaningful; where the sums of
 *     squares of the errors or of the reference values' deviations from their mean overflow or
 *     underflow, each is computed with its terms scaled by the largest, and where an error or a
 *     deviation itself is beyond a double, from the values scaled down by a power of two
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
        double spread = 0;
        for (int i = 0; i < reference.length; i++) {
            if (Double.isFinite(reference[i]) && Double.isFinite(model[i])) {
                tot += (reference[i] - mean) * (reference[i] - mean);
                spread = Math.max(spread, Math.abs(reference[i] - mean));
            }
        }
        if (!Double.isFinite(max) || !Double.isFinite(spread)) {
            // an error, a sum or a deviation beyond a double, of values that are doubles (two of opposite
            // sign near its limit): the same metrics of the values scaled down by a power of two
            return quartered(reference, model, n);
        }
        if (!Double.isFinite(max)
                || Double.isFinite(sq) && Double.isFinite(abs) && (sq >= Double.MIN_NORMAL || max == 0)) {
            double r2 = Double.NaN;
            if (n >= 3 && spread > 0) {
                // SS_tot = sumScaled * spread^2 where the plain sum overflows or underflows
                r2 = plain(tot, spread)
                        ? 1 - sq / tot
                        : 1 - sq / spread / spread / sumScaled(reference, model, mean, spread);
            }
            return new Metrics(n, Math.sqrt(sq / n), abs / n, max, r2);
        }
        return scaled(reference, model, n, abs, max, mean, tot, spread);
    }

    /**
     * The metrics of finite values whose differences, sum or deviations from their mean are beyond a
     * double: computed from the values times 2^-k, with 2^k at least 4 n, so that no sum of n of them
     * nor difference of two overflows. Scaling by a power of two is exact for all but subnormal
     * values, which lose their last bits: beside values near a double's limit they count for nothing
     * in R², though an error between subnormal values alone reads as 0 there. R² does not change
     * with the scale, and the errors are scaled back (to infinity when they are beyond a double).
     *
     * @param reference the reference values
     * @param model the model's values, in the same order
     * @param n the number of pairs where both values are finite, at least 1
     * @return the metrics over the pairs where both values are finite
     */
    private static Metrics quartered(double[] reference, double[] model, int n) {
        int k = 2 + (32 - Integer.numberOfLeadingZeros(n));
        double[] r = new double[reference.length];
        double[] m = new double[model.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = Math.scalb(reference[i], -k);
            m[i] = Math.scalb(model[i], -k);
        }
        Metrics q = of(r, m);
        return new Metrics(
                q.count(), Math.scalb(q.rmse(), k), Math.scalb(q.mae(), k), Math.scalb(q.maxAbsError(), k), q.r2());
    }

    /**
     * @param tot the sum of squares of the reference values about their mean
     * @param spread the largest absolute deviation of a reference value from the mean
     * @return whether the plain sum is to be used: it is a normal finite double, or no finite scale
     *     (a deviation beyond a double) can replace it
     */
    private static boolean plain(double tot, double spread) {
        return tot >= Double.MIN_NORMAL && Double.isFinite(tot) || !Double.isFinite(spread);
    }

    /**
     * @param reference the reference values
     * @param model the model's values, in the same order
     * @param mean the mean of the reference values of the pairs used
     * @param spread the largest absolute deviation of those from the mean, finite and more than 0
     * @return the sum of squares of the reference values' deviations from the mean, each divided by
     *     spread first: at least 1, and SS_tot divided by spread^2
     */
    private static double sumScaled(double[] reference, double[] model, double mean, double spread) {
        double sum = 0;
        for (int i = 0; i < reference.length; i++) {
            if (Double.isFinite(reference[i]) && Double.isFinite(model[i])) {
                double r = (reference[i] - mean) / spread;
                sum += r * r;
            }
        }
        return sum;
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
     * @param mean the mean of the reference values of the pairs used
     * @param tot the sum of squares of the reference values about their mean
     * @param spread the largest absolute deviation of a reference value from the mean
     * @return the metrics over the pairs where both values are finite
     */
    private static Metrics scaled(
            double[] reference, double[] model, int n, double abs, double max, double mean, double tot, double spread) {
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
        double r2 = Double.NaN;
        if (n >= 3 && spread > 0 && Double.isFinite(spread)) {
            if (plain(tot, spread)) {
                // SS_res / SS_tot = sq * (max / sqrt(tot))^2: -Infinity only when 1 - that is beyond a double
                double ratio = max / Math.sqrt(tot);
                r2 = 1 - sq * ratio * ratio;
            } else {
                // SS_tot overflows or underflows too: SS_res / SS_tot = sq / sumScaled * (max / spread)^2
                double ratio = max / spread;
                r2 = 1 - sq / sumScaled(reference, model, mean, spread) * ratio * ratio;
            }
        }
        return new Metrics(n, max * Math.sqrt(sq / n), mae, max, r2);
    }
}
