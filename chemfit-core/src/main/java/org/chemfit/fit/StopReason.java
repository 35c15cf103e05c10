package org.chemfit.fit;

/**
 * Why a fit stopped.
 *
 * <pre>{@code
 * if (result.stopReason() == StopReason.MAX_EVALUATIONS) { ... raise the budget ... }
 * }</pre>
 *
 * @implNote An enum: immutable and thread-safe.
 */
public enum StopReason {
    /** The method met its convergence criterion. */
    CONVERGED,
    /** The evaluation budget was spent; the best point seen is returned. */
    MAX_EVALUATIONS,
    /** A stop condition given to {@link Fitter#stopWhen} held. */
    STOP_CONDITION,
    /** Every parameter was fixed: the initial point was evaluated and returned. */
    NO_FREE_PARAMETERS,
    /** The fit was interrupted; the best point seen is returned. */
    INTERRUPTED,
    /**
     * An evaluation or the method failed; only the partial result carried by a
     * {@link FitFailedException} has this reason.
     */
    FAILED
}
