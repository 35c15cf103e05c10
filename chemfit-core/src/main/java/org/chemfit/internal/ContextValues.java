package org.chemfit.internal;

import java.util.List;
import java.util.Map;
import org.chemfit.EvaluationContext;
import org.jspecify.annotations.Nullable;

/**
 * Lends the metadata and children of an {@link EvaluationContext} to this module's own code
 * without the objects its public accessors make: the journal reads every node of every
 * evaluation's tree, and {@link EvaluationContext#metadata()} makes an empty map for a node that
 * has none, {@link EvaluationContext#children()} a read-only view for each call.
 * {@code EvaluationContext} hands its reader over when its class is initialized, as
 * {@link QuantityValues} does for quantities.
 *
 * <pre>{@code
 * Map<String, Object> meta = ContextValues.metadata(ctx);          // Map.of() when it has none
 * for (EvaluationContext c : ContextValues.children(ctx)) { ... }  // not to be changed
 * }</pre>
 *
 * @implNote Thread-safe: the reader is set once, when {@code EvaluationContext} is initialized.
 */
public final class ContextValues {

    /** Reads a context's own metadata and children. */
    public interface Reader {
        /**
         * @param c a context
         * @return its metadata, or an empty map when it has none; not to be changed
         */
        Map<String, Object> metadata(EvaluationContext c);

        /**
         * @param c a context
         * @return its children, in term order; not to be changed
         */
        List<EvaluationContext> children(EvaluationContext c);
    }

    private static volatile @Nullable Reader reader;

    private ContextValues() {}

    /**
     * Called once, by {@code EvaluationContext}.
     *
     * @param r the reader of its metadata and children
     * @throws IllegalStateException when a reader was set before
     */
    public static synchronized void lend(Reader r) {
        if (reader != null) {
            throw new IllegalStateException("the reader of contexts is set once, by EvaluationContext");
        }
        reader = r;
    }

    /**
     * @param c a context
     * @return its metadata, or an empty map when it has none; the context's own: not to be changed
     */
    public static Map<String, Object> metadata(EvaluationContext c) {
        return reader().metadata(c);
    }

    /**
     * @param c a context
     * @return its children, in term order; the context's own list: not to be changed
     */
    public static List<EvaluationContext> children(EvaluationContext c) {
        return reader().children(c);
    }

    private static Reader reader() {
        Reader r = reader;
        if (r == null) {
            // a context exists, so its class was initialized and lent its reader
            throw new IllegalStateException("EvaluationContext did not lend its reader");
        }
        return r;
    }
}
