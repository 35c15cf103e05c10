package org.chemfit.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.testfixtures.ReadOnlyFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files a fit and a report write and read: one that cannot be written is a clear error naming
 * it (exit 2) and never hides a finished result; a results.json not of this version is said so;
 * results of another run of the journal are not shown as the current fit's.
 */
@org.junit.jupiter.api.Timeout(value = 240, unit = TimeUnit.SECONDS)
class OutputFilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static Path lj() {
        return Cli.resource("jobs/lj.yaml");
    }

    /**
     * Fits once into the folder, so that it is a fit's output folder: what stands in the way of its
     * files afterwards is found when they are written, by a fit run again with --restart.
     */
    private static void fitOnce(Path out) {
        Cli.Run r = Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
    }

    /** No Java exception, class name or stack trace reaches the user. */
    private static void assertNoJava(Cli.Run r) {
        String all = r.out() + r.err();
        for (String s : List.of("Exception", "java.", "\tat ", "REDACTED", "internal error")) {
            assertFalse(all.contains(s), () -> "'" + s + "' printed:\n" + r);
        }
    }

    // ------------------------------------------------------------------ fit

    @Test
    void aFolderWhereResultsJsonGoesIsRefusedBeforeAnythingIsFitted() throws IOException {
        Path out = tmp.resolve("out");
        Files.createDirectories(out.resolve("results.json/inside"));
        Cli.Run r = Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains("error: cannot use " + out + " as the output folder: " + out.resolve("results.json")
                                + " is a folder, and the fit writes its results.json there"),
                r::toString);
        assertFalse(Files.exists(out.resolve("evaluations.csv")), "nothing was fitted");
        assertNoJava(r);
    }

    @Test
    void validateRefusesWhatFitWouldFindInTheWayInTheOutputFolder() throws IOException {
        Path job = tmp.resolve("lj.yaml");
        Files.writeString(
                job,
                Files.readString(lj())
                        .replace(
                                "data/energies.csv",
                                lj().resolveSibling("data/energies.csv").toString()));
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("plots"), "not a folder\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        String plots = "error: cannot use " + out + " as the output folder: " + out.resolve("plots")
                + " is a file, and the fit draws its plots in a folder of that name (--no-plots draws none)\n";
        assertEquals(plots, r.err());
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.USAGE, fit.code(), fit::toString);
        assertTrue(fit.err().contains(plots), fit::toString);
        Files.delete(out.resolve("plots"));
        for (String f : List.of("results.json", "evaluations.csv")) {
            Files.createDirectories(out.resolve(f));
            r = Cli.run("validate", job.toString());
            assertEquals(ExitCodes.USAGE, r.code(), r::toString);
            assertEquals(
                    "error: cannot use " + out + " as the output folder: " + out.resolve(f)
                            + " is a folder, and the fit writes its " + f + " there\n",
                    r.err());
            Files.delete(out.resolve(f));
        }
        assertEquals(ExitCodes.OK, Cli.run("validate", job.toString()).code());
        assertNoJava(r);
    }

    @Test
    @SuppressWarnings("try") // the folder is read-only while the resource is open
    void anOutputFolderThatCannotBeWrittenIsRefusedWithItsReason() throws Exception {
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        try (ReadOnlyFolder unused = ReadOnlyFolder.of(out)) {
            Cli.Run r = Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none", "--no-plots");
            assertEquals(ExitCodes.USAGE, r.code(), r::toString);
            assertTrue(
                    r.err()
                            .contains("error: cannot use " + out
                                    + " as the output folder: permission denied (this user may not write in it)"),
                    r::toString);
            assertNoJava(r);
        }
        try (var s = Files.list(out)) {
            assertEquals(0, s.count(), "nothing was written");
        }
    }

    @Test
    @SuppressWarnings("try") // the folder is read-only while the resource is open
    void aFinishedFitIsReportedFromAFolderThatCannotBeWritten() throws Exception {
        Path out = tmp.resolve("out");
        Cli.Run fit = Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        Cli.Run owner = Cli.run("report", out.toString(), "--no-plots");
        assertEquals(ExitCodes.OK, owner.code(), owner::toString);
        try (ReadOnlyFolder unused = ReadOnlyFolder.of(out);
                ReadOnlyFolder plots = ReadOnlyFolder.of(out.resolve("plots"))) {
            Cli.Run r = Cli.run("report", out.toString());
            assertEquals(ExitCodes.OK, r.code(), r::toString);
            assertTrue(r.out().contains("run 1 of 1: FINISHED"), r::toString);
            assertEquals(
                    owner.out(), r.out().substring(0, owner.out().length()), "the same tables as the owner's report");
            assertTrue(
                    r.out()
                            .contains("plots: not drawn again: " + out.resolve("plots")
                                    + " is not writable by this user (the fit's plots are there)"),
                    r::toString);
            assertFalse((r.out() + r.err()).contains("damaged"), r::toString);
            assertNoJava(r);
        }
    }

    @Test
    void aFilePlotsIsRefusedBeforeTheFitUnlessNoPlotsAreDrawn() throws IOException {
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("plots"), "a note of mine\n");
        Cli.Run r = Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains(out.resolve("plots") + " is a file, and the fit draws its plots"), r::toString);
        assertNoJava(r);
        Cli.Run without = Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.OK, without.code(), without::toString);
        assertEquals("a note of mine\n", Files.readString(out.resolve("plots")));
    }

    @Test
    void resultsJsonThatCannotBeWrittenAfterTheFitIsAUserErrorNamingIt() throws IOException {
        Path out = tmp.resolve("out");
        // the file results.json is written aside to, taken by a folder of the user's
        Files.createDirectories(out.resolve("results.json.tmp/mine"));
        Cli.Run r = Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains("error: cannot write " + out.resolve("results.json") + ": "), r::toString);
        assertTrue(r.err().contains("Is a directory"), r::toString);
        assertTrue(Files.isDirectory(out.resolve("results.json.tmp/mine")), "the user's folder is left alone");
        assertFalse(Files.exists(out.resolve("results.json")));
        assertNoJava(r);
        // the finished fit's result is shown all the same, and the same command writes it later
        assertTrue(r.out().contains("best parameters") || r.out().contains("lj.epsilon"), r::toString);
        assertTrue(r.out().contains("journal: " + out.resolve("journal.sqlite") + " (run 1)"), r::toString);
        assertTrue(
                r.err()
                        .contains("; the result above is in the journal: once the folder can be written, the same"
                                + " command writes results.json from it, replaying the fit"),
                r::toString);
        Files.delete(out.resolve("results.json.tmp/mine"));
        Files.delete(out.resolve("results.json.tmp"));
        Cli.Run again = Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.OK, again.code(), again::toString);
        assertTrue(again.out().contains("replayed"), again::toString);
        assertTrue(Files.isRegularFile(out.resolve("results.json")));
    }

    @Test
    void aFailedMoveDeletesTheFileWrittenAside() throws IOException {
        Files.createDirectories(tmp.resolve("results.json/inside"));
        BaseCommand.UserException e =
                assertThrows(BaseCommand.UserException.class, () -> Results.write(tmp, Map.of("status", "done")));
        assertEquals(
                "cannot write " + tmp.resolve("results.json") + ": a folder of that name is in the way",
                e.getMessage());
        assertFalse(Files.exists(tmp.resolve("results.json.tmp")), "the file aside is removed");
        assertTrue(Files.isDirectory(tmp.resolve("results.json/inside")));
    }

    @Test
    void plotsThatCannotBeDrawnAfterTheFitLeaveItsResultWrittenAndShown() throws IOException {
        Path out = tmp.resolve("out");
        // a fit its budget stopped, then resumed with the job's budget: loss.svg, the first plot, cannot be
        // written, a folder has its name
        Cli.Run cut = Cli.run(
                "fit",
                lj().toString(),
                "-o",
                out.toString(),
                "--progress",
                "none",
                "--no-plots",
                "--max-evaluations",
                "5");
        assertTrue(Files.isRegularFile(out.resolve("results.json")), cut::toString);
        Files.createDirectories(out.resolve("plots/loss.svg/mine"));
        Cli.Run r = Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.out().contains("lj-known: done (converged)"), "the closing table is printed\n" + r);
        assertTrue(r.out().contains("results: " + out.resolve("results.json")), r::toString);
        assertTrue(
                r.err()
                                .contains("error: cannot write plots to " + out.resolve("plots")
                                        + ": a folder of that name is in the way: " + out.resolve("plots/loss.svg")
                                        + " (")
                        && r.err()
                                .contains("(the fit's result is in " + out.resolve("results.json")
                                        + "; once they can be written, the same command writes what is missing)"),
                r::toString);
        JsonNode res = JSON.readTree(out.resolve("results.json").toFile());
        assertEquals("done", res.get("status").asText());
        assertEquals(1.5, res.at("/best_parameters/lj/epsilon").asDouble(), 1e-6);
        assertTrue(Files.isRegularFile(out.resolve("predictions.csv")), "written before the plots");
        assertNoJava(r);
    }

    /**
     * The predictions and the plots both fail at the end of a fit (a full disk): each is said, no plot is
     * left empty or cut, and the same command writes them once they can be written.
     */
    @Test
    void predictionsAndPlotsThatBothFailAreBothSaidAndWrittenByTheSameCommandLater() throws IOException {
        Path out = tmp.resolve("out");
        // a fit its budget stopped, then resumed with the job's budget (no --restart, which would move the
        // folders in the way aside with the earlier fit's files)
        Cli.Run cut =
                Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none", "--max-evaluations", "5");
        assertTrue(Files.isRegularFile(out.resolve("results.json")), cut::toString);
        Files.createDirectories(out.resolve("predictions.csv.tmp/mine"));
        Files.createDirectories(out.resolve("plots/loss.svg.tmp/mine"));
        Cli.Run r = Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        int at = r.err().indexOf("error: cannot write " + out.resolve("predictions.csv") + ": ");
        assertTrue(at >= 0, r::toString);
        assertTrue(r.err().indexOf("; and cannot write plots to " + out.resolve("plots") + ": ", at) > at, r::toString);
        assertTrue(
                r.err()
                        .contains("(the fit's result is in " + out.resolve("results.json")
                                + "; once they can be written, the same command writes what is missing)"),
                r::toString);
        // loss.svg is the stopped fit's still: not emptied by the write that failed
        assertTrue(Files.size(out.resolve("plots/loss.svg")) > 0, r::toString);
        try (java.util.stream.Stream<Path> plots = Files.list(out.resolve("plots"))) {
            for (Path p : plots.filter(Files::isRegularFile).toList()) {
                assertTrue(Files.size(p) > 0, p + " is empty");
            }
        }
        Files.delete(out.resolve("predictions.csv.tmp/mine"));
        Files.delete(out.resolve("predictions.csv.tmp"));
        Files.delete(out.resolve("plots/loss.svg.tmp/mine"));
        Files.delete(out.resolve("plots/loss.svg.tmp"));
        Cli.Run again = Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, again.code(), again::toString);
        assertTrue(Files.size(out.resolve("predictions.csv")) > 0, again::toString);
        assertTrue(Files.size(out.resolve("plots/loss.svg")) > 0, again::toString);
    }

    @Test
    void predictionsThatCannotBeWrittenLeaveTheResultAndNoFileAside() throws IOException {
        Path out = tmp.resolve("out");
        fitOnce(out);
        Files.createDirectories(out.resolve("predictions.csv.tmp/mine"));
        Cli.Run r =
                Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none", "--restart", "--no-plots");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains("error: cannot write " + out.resolve("predictions.csv") + ": "), r::toString);
        // the same command, --restart and all, would start over: the way to the missing file is without it
        assertTrue(
                r.err()
                        .contains(
                                "; once they can be written, the same command without --restart writes what is missing)"),
                r::toString);
        assertTrue(r.out().contains("lj-known: done (converged)"), r::toString);
        assertEquals(
                "done",
                JSON.readTree(out.resolve("results.json").toFile())
                        .get("status")
                        .asText());
        assertFalse(Files.exists(out.resolve("predictions.csv")));
        assertNoJava(r);
    }

    @Test
    void predictionsThatCannotBeWrittenStillLeaveThePlotsDrawnFromTheResults() throws IOException {
        Path out = tmp.resolve("out");
        fitOnce(out);
        Files.createDirectories(out.resolve("predictions.csv.tmp/mine"));
        Files.writeString(out.resolve("predictions.csv"), "an earlier fit's predictions\n");
        Cli.Run r = Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none", "--restart");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains("error: cannot write " + out.resolve("predictions.csv") + ": "), r::toString);
        assertFalse(Files.exists(out.resolve("predictions.csv")), "an earlier fit's predictions are not left beside");
        Path plots = out.resolve("plots");
        try (var s = Files.list(plots)) {
            List<String> names = s.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.contains("loss.svg") && names.contains("parity-energy.svg"), names::toString);
        }
        assertNoJava(r);
    }

    @Test
    void predictionsAreWrittenAsideAndMovedIntoPlace() throws IOException {
        Path out = tmp.resolve("out");
        Cli.Run r = Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        List<String> lines = Files.readAllLines(out.resolve("predictions.csv"));
        assertEquals("set,term,item,quantity,reference,model_initial,model_best,residual,unit", lines.get(0));
        assertEquals(
                JSON.readTree(out.resolve("results.json").toFile())
                                .at("/terms/0/reference/energy")
                                .size()
                        + 1,
                lines.size(),
                "one row per reference value");
        assertFalse(Files.exists(out.resolve("predictions.csv.tmp")));
        assertFalse(Files.exists(out.resolve("results.json.tmp")));
    }

    @Test
    void aLineOfEvaluationsCsvThatCannotBeWrittenIsWarnedOnceAndTheLogGoesOn() throws IOException {
        Path file = tmp.resolve("evaluations.csv");
        StringWriter warnings = new StringWriter();
        FileOutputStream stream = new FileOutputStream(file.toFile());
        EvaluationLog log =
                new EvaluationLog(file, stream, List.of("x"), List.of("t"), new PrintWriter(warnings, true));
        EvaluationContext first = new EvaluationContext(Parameters.of(Map.of("x", 1.0)), "fit");
        first.complete(4.0);
        log.onEvaluation(0, first, 4.0);
        // the file's descriptor is gone, as a file system that went away leaves it
        stream.getChannel().close();
        for (int i = 1; i <= 3; i++) {
            EvaluationContext c = new EvaluationContext(Parameters.of(Map.of("x", 1.0 + i)), "fit");
            c.complete(4.0 - i);
            log.onEvaluation(i, c, 4.0 - i);
        }
        log.close();
        assertEquals(4, log.count(), "every evaluation is counted");
        assertEquals(1.0, log.bestSoFar());
        assertEquals(4, log.history.size(), "and kept for the plots");
        String w = warnings.toString();
        assertEquals(1, w.split("warning:", -1).length - 1, w);
        assertTrue(
                w.startsWith("warning: cannot append to " + file + ": ")
                        && w.contains("it stops before evaluation 1, the fit goes on and every evaluation is still"
                                + " recorded in the journal"),
                w);
        assertEquals(
                List.of("evaluation,loss,best_loss,seconds,degraded,failed_terms,x,term:t", "0,4.0,4.0,0.000,0,0,1.0,"),
                Files.readAllLines(file));
    }

    @Test
    void aResumedRunsEvaluationsCsvIsKeptWholeUntilItsFirstEvaluationIsWritten() throws IOException {
        Path file = tmp.resolve("evaluations.csv");
        List<String> earlier = List.of(
                "evaluation,loss,best_loss,seconds,degraded,failed_terms,x,term:t",
                "0,4.0,4.0,0.010,0,0,1.0,4.0",
                "1,3.0,3.0,0.010,0,0,2.0,3.0");
        Files.write(file, earlier);
        // a resume that fails as it starts (a journal that cannot begin its attempt on a full disk) opens and closes
        EvaluationLog failedResume = new EvaluationLog(tmp, List.of("x"), List.of("t"));
        assertEquals(earlier, Files.readAllLines(file), "nothing is written before an evaluation");
        failedResume.close();
        assertEquals(earlier, Files.readAllLines(file), "the earlier attempts' lines are left whole");
        try (EvaluationLog log = new EvaluationLog(tmp, List.of("x"), List.of("t"))) {
            EvaluationContext replayed = new EvaluationContext(Parameters.of(Map.of("x", 1.0)), "fit");
            replayed.complete(4.0);
            log.onEvaluation(0, replayed, 4.0);
            assertEquals(
                    List.of(
                            "evaluation,loss,best_loss,seconds,degraded,failed_terms,x,term:t",
                            "0,4.0,4.0,0.000,0,0,1.0,"),
                    Files.readAllLines(file),
                    "the file is written again from its first evaluation");
        }
    }

    // ------------------------------------------------------------------ report

    @Test
    void aReportWherePlotsIsAFileSaysSoAfterItsTables() throws IOException {
        Path out = tmp.resolve("out");
        Cli.Run fit = Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        Files.writeString(out.resolve("plots"), "not a folder\n");
        Cli.Run r = Cli.run("report", out.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.out().contains("lj-known: done (converged)"), r::toString);
        assertTrue(
                r.err()
                        .contains("error: cannot write plots to " + out.resolve("plots") + ": a file is in the way: "
                                + out.resolve("plots")),
                r::toString);
        assertNoJava(r);
    }

    @Test
    void aReportWithoutResultsTakesTheCountAndTheBestFromTheJournalWhenTheCsvLags() throws IOException {
        Path out = tmp.resolve("out");
        Cli.Run fit = Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        long total;
        long bestNumber;
        double bestLoss;
        try (JournalReader j = JournalReader.openReadOnly(out)) {
            long run = j.latestRun().orElseThrow().id();
            total = j.evaluations(run).size();
            var best = j.best(run).orElseThrow();
            bestNumber = best.number();
            bestLoss = best.toldLoss();
        }
        assertTrue(bestNumber > 1, "the best is not among the first two evaluations: " + bestNumber);
        // as while the fit runs: no results.json yet, and evaluations.csv two lines in, behind the journal
        Files.delete(out.resolve("results.json"));
        List<String> csv = Files.readAllLines(out.resolve("evaluations.csv"));
        Files.write(out.resolve("evaluations.csv"), csv.subList(0, 3));
        Cli.Run r = Cli.run("report", out.toString(), "--no-plots");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(r.out().contains("; " + total + " evaluations so far\n"), r::toString);
        assertTrue(
                r.out().contains("best loss so far: " + Tables.fmt(bestLoss) + " at evaluation " + bestNumber + "\n"),
                r::toString);
        assertNoJava(r);
    }

    @Test
    void theUncertaintyLineCountsItsResidualsInTheSingularForOne() {
        for (Map.Entry<Integer, String> c :
                Map.of(1, "1 residual", 20, "20 residuals").entrySet()) {
            StringWriter sw = new StringWriter();
            try (PrintWriter pw = new PrintWriter(sw)) {
                Tables.uncertainty(
                        pw,
                        Map.of(
                                "residuals",
                                c.getKey(),
                                "residual_variance",
                                0.5,
                                "residual_variance_of",
                                "residuals",
                                "condition_number",
                                2.0));
            }
            assertEquals(
                    "uncertainty from " + c.getValue()
                            + ": residual variance 0.5, condition number of J^T J, its columns scaled to unit length, 2\n\n",
                    sw.toString().replace(System.lineSeparator(), "\n"));
        }
    }

    /**
     * A correlation matrix of more than 8 parameters is too wide for a terminal (34 of them made lines
     * of 500 characters): the strongly correlated pairs are listed instead, the strongest first, with
     * where the matrix is; 8 or fewer are printed whole.
     */
    @Test
    void aWideCorrelationMatrixIsListedAsItsStrongPairs() {
        List<Object> names = new java.util.ArrayList<>();
        List<Object> matrix = new java.util.ArrayList<>();
        int n = 10;
        for (int i = 0; i < n; i++) {
            names.add("p" + i);
            List<Object> row = new java.util.ArrayList<>();
            for (int j = 0; j < n; j++) {
                double r = i == j ? 1.0 : 0.1;
                if (i + j == 1) {
                    r = -0.95; // p0, p1
                } else if ((i == 3 && j == 7) || (i == 7 && j == 3)) {
                    r = 0.999;
                } else if ((i == 2 && j == 9) || (i == 9 && j == 2)) {
                    r = 0.89; // below 0.9: not listed
                }
                row.add(r);
            }
            matrix.add(row);
        }
        Map<String, Object> unc = new java.util.LinkedHashMap<>();
        unc.put("estimated", names);
        unc.put("correlation", matrix);
        unc.put("residuals", 20);
        unc.put("residual_variance", 0.5);
        unc.put("condition_number", 2.0);
        StringWriter sw = new StringWriter();
        try (PrintWriter pw = new PrintWriter(sw)) {
            Tables.uncertainty(pw, unc);
        }
        List<String> lines = sw.toString().lines().toList();
        assertEquals(
                "correlation of 10 parameters: the matrix is in results.json (uncertainty.correlation) and"
                        + " plots/correlation.svg; 2 pairs at 0.9 or more in magnitude:",
                lines.get(0));
        assertEquals(
                List.of("parameter", "parameter", "correlation"),
                List.of(lines.get(1).split(" +")));
        assertEquals(List.of("p3", "p7", "0.999"), List.of(lines.get(2).split(" +")));
        assertEquals(List.of("p0", "p1", "-0.950"), List.of(lines.get(3).split(" +")));
        assertTrue(lines.get(4).startsWith("uncertainty from 20 residuals"), sw::toString);

        // 8 parameters: the matrix itself
        unc.put("estimated", names.subList(0, 8));
        List<Object> eight = new java.util.ArrayList<>();
        for (Object row : matrix.subList(0, 8)) {
            eight.add(((List<?>) row).subList(0, 8));
        }
        unc.put("correlation", eight);
        StringWriter small = new StringWriter();
        try (PrintWriter pw = new PrintWriter(small)) {
            Tables.uncertainty(pw, unc);
        }
        assertEquals(
                List.of("correlation", "p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7"),
                List.of(small.toString().lines().findFirst().orElseThrow().split(" +")));
    }

    @Test
    void aResultsJsonNotInTheShapeOfThisVersionIsSaidSo() throws IOException {
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Path results = out.resolve("results.json");
        String notOurs = results + ": not a results file of this chemfit version (" + Version.get() + "): ";
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"loss\": 5}", notOurs + "the key 'job' is missing");
        cases.put("{\"status\": \"done\"}", notOurs + "the key 'job' is missing");
        cases.put("[1, 2]", results + ": not a results.json written by chemfit fit: it holds a list, not an object");
        cases.put(
                "3\nO 0 0 0\n",
                results
                        + ": not a results.json written by chemfit fit: it is not JSON (it does not parse as an object)");
        cases.put(
                "{\"job\": {\"name\": \"x\"}, \"status\": \"done\", \"loss\": 5, \"parameters\": [], \"terms\": [],"
                        + " \"evaluations\": {}, \"timing\": {}}",
                notOurs + "'loss' is a number, not an object");
        cases.put(
                "{\"job\": {\"name\": \"x\"}, \"status\": \"done\", \"loss\": {}, \"parameters\": [3], \"terms\": [],"
                        + " \"evaluations\": {}, \"timing\": {}}",
                notOurs + "'parameters[0]' is a number, not an object");
        String base = "{\"job\": {\"name\": \"x\"}, \"status\": \"done\", \"evaluations\": {}, \"timing\": {}, ";
        cases.put(
                base + "\"loss\": {\"best\": \"abc\"}, \"parameters\": [], \"terms\": []}",
                notOurs + "'loss.best' is a string, not a number");
        cases.put(
                base + "\"loss\": {\"best\": 1.5}, \"parameters\": [{\"name\": \"x\", \"best\": true}],"
                        + " \"terms\": []}",
                notOurs + "'parameters[0].best' is true or false, not a number");
        cases.put(
                base + "\"loss\": {\"best\": 1.5}, \"parameters\": [], \"terms\": [{\"name\": \"t\"},"
                        + " {\"name\": \"u\", \"contribution\": \"-\"}]}",
                notOurs + "'terms[1].contribution' is a string, not a number");
        cases.put(
                base + "\"loss\": {\"best\": 1.5}, \"parameters\": [], \"terms\": [],"
                        + " \"metrics\": {\"fit\": {\"energy\": {\"unit\": \"K\", \"best\": {\"rmse\": \"x\"}}}}}",
                notOurs + "'metrics.fit.energy.best.rmse' is a string, not a number");
        cases.put(
                base + "\"loss\": {\"best\": 1.5}, \"parameters\": [], \"terms\": [],"
                        + " \"metrics\": {\"fit\": {\"energy\": {\"initial\": 3}}}}",
                notOurs + "'metrics.fit.energy.initial' is a number, not an object");
        cases.put("{\"status\": \"done\",\n  \"loss\": }", results + ":2:");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Files.writeString(results, c.getKey());
            Cli.Run r = Cli.run("report", out.toString(), "--no-plots");
            assertEquals(ExitCodes.USAGE, r.code(), r::toString);
            assertTrue(r.err().startsWith("error: " + c.getValue()), () -> c.getKey() + "\n" + r);
            assertTrue(
                    !c.getValue().endsWith(":2:")
                            || r.err().matches("(?s).*:2:\\d+: not valid JSON: Unexpected character.*"),
                    r::toString);
            assertNoJava(r);
        }
    }

    @Test
    void aReportDuringARestartedFitDoesNotShowTheEarlierRunsResults() throws Exception {
        Path go = tmp.resolve("GO");
        Files.writeString(go, "");
        Files.writeString(tmp.resolve("in.json"), "{\"energy\": {{ x }}}\n");
        Path job = tmp.resolve("waits.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "name: waits",
                        "parameters: {x: {initial: 3.0, bounds: [0, 5]}}",
                        "terms:",
                        "  - name: sim",
                        "    kind: external",
                        "    templates: {in.json: in.json}",
                        // runs while the file GO exists; waits for it otherwise, as a long simulation would
                        "    command: [sh, -c, 'while [ ! -e " + go + " ]; do sleep 0.05; done; cp in.json out.json']",
                        "    outputs: {energy: {parser: json, file: out.json, path: /energy}}",
                        "    reference: {energy: 1.0}",
                        "optimizer: {max_evaluations: 5}",
                        "execution: {workers: 1}",
                        "output: {folder: out, plots: false}",
                        ""));
        Path out = tmp.resolve("out");
        Cli.Run first = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        assertEquals(
                1,
                JSON.readTree(out.resolve("results.json").toFile())
                        .get("journal_run")
                        .asInt());

        Files.delete(go);
        CompletableFuture<Cli.Run> second =
                CompletableFuture.supplyAsync(() -> Cli.run("fit", job.toString(), "--restart", "--progress", "none"));
        try {
            await("run 2 of the journal")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> latestRun(out) == 2);
            Cli.Run r = Cli.run("report", out.toString(), "--no-plots");
            assertEquals(ExitCodes.OK, r.code(), r::toString);
            // run 1's files are kept aside, where a report of the folder does not take them for run 2's
            assertTrue(r.out().contains(out + ": running (no results.json yet); 0 evaluations so far"), r::toString);
            assertEquals(
                    1,
                    JSON.readTree(out.resolve("earlier-runs/run-1/results.json").toFile())
                            .get("journal_run")
                            .asInt());
            assertFalse(r.out().contains("waits: done"), "run 1's result is not shown as the fit's\n" + r);
            assertTrue(r.out().contains("run 2 of 2: RUNNING"), r::toString);
        } finally {
            Files.writeString(go, "");
        }
        Cli.Run done = second.get(120, TimeUnit.SECONDS);
        assertEquals(ExitCodes.OK, done.code(), done::toString);
        Cli.Run r = Cli.run("report", out.toString(), "--no-plots");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(r.out().contains("waits: done"), r::toString);
        assertTrue(r.out().contains("run 2 of 2: FINISHED"), r::toString);
    }

    @Test
    void aReportOfAFinishedRunWhoseResultsJsonIsAnEarlierRunsSaysSo() throws IOException {
        Path out = tmp.resolve("out");
        Cli.Run first = Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        byte[] run1 = Files.readAllBytes(out.resolve("results.json"));
        Cli.Run second =
                Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none", "--no-plots", "--restart");
        assertEquals(ExitCodes.OK, second.code(), second::toString);
        // as when run 2 could not write its results.json
        Files.write(out.resolve("results.json"), run1);
        Cli.Run r = Cli.run("report", out.toString(), "--no-plots");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(
                r.out()
                        .contains(
                                out
                                        + ": run 2 of the journal is FINISHED (results.json and predictions.csv are from run 1);"),
                r::toString);
        assertFalse(r.out().contains("lj-known: done"), r::toString);
    }

    /**
     * The folder in which --restart kept an earlier fit's files holds a results.json of the same job and no
     * journal: given as the output folder, by -o or output.folder, fit and validate refuse it before anything
     * runs, and the kept result stays as it was.
     */
    @Test
    void theFolderAnEarlierFitsFilesAreKeptInIsRefusedAsAnOutputFolder() throws IOException {
        Path out = tmp.resolve("out");
        fitOnce(out);
        Cli.Run restarted =
                Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none", "--no-plots", "--restart");
        assertEquals(ExitCodes.OK, restarted.code(), restarted::toString);
        Path kept = out.resolve("earlier-runs/run-1");
        byte[] before = Files.readAllBytes(kept.resolve("results.json"));

        Cli.Run fit = Cli.run("fit", lj().toString(), "-o", kept.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.USAGE, fit.code(), fit::toString);
        assertEquals(
                "error: cannot use " + kept + " as the output folder: it keeps an earlier fit's files (chemfit fit"
                        + " --restart put them there, in earlier-runs of the output folder " + out + "), which a fit"
                        + " there would replace; choose another output.folder (or --output)\n",
                fit.err(),
                fit::toString);
        assertArrayEquals(before, Files.readAllBytes(kept.resolve("results.json")));
        assertFalse(Files.exists(kept.resolve("journal.sqlite")), "no journal was begun");

        // the job file's output.folder, relative to the job file, and validate alike
        Path jobs = tmp.resolve("jobs");
        TestData.copyTree(lj().getParent().resolve("data"), jobs.resolve("data"));
        Path job = jobs.resolve("lj.yaml");
        Files.writeString(job, Files.readString(lj()).replace("folder: out", "folder: " + kept));
        String refused = "error: cannot use " + kept + " as the output folder: it keeps an earlier fit's files (chemfit"
                + " fit --restart put them there, in earlier-runs of the output folder " + out + "), which a fit"
                + " there would replace; choose ";
        Cli.Run validate = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, validate.code(), validate::toString);
        assertEquals(refused + "another output.folder (or chemfit fit --output)\n", validate.err(), validate::toString);
        Cli.Run fromFile = Cli.run("fit", job.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.USAGE, fromFile.code(), fromFile::toString);
        assertEquals(refused + "another output.folder (or --output)\n", fromFile.err(), fromFile::toString);
        assertArrayEquals(before, Files.readAllBytes(kept.resolve("results.json")));

        // a link to the kept folder is that folder
        Path link = Files.createSymbolicLink(tmp.resolve("kept"), kept);
        Cli.Run linked = Cli.run("fit", lj().toString(), "-o", link.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.USAGE, linked.code(), linked::toString);
        assertEquals(
                "error: cannot use " + link + " as the output folder: it keeps an earlier fit's files (chemfit fit"
                        + " --restart put them there, in earlier-runs of the output folder " + out.toRealPath()
                        + "), which a fit there would replace; choose another output.folder (or --output)\n",
                linked.err(),
                linked::toString);
        assertArrayEquals(before, Files.readAllBytes(kept.resolve("results.json")));

        // a folder of that name beside no fit's output is anyone's, and so is a new one in earlier-runs
        Path elsewhere = tmp.resolve("mine/earlier-runs/run-1");
        Cli.Run free = Cli.run("fit", lj().toString(), "-o", elsewhere.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.OK, free.code(), free::toString);
        Path fresh = out.resolve("earlier-runs/my-new-try");
        Cli.Run mine = Cli.run("fit", lj().toString(), "-o", fresh.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.OK, mine.code(), mine::toString);
        // and stays the output folder of its fit: run again, it shows the finished fit
        Cli.Run again = Cli.run("fit", lj().toString(), "-o", fresh.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.OK, again.code(), again::toString);
    }

    /**
     * An earlier-runs that is a file, not a folder: --restart says so, and moves nothing.
     */
    @Test
    void aRestartSaysThatEarlierRunsIsAFile() throws IOException {
        Path out = tmp.resolve("out");
        fitOnce(out);
        Files.writeString(out.resolve("earlier-runs"), "a note\n");
        byte[] before = Files.readAllBytes(out.resolve("results.json"));
        Cli.Run r =
                Cli.run("fit", lj().toString(), "-o", out.toString(), "--progress", "none", "--no-plots", "--restart");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        // after the line that says what is fitted
        assertTrue(
                r.err()
                        .endsWith("\nerror: cannot keep the earlier fit's files in " + out.resolve("earlier-runs/run-1")
                                + " before --restart begins a new run: " + out.resolve("earlier-runs") + " is a file,"
                                + " not a folder (move it away or rename it); nothing was moved\n"),
                r::toString);
        assertArrayEquals(before, Files.readAllBytes(out.resolve("results.json")));
    }

    /**
     * A restarted fit that stops before its first evaluation finished leaves the earlier run's files as they
     * were, in earlier-runs/run-1 (the output folder's own are the new run's: no predictions, no plot drawn from
     * run 1's values). A report afterwards counts the files that are there. With --no-plots alike.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aRestartThatStopsBeforeItsFirstEvaluationKeepsTheEarlierRunsFiles(boolean noPlots) throws Exception {
        Path ok = tmp.resolve("OK");
        Files.writeString(ok, "");
        Files.writeString(tmp.resolve("in.json"), "{\"energy\": {{ x }}}\n");
        Path job = tmp.resolve("flaky.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "name: flaky",
                        "parameters: {x: {initial: 3.0, bounds: [0, 5]}}",
                        "terms:",
                        "  - name: sim",
                        "    kind: external",
                        "    templates: {in.json: in.json}",
                        // succeeds while the file OK exists
                        "    command: [sh, -c, 'test -e " + ok + " && cp in.json out.json']",
                        "    outputs: {energy: {parser: json, file: out.json, path: /energy}}",
                        "    reference: {energy: 1.0}",
                        "combination: {on_failure: raise}",
                        "optimizer: {max_evaluations: 5}",
                        "execution: {workers: 1}",
                        "output: {folder: out}",
                        ""));
        Path out = tmp.resolve("out");
        Path plots = out.resolve("plots");
        Cli.Run first = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        assertTrue(Files.exists(out.resolve("predictions.csv")), first::toString);
        assertTrue(Files.exists(plots.resolve("parity-energy.svg")), first::toString);
        assertFalse(first.out().contains("plots: "), "every plot drawn, none removed: nothing to say\n" + first);

        Map<String, byte[]> run1 = new java.util.TreeMap<>();
        for (String name : List.of(
                "results.json", "evaluations.csv", "predictions.csv", "plots/parity-energy.svg", "plots/loss.svg")) {
            run1.put(name, Files.readAllBytes(out.resolve(name)));
        }

        Files.delete(ok);
        Cli.Run second = noPlots
                ? Cli.run("fit", job.toString(), "--progress", "none", "--restart", "--no-plots")
                : Cli.run("fit", job.toString(), "--progress", "none", "--restart");
        assertEquals(ExitCodes.FIT_FAILED, second.code(), second::toString);
        Path kept = out.resolve("earlier-runs/run-1");
        assertTrue(
                second.err()
                        .contains("the earlier fit's results.json, evaluations.csv, predictions.csv, plots are kept in "
                                + kept + "\n"),
                second::toString);
        for (Map.Entry<String, byte[]> f : run1.entrySet()) {
            assertArrayEquals(f.getValue(), Files.readAllBytes(kept.resolve(f.getKey())), f.getKey());
        }
        assertEquals(
                2,
                JSON.readTree(out.resolve("results.json").toFile())
                        .get("journal_run")
                        .asInt());
        assertFalse(Files.exists(out.resolve("predictions.csv")), second::toString);
        List<String> left = new java.util.ArrayList<>();
        if (Files.isDirectory(plots)) {
            try (java.util.stream.Stream<Path> s = Files.list(plots)) {
                s.map(p -> p.getFileName().toString())
                        .filter(n -> !n.equals(Plots.WRITTEN_LIST))
                        .forEach(left::add);
            }
        }
        // at most the loss of the failed evaluation: nothing drawn from run 1's values
        assertTrue(left.stream().allMatch(n -> n.startsWith("loss.") && !noPlots), left.toString());

        Cli.Run report = Cli.run("report", out.toString());
        assertEquals(ExitCodes.OK, report.code(), report::toString);
        try (java.util.stream.Stream<Path> s = Files.list(plots)) {
            long there = s.count();
            assertTrue(
                    report.out().contains("plots: " + there + " file" + (there == 1 ? "" : "s") + " in " + plots),
                    report::toString);
        }
    }

    /**
     * A report redraws what the folder's files give and removes no plot: those of an earlier attempt that it
     * cannot redraw (its results.json is not the latest attempt's) stay byte for byte as the fit wrote them, and
     * stay listed as the fit's drawings, so that the next fit still removes them if its results do not give them.
     */
    @Test
    void aReportLeavesThePlotsItCannotRedrawAsTheyAreAndCountsTheFilesThere() throws IOException {
        Path out = tmp.resolve("killed");
        Path plots = out.resolve("plots");
        Files.createDirectories(plots);
        // a fit killed before it wrote results.json: evaluations.csv alone
        Files.writeString(
                out.resolve("evaluations.csv"),
                "evaluation,loss,best_loss,seconds,failed_terms,eps\n1,2.0,2.0,0.1,0,1.0\n2,1.0,1.0,0.1,0,1.5\n");
        List<String> earlier = List.of("parity-energy.svg", "parity-energy.png", "parameters.svg", "parameters.png");
        Map<String, byte[]> before = new java.util.LinkedHashMap<>();
        for (String n : earlier) {
            Files.writeString(plots.resolve(n), "an earlier attempt's " + n);
            before.put(n, Files.readAllBytes(plots.resolve(n)));
        }
        Files.write(plots.resolve(Plots.WRITTEN_LIST), earlier); // as the earlier drawing listed them
        Files.writeString(plots.resolve("README.txt"), "mine");
        Cli.Run r = Cli.run("report", out.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(r.out().contains("plots: 7 files in " + plots + " (2 drawn now)\n"), r::toString);
        assertFalse(r.out().contains("removed"), r::toString);
        for (Map.Entry<String, byte[]> e : before.entrySet()) {
            Path p = plots.resolve(e.getKey());
            assertTrue(Files.exists(p), () -> p + " removed\n" + r);
            assertArrayEquals(e.getValue(), Files.readAllBytes(p), p::toString);
        }
        assertTrue(Files.exists(plots.resolve("loss.svg")), r::toString);
        assertTrue(Files.exists(plots.resolve("README.txt")), r::toString);
        assertEquals(
                List.of(
                        "loss.png",
                        "loss.svg",
                        "parameters.png",
                        "parameters.svg",
                        "parity-energy.png",
                        "parity-energy.svg"),
                Files.readAllLines(plots.resolve(Plots.WRITTEN_LIST)).stream()
                        .filter(l -> !l.startsWith(Plots.DRAWN_FROM)) // the results.json drawn from
                        .sorted()
                        .toList(),
                "still the fit's: a later fit removes those its results do not give");
        // a second report: the same
        Cli.Run again = Cli.run("report", out.toString());
        assertEquals(ExitCodes.OK, again.code(), again::toString);
        assertTrue(again.out().contains("plots: 7 files in " + plots + " (2 drawn now)\n"), again::toString);
        for (Map.Entry<String, byte[]> e : before.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(plots.resolve(e.getKey())), e::getKey);
        }
    }

    private static long latestRun(Path out) {
        Path file = out.resolve("journal.sqlite");
        if (!Files.exists(file)) {
            return 0;
        }
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            return j.latestRun().map(run -> run.id()).orElse(0L);
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
