package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.chemfit.Bounds;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.LossFunctions;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.junit.jupiter.api.Test;

/**
 * A Lennard-Jones curve whose epsilon is bounded below its best value: the optimum within the
 * bounds has epsilon on its upper bound, and sigma at its best for that epsilon. The expected
 * numbers are those of the one-parameter fit of sigma with epsilon fixed at the bound, computed
 * here by Gauss-Newton with the analytic derivative, independently of the library's methods and
 * finite differences.
 */
class BoundedOptimumTest {

    /** Separations (Angstrom) and energies (eV): 4 eps ((s/r)^12 - (s/r)^6) at eps 0.0104, s 3.40, plus noise of 3e-4. */
    static final double[] R = {
        3.3, 3.495, 3.689, 3.884, 4.079, 4.274, 4.468, 4.663, 4.858, 5.053, 5.247, 5.442, 5.637, 5.832, 6.026, 6.221,
        6.416, 6.611, 6.805, 7.0
    };

    static final double[] E = {
        0.009864741,
        -0.005127193,
        -0.009770195,
        -0.010686885,
        -0.009001193,
        -0.007737042,
        -0.006670296,
        -0.005137612,
        -0.004205068,
        -0.003414203,
        -0.002843131,
        -0.002162934,
        -0.002127484,
        -0.001618032,
        -0.001443458,
        -0.000899477,
        -0.000888938,
        -0.000843268,
        -0.000871645,
        -0.000616219
    };

    static final double UPPER = 0.01;

    static double lj(double eps, double sigma, double r) {
        double s6 = Math.pow(sigma / r, 6);
        return 4 * eps * (s6 * s6 - s6);
    }

    /** d lj / d sigma = 4 eps (12 s^11 / r^12 - 6 s^5 / r^6). */
    static double dSigma(double eps, double sigma, double r) {
        double s6 = Math.pow(sigma / r, 6);
        return 4 * eps * (12 * s6 * s6 - 6 * s6) / sigma;
    }

    /** d lj / d eps. */
    static double dEps(double sigma, double r) {
        return lj(1, sigma, r);
    }

    static ObjectiveFunction curve() {
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int i = 0; i < R.length; i++) {
            double r = R[i];
            QuantityComputer qc = p -> Quantities.of("e", lj(p.get("eps"), p.get("sigma"), r));
            terms.add(qc.withLoss(LossFunctions.squaredError(Map.of("e", E[i]))));
        }
        return new CombinedObjectiveFunction(terms);
    }

    static Bounds bounds() {
        return Bounds.builder()
                .between("eps", 0.001, UPPER)
                .between("sigma", 2.5, 4.5)
                .build();
    }

    /** The best sigma for a fixed eps: Gauss-Newton on one parameter, to the rounding. */
    static double bestSigma(double eps) {
        double s = 3.4;
        for (int it = 0; it < 100; it++) {
            double num = 0;
            double den = 0;
            for (int i = 0; i < R.length; i++) {
                double d = dSigma(eps, s, R[i]);
                num += d * (lj(eps, s, R[i]) - E[i]);
                den += d * d;
            }
            double step = -num / den;
            s += step;
            if (Math.abs(step) < 1e-15 * s) {
                break;
            }
        }
        return s;
    }

    static double ssr(double eps, double sigma) {
        double ssr = 0;
        for (int i = 0; i < R.length; i++) {
            double e = lj(eps, sigma, R[i]) - E[i];
            ssr += e * e;
        }
        return ssr;
    }

    /**
     * The Karush-Kuhn-Tucker condition that puts the optimum on the bound: at eps = 0.01 and
     * sigma at its best there, the loss still falls as eps rises (dSSR/deps = 2 sum e_i
     * dE_i/deps is negative), so the minimum within the bounds is on the upper bound of eps.
     */
    @Test
    void theOptimumWithinTheBoundsIsOnTheBound() {
        double sigma = bestSigma(UPPER);
        double slope = 0;
        for (int i = 0; i < R.length; i++) {
            slope += 2 * (lj(UPPER, sigma, R[i]) - E[i]) * dEps(sigma, R[i]);
        }
        assertTrue(slope < 0, "dSSR/deps = " + slope);
    }

    /**
     * least-squares ends on the bound (its interior iteration stops short of it, its last point
     * is the minimum of its linear model within the bounds), and its uncertainty is that of
     * sigma alone: s^2 = SSR / (20 - 1), var(sigma) = s^2 / sum (dE_i/dsigma)^2.
     */
    @Test
    void leastSquaresEndsOnTheBoundWithTheUncertaintyOfTheOtherParameterAlone() {
        FitResult r = new Fitter(curve(), LeastSquaresTest.start("eps", 0.008, "sigma", 3.2))
                .bounds(bounds())
                .maxEvaluations(200)
                .fit("least-squares");
        assertEquals(StopReason.CONVERGED, r.stopReason());
        // at the bound, a hair inside it: 1e-10 of eps's scale (its start, 0.008), 8e-13; the
        // expected values are those of that eps, which differ from those on the bound by 1e-9
        // of the loss (its slope in eps times 8e-13) and 1e-10 of sigma
        double eps = r.bestParameters().get("eps");
        assertTrue(eps < UPPER && eps >= UPPER - 1e-10 * 0.008, () -> "eps = " + eps);
        double sigma = bestSigma(eps);
        double ssr = ssr(eps, sigma);
        double jtj = 0;
        for (double x : R) {
            jtj += dSigma(eps, sigma, x) * dSigma(eps, sigma, x);
        }
        double s2 = ssr / (R.length - 1);
        double se = Math.sqrt(s2 / jtj);
        // sigma at its best for that eps to 1e-5 of its standard error (1.9e-3), which raises the
        // loss by (1e-5)^2 s^2, 1e-11 of it: below the 1e-10 the fit counts as a lower point
        assertEquals(sigma, r.bestParameters().get("sigma"), 1e-5 * se, r.bestParameters()::toString);
        assertEquals(ssr, r.bestLoss(), 1e-10 * ssr);
        Uncertainty u = r.uncertainty();
        assertEquals(List.of("eps"), u.atBound());
        assertEquals(List.of("sigma"), u.estimated());
        assertEquals(s2, u.residualVariance(), 1e-8 * s2);
        // central differences against the analytic derivative: to their truncation, 1e-6 relative
        assertEquals(se, u.standardErrors().get("sigma"), 1e-6 * se);
        assertEquals(
                List.of(
                        "parameter(s) 'eps' at a bound: left out of the covariance (their uncertainty is not"
                                + " estimated; the other parameters' standard errors are those with it held there)",
                        "parameter 'eps' = " + org.chemfit.support.DecimalText.of(eps)
                                + " is at or near its upper bound 0.01 (bounds [0.001, 0.01])"),
                r.warnings());
    }

    /**
     * A model that refuses the bound's value itself (a program that takes eps only strictly
     * inside its range): least-squares never asks for it, its last point being a hair inside the
     * bound, so the fit converges as with a model that takes it, with eps at its bound.
     */
    @Test
    void aModelThatRefusesTheBoundsValueStillConverges() {
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int i = 0; i < R.length; i++) {
            double r = R[i];
            QuantityComputer qc = p -> {
                if (!(p.get("eps") < UPPER)) {
                    throw new IllegalStateException("eps must be below " + UPPER + ", got " + p.get("eps"));
                }
                return Quantities.of("e", lj(p.get("eps"), p.get("sigma"), r));
            };
            terms.add(qc.withLoss(LossFunctions.squaredError(Map.of("e", E[i]))));
        }
        FitResult r = new Fitter(
                        new CombinedObjectiveFunction(terms), LeastSquaresTest.start("eps", 0.008, "sigma", 3.2))
                .bounds(bounds())
                .maxEvaluations(200)
                .fit("least-squares");
        assertEquals(StopReason.CONVERGED, r.stopReason());
        double eps = r.bestParameters().get("eps");
        assertTrue(eps < UPPER && eps >= UPPER - 1e-10 * 0.008, () -> "eps = " + eps);
        assertEquals(List.of("eps"), r.uncertainty().atBound());
    }

    /**
     * A budget that the method's own evaluations use up: its last point, asked alone, has no
     * displaced points of its own, so the uncertainty there needs its 2 forward ones (1 per free
     * parameter) and has 1 left (a fit stops before asking its method for more once its budget is
     * spent, so the method is seen to converge with one evaluation to spare). The method converged, so the warning says by how much to
     * raise the budget, not that the fit should converge before it ends.
     */
    @Test
    void aBudgetUsedUpByAConvergedMethodIsSaidSo() {
        FitResult full = new Fitter(curve(), LeastSquaresTest.start("eps", 0.008, "sigma", 3.2))
                .bounds(bounds())
                .maxEvaluations(200)
                .fit("least-squares");
        // the central differences of the uncertainty are 4 evaluations after the method's
        int method = full.evaluations() - 4;
        FitResult tight = new Fitter(curve(), LeastSquaresTest.start("eps", 0.008, "sigma", 3.2))
                .bounds(bounds())
                .maxEvaluations(method + 1)
                .fit("least-squares");
        assertEquals(StopReason.CONVERGED, tight.stopReason());
        assertEquals(method, tight.evaluations());
        assertEquals(
                "the uncertainty was not estimated: it takes the Jacobian of the residuals at the best point, by"
                        + " finite differences after the fit; central differences need 4 evaluations (2 per free"
                        + " parameter), and forward differences, its fallback when the budget is short, 2 more"
                        + " evaluations (1 per free parameter, less those evaluated already), but the evaluation"
                        + " budget has only 1 left after the method converged: raise the budget by at least 1",
                tight.warnings().get(0));
    }

    /**
     * The method alone, driven batch by batch: its convergence test is met with eps just inside
     * its bound (the scaled gradient g v falls below gtol as the distance v does), and its last
     * batch is one point, alone, with eps at the bound (a hair inside it): every other batch is a trial
     * point and its 2 displaced points.
     */
    @Test
    void theLastPointOfLeastSquaresIsOnTheBoundAndAskedAlone() {
        TrustRegionScipyTest.Run run = TrustRegionScipyTest.drive(
                p -> {
                    double[] res = new double[R.length];
                    for (int i = 0; i < R.length; i++) {
                        res[i] = lj(p[0], p[1], R[i]) - E[i];
                    }
                    return res;
                },
                new double[] {0.008, 3.2},
                new double[] {0.001, 2.5},
                new double[] {UPPER, 4.5});
        assertEquals(3 * (run.batches() - 1) + 1, run.evaluations());
        assertTrue(run.best()[0] < UPPER && run.best()[0] >= UPPER - 1e-10 * 0.008, () -> "eps = " + run.best()[0]);
        assertEquals(bestSigma(UPPER), run.best()[1], 1e-5 * 1.9e-3);
        assertEquals(
                "converged: the scaled gradient fell below 1.0E-8, then the minimum of its linear model within the"
                        + " bounds and the trust region, at the upper bound of 'p0', lowered the loss",
                run.stop());
    }

    /**
     * The point where least-squares used to stop: eps 8.4e-8 below its bound (9.3e-6 of its range,
     * outside the 1e-6 of "at a bound"), sigma at its best there. The linear model's minimum
     * within the bounds is on the bound, so eps is at its bound there too, and left out.
     */
    @Test
    void aParameterStoppedJustShortOfABoundItsMinimumLiesBeyondIsAtTheBound() {
        double eps = 0.00999991620731056;
        double sigma = bestSigma(eps);
        double[] res = new double[R.length];
        double[][] jac = new double[R.length][2];
        double jtj = 0;
        for (int i = 0; i < R.length; i++) {
            res[i] = lj(eps, sigma, R[i]) - E[i];
            jac[i][0] = dEps(sigma, R[i]);
            jac[i][1] = dSigma(eps, sigma, R[i]);
            jtj += jac[i][1] * jac[i][1];
        }
        Uncertainty u = Uncertainty.compute(
                List.of("eps", "sigma"),
                new double[] {eps, sigma},
                new double[] {0.001, 2.5},
                new double[] {UPPER, 4.5},
                res,
                jac);
        assertEquals(List.of("eps"), u.atBound());
        double s2 = ssr(eps, sigma) / (R.length - 1);
        assertEquals(s2, u.residualVariance(), 1e-12 * s2);
        assertEquals(Math.sqrt(s2 / jtj), u.standardErrors().get("sigma"), 1e-10 * Math.sqrt(s2 / jtj));
        // with a near-bound tolerance below its distance, it is estimated, as before
        Uncertainty strict = Uncertainty.compute(
                List.of("eps", "sigma"),
                new double[] {eps, sigma},
                new double[] {eps, sigma},
                new double[] {0.001, 2.5},
                new double[] {UPPER, 4.5},
                res,
                jac,
                1.0,
                1e-6);
        assertEquals(List.of(), strict.atBound());
        assertEquals(List.of("eps", "sigma"), strict.estimated());
    }

    /**
     * One parameter b in [0, 10], three residuals (1 + d, -1 + d, d) with a Jacobian column of 1:
     * the linear model's minimum is at b - d. Near the upper bound (2e-5 below it, within 1e-3 of
     * the range but not 1e-6), b is at its bound when that minimum lies beyond it (d = -1e-4) and
     * estimated when it lies inside (d = -1e-5, or d > 0, the gradient pointing inwards); far from
     * the bound (b = 5) a minimum beyond it (d = -10) does not put it there.
     */
    @Test
    void onlyANearBoundThatTheLinearMinimumLiesBeyondCounts() {
        assertEquals(List.of("b"), one(10 - 2e-5, -1e-4).atBound());
        assertEquals(List.of(), one(10 - 2e-5, -1e-5).atBound());
        assertEquals(List.of(), one(10 - 2e-5, 1e-4).atBound());
        assertEquals(List.of(), one(5, -10).atBound());
        // the lower bound likewise: the minimum at b - d below 0
        assertEquals(List.of("b"), one(2e-5, 1e-4).atBound());
        assertEquals(List.of(), one(2e-5, 1e-5).atBound());
        // estimated: s^2 = (2 + 3 d^2) / 2 and J^T J = 3
        Uncertainty in = one(10 - 2e-5, -1e-5);
        assertEquals((2 + 3e-10) / 2, in.residualVariance(), 1e-15);
        assertEquals(Math.sqrt((2 + 3e-10) / 2 / 3), in.standardErrors().get("b"), 1e-15);
    }

    /**
     * Two parameters in [0, 10], a 2e-5 below its upper bound (within 1e-3 of the range), with
     * nearly equal Jacobian columns (1, 1, 1) and (1, 1, 1 + 1e-6) and residuals (0, 0, 1e-6): the
     * exact linear minimum is a + 1, b - 1, beyond a's bound, along the direction a - b that the
     * third residual alone determines, to 1e-6. The scaled J^T J, [[1, c], [c, 1]] with c the
     * cosine of the columns' angle, has the condition number (1 + c) / (1 - c) = 1.80e13, above
     * the 1e10 of "nearly singular": the model is not trusted, a is left free, and the warning
     * that the data determine only a combination of a and b stays.
     */
    @Test
    void aNearlySingularJacobianDoesNotPutANearBoundParameterAtIt() {
        Uncertainty u = Uncertainty.compute(
                List.of("a", "b"),
                new double[] {10 - 2e-5, 5},
                new double[] {0, 0},
                new double[] {10, 10},
                new double[] {0, 0, 1e-6},
                new double[][] {{1, 1}, {1, 1}, {1, 1 + 1e-6}});
        assertEquals(List.of(), u.atBound());
        assertEquals(List.of("a", "b"), u.estimated());
        assertEquals(
                List.of("J^T J is nearly singular (scaled condition number 1.80e+13): the data determine only a"
                        + " combination of 'a', 'b'; their standard errors are unreliable"),
                u.warnings());
    }

    private static Uncertainty one(double b, double d) {
        return Uncertainty.compute(
                List.of("b"),
                new double[] {b},
                new double[] {0},
                new double[] {10},
                new double[] {1 + d, -1 + d, d},
                new double[][] {{1}, {1}, {1}});
    }

    /**
     * A method that stops where least-squares used to, 8.4e-8 short of the bound: the
     * uncertainty's displaced point towards the bound has a lower loss, which is the bound's
     * doing, not a minimum missed, so no "did not reach the minimum" warning; eps is at its
     * bound, and sigma's standard error is that of sigma alone at the point.
     */
    @Test
    void aMethodStoppedShortOfTheBoundGetsNoMissedMinimumWarning() {
        double eps = 0.00999991620731056;
        double sigma = bestSigma(eps);
        Optimizer stopsThere = new Optimizer() {
            @Override
            public String name() {
                return "stops-short";
            }

            @Override
            public Run start(Problem problem) {
                return new Run() {
                    boolean asked;

                    @Override
                    public List<double[]> ask() {
                        if (asked) {
                            return List.of();
                        }
                        asked = true;
                        return List.of(new double[] {eps, sigma});
                    }

                    @Override
                    public void tell(List<double[]> points, double[] values) {}

                    @Override
                    public String stopReason() {
                        return asked ? "stopped" : "running";
                    }

                    @Override
                    public void close() {}
                };
            }
        };
        java.util.Map<Integer, Double> losses = new java.util.HashMap<>();
        FitResult r = new Fitter(curve(), LeastSquaresTest.start("eps", 0.008, "sigma", 3.2))
                .bounds(bounds())
                .listener((number, ctx, loss) -> losses.put(number, loss))
                .fit(stopsThere);
        // the central pair of eps: eps + h lies nearer the bound, where the loss is lower
        double h = FiniteDifferences.CENTRAL_STEP * Math.max(eps, 0.008);
        assertTrue(ssr(eps + h, sigma) < ssr(eps, sigma) * (1 - 1e-10), "the displaced point is lower");
        assertFalse(
                r.warnings().stream().anyMatch(w -> w.contains("did not reach the minimum")), r.warnings()::toString);
        Uncertainty u = r.uncertainty();
        assertEquals(List.of("eps"), u.atBound());
        // that point is the best reported (the lowest evaluated), and the uncertainty, computed at
        // the point the method stopped at (e1, after the start e0), says so, with both losses
        assertEquals(eps + h, r.bestParameters().get("eps"), 1e-18);
        assertEquals(sigma, r.bestParameters().get("sigma"), 0.0);
        assertEquals(ssr(eps + h, sigma), r.bestLoss(), 1e-9 * r.bestLoss());
        assertEquals(ssr(eps, sigma), losses.get(1), 1e-9 * losses.get(1));
        String best = r.breakdown().evaluationId();
        assertEquals(
                "the best point reported, evaluation " + best + " with a loss of " + r.bestLoss()
                        + ", is a point of the uncertainty's Jacobian, below the " + losses.get(1)
                        + " of evaluation e1, where the uncertainty was computed, by "
                        + String.format(java.util.Locale.ROOT, "%.3g", losses.get(1) - r.bestLoss())
                        + ", moving only parameters at a bound, towards it, which the covariance leaves out; the"
                        + " uncertainty is that of e1",
                u.warnings().get(u.warnings().size() - 1));
        double jtj = 0;
        for (double x : R) {
            jtj += dSigma(eps, sigma, x) * dSigma(eps, sigma, x);
        }
        double s2 = ssr(eps, sigma) / (R.length - 1);
        assertEquals(s2, u.residualVariance(), 1e-9 * s2);
        assertEquals(Math.sqrt(s2 / jtj), u.standardErrors().get("sigma"), 1e-6 * Math.sqrt(s2 / jtj));
    }
}
