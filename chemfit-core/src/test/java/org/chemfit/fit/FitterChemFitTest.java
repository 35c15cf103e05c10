package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chemfit.Bounds;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ChemFit's fitter test cases ({@code tests/test_fitter.py} in github.com/MSallermann/chemfit) with
 * their objectives, starts, bounds, budgets and tolerances. ChemFit's SciPy fits are checked with
 * NumPy's {@code isclose} (relative 1e-5, absolute 1e-8); its nevergrad fits (NgIohTuned, Carola3,
 * CMA with a budget of 2000 and a callback every 100 steps) are checked to 5e-2. Here the local
 * methods take the SciPy tolerance and CMA-ES, the method the migration table names for those
 * nevergrad optimizers, takes the nevergrad budget and tolerance. ChemFit's default
 * {@code fit_scipy()} (L-BFGS-B) cases are in {@code LbfgsbChemFitTest}.
 */
class FitterChemFitTest {

    static final double NG_ATOL = 5e-2;
    static final int NG_BUDGET = 2000;
    static final int NSTEPS_CB = 100;

    /** NumPy's isclose with its default tolerances. */
    static void assertClose(double expected, double actual, String what) {
        assertTrue(
                Math.abs(actual - expected) <= 1e-8 + 1e-5 * Math.abs(expected),
                what + ": expected " + expected + ", got " + actual);
    }

    static void assertClose(double expected, double actual, double atol, String what) {
        assertTrue(
                Math.abs(actual - expected) <= atol + 1e-5 * Math.abs(expected),
                what + ": expected " + expected + ", got " + actual);
    }

    static boolean isPopulation(String method) {
        return method.startsWith("CMA-ES");
    }

    static Fitter configured(Fitter f, String method) {
        return f.maxEvaluations(isPopulation(method) ? NG_BUDGET : 5000);
    }

    static double atol(String method) {
        return isPopulation(method) ? NG_ATOL : 1e-8;
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static CombinedObjectiveFunction squares(String xName) {
        ObjectiveFunction cont1 = p -> 2.0 * Math.pow(p.get(xName) - 2, 2);
        ObjectiveFunction cont2 = p -> 3.0 * Math.pow(p.get("y") + 1, 2);
        return new CombinedObjectiveFunction(List.of(cont1, cont2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Nelder-Mead", "Powell", "BOBYQA", "CMA-ES", "CMA-ES-hipparchus"})
    void squareFunction(String method) {
        CombinedObjectiveFunction ob = squares("x");
        Parameters initial = Parameters.of(Map.of("x", 0.0, "y", 0.0));
        List<FitProgress> progress = new ArrayList<>();
        FitResult r = configured(new Fitter(ob, initial), method)
                .callback(progress::add, NSTEPS_CB)
                .fit(method);

        assertClose(2.0, r.bestParameters().get("x"), atol(method), method + " x");
        assertClose(-1.0, r.bestParameters().get("y"), atol(method), method + " y");
        assertClose(ob.evaluate(initial), r.initialLoss(), method + " initial value");
        assertClose(ob.evaluate(r.bestParameters()), r.bestLoss(), method + " final value");
        if (isPopulation(method)) {
            assertFalse(progress.isEmpty(), method + " called no callback");
            // the best loss a callback saw is the loss of a visited point: close to the final one
            assertClose(
                    ob.evaluate(r.bestParameters()),
                    progress.get(progress.size() - 1).bestLoss(),
                    method + " callback");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Nelder-Mead", "Powell", "BOBYQA", "CMA-ES", "CMA-ES-hipparchus"})
    void squareFunctionWithBounds(String method) {
        CombinedObjectiveFunction ob = squares("x");
        Parameters initial = Parameters.of(Map.of("x", 0.0, "y", 0.0));
        Bounds bounds = Bounds.of(Map.of("x", List.of(0.0, 1.5)));
        FitResult r = configured(new Fitter(ob, initial).bounds(bounds).nearBoundTolerance(1e-2), method)
                .fit(method);

        assertEquals(1, bounds.nearBounds(r.bestParameters(), 1e-2).size(), r.toString());
        assertEquals(
                1,
                r.warnings().stream()
                        .filter(w -> w.contains("'x'") && w.contains("near its upper bound"))
                        .count(),
                r.warnings().toString());
        assertClose(1.5, r.bestParameters().get("x"), atol(method), method + " x");
        assertClose(-1.0, r.bestParameters().get("y"), atol(method), method + " y");
        assertClose(ob.evaluate(initial), r.initialLoss(), method + " initial value");
        assertClose(ob.evaluate(r.bestParameters()), r.bestLoss(), method + " final value");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Nelder-Mead", "Powell", "BOBYQA", "CMA-ES"})
    void nestedParametersAndBounds(String method) {
        CombinedObjectiveFunction ob = squares("params.x");
        Map<String, Object> initial = map("params", map("x", 0.0), "y", 0.0);
        Bounds bounds = Bounds.of(map("params", map("x", List.of(0.0, 1.5))));
        FitResult r = configured(new Fitter(ob, initial).bounds(bounds), method).fit(method);

        Map<String, Object> nested = r.bestParameters().asNestedMap();
        assertClose(1.5, (Double) ((Map<?, ?>) nested.get("params")).get("x"), atol(method), method + " params.x");
        assertClose(-1.0, (Double) nested.get("y"), atol(method), method + " y");
        assertClose(ob.evaluate(Parameters.of(initial)), r.initialLoss(), method + " initial value");
        assertClose(ob.evaluate(r.bestParameters()), r.bestLoss(), method + " final value");
    }

    /**
     * The sum of the squares of seven nested parameters, two of them bounded away from 0: every
     * bounded parameter ends at its lower bound, every other at 0, to 5e-2 (ChemFit checks both its
     * SciPy and nevergrad fits to that tolerance).
     */
    @ParameterizedTest
    @ValueSource(strings = {"Nelder-Mead", "Powell", "BOBYQA", "CMA-ES"})
    void complicatedNestedParameters(String method) {
        ObjectiveFunction ob = p -> {
            double s = 0;
            for (String n : p.names()) {
                s += p.get(n) * p.get(n);
            }
            return s;
        };
        Map<String, Object> initial = map(
                "electrostatic", map("bla", map("a", 1.0, "b", 1.0, "c", 1.0), "foo", 1.0),
                "dispersion", 0.4,
                "params", map("a", 1.0, "b", 1.0));
        Bounds bounds = Bounds.of(map(
                "dispersion", List.of(0.2, 2.0), "electrostatic", map("bla", map("a", List.of(0.5, 1.0)))));
        FitResult r = configured(new Fitter(ob, initial).bounds(bounds), method).fit(method);

        for (String n : r.bestParameters().names()) {
            double expected = bounds.names().contains(n) ? bounds.lower(n) : 0.0;
            assertClose(expected, r.bestParameters().get(n), NG_ATOL, method + " " + n);
        }
        assertEquals(7, r.bestParameters().size());
        assertClose(ob.evaluate(Parameters.of(initial)), r.initialLoss(), method + " initial value");
        assertClose(ob.evaluate(r.bestParameters()), r.bestLoss(), method + " final value");
    }
}
