package org.chemfit.journal;

/**
 * Which run of a journal a fit writes to: the latest run of the same job (resuming it), a given
 * run, or a new run.
 *
 * <pre>{@code
 * fitter.journal(journal);                          // resume the same job if recorded, else a new run
 * fitter.journal(journal, JournalMode.restart());   // a new run; earlier runs stay in the file
 * fitter.journal(journal, JournalMode.resume(3));   // resume run 3; refused if its job differs
 * }</pre>
 *
 * @param kind what to do
 * @param runId the run to resume, for {@link Kind#RESUME_RUN} only (0 otherwise)
 * @implNote Immutable.
 */
public record JournalMode(Kind kind, long runId) {

    /**
     * What to do with the runs already in the journal.
     *
     * <pre>{@code
     * boolean fresh = mode.kind() == JournalMode.Kind.RESTART;
     * }</pre>
     *
     * @implNote An enum: immutable.
     */
    public enum Kind {
        /**
         * Resume the latest run recorded with the same job settings (or the latest run, given
         * only a larger budget, as {@link Journal#begin} says); start a new run when the journal
         * holds no run; refuse, naming the changes, when it holds runs of another job only.
         */
        RESUME_LATEST,
        /** Resume one given run; refuse when its job settings differ (but for a larger budget, as {@link Journal#begin} says). */
        RESUME_RUN,
        /** Start a new run whatever the journal holds; nothing is replayed. */
        RESTART
    }

    /**
     * Checks the run id.
     *
     * @throws IllegalArgumentException when a run id is given for another kind, or a RESUME_RUN
     *     id is below 1
     */
    public JournalMode {
        java.util.Objects.requireNonNull(kind, "kind");
        if (kind == Kind.RESUME_RUN && runId < 1) {
            throw new IllegalArgumentException("a run id is at least 1, got " + runId);
        }
        if (kind != Kind.RESUME_RUN && runId != 0) {
            throw new IllegalArgumentException("only RESUME_RUN takes a run id, got " + kind + " with run " + runId);
        }
    }

    /** @return resume the latest run of the same job, or start one (the default) */
    public static JournalMode resumeLatest() {
        return new JournalMode(Kind.RESUME_LATEST, 0);
    }

    /**
     * @param runId the run to resume
     * @return resume that run
     * @throws IllegalArgumentException when the id is below 1
     */
    public static JournalMode resume(long runId) {
        return new JournalMode(Kind.RESUME_RUN, runId);
    }

    /** @return start a new run, replaying nothing */
    public static JournalMode restart() {
        return new JournalMode(Kind.RESTART, 0);
    }
}
