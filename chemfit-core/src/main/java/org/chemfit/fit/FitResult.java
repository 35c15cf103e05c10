package org.chemfit.fit;

import java.time.Duration;
import java.util.List;

import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;

/**
 * The outcome of a fit.
 *
 * <pre>{@code
 * FitResult r = fitter.fit();
 * System.out.println(r.bestParameters().asNestedMap() + " loss " + r.bestLoss());
 * }</pre>
 *
 * @param bestParameters the best point seen, all parameters (fixed ones included)
 * @param bestLoss its loss
 * @param initialLoss the loss at the initial parameters
 * @param evaluations the number of objective evaluations run
 * @param steps the number of ask/tell rounds
 * @param wallTime how long the fit took
 * @param stopReason why it stopped
 * @param method the optimization method's name
 * @param breakdown the context of the best evaluation: per-term values, weights, contributions,
 *     quantities
 * @param warnings what the user should know (parameters near a bound, bad points replaced)
 * @implNote Immutable.
 */
public record FitResult(Parameters bestParameters, double bestLoss, double initialLoss, int evaluations, int steps,
        Duration wallTime, StopReason stopReason, String method, EvaluationContext breakdown, List<String> warnings) {

    /** Copies the warnings. */
    public FitResult {
        warnings = List.copyOf(warnings);
    }
}
