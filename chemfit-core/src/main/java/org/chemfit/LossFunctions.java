package org.chemfit;

import java.util.Map;
import java.util.Objects;
import org.chemfit.support.ResidualScale;
import org.chemfit.support.StableOrder;
import org.jspecify.annotations.Nullable;

/**
 * Built-in {@link LossFunction}s that compare computed quantities with reference values.
 *
 * <pre>{@code
 * LossFunction energy = LossFunctions.squaredError(Map.of("energy", -0.0103), Map.of("energy", 0.001));
 * LossFunction curve  = LossFunctions.sumOfSquares("rdf", referenceRdf);
 * }</pre>
 *
 * <p>The squared errors ({@link #squaredError}, {@link #meanSquaredError}, {@link #sumOfSquares},
 * and a {@link #sum} of them) are {@link ResidualLoss}es: least-squares methods and the
 * uncertainty of the fitted parameters use their residuals.
 *
 * <p>A loss sums over the quantities in the order of its reference map. The names of a map from
 * {@code Map.of}, {@code Map.ofEntries} or {@code Map.copyOf} are taken sorted: that map's order
 * changes from one start of the JVM to the next, and with it the last bits of a sum.
 *
 * <p>A quantity that was not computed fails the evaluation with an {@link IllegalArgumentException}
 * naming the quantity and those that were computed.
 *
 * @implNote Every loss returned is immutable and thread-safe.
 */
public final class LossFunctions {

    private LossFunctions() {}

    /**
     * Sum over named quantities of {@code (q - ref)^2}.
     *
     * @param reference quantity names to reference values
     * @return the loss
     * @throws IllegalArgumentException when the map is empty or a value is not finite
     */
    public static LossFunction squaredError(Map<String, Double> reference) {
        return squaredError(reference, Map.of());
    }

    /**
     * Sum over named quantities of {@code ((q - ref) / scale)^2}; a quantity without a scale has scale 1.
     *
     * @param reference quantity names to reference values
     * @param scales quantity names to positive scales
     * @return the loss
     * @throws IllegalArgumentException when the map is empty, a value is not finite, a scale is not
     *     positive, or a scale names a quantity that has no reference
     */
    public static LossFunction squaredError(Map<String, Double> reference, Map<String, Double> scales) {
        return scaledResiduals(reference, scales, false);
    }

    /**
     * Mean over named quantities of {@code ((q - ref) / scale)^2}; its residuals are
     * {@code (q - ref) / (scale sqrt(n))}.
     *
     * @param reference quantity names to reference values
     * @param scales quantity names to positive scales (missing: 1)
     * @return the loss, a {@link ResidualLoss}
     * @throws IllegalArgumentException as {@link #squaredError(Map, Map)}
     */
    public static LossFunction meanSquaredError(Map<String, Double> reference, Map<String, Double> scales) {
        return scaledResiduals(reference, scales, true);
    }

    /** The residuals {@code (q - ref) / scale}, divided by {@code sqrt(n)} for the mean. */
    private static ResidualLoss scaledResiduals(
            Map<String, Double> reference, Map<String, Double> scales, boolean mean) {
        String[] names = checkReference(reference);
        double[] ref = values(reference, names);
        double[] scale = scales(names, scales);
        double root = mean ? Math.sqrt(names.length) : 1.0;
        return new ScalarSquares(names, ref, scale, root);
    }

    /** The residuals {@code (q - ref) / scale / root} of named single-number quantities. */
    private static final class ScalarSquares implements ResidualLoss, ResidualScale.Scaled {
        private final String[] names;
        private final double[] ref;
        private final double[] scale;
        private final double root;

        ScalarSquares(String[] names, double[] ref, double[] scale, double root) {
            this.names = names;
            this.ref = ref;
            this.scale = scale;
            this.root = root;
        }

        @Override
        public double[] residuals(Quantities q) {
            double[] r = new double[names.length];
            for (int i = 0; i < names.length; i++) {
                // dividing by 1.0 leaves a double unchanged: the sum is the plain squared error
                r[i] = (q.get(names[i]) - ref[i]) / scale[i] / root;
            }
            return r;
        }

        @Override
        public double commonFactor() {
            return factor(scale, root);
        }
    }

    /**
     * @param scale the scales of the quantities
     * @param root the divisor of the mean, 1 for a sum
     * @return the factor between every residual and its error, NaN when the scales differ
     */
    private static double factor(double[] scale, double root) {
        for (double s : scale) {
            if (s != scale[0]) {
                return Double.NaN;
            }
        }
        return 1 / scale[0] / root;
    }

    /**
     * Sum over named quantities of {@code |q - ref| / scale}.
     *
     * @param reference quantity names to reference values
     * @param scales quantity names to positive scales (missing: 1)
     * @return the loss
     * @throws IllegalArgumentException as {@link #squaredError(Map, Map)}
     */
    public static LossFunction absoluteError(Map<String, Double> reference, Map<String, Double> scales) {
        String[] names = checkReference(reference);
        double[] ref = values(reference, names);
        double[] scale = scales(names, scales);
        return q -> {
            double s = 0;
            for (int i = 0; i < names.length; i++) {
                s += Math.abs(q.get(names[i]) - ref[i]) / scale[i];
            }
            return s;
        };
    }

    /**
     * @param reference quantity names to reference values
     * @return sum of {@code |q - ref|}
     */
    public static LossFunction absoluteError(Map<String, Double> reference) {
        return absoluteError(reference, Map.of());
    }

    /**
     * Sum over named quantities of {@code |q - ref| / |ref|}.
     *
     * @param reference quantity names to non-zero reference values
     * @return the loss
     * @throws IllegalArgumentException when a reference value is zero (its relative error is undefined)
     */
    public static LossFunction relativeError(Map<String, Double> reference) {
        String[] names = checkReference(reference);
        double[] ref = values(reference, names);
        for (int i = 0; i < names.length; i++) {
            if (ref[i] == 0.0) {
                throw new IllegalArgumentException(
                        "relative error needs a non-zero reference value, got 0 for '" + names[i] + "'");
            }
        }
        return q -> {
            double s = 0;
            for (int i = 0; i < names.length; i++) {
                s += Math.abs((q.get(names[i]) - ref[i]) / ref[i]);
            }
            return s;
        };
    }

    /**
     * Sum over the elements of an array quantity of {@code (q[i] - ref[i])^2} (an energy curve, an RDF).
     *
     * @param name the array quantity
     * @param reference the reference array
     * @return the loss; an array of another length fails the evaluation
     * @throws IllegalArgumentException when the reference is empty or holds a non-finite value
     */
    public static LossFunction sumOfSquares(String name, double[] reference) {
        return sumOfSquares(name, reference, 1.0);
    }

    /**
     * Sum over the elements of an array quantity of {@code ((q[i] - ref[i]) / scale)^2}.
     *
     * @param name the array quantity
     * @param reference the reference array
     * @param scale a positive scale
     * @return the loss
     * @throws IllegalArgumentException when the reference is empty, holds a non-finite value, or the
     *     scale is not positive
     */
    public static LossFunction sumOfSquares(String name, double[] reference, double scale) {
        Objects.requireNonNull(name, "name");
        if (reference.length == 0) {
            throw new IllegalArgumentException("reference array of '" + name + "' must not be empty");
        }
        double[] ref = reference.clone();
        for (int i = 0; i < ref.length; i++) {
            if (!Double.isFinite(ref[i])) {
                throw new IllegalArgumentException(
                        "reference of '" + name + "' must be finite, got " + ref[i] + " at index " + i);
            }
        }
        checkScale(name, scale);
        return new ArraySquares(name, ref, scale);
    }

    /** The residuals {@code (q[i] - ref[i]) / scale} of one array quantity. */
    private static final class ArraySquares implements ResidualLoss, ResidualScale.Scaled {
        private final String name;
        private final double[] ref;
        private final double scale;

        ArraySquares(String name, double[] ref, double scale) {
            this.name = name;
            this.ref = ref;
            this.scale = scale;
        }

        @Override
        public double[] residuals(Quantities q) {
            double[] v = q.array(name);
            if (v.length != ref.length) {
                throw new IllegalArgumentException(
                        "quantity '" + name + "' has " + v.length + " values but its reference has " + ref.length);
            }
            double[] r = new double[ref.length];
            for (int i = 0; i < ref.length; i++) {
                r[i] = (v[i] - ref[i]) / scale;
            }
            return r;
        }

        @Override
        public double commonFactor() {
            return 1 / scale;
        }
    }

    /**
     * Sum over every element of every named quantity of {@code ((q[i] - ref[i]) / scale)^2}, where a
     * quantity holds one number (an array of one) or an array (a curve); a quantity without a scale
     * has scale 1. The scalar {@link #squaredError(Map, Map)} and the one-array
     * {@link #sumOfSquares(String, double[], double)} in one loss, for terms that mix both.
     *
     * <pre>{@code
     * LossFunction l = LossFunctions.squaredErrorOfArrays(Map.of("density", new double[] {1.39}, "rdf", rdf), Map.of());
     * }</pre>
     *
     * @param reference quantity names to reference values, one or more each
     * @param scales quantity names to positive scales (missing: 1)
     * @return the loss, a {@link ResidualLoss}; a computed quantity of another length fails the evaluation
     * @throws IllegalArgumentException when the map or an array is empty, a value is not finite, a
     *     scale is not positive, or a scale names a quantity that has no reference
     */
    public static LossFunction squaredErrorOfArrays(Map<String, double[]> reference, Map<String, Double> scales) {
        return new ElementLoss(reference, scales, ElementLoss.Kind.SQUARED);
    }

    /**
     * As {@link #squaredErrorOfArrays}, divided by the number of elements n; its residuals are
     * {@code (q[i] - ref[i]) / (scale sqrt(n))}.
     *
     * @param reference quantity names to reference values, one or more each
     * @param scales quantity names to positive scales (missing: 1)
     * @return the loss, a {@link ResidualLoss}
     * @throws IllegalArgumentException as {@link #squaredErrorOfArrays}
     */
    public static LossFunction meanSquaredErrorOfArrays(Map<String, double[]> reference, Map<String, Double> scales) {
        return new ElementLoss(reference, scales, ElementLoss.Kind.MEAN_SQUARED);
    }

    /**
     * Sum over every element of every named quantity of {@code |q[i] - ref[i]| / scale}.
     *
     * @param reference quantity names to reference values, one or more each
     * @param scales quantity names to positive scales (missing: 1)
     * @return the loss
     * @throws IllegalArgumentException as {@link #squaredErrorOfArrays}
     */
    public static LossFunction absoluteErrorOfArrays(Map<String, double[]> reference, Map<String, Double> scales) {
        return new ElementLoss(reference, scales, ElementLoss.Kind.ABSOLUTE).asPlainLoss();
    }

    /**
     * Sum over every element of every named quantity of {@code |q[i] - ref[i]| / |ref[i]|}.
     *
     * @param reference quantity names to non-zero reference values, one or more each
     * @return the loss
     * @throws IllegalArgumentException as {@link #squaredErrorOfArrays}, and when a reference value
     *     is zero (its relative error is undefined)
     */
    public static LossFunction relativeErrorOfArrays(Map<String, double[]> reference) {
        return new ElementLoss(reference, Map.of(), ElementLoss.Kind.RELATIVE).asPlainLoss();
    }

    /**
     * The losses over quantities that are numbers or arrays; the references are copied once.
     * The squared kinds are residual losses, the others plain sums.
     */
    private static final class ElementLoss implements ResidualLoss, ResidualScale.Scaled {
        enum Kind {
            SQUARED,
            MEAN_SQUARED,
            ABSOLUTE,
            RELATIVE
        }

        private final String[] names;
        private final double[][] ref;
        private final double[] scale;
        private final double root;
        private final Kind kind;

        ElementLoss(Map<String, double[]> reference, Map<String, Double> scales, Kind kind) {
            if (Objects.requireNonNull(reference, "reference").isEmpty()) {
                throw new IllegalArgumentException("reference values must name at least one quantity");
            }
            this.kind = kind;
            this.names = StableOrder.names(reference);
            this.ref = new double[names.length][];
            int n = 0;
            for (int k = 0; k < names.length; k++) {
                double[] r = reference.get(names[k]);
                if (r == null || r.length == 0) {
                    throw new IllegalArgumentException("reference of '" + names[k] + "' must hold at least one value");
                }
                ref[k] = r.clone();
                for (int i = 0; i < r.length; i++) {
                    if (!Double.isFinite(r[i])) {
                        throw new IllegalArgumentException(
                                "reference of '" + names[k] + "' must be finite, got " + r[i] + " at index " + i);
                    }
                    if (kind == Kind.RELATIVE && r[i] == 0.0) {
                        throw new IllegalArgumentException(
                                "relative error needs a non-zero reference value, got 0 for '" + names[k] + "'"
                                        + (r.length > 1 ? " at index " + i : ""));
                    }
                }
                n += r.length;
            }
            this.scale = scales(names, scales);
            this.root = kind == Kind.MEAN_SQUARED ? Math.sqrt(n) : 1.0;
        }

        @Override
        public double commonFactor() {
            return factor(scale, root);
        }

        /** @return this loss without the residual view, for the kinds that are not sums of squares */
        LossFunction asPlainLoss() {
            return this::sum;
        }

        @Override
        public double[] residuals(Quantities q) {
            int n = 0;
            for (double[] r : ref) {
                n += r.length;
            }
            double[] out = new double[n];
            int j = 0;
            for (int k = 0; k < names.length; k++) {
                double[] v = computed(q, k);
                for (int i = 0; i < v.length; i++) {
                    // dividing by 1.0 leaves a double unchanged: the sum is the plain squared error
                    out[j++] = (v[i] - ref[k][i]) / scale[k] / root;
                }
            }
            return out;
        }

        /** The absolute or relative error, summed element by element in quantity order. */
        private double sum(Quantities q) {
            double s = 0;
            for (int k = 0; k < names.length; k++) {
                double[] v = computed(q, k);
                for (int i = 0; i < v.length; i++) {
                    double d = v[i] - ref[k][i];
                    s += kind == Kind.RELATIVE ? Math.abs(d / ref[k][i]) : Math.abs(d) / scale[k];
                }
            }
            return s;
        }

        private double[] computed(Quantities q, int k) {
            double[] v = q.array(names[k]);
            if (v.length != ref[k].length) {
                throw new IllegalArgumentException("quantity '" + names[k] + "' has " + v.length
                        + " values but its reference has " + ref[k].length);
            }
            return v;
        }
    }

    /**
     * @param losses losses to add, at least one
     * @return their sum
     * @throws IllegalArgumentException when no loss is given or one is null
     */
    public static LossFunction sum(LossFunction... losses) {
        if (Objects.requireNonNull(losses, "losses").length == 0) {
            throw new IllegalArgumentException("a sum of losses needs at least one loss, got none");
        }
        LossFunction[] ls = losses.clone();
        for (int i = 0; i < ls.length; i++) {
            if (ls[i] == null) {
                throw new IllegalArgumentException("loss " + i + " of the sum is null");
            }
        }
        boolean allResiduals = true;
        for (LossFunction l : ls) {
            allResiduals &= l instanceof ResidualLoss;
        }
        if (allResiduals) {
            // a sum of sums of squares is one: its residuals are the parts' residuals in order
            return new SumOfResidualLosses() {
                @Override
                public double commonFactor() {
                    double c = Double.NaN;
                    for (int i = 0; i < ls.length; i++) {
                        double f = ls[i] instanceof ResidualScale.Scaled s ? s.commonFactor() : 1.0;
                        if (i > 0 && !ResidualScale.same(c, f)) {
                            return Double.NaN;
                        }
                        c = f;
                    }
                    return c;
                }

                @Override
                public double[] residuals(Quantities q) {
                    return residuals(q, null);
                }

                @Override
                public double[] residuals(Quantities q, @Nullable Parameters p) {
                    double[][] parts = new double[ls.length][];
                    int m = 0;
                    for (int i = 0; i < ls.length; i++) {
                        parts[i] = p == null
                                ? ((ResidualLoss) ls[i]).residuals(q)
                                : ((ResidualLoss) ls[i]).residuals(q, p);
                        m += parts[i].length;
                    }
                    double[] r = new double[m];
                    int k = 0;
                    for (double[] part : parts) {
                        System.arraycopy(part, 0, r, k, part.length);
                        k += part.length;
                    }
                    return r;
                }
            };
        }
        return new LossFunction() {
            @Override
            public double evaluate(Quantities q) {
                double s = 0;
                for (LossFunction l : ls) {
                    s += l.evaluate(q);
                }
                return s;
            }

            @Override
            public double evaluate(Quantities q, Parameters p) {
                double s = 0;
                for (LossFunction l : ls) {
                    s += l.evaluate(q, p);
                }
                return s;
            }
        };
    }

    /**
     * A loss multiplied by a weight: {@code weight * loss}. A residual loss stays one, its residuals
     * multiplied by {@code sqrt(weight)}, so that a least-squares method sees them; a {@link #sum}
     * of weighted parts weighs one quantity against another within a term (the forces of a
     * structure against its energy).
     *
     * <pre>{@code
     * LossFunction l = LossFunctions.sum(energy, LossFunctions.weighted(0.1, LossFunctions.sumOfSquares("forces", f)));
     * }</pre>
     *
     * @param weight a finite weight, not negative
     * @param loss the loss
     * @return the weighted loss
     * @throws IllegalArgumentException when the weight is negative or not finite
     */
    public static LossFunction weighted(double weight, LossFunction loss) {
        Objects.requireNonNull(loss, "loss");
        if (!(weight >= 0) || !Double.isFinite(weight)) {
            throw new IllegalArgumentException("a loss's weight must be finite and not negative, got " + weight);
        }
        double root = Math.sqrt(weight);
        if (loss instanceof ResidualLoss r) {
            return new SumOfResidualLosses() {
                @Override
                public double commonFactor() {
                    return root * (r instanceof ResidualScale.Scaled s ? s.commonFactor() : 1.0);
                }

                @Override
                public double[] residuals(Quantities q) {
                    return times(r.residuals(q));
                }

                @Override
                public double[] residuals(Quantities q, Parameters p) {
                    return times(r.residuals(q, p));
                }

                private double[] times(double[] a) {
                    double[] out = a.clone();
                    for (int i = 0; i < out.length; i++) {
                        out[i] *= root;
                    }
                    return out;
                }
            };
        }
        return new LossFunction() {
            @Override
            public double evaluate(Quantities q) {
                return weight * loss.evaluate(q);
            }

            @Override
            public double evaluate(Quantities q, Parameters p) {
                return weight * loss.evaluate(q, p);
            }
        };
    }

    /** A sum of residual losses, which knows the factor common to its parts' residuals. */
    private interface SumOfResidualLosses extends ResidualLoss, ResidualScale.Scaled {}

    private static String[] checkReference(Map<String, Double> reference) {
        if (Objects.requireNonNull(reference, "reference").isEmpty()) {
            throw new IllegalArgumentException("reference values must name at least one quantity");
        }
        for (Map.Entry<String, Double> e : reference.entrySet()) {
            if (e.getValue() == null || !Double.isFinite(e.getValue())) {
                throw new IllegalArgumentException(
                        "reference value of '" + e.getKey() + "' must be finite, got " + e.getValue());
            }
        }
        return StableOrder.names(reference);
    }

    private static double[] values(Map<String, Double> m, String[] names) {
        double[] out = new double[names.length];
        for (int i = 0; i < names.length; i++) {
            out[i] = Objects.requireNonNull(m.get(names[i]), names[i]);
        }
        return out;
    }

    private static double[] scales(String[] names, Map<String, Double> scales) {
        java.util.Set<String> known = new java.util.HashSet<>(java.util.Arrays.asList(names));
        for (String s : Objects.requireNonNull(scales, "scales").keySet()) {
            if (!known.contains(s)) {
                throw new IllegalArgumentException("scale given for '" + s
                        + "', which has no reference value; references: " + String.join(", ", names));
            }
        }
        double[] out = new double[names.length];
        for (int i = 0; i < names.length; i++) {
            Double s = scales.get(names[i]);
            out[i] = s == null ? 1.0 : s;
            checkScale(names[i], out[i]);
        }
        return out;
    }

    private static void checkScale(String name, double s) {
        if (!(s > 0) || !Double.isFinite(s)) {
            throw new IllegalArgumentException("scale of '" + name + "' must be positive and finite, got " + s);
        }
    }
}
