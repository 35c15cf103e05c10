package org.chemfit.fit;

import java.util.concurrent.SynchronousQueue;
import org.chemfit.ChemFitException;
import org.chemfit.EvaluationCancelledException;
import org.jspecify.annotations.Nullable;

/**
 * A run whose method is a library's blocking loop living on a thread of its own: each point the
 * method wants is handed to the caller (who evaluates it) and the answer handed back, so the
 * method's callbacks become ask/tell batches. The subclass says what the method is
 * ({@link #method()}) and what an answer is ({@code A}).
 *
 * @param <A> what the caller tells the method for one asked point
 * @implNote One caller drives a run; the hand-off between the caller and the method's thread goes
 *     through synchronous queues.
 */
abstract class ThreadedRun<A> implements Optimizer.Run {

    /** To the caller: a point ({@code double[]}), then a stop reason ({@code String}) or a failure. */
    private final SynchronousQueue<Object> toCaller = new SynchronousQueue<>();

    private final SynchronousQueue<A> toMethod = new SynchronousQueue<>();
    private final String threadName;
    private final String label;
    private @Nullable Thread thread;
    boolean finished;
    String stop;

    /**
     * @param threadName the name of the method's thread
     * @param label the method's name in messages
     * @param stop the stop reason before the method stops
     */
    ThreadedRun(String threadName, String label, String stop) {
        this.threadName = threadName;
        this.label = label;
        this.stop = stop;
    }

    /**
     * Runs the method to its end, on the method's thread.
     *
     * @return why it stopped
     * @throws Stopped when the run was closed ({@link #exchange} throws it)
     */
    abstract String method();

    /**
     * On the caller's thread: starts the method if needed and waits for its next point.
     *
     * @return the point the method asks, or null once it stopped (then {@link #finished} is set)
     * @throws ChemFitException when the method failed
     * @throws EvaluationCancelledException when the caller is interrupted while waiting
     */
    final double @Nullable [] nextPoint() {
        if (thread == null) {
            Thread t = new Thread(this::runMethod, threadName);
            thread = t;
            t.setDaemon(true);
            t.start();
        }
        Object o;
        try {
            o = toCaller.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new EvaluationCancelledException("interrupted while waiting for " + label, e);
        }
        if (o instanceof double[] x) {
            return x;
        }
        finished = true;
        if (o instanceof Throwable t) {
            stop = "failed: " + t.getMessage();
            throw new ChemFitException(label + " failed: " + t.getMessage(), t);
        }
        stop = (String) o;
        return null;
    }

    /**
     * On the caller's thread: hands the answer for the last point to the method.
     *
     * @param answer what the caller computed
     * @throws EvaluationCancelledException when the caller is interrupted meanwhile
     */
    final void answer(A answer) {
        try {
            toMethod.put(answer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new EvaluationCancelledException("interrupted while telling " + label, e);
        }
    }

    /**
     * On the method's thread: asks the caller about a point and waits for the answer.
     *
     * @param x the point (the caller receives it as given)
     * @return the caller's answer
     * @throws Stopped when the run is closed meanwhile
     */
    final A exchange(double[] x) {
        try {
            toCaller.put(x);
            return toMethod.take();
        } catch (InterruptedException e) {
            throw new Stopped();
        }
    }

    private void runMethod() {
        Object outcome;
        try {
            outcome = method();
        } catch (Stopped s) {
            return;
        } catch (Throwable t) {
            outcome = t;
        }
        try {
            toCaller.put(outcome);
        } catch (InterruptedException e) {
            // closed by the caller: nobody is waiting
        }
    }

    @Override
    public final String stopReason() {
        return stop;
    }

    @Override
    public final void close() {
        finished = true;
        Thread t = thread;
        if (t != null && t.isAlive()) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Unwinds the method's thread when its run is closed. */
    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super(null, null, false, false);
        }
    }
}
