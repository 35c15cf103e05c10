package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.LossFunctions;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ChemFit's Lennard-Jones test ({@code tests/test_lj.py} in github.com/MSallermann/chemfit): recover
 * epsilon = sigma = 1 from 50 dimer energies at distances from 0.925 r_min to 3 sigma, starting at
 * epsilon = 2, sigma = 1.5; the per-term metadata of the best evaluation has one entry per term. Its
 * default {@code fit_scipy()} (L-BFGS-B) case is in {@code org.chemfit.fit.LbfgsbChemFitTest}.
 */
public class LennardJonesFitTest {

    public static double lj(double eps, double sigma, double r) {
        double x6 = Math.pow(sigma / r, 6);
        return 4 * eps * (x6 * x6 - x6);
    }

    /** Powell is left out: sigma enters only as sigma^6, and unbounded Powell lands on the equivalent sigma = -1. */
    @ParameterizedTest
    @ValueSource(strings = {"Nelder-Mead", "BOBYQA"})
    void fitterRecoversEpsilonAndSigmaFromFiftyDimers(String method) {
        PairPotential potential = PairPotential.builder()
                .lennardJones("Ar", "Ar", "epsilon", "sigma")
                .build();
        int n = 50;
        double rMin = 0.925 * Math.pow(2, 1.0 / 6);
        double rMax = 3.0;
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            double r = rMin + (rMax - rMin) * k / (n - 1);
            Atoms dimer = Atoms.of(List.of("Ar", "Ar"), new double[][] {{0, 0, 0}, {0, 0, r}});
            double reference = lj(1.0, 1.0, r);
            terms.add(new SinglePointComputer(dimer, potential)
                    .withLoss(LossFunctions.squaredError(Map.of("energy", reference)))
                    .named("r=" + r));
        }
        CombinedObjectiveFunction objective = new CombinedObjectiveFunction(terms);
        assertEquals(50, objective.size());
        assertEquals(0.0, objective.evaluate(Parameters.of(Map.of("epsilon", 1.0, "sigma", 1.0))), 1e-24);

        FitResult r = new Fitter(objective, Map.of("epsilon", 2.0, "sigma", 1.5))
                .maxEvaluations(5000)
                .fit(method);

        assertTrue(r.initialLoss() > 1e3, "the start is far off: " + r.initialLoss());
        assertEquals(1.0, r.bestParameters().get("epsilon"), 1e-6, r.toString());
        assertEquals(1.0, r.bestParameters().get("sigma"), 1e-6, r.toString());
        assertTrue(r.bestLoss() < 1e-10, "loss " + r.bestLoss());
        assertEquals(objective.size(), objective.gatherMetaData(r.breakdown()).size());
    }

    /** The dimer objective of ChemFit's test: 50 distances from 0.925 r_min to 3 sigma, eps = sigma = 1. */
    public static CombinedObjectiveFunction chemFitDimers() {
        PairPotential potential = PairPotential.builder()
                .lennardJones("Ar", "Ar", "epsilon", "sigma")
                .build();
        int n = 50;
        double rMin = 0.925 * Math.pow(2, 1.0 / 6);
        double rMax = 3.0;
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            double r = rMin + (rMax - rMin) * k / (n - 1);
            Atoms dimer = Atoms.of(List.of("Ar", "Ar"), new double[][] {{0, 0, 0}, {0, 0, r}});
            terms.add(new SinglePointComputer(dimer, potential)
                    .withLoss(LossFunctions.squaredError(Map.of("energy", lj(1.0, 1.0, r))))
                    .named("r=" + r));
        }
        return new CombinedObjectiveFunction(terms);
    }
}
