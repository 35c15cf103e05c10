package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A start many orders of magnitude below its range (1e-9 in [0, 400]) no longer sets the
 * parameter's scale: the finite-difference step of 1.5e-8 times that start, 1.5e-17, moved no
 * residual of the model {@code r_k = a t_k - y_k} (whose last digit, at 130, is 3e-14), so
 * {@code least-squares} could not start and {@code L-BFGS-B} saw a zero gradient and called the
 * start converged. Such a start now counts as a start of 0, whose scale is half the range, and both
 * reach the minimum {@code a* = sum t y / sum t^2 = 117.7}.
 */
class StartFarBelowItsRangeTest {

    @ParameterizedTest(name = "{0} from 1e-9 in [0, 400]")
    @ValueSource(strings = {"least-squares", "L-BFGS-B"})
    void theMethodLeavesAStartFarBelowItsRangeAndReachesTheMinimum(String method) {
        double sty = 0;
        double stt = 0;
        for (int k = 0; k < StartOnABoundTest.T.length; k++) {
            sty += StartOnABoundTest.T[k] * StartOnABoundTest.Y[k];
            stt += StartOnABoundTest.T[k] * StartOnABoundTest.T[k];
        }
        double best = sty / stt;
        Problem problem = new Problem(List.of("a"), new double[] {1e-9}, new double[] {0}, new double[] {400}, 2000, 1);
        Optimizer.Run run = Optimizers.byName(method).start(problem);
        double bestLoss = Double.POSITIVE_INFINITY;
        double[] bestPoint = problem.start();
        int evaluations = 0;
        for (List<double[]> points = run.ask(); !points.isEmpty(); points = run.ask()) {
            double[] values = new double[points.size()];
            List<double[]> rs = new ArrayList<>();
            for (int k = 0; k < points.size(); k++) {
                double[] r = StartOnABoundTest.residuals(points.get(k));
                rs.add(r);
                values[k] = TrustRegionLeastSquares.ReSum.of(r);
                if (values[k] < bestLoss) {
                    bestLoss = values[k];
                    bestPoint = points.get(k);
                }
            }
            evaluations += points.size();
            run.tell(points, values, rs);
        }
        String seen = method + ": " + run.stopReason() + ", best a = " + bestPoint[0] + " after " + evaluations;
        assertEquals(best, bestPoint[0], 1e-5 * best, seen);
        assertTrue(run.stopReason().startsWith("converged"), seen);
        assertTrue(evaluations < 200, seen);
    }

    /**
     * The rule itself: only a start below a millionth of a bounded range that holds 0 gives way to
     * half the range; a small start in wide bounds, a start at a positive lower bound and a start
     * without both bounds keep their own size.
     */
    @ParameterizedTest(name = "start {0} in [{1}, {2}]: scale {3}")
    @CsvSource({
        "1e-9, 0, 400, 200", // far below its range: as a start of 0
        "-1e-9, -400, 400, 400", // either sign
        "0, 0, 400, 200", // a start of 0, as before
        "1e-3, 0, 400, 1e-3", // above a millionth of the range: its own size
        "0.1, -1e4, 1e4, 0.1", // wide bounds around a small start
        "1e-9, 1e-9, 1e6, 1e-9", // at a positive lower bound: a size the job chose
        "1e-9, 0, Infinity, 1e-9", // one bound only: no range to compare with
        "0, -Infinity, Infinity, 1" // no bounds and a start of 0
    })
    void aStartFarBelowARangeThatHoldsZeroCountsAsZero(double start, double lower, double upper, double scale) {
        Problem problem =
                new Problem(List.of("a"), new double[] {start}, new double[] {lower}, new double[] {upper}, 10, 1);
        assertArrayEquals(new double[] {scale}, FiniteDifferences.scales(problem), 0.0);
    }
}
