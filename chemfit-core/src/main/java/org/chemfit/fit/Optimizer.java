package org.chemfit.fit;

import java.util.List;

/**
 * An optimization method in ask/tell form: it proposes points, the caller evaluates them
 * (possibly many at once, anywhere) and tells it the losses. Factories are in {@link Optimizers}.
 *
 * <pre>{@code
 * try (Optimizer.Run run = Optimizers.byName("Nelder-Mead").start(problem)) {
 *     for (List<double[]> xs = run.ask(); !xs.isEmpty(); xs = run.ask()) {
 *         run.tell(xs, evaluate(xs));
 *     }
 * }
 * }</pre>
 *
 * @implNote An {@code Optimizer} is an immutable description; all state lives in the
 *     {@link Run} that {@link #start} creates, so one optimizer can drive many fits at once.
 */
public interface Optimizer {

    /** @return the method's name, SciPy's where SciPy has the same algorithm ("Nelder-Mead", "Powell") */
    String name();

    /**
     * Starts a run.
     *
     * @param problem the start point, bounds, budget and seed
     * @return a fresh run
     * @throws IllegalArgumentException when the method cannot handle the problem (for example
     *     BOBYQA with fewer than two free parameters)
     */
    Run start(Problem problem);

    /**
     * @return whether the method needs the residual vector of every point (the least-squares
     *     methods): the Fitter then refuses an objective that is not a sum of squares, naming the
     *     term, and calls {@link Run#tell(List, double[], List)}
     */
    default boolean needsResiduals() {
        return false;
    }

    /** @return whether {@link Run#ask()} may return more than one point at a time */
    default boolean isBatch() {
        return false;
    }

    /**
     * The state of one optimization.
     *
     * @implNote Not thread-safe: one caller asks and tells in turn.
     */
    interface Run extends AutoCloseable {

        /**
         * @return the next points to evaluate, each with one finite value per free parameter within
         *     the bounds (a value on a bound is inside; the Fitter fails the fit, naming the method,
         *     for any other point, and for null); empty when the method has converged
         * @throws org.chemfit.ChemFitException when the method failed
         */
        List<double[]> ask();

        /**
         * @param points the points of the last {@link #ask()}, in the same order
         * @param values their losses, finite
         */
        void tell(List<double[]> points, double[] values);

        /**
         * Tells the losses and the residual vectors; methods that do not use residuals ignore them.
         *
         * @param points the points of the last {@link #ask()}, in the same order
         * @param values their losses, finite
         * @param residuals their residual vectors (null for a point that has none: a failed or
         *     penalised evaluation)
         */
        default void tell(List<double[]> points, double[] values, List<double[]> residuals) {
            tell(points, values);
        }

        /** @return why the method stopped by itself ("converged" and details) */
        String stopReason();

        /** Releases what the run holds (a method's own thread, for example). */
        @Override
        void close();
    }
}
