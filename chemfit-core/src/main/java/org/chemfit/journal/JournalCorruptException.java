package org.chemfit.journal;

import java.nio.file.Path;
import java.util.List;

/**
 * A journal file is damaged (a bad header, a failed integrity check, a torn copy). The file is
 * never modified; the message says what SQLite found, what can still be read, and how to recover.
 *
 * <pre>{@code
 * try {
 *     Journal.open(path);
 * } catch (JournalCorruptException e) {
 *     System.err.println(e.getMessage());   // names the file, the damage and what is readable
 * }
 * }</pre>
 *
 * @implNote Immutable.
 */
public final class JournalCorruptException extends JournalException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final List<String> problems;
    private final List<String> recoverable;

    /**
     * @param message the full message
     * @param file the damaged file
     * @param problems what the checks found
     * @param recoverable what could still be read (one line per table), empty when nothing
     */
    JournalCorruptException(String message, Path file, List<String> problems, List<String> recoverable) {
        super(message);
        this.file = file;
        this.problems = List.copyOf(problems);
        this.recoverable = List.copyOf(recoverable);
    }

    /** @return the damaged file */
    public Path file() {
        return file;
    }

    /** @return what the header and integrity checks found */
    public List<String> problems() {
        return problems;
    }

    /** @return what could still be read, one line per table ("evaluations: 57 rows readable, ...") */
    List<String> recoverable() {
        return recoverable;
    }
}
