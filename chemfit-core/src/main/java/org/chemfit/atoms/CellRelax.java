package org.chemfit.atoms;

import java.util.Arrays;
import java.util.Objects;
import org.chemfit.ChemFitException;
import org.chemfit.Parameters;

/**
 * Relaxes the positions and the cell of a periodic structure together under an external
 * pressure: it minimises the enthalpy H = E + P V. The cell may change freely or, with
 * {@link #isotropic(boolean)}, only by a uniform scaling (which keeps the cell's shape, and so
 * the symmetry of a cubic crystal).
 *
 * <p>The cell is written as the starting cell times a deformation F (rows are vectors:
 * {@code cell = cell0 · F}, {@code x_i = u_i · F}), and FIRE (Bitzek et al., Phys. Rev. Lett.
 * 97, 170201 (2006), the constants of {@link Relax}) moves the atoms' u and the deformation
 * together. The deformation's generalised force is -V F^-T (σ + P I) / N for N atoms (σ the
 * stress of {@link Potential#energyForcesStress}), so that a strain of the cell weighs like the
 * displacement of one atom. Written by hand for the reason {@link Relax} is.
 *
 * <pre>{@code
 * CellRelax.Result r = CellRelax.defaults().pressureGPa(0).isotropic(true).run(potential, params, crystal);
 * double a = r.atoms().cell()[0][0];
 * }</pre>
 *
 * @implNote Immutable and thread-safe; each run keeps its state in local variables.
 */
public final class CellRelax {

    /** 1 GPa in eV/Å³: 1 eV/Å³ = 1.602176634e-19 J / 1e-30 m³ = 160.2176634 GPa (e exact, CODATA 2018). */
    static final double GPA = 1 / 160.2176634;

    private final double pressure;
    private final boolean isotropic;
    private final double forceTolerance;
    private final double stressTolerance;
    private final int maxSteps;
    private final double maxStep;

    private CellRelax(
            double pressure,
            boolean isotropic,
            double forceTolerance,
            double stressTolerance,
            int maxSteps,
            double maxStep) {
        if (!Double.isFinite(pressure)) {
            throw new IllegalArgumentException("the pressure must be finite, got " + pressure);
        }
        if (!(forceTolerance > 0) || !(stressTolerance > 0)) {
            throw new IllegalArgumentException("the force and stress tolerances must be positive, got " + forceTolerance
                    + " eV/Å and " + stressTolerance + " eV/Å³");
        }
        if (maxSteps < 0 || !(maxStep > 0)) {
            throw new IllegalArgumentException(
                    "the steps must not be negative and the largest step must be positive, got " + maxSteps + " and "
                            + maxStep);
        }
        this.pressure = pressure;
        this.isotropic = isotropic;
        this.forceTolerance = forceTolerance;
        this.stressTolerance = stressTolerance;
        this.maxSteps = maxSteps;
        this.maxStep = maxStep;
    }

    /**
     * @return zero pressure, any cell shape, forces below 1e-5 eV/Å, stress within 1e-7 eV/Å³
     *     (0.016 MPa) of -P, at most 5000 steps of at most 0.1 Å
     */
    public static CellRelax defaults() {
        return new CellRelax(0, false, 1e-5, 1e-7, 5000, 0.1);
    }

    /**
     * @param gpa the external pressure in GPa
     * @return a copy with it
     * @throws IllegalArgumentException when it is not finite
     */
    public CellRelax pressureGPa(double gpa) {
        return new CellRelax(gpa * GPA, isotropic, forceTolerance, stressTolerance, maxSteps, maxStep);
    }

    /**
     * @param uniformScalingOnly whether the cell only scales uniformly, keeping its shape
     * @return a copy with it
     */
    public CellRelax isotropic(boolean uniformScalingOnly) {
        return new CellRelax(pressure, uniformScalingOnly, forceTolerance, stressTolerance, maxSteps, maxStep);
    }

    /**
     * @param fmax the largest force on an atom at convergence (eV/Å)
     * @param smax the largest deviation of a stress component from -P at convergence (eV/Å³)
     * @return a copy with them
     * @throws IllegalArgumentException when one is not positive
     */
    public CellRelax tolerances(double fmax, double smax) {
        return new CellRelax(pressure, isotropic, fmax, smax, maxSteps, maxStep);
    }

    /**
     * @param n the most steps
     * @return a copy with it
     * @throws IllegalArgumentException when negative
     */
    public CellRelax maxSteps(int n) {
        return new CellRelax(pressure, isotropic, forceTolerance, stressTolerance, n, maxStep);
    }

    /** @return the external pressure in eV/Å³ */
    public double pressure() {
        return pressure;
    }

    /**
     * The outcome of a cell relaxation.
     *
     * @param atoms the relaxed structure, with its relaxed cell
     * @param energy its energy (eV)
     * @param stress its stress (eV/Å³, 9 numbers by rows)
     * @param steps the steps taken
     * @param converged whether forces and stress met the tolerances
     * @implNote Immutable (the stress is copied).
     */
    public record Result(Atoms atoms, double energy, double[] stress, int steps, boolean converged) {
        /** Copies the stress. */
        public Result {
            stress = stress.clone();
        }

        /** @return the stress (a copy) */
        @Override
        public double[] stress() {
            return stress.clone();
        }
    }

    /**
     * @param potential a potential that gives the stress
     * @param params its parameters
     * @param start a structure periodic along its three cell vectors
     * @return the relaxed structure
     * @throws IllegalArgumentException when the structure is not periodic along three vectors
     * @throws ChemFitException when the energy becomes NaN or infinite, or the cell collapses
     * @throws org.chemfit.EvaluationCancelledException when the thread is interrupted (checked before
     *     each step; the flag stays set)
     */
    public Result run(Potential potential, Parameters params, Atoms start) {
        int n = start.size();
        int nc = isotropic ? 1 : 9;
        double[] cell0 = flat(Objects.requireNonNull(start.cell(), "a cell relaxation needs a structure with a cell"));
        double[] u = start.positions();
        double factor = Math.max(n, 1);
        double[] z = new double[3 * n + nc];
        System.arraycopy(u, 0, z, 0, 3 * n);
        double[] gz = new double[z.length];
        Fire fire = new Fire(z.length);
        double[] state = new double[3];
        Atoms[] current = new Atoms[1];
        double[] stress = new double[9];
        int steps = 0;
        evaluate(potential, params, start, cell0, z, n, factor, gz, stress, state, current);
        while (!(state[0] < forceTolerance && state[1] < stressTolerance) && steps < maxSteps) {
            double[] dz = fire.step(gz);
            double longest = 0;
            for (int i = 0; i < z.length; i += 3) {
                double s = 0;
                for (int k = i; k < Math.min(i + 3, z.length); k++) {
                    s += dz[k] * dz[k];
                }
                longest = Math.max(longest, Math.sqrt(s));
            }
            if (longest > maxStep) {
                for (int i = 0; i < z.length; i++) {
                    dz[i] *= maxStep / longest;
                }
            }
            for (int i = 0; i < z.length; i++) {
                z[i] += dz[i];
            }
            evaluate(potential, params, start, cell0, z, n, factor, gz, stress, state, current);
            steps++;
        }
        return new Result(current[0], state[2], stress, steps, state[0] < forceTolerance && state[1] < stressTolerance);
    }

    /**
     * Builds the structure for z, writes the generalised forces into gz and the stress, and puts
     * the largest atomic force, the stress deviation and the energy into state[0..2].
     */
    private void evaluate(
            Potential p,
            Parameters params,
            Atoms start,
            double[] cell0,
            double[] z,
            int n,
            double factor,
            double[] gz,
            double[] stress,
            double[] state,
            Atoms[] current) {
        Cancellation.check("the cell relaxation of ", start);
        double[] f3 = deformation(z, n);
        double[] cell = mul(cell0, f3);
        double[] x = new double[3 * n];
        for (int i = 0; i < n; i++) {
            for (int b = 0; b < 3; b++) {
                x[3 * i + b] = z[3 * i] * f3[b] + z[3 * i + 1] * f3[3 + b] + z[3 * i + 2] * f3[6 + b];
            }
        }
        Atoms atoms;
        try {
            atoms = start.withPositionsUnchecked(x)
                    .withCell(
                            new double[][] {
                                Arrays.copyOfRange(cell, 0, 3),
                                Arrays.copyOfRange(cell, 3, 6),
                                Arrays.copyOfRange(cell, 6, 9)
                            },
                            true,
                            true,
                            true);
        } catch (IllegalArgumentException e) {
            throw new ChemFitException(
                    "the cell collapsed during the cell relaxation of " + start + " at " + params, e);
        }
        double[] f = new double[3 * n];
        double e = p.energyForcesStress(atoms, params, f, stress);
        if (!Double.isFinite(e)) {
            throw new ChemFitException(
                    "the energy became " + e + " during the cell relaxation of " + start + " at " + params);
        }
        current[0] = atoms;
        state[2] = e;
        double fmax = 0;
        for (int i = 0; i < n; i++) {
            fmax = Math.max(
                    fmax, Math.sqrt(f[3 * i] * f[3 * i] + f[3 * i + 1] * f[3 * i + 1] + f[3 * i + 2] * f[3 * i + 2]));
            // force on u_i: f_i F^T
            for (int a = 0; a < 3; a++) {
                gz[3 * i + a] = f[3 * i] * f3[3 * a] + f[3 * i + 1] * f3[3 * a + 1] + f[3 * i + 2] * f3[3 * a + 2];
            }
        }
        double vol = atoms.volume();
        double[] sp = stress.clone();
        double smax = 0;
        for (int a = 0; a < 3; a++) {
            sp[4 * a] += pressure;
        }
        for (int k = 0; k < 9; k++) {
            if (isotropic && k % 4 != 0) {
                continue;
            }
            smax = Math.max(smax, Math.abs(sp[k]));
        }
        if (isotropic) {
            // F = (1 + g) I: dH/dg = V tr(σ + P) / (1 + g)
            double tr = sp[0] + sp[4] + sp[8];
            gz[3 * n] = -vol * tr / (1 + z[3 * n] / factor) / factor;
            smax = Math.abs(tr) / 3;
        } else {
            double[] inv = inverse(f3);
            // dH/dF = V F^-T (σ + P I)
            for (int c = 0; c < 3; c++) {
                for (int d = 0; d < 3; d++) {
                    double s = 0;
                    for (int a = 0; a < 3; a++) {
                        s += inv[3 * a + c] * sp[3 * a + d];
                    }
                    gz[3 * n + 3 * c + d] = -vol * s / factor;
                }
            }
        }
        state[0] = fmax;
        state[1] = smax;
    }

    private double[] deformation(double[] z, int n) {
        double factor = Math.max(n, 1);
        if (isotropic) {
            double s = 1 + z[3 * n] / factor;
            return new double[] {s, 0, 0, 0, s, 0, 0, 0, s};
        }
        double[] f = new double[9];
        for (int k = 0; k < 9; k++) {
            f[k] = (k % 4 == 0 ? 1 : 0) + z[3 * n + k] / factor;
        }
        return f;
    }

    static double[] flat(double[][] m) {
        double[] f = new double[9];
        for (int r = 0; r < 3; r++) {
            System.arraycopy(m[r], 0, f, 3 * r, 3);
        }
        return f;
    }

    static double[] mul(double[] a, double[] b) {
        double[] c = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int k = 0; k < 3; k++) {
                    s += a[3 * i + k] * b[3 * k + j];
                }
                c[3 * i + j] = s;
            }
        }
        return c;
    }

    static double[] inverse(double[] c) {
        double det = Neighbours.det(c);
        return new double[] {
            (c[4] * c[8] - c[5] * c[7]) / det, (c[2] * c[7] - c[1] * c[8]) / det, (c[1] * c[5] - c[2] * c[4]) / det,
            (c[5] * c[6] - c[3] * c[8]) / det, (c[0] * c[8] - c[2] * c[6]) / det, (c[2] * c[3] - c[0] * c[5]) / det,
            (c[3] * c[7] - c[4] * c[6]) / det, (c[1] * c[6] - c[0] * c[7]) / det, (c[0] * c[4] - c[1] * c[3]) / det
        };
    }

    @Override
    public String toString() {
        return "CellRelax[pressure " + pressure / GPA + " GPa" + (isotropic ? ", isotropic" : "") + ", fmax "
                + forceTolerance + " eV/Å, smax " + stressTolerance + " eV/Å³, steps " + maxSteps + "]";
    }
}
