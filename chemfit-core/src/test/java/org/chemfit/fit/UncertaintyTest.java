package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * One parameter b, three residuals (1, -1, 0) and a Jacobian column of c each: s^2 = 2 / (3 - 1)
     * = 1 and J^T J = 3 c^2, so the standard error of b is 1 / (c sqrt(3)).
     */
    private static Uncertainty oneParameter(double c, double x, double lower, double upper) {
        return Uncertainty.compute(
                List.of("b"),
                new double[] {x},
                new double[] {lower},
                new double[] {upper},
                new double[] {1, -1, 0},
                new double[][] {{c}, {c}, {c}});
    }

    @Test
    void tooFewResidualsAreCountedInWords() {
        double inf = Double.POSITIVE_INFINITY;
        Uncertainty one = Uncertainty.compute(
                List.of("a"),
                new double[] {1},
                new double[] {-inf},
                new double[] {inf},
                new double[] {0.5},
                new double[][] {{2.0}});
        assertTrue(
                one.warnings()
                        .contains(
                                "only 1 residual for 1 estimated parameter: no residual variance, no standard errors"),
                one.warnings()::toString);
        Uncertainty two = Uncertainty.compute(
                List.of("a", "b", "c"),
                new double[] {1, 2, 3},
                new double[] {-inf, -inf, -inf},
                new double[] {inf, inf, inf},
                new double[] {0.5, 0.25},
                new double[][] {{2.0, 1.0, 0.5}, {1.0, 3.0, 0.25}});
        assertTrue(
                two.warnings()
                        .contains(
                                "only 2 residuals for 3 estimated parameters: no residual variance, no standard errors"),
                two.warnings()::toString);
    }

    @Test
    void aStandardErrorWiderThanTheBoundsSaysTheDataDoNotDetermineTheParameter() {
        Uncertainty u = oneParameter(0.01, 10, 0, 50);
        assertEquals(100 / Math.sqrt(3), u.standardErrors().get("b"), 1e-12);
        assertEquals(
                List.of("parameter 'b' = 10 has a standard error of 57.735, larger than the width 50 of its bounds"
                        + " [0, 50]: the data do not determine it (its value is where the method stopped, not a"
                        + " result of the fit); fix it, or add reference data that depend on it"),
                u.warnings());
        // within the bounds' width: nothing to say
        assertEquals(List.of(), oneParameter(0.01, 10, 0, 60).warnings());
        assertEquals(List.of(), oneParameter(1, 10, 0, 50).warnings());
    }

    @Test
    void withoutBothBoundsTheStandardErrorIsComparedWithTheValue() {
        assertEquals(
                List.of("parameter 'b' = -10 has a standard error of 57.735, larger than its value's size 10: the"
                        + " data do not determine it (its value is where the method stopped, not a result of the"
                        + " fit); fix it, or add reference data that depend on it"),
                oneParameter(0.01, -10, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)
                        .warnings());
        // a lower bound only: the value still sets the size
        assertTrue(oneParameter(0.01, 10, 0, Double.POSITIVE_INFINITY)
                .warnings()
                .get(0)
                .startsWith(
                        "parameter 'b' = 10 has a standard error of 57.735, larger than its value's" + " size 10:"));
        assertEquals(
                List.of(),
                oneParameter(0.01, 100, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)
                        .warnings());
        // a value of zero has no size to compare with
        assertEquals(
                List.of(),
                oneParameter(0.01, 0, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)
                        .warnings());
    }
}
