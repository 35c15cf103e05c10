package org.chemfit.external;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.chemfit.testfixtures.MachineRequirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that a command leaves behind but that exits on its own a moment later (as Open MPI's
 * {@code orted} does after a singleton {@code lmp}) is not reported nor killed; one that stays is
 * killed, counted in {@code failure.json} and warned of once in full, later runs only counted.
 * Real shell scripts and processes; no durations are asserted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LeftRunningTest {

    private static final Parameters P = Parameters.of(Map.of("a", 1.0));
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A background child that exits by itself about 30 ms after it starts, having written 'done'. */
    private static final String SHORT_CHILD = "( sleep 0.03; echo done > done ) &\n";

    /**
     * A background child that stays (30 s), its process id in child.pid; the script ends once the
     * child has become sleep (a forked shell until it executes it), whose name the warning gives.
     */
    private static final String STAYING_CHILD = "sleep 30 &\necho $! > child.pid\n"
            + "while [ \"$(cat /proc/$!/comm 2>/dev/null)\" != sleep ]; do :; done\n";

    @TempDir
    Path root;

    /** @return a term named 't' that runs this shell script and reads 'e' from out.json */
    private FileBasedQuantityComputer.Builder running(String script) throws Exception {
        return ScriptTerms.running(root, script, Duration.ofMillis(300)).keep(KeepPolicy.ALL);
    }

    /** Runs the computer on each context; @return what was logged meanwhile */
    private static String logOf(FileBasedQuantityComputer c, List<EvaluationContext> runs) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            for (EvaluationContext ctx : runs) {
                assertEquals(1.0, c.compute(P, ctx).get("e"), 0.0);
            }
        } finally {
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static Path runDirectory(EvaluationContext ctx) {
        return Path.of((String) Objects.requireNonNull(ctx.metadata().get("run_directory")));
    }

    @Test
    void aChildThatExitsOnItsOwnAMomentLaterIsNeitherReportedNorKilled() throws Exception {
        Path dir = root.resolve("p");
        Files.createDirectories(dir);
        long started = System.nanoTime();
        ProcessRunner.Result r = ProcessRunner.run(
                List.of("sh", "-c", SHORT_CHILD),
                dir,
                Map.of(),
                Duration.ofSeconds(30),
                Duration.ofMillis(300),
                dir.resolve("out"),
                dir.resolve("err"),
                null);
        MachineRequirement.require(r.tag() != null, "no /proc here: programs run untagged");
        assertEquals(0, r.exitCode());
        assertEquals(
                Map.of(),
                ProcessRunner.endLeft(List.of(Objects.requireNonNull(r.tag())), started, Duration.ofMillis(300)));
        // not killed: it wrote its file after its pause
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve("done")));
        assertEquals("done", Files.readString(dir.resolve("done")).strip());
    }

    @Test
    void aTermWhoseChildExitsOnItsOwnWarnsOfNothing() throws Exception {
        FileBasedQuantityComputer c =
                running(SHORT_CHILD + "echo '{\"e\": 1.0}' > out.json\n").build();
        EvaluationContext ctx = new EvaluationContext(P, "e1");
        String log = logOf(c, List.of(ctx));
        assertFalse(log.contains("running"), log);
        assertEquals(0, c.leftRunningWarnings.runs("t", root.resolve("sim.sh").toString()));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(runDirectory(ctx).resolve("done")));
    }

    @Test
    void aFailedRunWhoseChildExitsOnItsOwnCountsNothingLeftRunning() throws Exception {
        TermFailedException e = assertThrows(
                TermFailedException.class,
                () -> running(SHORT_CHILD + "exit 4\n").build().compute(P));
        Path dir = e.runDirectory().orElseThrow();
        JsonNode command = JSON.readTree(dir.resolve("failure.json").toFile())
                .get("commands")
                .get(0);
        assertEquals(4, command.get("exit_code").asInt());
        assertNull(command.get("left_running"), command.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve("done")));
    }

    @Test
    void aChildThatStaysIsKilledAndCountedInTheFailureReport() throws Exception {
        TermFailedException e = assertThrows(
                TermFailedException.class,
                () -> running(STAYING_CHILD + "exit 4\n").build().compute(P));
        Path dir = e.runDirectory().orElseThrow();
        long child = TestSupport.readPid(dir.resolve("child.pid"));
        try {
            assertTrue(TestSupport.gone(child), "child still in the process table: state " + TestSupport.state(child));
        } finally {
            ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
        }
        JsonNode command = JSON.readTree(dir.resolve("failure.json").toFile())
                .get("commands")
                .get(0);
        assertEquals(1, command.get("left_running").asInt(), command.toString());
        assertEquals("[\"sleep\"]", command.get("left_running_programs").toString());
    }

    @Test
    void fiveRunsThatLeaveAProcessWarnOnceInFullAndAreCounted() throws Exception {
        FileBasedQuantityComputer c =
                running(STAYING_CHILD + "echo '{\"e\": 1.0}' > out.json\n").build();
        List<EvaluationContext> runs = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            runs.add(new EvaluationContext(P, "e" + i));
        }
        String log = logOf(c, runs);
        for (EvaluationContext ctx : runs) {
            long child = TestSupport.readPid(runDirectory(ctx).resolve("child.pid"));
            try {
                assertTrue(
                        TestSupport.gone(child), "child still in the process table: state " + TestSupport.state(child));
            } finally {
                ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        String command = root.resolve("sim.sh").toString();
        List<String> warnings = log.lines().filter(l -> l.contains("running")).toList();
        assertEquals(1, warnings.size(), log);
        assertTrue(
                warnings.get(0)
                        .contains("external term 't': command '" + command
                                + "' left 1 process running after it ended (sleep); it was killed (evaluation e1, run"
                                + " directory " + runDirectory(runs.get(0)) + "); later runs of this command that"
                                + " leave processes running are counted, and said after 10, 100, 1000... of them"),
                log);
        assertFalse(log.contains("Open MPI"), log);
        assertEquals(5, c.leftRunningWarnings.runs("t", command));
    }

    @Test
    void laterRunsAreSaidAtEachPowerOfTen() {
        LeftRunningWarnings w = new LeftRunningWarnings();
        List<Long> said = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            LeftRunningWarnings.Note n = w.count("fcc", "lmp -in in.fcc", List.of(i == 5 ? "orted" : "sleep"));
            if (n != null) {
                said.add(n.runs());
            }
        }
        assertEquals(List.of(1L, 10L, 100L, 1000L), said);
        assertEquals(1000, w.runs("fcc", "lmp -in in.fcc"));
        assertNull(w.count("fcc", "lmp -in in.fcc", List.of()), "the 1001st run is only counted");
        assertEquals(1001, w.runs("fcc", "lmp -in in.fcc"));
        assertEquals(0, w.runs("other", "lmp -in in.fcc"), "counted per term and command");
        assertEquals(
                1,
                Objects.requireNonNull(w.count("fcc", "lmp -in in.other", List.of()))
                        .runs());
        assertFalse(LeftRunningWarnings.said(0));
        assertTrue(LeftRunningWarnings.said(10_000));
        assertFalse(LeftRunningWarnings.said(20));
    }

    @Test
    void theCountedWarningNamesEveryProgramAndTheFirstOfOpenMpisDaemonAddsTheHint() {
        LeftRunningWarnings w = new LeftRunningWarnings();
        LeftRunningWarnings.Note first = Objects.requireNonNull(w.count("fcc", "lmp -in in.fcc", List.of("orted")));
        assertTrue(first.first());
        assertTrue(first.openMpiDaemon());
        assertTrue(
                LeftRunningWarnings.after(first)
                        .contains("env: {OMPI_MCA_ess_singleton_isolated: \"1\"} and private_tmpdir: true"),
                LeftRunningWarnings.after(first));
        LeftRunningWarnings.Note tenth = null;
        for (int i = 2; i <= 10; i++) {
            tenth = w.count("fcc", "lmp -in in.fcc", List.of(i == 7 ? "prted" : "orted"));
        }
        assertEquals(
                "external term 'fcc': command 'lmp -in in.fcc' has now left processes running after 10 of its runs"
                        + " (orted, prted); each was killed",
                LeftRunningWarnings.counted("fcc", "lmp -in in.fcc", Objects.requireNonNull(tenth)));
        LeftRunningWarnings.Note sleep = Objects.requireNonNull(w.count("x", "./run.sh", List.of("sleep")));
        assertFalse(sleep.openMpiDaemon());
        assertFalse(LeftRunningWarnings.after(sleep).contains("OMPI"));
    }
}
