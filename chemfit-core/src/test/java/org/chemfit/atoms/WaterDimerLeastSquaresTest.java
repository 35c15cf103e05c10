package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.chemfit.Bounds;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.fit.Uncertainty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The water-dimer fit of examples/water-dimer (bounds and start as in its README) with the
 * least-squares methods: they reach SciPy L-BFGS-B's loss (0.0139786; BOBYQA's optimum is
 * 0.0139717) in a few concurrent rounds, and report the uncertainty of the three parameters.
 */
class WaterDimerLeastSquaresTest {

    static final Bounds BOUNDS = Bounds.builder()
            .between("epsilon", 0.001, 0.05)
            .between("sigma", 2.5, 4.0)
            .between("qH", 0.3, 0.6)
            .build();

    @ParameterizedTest
    @ValueSource(strings = {"least-squares", "least-squares-trf"})
    void reachesScipyLossInFewRounds(String method) {
        CombinedObjectiveFunction train = WaterDimerFitTest.terms("energies.csv");
        FitResult r = new Fitter(train, WaterDimerFitTest.tip3p())
                .bounds(BOUNDS)
                .maxEvaluations(2000)
                .fit(method);
        String summary = method + ": " + r.bestParameters() + " loss " + r.bestLoss() + " after " + r.evaluations()
                + " evaluations in " + r.rounds() + " rounds (" + r.stopReason() + ") " + r.warnings();
        System.out.println(summary);
        assertTrue(r.bestLoss() <= 0.0139786, summary);
        assertTrue(r.evaluations() <= 60, summary);
        assertTrue(r.rounds() <= 15, summary);
        Uncertainty u = r.uncertainty();
        assertNotNull(u, summary);
        // the optimum lies on epsilon's lower bound (BOBYQA's too): it is reported, not estimated
        assertEquals(List.of("epsilon"), u.atBound());
        assertEquals(List.of("sigma", "qH"), u.estimated());
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("'epsilon' at a bound")), summary);
        assertEquals(20, u.residuals());
        // s^2 = SSR / (m - n) at the best point, n the 2 estimated parameters
        assertEquals(r.bestLoss() / 18, u.residualVariance(), 1e-12 * r.bestLoss());
        for (String p : u.estimated()) {
            assertTrue(
                    u.standardErrors().get(p) > 0
                            && u.standardErrors().get(p)
                                    < Math.abs(r.bestParameters().get(p)),
                    summary + " " + u.standardErrors());
        }
        System.out.println(u.toMap());
    }

    @org.junit.jupiter.api.Test
    void levenbergMarquardtReachesTheSameOptimum() {
        CombinedObjectiveFunction train = WaterDimerFitTest.terms("energies.csv");
        FitResult r = new Fitter(train, WaterDimerFitTest.tip3p())
                .bounds(BOUNDS)
                .maxEvaluations(2000)
                .fit("levenberg-marquardt");
        String summary = "levenberg-marquardt: " + r.bestParameters() + " loss " + r.bestLoss() + " after "
                + r.evaluations() + " evaluations in " + r.rounds() + " rounds (" + r.stopReason() + ")";
        System.out.println(summary);
        assertTrue(r.bestLoss() <= 0.0139786, summary);
        assertEquals("levenberg-marquardt", r.method());
        assertEquals(0.001, r.bestParameters().get("epsilon"), 1e-9, summary);
    }

    /** L-BFGS-B, SciPy's default: SciPy's reaches 0.0139786 in 244 evaluations (in its rounds of n + 1). */
    @org.junit.jupiter.api.Test
    void lbfgsbReachesScipysLoss() {
        CombinedObjectiveFunction train = WaterDimerFitTest.terms("energies.csv");
        FitResult r = new Fitter(train, WaterDimerFitTest.tip3p())
                .bounds(BOUNDS)
                .maxEvaluations(2000)
                .fit("L-BFGS-B");
        String summary = "L-BFGS-B: " + r.bestParameters() + " loss " + r.bestLoss() + " after " + r.evaluations()
                + " evaluations in " + r.rounds() + " rounds (" + r.stopReason() + ")";
        System.out.println(summary);
        assertTrue(r.bestLoss() <= 0.0139786, summary);
        assertEquals(0.001, r.bestParameters().get("epsilon"), 1e-9, summary);
        assertTrue(r.evaluations() < 2000, summary);
    }
}
