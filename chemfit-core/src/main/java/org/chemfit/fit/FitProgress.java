package org.chemfit.fit;

import org.chemfit.Parameters;
import org.jspecify.annotations.Nullable;

/**
 * The state of a fit after a step, given to callbacks and stop conditions.
 *
 * <pre>{@code
 * fitter.callback(p -> System.out.printf("step %d: best %.6g%n", p.step(), p.bestLoss()), 10);
 * }</pre>
 *
 * @param step the number of ask/tell rounds done (a generation of a population method is one step)
 * @param evaluations the number of objective evaluations done
 * @param currentParameters the last point evaluated
 * @param currentLoss its loss
 * @param bestParameters the best point so far (only ever a point with a finite loss; null while no
 *     evaluation gave one)
 * @param bestLoss its loss
 * @implNote Immutable.
 */
public record FitProgress(
        int step,
        int evaluations,
        Parameters currentParameters,
        double currentLoss,
        @Nullable Parameters bestParameters,
        double bestLoss) {}
