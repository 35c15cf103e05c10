package org.chemfit.journal.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.junit.jupiter.api.Test;

/** The rule every output shares: clean points first, degraded ones as a fallback, bad ones never. */
class BestPointTest {

    @Test
    void aDegradedPointIsTheBestOnlyUntilACleanOneIsSeenAndABadOneNever() {
        BestPoint<Integer> b = new BestPoint<>();
        assertNull(b.best());
        assertEquals(Double.POSITIVE_INFINITY, b.loss());
        assertFalse(b.offer(0, BestPoint.Kind.BAD, 0.1), "a failed or NaN point never wins");
        assertTrue(b.offer(1, BestPoint.Kind.DEGRADED, 0.5), "the only finite point so far");
        assertTrue(b.isDegraded());
        assertEquals(0.5, b.loss(), 0.0);
        assertFalse(b.offer(2, BestPoint.Kind.CLEAN, Double.NaN), "a NaN loss is bad whatever its kind");
        assertTrue(b.offer(3, BestPoint.Kind.CLEAN, 2.0), "a clean point wins over a degraded one of lower loss");
        assertEquals(3, b.best());
        assertEquals(2.0, b.loss(), 0.0);
        assertFalse(b.isDegraded());
        assertFalse(b.offer(4, BestPoint.Kind.DEGRADED, 0.01), "kept only as a fallback");
        assertEquals(4, b.degradedBest());
        assertFalse(b.offer(5, BestPoint.Kind.CLEAN, 2.0), "the earliest of equal losses stays");
        assertTrue(b.offer(6, BestPoint.Kind.CLEAN, 1.5));
        assertEquals(6, b.best());
        assertEquals(6, b.clean());
        assertFalse(b.offer(7, BestPoint.Kind.BAD, 1e6), "the bad value told to the optimizer does not win");
        assertEquals(1.5, b.loss(), 0.0);
    }

    @Test
    void theKindOfAnEvaluationComesFromItsStatusItsLossAndItsTerms() {
        assertEquals(BestPoint.Kind.BAD, BestPoint.kind(false, 1.0, false));
        assertEquals(BestPoint.Kind.BAD, BestPoint.kind(true, Double.POSITIVE_INFINITY, false));
        assertEquals(BestPoint.Kind.DEGRADED, BestPoint.kind(true, 1.0, true));
        assertEquals(BestPoint.Kind.CLEAN, BestPoint.kind(true, 1.0, false));
        EvaluationRecord running = new EvaluationRecord(
                1,
                0,
                "e0",
                EvaluationRecord.State.RUNNING,
                Parameters.of(java.util.Map.of("x", 1.0)),
                Double.NaN,
                Double.NaN,
                org.chemfit.Quantities.builder().build(),
                "",
                "",
                null,
                null,
                Double.NaN,
                "h",
                1,
                false);
        assertEquals(BestPoint.Kind.BAD, BestPoint.kind(running));
        EvaluationContext ctx = new EvaluationContext(Parameters.of(java.util.Map.of("x", 1.0)), "e1");
        assertFalse(BestPoint.degraded(ctx), "no terms, none failed");
        assertEquals(BestPoint.Kind.BAD, BestPoint.kind(ctx), "not evaluated yet: no loss");
    }
}
