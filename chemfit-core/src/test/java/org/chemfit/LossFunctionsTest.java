package org.chemfit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LossFunctionsTest {

    private final Quantities q = Quantities.builder()
            .put("e", 2.0)
            .put("d", 0.5)
            .put("rdf", new double[] {1, 2, 3})
            .label("tag", "dimer")
            .build();

    @Test
    void theReferenceOfAMapFromMapOfIsSummedInNameOrder() {
        // Map.of iterates from a slot and in a direction chosen at each start of the JVM: these
        // names lie in its table so that no start iterates them sorted (q between c and e), so
        // this fails without the sort in every run
        Map<String, Double> reference =
                Map.of("h", 8.0, "c", 3.0, "f", 6.0, "a", 1.0, "g", 7.0, "b", 2.0, "e", 5.0, "q", 4.0);
        ResidualLoss loss = (ResidualLoss) LossFunctions.squaredError(reference);
        Quantities.Builder zeros = Quantities.builder();
        Quantities.Builder arrayZeros = Quantities.builder();
        for (String n : List.of("a", "b", "c", "e", "f", "g", "h", "q")) {
            zeros.put(n, 0.0);
            arrayZeros.put(n, new double[] {0});
        }
        double[] expected = {-1, -2, -3, -5, -6, -7, -8, -4};
        assertArrayEquals(expected, loss.residuals(zeros.build()));
        ResidualLoss arrays = (ResidualLoss) LossFunctions.squaredErrorOfArrays(
                Map.of(
                        "h",
                        new double[] {8},
                        "c",
                        new double[] {3},
                        "f",
                        new double[] {6},
                        "a",
                        new double[] {1},
                        "g",
                        new double[] {7},
                        "b",
                        new double[] {2},
                        "e",
                        new double[] {5},
                        "q",
                        new double[] {4}),
                Map.of());
        assertArrayEquals(expected, arrays.residuals(arrayZeros.build()));
    }

    @Test
    void squaredErrorWithScales() {
        assertEquals(
                1.0 + 0.25,
                LossFunctions.squaredError(Map.of("e", 1.0, "d", 1.0)).evaluate(q),
                1e-15);
        assertEquals(
                0.25 + 0.25 / 0.25,
                LossFunctions.squaredError(Map.of("e", 1.0, "d", 1.0), Map.of("e", 2.0, "d", 0.5))
                        .evaluate(q),
                1e-15);
    }

    @Test
    void absoluteAndRelativeError() {
        assertEquals(
                1.0 + 0.5,
                LossFunctions.absoluteError(Map.of("e", 1.0, "d", 1.0)).evaluate(q),
                1e-15);
        assertEquals(0.5, LossFunctions.relativeError(Map.of("e", 4.0)).evaluate(q), 1e-15);
        assertEquals(
                "relative error needs a non-zero reference value, got 0 for 'e'",
                assertThrows(IllegalArgumentException.class, () -> LossFunctions.relativeError(Map.of("e", 0.0)))
                        .getMessage());
    }

    @Test
    void sumOfSquaresOverArrays() {
        assertEquals(
                1 + 4 + 9,
                LossFunctions.sumOfSquares("rdf", new double[] {0, 0, 0}).evaluate(q),
                1e-15);
        assertEquals(
                (1 + 4 + 9) / 4.0,
                LossFunctions.sumOfSquares("rdf", new double[] {0, 0, 0}, 2.0).evaluate(q),
                1e-15);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> LossFunctions.sumOfSquares("rdf", new double[] {0, 0}).evaluate(q));
        assertEquals("quantity 'rdf' has 3 values but its reference has 2", e.getMessage());
    }

    @Test
    void lossesOverNumbersAndArraysAlike() {
        Map<String, double[]> ref = new java.util.LinkedHashMap<>();
        ref.put("e", new double[] {1.0});
        ref.put("rdf", new double[] {0, 0, 4});
        // squares: (2-1)^2 = 1; 1 + 4 + 1 = 6; with e scaled by 2: 0.25 + 6
        assertEquals(7.0, LossFunctions.squaredErrorOfArrays(ref, Map.of()).evaluate(q), 1e-15);
        assertEquals(
                6.25, LossFunctions.squaredErrorOfArrays(ref, Map.of("e", 2.0)).evaluate(q), 1e-15);
        assertEquals(
                7.0 / 4, LossFunctions.meanSquaredErrorOfArrays(ref, Map.of()).evaluate(q), 1e-15);
        ResidualLoss mean = (ResidualLoss) LossFunctions.meanSquaredErrorOfArrays(ref, Map.of());
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                new double[] {0.5, 0.5, 1.0, -0.5}, mean.residuals(q), 1e-15);
        // absolute: 1 + 1 + 2 + 1 = 5, e scaled by 2: 4.5; relative over {e: 4, rdf: 2,2,2}: 0.5 + 0.5 + 0 + 0.5
        assertEquals(5.0, LossFunctions.absoluteErrorOfArrays(ref, Map.of()).evaluate(q), 1e-15);
        assertEquals(
                4.5, LossFunctions.absoluteErrorOfArrays(ref, Map.of("e", 2.0)).evaluate(q), 1e-15);
        assertEquals(
                1.5,
                LossFunctions.relativeErrorOfArrays(Map.of("e", new double[] {4}, "rdf", new double[] {2, 2, 2}))
                        .evaluate(q),
                1e-15);
        assertTrue(!(LossFunctions.absoluteErrorOfArrays(ref, Map.of()) instanceof ResidualLoss));
    }

    @Test
    void lossesOverArraysRefuseBadReferences() {
        assertEquals(
                "relative error needs a non-zero reference value, got 0 for 'rdf' at index 1",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> LossFunctions.relativeErrorOfArrays(Map.of("rdf", new double[] {1, 0})))
                        .getMessage());
        assertEquals(
                "reference of 'rdf' must be finite, got NaN at index 0",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> LossFunctions.squaredErrorOfArrays(
                                        Map.of("rdf", new double[] {Double.NaN}), Map.of()))
                        .getMessage());
        assertEquals(
                "reference of 'rdf' must hold at least one value",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> LossFunctions.absoluteErrorOfArrays(Map.of("rdf", new double[0]), Map.of()))
                        .getMessage());
        assertEquals(
                "reference values must name at least one quantity",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> LossFunctions.meanSquaredErrorOfArrays(Map.of(), Map.of()))
                        .getMessage());
        assertEquals(
                "quantity 'rdf' has 3 values but its reference has 2",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> LossFunctions.squaredErrorOfArrays(Map.of("rdf", new double[] {0, 0}), Map.of())
                                        .evaluate(q))
                        .getMessage());
    }

    @Test
    void missingQuantityNamesWhatWasComputed() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> LossFunctions.squaredError(Map.of("energy", 1.0)).evaluate(Quantities.of("enrgy", 1.0)));
        assertEquals("no quantity 'energy' (did you mean 'enrgy'?); computed quantities: enrgy", e.getMessage());
    }

    @Test
    void badReferencesAndScalesAreRefused() {
        assertEquals(
                "reference value of 'e' must be finite, got NaN",
                assertThrows(IllegalArgumentException.class, () -> LossFunctions.squaredError(Map.of("e", Double.NaN)))
                        .getMessage());
        assertEquals(
                "scale of 'e' must be positive and finite, got 0.0",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> LossFunctions.squaredError(Map.of("e", 1.0), Map.of("e", 0.0)))
                        .getMessage());
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> LossFunctions.squaredError(Map.of("e", 1.0), Map.of("x", 1.0)))
                .getMessage()
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
        assertEquals(
                "quantity 'tag' is a label, not a number",
                assertThrows(IllegalArgumentException.class, () -> q.get("tag")).getMessage());
        double[] copy = q.array("rdf");
        copy[0] = 99;
        assertEquals(1.0, q.array("rdf")[0]);
    }

    @Test
    void aSumOfNoLossesIsRefused() {
        assertEquals(
                "a sum of losses needs at least one loss, got none",
                assertThrows(IllegalArgumentException.class, () -> LossFunctions.sum())
                        .getMessage());
        assertEquals(
                "loss 1 of the sum is null",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> LossFunctions.sum(LossFunctions.absoluteError(Map.of("e", 1.0)), null))
                        .getMessage());
    }

    @Test
    void aWeightedLossIsTheWeightTimesTheLossAndKeepsItsResiduals() {
        // rdf (1, 2, 3) against (1, 1, 1): squared errors 0 + 1 + 4 = 5, absolute errors 0 + 1 + 2 = 3
        ResidualLoss squares =
                (ResidualLoss) LossFunctions.weighted(4, LossFunctions.sumOfSquares("rdf", new double[] {1, 1, 1}));
        assertArrayEquals(new double[] {0, 2, 4}, squares.residuals(q));
        assertEquals(20.0, squares.evaluate(q), 0.0);
        assertEquals(2.0, ((org.chemfit.support.ResidualScale.Scaled) squares).commonFactor(), 0.0);
        LossFunction absolute = LossFunctions.weighted(
                0.5, LossFunctions.absoluteErrorOfArrays(Map.of("rdf", new double[] {1, 1, 1}), Map.of()));
        assertTrue(!(absolute instanceof ResidualLoss));
        assertEquals(1.5, absolute.evaluate(q), 0.0);
        assertEquals(1.5, absolute.evaluate(q, Parameters.of(Map.of("x", 1.0))), 0.0);
        // energy (2 against 1.5) plus a quarter of the rdf's squared errors: 0.25 + 0.25 * 5
        LossFunction sum = LossFunctions.sum(
                LossFunctions.squaredError(Map.of("e", 1.5)),
                LossFunctions.weighted(0.25, LossFunctions.sumOfSquares("rdf", new double[] {1, 1, 1})));
        assertEquals(1.5, sum.evaluate(q), 1e-15);
        assertEquals(
                "a loss's weight must be finite and not negative, got -1.0",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> LossFunctions.weighted(-1, LossFunctions.squaredError(Map.of("e", 1.0))))
                        .getMessage());
    }
}
