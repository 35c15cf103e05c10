package org.chemfit.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void metricsOfThreePairs() {
        Metrics m = Metrics.of(new double[] {1, 2, 3}, new double[] {1.1, 1.9, 3.3});
        assertEquals(3, m.count());
        assertEquals(Math.sqrt((0.01 + 0.01 + 0.09) / 3), m.rmse(), 1e-12);
        assertEquals(0.5 / 3, m.mae(), 1e-12);
        assertEquals(0.3, m.maxAbsError(), 1e-12);
        assertEquals(1 - 0.11 / 2.0, m.r2(), 1e-12);
    }

    @Test
    void nonFinitePairsAreLeftOutAndR2NeedsSpread() {
        Metrics m = Metrics.of(new double[] {1, 2, 3}, new double[] {1.5, Double.NaN, 3});
        assertEquals(2, m.count());
        assertEquals(Math.sqrt(0.25 / 2), m.rmse(), 1e-12);
        assertTrue(Double.isNaN(m.r2()), "R^2 of two pairs");
        assertTrue(
                Double.isNaN(Metrics.of(new double[] {2, 2, 2}, new double[] {1, 2, 3})
                        .r2()),
                "constant reference");
        Metrics none = Metrics.of(new double[] {1}, new double[] {Double.NaN});
        assertEquals(0, none.count());
        assertTrue(Double.isNaN(none.rmse()));
        assertThrows(IllegalArgumentException.class, () -> Metrics.of(new double[1], new double[2]));
    }

    @Test
    void predictionsOfATermWithStructuresAndOfAnArrayQuantity() {
        EvaluationContext root = new EvaluationContext(Parameters.of(Map.of("x", 1.0)));
        EvaluationContext term = root.addChild("dimers", 1.0);
        term.addChild("a", 1.0).computed(Quantities.of("energy", 1.5));
        term.addChild("b", 1.0).computed(Quantities.of("energy", -0.5));
        List<Predictions.Row> rows = Predictions.of("dimers", term, Map.of("energy", new double[] {1.0, -1.0}));
        assertEquals(
                List.of(
                        new Predictions.Row("dimers", "a", "energy", 1.0, 1.5),
                        new Predictions.Row("dimers", "b", "energy", -1.0, -0.5)),
                rows);
        assertEquals(0.5, Predictions.metrics(rows, "energy").rmse(), 1e-12);

        EvaluationContext ext = root.addChild("curve", 1.0);
        ext.computed(Quantities.builder().put("rdf", new double[] {0, 2}).build());
        List<Predictions.Row> r2 = Predictions.of("curve", ext, Map.of("rdf", new double[] {0, 1}));
        assertEquals("1", r2.get(1).item());
        assertEquals(1.0, r2.get(1).residual(), 0);
        assertTrue(Double.isNaN(Predictions.of("curve", null, Map.of("rdf", new double[] {0}))
                .get(0)
                .model()));
    }
}
