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
        Files.writeString(tmp.resolve("in.json"), "{\"energy\": {{ a }}}\n");
        Path job = tmp.resolve("fit.yaml");
        Files.writeString(job, """
                name: start-fails
                parameters: {a: {initial: 1.0, bounds: [0, 3]}}
                terms:
                  - name: sim
                    kind: external
                    templates: {in.json: in.json}
                    command: [sh, -c, "awk -F'[:}]' '{ exit ($2 < %s) }' in.json && cp in.json out.json"]
                    outputs: {energy: {parser: json, file: out.json, path: /energy}}
                    reference: {energy: 2.0}
                combination: {on_failure: penalty, penalty: 0}
                optimizer: {method: Nelder-Mead, max_evaluations: 12}
                output: {folder: out, plots: false}
                """.formatted(failBelow));
        return job;
    }

    @Test
    void aPenaltyAtTheStartIsSaidToBeOneNotTheModelsLoss() throws Exception {
        Cli.Run r = Cli.run("fit", job(1.05).toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(
                r.out().contains("(initial 0, with a failed term's penalty in it: not the model's loss)"), r::toString);
        JsonNode loss = new ObjectMapper()
                .readTree(tmp.resolve("out/results.json").toFile())
                .get("loss");
        assertEquals(0.0, loss.get("initial").asDouble(), 0.0);
        assertTrue(loss.get("initial_degraded").asBoolean(), loss::toString);
        assertTrue(loss.get("best").asDouble() > 0, "the best is a point where the program ran: " + loss);
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
}
