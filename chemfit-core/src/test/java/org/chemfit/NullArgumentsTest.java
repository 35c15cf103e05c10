package org.chemfit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** A null argument to an entry point of the package is refused there, by the argument's name. */
class NullArgumentsTest {

    private static final Parameters P = Parameters.of(Map.of("x", 1.0));

    private static void refused(String name, Executable call) {
        assertEquals(name, assertThrows(NullPointerException.class, call).getMessage());
    }

    @Test
    void parametersAndQuantities() {
        refused("names", () -> Parameters.of(null, new double[0]));
        refused("values", () -> Parameters.of(List.of(), null));
        refused("name", () -> P.get(null));
        refused("name", () -> P.with(null, 1.0));
        assertEquals(7.0, P.get(null, 7.0));
        refused("values", () -> Quantities.of(null));
        Quantities q = Quantities.of("energy", 1.0);
        refused("name", () -> q.get(null));
        refused("name", () -> q.array(null));
        refused("name", () -> q.label(null));
    }

    @Test
    void bounds() {
        Bounds b = Bounds.builder().between("x", 0, 2).build();
        refused("pairs", () -> Bounds.of(null));
        refused("params", () -> Bounds.checkParamsNearBounds(null, Map.of(), 0.1));
        refused("bounds", () -> Bounds.checkParamsNearBounds(Map.of(), null, 0.1));
        refused("params", () -> b.nearBounds(null, 0.1));
        refused("params", () -> b.validate(null));
        refused("name", () -> Bounds.none().lower(null));
        refused("name", () -> Bounds.none().upper(null));
        refused("name", () -> Bounds.none().clip(null, 1.0));
    }

    @Test
    void lossesResidualsAndEvaluation() {
        refused("reference", () -> LossFunctions.squaredError(null));
        refused("scales", () -> LossFunctions.squaredError(Map.of("e", 1.0), null));
        refused("reference", () -> LossFunctions.squaredErrorOfArrays(null, Map.of()));
        refused("scales", () -> LossFunctions.squaredErrorOfArrays(Map.of("e", new double[] {1.0}), null));
        refused("losses", () -> LossFunctions.sum((LossFunction[]) null));
        refused("objective", () -> Residuals.available(null));
        refused("objective", () -> Residuals.check(null));
        refused("ctx", () -> Residuals.of(p -> 1.0, null));
        CombinedObjectiveFunction c = new CombinedObjectiveFunction(List.of(p -> 1.0));
        refused("params", () -> c.evaluate(null, new EvaluationContext(P)));
        refused("ctx", () -> c.evaluate(P, (EvaluationContext) null));
    }
}
