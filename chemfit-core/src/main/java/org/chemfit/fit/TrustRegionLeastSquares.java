package org.chemfit.fit;

import java.util.List;
import org.chemfit.ChemFitException;
import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.SingularValueDecomposition;
import org.jspecify.annotations.Nullable;

/**
 * A bounded trust-region reflective least-squares method in ask/tell form, after M. A. Branch,
 * T. F. Coleman and Y. Li, "A subspace, interior, and conjugate gradient method for large-scale
 * bound-constrained minimization problems", SIAM J. Sci. Comput. 21 (1999) 1-23, the algorithm
 * of SciPy's {@code least_squares(method="trf")}. Hipparchus has Gauss-Newton and
 * Levenberg-Marquardt but no bounds, so the bounded iteration is written here; the linear
 * algebra (the singular value decomposition that solves each trust-region subproblem) is
 * Hipparchus's.
 *
 * <p>The method works in its own coordinates: a parameter whose lower bound is positive (an
 * energy, a length: a multiplicative scale) as {@code log x}, in which the long curved valleys of
 * {@code epsilon sigma^12} become straight; any other in units of its scale (|start|, else half
 * its bounded range, else 1). Each iteration:
 * <ol>
 *   <li>the Coleman-Li scaling {@code v_i} (the distance to the bound the gradient points at, or
 *       1) turns the bounds into an ellipsoidal trust region, {@code d = sqrt(v)};</li>
 *   <li>the subproblem {@code min 0.5 |J_h p + r|^2 + 0.5 p^T C p, |p| <= Delta} with
 *       {@code J_h = J diag(d)} and {@code C = diag(g dv)} is solved exactly from the SVD of the
 *       augmented matrix (the Levenberg-Marquardt parameter found by bisection on its
 *       logarithm);</li>
 *   <li>a step that would cross a bound is replaced by the best, on the quadratic model, of the
 *       step reflected at the bound, the step stopped short of it ({@code theta = max(0.995,
 *       1 - |g_scaled|)} of the way), and the scaled steepest-descent step;</li>
 *   <li>the trial point is asked for <em>together with</em> the displaced points of its
 *       forward-difference Jacobian, as one batch: one round per iteration, at the price of
 *       {@code n} wasted evaluations when the step is rejected;</li>
 *   <li>the radius shrinks to a quarter of the step when the actual reduction is below a quarter
 *       of the predicted one, and doubles when it exceeds three quarters on the boundary.</li>
 * </ol>
 * The tolerances are SciPy's, with its meanings and defaults (1e-8 each), and like SciPy's trf it
 * tests them after every trial step, taken or not: it stops when a step lowers the loss by less
 * than {@code ftol} of it with at least a quarter of the predicted reduction, when a step (taken
 * or not) is shorter than {@code xtol (xtol + |u|)}, {@code u} the point it starts from in the
 * method's coordinates, or when the scaled gradient falls below {@code gtol}. Every point asked lies strictly within the bounds (the start is moved inside by
 * 1e-10 of its scale if it lies on one). Once a test is met, when the minimum of the linear
 * model {@code |r + J du|^2} within the bounds and the trust region ({@link
 * BoundedLinearLeastSquares}) puts a coordinate on a bound and is a step of at least {@code xtol},
 * that minimum is asked alone, with those coordinates a hair inside their bounds, and kept when
 * its loss is lower than that of the point the run stopped at (whatever the ratio of its actual
 * reduction to the predicted one: no step follows it), so that the run ends at the lower point,
 * the one a fit reports as its best unless a point of the run's own finite differences is lower
 * still (a fit reports the lowest point evaluated). An interior method approaches such a bound without reaching it, and its scaled
 * gradient {@code g_i v_i} meets {@code gtol} as the distance {@code v_i} to it shrinks, however
 * steep the loss is there: without that point it would end just inside the bound.
 *
 * @implNote Immutable; every {@link #start} creates its own state.
 */
final class TrustRegionLeastSquares implements Optimizer {

    private final String name;
    private final double ftol;
    private final double xtol;
    private final double gtol;
    private final double relativeStep;
    private final boolean logScale;
    private final double absoluteTolerance;

    TrustRegionLeastSquares(String name, double ftol, double xtol, double gtol, double relativeStep) {
        this(name, ftol, xtol, gtol, relativeStep, true, 0.0);
    }

    TrustRegionLeastSquares(
            String name,
            double ftol,
            double xtol,
            double gtol,
            double relativeStep,
            boolean logScale,
            double absoluteTolerance) {
        this.logScale = logScale;
        this.absoluteTolerance = absoluteTolerance;
        this.name = name;
        this.ftol = ftol;
        this.xtol = xtol;
        this.gtol = gtol;
        this.relativeStep = relativeStep;
    }

    /** @return the relative step of its finite differences, or NaN for the default {@code 1.49e-8} */
    double relativeStep() {
        return relativeStep;
    }

    /**
     * @param step the relative finite-difference step of the Jacobian
     * @return a copy with it
     */
    TrustRegionLeastSquares withRelativeStep(double step) {
        return new TrustRegionLeastSquares(name, ftol, xtol, gtol, step, logScale, absoluteTolerance);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean needsResiduals() {
        return true;
    }

    /**
     * @param relative ftol: stop when an accepted step lowers the loss by less than this fraction
     * @param absolute stop when an accepted step lowers the loss by less than this
     * @return a copy with these tolerances
     */
    TrustRegionLeastSquares withTolerances(double relative, double absolute) {
        return new TrustRegionLeastSquares(name, relative, xtol, gtol, relativeStep, logScale, absolute);
    }

    @Override
    public Run start(Problem problem) {
        return new TrfRun(problem);
    }

    /** The state of one run. */
    private final class TrfRun extends ForwardDifferenceRun {
        final double[] s;
        /** Whether coordinate i is fitted as log(x_i) (its lower bound is positive). */
        final boolean[] log;

        final double[] lo;
        final double[] hi;
        /** Current point in scaled coordinates, its residuals, loss (|r|^2) and scaled Jacobian. */
        double[] u;

        double[] r;
        double loss;
        double[][] jac;
        double delta = Double.NaN;
        /** The trial being evaluated: scaled point, its step in hat space and the predicted reduction of the loss. */
        double[] trialU;
        /**
         * Per coordinate, whether the start lay on a bound and was moved inside: its coordinate then
         * says nothing of the size of a step (a start on a lower bound of 0 is 1e-10 of the scale).
         */
        boolean[] movedInside = new boolean[0];

        double[] stepH;
        /** The same step in the method's coordinates, before any pull back inside the bounds. */
        double[] stepU;

        double predicted;
        /**
         * The stop reason met before the last point was asked: that point is the minimum of the
         * Gauss-Newton model within the bounds, with a coordinate on its bound, the run's last;
         * null while the run goes on.
         */
        @Nullable
        String landing;
        /** Per coordinate, the side of the bound the last point is on (-1 lower, 1 upper), else 0. */
        int[] landingSide = new int[0];
        /** The last point in the parameters' own units. */
        double[] landingX = new double[0];
        /** The reduction of the loss that the linear model predicts for the last point. */
        double landingPredicted;

        // the current point, residuals, Jacobian and trial are set by the first tell, before any read (NullAway.Init)
        @SuppressWarnings("NullAway.Init")
        TrfRun(Problem problem) {
            super(problem, relativeStep);
            this.s = FiniteDifferences.scales(problem);
            this.lo = new double[n];
            this.hi = new double[n];
            this.log = new boolean[n];
            for (int i = 0; i < n; i++) {
                log[i] = logScale && problem.lower()[i] > 0;
                lo[i] = log[i] ? Math.log(problem.lower()[i]) : problem.lower()[i] / s[i];
                hi[i] = log[i] ? Math.log(problem.upper()[i]) : problem.upper()[i] / s[i];
            }
        }

        double[] toX(double[] uu) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = Math.min(
                        problem.upper()[i], Math.max(problem.lower()[i], log[i] ? Math.exp(uu[i]) : uu[i] * s[i]));
            }
            return x;
        }

        @Override
        public List<double[]> ask() {
            if (!mayAsk()) {
                return List.of();
            }
            if (u == null) {
                double[] x0 = problem.start().clone();
                movedInside = new boolean[n];
                for (int i = 0; i < n; i++) {
                    // the method works strictly inside the bounds: a start on a bound moves inside
                    double tiny = 1e-10 * s[i];
                    if (problem.isBoxed(i) && problem.upper()[i] - problem.lower()[i] <= 2 * tiny) {
                        continue;
                    }
                    if (x0[i] <= problem.lower()[i]) {
                        x0[i] = problem.lower()[i] + tiny;
                        movedInside[i] = true;
                    } else if (x0[i] >= problem.upper()[i]) {
                        x0[i] = problem.upper()[i] - tiny;
                        movedInside[i] = true;
                    }
                }
                trialU = new double[n];
                for (int i = 0; i < n; i++) {
                    trialU[i] = log[i] ? Math.log(x0[i]) : x0[i] / s[i];
                }
                trialU = trialU.clone();
                return batch(x0);
            }
            if (landing != null) {
                // the last point alone: the run ends with it, and needs no Jacobian there
                return single(landingX.clone());
            }
            return batch(toX(trialU));
        }

        @Override
        public void tell(List<double[]> points, double[] values) {
            throw new ChemFitException(name + " needs the residuals of every point, not only the losses");
        }

        @Override
        public void tell(List<double[]> points, double[] values, List<double[]> residuals) {
            List<double[]> batch = told();
            double[] rNew = residuals.get(0);
            boolean good = rNew != null && allFinite(rNew);
            for (int k = 1; good && k < residuals.size(); k++) {
                good = residuals.get(k) != null
                        && residuals.get(k).length == rNew.length
                        && allFinite(residuals.get(k));
            }
            if (u == null) {
                if (!good) {
                    finish("failed: the start point or its displaced points have no finite residuals");
                    throw new ChemFitException(
                            name + " cannot start: the residuals at the start point or at a displaced point"
                                    + " of its Jacobian are missing or not finite");
                }
                String unmoved = fd.unmovedAtStart(name, batch.get(0), rNew, residuals.subList(1, residuals.size()));
                if (unmoved != null) {
                    finish("failed: no residual changed at the displaced points of the start");
                    throw new ChemFitException(unmoved);
                }
                u = trialU;
                accept(batch, residuals);
                // the first trust region is the start's size in the method's coordinates (as
                // SciPy's trf sizes it); a coordinate whose start was moved off a bound counts as one
                // of its units, since its own value (1e-10 of its scale on a lower bound of 0) would
                // keep the first steps that small and let the loss's tolerance end the run there
                double norm = 0;
                double[] v = scaling(gradient())[0];
                for (int i = 0; i < n; i++) {
                    double size = movedInside[i] ? Math.max(1, Math.abs(u[i])) : u[i];
                    norm += size * size / v[i];
                }
                delta = norm == 0 ? 1.0 : Math.sqrt(norm);
                next();
                return;
            }
            double lossNew = good ? ReSum.of(rNew) : Double.POSITIVE_INFINITY;
            String landed = landing;
            if (landed != null) {
                // the point at the bound: kept when its loss is lower than the current point's, as a
                // trial step with a lower loss is taken (the ratio test, at least a quarter of the
                // reduction its linear model predicts, sizes a trust region that no later step uses):
                // the run ends at the lower of the two, the point a fit reports as its best and
                // computes the uncertainty at
                double gained = loss - lossNew;
                if (good && gained > 0) {
                    u = trialU;
                    r = rNew;
                    loss = lossNew;
                    finish(landed + ", then the minimum of its linear model within the bounds and the trust region,"
                            + " at " + onBound() + ", lowered the loss"
                            + (gained >= 0.25 * landingPredicted
                                    ? ""
                                    : ", by less than a quarter of the predicted reduction, and was kept: the run"
                                            + " ends at the lower point"));
                } else {
                    finish(landed + " (the minimum of its linear model within the bounds and the trust region, at a"
                            + " bound, did not lower the loss)");
                }
                return;
            }
            double actual = loss - lossNew;
            double ratio = predicted > 0 ? actual / predicted : -1;
            double stepNorm = norm(stepH);
            if (!good || ratio < 0.25) {
                delta = 0.25 * stepNorm;
            } else if (ratio > 0.75 && stepNorm > 0.95 * delta) {
                delta = Math.max(delta, 2 * stepNorm);
            }
            // the tolerances are tested after every trial with finite residuals, taken or not (as
            // SciPy's trf does): the step against the point it starts from, both in the method's
            // coordinates; a rejected step of negligible length ends the run at the current point
            double lossOld = loss;
            double xNorm = norm(u);
            boolean ftolMet = good && actual < ftol * lossOld && ratio > 0.25;
            boolean absoluteMet = good && actual < absoluteTolerance && ratio > 0.25;
            boolean xtolMet = good && norm(stepU) < xtol * (xtol + xNorm);
            if (good && actual > 0) {
                u = trialU;
                accept(batch, residuals);
            }
            if (ftolMet) {
                converge("converged: the loss changed by less than " + ftol + " relative");
                return;
            }
            if (absoluteMet) {
                converge("converged: the loss changed by less than " + absoluteTolerance);
                return;
            }
            if (xtolMet) {
                converge("converged: the step was below " + xtol + " relative");
                return;
            }
            if (!(good && actual > 0) && delta < 1e-15 * Math.max(1, xNorm)) {
                converge("converged: the trust region shrank to nothing without a reduction");
                return;
            }
            next();
        }

        private void accept(List<double[]> batch, List<double[]> residuals) {
            double[] x = batch.get(0);
            r = residuals.get(0);
            loss = ReSum.of(r);
            double[][] j = fd.jacobian(x, r, batch.subList(1, batch.size()), residuals.subList(1, residuals.size()));
            // to the method's coordinates: dr/du = dr/dx * s, or dr/dx * x for u = log x
            for (double[] row : j) {
                for (int i = 0; i < n; i++) {
                    row[i] *= log[i] ? x[i] : s[i];
                }
            }
            jac = j;
        }

        private double[] gradient() {
            double[] g = new double[n];
            for (int j = 0; j < r.length; j++) {
                for (int i = 0; i < n; i++) {
                    g[i] += jac[j][i] * r[j];
                }
            }
            return g;
        }

        /** Coleman-Li scaling: v and dv. */
        private double[][] scaling(double[] g) {
            double[] v = new double[n];
            double[] dv = new double[n];
            for (int i = 0; i < n; i++) {
                if (g[i] < 0 && Double.isFinite(hi[i])) {
                    v[i] = hi[i] - u[i];
                    dv[i] = -1;
                } else if (g[i] > 0 && Double.isFinite(lo[i])) {
                    v[i] = u[i] - lo[i];
                    dv[i] = 1;
                } else {
                    v[i] = 1;
                }
                if (!(v[i] > 0)) {
                    v[i] = Double.MIN_NORMAL;
                }
            }
            return new double[][] {v, dv};
        }

        /**
         * Ends the run, its convergence test met: at once, or after one more point when the
         * minimum of the Gauss-Newton model within the bounds puts a coordinate on its bound. The
         * method works strictly inside the bounds, and its scaled gradient {@code g_i v_i} falls
         * below {@code gtol} as the distance {@code v_i} to a bound does, so it stops short of a
         * bound that its minimum lies beyond; that last point (asked alone) is on it.
         */
        private void converge(String reason) {
            // within the trust region as well as the bounds, in the method's scaled variables: the
            // region |p| <= delta of p = du / d is held by its box |du_i| <= delta d_i, so that
            // the point cannot leap across the box along a direction the loss barely determines
            double[] v = scaling(gradient())[0];
            double[] below = new double[n];
            double[] above = new double[n];
            boolean[] lowerInReach = new boolean[n];
            boolean[] upperInReach = new boolean[n];
            for (int i = 0; i < n; i++) {
                double reach = Double.isFinite(delta) ? delta * Math.sqrt(v[i]) : 0;
                lowerInReach[i] = lo[i] - u[i] >= -reach;
                upperInReach[i] = hi[i] - u[i] <= reach;
                below[i] = Math.min(0, Math.max(lo[i] - u[i], -reach));
                above[i] = Math.max(0, Math.min(hi[i] - u[i], reach));
            }
            BoundedLinearLeastSquares.Solution sol = BoundedLinearLeastSquares.solve(jac, r, below, above);
            int[] side = new int[n];
            boolean onBound = false;
            for (int i = 0; i < n; i++) {
                // on a bound of the parameter, not only on the edge of the trust region
                side[i] = sol.side()[i] > 0 && upperInReach[i] ? 1 : sol.side()[i] < 0 && lowerInReach[i] ? -1 : 0;
                onBound |= side[i] != 0;
            }
            // a step below xtol is one the method itself counts as no step (a point within
            // rounding of the bound, as SciPy's trf ends at): nothing to evaluate
            if (!onBound || norm(sol.step()) < xtol * (xtol + norm(u))) {
                finish(reason);
                return;
            }
            // the point: a coordinate at its bound a hair inside it (1e-10 of its scale, as the
            // start is moved, at most 1e-8 of its range, at least a unit in the last place), so
            // that every point asked lies strictly within the bounds and a program that refuses a
            // bound's value is never given it; the others at the minimum
            double[] trial = new double[n];
            double[] x = toX(add(u, sol.step()));
            for (int i = 0; i < n; i++) {
                double lower = problem.lower()[i];
                double upper = problem.upper()[i];
                if (side[i] != 0) {
                    double bound = side[i] > 0 ? upper : lower;
                    double hair = 1e-10 * s[i];
                    if (problem.isBoxed(i)) {
                        hair = Math.min(hair, 1e-8 * (upper - lower));
                    }
                    hair = Math.max(hair, Math.ulp(bound));
                    x[i] = side[i] > 0 ? bound - hair : bound + hair;
                }
                if (!(Double.isFinite(x[i]) && x[i] > lower && x[i] < upper)) {
                    // a point the method cannot ask (a log coordinate beyond the largest double, a
                    // range narrower than the hair): it ends where it is
                    finish(reason);
                    return;
                }
                trial[i] = log[i] ? Math.log(x[i]) : x[i] / s[i];
            }
            double[] fit = r.clone();
            for (int j = 0; j < fit.length; j++) {
                for (int i = 0; i < n; i++) {
                    fit[j] += jac[j][i] * (trial[i] - u[i]);
                }
            }
            double fitNorm = norm(fit);
            landingPredicted = loss - fitNorm * fitNorm;
            if (!(landingPredicted > 0)) {
                finish(reason);
                return;
            }
            landing = reason;
            landingSide = side;
            landingX = x;
            trialU = trial;
        }

        /** @return the coordinates that the last point put on a bound, in words */
        private String onBound() {
            List<String> on = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (landingSide[i] != 0) {
                    on.add("the " + (landingSide[i] > 0 ? "upper" : "lower") + " bound of '"
                            + problem.names().get(i) + "'");
                }
            }
            return String.join(", ", on);
        }

        /** Plans the next trial from the current point, or finishes. */
        private void next() {
            double[] g = gradient();
            double[][] vdv = scaling(g);
            double[] v = vdv[0];
            double[] dv = vdv[1];
            double gScaled = 0;
            for (int i = 0; i < n; i++) {
                gScaled = Math.max(gScaled, Math.abs(g[i] * v[i]));
            }
            if (gScaled < gtol) {
                converge("converged: the scaled gradient fell below " + gtol);
                return;
            }
            int m = r.length;
            double[] d = new double[n];
            double[] diag = new double[n];
            for (int i = 0; i < n; i++) {
                d[i] = Math.sqrt(v[i]);
                diag[i] = g[i] * dv[i];
            }
            // augmented J_h = [J diag(d); diag(sqrt(C))], f = [r; 0]
            double[][] aug = new double[m + n][n];
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < n; i++) {
                    aug[j][i] = jac[j][i] * d[i];
                }
            }
            for (int i = 0; i < n; i++) {
                aug[m + i][i] = Math.sqrt(Math.max(0, diag[i]));
            }
            // the model in hat space is q(p) = 0.5 p^T B p + gh^T p, B = Jh^T Jh + diag(g dv) (Coleman-Li)
            double[] cdiag = new double[n];
            double[] gh = new double[n];
            for (int i = 0; i < n; i++) {
                cdiag[i] = Math.max(0, diag[i]);
                gh[i] = g[i] * d[i];
            }
            double[][] jh = new double[m][];
            for (int j = 0; j < m; j++) {
                jh[j] = aug[j];
            }
            Model model = new Model(jh, cdiag, gh);
            double[] p = stepOfMovingColumns(aug, m);
            double theta = Math.max(0.995, 1 - gScaled);
            double[] best = selectStep(p, d, model, theta);
            double q = model.value(best);
            stepH = best;
            stepU = mul(d, best);
            predicted = -2 * q;
            trialU = new double[n];
            for (int i = 0; i < n; i++) {
                trialU[i] = u[i] + d[i] * best[i];
                // strictly inside: a rounding that reaches a bound is pulled back
                if (trialU[i] <= lo[i] || trialU[i] >= hi[i]) {
                    trialU[i] = Math.min(Math.nextDown(hi[i]), Math.max(Math.nextUp(lo[i]), trialU[i]));
                }
            }
            if (!(predicted > 0)) {
                converge("converged: the model predicts no further reduction");
            }
        }

        /**
         * The trust-region step with the coordinates that change no residual (a column of the Jacobian
         * that is exactly zero: a parameter of a potential whose species no structure holds) left out
         * of the subproblem and kept where they are. In the SVD of the whole augmented matrix their
         * zero singular values and the small ones of parameters the data barely determine come out
         * mixed, and the step along those small ones carried the others from bound to bound, which
         * changed no fit residual and spoiled every held-out one.
         */
        private double[] stepOfMovingColumns(double[][] aug, int m) {
            int[] moving = new int[n];
            int count = 0;
            for (int i = 0; i < n; i++) {
                boolean zero = true;
                for (int j = 0; j < m && zero; j++) {
                    zero = jac[j][i] == 0;
                }
                if (!zero) {
                    moving[count++] = i;
                }
            }
            if (count == n || count == 0) {
                return trustRegionStep(aug, m);
            }
            double[][] reduced = new double[m + count][count];
            for (int a = 0; a < count; a++) {
                for (int j = 0; j < m; j++) {
                    reduced[j][a] = aug[j][moving[a]];
                }
                reduced[m + a][a] = aug[m + moving[a]][moving[a]];
            }
            double[] part = trustRegionStep(reduced, m);
            double[] p = new double[n];
            for (int a = 0; a < count; a++) {
                p[moving[a]] = part[a];
            }
            return p;
        }

        /**
         * The exact solution of the trust-region subproblem from the SVD of the augmented matrix.
         *
         * @param aug the augmented matrix, {@code m} rows of the Jacobian and one per coordinate, one column per
         *     coordinate it solves for
         * @return the step, one value per column of {@code aug}
         */
        private double[] trustRegionStep(double[][] aug, int m) {
            int cols = aug[0].length;
            RealMatrix a = MatrixUtils.createRealMatrix(aug);
            SingularValueDecomposition svd = new SingularValueDecomposition(a);
            double[] sv = svd.getSingularValues();
            RealMatrix vt = svd.getVT();
            RealMatrix uu = svd.getU();
            double[] f = new double[aug.length];
            System.arraycopy(r, 0, f, 0, m);
            double[] uf = uu.transpose().operate(f);
            int k = sv.length;
            double tol = sv.length == 0 ? 0 : sv[0] * Math.ulp(1.0) * Math.max(aug.length, cols);
            // Gauss-Newton step (minimum norm)
            double[] coeff = new double[k];
            for (int i = 0; i < k; i++) {
                coeff[i] = sv[i] > tol ? -uf[i] / sv[i] : 0;
            }
            double[] pgn = vt.transpose().operate(coeff);
            if (norm(pgn) <= delta && sv[k - 1] > tol) {
                return pgn;
            }
            // |p(lambda)| = Delta, p(lambda) = -V (s uf / (s^2 + lambda)); bisection on log(lambda)
            double sufNorm = 0;
            for (int i = 0; i < k; i++) {
                sufNorm += (sv[i] * uf[i]) * (sv[i] * uf[i]);
            }
            sufNorm = Math.sqrt(sufNorm);
            double lamHi = Math.max(sufNorm / delta, Double.MIN_NORMAL);
            double lamLo = Math.max(lamHi * 1e-30, Double.MIN_NORMAL);
            double[] p = new double[cols]; // replaced by the first iteration
            for (int it = 0; it < 200; it++) {
                double lam = Math.sqrt(lamLo * lamHi);
                for (int i = 0; i < k; i++) {
                    coeff[i] = -sv[i] * uf[i] / (sv[i] * sv[i] + lam);
                }
                p = vt.transpose().operate(coeff);
                double pn = norm(p);
                if (Math.abs(pn - delta) <= 1e-3 * delta) {
                    break;
                }
                if (pn > delta) {
                    lamLo = lam;
                } else {
                    lamHi = lam;
                }
            }
            double pn = norm(p);
            if (pn > delta) {
                for (int i = 0; i < cols; i++) {
                    p[i] *= delta / pn;
                }
            }
            return p;
        }

        /** Chooses among the full, reflected, truncated and gradient steps, all in hat space. */
        private double[] selectStep(double[] p, double[] d, Model model, double theta) {
            double[] x = u;
            double[] step = mul(d, p);
            double alpha = stepToBounds(x, step);
            if (alpha >= 1) {
                return p;
            }
            // truncated: theta of the way to the first bound
            double[] truncated = scale(p, theta * alpha);
            double best = model.value(truncated);
            double[] chosen = truncated;
            // reflected: from the bound, the remaining direction with the hit components negated
            double[] xOnBound = add(x, scale(step, alpha));
            double[] pOnBound = scale(p, alpha);
            double[] rh = p.clone();
            double[] hitStep = step;
            for (int i = 0; i < n; i++) {
                double t = hitStep[i] > 0
                        ? (hi[i] - x[i]) / hitStep[i]
                        : hitStep[i] < 0 ? (lo[i] - x[i]) / hitStep[i] : Double.POSITIVE_INFINITY;
                if (t <= alpha * (1 + 1e-12)) {
                    rh[i] = -rh[i];
                }
            }
            double[] rStep = mul(d, rh);
            double toBound = stepToBounds(xOnBound, rStep);
            double toRegion = intersectBall(pOnBound, rh, delta);
            double upper = Math.min(toBound * theta, toRegion);
            double lower = 0;
            if (upper > 0) {
                double t = model.minimize1d(pOnBound, rh, lower, upper);
                double[] reflected = add(pOnBound, scale(rh, t));
                double val = model.value(reflected);
                if (val < best) {
                    best = val;
                    chosen = reflected;
                }
            }
            // gradient step: along -gh, within the bounds and the region
            double[] gdir = scale(model.gh, -1);
            double gToBound = stepToBounds(x, mul(d, gdir));
            double gToRegion = delta / Math.max(norm(gdir), Double.MIN_NORMAL);
            double gUpper = Math.min(theta * gToBound, gToRegion);
            if (gUpper > 0) {
                double t = model.minimize1d(new double[n], gdir, 0, gUpper);
                double[] grad = scale(gdir, t);
                double val = model.value(grad);
                if (val < best) {
                    chosen = grad;
                }
            }
            return chosen;
        }

        private double stepToBounds(double[] x, double[] step) {
            double a = Double.POSITIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                if (step[i] > 0) {
                    a = Math.min(a, (hi[i] - x[i]) / step[i]);
                } else if (step[i] < 0) {
                    a = Math.min(a, (lo[i] - x[i]) / step[i]);
                }
            }
            return Math.max(0, a);
        }
    }

    /** The quadratic model {@code q(p) = 0.5 |Jh p|^2 + 0.5 p^T diag(c) p + gh^T p}. */
    private static final class Model {
        final double[][] jh;
        final double[] c;
        final double[] gh;

        Model(double[][] jh, double[] c, double[] gh) {
            this.jh = jh;
            this.c = c;
            this.gh = gh;
        }

        double quad(double[] a, double[] b) {
            double s = 0;
            for (double[] row : jh) {
                double ra = 0;
                double rb = 0;
                for (int i = 0; i < a.length; i++) {
                    ra += row[i] * a[i];
                    rb += row[i] * b[i];
                }
                s += ra * rb;
            }
            for (int i = 0; i < a.length; i++) {
                s += c[i] * a[i] * b[i];
            }
            return s;
        }

        double value(double[] p) {
            double lin = 0;
            for (int i = 0; i < p.length; i++) {
                lin += gh[i] * p[i];
            }
            return 0.5 * quad(p, p) + lin;
        }

        /** The t in [lo, hi] minimising q(p0 + t dir). */
        double minimize1d(double[] p0, double[] dir, double lo, double hi) {
            double a = 0.5 * quad(dir, dir);
            double b = quad(p0, dir);
            for (int i = 0; i < dir.length; i++) {
                b += gh[i] * dir[i];
            }
            double best = lo;
            double bestV = a * lo * lo + b * lo;
            double vHi = a * hi * hi + b * hi;
            if (vHi < bestV) {
                best = hi;
                bestV = vHi;
            }
            if (a > 0) {
                double t = -b / (2 * a);
                if (t > lo && t < hi && a * t * t + b * t < bestV) {
                    best = t;
                }
            }
            return best;
        }
    }

    /** The t >= 0 with |p0 + t dir| = delta (p0 inside the ball). */
    static double intersectBall(double[] p0, double[] dir, double delta) {
        double a = 0;
        double b = 0;
        double c = -delta * delta;
        for (int i = 0; i < p0.length; i++) {
            a += dir[i] * dir[i];
            b += 2 * p0[i] * dir[i];
            c += p0[i] * p0[i];
        }
        if (a == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double disc = Math.max(0, b * b - 4 * a * c);
        return Math.max(0, (-b + Math.sqrt(disc)) / (2 * a));
    }

    static boolean allFinite(double[] r) {
        for (double d : r) {
            if (!Double.isFinite(d)) {
                return false;
            }
        }
        return true;
    }

    static double norm(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d * d;
        }
        return Math.sqrt(s);
    }

    static double[] mul(double[] a, double[] b) {
        double[] o = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = a[i] * b[i];
        }
        return o;
    }

    static double[] add(double[] a, double[] b) {
        double[] o = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = a[i] + b[i];
        }
        return o;
    }

    static double[] scale(double[] a, double t) {
        double[] o = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = a[i] * t;
        }
        return o;
    }

    /** The sum of squares, in order. */
    static final class ReSum {
        private ReSum() {}

        static double of(double[] r) {
            return org.chemfit.ResidualLoss.sumOfSquares(r);
        }
    }
}
