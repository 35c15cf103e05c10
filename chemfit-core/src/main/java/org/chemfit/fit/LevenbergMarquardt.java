package org.chemfit.fit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.chemfit.ChemFitException;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.RealVector;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresBuilder;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LeastSquaresOptimizer;
import org.hipparchus.optim.nonlinear.vector.leastsquares.LevenbergMarquardtOptimizer;
import org.hipparchus.util.Pair;
import org.jspecify.annotations.Nullable;

/**
 * Levenberg-Marquardt from Hipparchus ({@code LevenbergMarquardtOptimizer}, a translation of
 * MINPACK's {@code lmder}) behind our ask/tell {@link Optimizer}. Hipparchus calls its model
 * itself, asking for the residuals and the Jacobian at a point together; the method runs on a
 * thread of its own and each such call becomes one batch: the point and the {@code n} displaced
 * points of its forward-difference Jacobian (see {@link FiniteDifferences}). Hipparchus's
 * Levenberg-Marquardt has no bounds; its parameter validator projects every point onto them, so no
 * point outside is evaluated (a parameter that runs into a bound stays there, which the bounded
 * {@code least-squares} method handles better). As in {@code least-squares}, a parameter whose
 * lower bound is positive is fitted as its logarithm.
 *
 * @implNote Immutable; each {@link #start} creates its own Hipparchus optimizer and thread.
 */
final class LevenbergMarquardt implements Optimizer {

    private final double relativeStep;
    private final double costTolerance;

    LevenbergMarquardt(double relativeStep) {
        this(relativeStep, 1e-8);
    }

    LevenbergMarquardt(double relativeStep, double costTolerance) {
        this.relativeStep = relativeStep;
        this.costTolerance = costTolerance;
    }

    /**
     * @param relative the relative tolerance on the cost (Hipparchus's costRelativeTolerance)
     * @return a copy with it
     */
    LevenbergMarquardt withTolerance(double relative) {
        return new LevenbergMarquardt(relativeStep, relative);
    }

    /** @return the relative step of its finite differences, or NaN for the default {@code 1.49e-8} */
    double relativeStep() {
        return relativeStep;
    }

    /**
     * @param step the relative finite-difference step of the Jacobian
     * @return a copy with it
     */
    LevenbergMarquardt withRelativeStep(double step) {
        return new LevenbergMarquardt(step, costTolerance);
    }

    @Override
    public String name() {
        return "levenberg-marquardt";
    }

    @Override
    public boolean needsResiduals() {
        return true;
    }

    @Override
    public Run start(Problem problem) {
        return new LmRun(problem);
    }

    /** A run whose method lives on its own thread. */
    private final class LmRun extends ThreadedRun<List<double[]>> {
        final Problem problem;
        final FiniteDifferences fd;

        @Nullable
        List<double[]> asked;
        /** The start point's batch and residuals, answered without asking again. */
        double[] startX;

        List<double[]> startResiduals;
        List<double[]> startBatch;

        /** Whether coordinate i is fitted as log(x_i) (its lower bound is positive), as in least-squares. */
        final boolean[] log;

        // the start point's batch and residuals are set by the first ask and tell, before any read (NullAway.Init)
        @SuppressWarnings("NullAway.Init")
        LmRun(Problem problem) {
            super("chemfit-levenberg-marquardt", "Levenberg-Marquardt", "running");
            this.problem = problem;
            this.fd = new FiniteDifferences(problem, false, relativeStep);
            this.log = new boolean[problem.dimension()];
            for (int i = 0; i < log.length; i++) {
                log[i] = problem.lower()[i] > 0;
            }
        }

        private double[] toX(double[] u) {
            double[] x = new double[u.length];
            for (int i = 0; i < u.length; i++) {
                x[i] = log[i] ? Math.exp(u[i]) : u[i];
            }
            return problem.clip(x);
        }

        private double[] toU(double[] x) {
            double[] u = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                u[i] = log[i] ? Math.log(x[i]) : x[i];
            }
            return u;
        }

        private List<double[]> batch(double[] x) {
            List<double[]> out = new ArrayList<>();
            out.add(x);
            out.addAll(fd.displaced(x));
            return out;
        }

        @Override
        public List<double[]> ask() {
            if (finished) {
                return List.of();
            }
            if (asked != null) {
                throw new IllegalStateException("tell the losses of the last batch before asking for another");
            }
            if (startResiduals == null) {
                startX = problem.start();
                asked = batch(startX);
                startBatch = asked;
                return new ArrayList<>(asked);
            }
            double[] x = nextPoint();
            if (x == null) {
                return List.of();
            }
            asked = batch(x);
            return new ArrayList<>(asked);
        }

        @Override
        public void tell(List<double[]> points, double[] values) {
            throw new ChemFitException("levenberg-marquardt needs the residuals of every point, not only the losses");
        }

        @Override
        public void tell(List<double[]> points, double[] values, List<double[]> residuals) {
            if (asked == null) {
                throw new IllegalStateException("nothing was asked");
            }
            asked = null;
            if (startResiduals == null) {
                for (double[] r : residuals) {
                    if (r == null || !TrustRegionLeastSquares.allFinite(r) || r.length != residuals.get(0).length) {
                        finished = true;
                        stop = "failed: no finite residuals at the start";
                        throw new ChemFitException(
                                "levenberg-marquardt cannot start: the residuals at the start point or at a"
                                        + " displaced point of its Jacobian are missing or not finite");
                    }
                }
                String unmoved = fd.unmovedAtStart(
                        "levenberg-marquardt", points.get(0), residuals.get(0), residuals.subList(1, residuals.size()));
                if (unmoved != null) {
                    finished = true;
                    stop = "failed: no residual changed at the displaced points of the start";
                    throw new ChemFitException(unmoved);
                }
                startResiduals = new ArrayList<>(residuals);
                return;
            }
            answer(new ArrayList<>(residuals));
        }

        /** The model Hipparchus calls: residuals and Jacobian at a point, from one batch. */
        private Pair<RealVector, RealMatrix> model(RealVector point) {
            double[] x = toX(point.toArray());
            List<double[]> rs;
            List<double[]> pts;
            if (Arrays.equals(x, startX)) {
                rs = startResiduals;
                pts = startBatch;
            } else {
                rs = exchange(x.clone());
                pts = batch(x);
            }
            int m = startResiduals.get(0).length;
            boolean good = true;
            for (double[] r : rs) {
                good &= r != null && r.length == m && TrustRegionLeastSquares.allFinite(r);
            }
            if (!good) {
                // a bad point: residuals so large that the method rejects the step and shrinks it
                double[] big = new double[m];
                Arrays.fill(big, 1e100 / Math.sqrt(m));
                return new Pair<>(new ArrayRealVector(big, false), new Array2DRowRealMatrix(m, x.length));
            }
            double[][] jac = fd.jacobian(x, rs.get(0), pts.subList(1, pts.size()), rs.subList(1, rs.size()));
            for (double[] row : jac) {
                for (int i = 0; i < x.length; i++) {
                    row[i] *= log[i] ? x[i] : 1.0;
                }
            }
            return new Pair<>(new ArrayRealVector(rs.get(0)), new Array2DRowRealMatrix(jac, false));
        }

        @Override
        String method() {
            try {
                int m = startResiduals.get(0).length;
                LeastSquaresBuilder b = new LeastSquaresBuilder()
                        .start(toU(startX))
                        .model(this::model)
                        .target(new double[m])
                        .parameterValidator(v -> new ArrayRealVector(toU(toX(v.toArray())), false))
                        .maxEvaluations(Integer.MAX_VALUE)
                        .maxIterations(Integer.MAX_VALUE);
                LeastSquaresOptimizer.Optimum o = new LevenbergMarquardtOptimizer()
                        .withCostRelativeTolerance(Math.max(costTolerance, 1e-15))
                        .withParameterRelativeTolerance(1e-8)
                        .withOrthoTolerance(1e-8)
                        .optimize(b.build());
                double cost = o.getCost();
                return "converged (levenberg-marquardt, loss " + cost * cost + " after " + o.getIterations()
                        + " iterations)";
            } catch (org.hipparchus.exception.MathIllegalStateException e) {
                // tolerances too small for rounding: MINPACK's "no further reduction possible", a convergence
                return "converged (levenberg-marquardt: " + e.getMessage() + ")";
            }
        }
    }
}
