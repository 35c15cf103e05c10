package org.chemfit.schedule;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.chemfit.BatchObjectiveFunction;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;

/**
 * The reference {@link Scheduler}: evaluates the terms one after another on the calling thread,
 * exactly as {@link CombinedObjectiveFunction#evaluate(org.chemfit.Parameters, EvaluationContext)}
 * does. Every other scheduler gives the same results, bit for bit.
 *
 * <pre>{@code
 * double loss = new SerialScheduler().evaluate(combined, new EvaluationContext(params));
 * }</pre>
 *
 * <p>Under RAISE the remaining terms still run before the first failure in term order is raised.
 *
 * @implNote Stateless and thread-safe; {@code evaluateAsync} runs on the calling thread and returns
 *     a completed future.
 */
public final class SerialScheduler implements Scheduler {

    /** Creates the serial scheduler. */
    public SerialScheduler() {}

    @Override
    public double evaluate(CombinedObjectiveFunction objective, EvaluationContext ctx) {
        return objective.evaluate(ctx.parameters(), ctx);
    }

    @Override
    public void evaluateMany(CombinedObjectiveFunction objective, List<EvaluationContext> requests) {
        BatchObjectiveFunction.of(objective).evaluateMany(requests);
    }

    @Override
    public CompletableFuture<Double> evaluateAsync(CombinedObjectiveFunction objective, EvaluationContext ctx) {
        try {
            return CompletableFuture.completedFuture(evaluate(objective, ctx));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public String toString() {
        return "SerialScheduler";
    }
}
