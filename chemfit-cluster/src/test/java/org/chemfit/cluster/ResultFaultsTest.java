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
                    "term 1 'rdf' failed: could not record or take the worker's result for term 1 'rdf' of"
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
                            .startsWith("term 1 'rdf' failed: could not record or take the worker's result for"
                                    + " term 1 'rdf' of evaluation e3 (from " + workerName() + "): "),
                    failure.toString());
            // the recorder's second refusal, for the failure, is kept with it
            assertEquals(
                    "No space left on device",
                    String.valueOf(failure.getSuppressed()[0].getCause().getMessage()));
        }
    }

    /** The three terms of {@link #objective}, term {@code failing} replaced by one that always fails. */
    private static CombinedObjectiveFunction failingAt(int failing) {
        List<ObjectiveFunction> terms = new java.util.ArrayList<>(List.of(
                new TestObjectives.Term(0, 0, null),
                new TestObjectives.Term(1, 0, null),
                new TestObjectives.Term(4, 0, null)));
        terms.set(failing, new Failing());
        return new CombinedObjectiveFunction(terms)
                .withTermNames(List.of("energy", "rdf", "density"))
                .withFailurePolicy(FailurePolicy.penalty(1000));
    }

    @Test
    @SuppressWarnings("try") // the worker is held open, not used
    void aFaultWhileTheDriverHandlesAResponseFailsItsTermAndTheWorkersOnlyThreadServesTheOthers() throws Exception {
        CombinedObjectiveFunction objective =
                objective(new TestObjectives.Term(1, 0, null), FailurePolicy.penalty(1000));
        Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.25, 0.5});
        List<String> names = List.of("energy", "rdf", "density");
        // one worker thread: had its slot been lost with the failed response, the other two terms
        // would wait for ever (the worker proved the secret, so the member wait never runs out)
        try (ClusterWorker worker = ClusterWorker.start(workerMember, objective, SECRET, 1);
                ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, driver, options())) {
            // an Error, not an exception: it too must fail the task rather than leave it waiting
            cob.dispatcher().receiveFault = new OutOfMemoryError("Java heap space");
            EvaluationContext ctx = new EvaluationContext(p, "e4");
            double v = cob.evaluateAsync(p, ctx).get(60, TimeUnit.SECONDS);
            List<Integer> failed = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                if (ctx.child(i).failure() != null) {
                    failed.add(i);
                }
            }
            // the first response's handling failed: its one term fails, the others ran
            assertEquals(1, failed.size(), failed.toString());
            int i = failed.get(0);
            assertEquals(
                    "term " + i + " '" + names.get(i) + "' failed: could not record or take the worker's result for"
                            + " term " + i + " '" + names.get(i) + "' of evaluation e4 (from " + workerName()
                            + "): Java heap space",
                    java.util.Objects.requireNonNull(ctx.child(i).failure()).getMessage());
            assertEquals(EvaluationContext.Status.PENALTY, ctx.child(i).status());
            double expected = failingAt(i).evaluate(p, new EvaluationContext(p, "e4"));
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(v));
            // and the worker's thread serves on
            EvaluationContext next = new EvaluationContext(p, "e5");
            double w = cob.evaluateAsync(p, next).get(60, TimeUnit.SECONDS);
            double serial = objective.evaluate(p, new EvaluationContext(p, "e5"));
            assertEquals(Double.doubleToRawLongBits(serial), Double.doubleToRawLongBits(w));
        }
    }

    /** A journal that cannot record term 1 because the driver's member is shutting down under it. */
    static final class ShutsDown implements TermRecorder {
        private final HazelcastInstance member;

        ShutsDown(HazelcastInstance member) {
            this.member = member;
        }

        @Override
        public @Nullable Recorded lookup(EvaluationContext child) {
            return null;
        }

        @Override
        public void finished(EvaluationContext child) {
            if (child.path().equals("1")) {
                member.shutdown();
                throw new UncheckedIOException(new IOException("No space left on device"));
            }
        }
    }

    @Test
    @SuppressWarnings("try") // the worker is held open, not used
    void aResultNotTakenWhileTheDriversMemberShutsDownStillFailsItsTermNamingTheMemberById() throws Exception {
        CombinedObjectiveFunction objective =
                objective(new TestObjectives.Term(1, 0, null), FailurePolicy.penalty(1000));
        Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.25, 0.5});
        try (LoopbackPair own = LoopbackPair.start(
                        "result-faults-shutdown-" + ProcessHandle.current().pid());
                ClusterWorker worker = ClusterWorker.start(own.worker(), objective, SECRET, 1);
                ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, own.driver(), options())) {
            String workerId =
                    own.worker().getCluster().getLocalMember().getUuid().toString();
            EvaluationContext ctx = new EvaluationContext(p, "e6");
            ctx.recordTo(new ShutsDown(own.driver()));
            // it ends: the cluster can no longer name the worker, and before, the term's task was
            // then left claimed and never finished
            cob.evaluateAsync(p, ctx).get(60, TimeUnit.SECONDS);
            Throwable failure = java.util.Objects.requireNonNull(ctx.child(1).failure());
            assertEquals(
                    "term 1 'rdf' failed: could not record or take the worker's result for term 1 'rdf' of"
                            + " evaluation e6 (from member " + workerId + "): No space left on device",
                    failure.getMessage());
            assertEquals(EvaluationContext.Status.PENALTY, ctx.child(1).status());
        }
    }
}
