package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.chemfit.fit.Optimizer;
import org.chemfit.fit.Problem;
import org.junit.jupiter.api.Test;

/**
 * The optimizer settings that a resume takes as defaults written out ({@link
 * JobSettings#effectiveOptimizer}) are the method left alone: each method, made from the job's
 * settings with its population, tolerances and finite-difference step written as {@link
 * Methods#defaultPopulation}, {@link Methods#ownTolerances} and {@link Methods#DEFAULT_STEP} give
 * them, asks for the very points, bit for bit, that it asks for with none written, and stops for
 * the same reason; a relative tolerance of 0.5 stops sooner each method that reads one.
 */
class OptimizerDefaultsTest {

    private static final List<String> NAMES = List.of("x", "y");

    /** @return every point the method asks for on Rosenbrock's function (as residuals 10 (y - x^2), 1 - x), in order */
    private static List<double[]> points(Optimizer optimizer, List<String> stop) {
        Problem problem =
                new Problem(NAMES, new double[] {-1.2, 1.0}, new double[] {-5, -5}, new double[] {5, 5}, 80, 42);
        List<double[]> asked = new ArrayList<>();
        try (Optimizer.Run run = optimizer.start(problem)) {
            for (List<double[]> xs = run.ask(); !xs.isEmpty() && asked.size() < 80; xs = run.ask()) {
                double[] values = new double[xs.size()];
                List<double[]> residuals = new ArrayList<>();
                for (int i = 0; i < xs.size(); i++) {
                    double[] x = xs.get(i);
                    asked.add(x.clone());
                    double[] r = {10 * (x[1] - x[0] * x[0]), 1 - x[0]};
                    residuals.add(r);
                    values[i] = r[0] * r[0] + r[1] * r[1];
                }
                run.tell(xs, values, residuals);
            }
            stop.add(String.valueOf(run.stopReason()));
        }
        return asked;
    }

    private static JobFile.OptimizerSpec spec(String method, int batch, double rel, double abs, double step) {
        return new JobFile.OptimizerSpec(method, 80, 42, batch, rel, abs, step, 1e5);
    }

    @Test
    void eachMethodWithItsDefaultsWrittenOutAsksForTheSamePoints() {
        int checked = 0;
        List<String> sooner = new ArrayList<>();
        for (String method : Methods.names()) {
            double[] own = Methods.ownTolerances(method);
            int batch = Methods.isBatch(method) ? Methods.defaultPopulation(NAMES.size()) : 0;
            double step = Methods.takesRelativeStep(method) ? Methods.DEFAULT_STEP : Double.NaN;
            assertEquals(Methods.takesTolerances(method), own != null, method);
            double rel = own == null ? Double.NaN : own[0];
            double abs = own == null || own.length < 2 ? Double.NaN : own[1];
            List<String> stops = new ArrayList<>();
            List<double[]> left = points(Methods.create(spec(method, 0, Double.NaN, Double.NaN, Double.NaN)), stops);
            List<double[]> written = points(Methods.create(spec(method, batch, rel, abs, step)), stops);
            assertTrue(left.size() > 5, method + " asked for " + left.size() + " points");
            assertEquals(left.size(), written.size(), method);
            for (int i = 0; i < left.size(); i++) {
                assertArrayEquals(left.get(i), written.get(i), 0.0, method + " point " + i);
            }
            assertEquals(stops.get(0), stops.get(1), method);
            if (own != null) {
                // the comparison sees a tolerance that matters: 0.5 stops the method sooner
                List<double[]> other = points(Methods.create(spec(method, batch, 0.5, abs, step)), new ArrayList<>());
                if (other.size() < left.size()) {
                    sooner.add(method);
                }
            }
            checked++;
        }
        assertEquals(8, checked, "every method");
        // BOBYQA stops on its trust region's radius alone (Hipparchus's BOBYQAOptimizer reads no convergence
        // checker): it takes no tolerance, and a job file's is refused for it
        assertEquals(
                List.of(
                        "Nelder-Mead",
                        "Powell",
                        "CMA-ES-hipparchus",
                        "least-squares",
                        "levenberg-marquardt",
                        "L-BFGS-B"),
                sooner);
    }
}
