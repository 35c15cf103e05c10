package org.chemfit.fit;

/** Why a fit stopped. */
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
    INTERRUPTED
}
