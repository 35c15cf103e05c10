package org.chemfit.internal;

import java.util.function.BiConsumer;
import org.chemfit.Quantities;
import org.jspecify.annotations.Nullable;

/**
 * Lends the values of {@link Quantities} to this module's own code without copying them: the
 * journal writes the quantities of every term of every evaluation, and {@link Quantities#asMap()}
 * builds a map and copies each array for every call. {@code Quantities} hands its reader over
 * when its class is initialized; nothing outside this module can reach it (the package is not
 * exported to everyone).
 *
 * <pre>{@code
 * QuantityValues.forEach(q, (name, value) -> write(name, value));   // double[] not copied: read only
 * }</pre>
 *
 * @implNote Thread-safe: the reader is set once, when {@code Quantities} is initialized.
 */
public final class QuantityValues {

    /** Reads the values of quantities in their order: a Double, a double[] or a String each. */
    @FunctionalInterface
    public interface Reader {
        /**
         * @param q the quantities
         * @param action gets each name and value; an array must not be changed
         */
        void forEach(Quantities q, BiConsumer<String, Object> action);
    }

    private static volatile @Nullable Reader reader;

    private QuantityValues() {}

    /**
     * Called once, by {@code Quantities}.
     *
     * @param r the reader of its values
     * @throws IllegalStateException when a reader was set before
     */
    public static synchronized void lend(Reader r) {
        if (reader != null) {
            throw new IllegalStateException("the reader of quantities is set once, by Quantities");
        }
        reader = r;
    }

    /**
     * @param q the quantities
     * @param action gets each name and value, in order; an array is the quantities' own and must
     *     not be changed
     */
    public static void forEach(Quantities q, BiConsumer<String, Object> action) {
        Reader r = reader;
        if (r == null) {
            // a Quantities instance exists, so its class was initialized and lent its reader
            throw new IllegalStateException("Quantities did not lend its reader");
        }
        r.forEach(q, action);
    }
}
