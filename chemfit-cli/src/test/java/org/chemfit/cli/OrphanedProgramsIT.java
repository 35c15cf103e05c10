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
 * outside the fit's run directories is left alone.
 */
@org.junit.jupiter.api.Timeout(value = 300, unit = TimeUnit.SECONDS)
class OrphanedProgramsIT {

    @TempDir
    Path tmp;

    @Test
    void theResumedFitEndsTheProgramsTheKilledFitLeftRunningBeforeItRemovesTheirRunDirectory() throws Exception {
        Path dir = tmp.resolve("orphans");
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

        List<ProcessHandle> started = new ArrayList<>();
        Process fit = InterruptIT.start(dir, "fit", job.toString(), "--progress", "none");
        try {
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
            Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
            ProcessBuilder pb = new ProcessBuilder("sleep", "600").directory(elsewhere.toFile());
            pb.environment().put("CHEMFIT_RUN_TAG", tag.substring("CHEMFIT_RUN_TAG=".length()));
            ProcessHandle bystander = pb.start().toHandle();
            started.add(bystander);

            fit.destroyForcibly(); // kill -9: nothing of the fit runs after it
            assertTrue(fit.waitFor(90, TimeUnit.SECONDS), "chemfit did not stop");
            assertEquals(137, fit.exitValue(), InterruptIT.output(dir));
            assertTrue(shell.isAlive() && sleep.isAlive(), "the killed fit's program runs on");
            assertTrue(Files.isDirectory(runDir), runDir.toString());
            Files.delete(dir.resolve("block"));

            Process resumed = InterruptIT.start(dir, "fit", job.toString(), "--progress", "none");
            if (!resumed.waitFor(120, TimeUnit.SECONDS)) {
                resumed.destroyForcibly();
                fail("the resumed fit did not finish\n" + InterruptIT.output(dir));
            }
            String err = Files.readString(dir.resolve("stderr.txt"));
            assertEquals(0, resumed.exitValue(), InterruptIT.output(dir));
            assertTrue(
                    err.contains("warning: external term 'slow': 2 processes started by an earlier attempt of the fit"
                            + " (pid " + fit.pid() + " is gone) still ran in its run directory "),
                    err);
            assertTrue(
                    err.contains(runDir.getFileName() + "; they were killed (SIGTERM, then SIGKILL after 5.0 s)"
                            + " before the run directory is removed or used again"),
                    err);
            assertTrue(
                    err.contains(
                            "removed 1 run directory of runs cut off by the earlier attempt (execution keep: failed)"),
                    err);
            // the warning comes before the removal
            assertTrue(err.indexOf("still ran in its run directory") < err.indexOf("removed 1 run directory"), err);
            assertTrue(ended(shell), "the orphaned shell is ended\n" + err);
            assertTrue(ended(sleep), "the orphaned sleep is ended\n" + err);
            assertFalse(Files.exists(runDir), err);
            assertFalse(ended(bystander), "a process working elsewhere is left alone\n" + err);
        } finally {
            fit.destroyForcibly();
            started.forEach(ProcessHandle::destroyForcibly);
        }
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
