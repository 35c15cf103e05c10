package org.chemfit.support;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Iteration in an order that is the same in every start of the JVM. The maps and sets made by
 * {@code Map.of}, {@code Map.ofEntries}, {@code Map.copyOf}, {@code Set.of} and {@code Set.copyOf}
 * (two or more entries) iterate from a point and in a direction chosen anew at each start, and a
 * {@code HashSet} of enums in the order of their identity hash codes; where
 * their order reaches a number (the order of a fit's parameters steers its optimizer, the order of
 * a sum moves its last bits) or a fingerprint, it is replaced by the order of their keys' or
 * elements' texts. Any other map or collection keeps its own order.
 *
 * <pre>{@code
 * for (Map.Entry<String, Double> e : StableOrder.entries(reference)) { ... }
 * }</pre>
 *
 * @implNote Stateless; thread-safe. Written by hand: the JDK names no type for these maps and
 *     sets, so they are known by the classes that its factories return.
 */
public final class StableOrder {

    /** The classes of the salted maps: those of two and of three entries (one class today). */
    private static final List<Class<?>> MAPS = List.of(
            Map.of("a", 0, "b", 0).getClass(), Map.of("a", 0, "b", 0, "c", 0).getClass());

    /** The classes of the salted sets: the one that holds two elements and the one of more. */
    private static final List<Class<?>> SETS =
            List.of(Set.of("a", "b").getClass(), Set.of("a", "b", "c").getClass());

    private StableOrder() {}

    /** @return whether the map's order changes from one start of the JVM to the next */
    public static boolean isSalted(Map<?, ?> map) {
        return MAPS.contains(map.getClass());
    }

    /**
     * @return whether the collection's order changes from one start of the JVM to the next: a
     *     salted set, or a {@code HashSet} of elements hashed by identity (enums, and objects
     *     without a {@code hashCode} of their own)
     */
    public static boolean isSalted(Collection<?> c) {
        if (SETS.contains(c.getClass())) {
            return true;
        }
        if (c.getClass() != java.util.HashSet.class) {
            return false;
        }
        Class<?> checked = null; // a set's elements are mostly of one class: looked at once, not per element
        for (Object x : c) {
            if (x == null || x.getClass() == checked) {
                continue;
            }
            if (hashedByIdentity(x)) {
                return true;
            }
            checked = x.getClass();
        }
        return false;
    }

    private static boolean hashedByIdentity(Object x) {
        if (x instanceof Enum<?>) {
            return true; // Enum.hashCode is Object's
        }
        try {
            return x.getClass().getMethod("hashCode").getDeclaringClass() == Object.class;
        } catch (NoSuchMethodException e) {
            return false; // every class has a public hashCode
        }
    }

    /**
     * @param v any value
     * @return whether the value's text is {@code Object}'s, class name and identity hash, which
     *     changes from one start of the JVM to the next: neither {@code toString} nor
     *     {@code hashCode} is its class's own
     */
    public static boolean identityText(Object v) {
        try {
            return v.getClass().getMethod("toString").getDeclaringClass() == Object.class
                    && v.getClass().getMethod("hashCode").getDeclaringClass() == Object.class;
        } catch (NoSuchMethodException e) {
            return false; // every class has both: not reached
        }
    }

    /**
     * @param map any map
     * @return its entries in its own order, or, for a salted map, sorted by the text of their keys
     */
    public static <K, V> Collection<Map.Entry<K, V>> entries(Map<K, V> map) {
        if (!isSalted(map)) {
            return map.entrySet();
        }
        List<Map.Entry<K, V>> sorted = new ArrayList<>(map.entrySet());
        sorted.sort(Comparator.comparing(e -> String.valueOf(e.getKey())));
        return sorted;
    }

    /** @return the map's keys in the order of {@link #entries} */
    public static String[] names(Map<String, ?> map) {
        return entries(map).stream().map(Map.Entry::getKey).toArray(String[]::new);
    }
}
