package org.chemfit.schedule;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.chemfit.BatchObjectiveFunction;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.ObjectiveWrapper;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.chemfit.internal.Terms;
import org.jspecify.annotations.Nullable;

/**
 * The delegation shared by the objectives that run a {@link CombinedObjectiveFunction}'s terms
 * through a {@link Scheduler} ({@link AsyncWrapperCOB} on a thread pool, the cluster module's
 * {@code ClusterWrapperCOB} across machines): they check the context, hand every evaluation to
 * their scheduler, and differ only in where the leaf tasks run.
 *
 * <pre>{@code
 * try (AbstractWrapperCOB objective = new AsyncWrapperCOB(combined)) {
 *     double loss = objective.evaluate(params);
 *     CompletableFuture<Double> later = objective.evaluateAsync(params);
 * }
 * }</pre>
 *
 * @implNote Thread-safe when the scheduler is: many threads may evaluate through one wrapper at
 *     once, each evaluation with its own state.
 */
public abstract class AbstractWrapperCOB implements BatchObjectiveFunction, ObjectiveWrapper, AutoCloseable {

    private final CombinedObjectiveFunction objective;
    private final Scheduler scheduler;

    /**
     * @param objective the objective whose terms the scheduler runs
     * @param scheduler where they run
     * @throws NullPointerException when either is null
     */
    protected AbstractWrapperCOB(CombinedObjectiveFunction objective, Scheduler scheduler) {
        this.objective = Objects.requireNonNull(objective, "objective");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /** @return whether the wrapper was closed (then it refuses to evaluate) */
    protected abstract boolean isClosed();

    /**
     * Called before a batch is dispatched, for a wrapper that sizes its resources to it.
     *
     * @param requests the number of parameter sets in the batch
     */
    protected void beforeBatch(int requests) {}

    /** @return the wrapped objective */
    public CombinedObjectiveFunction objective() {
        return objective;
    }

    @Override
    public ObjectiveFunction wrapped() {
        return objective;
    }

    @Override
    public @Nullable String name() {
        return objective.name();
    }

    /**
     * Evaluates with the terms running concurrently and blocks until the loss is known.
     *
     * @param params the parameters
     * @return the loss, the same bit for bit as the wrapped objective's serial evaluation
     * @throws TermFailedException when a term failed and the policies raise it
     * @throws EvaluationCancelledException when the calling thread was interrupted (no term is still
     *     running when it is thrown; the thread stays interrupted)
     * @throws IllegalStateException when the wrapper was closed
     */
    @Override
    public double evaluate(Parameters params) {
        return evaluate(params, new EvaluationContext(params));
    }

    /**
     * As {@link #evaluate(Parameters)}, filling the context with one child per term.
     *
     * @param params the parameters (those of {@code ctx})
     * @param ctx a fresh context
     * @return the loss
     * @throws TermFailedException when a term failed and the policies raise it
     * @throws EvaluationCancelledException when the calling thread was interrupted
     * @throws IllegalStateException when the wrapper was closed or the context already holds terms
     * @throws IllegalArgumentException when the context holds other parameters than {@code params}
     *     (the evaluation would run at one point and be recorded at another), as the wrapped
     *     objective's serial evaluation refuses it
     */
    @Override
    public double evaluate(Parameters params, EvaluationContext ctx) {
        checkOpen();
        return scheduler.evaluate(objective, contextFor(params, ctx));
    }

    /**
     * Starts an evaluation and returns at once.
     *
     * @param params the parameters
     * @return the loss; completes exceptionally with a {@link TermFailedException} as
     *     {@link #evaluate(Parameters)} would throw; cancelling it cancels the terms (pending ones
     *     never start, running ones are interrupted)
     * @throws IllegalStateException when the wrapper was closed
     */
    public CompletableFuture<Double> evaluateAsync(Parameters params) {
        return evaluateAsync(params, new EvaluationContext(params));
    }

    /**
     * As {@link #evaluateAsync(Parameters)}, filling the context.
     *
     * @param params the parameters (those of {@code ctx})
     * @param ctx a fresh context, not to be read before the future completes
     * @return the loss
     * @throws IllegalStateException when the wrapper was closed or the context already holds terms
     * @throws IllegalArgumentException when the context holds other parameters
     */
    public CompletableFuture<Double> evaluateAsync(Parameters params, EvaluationContext ctx) {
        checkOpen();
        return scheduler.evaluateAsync(objective, contextFor(params, ctx));
    }

    /**
     * Evaluates many parameter sets at once: every leaf term of every request is one task.
     *
     * @param requests one fresh context per parameter set
     * @throws EvaluationCancelledException when the calling thread was interrupted; every task of
     *     the batch is then cancelled
     * @throws IllegalStateException when the wrapper was closed
     */
    @Override
    public void evaluateMany(List<EvaluationContext> requests) {
        Terms.requireRequests(requests);
        checkOpen();
        beforeBatch(requests.size());
        scheduler.evaluateMany(objective, requests);
    }

    private static EvaluationContext contextFor(Parameters params, EvaluationContext ctx) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(ctx, "ctx");
        Terms.checkParameters(params, ctx);
        return ctx;
    }

    private void checkOpen() {
        if (isClosed()) {
            throw new IllegalStateException(
                    "this " + getClass().getSimpleName() + " was closed; create a new one to evaluate again");
        }
    }

    /** Stops accepting evaluations and releases what the wrapper created (never what it was given). */
    @Override
    public abstract void close();

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + objective + "]";
    }
}
