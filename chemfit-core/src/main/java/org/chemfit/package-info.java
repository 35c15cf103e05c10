/**
 * The model: {@link org.chemfit.Parameters} and {@link org.chemfit.Bounds}, objective terms
 * ({@link org.chemfit.ObjectiveFunction}, {@link org.chemfit.QuantityComputerObjectiveFunction}
 * with its {@link org.chemfit.QuantityComputer} and {@link org.chemfit.LossFunction}), their
 * weighted combination {@link org.chemfit.CombinedObjectiveFunction} with its
 * {@link org.chemfit.Reducer} and {@link org.chemfit.FailurePolicy}, and the
 * {@link org.chemfit.EvaluationContext} that carries one evaluation's state through its
 * transitions (complete, fail, replay).
 *
 * <pre>{@code
 * var combined = new CombinedObjectiveFunction(List.of(energies, forces), List.of(1.0, 0.1));
 * EvaluationContext ctx = new EvaluationContext(params);
 * double loss = combined.evaluate(params, ctx);   // ctx.children(): one context per term
 * }</pre>
 *
 * <p>Every type and member of this package is non-null unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package org.chemfit;

import org.jspecify.annotations.NullMarked;
