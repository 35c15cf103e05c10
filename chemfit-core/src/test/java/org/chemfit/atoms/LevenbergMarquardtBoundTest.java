package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.chemfit.Bounds;
import org.chemfit.Parameters;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.junit.jupiter.api.Test;

/**
 * Levenberg-Marquardt's projection onto a bound, through its log coordinates, may land a rounding
 * step inside it: the argon example with epsilon bounded to [10, 130], whose optimum lies above
 * 130, ends at 129.99999999999997. Such a parameter is on the bound all the same, and the fit says
 * to fit again with least-squares, which handles bounds.
 */
class LevenbergMarquardtBoundTest {

    @Test
    void aParameterWithinRoundingOfItsBoundIsOnIt() {
        PairPotential lj = PairPotential.builder()
                .lennardJones("Ar", "Ar", "lj.epsilon", "lj.sigma")
                .build();
        Fitter f = new Fitter(
                        AtomisticTerms.fromCsv(ExampleData.example("argon").resolve("ar2-energies.csv"), lj)
                                .combined(),
                        Parameters.of(Map.of("lj.epsilon", 100.0, "lj.sigma", 3.2)))
                .bounds(Bounds.builder()
                        .between("lj.epsilon", 10, 130)
                        .between("lj.sigma", 2.5, 4.5)
                        .build())
                .maxEvaluations(400);
        FitResult r = f.fit("levenberg-marquardt");
        double epsilon = r.bestParameters().get("lj.epsilon");
        assertTrue(Math.abs(epsilon - 130) <= 1e-12 * 130, "on the bound or within rounding of it: " + epsilon);
        assertTrue(
                r.warnings().stream()
                        .anyMatch(w -> w.startsWith("levenberg-marquardt ended with 'lj.epsilon' on a bound")
                                && w.endsWith("fit again with method least-squares, which handles bounds")),
                epsilon + ": " + r.warnings());
    }
}
