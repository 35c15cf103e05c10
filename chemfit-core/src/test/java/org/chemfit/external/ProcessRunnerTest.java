package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.chemfit.testfixtures.MachineRequirement;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** How ProcessRunner finds, by their tag, and ends the processes a program leaves running, with real processes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessRunnerTest {

    @TempDir
    Path dir;

    /** Runs a script that leaves a child running and exits; @return its tag */
    private ProcessRunner.Tag runLeaving(String script) throws Exception {
        ProcessRunner.Result r = ProcessRunner.run(
                List.of("bash", "-c", script),
                dir,
                Map.of(),
                Duration.ofSeconds(30),
                Duration.ofMillis(300),
                dir.resolve("out"),
                dir.resolve("err"),
                null);
        MachineRequirement.require(r.tag() != null, "no /proc here: programs run untagged");
        assertEquals(0, r.exitCode(), "exit code; stderr: " + read("err"));
        return Objects.requireNonNull(r.tag());
    }

    /** Runs a shell's code with these environment additions; @return what it printed */
    private String shellOutput(String code, Map<String, String> env) throws Exception {
        ProcessRunner.Result r = ProcessRunner.run(
                List.of("sh", "-c", code),
                dir,
                env,
                Duration.ofSeconds(30),
                Duration.ofMillis(300),
                dir.resolve("out"),
                dir.resolve("err"),
                null);
        assertEquals(0, r.exitCode(), "exit code; stderr: " + read("err"));
        return read("out");
    }

    private String read(String file) throws Exception {
        return Files.readString(dir.resolve(file), StandardCharsets.UTF_8).strip();
    }

    /**
     * The cluster's secret in the JVM's environment (the build puts one there, as a worker has it)
     * reaches no program: not on a thread's first start, nor on a later one that gives other
     * additions; a term that gives it in its own additions passes it on.
     */
    @Test
    void theClustersSecretInTheJvmsEnvironmentReachesNoProgram() throws Exception {
        assertEquals(
                "not-for-programs-0123456789abcdef",
                System.getenv("CHEMFIT_CLUSTER_SECRET"),
                "the build's surefire configuration sets it");
        List<Map<String, String>> additions = List.of(
                Map.of(), Map.of("A", "1"), Map.of("CHEMFIT_CLUSTER_SECRET", "given"), Map.of("B", "2"), Map.of());
        List<String> seen = new java.util.ArrayList<>();
        for (Map<String, String> env : additions) {
            seen.add(shellOutput("printf '%s' \"${CHEMFIT_CLUSTER_SECRET-unset}\"", env));
        }
        assertEquals(List.of("unset", "unset", "given", "unset", "unset"), seen);
    }

    @Test
    void aChildLeftRunningIsFoundByItsTagAndEnded() throws Exception {
        long started = System.nanoTime();
        // the grandchild is re-parented to init once its subshell exits
        ProcessRunner.Tag tag = runLeaving("( sleep 1000 & echo $! > child.pid ); true");
        long child = TestSupport.readPid(dir.resolve("child.pid"));
        try {
            // the ids handed out since the program started, and (as long after the start) every process
            List<Long> recent = pids(ProcessRunner.taggedProcesses(List.of(tag), started));
            List<Long> all = pids(ProcessRunner.taggedProcesses(List.of(tag), started - TimeUnit.SECONDS.toNanos(60)));
            assertEquals(List.of(child), recent);
            assertEquals(List.of(child), all);
            assertEquals(Map.of(tag, 1), ProcessRunner.endTagged(List.of(tag), started, Duration.ofMillis(300)));
            assertTrue(TestSupport.gone(child), "child still in the process table: state " + TestSupport.state(child));
            assertEquals(Map.of(), ProcessRunner.endTagged(List.of(tag), started, Duration.ofMillis(300)));
        } finally {
            ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aChildThatIgnoresSigtermIsKilledAfterTheGrace() throws Exception {
        long started = System.nanoTime();
        ProcessRunner.Tag tag = runLeaving("( trap '' TERM; exec sleep 1000 ) & echo $! > child.pid");
        long child = TestSupport.readPid(dir.resolve("child.pid"));
        try {
            assertEquals(Map.of(tag, 1), ProcessRunner.endTagged(List.of(tag), started, Duration.ofMillis(300)));
            assertTrue(TestSupport.gone(child), "child still in the process table: state " + TestSupport.state(child));
        } finally {
            ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aChildThatStartsASessionOfItsOwnKeepsTheTagAndIsEnded() throws Exception {
        MachineRequirement.require(
                ProcessRunner.findOnPath("setsid", System.getenv("PATH")) != null, "no setsid on the PATH");
        long started = System.nanoTime();
        // in a script (no job control) the background job is no process group leader: setsid executes
        // sleep in the same process, whose id $! is
        ProcessRunner.Tag tag = runLeaving("setsid sleep 1005 & echo $! > daemon.pid");
        long daemon = TestSupport.readPid(dir.resolve("daemon.pid"));
        try {
            TestSupport.awaitSessionLeader(daemon);
            assertEquals(List.of(daemon), pids(ProcessRunner.taggedProcesses(List.of(tag), started)));
            assertEquals(Map.of(tag, 1), ProcessRunner.endTagged(List.of(tag), started, Duration.ofMillis(300)));
            assertTrue(
                    TestSupport.gone(daemon), "daemon still in the process table: state " + TestSupport.state(daemon));
        } finally {
            ProcessHandle.of(daemon).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aChildThatClearsItsEnvironmentEscapes() throws Exception {
        long started = System.nanoTime();
        ProcessRunner.Tag tag = runLeaving("( env -i sleep 1006 & echo $! > child.pid ); true");
        long child = TestSupport.readPid(dir.resolve("child.pid"));
        try {
            TestSupport.awaitEnvironmentWithout(child, ProcessRunner.TAG_NAME);
            assertEquals(List.of(), pids(ProcessRunner.taggedProcesses(List.of(tag), started)));
            assertEquals(Map.of(), ProcessRunner.endTagged(List.of(tag), started, Duration.ofMillis(300)));
            assertTrue(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the child escapes");
        } finally {
            ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
        }
        assertTrue(TestSupport.gone(child), "child still in the process table: state " + TestSupport.state(child));
    }

    @Test
    void eachProgramGetsATagOfItsOwnThatAnAdditionCannotReplace() throws Exception {
        ProcessRunner.Tag first = runLeaving("echo $$ > pid; echo \"$" + ProcessRunner.TAG_NAME + "\" > tag");
        assertEquals(first.pid(), TestSupport.readPid(dir.resolve("pid")), "the tag names the program's process");
        assertEquals(first.value(), read("tag"));
        assertEquals(ProcessRunner.TAG_NAME + "=" + first.value(), first.entry());
        ProcessRunner.Result second = ProcessRunner.run(
                List.of("bash", "-c", "echo \"$" + ProcessRunner.TAG_NAME + "\" > tag"),
                dir,
                Map.of(ProcessRunner.TAG_NAME, "mine"),
                null,
                Duration.ofMillis(300),
                dir.resolve("out"),
                dir.resolve("err"),
                null);
        ProcessRunner.Tag tag = Objects.requireNonNull(second.tag());
        assertEquals(tag.value(), read("tag"));
        assertNotEquals(first, tag);
        assertNotEquals(first.value(), tag.value());
        // nothing was left running
        assertEquals(Map.of(), ProcessRunner.endTagged(List.of(first, tag), System.nanoTime(), Duration.ofMillis(300)));
        assertEquals(List.of(), ProcessRunner.taggedProcesses(List.of(), System.nanoTime()));
    }

    private static long @Nullable [] parse(String line) {
        byte[] b = line.getBytes(StandardCharsets.US_ASCII);
        return ProcessRunner.parseLoadavg(b, b.length);
    }

    /** What an interrupted run threw, and whether its thread's interrupt flag was set after it. */
    private record InterruptedRun(ProcessRunner.Interrupted thrown, boolean flagAfter) {}

    /**
     * Runs a bash loop that first runs {@code trap} and touches {@code started}, interrupts its
     * thread once it has, and waits for the run to end.
     */
    private InterruptedRun interruptWhileRunning(String trap, Duration grace) throws Exception {
        java.util.concurrent.atomic.AtomicReference<@Nullable Throwable> thrown =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean flagAfter = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread t = new Thread(() -> {
            try {
                ProcessRunner.run(
                        List.of("bash", "-c", trap + "; touch started; while true; do sleep 0.05; done"),
                        dir,
                        Map.of(),
                        null,
                        grace,
                        dir.resolve("out"),
                        dir.resolve("err"),
                        null);
            } catch (Exception e) {
                thrown.set(e);
                flagAfter.set(Thread.currentThread().isInterrupted());
            }
        });
        t.start();
        while (!Files.exists(dir.resolve("started"))) {
            Thread.sleep(10);
        }
        t.interrupt();
        t.join();
        return new InterruptedRun(assertInstanceOf(ProcessRunner.Interrupted.class, thrown.get()), flagAfter.get());
    }

    @Test
    void anInterruptedProgramsOwnExitCodeIsKept() throws Exception {
        // the program answers the kill's SIGTERM by exiting with a code of its own
        InterruptedRun run = interruptWhileRunning("trap 'exit 7' TERM", Duration.ofSeconds(20));
        ProcessRunner.Interrupted i = run.thrown();
        assertEquals(7, i.exitCode, "the code the program exited with when its tree was killed");
        assertFalse(i.endedBefore, "it was running when the interrupt came");
        assertTrue(i.nanos > 0, "its run time: " + i.nanos);
        assertFalse(run.flagAfter(), "the interrupt flag is left cleared, as the exception stands for it");
    }

    @Test
    void aProgramThatIgnoresSigtermHasTheKillsExitCode() throws Exception {
        // SIGTERM ignored: SIGKILL after the grace ends it, and its code is the kill's (128 + 9)
        InterruptedRun run = interruptWhileRunning("trap '' TERM", Duration.ofMillis(200));
        assertEquals(128 + 9, run.thrown().exitCode, "killed by SIGKILL after the grace");
        assertFalse(run.thrown().endedBefore);
        assertFalse(run.flagAfter(), "the interrupt flag is left cleared");
    }

    @Test
    void aProgramThatEndedBeforeTheInterruptWasSeenKeepsItsOwnCode() throws Exception {
        // the moment between the program's end and its waiting thread's wake-up, made to last
        Process p = new ProcessBuilder("sh", "-c", "exit 5").start();
        assertEquals(5, p.waitFor());
        long t0 = System.nanoTime();
        InterruptedException interrupt = new InterruptedException("interrupted");
        Thread.currentThread().interrupt(); // a second interrupt during the kill
        ProcessRunner.Interrupted i = ProcessRunner.interrupted(p, null, t0, Duration.ofSeconds(5), interrupt);
        assertFalse(Thread.interrupted(), "the flag is left cleared");
        assertEquals(5, i.exitCode);
        assertTrue(i.endedBefore, "it had ended by itself");
        assertEquals("interrupted", i.getMessage());
        assertEquals(interrupt, i.getCause());
    }

    @Test
    void loadavgGivesTheLastIdAndTheTasks() {
        assertArrayEquals(new long[] {11206, 80}, parse("0.20 0.18 0.12 1/80 11206\n"));
        // the whole line read, in a larger buffer: only the first n bytes count
        byte[] b = Arrays.copyOf("0.20 0.18 0.12 1/80 11206\n".getBytes(StandardCharsets.US_ASCII), 128);
        assertArrayEquals(new long[] {11206, 80}, ProcessRunner.parseLoadavg(b, 26));
        assertArrayEquals(
                new long[] {999_999_999_999_999_999L, 4_194_304}, parse("0 0 0 1/4194304 999999999999999999\n"));
    }

    @Test
    void aLoadavgLineNotAsTheKernelWritesItGivesNothing() {
        assertNull(parse("0.20 0.18 0.12 1/80 11206"), "no newline: the last id may be cut short");
        assertNull(parse("0.20 0.18 0.12 1/80 11206 7\n"), "an extra field");
        assertNull(parse("0.20 0.18 0.12 1/80 1000000000000000000\n"), "a last id of 19 digits");
        assertNull(parse("0.20 0.18 0.12 1/8x 11206\n"), "tasks not a number");
        assertNull(parse("0.20 0.18 0.12 1/80 -11206\n"), "a last id not a number");
        assertNull(parse("0.20 0.18 0.12 1/80 \n"), "no last id");
        assertNull(parse("0.20 0.18 0.12 80 11206\n"), "no slash");
        assertNull(parse("0/0 0\n"), "no tasks and no id");
        assertNull(parse("\n"));
        assertNull(ProcessRunner.parseLoadavg(new byte[128], 0), "nothing read");
    }

    @Test
    void theLastIdReadFromTheKernelIsAtLeastThatOfAProgramJustStarted() throws Exception {
        Process p = new ProcessBuilder("true").start();
        long pid = p.pid();
        assertEquals(0, p.waitFor());
        long[] load = ProcessRunner.lastPidAndTasks();
        if (!kernelsLoadavg()) {
            // no /proc, or one such as LXCFS gives: the file is not read, every process is looked at
            assertNull(load, "/proc/loadavg not on a proc file system is not read");
            return;
        }
        assertNotNull(load, "/proc/loadavg on a proc file system, as here, is read");
        assertTrue(load[0] >= pid, "last id " + load[0] + " before the program's " + pid);
        assertTrue(load[1] >= 1, "tasks " + load[1]);
    }

    @Test
    void onlyTheKernelsOwnLoadavgIsOpened() throws Exception {
        Path fake = dir.resolve("loadavg");
        Files.writeString(fake, "0.20 0.18 0.12 1/80 11206\n", StandardCharsets.US_ASCII);
        assertNull(
                ProcessRunner.openLoadavg(fake),
                "a file on " + Files.getFileStore(fake).type());
        assertNull(ProcessRunner.openLoadavg(dir.resolve("missing")));
        Path real = Path.of("/proc/loadavg");
        if (!kernelsLoadavg()) {
            assertNull(ProcessRunner.openLoadavg(real), "no /proc, or one such as LXCFS gives");
            return;
        }
        try (RandomAccessFile f = ProcessRunner.openLoadavg(real)) {
            assertNotNull(f);
            byte[] b = new byte[128];
            int n = f.read(b);
            assertNotNull(
                    ProcessRunner.parseLoadavg(b, n), new String(b, 0, Math.max(n, 0), StandardCharsets.US_ASCII));
        }
    }

    /**
     * One thread's starts with changing environment additions reuse its builder: each program sees
     * the JVM's environment with its own additions only, none left from the start before, and a
     * variable of the JVM that an earlier start replaced has the JVM's value again.
     */
    @Test
    void eachStartSeesItsOwnAdditionsOnlyWhenTheyChangeFromStartToStart() throws Exception {
        String home = System.getenv("HOME");
        MachineRequirement.require(home != null, "HOME is not set in this JVM");
        assertEquals(null, System.getenv("CHEMFIT_TEST_A"), "the JVM's environment has CHEMFIT_TEST_A");
        assertEquals(null, System.getenv("CHEMFIT_TEST_B"), "the JVM's environment has CHEMFIT_TEST_B");
        String[][] starts = {
            {"CHEMFIT_TEST_A", "1", "HOME", "/nowhere"},
            {"CHEMFIT_TEST_B", "2"},
            {"CHEMFIT_TEST_A", "3", "CHEMFIT_TEST_B", "4"},
            {},
            {"HOME", "/elsewhere"},
            {"HOME", "/elsewhere"},
        };
        String[] expected = {
            "1|unset|/nowhere",
            "unset|2|" + home,
            "3|4|" + home,
            "unset|unset|" + home,
            "unset|unset|/elsewhere",
            "unset|unset|/elsewhere",
        };
        for (int i = 0; i < starts.length; i++) {
            Map<String, String> env = new java.util.LinkedHashMap<>();
            for (int k = 0; k < starts[i].length; k += 2) {
                env.put(starts[i][k], starts[i][k + 1]);
            }
            assertEquals(
                    expected[i],
                    shellOutput(
                            "printf '%s|%s|%s' \"${CHEMFIT_TEST_A-unset}\" \"${CHEMFIT_TEST_B-unset}\" \"$HOME\"", env),
                    "start " + (i + 1) + " with " + env);
        }
    }

    private static List<Long> pids(List<ProcessRunner.Member> members) {
        return members.stream().map(m -> m.process().pid()).toList();
    }

    /** @return whether /proc/loadavg is the kernel's own, on a proc file system */
    private static boolean kernelsLoadavg() {
        try {
            Path real = Path.of("/proc/loadavg");
            return Files.isReadable(real)
                    && "proc".equals(Files.getFileStore(real).type());
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
