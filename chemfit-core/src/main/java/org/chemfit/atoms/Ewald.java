package org.chemfit.atoms;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.hipparchus.special.Erf;
import org.jspecify.annotations.Nullable;

/**
 * The Ewald sum of the Coulomb energy of point charges in a cell periodic along all three
 * vectors, with forces and the strain derivative. Written by hand: the sum is short and the
 * project's libraries have none; the error function comes from Hipparchus.
 *
 * <p>With splitting parameter α the energy is
 * <pre>
 *   E = k/2 Σ_i Σ_j Σ_n' q_i q_j erfc(α r_ijn) / r_ijn                 (real space, r &lt; r_c)
 *     + (2π k / V) Σ_{G≠0, |G| &lt; k_c} exp(-G²/4α²) / G² |Σ_j q_j e^{iG·r_j}|²   (reciprocal space)
 *     - k α/√π Σ_i q_i²                                                  (self)
 *     - k π Q² / (2 V α²)                                                (neutralising background, Q = Σ q_i)
 * </pre>
 * Given a tolerance δ, p = √(-ln δ); α = √π (N / V²)^(1/6) balances the work of both sums
 * (N atoms, volume V), the real-space cutoff is r_c = p / α and the reciprocal cutoff
 * k_c = 2 α p, so the first neglected terms are of relative size erfc(p) and exp(-p²), both
 * below δ. Pairs within one molecule may be excluded: their real-space term is dropped and the
 * part the reciprocal sum holds, k q_i q_j erf(α r)/r at the minimum image, is subtracted.
 *
 * @implNote Stateless and thread-safe.
 */
final class Ewald {

    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    private Ewald() {}

    /** The splitting parameter (1/Å) and the real (Å) and reciprocal (1/Å) cutoffs. */
    record Setup(double alpha, double realCutoff, double reciprocalCutoff) {
        static Setup of(int n, double volume, double tolerance) {
            double p = Math.sqrt(-Math.log(tolerance));
            double alpha = Math.sqrt(Math.PI) * Math.pow(Math.max(n, 1) / (volume * volume), 1.0 / 6);
            return new Setup(alpha, p / alpha, 2 * alpha * p);
        }
    }

    /**
     * Adds the Ewald energy's forces (eV/Å) and strain derivative dE/dε (eV, 9 numbers) into the
     * arrays when not null, and returns the energy (eV).
     *
     * @param excludedMolecules molecule indices whose intramolecular pairs are excluded, or null
     */
    static double compute(
            Atoms atoms,
            double[] q,
            double k,
            double tolerance,
            int @Nullable [] excludedMolecules,
            double @Nullable [] forces,
            double @Nullable [] virial) {
        int n = atoms.size();
        double vol = atoms.volume();
        Setup s = Setup.of(n, vol, tolerance);
        double alpha = s.alpha();
        double[] pos = atoms.positionsArray();
        double[] acc = new double[1];
        int[] mol = excludedMolecules;
        // real space
        double[] d0 = new double[3];
        Neighbours.forEach(atoms, s.realCutoff(), (i, j, dx, dy, dz, r2) -> {
            if (mol != null && i != j && mol[i] == mol[j]) {
                Neighbours.nearestImage(atoms, pos, i, j, d0);
                if (Math.abs(d0[0] - dx) < 1e-9 && Math.abs(d0[1] - dy) < 1e-9 && Math.abs(d0[2] - dz) < 1e-9) {
                    return;
                }
            }
            double r = Math.sqrt(r2);
            double qq = k * q[i] * q[j];
            double ar = alpha * r;
            double erfc = Erf.erfc(ar);
            double e = qq * erfc / r;
            double dEdr = -qq * (erfc / r2 + alpha * TWO_OVER_SQRT_PI * Math.exp(-ar * ar) / r);
            acc[0] += e; // an atom with its own image: the image and its opposite are one visit
            addPair(i, j, dx, dy, dz, r, dEdr, forces, virial);
        });
        double energy = acc[0];
        // excluded pairs: remove what the reciprocal sum holds of them
        if (mol != null) {
            Map<Integer, List<Integer>> byMolecule = new HashMap<>();
            for (int i = 0; i < n; i++) {
                byMolecule.computeIfAbsent(mol[i], m -> new ArrayList<>()).add(i);
            }
            double[] d = new double[3];
            for (List<Integer> members : byMolecule.values()) {
                for (int a = 0; a < members.size(); a++) {
                    for (int b = a + 1; b < members.size(); b++) {
                        int i = members.get(a);
                        int j = members.get(b);
                        double r2 = Neighbours.nearestImage(atoms, pos, i, j, d);
                        double r = Math.sqrt(r2);
                        double qq = k * q[i] * q[j];
                        double ar = alpha * r;
                        double erf = Erf.erf(ar);
                        energy -= qq * erf / r;
                        double dEdr = -qq * (-erf / r2 + alpha * TWO_OVER_SQRT_PI * Math.exp(-ar * ar) / r);
                        addPair(i, j, d[0], d[1], d[2], r, dEdr, forces, virial);
                    }
                }
            }
        }
        // self and background
        double sumQ = 0;
        double sumQ2 = 0;
        for (double qi : q) {
            sumQ += qi;
            sumQ2 += qi * qi;
        }
        energy -= k * alpha / Math.sqrt(Math.PI) * sumQ2;
        double background = -k * Math.PI * sumQ * sumQ / (2 * vol * alpha * alpha);
        energy += background;
        if (virial != null) {
            for (int a = 0; a < 3; a++) {
                virial[4 * a] -= background;
            }
        }
        energy += reciprocal(atoms, q, k, s, forces, virial);
        return energy;
    }

    private static void addPair(
            int i,
            int j,
            double dx,
            double dy,
            double dz,
            double r,
            double dEdr,
            double @Nullable [] forces,
            double @Nullable [] virial) {
        double g = dEdr / r;
        if (forces != null) {
            forces[3 * i] += g * dx;
            forces[3 * i + 1] += g * dy;
            forces[3 * i + 2] += g * dz;
            forces[3 * j] -= g * dx;
            forces[3 * j + 1] -= g * dy;
            forces[3 * j + 2] -= g * dz;
        }
        if (virial != null) {
            addOuter(virial, g, dx, dy, dz);
        }
    }

    static void addOuter(double[] virial, double g, double dx, double dy, double dz) {
        virial[0] += g * dx * dx;
        virial[1] += g * dx * dy;
        virial[2] += g * dx * dz;
        virial[3] += g * dy * dx;
        virial[4] += g * dy * dy;
        virial[5] += g * dy * dz;
        virial[6] += g * dz * dx;
        virial[7] += g * dz * dy;
        virial[8] += g * dz * dz;
    }

    private static double reciprocal(
            Atoms atoms, double[] q, double k, Setup s, double @Nullable [] forces, double @Nullable [] virial) {
        int n = atoms.size();
        double[] cell = Objects.requireNonNull(atoms.cellArray(), "Ewald summation needs a cell");
        double[] inv = atoms.inverseCellArray();
        double vol = atoms.volume();
        double alpha = s.alpha();
        double kc = s.reciprocalCutoff();
        double kc2 = kc * kc;
        double[] pos = atoms.positionsArray();
        // reciprocal vectors b_a = 2π × column a of the inverse cell
        double[][] b = new double[3][3];
        int[] max = new int[3];
        for (int a = 0; a < 3; a++) {
            for (int c = 0; c < 3; c++) {
                b[a][c] = 2 * Math.PI * inv[3 * c + a];
            }
            double len = Math.sqrt(
                    cell[3 * a] * cell[3 * a] + cell[3 * a + 1] * cell[3 * a + 1] + cell[3 * a + 2] * cell[3 * a + 2]);
            max[a] = (int) Math.floor(kc * len / (2 * Math.PI));
        }
        // e^{i m b_a·r_j} for m = 0..max[a]
        double[][][] cs = new double[3][][];
        double[][][] sn = new double[3][][];
        for (int a = 0; a < 3; a++) {
            cs[a] = new double[max[a] + 1][n];
            sn[a] = new double[max[a] + 1][n];
            for (int j = 0; j < n; j++) {
                double ph = b[a][0] * pos[3 * j] + b[a][1] * pos[3 * j + 1] + b[a][2] * pos[3 * j + 2];
                cs[a][0][j] = 1;
                if (max[a] >= 1) {
                    cs[a][1][j] = Math.cos(ph);
                    sn[a][1][j] = Math.sin(ph);
                }
                for (int m = 2; m <= max[a]; m++) {
                    cs[a][m][j] = Math.cos(m * ph);
                    sn[a][m][j] = Math.sin(m * ph);
                }
            }
        }
        double pref = 2 * Math.PI * k / vol;
        double inv4a2 = 1 / (4 * alpha * alpha);
        double energy = 0;
        double[] cosG = new double[n];
        double[] sinG = new double[n];
        for (int h = 0; h <= max[0]; h++) {
            // one plane of reciprocal vectors: many thousands of atoms make a single plane long
            Cancellation.check("the Ewald sum over ", atoms);
            for (int kk = -max[1]; kk <= max[1]; kk++) {
                if (h == 0 && kk < 0) {
                    continue;
                }
                for (int l = -max[2]; l <= max[2]; l++) {
                    if (h == 0 && kk == 0 && l <= 0) {
                        continue;
                    }
                    double gx = h * b[0][0] + kk * b[1][0] + l * b[2][0];
                    double gy = h * b[0][1] + kk * b[1][1] + l * b[2][1];
                    double gz = h * b[0][2] + kk * b[1][2] + l * b[2][2];
                    double g2 = gx * gx + gy * gy + gz * gz;
                    if (g2 >= kc2) {
                        continue;
                    }
                    double amp = Math.exp(-g2 * inv4a2) / g2;
                    int ak = Math.abs(kk);
                    double sk = Math.signum(kk);
                    int al = Math.abs(l);
                    double sl = Math.signum(l);
                    double sumC = 0;
                    double sumS = 0;
                    for (int j = 0; j < n; j++) {
                        double c1 = cs[0][h][j];
                        double s1 = sn[0][h][j];
                        double c2 = cs[1][ak][j];
                        double s2 = sk * sn[1][ak][j];
                        double c3 = cs[2][al][j];
                        double s3 = sl * sn[2][al][j];
                        double c12 = c1 * c2 - s1 * s2;
                        double s12 = s1 * c2 + c1 * s2;
                        double c = c12 * c3 - s12 * s3;
                        double sv = s12 * c3 + c12 * s3;
                        cosG[j] = c;
                        sinG[j] = sv;
                        sumC += q[j] * c;
                        sumS += q[j] * sv;
                    }
                    // G and -G contribute alike: factor 2
                    double eg = 2 * pref * amp * (sumC * sumC + sumS * sumS);
                    energy += eg;
                    if (forces != null) {
                        double f = 2 * 2 * pref * amp;
                        for (int j = 0; j < n; j++) {
                            double t = f * q[j] * (sinG[j] * sumC - cosG[j] * sumS);
                            forces[3 * j] += t * gx;
                            forces[3 * j + 1] += t * gy;
                            forces[3 * j + 2] += t * gz;
                        }
                    }
                    if (virial != null) {
                        double w = 2 * (inv4a2 + 1 / g2);
                        virial[0] += eg * (w * gx * gx - 1);
                        virial[1] += eg * w * gx * gy;
                        virial[2] += eg * w * gx * gz;
                        virial[3] += eg * w * gy * gx;
                        virial[4] += eg * (w * gy * gy - 1);
                        virial[5] += eg * w * gy * gz;
                        virial[6] += eg * w * gz * gx;
                        virial[7] += eg * w * gz * gy;
                        virial[8] += eg * (w * gz * gz - 1);
                    }
                }
            }
        }
        return energy;
    }
}
