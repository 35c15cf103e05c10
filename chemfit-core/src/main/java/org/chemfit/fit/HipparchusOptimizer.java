package org.chemfit.fit;

import java.util.ArrayList;
import java.util.List;
import org.hipparchus.analysis.MultivariateFunction;
import org.hipparchus.optim.InitialGuess;
import org.hipparchus.optim.MaxEval;
import org.hipparchus.optim.MaxIter;
import org.hipparchus.optim.OptimizationData;
import org.hipparchus.optim.PointValuePair;
import org.hipparchus.optim.SimpleBounds;
import org.hipparchus.optim.SimpleValueChecker;
import org.hipparchus.optim.nonlinear.scalar.GoalType;
import org.hipparchus.optim.nonlinear.scalar.ObjectiveFunction;
import org.hipparchus.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;
import org.hipparchus.optim.nonlinear.scalar.noderiv.CMAESOptimizer;
import org.hipparchus.optim.nonlinear.scalar.noderiv.NelderMeadSimplex;
import org.hipparchus.optim.nonlinear.scalar.noderiv.PowellOptimizer;
import org.hipparchus.optim.nonlinear.scalar.noderiv.SimplexOptimizer;
import org.hipparchus.random.Well19937c;

/**
 * The Hipparchus methods (Nelder-Mead, Powell, BOBYQA, CMA-ES) behind our ask/tell
 * {@link Optimizer}. Hipparchus optimizers call the objective themselves; to turn that inside out
 * each run drives a fresh Hipparchus optimizer on a thread of its own that hands every point to
 * {@link Run#ask()} and waits for {@link Run#tell}. The two threads strictly alternate, so a run is
 * as deterministic as the method itself.
 *
 * <p>Each coordinate is divided by its scale, so one step size suits parameters of different
 * magnitudes: the size of its start value, or 1 when that is 0; when both its bounds are finite,
 * the smaller of that size and half the bounded range (half the range when the start is 0).
 * Nelder-Mead's initial simplex is Hipparchus's {@code NelderMeadSimplex} built from a step of
 * {@code initialStep} (0.05) in every scaled coordinate: vertex 0 is the start and vertex
 * {@code k} (1 to n) is vertex {@code k - 1} with the {@code k}-th coordinate increased by its
 * step, so the steps add up and the last vertex has every coordinate moved (from (1, 0, -4)
 * without bounds: (1.05, 0, -4), (1.05, 0.05, -4), (1.05, 0.05, -3.8)).
 *
 * <p>Nelder-Mead and Powell have no bounds in Hipparchus: their points (the initial simplex's
 * too) are projected onto the bounds before evaluation, so no point outside them is ever
 * evaluated, and the method is told the projection's loss plus a penalty that grows with the
 * distance outside (so a line search is never flat there); BOBYQA and CMA-ES honour the bounds
 * themselves. A projected point asked again is answered from the last 64
 * losses, not evaluated again. The best point seen is kept by the {@code Fitter}, not here, since
 * Hipparchus drops it when a budget runs out.
 *
 * @implNote Immutable; each {@link #start} creates its own Hipparchus optimizer and thread.
 */
final class HipparchusOptimizer implements Optimizer {

    enum Method {
        NELDER_MEAD("Nelder-Mead"),
        POWELL("Powell"),
        BOBYQA("BOBYQA"),
        CMAES("CMA-ES-hipparchus");

        final String label;

        Method(String label) {
            this.label = label;
        }
    }

    private final Method method;
    private final double relativeTolerance;
    private final double absoluteTolerance;
    private final double initialStep;

    HipparchusOptimizer(Method method, double relativeTolerance, double absoluteTolerance, double initialStep) {
        if (!(relativeTolerance >= 0)
                || !(absoluteTolerance >= 0)
                || !Double.isFinite(relativeTolerance)
                || !Double.isFinite(absoluteTolerance)) {
            throw new IllegalArgumentException("tolerances must be finite numbers >= 0, got relative "
                    + relativeTolerance + " and absolute " + absoluteTolerance);
        }
        if (!(initialStep > 0) || !Double.isFinite(initialStep)) {
            throw new IllegalArgumentException("the initial step must be positive, got " + initialStep);
        }
        this.method = method;
        this.relativeTolerance = relativeTolerance;
        this.absoluteTolerance = absoluteTolerance;
        this.initialStep = initialStep;
    }

    /**
     * @param relative relative tolerance on the loss between iterations
     * @param absolute absolute tolerance on the loss between iterations
     * @return a copy with these tolerances
     */
    HipparchusOptimizer withTolerances(double relative, double absolute) {
        return new HipparchusOptimizer(method, relative, absolute, initialStep);
    }

    @Override
    public String name() {
        return method.label;
    }

    /**
     * @return whether its convergence test is one of loss tolerances: not BOBYQA's, which stops
     *     when its trust region shrinks to its stopping radius, whatever tolerances it is given
     */
    boolean takesTolerances() {
        return method != Method.BOBYQA;
    }

    @Override
    public Run start(Problem problem) {
        int n = problem.dimension();
        if (method == Method.BOBYQA && n < 2) {
            throw new IllegalArgumentException("BOBYQA needs at least 2 free parameters, got " + n
                    + "; use Nelder-Mead or Powell for a one-parameter fit (or least-squares, levenberg-marquardt or"
                    + " L-BFGS-B, which take one too)");
        }
        double[] scale = new double[n];
        for (int i = 0; i < n; i++) {
            double s = Math.abs(problem.start()[i]);
            if (problem.isBoxed(i)) {
                double half = (problem.upper()[i] - problem.lower()[i]) / 2;
                s = s > 0 ? Math.min(s, half) : half;
            }
            scale[i] = s > 0 ? s : 1.0;
        }
        return new HandoffRun(problem, scale);
    }

    @Override
    public String toString() {
        return method.label;
    }

    /** A run whose method lives on its own thread. */
    private final class HandoffRun extends ThreadedRun<Double> {
        private final Problem problem;
        private final double[] scale;
        private boolean waitingForTell;
        /** Losses of recent points, so a projected point asked again is not evaluated again. */
        private final java.util.Map<java.nio.DoubleBuffer, Double> recent =
                new java.util.LinkedHashMap<>(128, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(java.util.Map.Entry<java.nio.DoubleBuffer, Double> eldest) {
                        return size() > 64;
                    }
                };
        /** The size of the first loss told, which scales the penalty outside the bounds. */
        private double reference = Double.NaN;

        /** The start, and its scaled coordinates, which the method is given. */
        private final double[] start;

        private final double[] startInternal;

        HandoffRun(Problem problem, double[] scale) {
            super("chemfit-" + method.label, method.label, "not started");
            this.problem = problem;
            this.scale = scale;
            this.start = problem.start();
            this.startInternal = toInternal(start);
        }

        @Override
        public List<double[]> ask() {
            if (finished) {
                return List.of();
            }
            if (waitingForTell) {
                throw new IllegalStateException("tell the loss of the last point before asking for another");
            }
            double[] x = nextPoint();
            if (x == null) {
                return List.of();
            }
            waitingForTell = true;
            List<double[]> out = new ArrayList<>(1);
            out.add(x);
            return out;
        }

        @Override
        public void tell(List<double[]> points, double[] values) {
            if (!waitingForTell) {
                throw new IllegalStateException("nothing was asked");
            }
            if (points.size() != 1 || values.length != 1) {
                throw new IllegalArgumentException(
                        method.label + " evaluates one point at a time, got " + values.length);
            }
            waitingForTell = false;
            answer(values[0]);
        }

        private double[] toPoint(double[] u) {
            double[] x = new double[u.length];
            for (int i = 0; i < u.length; i++) {
                // the start's own coordinate is the start's value: (x / s) * s may be x and an ulp, which
                // would make the method's first vertex a second, costly run of the start
                x[i] = u[i] == startInternal[i] ? start[i] : u[i] * scale[i];
            }
            return problem.clip(x);
        }

        private double[] toInternal(double[] x) {
            double[] u = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                u[i] = x[i] / scale[i];
            }
            return u;
        }

        private double value(double[] u) {
            double[] x = toPoint(u);
            // Distance, in scaled units, by which the method's point lies outside the bounds.
            double outside = 0;
            for (int i = 0; i < u.length; i++) {
                double d = u[i] - x[i] / scale[i];
                outside += d * d;
            }
            java.nio.DoubleBuffer key = java.nio.DoubleBuffer.wrap(x);
            Double loss = recent.get(key);
            if (loss == null) {
                loss = exchange(x.clone());
                recent.put(key, loss);
                if (Double.isNaN(reference)) {
                    reference = Math.abs(loss);
                }
            }
            if (outside == 0) {
                return loss;
            }
            // A point outside the bounds is evaluated at its projection onto them, and the method is
            // told that loss plus a penalty growing with the distance outside. Without the penalty
            // the loss would be flat outside the bounds, and Powell's line searches (and Nelder-Mead
            // near a bound) would stall there, for instance when the start lies on a bound.
            return loss + outside * (Math.abs(loss) + reference + Double.MIN_NORMAL);
        }

        @Override
        String method() {
            try {
                PointValuePair result = optimize(this::value);
                return "converged (" + method.label + ", loss " + result.getValue() + ")";
            } catch (org.hipparchus.exception.MathIllegalStateException e) {
                // BOBYQA ends this way when rounding stops its quadratic model from improving near
                // the minimum, which Powell's original treats as a normal return. The Fitter keeps
                // the best point, so it is a convergence, not a failure.
                if (e.getSpecifier() == org.hipparchus.optim.LocalizedOptimFormats.TRUST_REGION_STEP_FAILED) {
                    return "converged (" + method.label + ": no further reduction of its model)";
                }
                throw e;
            }
        }

        private PointValuePair optimize(MultivariateFunction f) {
            int n = problem.dimension();
            double[] u0 = toInternal(problem.start());
            double[] lo = toInternal(problem.lower());
            double[] hi = toInternal(problem.upper());
            SimpleValueChecker checker = new SimpleValueChecker(relativeTolerance, absoluteTolerance);
            List<OptimizationData> data = new ArrayList<>(List.of(
                    new ObjectiveFunction(f),
                    GoalType.MINIMIZE,
                    new InitialGuess(u0),
                    new MaxEval(Integer.MAX_VALUE),
                    new MaxIter(Integer.MAX_VALUE)));
            switch (method) {
                case NELDER_MEAD -> {
                    double[] steps = new double[n];
                    java.util.Arrays.fill(steps, initialStep);
                    data.add(new NelderMeadSimplex(steps));
                    return new SimplexOptimizer(checker).optimize(data.toArray(new OptimizationData[0]));
                }
                case POWELL -> {
                    return new PowellOptimizer(Math.max(relativeTolerance, 1e-14), Math.max(absoluteTolerance, 1e-300))
                            .optimize(data.toArray(new OptimizationData[0]));
                }
                case BOBYQA -> {
                    double radius = initialStep;
                    for (int i = 0; i < n; i++) {
                        radius = Math.min(radius, (hi[i] - lo[i]) / 2.0 * 0.999);
                    }
                    data.add(new SimpleBounds(lo, hi));
                    return new BOBYQAOptimizer(2 * n + 1, radius, Math.max(radius * 1e-9, 1e-14))
                            .optimize(data.toArray(new OptimizationData[0]));
                }
                case CMAES -> {
                    double[] sigma = new double[n];
                    for (int i = 0; i < n; i++) {
                        sigma[i] = Math.min(
                                initialStep * 2,
                                Double.isFinite(hi[i] - lo[i]) ? (hi[i] - lo[i]) / 3 : Double.MAX_VALUE);
                    }
                    int lambda = 4 + (int) (3 * Math.log(n));
                    data.add(new SimpleBounds(lo, hi));
                    data.add(new CMAESOptimizer.Sigma(sigma));
                    data.add(new CMAESOptimizer.PopulationSize(lambda));
                    return new CMAESOptimizer(
                                    Integer.MAX_VALUE,
                                    Double.NEGATIVE_INFINITY,
                                    true,
                                    0,
                                    0,
                                    new Well19937c(problem.seed()),
                                    false,
                                    checker)
                            .optimize(data.toArray(new OptimizationData[0]));
                }
                default -> throw new IllegalStateException(method.toString());
            }
        }
    }
}
