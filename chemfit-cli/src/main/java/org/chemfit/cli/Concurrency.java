package org.chemfit.cli;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.ObjectiveFunction;
import org.chemfit.schedule.AsyncWrapperCOB;

/**
 * Chooses how the terms of an evaluation run: one after another for one worker; otherwise
 * concurrently through an {@link AsyncWrapperCOB} on a pool of exactly {@code workers} threads,
 * which bounds how many terms (external programs) run at once.
 *
 * @implNote Stateless.
 */
final class Concurrency {

    private Concurrency() {}

    /**
     * @param combined the objective
     * @param workers how many terms may run at once
     * @param resources receives what must be closed when the fit ends (the wrapper, then its pool)
     * @return the objective to fit
     */
    static ObjectiveFunction wrap(CombinedObjectiveFunction combined, int workers, List<AutoCloseable> resources) {
        if (workers <= 1) {
            return combined;
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool =
                new ThreadPoolExecutor(workers, workers, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "chemfit-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        AsyncWrapperCOB wrapper = new AsyncWrapperCOB(combined, pool);
        resources.add(wrapper);
        resources.add(pool::shutdownNow);
        return wrapper;
    }
}
