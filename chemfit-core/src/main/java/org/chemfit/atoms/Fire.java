package org.chemfit.atoms;

import java.util.Arrays;

/**
 * The velocity update of FIRE (E. Bitzek et al., Phys. Rev. Lett. 97, 170201 (2006), with that
 * paper's constants): while the force does work on the velocity the velocity is turned towards the
 * force and the time step grows; when it does not, the system stops and the time step halves.
 * Shared by the relaxation of positions ({@link Relax}) and of positions and cell
 * ({@link CellRelax}), which each bound and apply the step in their own coordinates.
 *
 * @implNote Holds the state of one relaxation; not thread-safe.
 */
final class Fire {

    private final double[] v;
    private double dt = 0.1;
    private double alpha = 0.1;
    private int positive;
    private boolean started;

    /** @param n the number of coordinates */
    Fire(int n) {
        this.v = new double[n];
    }

    /**
     * @param f the force (minus the gradient) at the current point
     * @return the step {@code dt · v} after the velocity update
     */
    double[] step(double[] f) {
        int n = v.length;
        // the first step starts from rest: there is no power to judge yet
        if (started && dot(f, v) > 0) {
            double vn = Math.sqrt(dot(v, v));
            double fn = Math.sqrt(dot(f, f));
            for (int i = 0; i < n; i++) {
                v[i] = (1 - alpha) * v[i] + alpha * vn * f[i] / fn;
            }
            if (positive > 5) {
                dt = Math.min(dt * 1.1, 1.0);
                alpha *= 0.99;
            }
            positive++;
        } else if (started) {
            Arrays.fill(v, 0.0);
            alpha = 0.1;
            dt *= 0.5;
            positive = 0;
        }
        started = true;
        double[] dr = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] += dt * f[i];
            dr[i] = dt * v[i];
        }
        return dr;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
