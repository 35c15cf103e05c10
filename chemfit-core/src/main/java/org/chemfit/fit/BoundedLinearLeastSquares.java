package org.chemfit.fit;

import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.SingularValueDecomposition;

/**
 * The minimum of the linearised sum of squares within a box: {@code min |J p + r|^2} subject to
 * {@code lower_i <= p_i <= upper_i} (with {@code lower_i <= 0 <= upper_i}, so that {@code p = 0}
 * is feasible; an infinite side is no bound), by an active-set iteration after C. L. Lawson and R.
 * J. Hanson, <em>Solving Least Squares Problems</em> (1974), ch. 23, extended to two-sided bounds
 * (P. B. Stark and R. L. Parker, "Bounded-variable least-squares", Comput. Stat. 10 (1995)
 * 129-141). Each subproblem over the free coordinates is solved, with its columns scaled to unit
 * length, from a singular value decomposition (Hipparchus), its small singular values cut at
 * {@code ulp(1) max(m, n)} of the largest (the minimum-norm solution of a rank-deficient one).
 *
 * <p>It says where the Gauss-Newton model of a fit has its minimum within the bounds, and so
 * which parameters that minimum puts on a bound: a parameter whose gradient points out of the box
 * strongly enough that the model's minimum lies beyond its bound.
 *
 * @implNote Stateless; thread-safe.
 */
final class BoundedLinearLeastSquares {

    private BoundedLinearLeastSquares() {}

    /**
     * The solution: the step and where each coordinate ends.
     *
     * @param step the minimising {@code p}; a coordinate on a bound holds that bound exactly
     * @param side per coordinate: -1 on its lower bound, +1 on its upper bound, 0 free
     */
    record Solution(double[] step, int[] side) {}

    /**
     * @param jac the m x n matrix {@code J}
     * @param r the m residuals at {@code p = 0}
     * @param lower per coordinate, at most 0 ({@code -Infinity} for none)
     * @param upper per coordinate, at least 0 ({@code +Infinity} for none)
     * @return the minimum within the box
     */
    static Solution solve(double[][] jac, double[] r, double[] lower, double[] upper) {
        return solve(jac, r, lower, upper, 0);
    }

    /**
     * {@link #solve(double[][], double[], double[], double[])} with singular values cut at a
     * larger fraction of the largest: a direction the data determine only that weakly is left out
     * of each subproblem (its minimum-norm solution), instead of stepping along it as far as the
     * bounds allow.
     *
     * @param jac the m x n matrix {@code J}
     * @param r the m residuals at {@code p = 0}
     * @param lower per coordinate, at most 0 ({@code -Infinity} for none)
     * @param upper per coordinate, at least 0 ({@code +Infinity} for none)
     * @param cut singular values of a subproblem's column-scaled matrix at most this fraction of
     *     its largest are left out (at least {@code ulp(1) max(m, n)})
     * @return the minimum within the box
     */
    static Solution solve(double[][] jac, double[] r, double[] lower, double[] upper, double cut) {
        int n = lower.length;
        int m = r.length;
        double[] p = new double[n];
        int[] side = new int[n];
        double[] colNorm = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (double[] row : jac) {
                s += row[i] * row[i];
            }
            colNorm[i] = Math.sqrt(s);
        }
        int maxIterations = 10 * (n + 1);
        for (int it = 0; it < maxIterations; it++) {
            double[] z = freeMinimum(jac, r, p, side, colNorm, m, n, cut);
            // the free coordinates' minimum, given the bound ones: feasible, or as far towards it
            // as the box allows, the coordinate that stops it going onto its bound
            double alpha = 1;
            int blocking = -1;
            for (int i = 0; i < n; i++) {
                if (side[i] != 0 || z[i] == p[i]) {
                    continue;
                }
                double bound = z[i] > upper[i] ? upper[i] : z[i] < lower[i] ? lower[i] : Double.NaN;
                double t = Double.isNaN(bound) ? 1 : Math.max(0, (bound - p[i]) / (z[i] - p[i]));
                if (t < alpha) {
                    alpha = t;
                    blocking = i;
                }
            }
            for (int i = 0; i < n; i++) {
                if (side[i] == 0) {
                    p[i] = i == blocking ? (z[i] > p[i] ? upper[i] : lower[i]) : p[i] + alpha * (z[i] - p[i]);
                }
            }
            if (blocking >= 0) {
                side[blocking] = z[blocking] > upper[blocking] ? 1 : -1;
                continue;
            }
            // feasible: release the bound coordinate whose gradient points most into the box, if any
            double[] fit = r.clone();
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < n; i++) {
                    fit[j] += jac[j][i] * p[i];
                }
            }
            double fitNorm = TrustRegionLeastSquares.norm(fit);
            int release = -1;
            double worst = 0;
            for (int i = 0; i < n; i++) {
                if (side[i] == 0) {
                    continue;
                }
                double w = 0;
                for (int j = 0; j < m; j++) {
                    w += jac[j][i] * fit[j];
                }
                // the scaled gradient: w / |J_i| is the loss's slope per unit of J_i p_i; inward
                // means w > 0 on the upper bound (the loss falls downwards), w < 0 on the lower
                double inward = side[i] * w / colNorm[i];
                if (inward > 1e-12 * fitNorm && inward > worst) {
                    worst = inward;
                    release = i;
                }
            }
            if (release < 0) {
                break;
            }
            side[release] = 0;
        }
        return new Solution(p, side);
    }

    /**
     * The minimum-norm minimiser of {@code |J p + r|^2} over the free coordinates, the bound ones
     * held at their current values.
     *
     * @return the full vector: the free coordinates' minimiser, the bound ones as in {@code p}
     */
    private static double[] freeMinimum(
            double[][] jac, double[] r, double[] p, int[] side, double[] colNorm, int m, int n, double cut) {
        double[] z = p.clone();
        int k = 0;
        int[] cols = new int[n];
        for (int i = 0; i < n; i++) {
            if (side[i] == 0 && colNorm[i] > 0) {
                cols[k++] = i;
            }
        }
        if (k == 0) {
            return z;
        }
        double[] f = r.clone();
        for (int j = 0; j < m; j++) {
            for (int i = 0; i < n; i++) {
                if (side[i] != 0) {
                    f[j] += jac[j][i] * p[i];
                }
            }
        }
        double[][] a = new double[m][k];
        for (int j = 0; j < m; j++) {
            for (int c = 0; c < k; c++) {
                a[j][c] = jac[j][cols[c]] / colNorm[cols[c]];
            }
        }
        RealMatrix am = MatrixUtils.createRealMatrix(a);
        SingularValueDecomposition svd = new SingularValueDecomposition(am);
        double[] sv = svd.getSingularValues();
        double tol = sv.length == 0 ? 0 : sv[0] * Math.max(cut, Math.ulp(1.0) * Math.max(m, k));
        double[] uf = svd.getU().transpose().operate(f);
        double[] coeff = new double[sv.length];
        for (int c = 0; c < sv.length; c++) {
            coeff[c] = sv[c] > tol ? -uf[c] / sv[c] : 0;
        }
        double[] y = svd.getV().operate(coeff);
        for (int c = 0; c < k; c++) {
            z[cols[c]] = y[c] / colNorm[cols[c]];
        }
        return z;
    }
}
