package org.chemfit.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import org.chemfit.LossFunction;
import org.chemfit.Quantities;
import org.chemfit.ResidualLoss;

/**
 * The losses a job file names, over reference values that may be numbers or arrays. The core's
 * {@code LossFunctions} take either scalars or one array; a term of a job file may mix both, so
 * this class compares every element of every referenced quantity the same way.
 *
 * @implNote Stateless; the losses returned are immutable and thread-safe.
 */
final class Losses {

    private Losses() {
    }

    /**
     * @param spec the loss's type and scales
     * @param reference quantity names to reference values
     * @return the loss
     * @throws IllegalArgumentException for relative_error with a zero reference value
     */
    static LossFunction create(JobFile.LossSpec spec, Map<String, double[]> reference) {
        Map<String, double[]> ref = new LinkedHashMap<>();
        reference.forEach((k, v) -> ref.put(k, v.clone()));
        String type = spec.type();
        if (type.equals("relative_error")) {
            ref.forEach((k, v) -> {
                for (double d : v) {
                    if (d == 0) {
                        throw new IllegalArgumentException("relative_error needs non-zero reference values, but '" + k + "' has 0");
                    }
                }
            });
        }
        Map<String, Double> scales = spec.scales();
        if (type.equals("squared_error") || type.equals("mean_squared_error")) {
            // a sum of squares: least-squares methods and the uncertainty use its residuals
            ResidualLoss loss = q -> residuals(type, ref, scales, q);
            return loss;
        }
        return q -> evaluate(type, ref, scales, q);
    }

    private static double[] residuals(String type, Map<String, double[]> ref, Map<String, Double> scales, Quantities q) {
        int n = 0;
        for (double[] r : ref.values()) {
            n += r.length;
        }
        double root = type.equals("mean_squared_error") ? Math.sqrt(n) : 1.0;
        double[] out = new double[n];
        int k = 0;
        for (Map.Entry<String, double[]> e : ref.entrySet()) {
            String name = e.getKey();
            double[] r = e.getValue();
            double[] v = computed(q, name, r);
            double scale = scales.getOrDefault(name, 1.0);
            for (int i = 0; i < r.length; i++) {
                out[k++] = (v[i] - r[i]) / scale / root;
            }
        }
        return out;
    }

    private static double evaluate(String type, Map<String, double[]> ref, Map<String, Double> scales, Quantities q) {
        double sum = 0;
        int n = 0;
        for (Map.Entry<String, double[]> e : ref.entrySet()) {
            String name = e.getKey();
            double[] r = e.getValue();
            double[] v = computed(q, name, r);
            double scale = scales.getOrDefault(name, 1.0);
            for (int i = 0; i < r.length; i++) {
                double d = v[i] - r[i];
                sum += switch (type) {
                    case "absolute_error" -> Math.abs(d) / scale;
                    case "relative_error" -> Math.abs(d / r[i]);
                    default -> (d / scale) * (d / scale);
                };
                n++;
            }
        }
        return type.equals("mean_squared_error") ? sum / n : sum;
    }

    /** @return the computed values of a quantity, as many as its reference has */
    private static double[] computed(Quantities q, String name, double[] reference) {
        double[] v = q.array(name);
        if (v.length != reference.length) {
            throw new IllegalArgumentException("quantity '" + name + "' has " + v.length + " values but its reference has "
                    + reference.length);
        }
        return v;
    }
}
