package org.chemfit.support;

import java.util.Map;
import org.chemfit.EvaluationContext;
import org.chemfit.internal.ContextValues;

/**
 * How many times a term was run again ({@code retries} of its failure policy) before the outcome
 * its context holds: the {@code retries} entry of its metadata, which the term's run puts there at
 * each retry and the journal keeps, so that a term replayed from it still says so. Read without
 * the empty metadata map {@link EvaluationContext#metadata()} makes for a context that has none,
 * so that looking at every term of every evaluation costs no object.
 *
 * <pre>{@code
 * int n = Retries.of(term);   // 2: it failed twice, and its third run is the outcome
 * }</pre>
 *
 * @implNote Stateless; thread-safe as far as the context is.
 */
public final class Retries {

    private Retries() {}

    /**
     * @param c a term's context
     * @return how many of its runs failed before the one whose outcome it holds; 0 when it was not run again
     */
    public static int of(EvaluationContext c) {
        return ContextValues.metadata(c).get("retries") instanceof Number n ? n.intValue() : 0;
    }

    /**
     * @param c a term's context
     * @return how many of its runs failed before the one whose outcome it holds, counting both the
     *     failure policy's runs again ({@link #of}) and an external term's own retries of transient
     *     failures ({@code external_retries}); 0 when none failed
     */
    public static int failedRuns(EvaluationContext c) {
        Map<String, Object> m = ContextValues.metadata(c);
        return (m.get("retries") instanceof Number n ? n.intValue() : 0)
                + (m.get("external_retries") instanceof Number x ? x.intValue() : 0);
    }
}
