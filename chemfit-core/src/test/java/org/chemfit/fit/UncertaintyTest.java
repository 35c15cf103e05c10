package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UncertaintyTest {

    @Test
    void toStringWritesTheMatricesOut() {
        Map<String, Double> se = new LinkedHashMap<>();
        se.put("a", 1.0);
        se.put("b", 2.0);
        Uncertainty u = new Uncertainty(
                List.of("a", "b"),
                se,
                new double[][] {{1.0, 0.5}, {0.5, 4.0}},
                new double[][] {{1.0, 0.25}, {0.25, 1.0}},
                1.5,
                List.of("c"),
                List.of(),
                5,
                0.75,
                List.of("parameter(s) 'c' at a bound"));
        assertEquals(
                "Uncertainty[estimated=[a, b], standardErrors={a=1.0, b=2.0}, covariance=[[1.0, 0.5], [0.5, 4.0]],"
                        + " correlation=[[1.0, 0.25], [0.25, 1.0]], conditionNumber=1.5, atBound=[c], noEffect=[],"
                        + " residuals=5, residualVariance=0.75, warnings=[parameter(s) 'c' at a bound]]",
                u.toString());
    }
}
