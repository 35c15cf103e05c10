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
    void ordinaryErrorsGiveTheRootOfTheMeanOfTheirSquaresBitForBit() {
        double[] ref = {-41.5, 0.25, 3.0e-3, 17.0, 1.1};
        double[] model = {-41.3, 0.2, 2.9e-3, 16.0, 1.35};
        double sq = 0;
        double abs = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = model[i] - ref[i];
            sq += d * d;
            abs += Math.abs(d);
        }
        Metrics m = Metrics.of(ref, model);
        // the plain formula, unscaled, where nothing overflows or underflows
        assertEquals(Math.sqrt(sq / ref.length), m.rmse(), 0);
        assertEquals(abs / ref.length, m.mae(), 0);
    }

    @Test
    void anErrorWhoseSquareOverflowsHasAFiniteRmse() {
        // (1e200 - 1.1)^2 is beyond a double: the RMSE of the one pair is its error, 1e200
        Metrics one = Metrics.of(new double[] {1.1}, new double[] {1e200});
        assertEquals(1e200, one.rmse(), 0);
        assertEquals(1e200, one.mae(), 0);
        assertEquals(1e200, one.maxAbsError(), 0);
        // beside two exact values: 1e200 / sqrt(3)
        Metrics three = Metrics.of(new double[] {1.1, 2, 3}, new double[] {1e200, 2, 3});
        assertEquals(3, three.count());
        assertEquals(1e200 / Math.sqrt(3), three.rmse(), 1e200 * 1e-15);
        assertEquals(1e200 / 3, three.mae(), 1e200 * 1e-15);
        // errors of 1.5e154 about references spread by 1e153: SS_res = 6.75e308 overflows, SS_tot = 2e306
        // does not; R^2 = 1 - 6.75e308 / 2e306 = -336.5
        Metrics wide =
                Metrics.of(new double[] {-1e153, 0, 1e153}, new double[] {-1e153 + 1.5e154, 1.5e154, 1e153 + 1.5e154});
        assertEquals(1.5e154, wide.rmse(), 1.5e154 * 1e-12);
        assertEquals(-336.5, wide.r2(), 1e-9);
    }

    @Test
    void errorsWhoseSumOverflowsHaveAFiniteMae() {
        Metrics m = Metrics.of(new double[] {0, 0}, new double[] {1.5e308, -1.5e308});
        assertEquals(1.5e308, m.mae(), 0);
        assertEquals(1.5e308, m.rmse(), 0);
    }

    @Test
    void errorsWhoseSquaresUnderflowHaveTheirRmseNotZero() {
        // (1e-200)^2 is below the smallest double: the plain sum of squares is 0
        Metrics tiny = Metrics.of(new double[] {0, 0}, new double[] {1e-200, -1e-200});
        assertEquals(1e-200, tiny.rmse(), 0);
        assertEquals(1e-200, tiny.mae(), 0);
    }

    @Test
    void referencesWhoseSpreadUnderflowsHaveAnR2() {
        // deviations of 2e-170 about the mean 3e-170 square to 4e-340, below the smallest double, and the
        // one error of 1e-170 to 1e-340: R^2 = 1 - 1e-340 / 8e-340 = 0.875
        Metrics m = Metrics.of(new double[] {1e-170, 3e-170, 5e-170}, new double[] {1e-170, 2e-170, 5e-170});
        assertEquals(1e-170, m.maxAbsError(), 1e-170 * 1e-12);
        assertEquals(0.875, m.r2(), 1e-12);
        // one error of 1e-160 about the same references: SS_res = 1e-320 is subnormal, SS_tot is 0 plainly;
        // R^2 = 1 - 1e-320 / 8e-340 = 1 - 1.25e19
        Metrics worse =
                Metrics.of(new double[] {1e-170, 3e-170, 5e-170}, new double[] {1e-170, 3e-170, 5e-170 + 1e-160});
        assertEquals(-1.25e19, worse.r2(), 1.25e19 * 1e-12);
        // an error of 1 beside them is plain (SS_res = 1) but SS_tot = 8e-340 underflows:
        // R^2 = 1 - 1.25e339 is beyond a double
        Metrics plain = Metrics.of(new double[] {1e-170, 3e-170, 5e-170}, new double[] {1e-170, 1, 5e-170});
        assertEquals(Double.NEGATIVE_INFINITY, plain.r2());
    }

    @Test
    void referencesWhoseSpreadOverflowsHaveAnR2() {
        // errors of 1e300 about references spread by 1e300: SS_res = 3e600 and SS_tot = 2e600 both overflow;
        // R^2 = 1 - 3e600 / 2e600 = -0.5
        Metrics both = Metrics.of(new double[] {-1e300, 0, 1e300}, new double[] {0, 1e300, 0});
        assertEquals(1e300, both.maxAbsError(), 0);
        assertEquals(-0.5, both.r2(), 1e-12);
        // errors of 1e154 about references spread by 1.5e154: SS_res = 3e308 is a double, SS_tot = 4.5e308 is
        // not; R^2 = 1 - 3 / 4.5 = 1/3, not the 1 of dividing by infinity
        Metrics tot = Metrics.of(
                new double[] {-1.5e154, 0, 1.5e154}, new double[] {-1.5e154 + 1e154, 1e154, 1.5e154 + 1e154});
        assertEquals(1.0 / 3, tot.r2(), 1e-12);
    }

    @Test
    void aDeviationOrAnErrorBeyondADoubleLeavesR2AndTheMaeTheirValues() {
        double a = 1.7e308;
        // references -a, a, a: their mean a/3, and -a - a/3 is beyond a double. Deviations -4a/3, 2a/3, 2a/3
        // give SS_tot = 24 a^2 / 9, one error of a gives SS_res = a^2: R^2 = 1 - 9/24, not the 1 of a sum
        // divided by infinity
        Metrics deviation = Metrics.of(new double[] {-a, a, a}, new double[] {-a, a, 0});
        assertEquals(1 - 9.0 / 24, deviation.r2(), 1e-12);
        assertEquals(a, deviation.maxAbsError(), 0);
        assertEquals(a / 3, deviation.mae(), a * 1e-15);
        assertEquals(a / Math.sqrt(3), deviation.rmse(), a * 1e-15);
        // an error of 2a, beyond a double, about references -a, 0, a: SS_res = 4 a^2, SS_tot = 2 a^2, R^2 = -1;
        // the MAE, 2a/3, is a double, the RMSE (2a / sqrt(3)) and the largest error are not
        Metrics error = Metrics.of(new double[] {-a, 0, a}, new double[] {a, 0, a});
        assertEquals(-1, error.r2(), 1e-12);
        assertEquals(a / 3 * 2, error.mae(), a * 1e-15);
        assertEquals(Double.POSITIVE_INFINITY, error.rmse());
        assertEquals(Double.POSITIVE_INFINITY, error.maxAbsError());
        // a sum of references beyond a double (1000 of them near its limit): the mean, and R^2, still come out
        double[] ref = new double[1000];
        double[] model = new double[1000];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = i % 2 == 0 ? a : a / 2;
            model[i] = ref[i];
        }
        model[0] = a / 2; // one error of a/2 against SS_tot = 1000 (a/4)^2: R^2 = 1 - 4/1000
        Metrics many = Metrics.of(ref, model);
        assertEquals(1 - 4.0 / 1000, many.r2(), 1e-12);
        assertEquals(a / 2 / 1000, many.mae(), a * 1e-15);
    }

    @Test
    void anErrorBeyondADoubleIsInfinite() {
        // 1.5e308 - (-1.5e308) is no double: nothing to scale by, as before
        Metrics m = Metrics.of(new double[] {-1.5e308}, new double[] {1.5e308});
        assertEquals(Double.POSITIVE_INFINITY, m.rmse());
        assertEquals(Double.POSITIVE_INFINITY, m.mae());
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
