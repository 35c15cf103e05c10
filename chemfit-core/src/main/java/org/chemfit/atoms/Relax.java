package org.chemfit.atoms;

import java.util.Objects;
import org.chemfit.Parameters;

/**
 * How to relax a structure: the method (FIRE or L-BFGS), the most steps, the force tolerance at
 * which it has converged and the longest step any atom may take. The minimisers are written here
 * because no maintained Java library minimises atomic positions with a per-atom step bound.
 *
 * <ul>
 *   <li>FIRE: E. Bitzek et al., Phys. Rev. Lett. 97, 170201 (2006), with that paper's constants
 *       (N_min 5, f_inc 1.1, f_dec 0.5, α_start 0.1, f_α 0.99), unit masses, Δt 0.1 and Δt_max 1.0.</li>
 *   <li>L-BFGS: J. Nocedal, Math. Comp. 35, 773 (1980), two-loop recursion over the last 10 steps,
 *       initial inverse Hessian 1/70 Å²/eV for the first step, then s·y/y·y of the newest pair, with
 *       backtracking (halving the step, at most 10 times) whenever a step would raise the energy. A
 *       step along which the energy is not convex (s·y ≤ 0, as where a bond is stretched past the
 *       inflection point of its pair curve) is not kept: the history is dropped and the next steps
 *       follow the force, each twice as long as the one before, until a convex step refills it.</li>
 * </ul>
 *
 * <pre>{@code
 * Relax relax = Relax.fire().maxSteps(1000).forceTolerance(1e-4).maxStep(0.1);
 * Relax.Result r = relax.run(potential, params, atoms);
 * if (!r.converged()) { ... }
 * }</pre>
 *
 * @implNote Immutable; {@link #run} keeps its state in local variables and copies the positions,
 *     so one instance may relax many structures in many threads at once.
 */
public final class Relax {

    /** The minimisation methods. */
    public enum Method {
        /** Fast inertial relaxation engine. */
        FIRE,
        /** Limited-memory BFGS. */
        LBFGS
    }

    private static final int HISTORY = 10;
    private static final double LBFGS_INITIAL_CURVATURE = 70.0;
    /** A step's pair (s, y) enters the L-BFGS history only when s·y exceeds this fraction of |s||y|. */
    private static final double CURVATURE_FLOOR = 1e-10;

    private final Method method;
    private final int maxSteps;
    private final double forceTolerance;
    private final double maxStep;

    private Relax(Method method, int maxSteps, double forceTolerance, double maxStep) {
        this.method = Objects.requireNonNull(method, "method");
        if (maxSteps < 0) {
            throw new IllegalArgumentException("the number of relaxation steps must not be negative, got " + maxSteps);
        }
        if (!(forceTolerance > 0) || !Double.isFinite(forceTolerance)) {
            throw new IllegalArgumentException(
                    "the force tolerance must be positive and finite (eV/Å), got " + forceTolerance);
        }
        if (!(maxStep > 0) || !Double.isFinite(maxStep)) {
            throw new IllegalArgumentException("the largest step must be positive and finite (Å), got " + maxStep);
        }
        this.maxSteps = maxSteps;
        this.forceTolerance = forceTolerance;
        this.maxStep = maxStep;
    }

    /**
     * @return FIRE with at most 2000 steps, force tolerance 1e-5 eV/Å (ChemFit's {@code minimize()}
     *     defaults: tight, so that relaxed quantities vary smoothly with the parameters) and steps of
     *     at most 0.2 Å
     */
    public static Relax fire() {
        return new Relax(Method.FIRE, 2000, 1e-5, 0.2);
    }

    /** @return L-BFGS with at most 2000 steps, force tolerance 1e-5 eV/Å and steps of at most 0.2 Å */
    public static Relax lbfgs() {
        return new Relax(Method.LBFGS, 2000, 1e-5, 0.2);
    }

    /**
     * @param m the method
     * @return the default settings with this method
     */
    public static Relax of(Method m) {
        return m == Method.FIRE ? fire() : lbfgs();
    }

    /**
     * @param n the most steps (each computes energy and forces at least once)
     * @return a copy
     * @throws IllegalArgumentException when negative
     */
    public Relax maxSteps(int n) {
        return new Relax(method, n, forceTolerance, maxStep);
    }

    /**
     * @param fmax converged when no atom feels a force larger than this (eV/Å)
     * @return a copy
     * @throws IllegalArgumentException when not positive
     */
    public Relax forceTolerance(double fmax) {
        return new Relax(method, maxSteps, fmax, maxStep);
    }

    /**
     * @param step no atom moves further than this in one step (Å)
     * @return a copy
     * @throws IllegalArgumentException when not positive
     */
    public Relax maxStep(double step) {
        return new Relax(method, maxSteps, forceTolerance, step);
    }

    /** @return the method */
    public Method method() {
        return method;
    }

    /** @return the most steps */
    public int maxSteps() {
        return maxSteps;
    }

    /** @return the force tolerance (eV/Å) */
    public double forceTolerance() {
        return forceTolerance;
    }

    /** @return the largest step of one atom (Å) */
    public double maxStep() {
        return maxStep;
    }

    /**
     * The outcome of a relaxation.
     *
     * @param atoms the relaxed structure
     * @param energy its energy (eV)
     * @param forces its forces (eV/Å)
     * @param steps the steps taken
     * @param converged whether the largest force fell below the tolerance
     * @param maxForce the largest force on an atom (eV/Å)
     * @implNote Immutable (the forces are copied out).
     */
    public record Result(Atoms atoms, double energy, double[] forces, int steps, boolean converged, double maxForce) {

        /** Copies the forces. */
        public Result {
            forces = forces.clone();
        }

        /** @return the forces (a copy) */
        @Override
        public double[] forces() {
            return forces.clone();
        }
    }

    /**
     * Relaxes the positions of a structure (the cell stays fixed).
     *
     * @param potential the potential
     * @param params its parameters
     * @param start the structure to start from (not changed)
     * @return the relaxed structure and how the relaxation went
     * @throws IllegalArgumentException when the potential rejects the structure or parameters
     * @throws org.chemfit.ChemFitException when the energy or a force becomes NaN or infinite
     * @throws org.chemfit.EvaluationCancelledException when the thread is interrupted (checked before
     *     each computation of the energy; the flag stays set)
     */
    public Result run(Potential potential, Parameters params, Atoms start) {
        return method == Method.FIRE ? fire(potential, params, start) : lbfgs(potential, params, start);
    }

    private static double maxForce(double[] f) {
        double m = 0;
        for (int i = 0; i < f.length / 3; i++) {
            m = Math.max(m, f[3 * i] * f[3 * i] + f[3 * i + 1] * f[3 * i + 1] + f[3 * i + 2] * f[3 * i + 2]);
        }
        return Math.sqrt(m);
    }

    /** Scales dr so that no atom moves further than maxStep. */
    private void bound(double[] dr) {
        double m = maxForce(dr);
        if (m > maxStep) {
            double s = maxStep / m;
            for (int i = 0; i < dr.length; i++) {
                dr[i] *= s;
            }
        }
    }

    private static double evaluate(Potential p, Parameters params, Atoms base, double[] x, double[] f) {
        // every step and every backtracking try computes the energy once: a stopped fit ends it here
        Cancellation.check("the relaxation of ", base);
        double e = p.energyAndForces(base.withPositionsUnchecked(x), params, f);
        if (!Double.isFinite(e)) {
            throw new org.chemfit.ChemFitException(
                    "the energy became " + e + " during relaxation of " + base + " at " + params);
        }
        for (double v : f) {
            if (!Double.isFinite(v)) {
                throw new org.chemfit.ChemFitException(
                        "a force became " + v + " during relaxation of " + base + " at " + params);
            }
        }
        return e;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private Result fire(Potential p, Parameters params, Atoms start) {
        double[] x = start.positions();
        int n = x.length;
        double[] f = new double[n];
        Fire fire = new Fire(n);
        double e = evaluate(p, params, start, x, f);
        int steps = 0;
        while (maxForce(f) >= forceTolerance && steps < maxSteps) {
            double[] dr = fire.step(f);
            bound(dr);
            double[] next = x.clone();
            for (int i = 0; i < n; i++) {
                next[i] += dr[i];
            }
            x = next;
            e = evaluate(p, params, start, x, f);
            steps++;
        }
        double fm = maxForce(f);
        return new Result(relaxed(p, start, x), e, f, steps, fm < forceTolerance, fm);
    }

    /**
     * The relaxed structure, judged as itself by a pair potential's minimum-image rule: its steps
     * were judged as the structure they started from ({@link Atoms#asGiven()}), so that one that
     * strays is not refused, but the structure whose energy is taken must pass on its own.
     */
    private static Atoms relaxed(Potential p, Atoms start, double[] x) {
        Atoms end = start.withPositionsUnchecked(x);
        if (p instanceof PairPotential pp) {
            pp.checkRelaxed(end);
        }
        return end;
    }

    private Result lbfgs(Potential p, Parameters params, Atoms start) {
        double[] x = start.positions();
        int n = x.length;
        double[] f = new double[n];
        double e = evaluate(p, params, start, x, f);
        double[][] s = new double[HISTORY][];
        double[][] y = new double[HISTORY][];
        double[] rho = new double[HISTORY];
        int stored = 0;
        int head = 0;
        int steps = 0;
        double[] alphas = new double[HISTORY];
        // after a step along which the energy is not convex, the length (Å, largest atom) of the next
        // steepest-descent step; 0 while the curvature seen so far is positive
        double downhill = 0;
        while (maxForce(f) >= forceTolerance && steps < maxSteps) {
            double[] dr = stored == 0 ? steepestDescent(f, downhill) : direction(f, s, y, rho, alphas, stored, head);
            if (dot(dr, f) <= 0) {
                // not a descent direction: forget the history and follow the force
                stored = 0;
                dr = steepestDescent(f, downhill);
            }
            bound(dr);
            double[] xn = new double[n];
            double[] fn = new double[n];
            double en = 0;
            for (int tries = 0; tries <= 10; tries++) {
                for (int i = 0; i < n; i++) {
                    xn[i] = x[i] + dr[i];
                }
                en = evaluate(p, params, start, xn, fn);
                if (en <= e + 1e-12 * Math.max(1, Math.abs(e)) || tries == 10) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    dr[i] *= 0.5;
                }
            }
            double[] sk = new double[n];
            double[] yk = new double[n];
            for (int i = 0; i < n; i++) {
                sk[i] = xn[i] - x[i];
                yk[i] = f[i] - fn[i]; // the change of the gradient, -force
            }
            double sy = dot(sk, yk);
            if (sy > CURVATURE_FLOOR * Math.sqrt(dot(sk, sk) * dot(yk, yk))) {
                s[head] = sk;
                y[head] = yk;
                rho[head] = 1.0 / sy;
                head = (head + 1) % HISTORY;
                stored = Math.min(stored + 1, HISTORY);
                downhill = 0;
            } else {
                // the energy is not convex along the step (the force grew or stayed as the atoms moved
                // along it): such a pair would make the inverse Hessian indefinite, and the pairs kept
                // describe curvature elsewhere. Forget them and go downhill, twice as far each step
                // while this lasts, up to maxStep (bound); backtracking catches an overshoot.
                stored = 0;
                downhill = Math.min(maxStep, 2 * maxForce(sk));
            }
            x = xn;
            f = fn;
            e = en;
            steps++;
        }
        double fm = maxForce(f);
        return new Result(relaxed(p, start, x), e, f, steps, fm < forceTolerance, fm);
    }

    /**
     * @param f the forces
     * @param length 0 for the first step (f over the initial curvature), else the largest atom's
     *     displacement (Å)
     * @return a step along the forces
     */
    private static double[] steepestDescent(double[] f, double length) {
        double scale = 1.0 / LBFGS_INITIAL_CURVATURE;
        double fm = maxForce(f);
        if (length > 0 && fm > 0) {
            scale = length / fm;
        }
        double[] dr = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            dr[i] = scale * f[i];
        }
        return dr;
    }

    /** The L-BFGS step -H g (g = -f) by the two-loop recursion over the stored pairs, newest at head - 1. */
    private static double[] direction(
            double[] f, double[][] s, double[][] y, double[] rho, double[] alphas, int stored, int head) {
        int n = f.length;
        double[] q = new double[n];
        for (int i = 0; i < n; i++) {
            q[i] = -f[i];
        }
        for (int k = 0; k < stored; k++) {
            int idx = Math.floorMod(head - 1 - k, HISTORY);
            alphas[idx] = rho[idx] * dot(s[idx], q);
            for (int i = 0; i < n; i++) {
                q[i] -= alphas[idx] * y[idx][i];
            }
        }
        // initial inverse Hessian scaled by the newest pair (Nocedal & Wright, eq. 7.20)
        int last = Math.floorMod(head - 1, HISTORY);
        double gamma = dot(s[last], y[last]) / dot(y[last], y[last]);
        for (int i = 0; i < n; i++) {
            q[i] *= gamma;
        }
        for (int k = stored - 1; k >= 0; k--) {
            int idx = Math.floorMod(head - 1 - k, HISTORY);
            double beta = rho[idx] * dot(y[idx], q);
            for (int i = 0; i < n; i++) {
                q[i] += (alphas[idx] - beta) * s[idx][i];
            }
        }
        for (int i = 0; i < n; i++) {
            q[i] = -q[i];
        }
        return q;
    }

    @Override
    public String toString() {
        return method + "(maxSteps " + maxSteps + ", fmax " + forceTolerance + " eV/Å, maxStep " + maxStep + " Å)";
    }
}
