package org.chemfit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.chemfit.support.Names;

/**
 * Named results of a computation: doubles (an energy), double arrays (an energy curve, an RDF)
 * and strings (labels such as a structure's tag).
 *
 * <pre>{@code
 * Quantities q = Quantities.builder()
 *         .put("energy", -1.23)
 *         .put("rdf", new double[] {0.0, 0.8, 1.4})
 *         .label("tag", "dimer")
 *         .build();
 * double e = q.get("energy");
 * }</pre>
 *
 * @implNote Immutable (arrays are copied in and out) and thread-safe.
 */
public final class Quantities {

    private static final Quantities EMPTY = new Quantities(Map.of());

    private final Map<String, Object> values;

    static {
        // the journal reads the values without the copies asMap() makes
        org.chemfit.internal.QuantityValues.lend((q, action) -> q.values.forEach(action));
    }

    private Quantities(Map<String, Object> values) {
        this.values = values;
    }

    /** @return quantities with nothing in them */
    public static Quantities empty() {
        return EMPTY;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param name a quantity name
     * @param value its value
     * @return quantities holding that one number
     */
    public static Quantities of(String name, double value) {
        return builder().put(name, value).build();
    }

    /**
     * @param values names to Double, double[] or String values (other numbers become doubles)
     * @return the quantities, in map order
     * @throws IllegalArgumentException for a value of another type
     */
    public static Quantities of(Map<String, ?> values) {
        Objects.requireNonNull(values, "values");
        Builder b = builder();
        values.forEach(b::putObject);
        return b.build();
    }

    /**
     * @param name the quantity's name
     * @return its value as a double
     * @throws IllegalArgumentException when there is no such quantity or it is not a number
     */
    public double get(String name) {
        Object v = require(name);
        if (v instanceof Double d) {
            return d;
        }
        throw new IllegalArgumentException("quantity '" + name + "' is " + kind(v) + ", not a number");
    }

    /**
     * @param name the quantity's name
     * @return its value as an array (a number becomes an array of one)
     * @throws IllegalArgumentException when there is no such quantity or it is a label
     */
    public double[] array(String name) {
        Object v = require(name);
        if (v instanceof double[] a) {
            return a.clone();
        }
        if (v instanceof Double d) {
            return new double[] {d};
        }
        throw new IllegalArgumentException("quantity '" + name + "' is " + kind(v) + ", not an array of numbers");
    }

    /**
     * @param name the label's name
     * @return its text
     * @throws IllegalArgumentException when there is no such quantity or it is not a label
     */
    public String label(String name) {
        Object v = require(name);
        if (v instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("quantity '" + name + "' is " + kind(v) + ", not a label");
    }

    /**
     * @param name a name
     * @return whether a quantity of that name exists
     */
    public boolean contains(String name) {
        return values.containsKey(name);
    }

    /** @return the names, in order */
    public Set<String> names() {
        return values.keySet();
    }

    /** @return the number of quantities */
    public int size() {
        return values.size();
    }

    /** @return whether there are none */
    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** @return an ordered map of name to Double, double[] (a copy) or String */
    public Map<String, Object> asMap() {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(k, v instanceof double[] a ? a.clone() : v));
        return Collections.unmodifiableMap(m);
    }

    /**
     * @param other more quantities; on a name clash the other's value wins
     * @return both merged
     */
    public Quantities merge(Quantities other) {
        Builder b = builder();
        values.forEach(b::putObject);
        other.values.forEach(b::putObject);
        return b.build();
    }

    private Object require(String name) {
        Object v = values.get(name);
        if (v == null) {
            Objects.requireNonNull(name, "name");
            String s = Names.closest(name, values.keySet());
            throw new IllegalArgumentException("no quantity '" + name + "'"
                    + (s == null ? "" : " (did you mean '" + s + "'?)") + "; computed quantities: "
                    + (values.isEmpty() ? "none" : String.join(", ", values.keySet())));
        }
        return v;
    }

    private static String kind(Object v) {
        if (v instanceof double[]) {
            return "an array";
        }
        if (v instanceof String) {
            return "a label";
        }
        return "a number";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Quantities q) || q.values.size() != values.size()) {
            return false;
        }
        for (Map.Entry<String, Object> e : values.entrySet()) {
            Object w = q.values.get(e.getKey());
            Object v = e.getValue();
            if (v instanceof double[] a) {
                if (!(w instanceof double[] b) || !java.util.Arrays.equals(a, b)) {
                    return false;
                }
            } else if (!v.equals(w)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (Map.Entry<String, Object> e : values.entrySet()) {
            Object v = e.getValue();
            h += e.getKey().hashCode() ^ (v instanceof double[] a ? java.util.Arrays.hashCode(a) : v.hashCode());
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (!first) {
                sb.append(", ");
            }
            first = false;
            Object v = e.getValue();
            sb.append(e.getKey()).append('=').append(v instanceof double[] a ? java.util.Arrays.toString(a) : v);
        }
        return sb.append('}').toString();
    }

    /**
     * Collects quantities in order.
     *
     * @implNote Not thread-safe.
     */
    public static final class Builder {
        private final LinkedHashMap<String, Object> values = new LinkedHashMap<>();

        private Builder() {}

        /**
         * @param name the name
         * @param value a number (NaN allowed: a loss decides what it means)
         * @return this builder
         */
        public Builder put(String name, double value) {
            values.put(checkName(name), value);
            return this;
        }

        /**
         * @param name the name
         * @param value an array, copied
         * @return this builder
         */
        public Builder put(String name, double[] value) {
            values.put(checkName(name), value.clone());
            return this;
        }

        /**
         * @param name the name
         * @param text a label
         * @return this builder
         */
        public Builder label(String name, String text) {
            values.put(checkName(name), java.util.Objects.requireNonNull(text, "text"));
            return this;
        }

        Builder putObject(String name, Object v) {
            if (v instanceof Number n) {
                return put(name, n.doubleValue());
            }
            if (v instanceof double[] a) {
                return put(name, a);
            }
            if (v instanceof String s) {
                return label(name, s);
            }
            if (v instanceof java.util.List<?> list) {
                double[] a = new double[list.size()];
                for (int i = 0; i < a.length; i++) {
                    if (!(list.get(i) instanceof Number n)) {
                        throw new IllegalArgumentException(
                                "quantity '" + name + "' must hold numbers, got " + list.get(i));
                    }
                    a[i] = n.doubleValue();
                }
                return put(name, a);
            }
            throw new IllegalArgumentException(
                    "quantity '" + name + "' must be a number, an array of numbers or a label, got "
                            + (v == null ? "null" : v.getClass().getSimpleName()));
        }

        private static String checkName(String name) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("quantity names must not be empty");
            }
            return name;
        }

        /** @return the quantities */
        public Quantities build() {
            return new Quantities(Collections.unmodifiableMap(new LinkedHashMap<>(values)));
        }
    }
}
