package org.chemfit.atoms;

import java.nio.file.Path;
import org.chemfit.ChemFitException;

/**
 * A structure file (XYZ, extended XYZ) or reference CSV that does not follow its format. The
 * message names the file, the line number (from 1) and what was expected there.
 *
 * <pre>{@code
 * try {
 *     Atoms a = Xyz.read(Path.of("broken.xyz"));
 * } catch (InputFormatException e) {
 *     System.err.println(e.getMessage()); // broken.xyz:3: expected 4 columns ..., got 'O 1.0 2.0'
 * }
 * }</pre>
 *
 * @implNote Immutable.
 */
public final class InputFormatException extends ChemFitException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;
    private final String problem;

    /**
     * @param file the file
     * @param line the line number, from 1 (0 when the whole file is at fault)
     * @param problem what was expected and what was found
     */
    InputFormatException(Path file, int line, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem);
        this.file = file;
        this.line = line;
        this.problem = problem;
    }

    /** @return what was expected and what was found, without the file and line */
    public String problem() {
        return problem;
    }

    /** @return the file */
    public Path file() {
        return file;
    }

    /** @return the line number, from 1; 0 when the whole file is at fault */
    public int line() {
        return line;
    }
}
