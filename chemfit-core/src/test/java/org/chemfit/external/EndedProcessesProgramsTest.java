package org.chemfit.external;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chemfit.testfixtures.StandardError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileBasedQuantityComputer#endProgramsOfEndedProcesses}, what a cluster worker does as it
 * starts, with real processes: a {@code sleep} stands for an earlier worker (its id is in the run
 * directory's name and in its programs' tags). While it runs, nothing of it is ended; once it is
 * killed, its program in its run directory is, with a warning naming the program and the run
 * directory, which stays. Processes with its tag elsewhere (another term's run directory, the run
 * directory root), and a program whose tag names another process than its run directory, are left
 * alone.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EndedProcessesProgramsTest {

    @TempDir
    Path root;

    @RegisterExtension
    final StartedPrograms processes = new StartedPrograms();

    @Test
    void theProgramsOfAGoneWorkerAreEndedInItsRunDirectoriesOnly() throws Throwable {
        Path runs = Files.createDirectories(root.resolve("runs"));
        FileBasedQuantityComputer term = FileBasedQuantityComputer.builder()
                .name("slow")
                .workDirectory(runs)
                .command("true")
                .killGrace(Duration.ofSeconds(2))
                .output(OutputParsers.regex("e", "out.txt", "e = (\\S+)"))
                .build();
        assertEquals(Map.of(), term.endProgramsOfEndedProcesses(), "no run directory: nothing is looked for");

        Process worker = processes.start(root, Map.of(), "sleep", "600");
        Process running = processes.start(root, Map.of(), "sleep", "600"); // a worker that runs now
        long pid = worker.pid();
        Path runDir = Files.createDirectory(runs.resolve("slow-e3-p" + pid + "-k3x9"));
        Files.writeString(runDir.resolve("program.stdout"), "step 1\n");
        Path otherTerm = Files.createDirectory(runs.resolve("fast-e3-p" + pid + "-k3x9"));
        Path runningDir = Files.createDirectory(runs.resolve("slow-e4-p" + running.pid() + "-a1b2"));
        Map<String, String> tag = Map.of("CHEMFIT_RUN_TAG", pid + "-5f3a9c-7");
        Process program = processes.start(runDir, tag, "sleep", "600");
        Process other = processes.start(otherTerm, tag, "sleep", "600");
        Process inRoot = processes.start(runs, tag, "sleep", "600");
        // the gone worker's tag in the run directory of the one that runs: not the directory's own process
        Process misplaced = processes.start(runningDir, tag, "sleep", "600");
        Process ofRunning =
                processes.start(runningDir, Map.of("CHEMFIT_RUN_TAG", running.pid() + "-77aa01-1"), "sleep", "600");
        List<Process> programs = List.of(program, other, inRoot, misplaced, ofRunning);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> programs.stream().allMatch(p -> TestSupport.tagged(p.pid())));

        assertEquals(Map.of(), term.endProgramsOfEndedProcesses(), "the worker runs: nothing of it is ended");
        assertTrue(programs.stream().allMatch(Process::isAlive));

        worker.destroyForcibly(); // kill -9
        assertTrue(worker.waitFor(30, TimeUnit.SECONDS));
        String log =
                StandardError.capturedWhile(() -> assertEquals(Map.of(runDir, 1), term.endProgramsOfEndedProcesses()));
        assertTrue(program.waitFor(30, TimeUnit.SECONDS), "the gone worker's program is ended");
        assertEquals(128 + 15, program.exitValue(), "SIGTERM ended it");
        assertEquals(
                List.of("external term 'slow': program 'sleep' (pid " + program.pid() + "), started by process " + pid
                        + " that is gone, still ran in its run directory " + runDir
                        + "; it is ended (SIGTERM, then SIGKILL after 2.0 s) and the run directory is kept"),
                log.lines()
                        .filter(l -> l.contains("external term"))
                        .map(l -> l.substring(l.indexOf("external term")))
                        .toList(),
                log);
        assertTrue(other.isAlive(), "another term's run directory is that term's to look at");
        assertTrue(inRoot.isAlive(), "a process outside the run directories is left alone");
        assertTrue(misplaced.isAlive(), "a run directory of a process that runs is left alone");
        assertTrue(ofRunning.isAlive(), "the program of a worker that runs is left alone");
        assertEquals("step 1\n", Files.readString(runDir.resolve("program.stdout")), "the run directory stays");
        assertEquals(Map.of(), term.endProgramsOfEndedProcesses(), "nothing is left");
    }
}
