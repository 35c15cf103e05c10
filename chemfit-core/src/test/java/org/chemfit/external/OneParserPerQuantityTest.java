package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.TermFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each quantity of an external term is read by one parser: two built-in parsers of the same
 * quantity are refused when the term is built, and a parser written in Java that returns a
 * quantity another parser returned fails the run at step parse, both naming the quantity and the
 * two parsers, instead of the last one's value silently replacing the first's. Real shell scripts
 * write the outputs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OneParserPerQuantityTest {

    private static final Parameters P = Parameters.of(Map.of("a", 1.0));

    @TempDir
    Path root;

    /** @return a term whose script writes {"e": 1.5} to out.json and "e = 2.5" to out.txt */
    private FileBasedQuantityComputer.Builder writing() throws Exception {
        Path script = root.resolve("sim.sh");
        Files.writeString(script, "#!/bin/sh\necho '{\"e\": 1.5}' > out.json\necho 'e = 2.5' > out.txt\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return FileBasedQuantityComputer.builder()
                .name("t")
                .workDirectory(root.resolve("runs"))
                .command(script.toString());
    }

    @Test
    void twoBuiltInParsersOfOneQuantityAreRefusedWhenTheTermIsBuilt() throws Exception {
        FileBasedQuantityComputer.Builder b = writing()
                .output(OutputParsers.json("e", "out.json", "e"))
                .output(OutputParsers.regex("f", "out.txt", "e = (\\S+)"))
                .output(OutputParsers.regex("e", "out.txt", "e = (\\S+)"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertEquals(
                "quantity 'e' is read by two output parsers, json 'e' for 'e' in 'out.json' and regex /e = (\\S+)/"
                        + " (first match, group 1) for 'e' in 'out.txt': each quantity is read by one parser (the"
                        + " second would replace the first's value); give one of them another quantity name",
                e.getMessage());
    }

    @Test
    void differentQuantitiesOfOneFileAreTaken() throws Exception {
        FileBasedQuantityComputer c = writing()
                .output(OutputParsers.regex("e", "out.txt", "e = (\\S+)"))
                .output(OutputParsers.regex("f", "out.txt", "= (\\S+)"))
                .output(OutputParsers.json("g", "out.json", "e"))
                .build();
        Quantities q = c.compute(P, new EvaluationContext(P, "e0"));
        assertEquals(2.5, q.get("e"), 0.0);
        assertEquals(2.5, q.get("f"), 0.0);
        assertEquals(1.5, q.get("g"), 0.0);
    }

    @Test
    void aJavaParserReturningAQuantityAnotherReturnedFailsTheRun() throws Exception {
        OutputParser hook = dir -> Quantities.of(
                "e",
                Double.parseDouble(
                        Files.readString(dir.resolve("out.txt")).strip().substring(4)));
        FileBasedQuantityComputer c = writing()
                .output(OutputParsers.json("e", "out.json", "e"))
                .output(hook)
                .build();
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(P, new EvaluationContext(P, "e0")));
        Path dir = e.runDirectory().orElseThrow();
        assertEquals(
                "external term 't' failed at step parse: quantity 'e' is computed by two output parsers, parser json"
                        + " 'e' for 'e' and parser 2: each quantity is computed by one parser (the second would"
                        + " replace the first's value) (run directory " + dir + ")",
                e.getMessage());
    }
}
