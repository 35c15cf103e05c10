package org.chemfit.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every executor gives the loss, breakdown and metadata of serial evaluation, bit for bit. */
class DeterminismTest {

    private static ExecutorService one;
    private static ExecutorService four;
    private static ForkJoinPool fj;

    @BeforeAll
    static void pools() {
        one = Fixtures.fixedPool(1);
        four = Fixtures.fixedPool(4);
        fj = new ForkJoinPool(3);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        Fixtures.shutdown(one);
        Fixtures.shutdown(four);
        Fixtures.shutdown(fj);
    }

    private static Map<String, Executor> executors() {
        Map<String, Executor> m = new LinkedHashMap<>();
        m.put("direct", Runnable::run);
        m.put("fixed pool of 1", one);
        m.put("fixed pool of 4", four);
        m.put("ForkJoinPool", fj);
        return m;
    }

    @Test
    void sameLossBreakdownAndMetadataOnEveryExecutor() {
        CombinedObjectiveFunction tree = Fixtures.tree();
        for (double[] xy : new double[][] {{0.3, -1.7}, {1.1, 2.9}, {-3.3, 0.01}}) {
            Parameters p = Fixtures.params(xy[0], xy[1]);
            EvaluationContext serial = new EvaluationContext(p, "e1");
            double expected = tree.evaluate(p, serial);
            assertTrue(Double.isFinite(expected), "serial loss " + expected);
            Object expectedMap = Fixtures.breakdown(serial);
            for (Map.Entry<String, Executor> e : executors().entrySet()) {
                try (AsyncWrapperCOB w = new AsyncWrapperCOB(tree, e.getValue())) {
                    EvaluationContext ctx = new EvaluationContext(p, "e1");
                    double got = w.evaluate(p, ctx);
                    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(got),
                            e.getKey() + ": loss " + got + " vs serial " + expected);
                    assertEquals(expectedMap, Fixtures.breakdown(ctx), e.getKey() + ": breakdown differs");
                }
            }
        }
    }

    @Test
    void batchesAndSchedulersMatchSerialToo() throws Exception {
        CombinedObjectiveFunction tree = Fixtures.tree();
        List<Parameters> points = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            points.add(Fixtures.params(0.37 * k - 1, 1.3 - 0.21 * k));
        }
        List<Object> expected = new ArrayList<>();
        for (Parameters p : points) {
            EvaluationContext c = new EvaluationContext(p, "b");
            tree.evaluate(p, c);
            expected.add(Fixtures.breakdown(c));
        }
        List<Scheduler> schedulers = new ArrayList<>();
        schedulers.add(new SerialScheduler());
        for (Executor ex : executors().values()) {
            schedulers.add(new ExecutorScheduler(ex));
        }
        schedulers.add(new ExecutorScheduler(3));
        for (Scheduler s : schedulers) {
            try (s) {
                List<EvaluationContext> batch = new ArrayList<>();
                for (Parameters p : points) {
                    batch.add(new EvaluationContext(p, "b"));
                }
                s.evaluateMany(tree, batch);
                for (int k = 0; k < points.size(); k++) {
                    assertEquals(expected.get(k), Fixtures.breakdown(batch.get(k)), s + ": request " + k);
                }
                EvaluationContext async = new EvaluationContext(points.get(2), "b");
                double v = s.evaluateAsync(tree, async).get(10, TimeUnit.SECONDS);
                assertEquals(((Map<?, ?>) expected.get(2)).get("value"), v, s + ": async");
                assertEquals(expected.get(2), Fixtures.breakdown(async), s + ": async breakdown");
            }
        }
    }

    @Test
    void raiseNamesTheFailedTermWithTheSerialMessageOnEveryExecutor() {
        ObjectiveFunction ok = p -> p.get("x");
        ObjectiveFunction bad = p -> {
            throw new IllegalArgumentException("density diverged");
        };
        CombinedObjectiveFunction inner = new CombinedObjectiveFunction(List.of(ok, bad.named("density"))).named("liquid");
        CombinedObjectiveFunction c = new CombinedObjectiveFunction(List.of(ok, inner, bad.named("later")))
                .withTermNames(List.of("a", "liquid", "later"));
        Parameters p = Fixtures.params(1, 2);
        TermFailedException serial = assertThrows(TermFailedException.class, () -> c.evaluate(p));
        assertEquals("term 1 'liquid' failed: term 1 'density' failed: density diverged", serial.getMessage());
        // concurrently, the first term to fail in time is raised: either of the two failing ones,
        // each with the message serial evaluation gives it
        Map<String, String> possible = Map.of("liquid", serial.getMessage(), "later", "term 2 'later' failed: density diverged");
        for (Map.Entry<String, Executor> e : executors().entrySet()) {
            try (AsyncWrapperCOB w = new AsyncWrapperCOB(c, e.getValue())) {
                TermFailedException t = assertThrows(TermFailedException.class, () -> w.evaluate(p), e.getKey());
                assertEquals(possible.get(t.termName()), t.getMessage(), e.getKey());
                assertEquals(t.termName().equals("liquid") ? 1 : 2, t.termIndex(), e.getKey());
            }
        }
    }

    @Test
    void anErrorFromATermPropagatesOnEveryExecutorAsInSerialEvaluation() throws Exception {
        // a failure policy handles exceptions; an Error (a failed assertion, a stack overflow) is
        // not a term failure in serial evaluation, so no executor may turn it into one
        ObjectiveFunction buggy = p -> {
            throw new AssertionError("bug in term");
        };
        CombinedObjectiveFunction c = new CombinedObjectiveFunction(List.of(p -> 1.0, buggy, p -> 2.0))
                .withFailurePolicy(org.chemfit.FailurePolicy.skip());
        Parameters p = Fixtures.params(1, 2);
        assertEquals("bug in term", assertThrows(AssertionError.class, () -> c.evaluate(p)).getMessage());
        Map<String, Executor> all = executors();
        all.put("own pool", null);
        for (Map.Entry<String, Executor> e : all.entrySet()) {
            try (AsyncWrapperCOB w = e.getValue() == null ? new AsyncWrapperCOB(c) : new AsyncWrapperCOB(c, e.getValue())) {
                assertEquals("bug in term", assertThrows(AssertionError.class, () -> w.evaluate(p), e.getKey()).getMessage());
                java.util.concurrent.ExecutionException x = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> w.evaluateAsync(p).get(10, java.util.concurrent.TimeUnit.SECONDS), e.getKey());
                assertTrue(x.getCause() instanceof AssertionError, e.getKey() + ": " + x.getCause());
                List<EvaluationContext> batch = List.of(new EvaluationContext(p), new EvaluationContext(p));
                assertThrows(AssertionError.class, () -> w.evaluateMany(batch), e.getKey());
                assertTrue(!Thread.currentThread().isInterrupted(), e.getKey() + ": the caller was left interrupted");
            }
            if (e.getValue() != null) {
                // the executor's threads survived and run the next evaluation
                try (AsyncWrapperCOB w = new AsyncWrapperCOB(new CombinedObjectiveFunction(List.of(q -> 1.0, q -> 2.0)), e.getValue())) {
                    assertEquals(3.0, w.evaluate(p), e.getKey());
                }
            }
        }
    }

    @Test
    void batchWithAFailingRequestMarksOnlyThatRequest() {
        ObjectiveFunction sometimes = p -> {
            if (p.get("x") < 0) {
                throw new IllegalStateException("negative x " + p.get("x"));
            }
            return p.get("x") * 2;
        };
        CombinedObjectiveFunction c = new CombinedObjectiveFunction(List.of(sometimes, p -> 1.0)).withTermNames(List.of("s", "one"));
        try (AsyncWrapperCOB w = new AsyncWrapperCOB(c)) {
            List<EvaluationContext> batch = List.of(new EvaluationContext(Fixtures.params(1, 0)),
                    new EvaluationContext(Fixtures.params(-1, 0)), new EvaluationContext(Fixtures.params(3, 0)));
            w.evaluateMany(batch);
            assertEquals(3.0, batch.get(0).loss());
            assertEquals(EvaluationContext.Status.FAILED, batch.get(1).status());
            assertEquals("term 0 's' failed: negative x -1.0", batch.get(1).failure().getMessage());
            assertEquals(7.0, batch.get(2).loss());
        }
    }
}
