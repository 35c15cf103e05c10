package org.chemfit.external;

import java.nio.file.Path;
import org.chemfit.Parameters;

/**
 * A hook that writes input files in Java, for inputs that templates express badly (a generated
 * structure, a binary table). It runs after the templates are rendered and the files staged,
 * before the first command.
 *
 * <pre>{@code
 * InputWriter positions = (dir, p) -> Files.writeString(dir.resolve("dimer.xyz"), dimer(p.get("r0")));
 * }</pre>
 *
 * <p>Whatever it throws fails the term at the step "input", with the run directory kept.
 *
 * @implNote Implementations must be safe to call from many threads at once: each call gets its own
 *     run directory.
 */
@FunctionalInterface
public interface InputWriter {

    /**
     * @param runDirectory the run directory; write only inside it
     * @param params the parameters of this evaluation
     * @throws Exception when the input cannot be written
     */
    void write(Path runDirectory, Parameters params) throws Exception;
}
