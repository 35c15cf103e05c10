package org.chemfit.dashboard;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.chemfit.Bounds;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.FailurePolicy;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.chemfit.fit.Fitter;
import org.chemfit.fit.Optimizer;
import org.chemfit.fit.Problem;
import org.chemfit.journal.Journal;
import org.chemfit.journal.JournalMode;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.TermRecord;
import org.chemfit.testfixtures.DivergingFit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/** The live page in headless Chromium, served by a real dashboard over a real journal. */
class DashboardPageTest {

    private static ChromeDriver driver;
    /** The browser's profile, deleted after the class's tests, the browser quit. */
    @TempDir
    static Path profile;

    @TempDir
    Path dir;

    @BeforeAll
    static void browser() throws Exception {
        driver = PageLoadBenchmark.browser(profile);
    }

    @AfterAll
    static void quit() {
        if (driver != null) {
            driver.quit();
        }
    }

    /** Polls a condition every 50 ms on this thread (the web driver is not thread-safe). */
    private static void waitFor(Supplier<Boolean> condition, Supplier<String> message) {
        await().atMost(Duration.ofSeconds(60))
                .pollInSameThread()
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertTrue(condition.get(), message));
    }

    /** @return an element's text, shown or not */
    private static String text(String id) {
        String t = driver.findElement(By.id(id)).getAttribute("textContent");
        return t == null ? "" : t.trim();
    }

    /** @return the text of each cell of a table's body, row by row (read in one script: a table may hold 500 rows) */
    @SuppressWarnings("unchecked")
    private static List<List<String>> cells(String table) {
        return (List<List<String>>) driver.executeScript(
                "return Array.from(document.querySelectorAll('#' + arguments[0] + ' tbody tr'))"
                        + ".map(r => Array.from(r.cells).map(c => c.textContent.trim()));",
                table);
    }

    private static void open(Dashboard d) {
        driver.get("about:blank");
        driver.get(d.url().toString());
        waitFor(() -> "done".equals(text("status-value")), () -> "status: " + text("status-value"));
    }

    /**
     * A fit cut off as a kill would cut it, in which term "b" failed at evaluation 1 (a penalty stood in), resumed
     * without the failure: the resume runs "b" of evaluation 1 again and it completes, and the fit follows the same
     * path to its end. The journal's final state has no failure: the Failures view lists none, and the first
     * attempt's failure apart, as resolved by attempt 2.
     */
    @Test
    void aFailureThatALaterAttemptRanAgainAndCompletedIsListedApartAsResolved() throws Exception {
        DivergingFit f = new DivergingFit();
        f.failing = true;
        f.crashAt = 2.3;
        f.pathB = DivergingFit.PATH_A; // the same path whether evaluation 1 was penalised or not
        assertThrows(DivergingFit.Crash.class, () -> f.fit(dir));
        f.failing = false;
        f.crashAt = Double.NaN;
        f.fit(dir);
        String message;
        try (JournalReader j = JournalReader.openReadOnly(dir)) {
            long run = j.latestRun().orElseThrow().id();
            assertEquals(2, j.latestRun().orElseThrow().attempts());
            // the journal: b of evaluation 1 failed in attempt 1 and completed in attempt 2
            List<TermRecord> b =
                    j.terms(run, 1).stream().filter(t -> t.name().equals("b")).toList();
            assertEquals(
                    List.of("1 FAILED", "2 COMPLETE"),
                    b.stream().map(t -> t.attempt() + " " + t.state()).toList());
            message = b.get(0).failure();
            assertTrue(message.contains("licence server not reachable"), message);
            assertEquals(
                    0,
                    j.evaluations(run).stream()
                            .filter(EvaluationRecord::degraded)
                            .count());
        }
        try (Dashboard d = Dashboard.builder(dir).start()) {
            open(d);
            driver.findElement(By.id("tab-failures")).click();
            assertEquals("", text("failure-badge"), "no failure is counted on the tab");
            assertEquals(
                    "No failure stands: each term that failed completed when a later attempt ran its evaluation"
                            + " again (below).",
                    text("failure-note"));
            assertEquals(List.of(), cells("failure-table"));
            assertTrue(driver.findElement(By.id("resolved")).isDisplayed());
            assertEquals(
                    "1 failed term runs of an earlier attempt whose term completed when a later attempt ran the same"
                            + " evaluation again. They no longer stand.",
                    text("resolved-note"));
            assertEquals(
                    List.of(List.of(
                            "0", "1 (attempt 1)", "b", message.split("\n")[0], "completed in attempt 2", "details")),
                    cells("resolved-table"));
            driver.findElement(By.cssSelector("#resolved-table .failure-open")).click();
            waitFor(() -> driver.findElement(By.id("failure-detail")).isDisplayed(), () -> "no failure details");
            assertEquals("Evaluation 1 of attempt 1, term b (completed in attempt 2: resolved)", text("failure-title"));
        }
    }

    /**
     * An atoms term's forces in the values table of the Terms view: each row named as predictions.csv names it, with
     * its atom (from 1) and component, and the unit of its quantity as the term's metrics give it; 2 energies and 3 + 170 atoms' forces are 521 values, of which the first 500
     * are listed, and the page says so and where all of them are.
     */
    @Test
    void forcesAreNamedByAtomAndComponentAndACutTableSaysHowManyRowsItShows() throws Exception {
        Journals.fit(dir, 10);
        int[] atoms = {3, 170};
        String[] tags = {"trimer", "big"};
        StringBuilder csv =
                new StringBuilder("set,term,item,quantity,reference,model_initial,model_best,residual,unit\n");
        StringBuilder refF = new StringBuilder();
        StringBuilder comF = new StringBuilder();
        for (int s = 0; s < 2; s++) {
            csv.append(String.format(
                    Locale.ROOT, "fit,argon,%s,energy,%.1f,0,%.1f,0.1,eV%n", tags[s], -s - 1.0, -s - 0.9));
        }
        int k = 0;
        for (int s = 0; s < 2; s++) {
            for (int c = 0; c < 3 * atoms[s]; c++, k++) {
                // the k-th force component: reference k/1000, model k/1000 + 0.5
                double ref = k / 1000.0;
                double model = ref + 0.5;
                csv.append(String.format(
                        Locale.ROOT, "fit,argon,%s[%d],forces,%s,0,%s,0.5,eV/Å%n", tags[s], c, ref, model));
                refF.append(k == 0 ? "" : ",").append(ref);
                comF.append(k == 0 ? "" : ",").append(model);
            }
        }
        assertEquals(519, k);
        Files.writeString(dir.resolve(Predictions.FILE), csv);
        Files.writeString(dir.resolve("results.json"), """
                {"status": "done", "journal_run": 1,
                 "terms": [{"name": "argon", "kind": "atoms", "weight": 1.0,
                   "computed": {"energy": [-0.9, -1.9], "forces": [%s]},
                   "reference": {"energy": [-1.0, -2.0], "forces": [%s]},
                   "metrics": {"energy": {"unit": "eV", "best": {"count": 2, "rmse": 0.1}},
                     "forces": {"unit": "eV/Å", "best": {"count": 519, "rmse": 0.5}}}}],
                 "metrics": {"fit": {}}}
                """.formatted(comF, refF));
        try (Dashboard d = Dashboard.builder(dir).start()) {
            open(d);
            driver.findElement(By.id("tab-terms")).click();
            // named once predictions.csv is read (the table is drawn again then)
            waitFor(
                    () -> cells("values-table").size() > 2
                            && cells("values-table").get(2).get(3).equals("trimer[0] (atom 1, x)"),
                    () -> "rows: " + cells("values-table").subList(0, 3));
            List<List<String>> rows = cells("values-table");
            assertEquals(500, rows.size());
            assertEquals(List.of("argon", "energy", "eV", "trimer", "-1", "-0.9", "0.1"), rows.get(0));
            assertEquals(List.of("argon", "energy", "eV", "big", "-2", "-1.9", "0.1"), rows.get(1));
            // forces component 4 of the trimer: atom 2, y; reference 0.004, computed 0.504
            assertEquals(
                    List.of("argon", "forces", "eV/Å", "trimer[4] (atom 2, y)", "0.004", "0.504", "0.5"),
                    rows.get(2 + 4));
            // component 0 of the second structure (the 10th force value): atom 1, x
            assertEquals("big[0] (atom 1, x)", rows.get(2 + 9).get(3));
            assertEquals("0.009", rows.get(2 + 9).get(4));
            // the last row shown: force value 497, big's component 488, atom 488 / 3 + 1 = 163, component 488 % 3 = 2
            assertEquals(
                    List.of("argon", "forces", "eV/Å", "big[488] (atom 163, z)", "0.497", "0.997", "0.5"),
                    rows.get(499));
            assertEquals(
                    "The first 500 of 521 rows are shown; predictions.csv in the output folder lists every value (one"
                            + " line each, with its model at the start and at the best point).",
                    text("values-note"));
        }
    }

    /**
     * A loss in unit 1 is named on its axis as the plots name it: dimensionless; another unit as it is. The best
     * loss on the status card is in that unit (none for one that is dimensionless).
     */
    @Test
    void aLossOfUnitOneIsDimensionlessOnItsAxis() throws Exception {
        for (String[] unit : new String[][] {{"1", "loss (dimensionless)"}, {"eV^2", "loss (eV^2)"}}) {
            Journals.fit(dir, 10);
            Files.writeString(
                    dir.resolve("results.json"),
                    "{\"status\": \"done\", \"journal_run\": 1, \"loss\": {\"unit\": \"" + unit[0]
                            + "\"}, \"terms\": [], \"metrics\": {\"fit\": {}}}");
            try (Dashboard d = Dashboard.builder(dir).start()) {
                open(d);
                String best = text("best-loss");
                assertTrue(
                        unit[0].equals("1") ? best.matches("[-0-9.e+]+") : best.matches("[-0-9.e+]+ eV\\^2"),
                        "best loss: " + best);
                driver.findElement(By.id("tab-loss")).click();
                waitFor(
                        () -> unit[1].equals(
                                driver.findElement(By.id("loss-chart")).getAttribute("data-y-title")),
                        () -> "axis: " + driver.findElement(By.id("loss-chart")).getAttribute("data-y-title"));
            }
        }
    }

    /** Writes a finished fit's journal, its predictions.csv with these rows and a results.json of these terms. */
    private void writeFit(String csvRows, String resultsTerms) throws Exception {
        Journals.fit(dir, 10);
        Files.writeString(
                dir.resolve(Predictions.FILE),
                "set,term,item,quantity,reference,model_initial,model_best,residual,unit\n" + csvRows);
        Files.writeString(
                dir.resolve("results.json"),
                "{\"status\": \"done\", \"journal_run\": 1, \"terms\": [" + resultsTerms
                        + "], \"metrics\": {\"fit\": {}}}");
    }

    /**
     * A structure's tag may end in digits in brackets ("cluster[2]", as the reference file names it): its energy is
     * named by the tag alone; only its forces, which the server marks as components of per-atom vectors, name the atom
     * and the component.
     */
    @Test
    void anEnergyOfATagEndingInBracketsIsNamedByTheTagAlone() throws Exception {
        writeFit(
                "fit,argon,cluster[2],energy,-1.0,0,-0.9,0.1,eV\n"
                        + "fit,argon,Ar13[0],energy,-2.0,0,-1.9,0.1,eV\n"
                        + "fit,argon,cluster[2][0],forces,0.5,0,0.25,-0.25,eV/Å\n"
                        + "fit,argon,cluster[2][1],forces,0.75,0,0.5,-0.25,eV/Å\n"
                        + "fit,argon,cluster[2][2],forces,1.0,0,0.75,-0.25,eV/Å\n",
                "{\"name\": \"argon\", \"kind\": \"atoms\", \"weight\": 1.0,"
                        + " \"computed\": {\"energy\": [-0.9, -1.9], \"forces\": [0.25, 0.5, 0.75]},"
                        + " \"reference\": {\"energy\": [-1.0, -2.0], \"forces\": [0.5, 0.75, 1.0]}}");
        try (Dashboard d = Dashboard.builder(dir).start()) {
            open(d);
            driver.findElement(By.id("tab-terms")).click();
            // named once predictions.csv is read (the table is drawn again then)
            waitFor(
                    () -> cells("values-table").size() == 5
                            && cells("values-table").get(0).get(3).equals("cluster[2]"),
                    () -> "rows: " + cells("values-table"));
            assertEquals(
                    List.of(
                            List.of("argon", "energy", "", "cluster[2]", "-1", "-0.9", "0.1"),
                            List.of("argon", "energy", "", "Ar13[0]", "-2", "-1.9", "0.1"),
                            List.of("argon", "forces", "", "cluster[2][0] (atom 1, x)", "0.5", "0.25", "-0.25"),
                            List.of("argon", "forces", "", "cluster[2][1] (atom 1, y)", "0.75", "0.5", "-0.25"),
                            List.of("argon", "forces", "", "cluster[2][2] (atom 1, z)", "1", "0.75", "-0.25")),
                    cells("values-table"));
        }
    }

    /**
     * A predictions.csv of another fit beside this fit's results.json (left there while the new one is written, or for
     * good by a fit killed then) with as many rows of a term: that term's rows are named by their index, not by the
     * other fit's items; the rows of a term whose reference values the file holds are named by its items.
     */
    @Test
    void theItemsOfAnotherFitsPredictionsWithAsManyRowsNameNoRow() throws Exception {
        writeFit(
                "fit,argon,dimer_3.0,energy,-5.0,0,-4.9,0.1,eV\n"
                        + "fit,argon,dimer_3.5,energy,-6.0,0,-5.9,0.1,eV\n"
                        + "fit,neon,ne_a,energy,-3.0,0,-2.5,0.5,eV\n"
                        + "fit,neon,ne_b,energy,-4.0,0,-3.5,0.5,eV\n",
                "{\"name\": \"argon\", \"weight\": 1.0, \"computed\": {\"energy\": [-0.9, -1.9]},"
                        + " \"reference\": {\"energy\": [-1.0, -2.0]}},"
                        + " {\"name\": \"neon\", \"weight\": 1.0, \"computed\": {\"energy\": [-2.5, -3.5]},"
                        + " \"reference\": {\"energy\": [-3.0, -4.0]}}");
        try (Dashboard d = Dashboard.builder(dir).start()) {
            open(d);
            driver.findElement(By.id("tab-terms")).click();
            // drawn again once predictions.csv is read: neon's rows named by its items
            waitFor(
                    () -> cells("values-table").size() == 4
                            && cells("values-table").get(2).get(3).equals("ne_a"),
                    () -> "rows: " + cells("values-table"));
            assertEquals(
                    List.of(
                            List.of("argon", "energy", "", "0", "-1", "-0.9", "0.1"),
                            List.of("argon", "energy", "", "1", "-2", "-1.9", "0.1"),
                            List.of("neon", "energy", "", "ne_a", "-3", "-2.5", "0.5"),
                            List.of("neon", "energy", "", "ne_b", "-4", "-3.5", "0.5")),
                    cells("values-table"));
        }
    }

    /** @return the parity charts the page drew */
    private static int parityCharts() {
        return driver.findElements(By.cssSelector("#parity-charts .chart.parity"))
                .size();
    }

    /**
     * The parity charts are drawn from a predictions.csv written with the results.json of the run shown: once an
     * earlier fit's file stands there instead (a fit that reused the folder wrote results.json, which comes first,
     * and was killed before its predictions.csv replaced the earlier one), none is, and the page says why. A later run
     * of the journal, running or finished, shows no results and no chart of the files an earlier run left.
     */
    @Test
    void parityChartsAreDrawnOnlyFromThePredictionsWrittenWithTheResultsOfTheRunShown() throws Exception {
        String ours = "fit,argon,dimer,energy,-1.0,0,-0.9,0.1,eV\nfit,argon,trimer,energy,-2.0,0,-1.9,0.1,eV\n";
        writeFit(
                ours,
                "{\"name\": \"argon\", \"weight\": 1.0, \"computed\": {\"energy\": [-0.9, -1.9]},"
                        + " \"reference\": {\"energy\": [-1.0, -2.0]},"
                        + " \"metrics\": {\"energy\": {\"unit\": \"eV\", \"best\": {\"count\": 2, \"rmse\": 0.1}}}}");
        String header = "set,term,item,quantity,reference,model_initial,model_best,residual,unit\n";
        String note = "Model at the best point against the reference, one chart per quantity and unit; fit and"
                + " validation points apart, the line is model = reference.";
        try (Dashboard d = Dashboard.builder(dir).start()) {
            open(d);
            driver.findElement(By.id("tab-results")).click();
            waitFor(() -> parityCharts() == 1, () -> "charts: " + parityCharts());
            var chart = driver.findElement(By.id("parity-0"));
            assertEquals("2", chart.getAttribute("data-fit-points"));
            assertEquals("energy", chart.getAttribute("data-quantity"));
            assertEquals(1, chart.findElements(By.tagName("canvas")).size(), "drawn by uPlot");
            assertEquals(note, text("parity-note"));

            // an earlier fit's file, of other structures
            Files.writeString(
                    dir.resolve(Predictions.FILE),
                    header + "fit,argon,a,energy,-1.25,0,-1.0,0.25,eV\nfit,argon,b,energy,-2.25,0,-2.0,0.25,eV\n");
            waitFor(
                    () -> "0".equals(driver.findElement(By.id("parity-charts")).getAttribute("data-charts")),
                    () -> "charts: "
                            + driver.findElement(By.id("parity-charts")).getAttribute("data-charts"));
            assertEquals(0, parityCharts());
            assertEquals(
                    "No parity chart is drawn: predictions.csv in the output folder is another fit's (its rows are not"
                            + " the reference values of the terms in this run's results.json).",
                    text("parity-note"));

            // written with these results again: drawn again, under the usual note
            Files.writeString(dir.resolve(Predictions.FILE), header + ours);
            waitFor(() -> parityCharts() == 1, () -> "charts: " + parityCharts());
            assertEquals(note, text("parity-note"));

            // an earlier run's of the same job: the same reference values, another model value at the best point
            Files.writeString(dir.resolve(Predictions.FILE), header + ours.replace(",-0.9,0.1,", ",-0.95,0.05,"));
            waitFor(
                    () -> "0".equals(driver.findElement(By.id("parity-charts")).getAttribute("data-charts")),
                    () -> "charts: "
                            + driver.findElement(By.id("parity-charts")).getAttribute("data-charts"));
            assertEquals(0, parityCharts());
            assertEquals(
                    "No parity chart is drawn: predictions.csv in the output folder is another fit's (its model values at"
                            + " the best point are not the computed values of the terms in this run's results.json).",
                    text("parity-note"));
            Files.writeString(dir.resolve(Predictions.FILE), header + ours);
            waitFor(() -> parityCharts() == 1, () -> "charts: " + parityCharts());
            assertEquals(note, text("parity-note"));
        }

        // a later run of the journal (another job) while run 1's results.json and predictions.csv stand in the folder
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        ObjectiveFunction bowl = p -> {
            if (n.incrementAndGet() == 3) {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return p.get("x") * p.get("x");
        };
        java.util.concurrent.ExecutorService later = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<?> run2 = later.submit(() -> {
                try (Journal j = Journal.open(dir)) {
                    new Fitter(
                                    new CombinedObjectiveFunction(List.of(bowl)).withTermNames(List.of("bowl")),
                                    Map.of("x", 0.3))
                            .bounds(Bounds.of(Map.of("x", List.of(-2.0, 2.0))))
                            .maxEvaluations(5)
                            .journal(j, JournalMode.restart())
                            .fit(new Journals.RandomSearch());
                }
            });
            assertTrue(started.await(60, TimeUnit.SECONDS), "run 2 reached its third evaluation");
            try (Dashboard d = Dashboard.builder(dir).start()) {
                driver.get("about:blank");
                driver.get(d.url().toString());
                waitFor(() -> "running".equals(text("status-value")), () -> "status: " + text("status-value"));
                HttpResponse<String> p = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.port() + "/api/predictions?"
                                                + d.url().getRawQuery()))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertEquals(404, p.statusCode(), "run 2 runs: no predictions of it yet");
                assertFalse(driver.findElement(By.id("tab-results")).isDisplayed());
                assertEquals(0, parityCharts());

                release.countDown();
                run2.get(60, TimeUnit.SECONDS);
                // run 2 ended later than run 1: it is the one shown, and results.json is run 1's
                waitFor(() -> "done".equals(text("status-value")), () -> "status: " + text("status-value"));
                p = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.port() + "/api/predictions?"
                                                + d.url().getRawQuery()))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertEquals(404, p.statusCode(), "run 2 wrote none");
                assertEquals("no predictions yet\n", p.body());
                assertFalse(driver.findElement(By.id("tab-results")).isDisplayed());
                assertEquals(0, parityCharts());
            }
        } finally {
            release.countDown();
            later.shutdown();
            assertTrue(later.awaitTermination(60, TimeUnit.SECONDS));
        }
    }

    /** What stops a fit as a kill would: an error, which no failure policy takes. */
    private static final class Kill extends Error {
        private static final long serialVersionUID = 1L;

        Kill(String message) {
            super(message);
        }
    }

    /**
     * Fits x by asking 0, 0.001, 0.002, ... (evaluation k at x = k / 1000, whatever the losses), {@code evaluations}
     * of them, with terms "a" and "b" under a penalty: "b" fails while {@code failing} is set, and "a" stops the fit
     * as a kill would at evaluation {@code killAt} (none when negative). Run again, it resumes the run.
     */
    private static void walk(Path dir, int evaluations, boolean failing, int killAt) {
        List<ObjectiveFunction> terms = new java.util.ArrayList<>();
        for (String name : List.of("a", "b")) {
            QuantityComputer qc = new QuantityComputer() {
                @Override
                public Quantities compute(Parameters p) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public Quantities compute(Parameters p, EvaluationContext ctx) {
                    double x = p.get("x");
                    long k = Math.round(x * 1000);
                    if (name.equals("a") && k == killAt) {
                        throw new Kill("killed at evaluation " + k);
                    }
                    if (name.equals("b") && failing) {
                        throw new IllegalStateException("licence server not reachable at evaluation " + k);
                    }
                    return Quantities.builder().put("e", (x - 0.5) * (x - 0.5)).build();
                }
            };
            terms.add(qc.withLoss(q -> q.get("e")));
        }
        CombinedObjectiveFunction ob = new CombinedObjectiveFunction(terms, List.of(1.0, 1.0))
                .withTermNames(List.of("a", "b"))
                .withFailurePolicy(FailurePolicy.penalty(1000));
        Optimizer walk = new Optimizer() {
            @Override
            public String name() {
                return "walk";
            }

            @Override
            public Run start(Problem p) {
                return new Run() {
                    int told;

                    @Override
                    public List<double[]> ask() {
                        return told < evaluations ? List.of(new double[] {told / 1000.0}) : List.of();
                    }

                    @Override
                    public void tell(List<double[]> points, double[] values) {
                        told += points.size();
                    }

                    @Override
                    public String stopReason() {
                        return "CONVERGED";
                    }

                    @Override
                    public void close() {
                        // holds nothing
                    }
                };
            }
        };
        try (Journal j = Journal.open(dir)) {
            new Fitter(ob, Map.of("x", 0.0))
                    .bounds(Bounds.of(Map.of("x", List.of(0.0, 1.0))))
                    .journal(j)
                    .fit(walk);
        }
    }

    /**
     * More failures resolved than the page lists: term "b" failed in each of the 225 evaluations of the first attempt,
     * which a kill cut off at evaluation 225; the resume ran "b" of each again and it completed. Of the 225 resolved
     * failures the latest 200 (evaluations 25 to 224) are listed, and the page says how many there are and that the
     * latest 200 are listed; an earlier one is still found by its number.
     */
    @Test
    @SuppressWarnings("unchecked")
    void ofMoreThan200ResolvedFailuresTheLatest200AreListedAndThePageSaysHowManyThereAre() throws Exception {
        assertThrows(Kill.class, () -> walk(dir, 230, true, 225));
        walk(dir, 230, false, -1);
        int resolved = 225;
        int listed = JournalView.MAX_FAILURES;
        try (JournalReader j = JournalReader.openReadOnly(dir)) {
            long run = j.latestRun().orElseThrow().id();
            // the journal: "b" of evaluations 0 to 224 failed in attempt 1 and completed in attempt 2
            List<TermRecord> b =
                    j.terms(run).stream().filter(t -> t.name().equals("b")).toList();
            assertEquals(
                    java.util.stream.IntStream.range(0, resolved).boxed().toList(),
                    b.stream()
                            .filter(t -> t.state() == EvaluationRecord.State.FAILED)
                            .map(t -> t.attempt() == 1 ? t.evaluationNumber() : -1)
                            .toList());
            assertEquals(
                    java.util.stream.IntStream.range(0, 230).boxed().toList(),
                    b.stream()
                            .filter(t -> t.state() == EvaluationRecord.State.COMPLETE)
                            .map(t -> t.attempt() == 2 ? t.evaluationNumber() : -1)
                            .sorted()
                            .toList());
        }
        try (JournalView v = new JournalView(dir, 64)) {
            v.refreshAll();
            Map<String, Object> s = v.summary();
            assertEquals(2, s.get("attempts"));
            assertEquals(0, s.get("failure_count"));
            assertEquals(List.of(), s.get("failures"));
            assertEquals(resolved, s.get("resolved_failure_count"));
            List<Map<String, Object>> kept = (List<Map<String, Object>>) s.get("resolved_failures");
            assertEquals(listed, kept.size());
            for (int i = 0; i < listed; i++) {
                // the failures are numbered as read: failure k is of evaluation k
                int k = resolved - listed + i;
                Map<String, Object> f = kept.get(i);
                assertEquals(
                        List.of(k, k, "b", 1, 2),
                        List.of(
                                f.get("index"),
                                f.get("evaluation"),
                                f.get("term"),
                                f.get("attempt"),
                                f.get("resolved_by_attempt")),
                        f.toString());
                // as the journal records a term's failure: its number and name, then the reason
                assertEquals("term 1 'b' failed: licence server not reachable at evaluation " + k, f.get("message"));
            }
            assertEquals(
                    java.util.stream.IntStream.range(resolved - listed, resolved)
                            .boxed()
                            .toList(),
                    java.util.Arrays.stream(v.listedFailures()).boxed().toList());
            // a failure left out of the list is still found by its number
            Map<String, Object> first = v.failure(0);
            assertEquals(0, first.get("evaluation"));
            assertEquals(2, first.get("resolved_by_attempt"));
            assertEquals(null, v.failure(resolved), "there are " + resolved);
        }
        try (Dashboard d = Dashboard.builder(dir).start()) {
            open(d);
            driver.findElement(By.id("tab-failures")).click();
            assertEquals(
                    "No failure stands: each term that failed completed when a later attempt ran its evaluation"
                            + " again (below).",
                    text("failure-note"));
            assertEquals(
                    "225 failed term runs of an earlier attempt whose term completed when a later attempt ran the same"
                            + " evaluation again; the latest 200 are listed. They no longer stand.",
                    text("resolved-note"));
            List<List<String>> rows = cells("resolved-table");
            assertEquals(listed, rows.size());
            // the latest first: failures 224 down to 25
            for (int i = 0; i < listed; i++) {
                int k = resolved - 1 - i;
                assertEquals(
                        List.of(String.valueOf(k), k + " (attempt 1)"),
                        rows.get(i).subList(0, 2));
            }
            assertEquals(
                    List.of(
                            "25",
                            "25 (attempt 1)",
                            "b",
                            "term 1 'b' failed: licence server not reachable at evaluation 25",
                            "completed in attempt 2",
                            "details"),
                    rows.get(listed - 1));
        }
    }
}
