package org.chemfit.journal.read;

import java.time.Instant;
import java.util.Map;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.jspecify.annotations.Nullable;

/**
 * One evaluation of a fit as the journal holds it: its number in the run, the parameters
 * (exactly the doubles evaluated), its state, loss, metadata tree, timings and host.
 *
 * <pre>{@code
 * EvaluationRecord best = journal.best(runId).orElseThrow();
 * System.out.println(best.number() + ": " + best.parameters() + " -> " + best.loss());
 * }</pre>
 *
 * @param runId the run
 * @param number the evaluation's number in the run, from 0 (the Fitter's numbering)
 * @param evaluationId the evaluation id used in run directory names ("e12")
 * @param state RUNNING (in flight, or cut off by a crash), COMPLETE or FAILED
 * @param parameters the parameters, bit for bit
 * @param loss the objective's loss, NaN while running or when it gave none
 * @param toldLoss the loss the optimizer was told (a bad loss replaced by valueBadParams), NaN
 *     while running
 * @param quantities the quantities of the objective's root (empty for a combined objective: its
 *     terms hold theirs)
 * @param treeJson the metadata tree ({@code EvaluationContext.toMap(true)}) as JSON, null while running
 * @param failure the failure message, or null
 * @param started when it started
 * @param ended when it ended, null while running
 * @param seconds how long it took, NaN while running
 * @param host the host that ran it
 * @param attempt the attempt of the run that wrote this record (1 for the first)
 * @param degraded whether a term failed in it and the failure policy substituted a penalty or
 *     skipped the term (see {@link BestPoint}); false while running
 * @implNote Immutable.
 */
public record EvaluationRecord(
        long runId,
        int number,
        String evaluationId,
        State state,
        Parameters parameters,
        double loss,
        double toldLoss,
        Quantities quantities,
        String treeJson,
        String failure,
        @Nullable Instant started,
        @Nullable Instant ended,
        double seconds,
        String host,
        int attempt,
        boolean degraded) {

    /**
     * The state of an evaluation or of a term.
     *
     * <pre>{@code
     * int running = journal.evaluationCounts(runId).get(EvaluationRecord.State.RUNNING);
     * }</pre>
     *
     * @implNote An enum: immutable.
     */
    public enum State {
        /** Started and not finished: in flight, or cut off by a crash (it runs again on resume). */
        RUNNING,
        /** Finished with a loss. */
        COMPLETE,
        /** Finished with a failure. */
        FAILED
    }

    /** @return the metadata tree as maps and lists (empty while running) */
    public Map<String, Object> tree() {
        return JournalJson.readMap(treeJson);
    }
}
