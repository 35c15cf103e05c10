package org.chemfit.schedule;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.chemfit.BatchObjectiveFunction;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;

/**
 * One place where the terms of a combined objective run (serially, on a thread pool, across a
 * cluster), opened over one objective: what {@link DeterminismContract} runs over as parameters.
 *
 * <pre>{@code
 * Backend.Factory pool = objective -> Backend.of(new ExecutorScheduler(4), objective);
 * try (Backend b = pool.open(objective)) {
 *     double loss = b.evaluate(new EvaluationContext(params));
 * }
 * }</pre>
 *
 * @implNote As thread-safe as what it wraps; the contract uses each backend from one thread.
 */
public interface Backend extends AutoCloseable {

    /**
     * @param ctx a fresh context holding the parameters
     * @return the loss
     */
    double evaluate(EvaluationContext ctx);

    /** @param requests fresh contexts, one per parameter set */
    void evaluateMany(List<EvaluationContext> requests);

    /**
     * @param ctx a fresh context holding the parameters
     * @return the loss, later
     */
    CompletableFuture<Double> evaluateAsync(EvaluationContext ctx);

    /** Releases what the backend owns (its pool, its cluster worker). */
    @Override
    void close();

    /** Opens a backend over one objective. */
    @FunctionalInterface
    interface Factory {
        /**
         * @param objective the objective to evaluate
         * @return a backend evaluating it, to be closed by the caller
         */
        Backend open(CombinedObjectiveFunction objective);
    }

    /**
     * @param scheduler a scheduler, closed with the backend
     * @param objective the objective it evaluates
     * @return the scheduler as a backend
     */
    static Backend of(Scheduler scheduler, CombinedObjectiveFunction objective) {
        return of(
                new BatchObjectiveFunction() {
                    @Override
                    public double evaluate(org.chemfit.Parameters params) {
                        return scheduler.evaluate(objective, new EvaluationContext(params));
                    }

                    @Override
                    public double evaluate(org.chemfit.Parameters params, EvaluationContext ctx) {
                        return scheduler.evaluate(objective, ctx);
                    }

                    @Override
                    public void evaluateMany(List<EvaluationContext> requests) {
                        scheduler.evaluateMany(objective, requests);
                    }
                },
                ctx -> scheduler.evaluateAsync(objective, ctx),
                scheduler::close);
    }

    /**
     * @param wrapper a batch objective (a wrapper of the combined objective)
     * @param async its asynchronous evaluation of a context
     * @param close what closing the backend does
     * @return the wrapper as a backend
     */
    static Backend of(
            BatchObjectiveFunction wrapper,
            Function<EvaluationContext, CompletableFuture<Double>> async,
            Runnable close) {
        return new Backend() {
            @Override
            public double evaluate(EvaluationContext ctx) {
                return wrapper.evaluate(ctx.parameters(), ctx);
            }

            @Override
            public void evaluateMany(List<EvaluationContext> requests) {
                wrapper.evaluateMany(requests);
            }

            @Override
            public CompletableFuture<Double> evaluateAsync(EvaluationContext ctx) {
                return async.apply(ctx);
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }
}
