package org.chemfit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.internal.util.ConcurrencyUtil;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.junit.jupiter.api.Test;

/**
 * Hazelcast runs its futures' callbacks on a thread started for each where the JDK's common pool
 * has one thread (a machine of one or two cores, such as the one these tests run on), and every
 * task's response has two such callbacks. Members made from {@link ClusterMemberConfig} get a pool
 * of reused threads there instead ({@link HazelcastCallbacks}): 300 single-term evaluations,
 * about 300 round trips, start only a handful of threads; with Hazelcast's own executor they started
 * two per response. The build runs this class in a JVM whose common pool has one thread whatever
 * the machine (its own execution of surefire, in chemfit-cluster's POM).
 */
@org.junit.jupiter.api.Timeout(value = 2, unit = TimeUnit.MINUTES)
class CallbackThreadsTest {

    private static final ClusterSecret SECRET = ClusterSecret.of("callback-threads-test-secret-0123456789");

    @Test
    void roundTripsStartNoThreadPerResponse() throws Exception {
        try (LoopbackPair members = LoopbackPair.start(
                "callback-threads-test-" + ProcessHandle.current().pid())) {
            CombinedObjectiveFunction objective = new TestObjectives().create(Map.of("flat", "1"));
            Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.4, 0.2});
            EvaluationContext serial = new EvaluationContext(p, "serial");
            objective.evaluate(p, serial);
            ClusterOptions o = ClusterOptions.builder(SECRET)
                    .memberWait(Duration.ofSeconds(60))
                    .build();
            // the build runs this class in a JVM whose common pool has one thread (see the POM)
            assertEquals(1, ForkJoinPool.getCommonPoolParallelism(), "the common pool's threads in this JVM");
            assertTrue(
                    ConcurrencyUtil.getDefaultAsyncExecutor() instanceof ThreadPoolExecutor,
                    "Hazelcast's callbacks go to the pool: " + ConcurrencyUtil.getDefaultAsyncExecutor());
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            try (ClusterWorker worker = ClusterWorker.start(members.worker(), objective, SECRET, 1);
                    ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, members.driver(), o)) {
                for (int i = 0; i < 20; i++) { // the pools' threads start here
                    cob.evaluate(p, new EvaluationContext(p, "warm-up"));
                }
                long before = threads.getTotalStartedThreadCount();
                int n = 300;
                for (int i = 0; i < n; i++) {
                    EvaluationContext remote = new EvaluationContext(p, "remote");
                    cob.evaluate(p, remote);
                    DriverTest.assertSameBits(serial, remote);
                }
                long started = threads.getTotalStartedThreadCount() - before;
                assertEquals(n + 20, worker.tasksRun(), "every evaluation's term ran on the worker");
                assertTrue(
                        started < 30,
                        "threads started during " + n + " round trips: " + started
                                + " (a thread per callback would be about " + 2 * n + ")");
            }
        }
    }
}
