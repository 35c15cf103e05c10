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
 * @param rmse sqrt(mean((model - reference)^2)), NaN when no pair was used
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
        double r2 = n >= 3 && tot > 0 ? 1 - sq / tot : Double.NaN;
        return new Metrics(n, Math.sqrt(sq / n), abs / n, max, r2);
    }
}
