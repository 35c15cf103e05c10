package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code least-squares} started on a bound, which it moves inside by 1e-10 of the parameter's
 * scale: the model {@code r_k = a t_k - y_k}, linear in its one parameter, has its minimum at
 * {@code a* = sum t y / sum t^2} = 117.7 inside the bounds, and the run reaches it from either
 * bound. The first trust region was once sized by the moved start itself, 1e-10 of the scale, so
 * that the first steps were of that size and the loss's relative tolerance ended the run a hair
 * from the bound, "converged", with the loss unchanged.
 */
class StartOnABoundTest {

    static final double[] T = {1.0, 2.0, 3.0, 4.0};
    static final double[] Y = {130.0, 220.0, 370.0, 460.0};

    static double[] residuals(double[] p) {
        double[] r = new double[T.length];
        for (int k = 0; k < T.length; k++) {
            r[k] = p[0] * T[k] - Y[k];
        }
        return r;
    }

    @ParameterizedTest(name = "start {0} in [{1}, {2}]")
    @CsvSource({
        "0, 0, 400", // a lower bound of 0: the coordinate is the parameter over half its range
        "1, 1, 400", // a positive lower bound: the coordinate is the logarithm, 1e-10 from log 1 = 0
        "400, 0, 400", // the upper bound
        "0, 0, Infinity" // a lower bound of 0 and no upper bound: a scale of 1
    })
    void theRunLeavesTheBoundAndReachesTheMinimumInside(double start, double lower, double upper) {
        double sty = 0;
        double stt = 0;
        for (int k = 0; k < T.length; k++) {
            sty += T[k] * Y[k];
            stt += T[k] * T[k];
        }
        double best = sty / stt;
        TrustRegionScipyTest.Run r = TrustRegionScipyTest.drive(
                StartOnABoundTest::residuals, new double[] {start}, new double[] {lower}, new double[] {upper});
        assertEquals(best, r.best()[0], 1e-6 * best, r::toString);
        assertTrue(r.stop().startsWith("converged"), r::toString);
        assertTrue(r.batches() < 30, r::toString);
    }
}
