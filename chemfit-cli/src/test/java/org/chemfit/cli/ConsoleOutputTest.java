package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code chemfit fit} and {@code chemfit eval} print and write when terms fail, when the
 * fit warns, and for options and files given wrongly: each message once, in the command's own
 * words, with the numbers and units it is about.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsoleOutputTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeEach
    void copyProgram() throws IOException {
        Path res = Cli.resource("external");
        Files.copy(res.resolve("quad.sh"), dir.resolve("quad.sh"));
        Files.copy(res.resolve("x.txt"), dir.resolve("x.txt"));
    }

    /** quad: y = (x - 2)^2 in K against 0, from x = 0.5; then the given terms and sections. */
    private Path job(String more) throws IOException {
        Path job = dir.resolve("fit.yaml");
        Files.writeString(
                job,
                "name: console\n"
                        + "parameters:\n  x: {initial: 0.5, bounds: [-5.0, 5.0]}\n  y: {initial: 1.0, fixed: true}\n"
                        + "terms:\n"
                        + "  - name: quad\n"
                        + "    kind: external\n"
                        + "    templates: [x.txt]\n"
                        + "    files: [quad.sh]\n"
                        + "    command: [sh, quad.sh]\n"
                        + "    outputs: {y: {parser: json, file: out.json, path: /y}}\n"
                        + "    reference: {y: 0.0}\n"
                        + "    unit: K\n"
                        + more
                        + "output: {folder: out}\n");
        return job;
    }

    /** A term whose program writes a reason on stderr and exits with the given code. */
    private static String failing(String name, String stderr, int code) {
        return "  - name: " + name + "\n"
                + "    kind: external\n"
                + "    command: [sh, -c, \"echo " + stderr + " >&2; exit " + code + "\"]\n"
                + "    outputs: {y: {parser: json, file: out.json, path: /y}}\n"
                + "    reference: {y: 0.0}\n";
    }

    private JsonNode results() throws IOException {
        return JSON.readTree(dir.resolve("out/results.json").toFile());
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void aFailedValidationTermIsReportedAsFailedOnceAndTheFitStillSucceeds() throws IOException {
        Path job = job("validation:\n" + failing("held", "ValueError: bad input", 1)
                + "optimizer: {method: Nelder-Mead, max_evaluations: 6}\n");
        Cli.Run r = Cli.run("fit", job.toString(), "--no-plots", "--progress", "none");
        // the docs' table: a validation term never fails the fit
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        JsonNode v = results().at("/validation/0");
        assertEquals("FAILED", v.get("status").asText(), v.toString());
        assertTrue(v.get("failure").asText().contains("ValueError: bad input"), v.toString());
        String all = r.out() + r.err();
        assertEquals(1, count(all, "validation term 'held' failed at the best parameters: "), r::toString);
        assertEquals(1, count(all, "program.stderr (last 1 lines):\nValueError: bad input\n"), r::toString);
        assertTrue(r.out().contains("exited with code 1"), r::toString);
        assertFalse(r.out().contains("term 0 'held' failed"), "the term is named once: " + r);
    }

    /**
     * Every term skipped leaves an evaluation without a loss: eval's header says "-", as fit's does, and
     * its --json gives null for its value.
     */
    @Test
    void evalSaysNoLossWhenEveryTermWasSkipped() throws IOException {
        Path job = dir.resolve("skipped.yaml");
        Files.writeString(
                job,
                "name: skipped\n"
                        + "parameters:\n  x: {initial: 0.5, bounds: [-5.0, 5.0]}\n"
                        + "terms:\n"
                        + failing("a", "boom", 3)
                        + failing("b", "boom", 3)
                        + "combination: {on_failure: skip}\n"
                        + "output: {folder: out}\n");
        Path file = dir.resolve("eval.json");
        Cli.Run r = Cli.run("eval", job.toString(), "--json", file.toString());
        assertTrue(r.out().startsWith("parameters: "), r::toString);
        assertTrue(r.out().contains("\nloss: -\n"), r::toString);
        assertFalse(r.out().contains("NaN"), r::toString);
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        JsonNode loss = JSON.readTree(file.toFile()).get("loss");
        assertTrue(loss.get("value").isNull(), loss::toString);
    }

    @Test
    void underThePenaltyPolicyTheFirstFailureOfATermIsExplainedOnce() throws IOException {
        Path job = job(failing("bad", "boom", 4)
                + "combination: {on_failure: penalty, penalty: 100.0}\n"
                + "optimizer: {method: Nelder-Mead, max_evaluations: 5}\n");
        Cli.Run r = Cli.run("fit", job.toString(), "--no-plots", "--progress", "log");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        int total = results().at("/evaluations/total").asInt();
        assertTrue(total >= 2, r::toString);
        assertEquals(total, results().at("/evaluations/with_failed_terms").asInt());
        // every evaluation failed the term; the reason is printed for the first only
        assertEquals(
                1,
                count(r.err(), "warning: term 'bad' failed in evaluation e0 (on_failure: penalty, the fit goes on;"),
                r::toString);
        assertEquals(1, count(r.err(), "program.stderr (last 1 lines):\nboom\n"), r::toString);
        assertTrue(r.err().contains("exited with code 4"), r::toString);
        Path failureJson = Path.of(r.err().replaceAll("(?s).*\n  details: (\\S+failure\\.json)\n.*", "$1"));
        assertTrue(Files.isRegularFile(failureJson), r::toString);
        assertTrue(failureJson.startsWith(dir.resolve("out")), r::toString);
        assertTrue(r.out().matches("(?s).*\nbad +external +1 +- +100 +\\S+ +penalty\n.*"), r::toString);
    }

    /**
     * A term of weight 0 is monitored: its failure leaves the loss exact and {@code on_failure}
     * does not apply to it, so that under the default {@code raise} the fit goes on, and the
     * warning says so rather than naming a policy that would have ended the fit.
     */
    @Test
    void theFailureOfATermOfWeightZeroIsNotSaidToBeUnderOnFailure() throws IOException {
        Path job = job(failing("mon", "boom", 4) + "    weight: 0\n"
                + "optimizer: {method: Nelder-Mead, max_evaluations: 3}\n");
        Cli.Run r = Cli.run("fit", job.toString(), "--no-plots", "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals(
                1,
                count(
                        r.err(),
                        "warning: term 'mon' failed in evaluation e0 (a term of weight 0, which on_failure does not"
                                + " apply to: the fit goes on; later failures of this term are counted, not shown):"
                                + " external term 'mon' failed at step run: command 'sh -c echo boom >&2; exit 4'"
                                + " exited with code 4"),
                r::toString);
        assertFalse(r.err().contains("on_failure: raise"), r::toString);
        assertEquals(3, results().at("/evaluations/with_failed_terms").asInt());
        // nothing retried: the count is there, and 0
        assertEquals(0, results().at("/evaluations/recovered_runs").asInt());
    }

    /**
     * {@code chemfit eval} prints a penalised term's loss as {@code fit}'s closing table does: as
     * {@code -}, not NaN; its contribution is the penalty, 100 of a loss of 105.0625 (quad's
     * squared error: y = (0.5 - 2)^2 = 2.25 K against 0, 5.0625 K^2, 4.8%), 95.2%. The two terms'
     * losses have no one unit (bad declares none), so each loss carries its own.
     */
    @Test
    void evalPrintsThePenalisedTermsLossAsADash() throws IOException {
        Path job = job(failing("bad", "boom", 4) + "combination: {on_failure: penalty, penalty: 100.0}\n");
        Cli.Run r = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(
                r.out().matches("(?s).*\nquad +external +1 +5\\.0625 K\\^2 +5\\.0625 +4\\.8% +\\d+\\.\\d{3} +ok\n.*"),
                r::toString);
        assertTrue(
                r.out().matches("(?s).*\nbad +external +1 +- +100 +95\\.2% +\\d+\\.\\d{3} +penalty\n.*"), r::toString);
        assertFalse(r.out().contains("NaN"), r::toString);
    }

    @Test
    void quietAndVerboseTogetherAreRefusedBeforeAnythingRuns() throws IOException {
        Path job = job("optimizer: {method: Nelder-Mead, max_evaluations: 1}\n");
        Cli.Run r = Cli.run("fit", job.toString(), "--no-plots", "-q", "--verbose");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                "error: -q (--quiet) and -v (--verbose) ask for opposite things; give one of them\n",
                r.err(),
                r::toString);
        assertEquals("", r.out(), r::toString);
        assertFalse(Files.exists(dir.resolve("out")), "nothing was written");
    }

    @Test
    void theClosingLinesNameTheLossUnitAndCountInWords() throws IOException {
        Path job = job("optimizer: {method: Nelder-Mead, max_evaluations: 1}\n");
        Cli.Run r = Cli.run("fit", job.toString(), "--no-plots", "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals("K^2", results().at("/loss/unit").asText());
        // (0.5 - 2)^2 = 2.25 K, squared
        assertTrue(r.out().contains("\nloss: 5.0625 K^2 (initial 5.0625 K^2)\n"), r::toString);
        // the term table names the units the closing line names: its terms share K^2
        assertTrue(
                r.out().contains("\nterm  kind      weight  loss (K^2)  contribution (K^2)  share   status\n"),
                r::toString);
        assertTrue(r.out().startsWith("console: done (max evaluations) after 1 evaluation, "), r::toString);
        assertFalse(r.out().contains("rounds"), r::toString);
        assertTrue(r.err().startsWith("fitting 2 parameters, 1 free, of fit.yaml with Nelder-Mead"), r::toString);
    }

    @Test
    void aTermThatEndsTheFitIsMarkedFailed() throws IOException {
        Path job = job(failing("bad", "boom", 4) + "optimizer: {method: Nelder-Mead, max_evaluations: 5}\n");
        Cli.Run r = Cli.run("fit", job.toString(), "--no-plots", "--progress", "none");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        assertEquals("FAILED", results().at("/terms/1/status").asText());
        assertTrue(r.out().matches("(?s).*\nbad +external +1 +- +- +- +failed\n.*"), r::toString);
        assertTrue(r.out().startsWith("console: failed before any evaluation completed, "), r::toString);
        // why it stopped, as for a fit that ran
        assertEquals("FAILED", results().at("/stop_reason").asText(), r::toString);
        // nothing finished: nothing to resume
        assertFalse(r.out().contains("to resume"), r::toString);
    }

    @Test
    void aFitWithoutPredictionsLeavesNoEarlierFitsPredictionsBesideItsResults() throws IOException {
        Path job = job(failing("bad", "boom", 4) + "optimizer: {method: Nelder-Mead, max_evaluations: 5}\n");
        Path stale = Files.createDirectories(dir.resolve("out")).resolve("predictions.csv");
        Files.writeString(stale, "set,term,item,quantity,reference,model_start,model_best,residual_best,unit\n");
        // beside the evaluations.csv of that earlier fit, which makes the folder a fit's
        Files.writeString(
                dir.resolve("out/evaluations.csv"), "evaluation,loss,best_loss,seconds,degraded,failed_terms,x\n");
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        assertTrue(Files.exists(dir.resolve("out/results.json")), r::toString);
        assertFalse(Files.exists(stale), "the failed fit has no predictions, so none stand beside its results");
    }

    /**
     * A fit that fails after evaluations finished has a best point so far: results.json says
     * failed, and predictions.csv holds the model there, as for an interrupted fit.
     */
    @Test
    void aFitThatFailsAfterItsFirstEvaluationWritesPredictionsAtItsBestPointSoFar() throws IOException {
        Files.writeString(
                dir.resolve("edge.sh"),
                "x=$(cat x.txt)\n"
                        + "if [ ! -f '" + dir.resolve("allowed") + "' ] && awk -v x=\"$x\" 'BEGIN { exit !(x > 0.6) }';"
                        + " then echo \"too far: $x\" >&2; exit 4; fi\n"
                        + "echo '{\"y\": 0.0}' > out.json\n");
        Path job = job("  - name: edge\n"
                + "    kind: external\n"
                + "    templates: [x.txt]\n"
                + "    files: [edge.sh]\n"
                + "    command: [sh, edge.sh]\n"
                + "    outputs: {y: {parser: json, file: out.json, path: /y}}\n"
                + "    reference: {y: 0.0}\n"
                + "optimizer: {method: Nelder-Mead, max_evaluations: 40}\n");
        Cli.Run r = Cli.run("fit", job.toString(), "--no-plots", "--progress", "none");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        JsonNode results = results();
        assertEquals("failed", results.get("status").asText(), results::toString);
        JsonNode x = results.get("parameters").get(0);
        assertEquals("x", x.get("name").asText(), results::toString);
        double best = x.get("best").asDouble();
        assertTrue(best > 0.5 && best <= 0.6, results::toString);
        List<String> rows = Files.readAllLines(dir.resolve("out/predictions.csv"));
        assertEquals(3, rows.size(), rows::toString);
        assertTrue(rows.get(1).startsWith("fit,quad,0,y,0.0,2.25,"), rows::toString);
        assertEquals((best - 2) * (best - 2), Double.parseDouble(rows.get(1).split(",")[6]), 1e-12, rows::toString);
        assertTrue(rows.get(2).startsWith("fit,edge,0,y,0.0,0.0,0.0,"), rows::toString);
        // the evaluations that finished are kept, and the same command goes on with them once the cause is fixed
        java.util.regex.Matcher stopped = java.util.regex.Pattern.compile("after (\\d+) completed evaluations")
                .matcher(r.err());
        assertTrue(stopped.find(), r::toString);
        int finished = Integer.parseInt(stopped.group(1));
        assertTrue(
                r.out()
                        .contains("once what failed is fixed outside the job (the job file and the files it stages or"
                                + " runs must stay as they were), run the same command to resume: " + finished
                                + " evaluations are"
                                + " in the journal; a changed job starts over with --restart\n"),
                r::toString);
        // fixed outside the job: the script lets every x through once this file is there
        Files.writeString(dir.resolve("allowed"), "");
        Cli.Run again = Cli.run("fit", job.toString(), "--no-plots", "--progress", "none");
        assertTrue(again.err().contains("resuming run 1"), again::toString);
    }

    @Test
    void clusterOptionsWithoutClusterAreRefusedAndSaySoForTheDashboardPort() throws IOException {
        Path job = job("optimizer: {max_evaluations: 1}\n");
        Cli.Run r = Cli.run("fit", job.toString(), "--dashboard", "--port", "9000");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                "error: --port (the first port the cluster member tries) is an option of a fit on a cluster and needs"
                        + " --cluster NAME (see docs/cluster.md); the dashboard's port is given as --dashboard=PORT\n",
                r.err(),
                r::toString);
        Cli.Run two = Cli.run("fit", job.toString(), "--bind", "10.0.0.1", "--driver-threads", "2");
        assertEquals(ExitCodes.USAGE, two.code(), two::toString);
        assertTrue(
                two.err()
                        .startsWith("error: --bind (the interface the cluster member listens on), --driver-threads (the"
                                + " terms the driver runs itself) are options of a fit on a cluster"),
                two::toString);
        assertFalse(Files.exists(dir.resolve("out")), "nothing was written");
    }

    /**
     * A host name given to --bind is refused before the job is read and before Hazelcast starts:
     * the command's own error is the only line, with no log of a member that could not start.
     */
    @Test
    void aHostNameGivenToBindIsRefusedBeforeTheJobIsRead() throws IOException {
        Path job = job("optimizer: {max_evaluations: 1}\n");
        String rule = "the bind address must be an IPv4 address such as 10.1.0.7 or a pattern of one such as 10.*.*.*"
                + " or 10.1.0.4-18, not a host name or an IPv6 address, got 'localhost'";
        Cli.Run worker = Cli.run("worker", "no-such-job.yaml", "--cluster", "b", "--bind", "localhost");
        assertEquals(ExitCodes.USAGE, worker.code(), worker::toString);
        assertEquals("error: " + rule + "\n", worker.err(), worker::toString);
        Cli.Run fit = Cli.run("fit", job.toString(), "--cluster", "b", "--bind", "999.1.1.1");
        assertEquals(ExitCodes.USAGE, fit.code(), fit::toString);
        assertEquals(
                "error: the bind address '999.1.1.1' has the part '999': each part of an IPv4 address or pattern is a"
                        + " number 0-255, '*' or a range of such numbers from the lower to the higher\n",
                fit.err(),
                fit::toString);
        assertFalse(Files.exists(dir.resolve("out")), "nothing was written");
    }

    @Test
    void fitHelpListsTheMethods() {
        Cli.Run r = Cli.run("fit", "--help");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(
                help.contains(
                        "Methods (optimizer.method in the job file, any case): Nelder-Mead, Powell, BOBYQA, CMA-ES,"
                                + " CMA-ES-hipparchus, least-squares, levenberg-marquardt, L-BFGS-B."),
                r::toString);
        assertTrue(
                help.contains("the earlier runs' run directories are kept, and the earlier fit's results,"
                        + " evaluations.csv, predictions.csv, report and plots are moved into earlier-runs/run-N of"
                        + " the output folder."),
                r::toString);
    }

    @Test
    void simplexIsNotAMethodName() throws IOException {
        Path job = job("optimizer: {method: simplex}\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains("optimizer method 'simplex' is not known; methods: Nelder-Mead,"), r::toString);
    }

    @Test
    void evalParamsSaysWhatItExpectedAndTakesTheOutputFolder() throws IOException {
        Path job = job("optimizer: {method: Nelder-Mead, max_evaluations: 3}\n");
        Cli.Run notJson = Cli.run("eval", job.toString(), "--params", job.toString());
        assertEquals(ExitCodes.USAGE, notJson.code(), notJson::toString);
        assertTrue(
                notJson.err().startsWith("error: " + job + ":1:1: not valid JSON: Unrecognized token 'name'"),
                notJson::toString);
        assertTrue(notJson.err().contains("(a results.json of chemfit fit was expected)"), notJson::toString);
        assertFalse(notJson.err().contains("Source") || notJson.err().contains("REDACTED"), notJson::toString);
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Cli.Run folder = Cli.run("eval", job.toString(), "--params", empty.toString());
        assertEquals(ExitCodes.USAGE, folder.code(), folder::toString);
        assertEquals(
                "error: --params " + empty + ": is a folder without a results.json or a journal.sqlite; give the"
                        + " results.json of a fit, or the output folder that holds it (or its journal)\n",
                folder.err());
        assertEquals(
                ExitCodes.OK, Cli.run("fit", job.toString(), "-q", "--no-plots").code());
        Cli.Run ok =
                Cli.run("eval", job.toString(), "--params", dir.resolve("out").toString());
        assertEquals(ExitCodes.OK, ok.code(), ok::toString);
        assertTrue(ok.out().startsWith("parameters: "), ok::toString);
        // one reference value: R^2 means nothing, shown as in the closing table of fit
        assertFalse(ok.out().contains("NaN"), ok::toString);
        assertTrue(ok.out().matches("(?s).*\nfit +quad +y +K +1 +\\S+ +\\S+ +\\S+ +-\n.*"), ok::toString);
    }

    @Test
    void evalParamsOfAnotherJobNamesTheParametersItDoesNotMatch() throws IOException {
        Path job = job("optimizer: {method: Nelder-Mead, max_evaluations: 3}\n");
        assertEquals(
                ExitCodes.OK, Cli.run("fit", job.toString(), "-q", "--no-plots").code());
        Path results = dir.resolve("out").resolve("results.json");
        String text = Files.readString(results);
        assertTrue(text.contains("\"name\" : \"y\""), text);
        // the results of a job whose second parameter is named w, not y
        Path other = dir.resolve("other.json");
        Files.writeString(other, text.replace("\"name\" : \"y\"", "\"name\" : \"w\""));
        Cli.Run r = Cli.run("eval", job.toString(), "--params", other.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains("warning: --params " + other + " does not list the job's parameter 'y': it keeps its"
                                + " initial value (the file may be another job's)\n"),
                r::toString);
        assertTrue(
                r.err()
                        .contains("warning: --params " + other + " lists parameter 'w', which the job does not have:"
                                + " not used\n"),
                r::toString);
        Cli.Run same = Cli.run("eval", job.toString(), "--params", results.toString());
        assertEquals(ExitCodes.OK, same.code(), same::toString);
        assertFalse(same.err().contains("--params"), same::toString);
    }

    @Test
    void evalParamsSaysWhatTheResultsSayOfTheFitAndCountsListItemsFromZero() throws IOException {
        Path job = job("optimizer: {method: Nelder-Mead, max_evaluations: 3}\n");
        assertEquals(
                ExitCodes.OK, Cli.run("fit", job.toString(), "-q", "--no-plots").code());
        Path out = dir.resolve("out");
        Path results = out.resolve("results.json");
        com.fasterxml.jackson.databind.node.ObjectNode done =
                (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(results.toFile());
        com.fasterxml.jackson.databind.node.ObjectNode failed = done.deepCopy();
        failed.put("status", "failed");
        failed.put("message", "term 'quad' failed at the initial parameters");
        for (JsonNode p : failed.get("parameters")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) p).putNull("best");
        }
        Files.writeString(results, failed.toString());
        Cli.Run r = Cli.run("eval", job.toString(), "--params", out.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                "error: --params " + results + ": parameter 'x' has no best value (the results say the fit failed:"
                        + " term 'quad' failed at the initial parameters)\n",
                r.err());
        failed.put("status", "interrupted");
        failed.remove("message");
        Files.writeString(results, failed.toString());
        r = Cli.run("eval", job.toString(), "--params", out.toString());
        assertEquals(
                "error: --params " + results + ": parameter 'x' has no best value (the results say the fit was"
                        + " interrupted)\n",
                r.err());
        // the first parameter's best a string: the path counts from 0, as the job file's messages do
        com.fasterxml.jackson.databind.node.ObjectNode bad = done.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) bad.get("parameters").get(0)).put("best", "x");
        Files.writeString(results, bad.toString());
        r = Cli.run("eval", job.toString(), "--params", out.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains("'parameters[0].best' is a string, not a number"), r::toString);
        bad = done.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) bad.get("terms").get(0)).put("contribution", "x");
        Files.writeString(results, bad.toString());
        r = Cli.run("report", out.toString(), "--no-plots");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains("'terms[0].contribution' is a string, not a number"), r::toString);
    }

    @Test
    void aChangedJobIsRefusedInTheCommandsOwnWords() throws IOException {
        Path job = job("optimizer: {method: Nelder-Mead, max_evaluations: 2}\n");
        assertEquals(
                ExitCodes.OK, Cli.run("fit", job.toString(), "-q", "--no-plots").code());
        Files.writeString(job, Files.readString(job).replace("initial: 0.5", "initial: 0.6"));
        Cli.Run r = Cli.run("fit", job.toString(), "-q", "--no-plots");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains("(chemfit fit --restart; the earlier runs are kept)"), r::toString);
        assertFalse(r.err().contains("JournalMode"), r::toString);
    }
}
