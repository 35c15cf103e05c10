package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
