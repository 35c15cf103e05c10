package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.chemfit.testfixtures.MachineRequirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fit that failed says why, even when its results.json cannot be written afterwards (a full
 * disk is often the reason for both): the fit's reason comes first, then the file that could not
 * be written. Real shell scripts are the programs; one test fills a real tmpfs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FailedFitReasonTest {

    @TempDir
    Path tmp;

    private Path job(String script, String more) throws Exception {
        return ShellScriptJob.write(tmp, script, ShellScriptJob.JSON_E, "{e: 1.0}", 200, more);
    }

    @Test
    void aFailedFitWhoseResultsCannotBeWrittenStillSaysWhyItFailed() throws Exception {
        Path job = job("echo 'bad things' >&2\nexit 3\n", "");
        // results.json is written aside first: a folder there makes that write fail, even for root
        Files.createDirectories(tmp.resolve("out/results.json.tmp/x"));
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        String reason = "error: the fit stopped in its first evaluation because it failed (e0, at {a=1.0}):"
                + " term 0 't' failed: external term 't' failed at step run: command '" + tmp.resolve("sim.sh")
                + "' exited with code 3";
        String notWritten = "error: cannot write " + tmp.resolve("out/results.json") + ": ";
        int at = r.err().indexOf(reason);
        assertTrue(at >= 0, r::toString);
        assertTrue(r.err().indexOf("program.stderr (last 1 lines):\nbad things\n", at) > at, r::toString);
        assertTrue(r.err().indexOf(notWritten, at) > at, "the fit's reason comes first: " + r);
    }

    @Test
    void aTermThatFailsUnderRaiseSaysWhichPolicyLetsTheFitGoOn() throws Exception {
        Path job = job("echo '{\"e\": NaN}' > out.json\n", "");
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        String reason = "error: the fit stopped in its first evaluation because it failed (e0, at {a=1.0}):"
                + " term 0 't' failed: external term 't' failed at step parse: ";
        String hint = "\n(under on_failure: raise, a failed term ends the fit; combination.on_failure: penalty (with"
                + " combination.penalty, the loss it scores) or skip (which leaves the term out of that point) lets"
                + " the fit go on)\n";
        int at = r.err().indexOf(reason);
        assertTrue(at >= 0, r::toString);
        assertTrue(r.err().indexOf(hint, at) > at, r::toString);

        // under penalty the fit goes on: no such words
        Path penalty = ShellScriptJob.write(
                Files.createDirectories(tmp.resolve("penalty")),
                "echo '{\"e\": NaN}' > out.json\n",
                ShellScriptJob.JSON_E,
                "{e: 1.0}",
                5,
                "combination: {on_failure: penalty, penalty: 5}");
        Cli.Run p = Cli.run("fit", penalty.toString(), "--progress", "none");
        assertFalse(p.err().contains("under on_failure: raise"), p::toString);
    }

    /**
     * A fit of fast in-process terms records each evaluation in a memory-mapped file first; on a
     * file system too small for it the fit says so in words (not a fault of the JVM in a mapped
     * page), and once there is room it resumes to the result a fit with room all along gives.
     */
    @Test
    void aFitOfInProcessTermsOnAFullDiskSaysSoAndResumesToTheSameResult() throws Exception {
        MachineRequirement.require(
                "root".equals(System.getProperty("user.name")),
                "mounting a small tmpfs needs root, and this test runs as " + System.getProperty("user.name"));
        Path job = tmp.resolve("argon/fit.yaml");
        TestData.copyTree(ExamplesIT.examples().resolve("argon"), job.getParent());
        Files.writeString(job, Files.readString(job).replace("max_evaluations: 400", "max_evaluations: 60"));
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        mount(mnt, "size=1m");
        try {
            Path out = mnt.resolve("res");
            Cli.Run full = Cli.run("fit", job.toString(), "--output", out.toString(), "--progress", "none");
            String expected = "error: the fit failed after 1 evaluation: journal "
                    + out.resolve("journal.sqlite") + ": cannot record evaluation 0 in "
                    + out.resolve("journal.sqlite-pending") + ": the file system holding it has ";
            assertTrue(full.err().contains("\n" + expected), full::toString);
            assertTrue(
                    full.err()
                            .contains(" bytes left, and it needs 4194304 (No space left on device); free some room"
                                    + " and resume the fit: nothing the journal holds is lost\n"),
                    full::toString);
            assertFalse(full.err().contains("internal error"), full::toString);
            // the room the pending file took is given back: the results are still written
            assertTrue(Files.isRegularFile(out.resolve("results.json")), full::toString);
            assertEquals(ExitCodes.FIT_FAILED, full.code(), full::toString);

            int grown = new ProcessBuilder("mount", "-o", "remount,size=64m", mnt.toString())
                    .inheritIO()
                    .start()
                    .waitFor();
            assertEquals(0, grown, "mount -o remount,size=64m " + mnt);
            Cli.Run resumed = Cli.run("fit", job.toString(), "--output", out.toString(), "--progress", "none");
            assertEquals(0, resumed.code(), resumed::toString);
            Cli.Run plain = Cli.run(
                    "fit", job.toString(), "--output", tmp.resolve("plain").toString(), "--progress", "none");
            assertEquals(0, plain.code(), plain::toString);
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.JsonNode a =
                    json.readTree(out.resolve("results.json").toFile());
            com.fasterxml.jackson.databind.JsonNode b =
                    json.readTree(tmp.resolve("plain/results.json").toFile());
            assertEquals(b.get("best_loss"), a.get("best_loss"));
            assertEquals(b.get("parameters"), a.get("parameters"));
            assertEquals(60, a.get("evaluations").get("total").asInt(), () -> String.valueOf(a.get("evaluations")));
        } finally {
            // lazily: the fits ran in this JVM, which lets go of the pending file's mapping only when
            // the collector frees it
            new ProcessBuilder("umount", "-l", mnt.toString())
                    .inheritIO()
                    .start()
                    .waitFor();
        }
    }

    private static void mount(Path mnt, String options) throws Exception {
        int mounted = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", mnt.toString())
                .inheritIO()
                .start()
                .waitFor();
        MachineRequirement.require(
                mounted == 0,
                "mount -t tmpfs -o " + options + " tmpfs " + mnt + " exited with code " + mounted
                        + ": no tmpfs can be mounted here (a container needs the capability CAP_SYS_ADMIN)");
    }

    @Test
    void aFitThatFillsTheDiskSaysWhatItCouldNotRecord() throws Exception {
        MachineRequirement.require(
                "root".equals(System.getProperty("user.name")),
                "mounting a small tmpfs needs root, and this test runs as " + System.getProperty("user.name")
                        + " (the test above shows the reason without a mount)");
        Path job = job("echo '{\"e\": 1.5}' > out.json\n", "execution: {keep: all}");
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", mnt.toString())
                .inheritIO()
                .start();
        int mounted = mount.waitFor();
        MachineRequirement.require(
                mounted == 0,
                "mount -t tmpfs -o size=200k tmpfs " + mnt + " exited with code " + mounted
                        + ": no tmpfs can be mounted here (a container needs the capability CAP_SYS_ADMIN)");
        try {
            Cli.Run r = Cli.run(
                    "fit", job.toString(), "--output", mnt.resolve("res").toString(), "--progress", "none");
            String journal = mnt.resolve("res/journal.sqlite").toString();
            String reason = "error: the fit failed after ";
            int at = r.err().indexOf(reason);
            assertTrue(at >= 0, r::toString);
            assertTrue(r.err().indexOf("journal " + journal + ": cannot record", at) > at, r::toString);
            // SQLite's own error may name no cause ("no transaction is active"): the journal's does
            assertTrue(r.err().indexOf(": the file system holding it is full (", at) > at, r::toString);
            assertTrue(
                    r.err()
                                    .indexOf(
                                            "error: cannot write " + mnt.resolve("res/results.json")
                                                    + ": No space left on device",
                                            at)
                            > at,
                    r::toString);
            assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        } finally {
            new ProcessBuilder("umount", mnt.toString()).inheritIO().start().waitFor();
        }
    }
    /**
     * A program that fills the file system of its run directory fails with whatever its writes made of
     * it (here an exit code of 1 and an empty stderr): the failure says that the file system is full.
     */
    @Test
    void aProgramThatFillsItsRunDirectorysFileSystemIsToldSo() throws Exception {
        MachineRequirement.require(
                "root".equals(System.getProperty("user.name")),
                "mounting a small tmpfs needs root, and this test runs as " + System.getProperty("user.name"));
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        mount(mnt, "size=512k");
        try {
            Path job = job(
                    "head -c 1048576 /dev/zero > big 2>/dev/null || exit 1\necho '{\"e\": 1.5}' > out.json\n",
                    "execution: {run_directory: " + mnt.resolve("runs") + "}");
            Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
            assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
            int at = r.err()
                    .indexOf("external term 't' failed at step run: command '" + tmp.resolve("sim.sh")
                            + "' exited with code 1 (run directory " + mnt.resolve("runs"));
            assertTrue(at >= 0, r::toString);
            assertTrue(
                    r.err().indexOf("; the file system of the run directory is full (", at) > at
                            && r.err()
                                    .contains(" bytes left), which may be why: free some room, or put the run"
                                            + " directories on another file system"),
                    r::toString);

            // a failure with room to spare says nothing of it
            Path roomy = ShellScriptJob.write(
                    Files.createDirectories(tmp.resolve("roomy")),
                    "exit 1\n",
                    ShellScriptJob.JSON_E,
                    "{e: 1.0}",
                    5,
                    "");
            Cli.Run other = Cli.run("fit", roomy.toString(), "--progress", "none");
            assertEquals(ExitCodes.FIT_FAILED, other.code(), other::toString);
            assertTrue(other.err().contains("exited with code 1"), other::toString);
            assertFalse(other.err().contains("file system of the run directory is full"), other::toString);
        } finally {
            new ProcessBuilder("umount", mnt.toString()).inheritIO().start().waitFor();
        }
    }
}
