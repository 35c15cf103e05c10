package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.chemfit.Parameters;

/** Finite-difference checks of forces and stress shared by the atomistic tests. */
final class Checks {

    private Checks() {}

    /**
     * Asserts that forces equal -dE/dx and the stress equals (1/V) dE/dε, both by central
     * differences, to {@code rel} times the largest component.
     */
    static void forcesAndStressMatchFiniteDifferences(Potential p, Atoms atoms, Parameters params, double rel) {
        int n = atoms.size();
        double[] f = new double[3 * n];
        double[] stress = new double[9];
        p.energyForcesStress(atoms, params, f, stress);
        double[] x = atoms.positions();
        double h = 1e-5;
        double[] fd = new double[3 * n];
        double fmax = 0;
        for (int k = 0; k < 3 * n; k++) {
            double[] xp = x.clone();
            xp[k] += h;
            double[] xm = x.clone();
            xm[k] -= h;
            fd[k] = -(p.energy(atoms.withPositions(xp), params) - p.energy(atoms.withPositions(xm), params)) / (2 * h);
            fmax = Math.max(fmax, Math.abs(fd[k]));
        }
        for (int k = 0; k < 3 * n; k++) {
            assertEquals(fd[k], f[k], rel * fmax, "force component " + k);
        }
        double v = atoms.volume();
        double[] sfd = new double[9];
        double smax = 0;
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                sfd[3 * a + b] =
                        (p.energy(strained(atoms, a, b, h), params) - p.energy(strained(atoms, a, b, -h), params))
                                / (2 * h)
                                / v;
                smax = Math.max(smax, Math.abs(sfd[3 * a + b]));
            }
        }
        for (int k = 0; k < 9; k++) {
            assertEquals(sfd[k], stress[k], rel * smax, "stress component " + k);
        }
    }

    /** x_b -> x_b + e x_a for the cell vectors and the positions. */
    static Atoms strained(Atoms atoms, int a, int b, double e) {
        double[] x = atoms.positions();
        for (int i = 0; i < atoms.size(); i++) {
            x[3 * i + b] += e * atoms.position(i)[a];
        }
        double[][] c = atoms.cell();
        for (int r = 0; r < 3; r++) {
            c[r][b] += e * atoms.cell()[r][a];
        }
        return atoms.withPositions(x).withCell(c, true, true, true);
    }
}
