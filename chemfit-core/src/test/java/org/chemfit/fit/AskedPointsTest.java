package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.chemfit.Bounds;
import org.chemfit.ObjectiveFunction;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * A method of the user's own is held to what a built-in one does: every point it asks for is a
 * list of one finite value per free parameter within the bounds, or the fit fails, naming the
 * method and what is wrong, before the point is evaluated, with the start as its best result.
 */
class AskedPointsTest {

    /** The points each call to the objective saw: only the start when a point is refused. */
    final List<Double> evaluated = new ArrayList<>();

    /** (x - 0.3)^2, recording x. */
    final ObjectiveFunction loss = p -> {
        evaluated.add(p.get("x"));
        return Math.pow(p.get("x") - 0.3, 2);
    };

    /** A method named "mine" whose first ask returns the given answer and whose next ends the run. */
    static Optimizer asking(@Nullable List<double[]> answer) {
        return new Optimizer() {
            @Override
            public String name() {
                return "mine";
            }

            @Override
            public Run start(Problem problem) {
                return new Run() {
                    int asked;

                    @Override
                    @SuppressWarnings("NullAway") // a method of the user's own may break the contract
                    public List<double[]> ask() {
                        return asked++ == 0 ? answer : List.of();
                    }

                    @Override
                    public void tell(List<double[]> points, double[] values) {}

                    @Override
                    public String stopReason() {
                        return "asked once";
                    }

                    @Override
                    public void close() {}
                };
            }
        };
    }

    FitFailedException refused(@Nullable List<double[]> answer) {
        FitFailedException e = assertThrows(
                FitFailedException.class,
                () -> new Fitter(loss, Map.of("x", 0.5))
                        .bounds(Bounds.builder().between("x", 0, 1).build())
                        .fit(asking(answer)));
        assertEquals(List.of(0.5), evaluated);
        assertEquals(StopReason.FAILED, e.partialResult().orElseThrow().stopReason());
        assertEquals(0.5, e.partialResult().orElseThrow().bestParameters().get("x"), 0.0);
        return e;
    }

    @Test
    void aPointOutsideTheBoundsIsNotEvaluated() {
        assertEquals(
                "the method mine failed after 1 evaluation: it asked for a point where parameter 'x' is 5.0,"
                        + " outside its bounds [0.0, 1.0]",
                refused(List.of(new double[] {5.0})).getMessage());
    }

    @Test
    void aPointBelowTheLowerBoundIsNotEvaluated() {
        assertEquals(
                "the method mine failed after 1 evaluation: it asked for a point where parameter 'x' is -1.0E-300,"
                        + " outside its bounds [0.0, 1.0]",
                refused(List.of(new double[] {0.25}, new double[] {-1e-300})).getMessage());
    }

    @Test
    void aPointWithTheWrongNumberOfValuesIsNotEvaluated() {
        assertEquals(
                "the method mine failed after 1 evaluation: it asked for a point of 2 values, not one per free"
                        + " parameter (1)",
                refused(List.of(new double[] {0.5, 0.5})).getMessage());
        evaluated.clear();
        assertEquals(
                "the method mine failed after 1 evaluation: it asked for a point of 0 values, not one per free"
                        + " parameter (1)",
                refused(List.of(new double[0])).getMessage());
    }

    @Test
    void aNanPointIsNotEvaluated() {
        assertEquals(
                "the method mine failed after 1 evaluation: it asked for a point where parameter 'x' is NaN,"
                        + " not a finite number",
                refused(List.of(new double[] {Double.NaN})).getMessage());
    }

    @Test
    void aNullListOrPointIsNotEvaluated() {
        assertEquals(
                "the method mine failed after 1 evaluation: it returned null instead of a list of points (an empty"
                        + " list ends the run)",
                refused(null).getMessage());
        evaluated.clear();
        assertEquals(
                "the method mine failed after 1 evaluation: it asked for a null point",
                refused(Arrays.asList(new double[] {0.5}, null)).getMessage());
    }

    /** A point on a bound is inside: both ends are evaluated and the fit ends converged. */
    @Test
    void pointsOnTheBoundsAreEvaluated() {
        FitResult r = new Fitter(loss, Map.of("x", 0.5))
                .bounds(Bounds.builder().between("x", 0, 1).build())
                .fit(asking(List.of(new double[] {0.0}, new double[] {1.0})));
        assertEquals(List.of(0.5, 0.0, 1.0), evaluated);
        assertEquals(StopReason.CONVERGED, r.stopReason());
        assertEquals(0.5, r.bestParameters().get("x"), 0.0);
    }

    /**
     * The built-in methods that work in scaled coordinates give back the start itself, not the start
     * and an ulp ((0.34 / 0.04) * 0.04 is 0.33999999999999997), when they ask for their own first
     * vertex: no second, costly run of the start.
     */
    @Test
    void aScaledMethodAsksForTheStartItselfNotAnUlpOff() {
        for (String method : List.of("Nelder-Mead", "Powell")) {
            List<double[]> seen = new ArrayList<>();
            ObjectiveFunction f = p -> {
                seen.add(new double[] {p.get("a"), p.get("b")});
                return Math.pow(p.get("a") - 1.2, 2) + Math.pow(p.get("b") - 0.36, 2);
            };
            new Fitter(f, Map.of("a", 1.0, "b", 0.34))
                    .bounds(Bounds.builder()
                            .between("a", 0.5, 1.5)
                            .between("b", 0.30, 0.38)
                            .build())
                    .maxEvaluations(20)
                    .fit(method);
            for (double[] x : seen) {
                boolean nearStart =
                        Math.abs(x[0] - 1.0) <= Math.ulp(1.0) * 4 && Math.abs(x[1] - 0.34) <= Math.ulp(0.34) * 4;
                assertEquals(nearStart, x[0] == 1.0 && x[1] == 0.34, method + " asked " + Arrays.toString(x));
            }
        }
    }
}
