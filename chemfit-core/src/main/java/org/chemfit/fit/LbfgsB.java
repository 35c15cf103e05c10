package org.chemfit.fit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.hipparchus.linear.LUDecomposition;
import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.RealMatrix;
import org.jspecify.annotations.Nullable;

/**
 * L-BFGS-B, the limited-memory quasi-Newton method for bound-constrained problems of R. H. Byrd,
 * P. Lu, J. Nocedal and C. Zhu, "A limited memory algorithm for bound constrained optimization",
 * SIAM J. Sci. Comput. 16 (1995) 1190-1208, in ask/tell form. No library with a licence
 * compatible with this project's has it (Hipparchus has none; Smile's is GPL), so it is written
 * here from the paper, with Hipparchus for the small dense linear algebra.
 *
 * <p>Each iteration follows the paper: the generalized Cauchy point along the projected gradient
 * path of the compact limited-memory BFGS model {@code B = theta I - W M W^T} (section 4,
 * algorithm CP); minimisation of the model over the variables left free there by the direct
 * primal method (section 5.1), the step truncated to stay within the bounds; then a backtracking
 * line search along the direction to that point, accepting a step of sufficient decrease
 * ({@code f(x + a d) <= f(x) + 1e-3 a g^T d}), reducing the step by safeguarded quadratic
 * interpolation otherwise, and growing it fourfold (at most 10 times, every trial projected onto
 * the bounds) while the loss still falls steeply along the direction at the new point (the
 * curvature condition of the Moré-Thuente search the paper uses), so that a first step that a
 * steep start made far too short does not leave the method creeping. A pair {@code (s, y)}
 * enters the memory (10 pairs, SciPy's {@code maxcor}) only when {@code s^T y > eps y^T y}.
 *
 * <p>The gradient is a forward finite difference (see {@link FiniteDifferences}), of step
 * {@code 1.49e-8} of each parameter's size or the one {@link Optimizers#withRelativeStep} gives;
 * the loss and its gradient at a point are asked as one batch of {@code n + 1} points, so each
 * line-search trial is one round, and its evaluations are counted as SciPy counts those of its
 * L-BFGS-B with a finite-difference gradient. It stops, as SciPy's, when the projected gradient's largest
 * component falls below {@code pgtol = 1e-5} or an iteration lowers the loss by less than
 * {@code ftol = 2.22e-9} relative.
 *
 * @implNote Immutable; every {@link #start} creates its own state.
 */
final class LbfgsB implements Optimizer {

    private static final double EPS = Math.ulp(1.0);

    private final int memory;
    private final double ftol;
    private final double pgtol;
    private final double absoluteTolerance;
    /** The relative step of the forward-difference gradient, or NaN for the default. */
    private final double relativeStep;

    LbfgsB(int memory, double ftol, double pgtol) {
        this(memory, ftol, pgtol, 0.0, Double.NaN);
    }

    LbfgsB(int memory, double ftol, double pgtol, double absoluteTolerance, double relativeStep) {
        this.memory = memory;
        this.ftol = ftol;
        this.pgtol = pgtol;
        this.absoluteTolerance = absoluteTolerance;
        this.relativeStep = relativeStep;
    }

    @Override
    public String name() {
        return "L-BFGS-B";
    }

    /**
     * @param relative ftol: stop when an iteration lowers the loss by at most this fraction
     * @param absolute stop when an iteration lowers the loss by at most this
     * @return a copy with them
     */
    LbfgsB withTolerances(double relative, double absolute) {
        return new LbfgsB(memory, relative, pgtol, absolute, relativeStep);
    }

    /** @return the relative step of its finite differences, or NaN for the default {@code 1.49e-8} */
    double relativeStep() {
        return relativeStep;
    }

    /**
     * @param step the relative step {@code rel} of the forward-difference gradient (the step of a
     *     parameter is {@code rel * max(|x|, scale)}), in (0, 1)
     * @return a copy with that step and the same tolerances
     */
    LbfgsB withRelativeStep(double step) {
        return new LbfgsB(memory, ftol, pgtol, absoluteTolerance, step);
    }

    @Override
    public Run start(Problem problem) {
        return new LbRun(problem);
    }

    /** The state of one run. */
    private final class LbRun extends ForwardDifferenceRun {
        final double[] l;
        final double[] u;
        final List<double[]> sList = new ArrayList<>();
        final List<double[]> yList = new ArrayList<>();
        double theta = 1.0;
        double[] x;
        double f;
        double[] g;
        /** The line search: direction, step, slope, and the point being evaluated. */
        double[] d;

        double step;
        double slope;
        double[] trial;
        int trials;
        int iteration;
        /** While the step grows: the best point of sufficient decrease found so far along d. */
        double @Nullable [] accX;

        double @Nullable [] accG;
        double accF;
        int expansions;

        // x, g and d are set by the first tell, before anything reads them (NullAway.Init)
        @SuppressWarnings("NullAway.Init")
        LbRun(Problem problem) {
            super(problem, relativeStep);
            this.l = problem.lower();
            this.u = problem.upper();
            this.trial = problem.start();
        }

        @Override
        public List<double[]> ask() {
            if (!mayAsk()) {
                return List.of();
            }
            return batch(trial.clone());
        }

        @Override
        public void tell(List<double[]> points, double[] values) {
            List<double[]> batch = told();
            double fNew = values[0];
            List<double[]> rs = new ArrayList<>(values.length - 1);
            for (int k = 1; k < values.length; k++) {
                rs.add(new double[] {values[k]});
            }
            double[][] jac = fd.jacobian(batch.get(0), new double[] {fNew}, batch.subList(1, batch.size()), rs);
            double[] gNew = jac[0];
            if (x == null) {
                x = batch.get(0);
                f = fNew;
                g = gNew;
                plan();
                return;
            }
            trials++;
            double[] xNew = batch.get(0);
            boolean sufficient = fNew <= f + 1e-3 * step * slope;
            if (accX != null) {
                // growing the step: keep the lower of the two points of sufficient decrease
                if (sufficient && fNew < accF) {
                    accX = xNew;
                    accF = fNew;
                    accG = gNew;
                    if (grow(gNew)) {
                        return;
                    }
                }
                double[] ax = accX;
                double[] ag = Objects.requireNonNull(accG, "accG is kept with accX");
                double af = accF;
                accX = null;
                accept(ax, af, ag);
                return;
            }
            if (sufficient) {
                accX = xNew;
                accF = fNew;
                accG = gNew;
                if (grow(gNew)) {
                    return;
                }
                accX = null;
                accept(xNew, fNew, gNew);
                return;
            }
            if (trials >= 20) {
                finish("stopped: the line search found no sufficient decrease in 20 steps");
                return;
            }
            // safeguarded quadratic interpolation of f along d
            double denom = 2 * (fNew - f - slope * step);
            double next = denom > 0 ? -slope * step * step / denom : 0.5 * step;
            step = Math.min(0.5 * step, Math.max(0.1 * step, next));
            trial = along(step);
        }

        /**
         * The curvature condition of the line search (Wolfe's second, as the Moré-Thuente search
         * the paper uses): while the loss still falls steeply along d at the new point, try a step
         * four times as long (at most 10 times, and not once the bounds stop the step), so that a
         * step that the memory made far too short does not leave the method creeping.
         *
         * @return whether a longer step is being tried
         */
        private boolean grow(double[] gNew) {
            if (expansions >= 10 || !(dot(gNew, d) < 0.9 * slope)) {
                return false;
            }
            double[] longer = along(4 * step);
            if (java.util.Arrays.equals(longer, along(step))) {
                return false;
            }
            expansions++;
            step *= 4;
            trial = longer;
            return true;
        }

        /** Takes the point of the line search as the new iterate: memory update, convergence tests, next plan. */
        private void accept(double[] xNew, double fNew, double[] gNew) {
            double[] s = new double[n];
            double[] y = new double[n];
            double sy = 0;
            double yy = 0;
            for (int i = 0; i < n; i++) {
                s[i] = xNew[i] - x[i];
                y[i] = gNew[i] - g[i];
                sy += s[i] * y[i];
                yy += y[i] * y[i];
            }
            if (sy > EPS * yy) {
                sList.add(s);
                yList.add(y);
                if (sList.size() > memory) {
                    sList.remove(0);
                    yList.remove(0);
                }
                theta = yy / sy;
            }
            double fOld = f;
            x = xNew;
            f = fNew;
            g = gNew;
            iteration++;
            if ((fOld - f) / Math.max(Math.max(Math.abs(fOld), Math.abs(f)), 1.0) <= ftol) {
                finish("converged: the loss changed by at most " + ftol + " relative (SciPy's ftol)");
                return;
            }
            if (fOld - f <= absoluteTolerance) {
                finish("converged: the loss changed by at most " + absoluteTolerance);
                return;
            }
            plan();
        }

        private double[] along(double a) {
            double[] t = new double[n];
            for (int i = 0; i < n; i++) {
                t[i] = Math.min(u[i], Math.max(l[i], x[i] + a * d[i]));
            }
            return t;
        }

        /** From the current point: convergence test, Cauchy point, subspace minimisation, first trial. */
        private void plan() {
            double pg = 0;
            for (int i = 0; i < n; i++) {
                double p = Math.min(u[i], Math.max(l[i], x[i] - g[i])) - x[i];
                pg = Math.max(pg, Math.abs(p));
            }
            if (pg <= pgtol) {
                finish("converged: the projected gradient fell below " + pgtol + " (SciPy's pgtol)");
                return;
            }
            double[] dir = modelDirection();
            double gd = dot(g, dir);
            if (!(gd < 0)) {
                // not a descent direction: forget the memory and take the Cauchy point of the gradient model
                sList.clear();
                yList.clear();
                theta = 1.0;
                dir = direction();
                gd = dot(g, dir);
                if (!(gd < 0)) {
                    finish("converged: no descent direction within the bounds");
                    return;
                }
            }
            d = dir;
            slope = gd;
            trials = 0;
            expansions = 0;
            double norm = Math.sqrt(dot(d, d));
            step = iteration == 0 && sList.isEmpty() ? Math.min(1.0, 1.0 / norm) : 1.0;
            trial = along(step);
        }

        /**
         * The direction of {@link #direction()}, or, when the memory's matrices cannot be inverted or
         * give a direction that is not finite, that of the gradient model after the memory is
         * forgotten, as SciPy's L-BFGS-B restarts from the gradient when its factorization fails. A
         * jump of the loss (a penalty, the bad value of a NaN point, a step in the physics) gives
         * a gradient of 1e10 and more from a finite difference across it, and pairs of such
         * gradients make the middle matrix singular.
         */
        private double[] modelDirection() {
            if (!sList.isEmpty()) {
                try {
                    double[] dir = direction();
                    if (Arrays.stream(dir).allMatch(Double::isFinite)) {
                        return dir;
                    }
                } catch (org.hipparchus.exception.MathIllegalArgumentException e) {
                    // singular: restarted below
                }
                sList.clear();
                yList.clear();
                theta = 1.0;
            }
            return direction();
        }

        /** x-bar - x, where x-bar minimises the model from the generalized Cauchy point. */
        private double[] direction() {
            int k = sList.size();
            int m2 = 2 * k;
            // W = [Y, theta S] (n x 2k), M = [[-D, L^T], [L, theta S^T S]]^-1
            double[][] w = new double[n][m2];
            for (int j = 0; j < k; j++) {
                for (int i = 0; i < n; i++) {
                    w[i][j] = yList.get(j)[i];
                    w[i][k + j] = theta * sList.get(j)[i];
                }
            }
            RealMatrix mm = null; // the middle matrix, when there are corrections (k > 0)
            if (k > 0) {
                double[][] a = new double[m2][m2];
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < k; j++) {
                        double sy = dot(sList.get(i), yList.get(j));
                        if (i == j) {
                            a[i][i] = -sy;
                        }
                        if (i > j) {
                            // L_ij = s_i^T y_j below the diagonal: block (2,1) is L, block (1,2) is L^T
                            a[k + i][j] = sy;
                            a[j][k + i] = sy;
                        }
                        a[k + i][k + j] = theta * dot(sList.get(i), sList.get(j));
                    }
                }
                mm = new LUDecomposition(MatrixUtils.createRealMatrix(a))
                        .getSolver()
                        .getInverse();
            }
            // generalized Cauchy point (algorithm CP)
            double[] t = new double[n];
            double[] dd = new double[n];
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
                if (g[i] < 0) {
                    t[i] = Double.isFinite(u[i]) ? (x[i] - u[i]) / g[i] : Double.POSITIVE_INFINITY;
                } else if (g[i] > 0) {
                    t[i] = Double.isFinite(l[i]) ? (x[i] - l[i]) / g[i] : Double.POSITIVE_INFINITY;
                } else {
                    t[i] = Double.POSITIVE_INFINITY;
                }
                dd[i] = t[i] == 0 ? 0 : -g[i];
            }
            Arrays.sort(order, (a, b) -> Double.compare(t[a], t[b]));
            double[] xc = x.clone();
            double[] p = new double[m2];
            for (int j = 0; j < m2; j++) {
                for (int i = 0; i < n; i++) {
                    p[j] += w[i][j] * dd[i];
                }
            }
            double[] c = new double[m2];
            // the variables not yet at a breakpoint that move along the path (d_i != 0): those of
            // zero gradient stay where they are, their breakpoint infinitely far
            int moving = 0;
            for (int i = 0; i < n; i++) {
                if (dd[i] != 0) {
                    moving++;
                }
            }
            double fp = -dot(dd, dd);
            double fpp = -theta * fp - quad(mm, p, p);
            double dtMin = segmentMinimum(fp, fpp, 0, moving);
            double tOld = 0;
            int idx = 0;
            while (idx < n && t[order[idx]] <= 0) {
                idx++;
            }
            boolean[] fixedAt = new boolean[n];
            for (int i = 0; i < n; i++) {
                fixedAt[i] = t[i] == 0;
            }
            while (idx < n && Double.isFinite(t[order[idx]])) {
                int b = order[idx];
                double dt = t[b] - tOld;
                if (dtMin < dt) {
                    break;
                }
                xc[b] = dd[b] > 0 ? u[b] : l[b];
                double zb = xc[b] - x[b];
                for (int j = 0; j < m2; j++) {
                    c[j] += dt * p[j];
                }
                double gb = g[b];
                double[] wb = w[b];
                fp = fp + dt * fpp + gb * gb + theta * gb * zb - gb * quad(mm, wb, c);
                fpp = fpp - theta * gb * gb - 2 * gb * quad(mm, wb, p) - gb * gb * quad(mm, wb, wb);
                for (int j = 0; j < m2; j++) {
                    p[j] += gb * wb[j];
                }
                dd[b] = 0;
                fixedAt[b] = true;
                moving--;
                dtMin = segmentMinimum(fp, fpp, EPS, moving);
                tOld = t[b];
                idx++;
            }
            if (!Double.isFinite(dtMin)) {
                // the model falls along the path without curving up by more than the floor (f'' at
                // most EPS with f' < 0: rounding, B being positive definite, or a curvature too small
                // to tell from it) and no breakpoint is left ahead: the
                // search ends at the last breakpoint reached (never an infinite step, which times a
                // zero component of d is NaN); the subspace minimisation moves the free variables
                dtMin = 0;
            }
            dtMin = Math.max(dtMin, 0);
            tOld += dtMin;
            for (int i = 0; i < n; i++) {
                if (!fixedAt[i] && dd[i] != 0) {
                    xc[i] = Math.min(u[i], Math.max(l[i], x[i] + tOld * dd[i]));
                }
            }
            for (int j = 0; j < m2; j++) {
                c[j] += dtMin * p[j];
            }
            // subspace minimisation over the free variables (direct primal method)
            List<Integer> free = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (!fixedAt[i] && xc[i] > l[i] && xc[i] < u[i]) {
                    free.add(i);
                }
            }
            double[] xbar = xc.clone();
            if (!free.isEmpty()) {
                int nf = free.size();
                double[] mc = mm != null ? mm.operate(c) : new double[0];
                double[] rc = new double[nf];
                for (int a = 0; a < nf; a++) {
                    int i = free.get(a);
                    double wmc = 0;
                    for (int j = 0; j < m2; j++) {
                        wmc += w[i][j] * mc[j];
                    }
                    rc[a] = g[i] + theta * (xc[i] - x[i]) - wmc;
                }
                double[] du = new double[nf];
                for (int a = 0; a < nf; a++) {
                    du[a] = -rc[a] / theta;
                }
                if (mm != null) {
                    // v = M W^T Z r; N = I - (1/theta) M W^T Z Z^T W; v = N^-1 v; du -= (1/theta^2) Z^T W v
                    double[] wzr = new double[m2];
                    for (int j = 0; j < m2; j++) {
                        for (int a = 0; a < nf; a++) {
                            wzr[j] += w[free.get(a)][j] * rc[a];
                        }
                    }
                    double[] v = mm.operate(wzr);
                    double[][] wzzw = new double[m2][m2];
                    for (int r = 0; r < m2; r++) {
                        for (int s = 0; s < m2; s++) {
                            double sum = 0;
                            for (int a = 0; a < nf; a++) {
                                sum += w[free.get(a)][r] * w[free.get(a)][s];
                            }
                            wzzw[r][s] = sum;
                        }
                    }
                    RealMatrix nmat = MatrixUtils.createRealIdentityMatrix(m2)
                            .subtract(mm.multiply(MatrixUtils.createRealMatrix(wzzw))
                                    .scalarMultiply(1 / theta));
                    double[] nv = new LUDecomposition(nmat)
                            .getSolver()
                            .solve(MatrixUtils.createRealVector(v))
                            .toArray();
                    for (int a = 0; a < nf; a++) {
                        double s = 0;
                        for (int j = 0; j < m2; j++) {
                            s += w[free.get(a)][j] * nv[j];
                        }
                        du[a] -= s / (theta * theta);
                    }
                }
                // truncate the step to stay within the bounds
                double alpha = 1.0;
                for (int a = 0; a < nf; a++) {
                    int i = free.get(a);
                    if (du[a] > 0) {
                        alpha = Math.min(alpha, (u[i] - xc[i]) / du[a]);
                    } else if (du[a] < 0) {
                        alpha = Math.min(alpha, (l[i] - xc[i]) / du[a]);
                    }
                }
                alpha = Math.max(0, alpha);
                for (int a = 0; a < nf; a++) {
                    int i = free.get(a);
                    xbar[i] = Math.min(u[i], Math.max(l[i], xc[i] + alpha * du[a]));
                }
            }
            double[] dir = new double[n];
            for (int i = 0; i < n; i++) {
                dir[i] = xbar[i] - x[i];
            }
            return dir;
        }
    }

    /**
     * Algorithm CP's {@code dt_min = -f'/f''}: how far along the current segment of the projected
     * gradient path the model is least, counted from the segment's start.
     *
     * @param fp the model's slope {@code f'} along the segment at its start
     * @param fpp its curvature {@code f''} along the segment
     * @param floor the curvature at or below which the model is taken as not curving up
     * @param moving how many variables still move along the path ({@code d_i != 0})
     * @return 0 when no variable moves any more (the path has ended: {@code f' = f'' = 0}, whose
     *     quotient is NaN) or the model does not fall along the segment ({@code f' >= 0}: the
     *     minimum is at its start); {@code -f'/f''} when the model curves up; otherwise (it falls
     *     without curving up) infinity, to go on to the next breakpoint
     */
    private static double segmentMinimum(double fp, double fpp, double floor, int moving) {
        if (moving == 0 || !(fp < 0)) {
            return 0;
        }
        return fpp > floor ? -fp / fpp : Double.POSITIVE_INFINITY;
    }

    /** a^T M b (0 without memory). */
    private static double quad(@Nullable RealMatrix m, double[] a, double[] b) {
        if (m == null || a.length == 0) {
            return 0;
        }
        double[] mb = m.operate(b);
        return dot(a, mb);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
