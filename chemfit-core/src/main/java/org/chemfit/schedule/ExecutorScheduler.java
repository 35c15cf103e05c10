package org.chemfit.schedule;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.internal.DispatchScheduler;
import org.chemfit.internal.LeafTask;
import org.chemfit.internal.TaskRunner;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Scheduler} that runs every leaf task on an {@link Executor}: a caller's (left running
 * on {@link #close()}) or, by default, a fixed pool of its own (shut down on close).
 *
 * <pre>{@code
 * ExecutorService pool = Executors.newFixedThreadPool(8);
 * try (Scheduler s = new ExecutorScheduler(pool)) {
 *     double loss = s.evaluate(combined, new EvaluationContext(params));
 * }
 * pool.shutdown();   // the caller's pool is the caller's to shut down
 * }</pre>
 *
 * <p>Deadlock guard: when {@code evaluate} is called from a thread that is running one of this
 * executor's tasks (a nested wrapper sharing a bounded pool) or from a {@code ForkJoinPool}
 * worker of the executor, the caller runs the tasks that have not started yet itself instead of
 * waiting for a free worker, so it finishes without needing one.
 *
 * @implNote Thread-safe. Each term task is handed to {@code executor.execute} once; a rejection
 *     fails the evaluation with a message saying why.
 */
public final class ExecutorScheduler implements Scheduler {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final DispatchScheduler scheduler;
    private final Executor executor;
    private final @Nullable ExecutorService owned;

    /** Runs on a fixed pool of its own with one thread per available processor. */
    public ExecutorScheduler() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /**
     * Runs on a fixed pool of its own.
     *
     * @param threads the number of worker threads, at least 1
     * @throws IllegalArgumentException when threads is below 1
     */
    public ExecutorScheduler(int threads) {
        this(newPool(threads, "chemfit-scheduler"), true);
    }

    /**
     * Runs on the caller's executor, which {@link #close()} leaves running.
     *
     * @param executor where the tasks run: a pool, a {@code ForkJoinPool}, or {@code Runnable::run}
     */
    public ExecutorScheduler(Executor executor) {
        this(executor, false);
    }

    private ExecutorScheduler(Executor executor, boolean own) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.scheduler = new DispatchScheduler(TaskRunner.of(executor));
        this.owned = own ? (ExecutorService) executor : null;
    }

    /**
     * Creates a fixed pool of daemon threads named {@code prefix-N-worker-M}, started at once so
     * the first evaluation does not pay for thread creation; idle threads time out after a minute.
     */
    static ThreadPoolExecutor newPool(int threads, String prefix) {
        if (threads < 1) {
            throw new IllegalArgumentException("a pool needs at least 1 thread, got " + threads);
        }
        int pool = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        ThreadFactory f = r -> {
            Thread t = new Thread(r, prefix + "-" + pool + "-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ThreadPoolExecutor e =
                new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), f);
        e.allowCoreThreadTimeOut(true);
        e.prestartAllCoreThreads();
        return e;
    }

    /** @return the executor the tasks run on */
    public Executor executor() {
        return executor;
    }

    @Override
    public double evaluate(CombinedObjectiveFunction objective, EvaluationContext ctx) {
        return scheduler.evaluate(objective, ctx);
    }

    @Override
    public void evaluateMany(CombinedObjectiveFunction objective, List<EvaluationContext> requests) {
        scheduler.evaluateMany(objective, requests);
    }

    @Override
    public CompletableFuture<Double> evaluateAsync(CombinedObjectiveFunction objective, EvaluationContext ctx) {
        return scheduler.evaluateAsync(objective, ctx);
    }

    /**
     * Shuts down the pool this scheduler created, waiting up to 30 seconds for running tasks and then
     * cancelling them (an interrupt each) and the evaluations whose tasks had not started (their
     * callers get an {@link org.chemfit.EvaluationCancelledException}); a given executor is left
     * alone.
     */
    @Override
    public void close() {
        if (owned != null) {
            shutdown(owned);
        }
    }

    /**
     * Shuts a pool of our own down: running and queued tasks get up to 30 seconds, then running ones
     * are interrupted and the evaluations of the tasks still queued are cancelled, so that no caller
     * or future waits for a task that will never run.
     */
    static void shutdown(ExecutorService pool) {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                abandon(pool.shutdownNow());
            }
        } catch (InterruptedException e) {
            abandon(pool.shutdownNow());
            Thread.currentThread().interrupt();
        }
    }

    private static void abandon(List<Runnable> dropped) {
        for (Runnable r : dropped) {
            if (r instanceof LeafTask t) {
                t.abandon("the pool was shut down");
            }
        }
    }

    @Override
    public String toString() {
        return "ExecutorScheduler[" + executor() + "]";
    }
}
