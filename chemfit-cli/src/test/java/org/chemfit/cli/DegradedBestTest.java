package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.chemfit.Bounds;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.FailurePolicy;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A point where a term failed and was skipped ({@code on_failure: skip}) scores only the terms
 * that ran, so it looks better than it is; every output names the same best point as
 * {@code results.json} (the best point without a failed term), never such a degraded one. The fit:
 * two external programs ({@code sh}) compare {@code a} with 2; the second fails when
 * {@code a > 1.3}, where the loss of the first alone is far lower than any point below 1.3.
 */
@org.junit.jupiter.api.Timeout(value = 300, unit = TimeUnit.SECONDS)
class DegradedBestTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    static Path out;
    static JsonNode results;
    /** The rows of evaluations.csv: number, loss, best_loss, degraded, a. */
    static List<double[]> rows;
    /** The best by results.json, and its evaluation (the first row of that loss without a failed term). */
    static double best;

    static int bestNumber;

    @BeforeAll
    static void fit() throws IOException {
        Files.writeString(tmp.resolve("in.json"), "{\"energy\": {{ a }}}\n");
        String program = "    kind: external\n"
                + "    templates: {in.json: in.json}\n"
                + "    outputs: {energy: {parser: json, file: out.json, path: /energy}}\n";
        Files.writeString(
                tmp.resolve("fit.yaml"),
                "name: skipped-best\n"
                        + "parameters: {a: {initial: 1.0, bounds: [0, 3]}}\n"
                        + "terms:\n"
                        + "  - name: plain\n" + program
                        + "    command: [sh, -c, 'cp in.json out.json']\n"
                        + "    reference: {energy: 2.0}\n"
                        + "  - name: wall\n" + program
                        + "    command: [sh, -c, \"awk -F'[:}]' '{ exit ($2 > 1.3) }' in.json && cp in.json out.json\"]\n"
                        + "    reference: {energy: 2.0}\n"
                        + "validation:\n"
                        + "  - name: held-out\n" + program
                        + "    command: [sh, -c, 'cp in.json out.json']\n"
                        + "    reference: {energy: 1.0}\n"
                        + "validation_every: 4\n"
                        + "combination: {on_failure: skip}\n"
                        + "optimizer: {max_evaluations: 16}\n");
        out = tmp.resolve("out");
        Cli.Run r = Cli.run("fit", tmp.resolve("fit.yaml").toString(), "-o", out.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        results = JSON.readTree(out.resolve("results.json").toFile());
        best = results.at("/loss/best").asDouble();
        List<String> lines = Files.readAllLines(out.resolve(EvaluationLog.FILE));
        assertEquals("evaluation,loss,best_loss,seconds,degraded,failed_terms,a,term:plain,term:wall", lines.get(0));
        rows = new ArrayList<>();
        bestNumber = -1;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            double[] row = {
                Double.parseDouble(f[0]),
                Double.parseDouble(f[1]),
                Double.parseDouble(f[2]),
                Double.parseDouble(f[4]),
                Double.parseDouble(f[6])
            };
            rows.add(row);
            if (bestNumber < 0 && row[3] == 0 && row[1] == best) {
                bestNumber = (int) row[0];
            }
        }
        assertEquals(16, rows.size());
        // the point of the fit: skipped points of lower loss exist, and results.json names a clean one
        double lowestDegraded = rows.stream()
                .filter(row -> row[3] > 0)
                .mapToDouble(row -> row[1])
                .min()
                .orElseThrow();
        double lowestClean = rows.stream()
                .filter(row -> row[3] == 0)
                .mapToDouble(row -> row[1])
                .min()
                .orElseThrow();
        assertTrue(lowestDegraded < best / 100, "a degraded point looks far better: " + lowestDegraded);
        assertEquals(lowestClean, best, 0.0, "results.json names the best point without a failed term");
        assertTrue(bestNumber >= 0);
        assertTrue(
                results.at("/best_parameters/a").asDouble() <= 1.3,
                results.at("/best_parameters/a").toString());
    }

    @Test
    void evaluationsCsvCarriesTheCleanBestPastTheSkippedPoints() {
        double cleanSoFar = Double.POSITIVE_INFINITY;
        for (double[] row : rows) {
            if (row[3] == 0) {
                cleanSoFar = Math.min(cleanSoFar, row[1]);
            }
            assertEquals(cleanSoFar, row[2], 0.0, "best_loss at evaluation " + (int) row[0]);
        }
        assertEquals(best, rows.get(rows.size() - 1)[2], 0.0);
    }

    @Test
    void theReportOfARunningFitAndTheJournalNameTheCleanBest() throws IOException {
        // a copy without results.json reads as a fit still running: its best comes from the CSV
        Path running = tmp.resolve("running");
        Files.createDirectories(running);
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (!f.getFileName().toString().equals("results.json")) {
                    Files.copy(f, running.resolve(f.getFileName()));
                }
            }
        }
        Cli.Run r = Cli.run("report", running.toString(), "--no-plots");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(
                r.out().contains("best loss so far: " + Tables.fmt(best) + " at evaluation " + bestNumber + "\n"),
                r::toString);
        assertTrue(r.out().contains("  a = " + rows.get(bestNumber)[4] + "\n"), r::toString);
        assertTrue(
                r.out().contains("journal best: loss " + Tables.fmt(best) + " at evaluation " + bestNumber + " {a="),
                r::toString);
        assertFalse(r.out().contains("a term failed in every evaluation"), r::toString);
    }

    @Test
    void theLossPlotNotesTheCleanBest() throws IOException {
        String svg = Files.readString(out.resolve("plots/loss.svg"));
        Matcher m = Pattern.compile("best ([^<]*) at evaluation (\\d+)").matcher(svg);
        assertTrue(m.find(), "the loss plot has its note");
        assertEquals(Tables.fmt(best), m.group(1));
        assertEquals(bestNumber, Integer.parseInt(m.group(2)));
    }

    @Test
    void theValidationChecksRunAtTheCleanBestSoFar() {
        JsonNode history = results.get("validation_history");
        assertTrue(history.size() >= 1, results::toString);
        for (JsonNode check : history) {
            int done = check.get("evaluations").asInt();
            double[] at = null;
            for (double[] row : rows.subList(0, done)) {
                if (row[3] == 0 && (at == null || row[1] < at[1])) {
                    at = row;
                }
            }
            assertTrue(at != null);
            assertEquals(at[1], check.get("fit_loss").asDouble(), 0.0, check.toString());
            double held = (at[4] - 1.0) * (at[4] - 1.0);
            assertEquals(held, check.get("validation_loss").asDouble(), 1e-12, check.toString());
        }
    }

    @Test
    void theDashboardsReportNamesTheCleanBest() throws IOException {
        Cli.Run r = Cli.run("report", out.toString(), "--no-plots", "--html");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        String html = Files.readString(out.resolve("report.html"));
        Matcher m = Pattern.compile("\"best_loss\":([^,]+),\"best_evaluation\":(\\d+)")
                .matcher(html);
        assertTrue(m.find(), "report.html embeds the summary");
        assertEquals(best, Double.parseDouble(m.group(1)), 0.0);
        assertEquals(bestNumber, Integer.parseInt(m.group(2)));
    }

    @Test
    void theProgressShowsTheCleanBest(@TempDir Path dir) throws IOException {
        // the same objective in process, so that the progress display can be read as it goes
        CombinedObjectiveFunction ob = new CombinedObjectiveFunction(
                        List.of(term("plain", false), term("wall", true)), List.of(1.0, 1.0))
                .withTermNames(List.of("plain", "wall"))
                .withFailurePolicy(FailurePolicy.skip());
        StringWriter shown = new StringWriter();
        try (EvaluationLog log = new EvaluationLog(dir, List.of("a"), List.of("plain", "wall"))) {
            Progress p = new Progress(new PrintWriter(shown, true), "job", Progress.Mode.BAR, 16, 1, log, () -> 0);
            List<Double> degraded = new ArrayList<>();
            FitResult r = new Fitter(ob, Map.of("a", 1.0))
                    .bounds(Bounds.of(Map.of("a", List.of(0.0, 3.0))))
                    .maxEvaluations(16)
                    .listener(log)
                    .listener((n, ctx, loss) -> {
                        if (ctx.children().get(1).status() == EvaluationContext.Status.SKIPPED) {
                            degraded.add(loss);
                        }
                    })
                    .fit("Nelder-Mead");
            assertTrue(
                    degraded.stream().anyMatch(d -> d < r.bestLoss() / 100),
                    "a degraded point looks far better: " + degraded);
            String bar = p.bar();
            p.close();
            assertTrue(
                    bar.contains("| best " + String.format(Locale.ROOT, "%.4g", r.bestLoss()) + " |"),
                    bar + " (best " + r.bestLoss() + ")");
            assertEquals(r.bestLoss(), log.bestSoFar(), 0.0);
        }
    }

    private static ObjectiveFunction term(String name, boolean wall) {
        QuantityComputer qc = new QuantityComputer() {
            @Override
            public Quantities compute(Parameters p) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Quantities compute(Parameters p, EvaluationContext ctx) {
                double a = p.get("a");
                if (wall && a > 1.3) {
                    throw new IllegalStateException(name + " fails at a = " + a);
                }
                return Quantities.builder().put("e", (a - 2) * (a - 2)).build();
            }
        };
        return qc.withLoss(q -> q.get("e"));
    }
}
