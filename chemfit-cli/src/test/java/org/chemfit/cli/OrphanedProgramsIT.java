package org.chemfit.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code chemfit fit} is killed ({@code kill -9}) while the program of an external term
 * runs: the program's shell and its {@code sleep} are re-parented to init and keep running in
 * their run directory. The resumed fit ends them (they carry the killed fit's
 * {@code CHEMFIT_RUN_TAG}) with a warning that names the term, the count and the run directory,
 * before it removes that directory; a process with the same tag whose working directory is
 * outside the fit's run directories is left alone. A new run of the journal ({@code --restart})
 * ends them the same way, and keeps the killed run's run directory.
 */
@org.junit.jupiter.api.Timeout(value = 300, unit = TimeUnit.SECONDS)
class OrphanedProgramsIT {

    @TempDir
    Path tmp;

    @Test
    void theResumedFitEndsTheProgramsTheKilledFitLeftRunningBeforeItRemovesTheirRunDirectory() throws Exception {
        Path dir = tmp.resolve("orphans");
        Path job = writeJob(dir);
        List<ProcessHandle> started = new ArrayList<>();
        Process fit = InterruptIT.start(dir, "fit", job.toString(), "--progress", "none");
        try {
            Killed killed = killWhileTheProgramRuns(dir, fit, started);
            ProcessHandle bystander = started.get(started.size() - 1);

            // the report of the killed fit says that its program may still run, and how it is ended
            Cli.Run report = Cli.run("report", dir.resolve("out").toString(), "--no-plots");
            assertEquals(ExitCodes.OK, report.code(), report::toString);
            List<String> lines = report.out().lines().toList();
            assertTrue(
                    lines.get(0)
                            .startsWith(dir.resolve("out") + ": stopped without finishing: its fit (pid " + fit.pid()
                                    + " on "),
                    report::toString);
            assertEquals(
                    "stopped: the fit was killed (or ran out of time) without ending its run; its journal is intact,"
                            + " though no evaluation of it had finished; programs its external terms started may still be running in their"
                            + " run directories: `chemfit fit` with the same job ends them, then resumes the run",
                    lines.get(1),
                    report::toString);
            assertTrue(killed.sleep().isAlive(), "the report ends nothing");

            Process resumed = InterruptIT.start(dir, "fit", job.toString(), "--progress", "none");
            if (!resumed.waitFor(120, TimeUnit.SECONDS)) {
                resumed.destroyForcibly();
                fail("the resumed fit did not finish\n" + InterruptIT.output(dir));
            }
            String err = Files.readString(dir.resolve("stderr.txt"));
            assertEquals(0, resumed.exitValue(), InterruptIT.output(dir));
            assertTrue(err.contains(warning(fit)), err);
            assertTrue(err.contains(killed.runDir().getFileName() + KILLED), err);
            assertTrue(
                    err.contains(
                            "removed 1 run directory of runs cut off by the earlier attempt (execution keep: failed)"),
                    err);
            // the warning comes before the removal
            assertTrue(err.indexOf("still ran in its run directory") < err.indexOf("removed 1 run directory"), err);
            assertTrue(ended(killed.shell()), "the orphaned shell is ended\n" + err);
            assertTrue(ended(killed.sleep()), "the orphaned sleep is ended\n" + err);
            assertFalse(Files.exists(killed.runDir()), err);
            assertFalse(ended(bystander), "a process working elsewhere is left alone\n" + err);
        } finally {
            fit.destroyForcibly();
            started.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * The same kill, then {@code --restart}: a new run of the journal, the killed run kept in it.
     * The new run ends the killed run's programs with the same warning before it runs anything,
     * and leaves the killed run's run directory where it is.
     */
    @Test
    void aRestartEndsTheProgramsTheKilledRunLeftRunningAndKeepsItsRunDirectory() throws Exception {
        Path dir = tmp.resolve("restart");
        Path job = writeJob(dir);
        List<ProcessHandle> started = new ArrayList<>();
        Process fit = InterruptIT.start(dir, "fit", job.toString(), "--progress", "none");
        try {
            Killed killed = killWhileTheProgramRuns(dir, fit, started);
            ProcessHandle bystander = started.get(started.size() - 1);

            Process restarted = InterruptIT.start(dir, "fit", job.toString(), "--progress", "none", "--restart");
            if (!restarted.waitFor(120, TimeUnit.SECONDS)) {
                restarted.destroyForcibly();
                fail("the restarted fit did not finish\n" + InterruptIT.output(dir));
            }
            String err = Files.readString(dir.resolve("stderr.txt"));
            String out = Files.readString(dir.resolve("stdout.txt"));
            assertEquals(0, restarted.exitValue(), InterruptIT.output(dir));
            assertTrue(out.contains("(run 2)"), "a new run of the journal\n" + out);
            assertFalse(err.contains("resuming run"), err);
            assertEquals(1, count(err, "still ran in its run directory"), err);
            assertTrue(err.contains(warning(fit)), err);
            assertTrue(err.contains(killed.runDir().getFileName() + KILLED), err);
            assertTrue(ended(killed.shell()), "the orphaned shell is ended\n" + err);
            assertTrue(ended(killed.sleep()), "the orphaned sleep is ended\n" + err);
            // the killed run's directory is the earlier run's: kept, with what its program wrote
            assertTrue(Files.isDirectory(killed.runDir()), err);
            assertFalse(err.contains("of runs cut off by the earlier attempt"), err);
            assertFalse(ended(bystander), "a process working elsewhere is left alone\n" + err);
        } finally {
            fit.destroyForcibly();
            started.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** What the killed fit left: its program's shell and sleep, and their run directory. */
    private record Killed(ProcessHandle shell, ProcessHandle sleep, Path runDir) {}

    /** The end of the warning that names the run directory. */
    private static final String KILLED =
            "; they were killed (SIGTERM, then SIGKILL after 5.0 s) before the run directory is removed or used again";

    /** @return the start of the warning about the killed fit's two processes in term 'slow' */
    private static String warning(Process fit) {
        return "warning: external term 'slow': 2 processes started by an earlier attempt of the fit" + " (pid "
                + fit.pid() + " is gone) still ran in its run directory ";
    }

    /**
     * A job of one external term, 'slow', whose program blocks (a shell running {@code sleep
     * 600}) while the folder holds the file {@code block}, after writing its process id and run
     * directory to {@code started.txt}.
     *
     * @return the job file
     */
    private static Path writeJob(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("block"), "");
        Files.writeString(dir.resolve("prog.sh"), """
                if [ -e '%1$s' ]; then echo "$$ $PWD" >> '%2$s'; sleep 600; fi
                echo "E=1.5"
                """.formatted(dir.resolve("block"), dir.resolve("started.txt")));
        Path job = dir.resolve("fit.yaml");
        Files.writeString(job, """
                parameters:
                  x: {initial: 0.5, bounds: [0, 1]}
                terms:
                  - kind: external
                    name: slow
                    command: [sh, "%s"]
                    outputs:
                      E: {parser: regex, file: program.stdout, pattern: "E=(\\\\S+)"}
                    reference: {E: 1.0}
                optimizer:
                  method: Nelder-Mead
                  max_evaluations: 3
                execution:
                  keep: failed
                output:
                  folder: out
                  plots: false
                """.formatted(dir.resolve("prog.sh")));
        return job;
    }

    /**
     * Waits for the fit's program to block, starts a process with the fit's tag that works
     * outside its run directories (the bystander, added last to {@code started}), kills the fit
     * ({@code kill -9}) and lets later programs run through.
     */
    private Killed killWhileTheProgramRuns(Path dir, Process fit, List<ProcessHandle> started) throws Exception {
        Path startedFile = dir.resolve("started.txt");
        await("the program to start")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertTrue(
                        Files.exists(startedFile)
                                && Files.readString(startedFile).endsWith("\n"),
                        () -> "the program did not start\n" + InterruptIT.output(dir)));
        String[] line = Files.readString(startedFile).strip().split(" ", 2);
        ProcessHandle shell = ProcessHandle.of(Long.parseLong(line[0])).orElseThrow();
        Path runDir = Path.of(line[1]);
        await("the program's sleep")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> shell.children()
                        .anyMatch(h -> h.info().command().orElse("").endsWith("sleep")));
        ProcessHandle sleep = shell.children().findFirst().orElseThrow();
        started.add(shell);
        started.add(sleep);
        String tag = tagOf(shell.pid());
        assertTrue(tag.startsWith("CHEMFIT_RUN_TAG=" + fit.pid() + "-"), tag);

        // A process with the killed fit's tag that works outside the fit's run directories.
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        ProcessBuilder pb = new ProcessBuilder("sleep", "600").directory(elsewhere.toFile());
        pb.environment().put("CHEMFIT_RUN_TAG", tag.substring("CHEMFIT_RUN_TAG=".length()));
        started.add(pb.start().toHandle());

        fit.destroyForcibly(); // kill -9: nothing of the fit runs after it
        assertTrue(fit.waitFor(90, TimeUnit.SECONDS), "chemfit did not stop");
        assertEquals(137, fit.exitValue(), InterruptIT.output(dir));
        assertTrue(shell.isAlive() && sleep.isAlive(), "the killed fit's program runs on");
        assertTrue(Files.isDirectory(runDir), runDir.toString());
        Files.delete(dir.resolve("block"));
        return new Killed(shell, sleep, runDir);
    }

    /** @return how often the text holds the part */
    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }

    /**
     * @return whether the process has ended: gone, or a zombie (an orphan's exit is collected by
     *     init, which in some containers does so late or never)
     */
    private static boolean ended(ProcessHandle h) {
        try {
            String stat =
                    Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"), StandardCharsets.ISO_8859_1);
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException e) {
            return !h.isAlive();
        }
    }

    /** @return the process's CHEMFIT_RUN_TAG entry, from /proc/PID/environ */
    private static String tagOf(long pid) throws IOException {
        String env = new String(
                Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")), StandardCharsets.ISO_8859_1);
        for (String e : env.split("\0")) {
            if (e.startsWith("CHEMFIT_RUN_TAG=")) {
                return e;
            }
        }
        throw new AssertionError("no CHEMFIT_RUN_TAG in the environment of " + pid + ": " + env);
    }
}
