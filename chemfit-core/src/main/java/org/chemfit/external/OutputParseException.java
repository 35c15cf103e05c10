package org.chemfit.external;

import org.chemfit.ChemFitException;
import org.jspecify.annotations.Nullable;

/**
 * An output file is missing, or holds no match or no number where a parser expected one. The
 * message names the file, the parser and an excerpt of the text, whose control characters (the
 * bytes of a binary file, an escape sequence) are shown in caret notation ({@code ^[}, {@code ^@}).
 *
 * <pre>{@code
 * catch (OutputParseException e) {
 *     System.err.println(e.file() + ": " + e.getMessage());
 * }
 * }</pre>
 *
 * @implNote Immutable.
 */
public class OutputParseException extends ChemFitException {

    private static final long serialVersionUID = 1L;

    private final String file;
    private final String parser;
    private final @Nullable String excerpt;

    /**
     * @param file the output file, relative to the run directory
     * @param parser a description of the parser
     * @param problem what is wrong
     * @param excerpt an excerpt of the text, or null when there is none (a missing file)
     */
    public OutputParseException(String file, String parser, String problem, @Nullable String excerpt) {
        super(message(file, parser, problem, printable(excerpt)));
        this.file = file;
        this.parser = parser;
        this.excerpt = printable(excerpt);
    }

    private static String message(String file, String parser, String problem, @Nullable String excerpt) {
        // the problem may quote the file's text, as the excerpt does
        String m = "cannot parse '" + file + "' with " + parser + ": " + printable(problem);
        return excerpt == null ? m : m + "; excerpt:\n" + excerpt;
    }

    /**
     * @return the text with the control characters of each line in caret notation, as a program's
     *     output is shown ({@link ProgramOutput#printable}): the bytes of a binary file cannot
     *     clear the screen or retitle the window of the terminal that shows the message
     */
    private static @Nullable String printable(@Nullable String text) {
        if (text == null) {
            return null;
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            lines[i] = ProgramOutput.printable(lines[i]);
        }
        return String.join("\n", lines);
    }

    /** @return the output file, relative to the run directory */
    public String file() {
        return file;
    }

    /** @return the parser's description */
    public String parser() {
        return parser;
    }

    /** @return the excerpt of the text, its control characters in caret notation, or null */
    public @Nullable String excerpt() {
        return excerpt;
    }
}
