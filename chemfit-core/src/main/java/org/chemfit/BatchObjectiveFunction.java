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
}
