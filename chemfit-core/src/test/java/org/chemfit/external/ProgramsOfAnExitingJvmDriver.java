package org.chemfit.external;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;

/**
 * A Java program that uses the library and nothing else: it runs an external term whose script
 * starts a child and waits, and never stops it itself. {@link ProgramsEndWithTheJvmIT} ends this
 * JVM while the script runs.
 *
 * <p>Arguments: the work directory, the script, and optionally how often a failed run is retried.
 */
public final class ProgramsOfAnExitingJvmDriver {

    private ProgramsOfAnExitingJvmDriver() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        FileBasedQuantityComputer term = FileBasedQuantityComputer.builder()
                .name("slow")
                .workDirectory(work)
                .templateText("in.txt", "{{ x }}\n")
                .command(args[1], work.toString())
                .killGrace(Duration.ofSeconds(2))
                .retries(args.length > 2 ? Integer.parseInt(args[2]) : 0)
                .output(OutputParsers.regex("x", "out.txt", "(\\S+)"))
                .build();
        Parameters p = Parameters.of(Map.of("x", 1.0));
        Files.writeString(work.resolve("driver.started"), "");
        term.compute(p, new EvaluationContext(p, "e0"));
    }
}
