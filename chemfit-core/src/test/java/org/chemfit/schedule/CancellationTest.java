package org.chemfit.schedule;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.junit.jupiter.api.Test;

/** An interrupt or a cancel stops every task; nothing runs on after evaluate returned or threw. */
class CancellationTest {

    /** Terms that block until interrupted, counting what they do. */
    private static final class Blocking {
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger interrupted = new AtomicInteger();
        final CountDownLatch allStarted;
        final CountDownLatch never = new CountDownLatch(1);

        Blocking(int expectedStarts) {
            allStarted = new CountDownLatch(expectedStarts);
        }

        ObjectiveFunction term() {
            return p -> {
                started.incrementAndGet();
                running.incrementAndGet();
                try {
                    allStarted.countDown();
                    never.await(60, TimeUnit.SECONDS);
                    return 0;
                } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                    Thread.currentThread().interrupt();
                    throw new EvaluationCancelledException("term interrupted", e);
                } finally {
                    running.decrementAndGet();
                }
            };
        }
    }

    private static void awaitIdle(ThreadPoolExecutor pool) {
        // the pool's own bookkeeping ends just after our tasks report finished
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10))
                .untilAsserted(() -> {
                    assertEquals(0, pool.getActiveCount(), "no worker thread is busy");
                    assertTrue(pool.getQueue().isEmpty(), "no task is waiting");
                });
    }

    @Test
    void interruptingTheCallerStopsEveryTaskBeforeEvaluateThrows() throws Exception {
        Blocking b = new Blocking(4);
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            terms.add(b.term());
        }
        ThreadPoolExecutor pool = Fixtures.fixedPool(4);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicInteger runningWhenThrown = new AtomicInteger(-1);
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        try (AsyncWrapperCOB w = new AsyncWrapperCOB(new CombinedObjectiveFunction(terms), pool)) {
            Thread caller = new Thread(() -> {
                try {
                    w.evaluate(Fixtures.params(1, 2));
                } catch (RuntimeException e) {
                    runningWhenThrown.set(b.running.get());
                    thrown.set(e);
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                }
            });
            caller.start();
            assertTrue(b.allStarted.await(10, TimeUnit.SECONDS), "4 terms started on the 4 workers");
            caller.interrupt();
            // the terms block for 60 s unless interrupted, so returning well before that is the interrupt's doing
            caller.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(
                    caller.isAlive(), "evaluate returned after the interrupt, without waiting for the blocked terms");
            assertTrue(thrown.get() instanceof EvaluationCancelledException, String.valueOf(thrown.get()));
            assertEquals(0, runningWhenThrown.get(), "no task was running any more when evaluate threw");
            assertEquals(4, b.interrupted.get(), "the 4 running terms were interrupted");
            assertEquals(Boolean.TRUE, stillInterrupted.get(), "the caller stays interrupted");
            awaitIdle(pool);
            assertEquals(4, b.started.get(), "the 4 pending terms never started");
            assertFalse(Thread.interrupted(), "no interrupt leaked to the test thread");
        } finally {
            Fixtures.shutdown(pool);
        }
    }

    @Test
    void cancellingTheFutureCancelsPendingAndInterruptsRunningTasks() throws Exception {
        Blocking b = new Blocking(2);
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            terms.add(b.term());
        }
        ThreadPoolExecutor pool = Fixtures.fixedPool(2);
        try (AsyncWrapperCOB w = new AsyncWrapperCOB(new CombinedObjectiveFunction(terms), pool)) {
            CompletableFuture<Double> f = w.evaluateAsync(Fixtures.params(0, 0));
            assertTrue(b.allStarted.await(10, TimeUnit.SECONDS));
            assertTrue(f.cancel(true));
            assertThrows(CancellationException.class, () -> f.get(1, TimeUnit.SECONDS));
            awaitIdle(pool);
            assertEquals(0, b.running.get());
            assertEquals(2, b.interrupted.get());
            assertEquals(2, b.started.get(), "the 3 pending terms never started");
            // the pool's threads carry no stale interrupt into the next evaluation
            assertEquals(
                    3.0,
                    new AsyncWrapperCOB(new CombinedObjectiveFunction(List.of(p -> 1.0, p -> 2.0)), pool)
                            .evaluate(Fixtures.params(0, 0)));
        } finally {
            Fixtures.shutdown(pool);
        }
    }

    @Test
    void aRaisedFailureCancelsTheTermsAfterItAndNamesTheTerm() throws Exception {
        Blocking b = new Blocking(3);
        CountDownLatch othersRunning = new CountDownLatch(1);
        ObjectiveFunction failing = p -> {
            try {
                // fail only once the later terms are running, so that they must be interrupted
                if (!b.allStarted.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the other terms never started");
                }
            } catch (InterruptedException e) {
                throw new EvaluationCancelledException("interrupted", e);
            }
            othersRunning.countDown();
            throw new IllegalStateException("lammps exited with code 1");
        };
        List<ObjectiveFunction> terms = new ArrayList<>(List.of(p -> 1.0, failing));
        for (int k = 0; k < 6; k++) {
            terms.add(b.term());
        }
        List<String> names = new ArrayList<>(List.of("fine", "density"));
        for (int k = 0; k < 6; k++) {
            names.add("slow" + k);
        }
        ThreadPoolExecutor pool = Fixtures.fixedPool(4);
        try (AsyncWrapperCOB w = new AsyncWrapperCOB(new CombinedObjectiveFunction(terms).withTermNames(names), pool)) {
            Parameters p = Fixtures.params(0, 0);
            TermFailedException e = assertThrows(TermFailedException.class, () -> w.evaluate(p));
            assertEquals("term 1 'density' failed: lammps exited with code 1", e.getMessage());
            assertEquals(1, e.termIndex());
            assertEquals(0, b.running.get(), "no term still running when the failure was raised");
            assertEquals(0, othersRunning.getCount());
            awaitIdle(pool);
            assertEquals(3, b.started.get(), "the 3 terms not started when the failure came never started");
            assertEquals(3, b.interrupted.get(), "the 3 running ones were interrupted");
        } finally {
            Fixtures.shutdown(pool);
        }
    }
}
