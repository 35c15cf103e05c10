package org.chemfit.fit;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The optimization methods, by name. Where SciPy has the same algorithm the name is SciPy's, so
 * ChemFit's {@code fitter.fit_scipy(method="Powell")} becomes {@code fitter.fit("Powell")}.
 *
 * <table>
 *   <caption>Methods</caption>
 *   <tr><th>name</th><th>algorithm</th><th>from</th></tr>
 *   <tr><td>Nelder-Mead</td><td>downhill simplex; the initial simplex is the start point and one more vertex per
 *       free parameter, each the previous vertex with the next parameter increased by 5% of its scale (the size of
 *       its start value, or 1 for a start of 0; with both bounds finite, at most half the bounded range, and half
 *       the range for a start of 0), so the steps add up: from (1, 0, -4) without bounds, (1.05, 0, -4),
 *       (1.05, 0.05, -4), (1.05, 0.05, -3.8)</td><td>Hipparchus {@code SimplexOptimizer}</td></tr>
 *   <tr><td>Powell</td><td>Powell's conjugate directions</td><td>Hipparchus {@code PowellOptimizer}</td></tr>
 *   <tr><td>BOBYQA</td><td>Powell's bound-constrained quadratic model</td><td>Hipparchus {@code BOBYQAOptimizer}</td></tr>
 *   <tr><td>CMA-ES</td><td>CMA-ES in ask/tell form: a whole generation per ask, evaluated at once by a
 *       {@code BatchObjectiveFunction}</td><td>written from N. Hansen, "The CMA Evolution Strategy: A
 *       Tutorial", arXiv:1604.00772</td></tr>
 *   <tr><td>CMA-ES-hipparchus</td><td>CMA-ES, one candidate at a time</td><td>Hipparchus {@code CMAESOptimizer}</td></tr>
 *   <tr><td>least-squares (least-squares-trf)</td><td>bounded trust-region reflective least squares; trial point
 *       and forward-difference Jacobian asked as one batch</td><td>written from Branch, Coleman and Li, SIAM J. Sci.
 *       Comput. 21 (1999) 1-23; Hipparchus SVD</td></tr>
 *   <tr><td>L-BFGS-B</td><td>limited-memory BFGS with bounds; loss and forward-difference gradient asked as one
 *       batch</td><td>written from Byrd, Lu, Nocedal and Zhu, SIAM J. Sci. Comput. 16 (1995) 1190-1208</td></tr>
 *   <tr><td>levenberg-marquardt</td><td>Levenberg-Marquardt, points projected onto the bounds; value and
 *       Jacobian asked as one batch</td><td>Hipparchus {@code LevenbergMarquardtOptimizer}</td></tr>
 * </table>
 *
 * <pre>{@code
 * FitResult r = fitter.fit(Optimizers.byName("Powell"));
 * }</pre>
 *
 * @implNote Stateless; thread-safe. The optimizers it returns start a fresh run (and a fresh
 *     Hipparchus optimizer) on every {@code start}, so one may serve several fits.
 */
public final class Optimizers {

    private static final double REL_TOL = 1e-12;
    private static final double ABS_TOL = 1e-15;

    private Optimizers() {}

    /**
     * @return Nelder-Mead (Hipparchus); the initial simplex is the start point and one more vertex
     *     per free parameter, each the previous vertex with the next parameter increased by 0.05 of
     *     its scale (Hipparchus's simplex from steps, so the steps add up; not SciPy's, which moves
     *     one parameter per vertex): from (1, 0, -4) without bounds, (1.05, 0, -4), (1.05, 0.05, -4),
     *     (1.05, 0.05, -3.8). The scales are those of {@code HipparchusOptimizer}
     */
    static Optimizer nelderMead() {
        return new HipparchusOptimizer(HipparchusOptimizer.Method.NELDER_MEAD, REL_TOL, ABS_TOL, 0.05);
    }

    /** @return Powell's method (Hipparchus) */
    static Optimizer powell() {
        return new HipparchusOptimizer(HipparchusOptimizer.Method.POWELL, REL_TOL, ABS_TOL, 0.1);
    }

    /** @return BOBYQA (Hipparchus); needs at least two free parameters */
    static Optimizer bobyqa() {
        return new HipparchusOptimizer(HipparchusOptimizer.Method.BOBYQA, REL_TOL, ABS_TOL, 0.1);
    }

    /** @return Hipparchus's CMA-ES, which evaluates its candidates one at a time */
    static Optimizer hipparchusCmaes() {
        return new HipparchusOptimizer(HipparchusOptimizer.Method.CMAES, REL_TOL, ABS_TOL, 0.1);
    }

    /**
     * @return the batch CMA-ES (Hansen's tutorial, arXiv:1604.00772) with the default population
     *     {@code 4 + floor(3 ln n)} and an initial step of 0.3 in scaled coordinates (half the
     *     bounded range, else |start|, else 1)
     */
    public static Optimizer cmaes() {
        return new CmaEsOptimizer(0, 0.3);
    }

    /**
     * @param populationSize points per generation (lambda), at least 2; 0 for the default
     * @param initialSigma the initial step in scaled coordinates, positive
     * @return the batch CMA-ES with that population and step; a run is reproducible for a given
     *     seed whatever the pool that evaluates it
     * @throws IllegalArgumentException for a population below 2 (other than 0) or a step that is not
     *     positive and finite
     */
    public static Optimizer cmaes(int populationSize, double initialSigma) {
        return new CmaEsOptimizer(populationSize, initialSigma);
    }

    /**
     * @return the bounded trust-region reflective least-squares method (SciPy's
     *     {@code least_squares(method="trf")}): each iteration asks for its trial point and the
     *     {@code n} displaced points of its forward-difference Jacobian as one batch; needs an
     *     objective that is a sum of squares
     */
    public static Optimizer leastSquares() {
        return new TrustRegionLeastSquares("least-squares", 1e-8, 1e-8, 1e-8, Double.NaN);
    }

    /**
     * @param relativeStep the relative finite-difference step {@code rel} (the step of a parameter
     *     is {@code rel * max(|x|, scale)}); larger than the default 1.49e-8 when the objective is
     *     read from printed output with few digits
     * @param ftol stop when the loss changes by less than this fraction in an iteration
     * @return the least-squares method with that step and tolerance
     * @throws IllegalArgumentException when the step is not in (0, 1) or ftol is negative
     */
    public static Optimizer leastSquares(double relativeStep, double ftol) {
        if (!(relativeStep > 0 && relativeStep < 1)) {
            throw new IllegalArgumentException(
                    "the relative finite-difference step must lie in (0, 1), got " + relativeStep);
        }
        if (!(ftol >= 0) || !Double.isFinite(ftol)) {
            throw new IllegalArgumentException("ftol must be a finite number >= 0, got " + ftol);
        }
        return new TrustRegionLeastSquares("least-squares", ftol, 1e-8, 1e-8, relativeStep);
    }

    /**
     * @return Levenberg-Marquardt (Hipparchus {@code LevenbergMarquardtOptimizer}), bounded by
     *     projecting every point onto the bounds; each evaluation of the model asks for the point and
     *     the {@code n} displaced points of its Jacobian as one batch; needs an objective that is a
     *     sum of squares
     */
    static Optimizer levenbergMarquardt() {
        return new LevenbergMarquardt(Double.NaN);
    }

    /**
     * @return L-BFGS-B (Byrd, Lu, Nocedal and Zhu 1995), SciPy's default for bounded problems and
     *     ChemFit's {@code fit_scipy()} default: memory 10, ftol 2.22e-9, pgtol 1e-5 as in SciPy;
     *     the loss and its forward-difference gradient are asked as one batch of n + 1 points
     *     (its step set by {@link #withRelativeStep})
     */
    static Optimizer lbfgsb() {
        return new LbfgsB(10, 2.220446049250313e-9, 1e-5);
    }

    /**
     * @param optimizer a method returned by this class
     * @param relative relative tolerance on the loss between iterations
     * @param absolute absolute tolerance on the loss between iterations
     * @return a copy with those tolerances
     * @throws IllegalArgumentException when the method takes no tolerances or one is NaN, infinite or
     *     negative
     * @throws NullPointerException when the optimizer is null
     */
    public static Optimizer withTolerances(Optimizer optimizer, double relative, double absolute) {
        Objects.requireNonNull(optimizer, "optimizer");
        if (optimizer instanceof HipparchusOptimizer h) {
            if (!h.takesTolerances()) {
                throw new IllegalArgumentException(optimizer.name()
                        + " takes no loss tolerances: it stops when its trust region shrinks to its stopping radius");
            }
            return h.withTolerances(relative, absolute);
        }
        if (!(relative >= 0) || !(absolute >= 0) || !Double.isFinite(relative) || !Double.isFinite(absolute)) {
            throw new IllegalArgumentException(
                    "tolerances must be finite numbers >= 0, got relative " + relative + " and absolute " + absolute);
        }
        if (optimizer instanceof TrustRegionLeastSquares t) {
            return t.withTolerances(relative, absolute);
        }
        if (optimizer instanceof LevenbergMarquardt l) {
            return l.withTolerance(relative);
        }
        if (optimizer instanceof LbfgsB b) {
            return b.withTolerances(relative, absolute);
        }
        throw new IllegalArgumentException(optimizer.name() + " takes no loss tolerances");
    }

    /**
     * @param optimizer a method returned by this class that takes forward finite differences
     *     ({@code least-squares}, {@code levenberg-marquardt}, {@code L-BFGS-B})
     * @param relativeStep the relative finite-difference step {@code rel} of its Jacobian or
     *     gradient (the step of a parameter is {@code rel * max(|x|, scale)}), in (0, 1); larger
     *     than the default 1.49e-8 when the objective is read from printed output with few digits
     * @return a copy with that step and the same tolerances
     * @throws IllegalArgumentException when the method takes no finite-difference step or the step
     *     is not in (0, 1)
     * @throws NullPointerException when the optimizer is null
     */
    public static Optimizer withRelativeStep(Optimizer optimizer, double relativeStep) {
        Objects.requireNonNull(optimizer, "optimizer");
        if (!(optimizer instanceof TrustRegionLeastSquares)
                && !(optimizer instanceof LevenbergMarquardt)
                && !(optimizer instanceof LbfgsB)) {
            throw new IllegalArgumentException(optimizer.name() + " takes no finite-difference step");
        }
        if (!(relativeStep > 0 && relativeStep < 1)) {
            throw new IllegalArgumentException(
                    "the relative finite-difference step must lie in (0, 1), got " + relativeStep);
        }
        if (optimizer instanceof TrustRegionLeastSquares t) {
            return t.withRelativeStep(relativeStep);
        }
        if (optimizer instanceof LbfgsB b) {
            return b.withRelativeStep(relativeStep);
        }
        return ((LevenbergMarquardt) optimizer).withRelativeStep(relativeStep);
    }

    /** @return the names {@link #byName} accepts */
    public static List<String> names() {
        return List.of(
                "Nelder-Mead",
                "Powell",
                "BOBYQA",
                "CMA-ES",
                "CMA-ES-hipparchus",
                "least-squares",
                "levenberg-marquardt",
                "L-BFGS-B");
    }

    /**
     * @param name a method name, case-insensitive
     * @return the method
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     * @throws NullPointerException when the name is null
     */
    public static Optimizer byName(String name) {
        String n = Objects.requireNonNull(name, "name").toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (n) {
            case "nelder-mead", "neldermead" -> nelderMead();
            case "powell" -> powell();
            case "bobyqa" -> bobyqa();
            case "cma-es", "cmaes" -> cmaes();
            case "cma-es-hipparchus", "cmaes-hipparchus" -> hipparchusCmaes();
            case "least-squares", "least-squares-trf", "leastsquares" -> leastSquares();
            case "levenberg-marquardt" -> levenbergMarquardt();
            case "l-bfgs-b", "lbfgsb", "lbfgs-b" -> lbfgsb();
            default -> {
                String s = org.chemfit.support.Names.closest(name, names());
                throw new IllegalArgumentException(
                        "unknown optimization method '" + name + "'" + (s == null ? "" : " (did you mean '" + s + "'?)")
                                + "; known methods: " + String.join(", ", names()));
            }
        };
    }
}
