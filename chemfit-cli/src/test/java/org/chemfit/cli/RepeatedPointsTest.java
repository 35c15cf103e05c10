package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new fit whose method asks for a point again (Levenberg-Marquardt starting on a bound, where
 * displaced points are projected back onto it) takes the repeat's result from the journal: it is
 * counted as repeated, not as replayed from an earlier attempt, and the time per evaluation leaves
 * it out.
 */
class RepeatedPointsTest {

    @TempDir
    Path dir;

    @Test
    void pointsAskedForAgainInANewFitAreRepeatsNotReplays() throws IOException {
        TestData.copyTree(ExamplesIT.examples().resolve("argon/data"), dir.resolve("data"));
        Path job = TestData.write(
                dir,
                "fit.yaml",
                "parameters: {lj: {epsilon: {initial: 100.0, bounds: [10.0, 400.0]},"
                        + " sigma: {initial: 2.5, bounds: [2.5, 4.5]}}}",
                "terms:",
                "  - {name: curve, kind: atoms, reference: data/ar2-energies.csv,",
                "     potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}}",
                "optimizer: {method: levenberg-marquardt, max_evaluations: 60}",
                "output: {folder: out, plots: false}");
        Cli.Run run = Cli.run("fit", job.toString());
        assertEquals(0, run.code(), run.toString());
        JsonNode ev = new ObjectMapper()
                .readTree(dir.resolve("out/results.json").toFile())
                .get("evaluations");
        int repeated = ev.get("repeated").asInt();
        assertEquals(0, ev.get("replayed").asInt(), ev.toString());
        assertTrue(repeated > 0, "no point was asked for again; the test proves nothing: " + ev);
        assertTrue(
                run.out()
                        .contains("(" + repeated + " point" + (repeated == 1 ? "" : "s")
                                + " asked for again, not run again)"),
                run.toString());
        assertFalse(run.out().contains("replayed from the journal"), run.toString());
    }
}
