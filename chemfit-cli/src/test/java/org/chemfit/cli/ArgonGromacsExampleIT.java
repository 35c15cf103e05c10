package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/argon-gromacs} as its README runs it, with real GROMACS: {@code validate}, then
 * {@code fit} cut to three evaluations (the whole fit takes minutes). The first evaluation is the
 * README's start: a liquid whose density and energy per atom lie near the measured ones.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ArgonGromacsExampleIT {

    @TempDir
    Path tmp;

    @Test
    void theExampleValidatesAndItsFitRunsGromacs() throws Exception {
        GromacsJobs.assumeMdrunRunsHere();
        Path job = ExamplesIT.examples().resolve("argon-gromacs/fit.yaml");
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(0, v.code(), v::toString);
        assertTrue(
                v.out().contains("is valid: 2 parameters (2 free), 1 term, method Nelder-Mead, budget 60 evaluations"),
                v::toString);

        Path out = tmp.resolve("out");
        Cli.Run r = Cli.run(
                "fit", job.toString(), "--output", out.toString(), "--progress", "none", "--max-evaluations", "3");
        assertEquals(0, r.code(), r::toString);
        JsonNode res = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals("done", res.get("status").asText());
        assertEquals(3, res.at("/evaluations/total").asInt());
        JsonNode computed = res.at("/terms/0/computed");
        double density = computed.at("/density/0").asDouble();
        double potential = computed.at("/potential/0").asDouble();
        // a liquid, not a solid (about 1590 kg/m^3 and -7.1 kJ/mol) nor a gas
        assertTrue(density > 1300 && density < 1480, "density " + density + "\n" + r);
        assertTrue(potential > -6.3 && potential < -5.4, "potential per atom " + potential + "\n" + r);
    }
}
