package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's port as each command takes it: a port that is taken is refused with the way to
 * choose another in that command's own option, and a negative one as out of range (not left for
 * the job file's place).
 */
class DashboardPortTest {

    @TempDir
    Path dir;

    @Test
    void aTakenPortNamesTheCommandsOwnOption() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Cli.Run r = Cli.run("dashboard", dir.toString(), "--port", String.valueOf(port));
            assertEquals(ExitCodes.USAGE, r.code(), r::toString);
            String err = r.err().strip();
            assertEquals(
                    "(choose another with --port PORT, or 0 for any free port)",
                    err.substring(err.lastIndexOf('(')),
                    r::toString);
            assertFalse(err.contains("--dashboard"), r::toString);
        }
    }

    /**
     * A fit refused for a taken port leaves the output folder as it was: a folder it made is gone, and
     * in a folder that was there no empty journal is left.
     */
    @Test
    void aFitRefusedForATakenPortLeavesNoJournal() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = "--dashboard=" + taken.getLocalPort();
            java.nio.file.Path fresh = dir.resolve("fresh/a/b");
            Cli.Run r = Cli.run("fit", Cli.resource("jobs/lj.yaml").toString(), "-o", fresh.toString(), port, "-q");
            assertEquals(ExitCodes.USAGE, r.code(), r::toString);
            assertFalse(java.nio.file.Files.exists(dir.resolve("fresh")), r::toString);

            java.nio.file.Path there = java.nio.file.Files.createDirectories(dir.resolve("there"));
            java.nio.file.Files.writeString(there.resolve("notes.txt"), "mine");
            Cli.Run t = Cli.run("fit", Cli.resource("jobs/lj.yaml").toString(), "-o", there.toString(), port, "-q");
            assertEquals(ExitCodes.USAGE, t.code(), t::toString);
            try (var left = java.nio.file.Files.list(there)) {
                assertEquals(
                        java.util.List.of("notes.txt"),
                        left.map(f -> f.getFileName().toString()).toList(),
                        t::toString);
            }
        }
    }

    @Test
    void aNegativePortIsRefusedAsOutOfRange() {
        Cli.Run r = Cli.run("fit", Cli.resource("jobs/lj.yaml").toString(), "--dashboard=-1", "-q");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals("error: the dashboard's port must be 0 (any free port) to 65535, got -1\n", r.err(), r::toString);
    }

    @Test
    void aPortThatIsNotANumberIsRefusedAsSuch() {
        Cli.Run r = Cli.run("fit", Cli.resource("jobs/lj.yaml").toString(), "--dashboard=abc", "-q");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                "error: the dashboard's port must be a whole number, 0 (any free port) to 65535, got 'abc'"
                        + " (--dashboard=abc)\n",
                r.err(),
                r::toString);
    }
}
