/**
 * How the terms of one or many evaluations run: {@link org.chemfit.schedule.Scheduler} (serial or
 * on an executor) and {@link org.chemfit.schedule.AsyncWrapperCOB}, the drop-in objective that
 * evaluates the terms of a combined objective concurrently; {@link org.chemfit.schedule.AbstractWrapperCOB}
 * is what it shares with the cluster module's wrapper.
 *
 * <p>Every type and member of this package is non-null unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package org.chemfit.schedule;

import org.jspecify.annotations.NullMarked;
