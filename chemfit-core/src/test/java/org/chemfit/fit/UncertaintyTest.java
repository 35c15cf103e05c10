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
        // the reason there are no standard errors, once: J^T J of rank 2 for 3 parameters is singular, and
        // no warning says that standard errors which do not exist are unreliable
        assertEquals(
                List.of("only 2 residuals for 3 estimated parameters: no residual variance, no standard errors"),
                two.warnings());
        assertEquals(Double.POSITIVE_INFINITY, two.conditionNumber());
        assertTrue(two.standardErrors().values().stream().allMatch(v -> v.isNaN()), two::toString);
        Uncertainty three = Uncertainty.compute(
                List.of("a", "b", "c"),
                new double[] {1, 2, 3},
                new double[] {-inf, -inf, -inf},
                new double[] {inf, inf, inf},
                new double[] {0.5},
                new double[][] {{2.0, 1.0, 0.5}});
        assertEquals(
                List.of("only 1 residual for 3 estimated parameters: no residual variance, no standard errors"),
                three.warnings());
    }

    /**
     * Four residuals, two parameters whose columns are equal up to rounding, as finite differences
     * give them: the smallest singular value is not 0 but at the rounding of the largest, J^T J is
     * singular, its inverse does not exist, and the warning says so in words (not "Infinity") and
     * that no standard errors are computed, rather than calling them unreliable.
     */
    @Test
    void aSingularJtJSaysThatThereAreNoStandardErrors() {
        double inf = Double.POSITIVE_INFINITY;
        // b's column is a's, each entry off by at most one unit in the last place
        double[][] jac = {{1, Math.nextUp(1.0)}, {2, 2}, {3, Math.nextDown(3.0)}, {4, Math.nextUp(4.0)}};
        // what the singular test sees: the columns scaled to unit length, whose smallest singular
        // value is not exactly 0, but below the rounding of the largest, sqrt(2) * eps * 4
        double[][] scaled = new double[4][2];
        for (int c = 0; c < 2; c++) {
            double norm = 0;
            for (double[] row : jac) {
                norm += row[c] * row[c];
            }
            for (int j = 0; j < 4; j++) {
                scaled[j][c] = jac[j][c] / Math.sqrt(norm);
            }
        }
        double[] sv = new org.hipparchus.linear.SingularValueDecomposition(
                        org.hipparchus.linear.MatrixUtils.createRealMatrix(scaled))
                .getSingularValues();
        assertTrue(sv[1] > 0 && sv[1] <= sv[0] * Math.ulp(1.0) * 4, java.util.Arrays.toString(sv));
        Uncertainty u = Uncertainty.compute(
                List.of("a", "b"),
                new double[] {1, 2},
                new double[] {-inf, -inf},
                new double[] {inf, inf},
                new double[] {0.5, -0.5, 0.25, -0.25},
                jac);
        assertEquals(
                List.of("J^T J is singular: the data determine only a combination of 'a', 'b', so no standard"
                        + " errors are computed"),
                u.warnings());
        assertEquals(Double.POSITIVE_INFINITY, u.conditionNumber());
        assertTrue(
                Double.isNaN(u.standardErrors().get("a"))
                        && Double.isNaN(u.standardErrors().get("b")),
                u::toString);
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

    /** {@link #oneParameter} with a start of its own, as a fit gives it. */
    private static Uncertainty oneParameter(double c, double x, double start, double lower, double upper) {
        return Uncertainty.compute(
                List.of("b"),
                new double[] {x},
                new double[] {start},
                new double[] {lower},
                new double[] {upper},
                new double[] {1, -1, 0},
                new double[][] {{c}, {c}, {c}},
                1.0);
    }

    @Test
    void boundsWrittenAsEffectivelyOpenDoNotPutAParameterAtItsBound() {
        // 137 is within 1e-6 of the range [0, 1e12] of 0, but nowhere near it for a parameter that
        // started at 100: it is estimated, with the standard error 1 / (c sqrt(3))
        Uncertainty u = oneParameter(1, 137, 100, 0, 1e12);
        assertEquals(List.of(), u.atBound());
        assertEquals(List.of("b"), u.estimated());
        assertEquals(1 / Math.sqrt(3), u.standardErrors().get("b"), 1e-12);
        assertEquals(List.of(), oneParameter(1, -137, -100, -1e12, 0).atBound());
        // a parameter a method left a hair inside its bound (1e-10 of its start's size) is at it,
        // whatever the range
        assertEquals(List.of("b"), oneParameter(1, 1e-5, 1e5, 0, 1e12).atBound());
        // (1e12 less 1e-10 of 1e5 is 1e12 in a double: the hair is then the bound's last digit)
        assertEquals(
                List.of("b"), oneParameter(1, Math.nextDown(1e12), 1e5, 0, 1e12).atBound());
        // a start of 0 gives no size but the range's, as the methods take it: 137 of 1e12 is at 0
        assertEquals(List.of("b"), oneParameter(1, 137, 0, 0, 1e12).atBound());
        // within 1e-6 of a range smaller than that size, as before
        assertEquals(List.of("b"), oneParameter(1, 1.5e-7, 0.1, 0, 0.2).atBound());
        assertEquals(List.of(), oneParameter(1, 2.5e-7, 0.1, 0, 0.2).atBound());
    }

    @Test
    void withoutBothBoundsTheStandardErrorIsComparedWithTheStartsScale() {
        double inf = Double.POSITIVE_INFINITY;
        // 1 / (0.01 sqrt(3)) = 57.735: larger than the start's size 2, wherever the value ended
        assertEquals(
                List.of("parameter 'b' = -10 has a standard error of 57.735, larger than its scale 2 (the size of"
                        + " its start value -2): the data do not determine it (its value is where the method"
                        + " stopped, not a result of the fit); fix it, or add reference data that depend on it"),
                oneParameter(0.01, -10, -2, -inf, inf).warnings());
        // a start at 0 has the scale 1, as in the finite differences
        assertEquals(
                List.of("parameter 'b' = 0 has a standard error of 57.735, larger than its scale 1 (it started at"
                        + " 0): the data do not determine it (its value is where the method stopped, not a result"
                        + " of the fit); fix it, or add reference data that depend on it"),
                oneParameter(0.01, 0, 0, -inf, inf).warnings());
        // a value of 100 does not hide it: the scale is the start's
        assertEquals(1, oneParameter(0.01, 100, 2, -inf, inf).warnings().size());
        // and without a start, the value stands for it
        assertTrue(oneParameter(0.01, 10, 0, Double.POSITIVE_INFINITY)
                .warnings()
                .get(0)
                .startsWith("parameter 'b' = 10 has a standard error of 57.735, larger than its scale 10 (the size"
                        + " of its start value 10):"));
        assertEquals(List.of(), oneParameter(0.01, 100, -inf, inf).warnings());
    }

    /**
     * A parameter determined to within 0.058 whose best value is -0.03, consistent with 0: its
     * error is larger than the value's size, but not than its scale 1 (start 0) or 0.5 (start 0.5),
     * and the data do determine it.
     */
    @Test
    void aWellDeterminedParameterNearZeroIsNotFlagged() {
        double inf = Double.POSITIVE_INFINITY;
        Uncertainty u = oneParameter(10, -0.03, 0, -inf, inf);
        assertEquals(1 / (10 * Math.sqrt(3)), u.standardErrors().get("b"), 1e-15);
        assertEquals(List.of(), u.warnings());
        assertEquals(List.of(), oneParameter(10, -0.03, 0.5, -inf, inf).warnings());
        assertEquals(List.of(), oneParameter(10, 0.001, 0, 0, inf).warnings());
    }

    /**
     * y = a + b x through (-1, 1.0), (0, 1.1), (1, 0.9): the normal equations give a = 1.0 and
     * b = (0.9 - 1.0) / 2 = -0.05, residuals (0.05, -0.1, 0.05), s^2 = 0.015 / (3 - 2) and J^T J =
     * diag(3, 2), so se(b) = sqrt(0.0075) = 0.0866, larger than |b| but well within the scale 1 of
     * a parameter started at 0: no warning.
     */
    @Test
    void aFitOfASlopeNearZeroDoesNotSayTheDataLeaveItFree() {
        double[] xs = {-1, 0, 1};
        double[] ys = {1.0, 1.1, 0.9};
        List<org.chemfit.ObjectiveFunction> terms = new java.util.ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            double x = xs[i];
            org.chemfit.QuantityComputer q = p -> org.chemfit.Quantities.of("y", p.get("a") + p.get("b") * x);
            terms.add(q.withLoss(org.chemfit.LossFunctions.squaredError(Map.of("y", ys[i]))));
        }
        Map<String, Double> start = new LinkedHashMap<>();
        start.put("a", 0.5);
        start.put("b", 0.0);
        FitResult r = new Fitter(new org.chemfit.CombinedObjectiveFunction(terms), start).fit("least-squares");
        assertEquals(-0.05, r.bestParameters().get("b"), 1e-9);
        Uncertainty u = java.util.Objects.requireNonNull(r.uncertainty());
        assertEquals(Math.sqrt(0.0075), u.standardErrors().get("b"), 1e-7);
        assertEquals(Math.sqrt(0.005), u.standardErrors().get("a"), 1e-7);
        assertEquals(List.of(), u.warnings());
        assertTrue(r.warnings().stream().noneMatch(w -> w.contains("do not determine")), r.warnings()::toString);
    }
}
