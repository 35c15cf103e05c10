package org.chemfit.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code chemfit fit} of an external term is stopped while its program runs (SIGKILL, or
 * SIGTERM) and run again on the same output folder: the run directory of the run it was cut off
 * in follows the keep policy on the resume. Under {@code keep: failed} it is removed (with what
 * the log says), while a failed run's directory, a directory of another process and anything
 * else in the folder stay; under {@code keep: all} it stays.
 */
@org.junit.jupiter.api.Timeout(value = 300, unit = TimeUnit.SECONDS)
class CancelledRunsIT {

    @TempDir
    Path tmp;

    /** Writes a job of one external term whose program blocks while the file {@code block} exists. */
    private static Path job(Path dir, String keep) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("block"), "");
        Files.writeString(dir.resolve("prog.sh"), """
                #!/usr/bin/env bash
                set -eu
                if [ -e '%1$s' ]; then echo "$PWD" >> '%2$s'; sleep 600; fi
                read -r x < params.txt
                awk -v x="$x" 'BEGIN { printf "value %%.17g\\n", (x - 0.3) ^ 2 }' > out.txt
                """.formatted(dir.resolve("block"), dir.resolve("started.txt")));
        Files.writeString(dir.resolve("params.tmpl"), "{{ x }}\n");
        Path job = dir.resolve("fit.yaml");
        Files.writeString(job, """
                parameters:
                  x: {initial: 0.5, bounds: [0, 1]}
                terms:
                  - kind: external
                    name: slow
                    command: [bash, "%s"]
                    templates: {params.txt: params.tmpl}
                    outputs:
                      v: {parser: regex, file: out.txt, pattern: "value (\\\\S+)"}
                    reference: {v: 0.0}
                optimizer:
                  method: Nelder-Mead
                  max_evaluations: 4
                execution:
                  keep: %s
                output:
                  folder: out
                  plots: false
                """.formatted(dir.resolve("prog.sh"), keep));
        return job;
    }

    /** Starts the fit, stops it while its first program runs, and returns the cut-off run's directory. */
    private static Path startAndStop(Path dir, Path job, boolean sigterm) throws Exception {
        Process p = InterruptIT.start(dir, "fit", job.toString(), "--progress", "none");
        Path started = dir.resolve("started.txt");
        try {
            await("the program to start")
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(20))
                    .failFast(() ->
                            assertTrue(p.isAlive(), () -> "the program did not start\n" + InterruptIT.output(dir)))
                    .untilAsserted(() -> assertTrue(
                            Files.exists(started) && !Files.readString(started).isBlank(),
                            () -> "the program did not start\n" + InterruptIT.output(dir)));
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            p.destroyForcibly();
            throw e;
        }
        Path runDir = Path.of(Files.readString(started).strip());
        List<ProcessHandle> children = p.descendants().toList();
        if (sigterm) {
            InterruptIT.sigterm(p);
        } else {
            p.destroyForcibly(); // SIGKILL: nothing of the fit runs after it
        }
        try {
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chemfit did not stop");
        } finally {
            p.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
        }
        assertEquals(sigterm ? ExitCodes.TERMINATED : 137, p.exitValue(), InterruptIT.output(dir));
        assertEquals(dir.resolve("out/runs").toRealPath(), runDir.getParent().toRealPath());
        assertTrue(runDir.getFileName().toString().startsWith("slow-e"), runDir.toString());
        assertTrue(runDir.getFileName().toString().contains("-p" + p.pid() + "-"), runDir.toString());
        assertTrue(Files.isDirectory(runDir), "the cut-off run left its directory behind: " + runDir);
        assertEquals(sigterm, Files.exists(runDir.resolve("failure.json")), "only an orderly stop writes failure.json");
        Files.delete(dir.resolve("block"));
        return runDir;
    }

    private static Process resume(Path dir, Path job) throws Exception {
        Process p = InterruptIT.start(dir, "fit", job.toString(), "--progress", "none", "--verbose");
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the resumed fit did not finish\n" + InterruptIT.output(dir));
        }
        assertEquals(0, p.exitValue(), InterruptIT.output(dir));
        assertTrue(
                Files.readString(dir.resolve("stderr.txt")).contains("resuming run 1 of the journal"),
                InterruptIT.output(dir));
        return p;
    }

    private static List<String> names(Path runs) throws IOException {
        try (var s = Files.list(runs)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void underKeepFailedTheKilledRunsDirectoryIsRemovedOnResumeAndNothingElse() throws Exception {
        Path dir = tmp.resolve("failed");
        Path job = job(dir, "failed");
        Path cut = startAndStop(dir, job, false);
        Path runs = cut.getParent();
        String pid = cut.getFileName().toString().replaceAll(".*-p(\\d+)-[0-9a-z]+$", "$1");
        // A failed run of the same process: failure.json says it failed, so it is kept.
        Path failed = Files.createDirectory(runs.resolve("slow-e9-p" + pid + "-failed1"));
        Files.writeString(failed.resolve("failure.json"), "{\"term\": \"slow\", \"cancelled\": false}");
        // The same pattern from a process that is not an attempt of this fit, and things of the user's.
        Path other = Files.createDirectory(runs.resolve("slow-e0-p1-other1"));
        Files.writeString(other.resolve("params.txt"), "0.5\n");
        Files.createDirectory(runs.resolve("notes"));
        Files.writeString(runs.resolve("readme.txt"), "kept\n");

        resume(dir, job);
        String err = Files.readString(dir.resolve("stderr.txt"));
        assertFalse(Files.exists(cut), "the cut-off run's directory is removed\n" + err);
        assertTrue(err.contains("removed the run directory "), err);
        assertTrue(err.contains(cut.getFileName() + " of a run cut off by an earlier attempt (keep: failed)"), err);
        assertTrue(
                err.contains("removed 1 run directory of runs cut off by the earlier attempt (execution keep: failed)"),
                err);
        // successful runs of the resumed fit are deleted as usual: only what was there before stays
        assertEquals(
                List.of(
                        "notes",
                        "readme.txt",
                        other.getFileName().toString(),
                        failed.getFileName().toString()),
                names(runs));
        assertTrue(Files.exists(failed.resolve("failure.json")) && Files.exists(other.resolve("params.txt")));
    }

    @Test
    void underKeepFailedARunStoppedBySigtermIsRemovedOnResume() throws Exception {
        Path dir = tmp.resolve("sigterm");
        Path job = job(dir, "failed");
        Path cut = startAndStop(dir, job, true);
        assertTrue(Files.readString(cut.resolve("failure.json")).contains("\"cancelled\" : true"));

        resume(dir, job);
        String err = Files.readString(dir.resolve("stderr.txt"));
        assertFalse(Files.exists(cut), err);
        assertEquals(List.of(), names(cut.getParent()), err);
    }

    @Test
    void underKeepAllTheKilledRunsDirectoryStays() throws Exception {
        Path dir = tmp.resolve("all");
        Path job = job(dir, "all");
        Path cut = startAndStop(dir, job, false);

        resume(dir, job);
        String err = Files.readString(dir.resolve("stderr.txt"));
        assertTrue(Files.isDirectory(cut) && Files.exists(cut.resolve("params.txt")), err);
        assertFalse(err.contains("of a run cut off by an earlier attempt"), err);
        assertFalse(err.contains("run directories of runs cut off"), err);
        // the resumed fit's runs are kept too: the cut-off one and at least the 4 evaluations
        assertTrue(names(cut.getParent()).size() >= 5, names(cut.getParent()).toString());
    }
}
