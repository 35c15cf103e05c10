package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The held-out terms' data files are part of the job's identity, as keys that take no part in the
 * fit: a held-out reference CSV or structure edited in place keeps the run, whose fit is replayed
 * from the journal (nothing of it runs again) while the held-out terms are evaluated anew with the
 * new data, instead of the finished fit's old metrics being shown as current.
 */
class HeldOutDataEditsTest {

    @TempDir
    Path dir;

    private Path job() throws IOException {
        return TestData.write(
                dir,
                "fit.yaml",
                "name: argon",
                "parameters: {lj: {epsilon: {initial: 100.0, bounds: [10.0, 400.0], unit: K},"
                        + " sigma: {initial: 3.2, bounds: [2.5, 4.5], unit: A}}}",
                "terms:",
                "  - {name: curve, kind: atoms, reference: data/ar2-energies.csv, unit: K,",
                "     potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}}",
                "validation:",
                "  - {name: held, kind: atoms, reference: held/held.csv, unit: K,",
                "     potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}}",
                "optimizer: {method: Nelder-Mead, max_evaluations: 40}",
                "output: {folder: out, plots: false}");
    }

    /** Writes the held-out CSV: one row per dimer distance, its structure in held/. */
    private void held(double[] r, double[] energy) throws IOException {
        List<String> lines = new ArrayList<>(List.of("file,reference_energy,tag"));
        for (int i = 0; i < r.length; i++) {
            lines.add("d" + i + ".xyz," + energy[i] + ",d" + i);
            dimer(i, r[i]);
        }
        Files.write(dir.resolve("held/held.csv"), lines);
    }

    private void dimer(int i, double r) throws IOException {
        Files.createDirectories(dir.resolve("held"));
        Files.write(dir.resolve("held/d" + i + ".xyz"), List.of("2", "Ar2", "Ar 0.0 0.0 0.0", "Ar " + r + " 0.0 0.0"));
    }

    @Test
    void anEditedHeldOutFileIsEvaluatedAnewAndTheFitReplayed() throws IOException, SQLException {
        TestData.copyTree(ExamplesIT.examples().resolve("argon/data"), dir.resolve("data"));
        double[] r = {3.45, 3.75, 4.1, 5.0};
        double[] energy = {-80.0, -140.0, -100.0, -40.0};
        held(r, energy);
        Path job = job();
        Cli.Run first = Cli.run("fit", job.toString());
        assertEquals(0, first.code(), first.toString());
        ObjectMapper json = new ObjectMapper();
        JsonNode before = json.readTree(dir.resolve("out/results.json").toFile());
        int evaluations = before.get("evaluations").get("total").asInt();
        assertEquals(
                rmse(before, r, energy),
                heldRmse(before),
                1e-9,
                before.get("validation").toString());

        // the reference energies edited in place: the same path, other values
        double[] edited = {-60.0, -150.0, -90.0, -45.0};
        held(r, edited);
        JsonNode after = replayed(job, evaluations);
        assertEquals(
                rmse(after, r, edited),
                heldRmse(after),
                1e-9,
                after.get("validation").toString());
        assertTrue(
                Math.abs(heldRmse(after) - heldRmse(before)) > 1,
                after.get("validation").toString());
        assertEquals(
                before.get("loss").get("best").asDouble(),
                after.get("loss").get("best").asDouble(),
                0.0);

        // a structure that only the held-out CSV lists, edited in place
        r[2] = 4.3;
        dimer(2, r[2]);
        after = replayed(job, evaluations);
        assertEquals(
                rmse(after, r, edited),
                heldRmse(after),
                1e-9,
                after.get("validation").toString());

        // run again unchanged: the finished fit is shown, with the metrics of the data as it is now
        Cli.Run shown = Cli.run("fit", job.toString());
        assertEquals(0, shown.code(), shown.toString());
        assertTrue(shown.err().contains("is finished"), shown.toString());
        assertTrue(!shown.err().contains("evaluating the validation terms"), shown.toString());

        // a journal written before the held-out files were part of the settings holds no such key:
        // its run is the same fit, replayed with the held-out terms evaluated anew
        withoutHeldOutDigests(dir.resolve("out/journal.sqlite"));
        energy = new double[] {-70.0, -130.0, -95.0, -42.0};
        held(r, energy);
        after = replayed(job, evaluations);
        assertEquals(
                rmse(after, r, energy),
                heldRmse(after),
                1e-9,
                after.get("validation").toString());
    }

    /** Runs the job again: it must resume run 1, replay every evaluation and run the held-out terms. */
    private JsonNode replayed(Path job, int evaluations) throws IOException {
        Cli.Run again = Cli.run("fit", job.toString());
        assertEquals(0, again.code(), again.toString());
        assertTrue(!again.err().contains("is finished"), again.toString());
        assertTrue(
                again.err().contains("evaluating the validation terms at the initial and the best parameters"),
                again.toString());
        JsonNode after =
                new ObjectMapper().readTree(dir.resolve("out/results.json").toFile());
        assertEquals(evaluations, after.get("evaluations").get("total").asInt(), again.toString());
        assertEquals(evaluations, after.get("evaluations").get("replayed").asInt(), again.toString());
        assertEquals(1, after.get("journal_run").asInt(), again.toString());
        return after;
    }

    /** @return the held-out term's RMSE at the best parameters, as results.json reports it */
    private static double heldRmse(JsonNode results) {
        return results.get("validation")
                .get(0)
                .get("metrics")
                .get("energy")
                .get("best")
                .get("rmse")
                .asDouble();
    }

    /** @return the RMSE of 4 epsilon ((sigma/r)^12 - (sigma/r)^6) at the best parameters against the energies */
    private static double rmse(JsonNode results, double[] r, double[] energy) {
        double epsilon = Double.NaN;
        double sigma = Double.NaN;
        for (JsonNode p : results.get("parameters")) {
            if (p.get("name").asText().equals("lj.epsilon")) {
                epsilon = p.get("best").asDouble();
            } else if (p.get("name").asText().equals("lj.sigma")) {
                sigma = p.get("best").asDouble();
            }
        }
        double sum = 0;
        for (int i = 0; i < r.length; i++) {
            double s6 = Math.pow(sigma / r[i], 6);
            double e = 4 * epsilon * (s6 * s6 - s6) - energy[i];
            sum += e * e;
        }
        return Math.sqrt(sum / r.length);
    }

    /** Takes the held-out digests out of the journal's runs, as a journal written before they were recorded. */
    @SuppressWarnings("unchecked")
    private static void withoutHeldOutDigests(Path journal) throws SQLException, IOException {
        ObjectMapper json = new ObjectMapper();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + journal);
                PreparedStatement q = c.prepareStatement("SELECT id, settings_json FROM runs");
                ResultSet rs = q.executeQuery();
                PreparedStatement u =
                        c.prepareStatement("UPDATE runs SET job_hash = ?, settings_json = ? WHERE id = ?")) {
            int n = 0;
            while (rs.next()) {
                Map<String, Object> settings = json.readValue(rs.getString(2), Map.class);
                Map<String, Object> jobSettings = (Map<String, Object>) settings.get("job");
                assertTrue(jobSettings.remove("validation_data") != null, settings::toString);
                u.setString(1, "0".repeat(64));
                u.setString(2, json.writeValueAsString(settings));
                u.setLong(3, rs.getLong(1));
                n += u.executeUpdate();
            }
            assertEquals(1, n);
        }
    }
}
