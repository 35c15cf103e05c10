package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.Bounds;
import org.chemfit.ObjectiveFunction;
import org.junit.jupiter.api.Test;

class CmaEsOptimizerTest {

    private static final ObjectiveFunction QUADRATIC =
            p -> 2 * Math.pow(p.get("x") - 2, 2) + 3 * Math.pow(p.get("y") + 1, 2);

    @Test
    void findsTheMinimumOfAQuadraticToOneInAMillion() {
        FitResult r = new Fitter(QUADRATIC, Map.of("x", 0.0, "y", 0.0))
                .maxEvaluations(20000)
                .fit(Optimizers.cmaes());
        assertEquals(2.0, r.bestParameters().get("x"), 1e-6);
        assertEquals(-1.0, r.bestParameters().get("y"), 1e-6);
        assertEquals("CMA-ES", r.method());
        assertEquals(StopReason.CONVERGED, r.stopReason(), "stops by itself, within budget: " + r.evaluations());
    }

    @Test
    void neverAsksAPointOutsideTheBounds() {
        AtomicInteger outside = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        ObjectiveFunction watched = p -> {
            calls.incrementAndGet();
            double x = p.get("x");
            double y = p.get("y");
            if (x < 2.5 || x > 4 || y < -0.5 || y > 3) {
                outside.incrementAndGet();
            }
            return QUADRATIC.evaluate(p);
        };
        Bounds b = Bounds.builder().between("x", 2.5, 4).between("y", -0.5, 3).build();
        FitResult r = new Fitter(watched, Map.of("x", 3.0, "y", 1.0))
                .bounds(b)
                .maxEvaluations(5000)
                .fit(Optimizers.cmaes(10, 0.5));
        assertEquals(0, outside.get(), "points outside the bounds among " + calls.get());
        assertTrue(calls.get() > 100, "it searched: " + calls.get());
        assertEquals(2.5, r.bestParameters().get("x"), 1e-6);
        assertEquals(-0.5, r.bestParameters().get("y"), 1e-6);
    }

    @Test
    void isReproducibleForASeedAndDependsOnIt() {
        Fitter f = new Fitter(QUADRATIC, Map.of("x", 5.0, "y", 5.0)).maxEvaluations(300);
        FitResult a = f.seed(11).fit("CMA-ES");
        FitResult b = f.seed(11).fit("CMA-ES");
        FitResult c = f.seed(12).fit("CMA-ES");
        assertEquals(a.bestParameters(), b.bestParameters());
        assertEquals(Double.doubleToRawLongBits(a.bestLoss()), Double.doubleToRawLongBits(b.bestLoss()));
        assertNotEquals(a.bestParameters(), c.bestParameters());
    }

    @Test
    void isRegisteredByNameAlongsideHipparchus() {
        assertEquals("CMA-ES", Optimizers.byName("CMA-ES").name());
        assertEquals("CMA-ES", Optimizers.byName("cmaes").name());
        assertTrue(Optimizers.byName("CMA-ES").isBatch());
        assertEquals("CMA-ES-hipparchus", Optimizers.byName("CMA-ES-hipparchus").name());
        assertTrue(Optimizers.names().containsAll(List.of("CMA-ES", "CMA-ES-hipparchus")));
    }

    @Test
    void asksWholeGenerationsOfTheConfiguredSize() {
        Problem p = new Problem(
                List.of("x", "y"), new double[] {0, 0}, new double[] {-1, -1}, new double[] {1, 1}, 100, 3L);
        try (Optimizer.Run run = Optimizers.cmaes(8, 0.3).start(p)) {
            List<double[]> xs = run.ask();
            assertEquals(8, xs.size());
            run.tell(xs, xs.stream().mapToDouble(x -> x[0] * x[0] + x[1] * x[1]).toArray());
            assertEquals(8, run.ask().size());
        }
        try (Optimizer.Run run = Optimizers.cmaes().start(p)) {
            assertEquals(
                    4 + (int) Math.floor(3 * Math.log(2)), run.ask().size(), "default population 4 + floor(3 ln n)");
        }
    }

    @Test
    void rejectsABadConfigurationNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizers.cmaes(1, 0.3));
        assertEquals("CMA-ES needs a population of at least 2 (or 0 for the default), got 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.cmaes(8, -0.1));
        assertEquals("the initial sigma of CMA-ES must be positive and finite, got -0.1", e.getMessage());
    }
}
