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
class ExamplesTest {

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
}
