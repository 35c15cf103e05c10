package org.chemfit.cluster;

import com.hazelcast.internal.util.ConcurrencyUtil;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where Hazelcast runs the callbacks of its futures. It runs them on the JDK's common pool, or,
 * where that pool has a single thread (a machine of one or two cores), on a thread started for
 * each callback. Every task's response completes two futures inside Hazelcast whose callbacks go
 * there, so on such a machine each task started two threads, and starting them held up the
 * thread that reads the responses for most of a task's round trip (docs/benchmarks.md,
 * "Cluster"). There, and only there, this gives Hazelcast a pool of reused daemon threads
 * instead: as before, every callback gets a thread of its own at once, so one that blocks holds
 * up no other; the threads are kept for a minute between callbacks instead of started for each.
 *
 * <p>Hazelcast has no setting for this executor but an internal setter, which the pinned version
 * of Hazelcast keeps; it applies to every Hazelcast member of this JVM. An executor that the
 * application set there itself is left alone, and a Hazelcast without the setter only costs the
 * threads (said once in the log). The setter writes a plain static field: members started after
 * it see it (starting their threads publishes it), which is when it is called.
 */
final class HazelcastCallbacks {

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastCallbacks.class);
    private static final AtomicBoolean SET = new AtomicBoolean();
    private static final AtomicInteger THREADS = new AtomicInteger();

    private HazelcastCallbacks() {}

    /**
     * Gives Hazelcast the pool where it would start a thread per callback and no other executor
     * was set; once per JVM.
     */
    static void pooled() {
        if (ForkJoinPool.getCommonPoolParallelism() > 1 || !SET.compareAndSet(false, true)) {
            return;
        }
        try {
            Executor current = ConcurrencyUtil.getDefaultAsyncExecutor();
            // Hazelcast's own thread-per-callback executor is a lambda of ConcurrencyUtil
            if (!current.getClass().getName().startsWith(ConcurrencyUtil.class.getName())) {
                return;
            }
            ThreadPoolExecutor pool =
                    new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
                        Thread t = new Thread(r, "chemfit-hazelcast-callback-" + THREADS.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            ConcurrencyUtil.setDefaultAsyncExecutor(pool);
        } catch (LinkageError e) {
            LOG.info(
                    "Hazelcast's callbacks keep a thread each: this Hazelcast has no setter for their executor ({})",
                    e.toString());
        }
    }
}
