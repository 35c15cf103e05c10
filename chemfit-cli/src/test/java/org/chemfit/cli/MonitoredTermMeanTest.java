package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A term of weight 0 is monitored, not fitted: under {@code reducer: mean} (and {@code root_mean})
 * the loss is over the terms of non-zero weight, so a monitored copy of the one fitted term leaves
 * the loss as the term alone gives it, bit for bit; the metrics over the fit's terms cover the
 * fitted term's 8 values, not the 16 of both, and say so; the loss per value of the loss plot is
 * over those 8 values too.
 */
class MonitoredTermMeanTest {

    @TempDir
    Path tmp;

    /** @return a job of the term {@code main}, and of its copy {@code monitor} of weight 0 when asked */
    private Path job(String name, boolean monitor, String reducer) throws IOException {
        Path csv = Cli.resource("jobs").resolve("data/energies.csv");
        String term = """
                  - name: %s
                    kind: atoms
                    weight: %s
                    reference: %s
                    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}
                """;
        String text = """
                name: %s
                parameters:
                  lj:
                    epsilon: {initial: 1.7, bounds: [0.1, 10.0]}
                    sigma: {initial: 2.1, bounds: [1.5, 3.0]}
                terms:
                %s%s
                combination: {reducer: %s}
                optimizer: {method: Nelder-Mead, max_evaluations: 15}
                output: {folder: %s, plots: false}
                """.formatted(
                        name,
                        term.formatted("main", "1.0", csv),
                        monitor ? term.formatted("monitor", "0", csv) : "",
                        reducer,
                        "out-" + name);
        Path job = tmp.resolve(name + ".yaml");
        Files.writeString(job, text);
        return job;
    }

    private JsonNode fit(Path job, String name) throws IOException {
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        return new ObjectMapper()
                .readTree(tmp.resolve("out-" + name).resolve("results.json").toFile());
    }

    @Test
    void aMonitoredCopyLeavesTheMeanAndTheFitAsTheTermAlone() throws IOException {
        for (String reducer : List.of("mean", "root_mean")) {
            JsonNode alone = fit(job("alone-" + reducer, false, reducer), "alone-" + reducer);
            JsonNode both = fit(job("both-" + reducer, true, reducer), "both-" + reducer);
            for (String at : List.of(
                    "/loss/initial", "/loss/best", "/best_parameters/lj/epsilon", "/best_parameters/lj/sigma")) {
                assertEquals(
                        Double.doubleToLongBits(alone.at(at).asDouble()),
                        Double.doubleToLongBits(both.at(at).asDouble()),
                        () -> reducer + " " + at + ": " + alone.at(at) + " alone, " + both.at(at)
                                + " with the monitor");
            }
            // the monitor has its own loss, and no part of the total
            assertEquals(
                    both.at("/terms/0/value").asDouble(),
                    both.at("/terms/1/value").asDouble(),
                    0.0);
            assertEquals(0.0, both.at("/terms/1/contribution").asDouble(), 0.0);
            assertEquals(
                    both.at("/loss/best").asDouble(),
                    both.at("/terms/0/contribution").asDouble(),
                    0.0);
            // the metrics over the fit's terms: the 8 values of the fitted term, not 16
            assertEquals(8, both.at("/metrics/fit/energy/best/count").asInt(), both::toString);
            assertEquals(
                    alone.at("/metrics/fit/energy/best/rmse").asDouble(),
                    both.at("/metrics/fit/energy/best/rmse").asDouble(),
                    0.0);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theTablesNameTheFittedTermsAndTheLossPerValueIsOverThem() throws IOException {
        Path job = job("both", true, "mean");
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        assertTrue(
                fit.out().lines().anyMatch(l -> l.matches("fit +\\(fitted 1 of 2\\) +energy +- +8 .*")), fit::toString);
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, eval.code(), eval::toString);
        assertTrue(
                eval.out().lines().anyMatch(l -> l.matches("fit +\\(fitted 1 of 2\\) +energy +- +8 .*")),
                eval::toString);
        Map<String, Object> results = new ObjectMapper()
                .readValue(tmp.resolve("out-both/results.json").toFile(), Map.class);
        // one squared_error term of weight 1 over 8 values, a mean over 1 term: the loss is the
        // sum of squared errors, 8 times the mean squared error per value
        Plots.PerValue pv = Plots.perValue((List<Object>) results.get("terms"), "mean", "fit");
        assertNull(pv.why(), pv::toString);
        assertEquals(1.0 / 8, pv.factor(), 0.0);
    }

    /**
     * The fit's values are those of its terms of non-zero weight, wherever they are counted or drawn: the loss
     * plot's RMSE panel counts the 8 values of the fitted term, not the 16 with its monitored copy; the parity
     * and residual plots, predictions.csv and the closing table give the monitored term's values as such.
     */
    @Test
    void aMonitoredTermsValuesAreNamedSoAndAreNoneOfTheFits() throws IOException {
        Path csv = Cli.resource("jobs").resolve("data/energies.csv");
        List<String> lines = Files.readAllLines(csv);
        // three held-out values: structures of the fit's file, each reference 0.01 off, so none repeats a fit row
        StringBuilder held = new StringBuilder("file,reference_energy,tag\n");
        for (String line : lines.subList(1, 4)) {
            String[] f = line.split(",");
            held.append(csv.resolveSibling(f[0]))
                    .append(',')
                    .append(Double.parseDouble(f[1]) + 0.01)
                    .append(',')
                    .append(f[2])
                    .append('\n');
        }
        Path heldCsv = tmp.resolve("held.csv");
        Files.writeString(heldCsv, held.toString());
        String term = """
                  - name: %s
                    kind: atoms
                    weight: %s
                    reference: %s
                    unit: eV
                    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}
                """;
        Path job = tmp.resolve("mon.yaml");
        Files.writeString(
                job, """
                name: mon
                parameters:
                  lj:
                    epsilon: {initial: 1.7, bounds: [0.1, 10.0]}
                    sigma: {initial: 2.1, bounds: [1.5, 3.0]}
                terms:
                %s%s
                validation:
                  - name: held
                    kind: atoms
                    reference: %s
                    unit: eV
                    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}
                validation_every: 5
                optimizer: {method: Nelder-Mead, max_evaluations: 15}
                output: {folder: out-mon}
                """.formatted(term.formatted("main", "1.0", csv), term.formatted("monitor", "0", csv), heldCsv));
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        Path out = tmp.resolve("out-mon");
        assertEquals(
                List.of("fit, best so far (8 values)", "validation (3 values)"),
                legend(out.resolve("plots/loss.svg")).stream()
                        .filter(l -> l.startsWith("fit") || l.startsWith("validation"))
                        .toList());
        for (String plot : List.of("parity-energy", "residuals-energy")) {
            assertEquals(
                    List.of("fit (8)", "monitored, weight 0 (8)", "validation (3)"),
                    legend(out.resolve("plots/" + plot + ".svg")).stream()
                            .filter(l -> !l.equals("model = reference"))
                            .filter(l -> !l.equals("sets stacked: each bar on the one before"))
                            .toList(),
                    plot);
        }
        Map<String, Long> sets = Files.readAllLines(out.resolve("predictions.csv")).stream()
                .skip(1)
                .collect(java.util.stream.Collectors.groupingBy(
                        l -> l.substring(0, l.indexOf(',', l.indexOf(',') + 1)),
                        java.util.TreeMap::new,
                        java.util.stream.Collectors.counting()));
        assertEquals(Map.of("fit,main", 8L, "monitored,monitor", 8L, "validation,held", 3L), sets);
        // the columns set, term, quantity, unit and n of the closing table (two spaces or more between columns)
        List<String> table = fit.out()
                .lines()
                .filter(l -> l.matches("(fit|monitored|validation) .*"))
                .map(l -> String.join("|", List.of(l.split(" {2,}")).subList(0, 5)))
                .toList();
        assertEquals(
                List.of(
                        "fit|(fitted 1 of 2)|energy|eV|8",
                        "fit|main|energy|eV|8",
                        "monitored|monitor|energy|eV|8",
                        "validation|held|energy|eV|3"),
                table,
                fit::toString);

        // a validation term of weight 0 in another unit is in no loss: the checks are drawn all the same
        Path watched = tmp.resolve("watched.yaml");
        Files.writeString(
                watched,
                Files.readString(job)
                        .replace("out-mon", "out-watched")
                        .replace(
                                "validation_every: 5",
                                "  - name: held-watch\n"
                                        + "    kind: atoms\n"
                                        + "    weight: 0\n"
                                        + "    reference: " + heldCsv + "\n"
                                        + "    unit: K\n"
                                        + "    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}\n"
                                        + "validation_every: 5"));
        Cli.Run second = Cli.run("fit", watched.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, second.code(), second::toString);
        List<String> watchedLegend = legend(tmp.resolve("out-watched/plots/loss.svg"));
        assertTrue(watchedLegend.contains("validation (3 values)"), watchedLegend::toString);
        assertFalse(Files.readString(tmp.resolve("out-watched/plots/loss.svg")).contains("another unit"));
    }

    /** @return the legend lines of an SVG plot, in order */
    private static List<String> legend(Path svg) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<text class=\"legend\"[^>]*>([^<]*)</text>")
                .matcher(Files.readString(svg));
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
