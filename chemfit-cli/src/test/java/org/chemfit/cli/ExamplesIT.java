package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Runs the examples of the repository to completion and checks their results. */
@org.junit.jupiter.api.Timeout(value = 300, unit = java.util.concurrent.TimeUnit.SECONDS)
class ExamplesIT {

    @TempDir
    Path tmp;

    /** @return the repository's examples folder, found by walking up from the working directory */
    static Path examples() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("examples/argon/fit.yaml"))) {
                return d.resolve("examples");
            }
        }
        throw new IllegalStateException("no examples/argon/fit.yaml above " + Path.of("").toAbsolutePath());
    }

    @Test
    void argonFitsLennardJonesToTheHfdB2Curve() throws IOException {
        Path job = examples().resolve("argon/fit.yaml");
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(0, v.code(), v::toString);

        Path out = tmp.resolve("argon");
        Cli.Run r = Cli.run("fit", job.toString(), "--output", out.toString(), "--progress", "none");
        assertEquals(0, r.code(), r::toString);
        JsonNode res = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals("done", res.get("status").asText());
        assertEquals("CONVERGED", res.get("stop_reason").asText());
        double eps = res.at("/best_parameters/lj/epsilon").asDouble();
        double sigma = res.at("/best_parameters/lj/sigma").asDouble();
        // The README reports epsilon/k_B = 136.9 K and sigma = 3.349 A for this fit.
        assertEquals(136.9, eps, 0.1, r::toString);
        assertEquals(3.349, sigma, 0.001, r::toString);
        double rmse = Math.sqrt(res.at("/loss/best").asDouble());
        assertTrue(rmse < 4.5, "RMS error " + rmse + " K");
        assertTrue(res.at("/loss/initial").asDouble() > 40 * res.at("/loss/best").asDouble(), r::toString);
        assertEquals(46, res.at("/terms/0/reference/energy").size());
        // HFD-B2's well is -143.224 K at 3.7565 A; the curve is sampled every 0.1 A, nearest at 3.8 A.
        double min = Double.POSITIVE_INFINITY;
        for (JsonNode e : res.at("/terms/0/reference/energy")) {
            min = Math.min(min, e.asDouble());
        }
        assertEquals(-142.508, min, 0.001);
        assertTrue(Files.size(out.resolve("plots/term-ar2-curve.png")) > 1000);
        assertEquals(46, res.at("/terms/0/computed/energy").size());
    }

    @Test
    void waterDimerFitBeatsTip3pOnTrainingAndHeldOutDimers() throws IOException {
        Path job = examples().resolve("water-dimer/fit.yaml");
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(0, v.code(), v::toString);

        Path out = tmp.resolve("water-dimer");
        Cli.Run r = Cli.run("fit", job.toString(), "--output", out.toString(), "--progress", "none");
        assertEquals(0, r.code(), r::toString);
        JsonNode res = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals("done", res.get("status").asText(), r::toString);
        // The README: TIP3P's loss 0.0347 eV^2 over 20 dimers, the fit's 0.013972 (SciPy's L-BFGS-B: 0.0139786).
        assertEquals(0.0347031, res.at("/loss/initial").asDouble(), 1e-6, r::toString);
        double best = res.at("/loss/best").asDouble();
        assertTrue(best <= 0.0139786, "loss " + best);
        assertEquals(0.001, res.at("/best_parameters/water/epsilon").asDouble(), 1e-9, r::toString);
        double sigma = res.at("/best_parameters/water/sigma").asDouble();
        double qH = res.at("/best_parameters/water/qH").asDouble();
        assertEquals(3.570, sigma, 0.002, r::toString);
        assertEquals(0.3945, qH, 0.0005, r::toString);
        assertEquals(20, res.at("/terms/0/reference/energy").size());

        // The held-out dimers at TIP3P's constants and at the fitted ones: RMSE 0.0054 eV and 0.0036 eV.
        Path heldOut = examples().resolve("water-dimer/held-out.yaml");
        Cli.Run tip3p = Cli.run("eval", heldOut.toString());
        assertEquals(0, tip3p.code(), tip3p::toString);
        Cli.Run fitted = Cli.run("eval", heldOut.toString(), "--set", "water.epsilon=0.001",
                "--set", "water.sigma=" + sigma, "--set", "water.qH=" + qH);
        assertEquals(0, fitted.code(), fitted::toString);
        assertEquals(0.0054, Math.sqrt(printedLoss(tip3p) / 7), 5e-5, tip3p::toString);
        assertEquals(0.0036, Math.sqrt(printedLoss(fitted) / 7), 5e-5, fitted::toString);
    }

    /** @return the number on the {@code loss:} line that {@code chemfit eval} prints */
    private static double printedLoss(Cli.Run run) {
        for (String line : run.out().split("\\R")) {
            if (line.startsWith("loss: ")) {
                return Double.parseDouble(line.substring("loss: ".length()).trim());
            }
        }
        throw new AssertionError("no loss line in " + run);
    }

    @Test
    void argonWithLammpsFitsThreeDimersAtOnce() throws IOException {
        assertTrue(ExternalTerms.findProgram("lmp", Path.of(".")) != null,
                "LAMMPS (lmp) is not on the PATH; .ci/run installs Debian's lammps package");
        Path job = examples().resolve("argon-lammps/fit.yaml");
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(0, v.code(), v::toString);

        Path out = tmp.resolve("argon-lammps");
        Cli.Run r = Cli.run("fit", job.toString(), "--output", out.toString(), "--progress", "none");
        assertEquals(0, r.code(), r::toString);
        JsonNode res = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals("done", res.get("status").asText(), r::toString);
        assertEquals("CONVERGED", res.get("stop_reason").asText(), r::toString);
        double eps = res.at("/best_parameters/lj/epsilon").asDouble();
        double sigma = res.at("/best_parameters/lj/sigma").asDouble();
        // The README reports epsilon = 0.012511 eV (145.2 K) and sigma = 3.3527 A for this fit.
        assertEquals(0.012511, eps, 2e-5, r::toString);
        assertEquals(3.3527, sigma, 0.002, r::toString);
        assertTrue(res.at("/loss/initial").asDouble() > 10 * res.at("/loss/best").asDouble(), r::toString);
        for (int t = 0; t < 3; t++) {
            JsonNode term = res.at("/terms/" + t);
            assertEquals("OK", term.get("status").asText(), term.toString());
            assertEquals(1, term.at("/computed/energy").size());
            assertEquals(1, term.at("/computed/force").size());
        }
    }
}
