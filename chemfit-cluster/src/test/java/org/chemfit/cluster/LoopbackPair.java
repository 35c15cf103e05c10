package org.chemfit.cluster;

import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Two Hazelcast members in this JVM on 127.0.0.1 (multicast off, as every member the project
 * makes), one for a driver and one for a worker, joined into one cluster.
 *
 * @param driver the member a driver runs on
 * @param worker the member a worker runs on
 */
record LoopbackPair(HazelcastInstance driver, HazelcastInstance worker) implements AutoCloseable {

    /**
     * Starts both members and waits until the worker's has joined.
     *
     * @param cluster the cluster's name, unique to the test
     * @return the two members
     * @throws IOException when no free port is found
     */
    static LoopbackPair start(String cluster) throws IOException {
        int driverPort = DriverTest.freePort();
        List<String> join = List.of("127.0.0.1:" + driverPort);
        HazelcastInstance driver = ClusterMemberConfig.builder(cluster)
                .join(join)
                .port(driverPort, 1)
                .build()
                .newMember();
        HazelcastInstance worker = ClusterMemberConfig.builder(cluster)
                .join(join)
                .port(DriverTest.freePort(), 1)
                .build()
                .newMember();
        await("the worker's member to join")
                .atMost(Duration.ofSeconds(60))
                .until(() -> driver.getCluster().getMembers().size() == 2);
        return new LoopbackPair(driver, worker);
    }

    /** Stops both members at once. */
    @Override
    public void close() {
        worker.getLifecycleService().terminate();
        driver.getLifecycleService().terminate();
    }
}
