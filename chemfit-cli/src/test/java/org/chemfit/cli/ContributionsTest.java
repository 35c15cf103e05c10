package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contribution column of the closing table, results.json, {@code chemfit report} and
 * {@code chemfit eval} adds up to the loss, whatever the reducer: two terms of weights 1 and 3
 * (jobs/two-terms.yaml).
 */
class ContributionsTest {

    @TempDir
    Path tmp;

    private Path job(String reducer) throws IOException {
        Path jobs = Cli.resource("jobs");
        Path job = tmp.resolve("fit.yaml");
        String text = Files.readString(jobs.resolve("two-terms.yaml"))
                .replace("reference: data/energies.csv", "reference: " + jobs.resolve("data/energies.csv"));
        Files.writeString(job, text + "combination: {reducer: " + reducer + "}\noutput: {plots: false}\n");
        return job;
    }

    /** @return the loss and the contributions of the terms light and heavy, as a table prints them */
    private static double[] table(String out) {
        Matcher loss = Pattern.compile("(?m)^loss: (\\S+)").matcher(out);
        assertTrue(loss.find(), out);
        double[] v = {Double.parseDouble(loss.group(1)), 0, 0};
        String[] names = {"light", "heavy"};
        for (int k = 0; k < 2; k++) {
            Matcher m = Pattern.compile("(?m)^" + names[k] + " +atoms +\\S+ +\\S+ +(\\S+) ")
                    .matcher(out);
            assertTrue(m.find(), out);
            v[k + 1] = Double.parseDouble(m.group(1));
        }
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sum", "mean", "root_mean"})
    void theContributionsAddUpToTheLoss(String reducer) throws IOException {
        Path out = tmp.resolve("out");
        Cli.Run r = Cli.run("fit", job(reducer).toString(), "--output", out.toString(), "-q");
        assertEquals(0, r.code(), r::toString);
        JsonNode res = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        double loss = res.at("/loss/best").asDouble();
        double light = res.at("/terms/0/contribution").asDouble();
        double heavy = res.at("/terms/1/contribution").asDouble();
        assertEquals(loss, light + heavy, 1e-12 * loss, res::toString);
        double wf1 = res.at("/terms/0/value").asDouble();
        double wf3 = 3 * res.at("/terms/1/value").asDouble();
        switch (reducer) {
            case "sum" -> assertEquals(wf1, light, 0.0);
            case "mean" -> assertEquals(wf1 / 2, light, 1e-15 * light);
            default -> assertEquals(loss * wf1 / (wf1 + wf3), light, 1e-12 * light);
        }
        assertEquals(wf1 / (wf1 + wf3), res.at("/terms/0/share").asDouble(), 1e-12);

        double[] closing = table(r.out());
        assertEquals(closing[0], closing[1] + closing[2], 1e-5 * closing[0], r.out());
        Cli.Run report = Cli.run("report", out.toString());
        assertEquals(0, report.code(), report::toString);
        double[] reported = table(report.out());
        assertEquals(reported[0], reported[1] + reported[2], 1e-5 * reported[0], report.out());
        Cli.Run eval = Cli.run("eval", job(reducer).toString(), "--params", out.toString());
        assertEquals(0, eval.code(), eval::toString);
        double[] evaluated = table(eval.out());
        assertEquals(evaluated[0], evaluated[1] + evaluated[2], 1e-5 * evaluated[0], eval.out());
        assertEquals(closing[1], evaluated[1], 1e-5 * closing[1]);
    }

    @org.junit.jupiter.api.Test
    void aLossOfZeroUnderRootMeanIsSplitIntoPartsOfZero() throws IOException {
        // an argon dimer at r = sigma: the Lennard-Jones energy is 0 exactly, as is its reference, so the
        // loss is 0 whatever epsilon; its parts are 0 too, not 0 / 0
        Files.writeString(tmp.resolve("d.xyz"), "2\n\nAr 0 0 0\nAr 2.0 0 0\n");
        Files.writeString(tmp.resolve("ref.csv"), "file,reference_energy,tag\nd.xyz,0.0,d\n");
        Path job = tmp.resolve("zero.yaml");
        Files.writeString(
                job,
                Files.readString(Cli.resource("jobs/two-terms.yaml"))
                                .replace("reference: data/energies.csv", "reference: ref.csv")
                                .replace("max_evaluations: 60", "max_evaluations: 5")
                        + "combination: {reducer: root_mean}\noutput: {plots: false}\n");
        Path out = tmp.resolve("out");
        Cli.Run r = Cli.run("fit", job.toString(), "--output", out.toString(), "-q");
        assertEquals(0, r.code(), r::toString);
        JsonNode res = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals(0.0, res.at("/loss/best").asDouble(), res::toString);
        for (int k = 0; k < 2; k++) {
            assertTrue(res.at("/terms/" + k + "/contribution").isNumber(), res::toString);
            assertEquals(0.0, res.at("/terms/" + k + "/contribution").asDouble(), res::toString);
            // the share of a total of 0 is 0 / 0: none, as under sum and mean
            assertTrue(res.at("/terms/" + k + "/share").isNull(), res::toString);
        }
        assertEquals(0.0, res.at("/terms/1/value").asDouble(), res::toString);
        assertTrue(r.out().contains("\nlight  atoms  1       0     0             -      ok\n"), r::toString);
        assertTrue(r.out().contains("\nheavy  atoms  3       0     0             -      ok\n"), r::toString);
        double[] closing = table(r.out());
        assertEquals(List.of(0.0, 0.0, 0.0), List.of(closing[0], closing[1], closing[2]), r.out());
        Cli.Run report = Cli.run("report", out.toString());
        assertEquals(0, report.code(), report::toString);
        double[] reported = table(report.out());
        assertEquals(List.of(0.0, 0.0, 0.0), List.of(reported[0], reported[1], reported[2]), report.out());
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(0, eval.code(), eval::toString);
        double[] evaluated = table(eval.out());
        assertEquals(List.of(0.0, 0.0, 0.0), List.of(evaluated[0], evaluated[1], evaluated[2]), eval.out());
    }
}
