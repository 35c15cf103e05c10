package org.chemfit.fit;

import org.chemfit.EvaluationContext;

/**
 * Hears of every evaluation of a fit, after it finished and before the optimizer is told its
 * loss: the place for a journal, a CSV of evaluations or a progress display.
 *
 * <pre>{@code
 * fitter.listener((number, ctx, loss) -> csv.println(number + "," + loss));
 * }</pre>
 *
 * <p>An exception thrown by a listener stops the fit and propagates from {@code fit()}.
 *
 * @implNote Called on the thread that runs {@code fit()}, in evaluation order.
 */
@FunctionalInterface
public interface FitListener {

    /**
     * @param number the evaluation's number in this fit, from 0
     * @param context its full context (parameters, per-term breakdown, metadata)
     * @param loss the loss the optimizer will be told (after bad values were replaced)
     */
    void onEvaluation(int number, EvaluationContext context, double loss);
}
