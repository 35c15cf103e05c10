package org.chemfit.journal;

import org.chemfit.ChemFitException;

/**
 * A journal could not be opened, read or written: the message names the file and what went wrong.
 *
 * <pre>{@code
 * try (Journal j = Journal.open(Path.of("out/journal.sqlite"))) {
 *     ...
 * } catch (JournalException e) {
 *     System.err.println(e.getMessage());
 * }
 * }</pre>
 *
 * @implNote Immutable.
 */
public class JournalException extends ChemFitException {

    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, naming the file */
    JournalException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, naming the file
     * @param cause the underlying failure
     */
    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
