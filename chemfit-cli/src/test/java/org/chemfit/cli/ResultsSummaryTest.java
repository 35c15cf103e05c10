package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        assertTrue(
                fit.out().lines().anyMatch(l -> l.matches("loss: \\S+ K \\(initial 27\\.7\\d* K\\)")), fit::toString);

        Path sum = job(
                "sum", term("a", "") + "\n" + term("b", ""), "optimizer: {method: Nelder-Mead, max_evaluations: 2}");
        assertEquals(0, Cli.run("fit", sum.toString(), "-q").code());
        assertEquals("K^2", results("sum").at("/loss/unit").asText());
    }

    /** A parameter held by equal bounds is fixed in results.json, as in the fit and its closing table. */
    @Test
    void equalBoundsAreFixedInResultsJson() throws IOException {
        Path job = job("pinned", term("a", ""), "optimizer: {method: Nelder-Mead, max_evaluations: 3}");
        Files.writeString(
                job,
                Files.readString(job)
                        .replace(
                                "epsilon: {initial: 100.0, bounds: [10.0, 400.0], unit: K}",
                                "epsilon: {initial: 120.0, bounds: [120.0, 120.0], unit: K}"));
        Cli.Run fit = Cli.run("fit", job.toString());
        assertEquals(0, fit.code(), fit::toString);
        assertTrue(fit.err().contains("fitting 2 parameters, 1 free, of pinned.yaml"), fit::toString);
        JsonNode r = results("pinned");
        assertEquals("lj.epsilon", r.at("/parameters/0/name").asText(), r::toString);
        assertTrue(r.at("/parameters/0/fixed").asBoolean(), r::toString);
        assertFalse(r.at("/parameters/1/fixed").asBoolean(), r::toString);
    }

    @Test
    void theJobsFilesAreListedEachWithTheHashSha256sumGives() throws Exception {
        Path job = job("hashes", term("a", ""), "optimizer: {method: Nelder-Mead, max_evaluations: 2}");
        assertEquals(0, Cli.run("fit", job.toString(), "-q").code());
        JsonNode files = results("hashes").at("/job/files");
        Path csv = ExamplesIT.examples().resolve("argon/data/ar2-energies.csv");
        List<String> names = new java.util.ArrayList<>();
        files.fieldNames().forEachRemaining(names::add);
        assertEquals("hashes.yaml", names.get(0), "the job file first");
        assertEquals(sha256(job), files.get("hashes.yaml").asText());
        String csvName = tmp.toAbsolutePath()
                .normalize()
                .relativize(csv.toAbsolutePath().normalize())
                .toString();
        assertEquals(sha256(csv), files.get(csvName).asText(), names::toString);
        // and the 46 structure files the CSV lists, each by its own hash
        assertEquals(2 + 46, names.size(), names::toString);
        for (String n : names) {
            assertEquals(sha256(tmp.resolve(n)), files.get(n).asText(), n);
        }
        assertTrue(!files.get("hashes.yaml")
                .asText()
                .equals(results("hashes").at("/job/sha256").asText()));
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
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

    /**
     * A validation term that fails once {@code a > 1.3} (at the best point, a = 2, and at the
     * checks after the fit passed 1.3) beside one that never fails: the metrics at the start and
     * at the best point are each over the points with a value there, with their counts, and a
     * check where a term failed has no validation loss.
     */
    @Test
    void aValidationTermFailingAtTheBestPointLeavesItsPointsOutOfThatEnd() throws IOException {
        Files.writeString(tmp.resolve("in.json"), "{\"energy\": {{ a }}}\n");
        String program = "    kind: external\n"
                + "    templates: {in.json: " + tmp.resolve("in.json") + "}\n"
                + "    outputs: {energy: {parser: json, file: out.json, path: /energy}}\n";
        Path job = tmp.resolve("val.yaml");
        Files.writeString(
                job,
                "name: failing-validation\n"
                        + "parameters: {a: {initial: 1.0, bounds: [0, 3]}}\n"
                        + "terms:\n"
                        + "  - name: plain\n" + program
                        + "    command: [sh, -c, 'cp in.json out.json']\n"
                        + "    reference: {energy: 2.0}\n"
                        + "validation:\n"
                        + "  - name: wall\n" + program
                        + "    command: [sh, -c, \"awk -F'[:}]' '{ exit ($2 > 1.3) }' in.json && cp in.json out.json\"]\n"
                        + "    reference: {energy: 0.0}\n"
                        + "  - name: ok\n" + program
                        + "    command: [sh, -c, 'cp in.json out.json']\n"
                        + "    reference: {energy: 0.5}\n"
                        + "validation_every: 2\n"
                        + "optimizer: {method: Nelder-Mead, max_evaluations: 20}\n"
                        + "output: {folder: " + tmp.resolve("val") + ", plots: false}\n");
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(0, fit.code(), fit::toString);
        JsonNode r = results("val");
        assertTrue(r.at("/best_parameters/a").asDouble() > 1.3, r.toString());

        // at the start (a = 1) both terms have a value (errors 1 and 0.5), at the best point only
        // 'ok' (error |a - 0.5|): each end is over its own points, and says how many
        JsonNode all = r.at("/metrics/validation/energy");
        assertEquals(2, all.at("/initial/count").asInt(), all.toString());
        assertEquals(1, all.at("/best/count").asInt(), all.toString());
        assertEquals(Math.sqrt((1.0 + 0.25) / 2), all.at("/initial/rmse").asDouble(), 1e-12);
        assertEquals(
                r.at("/best_parameters/a").asDouble() - 0.5,
                all.at("/best/rmse").asDouble(),
                1e-9);
        JsonNode wall = r.at("/validation/0/metrics/energy");
        assertEquals(1, wall.at("/initial/count").asInt(), wall.toString());
        assertEquals(1.0, wall.at("/initial/rmse").asDouble(), 1e-12);
        assertEquals(0, wall.at("/best/count").asInt(), wall.toString());
        assertTrue(wall.at("/best/rmse").isNull(), wall.toString());
        // the closing table's row over both validation terms says both counts beside the start's RMSE
        assertTrue(
                fit.out()
                        .lines()
                        .anyMatch(l -> l.matches(
                                "validation\\s+\\(all 2\\)\\s+energy\\s+-\\s+1 \\(2 at the start\\)\\s+0\\.7906\\s.*")),
                fit::toString);

        JsonNode history = r.at("/validation_history");
        int failed = 0;
        int whole = 0;
        for (JsonNode e : history) {
            JsonNode terms = e.get("terms");
            assertTrue(terms.get("ok").isNumber(), e.toString());
            if (terms.get("wall").isNull()) {
                failed++;
                assertTrue(e.get("validation_loss").isNull(), "a partial sum is no validation loss: " + e);
            } else {
                whole++;
                assertEquals(
                        terms.get("wall").asDouble() + terms.get("ok").asDouble(),
                        e.get("validation_loss").asDouble(),
                        1e-12);
            }
        }
        assertTrue(failed > 0 && whole > 0, history.toString());
    }
}
