package org.chemfit.fit;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The ask/tell bookkeeping shared by the gradient methods whose every batch is one point and the
 * {@code n} points displaced from it for a forward-difference Jacobian (L-BFGS-B and the
 * trust-region least-squares methods): the batch being evaluated, whether the run is done and
 * why it stopped.
 *
 * @implNote Not thread-safe: one run is driven by one caller.
 */
abstract class ForwardDifferenceRun implements Optimizer.Run {

    final Problem problem;
    final int n;
    final FiniteDifferences fd;
    /** The batch asked and not yet told, or null. */
    private @Nullable List<double[]> asked;

    boolean done;
    private String stop = "running";

    /**
     * @param problem the problem of the run
     * @param relativeStep the relative step of the differences, or NaN for the default
     */
    ForwardDifferenceRun(Problem problem, double relativeStep) {
        this.problem = problem;
        this.n = problem.dimension();
        this.fd = new FiniteDifferences(problem, false, relativeStep);
    }

    /**
     * @return whether a batch may be asked (false once the run is done)
     * @throws IllegalStateException when the last batch was not told yet
     */
    final boolean mayAsk() {
        if (done) {
            return false;
        }
        if (asked != null) {
            throw new IllegalStateException("tell the losses of the last batch before asking for another");
        }
        return true;
    }

    /**
     * @param x the point (kept as given)
     * @return a copy of the batch now asked: {@code x} then its displaced points
     */
    final List<double[]> batch(double[] x) {
        List<double[]> out = new ArrayList<>(n + 1);
        out.add(x);
        out.addAll(fd.displaced(x));
        asked = out;
        return new ArrayList<>(out);
    }

    /**
     * @param x the point (kept as given)
     * @return a copy of the batch now asked: {@code x} alone, without displaced points
     */
    final List<double[]> single(double[] x) {
        List<double[]> out = new ArrayList<>(1);
        out.add(x);
        asked = out;
        return new ArrayList<>(out);
    }

    /**
     * @return the batch asked, which is no longer pending
     * @throws IllegalStateException when nothing was asked
     */
    final List<double[]> told() {
        if (asked == null) {
            throw new IllegalStateException("nothing was asked");
        }
        List<double[]> b = asked;
        asked = null;
        return b;
    }

    /** Ends the run with the given reason. */
    final void finish(String why) {
        done = true;
        stop = why;
    }

    @Override
    public final String stopReason() {
        return stop;
    }

    @Override
    public final void close() {
        done = true;
    }
}
