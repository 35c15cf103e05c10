package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.chemfit.LossFunctions;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Problems of the NIST Statistical Reference Datasets for nonlinear regression: Misra1a
 * (https://www.itl.nist.gov/div898/strd/nls/data/misra1a.shtml, D. Misra, NIST, 1978):
 * {@code y = b1 (1 - exp(-b2 x))}, 14 points, from NIST's first start, and BoxBOD. The
 * least-squares methods reach the certified estimates, and the uncertainty reproduces the
 * certified standard deviations.
 */
class NistStrdTest {

    static final double[] X = {
        77.6, 114.9, 141.1, 190.8, 239.9, 289.0, 332.8, 378.4, 434.8, 477.3, 536.8, 593.1, 689.1, 760.0
    };
    static final double[] Y = {
        10.07, 14.73, 17.94, 23.93, 29.61, 35.18, 40.02, 44.82, 50.76, 55.05, 61.01, 66.40, 75.47, 81.78
    };

    @ParameterizedTest
    @ValueSource(strings = {"least-squares", "levenberg-marquardt"})
    void reachesTheCertifiedValues(String method) {
        QuantityComputer qc = p -> {
            double[] y = new double[X.length];
            for (int i = 0; i < X.length; i++) {
                y[i] = p.get("b1") * (1 - Math.exp(-p.get("b2") * X[i]));
            }
            return Quantities.builder().put("y", y).build();
        };
        ObjectiveFunction f = qc.withLoss(LossFunctions.sumOfSquares("y", Y));
        FitResult r = new Fitter(f, LeastSquaresTest.start("b1", 500.0, "b2", 1e-4))
                .maxEvaluations(2000)
                .fit(method);
        String summary = method + ": " + r.bestParameters() + " SSR " + r.bestLoss() + " after " + r.evaluations()
                + " evaluations in " + r.rounds() + " rounds; "
                + r.uncertainty().standardErrors();
        assertEquals(1.2455138894e-01, r.bestLoss(), 1e-9, summary);
        assertEquals(2.3894212918e+02, r.bestParameters().get("b1"), 1e-5 * 2.3894212918e+02, summary);
        assertEquals(5.5015643181e-04, r.bestParameters().get("b2"), 1e-5 * 5.5015643181e-04, summary);
        assertEquals(2.7070075241e+00, r.uncertainty().standardErrors().get("b1"), 1e-4 * 2.7070075241e+00, summary);
        assertEquals(7.2668688436e-06, r.uncertainty().standardErrors().get("b2"), 1e-4 * 7.2668688436e-06, summary);
    }

    /**
     * BoxBOD (https://www.itl.nist.gov/div898/strd/nls/data/boxbod.shtml, G. E. P. Box et al.,
     * 1978), of NIST's higher difficulty: {@code y = b1 (1 - exp(-b2 x))}, 6 points, from both of
     * NIST's starts.
     */
    @ParameterizedTest
    @ValueSource(strings = {"1,1", "100,0.75"})
    void boxBodFromNistsStarts(String startValues) {
        double[] x = {1, 2, 3, 5, 7, 10};
        double[] y = {109, 149, 149, 191, 213, 224};
        QuantityComputer qc = p -> {
            double[] v = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                v[i] = p.get("b1") * (1 - Math.exp(-p.get("b2") * x[i]));
            }
            return Quantities.builder().put("y", v).build();
        };
        String[] s = startValues.split(",");
        FitResult r = new Fitter(
                        qc.withLoss(LossFunctions.sumOfSquares("y", y)),
                        LeastSquaresTest.start("b1", Double.parseDouble(s[0]), "b2", Double.parseDouble(s[1])))
                .maxEvaluations(2000)
                .fit("least-squares");
        String summary = r.bestParameters() + " SSR " + r.bestLoss() + " after " + r.evaluations() + " evaluations in "
                + r.rounds() + " rounds";
        assertEquals(1.1680088766e+03, r.bestLoss(), 1e-8 * 1.1680088766e+03, summary);
        assertEquals(2.1380940889e+02, r.bestParameters().get("b1"), 1e-5 * 2.1380940889e+02, summary);
        assertEquals(5.4723748542e-01, r.bestParameters().get("b2"), 1e-5 * 5.4723748542e-01, summary);
        assertEquals(1.2354515176e+01, r.uncertainty().standardErrors().get("b1"), 1e-4 * 1.2354515176e+01, summary);
        assertEquals(1.0455993237e-01, r.uncertainty().standardErrors().get("b2"), 1e-4 * 1.0455993237e-01, summary);
    }
}
