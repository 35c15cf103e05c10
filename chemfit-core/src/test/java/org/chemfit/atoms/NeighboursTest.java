package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.chemfit.Parameters;
import org.junit.jupiter.api.Test;

class NeighboursTest {

    static final Parameters LJ = Parameters.of(Map.of("eps", 0.01, "sigma", 2.2));

    /** The pair count and the sum of 1/r over every pair image within the cutoff, by brute force over images. */
    static double[] bruteForce(Atoms atoms, double cutoff, int range) {
        double[][] c = atoms.hasCell() ? atoms.cell() : new double[3][3];
        boolean[] pbc = atoms.pbc();
        double count = 0;
        double sum = 0;
        int[] r = new int[3];
        for (int a = 0; a < 3; a++) {
            r[a] = pbc[a] ? range : 0;
        }
        for (int i = 0; i < atoms.size(); i++) {
            for (int j = i; j < atoms.size(); j++) {
                for (int na = -r[0]; na <= r[0]; na++) {
                    for (int nb = -r[1]; nb <= r[1]; nb++) {
                        for (int nc = -r[2]; nc <= r[2]; nc++) {
                            if (i == j && (na == 0 && nb == 0 && nc == 0)) {
                                continue;
                            }
                            double d2 = 0;
                            for (int k = 0; k < 3; k++) {
                                double d = atoms.position(j)[k]
                                        - atoms.position(i)[k]
                                        + na * c[0][k]
                                        + nb * c[1][k]
                                        + nc * c[2][k];
                                d2 += d * d;
                            }
                            if (d2 < cutoff * cutoff) {
                                double w = i == j ? 0.5 : 1;
                                count += w;
                                sum += w / Math.sqrt(d2);
                            }
                        }
                    }
                }
            }
        }
        return new double[] {count, sum};
    }

    static double[] listed(Atoms atoms, double cutoff) {
        double[] acc = new double[2];
        Neighbours.forEach(atoms, cutoff, (i, j, dx, dy, dz, r2) -> {
            acc[0]++;
            acc[1] += 1 / Math.sqrt(r2);
        });
        return acc;
    }

    @Test
    void aSkewedCellWithACutoffBeyondHalfItsWidthFindsEveryImage() {
        Atoms a = EwaldTest.distorted(
                EwaldTest.rockSalt(4.0), new double[][] {{4.1, 0, 0}, {2.3, 3.6, 0}, {-1.7, 1.9, 4.4}}, 3);
        for (double cutoff : new double[] {1.5, 3.0, 5.5, 9.0}) {
            double[] expected = bruteForce(a, cutoff, 6);
            double[] got = listed(a, cutoff);
            assertEquals(expected[0], got[0], 0, "pairs within " + cutoff);
            assertEquals(expected[1], got[1], 1e-9 * expected[1], "sum of 1/r within " + cutoff);
        }
    }

    @Test
    void atomsOutsideTheCellAndPartialPeriodicityAreHandled() {
        Atoms a = EwaldTest.distorted(
                EwaldTest.supercell(EwaldTest.rockSalt(4.0), 2, 2, 1),
                new double[][] {{8, 0, 0}, {1, 8, 0}, {0, 0, 4}},
                9);
        double[] x = a.positions();
        x[0] += 17.3;
        x[4] -= 11.1;
        Atoms moved = a.withPositions(x).withCell(a.cell(), true, false, true);
        for (double cutoff : new double[] {2.0, 4.5, 7.0}) {
            double[] expected = bruteForce(moved, cutoff, 5);
            double[] got = listed(moved, cutoff);
            assertEquals(expected[0], got[0], 0, "pairs within " + cutoff);
            assertEquals(expected[1], got[1], 1e-9 * expected[1]);
        }
    }

    @Test
    void aClusterWithoutCellFindsTheSamePairsAsTheDoubleLoop() {
        Atoms cluster = PairPotentialTest.cluster(5, 40, 1.7);
        for (double cutoff : new double[] {1.0, 2.5, 30.0}) {
            double[] expected = bruteForce(cluster, cutoff, 0);
            double[] got = listed(cluster, cutoff);
            assertEquals(expected[0], got[0], 0);
            assertEquals(expected[1], got[1], 1e-9 * expected[1]);
        }
    }

    @Test
    void lennardJonesWithALongCutoffInASmallTriclinicCellHasConsistentForcesAndStress() {
        Atoms a = EwaldTest.distorted(
                EwaldTest.rockSalt(4.0), new double[][] {{4.1, 0, 0}, {1.3, 3.9, 0}, {-0.7, 0.9, 4.4}}, 5);
        PairPotential lj = PairPotential.builder()
                .lennardJones("*", "*", ParameterRef.of("eps"), ParameterRef.of("sigma"), 7.5, true)
                .build();
        Checks.forcesAndStressMatchFiniteDifferences(lj, a, LJ, 1e-6);
    }
}
