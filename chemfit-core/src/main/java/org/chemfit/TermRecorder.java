package org.chemfit;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Sees every leaf term of an evaluation before and after it runs: the seam where a journal
 * records finished terms and replays them on resume, so a finished simulation is never run twice.
 * Attach one to a root context with {@link EvaluationContext#recordTo}; every child context
 * inherits it, whichever thread or scheduler runs the term.
 *
 * <pre>{@code
 * EvaluationContext ctx = new EvaluationContext(params, "e12");
 * ctx.recordTo(journalRecorder);
 * combined.evaluate(params, ctx);
 * }</pre>
 *
 * @implNote Implementations must be thread-safe: terms of one evaluation finish on many threads.
 */
public interface TermRecorder {

    /**
     * A recorded outcome of a leaf term.
     *
     * @param value the term's unweighted loss
     * @param quantities its quantities
     * @param metadata its metadata
     */
    record Recorded(double value, Quantities quantities, Map<String, Object> metadata) {}

    /**
     * Called before a leaf term runs.
     *
     * @param child the term's context: its path, name and parameters identify it
     * @return a recorded outcome to use instead of running the term, or null to run it
     */
    @Nullable
    Recorded lookup(EvaluationContext child);

    /**
     * Called after a leaf term ran (whether it succeeded or failed), on the thread that ran it.
     *
     * @param child the term's context, with its value or failure
     */
    void finished(EvaluationContext child);
}
