package org.chemfit.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.chemfit.ChemFitException;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.junit.jupiter.api.Test;

/** Closing, bad contexts and a refused task give clear errors. */
class AsyncWrapperLifecycleTest {

    private static final CombinedObjectiveFunction SUM =
            new CombinedObjectiveFunction(List.of(p -> p.get("x"), p -> 2 * p.get("y")));

    @Test
    void aClosedWrapperSaysSo() {
        AsyncWrapperCOB w = new AsyncWrapperCOB(SUM);
        assertEquals(5.0, w.evaluate(Fixtures.params(1, 2)));
        w.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.evaluate(Fixtures.params(1, 2)));
        assertEquals("this AsyncWrapperCOB was closed; create a new one to evaluate again", e.getMessage());
    }

    @Test
    void aReusedOrMismatchedContextIsRefusedWithTheReason() {
        try (AsyncWrapperCOB w = new AsyncWrapperCOB(SUM)) {
            Parameters p = Fixtures.params(1, 2);
            EvaluationContext ctx = new EvaluationContext(p);
            w.evaluate(p, ctx);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.evaluate(p, ctx));
            assertEquals(
                    "the context given already holds 2 terms of an evaluation: a context records one evaluation; give"
                            + " each evaluation a new EvaluationContext",
                    e.getMessage());
            NullPointerException none = assertThrows(NullPointerException.class, () -> w.evaluateMany(null));
            assertEquals("requests", none.getMessage());
            List<EvaluationContext> withNull = new java.util.ArrayList<>();
            withNull.add(new EvaluationContext(p));
            withNull.add(null);
            NullPointerException second = assertThrows(NullPointerException.class, () -> w.evaluateMany(withNull));
            assertEquals("requests[1]", second.getMessage());
            // a scheduler alike, before any request is prepared: the first is left fresh
            try (ExecutorScheduler scheduler = new ExecutorScheduler(1)) {
                NullPointerException direct =
                        assertThrows(NullPointerException.class, () -> scheduler.evaluateMany(SUM, withNull));
                assertEquals("requests[1]", direct.getMessage());
                assertTrue(withNull.get(0).children().isEmpty(), "the first request is not prepared");
            }
            IllegalArgumentException m = assertThrows(
                    IllegalArgumentException.class, () -> w.evaluate(Fixtures.params(3, 4), new EvaluationContext(p)));
            assertTrue(
                    m.getMessage().startsWith("the context holds other parameters than those to evaluate"),
                    m.getMessage());
        }
    }

    @Test
    void aShutDownExecutorFailsTheEvaluationWithAMessageAndLeavesNothingRunning() throws Exception {
        ExecutorService pool = Fixtures.fixedPool(2);
        pool.shutdown();
        assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
        try (AsyncWrapperCOB w = new AsyncWrapperCOB(SUM, pool)) {
            ChemFitException e = assertThrows(ChemFitException.class, () -> w.evaluate(Fixtures.params(1, 2)));
            assertTrue(e.getMessage().startsWith("the executor refused a term's task"), e.getMessage());
            assertTrue(e.getMessage().contains("it was shut down"), e.getMessage());
        }
        assertFalse(Thread.currentThread().isInterrupted());
    }
}
