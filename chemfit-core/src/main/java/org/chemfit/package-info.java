/**
 * The model of a fit: {@link org.chemfit.Parameters} and {@link org.chemfit.Bounds}, the
 * {@link org.chemfit.ObjectiveFunction} terms that map parameters to a loss (many through a
 * {@link org.chemfit.QuantityComputer} and a {@link org.chemfit.LossFunction}), the
 * {@link org.chemfit.CombinedObjectiveFunction} that sums them with weights, and the
 * {@link org.chemfit.EvaluationContext} that carries the state of one evaluation.
 *
 * <pre>{@code
 * var objective = new CombinedObjectiveFunction(List.of(densityTerm, energyTerm), List.of(1.0, 0.5));
 * double loss = objective.evaluate(Parameters.of(Map.of("lj", Map.of("sigma", 3.4))));
 * }</pre>
 *
 * <p>Every type and member of this package is non-null unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package org.chemfit;

import org.jspecify.annotations.NullMarked;
