package org.chemfit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Residual vectors of sum-of-squares losses and combined objectives: the loss is their sum of squares. */
class ResidualsTest {

    static final QuantityComputer COMPUTER = p -> Quantities.builder()
            .put("a", 2 * p.get("x"))
            .put("b", p.get("x") * p.get("x"))
            .put("curve", new double[] {p.get("x"), 1 + p.get("x"), 3.0})
            .build();

    static Map<String, Double> ref() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("a", 1.0);
        m.put("b", 5.0);
        return m;
    }

    private static double[] evaluate(ObjectiveFunction f, double x, double[] loss) {
        Parameters p = Parameters.of(Map.of("x", x));
        EvaluationContext ctx = new EvaluationContext(p);
        loss[0] = f.evaluate(p, ctx);
        return Residuals.of(f, ctx);
    }

    @Test
    void squaredErrorsExposeTheirResiduals() {
        double[] loss = new double[1];
        double[] r = evaluate(COMPUTER.withLoss(LossFunctions.squaredError(ref(), Map.of("b", 2.0))), 3.0, loss);
        assertArrayEquals(new double[] {5.0, 2.0}, r, 0.0);
        assertEquals(29.0, loss[0], 0.0);
        r = evaluate(COMPUTER.withLoss(LossFunctions.meanSquaredError(ref(), Map.of())), 3.0, loss);
        assertArrayEquals(new double[] {5 / Math.sqrt(2), 4 / Math.sqrt(2)}, r, 1e-15);
        assertEquals(41.0 / 2, loss[0], 1e-14);
        r = evaluate(COMPUTER.withLoss(LossFunctions.sumOfSquares("curve", new double[] {1, 1, 1}, 0.5)), 3.0, loss);
        assertArrayEquals(new double[] {4, 6, 4}, r, 0.0);
        assertEquals(68.0, loss[0], 0.0);
        r = evaluate(
                COMPUTER.withLoss(LossFunctions.sum(
                        LossFunctions.squaredError(Map.of("a", 0.0)),
                        LossFunctions.sumOfSquares("curve", new double[] {0, 0, 0}))),
                1.0,
                loss);
        assertArrayEquals(new double[] {2, 1, 2, 3}, r, 0.0);
        assertEquals(18.0, loss[0], 0.0);
    }

    @Test
    void weightsAndTheMeanReducerAreAppliedSoThatTheLossIsTheSumOfSquares() {
        ObjectiveFunction t1 = COMPUTER.withLoss(LossFunctions.squaredError(ref()));
        ObjectiveFunction t2 = COMPUTER.withLoss(LossFunctions.sumOfSquares("curve", new double[] {0, 0, 0}));
        CombinedObjectiveFunction inner =
                new CombinedObjectiveFunction(List.of(t1, t2), List.of(2.0, 0.5)).withReducer(Reducer.MEAN);
        CombinedObjectiveFunction outer = new CombinedObjectiveFunction(
                        List.of(inner.named("inner"), t1), List.of(3.0, 1.0))
                .withTermNames(List.of("inner", "t1"));
        double[] loss = new double[1];
        double[] r = evaluate(outer, 1.5, loss);
        assertEquals(2 + 3 + 2, r.length);
        double ssr = 0;
        for (double d : r) {
            ssr += d * d;
        }
        assertEquals(loss[0], ssr, 1e-12 * loss[0]);
        // term t1 at x = 1.5: a = 3, b = 2.25: residuals 2, -2.75; in "inner" scaled by sqrt(3 * 2 / 2)
        assertEquals(2 * Math.sqrt(3.0), r[0], 1e-14);
        assertEquals(-2.75, r[6], 0.0);
    }

    @Test
    void whatIsNotASumOfSquaresIsRefusedNamingTheTerm() {
        ObjectiveFunction abs = COMPUTER.withLoss(LossFunctions.absoluteError(ref()));
        CombinedObjectiveFunction c = new CombinedObjectiveFunction(
                        List.of(COMPUTER.withLoss(LossFunctions.squaredError(ref())), abs))
                .withTermNames(List.of("energies", "dipoles"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Residuals.check(c));
        assertTrue(e.getMessage().contains("term 'dipoles' has a loss that is not a sum of squares"), e.getMessage());
        ObjectiveFunction plain = p -> p.get("x") * p.get("x");
        e = assertThrows(IllegalArgumentException.class, () -> Residuals.check(plain.named("penalty")));
        assertTrue(e.getMessage().contains("term 'penalty' is a plain function of the parameters"), e.getMessage());
        CombinedObjectiveFunction rms = new CombinedObjectiveFunction(
                        List.of(COMPUTER.withLoss(LossFunctions.squaredError(ref()))))
                .withReducer(Reducer.ROOT_MEAN)
                .named("rmse");
        e = assertThrows(IllegalArgumentException.class, () -> Residuals.check(rms));
        assertTrue(e.getMessage().contains("term 'rmse' reduces its terms with root_mean"), e.getMessage());
    }

    @Test
    void aPenalisedTermLeavesTheEvaluationWithoutResiduals() {
        QuantityComputer failing = p -> {
            throw new IllegalStateException("simulation crashed");
        };
        CombinedObjectiveFunction c = new CombinedObjectiveFunction(List.of(
                        COMPUTER.withLoss(LossFunctions.squaredError(ref())),
                        failing.withLoss(LossFunctions.squaredError(ref()))))
                .withFailurePolicy(FailurePolicy.penalty(100));
        double[] loss = new double[1];
        assertNull(evaluate(c, 1.0, loss));
        assertEquals(1 + 16 + 100, loss[0], 0.0);
    }

    @Test
    void aTermOfWeightZeroGivesNoResidual() {
        ObjectiveFunction t1 = COMPUTER.withLoss(LossFunctions.squaredError(ref()));
        ObjectiveFunction t2 = COMPUTER.withLoss(LossFunctions.sumOfSquares("curve", new double[] {0, 0, 0}));
        CombinedObjectiveFunction c =
                new CombinedObjectiveFunction(List.of(t1, t2), List.of(1.0, 0.0)).withTermNames(List.of("t1", "t2"));
        double[] loss = new double[1];
        double[] r = evaluate(c, 3.0, loss);
        assertArrayEquals(new double[] {5.0, 4.0}, r, 0.0);
        assertEquals(41.0, loss[0], 0.0);
        assertEquals(1.0, org.chemfit.support.ResidualScale.commonFactor(c), 0.0, "the one weighted term's factor");
    }
}
