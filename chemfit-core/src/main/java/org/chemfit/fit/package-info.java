/**
 * Optimizers and the fit loop: {@link org.chemfit.fit.Fitter} runs an ask/tell
 * {@link org.chemfit.fit.Optimizer} (made by {@link org.chemfit.fit.Optimizers}) against an
 * objective, records every evaluation in a journal when one is given, and returns a
 * {@link org.chemfit.fit.FitResult}.
 *
 * <pre>{@code
 * FitResult result = new Fitter(objective, initial).fit("Nelder-Mead");
 * double best = result.bestLoss();
 * }</pre>
 *
 * <p>Every type and member of this package is non-null unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package org.chemfit.fit;

import org.jspecify.annotations.NullMarked;
