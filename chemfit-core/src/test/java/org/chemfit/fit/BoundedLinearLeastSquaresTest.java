package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.hipparchus.linear.LUDecomposition;
import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.RealMatrix;
import org.junit.jupiter.api.Test;

class BoundedLinearLeastSquaresTest {

    static double value(double[][] jac, double[] r, double[] p) {
        double s = 0;
        for (int j = 0; j < r.length; j++) {
            double f = r[j];
            for (int i = 0; i < p.length; i++) {
                f += jac[j][i] * p[i];
            }
            s += f * f;
        }
        return s;
    }

    /**
     * The minimum found by trying every assignment of the coordinates to free, lower bound or
     * upper bound (3^n of them): for each, the free coordinates solve the normal equations with
     * the others on their bounds, and the feasible solution of lowest value is the minimum of the
     * convex problem.
     */
    static double[] bruteForce(double[][] jac, double[] r, double[] lower, double[] upper) {
        int n = lower.length;
        int m = r.length;
        double[] best = null;
        double bestValue = Double.POSITIVE_INFINITY;
        int combos = (int) Math.pow(3, n);
        for (int c = 0; c < combos; c++) {
            double[] p = new double[n];
            boolean[] free = new boolean[n];
            int code = c;
            int k = 0;
            for (int i = 0; i < n; i++) {
                int side = code % 3;
                code /= 3;
                free[i] = side == 0;
                p[i] = side == 1 ? lower[i] : side == 2 ? upper[i] : 0;
                k += free[i] ? 1 : 0;
            }
            if (k > 0) {
                int[] cols = new int[k];
                for (int i = 0, a = 0; i < n; i++) {
                    if (free[i]) {
                        cols[a++] = i;
                    }
                }
                double[][] a = new double[k][k];
                double[] b = new double[k];
                for (int j = 0; j < m; j++) {
                    double f = r[j];
                    for (int i = 0; i < n; i++) {
                        f += free[i] ? 0 : jac[j][i] * p[i];
                    }
                    for (int x = 0; x < k; x++) {
                        b[x] -= jac[j][cols[x]] * f;
                        for (int y = 0; y < k; y++) {
                            a[x][y] += jac[j][cols[x]] * jac[j][cols[y]];
                        }
                    }
                }
                RealMatrix am = MatrixUtils.createRealMatrix(a);
                double[] z = new LUDecomposition(am)
                        .getSolver()
                        .solve(MatrixUtils.createRealVector(b))
                        .toArray();
                for (int x = 0; x < k; x++) {
                    p[cols[x]] = z[x];
                }
            }
            boolean feasible = true;
            for (int i = 0; i < n; i++) {
                feasible &= p[i] >= lower[i] - 1e-12 && p[i] <= upper[i] + 1e-12;
            }
            double v = value(jac, r, p);
            if (feasible && v < bestValue) {
                bestValue = v;
                best = p;
            }
        }
        return best;
    }

    /** 300 problems of 3 coordinates and 5 residuals, their bounds about as far as their minima. */
    @Test
    void theMinimumWithinTheBoxIsTheBestOfEveryActiveSet() {
        Random rnd = new Random(7);
        int onBound = 0;
        for (int t = 0; t < 300; t++) {
            double[][] jac = new double[5][3];
            double[] r = new double[5];
            for (int j = 0; j < 5; j++) {
                r[j] = rnd.nextGaussian();
                for (int i = 0; i < 3; i++) {
                    jac[j][i] = rnd.nextGaussian();
                }
                // correlated columns: a bound on one moves the minimum of the others
                jac[j][2] += 0.8 * jac[j][0];
            }
            double[] lower = new double[3];
            double[] upper = new double[3];
            for (int i = 0; i < 3; i++) {
                lower[i] = -0.5 * rnd.nextDouble();
                upper[i] = 0.5 * rnd.nextDouble();
            }
            BoundedLinearLeastSquares.Solution s = BoundedLinearLeastSquares.solve(jac, r, lower, upper);
            double[] expected = bruteForce(jac, r, lower, upper);
            assertEquals(
                    value(jac, r, expected), value(jac, r, s.step()), 1e-10 * value(jac, r, expected), "problem " + t);
            assertArrayEquals(expected, s.step(), 1e-9, "problem " + t);
            for (int i = 0; i < 3; i++) {
                double p = s.step()[i];
                assertTrue(p >= lower[i] && p <= upper[i], "problem " + t);
                // a coordinate said to be on a bound holds it exactly
                assertTrue(s.side()[i] == 0 || p == (s.side()[i] > 0 ? upper[i] : lower[i]), "problem " + t);
                onBound += s.side()[i] != 0 ? 1 : 0;
            }
        }
        // the box is active in most problems: the test is not one of unconstrained minima
        assertTrue(onBound > 300, "coordinates on a bound: " + onBound);
    }

    /** Without bounds it is the least-squares solution; a coordinate that changes nothing stays at 0. */
    @Test
    void withoutBoundsItIsTheLeastSquaresSolution() {
        double inf = Double.POSITIVE_INFINITY;
        // residuals p0 - 1, p0 + 1, 2 p0: minimum p0 = 0; p1 has a zero column
        BoundedLinearLeastSquares.Solution s = BoundedLinearLeastSquares.solve(
                new double[][] {{1, 0}, {1, 0}, {2, 0}},
                new double[] {-1, 1, -3},
                new double[] {-inf, -inf},
                new double[] {inf, inf});
        // d/dp0: (p0 - 1) + (p0 + 1) + 2 (2 p0 - 3) = 0, p0 = 1
        assertArrayEquals(new double[] {1, 0}, s.step(), 1e-15);
        assertArrayEquals(new int[] {0, 0}, s.side());
    }
}
