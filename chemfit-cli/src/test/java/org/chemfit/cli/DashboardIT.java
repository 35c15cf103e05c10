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
    /** Deleted after the class's tests, the browser quit: its profile and the fits' folders. */
    @org.junit.jupiter.api.io.TempDir
    static Path work;

    private static Path finished;
    private static ChromeDriver driver;

    @BeforeAll
    static void browser() throws IOException {
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
        return job(dir, "{SLEEP: \"0.05\"}");
    }

    /**
     * @param env the environment of the term quad ({@code quad.sh}'s variables), as YAML
     * @return the job, in dir
     */
    private static Path job(Path dir, String env) throws IOException {
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
                    env: %s
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
                """.formatted(env));
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
        // as the closing table of chemfit fit: the rows over the fit's terms first, one per quantity and unit,
        // each over the one term that has y in that unit, so named "(1 of 2)"; none over the one validation term,
        // whose own row says the same
        int expected = r.at("/metrics/fit").size()
                + r.at("/terms/0/metrics").size()
                + r.at("/terms/1/metrics").size()
                + r.at("/validation/0/metrics").size();
        List<WebElement> mrows = driver.findElements(By.cssSelector("#metrics-table tbody tr"));
        assertEquals(expected, mrows.size(), "metrics rows");
        assertEquals(5, expected, "y over the fit's terms in each unit, y of quad (eV), of wall and of held-out");
        assertEquals(
                List.of("fit", "(1 of 2)", "fit", "(1 of 2)", "fit", "quad", "fit", "wall", "validation", "held-out"),
                mrows.stream()
                        .flatMap(row -> row.findElements(By.tagName("td")).subList(0, 2).stream())
                        .map(WebElement::getText)
                        .toList());
        List<WebElement> held = mrows.get(4).findElements(By.tagName("td"));
        assertEquals(
                List.of("validation", "held-out", "y", "eV", "1"),
                held.subList(0, 5).stream().map(WebElement::getText).toList());
        List<WebElement> quad = mrows.get(2).findElements(By.tagName("td"));
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
        // quad's runs wait after the third until the page has been looked at: the fit is sure to run then
        Path runs = Files.createDirectories(dir.resolve("runs-log"));
        Path release = dir.resolve("release");
        Path job = job(dir, "{SLEEP: \"0.05\", LOG_DIR: \"" + runs + "\", HOLD: \"" + release + "\"}");
        Running fit = new Running("fit", "--dashboard", "0", job.toString(), "--no-plots", "--progress", "none");
        String url = fit.url();
        driver.get(url);
        waitFor(() -> count() >= 1 && points("status-chart") >= 1, () -> "no evaluation shown\n" + fit);
        int firstCount = count();
        int firstPoints = points("status-chart");
        assertTrue(fit.thread.isAlive(), "the fit should still run when the page first shows it");
        assertEquals("running", text("status-value"));
        assertTrue(!driver.findElement(By.id("tab-results")).isDisplayed(), "no Results tab while the fit runs");
        // nor, in its view, any heading or empty table of the results: only the line that they are to come
        assertEquals("note", driver.findElement(By.id("results-pending")).getAttribute("class"));
        assertEquals("The results appear when the fit ends.", text("results-pending"));
        assertEquals("hidden", driver.findElement(By.id("results-body")).getAttribute("class"));
        Files.writeString(release, "");
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
            // the job's name, its method and its folder tell this fit's page from another's
            String name = r.at("/job/name").asText();
            assertEquals(name, text("job"));
            assertEquals("ChemFit dashboard: " + name + " (" + text("folder") + ")", driver.getTitle());
            assertTrue(text("run-detail").startsWith(r.at("/method").asText() + ", attempt 1 on "), text("run-detail"));
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
            // term, quantity, unit (quad's y is in eV), item, reference, computed
            assertEquals(
                    List.of("quad", "y", "eV", "0"),
                    List.of(
                            quad.get(0).getText(),
                            quad.get(1).getText(),
                            quad.get(2).getText(),
                            quad.get(4).getText()));
            assertEquals(
                    r.at("/terms/0/computed/y/0").asDouble(),
                    Double.parseDouble(quad.get(5).getText()),
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
            // the best row says so in words, not by its tint alone
            assertEquals(
                    "COMPLETE (best)",
                    driver.findElement(By.cssSelector("#evaluation-table tbody tr.best td:nth-child(2)"))
                            .getText());
            assertEquals("ascending", driver.findElement(By.id("sort-loss")).getAttribute("aria-sort"));
            // sorted again from the keyboard: the heading's button takes Enter, turns the order, and keeps the focus
            driver.findElement(By.cssSelector("#sort-loss button")).sendKeys(org.openqa.selenium.Keys.ENTER);
            waitFor(
                    () -> driver.findElement(By.cssSelector("#evaluation-table thead"))
                            .getText()
                            .contains("loss ▼"),
                    () -> "descending");
            assertEquals("descending", driver.findElement(By.id("sort-loss")).getAttribute("aria-sort"));
            assertEquals(
                    driver.findElement(By.cssSelector("#sort-loss button")),
                    driver.switchTo().activeElement(),
                    "the focus stays on the heading's button");
            // the tab shown says so to a screen reader, and the others say they are not
            assertEquals("true", driver.findElement(By.id("tab-evaluations")).getAttribute("aria-selected"));
            assertEquals("false", driver.findElement(By.id("tab-status")).getAttribute("aria-selected"));

            click("tab-status");
            // the loss chart, drawn on a canvas, is an image named by its axes and its points
            assertEquals("img", driver.findElement(By.id("status-chart")).getAttribute("role"));
            assertEquals(
                    "loss against evaluation, " + total + " points",
                    driver.findElement(By.id("status-chart")).getAttribute("aria-label"));
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
            assertEquals(
                    "ChemFit report: " + r.at("/job/name").asText() + " (" + text("folder") + ")", driver.getTitle());
            assertEquals(total, points("status-chart"));
            click("tab-loss");
            assertEquals(total, points("loss-chart"));
            // the loss axis has the loss's unit when the terms share one (here they do not: quad is in eV, wall has
            // none)
            String unit = r.at("/loss/unit").asText();
            assertEquals(
                    List.of(
                            "evaluation",
                            unit.isEmpty() ? "loss" : "loss (" + (unit.equals("1") ? "dimensionless" : unit) + ")"),
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

    /**
     * A Morse curve fitted with two Morse potentials whose depths D1 and D2 only their sum fixes, and a parameter
     * no residual depends on: a user's job, whose results.json gives the standard errors of alpha and r0, none for
     * D1 and D2 (J^T J is singular: the data determine their sum only), and its warnings. report.html shows them
     * as the text report does: each standard error beside its parameter, D1 and D2 as not determined by the data,
     * the correlation matrix and the warnings; and the loss axis, a log scale down to 1e-4, labels its lowest tick
     * 1e-4, not 0.
     */
    @Test
    @Order(7)
    void reportHtmlShowsTheStandardErrorsTheCorrelatedPairAndTheWarnings() throws Exception {
        Path dir = Files.createDirectories(work.resolve("degenerate"));
        double[][] curve = {
            {1.600, -0.0955082825}, {1.726, -0.2185912141}, {1.853, -0.2799874074}, {1.979, -0.3062069933},
            {2.105, -0.2890731343}, {2.232, -0.2719333715}, {2.358, -0.2509154794}, {2.484, -0.2171208980},
            {2.611, -0.1902493252}, {2.737, -0.1643106993}, {2.863, -0.1417219997}, {2.989, -0.1178598586},
            {3.116, -0.1056621095}, {3.242, -0.0866992165}, {3.368, -0.0745028363}, {3.495, -0.0573608010},
            {3.621, -0.0502223373}, {3.747, -0.0435113118}, {3.874, -0.0389272823}, {4.000, -0.0304145766}
        };
        StringBuilder csv = new StringBuilder("file,reference_energy,tag,r\n");
        Files.createDirectories(dir.resolve("xyz"));
        for (double[] p : curve) {
            String r = String.format(java.util.Locale.ROOT, "%.3f", p[0]);
            Files.writeString(dir.resolve("xyz/d" + r + ".xyz"), "2\ndimer r=" + r + "\nX 0 0 0\nX " + r + " 0 0\n");
            csv.append("xyz/d")
                    .append(r)
                    .append(".xyz,")
                    .append(p[1])
                    .append(",r")
                    .append(r)
                    .append(',')
                    .append(r);
            csv.append('\n');
        }
        Files.writeString(dir.resolve("fit.csv"), csv);
        Files.writeString(dir.resolve("degen.yaml"), """
                name: degen
                parameters:
                  D1:    {initial: 0.1, bounds: [0.01, 2.0], unit: eV}
                  D2:    {initial: 0.1, bounds: [0.01, 2.0], unit: eV}
                  alpha: {initial: 1.0, bounds: [0.3, 4.0], unit: 1/A}
                  r0:    {initial: 2.3, bounds: [1.0, 3.5], unit: A}
                  unused: {initial: 1.0, bounds: [0, 5]}
                terms:
                  - name: curve
                    kind: atoms
                    reference: fit.csv
                    unit: eV
                    potential:
                      - {form: morse, D: D1, alpha: alpha, r0: r0}
                      - {form: morse, D: D2, alpha: alpha, r0: r0}
                optimizer: {method: least-squares, max_evaluations: 300}
                output: {folder: out}
                """);
        Cli.Run fit = Cli.run("fit", dir.resolve("degen.yaml").toString(), "-q", "--no-plots");
        assertEquals(0, fit.code(), fit::toString);
        Path out = dir.resolve("out");
        JsonNode r = results(out);
        JsonNode u = r.get("uncertainty");
        assertTrue(u != null && u.get("standard_errors").size() == 4, () -> "results.json: " + r);
        Cli.Run rep = Cli.run("report", out.toString(), "--html", "--no-plots");
        assertEquals(0, rep.code(), rep::toString);
        driver.get("about:blank");
        consoleErrors();
        driver.get(out.resolve("report.html").toUri().toString());
        waitFor(() -> "done".equals(text("status-value")), () -> "status: " + text("status-value"));

        // the warnings, on the first view
        assertTrue(driver.findElement(By.id("warnings")).isDisplayed(), "the warnings are shown");
        List<String> shown = driver.findElements(By.cssSelector("#warning-list li")).stream()
                .map(WebElement::getText)
                .toList();
        List<String> warnings = new java.util.ArrayList<>();
        r.get("warnings").forEach(w -> warnings.add(w.asText()));
        assertEquals(warnings, shown);
        // two Morse terms of one form: the data determine D1 + D2 only
        assertTrue(
                shown.stream()
                        .anyMatch(w -> w.startsWith(
                                "J^T J is singular: the data determine only a combination of 'D1', 'D2', so they get"
                                        + " no standard errors")),
                shown::toString);

        // each parameter's standard error, as results.json gives it; none for the pair the data leave free
        click("tab-parameters");
        for (String name : List.of("alpha", "r0")) {
            double se = u.at("/standard_errors/" + name).asDouble();
            WebElement row = driver.findElement(By.cssSelector("#parameter-table tr[data-parameter='" + name + "']"));
            String cell = row.findElement(By.className("std-error")).getText();
            assertEquals(se, Double.parseDouble(cell), 1e-4 * se, name + ": " + cell);
        }
        for (String name : List.of("D1", "D2")) {
            assertTrue(u.at("/standard_errors/" + name).isNull(), () -> "results.json: " + u);
            WebElement row = driver.findElement(By.cssSelector("#parameter-table tr[data-parameter='" + name + "']"));
            assertEquals("–", row.findElement(By.className("std-error")).getText(), name);
            assertTrue(row.getText().endsWith("not determined by the data"), row::getText);
        }
        WebElement unused = driver.findElement(By.cssSelector("#parameter-table tr[data-parameter='unused']"));
        assertEquals("–", unused.findElement(By.className("std-error")).getText());
        assertTrue(unused.getText().endsWith("no effect"), unused::getText);
        // the pair has no correlation to show, and the matrix keeps its rows
        String pairs = text("correlated-pairs");
        assertTrue(!pairs.contains("D1"), pairs);
        assertEquals(
                4,
                driver.findElements(By.cssSelector("#correlation-table tbody tr"))
                        .size());
        String basis = text("uncertainty-basis");
        assertTrue(basis.contains("from " + u.get("residuals").asInt() + " residuals"), basis);

        // the loss axis: log scale, its lowest decade 1e-4 labelled as such
        click("tab-loss");
        String ticks = driver.findElement(By.id("loss-chart")).getAttribute("data-y-ticks");
        List<String> labels = List.of(String.valueOf(ticks).split(" "));
        assertTrue(labels.contains("1e-4"), () -> "tick labels: " + ticks);
        assertTrue(!labels.contains("0"), () -> "tick labels: " + ticks);
        assertEquals(List.of(), consoleErrors(), "the browser console shows no error");
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

    /**
     * The demo fit with a validation term whose program fails at every point: the Results tab and report.html say
     * that it failed and why, as the closing table does, instead of a row of dashes; the fit, stopped by its budget,
     * says so in words; the evaluations a penalty stood in for are a series of their own on the loss chart and in
     * plots/loss.svg. With results.json as an interrupted fit leaves it, the validation term's row says that it was
     * not evaluated.
     */
    @Test
    @Order(8)
    void aFailedValidationTermABudgetStopAndPenalisedLossesAreSaidApart() throws Exception {
        Path dir = Files.createDirectories(work.resolve("held-out-fails"));
        Path job = job(dir);
        String yaml = Files.readString(job);
        String held = "    reference: {y: 0.5}\n";
        assertEquals(1, yaml.split(java.util.regex.Pattern.quote(held), -1).length - 1, yaml);
        Files.writeString(
                job,
                yaml.replace(held, held + "    env: {FAIL: held-out is broken}\n")
                        .replace("max_evaluations: 60", "max_evaluations: 30")
                        .replace("SLEEP: \"0.05\"", "SLEEP: \"0\""));
        Cli.Run fit = Cli.run("fit", job.toString());
        assertEquals(0, fit.code(), fit::toString);
        Path out = dir.resolve("out");
        JsonNode r = results(out);
        assertEquals("MAX_EVALUATIONS", r.get("stop_reason").asText(), r::toString);
        assertEquals("FAILED", r.at("/validation/0/status").asText(), r::toString);
        String failure = r.at("/validation/0/failure").asText();
        // the program exits with 3 when FAIL is set, its reason on stderr (quad.sh)
        String lead = "term 0 'held-out' failed: ";
        assertTrue(failure.startsWith(lead), failure);
        String reason = failure.substring(lead.length());
        assertTrue(
                reason.startsWith(
                        "external term 'held-out' failed at step run: command 'sh quad.sh' exited with code 3"),
                reason);
        assertTrue(reason.endsWith("\nquad.sh: simulated failure: held-out is broken"), reason);
        // the closing table says it with the same words
        assertTrue(
                (fit.out() + fit.err()).contains("validation term 'held-out' failed at the best parameters: " + reason),
                fit::toString);
        int penalised = r.at("/evaluations/with_failed_terms").asInt();
        assertTrue(penalised > 0 && penalised < r.at("/evaluations/total").asInt(), r::toString);

        // plots/loss.svg: the penalised evaluations apart, the budget stop in words under the legend
        String svg = Files.readString(out.resolve("plots/loss.svg"));
        List<String> legend = new java.util.ArrayList<>();
        Matcher lm =
                Pattern.compile("<text class=\"legend\"[^>]*>([^<]*)</text>").matcher(svg);
        while (lm.find()) {
            legend.add(lm.group(1));
        }
        assertEquals(
                List.of("loss of the evaluation", "a term failed (penalty or skip)", "best so far"),
                legend.subList(0, 3));
        assertEquals(
                List.of("stopped at its evaluation budget", "(max_evaluations), not by convergence"),
                legend.subList(legend.size() - 2, legend.size()));

        Cli.Run rep = Cli.run("report", out.toString(), "--html", "--no-plots");
        assertEquals(0, rep.code(), rep::toString);
        driver.get("about:blank");
        consoleErrors();
        driver.get(out.resolve("report.html").toUri().toString());
        waitFor(() -> "done".equals(text("status-value")), () -> "status: " + text("status-value"));
        assertEquals("stopped at its evaluation budget (max_evaluations), not by convergence", text("stop-reason"));
        click("tab-loss");
        int total = r.at("/evaluations/total").asInt();
        waitFor(() -> points("loss-chart") == total, () -> "points: " + points("loss-chart"));
        assertEquals(
                String.valueOf(penalised),
                driver.findElement(By.id("loss-chart")).getAttribute("data-penalised-points"),
                "every evaluation a penalty stood in for, apart");
        assertEquals(
                List.of("evaluation", "loss", "a term failed (penalty or skip)", "best so far"),
                driver.findElements(By.cssSelector("#loss-chart .u-legend .u-label")).stream()
                        .map(e -> e.getAttribute("textContent"))
                        .toList());
        click("tab-results");
        assertEquals("", driver.findElement(By.id("results-body")).getAttribute("class"));
        assertEquals("note hidden", driver.findElement(By.id("results-pending")).getAttribute("class"));
        List<WebElement> state = driver.findElements(By.cssSelector("#metrics-table tr.validation-state"));
        assertEquals(1, state.size());
        assertEquals("held-out", state.get(0).getAttribute("data-term"));
        assertEquals(
                List.of("validation", "held-out", "failed at the best parameters: " + reason),
                state.get(0).findElements(By.tagName("td")).stream()
                        .map(WebElement::getText)
                        .toList());
        // no row over the one validation term (as in the closing table), nor a row of dashes for it
        List<List<String>> overAll = driver.findElements(By.cssSelector("#metrics-table tbody tr")).stream()
                .map(row -> row.findElements(By.tagName("td")).stream()
                        .map(WebElement::getText)
                        .toList())
                .filter(cells ->
                        cells.get(0).equals("validation") && cells.get(1).startsWith("("))
                .toList();
        assertEquals(List.of(), overAll);
        // no row of dashes for it beside the one that says why
        for (WebElement row : driver.findElements(By.cssSelector("#metrics-table tbody tr"))) {
            List<WebElement> cells = row.findElements(By.tagName("td"));
            assertTrue(
                    row.getAttribute("class").contains("validation-state")
                            || !cells.get(1).getText().equals("held-out"),
                    row::getText);
        }
        assertEquals(List.of(), consoleErrors(), "the browser console shows no error");

        // results.json as an interrupted fit writes it: its validation terms not evaluated, no status, no failure
        com.fasterxml.jackson.databind.node.ObjectNode edited = (com.fasterxml.jackson.databind.node.ObjectNode) r;
        edited.put("status", "interrupted");
        com.fasterxml.jackson.databind.node.ObjectNode v0 =
                (com.fasterxml.jackson.databind.node.ObjectNode) edited.at("/validation/0");
        v0.putNull("status");
        v0.remove("failure");
        JSON.writeValue(out.resolve("results.json").toFile(), edited);
        rep = Cli.run("report", out.toString(), "--html", "--no-plots");
        assertEquals(0, rep.code(), rep::toString);
        driver.get("about:blank");
        driver.get(out.resolve("report.html").toUri().toString());
        waitFor(() -> "done".equals(text("status-value")), () -> "status: " + text("status-value"));
        click("tab-results");
        state = driver.findElements(By.cssSelector("#metrics-table tr.validation-state"));
        assertEquals(1, state.size());
        assertEquals(
                "not evaluated: the fit was interrupted (they are when it ends: run the same command to resume)",
                state.get(0).findElements(By.tagName("td")).get(2).getText());
        assertEquals(List.of(), consoleErrors(), "the browser console shows no error");

        // results.json of a done fit whose validation terms could not be evaluated: no status, the reason a warning
        edited.put("status", "done");
        edited.putArray("warnings").add("the validation terms could not be evaluated: no such point");
        JSON.writeValue(out.resolve("results.json").toFile(), edited);
        rep = Cli.run("report", out.toString(), "--html", "--no-plots");
        assertEquals(0, rep.code(), rep::toString);
        driver.get("about:blank");
        driver.get(out.resolve("report.html").toUri().toString());
        waitFor(() -> "done".equals(text("status-value")), () -> "status: " + text("status-value"));
        click("tab-results");
        state = driver.findElements(By.cssSelector("#metrics-table tr.validation-state"));
        assertEquals(1, state.size());
        assertEquals(
                List.of("validation", "held-out", "not evaluated: see the warnings"),
                state.get(0).findElements(By.tagName("td")).stream()
                        .map(WebElement::getText)
                        .toList());
        assertEquals(List.of(), consoleErrors(), "the browser console shows no error");
    }

    /**
     * A fit killed with SIGKILL records no end: the status card gives the time from the run's start to the end of
     * its last recorded evaluation, as the journal holds them, and says that it is that time.
     */
    @Test
    @Order(9)
    void aKilledFitShowsTheTimeToItsLastRecordedEvaluation() throws Exception {
        Path dir = Files.createDirectories(work.resolve("killed"));
        Path job = job(dir);
        Process p = InterruptIT.start(dir, "fit", job.toString(), "--progress", "none", "--no-plots");
        try {
            InterruptIT.awaitEvaluations(p, dir.resolve("out/evaluations.csv"), 5, dir);
        } finally {
            InterruptIT.killWithPrograms(p);
        }
        Path out = dir.resolve("out");
        double seconds;
        try (org.chemfit.journal.read.JournalReader j =
                org.chemfit.journal.read.JournalReader.openReadOnly(out.resolve("journal.sqlite"))) {
            org.chemfit.journal.read.RunRecord run = j.latestRun().orElseThrow();
            java.time.Instant last = j.evaluations(run.id()).stream()
                    .map(org.chemfit.journal.read.EvaluationRecord::ended)
                    .filter(java.util.Objects::nonNull)
                    .max(java.time.Instant::compareTo)
                    .orElseThrow();
            seconds = Duration.between(run.started(), last).toMillis() / 1000.0;
        }
        Cli.Run rep = Cli.run("report", out.toString(), "--html", "--no-plots");
        assertEquals(0, rep.code(), rep::toString);
        driver.get("about:blank");
        consoleErrors();
        driver.get(out.resolve("report.html").toUri().toString());
        waitFor(() -> "stopped".equals(text("status-value")), () -> "status: " + text("status-value"));
        // the page's format: whole seconds, with minutes and hours when there are any
        long s = Math.round(seconds);
        String expected =
                (s >= 3600 ? s / 3600 + " h " : "") + (s >= 60 ? s % 3600 / 60 + " min " : "") + s % 60 + " s";
        assertEquals(expected, text("elapsed"));
        assertEquals(
                "from the run's first start to the last recorded evaluation (pauses between attempts included; the end of a stopped run is not recorded)",
                text("time-left"));
        assertEquals(List.of(), consoleErrors(), "the browser console shows no error");
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
