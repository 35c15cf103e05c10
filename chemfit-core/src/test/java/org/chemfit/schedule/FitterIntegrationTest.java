package org.chemfit.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.fit.Optimizers;
import org.junit.jupiter.api.Test;

/** The wrapper is a drop-in objective for the Fitter, and batches run as one dispatch. */
class FitterIntegrationTest {

    @Test
    void theSeedsExampleFits() throws Exception {
        CombinedObjectiveFunction combined = new CombinedObjectiveFunction(List.of(
                p -> Math.pow(p.get("x") - 1, 2),
                p -> Math.pow(p.get("y") + 2, 2),
                p -> 0.1 * Math.pow(p.get("x") + p.get("y") + 1, 2)));
        Map<String, Double> initial = Map.of("x", 0.0, "y", 0.0);
        ExecutorService executor = Executors.newFixedThreadPool(3);
        try (AsyncWrapperCOB objective = new AsyncWrapperCOB(combined, executor)) {
            FitResult r = new Fitter(objective, initial).fit();
            assertEquals(1.0, r.bestParameters().get("x"), 1e-4);
            assertEquals(-2.0, r.bestParameters().get("y"), 1e-4);
            assertEquals(3, r.breakdown().children().size(), "the breakdown has one entry per term");
            assertTrue(
                    r.breakdown().child(1).threadName().startsWith("pool-"),
                    r.breakdown().child(1).threadName());
        } finally {
            Fixtures.shutdown(executor);
        }
    }

    private static FitResult cmaesFit(int threads) throws Exception {
        ObjectiveFunction one =
                p -> Math.pow(p.get("a") - 0.3, 2) + 10 * Math.pow(p.get("b") - 0.7, 2) + Math.sin(3 * p.get("a"));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (AsyncWrapperCOB w = new AsyncWrapperCOB(new CombinedObjectiveFunction(List.of(one)), pool)) {
            return new Fitter(w, Map.of("a", 1.0, "b", 1.0))
                    .seed(5)
                    .maxEvaluations(800)
                    .fit(Optimizers.cmaes(8, 0.3));
        } finally {
            Fixtures.shutdown(pool);
        }
    }

    @Test
    void batchCmaesGivesTheSameResultOnOneAndEightThreads() throws Exception {
        FitResult one = cmaesFit(1);
        FitResult eight = cmaesFit(8);
        assertEquals(one.bestParameters(), eight.bestParameters());
        assertEquals(Double.doubleToRawLongBits(one.bestLoss()), Double.doubleToRawLongBits(eight.bestLoss()));
        assertEquals(one.evaluations(), eight.evaluations());
        assertEquals(one.steps(), eight.steps());
    }

    @Test
    void aOneTermFitRunsAGenerationOfEightAtOnce() throws Exception {
        Parameters start = Parameters.of(Map.of("a", 1.0, "b", 1.0));
        CountDownLatch generation = new CountDownLatch(8);
        AtomicInteger candidates = new AtomicInteger();
        ObjectiveFunction one = p -> {
            if (!p.equals(start) && candidates.incrementAndGet() <= 8) {
                // the first generation's 8 points can only pass together
                generation.countDown();
                try {
                    if (!generation.await(20, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the generation's points were not evaluated at once");
                    }
                } catch (InterruptedException e) {
                    throw new EvaluationCancelledException("interrupted", e);
                }
            }
            return Math.pow(p.get("a"), 2) + Math.pow(p.get("b"), 2);
        };
        try (AsyncWrapperCOB w = new AsyncWrapperCOB(new CombinedObjectiveFunction(List.of(one)))) {
            FitResult r = new Fitter(w, start).maxEvaluations(81).fit(Optimizers.cmaes(8, 0.3));
            assertEquals(81, r.evaluations());
            assertEquals(0, generation.getCount());
            assertTrue(r.bestLoss() < 0.5, "it made progress: " + r.bestLoss());
        }
    }

    @Test
    void interruptingABatchFitStopsEveryTaskAndKeepsTheBestResult() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        CountDownLatch blocked = new CountDownLatch(8);
        ObjectiveFunction one = p -> {
            running.incrementAndGet();
            try {
                if (calls.incrementAndGet() > 17) {
                    // from the third generation on, every point hangs until interrupted
                    blocked.countDown();
                    new CountDownLatch(1).await(60, TimeUnit.SECONDS);
                }
                return Math.pow(p.get("a") - 0.5, 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EvaluationCancelledException("interrupted", e);
            } finally {
                running.decrementAndGet();
            }
        };
        java.util.concurrent.atomic.AtomicReference<FitResult> result =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger runningAtReturn = new java.util.concurrent.atomic.AtomicInteger(-1);
        try (AsyncWrapperCOB w = new AsyncWrapperCOB(new CombinedObjectiveFunction(List.of(one)))) {
            Thread fit = new Thread(() -> {
                result.set(new Fitter(w, Map.of("a", 1.0)).maxEvaluations(1000).fit(Optimizers.cmaes(8, 0.3)));
                runningAtReturn.set(running.get());
            });
            fit.start();
            assertTrue(blocked.await(20, TimeUnit.SECONDS), "the third generation's 8 points run at once");
            fit.interrupt();
            fit.join(TimeUnit.SECONDS.toMillis(10));
            assertTrue(!fit.isAlive(), "the fit returned after the interrupt");
        }
        assertEquals(org.chemfit.fit.StopReason.INTERRUPTED, result.get().stopReason());
        assertEquals(17, result.get().evaluations(), "the initial point and two generations of 8 were recorded");
        assertEquals(0, runningAtReturn.get(), "no term was still running when fit() returned");
    }

    /** An interrupt during the first evaluation leaves no result: fit() throws what stopped it, as documented. */
    @Test
    void anInterruptBeforeAnyEvaluationFinishedThrowsTheCancellation() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        ObjectiveFunction hangs = p -> {
            started.countDown();
            try {
                new CountDownLatch(1).await(60, TimeUnit.SECONDS);
                return 0.0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EvaluationCancelledException("interrupted", e);
            }
        };
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean stillInterrupted = new java.util.concurrent.atomic.AtomicBoolean();
        try (AsyncWrapperCOB w = new AsyncWrapperCOB(new CombinedObjectiveFunction(List.of(hangs)))) {
            Thread fit = new Thread(() -> {
                try {
                    new Fitter(w, Map.of("a", 1.0)).fit("Nelder-Mead");
                } catch (RuntimeException e) {
                    thrown.set(e);
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                }
            });
            fit.start();
            assertTrue(started.await(20, TimeUnit.SECONDS), "the first evaluation started");
            fit.interrupt();
            fit.join(TimeUnit.SECONDS.toMillis(10));
            assertTrue(!fit.isAlive(), "the fit returned after the interrupt");
        }
        assertTrue(thrown.get() instanceof EvaluationCancelledException, String.valueOf(thrown.get()));
        assertTrue(stillInterrupted.get(), "the thread stays interrupted");
    }
}
