package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.chemfit.ChemFitException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A start many orders of magnitude below the size its parameter takes (1e-9 in [0, 400], for the
 * model {@code r_k = a t_k - y_k} whose minimum is 117.7): the finite-difference step, 1.5e-8 of
 * that start, moves no residual (the last digit of 130 is 3e-14), and the methods of residuals
 * refuse to start. Their message once blamed only a program's digits or a model that no parameter
 * enters; it names each parameter's step and the start as a cause.
 */
class StartFarBelowItsRangeTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"least-squares", "levenberg-marquardt"})
    void theRefusalNamesTheStepOfAStartFarBelowItsSize(String method) {
        Problem problem = new Problem(List.of("a"), new double[] {1e-9}, new double[] {0}, new double[] {400}, 200, 1);
        Optimizer.Run run = Optimizers.byName(method).start(problem);
        List<double[]> points = run.ask();
        double[] values = new double[points.size()];
        List<double[]> rs = new ArrayList<>();
        for (int k = 0; k < points.size(); k++) {
            double[] r = StartOnABoundTest.residuals(points.get(k));
            rs.add(r);
            values[k] = TrustRegionLeastSquares.ReSum.of(r);
        }
        ChemFitException e = assertThrows(ChemFitException.class, () -> run.tell(points, values, rs));
        String m = String.valueOf(e.getMessage());
        assertTrue(
                m.startsWith(method + " cannot start: no residual changed when each parameter was moved by its"
                        + " finite-difference step (1.49e-08 of its size, the larger of its value and its scale:"
                        + " a by 1.49e-17 from 1e-09)"),
                m);
        assertTrue(
                m.contains("or a start far below the size its parameter takes in the fit (a step of 1e-17 moves"
                        + " nothing of a size near 100): have the program write more (17 significant digits keep"
                        + " a double), start nearer that size, or give a larger relative step"),
                m);
        assertTrue(run.stopReason().startsWith("failed"), run::stopReason);
    }
}
