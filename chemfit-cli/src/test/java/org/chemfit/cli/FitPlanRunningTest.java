package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.chemfit.EvaluationContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The count of running terms that the progress shows is the fit's: a validation term that runs
 * (beside the fit, or after it) is not counted in it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FitPlanRunningTest {

    @TempDir
    Path dir;

    @Test
    void aValidationTermRunningIsNotCountedAsTheFitsTerm() throws IOException {
        // the held-out term says it started, then waits for the test to let it finish
        Files.writeString(
                dir.resolve("wait.sh"),
                "touch \"$FLAGS/started\"\n"
                        + "while [ ! -e \"$FLAGS/release\" ]; do sleep 0.05; done\n"
                        + "echo '{\"y\": 1.0}' > out.json\n");
        Path flags = Files.createDirectories(dir.resolve("flags"));
        Path job = dir.resolve("fit.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters: {x: {initial: 1.0, bounds: [0.0, 2.0]}}",
                        "terms:",
                        "  - {name: fit, kind: external, command: [sh, -c, \"echo '{\\\"y\\\": 1.0}' > out.json\"],",
                        "     outputs: {y: {parser: json, file: out.json, path: /y}}, reference: {y: 1.0}}",
                        "validation:",
                        "  - {name: held, kind: external, files: [wait.sh], command: [sh, wait.sh],",
                        "     env: {FLAGS: " + flags + "},",
                        "     outputs: {y: {parser: json, file: out.json, path: /y}}, reference: {y: 1.0}}",
                        ""));
        try (FitPlan plan = FitPlan.build(JobFile.read(job), 1, dir.resolve("out"))) {
            CompletableFuture<EvaluationContext> held =
                    CompletableFuture.supplyAsync(() -> plan.evaluateValidation(plan.initial()));
            Awaitility.await("the validation term to start")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> Files.exists(flags.resolve("started")));
            assertEquals(0, plan.running.get(), "the fit runs no term now");
            Files.writeString(flags.resolve("release"), "");
            EvaluationContext done = held.join();
            assertTrue(Double.isFinite(done.value()), done.toString());
        }
    }
}
