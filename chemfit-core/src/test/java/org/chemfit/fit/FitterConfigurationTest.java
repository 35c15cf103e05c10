package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.junit.jupiter.api.Test;

/** A fit runs with the configuration its Fitter had when it started. */
class FitterConfigurationTest {

    /** Rosenbrock from far away: Nelder-Mead does not converge within the budgets below. */
    private static final ObjectiveFunction ROSENBROCK = p -> {
        double x = p.get("x");
        double y = p.get("y");
        return 100 * Math.pow(y - x * x, 2) + Math.pow(1 - x, 2);
    };

    @Test
    void aBudgetChangedDuringAFitAppliesToTheNextFit() {
        Fitter fitter = new Fitter(ROSENBROCK, Parameters.of(Map.of("x", -3.0, "y", 4.0))).maxEvaluations(60);
        AtomicInteger steps = new AtomicInteger();
        fitter.callback(
                p -> {
                    steps.incrementAndGet();
                    fitter.maxEvaluations(10); // from inside the running fit
                },
                1);

        FitResult first = fitter.fit("Nelder-Mead");
        assertTrue(steps.get() > 0, "the callback ran");
        assertEquals(StopReason.MAX_EVALUATIONS, first.stopReason());
        assertTrue(
                first.evaluations() > 10 && first.evaluations() <= 60,
                "the running fit kept its budget of 60, used " + first.evaluations());

        FitResult second = fitter.fit("Nelder-Mead");
        assertEquals(StopReason.MAX_EVALUATIONS, second.stopReason());
        assertTrue(second.evaluations() <= 10, "the next fit has the budget of 10, used " + second.evaluations());
    }

    private static String refusal(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(IllegalArgumentException.class, e).getMessage();
    }

    @Test
    void nanAndInfiniteSettingsAreRefusedAsNotFiniteNumbers() {
        Fitter f = new Fitter(ROSENBROCK, Map.of("x", 0.0, "y", 0.0));
        assertEquals(
                "near-bound tolerance must be a finite number >= 0, got NaN",
                refusal(() -> f.nearBoundTolerance(Double.NaN)));
        assertEquals(
                "near-bound tolerance must be a finite number >= 0, got -1.0", refusal(() -> f.nearBoundTolerance(-1)));
        assertEquals(
                "near-bound tolerance must be a finite number >= 0, got Infinity",
                refusal(() -> f.nearBoundTolerance(Double.POSITIVE_INFINITY)));
        Optimizer nm = Optimizers.byName("Nelder-Mead");
        assertEquals(
                "tolerances must be finite numbers >= 0, got relative NaN and absolute 0.0",
                refusal(() -> Optimizers.withTolerances(nm, Double.NaN, 0)));
        assertEquals(
                "tolerances must be finite numbers >= 0, got relative 0.0 and absolute -1.0",
                refusal(() -> Optimizers.withTolerances(nm, 0, -1)));
        assertEquals(
                "tolerances must be finite numbers >= 0, got relative NaN and absolute 0.0",
                refusal(() -> Optimizers.withTolerances(Optimizers.byName("least-squares"), Double.NaN, 0)));
        assertEquals(
                "ftol must be a finite number >= 0, got NaN", refusal(() -> Optimizers.leastSquares(1e-6, Double.NaN)));
        // BOBYQA stops when its trust region shrinks to its stopping radius: tolerances would not be read
        assertEquals(
                "BOBYQA takes no loss tolerances: it stops when its trust region shrinks to its stopping radius",
                refusal(() -> Optimizers.withTolerances(Optimizers.byName("BOBYQA"), 1e-6, 0)));
        // the methods that take forward differences take a step; the others refuse one
        assertEquals(
                "Nelder-Mead takes no finite-difference step",
                refusal(() -> Optimizers.withRelativeStep(Optimizers.byName("Nelder-Mead"), 1e-3)));
        assertEquals(
                "the relative finite-difference step must lie in (0, 1), got 1.0",
                refusal(() -> Optimizers.withRelativeStep(Optimizers.byName("L-BFGS-B"), 1.0)));
    }

    @Test
    void aNegativeBadValueIsRefused() {
        Fitter f = new Fitter(ROSENBROCK, Map.of("x", 0.0, "y", 0.0));
        String m = refusal(() -> f.valueBadParams(-1));
        assertTrue(m.startsWith("valueBadParams must be a finite number >= 0 ("), m);
        assertTrue(m.endsWith(", got -1.0"), m);
        assertTrue(refusal(() -> f.valueBadParams(Double.NaN)).endsWith(", got NaN"));
        f.valueBadParams(0.0); // the lowest allowed
    }

    @Test
    void aFitWhoseEveryTermHasWeightZeroIsRefused() {
        ObjectiveFunction t = p -> Math.pow(p.get("x") - 3, 2);
        String expected = "every term of the objective has weight 0: the loss is 0 whatever the parameters, so the"
                + " fit cannot determine them; give a term a positive weight";
        CombinedObjectiveFunction zero = new CombinedObjectiveFunction(List.of(t, t), List.of(0.0, 0.0));
        assertEquals(expected, refusal(() -> new Fitter(zero, Map.of("x", 0.0)).fit("Nelder-Mead")));
        // nested: a term of positive weight whose own terms all have weight 0
        CombinedObjectiveFunction nested = new CombinedObjectiveFunction(List.of(zero, t), List.of(1.0, 0.0));
        assertEquals(expected, refusal(() -> new Fitter(nested, Map.of("x", 0.0)).fit("least-squares")));
        // one positive weight fits
        CombinedObjectiveFunction one = new CombinedObjectiveFunction(List.of(t, t), List.of(0.0, 1.0));
        assertEquals(
                3.0,
                new Fitter(one, Map.of("x", 0.0))
                        .fit("Nelder-Mead")
                        .bestParameters()
                        .get("x"),
                1e-3);
    }
}
