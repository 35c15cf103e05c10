package org.chemfit.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.junit.jupiter.api.Test;

/**
 * A task sent to a worker runs as long as its term does: a simulation of hours is one call of
 * Hazelcast's executor whose answer comes when the term ends, so the call must outlive Hazelcast's
 * operation call timeout (60 s by default). Shown here with that timeout set to 1 s and terms of
 * 4 s, on two members in this JVM: the driver gets every result, bit for bit the serial ones.
 */
@org.junit.jupiter.api.Timeout(value = 2, unit = TimeUnit.MINUTES)
class LongTaskTest {

    private static final ClusterSecret SECRET = ClusterSecret.of("long-task-test-secret-0123456789");

    private static HazelcastInstance member(String cluster, int port, List<String> join) {
        Config c = ClusterMemberConfig.builder(cluster)
                .join(join)
                .port(port, 1)
                .build()
                .toHazelcastConfig();
        c.setProperty("hazelcast.operation.call.timeout.millis", "1000");
        return Hazelcast.newHazelcastInstance(c);
    }

    @Test
    void aTermLongerThanHazelcastsCallTimeoutReturnsItsResult() throws Exception {
        String cluster = "long-task-test-" + ProcessHandle.current().pid();
        int driverPort = DriverTest.freePort();
        int workerPort = DriverTest.freePort();
        List<String> join = List.of("127.0.0.1:" + driverPort);
        HazelcastInstance driver = member(cluster, driverPort, join);
        HazelcastInstance workerMember = member(cluster, workerPort, join);
        try {
            await("the worker member to join")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> driver.getCluster().getMembers().size() == 2);
            CombinedObjectiveFunction objective = new TestObjectives().create(Map.of());
            // every leaf sleeps 4 s: four times the call timeout
            Parameters p = Parameters.of(List.of("x", "y", "sleep_ms"), new double[] {0.4, 0.2, 4000});
            EvaluationContext serial = new EvaluationContext(p, "serial");
            objective.evaluate(p, serial);
            ClusterOptions o = ClusterOptions.builder(SECRET)
                    .memberWait(Duration.ofSeconds(60))
                    .build();
            try (ClusterWorker worker = ClusterWorker.start(workerMember, objective, SECRET, 6);
                    ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, driver, o)) {
                EvaluationContext remote = new EvaluationContext(p, "remote");
                cob.evaluate(p, remote);
                DriverTest.assertSameBits(serial, remote);
                assertEquals(6, worker.tasksRun(), "the six leaves ran on the worker");
            }
        } finally {
            workerMember.getLifecycleService().terminate();
            driver.getLifecycleService().terminate();
        }
    }
}
