package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Java program that runs an external term and is ended by SIGTERM (what a batch system sends at
 * the end of an allocation) does not leave the term's program running: the library's shutdown
 * hook ends its tree, the child the script started included, before the JVM is gone.
 */
class ProgramsEndWithTheJvmIT {

    @TempDir
    Path work;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void sigtermToTheJvmEndsTheProgramsItsTermsStillRun() throws Exception {
        endedWithTheJvm(0);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aProgramEndedSoIsNotRetried() throws Exception {
        // a run killed by a signal is a transient failure, which retries(1) would run again
        endedWithTheJvm(1);
        assertEquals(1, Files.readAllLines(work.resolve("starts")).size(), "the script ran again");
    }

    private void endedWithTheJvm(int retries) throws Exception {
        Path script = work.resolve("slow.sh");
        // the script records its own id and its child's, then waits for the child, which would
        // sleep for 10 minutes
        Files.writeString(
                script,
                "#!/bin/sh\necho $$ >> \"$1/starts\"\nsleep 600 &\necho $! > \"$1/child.pid\"\necho $$ > \"$1/script.pid\"\nwait\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process jvm = new ProcessBuilder(
                        javaBin,
                        "-cp",
                        System.getProperty("java.class.path"),
                        ProgramsOfAnExitingJvmDriver.class.getName(),
                        work.toString(),
                        script.toString(),
                        Integer.toString(retries))
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("jvm.log").toFile())
                .start();
        long scriptPid;
        long childPid;
        try {
            Path scriptPidFile = work.resolve("script.pid");
            while (!Files.exists(scriptPidFile)
                    || Files.readString(scriptPidFile).isBlank()) {
                assertTrue(jvm.isAlive(), () -> "the driver ended before its program started: " + log());
                Thread.sleep(20);
            }
            scriptPid = Long.parseLong(Files.readString(scriptPidFile).strip());
            childPid =
                    Long.parseLong(Files.readString(work.resolve("child.pid")).strip());
            assertTrue(running(scriptPid) && running(childPid), "the script and its child run");

            jvm.destroy(); // SIGTERM, as a batch system sends it
            assertTrue(jvm.waitFor(60, TimeUnit.SECONDS), "the driver JVM did not exit");
        } finally {
            jvm.destroyForcibly();
        }
        assertEquals(143, jvm.exitValue(), "ended by SIGTERM");
        // the hook returned only once the tree had ended: nothing is left to wait for
        assertFalse(running(scriptPid), "the script still runs after its JVM exited");
        assertFalse(running(childPid), "the script's child still runs after its JVM exited");
        assertTrue(
                log().contains("the JVM is exiting while programs still run: ending each one's process tree"),
                this::log);
    }

    /** @return whether the process exists and is no zombie (an ended one its new parent has yet to collect) */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            List<String> f = List.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
            return !f.get(0).equals("Z") && !f.get(0).equals("X");
        } catch (IOException e) {
            return false; // gone
        }
    }

    private String log() {
        try {
            return Files.readString(work.resolve("jvm.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
