package org.chemfit.internal;

import java.util.List;
import java.util.concurrent.Executor;

/**
 * Where leaf tasks run: the plug-in point between a {@link DispatchScheduler}, which flattens requests
 * into {@link LeafTask}s and reduces their results, and whatever executes them: a local
 * {@link Executor} ({@link #of(Executor)}) or a cluster. A runner never reduces, never applies a
 * failure policy and never waits: it starts tasks and gets each one finished.
 *
 * <pre>{@code
 * TaskRunner remote = new TaskRunner() {
 *     public void dispatch(LeafTask task) {
 *         if (task.tryStart()) {
 *             members.send(task.evaluationId(), task.path(), task.parameters(), result -> {
 *                 result.copyInto(task.context());
 *                 task.complete();
 *             });
 *         }
 *     }
 * };
 * try (Scheduler s = new DispatchScheduler(remote)) {
 *     double loss = s.evaluate(combined, new EvaluationContext(params));
 * }
 * }</pre>
 *
 * <p>Contract: after {@code dispatch(task)} returns, the runner must eventually either have
 * called {@code task.run()} (on any thread) or, after {@code task.tryStart()} returned true,
 * {@code task.complete()} or {@code task.fail(cause)}. A task that {@code tryStart()} refuses was
 * cancelled and needs nothing more. When a task is cancelled while running, a local one is
 * interrupted; a remote one runs its {@link LeafTask#onCancel} hook, and the scheduler waits for
 * its {@code complete()} all the same.
 *
 * @implNote Implementations must be thread-safe: many evaluations dispatch at once, and tasks are
 *     cancelled from other threads.
 */
public interface TaskRunner {

    /**
     * Starts one task, without waiting for it.
     *
     * @param task the task
     * @throws java.util.concurrent.RejectedExecutionException when the runner cannot take it (it
     *     was shut down); the scheduler then cancels the whole dispatch and reports the rejection
     */
    void dispatch(LeafTask task);

    /**
     * Starts many tasks (all the leaves of one or many requests, in term order). A remote runner
     * overrides this to send them in one message.
     *
     * @param tasks the tasks, in term order
     * @throws java.util.concurrent.RejectedExecutionException as {@link #dispatch}
     */
    default void dispatchAll(List<LeafTask> tasks) {
        for (LeafTask t : tasks) {
            dispatch(t);
        }
    }

    /**
     * Whether the calling thread is one of this runner's own workers, so that waiting on it for
     * tasks could starve the runner (the deadlock guard then runs the tasks inline). Threads that
     * are running one of this runner's tasks are detected without this method.
     *
     * @return true when the caller is a worker of this runner
     */
    default boolean isWorkerThread() {
        return false;
    }

    /**
     * @param executor runs each task with {@code executor.execute(task)}; never shut down here
     * @return a runner on that executor
     */
    static TaskRunner of(Executor executor) {
        return new ExecutorRunner(executor);
    }
}
