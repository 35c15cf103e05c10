package org.chemfit.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
     * The application's own task on a plain pool of one, which it also gives the wrapper: its one
     * worker is the caller, so no term can start, and a ThreadPoolExecutor cannot say that the
     * caller is its own. The caller says so in the log, with what to do, and an interrupt (the
     * future cancelled) frees it.
     */
    @Test
    void aWrapperCalledFromATaskOfItsOwnPlainPoolSaysWhyNothingStarts() throws Exception {
        ExecutorService pool = namedPool("app-worker", 1);
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try (AsyncWrapperCOB w = new AsyncWrapperCOB(inner(2), pool)) {
            java.util.concurrent.Future<Double> call = pool.submit(() -> w.evaluate(Fixtures.params(1.5, 0)));
            String said = org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofMinutes(1))
                    .until(() -> captured.toString(java.nio.charset.StandardCharsets.UTF_8), t -> t.contains("10 s"));
            assertTrue(
                    said.contains("none of its 4 terms has started in 10 s, and the thread waiting for them"
                            + " (app-worker-1) is a worker of a ThreadPoolExecutor: if that is the pool its"
                            + " AsyncWrapperCOB was given and all its workers wait so, nothing will start; give the"
                            + " wrapper a pool of its own (or none: its default pool), or a ForkJoinPool"),
                    said);
            assertFalse(call.isDone(), "it still waits: nothing ran the terms instead");
            call.cancel(true);
            assertEquals(7, pool.submit(() -> 7).get(30, TimeUnit.SECONDS), "the pool's worker is free again");
        } finally {
            System.setErr(err);
            Fixtures.shutdown(pool);
        }
    }

    /** @return a fixed pool whose threads are named {@code name-1}, {@code name-2}, ... */
    private static ExecutorService namedPool(String name, int threads) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return java.util.concurrent.Executors.newFixedThreadPool(
                threads, r -> new Thread(r, name + "-" + n.incrementAndGet()));
    }

    /**
     * Two tasks of the application's pool share a compute pool of two for their terms: one
     * caller's terms queue behind the other's, and neither caller runs a term itself, so no more
     * terms run at once than the pool has threads.
     */
    @Test
    void callersOnAnotherPlainPoolRunNoTermThemselves() throws Exception {
        ExecutorService app = namedPool("app", 2);
        ExecutorService compute = Fixtures.fixedPool(2);
        java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int j = 0; j < 4; j++) {
            int jj = j;
            terms.add(p -> {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                threads.add(Thread.currentThread().getName());
                try {
                    Thread.sleep(200);
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
            List<java.util.concurrent.Future<Double>> calls = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                calls.add(app.submit(() -> w.evaluate(Fixtures.params(1.5, 0))));
            }
            for (java.util.concurrent.Future<Double> c : calls) {
                assertEquals(4 * 1.5 + 6, c.get(60, TimeUnit.SECONDS));
            }
            assertEquals(2, most.get(), "at most the compute pool's two threads ran terms at once");
            assertTrue(threads.stream().noneMatch(t -> t.contains("app")), threads.toString());
        } finally {
            Fixtures.shutdown(app);
            Fixtures.shutdown(compute);
        }
    }
}
