package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fit whose start failed under {@code on_failure: penalty} has the penalty as its initial loss:
 * the closing table and {@code results.json} say so, rather than show it as the model's loss at
 * the start (a penalty of 0 looked better than the best point). Real processes ({@code sh}).
 */
@org.junit.jupiter.api.Timeout(value = 120, unit = TimeUnit.SECONDS)
class StartPenaltyTest {

    @TempDir
    Path tmp;

    private Path job(double failBelow) throws Exception {
        return job("a < " + failBelow, 12, 0);
    }

    /** The term fails where this awk condition on the parameter {@code a} holds. */
    private Path job(String failWhere, int evaluations, double penalty) throws Exception {
        // two residuals for the one parameter, so that the uncertainty has a residual variance
        Files.writeString(tmp.resolve("in.json"), "{\"energy\": {{ a }}, \"e\": [{{ a }}, {{ a }}]}\n");
        Path job = tmp.resolve("fit.yaml");
        Files.writeString(job, """
                name: start-fails
                parameters: {a: {initial: 1.0, bounds: [0, 3]}}
                terms:
                  - name: sim
                    kind: external
                    templates: {in.json: in.json}
                    command: [sh, -c, "awk -F'[:,]' '{ a = $2 + 0; exit (%s) }' in.json && cp in.json out.json"]
                    outputs: {e: {parser: json, file: out.json, path: /e}}
                    reference: {e: [2.0, 2.0]}
                combination: {on_failure: penalty, penalty: %s}
                optimizer: {method: Nelder-Mead, max_evaluations: %d, tolerance: {relative: 0, absolute: 1.0e-12}}
                output: {folder: out, plots: false}
                """.formatted(failWhere, penalty, evaluations));
        return job;
    }

    @Test
    void aPenaltyAtTheStartIsSaidToBeOneNotTheModelsLoss() throws Exception {
        Cli.Run r = Cli.run("fit", job("a < 1.05", 6, 0).toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(
                r.out().contains("(initial 0, with a failed term's penalty in it: not the model's loss)"), r::toString);
        JsonNode loss = new ObjectMapper()
                .readTree(tmp.resolve("out/results.json").toFile())
                .get("loss");
        assertEquals(0.0, loss.get("initial").asDouble(), 0.0);
        assertTrue(loss.get("initial_degraded").asBoolean(), loss::toString);
        assertTrue(loss.get("best").asDouble() > 0, "the best is a point where the program ran: " + loss);

        // resumed with a larger budget, the fit is replayed: the evaluations with a failed term are said,
        // as their failed terms run again
        int degraded = new ObjectMapper()
                .readTree(tmp.resolve("out/results.json").toFile())
                .at("/evaluations/degraded")
                .asInt();
        assertTrue(degraded >= 1, "the start at least");
        Cli.Run again =
                Cli.run("fit", tmp.resolve("fit.yaml").toString(), "--progress", "none", "--max-evaluations", "12");
        assertEquals(ExitCodes.OK, again.code(), again::toString);
        assertTrue(
                again.err()
                        .contains(", " + degraded + " of them with a failed term that the failure policy stood in for ("
                                + (degraded == 1 ? "it runs" : "they run") + " again)"),
                again::toString);
    }

    @Test
    void aCleanStartSaysNothingOfIt() throws Exception {
        Cli.Run r = Cli.run("fit", job(0.5).toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertFalse(r.out().contains("penalty in it"), r::toString);
        JsonNode loss = new ObjectMapper()
                .readTree(tmp.resolve("out/results.json").toFile())
                .get("loss");
        assertFalse(loss.has("initial_degraded"), loss::toString);
    }

    /**
     * The minimum lies where the program starts failing (above a = 2): a step of the uncertainty's
     * central differences lands there, and the warning names the step and the failure, not only
     * that a point has no residuals.
     */
    @Test
    void aFailedStepOfTheUncertaintyIsNamedWithItsFailure() throws Exception {
        Cli.Run r = Cli.run("fit", job("a > 2.0", 300, 100).toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        JsonNode results =
                new ObjectMapper().readTree(tmp.resolve("out/results.json").toFile());
        String warnings = results.get("warnings").toString();
        assertTrue(
                warnings.contains("the uncertainty was not estimated: the evaluation at a finite-difference step of"
                        + " 'a' from the best point has no residuals: term 0 'sim' failed: external term 'sim'"
                        + " failed at step run: command "),
                warnings);
        assertTrue(warnings.contains("exited with code 1 (run directory "), warnings);
        assertTrue(warnings.contains("; the failure policy stood in for it"), warnings);
    }
}
