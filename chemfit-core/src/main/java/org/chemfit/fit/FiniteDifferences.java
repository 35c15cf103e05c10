package org.chemfit.fit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finite-difference Jacobians whose displaced points are asked as one batch. The step of
 * parameter {@code i} is {@code h_i = rel * max(|x_i|, s_i)}, where {@code s_i} is the
 * parameter's scale (its start value when non-zero, else half its bounded range, else 1) and
 * {@code rel} is {@code sqrt(eps) = 1.49e-8} for forward and {@code cbrt(eps) = 6.06e-6} for
 * central differences, the choices that balance truncation against rounding for an objective
 * computed to full double precision (an objective read from printed output, or the elastic
 * constants of a {@code CubicCrystalComputer}, whose noise is about 1e-11 relative, needs a larger
 * {@code rel}: 1e-5 for the crystal). The uncertainty's central differences take the step given
 * to the fitter for them ({@code Fitter.uncertaintyStep}), else that of the method's forward
 * differences when one is set ({@link #relativeStepOf}), else {@code cbrt(eps)}.
 * A forward step that would leave the bounds is taken backward; a central pair
 * that would leave them becomes a one-sided forward or backward difference; when neither side has
 * room for a full step the step shrinks to the room there is. No displaced point lies outside the
 * bounds.
 *
 * @implNote Immutable; thread-safe.
 */
final class FiniteDifferences {

    /** {@code sqrt(eps)}: the relative step of forward differences. */
    static final double FORWARD_STEP = Math.sqrt(Math.ulp(1.0));
    /** {@code cbrt(eps)}: the relative step of central differences. */
    static final double CENTRAL_STEP = Math.cbrt(Math.ulp(1.0));

    private final List<String> names;
    private final double[] lower;
    private final double[] upper;
    private final double[] scale;
    private final boolean central;
    private final double relativeStep;

    /**
     * @param problem the bounds and start (for the scales)
     * @param central central rather than forward differences
     * @param relativeStep {@code rel}, or NaN for the default of the scheme
     */
    FiniteDifferences(Problem problem, boolean central, double relativeStep) {
        this.names = problem.names();
        this.lower = problem.lower();
        this.upper = problem.upper();
        this.scale = scales(problem);
        this.central = central;
        this.relativeStep = Double.isNaN(relativeStep) ? (central ? CENTRAL_STEP : FORWARD_STEP) : relativeStep;
    }

    /**
     * @param optimizer a method
     * @return the relative step set on its finite differences ({@link Optimizers#withRelativeStep},
     *     {@link Optimizers#leastSquares(double, double)}), or NaN when it has none set or takes none
     */
    static double relativeStepOf(Optimizer optimizer) {
        if (optimizer instanceof TrustRegionLeastSquares t) {
            return t.relativeStep();
        }
        if (optimizer instanceof LevenbergMarquardt l) {
            return l.relativeStep();
        }
        if (optimizer instanceof LbfgsB b) {
            return b.relativeStep();
        }
        return Double.NaN;
    }

    /**
     * @param problem a problem
     * @return each parameter's scale: |start| when non-zero, else half its bounded range, else 1
     */
    static double[] scales(Problem problem) {
        int n = problem.dimension();
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            double x0 = Math.abs(problem.start()[i]);
            s[i] = x0 > 0 ? x0 : problem.isBoxed(i) ? (problem.upper()[i] - problem.lower()[i]) / 2 : 1.0;
        }
        return s;
    }

    /** @return how many points one Jacobian asks for, besides the centre */
    int pointsPerJacobian() {
        return central ? 2 * lower.length : lower.length;
    }

    /**
     * The displaced points of the Jacobian at {@code x}: for forward differences one per
     * parameter, for central differences two per parameter (plus side first, then minus side).
     *
     * @param x the centre, within the bounds
     * @return the points, in parameter order
     */
    List<double[]> displaced(double[] x) {
        int n = x.length;
        List<double[]> out = new ArrayList<>(pointsPerJacobian());
        for (int i = 0; i < n; i++) {
            double[] s = steps(x, i);
            for (double h : s) {
                double[] y = x.clone();
                y[i] = h == 0 ? x[i] : x[i] + h;
                y[i] = Math.min(upper[i], Math.max(lower[i], y[i]));
                out.add(y);
            }
        }
        return out;
    }

    /** The signed steps of coordinate i: one for forward, two for central. */
    private double[] steps(double[] x, int i) {
        double h = relativeStep * Math.max(Math.abs(x[i]), scale[i]);
        double up = upper[i] - x[i];
        double down = x[i] - lower[i];
        if (central) {
            if (up >= h && down >= h) {
                return new double[] {h, -h};
            }
            // one-sided at a bound: the side with room, still two points to keep the batch's shape
            double[] one = steps1(h, up, down);
            return new double[] {one[0], 2 * one[0] <= up && 2 * one[0] >= -down ? 2 * one[0] : one[0]};
        }
        return steps1(h, up, down);
    }

    private static double[] steps1(double h, double up, double down) {
        if (up >= h) {
            return new double[] {h};
        }
        if (down >= h) {
            return new double[] {-h};
        }
        return new double[] {up >= down ? up : -down};
    }

    /**
     * The Jacobian from the residuals at the centre and at the displaced points.
     *
     * @param x the centre
     * @param r0 its residuals
     * @param points the displaced points, as {@link #displaced} gave them
     * @param rs their residuals, in the same order
     * @return the m x n Jacobian {@code dr_j / dx_i}; a column whose step is zero is zero
     */
    double[][] jacobian(double[] x, double[] r0, List<double[]> points, List<double[]> rs) {
        int n = x.length;
        int m = r0.length;
        double[][] jac = new double[m][n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (central) {
                double[] pa = points.get(k);
                double[] pb = points.get(k + 1);
                double[] ra = rs.get(k);
                double[] rb = rs.get(k + 1);
                k += 2;
                double ha = pa[i] - x[i];
                double hb = pb[i] - x[i];
                if (ha != 0 && hb != 0 && ha != hb) {
                    // the derivative at x of the parabola through x, x + ha, x + hb: the central
                    // difference when hb = -ha, second order one-sided when hb = 2 ha; written as
                    // differences so that a residual the parameter does not change gives exactly 0
                    double ca = hb / (ha * (hb - ha));
                    double cb = -ha / (hb * (hb - ha));
                    for (int j = 0; j < m; j++) {
                        jac[j][i] = ca * (ra[j] - r0[j]) + cb * (rb[j] - r0[j]);
                    }
                } else if (ha != 0) {
                    for (int j = 0; j < m; j++) {
                        jac[j][i] = (ra[j] - r0[j]) / ha;
                    }
                }
            } else {
                double[] p = points.get(k);
                double[] ri = rs.get(k);
                k++;
                double h = p[i] - x[i];
                if (h != 0) {
                    for (int j = 0; j < m; j++) {
                        jac[j][i] = (ri[j] - r0[j]) / h;
                    }
                }
            }
        }
        return jac;
    }

    /**
     * Says why a method cannot start when no residual moved at any displaced point of the start: the
     * Jacobian is then zero, its gradient test is met at once, and the method would call the start
     * converged. A program that writes its outputs with few digits ({@code %.4f}) does this at the
     * default step of 1.5e-8, as does a model that no parameter enters, or a start far below the
     * size its parameter takes in the fit (1e-9 for an epsilon of about 100: a step of 1.5e-17).
     *
     * @param method the method's name, as its messages give it
     * @param x the start, the centre of the displaced points
     * @param r0 the residuals at the start
     * @param rs those at its displaced points
     * @return the message, or null when a residual moved, or when the start's residuals are all zero
     *     (an exact fit, which a zero Jacobian leaves where it is)
     */
    @org.jspecify.annotations.Nullable
    String unmovedAtStart(String method, double[] x, double[] r0, List<double[]> rs) {
        boolean exact = true;
        for (double v : r0) {
            exact &= v == 0;
        }
        if (exact || rs.isEmpty()) {
            return null;
        }
        for (double[] r : rs) {
            // compared as numbers: -0.0 and 0.0 are the same residual (Arrays.equals tells them apart)
            if (r.length != r0.length) {
                return null;
            }
            for (int j = 0; j < r.length; j++) {
                if (!(r[j] == r0[j])) {
                    return null;
                }
            }
        }
        StringBuilder steps = new StringBuilder();
        for (int i = 0; i < x.length && i < 5; i++) {
            steps.append(i == 0 ? "" : ", ")
                    .append(names.get(i))
                    .append(" by ")
                    .append(String.format(Locale.ROOT, "%.3g", Math.abs(steps(x, i)[0])))
                    .append(" from ")
                    .append(Fitter.readable(x[i]));
        }
        if (x.length > 5) {
            steps.append(", ...");
        }
        return method + " cannot start: no residual changed when each parameter was moved by its"
                + " finite-difference step (" + String.format(Locale.ROOT, "%.3g", relativeStep)
                + " of its size, the larger of its value and its scale: " + steps + "): every displaced point"
                + " of the start's Jacobian gave the start's residuals exactly, so the method has no direction"
                + " to move in and would call the start converged. A program that writes its outputs with few"
                + " digits does this, as does a model that no parameter enters, or a start far below the size"
                + " its parameter takes in the fit (a step of 1e-17 moves nothing of a size near 100): have the"
                + " program write more (17 significant digits keep a double), start nearer that size, or give a"
                + " larger relative step (in a job file optimizer.finite_difference_step: {relative: 1.0e-3})";
    }
}
