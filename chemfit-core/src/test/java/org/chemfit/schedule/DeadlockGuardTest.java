package org.chemfit.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.junit.jupiter.api.Test;

/** A wrapper nested in a wrapper on one bounded pool finishes instead of hanging. */
class DeadlockGuardTest {

    private static CombinedObjectiveFunction inner(int k) {
        List<ObjectiveFunction> t = new ArrayList<>();
        for (int j = 0; j < 4; j++) {
            int jj = j;
            t.add(p -> p.get("x") * (k + 1) + jj / 3.0);
        }
        return new CombinedObjectiveFunction(t).named("inner" + k);
    }

    /** Runs the nested evaluation on another thread so that a hang fails the test instead of the build. */
    private static double evaluateNested(Executor shared, int threads, int outerTerms) throws Exception {
        List<AsyncWrapperCOB> inners = new ArrayList<>();
        List<ObjectiveFunction> outerTermsList = new ArrayList<>();
        CountDownLatch allOuterRunning = new CountDownLatch(Math.min(outerTerms, threads));
        for (int k = 0; k < outerTerms; k++) {
            AsyncWrapperCOB w = new AsyncWrapperCOB(inner(k), shared);
            inners.add(w);
            outerTermsList.add(new ObjectiveFunction() {
                @Override
                public double evaluate(Parameters p) {
                    return evaluate(p, new EvaluationContext(p));
                }

                @Override
                public double evaluate(Parameters p, EvaluationContext ctx) {
                    // make sure every pool thread is taken by an outer term before the inner ones dispatch
                    allOuterRunning.countDown();
                    try {
                        if (!allOuterRunning.await(10, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("the outer terms never occupied the whole pool");
                        }
                    } catch (InterruptedException e) {
                        throw new EvaluationCancelledException("interrupted", e);
                    }
                    double v = w.evaluate(p);
                    ctx.complete(v);
                    return v;
                }
            });
        }
        CombinedObjectiveFunction outer = new CombinedObjectiveFunction(outerTermsList);
        try (AsyncWrapperCOB w = new AsyncWrapperCOB(outer, shared)) {
            CompletableFuture<Double> f = CompletableFuture.supplyAsync(
                    () -> w.evaluate(Fixtures.params(1.5, 0)), r -> new Thread(r, "nested-caller").start());
            return f.get(30, TimeUnit.SECONDS);
        }
    }

    private static double serial(int outerTerms) {
        double s = 0;
        for (int k = 0; k < outerTerms; k++) {
            s += inner(k).evaluate(Fixtures.params(1.5, 0));
        }
        return s;
    }

    @Test
    void nestedWrappersOnOneFixedPoolOfTwoFinish() throws Exception {
        ExecutorService pool = Fixtures.fixedPool(2);
        try {
            assertEquals(serial(4), evaluateNested(pool, 2, 4));
            assertTrue(((java.util.concurrent.ThreadPoolExecutor) pool).getLargestPoolSize() <= 2);
        } finally {
            Fixtures.shutdown(pool);
        }
    }

    @Test
    void nestedWrappersOnAForkJoinPoolOfTwoFinish() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            assertEquals(serial(3), evaluateNested(pool, 2, 3));
        } finally {
            Fixtures.shutdown(pool);
        }
    }

    @Test
    void nestedWrappersOnAPoolOfOneFinish() throws Exception {
        ExecutorService pool = Fixtures.fixedPool(1);
        try {
            assertEquals(serial(3), evaluateNested(pool, 1, 3));
        } finally {
            Fixtures.shutdown(pool);
        }
    }

    /**
     * The application's own task on a pool of one, which the wrapper is also given: its one worker
     * is the caller, so no term would ever start. The caller runs them itself once none has
     * started for a while, and the pool keeps its one thread.
     */
    @Test
    void aWrapperCalledFromATaskOfItsOwnPlainPoolFinishes() throws Exception {
        ExecutorService pool = Fixtures.fixedPool(1);
        try (AsyncWrapperCOB w = new AsyncWrapperCOB(inner(2), pool)) {
            double v = pool.submit(() -> w.evaluate(Fixtures.params(1.5, 0))).get(30, TimeUnit.SECONDS);
            assertEquals(inner(2).evaluate(Fixtures.params(1.5, 0)), v);
            assertEquals(1, ((java.util.concurrent.ThreadPoolExecutor) pool).getLargestPoolSize());
        } finally {
            Fixtures.shutdown(pool);
        }
    }

    /**
     * Three fits' evaluations as tasks of a pool of two, each wrapper given that pool: both workers
     * are callers waiting on it, the third task queued behind them. All finish, with the serial
     * values.
     */
    @Test
    void moreCallersThanWorkersOfOnePlainPoolAllFinish() throws Exception {
        ExecutorService pool = Fixtures.fixedPool(2);
        List<AsyncWrapperCOB> wrappers = new ArrayList<>();
        try {
            List<java.util.concurrent.Future<Double>> calls = new ArrayList<>();
            CountDownLatch bothWorkersAreCallers = new CountDownLatch(2);
            for (int k = 0; k < 3; k++) {
                AsyncWrapperCOB w = new AsyncWrapperCOB(inner(k), pool);
                wrappers.add(w);
                calls.add(pool.submit(() -> {
                    bothWorkersAreCallers.countDown();
                    if (!bothWorkersAreCallers.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the callers never took both workers");
                    }
                    return w.evaluate(Fixtures.params(1.5, 0));
                }));
            }
            for (int k = 0; k < 3; k++) {
                assertEquals(
                        inner(k).evaluate(Fixtures.params(1.5, 0)), calls.get(k).get(30, TimeUnit.SECONDS));
            }
            assertTrue(((java.util.concurrent.ThreadPoolExecutor) pool).getLargestPoolSize() <= 2);
        } finally {
            for (AsyncWrapperCOB w : wrappers) {
                w.close();
            }
            Fixtures.shutdown(pool);
        }
    }

    /**
     * A worker of one plain pool (the application's) waiting on another pool busy with its own
     * terms, each running longer than the guard waits: the pool is making progress for it, so the
     * caller runs none of them, and no more terms run at once than the pool has threads.
     */
    @Test
    void aCallerOnAnotherPlainPoolRunsNoTermWhileItsTermsRun() throws Exception {
        ExecutorService app = Fixtures.fixedPool(1);
        ExecutorService compute = Fixtures.fixedPool(2);
        java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int j = 0; j < 6; j++) {
            int jj = j;
            terms.add(p -> {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                threads.add(Thread.currentThread().getName());
                try {
                    Thread.sleep(200); // four times as long as the guard waits before it looks
                } catch (InterruptedException e) {
                    throw new EvaluationCancelledException("interrupted", e);
                } finally {
                    running.decrementAndGet();
                }
                return p.get("x") + jj;
            });
        }
        CombinedObjectiveFunction slow = new CombinedObjectiveFunction(terms);
        try (AsyncWrapperCOB w = new AsyncWrapperCOB(slow, compute)) {
            String caller = app.submit(() -> Thread.currentThread().getName()).get(30, TimeUnit.SECONDS);
            double v = app.submit(() -> w.evaluate(Fixtures.params(1.5, 0))).get(60, TimeUnit.SECONDS);
            assertEquals(6 * 1.5 + 15, v);
            assertEquals(2, most.get(), "at most the compute pool's two threads ran terms at once");
            assertTrue(!threads.contains(caller), threads + " holds the caller " + caller);
        } finally {
            Fixtures.shutdown(app);
            Fixtures.shutdown(compute);
        }
    }
}
