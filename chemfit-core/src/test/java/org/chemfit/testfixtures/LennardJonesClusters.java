package org.chemfit.testfixtures;

/**
 * Small argon clusters and their Lennard-Jones energy and forces, from the pair formula
 * {@code E = sum 4 eps ((sigma/r)^12 - (sigma/r)^6)}: the reference values that force-matching
 * tests fit, worked out independently of the library's pair sums. Shared with the tests of the
 * other modules through core's test jar.
 */
public final class LennardJonesClusters {

    /** Argon's well depth in eV, with {@link #SIGMA} the parameters the tests recover. */
    public static final double EPS = 0.0104;

    /** Argon's diameter in Å. */
    public static final double SIGMA = 3.40;

    /** A trimer (a bent chain), in Å. */
    public static final double[][] TRIMER = {{0, 0, 0}, {3.9, 0, 0}, {4.8, 3.6, 0.3}};

    /** A tetramer with no symmetry, in Å. */
    public static final double[][] TETRAMER = {{0, 0, 0}, {3.7, 0.2, -0.1}, {1.6, 3.5, 0.4}, {1.9, 1.1, 3.3}};

    private LennardJonesClusters() {}

    /**
     * @param x the atoms' positions in Å
     * @param eps the well depth
     * @param sigma the diameter in Å
     * @return the energy of the cluster, from the pair formula
     */
    public static double energy(double[][] x, double eps, double sigma) {
        double e = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                double s6 = Math.pow(sigma / dist(x[i], x[j]), 6);
                e += 4 * eps * (s6 * s6 - s6);
            }
        }
        return e;
    }

    /**
     * @param x the atoms' positions in Å
     * @param eps the well depth
     * @param sigma the diameter in Å
     * @return the forces fx0, fy0, fz0, fx1, ... of the cluster: -dE/dx, from the pair formula
     */
    public static double[] forces(double[][] x, double eps, double sigma) {
        double[] f = new double[3 * x.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x.length; j++) {
                if (i == j) {
                    continue;
                }
                double r = dist(x[i], x[j]);
                double s6 = Math.pow(sigma / r, 6);
                double k = 24 * eps * (2 * s6 * s6 - s6) / (r * r);
                for (int c = 0; c < 3; c++) {
                    f[3 * i + c] += k * (x[i][c] - x[j][c]);
                }
            }
        }
        return f;
    }

    /** @return the distance between two positions */
    public static double dist(double[] a, double[] b) {
        return Math.sqrt(Math.pow(a[0] - b[0], 2) + Math.pow(a[1] - b[1], 2) + Math.pow(a[2] - b[2], 2));
    }
}
