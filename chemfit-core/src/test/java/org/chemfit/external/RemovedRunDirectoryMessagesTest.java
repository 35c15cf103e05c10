package org.chemfit.external;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message names a run directory only when the keep policy keeps it: under
 * {@link KeepPolicy#NONE} a failure, a cancellation and the warning about processes a command left
 * running say that the directory was removed instead of naming a folder that is gone, and the
 * failure carries no run directory. Real shell scripts are the programs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemovedRunDirectoryMessagesTest {

    private static final Parameters P = Parameters.of(Map.of("a", 1.0));

    @TempDir
    Path root;

    /** @return a term that runs this shell script and reads 'e' from out.json */
    private FileBasedQuantityComputer.Builder running(String script) throws Exception {
        return ScriptTerms.running(root, script, Duration.ofMillis(200));
    }

    private List<Path> runDirs() throws Exception {
        Path runs = root.resolve("runs");
        if (!Files.isDirectory(runs)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(runs)) {
            return s.sorted().toList();
        }
    }

    @Test
    void aFailedProgramUnderKeepNoneSaysItsDirectoryWasRemoved() throws Exception {
        FileBasedQuantityComputer c = running("echo 'no such potential' >&2\nexit 3\n")
                .keep(KeepPolicy.NONE)
                .build();
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(P, new EvaluationContext(P, "e0")));
        assertEquals(
                "external term 't' failed at step run: command '" + root.resolve("sim.sh")
                        + "' exited with code 3 (its run directory was removed under keep: none)\n"
                        + "program.stderr (last 1 lines):\nno such potential",
                e.getMessage());
        assertTrue(e.runDirectory().isEmpty(), "no run directory: it is gone");
        assertEquals(3, e.exitCode().getAsInt());
        assertEquals("no such potential", e.stderrTail().orElseThrow());
        assertEquals(List.of(), runDirs());
    }

    @Test
    void anOutputWithTooManyValuesUnderKeepNoneSaysItsDirectoryWasRemoved() throws Exception {
        FileBasedQuantityComputer c = running("echo '{\"e\": [1, 2, 3]}' > out.json\n")
                .expectValues("e", 2)
                .keep(KeepPolicy.NONE)
                .build();
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(P, new EvaluationContext(P, "e0")));
        assertEquals(
                "external term 't' failed at step parse: quantity 'e' has 3 values in out.json, the reference has"
                        + " 2 values; an output must have as many values as its reference (its run directory was"
                        + " removed under keep: none)",
                e.getMessage());
        assertTrue(e.runDirectory().isEmpty());
        assertEquals(List.of(), runDirs());
    }

    @Test
    void anUnparsableOutputUnderKeepNoneEndsItsFirstLineWithTheRemoval() throws Exception {
        FileBasedQuantityComputer c =
                running("echo 'not json' > out.json\n").keep(KeepPolicy.NONE).build();
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(P, new EvaluationContext(P, "e0")));
        List<String> lines = e.getMessage().lines().toList();
        assertTrue(lines.get(0).endsWith("(its run directory was removed under keep: none); excerpt:"), e.getMessage());
        assertTrue(lines.contains("  1: not json"), e.getMessage());
        assertFalse(e.getMessage().contains(root.resolve("runs").toString()), e.getMessage());
    }

    @Test
    void aFailureUnderKeepFailedStillNamesItsDirectory() throws Exception {
        TermFailedException e = assertThrows(
                TermFailedException.class, () -> running("exit 2\n").build().compute(P));
        Path dir = e.runDirectory().orElseThrow();
        assertEquals(List.of(dir), runDirs());
        assertEquals(
                "external term 't' failed at step run: command '" + root.resolve("sim.sh")
                        + "' exited with code 2 (run directory " + dir + ")",
                e.getMessage());
    }

    @Test
    void aCancelledRunUnderKeepNoneSaysItsDirectoryWasRemoved() throws Exception {
        FileBasedQuantityComputer c =
                running("touch started\nexec sleep 30\n").keep(KeepPolicy.NONE).build();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                c.compute(P, new EvaluationContext(P, "e5"));
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> runDirs().stream().anyMatch(d -> Files.exists(d.resolve("started"))));
        t.interrupt();
        t.join(20_000);
        assertFalse(t.isAlive());
        EvaluationCancelledException e = assertInstanceOf(EvaluationCancelledException.class, thrown.get());
        assertEquals(
                "external term 't' was cancelled at step run while running '" + root.resolve("sim.sh")
                        + "'; its process tree was killed (its run directory was removed under keep: none)",
                e.getMessage());
        assertEquals(List.of(), runDirs());
    }

    /** @return the cancellation of a run of the term, interrupted once its program has started */
    private EvaluationCancelledException cancelledRun(FileBasedQuantityComputer c) throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                c.compute(P, new EvaluationContext(P, "e5"));
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> runDirs().stream().anyMatch(d -> Files.exists(d.resolve("started"))));
        t.interrupt();
        t.join(20_000);
        assertFalse(t.isAlive());
        return assertInstanceOf(EvaluationCancelledException.class, thrown.get());
    }

    @Test
    void aCancelledRunIsRemovedUnderKeepFailedWhenCancelledRunsAreNotKept() throws Exception {
        String cancelled = "external term 't' was cancelled at step run while running '" + root.resolve("sim.sh")
                + "'; its process tree was killed";
        EvaluationCancelledException removed = cancelledRun(
                running("touch started\nexec sleep 30\n").keepCancelled(false).build());
        assertEquals(
                cancelled + " (its run directory was removed under keep: failed, as the run was cancelled)",
                removed.getMessage());
        assertEquals(List.of(), runDirs());

        EvaluationCancelledException keptByAll = cancelledRun(running("touch started\nexec sleep 30\n")
                .keep(KeepPolicy.ALL)
                .keepCancelled(false)
                .build());
        Path dir = runDirs().get(0);
        assertEquals(cancelled + " (run directory " + dir + ")", keptByAll.getMessage());
        assertTrue(Files.readString(dir.resolve("failure.json")).contains("\"cancelled\" : true"));
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }

        EvaluationCancelledException keptByDefault =
                cancelledRun(running("touch started\nexec sleep 30\n").build());
        Path kept = runDirs().get(0);
        assertEquals(cancelled + " (run directory " + kept + ")", keptByDefault.getMessage());
    }

    /** @return what the term logged while it ran once, successfully */
    private String warningsOfOneRun(KeepPolicy keep, EvaluationContext ctx) throws Exception {
        FileBasedQuantityComputer c = running("sleep 30 &\n"
                        // the warning names the child's program: sleep, once the forked shell has executed it
                        + "while [ \"$(cat /proc/$!/comm 2>/dev/null)\" != sleep ]; do :; done\n"
                        + "echo '{\"e\": 1.0}' > out.json\n")
                .keep(keep)
                .build();
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertEquals(1.0, c.compute(P, ctx).get("e"), 0.0);
        } finally {
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theWarningOfAProcessLeftRunningNamesOnlyADirectoryThatIsKept() throws Exception {
        String prefix = "external term 't': command '" + root.resolve("sim.sh")
                + "' left 1 process running after it ended (sleep); it was killed (evaluation ";
        String none = warningsOfOneRun(KeepPolicy.NONE, new EvaluationContext(P, "e1"));
        assertTrue(none.contains(prefix + "e1, its run directory was removed under keep: none)"), none);
        String failed = warningsOfOneRun(KeepPolicy.FAILED, new EvaluationContext(P, "e2"));
        assertTrue(
                failed.contains(prefix + "e2, its run directory was removed under keep: failed, as the run succeeded)"),
                failed);
        assertEquals(List.of(), runDirs());
        EvaluationContext ctx = new EvaluationContext(P, "e3");
        String all = warningsOfOneRun(KeepPolicy.ALL, ctx);
        assertTrue(all.contains(prefix + "e3, run directory " + ctx.metadata().get("run_directory") + ")"), all);
    }
}
