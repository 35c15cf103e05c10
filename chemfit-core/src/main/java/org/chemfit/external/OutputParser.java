package org.chemfit.external;

import java.nio.file.Path;
import org.chemfit.Quantities;

/**
 * Reads quantities from the files a program left in its run directory. The built-in parsers are in
 * {@link OutputParsers}; a lambda is the hook for a parser written in Java.
 *
 * <pre>{@code
 * OutputParser forces = dir -> Quantities.of("fmax", maxForce(Files.readAllLines(dir.resolve("forces.dat"))));
 * }</pre>
 *
 * <p>Whatever a parser throws fails the term with a parse error naming the parser (its
 * {@code toString}) and the run directory; throw an {@link OutputParseException} to name the file
 * and an excerpt too.
 *
 * @implNote Implementations must be safe to call from many threads at once: each call gets its own
 *     run directory.
 */
@FunctionalInterface
public interface OutputParser {

    /**
     * @param runDirectory the run directory, after the commands ran
     * @return the quantities read
     * @throws Exception when the output cannot be read or understood
     */
    Quantities parse(Path runDirectory) throws Exception;
}
