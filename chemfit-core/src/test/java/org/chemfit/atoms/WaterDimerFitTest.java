package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chemfit.Bounds;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.testfixtures.WaterDimers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fits a rigid TIP3P-form water model to the PBE binding energies of 20 water dimers and checks
 * it on 7 held-out dimers. TIP3P's published constants (W. L. Jorgensen et al., J. Chem. Phys. 79,
 * 926 (1983)): epsilon_OO 0.1521 kcal/mol, sigma_OO 3.15061 Å, q_H 0.417 e.
 */
class WaterDimerFitTest {

    /** 1 kcal/mol in eV (thermochemical calorie, CODATA 2018 values of N_A and e). */
    static final double KCAL_PER_MOL = 0.0433641;

    static final PairPotential TIP3P_FORM = PairPotential.builder()
            .lennardJones("O", "O", "epsilon", "sigma")
            .coulomb(
                    Map.of("H", ParameterRef.of("qH"), "O", ParameterRef.scaled("qH", -2)),
                    PairPotential.CoulombMethod.MINIMUM_IMAGE,
                    0)
            .excludeIntramolecular()
            .build();

    static Map<String, Double> tip3p() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("epsilon", 0.1521 * KCAL_PER_MOL);
        m.put("sigma", 3.15061);
        m.put("qH", 0.417);
        return m;
    }

    static double rmse(CombinedObjectiveFunction ob, Parameters p) {
        return Math.sqrt(ob.evaluate(p) / ob.size());
    }

    static CombinedObjectiveFunction terms(String csv) {
        Path data = ExampleData.example("water-dimer");
        return AtomisticTerms.fromCsv(data.resolve(csv), TIP3P_FORM)
                .moleculeSize(3)
                .combined();
    }

    @Test
    void coulombConstantAndUnitsReproduceTip3pErrors() {
        CombinedObjectiveFunction train = terms("energies.csv");
        CombinedObjectiveFunction test = terms("energies2.csv");
        assertEquals(20, train.size());
        assertEquals(7, test.size());
        assertEquals(List.of("dimer_C1_2.4", "dimer_C1_2.5"), train.termNames().subList(0, 2));
        Parameters tip3p = Parameters.of(tip3p());
        // the constant above is 1 kcal/mol to its 6 digits
        assertEquals(WaterDimers.KCAL_PER_MOL_IN_EV, KCAL_PER_MOL, 5e-8);
        // the library's errors equal the ones summed by hand from the published model and SI constants
        assertEquals(tip3pRmse("energies.csv"), rmse(train, tip3p), 1e-9 * tip3pRmse("energies.csv"));
        assertEquals(tip3pRmse("energies2.csv"), rmse(test, tip3p), 1e-9 * tip3pRmse("energies2.csv"));
    }

    /** @return the RMSE of TIP3P over the dimers of a CSV of the example, summed by hand */
    static double tip3pRmse(String csv) {
        Path data = ExampleData.example("water-dimer");
        Map<String, Double> p = tip3p();
        return Math.sqrt(WaterDimers.squaredError(data, csv, p.get("epsilon"), p.get("sigma"), p.get("qH"))
                / WaterDimers.count(data, csv));
    }

    @ParameterizedTest
    @ValueSource(strings = {"BOBYQA", "Nelder-Mead", "Powell"})
    void fittedModelBeatsTip3pOnTrainingAndHeldOutDimers(String method) {
        CombinedObjectiveFunction train = terms("energies.csv");
        CombinedObjectiveFunction test = terms("energies2.csv");
        Bounds bounds = Bounds.builder()
                .between("epsilon", 0.001, 0.05)
                .between("sigma", 2.5, 4.0)
                .between("qH", 0.3, 0.6)
                .build();

        FitResult r =
                new Fitter(train, tip3p()).bounds(bounds).maxEvaluations(2000).fit(method);

        Parameters best = r.bestParameters();
        double trainRmse = rmse(train, best);
        double testRmse = rmse(test, best);
        String summary = method + ": " + best + ", RMSE train " + trainRmse + " eV, held-out " + testRmse + " eV after "
                + r.evaluations() + " evaluations (" + r.stopReason() + ")";
        assertTrue(trainRmse <= 0.0270, summary);
        assertTrue(testRmse < tip3pRmse("energies2.csv"), summary);
        assertTrue(trainRmse < rmse(train, Parameters.of(tip3p())) - 0.01, summary);
        assertTrue(r.evaluations() < 2000, "the fit converged within its budget: " + summary);
        for (String name : List.of("epsilon", "sigma", "qH")) {
            assertTrue(best.get(name) >= bounds.lower(name) && best.get(name) <= bounds.upper(name), summary);
        }
        // the loss is the sum of squared errors, so the reported best loss is 20 * RMSE^2
        assertEquals(20 * trainRmse * trainRmse, r.bestLoss(), 1e-12);
    }
}
