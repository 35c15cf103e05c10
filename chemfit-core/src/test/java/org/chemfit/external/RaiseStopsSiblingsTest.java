package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.LossFunctions;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.chemfit.schedule.AsyncWrapperCOB;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Under RAISE the first failure stops its running siblings at once, real processes included. */
class RaiseStopsSiblingsTest {

    @TempDir
    Path root;

    @Test
    void aFailedTermKillsAHungSiblingAndIsTheFailureReported() throws Exception {
        Path pidFile = root.resolve("sibling.pid");
        // term 0 hangs with a 10-minute timeout; it writes its pid, then becomes `sleep 600`
        FileBasedQuantityComputer hung = FileBasedQuantityComputer.builder()
                .name("hung")
                .workDirectory(root.resolve("runs"))
                .command(Command.shell("echo $$ > '" + pidFile + ".tmp' && mv '" + pidFile + ".tmp' '" + pidFile
                        + "' && exec sleep 600"))
                .timeout(Duration.ofMinutes(10))
                .output(OutputParsers.regex("e", "out.txt", "e = (\\S+)"))
                .build();
        // term 1 fails, but only once its sibling's process is running
        FileBasedQuantityComputer failing = FileBasedQuantityComputer.builder()
                .name("failing")
                .workDirectory(root.resolve("runs"))
                .command(Command.shell(
                        "while [ ! -s '" + pidFile + "' ]; do sleep 0.05; done; echo 'density diverged' >&2; exit 3"))
                .timeout(Duration.ofMinutes(10))
                .output(OutputParsers.regex("e", "out.txt", "e = (\\S+)"))
                .build();
        CombinedObjectiveFunction c = new CombinedObjectiveFunction(List.of(
                        hung.withLoss(LossFunctions.squaredError(Map.of("e", 1.0))),
                        failing.withLoss(LossFunctions.squaredError(Map.of("e", 1.0)))))
                .withTermNames(List.of("hung", "failing"));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (AsyncWrapperCOB w = new AsyncWrapperCOB(c, pool)) {
            Parameters p = Parameters.of(Map.of("x", 1.0));
            // the sibling's timeout is 10 minutes: returning within 60 s means it was not waited for
            TermFailedException e = assertTimeoutPreemptively(
                    Duration.ofSeconds(60), () -> assertThrows(TermFailedException.class, () -> w.evaluate(p)));
            assertEquals(1, e.termIndex(), e.getMessage());
            assertEquals("failing", e.termName());
            assertTrue(
                    e.getMessage()
                            .startsWith(
                                    "term 1 'failing' failed: external term 'failing' failed at step run: command '"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("exited with code 3"), e.getMessage());
            assertTrue(e.getMessage().contains("density diverged"), e.getMessage());
            assertFalse(e.getMessage().contains("timed out"), e.getMessage());
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            // killed: gone, or a zombie the JDK's reaper thread has not yet collected (on a loaded
            // machine it may come a moment after evaluate returned; a zombie runs nothing)
            assertFalse(
                    ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !zombie(pid),
                    "the hung sibling's process " + pid + " was killed before evaluate returned");
        } finally {
            pool.shutdownNow();
        }
    }

    /** @return whether /proc says the process has exited and waits to be collected (state Z or X) */
    private static boolean zombie(long pid) throws java.io.IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.exists(stat)) {
            return true; // gone since it was looked at
        }
        String s = Files.readString(stat, java.nio.charset.StandardCharsets.ISO_8859_1);
        int close = s.lastIndexOf(')');
        return close >= 0 && close + 2 < s.length() && (s.charAt(close + 2) == 'Z' || s.charAt(close + 2) == 'X');
    }
}
