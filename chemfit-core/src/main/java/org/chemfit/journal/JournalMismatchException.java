package org.chemfit.journal;

import java.util.List;

/**
 * A fit asked to resume a run whose job settings differ from its own. The message and
 * {@link #changes()} say what changed, key by key ({@code "changed fit.seed: 42 -> 43"}).
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

    private final long runId;
    private final List<String> changes;

    /**
     * @param message the full message
     * @param runId the run that was not resumed
     * @param changes one line per changed, added or removed setting
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

    /** @return what changed, one line per setting, in key order */
    public List<String> changes() {
        return changes;
    }
}
