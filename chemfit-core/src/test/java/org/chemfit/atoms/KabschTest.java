package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class KabschTest {

    static double[] randomPoints(Random rnd, int n) {
        double[] p = new double[3 * n];
        for (int i = 0; i < p.length; i++) {
            p[i] = 4 * rnd.nextGaussian();
        }
        return p;
    }

    static double[][] randomRotation(Random rnd) {
        // Rodrigues' formula: R = I + sin(t) K + (1 - cos(t)) K^2 for a unit axis k
        double x = rnd.nextGaussian();
        double y = rnd.nextGaussian();
        double z = rnd.nextGaussian();
        double len = Math.sqrt(x * x + y * y + z * z);
        x /= len;
        y /= len;
        z /= len;
        double t = 0.3 + 2.5 * rnd.nextDouble();
        double[][] k = {{0, -z, y}, {z, 0, -x}, {-y, x, 0}};
        double[][] r = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double k2 = 0;
                for (int m = 0; m < 3; m++) {
                    k2 += k[i][m] * k[m][j];
                }
                r[i][j] = (i == j ? 1 : 0) + Math.sin(t) * k[i][j] + (1 - Math.cos(t)) * k2;
            }
        }
        return r;
    }

    static double[] transform(double[][] r, double[] t, double[] p) {
        double[] out = new double[p.length];
        for (int i = 0; i < p.length / 3; i++) {
            for (int a = 0; a < 3; a++) {
                out[3 * i + a] = r[a][0] * p[3 * i] + r[a][1] * p[3 * i + 1] + r[a][2] * p[3 * i + 2] + t[a];
            }
        }
        return out;
    }

    @Test
    void identicalSetsGiveTheIdentity() {
        double[] p = randomPoints(new Random(1), 7);
        Kabsch.Alignment a = Kabsch.align(p, p, null, false);
        double[][] r = a.rotation();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(i == j ? 1.0 : 0.0, r[i][j], 1e-12);
            }
        }
        assertArrayEquals(new double[3], a.translation(), 1e-12);
        assertEquals(0.0, a.rmsd(), 1e-12);
        assertFalse(a.reflected());
    }

    @Test
    void randomRotationAndTranslationAreRecovered() {
        Random rnd = new Random(20261127);
        for (int trial = 0; trial < 20; trial++) {
            double[] reference = randomPoints(rnd, 5 + trial);
            double[][] rot = randomRotation(rnd);
            double[] t = {10 * rnd.nextGaussian(), 10 * rnd.nextGaussian(), 10 * rnd.nextGaussian()};
            double[] mobile = transform(rot, t, reference);
            // mobile = R ref + t, so aligning mobile onto reference must give R^T and -R^T t
            Kabsch.Alignment a = Kabsch.align(mobile, reference, null, false);
            double[][] got = a.rotation();
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(rot[j][i], got[i][j], 1e-10, "trial " + trial);
                }
            }
            for (int i = 0; i < 3; i++) {
                double back = -(rot[0][i] * t[0] + rot[1][i] * t[1] + rot[2][i] * t[2]);
                assertEquals(back, a.translation()[i], 1e-10, "trial " + trial);
            }
            assertEquals(0.0, a.rmsd(), 1e-10);
            assertArrayEquals(reference, a.apply(mobile), 1e-10);
        }
    }

    @Test
    void rmsdOfANoisyCopyEqualsTheNoise() {
        // a rigid motion of a set plus noise: the RMSD after alignment is at most the RMSD of the noise
        Random rnd = new Random(5);
        double[] reference = randomPoints(rnd, 30);
        double[] noisy = reference.clone();
        double ss = 0;
        for (int i = 0; i < noisy.length; i++) {
            double e = 0.01 * rnd.nextGaussian();
            noisy[i] += e;
            ss += e * e;
        }
        double noise = Math.sqrt(ss / 30);
        double[] moved = transform(randomRotation(rnd), new double[] {1, 2, 3}, noisy);
        double rmsd = Kabsch.align(moved, reference, null, false).rmsd();
        assertTrue(rmsd <= noise && rmsd > 0.8 * noise, rmsd + " vs noise " + noise);
    }

    @Test
    void mirrorImageIsMatchedOnlyWhenReflectionsAreAllowed() {
        Random rnd = new Random(3);
        double[] reference = randomPoints(rnd, 6);
        double[] mirrored = reference.clone();
        for (int i = 0; i < 6; i++) {
            mirrored[3 * i + 2] = -mirrored[3 * i + 2];
        }
        double[] mobile = transform(randomRotation(rnd), new double[] {-3, 0.5, 2}, mirrored);

        Kabsch.Alignment proper = Kabsch.align(mobile, reference, null, false);
        Kabsch.Alignment improper = Kabsch.align(mobile, reference, null, true);

        assertFalse(proper.reflected());
        assertEquals(1.0, det(proper.rotation()), 1e-10);
        assertTrue(proper.rmsd() > 0.1, "a chiral set cannot be rotated onto its mirror image: " + proper.rmsd());
        assertTrue(improper.reflected());
        assertEquals(-1.0, det(improper.rotation()), 1e-10);
        assertEquals(0.0, improper.rmsd(), 1e-10);
        assertArrayEquals(reference, improper.apply(mobile), 1e-10);
    }

    @Test
    void weightsDecideWhichPointsAreMatched() {
        // two rigid halves moved differently: with all weight on one half it is matched exactly
        Random rnd = new Random(11);
        double[] reference = randomPoints(rnd, 8);
        double[][] r1 = randomRotation(rnd);
        double[] mobile = transform(r1, new double[] {1, 1, 1}, reference);
        for (int i = 4; i < 8; i++) {
            mobile[3 * i] += 1.5;
        }
        double[] w = {1, 1, 1, 1, 0, 0, 0, 0};
        Kabsch.Alignment weighted = Kabsch.align(mobile, reference, w, false);
        assertEquals(0.0, weighted.rmsd(), 1e-10);
        double[] moved = weighted.apply(mobile);
        for (int i = 0; i < 12; i++) {
            assertEquals(reference[i], moved[i], 1e-10);
        }
        assertTrue(Kabsch.align(mobile, reference, null, false).rmsd() > 0.3);
        // uniform weights of any size give the unweighted answer
        double[] twos = {2, 2, 2, 2, 2, 2, 2, 2};
        assertEquals(
                Kabsch.align(mobile, reference, null, false).rmsd(),
                Kabsch.align(mobile, reference, twos, false).rmsd(),
                1e-12);
    }

    @Test
    void badInputNamesTheRule() {
        double[] p = new double[9];
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Kabsch.align(p, new double[6], null, false))
                .getMessage()
                .contains("same number of 3D points, got 9 and 6"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> Kabsch.align(p, p, new double[] {1, -1, 1}, false))
                .getMessage()
                .contains("weight 1 is -1.0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Kabsch.align(p, p, new double[] {0, 0, 0}, false))
                .getMessage()
                .contains("positive sum"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Kabsch.align(p, p, new double[] {1, 1}, false))
                .getMessage()
                .contains("2 weights for 3 points"));
    }

    static double det(double[][] m) {
        return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    }
}
