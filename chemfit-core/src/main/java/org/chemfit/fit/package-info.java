/**
 * Optimizers and the fit loop: {@link org.chemfit.fit.Fitter} asks an
 * {@link org.chemfit.fit.Optimizer} (ask/tell; {@link org.chemfit.fit.Optimizers} makes them) for
 * one point or a batch, evaluates them through the objective, records them in the journal, and
 * returns a {@link org.chemfit.fit.FitResult}; callbacks and listeners see each step.
 *
 * <pre>{@code
 * FitResult r = new Fitter(objective, initial).bounds(bounds).fit("Nelder-Mead");
 * double best = r.bestLoss();
 * }</pre>
 *
 * <p>Every type and member of this package is non-null unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package org.chemfit.fit;

import org.jspecify.annotations.NullMarked;
