package org.chemfit.fit;

/**
 * Called by the {@link Fitter} every N steps.
 *
 * <pre>{@code
 * fitter.callback(p -> log.info("best loss {}", p.bestLoss()), 5);
 * }</pre>
 *
 * <p>An exception thrown by a callback stops the fit and propagates from {@code fit()}.
 *
 * @implNote Called on the thread that runs {@code fit()}.
 */
@FunctionalInterface
public interface FitCallback {
    /** @param progress the state of the fit */
    void onStep(FitProgress progress);
}
