package org.chemfit.cluster;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.schedule.Backend;
import org.chemfit.schedule.DeterminismContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster keeps the determinism contract that serial evaluation and the thread pools keep in
 * core: two Hazelcast members in this JVM on 127.0.0.1, a driver and a worker, so that parameters
 * and results travel between members as they do between machines. The only differences allowed
 * are the metadata saying where each term ran, and a failure's message naming the worker it failed
 * on ({@code on worker HOST (ADDRESS, pid N)}).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterDeterminismTest extends DeterminismContract {

    private static final ClusterSecret SECRET = ClusterSecret.of("determinism-test-secret-0123456789");

    private LoopbackPair members;
    private HazelcastInstance driver;
    private HazelcastInstance worker;

    @BeforeAll
    void startMembers() throws IOException {
        members =
                LoopbackPair.start("determinism-test-" + ProcessHandle.current().pid());
        driver = members.driver();
        worker = members.worker();
    }

    @AfterAll
    void stopMembers() {
        if (members != null) {
            members.close();
        }
    }

    @Override
    protected Stream<Named<Backend.Factory>> backends() {
        return Stream.of(
                Named.of("cluster, the driver's own 2 threads", o -> cluster(o, 2, 0)),
                Named.of("cluster, a worker member with 1 thread", o -> cluster(o, 0, 1)),
                Named.of("cluster, a worker member with 8 threads", o -> cluster(o, 0, 8)),
                Named.of("cluster, a worker member with 2 threads and the driver's 2", o -> cluster(o, 2, 2)));
    }

    private Backend cluster(CombinedObjectiveFunction objective, int driverThreads, int workerThreads) {
        ClusterWorker w = workerThreads == 0 ? null : ClusterWorker.start(worker, objective, SECRET, workerThreads);
        ClusterOptions options = ClusterOptions.builder(SECRET)
                .localThreads(driverThreads)
                .memberWait(Duration.ofMinutes(1))
                .build();
        ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, driver, options);
        return Backend.of(cob, ctx -> cob.evaluateAsync(ctx.parameters(), ctx), () -> {
            cob.close();
            if (w != null) {
                w.close();
            }
        });
    }

    /** The failure's message without the worker it names, when it failed on the worker member. */
    @Override
    protected String serialMessage(String message) {
        var a = worker.getCluster().getLocalMember().getAddress();
        String on = " on worker " + org.chemfit.support.HostName.get() + " (" + a.getHost() + ":" + a.getPort()
                + ", pid " + ProcessHandle.current().pid() + ")";
        return message.replace(on, "");
    }

    /**
     * Serial's breakdown once each leaf's record of its member (which only a cluster has) is checked
     * and removed, and each failure's message is serial's.
     */
    @Override
    protected Object breakdown(EvaluationContext ctx) {
        Object b = super.breakdown(ctx);
        removeMembers(b, true);
        return b;
    }

    private void removeMembers(Object node, boolean root) {
        @SuppressWarnings("unchecked")
        Map<Object, Object> m = (Map<Object, Object>) node;
        if (m.get("failure") instanceof String failure) {
            m.put("failure", serialMessage(failure));
        }
        if (m.get("terms") instanceof List<?> terms) {
            for (Object t : terms) {
                removeMembers(t, false);
            }
        } else if (!root) {
            Map<?, ?> meta = (Map<?, ?>) m.get("metadata");
            assertNotNull(meta, "a term run on the cluster records where: " + m);
            assertTrue(meta.remove("member") instanceof String, "the member's id: " + m);
            assertTrue(meta.remove("member_address") instanceof String, "the member's address: " + m);
            if (meta.isEmpty()) {
                m.remove("metadata");
            }
        }
    }
}
