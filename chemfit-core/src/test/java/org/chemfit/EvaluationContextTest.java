package org.chemfit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The transitions of an evaluation context, and the serial batch adapter built on them. */
class EvaluationContextTest {

    private static final Parameters P = Parameters.of(Map.of("x", 2.0));

    @Test
    void aFailedTermThatIsRetriedAndCompletesForgetsItsFailure() {
        EvaluationContext c = new EvaluationContext(P).addChild("t", 0.5);
        c.computed(Quantities.of("e", 1.0));
        c.fail(new ChemFitException("lammps exited with code 1"));
        assertEquals(EvaluationContext.Status.FAILED, c.status());
        assertEquals("lammps exited with code 1", c.failure().getMessage());

        c.retry(1);
        assertEquals(EvaluationContext.Status.PENDING, c.status());
        assertTrue(c.quantities().isEmpty());
        assertTrue(Double.isNaN(c.value()));
        assertEquals(1, c.metadata().get("retries"));

        c.complete(0.25);
        assertEquals(EvaluationContext.Status.OK, c.status());
        assertEquals(0.25, c.loss());
        assertNull(c.failure());
    }

    @Test
    void aFailureIsRecordedWithItsReasonNeverAClassName() {
        EvaluationContext bare = new EvaluationContext(P).addChild("t", 1.0);
        bare.fail(new IllegalStateException());
        assertEquals("an error without a message", bare.toMap(false).get("failure"));
        EvaluationContext wrapped = new EvaluationContext(P).addChild("t", 1.0);
        wrapped.fail(new RuntimeException(new java.nio.file.NoSuchFileException("/tmp/run-1/log.lammps")));
        assertEquals(
                "no such file or folder: /tmp/run-1/log.lammps",
                wrapped.toMap(false).get("failure"));
    }

    @Test
    void replayTakesTheRecordedQuantitiesMetadataAndLoss() {
        EvaluationContext c = new EvaluationContext(P).addChild("t", 1.0);
        c.put("own", "kept");
        c.replay(Quantities.of("energy", -1.5), Map.of("run_directory", "runs/e1/0"), 0.125);
        assertEquals(EvaluationContext.Status.REPLAYED, c.status());
        assertEquals(0.125, c.value());
        assertEquals(-1.5, c.quantities().get("energy"));
        assertEquals(Map.of("own", "kept", "run_directory", "runs/e1/0"), c.metadata());
    }

    @Test
    void theParentsReductionCountsPenalizesOrSkipsATerm() {
        EvaluationContext root = new EvaluationContext(P);
        EvaluationContext a = root.addChild("a", 2.0);
        EvaluationContext b = root.addChild("b", 3.0);
        EvaluationContext c = root.addChild("c", 4.0);
        a.contribute(1.5);
        b.penalize(3e5);
        c.skip();
        assertEquals(1.5, a.contribution());
        assertEquals(EvaluationContext.Status.PENALTY, b.status());
        assertEquals(3e5, b.contribution());
        assertEquals(EvaluationContext.Status.SKIPPED, c.status());
        assertTrue(Double.isNaN(c.contribution()));
    }

    @Test
    void adoptTakesTheOutcomeOfARunElsewhere() {
        EvaluationContext c = new EvaluationContext(P).addChild("t", 1.0);
        IllegalStateException cause = new IllegalStateException("member left");
        c.adopt(EvaluationContext.Status.FAILED, Double.NaN, Quantities.of("e", 2.0), Map.of("member", "m1"), cause);
        c.timed(1_000, 500, "worker-3");
        assertEquals(EvaluationContext.Status.FAILED, c.status());
        assertSame(cause, c.failure());
        assertEquals(2.0, c.quantities().get("e"));
        assertEquals("m1", c.metadata().get("member"));
        assertEquals(1_500, c.endEpochNanos());
        assertEquals("worker-3", c.threadName());
    }

    @Test
    void aSerialBatchEvaluatesEveryRequestAndMarksAFailedOneFailed() {
        ObjectiveFunction f = p -> {
            if (p.get("x") < 0) {
                throw new IllegalArgumentException("x must not be negative, got " + p.get("x"));
            }
            return p.get("x") * p.get("x");
        };
        List<EvaluationContext> batch = List.of(
                new EvaluationContext(P),
                new EvaluationContext(Parameters.of(Map.of("x", -1.0))),
                new EvaluationContext(Parameters.of(Map.of("x", 3.0))));
        BatchObjectiveFunction.of(f).evaluateMany(batch);
        assertEquals(4.0, batch.get(0).loss());
        assertEquals(EvaluationContext.Status.FAILED, batch.get(1).status());
        assertEquals("x must not be negative, got -1.0", batch.get(1).failure().getMessage());
        assertEquals(9.0, batch.get(2).loss());
        assertEquals(EvaluationContext.Status.OK, batch.get(2).status());
    }

    @Test
    void aSerialBatchOnAnInterruptedThreadEvaluatesNothing() {
        EvaluationContext ctx = new EvaluationContext(P);
        Thread.currentThread().interrupt();
        try {
            EvaluationCancelledException e = assertThrows(
                    EvaluationCancelledException.class,
                    () -> BatchObjectiveFunction.of(p -> 1.0).evaluateMany(List.of(ctx)));
            assertEquals("batch interrupted", e.getMessage());
        } finally {
            Thread.interrupted();
        }
        assertEquals(EvaluationContext.Status.PENDING, ctx.status());
    }

    @Test
    void aBatchObjectiveIsItsOwnBatch() {
        CombinedObjectiveFunction combined = new CombinedObjectiveFunction(List.of(p -> 1.0));
        try (org.chemfit.schedule.AsyncWrapperCOB w =
                new org.chemfit.schedule.AsyncWrapperCOB(combined, Runnable::run)) {
            assertSame(w, BatchObjectiveFunction.of(w));
        }
    }

    /** Null detaches a recorder: a combination evaluated afterwards records none of its terms. */
    @Test
    void recordToNullDetachesTheRecorder() {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        TermRecorder r = new TermRecorder() {
            @Override
            public TermRecorder.@org.jspecify.annotations.Nullable Recorded lookup(EvaluationContext child) {
                return null;
            }

            @Override
            public void finished(EvaluationContext child) {
                seen.add(child.name() + "=" + child.value());
            }
        };
        Parameters p = Parameters.of(Map.of("x", 2.0));
        CombinedObjectiveFunction c =
                new CombinedObjectiveFunction(List.of(q -> q.get("x"), q -> 3.0)).withTermNames(List.of("a", "b"));
        EvaluationContext recorded = new EvaluationContext(p);
        recorded.recordTo(r);
        assertEquals(5.0, c.evaluate(p, recorded), 0.0);
        assertEquals(List.of("a=2.0", "b=3.0"), seen.stream().sorted().toList());

        EvaluationContext detached = new EvaluationContext(p);
        detached.recordTo(r);
        detached.recordTo(null);
        assertNull(detached.recorder());
        assertEquals(5.0, c.evaluate(p, detached), 0.0);
        assertNull(detached.child(0).recorder());
        assertEquals(2, seen.size(), seen::toString);
    }
}
