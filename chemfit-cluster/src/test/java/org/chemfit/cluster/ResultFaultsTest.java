package org.chemfit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.FailurePolicy;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.chemfit.TermRecorder;
import org.chemfit.support.HostName;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker's result that the driver fails to take: the term fails with an internal error naming
 * it and its worker, under the evaluation's failure policy, and the evaluation ends instead of
 * waiting for the term for ever. The fault here is the driver's journal failing to record the
 * term (a recorder that throws, as a journal on a full disk does). Members in this JVM, on
 * loopback.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ResultFaultsTest {

    private static final ClusterSecret SECRET = ClusterSecret.of("result-faults-test-secret-0123456789");

    private static LoopbackPair members;
    private static HazelcastInstance driver;
    private static HazelcastInstance workerMember;

    @BeforeAll
    static void startMembers() throws IOException {
        members = LoopbackPair.start(
                "result-faults-test-" + ProcessHandle.current().pid());
        driver = members.driver();
        workerMember = members.worker();
    }

    @AfterAll
    static void stopMembers() {
        if (members != null) {
            members.close();
        }
    }

    /** Terms 'energy', 'rdf' and 'density', under the given policy. */
    private static CombinedObjectiveFunction objective(ObjectiveFunction rdf, FailurePolicy policy) {
        return new CombinedObjectiveFunction(
                        List.of(new TestObjectives.Term(0, 0, null), rdf, new TestObjectives.Term(4, 0, null)))
                .withTermNames(List.of("energy", "rdf", "density"))
                .withFailurePolicy(policy);
    }

    /** A term that always fails: serial evaluation's penalty for it is the expected one. */
    static final class Failing implements ObjectiveFunction {
        @Override
        public double evaluate(Parameters p) {
            throw new IllegalStateException("no result");
        }
    }

    /**
     * The driver's journal: it cannot record term 1 (its disk is full), and counts the attempts;
     * it records the other terms.
     */
    static final class FullDisk implements TermRecorder {
        final AtomicInteger attempts = new AtomicInteger();

        @Override
        public @Nullable Recorded lookup(EvaluationContext child) {
            return null;
        }

        @Override
        public void finished(EvaluationContext child) {
            if (child.path().equals("1")) {
                attempts.incrementAndGet();
                throw new UncheckedIOException(new IOException("No space left on device"));
            }
        }
    }

    private static String workerName() {
        int port = workerMember.getCluster().getLocalMember().getAddress().getPort();
        return "worker " + HostName.get() + " (127.0.0.1:" + port + ", pid "
                + ProcessHandle.current().pid() + ")";
    }

    private static ClusterOptions options() {
        return ClusterOptions.builder(SECRET).memberWait(Duration.ofSeconds(60)).build();
    }

    @Test
    @SuppressWarnings("try") // the worker is held open, not used
    void aResultTheDriverCannotTakeFailsItsTermWithAnInternalErrorInsteadOfWaitingForEver() throws Exception {
        CombinedObjectiveFunction objective = objective(new TestObjectives.Term(1, 0, null), FailurePolicy.raise());
        Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.25, 0.5});
        try (ClusterWorker worker = ClusterWorker.start(workerMember, objective, SECRET, 1);
                ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, driver, options())) {
            FullDisk journal = new FullDisk();
            EvaluationContext ctx = new EvaluationContext(p, "e1");
            ctx.recordTo(journal);
            CompletableFuture<Double> f = cob.evaluateAsync(p, ctx);
            // it ends: before, the term's task was never finished and this waited for ever
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                    ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
            TermFailedException t = assertInstanceOf(TermFailedException.class, e.getCause());
            assertEquals(
                    "term 1 'rdf' failed: internal error while reading the worker's result for term 1 'rdf' of"
                            + " evaluation e1 (from " + workerName() + "): No space left on device",
                    t.getMessage());
            assertEquals(1, t.termIndex());
            // the term is failed once: the journal was asked to record its result, then its failure
            assertEquals(2, journal.attempts.get());
            assertEquals(EvaluationContext.Status.FAILED, ctx.child(1).status());
            // the worker serves on: the next evaluation, whose journal writes, takes every result
            EvaluationContext next = new EvaluationContext(p, "e2");
            double v = cob.evaluateAsync(p, next).get(60, TimeUnit.SECONDS);
            EvaluationContext serial = new EvaluationContext(p, "e2");
            double expected = objective.evaluate(p, serial);
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(v));
            assertNull(next.child(1).failure());
        }
    }

    @Test
    @SuppressWarnings("try") // the worker is held open, not used
    void underPenaltyTheTermThatCouldNotBeTakenGetsThePenaltyAndTheEvaluationEnds() throws Exception {
        CombinedObjectiveFunction objective =
                objective(new TestObjectives.Term(1, 0, null), FailurePolicy.penalty(1000));
        Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.25, 0.5});
        try (ClusterWorker worker = ClusterWorker.start(workerMember, objective, SECRET, 1);
                ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, driver, options())) {
            EvaluationContext ctx = new EvaluationContext(p, "e3");
            ctx.recordTo(new FullDisk());
            double v = cob.evaluateAsync(p, ctx).get(60, TimeUnit.SECONDS);
            // serial evaluation of the same terms with 'rdf' failing gives the same loss, bit for bit
            EvaluationContext serial = new EvaluationContext(p, "e3");
            double expected =
                    objective(new Failing(), FailurePolicy.penalty(1000)).evaluate(p, serial);
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(v));
            assertEquals(EvaluationContext.Status.PENALTY, ctx.child(1).status());
            assertEquals(1000.0, ctx.child(1).contribution());
            Throwable failure = java.util.Objects.requireNonNull(ctx.child(1).failure());
            assertTrue(
                    String.valueOf(failure.getMessage())
                            .startsWith("term 1 'rdf' failed: internal error while reading the worker's result for"
                                    + " term 1 'rdf' of evaluation e3 (from " + workerName() + "): "),
                    failure.toString());
            // the recorder's second refusal, for the failure, is kept with it
            assertEquals(
                    "No space left on device",
                    String.valueOf(failure.getSuppressed()[0].getCause().getMessage()));
        }
    }
}
