package org.chemfit.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.chemfit.ChemFitException;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
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

    /**
     * An evaluation whose term is still queued when close() stops waiting (here at once: the closing
     * thread is interrupted) completes its future with the reason, instead of never completing.
     */
    @Test
    void closingCancelsTheEvaluationsWhoseTermsHadNotStarted() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        CombinedObjectiveFunction blocking = new CombinedObjectiveFunction(List.of(p -> {
            started.countDown();
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EvaluationCancelledException("interrupted");
            }
            return 1.0;
        }));
        AsyncWrapperCOB w = new AsyncWrapperCOB(blocking);
        CompletableFuture<Double> running = w.evaluateAsync(Fixtures.params(1, 2));
        assertTrue(started.await(10, TimeUnit.SECONDS));
        // the pool has one thread (one leaf term), busy: this evaluation's term waits in its queue
        CompletableFuture<Double> queued = w.evaluateAsync(Fixtures.params(3, 4));
        Thread.currentThread().interrupt();
        w.close();
        assertTrue(Thread.interrupted(), "close() leaves the interrupt it met");
        ExecutionException e = assertThrows(ExecutionException.class, () -> queued.get(30, TimeUnit.SECONDS));
        assertInstanceOf(EvaluationCancelledException.class, e.getCause());
        assertTrue(
                e.getCause().getMessage().matches("the pool was shut down before term 'term\\[0]' of \\S+ started"),
                e.getCause().getMessage());
        ExecutionException first = assertThrows(ExecutionException.class, () -> running.get(30, TimeUnit.SECONDS));
        assertInstanceOf(EvaluationCancelledException.class, first.getCause());
        assertEquals(1, never.getCount(), "the running term was interrupted, not let through");
    }

    /**
     * An evaluation whose caller runs its terms itself (the pool's threads busy) is left to it when
     * close() stops waiting: its term still queued is the caller's to run, so the caller gets its
     * value, and is not interrupted.
     */
    @Test
    void closingLeavesAnEvaluationThatItsCallerRunsToTheCaller() throws Exception {
        CountDownLatch poolBusy = new CountDownLatch(2);
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch callerRunning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        org.chemfit.ObjectiveFunction term = p -> {
            try {
                if (p.get("x") == 1) {
                    poolBusy.countDown();
                    never.await();
                } else if (callerRunning.getCount() > 0) {
                    callerRunning.countDown();
                    release.await();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EvaluationCancelledException("interrupted");
            }
            return p.get("x");
        };
        AsyncWrapperCOB w = new AsyncWrapperCOB(new CombinedObjectiveFunction(List.of(term, term)));
        CompletableFuture<Double> busy = w.evaluateAsync(Fixtures.params(1, 0));
        assertTrue(poolBusy.await(10, TimeUnit.SECONDS), "both pool threads run the first evaluation");
        CompletableFuture<Object> caller = new CompletableFuture<>();
        Thread b = new Thread(
                () -> {
                    try {
                        double v = w.evaluate(Fixtures.params(2, 0));
                        caller.complete(v + (Thread.currentThread().isInterrupted() ? " interrupted" : ""));
                    } catch (RuntimeException e) {
                        caller.complete(e);
                    }
                },
                "caller");
        b.start();
        assertTrue(callerRunning.await(10, TimeUnit.SECONDS), "the caller runs a term itself");
        Thread.currentThread().interrupt();
        w.close();
        assertTrue(Thread.interrupted());
        release.countDown();
        assertEquals("4.0", caller.get(30, TimeUnit.SECONDS), "the caller ran both terms (2 + 2), not interrupted");
        ExecutionException first = assertThrows(ExecutionException.class, () -> busy.get(30, TimeUnit.SECONDS));
        assertInstanceOf(EvaluationCancelledException.class, first.getCause());
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
