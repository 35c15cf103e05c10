package org.chemfit.journal;

import java.util.List;
import java.util.Map;

/**
 * A fit asked to resume a run whose job settings differ from its own, or whose recorded
 * evaluations are not its own: a replayed term's loss, recomputed from its recorded quantities
 * with the fit's objective, is not the recorded loss (the term's data or loss changed). The
 * message and {@link #changes()} say what changed, key by key ({@code "changed fit.seed: 42 ->
 * 43"}) or term by term ({@code "evaluation 0, term 'y': recorded loss 0.0193, recomputed
 * 112.0"}). The run's recorded evaluations are not changed, and its row is put back as it was.
 *
 * <pre>{@code
 * try {
 *     fitter.journal(journal).fit();
 * } catch (JournalMismatchException e) {
 *     e.changes().forEach(System.err::println);   // then restart: fitter.journal(journal, JournalMode.restart())
 * }
 * }</pre>
 *
 * @implNote Immutable.
 */
public final class JournalMismatchException extends JournalException {

    private static final long serialVersionUID = 1L;

    static {
        // the Fitter refuses a resume whose replayed losses are not its own with this exception
        org.chemfit.support.ResumeRefusal.factory(JournalMismatchException::new);
    }

    private final long runId;
    private final List<String> changes;

    /**
     * @param message the full message
     * @param runId the run that was not resumed
     * @param changes one line per changed, added or removed setting, or per term whose recorded
     *     loss is not the recomputed one
     */
    JournalMismatchException(String message, long runId, List<String> changes) {
        super(message);
        this.runId = runId;
        this.changes = List.copyOf(changes);
    }

    /** @return the id of the run whose settings differ */
    public long runId() {
        return runId;
    }

    /** @return what changed, one line per setting in key order, or per term */
    public List<String> changes() {
        return changes;
    }

    /**
     * What makes settings another job than the settings a run was recorded with, as a journal
     * that refuses to resume the run names it ({@code changed job.file.terms[1].weight: 0.5 ->
     * 2.0}): settings equal but for the job file's keys that take no part in the fit (its name and
     * description, units, a term's coordinate, the held-out terms and their data, how an external
     * term's program is run and watched, a key written with its default value) are the same job.
     *
     * @param recorded settings as {@link Journal#begin} takes them (the {@code Fitter}'s, or
     *     {@code {job: <job settings>}} to compare jobs only)
     * @param now the settings to compare with them, of the same form
     * @return one line per changed, added or removed setting that counts, in key order; empty when
     *     they are the same job
     */
    public static List<String> changesBetween(Map<String, ?> recorded, Map<String, ?> now) {
        return SqliteSession.changesThatCount(recorded, now);
    }
}
