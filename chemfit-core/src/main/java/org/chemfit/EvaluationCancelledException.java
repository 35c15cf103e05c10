package org.chemfit;

import org.jspecify.annotations.Nullable;

/**
 * An evaluation was cancelled or its thread interrupted. It is never handed to a
 * {@link FailurePolicy}: a cancelled evaluation is not a failed term.
 *
 * <pre>{@code
 * catch (EvaluationCancelledException e) { // the user pressed Ctrl-C
 * }
 * }</pre>
 *
 * @implNote Immutable.
 */
public class EvaluationCancelledException extends ChemFitException {
    private static final long serialVersionUID = 1L;

    /** @param message what was cancelled */
    public EvaluationCancelledException(String message) {
        super(message);
    }

    /**
     * @param message what was cancelled
     * @param cause the interruption or cancellation
     */
    public EvaluationCancelledException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
