package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
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
        Assumptions.assumeTrue(r.tag() != null, "no /proc here: programs run untagged");
        assertEquals(0, r.exitCode(), "exit code; stderr: " + read("err"));
        return Objects.requireNonNull(r.tag());
    }

    private String read(String file) throws Exception {
        return Files.readString(dir.resolve(file), StandardCharsets.UTF_8).strip();
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
        Assumptions.assumeTrue(
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

    private static List<Long> pids(List<ProcessRunner.Member> members) {
        return members.stream().map(m -> m.process().pid()).toList();
    }
}
