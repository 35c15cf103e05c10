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
     * 1e-10: a ratio of 0.21, below a quarter. The point is asked, and not kept.
     */
    @Test
    void aLastPointThatLowersTheLossByLessThanAQuarterOfThePredictionIsNotKept() {
        TrustRegionScipyTest.Run run = TrustRegionScipyTest.drive(
                p -> new double[] {1e-5 * (1 + 0.1 * Math.tanh((5 - p[0]) / 0.6))},
                new double[] {5},
                new double[] {-10},
                new double[] {9});
        // the start and its displaced point, then the last point alone
        assertEquals(3, run.evaluations());
        assertEquals(9 - 1e-10 * 5, run.best()[0], Math.ulp(9.0));
        assertEquals(
                "converged: the scaled gradient fell below 1.0E-8 (the minimum of its linear model within the bounds"
                        + " and the trust region, at a bound, lowered the loss by less than a quarter of the predicted"
                        + " reduction)",
                run.stop());
    }
}
