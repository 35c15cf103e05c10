package org.chemfit.schedule;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.TermFailedException;
import org.chemfit.internal.DispatchScheduler;
import org.chemfit.internal.TaskRunner;
import org.jspecify.annotations.Nullable;

/**
 * Wraps a {@link CombinedObjectiveFunction} so that one evaluation runs its terms concurrently:
 * one task per leaf term on a thread pool, results gathered and reduced in term order. It stays a
 * drop-in objective for the {@code Fitter}, which hands it a population method's whole generation
 * through {@link #evaluateMany} (every leaf of every point is one task).
 *
 * <pre>{@code
 * ExecutorService executor = new ThreadPoolExecutor(4, 4, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
 * try (AsyncWrapperCOB objective = new AsyncWrapperCOB(combined, executor)) {
 *     FitResult r = new Fitter(objective, initial).fit();         // at most 4 terms at once
 *     CompletableFuture<Double> later = objective.evaluateAsync(r.bestParameters());
 * }
 * executor.shutdown();
 * }</pre>
 *
 * <p><b>Threads.</b> Given an executor, the wrapper uses it and never shuts it down: pass a
 * {@code ThreadPoolExecutor} of N threads to run at most N terms at once. Without one, it creates
 * a pool of daemon threads of its own, sized from the number of leaf terms and capped at
 * {@value #DEFAULT_MAX_THREADS}; a batch grows it up to leaf terms times points (same cap); idle
 * threads end after a minute, and {@link #close()} shuts the pool down. With its own pool, a
 * thread blocked in {@code evaluate} does not sit idle: it runs terms that no worker has started
 * yet (the last ones in term order), which saves a hand-off per evaluation; with a given executor
 * it does so only as the deadlock guard below says, so the executor's size is a limit.
 *
 * <p><b>Deadlock guard.</b> A blocking {@code evaluate} called from a thread of the very pool it
 * would wait on (a wrapper nested as a term of another wrapper, both on one bounded pool) cannot
 * wait for free workers: they may all be the outer terms, waiting too. It detects this (the
 * calling thread is running a task of the same executor, or is a worker of that
 * {@code ForkJoinPool}) and runs its own not-yet-started tasks inline on the calling thread, so it
 * finishes instead of hanging; concurrency stays within the pool, only the nested terms run
 * serially on that thread. To get them concurrent as well, give the inner wrapper an executor of
 * its own (or none: its default pool) rather than sharing the outer one. Waiting on the future of
 * {@link #evaluateAsync} from a pool thread is not guarded: use {@code evaluate} there. Nor is a
 * caller that is a worker of a plain {@code ThreadPoolExecutor} given to the wrapper (the
 * application's own task on the pool it also gives the wrapper, or three such tasks on a pool of
 * two): such a pool cannot tell whether a thread is its own, and running the terms on any waiting
 * pool worker would let callers on another pool exceed the size of the one they were given. Such
 * a caller whose terms have not moved for 10 s logs a warning that names the cause; give the
 * wrapper a pool of its own, or a {@code ForkJoinPool}.
 *
 * <p><b>Cancellation.</b> Interrupting the thread blocked in {@code evaluate}, or cancelling the
 * future of {@code evaluateAsync}, cancels the tasks not started and interrupts the running ones.
 * {@code evaluate} then waits until no task of this evaluation is running any more before it
 * throws {@link EvaluationCancelledException} (leaving the thread interrupted): nothing keeps
 * running after it has returned or thrown. Terms must therefore answer an interrupt (blocking
 * calls do; a busy loop should check {@code Thread.interrupted()}). A term that throws an unchecked
 * exception whose direct cause is an {@link InterruptedException} (a lambda's way out of a blocking
 * call: {@code throw new RuntimeException(e)}) is taken as interrupted, whether or not it set the thread's flag again: the evaluation is cancelled,
 * not failed, and no failure policy runs the term again.
 *
 * <p><b>Timing.</b> Each term's context records its start, end and thread (see
 * {@link EvaluationContext#toMap(boolean)} with timing), so overlap can be seen.
 *
 * <p>When a term throws, its combined objective's failure policy decides, exactly as in serial
 * evaluation (a term of weight 0 has its failure recorded, and it cancels nothing and fails
 * nothing); under RAISE a failed term cancels every other term of its evaluation at once
 * (pending ones never start, running ones are interrupted and their programs killed), and the
 * first failure to happen is thrown as a {@link TermFailedException} naming the term (index and
 * name). Serial evaluation runs terms in order, so there the first to happen is the first in term order.
 * An {@link Error} thrown by a term (a failed assertion, a stack overflow) is no term failure, in
 * serial evaluation or here: the other terms are cancelled and the Error reaches the caller, the
 * future of {@code evaluateAsync} completing with it.
 *
 * @implNote Thread-safe: many threads may evaluate through one wrapper at once; each evaluation
 *     has its own state. The wrapped objective's terms must be thread-safe (they are meant to be:
 *     per-call state lives in the context).
 */
public final class AsyncWrapperCOB extends AbstractWrapperCOB {

    /** The most threads the wrapper's own pool ever has. */
    static final int DEFAULT_MAX_THREADS = 64;

    private final @Nullable ThreadPoolExecutor ownPool;
    private volatile boolean closed;

    /**
     * Wraps an objective and runs its terms on the caller's executor, which is never shut down here.
     *
     * @param objective the objective whose terms run concurrently
     * @param executor where they run: a {@code ThreadPoolExecutor} (its size limits concurrency), a
     *     {@code ForkJoinPool}, or {@code Runnable::run} to run them on the calling thread
     */
    public AsyncWrapperCOB(CombinedObjectiveFunction objective, Executor executor) {
        super(
                Objects.requireNonNull(objective, "objective"),
                new DispatchScheduler(TaskRunner.of(Objects.requireNonNull(executor, "executor"))));
        this.ownPool = null;
    }

    /**
     * Wraps an objective and runs its terms on a pool of its own: one thread per leaf term, at
     * most {@value #DEFAULT_MAX_THREADS}. A thread blocked in {@code evaluate} runs terms as well
     * (those no pool thread has started), so one evaluation of 100 terms runs 65 at once. Close
     * the wrapper to end the pool.
     *
     * @param objective the objective whose terms run concurrently
     */
    public AsyncWrapperCOB(CombinedObjectiveFunction objective) {
        this(
                objective,
                ExecutorScheduler.newPool(
                        Math.min(Objects.requireNonNull(objective, "objective").leafCount(), DEFAULT_MAX_THREADS),
                        "chemfit-async"));
    }

    private AsyncWrapperCOB(CombinedObjectiveFunction objective, ThreadPoolExecutor ownPool) {
        super(objective, new DispatchScheduler(TaskRunner.of(ownPool), true));
        this.ownPool = ownPool;
    }

    @Override
    protected boolean isClosed() {
        return closed;
    }

    /** With its own pool, grows it for a batch: leaf terms times points, at most {@value #DEFAULT_MAX_THREADS}. */
    @Override
    protected void beforeBatch(int requests) {
        if (ownPool != null) {
            grow((long) objective().leafCount() * requests);
        }
    }

    private void grow(long wanted) {
        ThreadPoolExecutor pool = Objects.requireNonNull(ownPool, "grows only the pool it owns");
        int n = (int) Math.min(wanted, DEFAULT_MAX_THREADS);
        synchronized (pool) {
            if (pool.getCorePoolSize() < n) {
                pool.setMaximumPoolSize(n);
                pool.setCorePoolSize(n);
                pool.prestartAllCoreThreads();
            }
        }
    }

    /**
     * Stops accepting evaluations and shuts down the pool the wrapper created (never a given
     * executor): terms still running on it are given up to 30 seconds to finish, then cancelled, as
     * an interrupt cancels them (an external program's process tree is killed, and its evaluation's
     * future fails with {@link org.chemfit.EvaluationCancelledException}), and an evaluation
     * with terms not started by then is cancelled as well, its future failing with an {@code
     * EvaluationCancelledException} that says so (a blocking {@code evaluate} runs such terms on
     * its own thread instead, and returns its value). A thread interrupted
     * while it closes stops waiting at once. Wait for the futures before closing to let a long
     * simulation finish. Returns at once with a given executor, whose tasks run on.
     */
    @Override
    public void close() {
        closed = true;
        if (ownPool != null) {
            ExecutorScheduler.shutdown(ownPool);
        }
    }
}
