package org.chemfit.atoms;

import java.util.Arrays;
import java.util.Objects;
import org.hipparchus.linear.LUDecomposition;
import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.SingularValueDecomposition;
import org.jspecify.annotations.Nullable;

/**
 * Kabsch alignment: the rotation R and translation t that minimise the weighted squared distance
 * {@code sum_i w_i |R x_i + t - y_i|^2} between a mobile point set x and a reference y (W. Kabsch,
 * Acta Cryst. A32, 922 (1976)), for points of any dimension D (2D and 3D included). The rotation
 * comes from the singular value decomposition of the weighted covariance matrix (Hipparchus). When
 * reflections are not allowed the result is a proper rotation (det R = +1) even if an improper one
 * would fit better. At least D points are needed to fix a rotation in D dimensions.
 *
 * <pre>{@code
 * // two structures with the same number of atoms, one row per atom
 * double[][] x = IntStream.range(0, mobile.size()).mapToObj(mobile::position).toArray(double[][]::new);
 * double[][] y = IntStream.range(0, reference.size()).mapToObj(reference::position).toArray(double[][]::new);
 * Kabsch.Alignment a = Kabsch.align(x, y, null, false);
 * double rmsd = a.rmsd();
 * double[] moved = a.apply(mobile.positions());   // flat x0, y0, z0, x1, ... as Atoms.positions()
 *
 * // 2D points, one row per point
 * Kabsch.Alignment a2 = Kabsch.align(new double[][] {{0, 0}, {1, 0}, {0, 2}}, reference2d, null, false);
 * double d = Kabsch.rmsd(a2.apply(points2d), reference2d, null);   // RMSD without aligning again
 * }</pre>
 *
 * @implNote Stateless; thread-safe.
 */
public final class Kabsch {

    private Kabsch() {}

    /**
     * The optimal superposition of a mobile set onto a reference.
     *
     * @param rotation R, D x D, row-major rows; {@code x' = R x + t}
     * @param translation t, of length D
     * @param rmsd the weighted RMSD after alignment: {@code sqrt(sum w_i |R x_i + t - y_i|^2 / sum w_i)}
     * @param reflected whether R is improper (det R = -1), possible only when reflections were allowed
     * @implNote Immutable (arrays are copied in and out).
     */
    public record Alignment(double[][] rotation, double[] translation, double rmsd, boolean reflected) {

        /**
         * Copies the arrays.
         *
         * @throws IllegalArgumentException when R is not square or t does not match its size
         */
        public Alignment {
            rotation = copy(rotation);
            translation = translation.clone();
            for (double[] row : rotation) {
                if (row.length != rotation.length) {
                    throw new IllegalArgumentException("the rotation must be a square matrix, got a row of "
                            + row.length + " in " + rotation.length + " rows");
                }
            }
            if (translation.length != rotation.length) {
                throw new IllegalArgumentException(
                        "the translation must have " + rotation.length + " components, got " + translation.length);
            }
        }

        /** @return D, the dimension of the points */
        public int dimension() {
            return translation.length;
        }

        /** @return R (a copy) */
        @Override
        public double[][] rotation() {
            return copy(rotation);
        }

        /** @return t (a copy) */
        @Override
        public double[] translation() {
            return translation.clone();
        }

        /**
         * @param points x0, y0, z0, x1, ... (D coordinates per point, any number of points)
         * @return the points moved by this alignment
         * @throws IllegalArgumentException when the length is not a multiple of D
         */
        public double[] apply(double[] points) {
            int d = dimension();
            if (points.length % d != 0) {
                throw new IllegalArgumentException("points in " + d + " dimensions need a multiple of " + d
                        + " coordinates, got " + points.length);
            }
            double[] out = new double[points.length];
            for (int i = 0; i < points.length / d; i++) {
                for (int r = 0; r < d; r++) {
                    double s = translation[r];
                    for (int c = 0; c < d; c++) {
                        s += rotation[r][c] * points[d * i + c];
                    }
                    out[d * i + r] = s;
                }
            }
            return out;
        }

        /**
         * @param points one row of D coordinates per point
         * @return the points moved by this alignment
         * @throws IllegalArgumentException when a row does not have D coordinates
         */
        public double[][] apply(double[][] points) {
            int d = dimension();
            double[][] out = new double[points.length][];
            for (int i = 0; i < points.length; i++) {
                if (points[i].length != d) {
                    throw new IllegalArgumentException(
                            "point " + i + " must have " + d + " coordinates, got " + points[i].length);
                }
                out[i] = apply(points[i]);
            }
            return out;
        }

        private static double[][] copy(double[][] m) {
            double[][] c = new double[m.length][];
            for (int i = 0; i < m.length; i++) {
                c[i] = m[i].clone();
            }
            return c;
        }
    }

    /**
     * Aligns 3D points given as one flat array.
     *
     * @param mobile x0, y0, z0, x1, ... of the points to move
     * @param reference the same number of points to align onto
     * @param weights one non-negative weight per point with a positive sum, or null for equal weights
     * @param allowReflection whether an improper rotation (a mirror image) may be used
     * @return the alignment
     * @throws IllegalArgumentException when the lengths differ or are not a multiple of 3, there are
     *     fewer than 3 points, a weight is negative or not finite, or the weights sum to zero
     */
    static Alignment align(double[] mobile, double[] reference, double @Nullable [] weights, boolean allowReflection) {
        Objects.requireNonNull(mobile, "mobile");
        Objects.requireNonNull(reference, "reference");
        if (mobile.length != reference.length || mobile.length % 3 != 0 || mobile.length == 0) {
            throw new IllegalArgumentException(
                    "Kabsch alignment needs two non-empty sets of the same number of 3D points, got " + mobile.length
                            + " and " + reference.length + " coordinates");
        }
        return align(rows(mobile, 3), rows(reference, 3), weights, allowReflection);
    }

    /**
     * Aligns points of any dimension D, one row per point.
     *
     * @param mobile N rows of D coordinates: the points to move
     * @param reference N rows of D coordinates to align onto
     * @param weights one non-negative weight per point with a positive sum, or null for equal weights
     * @param allowReflection whether an improper rotation (a mirror image) may be used
     * @return the alignment
     * @throws IllegalArgumentException when the sets differ in shape, D is below 1, there are fewer
     *     points than dimensions (N &lt; D: the rotation is not determined), a coordinate is not
     *     finite, a weight is negative or not finite, or the weights sum to zero
     */
    public static Alignment align(
            double[][] mobile, double[][] reference, double @Nullable [] weights, boolean allowReflection) {
        int[] shape = shape(mobile, reference);
        int n = shape[0];
        int d = shape[1];
        if (n < d) {
            throw new IllegalArgumentException("Kabsch alignment in " + d + " dimensions needs at least " + d
                    + " points to determine the rotation, got " + n);
        }
        double[] w = weights(weights, n);
        double wsum = 0;
        double[] cx = new double[d];
        double[] cy = new double[d];
        for (int i = 0; i < n; i++) {
            wsum += w[i];
            for (int c = 0; c < d; c++) {
                cx[c] += w[i] * mobile[i][c];
                cy[c] += w[i] * reference[i][c];
            }
        }
        for (int c = 0; c < d; c++) {
            cx[c] /= wsum;
            cy[c] /= wsum;
        }
        // H = sum w_i (x_i - cx)(y_i - cy)^T
        double[][] h = new double[d][d];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < d; a++) {
                double xa = mobile[i][a] - cx[a];
                for (int b = 0; b < d; b++) {
                    h[a][b] += w[i] * xa * (reference[i][b] - cy[b]);
                }
            }
        }
        SingularValueDecomposition svd = new SingularValueDecomposition(MatrixUtils.createRealMatrix(h));
        RealMatrix u = svd.getU();
        RealMatrix v = svd.getV();
        RealMatrix r = v.multiply(u.transpose());
        boolean reflected = new LUDecomposition(r).getDeterminant() < 0;
        if (reflected && !allowReflection) {
            // flip the direction of the smallest singular value: the best proper rotation
            double[] diag = new double[d];
            Arrays.fill(diag, 1.0);
            diag[d - 1] = -1;
            r = v.multiply(MatrixUtils.createRealDiagonalMatrix(diag)).multiply(u.transpose());
            reflected = false;
        }
        double[][] rot = r.getData();
        double[] t = new double[d];
        for (int a = 0; a < d; a++) {
            double s = cy[a];
            for (int b = 0; b < d; b++) {
                s -= rot[a][b] * cx[b];
            }
            t[a] = s;
        }
        Alignment unscored = new Alignment(rot, t, 0, reflected);
        double rmsd = rmsdOf(unscored.apply(mobile), reference, w, wsum);
        return new Alignment(rot, t, rmsd, reflected);
    }

    /**
     * The weighted RMSD of two point sets as they are, without aligning them:
     * {@code sqrt(sum w_i |a_i - b_i|^2 / sum w_i)}.
     *
     * @param a N rows of D coordinates
     * @param b N rows of D coordinates
     * @param weights one non-negative weight per point with a positive sum, or null for equal weights
     * @return the RMSD
     * @throws IllegalArgumentException when the sets differ in shape, a coordinate is not finite, a
     *     weight is negative or not finite, or the weights sum to zero
     */
    public static double rmsd(double[][] a, double[][] b, double @Nullable [] weights) {
        int n = shape(a, b)[0];
        double[] w = weights(weights, n);
        double wsum = 0;
        for (double x : w) {
            wsum += x;
        }
        return rmsdOf(a, b, w, wsum);
    }

    /**
     * @param mobile a structure
     * @param reference a structure with the same number of atoms (positions are taken as they are,
     *     without unwrapping periodic images)
     * @param weights one weight per atom, or null
     * @param allowReflection whether a mirror image may be used
     * @return the weighted RMSD after alignment, in Å
     * @throws IllegalArgumentException as {@link #align(double[], double[], double[], boolean)}
     */
    static double rmsd(Atoms mobile, Atoms reference, double @Nullable [] weights, boolean allowReflection) {
        return align(mobile.positionsArray(), reference.positionsArray(), weights, allowReflection)
                .rmsd();
    }

    private static double rmsdOf(double[][] a, double[][] b, double[] w, double wsum) {
        double ss = 0;
        for (int i = 0; i < a.length; i++) {
            for (int c = 0; c < a[i].length; c++) {
                double dd = a[i][c] - b[i][c];
                ss += w[i] * dd * dd;
            }
        }
        return Math.sqrt(ss / wsum);
    }

    private static double[][] rows(double[] flat, int d) {
        double[][] out = new double[flat.length / d][d];
        for (int i = 0; i < out.length; i++) {
            System.arraycopy(flat, d * i, out[i], 0, d);
        }
        return out;
    }

    private static int[] shape(double[][] a, double[][] b) {
        Objects.requireNonNull(a, "mobile");
        Objects.requireNonNull(b, "reference");
        if (a.length == 0 || a.length != b.length) {
            throw new IllegalArgumentException(
                    "Kabsch alignment needs two non-empty sets of the same number of points, got " + a.length + " and "
                            + b.length + " points");
        }
        int d = a[0].length;
        if (d < 1) {
            throw new IllegalArgumentException("points need at least one coordinate, got 0");
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i].length != d || b[i].length != d) {
                throw new IllegalArgumentException("every point must have " + d + " coordinates (as the first), got "
                        + a[i].length + " and " + b[i].length + " at point " + i);
            }
            for (int c = 0; c < d; c++) {
                if (!Double.isFinite(a[i][c]) || !Double.isFinite(b[i][c])) {
                    throw new IllegalArgumentException(
                            "coordinates must be finite, got " + a[i][c] + " and " + b[i][c] + " at point " + i);
                }
            }
        }
        return new int[] {a.length, d};
    }

    private static double[] weights(double @Nullable [] weights, int n) {
        double[] w = new double[n];
        if (weights == null) {
            Arrays.fill(w, 1.0);
            return w;
        }
        if (weights.length != n) {
            throw new IllegalArgumentException(
                    "there must be one weight per point: got " + weights.length + " weights for " + n + " points");
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (!(weights[i] >= 0) || !Double.isFinite(weights[i])) {
                throw new IllegalArgumentException(
                        "weights must be finite and non-negative: weight " + i + " is " + weights[i]);
            }
            w[i] = weights[i];
            sum += w[i];
        }
        if (!(sum > 0)) {
            throw new IllegalArgumentException("the weights must have a positive sum, got " + sum);
        }
        return w;
    }
}
