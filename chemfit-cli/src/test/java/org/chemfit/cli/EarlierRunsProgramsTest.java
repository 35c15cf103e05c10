package org.chemfit.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chemfit.journal.JournalMode;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FitPlan#endProgramsOfEarlierRuns}, what a new run of the journal ({@code --restart}) does
 * first, with real processes: a program that an earlier run of the journal left in a run
 * directory of the job's external term is ended, and its run directory stays with what it holds;
 * a program with the same tag in the run directory of a term the job does not have is left
 * alone. The earlier run's process is this JVM's id (as in a container, where every start gets
 * the same small id) and its tags are not this JVM's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EarlierRunsProgramsTest {

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void end() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void theProgramsOfEveryEarlierRunAreEndedAndTheirRunDirectoriesKept() throws Exception {
        Path job = TestData.write(
                dir,
                "fit.yaml",
                "parameters: {x: {initial: 1.0, bounds: [0.0, 2.0]}}",
                "terms:",
                "  - {name: slow, kind: external, command: [sh, -c, \"echo '{\\\"y\\\": 1.0}' > out.json\"],",
                "     outputs: {y: {parser: json, file: out.json, path: /y}}, reference: {y: 1.0}}");
        Path out = Files.createDirectories(dir.resolve("out"));
        long pid = ProcessHandle.current().pid();
        Path runDir = Files.createDirectories(out.resolve("runs/slow-e2-p" + pid + "-k3x9"));
        Files.writeString(runDir.resolve("program.stdout"), "step 1\n");
        Path otherTerm = Files.createDirectories(out.resolve("runs/gone-e2-p" + pid + "-k3x9"));
        Map<String, String> tag = Map.of("CHEMFIT_RUN_TAG", pid + "-5f3a9c-7");
        Process program = start(runDir, tag);
        Process other = start(otherTerm, tag);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> tagged(program.pid()) && tagged(other.pid()));

        try (FitPlan plan = FitPlan.build(JobFile.read(job), 1, out);
                JournalReader journal = JournalReader.open(out)) {
            assertEquals(0, plan.endProgramsOfEarlierRuns(journal), "no earlier run: nothing is looked for");
            assertTrue(program.isAlive());

            // two earlier runs of the journal, each with one attempt of this host
            journal.begin(Map.of("job", "first"), JournalMode.restart()).close();
            journal.begin(Map.of("job", "second"), JournalMode.restart()).close();
            assertEquals(2, journal.runs().size());

            assertEquals(1, plan.endProgramsOfEarlierRuns(journal));
            assertTrue(program.waitFor(30, TimeUnit.SECONDS), "the earlier run's program is ended");
            assertEquals(128 + 15, program.exitValue(), "SIGTERM ended it");
            assertTrue(other.isAlive(), "the run directory of a term the job does not have is not looked at");
            assertEquals("step 1\n", Files.readString(runDir.resolve("program.stdout")), "the run directory stays");
            assertEquals(0, plan.endProgramsOfEarlierRuns(journal), "nothing is left");
        }
    }

    private Process start(Path in, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("sleep", "600").directory(in.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private static boolean tagged(long pid) {
        try {
            return new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")),
                            StandardCharsets.ISO_8859_1)
                    .contains("CHEMFIT_RUN_TAG=");
        } catch (IOException e) {
            return false;
        }
    }
}
