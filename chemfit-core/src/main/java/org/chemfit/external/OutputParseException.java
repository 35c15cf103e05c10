package org.chemfit.external;

import org.chemfit.ChemFitException;
import org.jspecify.annotations.Nullable;

/**
 * An output file is missing, or holds no match or no number where a parser expected one. The
 * message names the file, the parser and an excerpt of the text.
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
        super(message(file, parser, problem, excerpt));
        this.file = file;
        this.parser = parser;
        this.excerpt = excerpt;
    }

    private static String message(String file, String parser, String problem, @Nullable String excerpt) {
        String m = "cannot parse '" + file + "' with " + parser + ": " + problem;
        return excerpt == null ? m : m + "; excerpt:\n" + excerpt;
    }

    /** @return the output file, relative to the run directory */
    public String file() {
        return file;
    }

    /** @return the parser's description */
    public String parser() {
        return parser;
    }

    /** @return the excerpt of the text, or null */
    public @Nullable String excerpt() {
        return excerpt;
    }
}
