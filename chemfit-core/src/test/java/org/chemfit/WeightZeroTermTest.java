package org.chemfit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.read.BestPoint;
import org.chemfit.schedule.AsyncWrapperCOB;
import org.junit.jupiter.api.Test;

/**
 * A term of weight 0 is evaluated and recorded, but adds exactly 0 to the loss whatever its value,
 * and its failure neither fails nor penalises the evaluation.
 */
class WeightZeroTermTest {

    private static final Parameters X1 = Parameters.of(Map.of("x", 1.0));

    /** (x - 2)^2: 1 at x = 1. */
    private static final ObjectiveFunction GOOD = p -> Math.pow(p.get("x") - 2, 2);

    private static ObjectiveFunction failing() {
        return p -> {
            throw new IllegalStateException("weight-0 term failed");
        };
    }

    /** The user's objective: e = x against 2, and a weight-0 copy that is NaN above x = 1.5. */
    private static CombinedObjectiveFunction nanAboveOnePointFive() {
        QuantityComputer q = p -> Quantities.of("e", p.get("x"));
        QuantityComputer q2 = p -> Quantities.of("e", p.get("x") > 1.5 ? Double.NaN : p.get("x"));
        return new CombinedObjectiveFunction(
                List.of(
                        q.withLoss(LossFunctions.squaredError(Map.of("e", 2.0))),
                        q2.withLoss(LossFunctions.squaredError(Map.of("e", 2.0)))),
                List.of(1.0, 0.0));
    }

    @Test
    void aNanTermOfWeightZeroAddsZeroAndIsStillEvaluated() {
        AtomicInteger calls = new AtomicInteger();
        ObjectiveFunction nan = p -> {
            calls.incrementAndGet();
            return Double.NaN;
        };
        var c = new CombinedObjectiveFunction(List.of(GOOD, nan), List.of(1.0, 0.0));
        EvaluationContext ctx = new EvaluationContext(X1);
        assertEquals(1.0, c.evaluate(X1, ctx), 0.0);
        assertEquals(1, calls.get());
        EvaluationContext zero = ctx.child(1);
        assertEquals(EvaluationContext.Status.OK, zero.status());
        assertTrue(Double.isNaN(zero.value()), "its value is monitored: " + zero.value());
        assertEquals(0.0, zero.contribution(), 0.0);
        assertEquals(1.0, ctx.child(0).contribution(), 0.0);
        assertEquals(BestPoint.Kind.CLEAN, BestPoint.kind(ctx));
    }

    @Test
    void anInfiniteTermOfWeightZeroAddsZero() {
        var c = new CombinedObjectiveFunction(
                List.of(GOOD, p -> Double.POSITIVE_INFINITY, p -> Double.NEGATIVE_INFINITY), List.of(1.0, 0.0, 0.0));
        assertEquals(1.0, c.evaluate(X1), 0.0);
    }

    @Test
    void aFailingTermOfWeightZeroIsRecordedWithoutFailingTheEvaluation() {
        var c = new CombinedObjectiveFunction(List.of(GOOD, failing()), List.of(1.0, 0.0));
        EvaluationContext ctx = new EvaluationContext(X1);
        assertEquals(1.0, c.evaluate(X1, ctx), 0.0);
        assertEquals(EvaluationContext.Status.OK, ctx.status());
        EvaluationContext zero = ctx.child(1);
        assertEquals(EvaluationContext.Status.FAILED, zero.status());
        TermFailedException f = assertInstanceOf(TermFailedException.class, zero.failure());
        assertEquals("term[1]", f.termName());
        assertTrue(f.getMessage().contains("weight-0 term failed"), f.getMessage());
        assertEquals(0.0, zero.contribution(), 0.0);
        // the failure is in the tree the journal and reports read
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> terms =
                (List<Map<String, Object>>) ctx.toMap(false).get("terms");
        assertEquals("FAILED", String.valueOf(terms.get(1).get("status")));
        // the loss is exact: not a degraded point
        assertFalse(BestPoint.degraded(ctx));
        assertEquals(BestPoint.Kind.CLEAN, BestPoint.kind(ctx));
    }

    @Test
    void theFailurePolicyIsNotAppliedToATermOfWeightZero() {
        var penalty = new CombinedObjectiveFunction(List.of(GOOD, failing()), List.of(1.0, 0.0))
                .withFailurePolicy(FailurePolicy.penalty(1e6));
        EvaluationContext ctx = new EvaluationContext(X1);
        assertEquals(1.0, penalty.evaluate(X1, ctx), 0.0);
        assertEquals(EvaluationContext.Status.FAILED, ctx.child(1).status());
        assertFalse(BestPoint.degraded(ctx));

        // under skip and mean, the term is none of the terms the mean is over, failed or not: the
        // loss is that of the other term alone
        var skipMean = new CombinedObjectiveFunction(List.of(GOOD, failing()), List.of(1.0, 0.0))
                .withFailurePolicy(FailurePolicy.skip())
                .withReducer(Reducer.MEAN);
        var okMean =
                new CombinedObjectiveFunction(List.of(GOOD, p -> 5.0), List.of(1.0, 0.0)).withReducer(Reducer.MEAN);
        EvaluationContext s = new EvaluationContext(X1);
        assertEquals(1.0, skipMean.evaluate(X1, s), 0.0);
        assertEquals(1.0, okMean.evaluate(X1), 0.0);
        assertEquals(EvaluationContext.Status.FAILED, s.child(1).status());
        assertFalse(s.metadata().containsKey("skipped"), s.metadata().toString());
    }

    /**
     * A monitored copy of a term leaves the loss of a mean and a root mean as it is without it, bit
     * for bit, and the residuals that least squares fits too; a combination of monitored terms
     * alone has the loss 0.
     */
    @Test
    void aMonitoredCopyLeavesTheMeanAsTheTermAlone() {
        QuantityComputer q = p -> Quantities.of(Map.of("e", new double[] {p.get("x"), 3 * p.get("x"), 0.7}));
        ObjectiveFunction term =
                q.withLoss(LossFunctions.squaredErrorOfArrays(Map.of("e", new double[] {2.0, 2.5, 0.1}), Map.of()));
        Parameters x = Parameters.of(Map.of("x", 1.3));
        for (Reducer r : List.of(Reducer.MEAN, Reducer.ROOT_MEAN, Reducer.SUM)) {
            var alone = new CombinedObjectiveFunction(List.of(term), List.of(1.0)).withReducer(r);
            var monitored = new CombinedObjectiveFunction(List.of(term, term), List.of(1.0, 0.0)).withReducer(r);
            double expected = alone.evaluate(x);
            assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(monitored.evaluate(x)), r::name);
            // and concurrently, as the command line evaluates the terms
            try (var async = new AsyncWrapperCOB(monitored)) {
                assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(async.evaluate(x)), r::name);
            }
        }
        // (1.3 - 2)^2 + (3.9 - 2.5)^2 + (0.7 - 0.1)^2 = 0.49 + 1.96 + 0.36 = 2.81
        var mean = new CombinedObjectiveFunction(List.of(term, term), List.of(1.0, 0.0)).withReducer(Reducer.MEAN);
        assertEquals(2.81, mean.evaluate(x), 1e-12);
        EvaluationContext ctx = new EvaluationContext(x);
        mean.evaluate(x, ctx);
        double[] r = Residuals.of(mean, ctx);
        assertNotNull(r);
        double ssr = 0;
        for (double v : r) {
            ssr += v * v;
        }
        assertEquals(3, r.length);
        assertEquals(2.81, ssr, 1e-12);
        assertEquals(
                0.0,
                new CombinedObjectiveFunction(List.of(term), List.of(0.0))
                        .withReducer(Reducer.MEAN)
                        .evaluate(x),
                0.0);
    }

    @Test
    void aNestedObjectiveOfWeightZeroThatFailsChangesNothing() {
        var inner = new CombinedObjectiveFunction(List.of(p -> 3.0, failing())).named("monitor");
        var c = new CombinedObjectiveFunction(List.of(GOOD, inner), List.of(1.0, 0.0));
        EvaluationContext ctx = new EvaluationContext(X1);
        assertEquals(1.0, c.evaluate(X1, ctx), 0.0);
        assertEquals(EvaluationContext.Status.FAILED, ctx.child(1).status());
        assertEquals(EvaluationContext.Status.FAILED, ctx.child(1).child(1).status());
        assertEquals(3.0, ctx.child(1).child(0).value(), 0.0);
        assertFalse(BestPoint.degraded(ctx));
        try (var w = new AsyncWrapperCOB(c)) {
            EvaluationContext a = new EvaluationContext(X1);
            assertEquals(1.0, w.evaluate(X1, a), 0.0);
            assertEquals(EvaluationContext.Status.FAILED, a.child(1).status());
            assertEquals(3.0, a.child(1).child(0).value(), 0.0);
        }
    }

    /**
     * The weight-0 term fails while the slow term runs: the failing term waits until the slow one
     * has begun, and the slow term waits until the failing term has counted down its latch (just
     * before it throws) and the pool has finished the tasks of
     * the three other terms, the failing one's included, and whatever its failure set off. Had the
     * failure cancelled the evaluation, that wait would have been interrupted.
     */
    @Test
    void asynchronousEvaluationGivesTheSameLossAndDoesNotCancelTheOtherTerms() {
        CountDownLatch slowRuns = new CountDownLatch(1);
        CountDownLatch failingRuns = new CountDownLatch(1);
        CountDownLatch othersDone = new CountDownLatch(3);
        AtomicInteger finished = new AtomicInteger();
        AtomicBoolean interrupted = new AtomicBoolean();
        ObjectiveFunction slow = p -> {
            slowRuns.countDown();
            try {
                if (!failingRuns.await(20, TimeUnit.SECONDS) || !othersDone.await(20, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the other terms did not run while the slow one waited 20 s");
                }
            } catch (InterruptedException e) {
                interrupted.set(true);
                Thread.currentThread().interrupt();
                throw new EvaluationCancelledException("interrupted", e);
            }
            finished.incrementAndGet();
            return 2.0;
        };
        ObjectiveFunction failingAfterTheLatch = p -> {
            // it fails while the slow term runs: after that one has begun, before it can end
            try {
                if (!slowRuns.await(20, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the slow term did not begin within 20 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EvaluationCancelledException("interrupted", e);
            }
            failingRuns.countDown();
            throw new IllegalStateException("weight-0 term failed");
        };
        var c = new CombinedObjectiveFunction(
                List.of(GOOD, slow, failingAfterTheLatch, p -> Double.NaN), List.of(1.0, 1.0, 0.0, 0.0));
        // one thread per term; a task counts as done once it has returned to the pool
        ThreadPoolExecutor pool = new ThreadPoolExecutor(4, 4, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>()) {
            @Override
            protected void afterExecute(Runnable r, Throwable t) {
                othersDone.countDown();
            }
        };
        try (var w = new AsyncWrapperCOB(c, pool)) {
            EvaluationContext ctx = new EvaluationContext(X1);
            assertEquals(3.0, w.evaluate(X1, ctx), 0.0);
            assertEquals(1, finished.get(), "the slow term completed");
            assertFalse(interrupted.get(), "the slow term was not interrupted");
            EvaluationContext slowCtx = ctx.child(1);
            EvaluationContext failedCtx = ctx.child(2);
            assertEquals(EvaluationContext.Status.OK, slowCtx.status());
            assertEquals(2.0, slowCtx.value(), 0.0);
            assertEquals(EvaluationContext.Status.FAILED, failedCtx.status());
            // the term's index and default name, then its own message
            assertEquals(
                    "term 2 'term[2]' failed: weight-0 term failed",
                    failedCtx.failure().getMessage());
            assertEquals(0.0, ctx.child(3).contribution(), 0.0);
            assertTrue(
                    slowCtx.startEpochNanos() < failedCtx.endEpochNanos()
                            && failedCtx.startEpochNanos() < slowCtx.endEpochNanos(),
                    "the slow term ran [" + slowCtx.startEpochNanos() + ", " + slowCtx.endEpochNanos()
                            + "], the failing one [" + failedCtx.startEpochNanos() + ", "
                            + failedCtx.endEpochNanos() + "]: they overlap");
            assertTrue(failedCtx.endEpochNanos() <= slowCtx.endEpochNanos(), "the slow term ended last");
            assertEquals(3.0, w.evaluateAsync(X1).join(), 0.0);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFitWithANanTermOfWeightZeroReachesTheOptimum() {
        CombinedObjectiveFunction c = nanAboveOnePointFive();
        for (String method : List.of("Nelder-Mead", "least-squares")) {
            FitResult r = new Fitter(c, Map.of("x", 0.0)).fit(method);
            assertEquals(2.0, r.bestParameters().get("x"), 1e-6, method);
            assertEquals(0.0, r.bestLoss(), 1e-12, method);
            assertTrue(r.warnings().stream().noneMatch(w -> w.contains("NaN")), method + ": " + r.warnings());
        }
    }

    @Test
    void aFitWithAFailingTermOfWeightZeroReachesTheOptimum() {
        QuantityComputer q = p -> Quantities.of("e", p.get("x"));
        QuantityComputer broken = p -> {
            if (p.get("x") > 1.5) {
                throw new IllegalStateException("program crashed");
            }
            return Quantities.of("e", p.get("x"));
        };
        var c = new CombinedObjectiveFunction(
                List.of(
                        q.withLoss(LossFunctions.squaredError(Map.of("e", 2.0))),
                        broken.withLoss(LossFunctions.squaredError(Map.of("e", 2.0)))),
                List.of(1.0, 0.0));
        for (String method : List.of("Nelder-Mead", "least-squares")) {
            FitResult r = new Fitter(c, Map.of("x", 0.0)).fit(method);
            assertEquals(2.0, r.bestParameters().get("x"), 1e-6, method);
            assertEquals(0.0, r.bestLoss(), 1e-12, method);
            assertEquals(EvaluationContext.Status.FAILED, r.breakdown().child(1).status(), method);
        }
    }

    /** Eight points of a straight line y = a + b x, squared errors, reduced by their mean. */
    private static List<ObjectiveFunction> line() {
        double[] ys = {1.1, 2.9, 5.2, 6.8, 9.1, 11.2, 12.8, 15.1};
        List<ObjectiveFunction> terms = new java.util.ArrayList<>();
        for (int i = 0; i < ys.length; i++) {
            double x = i;
            QuantityComputer q = p -> Quantities.of("y", p.get("a") + p.get("b") * x);
            terms.add(q.withLoss(LossFunctions.squaredError(Map.of("y", ys[i]))));
        }
        return terms;
    }

    /**
     * Terms of weight 0 that are no sums of squares (a plain function that throws, a plain
     * function, an absolute error, a combination that penalises a failure, a root mean) give no
     * residual: least squares fits, and every method estimates the uncertainty, exactly as without
     * them, bit for bit; at a non-zero weight the plain function is refused, naming it.
     */
    @Test
    void termsOfWeightZeroNeedNotBeSumsOfSquares() {
        List<ObjectiveFunction> fitted = line();
        QuantityComputer q = p -> Quantities.of("y", p.get("a"));
        List<ObjectiveFunction> monitors = List.of(
                ((ObjectiveFunction) p -> {
                            throw new IllegalStateException("boom");
                        })
                        .named("throwing-monitor"),
                ((ObjectiveFunction) p -> p.get("a") * p.get("b")).named("plain-monitor"),
                q.withLoss(LossFunctions.absoluteError(Map.of("y", 3.0))).named("abs-monitor"),
                new CombinedObjectiveFunction(List.of(GOOD))
                        .withFailurePolicy(FailurePolicy.penalty(1e6))
                        .named("penalised-monitor"),
                new CombinedObjectiveFunction(List.of(fitted.get(0)))
                        .withReducer(Reducer.ROOT_MEAN)
                        .named("rms-monitor"));
        List<ObjectiveFunction> all = new java.util.ArrayList<>(fitted);
        all.addAll(monitors);
        List<Double> weights = new java.util.ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            weights.add(i < fitted.size() ? 1.0 : 0.0);
        }
        var without = new CombinedObjectiveFunction(fitted).withReducer(Reducer.MEAN);
        var with = new CombinedObjectiveFunction(all, weights).withReducer(Reducer.MEAN);
        assertTrue(Residuals.available(with));
        Residuals.check(with);
        Residuals.checkEveryPoint(with);
        Map<String, Double> start = new java.util.LinkedHashMap<>();
        start.put("a", 0.5);
        start.put("b", 1.0);
        for (String method : List.of("least-squares", "Nelder-Mead")) {
            FitResult a = new Fitter(without, start).fit(method);
            FitResult b = new Fitter(with, start).fit(method);
            assertEquals(a.bestParameters().asFlatMap(), b.bestParameters().asFlatMap(), method);
            assertEquals(Double.doubleToLongBits(a.bestLoss()), Double.doubleToLongBits(b.bestLoss()), method);
            assertEquals(a.evaluations(), b.evaluations(), method);
            assertEquals(a.warnings(), b.warnings(), method);
            assertNotNull(a.uncertainty(), method);
            assertNotNull(b.uncertainty(), method);
            assertEquals(a.uncertainty().toString(), b.uncertainty().toString(), method);
            assertEquals(8, b.uncertainty().residuals(), method);
            assertEquals(EvaluationContext.Status.FAILED, b.breakdown().child(8).status(), method);
        }
        // least squares: the normal equations of the eight points, b = S_xy / S_xx = 83.9 / 42 and
        // a = mean(y) - b mean(x) = 8.025 - 3.5 b, to the step at which the method stops
        FitResult ls = new Fitter(with, start).fit("least-squares");
        assertEquals(8.025 - 3.5 * 83.9 / 42, ls.bestParameters().get("a"), 1e-6);
        assertEquals(83.9 / 42, ls.bestParameters().get("b"), 1e-6);

        // at weight 1 the plain function is a term least squares cannot fit: refused, by name
        List<Double> one = new java.util.ArrayList<>(weights);
        one.set(fitted.size() + 1, 1.0);
        var refused = new CombinedObjectiveFunction(all, one).withReducer(Reducer.MEAN);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> new Fitter(refused, start).fit("least-squares"));
        assertEquals(
                "least squares needs an objective that is a sum of squares, but term 'plain-monitor' is a plain"
                        + " function of the parameters, not a sum of squares (give it a squared-error loss)",
                e.getMessage());
        // and a penalising combination of non-zero weight still lacks the residuals of every point
        List<Double> penalised = new java.util.ArrayList<>(weights);
        penalised.set(fitted.size() + 3, 1.0);
        e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> Residuals.checkEveryPoint(new CombinedObjectiveFunction(all, penalised)));
        assertEquals(
                "least squares needs the residuals of every point, but term 'penalised-monitor' gives a failed term"
                        + " a penalty, which has no residuals (use FailurePolicy.raise())",
                e.getMessage());
    }
}
