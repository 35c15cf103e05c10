package org.chemfit.internal;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.schedule.Scheduler;

/**
 * The scheduler over a {@link TaskRunner}: flattens, dispatches, waits (helping when the caller
 * is itself one of the runner's workers), and reduces. The one place where that logic lives; the
 * executor scheduler and remote backends (a cluster) only supply the runner.
 *
 * <pre>{@code
 * try (Scheduler s = new DispatchScheduler(remoteRunner)) {
 *     double loss = s.evaluate(combined, new EvaluationContext(params));
 * }
 * }</pre>
 *
 * @implNote Thread-safe and stateless between calls: each call builds its own {@link Dispatch}.
 *     Closing it does nothing to the runner.
 */
public final class DispatchScheduler implements Scheduler {

    private final TaskRunner runner;
    private final boolean callerRuns;

    /**
     * @param runner where the leaf tasks run
     * @throws NullPointerException when {@code runner} is null
     */
    public DispatchScheduler(TaskRunner runner) {
        this(runner, false);
    }

    /**
     * @param runner where tasks run
     * @param callerRuns whether a blocked caller always runs tasks that no worker has started yet
     *     (only for a pool of our own: with a caller's pool it would exceed the pool's limit)
     * @throws NullPointerException when {@code runner} is null
     */
    public DispatchScheduler(TaskRunner runner, boolean callerRuns) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.callerRuns = callerRuns;
    }

    TaskRunner runner() {
        return runner;
    }

    @Override
    public double evaluate(CombinedObjectiveFunction objective, EvaluationContext ctx) {
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(ctx, "ctx");
        checkInterrupt();
        Dispatch d = new Dispatch(runner, objective, List.of(ctx), false);
        d.start(callerRuns);
        d.await(mustHelp());
        d.reduceAll();
        Request r = d.requests[0];
        if (r.error != null) {
            throw r.error;
        }
        return r.value;
    }

    @Override
    public void evaluateMany(CombinedObjectiveFunction objective, List<EvaluationContext> requests) {
        Objects.requireNonNull(objective, "objective");
        Terms.requireRequests(requests);
        if (requests.isEmpty()) {
            return;
        }
        checkInterrupt();
        Dispatch d = new Dispatch(runner, objective, requests, false);
        d.start(callerRuns);
        d.await(mustHelp());
        d.reduceAll();
        for (Request r : d.requests) {
            if (r.error instanceof EvaluationCancelledException c) {
                throw c;
            }
            if (r.error != null && r.ctx.status() != EvaluationContext.Status.FAILED) {
                r.ctx.fail(r.error);
            }
        }
    }

    @Override
    public CompletableFuture<Double> evaluateAsync(CombinedObjectiveFunction objective, EvaluationContext ctx) {
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(ctx, "ctx");
        Dispatch d = new Dispatch(runner, objective, List.of(ctx), true);
        d.start(false);
        return d.future();
    }

    /**
     * The deadlock guard: a caller that is itself running a task of this runner (a nested wrapper
     * on a shared pool), or is one of its worker threads, would wait on workers that may all be
     * busy waiting too. It runs the tasks not yet started itself instead.
     */
    private boolean mustHelp() {
        return callerRuns || LeafTask.insideTaskOf(runner) || runner.isWorkerThread();
    }

    private static void checkInterrupt() {
        if (Thread.currentThread().isInterrupted()) {
            throw new EvaluationCancelledException("the calling thread is interrupted; nothing was evaluated");
        }
    }

    @Override
    public String toString() {
        return "DispatchScheduler(" + runner + ")";
    }
}
