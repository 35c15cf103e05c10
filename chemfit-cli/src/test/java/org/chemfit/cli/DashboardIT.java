package org.chemfit.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import picocli.CommandLine;

/**
 * The dashboard and report.html in a real browser: headless Chromium driven by Selenium. The
 * first test watches a fit run through {@code chemfit fit --dashboard}; the others read the
 * folder that fit left (running it first when they run alone).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern URL = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/\\?token=[0-9a-f]+)");
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static Path work;
    private static Path finished;
    private static ChromeDriver driver;

    @BeforeAll
    static void browser() throws IOException {
        work = Files.createTempDirectory("chemfit-dashboard-it");
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        o.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + Files.createDirectories(work.resolve("chromium-profile")),
                "--window-size=1280,860");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        o.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
                .usingAnyFreePort()
                .build();
        driver = new ChromeDriver(service, o);
    }

    @AfterAll
    static void quit() {
        if (driver != null) {
            driver.quit();
        }
    }

    /** A fit of two external terms, one of which fails past x = 1.8, slow enough to be watched. */
    private static Path job(Path dir) throws IOException {
        Path res = Cli.resource("external");
        for (String f : List.of("quad.sh", "wall.sh", "x.txt")) {
            Files.copy(res.resolve(f), dir.resolve(f));
        }
        Path job = dir.resolve("fit.yaml");
        Files.writeString(job, """
                name: dashboard-demo
                parameters:
                  x: {initial: 0.5, bounds: [-5.0, 5.0], unit: Å}
                terms:
                  - name: quad
                    kind: external
                    templates: [x.txt]
                    files: [quad.sh]
                    command: [sh, quad.sh]
                    env: {SLEEP: "0.05"}
                    outputs: {y: {parser: json, file: out.json, path: /y}}
                    reference: {y: 0.0}
                    unit: eV
                  - name: wall
                    kind: external
                    templates: [x.txt]
                    files: [wall.sh]
                    command: [sh, wall.sh]
                    outputs: {y: {parser: json, file: out.json, path: /y}}
                    reference: {y: 0.0}
                validation:
                  - name: held-out
                    kind: external
                    templates: [x.txt]
                    files: [quad.sh]
                    command: [sh, quad.sh]
                    outputs: {y: {parser: json, file: out.json, path: /y}}
                    reference: {y: 0.5}
                    unit: eV
                combination: {on_failure: penalty, penalty: 10.0}
                optimizer: {method: Nelder-Mead, max_evaluations: 60, tolerance: {relative: 0.0, absolute: 0.0}}
                output: {folder: out}
                """);
        return job;
    }

    /** Runs a command on a thread of this JVM, its output readable while it runs. */
    private static final class Running {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final AtomicInteger code = new AtomicInteger(-1);
        final Thread thread;

        Running(String... args) {
            CommandLine cl = new CommandLine(new ChemFitCommand());
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            thread = new Thread(() -> code.set(cl.execute(args)), "chemfit-" + args[0]);
            thread.start();
        }

        String url() {
            waitFor(
                    () -> URL.matcher(out + "\n" + err).find() || !thread.isAlive(),
                    () -> "no address printed\n" + this);
            Matcher m = URL.matcher(out + "\n" + err);
            assertTrue(m.find(), this::toString);
            return m.group(1);
        }

        int join() throws InterruptedException {
            thread.join(WAIT.toMillis());
            assertTrue(!thread.isAlive(), () -> "the command did not end\n" + this);
            return code.get();
        }

        @Override
        public String toString() {
            return "exit " + code.get() + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /**
     * Polls a condition every 50 ms (the browser has no event for "the page changed"), on this
     * thread, since the web driver is not thread-safe.
     */
    private static void waitFor(Supplier<Boolean> condition, Supplier<String> message) {
        await().atMost(WAIT)
                .pollInSameThread()
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertTrue(condition.get(), message));
    }

    /** @return an element's text, shown or not (Selenium's getText gives only what is shown) */
    private static String text(String id) {
        String t = driver.findElement(By.id(id)).getAttribute("textContent");
        return t == null ? "" : t.trim();
    }

    private static int points(String chart) {
        String p = driver.findElement(By.id(chart)).getAttribute("data-points");
        return p == null ? 0 : Integer.parseInt(p);
    }

    private static int count() {
        String t = text("eval-count");
        return t.matches("\\d+") ? Integer.parseInt(t) : 0;
    }

    private static void click(String id) {
        driver.findElement(By.id(id)).click();
    }

    /** @return the browser console's errors since the last call (warnings and messages are left out) */
    private static List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::toString)
                .collect(Collectors.toList());
    }

    /** The output folder of a finished fit: the one the first test watched, or a new one. */
    private static Path finishedFit() throws IOException {
        if (finished == null) {
            Path dir = Files.createDirectories(work.resolve("alone"));
            Cli.Run r = Cli.run("fit", job(dir).toString(), "-q", "--no-plots");
            assertEquals(0, r.code(), r::toString);
            finished = dir.resolve("out");
        }
        return finished;
    }

    private static JsonNode results(Path out) throws IOException {
        return JSON.readTree(out.resolve("results.json").toFile());
    }

    /**
     * The Results tab: the metrics of results.json, one row per term and quantity and one per
     * quantity over all terms, and one parity chart per quantity and unit from predictions.csv
     * (y of quad and of the validation term held-out are in eV, y of wall has no unit: two
     * charts, the first with a fit and a validation series); the rounds on the status view.
     */
    private static void assertResults(JsonNode r) {
        JsonNode rounds = r.at("/evaluations/rounds");
        assertEquals(
                rounds.isNumber() ? "in " + rounds.asInt() + " rounds (batches evaluated at once)" : "",
                text("eval-rounds"));
        click("tab-results");
        int expected = r.at("/terms/0/metrics").size()
                + r.at("/terms/1/metrics").size()
                + r.at("/validation/0/metrics").size()
                + r.at("/metrics/fit").size()
                + r.at("/metrics/validation").size();
        List<WebElement> mrows = driver.findElements(By.cssSelector("#metrics-table tbody tr"));
        assertEquals(expected, mrows.size(), "metrics rows");
        assertEquals(
                6, expected, "y of quad (eV), of wall and of held-out, and y over the terms of each set in each unit");
        List<WebElement> held = mrows.get(2).findElements(By.tagName("td"));
        assertEquals(
                List.of("validation", "held-out", "y", "eV", "1"),
                held.subList(0, 5).stream().map(WebElement::getText).toList());
        List<WebElement> quad = mrows.get(0).findElements(By.tagName("td"));
        assertEquals(
                List.of("fit", "quad", "y", "eV", "1"),
                quad.subList(0, 5).stream().map(WebElement::getText).toList());
        double rmse = r.at("/terms/0/metrics/y/best/rmse").asDouble();
        assertEquals(
                rmse, Double.parseDouble(quad.get(6).getText()), 1e-5 * Math.abs(rmse), "RMSE at best, to 6 digits");
        waitFor(
                () -> driver.findElements(By.cssSelector("#parity-charts canvas"))
                                .size()
                        == 2,
                () -> "parity charts: "
                        + driver.findElements(By.cssSelector("#parity-charts canvas"))
                                .size());
        WebElement ev = driver.findElement(By.id("parity-0"));
        assertEquals(
                List.of("y", "eV", "1", "1"),
                List.of(
                        ev.getAttribute("data-quantity"),
                        ev.getAttribute("data-unit"),
                        ev.getAttribute("data-fit-points"),
                        ev.getAttribute("data-validation-points")),
                "quad's point and held-out's apart");
        assertEquals("y (eV)", ev.findElement(By.className("u-title")).getText());
        assertEquals(
                List.of("reference (eV)", "model at best (eV)"),
                List.of(ev.getAttribute("data-x-title"), ev.getAttribute("data-y-title")),
                "the axis titles carry the unit");
        assertEquals(
                "",
                driver.findElement(By.id("parity-1")).getAttribute("data-unit"),
                "wall's y has no unit: a chart apart");
        try {
            Files.createDirectories(Path.of("target"));
            Files.write(Path.of("target", "dashboard-results.png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            fail("cannot save the screenshot: " + e.getMessage());
        }
    }

    @Test
    @Order(1)
    void aPageWatchingAFitSeesTheCountAndTheLossChartGrowThenTheFinalStatus() throws Exception {
        Path dir = Files.createDirectories(work.resolve("live"));
        Running fit = new Running("fit", "--dashboard", "0", job(dir).toString(), "--no-plots", "--progress", "none");
        String url = fit.url();
        driver.get(url);
        waitFor(() -> count() >= 1 && points("status-chart") >= 1, () -> "no evaluation shown\n" + fit);
        int firstCount = count();
        int firstPoints = points("status-chart");
        assertTrue(fit.thread.isAlive(), "the fit should still run when the page first shows it");
        assertEquals("running", text("status-value"));
        assertTrue(!driver.findElement(By.id("tab-results")).isDisplayed(), "no Results tab while the fit runs");
        waitFor(
                () -> count() > firstCount + 5 && points("status-chart") > firstPoints + 5,
                () -> "the page did not grow past " + firstCount + " evaluations\n" + fit);
        waitFor(
                () -> "done".equals(text("status-value")),
                () -> "no final status on the page: " + text("status-value"));
        assertEquals(0, fit.join(), fit::toString);
        JsonNode r = results(dir.resolve("out"));
        int total = r.at("/evaluations/total").asInt();
        assertEquals(String.valueOf(total), text("eval-count"), "the final count");
        assertEquals(total, points("status-chart"));
        // results.json is written after the journal's last record; the page is still told of it
        waitFor(() -> driver.findElement(By.id("tab-results")).isDisplayed(), () -> "no Results tab after the fit");
        assertTrue(fit.err.toString().contains("dashboard: http://127.0.0.1:"), fit::toString);
        finished = dir.resolve("out");
    }

    @Test
    @Order(2)
    void everyViewShowsTheFitAndAFailureOpensWithItsFailureJson() throws Exception {
        Path out = finishedFit();
        JsonNode r = results(out);
        Running dash = new Running("dashboard", out.toString(), "--port", "0");
        try {
            driver.get(dash.url());
            consoleErrors();
            driver.navigate().refresh();
            waitFor(() -> "done".equals(text("status-value")), () -> "status: " + text("status-value"));
            int total = r.at("/evaluations/total").asInt();
            assertEquals(String.valueOf(total), text("eval-count"));
            int withFailedTerms = r.at("/evaluations/with_failed_terms").asInt();
            assertTrue(withFailedTerms > 0, r::toString);
            assertEquals(
                    total + " complete (" + withFailedTerms + " with a failed term), 0 failed, 0 running (budget 60)",
                    text("eval-detail"));
            assertTrue(points("status-chart") == total
                    && !driver.findElements(By.cssSelector("#status-chart canvas"))
                            .isEmpty());
            Files.createDirectories(Path.of("target"));
            Files.write(Path.of("target", "dashboard.png"), driver.getScreenshotAs(OutputType.BYTES));

            click("tab-loss");
            waitFor(() -> points("loss-chart") == total, () -> "loss chart points " + points("loss-chart"));
            assertTrue(driver.findElement(By.id("loss-chart")).isDisplayed());
            assertTrue(!driver.findElement(By.id("view-status")).isDisplayed());

            click("tab-parameters");
            List<WebElement> prow = driver.findElements(By.cssSelector("#parameter-table tbody tr"));
            assertEquals(1, prow.size());
            String best = String.valueOf(r.at("/best_parameters/x").asDouble());
            String cells = prow.get(0).getText();
            assertTrue(cells.startsWith("x Å -5 0.5 ") && cells.contains(" 5"), cells);
            assertTrue(
                    best.startsWith(prow.get(0)
                            .findElements(By.tagName("td"))
                            .get(4)
                            .getText()
                            .substring(0, 4)),
                    cells + " vs " + best);
            assertEquals(
                    1,
                    driver.findElements(By.cssSelector("#parameter-charts canvas"))
                            .size());
            assertEquals("x (Å)", driver.findElement(By.id("param-0")).getAttribute("data-title"));
            assertEquals("Å", driver.findElement(By.id("param-0")).getAttribute("data-y-title"));

            click("tab-terms");
            List<WebElement> trows = driver.findElements(By.cssSelector("#term-table tbody tr"));
            assertEquals(2, trows.size());
            assertTrue(
                    trows.get(0).getText().startsWith("quad 0 " + total + " 0"),
                    trows.get(0).getText());
            String wall = trows.get(1).getText();
            assertTrue(wall.startsWith("wall 1 " + total + " "), wall);
            int failed = Integer.parseInt(wall.split(" ")[3]);
            assertTrue(failed > 0 && failed < total, wall);
            assertEquals(
                    2,
                    driver.findElements(By.cssSelector("#results-table tbody tr"))
                            .size(),
                    "results.json's terms");
            List<WebElement> vrows = driver.findElements(By.cssSelector("#values-table tbody tr"));
            assertEquals(2, vrows.size(), "one value of y per term");
            List<WebElement> quad = vrows.get(0).findElements(By.tagName("td"));
            assertEquals(
                    List.of("quad", "y", "0"),
                    List.of(
                            quad.get(0).getText(),
                            quad.get(1).getText(),
                            quad.get(3).getText()));
            assertEquals(
                    r.at("/terms/0/computed/y/0").asDouble(),
                    Double.parseDouble(quad.get(4).getText()),
                    1e-5 * Math.abs(r.at("/terms/0/computed/y/0").asDouble()),
                    "computed y at the best point, to 6 digits");

            assertResults(r);

            click("tab-failures");
            assertEquals("(" + failed + ")", text("failure-badge"));
            List<WebElement> frows = driver.findElements(By.cssSelector("#failure-table tbody tr"));
            assertEquals(failed, frows.size());
            assertTrue(frows.get(0).getText().contains("wall"), frows.get(0).getText());
            frows.get(0).findElement(By.className("failure-open")).click();
            waitFor(() -> driver.findElement(By.id("failure-detail")).isDisplayed(), () -> "no failure details");
            assertEquals("4", text("failure-exit-code"));
            assertEquals("sh wall.sh", text("failure-command"));
            assertTrue(text("failure-stderr").contains("is past the wall at 1.8"), text("failure-stderr"));
            String runDir = text("failure-run-directory");
            assertTrue(Files.isRegularFile(Path.of(runDir, "failure.json")), runDir);
            assertTrue(
                    text("failure-json").contains("\"exit_code\" : 4")
                            || text("failure-json").contains("\"exit_code\": 4"),
                    text("failure-json"));

            click("tab-evaluations");
            waitFor(
                    () -> driver.findElements(By.cssSelector("#evaluation-table tbody tr"))
                                    .size()
                            == Math.min(50, total),
                    () -> "evaluation rows");
            assertEquals("rows 1–50 of " + total, text("page-info"));
            // a complete evaluation in which wall failed names it, its stand-in and the reason
            int firstPenalised = -1;
            int penalisedOnPage = 0;
            String reason = null;
            try (var j = org.chemfit.journal.read.JournalReader.openReadOnly(out)) {
                long run = j.latestRun().orElseThrow().id();
                for (var e : j.evaluations(run, 0, 50)) {
                    if (e.degraded()) {
                        penalisedOnPage++;
                        if (firstPenalised < 0) {
                            firstPenalised = e.number();
                        }
                    }
                }
                for (var t : j.terms(run)) {
                    if (t.evaluationNumber() == firstPenalised && t.failure() != null) {
                        reason = t.failure().split("\n")[0];
                    }
                }
            }
            assertTrue(firstPenalised >= 0 && reason != null, "wall should fail among the first 50");
            List<WebElement> penalised = driver.findElements(By.cssSelector("#evaluation-table tbody tr.degraded"));
            assertEquals(penalisedOnPage, penalised.size());
            List<WebElement> cellsOfFirst = penalised.get(0).findElements(By.tagName("td"));
            assertEquals(String.valueOf(firstPenalised), cellsOfFirst.get(0).getText());
            assertEquals("COMPLETE", cellsOfFirst.get(1).getText());
            assertEquals(
                    "term wall failed; a penalty stood in: " + reason,
                    cellsOfFirst.get(5).getText());
            click("page-next");
            waitFor(() -> text("page-info").equals("rows 51–" + total + " of " + total), () -> text("page-info"));
            click("sort-loss");
            waitFor(() -> text("page-info").startsWith("rows 1–50"), () -> text("page-info"));
            String first = driver.findElement(By.cssSelector("#evaluation-table tbody tr td"))
                    .getText();
            assertEquals("at evaluation " + first, text("best-at"), "sorted by loss, the best comes first");
            click("sort-loss");
            waitFor(
                    () -> driver.findElement(By.cssSelector("#evaluation-table thead"))
                            .getText()
                            .contains("loss ▼"),
                    () -> "descending");

            click("tab-status");
            assertEquals(List.of(), consoleErrors(), "the browser console shows no error");
        } finally {
            dash.thread.interrupt();
            assertEquals(0, dash.join(), dash::toString);
        }
    }

    @Test
    @Order(3)
    void reportHtmlOpensFromAFileWithTheNetworkOff() throws Exception {
        Path out = finishedFit();
        JsonNode r = results(out);
        Cli.Run rep = Cli.run("report", out.toString(), "--html", "--no-plots");
        assertEquals(0, rep.code(), rep::toString);
        Path html = out.resolve("report.html");
        assertTrue(rep.out().contains("html: " + html), rep::toString);
        driver.setNetworkConditions(new ChromiumNetworkConditions() {
            {
                setOffline(true);
            }
        });
        try {
            driver.get("about:blank");
            consoleErrors();
            driver.get(html.toUri().toString());
            int total = r.at("/evaluations/total").asInt();
            waitFor(() -> "done".equals(text("status-value")), () -> "status: " + text("status-value"));
            assertEquals(String.valueOf(total), text("eval-count"));
            assertEquals(total, points("status-chart"));
            click("tab-loss");
            assertEquals(total, points("loss-chart"));
            // the loss axis has the loss's unit when the terms share one (here they do not: quad is in eV, wall has
            // none)
            String unit = r.at("/loss/unit").asText();
            assertEquals(
                    List.of("evaluation", unit.isEmpty() ? "loss" : "loss (" + unit + ")"),
                    List.of(
                            driver.findElement(By.id("loss-chart")).getAttribute("data-x-title"),
                            driver.findElement(By.id("loss-chart")).getAttribute("data-y-title")));
            click("tab-parameters");
            assertEquals(
                    1,
                    driver.findElements(By.cssSelector("#parameter-charts canvas"))
                            .size());
            click("tab-terms");
            assertEquals(
                    2,
                    driver.findElements(By.cssSelector("#term-table tbody tr")).size());
            assertResults(r);
            click("tab-failures");
            driver.findElements(By.className("failure-open")).get(0).click();
            waitFor(() -> driver.findElement(By.id("failure-detail")).isDisplayed(), () -> "no failure details");
            assertEquals("4", text("failure-exit-code"));
            click("tab-evaluations");
            waitFor(() -> text("page-info").equals("rows 1–50 of " + total), () -> text("page-info"));
            click("sort-loss");
            String first = driver.findElement(By.cssSelector("#evaluation-table tbody tr td"))
                    .getText();
            assertEquals("at evaluation " + first, text("best-at"));
            Object loaded = driver.executeScript("return performance.getEntriesByType('resource').map(e => e.name);");
            assertEquals(List.of(), loaded, "the page loads nothing besides itself");
            assertEquals(List.of(), consoleErrors(), "the browser console shows no error");
        } finally {
            driver.setNetworkConditions(new ChromiumNetworkConditions());
        }
    }

    @Test
    @Order(5)
    void aDamagedJournalShowsTheBannerAndWhatResultsJsonAndPredictionsCsvHold() throws Exception {
        Path out = finishedFit();
        JsonNode r = results(out);
        Path damaged = Files.createDirectories(work.resolve("damaged"));
        for (String f : List.of("journal.sqlite", "results.json", "predictions.csv")) {
            Files.copy(out.resolve(f), damaged.resolve(f));
        }
        byte[] whole = Files.readAllBytes(damaged.resolve("journal.sqlite"));
        Files.write(damaged.resolve("journal.sqlite"), java.util.Arrays.copyOf(whole, whole.length / 2));
        Running dash = new Running("dashboard", damaged.toString(), "--port", "0");
        try {
            driver.get(dash.url());
            waitFor(() -> "done".equals(text("status-value")), () -> "status: " + text("status-value"));
            assertTrue(driver.findElement(By.id("problem")).isDisplayed());
            String banner = text("problem");
            assertTrue(banner.startsWith("journal " + damaged.resolve("journal.sqlite") + " is damaged"), banner);
            assertTrue(
                    banner.endsWith("Shown instead: what results.json and predictions.csv hold"
                            + " (the journal's history, terms and failures cannot be read)."),
                    banner);
            assertEquals(String.valueOf(r.at("/evaluations/total").asInt()), text("eval-count"));
            assertEquals(
                    r.at("/evaluations/with_failed_terms").asInt() + " with a failed term, as results.json counts them",
                    text("eval-detail"));
            click("tab-parameters");
            String cells = driver.findElement(By.cssSelector("#parameter-table tbody tr"))
                    .getText();
            assertTrue(cells.startsWith("x Å -5 0.5 "), cells);
            assertResults(r);
            assertEquals(List.of(), consoleErrors(), "the browser console shows no error");
        } finally {
            dash.thread.interrupt();
            assertEquals(0, dash.join(), dash::toString);
        }
    }

    @Test
    @Order(6)
    void aFolderThatHoldsAnOutputFolderIsNamedInAHint() throws Exception {
        Path out = finishedFit();
        // the job's folder: its job file names the output folder out
        Running job = new Running("dashboard", out.getParent().toString(), "--port", "0");
        try {
            job.url();
            assertEquals(
                    "no journal here; did you mean out/ (it holds journal.sqlite)?",
                    job.err.toString().strip());
        } finally {
            job.thread.interrupt();
            assertEquals(0, job.join(), job::toString);
        }
        // a folder without a job file whose one subfolder holds results.json
        Path parent = Files.createDirectories(work.resolve("parent").resolve("fitted"));
        Files.copy(out.resolve("results.json"), parent.resolve("results.json"));
        Running sub = new Running("dashboard", parent.getParent().toString(), "--port", "0");
        try {
            sub.url();
            assertEquals(
                    "no journal here; did you mean fitted/ (it holds results.json)?",
                    sub.err.toString().strip());
        } finally {
            sub.thread.interrupt();
            assertEquals(0, sub.join(), sub::toString);
        }
        // the output folder itself: no hint
        Running itself = new Running("dashboard", out.toString(), "--port", "0");
        try {
            itself.url();
            assertEquals("", itself.err.toString());
        } finally {
            itself.thread.interrupt();
            assertEquals(0, itself.join(), itself::toString);
        }
    }

    @Test
    @Order(4)
    void aNonLoopbackAddressIsRefusedWithoutTheFlag() throws Exception {
        Path out = finishedFit();
        Cli.Run r = Cli.run("dashboard", out.toString(), "--bind", "0.0.0.0", "--port", "0");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().startsWith("error: the dashboard binds only to a loopback address"), r::toString);
        assertTrue(!r.err().contains("Exception"), r::toString);
        Path job = out.getParent().resolve("fit.yaml");
        String before = Files.readString(out.resolve("evaluations.csv"));
        Cli.Run port = Cli.run("fit", job.toString(), "--dashboard=70000", "-q");
        assertEquals(ExitCodes.USAGE, port.code(), port::toString);
        assertEquals(
                "error: the dashboard's port must be 0 (any free port) to 65535, got 70000\n",
                port.err(),
                port::toString);
        assertEquals(before, Files.readString(out.resolve("evaluations.csv")), "the refused fit changed nothing");
        Cli.Run missing = Cli.run("dashboard", out.resolve("nowhere").toString());
        assertEquals(ExitCodes.USAGE, missing.code(), missing::toString);
        assertEquals(
                "error: " + out.resolve("nowhere") + " does not exist; give the output folder of a fit\n",
                missing.err(),
                missing::toString);
    }
}
