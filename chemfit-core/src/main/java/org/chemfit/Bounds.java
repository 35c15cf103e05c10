package org.chemfit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

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
     * Builds bounds from a map of name to {@code [lower, upper]} pairs; null or infinite for an open side.
     *
     * @param pairs names to two-element lists or arrays
     * @return the bounds
     * @throws IllegalArgumentException when a pair does not have two elements, an element is neither
     *     a number nor null, or lower &gt; upper
     */
    public static Bounds of(Map<String, ?> pairs) {
        Builder b = builder();
        for (Map.Entry<String, ?> e : pairs.entrySet()) {
            Object v = e.getValue();
            Object lo;
            Object hi;
            if (v instanceof double[] arr && arr.length == 2) {
                lo = arr[0];
                hi = arr[1];
            } else if (v instanceof java.util.List<?> list && list.size() == 2) {
                lo = list.get(0);
                hi = list.get(1);
            } else {
                throw new IllegalArgumentException("bounds of '" + e.getKey() + "' must be a pair [lower, upper], got " + v);
            }
            b.between(e.getKey(), side(e.getKey(), "lower", lo, Double.NEGATIVE_INFINITY),
                    side(e.getKey(), "upper", hi, Double.POSITIVE_INFINITY));
        }
        return b.build();
    }

    /**
     * @param name a dotted parameter name
     * @return its lower bound, or negative infinity
     */
    private static double side(String name, String which, Object v, double open) {
        if (v == null) {
            return open;
        }
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("bounds of '" + name + "' must be numbers or null (open), got " + which + " '" + v
                    + "' (a " + v.getClass().getSimpleName() + ")");
        }
        return n.doubleValue();
    }

    public double lower(String name) {
        double[] b = bounds.get(name);
        return b == null ? Double.NEGATIVE_INFINITY : b[0];
    }

    /**
     * @param name a dotted parameter name
     * @return its upper bound, or positive infinity
     */
    public double upper(String name) {
        double[] b = bounds.get(name);
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
                throw new IllegalArgumentException("initial value of '" + name + "' must lie within its bounds ["
                        + b[0] + ", " + b[1] + "], got " + v);
            }
        }
    }

    /**
     * @param name a dotted name
     * @param value a value
     * @return the value moved to the nearest bound when it lies outside
     */
    public double clip(String name, double value) {
        double[] b = bounds.get(name);
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
            sb.append(e.getKey()).append("=[").append(e.getValue()[0]).append(", ").append(e.getValue()[1]).append(']');
        }
        return sb.append('}').toString();
    }

    /**
     * Collects bounds; {@link #build()} validates nothing more than each call already did.
     *
     * @implNote Not thread-safe; build once, then share the {@code Bounds}.
     */
    public static final class Builder {
        private final Map<String, double[]> bounds = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * @param name dotted parameter name
         * @param lower the lower bound (negative infinity for none)
         * @param upper the upper bound (positive infinity for none)
         * @return this builder
         * @throws IllegalArgumentException when lower &gt; upper or either is NaN
         */
        public Builder between(String name, double lower, double upper) {
            Objects.requireNonNull(name, "name");
            Parameters.checkName(name);
            if (Double.isNaN(lower) || Double.isNaN(upper)) {
                throw new IllegalArgumentException("bounds of '" + name + "' must not be NaN, got [" + lower + ", " + upper + "]");
            }
            if (lower > upper) {
                throw new IllegalArgumentException("lower bound of '" + name + "' must not exceed its upper bound, got ["
                        + lower + ", " + upper + "]");
            }
            if (lower == Double.POSITIVE_INFINITY || upper == Double.NEGATIVE_INFINITY) {
                throw new IllegalArgumentException("bounds of '" + name + "' leave no finite value, got [" + lower + ", " + upper + "]");
            }
            bounds.put(name, new double[] {lower, upper});
            return this;
        }

        /**
         * @param name dotted parameter name
         * @param lower its lower bound; the upper side stays as it was (open by default)
         * @return this builder
         */
        public Builder lower(String name, double lower) {
            double[] b = bounds.get(name);
            return between(name, lower, b == null ? Double.POSITIVE_INFINITY : b[1]);
        }

        /**
         * @param name dotted parameter name
         * @param upper its upper bound; the lower side stays as it was (open by default)
         * @return this builder
         */
        public Builder upper(String name, double upper) {
            double[] b = bounds.get(name);
            return between(name, b == null ? Double.NEGATIVE_INFINITY : b[0], upper);
        }

        /** @return the bounds */
        public Bounds build() {
            Map<String, double[]> copy = new LinkedHashMap<>();
            bounds.forEach((k, v) -> copy.put(k, v.clone()));
            return new Bounds(Collections.unmodifiableMap(copy));
        }
    }
}
