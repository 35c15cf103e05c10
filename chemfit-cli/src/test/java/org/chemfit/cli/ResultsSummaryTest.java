package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What results.json and the closing table say of a fit of the argon curve: units and warnings. */
class ResultsSummaryTest {

    @TempDir
    Path tmp;

    /** A job of the argon example's curve, with the lines given after its terms. */
    private Path job(String name, String terms, String... rest) throws IOException {
        Path csv = ExamplesIT.examples().resolve("argon/data/ar2-energies.csv");
        List<String> lines = new java.util.ArrayList<>(List.of(
                "name: " + name,
                "parameters:",
                "  lj:",
                "    epsilon: {initial: 100.0, bounds: [10.0, 400.0], unit: K}",
                "    sigma:   {initial: 3.2, bounds: [2.5, 4.5], unit: A}",
                "terms:"));
        lines.add(terms.replace("CSV", csv.toString()));
        lines.addAll(List.of(rest));
        lines.add("output: {folder: " + tmp.resolve(name) + ", plots: false}");
        lines.add("");
        Path job = tmp.resolve(name + ".yaml");
        Files.writeString(job, String.join("\n", lines));
        return job;
    }

    private static String term(String name, String extra) {
        return "  - {name: " + name + ", kind: atoms, reference: CSV, unit: K, loss: mean_squared_error,"
                + " potential: [{form: lennard_jones, species: [Ar, Ar], epsilon: lj.epsilon, sigma: lj.sigma}]"
                + extra + "}";
    }

    private JsonNode results(String name) throws IOException {
        return new ObjectMapper().readTree(tmp.resolve(name + "/results.json").toFile());
    }

    @Test
    void aRootMeanOfTermsInKelvinSquaredIsInKelvin() throws IOException {
        Path job = job(
                "rootmean",
                term("a", "") + "\n" + term("b", ""),
                "combination: {reducer: root_mean}",
                "optimizer: {method: Nelder-Mead, max_evaluations: 5}");
        Cli.Run fit = Cli.run("fit", job.toString(), "-q");
        assertEquals(0, fit.code(), fit::toString);
        JsonNode r = results("rootmean");
        assertEquals("K^2", r.at("/terms/0/loss_unit").asText());
        assertEquals("K", r.at("/loss/unit").asText());
        // the start's loss, the RMSE 27.77 K of the example's closing table (both terms alike)
        assertEquals(27.77, r.at("/loss/initial").asDouble(), 0.01);
        assertTrue(fit.out().lines().anyMatch(l -> l.matches("loss: \\S+ K \\(initial 27\\.7\\d* K\\)")), fit::toString);

        Path sum = job("sum", term("a", "") + "\n" + term("b", ""), "optimizer: {method: Nelder-Mead, max_evaluations: 2}");
        assertEquals(0, Cli.run("fit", sum.toString(), "-q").code());
        assertEquals("K^2", results("sum").at("/loss/unit").asText());
    }

    @Test
    void theSquareRootOfALossUnit() {
        assertEquals("K", Results.squareRoot("K^2"));
        assertEquals("Å", Results.squareRoot("Å^2"));
        assertEquals("eV/Å", Results.squareRoot("(eV/Å)^2"));
        assertEquals("1", Results.squareRoot("1"));
        assertEquals("", Results.squareRoot("K"), "an absolute error's unit has no unit as its root");
        assertEquals("", Results.squareRoot(""));
    }

    @Test
    void aStartAboveTheBadValueIsToldWithTheJobFilesKey() throws IOException {
        // the start's loss is 771 K^2; a weight of 1e6 puts it at 7.7e8, above bad_value's 100000
        Path job = job("huge", term("a", ", weight: 1000000"), "optimizer: {method: Nelder-Mead, max_evaluations: 3}");
        Cli.Run fit = Cli.run("fit", job.toString(), "-q");
        assertEquals(0, fit.code(), fit::toString);
        String expected = "the loss at the start, 7\\.71\\d*e\\+08, exceeds optimizer\\.bad_value = 100000; NaN or"
                + " infinite losses are scored 8\\.48\\d*e\\+08 \\(1\\.1 x the starting loss\\) in this fit";
        String warning = results("huge").at("/warnings/0").asText();
        assertTrue(warning.matches(expected), warning);
        assertTrue(fit.out().lines().anyMatch(l -> l.matches("warning: " + expected)), fit::toString);
    }
}
