package org.chemfit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.FailurePolicy;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.TermFailedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What cannot come back from a worker. A result too large for a frame is said so by the worker at
 * once: the term ran once, and is not sent to another worker to run again. A call that fails
 * while its worker's member stays up sends the task out again, and after
 * {@link Dispatcher#MAX_FAILED_CALLS} such calls the task fails with the reason; the evaluation's
 * failure policy decides. Members in this JVM, on loopback (multicast off, as every member the
 * project makes).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FailedCallsTest {

    private static final ClusterSecret SECRET = ClusterSecret.of("failed-calls-test-secret-0123456789");
    /** Too many values for a result frame: 8 bytes each, one more than 64 MiB holds. */
    private static final double TOO_MANY = (Frames.MAX_FRAME >> 3) + 1;

    private static final String REASON = String.format(
            java.util.Locale.ROOT,
            "its result is too large to send from a worker: quantity 'g' of %,d values (%,d bytes), more than the 64"
                    + " MiB a frame may carry",
            (long) TOO_MANY,
            8 * (long) TOO_MANY);

    private static LoopbackPair members;
    private static HazelcastInstance driver;
    private static HazelcastInstance workerMember;

    @BeforeAll
    static void startMembers() throws IOException {
        members = LoopbackPair.start(
                "failed-calls-test-" + ProcessHandle.current().pid());
        driver = members.driver();
        workerMember = members.worker();
    }

    @AfterAll
    static void stopMembers() {
        if (members != null) {
            members.close();
        }
    }

    /**
     * The worker-side hook: term 'rdf', whose curve has as many values as the parameter
     * {@code points} says, and which counts how often it ran (on the worker, each run is one call:
     * a term never timed goes to a worker alone).
     */
    static final class Curve implements ObjectiveFunction {
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public double evaluate(Parameters p) {
            return evaluate(p, new EvaluationContext(p));
        }

        @Override
        public double evaluate(Parameters p, EvaluationContext ctx) {
            runs.incrementAndGet();
            double x = p.get("x");
            double[] g = new double[(int) p.get("points")];
            java.util.Arrays.fill(g, x);
            ctx.computed(Quantities.builder().put("g", g).build());
            ctx.complete(x * x);
            return x * x;
        }
    }

    /** Terms 'energy', 'rdf' and 'density', under the given policy. */
    private static CombinedObjectiveFunction objective(ObjectiveFunction rdf, FailurePolicy policy) {
        return new CombinedObjectiveFunction(
                        List.of(new TestObjectives.Term(0, 0, null), rdf, new TestObjectives.Term(4, 0, null)))
                .withTermNames(List.of("energy", "rdf", "density"))
                .withFailurePolicy(policy);
    }

    private static ClusterOptions options() {
        return ClusterOptions.builder(SECRET).memberWait(Duration.ofSeconds(60)).build();
    }

    private static boolean stillAMember(HazelcastInstance m) {
        return driver.getCluster().getMembers().contains(m.getCluster().getLocalMember());
    }

    @Test
    void aResultTooLargeToSendFailsItsTermAfterOneRunWithTheReasonAndTheWorkerServesOn() {
        Curve rdf = new Curve();
        CombinedObjectiveFunction objective = objective(rdf, FailurePolicy.raise());
        Parameters tooFine = Parameters.of(List.of("x", "y", "points"), new double[] {0.25, 0.5, TOO_MANY});
        // one thread: a call that lost its slot for good would leave the next evaluation waiting
        try (ClusterWorker worker = ClusterWorker.start(workerMember, objective, SECRET, 1);
                ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, driver, options())) {
            TermFailedException e = assertThrows(
                    TermFailedException.class, () -> cob.evaluate(tooFine, new EvaluationContext(tooFine, "e1")));
            assertTrue(e.getMessage().startsWith("term 1 'rdf' failed: "), e.getMessage());
            assertTrue(e.getMessage().endsWith(REASON), e.getMessage());
            assertEquals(1, e.termIndex());
            assertEquals(1, rdf.runs.get(), "the term ran once: a result too large is not sent out again");
            assertEquals(0, cob.stats().refusedFrames(), cob.stats().toString());
            assertEquals(0, cob.stats().requeued(), cob.stats().toString());
            assertTrue(stillAMember(workerMember), "the worker's member stayed up throughout");
            assertTrue(worker.refusal().isEmpty(), "a result too large does not refuse its member");

            // the same worker, still on its one thread, answers the next evaluation
            Parameters coarse = Parameters.of(List.of("x", "y", "points"), new double[] {0.25, 0.5, 100});
            double v = cob.evaluate(coarse);
            assertEquals(Double.doubleToRawLongBits(objective.evaluate(coarse)), Double.doubleToRawLongBits(v));
            assertEquals(1 + 1 + 1, rdf.runs.get(), "one run on the worker, one here for the serial value");
        }
    }

    @Test
    void aCurveOfMoreValuesThanAFrameCountsOtherItemsComesBackBitForBit() {
        Curve rdf = new Curve();
        CombinedObjectiveFunction objective = objective(rdf, FailurePolicy.raise());
        int points = Frames.MAX_ITEMS + 1; // a curve is bounded by the frame's bytes, not by the item count
        Parameters fine = Parameters.of(List.of("x", "y", "points"), new double[] {0.3, 0.5, points});
        try (ClusterWorker worker = ClusterWorker.start(workerMember, objective, SECRET, 1);
                ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, driver, options())) {
            EvaluationContext ctx = new EvaluationContext(fine, "e3");
            double v = cob.evaluate(fine, ctx);
            EvaluationContext serial = new EvaluationContext(fine, "e3");
            assertEquals(Double.doubleToRawLongBits(objective.evaluate(fine, serial)), Double.doubleToRawLongBits(v));
            double[] g = (double[]) ctx.child(1).quantities().asMap().get("g");
            assertEquals(points, g.length);
            assertEquals(Double.doubleToRawLongBits(0.3), Double.doubleToRawLongBits(g[points - 1]));
            assertEquals(3, worker.tasksRun(), "each of the three terms ran once on the worker");
            assertEquals(2, rdf.runs.get(), "once on the worker, once here for the serial value");
        }
    }

    @Test
    void underPenaltyTheOtherTermsOfTheEvaluationKeepTheirSerialValues() {
        Curve rdf = new Curve();
        CombinedObjectiveFunction objective = objective(rdf, FailurePolicy.penalty(1e3));
        // the serial reference: the same terms and policy, with 'rdf' failing
        CombinedObjectiveFunction failingRdf = objective(
                p -> {
                    throw new IllegalStateException("rdf fails");
                },
                FailurePolicy.penalty(1e3));
        Parameters tooFine = Parameters.of(List.of("x", "y", "points"), new double[] {0.7, -0.2, TOO_MANY});
        EvaluationContext serial = new EvaluationContext(tooFine, "e2");
        failingRdf.evaluate(tooFine, serial);
        try (ClusterWorker worker = ClusterWorker.start(workerMember, objective, SECRET, 1);
                ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, driver, options())) {
            EvaluationContext ctx = new EvaluationContext(tooFine, "e2");
            double v = cob.evaluate(tooFine, ctx);
            assertEquals(Double.doubleToRawLongBits(serial.loss()), Double.doubleToRawLongBits(v));
            DriverTest.assertSameBits(serial.child(0), ctx.child(0));
            DriverTest.assertSameBits(serial.child(2), ctx.child(2));
            assertEquals(EvaluationContext.Status.PENALTY, ctx.child(1).status());
            Throwable why = ctx.child(1).failure();
            assertNotNull(why);
            assertTrue(why.getMessage().endsWith(REASON), why.getMessage());
            assertEquals(1, rdf.runs.get(), "the term ran once");
            // one call for each of the three terms (not yet timed, so each goes alone)
            assertEquals(3, cob.dispatcher().calls());
            assertEquals(3, worker.tasksRun(), "the two other terms and the one too large");
            assertTrue(stillAMember(workerMember));
        }
    }

    @Test
    void aTaskWhoseCallsFailThreeTimesWhileTheMemberStaysUpFailsWithTheReason() throws IOException {
        // a cluster of its own: the executor that carries the tasks is shut down on every member
        try (LoopbackPair own = LoopbackPair.start(
                "failed-calls-test-shut-" + ProcessHandle.current().pid())) {
            HazelcastInstance d = own.driver();
            HazelcastInstance w = own.worker();
            Curve rdf = new Curve();
            CombinedObjectiveFunction objective = objective(rdf, FailurePolicy.penalty(1e3));
            Parameters p = Parameters.of(List.of("x", "y", "points"), new double[] {0.25, 0.5, 10});
            try (ClusterWorker worker = ClusterWorker.start(w, objective, SECRET, 1);
                    ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, d, options())) {
                w.getExecutorService(Channels.RUN).shutdown(); // every call of the driver now fails
                EvaluationContext ctx = new EvaluationContext(p, "e4");
                cob.evaluate(p, ctx);
                List<String> names = List.of("energy", "rdf", "density");
                for (int i = 0; i < 3; i++) {
                    assertEquals(EvaluationContext.Status.PENALTY, ctx.child(i).status());
                    Throwable why = ctx.child(i).failure();
                    assertNotNull(why);
                    // the term, the evaluation, the calls made, and the last call's reason: Hazelcast's
                    // refusal of the executor this test shut down
                    String term = "term " + i + " '" + names.get(i) + "'";
                    assertEquals(
                            term + " failed: " + term + " of evaluation e4 got no result that could be taken from "
                                    + Dispatcher.MAX_FAILED_CALLS + " calls to workers; the last: it could not be"
                                    + " sent: ExecutorService[" + Channels.RUN + "] is shutdown! In order to create a"
                                    + " new ExecutorService with name '" + Channels.RUN + "', you need to destroy"
                                    + " current ExecutorService first!",
                            why.getMessage());
                    assertTrue(!why.getMessage().contains("Exception"), "no Java type: " + why.getMessage());
                }
                assertEquals(0, rdf.runs.get(), "no call reached the term");
                assertEquals(3 * 2, cob.stats().requeued(), "each task sent out again twice, then failed");
                assertEquals(2, d.getCluster().getMembers().size(), "the worker's member stayed up throughout");
                assertEquals(0, worker.tasksRun());
            }
        }
    }
}
