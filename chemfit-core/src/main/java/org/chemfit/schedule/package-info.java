/**
 * How the terms of one or many evaluations run: {@link org.chemfit.schedule.Scheduler} (serial,
 * on an executor, or through any {@link org.chemfit.schedule.TaskRunner}) and
 * {@link org.chemfit.schedule.AsyncWrapperCOB}, the drop-in objective that evaluates the terms of
 * a combined objective concurrently.
 *
 * <p>Every type and member of this package is non-null unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package org.chemfit.schedule;

import org.jspecify.annotations.NullMarked;
