package org.chemfit.atoms;

import java.util.Arrays;
import java.util.Objects;

import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.SingularValueDecomposition;

/**
 * Kabsch alignment: the rotation R and translation t that minimise the weighted squared distance
 * {@code sum_i w_i |R x_i + t - y_i|^2} between a mobile point set x and a reference y (W. Kabsch,
 * Acta Cryst. A32, 922 (1976)). The rotation comes from the singular value decomposition of the
 * weighted covariance matrix (Hipparchus). When reflections are not allowed the result is a proper
 * rotation (det R = +1) even if an improper one would fit better.
 *
 * <pre>{@code
 * Kabsch.Alignment a = Kabsch.align(mobile.positions(), reference.positions(), null, false);
 * double rmsd = a.rmsd();
 * double[] moved = a.apply(mobile.positions());
 * }</pre>
 *
 * @implNote Stateless; thread-safe.
 */
public final class Kabsch {

    private Kabsch() {
    }

    /**
     * The optimal superposition of a mobile set onto a reference.
     *
     * @param rotation R, 3x3, row-major rows; {@code x' = R x + t}
     * @param translation t
     * @param rmsd the weighted RMSD after alignment: {@code sqrt(sum w_i |R x_i + t - y_i|^2 / sum w_i)}
     * @param reflected whether R is improper (det R = -1), possible only when reflections were allowed
     * @implNote Immutable (arrays are copied out).
     */
    public record Alignment(double[][] rotation, double[] translation, double rmsd, boolean reflected) {

        /** Copies the arrays. */
        public Alignment {
            rotation = new double[][] {rotation[0].clone(), rotation[1].clone(), rotation[2].clone()};
            translation = translation.clone();
        }

        /** @return R (a copy) */
        @Override
        public double[][] rotation() {
            return new double[][] {rotation[0].clone(), rotation[1].clone(), rotation[2].clone()};
        }

        /** @return t (a copy) */
        @Override
        public double[] translation() {
            return translation.clone();
        }

        /**
         * @param points x0, y0, z0, x1, ... (any number of points)
         * @return the points moved by this alignment
         */
        public double[] apply(double[] points) {
            double[] out = new double[points.length];
            for (int i = 0; i < points.length / 3; i++) {
                for (int r = 0; r < 3; r++) {
                    out[3 * i + r] = rotation[r][0] * points[3 * i] + rotation[r][1] * points[3 * i + 1]
                            + rotation[r][2] * points[3 * i + 2] + translation[r];
                }
            }
            return out;
        }
    }

    /**
     * @param mobile x0, y0, z0, x1, ... of the points to move
     * @param reference the same number of points to align onto
     * @param weights one non-negative weight per point with a positive sum, or null for equal weights
     * @param allowReflection whether an improper rotation (a mirror image) may be used
     * @return the alignment
     * @throws IllegalArgumentException when the lengths differ or are not a multiple of 3, there is no
     *     point, a weight is negative or not finite, or the weights sum to zero
     */
    public static Alignment align(double[] mobile, double[] reference, double[] weights, boolean allowReflection) {
        Objects.requireNonNull(mobile, "mobile");
        Objects.requireNonNull(reference, "reference");
        if (mobile.length != reference.length || mobile.length % 3 != 0 || mobile.length == 0) {
            throw new IllegalArgumentException("Kabsch alignment needs two non-empty sets of the same number of 3D points, got "
                    + mobile.length + " and " + reference.length + " coordinates");
        }
        int n = mobile.length / 3;
        double[] w = new double[n];
        if (weights == null) {
            Arrays.fill(w, 1.0);
        } else {
            if (weights.length != n) {
                throw new IllegalArgumentException("there must be one weight per point: got " + weights.length + " weights for "
                        + n + " points");
            }
            for (int i = 0; i < n; i++) {
                if (!(weights[i] >= 0) || !Double.isFinite(weights[i])) {
                    throw new IllegalArgumentException("weights must be finite and non-negative: weight " + i + " is " + weights[i]);
                }
                w[i] = weights[i];
            }
        }
        double wsum = 0;
        double[] cx = new double[3];
        double[] cy = new double[3];
        for (int i = 0; i < n; i++) {
            wsum += w[i];
            for (int c = 0; c < 3; c++) {
                cx[c] += w[i] * mobile[3 * i + c];
                cy[c] += w[i] * reference[3 * i + c];
            }
        }
        if (!(wsum > 0)) {
            throw new IllegalArgumentException("the weights must have a positive sum, got " + wsum);
        }
        for (int c = 0; c < 3; c++) {
            cx[c] /= wsum;
            cy[c] /= wsum;
        }
        // H = sum w_i (x_i - cx)(y_i - cy)^T
        double[][] h = new double[3][3];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < 3; a++) {
                double xa = mobile[3 * i + a] - cx[a];
                for (int b = 0; b < 3; b++) {
                    h[a][b] += w[i] * xa * (reference[3 * i + b] - cy[b]);
                }
            }
        }
        SingularValueDecomposition svd = new SingularValueDecomposition(MatrixUtils.createRealMatrix(h));
        RealMatrix u = svd.getU();
        RealMatrix v = svd.getV();
        RealMatrix r = v.multiply(u.transpose());
        boolean reflected = new org.hipparchus.linear.LUDecomposition(r).getDeterminant() < 0;
        if (reflected && !allowReflection) {
            // flip the direction of the smallest singular value: the best proper rotation
            RealMatrix d = MatrixUtils.createRealDiagonalMatrix(new double[] {1, 1, -1});
            r = v.multiply(d).multiply(u.transpose());
            reflected = false;
        }
        double[][] rot = r.getData();
        double[] t = new double[3];
        for (int a = 0; a < 3; a++) {
            t[a] = cy[a] - (rot[a][0] * cx[0] + rot[a][1] * cx[1] + rot[a][2] * cx[2]);
        }
        double ss = 0;
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < 3; a++) {
                double m = rot[a][0] * mobile[3 * i] + rot[a][1] * mobile[3 * i + 1] + rot[a][2] * mobile[3 * i + 2] + t[a];
                double dd = m - reference[3 * i + a];
                ss += w[i] * dd * dd;
            }
        }
        return new Alignment(rot, t, Math.sqrt(ss / wsum), reflected);
    }

    /**
     * @param mobile a structure
     * @param reference a structure with the same number of atoms (positions are taken as they are,
     *     without unwrapping periodic images)
     * @param weights one weight per atom, or null
     * @param allowReflection whether a mirror image may be used
     * @return the weighted RMSD after alignment, in Å
     * @throws IllegalArgumentException as {@link #align}
     */
    public static double rmsd(Atoms mobile, Atoms reference, double[] weights, boolean allowReflection) {
        return align(mobile.positionsArray(), reference.positionsArray(), weights, allowReflection).rmsd();
    }
}
