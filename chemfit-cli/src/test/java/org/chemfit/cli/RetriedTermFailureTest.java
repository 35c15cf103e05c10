package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A term that fails on every run that {@code execution.retries} allows says on which attempt of
 * how many it failed, and each run's {@code failure.json} says which run it was. The program is a
 * real shell script that exits with code 139 itself: the message says what a shell means by that
 * code, not that the program was killed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RetriedTermFailureTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void theLastAttemptOfExecutionRetriesIsNamedAndEachRunDirectorySaysWhichRunItWas() throws Exception {
        Path job = ShellScriptJob.write(
                tmp, "exit 139\n", ShellScriptJob.JSON_E, "{e: 1.0}", 5, "execution: {retries: 2}");
        Path sim = tmp.resolve("sim.sh");
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains("term 0 't' failed on attempt 3 of 3 (the 2 before it failed too): external term 't'"
                                + " failed at step run: command '" + sim + "' exited with code 139 (as a shell"
                                + " reports a program killed by signal 11, SIGSEGV) (run directory "),
                r::toString);
        List<Integer> retries = new ArrayList<>();
        try (Stream<Path> s = Files.list(tmp.resolve("out/runs"))) {
            for (Path dir : s.toList()) {
                JsonNode f = JSON.readTree(dir.resolve("failure.json").toFile());
                assertEquals(0, f.get("attempt").asInt(), "no retries of the term's own: " + f);
                assertEquals(139, f.get("exit_code").asInt());
                retries.add(f.get("retry").asInt());
            }
        }
        retries.sort(null);
        assertEquals(List.of(0, 1, 2), retries);
    }

    /**
     * Writes {@code sim.sh}, which counts its calls in {@code calls} and fails when {@code fails}
     * holds of the count before it ({@code n}), else copies its rendered input, and the job that runs
     * it as term {@code t}.
     *
     * @return the job file
     */
    private Path flakyJob(Path calls, String fails, int evaluations, String execution) throws IOException {
        Path sim = tmp.resolve("sim.sh");
        Files.writeString(
                sim,
                "#!/bin/sh\n"
                        + "n=$(cat '" + calls + "' 2>/dev/null || echo 0)\n"
                        + "echo $((n + 1)) > '" + calls + "'\n"
                        + "if " + fails + "; then echo 'licence server not answering' >&2; exit 1; fi\n"
                        + "cp in.json out.json\n");
        Files.setPosixFilePermissions(sim, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(tmp.resolve("in.json"), "{\"e\": {{ a }}}\n");
        Path job = tmp.resolve("fit.yaml");
        Files.writeString(job, """
                name: flaky
                parameters:
                  a: {initial: 0.2, bounds: [0, 2]}
                terms:
                  - name: t
                    kind: external
                    command: [./sim.sh]
                    files: [sim.sh]
                    templates: {in.json: in.json}
                    outputs:
                      e: {parser: json, file: out.json, path: e}
                    reference: {e: 1.0}
                optimizer: {method: Nelder-Mead, max_evaluations: %d}
                output: {folder: out, plots: false}
                %s
                """.formatted(evaluations, execution));
        return job;
    }

    /**
     * An external term's own {@code retries} (of a transient failure: here a kill by SIGKILL) are
     * counted too: the program killed on its first call ran again and succeeded, and the fit says so.
     */
    @Test
    void aTermsOwnRetriesOfAKilledProgramAreCountedAndSaid() throws Exception {
        Path calls = tmp.resolve("calls");
        Path job = flakyJob(calls, "false", 3, "");
        killedWhen("[ \"$n\" -eq 0 ]", job);
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals("4", Files.readString(calls).strip(), "3 evaluations, the first run twice");
        JsonNode ev = JSON.readTree(tmp.resolve("out/results.json").toFile()).get("evaluations");
        assertEquals(1, ev.get("recovered_runs").asInt(), ev::toString);
        assertEquals("{\"t\":1}", ev.get("recovered_runs_by_term").toString());
        assertTrue(
                r.out()
                        .contains(
                                "warning: 1 run failed and its term succeeded when run again (execution.retries, or"
                                        + " an external term's own retries), which takes the run that succeeded: 1 of term 't'"),
                r::toString);
    }

    /**
     * Both kinds of retry in one term's evaluation: its own retry of a killed program, then, when
     * that fails too, the failure policy's run again, whose own first run is killed as well: every
     * failed run is counted.
     */
    @Test
    void aTermsOwnRetriesAndTheFailurePolicysAreCountedTogether() throws Exception {
        Path calls = tmp.resolve("calls");
        // calls 1 and 3 killed (transient), call 2 exits 1, call 4 succeeds
        Path job = flakyJob(calls, "[ \"$n\" -eq 1 ]", 1, "execution: {retries: 1}");
        killedWhen("[ \"$n\" -eq 0 ] || [ \"$n\" -eq 2 ]", job);
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals("4", Files.readString(calls).strip(), "one evaluation, run four times");
        JsonNode ev = JSON.readTree(tmp.resolve("out/results.json").toFile()).get("evaluations");
        assertEquals(3, ev.get("recovered_runs").asInt(), ev::toString);
    }

    /**
     * Makes {@code sim.sh} of {@link #flakyJob} kill itself with SIGKILL when {@code killed} holds of
     * its count ({@code n}), a transient failure, and gives the job's term a retry of its own.
     */
    private void killedWhen(String killed, Path job) throws IOException {
        Path sim = tmp.resolve("sim.sh");
        String script = Files.readString(sim);
        int firstIf = script.indexOf("if ");
        Files.writeString(
                sim,
                script.substring(0, firstIf) + "if " + killed + "; then kill -9 $$; fi\n" + script.substring(firstIf));
        Files.writeString(
                job,
                Files.readString(job).replace("    reference: {e: 1.0}", "    retries: 1\n    reference: {e: 1.0}"));
    }

    /** eval says it too: the program killed on its first call ran again and succeeded. */
    @Test
    void evalSaysARunThatFailedAndSucceededWhenRunAgain() throws Exception {
        Path calls = tmp.resolve("calls");
        Path job = flakyJob(calls, "false", 3, "");
        killedWhen("[ \"$n\" -eq 0 ]", job);
        Cli.Run r = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals("2", Files.readString(calls).strip(), "one evaluation, its run twice");
        assertTrue(
                r.err()
                        .contains("warning: 1 run failed and its term succeeded when run again (execution.retries, or"
                                + " an external term's own retries), which takes the run that succeeded: 1 of term 't';"
                                + " its failure.json is in its run directory in " + tmp.resolve("out/runs/eval")
                                + "\n"),
                r::toString);
        Cli.Run again = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, again.code(), again::toString);
        assertTrue(!again.err().contains("run again"), "nothing failed the second time: " + again);
    }

    /** One run that failed and succeeded when run again is said in the singular. */
    @Test
    void oneRunThatFailedAndSucceededWhenRunAgainIsSaidInTheSingular() throws Exception {
        Path calls = tmp.resolve("calls");
        // the first call fails, every later one succeeds
        Path job = flakyJob(calls, "[ \"$n\" -eq 0 ]", 3, "execution: {retries: 1, workers: 1}");
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals("4", Files.readString(calls).strip(), "3 evaluations, the first run twice");
        assertTrue(
                r.out()
                        .contains("warning: 1 run failed and its term succeeded when run again (execution.retries, or"
                                + " an external term's own retries), which takes the run that succeeded: 1 of term 't'; its failure.json is in its run"
                                + " directory in " + tmp.resolve("out/runs") + "\n"),
                r::toString);
    }

    /**
     * A program that fails on every other call (a licence server half down), under
     * {@code retries: 1}: each evaluation's first run fails and its second succeeds, so that the
     * loss is exact and no term counts as failed; the fit says how many runs failed, of which
     * term, and where their {@code failure.json} files are, in its closing lines, in
     * {@code results.json} and in {@code chemfit report}. Resumed with a larger budget, the fit
     * counts the runs the journal recorded for the evaluations it replays, and runs none of them again.
     */
    @Test
    void runsThatFailedAndSucceededWhenRunAgainAreCountedAndSaid() throws Exception {
        Path calls = tmp.resolve("calls");
        // every other call fails, the first included
        Path job = flakyJob(calls, "[ $((n % 2)) -eq 0 ]", 6, "execution: {retries: 1}");
        Path runs = tmp.resolve("out/runs");
        String said =
                "warning: 6 runs failed and their terms succeeded when run again (execution.retries, or an external term's own"
                        + " retries), which takes the run that succeeded: 6 of term 't'; the failure.json of each is in its run directory in "
                        + runs
                        + "\n";

        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        // 6 evaluations of one term, each run twice: the first run of each failed
        assertEquals("12", Files.readString(calls).strip());
        assertTrue(r.out().contains(said), r::toString);
        JsonNode ev = JSON.readTree(tmp.resolve("out/results.json").toFile()).get("evaluations");
        assertEquals(6, ev.get("total").asInt(), ev::toString);
        assertEquals(0, ev.get("with_failed_terms").asInt(), ev::toString);
        assertEquals(6, ev.get("recovered_runs").asInt(), ev::toString);
        assertEquals("{\"t\":6}", ev.get("recovered_runs_by_term").toString());
        assertEquals(runs.toString(), ev.get("recovered_runs_folder").asText());
        // keep: failed (the default) kept the directory of each failed run, with its failure.json
        try (Stream<Path> s = Files.list(runs)) {
            List<Path> kept = s.toList();
            assertEquals(6, kept.size(), kept::toString);
            for (Path dir : kept) {
                JsonNode f = JSON.readTree(dir.resolve("failure.json").toFile());
                assertEquals(0, f.get("retry").asInt(), f::toString);
                assertEquals(1, f.get("exit_code").asInt(), f::toString);
            }
        }

        Cli.Run report = Cli.run("report", tmp.resolve("out").toString());
        assertEquals(ExitCodes.OK, report.code(), report::toString);
        assertTrue(report.out().contains(said), report::toString);

        // resumed with 4 more evaluations: the 6 recorded are replayed, their failed runs counted as recorded
        Cli.Run more = Cli.run("fit", job.toString(), "--progress", "none", "--max-evaluations", "10");
        assertEquals(ExitCodes.OK, more.code(), more::toString);
        assertEquals("20", Files.readString(calls).strip(), "the 6 recorded evaluations ran nothing again");
        JsonNode ev2 = JSON.readTree(tmp.resolve("out/results.json").toFile()).get("evaluations");
        assertEquals(10, ev2.get("total").asInt(), ev2::toString);
        assertEquals(10, ev2.get("recovered_runs").asInt(), ev2::toString);
        assertTrue(
                more.out()
                        .contains("warning: 10 runs failed and their terms succeeded when run again"
                                + " (execution.retries, or an external term's own retries), which takes the run that succeeded: 10 of term 't'; the failure.json of each is in its run directory in "
                                + runs + "\n"),
                more::toString);
    }
}
