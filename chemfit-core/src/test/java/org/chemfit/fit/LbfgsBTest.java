package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.chemfit.Bounds;
import org.chemfit.ObjectiveFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * L-BFGS-B against the behaviour SciPy documents for its {@code minimize(method="L-BFGS-B")}:
 * the Rosenbrock function from SciPy's tutorial start {@code [1.3, 0.7, 0.8, 1.9, 1.2]} reaches
 * its minimum at all ones; with a bound that cuts the valley the minimum moves onto the bound; and
 * a problem whose optimum has several active bounds ends exactly on them.
 */
class LbfgsBTest {

    static double rosen(double[] x) {
        double s = 0;
        for (int i = 0; i + 1 < x.length; i++) {
            s += 100 * Math.pow(x[i + 1] - x[i] * x[i], 2) + Math.pow(1 - x[i], 2);
        }
        return s;
    }

    static ObjectiveFunction rosen(int n) {
        return p -> {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = p.get("x" + i);
            }
            return rosen(x);
        };
    }

    static java.util.Map<String, Double> start(double... x) {
        java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < x.length; i++) {
            m.put("x" + i, x[i]);
        }
        return m;
    }

    @Test
    void rosenbrockFromScipysTutorialStartReachesAllOnes() {
        FitResult r = new Fitter(rosen(5), start(1.3, 0.7, 0.8, 1.9, 1.2))
                .maxEvaluations(5000)
                .fit("L-BFGS-B");
        String summary = r.bestParameters() + " loss " + r.bestLoss() + " after " + r.evaluations() + " evaluations in "
                + r.rounds() + " rounds (" + r.stopReason() + ")";
        assertEquals(StopReason.CONVERGED, r.stopReason(), summary);
        for (int i = 0; i < 5; i++) {
            assertEquals(1.0, r.bestParameters().get("x" + i), 1e-3, summary);
        }
        assertTrue(r.bestLoss() < 1e-7, summary);
        // the loss and its gradient are one batch of n + 1 = 6 points: one round each
        // (the first gradient reuses the start's evaluation: 5 points)
        assertEquals(r.evaluations(), 1 + 5 + 6 * (r.rounds() - 2), summary);
    }

    @Test
    void aBoundAcrossTheValleyMovesTheMinimumOntoIt() {
        // for x0 <= 0.5, (1 - x0)^2 >= 0.25 and 100 (x1 - x0^2)^2 >= 0: the minimum is 0.25 at (0.5, 0.25)
        List<double[]> seen = Collections.synchronizedList(new ArrayList<>());
        Bounds b = Bounds.builder().between("x0", -2, 0.5).between("x1", -2, 2).build();
        FitResult r = new Fitter(rosen(2), start(-1.2, 1.0))
                .bounds(b)
                .maxEvaluations(3000)
                .listener((k, ctx, v) -> seen.add(new double[] {
                    ctx.parameters().get("x0"), ctx.parameters().get("x1")
                }))
                .fit("L-BFGS-B");
        String summary = r.bestParameters() + " loss " + r.bestLoss() + " after " + r.evaluations() + " evaluations";
        assertEquals(0.5, r.bestParameters().get("x0"), 0.0, summary);
        assertEquals(0.25, r.bestParameters().get("x1"), 1e-4, summary);
        assertEquals(0.25, r.bestLoss(), 1e-8, summary);
        for (double[] p : seen) {
            assertTrue(p[0] >= -2 && p[0] <= 0.5 && p[1] >= -2 && p[1] <= 2, "evaluated " + p[0] + ", " + p[1]);
        }
    }

    @Test
    void aQuadraticWithActiveBoundsEndsExactlyOnThem() {
        double[] c = {2, -3, 0.5, 0.25};
        ObjectiveFunction f = p -> {
            double s = 0;
            for (int i = 0; i < c.length; i++) {
                s += (i + 1) * Math.pow(p.get("x" + i) - c[i], 2);
            }
            return s;
        };
        Bounds.Builder b = Bounds.builder();
        for (int i = 0; i < c.length; i++) {
            b.between("x" + i, -1, 1);
        }
        FitResult r = new Fitter(f, start(0, 0, 0, 0)).bounds(b.build()).fit("L-BFGS-B");
        String summary = r.bestParameters() + " loss " + r.bestLoss() + " after " + r.evaluations() + " evaluations";
        assertEquals(1.0, r.bestParameters().get("x0"), 0.0, summary);
        assertEquals(-1.0, r.bestParameters().get("x1"), 0.0, summary);
        assertEquals(0.5, r.bestParameters().get("x2"), 1e-6, summary);
        assertEquals(0.25, r.bestParameters().get("x3"), 1e-6, summary);
        assertEquals(1 + 2 * 4, r.bestLoss(), 1e-10, summary);
        assertTrue(r.evaluations() <= 5 * 10, summary);
        assertTrue(
                r.warnings().stream().anyMatch(w -> w.contains("'x0'") && w.contains("upper bound")),
                r.warnings().toString());
    }

    /**
     * A loss with a jump (a step in the physics, a penalty, the bad value of a NaN point): the
     * finite-difference gradient across it is about 1e10, the memory's pairs make its middle
     * matrix singular, and the method forgets them and goes on from the gradient, as SciPy's
     * restarts when its factorization fails. It ends on the jump's near side, (x - 1)^2 at x = 0.5.
     */
    @ParameterizedTest
    @ValueSource(doubles = {100.0, 1e5, Double.NaN, Double.POSITIVE_INFINITY})
    void aJumpInTheLossNeitherBreaksTheMethodNorWins(double beyond) {
        List<Double> seen = Collections.synchronizedList(new ArrayList<>());
        ObjectiveFunction f = p -> {
            double x = p.get("x");
            double v = x > 0.5 ? beyond : (x - 1) * (x - 1);
            seen.add(v);
            return v;
        };
        FitResult r =
                new Fitter(f, java.util.Map.of("x", 0.0)).maxEvaluations(500).fit("L-BFGS-B");
        String summary = r.bestParameters() + " loss " + r.bestLoss() + " after " + r.evaluations() + " evaluations ("
                + r.stopReason() + ")";
        assertTrue(seen.stream().anyMatch(v -> !(v < 1)), "the method never stepped past the jump: " + summary);
        assertEquals(0.5, r.bestParameters().get("x"), 1e-3, summary);
        assertEquals(0.25, r.bestLoss(), 1e-3, summary);
        assertEquals(
                Math.pow(r.bestParameters().get("x") - 1, 2), r.bestLoss(), 0.0, "the loss of the point: " + summary);
    }

    /**
     * With a relative step of 1e-3 the gradient's displaced points are {@code x + 1e-3 * max(|x|,
     * scale)} in one coordinate each, the scale being the start's size (x0 = 2), else half the
     * bounded range (x1 in [-4, 4]: 4), else 1 (x2, unbounded): for the start and for the first
     * trial point alike.
     */
    @Test
    void aRelativeStepSetsTheGradientsDisplacedPoints() {
        double rel = 1e-3;
        double[] scale = {2.0, 4.0, 1.0};
        ObjectiveFunction f = p ->
                Math.pow(p.get("x0") - 3, 2) + 2 * Math.pow(p.get("x1") - 1, 2) + 3 * Math.pow(p.get("x2") + 0.5, 2);
        List<double[]> seen = new ArrayList<>();
        Bounds b = Bounds.builder().between("x1", -4, 4).build();
        FitResult r = new Fitter(f, start(2.0, 0.0, 0.0))
                .bounds(b)
                .maxEvaluations(8)
                .uncertainty(false)
                .listener((k, ctx, v) -> seen.add(new double[] {
                    ctx.parameters().get("x0"),
                    ctx.parameters().get("x1"),
                    ctx.parameters().get("x2")
                }))
                .fit(Optimizers.withRelativeStep(Optimizers.byName("L-BFGS-B"), rel));
        assertEquals(8, seen.size(), r.toString());
        // the start, then its displaced points
        assertArrayEquals(new double[] {2.0, 0.0, 0.0}, seen.get(0), 0.0);
        assertArrayEquals(new double[] {2.0 + rel * 2.0, 0.0, 0.0}, seen.get(1), 0.0);
        assertArrayEquals(new double[] {2.0, rel * 4.0, 0.0}, seen.get(2), 0.0);
        assertArrayEquals(new double[] {2.0, 0.0, rel * 1.0}, seen.get(3), 0.0);
        // the first trial point, moved in every coordinate, then its displaced points
        double[] t = seen.get(4);
        for (int i = 0; i < 3; i++) {
            double[] expected = t.clone();
            expected[i] = t[i] + rel * Math.max(Math.abs(t[i]), scale[i]);
            assertArrayEquals(expected, seen.get(5 + i), 0.0, "coordinate " + i);
            assertTrue(t[i] != new double[] {2.0, 0.0, 0.0}[i], "the trial point moves coordinate " + i);
        }
    }

    /**
     * A Lennard-Jones pair energy {@code 4 eps ((s/r)^12 - (s/r)^6)} fitted by squared errors to
     * 46 energies of size up to 150, from {@code eps = 0}: the model is identically 0 there, so
     * the gradient in sigma is exactly 0 (its breakpoint on the path is infinitely far) while that
     * in eps is about -2.4e3, so eps reaches its bound of 400 at t = 0.17 and past it the path does
     * not move. The generalized Cauchy point ends at that breakpoint, sigma free, and
     * the method reaches the energies' own {@code eps = 150, sigma = 3.4} (rather than stopping at
     * the start with no descent direction, as when the search went an infinite distance along the
     * zero direction of sigma).
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.0, -400.0})
    void aParameterWithNoGradientAtTheStartIsNotStoppedByIt(double lowerEps) {
        double[] r = new double[46];
        double[] e = new double[r.length];
        for (int k = 0; k < r.length; k++) {
            r[k] = 3.4 + 0.1 * k;
            e[k] = lennardJones(150, 3.4, r[k]);
        }
        ObjectiveFunction f = p -> {
            double s = 0;
            for (int k = 0; k < r.length; k++) {
                double d = lennardJones(p.get("eps"), p.get("sigma"), r[k]) - e[k];
                s += d * d;
            }
            return s;
        };
        Bounds b = Bounds.builder()
                .between("eps", lowerEps, 400)
                .between("sigma", 2.5, 4.5)
                .build();
        java.util.Map<String, Double> start = new java.util.LinkedHashMap<>();
        start.put("eps", 0.0);
        start.put("sigma", 3.2);
        FitResult fit = new Fitter(f, start).bounds(b).maxEvaluations(3000).fit("L-BFGS-B");
        String summary = fit.bestParameters() + " loss " + fit.bestLoss() + " from " + fit.initialLoss() + " after "
                + fit.evaluations() + " evaluations (" + fit.stopReason() + ")";
        assertEquals(StopReason.CONVERGED, fit.stopReason(), summary);
        assertTrue(fit.steps() > 1, "the method stopped at the start: " + summary);
        assertEquals(150.0, fit.bestParameters().get("eps"), 1e-2, summary);
        assertEquals(3.4, fit.bestParameters().get("sigma"), 1e-5, summary);
        assertTrue(fit.bestLoss() < 1e-6 * fit.initialLoss(), summary);
    }

    static double lennardJones(double eps, double sigma, double r) {
        double s6 = Math.pow(sigma / r, 6);
        return 4 * eps * (s6 * s6 - s6);
    }
}
