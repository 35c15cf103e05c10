package org.chemfit.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.chemfit.TermRecorder;
import org.jspecify.annotations.Nullable;

/**
 * One leaf term of one evaluation request: the unit of work a {@link TaskRunner} runs. The
 * scheduler flattens every request into leaf tasks, hands them to the runner, and reduces the
 * filled contexts in term order once every task is finished; a runner only has to get each
 * task's {@link #context()} filled and then report the task finished.
 *
 * <p>A task is finished in exactly one of two ways:
 * <ul>
 *   <li>locally, by calling {@link #run()} on some thread (what an executor does); or</li>
 *   <li>remotely: {@link #tryStart()} (which replays a leaf the journal already holds and then
 *       returns false), ship {@link #path()}, {@link #parameters()} and {@link #evaluationId()}
 *       to a worker that holds the same objective, evaluate there with
 *       {@link Terms#evaluateLeaf}, and hand the result back to {@link #complete(EvaluationContext)};
 *       or call {@link #fail(Throwable)} when no worker could run it at all.</li>
 * </ul>
 *
 * <pre>{@code
 * // a remote runner, in outline
 * public void dispatch(LeafTask task) {
 *     if (!task.tryStart()) return;                 // cancelled before it started
 *     task.onCancel(() -> cluster.cancel(task.evaluationId(), task.path()));
 *     cluster.submit(task.evaluationId(), task.path(), task.parameters(),   // worker: Terms.evaluateLeaf(...)
 *             result -> task.complete(result.toContext()));
 * }
 * }</pre>
 *
 * @implNote Thread-safe: the state moves NEW, RUNNING, DONE (or NEW, CANCELLED, or RUNNING,
 *     INTERRUPTING, INTERRUPTED, DONE) by compare-and-set, so a task runs at most once and is
 *     counted finished exactly once. The context is written only by the thread that runs the task
 *     until it is finished; finishing publishes it to the thread that reduces.
 */
public final class LeafTask implements Runnable {

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int INTERRUPTING = 2;
    private static final int INTERRUPTED = 3;
    private static final int CANCELLED = 4;
    private static final int DONE = 5;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(LeafTask.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The runner whose task the current thread is running, for the deadlock guard. */
    private static final ThreadLocal<TaskRunner> CURRENT = new ThreadLocal<>();

    final Dispatch dispatch;
    final Request request;
    /** The task's position in its dispatch, which is term order across the flattened tree. */
    final int position;

    private final CombinedObjectiveFunction parent;
    private final int index;
    private final int[] path;
    private final EvaluationContext context;
    /** Whether a failure of this leaf fails the whole request (RAISE all the way up). */
    final boolean raisesToRoot;

    private volatile int state;
    /**
     * Set when a running task is cancelled: its state ends DONE like any finished task's, and
     * this keeps {@link #isCancelled()} true afterwards.
     */
    private volatile boolean cancelledWhileRunning;

    private volatile @Nullable Thread runner;
    private volatile @Nullable Runnable cancelHook;
    /** Claimed by {@link #tryStart()}: run elsewhere, so the recorder is told here on completion. */
    private boolean remote;

    LeafTask(
            Dispatch dispatch,
            Request request,
            int position,
            CombinedObjectiveFunction parent,
            int index,
            int[] path,
            EvaluationContext context,
            boolean raisesToRoot) {
        this.dispatch = dispatch;
        this.request = request;
        this.position = position;
        this.parent = parent;
        this.index = index;
        this.path = path;
        this.context = context;
        this.raisesToRoot = raisesToRoot;
    }

    /** @return the root objective of the request this task belongs to */
    public CombinedObjectiveFunction root() {
        return request.root;
    }

    /** @return the combined objective that holds this leaf directly */
    public CombinedObjectiveFunction parent() {
        return parent;
    }

    /** @return the leaf's index within {@link #parent()} */
    public int index() {
        return index;
    }

    /**
     * @return the term indices from the root down to this leaf (a copy): {@code {2, 0}} is term 0
     *     of the combined objective that is term 2 of the root
     */
    public int[] path() {
        return path.clone();
    }

    /** @return the path as the context writes it, for example {@code "2.0"} */
    public String pathString() {
        return context.path();
    }

    /** @return the leaf term itself */
    public ObjectiveFunction term() {
        return parent.terms().get(index);
    }

    /** @return the leaf's name in its parent */
    public String termName() {
        return parent.termNames().get(index);
    }

    /** @return the parameters of the request */
    public Parameters parameters() {
        return request.ctx.parameters();
    }

    /** @return the evaluation id of the request (shared by all its leaves) */
    public String evaluationId() {
        return request.ctx.evaluationId();
    }

    /** @return the leaf's context, to be filled by whoever runs the task */
    public EvaluationContext context() {
        return context;
    }

    /**
     * Runs the leaf on the calling thread and reports it finished; does nothing when the task
     * was cancelled or already started elsewhere. What a local executor calls.
     */
    @Override
    public void run() {
        if (!STATE.compareAndSet(this, NEW, RUNNING)) {
            return;
        }
        Thread t = Thread.currentThread();
        runner = t;
        TaskRunner previous = CURRENT.get();
        CURRENT.set(dispatch.runner);
        try {
            // a cancel that saw RUNNING before runner was set could not interrupt us: check again
            if (state == RUNNING) {
                execute();
            }
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
            runner = null;
            finish(true);
        }
    }

    private void execute() {
        try {
            Terms.runTerm(parent, index, request.ctx.parameters(), context);
        } catch (EvaluationCancelledException e) {
            if (!isCancelled()) {
                // interrupted by someone else (an executor shut down now): the whole dispatch stops
                dispatch.cancel(e);
            }
            return;
        } catch (RuntimeException e) {
            // runTerm records a term's own failures; this is a recorder or the runtime failing
            context.fail(TermFailedException.wrap(termName(), index, request.ctx.parameters(), e));
        } catch (Error e) {
            // not a term failure: serial evaluation lets an Error through whatever the failure policy,
            // so the whole dispatch stops and its caller gets the Error
            dispatch.fatal(e);
            return;
        }
        if (raisesToRoot && context.status() == EvaluationContext.Status.FAILED) {
            request.abort(this);
        }
    }

    /**
     * Claims the task for a runner that evaluates it elsewhere.
     *
     * @return true when the task is now the caller's to finish with {@link #complete()} or
     *     {@link #fail(Throwable)}; false when it was cancelled (or already claimed): then do nothing
     */
    public boolean tryStart() {
        if (!STATE.compareAndSet(this, NEW, RUNNING)) {
            return false;
        }
        // the journal lives with the scheduler: a recorded leaf is replayed here, never shipped
        if (Replay.fromRecorder(context.recorder(), context)) {
            context.timed(
                    EvaluationContext.nowEpochNanos(), 0, Thread.currentThread().getName());
            finish(false);
            return false;
        }
        remote = true;
        return true;
    }

    /**
     * Completes a claimed task with the result of a remote run: copies the value, status,
     * quantities, metadata, failure and timing of {@code result} into {@link #context()}, then
     * {@link #complete()}s.
     *
     * @param result a context filled by {@link Terms#evaluateLeaf} (or rebuilt from its fields)
     * @throws IllegalStateException when the task was not claimed by {@link #tryStart()}
     */
    public void complete(EvaluationContext result) {
        boolean failed = result.status() == EvaluationContext.Status.FAILED
                || result.status() == EvaluationContext.Status.PENDING;
        context.adopt(
                result.status(),
                failed ? context.value() : result.value(),
                result.quantities(),
                result.metadata(),
                failed ? result.failure() : null);
        long duration = result.endEpochNanos() - result.startEpochNanos();
        context.timed(result.startEpochNanos(), Math.max(0, duration), result.threadName());
        complete();
    }

    /**
     * Reports a task claimed by {@link #tryStart()} finished, its {@link #context()} filled. When
     * the leaf failed under a RAISE policy all the way up, the rest of its request is cancelled.
     *
     * @throws IllegalStateException when the task was not claimed by {@link #tryStart()}
     * @throws RuntimeException what the context's {@link TermRecorder} threw when told that the
     *     term finished: the task is then not finished, and still the caller's to {@link #fail}
     */
    public void complete() {
        requireClaimed();
        record();
        end();
    }

    /**
     * Reports that a claimed task could not be run at all (the worker is gone and no other could
     * take it): the failure is recorded as the term's failure and the task finished. The task is
     * finished even when the context's {@link TermRecorder} fails to record the failure: what the
     * recorder threw is added to the failure as a suppressed exception.
     *
     * @param cause why it could not run
     * @throws IllegalStateException when the task was not claimed by {@link #tryStart()}
     */
    public void fail(Throwable cause) {
        requireClaimed();
        if (!isCancelled()) {
            context.fail(TermFailedException.wrap(termName(), index, request.ctx.parameters(), cause));
        }
        try {
            record();
        } catch (RuntimeException e) {
            // the recorder failed (a journal that cannot write): the task still ends, with its failure
            Throwable failure = context.failure();
            if (failure != null && failure != e) {
                failure.addSuppressed(e);
            }
        }
        end();
    }

    private void requireClaimed() {
        int s = state;
        if (s == NEW || s == CANCELLED || s == DONE) {
            throw new IllegalStateException(
                    "task " + pathString() + " of " + evaluationId() + " was not started with tryStart()");
        }
    }

    /** Tells the recorder that a term run elsewhere finished. */
    private void record() {
        if (remote && !isCancelled()) {
            TermRecorder recorder = context.recorder();
            if (recorder != null) {
                recorder.finished(context);
            }
        }
    }

    /** Finishes a claimed task, cancelling the rest of its request when it failed under RAISE. */
    private void end() {
        if (raisesToRoot && context.status() == EvaluationContext.Status.FAILED) {
            request.abort(this);
        }
        finish(false);
    }

    /**
     * Sets what to do when a claimed, running task is cancelled (tell the remote worker to stop).
     * The task still counts as running until {@link #complete()} is called: the scheduler waits
     * for it, so nothing runs on after an evaluation returned. The hook may run more than once and
     * on any thread; keep it short and idempotent. The hook must not call {@link #complete()} or
     * {@link #fail(Throwable)} itself (they wait for the hook to return): send the stop request and
     * complete the task from the thread that receives the worker's answer.
     *
     * @param hook the cancellation action
     */
    public void onCancel(Runnable hook) {
        cancelHook = hook;
        int s = state;
        if (s == INTERRUPTING || s == INTERRUPTED) {
            hook.run();
        }
    }

    /** @return whether the task was cancelled (before or while it ran) */
    public boolean isCancelled() {
        int s = state;
        return s == CANCELLED || s == INTERRUPTING || s == INTERRUPTED || cancelledWhileRunning;
    }

    /**
     * Tells the task that its executor dropped it without running it (a pool shut down now). When
     * it has not started and no waiting caller runs it instead, the whole evaluation (or batch) it
     * belongs to is cancelled: its other tasks too, and the caller, or the future of {@code
     * evaluateAsync}, gets an {@link EvaluationCancelledException} saying why instead of waiting
     * for a task that will never run. A task already started (by a caller that runs tasks itself)
     * or finished is left alone.
     *
     * @param by what dropped the task, said to the caller ("the pool was shut down")
     */
    public void abandon(String by) {
        if (state != NEW || dispatch.settledWithoutWorkers()) {
            return;
        }
        dispatch.cancel(new EvaluationCancelledException(
                by + " before term '" + termName() + "' of " + evaluationId() + " started"));
    }

    /** @return whether no one has started the task, nor cancelled it */
    boolean notStarted() {
        return state == NEW;
    }

    /**
     * Cancels the task if it has not started.
     *
     * @return whether it was pending and is now cancelled
     */
    boolean cancelPending() {
        if (STATE.compareAndSet(this, NEW, CANCELLED)) {
            dispatch.taskFinished();
            return true;
        }
        return false;
    }

    /**
     * Cancels the task: a pending one never runs, a running one is interrupted. To cancel many,
     * call {@link #cancelPending()} on all first: interrupting one frees a worker that would
     * otherwise start the next pending task.
     */
    void cancel() {
        if (cancelPending()) {
            return;
        }
        if (STATE.compareAndSet(this, RUNNING, INTERRUPTING)) {
            cancelledWhileRunning = true;
            try {
                Thread t = runner;
                if (t != null) {
                    t.interrupt();
                }
                Runnable hook = cancelHook;
                if (hook != null) {
                    hook.run();
                }
            } finally {
                state = INTERRUPTED;
            }
        }
    }

    private void finish(boolean local) {
        if (!STATE.compareAndSet(this, RUNNING, DONE)) {
            while (state == INTERRUPTING) {
                Thread.onSpinWait();
            }
            if (local) {
                // the interrupt was meant for this task, not for whatever the thread runs next
                Thread.interrupted();
            }
            state = DONE;
        }
        dispatch.taskFinished();
    }

    /**
     * @param r a runner
     * @return whether the calling thread is running a task of that runner right now
     */
    static boolean insideTaskOf(TaskRunner r) {
        TaskRunner current = CURRENT.get();
        return current != null && current.equals(r);
    }

    @Override
    public String toString() {
        return "LeafTask[" + evaluationId() + " " + pathString() + " '" + termName() + "']";
    }
}
