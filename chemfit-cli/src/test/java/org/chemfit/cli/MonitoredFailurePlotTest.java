package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loss plot draws apart the evaluations the journal calls degraded, and only those: a term of
 * weight 0 (a term to monitor) that fails leaves the loss exact, so its evaluation is drawn as a loss
 * of the evaluation; a term of weight 1 that fails under {@code on_failure: penalty} puts the penalty
 * in the loss, and its evaluation is drawn in the series of its own. The fit: {@code plain} compares
 * {@code a} with 2, {@code wall} does the same but fails when {@code a > 1.3}, and {@code monitor}
 * (weight 0) fails at every point.
 */
@org.junit.jupiter.api.Timeout(value = 300, unit = TimeUnit.SECONDS)
class MonitoredFailurePlotTest {

    /** The colours of the loss plot's two series of points: losses of the evaluation, and those apart. */
    private static final String BLUE = "#1f77b4";

    private static final String GREY = "#7f7f7f";

    @TempDir
    static Path tmp;

    static Path out;
    /** The rows of evaluations.csv, split. */
    static List<String[]> rows;

    static int degraded;

    @BeforeAll
    static void fit() throws IOException {
        Files.writeString(tmp.resolve("in.json"), "{\"energy\": {{ a }}}\n");
        String program = "    kind: external\n"
                + "    templates: {in.json: in.json}\n"
                + "    outputs: {energy: {parser: json, file: out.json, path: /energy}}\n"
                + "    reference: {energy: 2.0}\n";
        Files.writeString(
                tmp.resolve("fit.yaml"),
                "name: monitored\n"
                        + "parameters: {a: {initial: 1.0, bounds: [0, 3]}}\n"
                        + "terms:\n"
                        + "  - name: plain\n" + program
                        + "    command: [sh, -c, 'cp in.json out.json']\n"
                        + "  - name: wall\n" + program
                        + "    command: [sh, -c, \"awk -F'[:}]' '{ exit ($2 > 1.3) }' in.json && cp in.json out.json\"]\n"
                        + "  - name: monitor\n" + program
                        + "    weight: 0\n"
                        + "    command: [sh, -c, 'exit 1']\n"
                        + "combination: {on_failure: penalty, penalty: 100}\n"
                        + "optimizer: {max_evaluations: 16}\n");
        out = tmp.resolve("out");
        Cli.Run r = Cli.run("fit", tmp.resolve("fit.yaml").toString(), "-o", out.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        List<String> lines = Files.readAllLines(out.resolve(EvaluationLog.FILE));
        assertEquals(
                "evaluation,loss,best_loss,seconds,degraded,failed_terms,a,term:plain,term:wall,term:monitor",
                lines.get(0));
        rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            rows.add(line.split(",", -1));
        }
        assertEquals(16, rows.size());
        degraded = (int) rows.stream().filter(f -> f[4].equals("1")).count();
        // the point of the fit: both kinds of evaluation are there
        assertTrue(degraded > 0 && degraded < rows.size(), "degraded evaluations: " + degraded);
    }

    @Test
    void theCsvSaysDegradedExactlyWhereATermOfWeightOneFailed() {
        for (String[] f : rows) {
            boolean wallFailed = Double.parseDouble(f[6]) > 1.3;
            String row = String.join(",", f);
            assertEquals(wallFailed ? "1" : "0", f[4], row);
            // the monitor fails at every point and is counted among the failed terms, not as degrading it
            assertEquals(wallFailed ? "2" : "1", f[5], row);
        }
    }

    @Test
    void theJournalCallsTheSameEvaluationsDegraded() {
        try (JournalReader j = JournalReader.openReadOnly(out.resolve("journal.sqlite"))) {
            long run = j.latestRun().orElseThrow().id();
            List<String> journal = j.evaluations(run).stream()
                    .sorted(Comparator.comparingInt(EvaluationRecord::number))
                    .map(e -> e.number() + ":" + (e.degraded() ? 1 : 0))
                    .toList();
            List<String> csv = rows.stream().map(f -> f[0] + ":" + f[4]).toList();
            assertEquals(csv, journal);
        }
    }

    @Test
    void theLossPlotDrawsApartOnlyTheDegradedEvaluationsAsTheFitAndTheReportDrawIt() throws IOException {
        String svg = Files.readString(out.resolve("plots/loss.svg"));
        assertEquals(rows.size() - degraded, PlotsTest.markersIn(svg, BLUE), svg);
        assertEquals(degraded, PlotsTest.markersIn(svg, GREY), svg);
        assertEquals(
                List.of("loss of the evaluation", "a term failed (penalty or skip)", "best so far"),
                PlotsTest.legendLines(svg).subList(0, 3));

        // chemfit report draws it again from evaluations.csv, to the same rule
        deleteTree(out.resolve("plots"));
        Cli.Run r = Cli.run("report", out.toString());
        assertEquals(0, r.code(), r::toString);
        String again = Files.readString(out.resolve("plots/loss.svg"));
        assertEquals(rows.size() - degraded, PlotsTest.markersIn(again, BLUE), again);
        assertEquals(degraded, PlotsTest.markersIn(again, GREY), again);
        // and its journal line counts them among the complete ones, apart from the failed ones
        assertTrue(
                r.out()
                        .contains(
                                "evaluations 16 complete (" + degraded
                                        + " of them with a failed term the failure policy stood in for), 0 running, 0 failed\n"),
                r::toString);
    }

    @Test
    void aCsvWithoutTheDegradedColumnIsReadByItsCountOfFailedTerms() throws IOException {
        // as written before the degraded column was added: every row counts a failed term (the monitor)
        Path old = tmp.resolve("old");
        Files.createDirectories(old);
        List<String> lines = new ArrayList<>();
        lines.add("evaluation,loss,best_loss,seconds,failed_terms,a,term:plain,term:wall,term:monitor");
        for (String[] f : rows) {
            List<String> kept = new ArrayList<>(List.of(f));
            kept.remove(4);
            lines.add(String.join(",", kept));
        }
        Files.write(old.resolve(EvaluationLog.FILE), lines);
        Cli.Run r = Cli.run("report", old.toString());
        assertEquals(0, r.code(), r::toString);
        String svg = Files.readString(old.resolve("plots/loss.svg"));
        assertEquals(0, PlotsTest.markersIn(svg, BLUE), svg);
        assertEquals(rows.size(), PlotsTest.markersIn(svg, GREY), svg);
    }

    /**
     * results.json counts both: {@code with_failed_terms}, every evaluation with a failed term (the
     * monitor fails in all 16), and {@code degraded}, those the journal calls degraded. The dashboard
     * counts the degraded ones, from the journal and, when the journal cannot be read, from
     * results.json alike.
     */
    @Test
    void theDashboardCountsTheDegradedEvaluationsFromTheJournalAndFromResultsJsonAlike() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode ev =
                json.readTree(out.resolve("results.json").toFile()).get("evaluations");
        assertEquals(16, ev.get("total").asInt(), ev::toString);
        assertEquals(16, ev.get("with_failed_terms").asInt(), ev::toString);
        assertEquals(degraded, ev.path("degraded").asInt(-1), ev::toString);

        assertEquals(
                degraded, dashboardCounts(out, json).get("with_failed_terms").asInt());

        // a copy of the folder whose journal is cut in half: the dashboard shows results.json instead
        Path cut = tmp.resolve("cut");
        Files.createDirectories(cut);
        for (String f : List.of("results.json", "journal.sqlite")) {
            Files.copy(out.resolve(f), cut.resolve(f));
        }
        byte[] whole = Files.readAllBytes(cut.resolve("journal.sqlite"));
        Files.write(cut.resolve("journal.sqlite"), java.util.Arrays.copyOf(whole, whole.length / 2));
        com.fasterxml.jackson.databind.JsonNode fromResults = dashboardCounts(cut, json);
        assertEquals(16, fromResults.get("total").asInt(), fromResults::toString);
        assertEquals(degraded, fromResults.get("with_failed_terms").asInt(), fromResults::toString);
    }

    /** @return the counts of the dashboard's summary of the folder */
    private static com.fasterxml.jackson.databind.JsonNode dashboardCounts(
            Path folder, com.fasterxml.jackson.databind.ObjectMapper json) throws Exception {
        try (org.chemfit.dashboard.Dashboard d =
                org.chemfit.dashboard.Dashboard.builder(folder).start()) {
            java.net.URI summary = java.net.URI.create(
                    "http://127.0.0.1:" + d.port() + "/api/summary?" + d.url().getQuery());
            String body;
            try (java.io.InputStream in = summary.toURL().openStream()) {
                body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            return json.readTree(body).get("counts");
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
