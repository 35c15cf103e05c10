package org.chemfit.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.chemfit.fit.FitResult;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A timing harness, not a test: it prints the numbers of docs/benchmarks.md and asserts only
 * that the pages show what the journal holds. Its name matches neither the unit nor the
 * integration tests' pattern, so it runs only when named:
 *
 * <pre>{@code
 * mvn -B -pl chemfit-core,chemfit-dashboard -am test -Dtest=PageLoadBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * }</pre>
 *
 * <p>It writes a 100,000-evaluation journal with a real fit (a cheap in-process objective, so
 * that the journal's own cost dominates), then measures in headless Chromium the time from
 * asking for the page until its loss chart is drawn, the same for report.html, and the writer's
 * evaluation rate with no dashboard and with a dashboard and an open page following it.
 */
class PageLoadBenchmark {

    private static final int BIG = Integer.getInteger("chemfit.benchmark.evaluations", 100_000);
    private static final int RATE_RUN = Integer.getInteger("chemfit.benchmark.rateEvaluations", 20_000);

    /** @return headless Chromium (Debian's chromium and chromium-driver), as the page tests drive it too */
    static ChromeDriver browser(Path profile) {
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
                "--user-data-dir=" + profile,
                "--window-size=1280,860");
        return new ChromeDriver(
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
                        .usingAnyFreePort()
                        .build(),
                o);
    }

    /** @return milliseconds from asking for the page until its loss chart holds the given points */
    private static double load(ChromeDriver d, String url, int points) {
        d.get("about:blank");
        long t0 = System.nanoTime();
        d.get(url);
        // a measurement, not a wait: checked without pause so that the time is not rounded up to a poll interval
        while (true) {
            String p = d.findElement(By.id("status-chart")).getAttribute("data-points");
            if (p != null && Integer.parseInt(p) == points) {
                break;
            }
            if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(60)) {
                throw new AssertionError("the chart was not drawn: " + p);
            }
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static String stats(List<Double> ms) {
        List<Double> s = new ArrayList<>(ms);
        Collections.sort(s);
        return String.format(
                Locale.ROOT,
                "median %.0f ms (min %.0f, max %.0f, %d loads)",
                s.get(s.size() / 2),
                s.get(0),
                s.get(s.size() - 1),
                s.size());
    }

    private static double rate(Path dir, int n, boolean dashboard, ChromeDriver d) {
        Dashboard dash = dashboard ? Dashboard.builder(dir).start() : null;
        try {
            if (dash != null) {
                d.get(dash.url().toString());
            }
            long t0 = System.nanoTime();
            FitResult r;
            try (JournalReader j = JournalReader.open(dir)) {
                r = Journals.fitter(n).journal(j).fit(new Journals.RandomSearch());
            }
            double s = (System.nanoTime() - t0) / 1e9;
            assertEquals(n, r.evaluations());
            return n / s;
        } finally {
            if (dash != null) {
                dash.close();
            }
        }
    }

    @Test
    void pageLoadOfALongJournalAndTheWritersRate() throws IOException {
        Path work = Files.createTempDirectory("chemfit-dashboard-bench");
        Path big = Files.createDirectories(work.resolve("big"));
        long t0 = System.nanoTime();
        Journals.fit(big, BIG);
        double writeSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "journal of %d evaluations written in %.1f s (%.0f evaluations/s)%n",
                BIG,
                writeSeconds,
                BIG / writeSeconds);
        ChromeDriver d = browser(Files.createDirectories(work.resolve("profile")));
        try {
            int points;
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            try (JournalView v = new JournalView(big)) {
                long c0 = mx.getCurrentThreadCpuTime();
                long w0 = System.nanoTime();
                v.refreshAll();
                System.out.printf(
                        Locale.ROOT,
                        "whole journal read: %.0f ms wall, %.0f ms CPU%n",
                        (System.nanoTime() - w0) / 1e6,
                        (mx.getCurrentThreadCpuTime() - c0) / 1e6);
                c0 = mx.getCurrentThreadCpuTime();
                w0 = System.nanoTime();
                points = ((Object[]) ((java.util.Map<?, ?>) v.summary().get("history")).get("number")).length;
                System.out.printf(
                        Locale.ROOT,
                        "one summary (downsampling included): %.0f ms wall, %.0f ms CPU%n",
                        (System.nanoTime() - w0) / 1e6,
                        (mx.getCurrentThreadCpuTime() - c0) / 1e6);
            }
            long s0 = System.nanoTime();
            Dashboard dash = Dashboard.builder(big).start();
            System.out.printf(Locale.ROOT, "dashboard started in %.0f ms%n", (System.nanoTime() - s0) / 1e6);
            try {
                // the pages below are timed once the server has read the whole journal
                load(d, dash.url().toString(), points);
                System.out.println("points drawn of " + BIG + ": " + points);
                List<Double> ms = new ArrayList<>();
                for (int i = 0; i < 7; i++) {
                    ms.add(load(d, dash.url().toString(), points));
                }
                System.out.println("dashboard page, " + BIG + " evaluations: " + stats(ms.subList(2, ms.size())));
                long h0 = System.nanoTime();
                Path html = HtmlReport.write(big);
                System.out.printf(
                        Locale.ROOT,
                        "report.html written in %.0f ms, %.1f MB%n",
                        (System.nanoTime() - h0) / 1e6,
                        Files.size(html) / 1e6);
                List<Double> hs = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    hs.add(load(d, html.toUri().toString(), points));
                }
                System.out.println("report.html, " + BIG + " evaluations: " + stats(hs.subList(1, hs.size())));
            } finally {
                dash.close();
            }
            List<Double> without = new ArrayList<>();
            List<Double> with = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                without.add(rate(Files.createDirectories(work.resolve("plain" + round)), RATE_RUN, false, d));
                with.add(rate(Files.createDirectories(work.resolve("watched" + round)), RATE_RUN, true, d));
            }
            System.out.printf(
                    Locale.ROOT,
                    "writer, %d evaluations: %s evaluations/s without a dashboard, %s with one and an" + " open page%n",
                    RATE_RUN,
                    without,
                    with);
        } finally {
            d.quit();
        }
    }
}
