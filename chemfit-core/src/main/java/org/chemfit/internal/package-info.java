/**
 * Not API: the scheduler's machinery, exported only to the cluster module. A scheduler flattens
 * requests into {@link org.chemfit.internal.LeafTask}s, hands them to a
 * {@link org.chemfit.internal.TaskRunner} (an executor, or the cluster's dispatcher) and reduces
 * the filled contexts in term order ({@link org.chemfit.internal.DispatchScheduler});
 * {@link org.chemfit.internal.Terms} holds the steps serial evaluation and every scheduler share
 * (prepare, run a term with its retries and journal replay, reduce) and the leaf-path helpers a
 * remote worker uses.
 *
 * <pre>{@code
 * Scheduler s = new DispatchScheduler(runner);                        // runner: where leaf tasks run
 * EvaluationContext leaf = Terms.evaluateLeaf(root, path, params, id);  // on a worker
 * }</pre>
 *
 * <p>Every type and member of this package is non-null unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package org.chemfit.internal;

import org.jspecify.annotations.NullMarked;
