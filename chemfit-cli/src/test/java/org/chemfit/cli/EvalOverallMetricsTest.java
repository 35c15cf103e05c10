package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics table of {@code chemfit eval} has the row over all terms of the set that the
 * closing table of {@code fit} and {@code report} have: two terms over the same eight energies
 * (jobs/two-terms.yaml), so 16 values.
 */
class EvalOverallMetricsTest {

    @TempDir
    Path tmp;

    /**
     * two-terms.yaml, its term light against the energies of the test resources, its term heavy
     * against the same energies 0.1 higher, so that the terms' errors differ.
     */
    private Path job() throws IOException {
        Path jobs = Cli.resource("jobs");
        Path csv = jobs.resolve("data/energies.csv");
        StringBuilder shifted = new StringBuilder();
        for (String line : Files.readAllLines(csv)) {
            String[] cells = line.split(",");
            shifted.append(
                            line.startsWith("file")
                                    ? line
                                    : jobs.resolve("data").resolve(cells[0]) + ","
                                            + (Double.parseDouble(cells[1]) + 0.1) + "," + cells[2])
                    .append('\n');
        }
        Path heavy = tmp.resolve("shifted.csv");
        Files.writeString(heavy, shifted);
        String text = Files.readString(jobs.resolve("two-terms.yaml"));
        int first = text.indexOf("reference: data/energies.csv");
        int second = text.indexOf("reference: data/energies.csv", first + 1);
        text = text.substring(0, first) + "reference: " + csv
                + text.substring(first + "reference: data/energies.csv".length(), second) + "reference: " + heavy
                + text.substring(second + "reference: data/energies.csv".length());
        Path job = tmp.resolve("fit.yaml");
        Files.writeString(job, text.replace("max_evaluations: 60", "max_evaluations: 20") + "output: {plots: false}\n");
        return job;
    }

    /** @return the cells after "set term" of the table row of that set and term, or fails */
    private static List<String> row(String out, String set, String term) {
        Matcher m = Pattern.compile("(?m)^" + set + " +" + Pattern.quote(term) + " +(.*\\S) *$")
                .matcher(out);
        assertTrue(m.find(), () -> "no row '" + set + " " + term + "' in\n" + out);
        return List.of(m.group(1).split(" +"));
    }

    @Test
    void evalHasTheRowOverAllTermsThatFitAndReportHave() throws IOException {
        Path job = job();
        Path out = tmp.resolve("out");
        Cli.Run fit = Cli.run("fit", job.toString(), "--output", out.toString());
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        // fit: quantity, unit, n, RMSE start, RMSE best, MAE best, max|err| best, R^2 best;
        // eval: quantity, unit, n, RMSE, MAE, max|err|, R^2
        List<String> closing = row(fit.out(), "fit", "(all 2)");

        // at the best point: the figures of the closing table's row over all
        Cli.Run best = Cli.run("eval", job.toString(), "--params", out.toString());
        assertEquals(ExitCodes.OK, best.code(), best::toString);
        List<String> all = row(best.out(), "fit", "(all 2)");
        assertEquals(List.of("energy", "-", "16"), all.subList(0, 3), best::toString);
        assertEquals(closing.subList(0, 3), all.subList(0, 3), () -> fit + "\n" + best);
        assertEquals(closing.subList(4, 8), all.subList(3, 7), () -> fit + "\n" + best);
        // the row over all comes first, then the terms, as in the closing table
        Matcher light = Pattern.compile("(?m)^fit +light ").matcher(best.out());
        assertTrue(light.find() && best.out().indexOf("(all 2)") < light.start(), best::toString);

        // at the initial parameters: the closing table's RMSE at the start, and the RMSE and
        // largest error over the 16 residuals --per-structure prints
        Cli.Run initial = Cli.run("eval", job.toString(), "--per-structure");
        assertEquals(ExitCodes.OK, initial.code(), initial::toString);
        List<String> start = row(initial.out(), "fit", "(all 2)");
        assertEquals(closing.get(3), start.get(3), () -> fit + "\n" + initial);
        Matcher r = Pattern.compile("(?m)^fit +(light|heavy) +\\S+ +energy +\\S+ +\\S+ +(\\S+) ")
                .matcher(initial.out());
        double sum = 0;
        double max = 0;
        int n = 0;
        while (r.find()) {
            double d = Double.parseDouble(r.group(2));
            sum += d * d;
            max = Math.max(max, Math.abs(d));
            n++;
        }
        assertEquals(16, n, initial::toString);
        double rmse = Math.sqrt(sum / n);
        assertEquals(rmse, Double.parseDouble(start.get(3)), 1e-3 * rmse, initial::toString);
        assertEquals(max, Double.parseDouble(start.get(5)), 1e-3 * max, initial::toString);
        // over two terms of eight values each: the root of the mean of their squared RMSEs
        double l = Double.parseDouble(row(initial.out(), "fit", "light").get(3));
        double h = Double.parseDouble(row(initial.out(), "fit", "heavy").get(3));
        assertTrue(Math.abs(l - h) > 0.01, initial::toString);
        assertEquals(Math.sqrt((l * l + h * h) / 2), rmse, 1e-3 * rmse, initial::toString);
    }

    @Test
    void aSetOfOneTermHasNoRowOverAll() throws IOException {
        Path jobs = Cli.resource("jobs");
        String one = Files.readString(jobs.resolve("two-terms.yaml"))
                .replace("reference: data/energies.csv", "reference: " + jobs.resolve("data/energies.csv"));
        // the heavy term (and every line after it up to the optimizer) left out
        one = one.substring(0, one.indexOf("  - name: heavy")) + one.substring(one.indexOf("optimizer:"));
        Path job = tmp.resolve("one.yaml");
        Files.writeString(job, one);
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, eval.code(), eval::toString);
        assertFalse(eval.out().contains("(all"), eval::toString);
        assertEquals("8", row(eval.out(), "fit", "light").get(2), eval::toString);
    }

    /**
     * Two spellings of one unit ({@code eV} and {@code EV}, which the job reader takes as one) are
     * one unit in the row over all terms and in the plots: one row of 16 values, one parity plot.
     */
    @Test
    void twoSpellingsOfOneUnitAreOneUnit() throws IOException {
        String text = Files.readString(job());
        text = text.replace("    weight: 1.0\n", "    weight: 1.0\n    unit: eV\n")
                .replace("    weight: 3.0\n", "    weight: 3.0\n    unit: EV\n")
                .replace("output: {plots: false}", "output: {plots: true}");
        Path job = tmp.resolve("spellings.yaml");
        Files.writeString(job, text);
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, eval.code(), eval::toString);
        assertEquals(
                List.of("energy", "eV", "16"), row(eval.out(), "fit", "(all 2)").subList(0, 3), eval::toString);
        assertEquals("eV", row(eval.out(), "fit", "heavy").get(1), eval::toString);
        // both squared errors: the loss is in eV^2, however the terms spell eV
        Path squared = tmp.resolve("squared.yaml");
        Files.writeString(squared, text.replace("    loss: absolute_error\n", ""));
        Cli.Run sq = Cli.run("eval", squared.toString());
        assertEquals(ExitCodes.OK, sq.code(), sq::toString);
        assertTrue(sq.out().lines().anyMatch(l -> l.matches("loss: \\S+ eV\\^2")), sq::toString);

        Path out = tmp.resolve("spelt");
        Cli.Run fit = Cli.run("fit", job.toString(), "--output", out.toString());
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        assertEquals(
                List.of("energy", "eV", "16"), row(fit.out(), "fit", "(all 2)").subList(0, 3), fit::toString);
        try (java.util.stream.Stream<Path> plots = Files.list(out.resolve("plots"))) {
            List<String> parity = plots.map(f -> f.getFileName().toString())
                    .filter(f -> f.startsWith("parity-"))
                    .sorted()
                    .toList();
            assertEquals(List.of("parity-energy.png", "parity-energy.svg"), parity);
        }
        // each term's loss unit in one spelling too: heavy's absolute error of EV is in eV
        com.fasterxml.jackson.databind.JsonNode results = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(out.resolve("results.json").toFile());
        assertEquals("eV^2", results.at("/terms/0/loss_unit").asText(), results::toString);
        assertEquals("eV", results.at("/terms/1/loss_unit").asText(), results::toString);
        assertEquals("EV", results.at("/terms/1/units/energy").asText(), "the units as the job file writes them");
    }
}
