package org.chemfit.fit;

import java.time.Duration;
import java.util.List;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.jspecify.annotations.Nullable;

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
 * @param initialLoss the loss at the initial parameters, NaN or infinite when it was (the optimizer
 *     was told the bad value instead)
 * @param evaluations the number of objective evaluations run
 * @param steps the number of ask/tell rounds of the method (the initial evaluation and the
 *     uncertainty round not included): the batches it asked for that were evaluated, the one a
 *     failed term stopped included; an ask for the start point again (Nelder-Mead's first) evaluates
 *     nothing and is no step
 * @param wallTime how long the fit took
 * @param stopReason why it stopped
 * @param method the optimization method's name
 * @param breakdown the context of the best evaluation: per-term values, weights, contributions,
 *     quantities
 * @param warnings what the user should know (parameters near a bound, bad points replaced)
 * @param rounds the number of batches evaluated, each a set of points evaluated at once (the
 *     initial evaluation and the uncertainty round included): with enough workers, the wall
 *     time of a fit is about its rounds times the time of one evaluation
 * @param uncertainty the uncertainty of the fitted parameters at the best point, or null when the
 *     objective is not a sum of squares or it was not computed
 * @implNote Immutable.
 */
public record FitResult(
        Parameters bestParameters,
        double bestLoss,
        double initialLoss,
        int evaluations,
        int steps,
        Duration wallTime,
        StopReason stopReason,
        String method,
        EvaluationContext breakdown,
        List<String> warnings,
        int rounds,
        @Nullable Uncertainty uncertainty) {

    /** Copies the warnings. */
    public FitResult {
        warnings = List.copyOf(warnings);
    }

    /**
     * A result without rounds or uncertainty (one round per step plus the initial one).
     *
     * @param bestParameters the best point seen
     * @param bestLoss its loss
     * @param initialLoss the loss at the initial parameters, NaN or infinite when it was (the optimizer
     *     was told the bad value instead)
     * @param evaluations the number of evaluations
     * @param steps the number of ask/tell rounds
     * @param wallTime how long the fit took
     * @param stopReason why it stopped
     * @param method the method's name
     * @param breakdown the context of the best evaluation
     * @param warnings what the user should know
     */
    public FitResult(
            Parameters bestParameters,
            double bestLoss,
            double initialLoss,
            int evaluations,
            int steps,
            Duration wallTime,
            StopReason stopReason,
            String method,
            EvaluationContext breakdown,
            List<String> warnings) {
        this(
                bestParameters,
                bestLoss,
                initialLoss,
                evaluations,
                steps,
                wallTime,
                stopReason,
                method,
                breakdown,
                warnings,
                steps + 1,
                null);
    }
}
