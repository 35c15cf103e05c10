package org.chemfit.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.schedule.Fixtures;
import org.chemfit.schedule.Scheduler;
import org.junit.jupiter.api.Test;

/**
 * A runner in the shape of a cluster backend: it ships (path, parameters, evaluation id) to a
 * "worker" holding its own copy of the objective, which evaluates the leaf into a fresh context;
 * the result is copied back and the task completed. The scheduler's reduction gives serial's
 * result bit for bit.
 */
class TaskRunnerSpiTest {

    /** The worker side: its own copy of the objective, resolving leaves by path. */
    private static final class RemoteLikeRunner implements TaskRunner {
        final CombinedObjectiveFunction workerCopy = Fixtures.tree();
        final ExecutorService network = Executors.newFixedThreadPool(3);
        final List<String> seen = new ArrayList<>();

        @Override
        public synchronized void dispatchAll(List<LeafTask> tasks) {
            for (LeafTask t : tasks) {
                seen.add(t.evaluationId() + "/" + t.pathString() + "/" + t.termName());
            }
            TaskRunner.super.dispatchAll(tasks);
        }

        @Override
        public void dispatch(LeafTask task) {
            if (!task.tryStart()) {
                return;
            }
            int[] path = task.path();
            Parameters params = task.parameters();
            String id = task.evaluationId();
            network.execute(() -> {
                // "remote": the worker resolves the leaf in its own copy and fills a context of its own
                EvaluationContext result = Terms.evaluateLeaf(workerCopy, path, params, id);
                result.timed(
                        result.startEpochNanos(),
                        result.endEpochNanos() - result.startEpochNanos(),
                        "remote:" + result.threadName());
                task.complete(result);
            });
        }
    }

    @Test
    void aRemoteStyleRunnerGivesSerialResultsBitForBit() throws Exception {
        RemoteLikeRunner runner = new RemoteLikeRunner();
        CombinedObjectiveFunction tree = Fixtures.tree();
        try (Scheduler s = new DispatchScheduler(runner)) {
            for (double x : new double[] {0.25, -2.0}) {
                Parameters p = Fixtures.params(x, 1);
                EvaluationContext serial = new EvaluationContext(p, "e7");
                double expected = tree.evaluate(p, serial);
                EvaluationContext ctx = new EvaluationContext(p, "e7");
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(s.evaluate(tree, ctx)));
                assertEquals(Fixtures.breakdown(serial), Fixtures.breakdown(ctx));
                assertEquals("remote:", ctx.child(3).threadName().substring(0, 7));
            }
        } finally {
            Fixtures.shutdown(runner.network);
        }
        assertEquals("e7/0.0/energy0", runner.seen.get(0));
        assertEquals(20, runner.seen.size(), "10 leaves per evaluation, 2 evaluations");
    }

    @Test
    void aTaskWhoseRecorderFailsIsFailedByItsRunnerAndTheEvaluationEnds() throws Exception {
        ExecutorService network = Executors.newFixedThreadPool(2);
        java.util.concurrent.atomic.AtomicInteger recordings = new java.util.concurrent.atomic.AtomicInteger();
        // a journal that cannot write: complete() throws what it threw, and the task is still the
        // runner's, which fails it; the failure ends the task though the journal refuses it too
        org.chemfit.TermRecorder full = new org.chemfit.TermRecorder() {
            @Override
            public org.chemfit.TermRecorder.@org.jspecify.annotations.Nullable Recorded lookup(
                    EvaluationContext child) {
                return null;
            }

            @Override
            public void finished(EvaluationContext child) {
                recordings.incrementAndGet();
                throw new java.io.UncheckedIOException(new java.io.IOException("No space left on device"));
            }
        };
        TaskRunner runner = task -> {
            if (!task.tryStart()) {
                return;
            }
            network.execute(() -> {
                EvaluationContext result =
                        Terms.evaluateLeaf(task.root(), task.path(), task.parameters(), task.evaluationId());
                try {
                    task.complete(result);
                } catch (RuntimeException e) {
                    task.fail(new org.chemfit.ChemFitException("could not record the term", e));
                }
            });
        };
        CombinedObjectiveFunction flat = new CombinedObjectiveFunction(
                        List.<org.chemfit.ObjectiveFunction>of(p -> 1.0, p -> 2.0, p -> 3.0))
                .withTermNames(List.of("a", "b", "c"))
                .withFailurePolicy(org.chemfit.FailurePolicy.penalty(7));
        try (Scheduler s = new DispatchScheduler(runner)) {
            Parameters p = Fixtures.params(0.25, 1);
            EvaluationContext ctx = new EvaluationContext(p, "e8");
            ctx.recordTo(full);
            // it ends: every term gets the penalty, 3 x 7
            assertEquals(21.0, s.evaluate(flat, ctx));
            EvaluationContext first = ctx.child(0);
            assertEquals(EvaluationContext.Status.PENALTY, first.status());
            Throwable failure = java.util.Objects.requireNonNull(first.failure());
            assertEquals("term 0 'a' failed: could not record the term", failure.getMessage());
            // the journal's refusal to record the failure is kept with it
            assertEquals(
                    "No space left on device",
                    failure.getSuppressed()[0].getCause().getMessage());
            // each term: one refused recording of its result, one of its failure
            assertEquals(6, recordings.get());
        } finally {
            Fixtures.shutdown(network);
        }
    }

    @Test
    void pathsResolveToTheLeafAndBadPathsAreNamed() {
        CombinedObjectiveFunction tree = Fixtures.tree();
        CombinedObjectiveFunction parent = Terms.parentOf(tree, new int[] {2, 1, 0});
        assertEquals(2, parent.size());
        assertArrayEquals(
                new double[] {0.9, 0.11},
                parent.weights().stream().mapToDouble(Double::doubleValue).toArray());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Terms.parentOf(tree, new int[] {2, 5}));
        assertEquals("path [2, 5] leaves the objective at level 1: index 5 but only 2 terms", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Terms.parentOf(tree, new int[] {2}));
        assertEquals("path [2] ends at a combined objective, not a leaf", e.getMessage());
    }

    @Test
    void evaluateLeafGivesTheLeafTheContextItHasInASerialEvaluation() {
        var inner = new CombinedObjectiveFunction(
                        java.util.List.<org.chemfit.ObjectiveFunction>of(p -> 1.0, p -> 2.0),
                        java.util.List.of(1.0, 3.0))
                .withTermNames(java.util.List.of("a", "b"))
                .named("inner");
        var root = new CombinedObjectiveFunction(java.util.List.<org.chemfit.ObjectiveFunction>of(p -> 0.0, inner));
        Parameters params = Parameters.of(java.util.Map.of("x", 1.0));
        EvaluationContext leaf = Terms.evaluateLeaf(root, new int[] {1, 1}, params, "e7");
        EvaluationContext serial = new EvaluationContext(params, "e7");
        root.evaluate(params, serial);
        EvaluationContext expected = serial.child(1).child(1);
        assertEquals(expected.path(), leaf.path());
        assertEquals("1.1", leaf.path());
        assertEquals(expected.name(), leaf.name());
        assertEquals(expected.weight(), leaf.weight());
        assertEquals(expected.value(), leaf.value());
        assertEquals("e7", leaf.evaluationId());
    }
}
