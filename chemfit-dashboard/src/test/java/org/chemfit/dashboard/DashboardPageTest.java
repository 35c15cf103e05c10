package org.chemfit.dashboard;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
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
    private static Path profile;

    @TempDir
    Path dir;

    @BeforeAll
    static void browser() throws Exception {
        profile = Files.createTempDirectory("chemfit-dashboard-page");
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
}
