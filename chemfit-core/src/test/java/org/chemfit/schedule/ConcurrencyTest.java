package org.chemfit.schedule;

import static org.chemfit.testfixtures.Overlaps.assertOverlap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.junit.jupiter.api.Test;

/** Terms really run at once, and a caller's pool limits how many. */
class ConcurrencyTest {

    /** A term that can only finish once {@code latch} was counted down by all its siblings. */
    private static ObjectiveFunction waitingTerm(CountDownLatch latch, int k) {
        return p -> {
            latch.countDown();
            try {
                if (!latch.await(20, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(
                            "term " + k + " waited 20 s for its siblings: terms did not run at once");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EvaluationCancelledException("interrupted", e);
            }
            return k;
        };
    }

    @Test
    void eightTermsWaitingOnEachOtherCompleteOnEightWorkers() throws Exception {
        CountDownLatch latch = new CountDownLatch(8);
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            terms.add(waitingTerm(latch, k));
        }
        CombinedObjectiveFunction c = new CombinedObjectiveFunction(terms);
        ThreadPoolExecutor pool = Fixtures.fixedPool(8);
        try (AsyncWrapperCOB w = new AsyncWrapperCOB(c, pool)) {
            Parameters p = Fixtures.params(0, 0);
            EvaluationContext ctx = new EvaluationContext(p);
            assertEquals(28.0, w.evaluate(p, ctx));
            assertOverlap(ctx, 8);
            assertTrue(
                    ctx.child(3).threadName().startsWith("pool-"), ctx.child(3).threadName());
        } finally {
            Fixtures.shutdown(pool);
        }
    }

    @Test
    void theDefaultPoolHasOneThreadPerLeafTermAndTheTimingSurvives() {
        CountDownLatch latch = new CountDownLatch(8);
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            terms.add(waitingTerm(latch, k));
        }
        List<ObjectiveFunction> nested = new ArrayList<>();
        for (int k = 4; k < 8; k++) {
            nested.add(waitingTerm(latch, k));
        }
        terms.add(new CombinedObjectiveFunction(nested));
        try (AsyncWrapperCOB w = new AsyncWrapperCOB(new CombinedObjectiveFunction(terms))) {
            Parameters p = Fixtures.params(0, 0);
            EvaluationContext ctx = new EvaluationContext(p);
            assertEquals(28.0, w.evaluate(p, ctx));
            List<EvaluationContext> leaves = new ArrayList<>(ctx.children().subList(0, 4));
            leaves.addAll(ctx.child(4).children());
            long latestStart = leaves.stream()
                    .mapToLong(EvaluationContext::startEpochNanos)
                    .max()
                    .orElseThrow();
            long earliestEnd = leaves.stream()
                    .mapToLong(EvaluationContext::endEpochNanos)
                    .min()
                    .orElseThrow();
            assertTrue(latestStart < earliestEnd, "leaf terms overlap");
            assertEquals(
                    8,
                    leaves.stream()
                            .map(EvaluationContext::threadName)
                            .distinct()
                            .count());
            assertTrue(
                    ctx.child(0).threadName().startsWith("chemfit-async-"),
                    ctx.child(0).threadName());
            @SuppressWarnings("unchecked")
            var timing = (java.util.Map<String, Object>)
                    ((java.util.Map<String, Object>) ((List<?>) ctx.toMap(true).get("terms")).get(2)).get("timing");
            assertEquals(ctx.child(2).threadName(), timing.get("thread"));
            assertEquals(ctx.child(2).startEpochNanos(), timing.get("start_ns"));
        }
    }

    @Test
    void aCallersThreadPoolExecutorLimitsConcurrency() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        CountDownLatch firstThree = new CountDownLatch(3);
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int k = 0; k < 12; k++) {
            terms.add(p -> {
                int now = running.incrementAndGet();
                max.accumulateAndGet(now, Math::max);
                try {
                    firstThree.countDown();
                    // the first three can only pass once all three run at once
                    if (!firstThree.await(20, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("three terms never ran at once");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EvaluationCancelledException("interrupted", e);
                } finally {
                    running.decrementAndGet();
                }
                return 1;
            });
        }
        ThreadPoolExecutor pool = new ThreadPoolExecutor(3, 3, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        try (AsyncWrapperCOB w = new AsyncWrapperCOB(new CombinedObjectiveFunction(terms), pool)) {
            assertEquals(12.0, w.evaluate(Fixtures.params(0, 0)));
            assertEquals(3, max.get(), "at most and at least 3 terms at once");
        }
        assertTrue(!pool.isShutdown(), "the wrapper must not shut down the caller's executor");
        Fixtures.shutdown(pool);
    }
}
