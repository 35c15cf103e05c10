package org.chemfit;

/**
 * What a {@link CombinedObjectiveFunction} does when one of its terms fails: raise the failure
 * (the default), substitute a penalty value, or skip the term; optionally after retrying it.
 *
 * <pre>{@code
 * combined.withFailurePolicy(FailurePolicy.penalty(1e3).withRetries(2));
 * }</pre>
 *
 * @param action what to do once the retries are spent
 * @param penaltyValue the value substituted for a failed term under {@link Action#PENALTY}
 * @param retries how many times a failed term is run again before the action applies
 * @implNote Immutable.
 */
public record FailurePolicy(Action action, double penaltyValue, int retries) {

    /** What happens to a failed term. */
    public enum Action {
        /**
         * The evaluation fails with the term's exception. Concurrently, the first term to fail
         * cancels the others still running and is the one raised; serially, the first failed
         * term in term order.
         */
        RAISE,
        /** The term's value is replaced by the penalty value. */
        PENALTY,
        /** The term is left out of the reduction; its index is recorded in the metadata under "skipped". */
        SKIP
    }

    /**
     * Validates the policy.
     *
     * @throws IllegalArgumentException when the penalty is not finite or is negative (a failed term
     *     would look better than a loss of 0, as {@code Fitter.valueBadParams} refuses for a NaN
     *     point), or retries are negative
     */
    public FailurePolicy {
        java.util.Objects.requireNonNull(action, "action");
        if (action == Action.PENALTY && !Double.isFinite(penaltyValue)) {
            throw new IllegalArgumentException("penalty value must be finite, got " + penaltyValue);
        }
        if (action == Action.PENALTY && penaltyValue < 0) {
            throw new IllegalArgumentException("penalty value must not be negative, got " + penaltyValue
                    + ": a failed term would look better to the optimizer than a loss of 0");
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be zero or more, got " + retries);
        }
    }

    /** @return raise the first failure (the default) */
    public static FailurePolicy raise() {
        return new FailurePolicy(Action.RAISE, Double.NaN, 0);
    }

    /**
     * @param value the value a failed term takes, finite and not negative
     * @return substitute a penalty value
     */
    public static FailurePolicy penalty(double value) {
        return new FailurePolicy(Action.PENALTY, value, 0);
    }

    /** @return leave failed terms out */
    public static FailurePolicy skip() {
        return new FailurePolicy(Action.SKIP, Double.NaN, 0);
    }

    /**
     * @param n how many times to run a failed term again before applying the action
     * @return a copy with that many retries
     */
    public FailurePolicy withRetries(int n) {
        return new FailurePolicy(action, penaltyValue, n);
    }

    @Override
    public String toString() {
        String s = switch (action) {
            case RAISE -> "raise";
            case SKIP -> "skip";
            case PENALTY -> "penalty(" + penaltyValue + ")";
        };
        return retries > 0 ? s + " after " + retries + (retries == 1 ? " retry" : " retries") : s;
    }
}
