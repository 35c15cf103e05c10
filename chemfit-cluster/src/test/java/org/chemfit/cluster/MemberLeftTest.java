package org.chemfit.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.cluster.Address;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker's member that goes away while it runs a task: the driver's warning names the tasks it
 * held and hands to other members, however the failed call and the membership event are ordered.
 * Members in this JVM, on loopback; the worker's member is terminated, as {@code kill -9} would.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MemberLeftTest {

    private static final ClusterSecret SECRET = ClusterSecret.of("member-left-test-secret-0123456789");

    /** Term 'rdf': its first run says it started and waits until released; later runs return at once. */
    static final class HoldsFirstRun implements ObjectiveFunction {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean first = new AtomicBoolean(true);
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public double evaluate(Parameters p) {
            return evaluate(p, new EvaluationContext(p));
        }

        @Override
        public double evaluate(Parameters p, EvaluationContext ctx) {
            runs.incrementAndGet();
            if (first.compareAndSet(true, false)) {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            double x = p.get("x");
            ctx.complete(x * x);
            return x * x;
        }
    }

    @Test
    void aWorkerMemberThatLeavesWhileRunningATaskIsSaidToHandOverThatTask() throws Exception {
        HoldsFirstRun rdf = new HoldsFirstRun();
        CombinedObjectiveFunction objective = new CombinedObjectiveFunction(
                        List.of(new TestObjectives.Term(0, 0, null), rdf, new TestObjectives.Term(4, 0, null)))
                .withTermNames(List.of("energy", "rdf", "density"));
        Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.25, 0.5});
        ClusterOptions o = ClusterOptions.builder(SECRET)
                .memberWait(Duration.ofSeconds(60))
                .build();
        try (LoopbackPair pair = LoopbackPair.start(
                        "member-left-test-" + ProcessHandle.current().pid());
                ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, pair.driver(), o)) {
            // one thread, no task asked for ahead: the worker holds one task at a time
            ClusterWorker gone = ClusterWorker.start(pair.worker(), objective, SECRET, 1);
            String uuid = gone.memberUuid().toString();
            Address at = pair.worker().getCluster().getLocalMember().getAddress();
            try {
                CompletableFuture<Double> loss =
                        CompletableFuture.supplyAsync(() -> cob.evaluate(p, new EvaluationContext(p, "e7")));
                assertTrue(rdf.started.await(60, TimeUnit.SECONDS), "term 'rdf' started on the worker");
                await("term 'rdf' the only task on the worker")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> cob.stats().inFlightByMember().equals(Map.of(uuid, 1)));
                pair.worker().getLifecycleService().terminate();
                // the terminated member's threads fail as they answer: no concern of this test
                await("the driver to see the member leave")
                        .dontCatchUncaughtExceptions()
                        .atMost(Duration.ofSeconds(60))
                        .until(() -> !cob.dispatcher().departures().isEmpty());
                assertEquals(
                        List.of("member " + uuid + " at " + at.getHost() + ":" + at.getPort()
                                + " left; the 1 task(s) it held wait for a worker to join (it was the last one): term"
                                + " 1 'rdf' of evaluation e7"),
                        cob.dispatcher().departures());
                assertEquals(1, cob.stats().requeued(), cob.stats().toString());
                // a worker on the driver's member runs the task handed over, and the evaluation ends
                try (ClusterWorker stays = ClusterWorker.start(pair.driver(), objective, SECRET, 1)) {
                    double v = loss.get(60, TimeUnit.SECONDS);
                    assertEquals(Double.doubleToRawLongBits(objective.evaluate(p)), Double.doubleToRawLongBits(v));
                    assertEquals(2, stays.tasksRun(), "term 'rdf' again, and term 'density' that waited");
                }
                assertEquals(1, cob.dispatcher().departures().size(), "said once");
                assertEquals(3, rdf.runs.get(), "held on the member that left, run again, and the serial run");
            } finally {
                rdf.release.countDown();
                gone.close();
            }
        }
    }

    @Test
    void theWarningNamesAtMostFiveTasksAndCountsTheRest() {
        List<Dispatcher.Entry> tasks = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            int[] path = {i};
            Frames.Task t = new Frames.Task(1, i, "e" + (i + 1), path, "t" + i, Parameters.of(Map.of("x", 1.0)));
            tasks.add(new Dispatcher.Entry(i, null, t, new byte[0]));
        }
        assertEquals(
                "member m at 127.0.0.1:5701 left; the 7 task(s) it held are handed to other members: term 0 't0' of"
                        + " evaluation e1, term 1 't1' of evaluation e2, term 2 't2' of evaluation e3, term 3 't3'"
                        + " of evaluation e4, term 4 't4' of evaluation e5 and 2 more",
                Dispatcher.leftMessage("m at 127.0.0.1:5701", tasks, true));
        assertEquals(
                "member m at 127.0.0.1:5701 left; the 2 task(s) it held are handed to other members: term 0 't0' of"
                        + " evaluation e1, term 1 't1' of evaluation e2",
                Dispatcher.leftMessage("m at 127.0.0.1:5701", List.of(tasks.get(0), tasks.get(1), tasks.get(0)), true),
                "a task recorded twice (its call failed twice before the member's departure was seen) is held once");
        assertEquals(
                "member m at 127.0.0.1:5701 left; it held no task",
                Dispatcher.leftMessage("m at 127.0.0.1:5701", List.of(), true));
        // the last worker: its tasks wait for one to join, there is no other member to hand them to
        assertEquals(
                "member m at 127.0.0.1:5701 left; the 1 task(s) it held wait for a worker to join (it was the last"
                        + " one): term 0 't0' of evaluation e1",
                Dispatcher.leftMessage("m at 127.0.0.1:5701", List.of(tasks.get(0)), false));
    }
}
