package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** How ProcessRunner finds and ends the processes a program leaves in its session, with real processes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessRunnerTest {

    @TempDir
    Path dir;

    /** Runs a script that leaves a child running and exits; @return how it ended */
    private ProcessRunner.Result runLeaving(String script) throws Exception {
        ProcessRunner.Result r = ProcessRunner.run(
                List.of("bash", "-c", script),
                dir,
                Map.of(),
                Duration.ofSeconds(30),
                Duration.ofMillis(300),
                dir.resolve("out"),
                dir.resolve("err"),
                null);
        Assumptions.assumeTrue(r.session() != 0, "no setsid here: programs run without a session of their own");
        return r;
    }

    @Test
    void aChildLeftRunningIsFoundInTheSessionAndEnded() throws Exception {
        long started = System.nanoTime();
        // the grandchild is re-parented to init once its subshell exits
        ProcessRunner.Result r = runLeaving("( sleep 1000 & echo $! > child.pid ); true");
        long child = TestSupport.readPid(dir.resolve("child.pid"));
        try {
            assertEquals(0, r.exitCode());
            // the ids handed out since the program started, and (as long after the start) every process
            List<Long> recent = pids(ProcessRunner.sessionMembers(Set.of(r.session()), started));
            List<Long> all =
                    pids(ProcessRunner.sessionMembers(Set.of(r.session()), started - TimeUnit.SECONDS.toNanos(60)));
            assertEquals(List.of(child), recent);
            assertEquals(List.of(child), all);
            assertEquals(
                    Map.of(r.session(), 1),
                    ProcessRunner.endSessions(Set.of(r.session()), started, Duration.ofMillis(300)));
            assertTrue(TestSupport.gone(child), "child still in the process table: state " + TestSupport.state(child));
            assertEquals(Map.of(), ProcessRunner.endSessions(Set.of(r.session()), started, Duration.ofMillis(300)));
        } finally {
            ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aChildThatIgnoresSigtermIsKilledAfterTheGrace() throws Exception {
        long started = System.nanoTime();
        ProcessRunner.Result r = runLeaving("( trap '' TERM; exec sleep 1000 ) & echo $! > child.pid");
        long child = TestSupport.readPid(dir.resolve("child.pid"));
        try {
            assertEquals(
                    Map.of(r.session(), 1),
                    ProcessRunner.endSessions(Set.of(r.session()), started, Duration.ofMillis(300)));
            assertTrue(TestSupport.gone(child), "child still in the process table: state " + TestSupport.state(child));
        } finally {
            ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aProgramThatLeavesNothingLeavesAnEmptySession() throws Exception {
        long started = System.nanoTime();
        ProcessRunner.Result r = runLeaving("echo $$ > leader.pid");
        assertEquals(r.session(), TestSupport.readPid(dir.resolve("leader.pid")), "the program itself led the session");
        assertTrue(ProcessRunner.sessionMembers(Set.of(r.session()), started).isEmpty());
        assertEquals(Map.of(), ProcessRunner.endSessions(Set.of(r.session()), started, Duration.ofMillis(300)));
        assertFalse(ProcessRunner.sessionMembers(Set.of(0L), started).iterator().hasNext());
    }

    private static List<Long> pids(List<ProcessRunner.Member> members) {
        return members.stream().map(m -> m.process().pid()).toList();
    }
}
