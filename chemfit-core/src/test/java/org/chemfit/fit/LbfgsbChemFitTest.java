package org.chemfit.fit;

import static org.chemfit.fit.FitterChemFitTest.NSTEPS_CB;
import static org.chemfit.fit.FitterChemFitTest.assertClose;
import static org.chemfit.fit.FitterChemFitTest.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.chemfit.Bounds;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.atoms.LennardJonesFitTest;
import org.junit.jupiter.api.Test;

/**
 * ChemFit's fitter and Lennard-Jones cases that use its default {@code fit_scipy()}, SciPy's
 * L-BFGS-B ({@code tests/test_fitter.py} and {@code tests/test_lj.py} in
 * github.com/MSallermann/chemfit), with their inputs and NumPy's {@code isclose} tolerances, and the
 * bad-value case for L-BFGS-B. The build has the method ({@link Optimizers#names()}), so they
 * always run.
 */
class LbfgsbChemFitTest {

    static final String METHOD = "L-BFGS-B";

    @Test
    void theBuildHasTheMethod() {
        assertTrue(Optimizers.names().contains(METHOD), Optimizers.names()::toString);
        assertInstanceOf(LbfgsB.class, Optimizers.byName(METHOD));
    }

    @Test
    void squareFunction() {
        CombinedObjectiveFunction ob = FitterChemFitTest.squares("x");
        Parameters initial = Parameters.of(Map.of("x", 0.0, "y", 0.0));
        List<FitProgress> progress = new ArrayList<>();
        FitResult r = new Fitter(ob, initial).callback(progress::add, NSTEPS_CB).fit(METHOD);
        assertClose(2.0, r.bestParameters().get("x"), "x");
        assertClose(-1.0, r.bestParameters().get("y"), "y");
        assertClose(ob.evaluate(initial), r.initialLoss(), "initial value");
        assertClose(ob.evaluate(r.bestParameters()), r.bestLoss(), "final value");
    }

    @Test
    void squareFunctionWithBounds() {
        CombinedObjectiveFunction ob = FitterChemFitTest.squares("x");
        Parameters initial = Parameters.of(Map.of("x", 0.0, "y", 0.0));
        Bounds bounds = Bounds.of(Map.of("x", List.of(0.0, 1.5)));
        FitResult r =
                new Fitter(ob, initial).bounds(bounds).nearBoundTolerance(1e-2).fit(METHOD);
        assertEquals(1, bounds.nearBounds(r.bestParameters(), 1e-2).size(), r.toString());
        assertClose(1.5, r.bestParameters().get("x"), "x");
        assertClose(-1.0, r.bestParameters().get("y"), "y");
        assertClose(ob.evaluate(initial), r.initialLoss(), "initial value");
        assertClose(ob.evaluate(r.bestParameters()), r.bestLoss(), "final value");
    }

    @Test
    void nestedParametersAndBounds() {
        CombinedObjectiveFunction ob = FitterChemFitTest.squares("params.x");
        Map<String, Object> initial = map("params", map("x", 0.0), "y", 0.0);
        FitResult r = new Fitter(ob, initial)
                .bounds(Bounds.of(map("params", map("x", List.of(0.0, 1.5)))))
                .fit(METHOD);
        assertClose(1.5, r.bestParameters().get("params.x"), "params.x");
        assertClose(-1.0, r.bestParameters().get("y"), "y");
        assertClose(ob.evaluate(r.bestParameters()), r.bestLoss(), "final value");
    }

    @Test
    void complicatedNestedParameters() {
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
        FitResult r = new Fitter(ob, initial).bounds(bounds).fit(METHOD);
        for (String n : r.bestParameters().names()) {
            assertClose(
                    bounds.names().contains(n) ? bounds.lower(n) : 0.0,
                    r.bestParameters().get(n),
                    FitterChemFitTest.NG_ATOL,
                    n);
        }
        assertClose(ob.evaluate(r.bestParameters()), r.bestLoss(), "final value");
    }

    @Test
    void lennardJonesDimers() {
        CombinedObjectiveFunction ob = LennardJonesFitTest.chemFitDimers();
        FitResult r = new Fitter(ob, Map.of("epsilon", 2.0, "sigma", 1.5)).fit(METHOD);
        assertEquals(ob.size(), ob.gatherMetaData(r.breakdown()).size());
        assertClose(1.0, r.bestParameters().get("epsilon"), "epsilon");
        assertClose(1.0, r.bestParameters().get("sigma"), "sigma");
    }

    @Test
    void aNanRegionNeverWins() {
        ObjectiveFunction f = p -> BadValuesTest.cliff(p.get("x"));
        FitResult r = new Fitter(f, Map.of("x", 10.0)).maxEvaluations(5000).fit(METHOD);
        assertTrue(Double.isFinite(r.bestLoss()), r.toString());
        assertFalse(Double.isNaN(BadValuesTest.cliff(r.bestParameters().get("x"))));
        assertEquals(0.0, r.bestParameters().get("x"), 1e-3, r.toString());
    }
}
