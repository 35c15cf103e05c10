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
}
