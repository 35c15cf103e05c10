package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a fit says about the run directory of a failed external term: an output with another number
 * of values than its reference keeps its run directory with {@code failure.json} and names it,
 * and under {@code keep: none} no message or output file names a run directory, since none is
 * left. Real shell scripts are the programs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RunDirectoryOfFailuresTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** @return a job whose term runs this shell script and compares 'e' of out.json with the reference */
    private Path job(String script, String reference, String more) throws Exception {
        return ShellScriptJob.write(tmp, script, ShellScriptJob.JSON_E, "{e: " + reference + "}", 5, more);
    }

    /**
     * @return a script that runs {@code failure} in its first run and writes e = 1.0 in the others: a
     *     fit that goes on after a failure, and computes its term (one whose every loss were the
     *     penalty alone would fail)
     */
    private String failsOnce(String failure) {
        Path mark = tmp.resolve("failed-once");
        return "if [ ! -e '" + mark + "' ]; then\n: > '" + mark + "'\n" + failure
                + "\nfi\necho '{\"e\": 1.0}' > out.json\n";
    }

    private List<Path> runDirs() throws Exception {
        return list(tmp.resolve("out/runs"));
    }

    private static List<Path> list(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.sorted().toList();
        }
    }

    @Test
    void anOutputWithMoreValuesThanItsReferenceKeepsItsRunDirectoryAndNamesIt() throws Exception {
        Path job = job("echo '{\"e\": [1.0, 2.0, 3.0]}' > out.json\n", "[1.0, 2.0]", "");
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        List<Path> dirs = runDirs();
        assertEquals(1, dirs.size(), "the failed run's directory is kept: " + dirs);
        Path dir = dirs.get(0);
        String reason = "term 0 't' failed: external term 't' failed at step parse: quantity 'e' has 3 values in"
                + " out.json, the reference has 2 values; an output must have as many values as its reference"
                + " (run directory " + dir + ")";
        assertTrue(
                r.err()
                        .contains("error: the fit stopped in its first evaluation because it failed (e0, at {a=1.0}): "
                                + reason),
                r::toString);
        assertEquals("{\"e\": [1.0, 2.0, 3.0]}\n", Files.readString(dir.resolve("out.json")));
        JsonNode report = JSON.readTree(dir.resolve("failure.json").toFile());
        assertEquals("parse", report.get("step").asText());
        assertEquals(
                "quantity 'e' has 3 values in out.json, the reference has 2 values; an output must have as many"
                        + " values as its reference",
                report.get("message").asText());
        JsonNode results = JSON.readTree(tmp.resolve("out/results.json").toFile());
        assertEquals(reason, results.at("/terms/0/failure").asText());
    }

    @Test
    void aSingleNumberAgainstAReferenceListFailsAnEvalAndKeepsItsRunDirectory() throws Exception {
        Path job = job("echo '{\"e\": 1.5}' > out.json\n", "[1.0, 2.0]", "");
        Cli.Run r = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        // eval's run directories go to runs/eval/, apart from the fit's
        assertEquals(List.of(tmp.resolve("out/runs/eval")), runDirs());
        Path dir = list(tmp.resolve("out/runs/eval")).get(0);
        assertTrue(
                r.err()
                        .contains("error: the evaluation failed: term 0 't' failed: external term 't' failed at step"
                                + " parse: quantity 'e' is a single number in out.json, the reference has 2 values;"
                                + " an output must have as many values as its reference (run directory " + dir
                                + ")"),
                r::toString);
        assertTrue(Files.isRegularFile(dir.resolve("failure.json")));
    }

    /**
     * A fit and an eval of the same job, both failing in their evaluation 0: their run directories
     * have names alike ({@code t-e0-0-p...}), and eval's are told apart by their folder, runs/eval/.
     */
    @Test
    void anEvalsRunDirectoriesAreApartFromTheFitsInRunsEval() throws Exception {
        Path job = job("echo '{\"e\": 1.5}' > out.json\n", "[1.0, 2.0]", "");
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.FIT_FAILED, fit.code(), fit::toString);
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.FIT_FAILED, eval.code(), eval::toString);
        List<Path> runs = runDirs();
        assertEquals(2, runs.size(), runs::toString);
        Path evalFolder = tmp.resolve("out/runs/eval");
        assertEquals(evalFolder, runs.get(0), runs::toString);
        Path fitDir = runs.get(1);
        List<Path> evalDirs = list(evalFolder);
        assertEquals(1, evalDirs.size(), evalDirs::toString);
        Path evalDir = evalDirs.get(0);
        for (Path d : List.of(fitDir, evalDir)) {
            assertTrue(d.getFileName().toString().matches("t-e0-0-p[0-9]+-[a-z0-9]+"), d::toString);
            assertTrue(Files.isRegularFile(d.resolve("failure.json")), d::toString);
        }
        assertTrue(fit.err().contains("(run directory " + fitDir + ")"), fit::toString);
        assertTrue(eval.err().contains("(run directory " + evalDir + ")"), eval::toString);
    }

    @Test
    void underKeepNoneAFailureThatStopsTheFitNamesNoRunDirectory() throws Exception {
        Path job = job("echo 'bad things' >&2\nexit 3\n", "1.0", "execution: {keep: none}");
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        assertEquals(List.of(), runDirs());
        String reason = "term 0 't' failed: external term 't' failed at step run: command '" + tmp.resolve("sim.sh")
                + "' exited with code 3 (its run directory was removed under keep: none)\n"
                + "program.stderr (last 1 lines):\nbad things";
        assertTrue(
                r.err()
                        .contains("error: the fit stopped in its first evaluation because it failed (e0, at {a=1.0}): "
                                + reason),
                r::toString);
        JsonNode results = JSON.readTree(tmp.resolve("out/results.json").toFile());
        assertEquals(reason, results.at("/terms/0/failure").asText());
        Cli.Run report = Cli.run("report", tmp.resolve("out").toString(), "--no-plots");
        assertTrue(report.out().contains("(its run directory was removed under keep: none)"), report::toString);
        for (String text : List.of(r.out(), r.err(), results.toString(), report.out(), report.err())) {
            assertFalse(text.contains(tmp.resolve("out/runs") + "/"), text);
        }
    }

    @Test
    void underKeepNoneTheWarningOfAFitThatGoesOnPointsAtNoFailureReport() throws Exception {
        Path job = job(
                failsOnce("echo 'bad things' >&2\nexit 3"),
                "1.0",
                "combination: {on_failure: penalty," + " penalty: 100}\nexecution: {keep: none}");
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(0, r.code(), r::toString);
        assertEquals(List.of(), runDirs());
        assertTrue(
                r.err()
                        .contains(
                                "warning: term 't' failed in evaluation e0 (on_failure: penalty, the fit goes on; later"
                                        + " failures of this term are counted, not shown): external term 't' failed at step"
                                        + " run: command '" + tmp.resolve("sim.sh") + "' exited with code 3 (its run"
                                        + " directory was removed under keep: none)\nprogram.stderr (last 1 lines):\n"
                                        + "bad things"),
                r::toString);
        assertFalse(r.err().contains("details:"), r::toString);
        String results = Files.readString(tmp.resolve("out/results.json"));
        for (String text : List.of(r.out(), r.err(), results)) {
            assertFalse(text.contains(tmp.resolve("out/runs") + "/"), text);
        }
    }

    @Test
    void underKeepFailedTheWarningOfAFitThatGoesOnNamesTheFailureReport() throws Exception {
        Path job = job(failsOnce("exit 3"), "1.0", "combination: {on_failure: penalty, penalty: 100}");
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(0, r.code(), r::toString);
        Path dir = runDirs().get(0);
        assertTrue(
                r.err().contains("(run directory " + dir + ")\n  details: " + dir.resolve("failure.json")),
                r::toString);
    }
}
