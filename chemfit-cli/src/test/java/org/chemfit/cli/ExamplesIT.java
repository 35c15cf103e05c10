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
