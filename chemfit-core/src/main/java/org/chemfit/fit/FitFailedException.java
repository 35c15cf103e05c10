package org.chemfit.fit;

import java.util.Optional;
import org.chemfit.ChemFitException;
import org.jspecify.annotations.Nullable;

/**
 * The fit could not go on: a term failed under the RAISE policy, or the method failed. It carries
 * the best result found before the failure, so nothing finished is lost.
 *
 * <pre>{@code
 * catch (FitFailedException e) {
 *     e.partialResult().ifPresent(r -> save(r.bestParameters()));
 * }
 * }</pre>
 *
 * @implNote Immutable.
 */
public class FitFailedException extends ChemFitException {
    private static final long serialVersionUID = 1L;

    private final transient @Nullable FitResult partial;

    /**
     * @param message what failed
     * @param partial the best result so far, or null when nothing was evaluated
     * @param cause the failure
     */
    FitFailedException(String message, @Nullable FitResult partial, @Nullable Throwable cause) {
        super(message, cause);
        this.partial = partial;
    }

    /** @return the best result found before the failure */
    public Optional<FitResult> partialResult() {
        return Optional.ofNullable(partial);
    }
}
