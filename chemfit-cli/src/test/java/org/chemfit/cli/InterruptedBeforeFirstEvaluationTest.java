package org.chemfit.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fit stopped by SIGTERM before its first evaluation finished, one of whose terms had finished
 * and is in the journal, says that the same command resumes it: a real {@code chemfit fit} in its
 * own JVM, real shell scripts as the programs.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class InterruptedBeforeFirstEvaluationTest {

    @TempDir
    Path tmp;

    private void script(String name, String body) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void aTermRecordedBeforeTheFirstEvaluationEndedIsWorthAResumeHint() throws Exception {
        script("fast.sh", "echo '{\"e\": 1.5}' > out.json\n");
        script("slow.sh", "sleep 300\necho '{\"e\": 1.5}' > out.json\n");
        Files.writeString(tmp.resolve("fit.yaml"), """
                name: cut
                parameters:
                  a: {initial: 1.0, bounds: [0, 2]}
                terms:
                  - name: fast
                    kind: external
                    command: [./fast.sh]
                    outputs:
                      e: {parser: json, file: out.json, path: e}
                    reference: {e: 1.0}
                  - name: slow
                    kind: external
                    command: [./slow.sh]
                    outputs:
                      e: {parser: json, file: out.json, path: e}
                    reference: {e: 1.0}
                optimizer: {method: Nelder-Mead, max_evaluations: 5}
                execution: {workers: 2}
                output: {folder: out, plots: false}
                """);
        Process p = InterruptIT.start(tmp, "fit", "fit.yaml", "--progress", "none");
        try {
            // the fast term is in the journal; the slow one still runs
            await().atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions()
                    .failFast(() -> assertTrue(p.isAlive(), () -> InterruptIT.output(tmp)))
                    .untilAsserted(() -> {
                        try (JournalReader j = JournalReader.openReadOnly(tmp.resolve("out"))) {
                            assertEquals(1, j.terms(1).size());
                        }
                    });
            InterruptIT.sigterm(p);
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chemfit did not stop within 90 s of SIGTERM");
        } finally {
            p.destroyForcibly();
        }
        String out = InterruptIT.output(tmp);
        assertEquals(ExitCodes.TERMINATED, p.exitValue(), out);
        assertTrue(out.contains("cut: interrupted after 0 evaluations, "), out);
        assertTrue(
                out.contains(
                        "run the same command to resume: 1 finished term of 1 evaluation cut off is in the journal\n"),
                out);
    }
}
