package org.chemfit.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every backend keeps (design contract 1): the loss, the per-term breakdown and the
 * metadata of serial evaluation, bit for bit, for single, batched and asynchronous evaluations,
 * and the serial failure for a failed term (a cluster's also names the worker it failed on). A subclass names its backends in {@link #backends()};
 * each test runs once per backend. Core runs it over serial evaluation and thread pools, the
 * cluster module over Hazelcast members.
 *
 * <pre>{@code
 * class PoolDeterminismTest extends DeterminismContract {
 *     protected Stream<Named<Backend.Factory>> backends() {
 *         return Stream.of(Named.of("a pool of 4", o -> Backend.of(new ExecutorScheduler(4), o)));
 *     }
 * }
 * }</pre>
 *
 * @implNote One instance per test class ({@code PER_CLASS}), so that a subclass may hold pools or
 *     cluster members in fields set up once; the tests themselves share no state.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DeterminismContract {

    /** @return the backends under test, each with the name the test report shows */
    protected abstract Stream<Named<Backend.Factory>> backends();

    /**
     * The breakdown of an evaluated context as {@link Fixtures#breakdown} gives it. A backend that
     * adds metadata of its own (where a term ran) removes it here, after checking it.
     *
     * @param ctx an evaluated context
     * @return its breakdown, comparable by value and bit for bit
     */
    protected Object breakdown(EvaluationContext ctx) {
        return Fixtures.breakdown(ctx);
    }

    /**
     * The message of a failure as serial evaluation gives it. A backend whose failures also say
     * where the term ran (a cluster worker's host) removes that here, after checking it.
     *
     * @param message a failure's message, as the backend gives it
     * @return the message serial evaluation gives
     */
    protected String serialMessage(String message) {
        return message;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    public void sameLossBreakdownAndMetadataAsSerial(Backend.Factory backend) {
        CombinedObjectiveFunction tree = Fixtures.tree();
        try (Backend b = backend.open(tree)) {
            for (double[] xy : new double[][] {{0.3, -1.7}, {1.1, 2.9}, {-3.3, 0.01}}) {
                Parameters p = Fixtures.params(xy[0], xy[1]);
                EvaluationContext serial = new EvaluationContext(p, "e1");
                double expected = tree.evaluate(p, serial);
                assertTrue(Double.isFinite(expected), "serial loss " + expected);
                EvaluationContext ctx = new EvaluationContext(p, "e1");
                double got = b.evaluate(ctx);
                assertEquals(
                        Double.doubleToRawLongBits(expected),
                        Double.doubleToRawLongBits(got),
                        "loss " + got + " vs serial " + expected);
                assertEquals(Fixtures.breakdown(serial), breakdown(ctx), "breakdown differs");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    public void batchesAndAsyncEvaluationsMatchSerial(Backend.Factory backend) throws Exception {
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
        try (Backend b = backend.open(tree)) {
            List<EvaluationContext> batch = new ArrayList<>();
            for (Parameters p : points) {
                batch.add(new EvaluationContext(p, "b"));
            }
            b.evaluateMany(batch);
            for (int k = 0; k < points.size(); k++) {
                assertEquals(expected.get(k), breakdown(batch.get(k)), "request " + k);
            }
            EvaluationContext async = new EvaluationContext(points.get(2), "b");
            double v = b.evaluateAsync(async).get(60, TimeUnit.SECONDS);
            // Double.equals compares the bits
            assertEquals(((Map<?, ?>) expected.get(2)).get("value"), v, "async loss");
            assertEquals(expected.get(2), breakdown(async), "async breakdown");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    public void raiseNamesTheFailedTermWithTheSerialMessage(Backend.Factory backend) {
        ObjectiveFunction ok = p -> p.get("x");
        ObjectiveFunction bad = p -> {
            throw new IllegalArgumentException("density diverged");
        };
        CombinedObjectiveFunction inner =
                new CombinedObjectiveFunction(List.of(ok, bad.named("density"))).named("liquid");
        CombinedObjectiveFunction c = new CombinedObjectiveFunction(List.of(ok, inner, bad.named("later")))
                .withTermNames(List.of("a", "liquid", "later"));
        Parameters p = Fixtures.params(1, 2);
        TermFailedException serial = assertThrows(TermFailedException.class, () -> c.evaluate(p));
        assertEquals("term 1 'liquid' failed: term 1 'density' failed: density diverged", serial.getMessage());
        // concurrently, the first term to fail in time is raised: either of the two failing ones,
        // each with the message serial evaluation gives it
        Map<String, String> possible =
                Map.of("liquid", serial.getMessage(), "later", "term 2 'later' failed: density diverged");
        try (Backend b = backend.open(c)) {
            TermFailedException t = assertThrows(TermFailedException.class, () -> b.evaluate(new EvaluationContext(p)));
            assertEquals(possible.get(t.termName()), serialMessage(String.valueOf(t.getMessage())));
            assertEquals(t.termName().equals("liquid") ? 1 : 2, t.termIndex());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    public void aBatchWithAFailingRequestMarksOnlyThatRequest(Backend.Factory backend) {
        ObjectiveFunction sometimes = p -> {
            if (p.get("x") < 0) {
                throw new IllegalStateException("negative x " + p.get("x"));
            }
            return p.get("x") * 2;
        };
        CombinedObjectiveFunction c =
                new CombinedObjectiveFunction(List.of(sometimes, p -> 1.0)).withTermNames(List.of("s", "one"));
        try (Backend b = backend.open(c)) {
            List<EvaluationContext> batch = List.of(
                    new EvaluationContext(Fixtures.params(1, 0)),
                    new EvaluationContext(Fixtures.params(-1, 0)),
                    new EvaluationContext(Fixtures.params(3, 0)));
            b.evaluateMany(batch);
            assertEquals(3.0, batch.get(0).loss());
            assertEquals(EvaluationContext.Status.FAILED, batch.get(1).status());
            assertEquals(
                    "term 0 's' failed: negative x -1.0",
                    serialMessage(String.valueOf(batch.get(1).failure().getMessage())));
            assertEquals(7.0, batch.get(2).loss());
        }
    }
}
