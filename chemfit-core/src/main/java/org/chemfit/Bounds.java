package org.chemfit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.chemfit.support.DecimalText;
import org.chemfit.support.Names;

/**
 * Lower and upper bounds per parameter name. Either side may be open (infinite); a parameter
 * that is not named is unbounded.
 *
 * <pre>{@code
 * Bounds b = Bounds.builder()
 *         .between("lj.sigma", 2.5, 4.0)
 *         .lower("lj.epsilon", 0.0)
 *         .build();
 * b.validate(initial);   // unknown names, initial values outside the bounds
 *
 * // nested like the parameters, as ChemFit's bounds dict; dotted names work alongside
 * Bounds nested = Bounds.of(Map.of("lj", Map.of("sigma", List.of(2.5, 4.0)), "shift", List.of(-1.0, 1.0)));
 *
 * // parameters at or near their bounds, before or after a fit
 * List<Bounds.NearBound> near = b.nearBounds(params, 1e-2);
 * }</pre>
 *
 * @implNote Immutable and thread-safe.
 */
public final class Bounds {

    private static final Bounds NONE = new Bounds(Map.of());

    private final Map<String, double[]> bounds;

    private Bounds(Map<String, double[]> bounds) {
        this.bounds = bounds;
    }

    /** @return bounds that bound nothing */
    public static Bounds none() {
        return NONE;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds bounds from a map of name to {@code [lower, upper]} pairs; null or infinite for an
     * open side. The map may be nested like the parameters ({@code {"params": {"x": [0, 1.5]}}}
     * bounds {@code params.x}), and dotted names may be used alongside nesting.
     *
     * @param pairs names to two-element lists or arrays, or to nested maps of those
     * @return the bounds
     * @throws IllegalArgumentException when a pair does not have two elements, an element is neither
     *     a number nor null, lower &gt; upper, or one parameter is bounded twice (nested and dotted)
     */
    public static Bounds of(Map<String, ?> pairs) {
        Objects.requireNonNull(pairs, "pairs");
        Builder b = builder();
        addAll(b, "", pairs);
        return b.build();
    }

    private static void addAll(Builder b, String prefix, Map<?, ?> pairs) {
        for (Map.Entry<?, ?> e : pairs.entrySet()) {
            String name = prefix + e.getKey();
            Object v = e.getValue();
            if (v instanceof Map<?, ?> nested) {
                if (nested.isEmpty()) {
                    throw new IllegalArgumentException("bounds of group '" + name + "' must not be empty");
                }
                addAll(b, name + ".", nested);
                continue;
            }
            if (b.bounds.containsKey(name)) {
                throw new IllegalArgumentException(
                        "parameter '" + name + "' is bounded twice (once nested, once by its dotted name)");
            }
            Object lo;
            Object hi;
            if (v instanceof double[] arr && arr.length == 2) {
                lo = arr[0];
                hi = arr[1];
            } else if (v instanceof java.util.List<?> list && list.size() == 2) {
                lo = list.get(0);
                hi = list.get(1);
            } else if (v instanceof Object[] arr && arr.length == 2) {
                lo = arr[0];
                hi = arr[1];
            } else {
                throw new IllegalArgumentException(
                        "bounds of '" + name + "' must be a pair [lower, upper] or a group of bounds, got "
                                + (v instanceof double[] d ? java.util.Arrays.toString(d) : v));
            }
            b.between(
                    name,
                    side(name, "lower", lo, Double.NEGATIVE_INFINITY),
                    side(name, "upper", hi, Double.POSITIVE_INFINITY));
        }
    }

    /**
     * A parameter at, near or outside its bounds, as {@link #nearBounds(Parameters, double)} lists it.
     *
     * <pre>{@code
     * Bounds.NearBound nb = bounds.nearBounds(params, 1e-2).get(0);
     * System.out.println(nb.describe());   // parameter 'x' = 1.5 is at or near its upper bound 1.5 (bounds [0, 1.5])
     * }</pre>
     *
     * @param name the dotted parameter name
     * @param value its value
     * @param lower its lower bound (negative infinity when open)
     * @param upper its upper bound (positive infinity when open)
     * @implNote Immutable.
     */
    public record NearBound(String name, double value, double lower, double upper) {

        /** @return a sentence for a warning: which side, and whether the value lies outside */
        public String describe() {
            String v = DecimalText.of(value);
            String lo = DecimalText.of(lower);
            String hi = DecimalText.of(upper);
            if (value < lower || value > upper) {
                return "parameter '" + name + "' = " + v + " lies outside its bounds [" + lo + ", " + hi + "]";
            }
            boolean low = Math.abs(value - lower) <= Math.abs(upper - value);
            return "parameter '" + name + "' = " + v + " is at or near its "
                    + (low ? "lower bound " + lo : "upper bound " + hi) + " (bounds [" + lo + ", " + hi + "])";
        }
    }

    /**
     * Lists the parameters at, near or outside their bounds, in the order of {@code params}; usable
     * before a fit (to check a start) and after it (the Fitter's end-of-fit warning uses it). With
     * both bounds finite, a value is listed when it is below {@code lower + tol * (upper - lower)} or
     * above {@code upper - tol * (upper - lower)}, as ChemFit's {@code check_params_near_bounds}. With
     * one side open, the closed side is checked with the tolerance taken relative to
     * {@code max(1, |bound|)}. A positive tolerance is stricter than the bounds, zero lists only
     * values outside, a negative one is looser. Parameters without bounds, and bounds of names that
     * {@code params} does not hold, are not listed.
     *
     * <pre>{@code
     * for (Bounds.NearBound nb : bounds.nearBounds(result.bestParameters(), 1e-2)) {
     *     System.out.println(nb.name() + " = " + nb.value() + " in [" + nb.lower() + ", " + nb.upper() + "]");
     * }
     * }</pre>
     *
     * @param params the parameters to check
     * @param relativeTolerance the tolerance relative to the width of the bounds, finite
     * @return the parameters found, each with its value and bounds
     * @throws IllegalArgumentException when the tolerance is not finite
     */
    public java.util.List<NearBound> nearBounds(Parameters params, double relativeTolerance) {
        Objects.requireNonNull(params, "params");
        if (!Double.isFinite(relativeTolerance)) {
            throw new IllegalArgumentException("the relative tolerance must be finite, got " + relativeTolerance);
        }
        java.util.List<NearBound> out = new java.util.ArrayList<>();
        for (String name : params.names()) {
            double[] b = bounds.get(name);
            if (b == null) {
                continue;
            }
            double v = params.get(name);
            double lo = b[0];
            double hi = b[1];
            boolean both = Double.isFinite(lo) && Double.isFinite(hi);
            boolean near;
            if (both) {
                double tol = relativeTolerance * Math.abs(hi - lo);
                near = v < lo + tol || v > hi - tol;
            } else {
                near = Double.isFinite(lo) && v < lo + relativeTolerance * Math.max(1, Math.abs(lo))
                        || Double.isFinite(hi) && v > hi - relativeTolerance * Math.max(1, Math.abs(hi));
            }
            if (near) {
                out.add(new NearBound(name, v, lo, hi));
            }
        }
        return java.util.List.copyOf(out);
    }

    /**
     * ChemFit's {@code check_params_near_bounds(params, bounds, relative_tol)} on nested or dotted
     * maps: {@code Bounds.of(bounds).nearBounds(Parameters.of(params), relativeTolerance)}. The
     * bounds are not checked against the parameters' names, and values outside are allowed (they
     * are listed).
     *
     * @param params parameters, nested or dotted
     * @param bounds bounds as {@link #of(Map)} takes them
     * @param relativeTolerance as {@link #nearBounds(Parameters, double)}
     * @return the parameters at, near or outside their bounds
     * @throws IllegalArgumentException for invalid parameters or bounds, or a tolerance that is not finite
     */
    public static java.util.List<NearBound> checkParamsNearBounds(
            Map<String, ?> params, Map<String, ?> bounds, double relativeTolerance) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(bounds, "bounds");
        return of(bounds).nearBounds(Parameters.of(params), relativeTolerance);
    }

    /** One side of a pair given to {@link #of(Map)}: a number, or null for an open side. */
    private static double side(String name, String which, Object v, double open) {
        if (v == null) {
            return open;
        }
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("bounds of '" + name + "' must be numbers or null (open), got " + which
                    + " '" + v + "' (a " + v.getClass().getSimpleName() + ")");
        }
        return n.doubleValue();
    }

    /**
     * @param name a dotted parameter name
     * @return its lower bound, or negative infinity
     */
    public double lower(String name) {
        double[] b = bounds.get(Objects.requireNonNull(name, "name"));
        return b == null ? Double.NEGATIVE_INFINITY : b[0];
    }

    /**
     * @param name a dotted parameter name
     * @return its upper bound, or positive infinity
     */
    public double upper(String name) {
        double[] b = bounds.get(Objects.requireNonNull(name, "name"));
        return b == null ? Double.POSITIVE_INFINITY : b[1];
    }

    /** @return the bounded names, in the order they were given */
    public java.util.Set<String> names() {
        return Collections.unmodifiableSet(bounds.keySet());
    }

    /** @return whether no parameter is bounded */
    public boolean isEmpty() {
        return bounds.isEmpty();
    }

    /**
     * Checks these bounds against a parameter set.
     *
     * @param params the initial parameters
     * @throws IllegalArgumentException when a bound names an unknown parameter, or an initial value
     *     lies outside its bounds
     */
    public void validate(Parameters params) {
        Objects.requireNonNull(params, "params");
        for (Map.Entry<String, double[]> e : bounds.entrySet()) {
            String name = e.getKey();
            if (!params.contains(name)) {
                String s = Names.closest(name, params.names());
                throw new IllegalArgumentException("bounds name unknown parameter '" + name + "'"
                        + (s == null ? "" : " (did you mean '" + s + "'?)") + "; known parameters: "
                        + String.join(", ", params.names()));
            }
            double v = params.get(name);
            double[] b = e.getValue();
            if (v < b[0] || v > b[1]) {
                throw new IllegalArgumentException("initial value of '" + name + "' must lie within its bounds [" + b[0]
                        + ", " + b[1] + "], got " + v);
            }
        }
    }

    /**
     * @param name a dotted name
     * @param value a value
     * @return the value moved to the nearest bound when it lies outside
     */
    public double clip(String name, double value) {
        double[] b = bounds.get(Objects.requireNonNull(name, "name"));
        if (b == null) {
            return value;
        }
        return Math.min(b[1], Math.max(b[0], value));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Bounds{");
        boolean first = true;
        for (Map.Entry<String, double[]> e : bounds.entrySet()) {
            if (!first) {
                sb.append(", ");
            }
            first = false;
            sb.append(e.getKey())
                    .append("=[")
                    .append(e.getValue()[0])
                    .append(", ")
                    .append(e.getValue()[1])
                    .append(']');
        }
        return sb.append('}').toString();
    }

    /**
     * Collects bounds; {@link #build()} validates nothing more than each call already did. Each
     * side of a parameter's bounds is given once: {@code between} gives both, {@code lower} and
     * {@code upper} one each, so {@code lower("x", 0).upper("x", 1)} is {@code between("x", 0, 1)}
     * and a second bound of the same side is refused.
     *
     * @implNote Not thread-safe; build once, then share the {@code Bounds}.
     */
    public static final class Builder {
        private final Map<String, double[]> bounds = new LinkedHashMap<>();
        /** The names whose lower bound was given. */
        private final java.util.Set<String> lowerGiven = new java.util.HashSet<>();
        /** The names whose upper bound was given. */
        private final java.util.Set<String> upperGiven = new java.util.HashSet<>();

        private Builder() {}

        /**
         * @param name dotted parameter name
         * @param lower the lower bound (negative infinity for none)
         * @param upper the upper bound (positive infinity for none)
         * @return this builder
         * @throws IllegalArgumentException when lower &gt; upper or either is NaN, or the parameter
         *     already has a bound (the message names it and both bounds)
         */
        public Builder between(String name, double lower, double upper) {
            Objects.requireNonNull(name, "name");
            double[] b = bounds.get(name);
            if (b != null) {
                throw new IllegalArgumentException("parameter '" + name + "' is bounded twice: [" + b[0] + ", " + b[1]
                        + "], then [" + lower + ", " + upper + "]");
            }
            put(name, lower, upper);
            lowerGiven.add(name);
            upperGiven.add(name);
            return this;
        }

        private void put(String name, double lower, double upper) {
            Parameters.checkName(name);
            if (Double.isNaN(lower) || Double.isNaN(upper)) {
                throw new IllegalArgumentException(
                        "bounds of '" + name + "' must not be NaN, got [" + lower + ", " + upper + "]");
            }
            if (lower > upper) {
                throw new IllegalArgumentException("lower bound of '" + name
                        + "' must not exceed its upper bound, got [" + lower + ", " + upper + "]");
            }
            if (lower == Double.POSITIVE_INFINITY || upper == Double.NEGATIVE_INFINITY) {
                throw new IllegalArgumentException(
                        "bounds of '" + name + "' leave no finite value, got [" + lower + ", " + upper + "]");
            }
            bounds.put(name, new double[] {lower, upper});
        }

        /**
         * @param name dotted parameter name
         * @param lower its lower bound; the upper side stays as it was (open by default)
         * @return this builder
         * @throws IllegalArgumentException as {@link #between}, or when the lower bound of the
         *     parameter was given already (the message names it and both values)
         */
        public Builder lower(String name, double lower) {
            Objects.requireNonNull(name, "name");
            double[] b = bounds.get(name);
            if (b != null && lowerGiven.contains(name)) {
                throw new IllegalArgumentException(
                        "the lower bound of '" + name + "' is given twice: " + b[0] + ", then " + lower);
            }
            put(name, lower, b == null ? Double.POSITIVE_INFINITY : b[1]);
            lowerGiven.add(name);
            return this;
        }

        /**
         * @param name dotted parameter name
         * @param upper its upper bound; the lower side stays as it was (open by default)
         * @return this builder
         * @throws IllegalArgumentException as {@link #between}, or when the upper bound of the
         *     parameter was given already (the message names it and both values)
         */
        public Builder upper(String name, double upper) {
            Objects.requireNonNull(name, "name");
            double[] b = bounds.get(name);
            if (b != null && upperGiven.contains(name)) {
                throw new IllegalArgumentException(
                        "the upper bound of '" + name + "' is given twice: " + b[1] + ", then " + upper);
            }
            put(name, b == null ? Double.NEGATIVE_INFINITY : b[0], upper);
            upperGiven.add(name);
            return this;
        }

        /** @return the bounds */
        public Bounds build() {
            Map<String, double[]> copy = new LinkedHashMap<>();
            bounds.forEach((k, v) -> copy.put(k, v.clone()));
            return new Bounds(Collections.unmodifiableMap(copy));
        }
    }
}
