package org.chemfit;

import java.util.List;

/**
 * An objective that evaluates many parameter sets in one go, for example on a thread pool or a
 * cluster. The {@code Fitter} hands a population optimizer's whole generation to it.
 *
 * <pre>{@code
 * List<EvaluationContext> batch = points.stream().map(EvaluationContext::new).toList();
 * objective.evaluateMany(batch);
 * double first = batch.get(0).loss();
 * }</pre>
 *
 * @implNote Implementations are thread-safe.
 */
public interface BatchObjectiveFunction extends ObjectiveFunction {

    /**
     * Evaluates every context's parameters and fills the context. A request whose evaluation
     * failed (a term raised under the RAISE policy) ends with status
     * {@link EvaluationContext.Status#FAILED} and its failure set; the others are unaffected.
     *
     * @param requests one fresh context per parameter set
     * @throws EvaluationCancelledException when the calling thread is interrupted; every task of
     *     the batch is then cancelled
     */
    void evaluateMany(List<EvaluationContext> requests);

    /**
     * The objective as a batch objective: itself when it is one, else serial evaluation, one
     * request after another on the calling thread (an evaluation that throws marks its request
     * {@link EvaluationContext.Status#FAILED} and the next one runs).
     *
     * <pre>{@code
     * BatchObjectiveFunction batch = BatchObjectiveFunction.of(objective);
     * batch.evaluateMany(contexts);
     * }</pre>
     *
     * @param objective any objective
     * @return a batch objective that evaluates as {@code objective} does
     * @throws NullPointerException when {@code objective} is null
     */
    static BatchObjectiveFunction of(ObjectiveFunction objective) {
        return objective instanceof BatchObjectiveFunction b ? b : new SerialBatch(objective);
    }
}
