package org.chemfit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.chemfit.support.Names;
import org.chemfit.support.StableOrder;

/**
 * An immutable, ordered set of named parameter values. Names may be nested: the map
 * {@code {electrostatic: {te: 1.0}}} and the flat name {@code "electrostatic.te"} denote the same
 * parameter. The order is the order of first appearance in the map given to {@link #of(Map)},
 * except that the names of a map made by {@code Map.of}, {@code Map.ofEntries} or
 * {@code Map.copyOf} are taken sorted: such a map's order changes from one start of the JVM to the
 * next, and the order of the parameters steers an optimizer (a fit would not be the same twice).
 *
 * <pre>{@code
 * Parameters p = Parameters.of(Map.of("lj", Map.of("epsilon", 0.01, "sigma", 3.4)));
 * double sigma = p.get("lj.sigma");          // 3.4
 * Parameters q = p.with("lj.sigma", 3.5);    // a copy; p is unchanged
 * Map<String, Object> nested = q.asNestedMap();
 * }</pre>
 *
 * @implNote Immutable and therefore thread-safe; share one instance between any number of threads.
 */
public final class Parameters {

    private static final Parameters EMPTY = new Parameters(new String[0], new double[0]);

    private final String[] names;
    private final double[] values;
    private final Map<String, Integer> index;
    private int hash;

    private Parameters(String[] names, double[] values) {
        this.names = names;
        this.values = values;
        Map<String, Integer> idx = new HashMap<>(names.length * 2);
        for (int i = 0; i < names.length; i++) {
            idx.put(names[i], i);
        }
        this.index = idx;
    }

    /** @return a parameter set with no parameters */
    public static Parameters empty() {
        return EMPTY;
    }

    /**
     * Builds parameters from a map whose values are numbers or nested maps of the same kind.
     * Keys may themselves contain dots ({@code "lj.sigma"}); they are flattened either way.
     *
     * @param values numbers or nested maps, in the order they should be kept (the names of a map
     *     from {@code Map.of}, {@code Map.ofEntries} or {@code Map.copyOf}, at any level, are taken
     *     sorted: its own order is not the same from one start of the JVM to the next)
     * @return the parameters, flattened to dotted names in map order
     * @throws IllegalArgumentException when a value is neither a number nor a map, is not finite,
     *     a name is empty or repeated, or a name is both a value and a group
     */
    public static Parameters of(Map<String, ?> values) {
        Objects.requireNonNull(values, "values");
        LinkedHashMap<String, Double> flat = new LinkedHashMap<>();
        flatten("", values, flat);
        return fromFlat(flat);
    }

    /**
     * Builds parameters from dotted names and values, in the order given.
     *
     * @param names the dotted names
     * @param values the values, one per name
     * @return the parameters
     * @throws IllegalArgumentException when the lengths differ, a value is not finite, or a name is
     *     invalid or repeated
     */
    public static Parameters of(List<String> names, double[] values) {
        Objects.requireNonNull(names, "names");
        Objects.requireNonNull(values, "values");
        if (names.size() != values.length) {
            throw new IllegalArgumentException("parameter names and values must have the same length, got "
                    + names.size() + " names and " + values.length + " values");
        }
        LinkedHashMap<String, Double> flat = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            put(flat, names.get(i), values[i]);
        }
        return fromFlat(flat);
    }

    /** @param flat the values by name, in the order to keep (a LinkedHashMap) */
    private static Parameters fromFlat(Map<String, Double> flat) {
        String[] n = new String[flat.size()];
        double[] v = new double[n.length];
        int i = 0;
        for (Map.Entry<String, Double> e : flat.entrySet()) {
            n[i] = e.getKey();
            v[i++] = e.getValue();
        }
        checkGroups(n);
        return new Parameters(n, v);
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, Double> out) {
        for (Map.Entry<?, ?> e : StableOrder.entries(map)) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException("parameter names must be strings, got " + e.getKey());
            }
            String name = prefix.isEmpty() ? key : prefix + "." + key;
            Object v = e.getValue();
            if (v instanceof Map<?, ?> nested) {
                if (nested.isEmpty()) {
                    throw new IllegalArgumentException("parameter group '" + name + "' is empty");
                }
                checkName(name);
                flatten(name, nested, out);
            } else if (v instanceof Number num) {
                put(out, name, num.doubleValue());
            } else {
                throw new IllegalArgumentException(
                        "parameter '" + name + "' must be a number or a map of parameters, got "
                                + (v == null ? "null" : v.getClass().getSimpleName() + " " + v));
            }
        }
    }

    private static void put(Map<String, Double> out, String name, double value) {
        checkName(name);
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("parameter '" + name + "' must be a finite number, got " + value);
        }
        if (out.put(name, value) != null) {
            throw new IllegalArgumentException("parameter '" + name + "' is given twice");
        }
    }

    static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("parameter names must not be empty");
        }
        if (name.startsWith(".") || name.endsWith(".") || name.contains("..")) {
            throw new IllegalArgumentException("parameter name '" + name + "' has an empty part between dots");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isWhitespace(name.charAt(i))) {
                throw new IllegalArgumentException("parameter name '" + name + "' must not contain whitespace");
            }
        }
    }

    private static void checkGroups(String[] names) {
        if (names.length < 2) {
            return;
        }
        java.util.Set<String> set = new java.util.HashSet<>(Arrays.asList(names));
        for (String n : names) {
            int dot = n.indexOf('.');
            while (dot > 0) {
                String group = n.substring(0, dot);
                if (set.contains(group)) {
                    throw new IllegalArgumentException(
                            "parameter '" + group + "' is both a value and the group of '" + n + "'");
                }
                dot = n.indexOf('.', dot + 1);
            }
        }
    }

    /**
     * Returns the value of a parameter.
     *
     * @param name the dotted name, for example {@code "electrostatic.te"}
     * @return its value
     * @throws IllegalArgumentException when there is no parameter of that name; the message lists
     *     the names there are
     */
    public double get(String name) {
        Integer i = index.get(name);
        if (i == null) {
            // checked here, off the path of every known name
            Objects.requireNonNull(name, "name");
            throw new IllegalArgumentException(unknownMessage(name));
        }
        return values[i];
    }

    /**
     * Returns the value of a parameter, or a default when it is absent.
     *
     * @param name the dotted name
     * @param defaultValue returned when there is no such parameter
     * @return the value or the default
     */
    public double get(String name, double defaultValue) {
        Integer i = index.get(name);
        return i == null ? defaultValue : values[i];
    }

    private String unknownMessage(String name) {
        String suggestion = Names.closest(name, Arrays.asList(names));
        return "unknown parameter '" + name + "'" + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)")
                + "; known parameters: " + String.join(", ", names);
    }

    /**
     * @param name a dotted name
     * @return whether a parameter of that name exists
     */
    public boolean contains(String name) {
        return index.containsKey(name);
    }

    /** @return the number of parameters */
    public int size() {
        return names.length;
    }

    /** @return the dotted names, in order */
    public List<String> names() {
        return List.of(names);
    }

    /** @return the values in the order of {@link #names()} (a copy) */
    public double[] toArray() {
        return values.clone();
    }

    /**
     * @param names dotted names, each of which must exist
     * @return their values in the given order
     * @throws IllegalArgumentException for an unknown name
     */
    public double[] toArray(List<String> names) {
        double[] out = new double[names.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(names.get(i));
        }
        return out;
    }

    /** @return an unmodifiable ordered map of dotted name to value */
    public Map<String, Double> asFlatMap() {
        LinkedHashMap<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], values[i]);
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * @return an ordered map of nested maps (group name to map) and doubles; dotted names are split
     *     at the dots. Feeding it back to {@link #of(Map)} gives equal parameters.
     */
    public Map<String, Object> asNestedMap() {
        LinkedHashMap<String, Object> root = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            String[] parts = names[i].split("\\.");
            Map<String, Object> node = root;
            for (int k = 0; k < parts.length - 1; k++) {
                @SuppressWarnings("unchecked")
                Map<String, Object> next =
                        (Map<String, Object>) node.computeIfAbsent(parts[k], x -> new LinkedHashMap<String, Object>());
                node = next;
            }
            node.put(parts[parts.length - 1], values[i]);
        }
        return root;
    }

    /**
     * Returns a copy with one value changed, or added at the end when the name is new.
     *
     * @param name the dotted name
     * @param value the new value, finite
     * @return the copy
     * @throws IllegalArgumentException when the value is not finite or the name invalid
     */
    public Parameters with(String name, double value) {
        return withAll(Map.of(Objects.requireNonNull(name, "name"), value));
    }

    /**
     * Returns a copy with several values changed or added (new names go at the end, in map order;
     * those of a {@code Map.of} map sorted, as in {@link #of(Map)}).
     *
     * @param changes dotted names to values
     * @return the copy
     * @throws IllegalArgumentException when a value is null or not finite, or a name invalid
     */
    public Parameters withAll(Map<String, Double> changes) {
        String[] n = names;
        double[] v = values.clone();
        List<String> added = new ArrayList<>();
        List<Double> addedValues = new ArrayList<>();
        for (Map.Entry<String, Double> e : StableOrder.entries(changes)) {
            String name = e.getKey();
            checkName(name);
            if (e.getValue() == null) {
                throw new IllegalArgumentException("parameter '" + name + "' must be a finite number, got null");
            }
            double value = e.getValue();
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("parameter '" + name + "' must be a finite number, got " + value);
            }
            Integer i = index.get(name);
            if (i != null) {
                v[i] = value;
            } else {
                added.add(name);
                addedValues.add(value);
            }
        }
        if (!added.isEmpty()) {
            n = Arrays.copyOf(names, names.length + added.size());
            v = Arrays.copyOf(v, n.length);
            for (int k = 0; k < added.size(); k++) {
                n[names.length + k] = added.get(k);
                v[names.length + k] = addedValues.get(k);
            }
            checkGroups(n);
        }
        return new Parameters(n, v);
    }

    /**
     * Returns a copy in which the named parameters take the given values.
     *
     * @param names dotted names, each of which must exist
     * @param newValues one value per name
     * @return the copy
     * @throws IllegalArgumentException for an unknown name, a length mismatch or a non-finite value
     */
    public Parameters with(List<String> names, double[] newValues) {
        if (names.size() != newValues.length) {
            throw new IllegalArgumentException("expected " + names.size() + " values, got " + newValues.length);
        }
        double[] v = values.clone();
        for (int k = 0; k < newValues.length; k++) {
            Integer i = index.get(names.get(k));
            if (i == null) {
                throw new IllegalArgumentException(unknownMessage(names.get(k)));
            }
            if (!Double.isFinite(newValues[k])) {
                throw new IllegalArgumentException(
                        "parameter '" + names.get(k) + "' must be a finite number, got " + newValues[k]);
            }
            v[i] = newValues[k];
        }
        return new Parameters(this.names, v);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Parameters p)) {
            return false;
        }
        if (!Arrays.equals(names, p.names)) {
            return false;
        }
        for (int i = 0; i < values.length; i++) {
            if (Double.doubleToLongBits(values[i]) != Double.doubleToLongBits(p.values[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = 31 * Arrays.hashCode(names) + Arrays.hashCode(values);
            hash = h;
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(names[i]).append('=').append(values[i]);
        }
        return sb.append('}').toString();
    }
}
