package org.chemfit;

import org.jspecify.annotations.Nullable;

/**
 * The base of every exception that ChemFit throws for a failure of the fit itself, as opposed to
 * a wrong argument (which is an {@link IllegalArgumentException} naming the rule and the value).
 *
 * <pre>{@code
 * try {
 *     fitter.fit();
 * } catch (ChemFitException e) {
 *     System.err.println(e.getMessage());
 * }
 * }</pre>
 *
 * @implNote Instances are immutable once thrown and may be passed between threads.
 */
public class ChemFitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, in words a user understands
     */
    public ChemFitException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong, in words a user understands
     * @param cause the underlying failure, or null
     */
    public ChemFitException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
