package org.chemfit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class LossFunctionsTest {

    private final Quantities q = Quantities.builder().put("e", 2.0).put("d", 0.5).put("rdf", new double[] {1, 2, 3})
            .label("tag", "dimer").build();

    @Test
    void squaredErrorWithScales() {
        assertEquals(1.0 + 0.25, LossFunctions.squaredError(Map.of("e", 1.0, "d", 1.0)).evaluate(q), 1e-15);
        assertEquals(0.25 + 0.25 / 0.25, LossFunctions.squaredError(Map.of("e", 1.0, "d", 1.0), Map.of("e", 2.0, "d", 0.5)).evaluate(q),
                1e-15);
    }

    @Test
    void absoluteAndRelativeError() {
        assertEquals(1.0 + 0.5, LossFunctions.absoluteError(Map.of("e", 1.0, "d", 1.0)).evaluate(q), 1e-15);
        assertEquals(0.5, LossFunctions.relativeError(Map.of("e", 4.0)).evaluate(q), 1e-15);
        assertEquals("relative error needs a non-zero reference value, got 0 for 'e'",
                assertThrows(IllegalArgumentException.class, () -> LossFunctions.relativeError(Map.of("e", 0.0))).getMessage());
    }

    @Test
    void sumOfSquaresOverArrays() {
        assertEquals(1 + 4 + 9, LossFunctions.sumOfSquares("rdf", new double[] {0, 0, 0}).evaluate(q), 1e-15);
        assertEquals((1 + 4 + 9) / 4.0, LossFunctions.sumOfSquares("rdf", new double[] {0, 0, 0}, 2.0).evaluate(q), 1e-15);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LossFunctions.sumOfSquares("rdf", new double[] {0, 0}).evaluate(q));
        assertEquals("quantity 'rdf' has 3 values but its reference has 2", e.getMessage());
    }

    @Test
    void missingQuantityNamesWhatWasComputed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LossFunctions.squaredError(Map.of("energy", 1.0)).evaluate(Quantities.of("enrgy", 1.0)));
        assertEquals("no quantity 'energy' (did you mean 'enrgy'?); computed quantities: enrgy", e.getMessage());
    }

    @Test
    void badReferencesAndScalesAreRefused() {
        assertEquals("reference value of 'e' must be finite, got NaN",
                assertThrows(IllegalArgumentException.class, () -> LossFunctions.squaredError(Map.of("e", Double.NaN))).getMessage());
        assertEquals("scale of 'e' must be positive and finite, got 0.0",
                assertThrows(IllegalArgumentException.class,
                        () -> LossFunctions.squaredError(Map.of("e", 1.0), Map.of("e", 0.0))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LossFunctions.squaredError(Map.of("e", 1.0), Map.of("x", 1.0))).getMessage()
                .startsWith("scale given for 'x', which has no reference value"));
    }

    @Test
    void parameterAwareLossAndSum() {
        LossFunction reg = LossFunction.withParameters((qq, p) -> p.get("x"));
        LossFunction total = LossFunctions.sum(LossFunctions.squaredError(Map.of("e", 1.0)), reg);
        assertEquals(1.0 + 3.0, total.evaluate(q, Parameters.of(Map.of("x", 3.0))), 1e-15);
        var term = new QuantityComputerObjectiveFunction(reg, p -> q);
        assertEquals(5.0, term.evaluate(Parameters.of(Map.of("x", 5.0))));
    }

    @Test
    void quantitiesHoldNumbersArraysAndLabels() {
        assertEquals("dimer", q.label("tag"));
        assertEquals(3, q.array("rdf").length);
        assertEquals("quantity 'tag' is a label, not a number",
                assertThrows(IllegalArgumentException.class, () -> q.get("tag")).getMessage());
        double[] copy = q.array("rdf");
        copy[0] = 99;
        assertEquals(1.0, q.array("rdf")[0]);
    }

    @Test
    void aSumOfNoLossesIsRefused() {
        assertEquals("a sum of losses needs at least one loss, got none",
                assertThrows(IllegalArgumentException.class, () -> LossFunctions.sum()).getMessage());
        assertEquals("loss 1 of the sum is null",
                assertThrows(IllegalArgumentException.class,
                        () -> LossFunctions.sum(LossFunctions.absoluteError(Map.of("e", 1.0)), null)).getMessage());
    }
}
