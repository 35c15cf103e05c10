package org.chemfit.journal.read;

import java.time.Instant;
import java.util.Map;
import org.chemfit.Quantities;
import org.jspecify.annotations.Nullable;

/**
 * One run of one leaf term as the journal holds it: which term (its path in the objective tree
 * and its name), for which evaluation, its state, value, quantities, run directory and where it ran.
 *
 * <pre>{@code
 * for (TermRecord t : journal.terms(runId, 12)) {
 *     System.out.println(t.name() + " " + t.state() + " " + t.value() + " in " + t.runDirectory());
 * }
 * }</pre>
 *
 * @param id the row id (increasing in the order terms started)
 * @param runId the run
 * @param evaluationNumber the evaluation's number in the run, -1 when unknown
 * @param path the term's path of indices in the objective ("2" or "1.0")
 * @param name the term's name
 * @param state COMPLETE or FAILED: a term is recorded when it finishes, so a term cut off by a
 *     crash has no record and runs again on resume (its evaluation is left RUNNING)
 * @param value the term's unweighted loss, NaN unless complete
 * @param quantities its quantities
 * @param metadataJson its metadata, as JSON
 * @param runDirectory the run directory its metadata names ({@code run_directory}), or null
 * @param host the host that ran it ({@code host} metadata, else this machine)
 * @param worker the worker that ran it ({@code member} or {@code worker} metadata, else the thread)
 * @param failure the failure message, or null
 * @param started when it started
 * @param ended when it ended
 * @param seconds how long it took
 * @param attempt the attempt of the run that ran it
 * @implNote Immutable.
 */
public record TermRecord(
        long id,
        long runId,
        int evaluationNumber,
        String path,
        String name,
        EvaluationRecord.State state,
        double value,
        Quantities quantities,
        @Nullable String metadataJson,
        @Nullable String runDirectory,
        String host,
        @Nullable String worker,
        @Nullable String failure,
        @Nullable Instant started,
        @Nullable Instant ended,
        double seconds,
        int attempt) {

    /** @return the metadata as a map */
    public Map<String, Object> metadata() {
        return JournalJson.readMap(metadataJson);
    }
}
