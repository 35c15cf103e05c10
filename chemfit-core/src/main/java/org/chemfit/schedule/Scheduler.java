package org.chemfit.schedule;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.TermFailedException;

/**
 * Runs the leaf terms of one or many evaluations of a {@link CombinedObjectiveFunction}. Nested
 * combined objectives are flattened, so every leaf of every request is one task; results are
 * reduced per combined objective in term order, never completion order, so the loss, the
 * breakdown and the metadata are the same, bit for bit, as serial evaluation. Each combined
 * objective's {@link org.chemfit.FailurePolicy} applies at its own level of the tree.
 *
 * <pre>{@code
 * try (Scheduler s = new ExecutorScheduler(pool)) {
 *     double loss = s.evaluate(combined, new EvaluationContext(params));
 *     List<EvaluationContext> batch = points.stream().map(EvaluationContext::new).toList();
 *     s.evaluateMany(combined, batch);           // every leaf of every point is one task
 * }
 * }</pre>
 *
 * <p>Implementations: {@link SerialScheduler} (the reference), {@link ExecutorScheduler} (a
 * thread pool), and the cluster module's scheduler for evaluation across machines.
 *
 * <p>With RAISE, when a term fails every other task of its evaluation is cancelled at once
 * (pending ones never start, running ones are interrupted, which kills their external
 * programs), and the failure that happened first is raised: a sibling that fails while it is
 * being cancelled does not replace it. Serial evaluation runs the terms in order, so the first
 * failure to happen is the first in term order. The {@link TermFailedException} names the term
 * by index and name.
 *
 * @implNote Implementations are thread-safe: many threads may evaluate through one scheduler.
 */
public interface Scheduler extends AutoCloseable {

    /**
     * Evaluates one request, blocking until every task is finished.
     *
     * @param objective the objective
     * @param ctx a fresh context (no children yet) holding the parameters
     * @return the loss
     * @throws TermFailedException when a term failed and the policies raise it
     * @throws EvaluationCancelledException when the calling thread was interrupted: every task was
     *     cancelled and none is running any more; the thread stays interrupted
     * @throws IllegalStateException when the context already holds terms
     */
    double evaluate(CombinedObjectiveFunction objective, EvaluationContext ctx);

    /**
     * Evaluates many requests at once. A request whose evaluation failed ends with status
     * {@link EvaluationContext.Status#FAILED} and its failure set; the others are unaffected.
     *
     * @param objective the objective
     * @param requests fresh contexts, one per parameter set
     * @throws EvaluationCancelledException when the calling thread was interrupted: every task of
     *     the batch was cancelled and none is running any more
     */
    void evaluateMany(CombinedObjectiveFunction objective, List<EvaluationContext> requests);

    /**
     * Starts one request and returns at once. Cancelling the future cancels pending tasks and
     * interrupts running ones.
     *
     * @param objective the objective
     * @param ctx a fresh context holding the parameters
     * @return the loss, or a {@link TermFailedException} as in {@link #evaluate}
     */
    CompletableFuture<Double> evaluateAsync(CombinedObjectiveFunction objective, EvaluationContext ctx);

    /** Releases what this scheduler owns; an executor it was given is left running. */
    @Override
    default void close() {}
}
