package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.RunRecord;
import org.chemfit.journal.read.TermRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code output.journal_terms: improving}: the fit and its outputs are those of the default, and
 * the journal keeps the terms of only the evaluations that lowered the best loss.
 */
@org.junit.jupiter.api.Timeout(value = 240, unit = TimeUnit.SECONDS)
class JournalTermsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path job(String name, String outputLines) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        String text = Files.readString(Cli.resource("jobs/lj.yaml"))
                .replace("  folder: out\n", outputLines)
                .replace("reference: data/energies.csv", "reference: " + Cli.resource("jobs/data/energies.csv"));
        assertTrue(text.contains(outputLines), text);
        Path job = dir.resolve("fit.yaml");
        Files.writeString(job, text);
        return job;
    }

    private static JsonNode withoutTiming(Path results) throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode n =
                (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(results.toFile());
        n.remove(List.of("timing", "job", "software", "journal_run"));
        return n;
    }

    @Test
    void improvingKeepsTheTermsOfTheEvaluationsThatLoweredTheBestLossAndGivesTheSameResults() throws IOException {
        Path all = job("all", "  folder: out\n");
        Path improving = job("improving", "  folder: out\n  journal_terms: improving\n");
        Cli.Run a = Cli.run("fit", all.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.OK, a.code(), a::toString);
        Cli.Run b = Cli.run("fit", improving.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.OK, b.code(), b::toString);
        Path outA = all.resolveSibling("out");
        Path outB = improving.resolveSibling("out");

        JsonNode ra = withoutTiming(outA.resolve("results.json"));
        JsonNode rb = withoutTiming(outB.resolve("results.json"));
        assertEquals(ra.get("best_parameters"), rb.get("best_parameters"));
        assertEquals(ra.get("best_loss"), rb.get("best_loss"));
        ra.get("terms").forEach(t -> ((com.fasterxml.jackson.databind.node.ObjectNode) t).remove("seconds"));
        rb.get("terms").forEach(t -> ((com.fasterxml.jackson.databind.node.ObjectNode) t).remove("seconds"));
        assertEquals(ra.get("terms"), rb.get("terms"));
        assertEquals(ra.get("metrics"), rb.get("metrics"));
        assertEquals(ra.get("uncertainty"), rb.get("uncertainty"));
        assertEquals(
                Files.readString(outA.resolve("predictions.csv")), Files.readString(outB.resolve("predictions.csv")));
        List<String> csvA = Files.readAllLines(outA.resolve("evaluations.csv"));
        List<String> csvB = Files.readAllLines(outB.resolve("evaluations.csv"));
        assertEquals(csvA.size(), csvB.size());
        for (int i = 0; i < csvA.size(); i++) { // the seconds column differs; the rest is the same
            assertEquals(withoutSeconds(csvA.get(i)), withoutSeconds(csvB.get(i)), "evaluations.csv line " + (i + 1));
        }

        int dimers = Files.readAllLines(Cli.resource("jobs/data/energies.csv")).size() - 1;
        try (JournalReader ja = JournalReader.openReadOnly(outA);
                JournalReader jb = JournalReader.openReadOnly(outB)) {
            RunRecord runA = ja.latestRun().orElseThrow();
            RunRecord runB = jb.latestRun().orElseThrow();
            List<EvaluationRecord> evs = jb.evaluations(runB.id());
            assertEquals(ja.evaluations(runA.id()).size(), evs.size());
            assertEquals(dimers * evs.size(), ja.terms(runA.id()).size(), "the default keeps every term");
            Set<Integer> lowered = new TreeSet<>();
            double lowest = Double.POSITIVE_INFINITY;
            for (EvaluationRecord e : evs) {
                if (e.state() == EvaluationRecord.State.COMPLETE && !(e.loss() > lowest)) {
                    lowered.add(e.number());
                    lowest = e.loss();
                }
            }
            Map<Integer, Long> kept = jb.terms(runB.id()).stream()
                    .collect(Collectors.groupingBy(TermRecord::evaluationNumber, Collectors.counting()));
            // and, of the others, only terms the journal's writer took while their evaluation ran past a
            // millisecond (a pause of the JVM or the machine)
            assertTrue(kept.keySet().containsAll(lowered), kept + " against " + lowered);
            lowered.forEach(n -> assertEquals(dimers, kept.get(n), "evaluation " + n));
            assertTrue(evs.size() - lowered.size() > 10, lowered.size() + " of " + evs.size());
            assertTrue(
                    jb.terms(runB.id()).size() < dimers * (evs.size() - 1),
                    "the terms of the evaluations left out are not in the journal: " + kept.keySet() + ", " + lowered);
            assertEquals(
                    ja.best(runA.id()).orElseThrow().number(),
                    jb.best(runB.id()).orElseThrow().number());
        }

        Cli.Run report = Cli.run("report", outB.toString());
        assertEquals(ExitCodes.OK, report.code(), report::toString);
        Cli.Run reportA = Cli.run("report", outA.toString());
        String bestA = reportA.out().substring(reportA.out().indexOf("best"));
        assertTrue(report.out().contains(bestA.lines().findFirst().orElseThrow()), report + "\n" + reportA);
    }

    private static String withoutSeconds(String csvLine) {
        String[] f = csvLine.split(",", -1);
        f[3] = "";
        return String.join(",", f);
    }
}
