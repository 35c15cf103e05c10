package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.hipparchus.linear.LUDecomposition;
import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.QRDecomposition;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.SingularValueDecomposition;
import org.junit.jupiter.api.Test;

/**
 * ChemFit's Kabsch test cases ({@code tests/test_kabsch.py} in github.com/MSallermann/chemfit), with
 * their point counts, dimensions and tolerances. ChemFit writes points as rows and the transform as
 * {@code P R + t}; here it is {@code R x + t}, so its R is our R transposed. The random inputs come
 * from {@link Random} with fixed seeds instead of NumPy's generator.
 */
class KabschChemFitTest {

    static double[][] gaussian(Random rnd, int n, int d, double loc, double scale) {
        double[][] p = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < d; c++) {
                p[i][c] = loc + scale * rnd.nextGaussian();
            }
        }
        return p;
    }

    /** A random proper rotation: Q of the QR decomposition of a Gaussian matrix, a column flipped if det < 0. */
    static double[][] randomRotation(Random rnd, int d) {
        RealMatrix q = new QRDecomposition(MatrixUtils.createRealMatrix(gaussian(rnd, d, d, 0, 1))).getQ();
        double[][] r = q.getData();
        if (new LUDecomposition(q).getDeterminant() < 0) {
            for (int i = 0; i < d; i++) {
                r[i][d - 1] = -r[i][d - 1];
            }
        }
        return r;
    }

    static double[][] transform(double[][] r, double[] t, double[][] p) {
        return new Kabsch.Alignment(r, t, 0, false).apply(p);
    }

    static double det(double[][] m) {
        return new LUDecomposition(MatrixUtils.createRealMatrix(m)).getDeterminant();
    }

    static double frobenius(double[][] a, double[][] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                s += (a[i][j] - b[i][j]) * (a[i][j] - b[i][j]);
            }
        }
        return Math.sqrt(s);
    }

    static double norm(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    static double[][] identity(int d) {
        return MatrixUtils.createRealIdentityMatrix(d).getData();
    }

    @Test
    void identityAlignment() {
        double[][] p = gaussian(new Random(0), 30, 3, 0, 1);
        Kabsch.Alignment a = Kabsch.align(p, p, null, false);
        assertTrue(frobenius(a.rotation(), identity(3)) < 1e-12 * 3);
        assertTrue(norm(a.translation(), new double[3]) < 1e-12 * 3);
        assertTrue(Kabsch.rmsd(a.apply(p), p, null) < 1e-12);
        assertFalse(a.reflected());
    }

    @Test
    void random3dAlignmentWithoutReflection() {
        Random rnd = new Random(1);
        double[][] p = gaussian(rnd, 50, 3, 0, 1);
        double[][] rTrue = randomRotation(rnd, 3);
        double[] tTrue = gaussian(rnd, 1, 3, 0, 1)[0];
        double[][] q = transform(rTrue, tTrue, p);
        Kabsch.Alignment a = Kabsch.align(p, q, null, false);
        assertEquals(1.0, det(a.rotation()), 1e-8);
        assertTrue(Kabsch.rmsd(a.apply(p), q, null) < 1e-10);
        assertTrue(a.rmsd() < 1e-10);
        assertTrue(frobenius(a.rotation(), rTrue) < 1e-8);
        assertTrue(norm(a.translation(), tTrue) < 1e-8);
    }

    @Test
    void noiseIsReducedByTwoOrdersOfMagnitude() {
        Random rnd = new Random(2);
        double[][] p = gaussian(rnd, 200, 3, 0, 1);
        double[][] q = transform(randomRotation(rnd, 3), gaussian(rnd, 1, 3, 0, 1)[0], p);
        for (double[] row : q) {
            for (int c = 0; c < 3; c++) {
                row[c] += 0.01 * rnd.nextGaussian();
            }
        }
        double before = Kabsch.rmsd(p, q, null);
        Kabsch.Alignment a = Kabsch.align(p, q, null, false);
        double after = Kabsch.rmsd(a.apply(p), q, null);
        assertTrue(after < before * 1e-2, before + " -> " + after);
    }

    @Test
    void translationOnly() {
        double[][] p = gaussian(new Random(3), 40, 3, 0, 1);
        double[] tTrue = {0.5, -1.2, 3.3};
        Kabsch.Alignment a = Kabsch.align(p, transform(identity(3), tTrue, p), null, false);
        assertTrue(frobenius(a.rotation(), identity(3)) < 1e-12 * 3);
        for (int c = 0; c < 3; c++) {
            assertEquals(tTrue[c], a.translation()[c], 1e-12);
        }
    }

    @Test
    void rotationOnly() {
        Random rnd = new Random(4);
        double[][] p = gaussian(rnd, 60, 3, 0, 1);
        double[][] rTrue = randomRotation(rnd, 3);
        Kabsch.Alignment a = Kabsch.align(p, transform(rTrue, new double[3], p), null, false);
        for (int c = 0; c < 3; c++) {
            assertEquals(0.0, a.translation()[c], 1e-12);
            for (int k = 0; k < 3; k++) {
                assertEquals(rTrue[c][k], a.rotation()[c][k], 1e-10);
            }
        }
    }

    @Test
    void alignmentIn2d() {
        Random rnd = new Random(5);
        double[][] p = gaussian(rnd, 25, 2, 0, 1);
        double[][] rTrue = randomRotation(rnd, 2);
        double[] tTrue = gaussian(rnd, 1, 2, 0, 1)[0];
        Kabsch.Alignment a = Kabsch.align(p, transform(rTrue, tTrue, p), null, false);
        assertEquals(2, a.dimension());
        assertEquals(1.0, det(a.rotation()), 1e-8);
        assertTrue(frobenius(a.rotation(), rTrue) < 1e-10);
        assertTrue(norm(a.translation(), tTrue) < 1e-10);
    }

    @Test
    void reflectionOnlyWhenAllowed() {
        double[][] p = gaussian(new Random(6), 50, 3, 0, 1);
        double[][] mirror = {{1, 0, 0}, {0, 1, 0}, {0, 0, -1}};
        double[][] q = transform(mirror, new double[] {0.2, -0.3, 0.4}, p);

        Kabsch.Alignment proper = Kabsch.align(p, q, null, false);
        assertEquals(1.0, det(proper.rotation()), 1e-8);
        Kabsch.Alignment improper = Kabsch.align(p, q, null, true);
        assertEquals(-1.0, det(improper.rotation()), 1e-8);
        assertTrue(improper.reflected());

        double rmsProper = Kabsch.rmsd(proper.apply(p), q, null);
        double rmsImproper = Kabsch.rmsd(improper.apply(p), q, null);
        assertTrue(rmsImproper < 1e-10);
        assertTrue(rmsProper > rmsImproper * 1e3);
        assertTrue(rmsProper > 1e-6);
    }

    @Test
    void equalWeightsMatchNoWeights() {
        Random rnd = new Random(7);
        double[][] p = gaussian(rnd, 30, 3, 0, 1);
        double[][] q = transform(randomRotation(rnd, 3), gaussian(rnd, 1, 3, 0, 1)[0], p);
        double[] ones = new double[30];
        java.util.Arrays.fill(ones, 1.0);
        Kabsch.Alignment w = Kabsch.align(p, q, ones, false);
        Kabsch.Alignment u = Kabsch.align(p, q, null, false);
        assertTrue(frobenius(w.rotation(), u.rotation()) < 1e-12 * 3);
        assertTrue(norm(w.translation(), u.translation()) < 1e-12 * 3);
    }

    /**
     * Two clusters, 50 points weighted 10 and 10 points weighted 0.1, related by a rigid motion
     * except that the light points are moved off it by seeded noise of 0.5 per coordinate. The
     * weighted fit follows the heavy cluster, which the motion maps exactly: its error there (0.005
     * with these seeds) is less than a fifth of the unweighted fit's (0.036), which the distorted
     * light points pull away. The
     * weighted R and t are those of the closed form computed here: the weighted centroids, the SVD
     * of the weighted covariance H = U S V^T, R = V diag(1, 1, det(V U^T)) U^T, t = c_y - R c_x.
     */
    @Test
    void weightsFavourTheHeavyCluster() {
        Random rnd = new Random(8);
        double[][] p1 = gaussian(rnd, 50, 3, 0.0, 0.5);
        double[][] p2 = gaussian(rnd, 10, 3, 5.0, 0.5);
        double[][] p = new double[60][];
        System.arraycopy(p1, 0, p, 0, 50);
        System.arraycopy(p2, 0, p, 50, 10);
        double[][] q = transform(randomRotation(rnd, 3), new double[] {1.0, -2.0, 0.5}, p);
        for (int i = 50; i < 60; i++) {
            for (int c = 0; c < 3; c++) {
                q[i][c] += 0.5 * rnd.nextGaussian();
            }
        }
        double[] w = new double[60];
        for (int i = 0; i < 60; i++) {
            w[i] = i < 50 ? 10.0 : 0.1;
        }
        Kabsch.Alignment weighted = Kabsch.align(p, q, w, false);
        Kabsch.Alignment unweighted = Kabsch.align(p, q, null, false);
        double[][] heavyQ = java.util.Arrays.copyOf(q, 50);
        double errW = Kabsch.rmsd(java.util.Arrays.copyOf(weighted.apply(p), 50), heavyQ, null);
        double errU = Kabsch.rmsd(java.util.Arrays.copyOf(unweighted.apply(p), 50), heavyQ, null);
        assertTrue(errU > 0.02, "the distorted light points pull the unweighted fit off: " + errU);
        assertTrue(errW < errU * 0.2, errW + " vs " + errU);

        // the closed form
        double wsum = 0;
        double[] cx = new double[3];
        double[] cy = new double[3];
        for (int i = 0; i < 60; i++) {
            wsum += w[i];
            for (int c = 0; c < 3; c++) {
                cx[c] += w[i] * p[i][c];
                cy[c] += w[i] * q[i][c];
            }
        }
        for (int c = 0; c < 3; c++) {
            cx[c] /= wsum;
            cy[c] /= wsum;
        }
        RealMatrix h = MatrixUtils.createRealMatrix(3, 3);
        for (int i = 0; i < 60; i++) {
            RealMatrix dx = MatrixUtils.createColumnRealMatrix(
                    new double[] {p[i][0] - cx[0], p[i][1] - cx[1], p[i][2] - cx[2]});
            RealMatrix dy = MatrixUtils.createColumnRealMatrix(
                    new double[] {q[i][0] - cy[0], q[i][1] - cy[1], q[i][2] - cy[2]});
            h = h.add(dx.multiply(dy.transpose()).scalarMultiply(w[i]));
        }
        SingularValueDecomposition svd = new SingularValueDecomposition(h);
        RealMatrix vut = svd.getV().multiply(svd.getUT());
        double sign = Math.signum(new LUDecomposition(vut).getDeterminant());
        RealMatrix r = svd.getV()
                .multiply(MatrixUtils.createRealDiagonalMatrix(new double[] {1, 1, sign}))
                .multiply(svd.getUT());
        double[] t = new double[3];
        for (int a = 0; a < 3; a++) {
            t[a] = cy[a] - r.getRow(a)[0] * cx[0] - r.getRow(a)[1] * cx[1] - r.getRow(a)[2] * cx[2];
        }
        assertTrue(
                frobenius(weighted.rotation(), r.getData()) < 1e-12,
                () -> frobenius(weighted.rotation(), r.getData()) + "");
        assertTrue(norm(weighted.translation(), t) < 1e-12, () -> norm(weighted.translation(), t) + "");
        // and it is not the unweighted answer, which differs from it by far more than that
        assertTrue(frobenius(unweighted.rotation(), r.getData()) > 1e-3);
    }

    @Test
    void mismatchedShapesAreRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Kabsch.align(new double[5][3], new double[6][3], null, false));
        assertTrue(e.getMessage().contains("same number of points, got 5 and 6"), e.getMessage());
    }

    @Test
    void badWeightsAreRefused() {
        double[][] p = new double[5][3];
        assertThrows(IllegalArgumentException.class, () -> Kabsch.align(p, p, new double[] {1, 1, -1, 1, 1}, false));
        assertThrows(IllegalArgumentException.class, () -> Kabsch.align(p, p, new double[] {1, 1, 1}, false));
        assertThrows(IllegalArgumentException.class, () -> Kabsch.align(p, p, new double[5], false));
    }

    @Test
    void fewerPointsThanDimensionsAreRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Kabsch.align(new double[2][3], new double[2][3], null, false));
        assertEquals(
                "Kabsch alignment in 3 dimensions needs at least 3 points to determine the rotation, got 2",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Kabsch.align(new double[6], new double[6], null, false));
    }

    @Test
    void aStructureRmsdOfTwoAtomsIsRefusedWhenConfigured() {
        Atoms dimer = Atoms.of(java.util.List.of("Ar", "Ar"), new double[][] {{0, 0, 0}, {0, 0, 3.8}});
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> StructureQuantities.builder().rmsd("rmsd", dimer, null, false));
        assertTrue(e.getMessage().startsWith("rmsd 'rmsd' needs a reference of at least 3 atoms"), e.getMessage());
    }

    @Test
    void weightedRmsdMatchesItsDefinition() {
        Random rnd = new Random(9);
        double[][] a = gaussian(rnd, 100, 3, 0, 1);
        double[][] b = new double[100][3];
        double[] w = new double[100];
        double num = 0;
        double den = 0;
        for (int i = 0; i < 100; i++) {
            w[i] = rnd.nextDouble() + 0.01;
            double d2 = 0;
            for (int c = 0; c < 3; c++) {
                b[i][c] = a[i][c] + 0.1;
                d2 += 0.1 * 0.1;
            }
            num += w[i] * d2;
            den += w[i];
        }
        assertEquals(Math.sqrt(num / den), Kabsch.rmsd(a, b, w), 1e-8 * Math.sqrt(num / den));
        assertEquals(Math.sqrt(0.03), Kabsch.rmsd(a, b, null), 1e-12);
    }
}
