package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
 * The last point of least-squares, the minimum of its linear model within the bounds, is held to
 * its trust region, to the bounds' inside and to a finite value: a fit that its absolute gtol
 * counts as converged far from its minimum along a direction the loss barely determines does not
 * leap across the box to a bound.
 */
class BoundedLandingTest {

    static final double S = 0.1;

    /**
     * Residuals s (a + b - 2) twice and 1e-3 s (tanh(a - b - 1) - 0.05): a + b = 2 is well
     * determined, a - b only by the third residual, whose slope at the start (0, 2) is 1e-4
     * sech^2(-3) = 9.9e-7, so the gradient J^T r is about 1e-10, below gtol (1e-8): the start is
     * converged. The minimum is at a - b = 1 + atanh(0.05), a = 1.525, b = 0.475, well inside the
     * box [-10, 10]; the linear model, whose third row is nearly flat, has its minimum beyond the
     * box along a - b, at a = 10, where tanh is 1 and the loss is not what the model says.
     */
    static ObjectiveFunction weak(boolean withC) {
        List<ObjectiveFunction> terms = new ArrayList<>();
        QuantityComputer sum = p -> Quantities.of("e", S * (p.get("a") + p.get("b") - 2));
        terms.add(sum.withLoss(LossFunctions.squaredError(Map.of("e", 0.0))));
        terms.add(sum.withLoss(LossFunctions.squaredError(Map.of("e", 0.0))));
        QuantityComputer diff = p -> Quantities.of("e", 1e-3 * S * (Math.tanh(p.get("a") - p.get("b") - 1) - 0.05));
        terms.add(diff.withLoss(LossFunctions.squaredError(Map.of("e", 0.0))));
        if (withC) {
            QuantityComputer c = p -> Quantities.of("e", 1e-3 * S * (1 - 1e-4 * Math.log(p.get("c"))));
            terms.add(c.withLoss(LossFunctions.squaredError(Map.of("e", 0.0))));
        }
        return new CombinedObjectiveFunction(terms);
    }

    static Bounds box(boolean withC) {
        Bounds.Builder b = Bounds.builder().between("a", -10, 10).between("b", -10, 10);
        if (withC) {
            b.between("c", 0.5, Double.POSITIVE_INFINITY);
        }
        return b.build();
    }

    /**
     * The start is converged and ends the fit: a and b stay where they are (the uncertainty's
     * displaced points move them by 1e-8 of their scale at most, a change of the loss far below
     * its rounding), no parameter at a bound, and the nearly singular J^T J is said.
     */
    @Test
    void aConvergedPointFarFromItsMinimumDoesNotLeapToABound() {
        FitResult r = new Fitter(weak(false), LeastSquaresTest.start("a", 0.0, "b", 2.0))
                .bounds(box(false))
                .maxEvaluations(200)
                .fit("least-squares");
        assertEquals(StopReason.CONVERGED, r.stopReason());
        assertEquals(0.0, r.bestParameters().get("a"), 1e-6, r.bestParameters()::toString);
        assertEquals(2.0, r.bestParameters().get("b"), 1e-6, r.bestParameters()::toString);
        assertEquals(List.of(), r.uncertainty().atBound());
        assertTrue(
                r.warnings().stream().anyMatch(w -> w.startsWith("J^T J is nearly singular")), r.warnings()::toString);
    }

    /**
     * With a third parameter c in [0.5, inf), fitted as log c, whose residual 1e-3 s (1 - 1e-4 ln
     * c) has its zero at ln c = 1e4: the linear model's minimum is a step of 1e4 in log c, beyond
     * the largest double (e^709.8). The fit ends converged, with c finite, instead of asking for
     * c = Infinity.
     */
    @Test
    void theLastPointIsNeverInfinite() {
        FitResult r = new Fitter(weak(true), LeastSquaresTest.start("a", 0.0, "b", 2.0, "c", 1.0))
                .bounds(box(true))
                .maxEvaluations(200)
                .fit("least-squares");
        assertEquals(StopReason.CONVERGED, r.stopReason());
        assertTrue(Double.isFinite(r.bestParameters().get("c")), r.bestParameters()::toString);
        assertEquals(List.of(), r.uncertainty().atBound());
    }

    /**
     * A method that asks for a point with an infinite parameter fails the fit, naming itself and
     * the parameter, with the best result so far (the start).
     */
    @Test
    void aMethodAskingForAnInfinitePointFailsTheFit() {
        Optimizer infinite = new Optimizer() {
            @Override
            public String name() {
                return "runaway";
            }

            @Override
            public Run start(Problem problem) {
                return new Run() {
                    int asked;

                    @Override
                    public List<double[]> ask() {
                        asked++;
                        return List.of(asked == 1 ? new double[] {0, 2} : new double[] {0, Double.POSITIVE_INFINITY});
                    }

                    @Override
                    public void tell(List<double[]> points, double[] values) {}

                    @Override
                    public String stopReason() {
                        return "running";
                    }

                    @Override
                    public void close() {}
                };
            }
        };
        FitFailedException e = assertThrows(
                FitFailedException.class,
                () -> new Fitter(weak(false), LeastSquaresTest.start("a", 0.0, "b", 2.0))
                        .bounds(Bounds.builder().between("a", -10, 10).build())
                        .fit(infinite));
        assertEquals(
                "the method runaway failed after 1 evaluation: it asked for a point where parameter 'b' is Infinity,"
                        + " not a finite number",
                e.getMessage());
        assertEquals(StopReason.FAILED, e.partialResult().orElseThrow().stopReason());
        assertEquals(2.0, e.partialResult().orElseThrow().bestParameters().get("b"), 0.0);
    }

    /**
     * One parameter p in [-10, 9] from 5 (its scale 5, u = p / 5), residual 1e-5 (1 + 0.1
     * tanh((5 - p) / 0.6)): at the start the slope in u is -1e-5 (0.1 / 0.6) 5, the gradient
     * 8.3e-11 and the scaled gradient below gtol: converged. The linear model's zero is at p = 11,
     * beyond the bound 9, which is within the trust region (its reach from the start is |u| = 1,
     * 5 in p): at p = 9 the model's residual is 1e-5 / 3, a predicted reduction of (1 - 1/9) 1e-10,
     * while tanh has saturated there, the residual 0.9e-5 and the actual reduction (1 - 0.81)
     * 1e-10: a ratio of 0.21, below a quarter. The point is asked and, its loss being lower than
     * the start's, kept: the run ends at the lowest point it evaluated, the one a fit reports as its
     * best and computes the uncertainty at.
     */
    @Test
    void aLastPointWithALowerLossIsKeptThoughItLowersTheLossByLessThanAQuarterOfThePrediction() {
        TrustRegionScipyTest.Run run = TrustRegionScipyTest.drive(
                p -> new double[] {saturating(p[0])}, new double[] {5}, new double[] {-10}, new double[] {9});
        // the start and its displaced point, then the last point alone
        assertEquals(3, run.evaluations());
        assertEquals(9 - 1e-10 * 5, run.best()[0], Math.ulp(9.0));
        assertEquals(
                "converged: the scaled gradient fell below 1.0E-8, then the minimum of its linear model within the"
                        + " bounds and the trust region, at the upper bound of 'p0', lowered the loss, by less than a"
                        + " quarter of the predicted reduction, and was kept: the run ends at the lower point",
                run.stop());
    }

    /** The saturating residual of p and 1e-6 (q - 1), 1e-6 (q - 1.5). */
    static ObjectiveFunction saturatingAndQ() {
        List<ObjectiveFunction> terms = new ArrayList<>();
        QuantityComputer t = p -> Quantities.of("e", saturating(p.get("p")));
        terms.add(t.withLoss(LossFunctions.squaredError(Map.of("e", 0.0))));
        QuantityComputer q1 = p -> Quantities.of("e", 1e-6 * (p.get("q") - 1));
        terms.add(q1.withLoss(LossFunctions.squaredError(Map.of("e", 0.0))));
        QuantityComputer q2 = p -> Quantities.of("e", 1e-6 * (p.get("q") - 1.5));
        terms.add(q2.withLoss(LossFunctions.squaredError(Map.of("e", 0.0))));
        return new CombinedObjectiveFunction(terms);
    }

    /**
     * The fit above with a budget of 6: no room for the 4 central points, so the uncertainty takes
     * forward differences, 2 more points after the last (e3), which was asked alone. Displacing q
     * from its best 1.25 by its step (1.49e-8 of 1.25) changes the loss by 2e-12 h^2, 7e-28, below
     * the rounding of a loss of 8.1e-11 (a unit in its last place is 1.3e-26): that point, e5, comes
     * out lower by rounding and is the best reported, by too little for the warning that the fit did
     * not reach the minimum; the uncertainty, computed at e3, says that it is e3's, naming both
     * evaluations and losses.
     */
    @Test
    void aPointOfTheUncertaintysJacobianLowerByRoundingIsTheBestAndTheUncertaintySaysWhoseItIs() {
        Map<Integer, Double> losses = new java.util.HashMap<>();
        FitResult r = new Fitter(saturatingAndQ(), LeastSquaresTest.start("p", 5.0, "q", 1.25))
                .bounds(Bounds.builder().between("p", -10, 9).build())
                .maxEvaluations(6)
                .listener((number, ctx, loss) -> losses.put(number, loss))
                .fit("least-squares");
        assertEquals(6, r.evaluations());
        double p = 9 - 1e-10 * 5;
        double ssr = saturating(p) * saturating(p) + 2 * (0.25e-6 * 0.25e-6);
        assertEquals(ssr, losses.get(3), 1e-12 * ssr);
        assertEquals(losses.get(5), r.bestLoss(), 0.0);
        assertTrue(r.bestLoss() < losses.get(3) && losses.get(3) - r.bestLoss() <= 1e-10 * ssr, losses::toString);
        assertEquals(p, r.bestParameters().get("p"), Math.ulp(9.0));
        assertEquals(
                1.25 * (1 + FiniteDifferences.FORWARD_STEP), r.bestParameters().get("q"), 1e-15);
        String said = "the best point reported, evaluation e5 with a loss of " + losses.get(5)
                + ", is a point of the uncertainty's Jacobian, below the " + losses.get(3)
                + " of evaluation e3, where the uncertainty was computed, by "
                + String.format(java.util.Locale.ROOT, "%.3g", losses.get(3) - losses.get(5))
                + ", at most 1e-10 of the loss (rounding, or a step along a nearly flat direction), too little"
                + " to matter; the uncertainty is that of e3";
        List<String> w = r.uncertainty().warnings();
        assertEquals(said, w.get(w.size() - 1));
        // a note of the uncertainty's own: nothing needs doing, so it is not among the fit's warnings
        assertTrue(!r.warnings().contains(said), r.warnings()::toString);
        assertEquals(List.of("p"), r.uncertainty().atBound());
        assertEquals(ssr / 2, r.uncertainty().residualVariance(), 1e-9 * ssr);
    }

    /** The residual of the last tests: 1e-5 (1 + 0.1 tanh((5 - p) / 0.6)). */
    static double saturating(double p) {
        return 1e-5 * (1 + 0.1 * Math.tanh((5 - p) / 0.6));
    }

    /**
     * The same through a fit, with a second parameter q that two residuals 1e-6 (q - 1) and 1e-6
     * (q - 1.5) determine, started at its best 1.25: the fit ends at the last point, p a hair
     * (5e-10) inside its bound 9 and q = 1.25, reports it as its best, and computes the uncertainty
     * there: p at its bound, left out; q estimated from the 3 residuals at that point, s^2 = SSR / (3
     * - 1) with SSR the best loss, J^T J = 2e-12 for q, and its variance s^2 / 2e-12.
     */
    @Test
    void theFitReportsTheLastPointItKeptAndTheUncertaintyThere() {
        FitResult r = new Fitter(saturatingAndQ(), LeastSquaresTest.start("p", 5.0, "q", 1.25))
                .bounds(Bounds.builder().between("p", -10, 9).build())
                .maxEvaluations(200)
                .fit("least-squares");
        assertEquals(StopReason.CONVERGED, r.stopReason());
        double p = 9 - 1e-10 * 5;
        assertEquals(p, r.bestParameters().get("p"), Math.ulp(9.0));
        assertEquals(1.25, r.bestParameters().get("q"), 0.0);
        // the start, its 2 displaced points, the last point, the 4 central points of the uncertainty
        assertEquals(8, r.evaluations());
        double ssr = saturating(p) * saturating(p) + 2 * (0.25e-6 * 0.25e-6);
        assertEquals(ssr, r.bestLoss(), 1e-12 * ssr);
        Uncertainty u = r.uncertainty();
        assertEquals(List.of("p"), u.atBound());
        assertEquals(List.of("q"), u.estimated());
        assertEquals(ssr / 2, u.residualVariance(), 1e-9 * ssr);
        assertEquals(Math.sqrt(ssr / 2 / 2e-12), u.standardErrors().get("q"), 1e-6 * Math.sqrt(ssr / 4e-12));
        assertEquals(
                List.of(
                        "parameter(s) 'p' at a bound: left out of the covariance (their uncertainty is not estimated; the"
                                + " other parameters' standard errors are those with it held there)",
                        "parameter 'q' = 1.25 has a standard error of " + Uncertainty.g(Math.sqrt(ssr / 4e-12))
                                + ", larger than its scale 1.25 (the size of its start value 1.25): the data do not"
                                + " determine it (its value is where the method stopped, not a result of the fit);"
                                + " fix it, or add reference data that depend on it"),
                u.warnings());
    }

    /**
     * One parameter p in [-10, 9] from 5, residual 1e-5 (1 - (p - 5) / 60 + 0.002 (p - 5)^3): at
     * the start its slope in u = p / 5 is -1e-5 / 12, the gradient 8.3e-12, converged. The linear
     * model's zero is at p = 65, beyond the bound 9, where it predicts the residual 1e-5 (14 / 15);
     * the cubic term, flat at the start, makes the residual there 1e-5 (1 - 1/15 + 0.128) = 1.0613e-5,
     * above the start's: the point is asked and, not lowering the loss, not kept.
     */
    @Test
    void aLastPointThatDoesNotLowerTheLossIsNotKept() {
        TrustRegionScipyTest.Run run = TrustRegionScipyTest.drive(
                p -> new double[] {1e-5 * (1 - (p[0] - 5) / 60 + 0.002 * Math.pow(p[0] - 5, 3))},
                new double[] {5},
                new double[] {-10},
                new double[] {9});
        assertEquals(3, run.evaluations());
        assertEquals(5.0, run.best()[0], 0.0);
        assertEquals(
                "converged: the scaled gradient fell below 1.0E-8 (the minimum of its linear model within the bounds"
                        + " and the trust region, at a bound, did not lower the loss)",
                run.stop());
    }
}
