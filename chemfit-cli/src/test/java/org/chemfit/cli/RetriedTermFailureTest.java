package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A term that fails on every run that {@code execution.retries} allows says on which attempt of
 * how many it failed, and each run's {@code failure.json} says which run it was. The program is a
 * real shell script that exits with code 139 itself: the message says what a shell means by that
 * code, not that the program was killed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RetriedTermFailureTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void theLastAttemptOfExecutionRetriesIsNamedAndEachRunDirectorySaysWhichRunItWas() throws Exception {
        Path job = ShellScriptJob.write(
                tmp, "exit 139\n", ShellScriptJob.JSON_E, "{e: 1.0}", 5, "execution: {retries: 2}");
        Path sim = tmp.resolve("sim.sh");
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains("term 0 't' failed on attempt 3 of 3 (the 2 before it failed too): external term 't'"
                                + " failed at step run: command '" + sim + "' exited with code 139 (as a shell"
                                + " reports a program killed by signal 11, SIGSEGV) (run directory "),
                r::toString);
        List<Integer> retries = new ArrayList<>();
        try (Stream<Path> s = Files.list(tmp.resolve("out/runs"))) {
            for (Path dir : s.toList()) {
                JsonNode f = JSON.readTree(dir.resolve("failure.json").toFile());
                assertEquals(0, f.get("attempt").asInt(), "no retries of the term's own: " + f);
                assertEquals(139, f.get("exit_code").asInt());
                retries.add(f.get("retry").asInt());
            }
        }
        retries.sort(null);
        assertEquals(List.of(0, 1, 2), retries);
    }
}
