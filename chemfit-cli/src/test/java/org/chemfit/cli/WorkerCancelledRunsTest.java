package org.chemfit.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run directory of a cancelled run, with a real program: a cluster worker's plan ({@link
 * FitPlan#forWorker}) removes it under {@code keep: failed}, as a successful run's, since the
 * driver cancels runs on its workers as a matter of course and no resumed fit tidies up after a
 * worker; a fit's plan keeps it, for the resumed fit to apply the keep policy to.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkerCancelledRunsTest {

    @TempDir
    Path dir;

    private Path job() throws Exception {
        return TestData.write(
                dir,
                "fit.yaml",
                "parameters: {x: {initial: 1.0, bounds: [0.0, 2.0]}}",
                "terms:",
                "  - {name: slow, kind: external, command: [sh, -c, \"touch started; exec sleep 30\"],",
                "     outputs: {y: {parser: json, file: out.json, path: /y}}, reference: {y: 1.0}}");
    }

    /** Runs the plan's objective once and cancels it once its program has started. */
    private static EvaluationCancelledException cancelled(FitPlan plan, Path runs) throws Exception {
        Parameters p = plan.initial();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                plan.combined.evaluate(p, new EvaluationContext(p, "e1"));
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> runDirs(runs).stream().anyMatch(d -> Files.exists(d.resolve("started"))));
        t.interrupt();
        t.join(30_000);
        assertFalse(t.isAlive());
        return assertInstanceOf(EvaluationCancelledException.class, thrown.get());
    }

    private static List<Path> runDirs(Path runs) throws Exception {
        if (!Files.isDirectory(runs)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(runs)) {
            return s.sorted().toList();
        }
    }

    @Test
    void aWorkerRemovesTheRunDirectoryOfACancelledRunAndAFitKeepsIt() throws Exception {
        Path job = job();
        Path workerOut = dir.resolve("worker");
        try (FitPlan plan = FitPlan.forWorker(JobFile.read(job), workerOut)) {
            EvaluationCancelledException e = cancelled(plan, workerOut.resolve("runs"));
            assertTrue(
                    e.getMessage()
                            .endsWith("; its process tree was killed (its run directory was removed under keep:"
                                    + " failed, as the run was cancelled)"),
                    e.getMessage());
            assertEquals(List.of(), runDirs(workerOut.resolve("runs")));
        }
        Path fitOut = dir.resolve("fit");
        try (FitPlan plan = FitPlan.build(JobFile.read(job), 1, fitOut)) {
            EvaluationCancelledException e = cancelled(plan, fitOut.resolve("runs"));
            List<Path> kept = runDirs(fitOut.resolve("runs"));
            assertEquals(1, kept.size(), kept::toString);
            assertTrue(e.getMessage().endsWith(" (run directory " + kept.get(0) + ")"), e.getMessage());
            assertTrue(Files.readString(kept.get(0).resolve("failure.json")).contains("\"cancelled\" : true"));
        }
    }
}
