package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.LossFunctions;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.junit.jupiter.api.Test;

/**
 * {@code least-squares} against SciPy's {@code least_squares(method="trf")} (SciPy 1.17.1,
 * {@code scipy/optimize/_lsq/trf.py}), whose termination test it follows: {@code ftol},
 * {@code xtol} and {@code gtol} of 1e-8 with SciPy's meanings, tested after every trial step,
 * taken or not.
 *
 * <p>The method works in the coordinates {@code u_i = x_i / |x0_i|} (for a parameter without a
 * positive lower bound), where its trust region and its {@code xtol} test are those of SciPy's
 * {@code x_scale=1}. Each SciPy reference below was run once in these coordinates, the residual
 * function taking {@code u} and multiplying it back by the start's magnitudes {@code s}: {@code
 * least_squares(lambda u: fun(u * s), x0 / s)} with every other argument at its default (where
 * {@code |x0_i| = 1} that is {@code least_squares(fun, x0)} itself). SciPy counts in {@code nfev}
 * the trial points, its start included, and not the evaluations of its finite-difference
 * Jacobians; ChemFit asks for each trial point together with the {@code n} displaced points of
 * its Jacobian, one batch, so a run that follows SciPy step for step asks {@code nfev} batches of
 * {@code n + 1} points. The Jacobians differ in rounding only (both take forward steps of {@code
 * sqrt(eps) max(1, |u_i|)}).
 */
class TrustRegionScipyTest {

    /** A run driven batch by batch: its batches, evaluations, best trial point and stop reason. */
    record Run(int batches, int evaluations, double[] best, String stop) {}

    static Run drive(Function<double[], double[]> residuals, double[] x0, double[] lower, double[] upper) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < x0.length; i++) {
            names.add("p" + i);
        }
        Problem problem = new Problem(names, x0, lower, upper, 100_000, 1);
        Optimizer.Run run = Optimizers.byName("least-squares").start(problem);
        int batches = 0;
        int evaluations = 0;
        double bestLoss = Double.POSITIVE_INFINITY;
        double[] best = x0;
        for (List<double[]> points = run.ask(); !points.isEmpty(); points = run.ask()) {
            batches++;
            evaluations += points.size();
            double[] values = new double[points.size()];
            List<double[]> rs = new ArrayList<>();
            for (int k = 0; k < points.size(); k++) {
                double[] r = residuals.apply(points.get(k));
                rs.add(r);
                values[k] = TrustRegionLeastSquares.ReSum.of(r);
            }
            if (values[0] < bestLoss) {
                bestLoss = values[0];
                best = points.get(0);
            }
            run.tell(points, values, rs);
        }
        return new Run(batches, evaluations, best, run.stopReason());
    }

    static final double INF = Double.POSITIVE_INFINITY;

    /** The straight line of the library example: y = a + b t at t = 0..7. */
    static final double[] LINE_Y = {1.1, 2.9, 5.2, 6.8, 9.1, 11.2, 12.8, 15.1};

    static double[] line(double[] p) {
        double[] r = new double[LINE_Y.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = p[0] + p[1] * i - LINE_Y[i];
        }
        return r;
    }

    /**
     * <pre>
     * t = np.arange(8.); y = np.array([1.1, 2.9, 5.2, 6.8, 9.1, 11.2, 12.8, 15.1])
     * fun = lambda p: p[0] + p[1] * t - y; s = np.array([0.5, 1.0])
     * least_squares(lambda u: fun(u * s), [1.0, 1.0])
     *   nfev 4, status 3 (xtol), x * s = [1.0333333325961531, 1.9976190479885296]
     * </pre>
     *
     * The third trial point is the optimum (to rounding), the fourth trial step is rejected, and
     * its length, at rounding level, meets {@code xtol}: 4 batches of 3, as SciPy's 4 trial
     * points. (The scaled gradient there is at rounding level too, 1.25e-8 in SciPy's run, just
     * above {@code gtol}: with other data the run may end a batch sooner on {@code gtol}.)
     * Before the tolerances were tested after rejected steps, the rejected steps went on until
     * the trust region shrank to nothing, 14 batches.
     */
    @Test
    void aStraightLineStopsOnTheRejectedStepAfterTheOptimumAsScipyDoes() {
        Run r = drive(
                TrustRegionScipyTest::line, new double[] {0.5, 1.0}, new double[] {-INF, -INF}, new double[] {INF, INF
                });
        assertEquals(4, r.batches());
        assertEquals(12, r.evaluations());
        assertEquals("converged: the step was below 1.0E-8 relative", r.stop());
        // the exact least-squares line: a = 31/30, b = 839/420
        assertEquals(1.0333333325961531, r.best()[0], 2e-9);
        assertEquals(31.0 / 30, r.best()[0], 2e-9);
        assertEquals(1.9976190479885296, r.best()[1], 2e-9);
        assertEquals(839.0 / 420, r.best()[1], 2e-9);
    }

    /** A decay y = 5 exp(-0.4 t) with a fixed scatter at t = 0..9. */
    static final double[] SCATTER = {0.03, -0.02, 0.01, 0.04, -0.03, 0.02, -0.01, 0.0, 0.02, -0.02};

    static double[] decay(double[] p) {
        double[] r = new double[SCATTER.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = p[0] * Math.exp(-p[1] * i) - (5 * Math.exp(-0.4 * i) + SCATTER[i]);
        }
        return r;
    }

    /**
     * <pre>
     * t = np.arange(10.); scatter = np.array([0.03, -0.02, 0.01, 0.04, -0.03, 0.02, -0.01, 0.0, 0.02, -0.02])
     * y = 5 * np.exp(-0.4 * t) + scatter; fun = lambda p: p[0] * np.exp(-p[1] * t) - y
     * least_squares(fun, [1.0, 1.0])
     *   nfev 7, status 2 (ftol), x = [5.018067063848784, 0.40049367579319417]
     * </pre>
     */
    @Test
    void anExponentialDecayTakesScipysSteps() {
        Run r = drive(
                TrustRegionScipyTest::decay, new double[] {1, 1}, new double[] {-INF, -INF}, new double[] {INF, INF});
        assertEquals(7, r.batches());
        assertEquals(21, r.evaluations());
        assertEquals("converged: the loss changed by less than 1.0E-8 relative", r.stop());
        assertEquals(5.018067063848784, r.best()[0], 1e-9);
        assertEquals(0.40049367579319417, r.best()[1], 1e-9);
    }

    /**
     * The decay with A at most 4 (below its free optimum 5.02) and k within [0, 10]; neither lower
     * bound is positive, so the coordinates stay x / |x0| = x:
     *
     * <pre>
     * least_squares(fun, [1.0, 1.0], bounds=([-np.inf, 0], [4, 10]))
     *   nfev 9, status 2 (ftol), x = [3.9999999999999996, 0.3232743828821689]
     * </pre>
     */
    @Test
    void aDecayWhoseOptimumIsOnABoundTakesScipysSteps() {
        Run r = drive(TrustRegionScipyTest::decay, new double[] {1, 1}, new double[] {-INF, 0}, new double[] {4, 10});
        assertEquals(9, r.batches());
        assertEquals(27, r.evaluations());
        assertEquals("converged: the loss changed by less than 1.0E-8 relative", r.stop());
        assertEquals(4.0, r.best()[0], 1e-12);
        assertEquals(0.3232743828821689, r.best()[1], 1e-9);
    }

    /**
     * The Rosenbrock residuals from the usual start:
     *
     * <pre>
     * fun = lambda p: np.array([10 * (p[1] - p[0]**2), 1 - p[0]]); s = np.array([1.2, 1.0])
     * least_squares(lambda u: fun(u * s), [-1.0, 1.0])
     *   nfev 23, status 1 (gtol), x * s = [1., 1.]
     * </pre>
     *
     * (In SciPy's own coordinates, {@code least_squares(fun, [-1.2, 1.0])}, its trust region is
     * another ellipse and it takes 25.)
     */
    @Test
    void rosenbrocksResidualsTakeScipysSteps() {
        Run r = drive(
                p -> new double[] {10 * (p[1] - p[0] * p[0]), 1 - p[0]},
                new double[] {-1.2, 1},
                new double[] {-INF, -INF},
                new double[] {INF, INF});
        assertEquals(23, r.batches());
        assertEquals(69, r.evaluations());
        assertEquals("converged: the scaled gradient fell below 1.0E-8", r.stop());
        assertEquals(1.0, r.best()[0], 1e-12);
        assertEquals(1.0, r.best()[1], 1e-12);
    }

    /**
     * Through the Fitter, the straight line of the library example: the start alone, its displaced
     * points, the 3 further trial batches and the uncertainty's 2n points, 16 evaluations in 6
     * rounds (46 in 16 before the tolerances were tested after rejected steps).
     */
    @Test
    void aStraightLineFitTakesSixRounds() {
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int i = 0; i < LINE_Y.length; i++) {
            double t = i;
            QuantityComputer qc = p -> Quantities.of("y", p.get("a") + p.get("b") * t);
            terms.add(qc.withLoss(LossFunctions.squaredError(java.util.Map.of("y", LINE_Y[i]))));
        }
        FitResult r = new Fitter(new CombinedObjectiveFunction(terms), LeastSquaresTest.start("a", 0.5, "b", 1.0))
                .fit("least-squares");
        assertEquals(StopReason.CONVERGED, r.stopReason());
        assertEquals(16, r.evaluations());
        assertEquals(6, r.rounds());
        assertEquals(31.0 / 30, r.bestParameters().get("a"), 1e-8);
        assertEquals(839.0 / 420, r.bestParameters().get("b"), 1e-8);
    }

    /**
     * Levenberg-Marquardt (Hipparchus's port of MINPACK's lmder) tests its tolerances inside its
     * inner loop, after every trial, so it never had the flaw: on the same line its first trial
     * is the Gauss-Newton step, exact for a linear model, and its second, at the optimum, ends
     * the run. The start, its displaced points, 2 batches of 3 and the uncertainty's 4 points:
     * 13 evaluations in 5 rounds.
     */
    @Test
    void levenbergMarquardtStopsAtTheOptimumOfAStraightLineToo() {
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int i = 0; i < LINE_Y.length; i++) {
            double t = i;
            QuantityComputer qc = p -> Quantities.of("y", p.get("a") + p.get("b") * t);
            terms.add(qc.withLoss(LossFunctions.squaredError(java.util.Map.of("y", LINE_Y[i]))));
        }
        FitResult r = new Fitter(new CombinedObjectiveFunction(terms), LeastSquaresTest.start("a", 0.5, "b", 1.0))
                .fit("levenberg-marquardt");
        assertEquals(StopReason.CONVERGED, r.stopReason());
        assertEquals(13, r.evaluations());
        assertEquals(5, r.rounds());
        assertEquals(31.0 / 30, r.bestParameters().get("a"), 1e-8);
        assertEquals(839.0 / 420, r.bestParameters().get("b"), 1e-8);
    }
}
