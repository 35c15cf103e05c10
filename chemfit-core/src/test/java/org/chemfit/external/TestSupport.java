package org.chemfit.external;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Assumptions;

/** Shared helpers of the external-program tests. */
final class TestSupport {

    private TestSupport() {}

    /** @return the absolute path of the test program fakeprog.sh */
    static Path fakeProgram() {
        try {
            return Path.of(TestSupport.class
                            .getResource("/external/fakeprog.sh")
                            .toURI())
                    .toAbsolutePath();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return a resource of the test classpath as a file */
    static Path resource(String name) {
        try {
            return Path.of(TestSupport.class.getResource(name).toURI()).toAbsolutePath();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Finds LAMMPS. Without it the test fails when CI is set (CI must install it) and is skipped,
     * with the reason, otherwise.
     *
     * @return the path of lmp
     */
    static Path requireLammps() {
        Path lmp = ProcessRunner.findOnPath("lmp", System.getenv("PATH"));
        if (lmp == null) {
            String msg = "LAMMPS ('lmp') is not on PATH; install it with 'apt-get install -y lammps'";
            if (System.getenv("CI") != null) {
                fail(msg + " (CI is set, so this test must not be skipped)");
            }
            Assumptions.abort(msg + "; skipping because CI is not set");
        }
        return lmp;
    }

    /**
     * Finds GROMACS, as {@link #requireLammps} finds LAMMPS: without it the test fails when CI is
     * set and is skipped, with the reason, otherwise.
     *
     * @return the name of the first of gmx, gmx_mpi and gmx_d on the PATH
     */
    static String requireGromacs() {
        List<String> names = List.of("gmx", "gmx_mpi", "gmx_d");
        for (String n : names) {
            if (ProcessRunner.findOnPath(n, System.getenv("PATH")) != null) {
                return n;
            }
        }
        String msg = "GROMACS (" + String.join(", ", names) + ") is not on PATH; install it with"
                + " 'apt-get install -y gromacs'";
        if (System.getenv("CI") != null) {
            fail(msg + " (CI is set, so this test must not be skipped)");
        }
        Assumptions.abort(msg + "; skipping because CI is not set");
        throw new AssertionError("not reached");
    }

    /** @return the pid written into a file by fakeprog.sh, waiting for it up to 10 s */
    static long readPid(Path file) {
        String pid = await("a pid in " + file)
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> Files.exists(file) ? Files.readString(file).strip() : "", s -> !s.isEmpty());
        return Long.parseLong(pid);
    }

    /**
     * @return whether the process is gone from the process table: no entry at all, not even a
     *     zombie; waits up to 10 s for init to reap an orphan that was killed
     */
    static boolean gone(long pid) {
        try {
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> ProcessHandle.of(pid).isEmpty() && !Files.exists(Path.of("/proc/" + pid)));
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    /** Waits up to 10 s until the process leads a session of its own (it has called setsid). */
    static void awaitSessionLeader(long pid) {
        await("process " + pid + " leading a session")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                    // "pid (name) S ppid pgrp session ..."
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    return Long.parseLong(f[3]) == pid;
                });
    }

    /** Waits up to 10 s until the running process's environment has no variable of that name. */
    static void awaitEnvironmentWithout(long pid, String name) {
        String entry = "\0" + name + "=";
        await("process " + pid + " without " + name)
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    byte[] env = Files.readAllBytes(Path.of("/proc/" + pid + "/environ"));
                    return ProcessHandle.of(pid).isPresent()
                            && !("\0" + new String(env, StandardCharsets.ISO_8859_1)).contains(entry);
                });
    }

    /** @return whether the process's environment holds a {@code CHEMFIT_RUN_TAG}; false once it is gone */
    static boolean tagged(long pid) {
        try {
            return new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")),
                            StandardCharsets.ISO_8859_1)
                    .contains("CHEMFIT_RUN_TAG=");
        } catch (IOException e) {
            return false;
        }
    }

    /** @return the state letter of a process in /proc (Z for a zombie), or "-" when it is gone */
    static String state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (IOException e) {
            return "-";
        }
    }
}
