package org.chemfit.internal;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * Runs leaf tasks on an {@link Executor}: one {@code execute} per task and nothing else, the
 * task itself being the {@code Runnable}, so dispatch allocates nothing per term. Two runners on
 * the same executor are equal, which is what lets the deadlock guard spot a nested wrapper
 * sharing its outer wrapper's pool.
 *
 * @implNote Thread-safe when the executor is.
 */
final class ExecutorRunner implements TaskRunner {

    private final Executor executor;

    ExecutorRunner(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    Executor executor() {
        return executor;
    }

    @Override
    public void dispatch(LeafTask task) {
        executor.execute(task);
    }

    @Override
    public boolean isWorkerThread() {
        return Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == executor;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExecutorRunner r && r.executor == executor;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(executor);
    }

    @Override
    public String toString() {
        return "TaskRunner.of(" + executor + ")";
    }
}
