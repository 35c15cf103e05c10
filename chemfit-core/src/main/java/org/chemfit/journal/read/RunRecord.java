package org.chemfit.journal.read;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One run of a fit as the journal holds it: the job it fits (hash and settings), when it started
 * and ended, how it ended, and its best loss and evaluations as its attempts recorded them when they
 * ended. While a run goes on, or after a crash, those two leave out the attempt under way (NaN and
 * 0 before any attempt ended): {@link JournalReader#best} and {@link JournalReader#evaluationCounts}
 * read the evaluations recorded so far.
 *
 * <pre>{@code
 * for (RunRecord r : journal.runs()) {
 *     System.out.println(r.id() + " " + r.status() + " best " + r.bestLoss() + " after " + r.evaluations());
 * }
 * }</pre>
 *
 * @param id the run's id, from 1
 * @param jobHash SHA-256 of the canonical settings JSON
 * @param settingsJson the settings, as JSON
 * @param started when the run first started
 * @param ended when its latest attempt ended, null while running or after a crash
 * @param status RUNNING, FINISHED, FAILED or INTERRUPTED (a crashed run stays RUNNING)
 * @param stopReason why it stopped (a {@code StopReason} name or a failure message), or null
 * @param bestLoss the best loss the ended attempts recorded (an attempt that ended without a finite
 *     best keeps the earlier one), NaN when none recorded one
 * @param evaluations the most evaluations an ended attempt reached (after a resume that left the
 *     recorded path, the evaluations recorded), 0 before any attempt ended
 * @param attempts how many times the run was started (1 + the number of resumes)
 * @param softwareVersion the ChemFit version that started the run
 * @param host the host that started the run
 * @implNote Immutable.
 */
public record RunRecord(
        long id,
        String jobHash,
        String settingsJson,
        Instant started,
        @Nullable Instant ended,
        String status,
        String stopReason,
        double bestLoss,
        int evaluations,
        int attempts,
        String softwareVersion,
        String host) {

    /** @return the settings as a tree of maps and lists */
    public Map<String, Object> settings() {
        return JournalJson.readMap(settingsJson);
    }
}
