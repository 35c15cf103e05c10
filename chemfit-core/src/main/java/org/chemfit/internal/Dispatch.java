package org.chemfit.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.chemfit.ChemFitException;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call into the scheduler: the requests, all their leaf tasks, and a count of the tasks not
 * finished yet. Dispatch is lean on purpose: the tasks are the {@code Runnable}s handed to the
 * executor, a single atomic counter tracks completion, and the last task to finish either wakes
 * the one waiting thread or (for {@code evaluateAsync}) reduces and completes the future itself.
 * There is no future per term.
 */
final class Dispatch {

    final TaskRunner runner;
    final Request[] requests;
    LeafTask[] tasks;
    private final AtomicInteger remaining = new AtomicInteger();
    private final @Nullable EvaluationFuture future;
    /** Below this many unfinished tasks the waiter is woken early and briefly spins (yielding). */
    private static final int NEAR_END = 8;
    /** How long the waiter spins near the end before it parks again. */
    private static final long SPIN_NANOS = 200_000;

    private static final Logger LOG = LoggerFactory.getLogger(Dispatch.class);
    /**
     * How long a caller that is a worker of a {@link java.util.concurrent.ThreadPoolExecutor} waits
     * without any of its tasks started, running or finished before it warns (see {@link #await}).
     */
    private static final long STALL_NANOS = 10_000_000_000L;
    /** Whether this thread is a worker of a ThreadPoolExecutor: it stays one for its whole life. */
    private static final ThreadLocal<Boolean> POOL_WORKER = ThreadLocal.withInitial(() -> StackWalker.getInstance()
            .walk(frames -> frames.anyMatch(f -> f.getClassName().equals("java.util.concurrent.ThreadPoolExecutor")
                    && f.getMethodName().equals("runWorker"))));

    private volatile @Nullable Thread waiter;
    private volatile boolean waiterParked;
    private volatile @Nullable EvaluationCancelledException cancelled;
    private volatile @Nullable RuntimeException rejected;
    private volatile @Nullable Error fatal;
    /** Whether a waiting caller runs the tasks no worker has started ({@link #await(boolean)} with help). */
    private volatile boolean helped;

    // tasks is set by start(), before any task runs or anyone waits (NullAway.Init)
    @SuppressWarnings("NullAway.Init")
    Dispatch(TaskRunner runner, CombinedObjectiveFunction objective, List<EvaluationContext> contexts, boolean async) {
        this.runner = runner;
        this.requests = new Request[contexts.size()];
        for (int i = 0; i < requests.length; i++) {
            requests[i] = new Request(objective, contexts.get(i));
        }
        this.future = async ? new EvaluationFuture(this) : null;
    }

    EvaluationFuture future() {
        return Objects.requireNonNull(future, "only an asynchronous dispatch has a future");
    }

    /**
     * Flattens every request, then hands the tasks to the runner.
     *
     * @param keepLast keep the last task back for the calling thread, which runs it in
     *     {@link #await(boolean)} (saves a hand-off when the caller would otherwise sit idle)
     */
    void start(boolean keepLast) {
        List<LeafTask> all = new ArrayList<>();
        for (Request r : requests) {
            r.flatten(this, all);
        }
        tasks = all.toArray(new LeafTask[0]);
        remaining.set(tasks.length);
        waiter = Thread.currentThread();
        try {
            runner.dispatchAll(keepLast ? all.subList(0, all.size() - 1) : all);
        } catch (RejectedExecutionException e) {
            rejected = new ChemFitException(
                    "the executor refused a term's task (" + e.getMessage()
                            + "): it was shut down, or its queue is bounded and full; give the wrapper a running executor"
                            + " with an unbounded queue, or one whose rejection policy runs the task",
                    e);
            cancelAll();
        }
    }

    /** Called exactly once per task, when it is finished or cancelled before it started. */
    void taskFinished() {
        int left = remaining.decrementAndGet();
        if (left == 0) {
            if (future != null) {
                complete();
            } else {
                LockSupport.unpark(waiter);
            }
        } else if (left < NEAR_END && waiterParked && future == null) {
            // wake the waiter while the last tasks finish, so that its wake-up overlaps with them
            // instead of following the last one
            LockSupport.unpark(waiter);
        }
    }

    /**
     * @return whether the dispatch was cancelled, or a waiting caller runs its tasks that no worker
     *     started: either way a task that a worker will never run leaves no one waiting
     */
    boolean settledWithoutWorkers() {
        return helped || cancelled != null;
    }

    /** Cancels every task of the dispatch (the caller was interrupted, or the future cancelled). */
    void cancel(EvaluationCancelledException why) {
        if (cancelled == null) {
            cancelled = why;
        }
        cancelAll();
    }

    /** An Error in a task: the other tasks stop and the caller gets the (first) Error. */
    void fatal(Error e) {
        synchronized (this) {
            if (fatal == null) {
                fatal = e;
            }
        }
        cancelAll();
    }

    private void cancelAll() {
        for (LeafTask t : tasks) {
            t.cancelPending();
        }
        for (LeafTask t : tasks) {
            t.cancel();
        }
    }

    /**
     * Blocks until every task is finished. When the thread is interrupted, cancels them all and
     * still waits until none is running, then leaves the thread interrupted.
     *
     * @param help run tasks not yet started on this thread (the deadlock guard, or a pool of our
     *     own whose caller would otherwise sit idle)
     */
    // near the end the waiter yields while it spins, so that the last tasks get the cores
    @SuppressWarnings("ThreadPriorityCheck")
    void await(boolean help) {
        boolean interrupted = help && runTasksNotStarted();
        // A worker of a ThreadPoolExecutor may be waiting on its own pool, which has no way to say
        // whether a thread is one of its own (a ForkJoinPool has, and is caught by the guard): when
        // every worker is such a caller, nothing ever starts. Running the tasks on this thread
        // instead would let a caller on another pool, whose tasks merely queue behind other work,
        // exceed the size of the pool it was given, a limit users set for licences and cores; so
        // such a caller only wakes now and then, and when nothing of its own has moved for a long
        // while, says what it waits for and why that may be forever.
        boolean mayWaitOnItsOwnPool = !help && POOL_WORKER.get();
        int seenNotStarted = mayWaitOnItsOwnPool ? notStarted() : 0;
        int seenRemaining = remaining.get();
        long since = System.nanoTime();
        while (remaining.get() != 0) {
            int left = remaining.get();
            if (left < NEAR_END) {
                long until = System.nanoTime() + SPIN_NANOS;
                while (remaining.get() != 0 && System.nanoTime() - until < 0) {
                    Thread.yield();
                }
                if (remaining.get() == 0) {
                    break;
                }
            }
            waiterParked = true;
            if (remaining.get() != 0) {
                if (mayWaitOnItsOwnPool) {
                    LockSupport.parkNanos(this, STALL_NANOS);
                } else {
                    LockSupport.park(this);
                }
            }
            waiterParked = false;
            if (Thread.interrupted() && !interrupted) {
                interrupted = true;
                cancel(new EvaluationCancelledException(describe() + " was interrupted"));
            }
            if (mayWaitOnItsOwnPool && !interrupted && remaining.get() != 0) {
                int notStarted = notStarted();
                int unfinished = remaining.get();
                if (notStarted != seenNotStarted || unfinished != seenRemaining) {
                    seenNotStarted = notStarted;
                    seenRemaining = unfinished;
                    since = System.nanoTime();
                } else if (notStarted == unfinished && System.nanoTime() - since >= STALL_NANOS) {
                    LOG.warn(
                            "{}: none of its {} terms has started in {} s, and the thread waiting for them ({}) is"
                                    + " a worker of a ThreadPoolExecutor: if that is the pool its AsyncWrapperCOB was"
                                    + " given and all its workers wait so, nothing will start; give the wrapper a"
                                    + " pool of its own (or none: its default pool), or a ForkJoinPool, whose"
                                    + " workers are told apart and run such terms themselves",
                            describe(),
                            notStarted,
                            STALL_NANOS / 1_000_000_000L,
                            Thread.currentThread().getName());
                    mayWaitOnItsOwnPool = false; // said once; it waits on as any caller does
                }
            }
        }
        if (interrupted || help && cancelled != null) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs on this thread, from the last, the tasks no worker has started.
     *
     * @return whether the thread was interrupted meanwhile (the dispatch is then cancelled)
     */
    private boolean runTasksNotStarted() {
        helped = true;
        // from the end: the workers take tasks from the front, so these are the ones they reach last
        for (int k = tasks.length - 1; k >= 0; k--) {
            if (remaining.get() == 0) {
                break;
            }
            if (Thread.interrupted()) {
                cancel(new EvaluationCancelledException(describe() + " was interrupted"));
                return true;
            }
            tasks[k].run();
        }
        return false;
    }

    /** @return how many tasks no one has started */
    private int notStarted() {
        int n = 0;
        for (LeafTask t : tasks) {
            if (t.notStarted()) {
                n++;
            }
        }
        return n;
    }

    /** Reduces every request (all tasks are finished). */
    void reduceAll() {
        if (fatal != null) {
            throw fatal;
        }
        if (rejected != null) {
            throw rejected;
        }
        for (Request r : requests) {
            r.reduce(cancelled);
        }
    }

    private void complete() {
        EvaluationFuture f = Objects.requireNonNull(future, "only an asynchronous dispatch completes a future");
        try {
            reduceAll();
        } catch (RuntimeException | Error e) {
            f.completeExceptionally(e);
            return;
        }
        Request r = requests[0];
        RuntimeException error = r.error;
        if (error != null) {
            f.completeExceptionally(error);
        } else {
            f.complete(r.value);
        }
    }

    private String describe() {
        return requests.length == 1
                ? "evaluation " + requests[0].ctx.evaluationId()
                : "a batch of " + requests.length + " evaluations";
    }

    /** The future of {@code evaluateAsync}: cancelling it cancels the tasks. */
    static final class EvaluationFuture extends CompletableFuture<Double> {
        private final Dispatch dispatch;

        EvaluationFuture(Dispatch dispatch) {
            this.dispatch = dispatch;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean done = super.cancel(mayInterruptIfRunning);
            if (done && dispatch.tasks != null) {
                dispatch.cancel(new EvaluationCancelledException(dispatch.describe() + " was cancelled"));
            }
            return done;
        }
    }
}
