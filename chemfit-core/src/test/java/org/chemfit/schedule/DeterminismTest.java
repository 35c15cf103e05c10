package org.chemfit.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Serial evaluation and every thread pool keep the determinism contract: the loss, breakdown and
 * metadata of serial evaluation, bit for bit. Pools of 1, 2 and 8 threads, fixed and fork-join,
 * under both concurrent entry points ({@link ExecutorScheduler} and {@link AsyncWrapperCOB}). The
 * cluster runs the same contract in its own module.
 */
class DeterminismTest extends DeterminismContract {

    private static final int[] THREADS = {1, 2, 8};

    private final List<ExecutorService> fixed = new ArrayList<>();
    private final List<ForkJoinPool> forkJoin = new ArrayList<>();

    @BeforeAll
    void pools() {
        for (int n : THREADS) {
            fixed.add(Fixtures.fixedPool(n));
            forkJoin.add(new ForkJoinPool(n));
        }
    }

    @AfterAll
    void stop() throws InterruptedException {
        for (ExecutorService e : fixed) {
            Fixtures.shutdown(e);
        }
        for (ForkJoinPool e : forkJoin) {
            Fixtures.shutdown(e);
        }
    }

    @Override
    protected Stream<Named<Backend.Factory>> backends() {
        List<Named<Backend.Factory>> all = new ArrayList<>();
        all.add(Named.of("serial", o -> Backend.of(new SerialScheduler(), o)));
        for (int k = 0; k < THREADS.length; k++) {
            int i = k;
            String n = THREADS[k] + (THREADS[k] == 1 ? " thread" : " threads");
            all.add(Named.of(
                    "ExecutorScheduler, fixed pool of " + n, o -> Backend.of(new ExecutorScheduler(fixed.get(i)), o)));
            all.add(Named.of(
                    "ExecutorScheduler, ForkJoinPool of " + n,
                    o -> Backend.of(new ExecutorScheduler(forkJoin.get(i)), o)));
            all.add(Named.of(
                    "AsyncWrapperCOB, fixed pool of " + n, o -> wrapper(new AsyncWrapperCOB(o, fixed.get(i)))));
            all.add(Named.of(
                    "AsyncWrapperCOB, ForkJoinPool of " + n, o -> wrapper(new AsyncWrapperCOB(o, forkJoin.get(i)))));
        }
        all.add(Named.of("ExecutorScheduler, own pool of 3 threads", o -> Backend.of(new ExecutorScheduler(3), o)));
        all.add(Named.of("AsyncWrapperCOB, own pool", o -> wrapper(new AsyncWrapperCOB(o))));
        all.add(Named.of("AsyncWrapperCOB, direct executor", o -> wrapper(new AsyncWrapperCOB(o, Runnable::run))));
        return all.stream();
    }

    private static Backend wrapper(AsyncWrapperCOB w) {
        return Backend.of(w, ctx -> w.evaluateAsync(ctx.parameters(), ctx), w::close);
    }

    /** The executors an Error must cross, named; null stands for the wrapper's own pool. */
    Stream<Named<Executor>> executors() {
        List<Named<Executor>> all = new ArrayList<>();
        all.add(Named.of("direct", Runnable::run));
        for (int k = 0; k < THREADS.length; k++) {
            all.add(Named.of("fixed pool of " + THREADS[k], fixed.get(k)));
            all.add(Named.of("ForkJoinPool of " + THREADS[k], forkJoin.get(k)));
        }
        all.add(Named.of("own pool", null));
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("executors")
    void anErrorFromATermPropagatesAsInSerialEvaluation(Executor executor) throws Exception {
        // a failure policy handles exceptions; an Error (a failed assertion, a stack overflow) is
        // not a term failure in serial evaluation, so no executor may turn it into one
        ObjectiveFunction buggy = p -> {
            throw new AssertionError("bug in term");
        };
        CombinedObjectiveFunction c = new CombinedObjectiveFunction(List.of(p -> 1.0, buggy, p -> 2.0))
                .withFailurePolicy(org.chemfit.FailurePolicy.skip());
        Parameters p = Fixtures.params(1, 2);
        assertEquals(
                "bug in term",
                assertThrows(AssertionError.class, () -> c.evaluate(p)).getMessage());
        try (AsyncWrapperCOB w = executor == null ? new AsyncWrapperCOB(c) : new AsyncWrapperCOB(c, executor)) {
            assertEquals(
                    "bug in term",
                    assertThrows(AssertionError.class, () -> w.evaluate(p)).getMessage());
            ExecutionException x = assertThrows(
                    ExecutionException.class, () -> w.evaluateAsync(p).get(10, TimeUnit.SECONDS));
            assertTrue(x.getCause() instanceof AssertionError, String.valueOf(x.getCause()));
            List<EvaluationContext> batch = List.of(new EvaluationContext(p), new EvaluationContext(p));
            assertThrows(AssertionError.class, () -> w.evaluateMany(batch));
            assertTrue(!Thread.currentThread().isInterrupted(), "the caller was left interrupted");
        }
        if (executor != null) {
            // the executor's threads survived and run the next evaluation
            try (AsyncWrapperCOB w =
                    new AsyncWrapperCOB(new CombinedObjectiveFunction(List.of(q -> 1.0, q -> 2.0)), executor)) {
                assertEquals(3.0, w.evaluate(p));
            }
        }
    }
}
