package org.chemfit.fit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.SingularValueDecomposition;
import org.jspecify.annotations.Nullable;

/**
 * How well the data determine each fitted parameter, from the Jacobian {@code J} of the residuals
 * at the best point: the covariance {@code s^2 (J^T J)^-1} with {@code s^2 = SSR / (m - n)}
 * ({@code m} residuals, {@code n} estimated parameters), the standard errors (square roots of its
 * diagonal), the correlation matrix and the condition number of {@code J^T J} after each column
 * is scaled to unit length (so that it measures how nearly the parameters are degenerate, not
 * their units).
 *
 * <p>A parameter at a bound is reported in {@link #atBound()} and left out of the covariance: one
 * within 1e-6 of a bound, relative to its bounded range or, when smaller, to the largest of 1,
 * the bound's size, its value's and its scale's (its start's size, or half the range for a start
 * of 0) (to max(1, |bound|) for a half-open range), and
 * one near a bound (within the fit's near-bound tolerance of that range, 1e-3 by default, that of
 * its "at or near its bound" warning) where the minimum of the linearised sum of squares {@code |r + J dx|^2} within the
 * bounds lies on that bound: its gradient points out of the box there, so the optimum within the
 * bounds is on the bound, and a method that stopped just short of it (an interior method such as
 * {@code least-squares}) has not left it free; unless {@code J^T J} is nearly singular (below),
 * when that minimum may run along a barely determined direction to the bound and the parameter
 * is estimated, as one inside. So is a
 * parameter that changes no residual ({@link #noEffect()}); both get a warning, as does a nearly
 * singular {@code J^T J} (scaled condition number above 1e10), naming the parameters involved, and
 * a singular one (its smallest singular value at most the largest times {@link #singularRatio},
 * not only 0), which has no inverse: the parameters of its undetermined directions get no
 * standard errors, and the others those of the pseudo-inverse, with each undetermined combination
 * counted as one parameter in {@code m - n} (as a fit with that combination as one parameter would
 * give them). A fit whose residuals are all 0 gets standard errors of 0, and a warning that they
 * say nothing; its correlations, which do not depend on the residuals, are kept. With no more residuals
 * than estimated parameters there is no residual variance: one warning says so, and none of
 * {@code J^T J} (singular with fewer residuals) is added.
 *
 * <p>What these numbers mean: the spread of the parameters that the scatter of the residuals
 * around the model would give if the residuals were independent, of equal variance, and the model
 * were linear near the optimum. They say nothing of model error (a wrong functional form gives
 * small standard errors around wrong values) and they are too small when residuals are correlated
 * (neighbouring RDF bins, points of one curve).
 *
 * <pre>{@code
 * Uncertainty u = fitter.fit("least-squares").uncertainty();
 * double se = u.standardErrors().get("lj.sigma");
 * double rho = u.correlation()[0][1];
 * }</pre>
 *
 * @param estimated the parameters in the covariance, in order
 * @param standardErrors the standard error of each estimated parameter
 * @param covariance the covariance of the estimated parameters
 * @param correlation their correlation matrix
 * @param conditionNumber the condition number of the column-scaled {@code J^T J}
 * @param atBound free parameters at a bound, left out
 * @param noEffect free parameters that change no residual, left out
 * @param residuals the number of residuals, {@code m}
 * @param residualVariance {@code s^2 = SSR / (m - n)} (NaN when {@code m <= n}), so that the
 *     covariance is {@code s^2 (J^T J)^-1}: in a fit, of the errors (model minus reference, in the
 *     reference's unit squared) when every residual is its error times one common factor (one
 *     term, or terms of equal weights and counts), else of the weighted residuals the loss squares
 *     (errors times {@code sqrt(weight)}, divided by their scale and, under a mean squared error,
 *     by {@code sqrt(count)}), with {@code J} the Jacobian of the same residuals
 * @param warnings what the user should know about these numbers
 * @implNote Immutable in intent: arrays are copied in, read them but do not write them.
 */
public record Uncertainty(
        List<String> estimated,
        Map<String, Double> standardErrors,
        double[][] covariance,
        double[][] correlation,
        double conditionNumber,
        List<String> atBound,
        List<String> noEffect,
        int residuals,
        double residualVariance,
        List<String> warnings) {

    /** Copies the lists, maps and arrays. */
    public Uncertainty {
        estimated = List.copyOf(estimated);
        standardErrors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(standardErrors));
        covariance = copy(covariance);
        correlation = copy(correlation);
        atBound = List.copyOf(atBound);
        noEffect = List.copyOf(noEffect);
        warnings = List.copyOf(warnings);
    }

    /**
     * @param warning one more warning
     * @return this uncertainty with it last among its warnings
     */
    Uncertainty withWarning(String warning) {
        List<String> w = new ArrayList<>(warnings);
        w.add(warning);
        return new Uncertainty(
                estimated,
                standardErrors,
                covariance,
                correlation,
                conditionNumber,
                atBound,
                noEffect,
                residuals,
                residualVariance,
                w);
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    /** A non-zero value below this in size may have had a step too small to change a residual. */
    private static final double TINY = 1e-8;

    /** The relative distance to a bound under which a parameter counts as at the bound. */
    static final double AT_BOUND = 1e-6;
    /**
     * The relative distance to a bound within which a parameter counts as at the bound when the
     * minimum of the linearised sum of squares within the bounds lies on it: the default of
     * {@link Fitter#nearBoundTolerance(double)}.
     */
    static final double NEAR_BOUND = 1e-3;
    /** The scaled condition number above which {@code J^T J} counts as nearly singular. */
    static final double NEARLY_SINGULAR = 1e10;

    /**
     * @param m the number of residuals
     * @param k the number of columns
     * @return the ratio of the smallest to the largest singular value of the column-scaled Jacobian
     *     at or below which it counts as singular: the square root of the machine epsilon (a scaled
     *     condition number of {@code J^T J} of 1/epsilon, 4.5e15, which no double inverts), or
     *     NumPy's rank tolerance {@code max(m, n) epsilon} when larger. A Jacobian of central
     *     differences carries noise of about epsilon^(2/3) of its entries (rounding over a step of
     *     epsilon^(1/3)), so two parameters that the data determine only in a combination leave
     *     a singular value of that noise, 1e-11 of the largest, not 0, and far above epsilon.
     */
    static double singularRatio(int m, int k) {
        return Math.max(Math.sqrt(Math.ulp(1.0)), Math.ulp(1.0) * Math.max(m, k));
    }

    /**
     * Whether a parameter is at a bound, and so left out of the covariance: within {@link
     * #AT_BOUND} of a size of its own. Bounded on both sides, that size is its range, or, when
     * smaller, the largest of 1, the bound's size, its value's and its scale's (the size of its
     * start, or half its range when it starts at 0, as {@link FiniteDifferences#scales} and the
     * methods take it): so that bounds written as effectively open, {@code [0, 1e12]}, do not put a
     * parameter at 137 "at" its bound 0 (1e-6 of the range is 1e6), while a parameter a method
     * left a hair inside its bound (at most 1e-10 of that scale, or 1e-8 of the range) counts as at
     * it. Bounded on one side, that size is max(1, |bound|).
     *
     * @param x its value
     * @param start its value at the start of the fit
     * @param lower its lower bound (-Infinity for none)
     * @param upper its upper bound (+Infinity for none)
     * @return whether it is at either bound
     */
    static boolean atBound(double x, double start, double lower, double upper) {
        return Double.isFinite(lower) && x - lower <= AT_BOUND * atBoundSize(lower, x, start, lower, upper)
                || Double.isFinite(upper) && upper - x <= AT_BOUND * atBoundSize(upper, x, start, lower, upper);
    }

    private static double atBoundSize(double bound, double x, double start, double lower, double upper) {
        if (!(Double.isFinite(lower) && Double.isFinite(upper))) {
            return Math.max(1, Math.abs(bound));
        }
        double range = upper - lower;
        double scale = start != 0 ? Math.abs(start) : range / 2;
        return Math.min(range, Math.max(Math.max(1, Math.abs(bound)), Math.max(Math.abs(x), scale)));
    }

    /**
     * Whether a parameter not {@linkplain #atBound at a bound} is within {@code nearBound} of one
     * (of its bounded range, else of max(1, |bound|)): one that counts as at it when the minimum of
     * the linearised sum of squares within the bounds lies on it, which only the Jacobian tells.
     *
     * @param x its value
     * @param start its value at the start of the fit
     * @param lower its lower bound (-Infinity for none)
     * @param upper its upper bound (+Infinity for none)
     * @param nearBound the relative distance (the fit's near-bound tolerance)
     * @return whether it is near a bound and not at one
     */
    static boolean nearBound(double x, double start, double lower, double upper, double nearBound) {
        return !atBound(x, start, lower, upper)
                && (nearLower(x, lower, upper, nearBound) || nearUpper(x, lower, upper, nearBound));
    }

    private static boolean nearLower(double x, double lower, double upper, double nearBound) {
        boolean boxed = Double.isFinite(lower) && Double.isFinite(upper);
        return Double.isFinite(lower)
                && x - lower <= nearBound * (boxed ? upper - lower : Math.max(1, Math.abs(lower)));
    }

    private static boolean nearUpper(double x, double lower, double upper, double nearBound) {
        boolean boxed = Double.isFinite(lower) && Double.isFinite(upper);
        return Double.isFinite(upper)
                && upper - x <= nearBound * (boxed ? upper - lower : Math.max(1, Math.abs(upper)));
    }

    /**
     * Which parameters, not within {@link #AT_BOUND} of a bound but within {@code nearBound} of
     * one, the minimum of the linearised sum of squares {@code |r + J dx|^2} puts on that bound,
     * with those bounds (the near side of each such parameter) as its only constraints and the
     * parameters at a bound held where they are.
     *
     * @return per parameter, whether that minimum is on its bound
     */
    static boolean[] onBoundInLinearMinimum(
            double[] x, double[] start, double[] lower, double[] upper, double[] r, double[][] jac, double nearBound) {
        int n = x.length;
        boolean[] held = new boolean[n];
        double[] below = new double[n];
        double[] above = new double[n];
        boolean anyNear = false;
        for (int i = 0; i < n; i++) {
            boolean at = atBound(x[i], start[i], lower[i], upper[i]);
            boolean nearLower = !at && nearLower(x[i], lower[i], upper[i], nearBound);
            boolean nearUpper = !at && nearUpper(x[i], lower[i], upper[i], nearBound);
            below[i] = at ? 0 : nearLower ? Math.min(0, lower[i] - x[i]) : Double.NEGATIVE_INFINITY;
            above[i] = at ? 0 : nearUpper ? Math.max(0, upper[i] - x[i]) : Double.POSITIVE_INFINITY;
            anyNear |= nearLower || nearUpper;
        }
        if (!anyNear || r.length == 0) {
            return held;
        }
        // a parameter at a bound is held where it is: its column is left out of the model
        double[][] model = new double[jac.length][];
        for (int j = 0; j < jac.length; j++) {
            model[j] = jac[j].clone();
            for (int i = 0; i < n; i++) {
                if (atBound(x[i], start[i], lower[i], upper[i])) {
                    model[j][i] = 0;
                }
            }
        }
        // the linear model is trusted only as far as the uncertainty itself is: with a nearly
        // singular J^T J (the scaled condition number of its "nearly singular" warning) its minimum
        // may run along a barely determined direction to a bound, and the parameter is left free,
        // with its warnings; otherwise directions as weak as that are cut from the solve
        if (!(scaledConditionNumber(model) <= NEARLY_SINGULAR)) {
            return held;
        }
        BoundedLinearLeastSquares.Solution sol =
                BoundedLinearLeastSquares.solve(model, r, below, above, 1 / Math.sqrt(NEARLY_SINGULAR));
        for (int i = 0; i < n; i++) {
            held[i] = sol.side()[i] != 0;
        }
        return held;
    }

    /**
     * @param jac an m x n Jacobian
     * @return the condition number of {@code J^T J} over its non-zero columns, each scaled to
     *     unit length; infinite when singular (as {@link #conditionNumber()} counts it), 1 when
     *     no column is left
     */
    private static double scaledConditionNumber(double[][] jac) {
        int m = jac.length;
        int n = m == 0 ? 0 : jac[0].length;
        List<double[]> columns = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (double[] row : jac) {
                s += row[i] * row[i];
            }
            if (s > 0) {
                double norm = Math.sqrt(s);
                double[] col = new double[m];
                for (int j = 0; j < m; j++) {
                    col[j] = jac[j][i] / norm;
                }
                columns.add(col);
            }
        }
        int k = columns.size();
        if (k == 0) {
            return 1;
        }
        double[][] js = new double[m][k];
        for (int a = 0; a < k; a++) {
            for (int j = 0; j < m; j++) {
                js[j][a] = columns.get(a)[j];
            }
        }
        double[] sv = new SingularValueDecomposition(MatrixUtils.createRealMatrix(js)).getSingularValues();
        double smax = sv[0];
        double smin = sv.length < k ? 0 : sv[k - 1];
        return smin <= smax * singularRatio(m, k) ? Double.POSITIVE_INFINITY : (smax / smin) * (smax / smin);
    }

    /**
     * Computes the uncertainty from a Jacobian.
     *
     * @param names the free parameters, in the Jacobian's column order
     * @param x their values
     * @param lower lower bounds
     * @param upper upper bounds
     * @param r the residuals at x
     * @param jac the m x n Jacobian {@code dr_j / dx_i}
     * @return the uncertainty; without the start of the fit, x stands for it in the scale that a
     *     standard error is compared with (see {@link #undetermined}) and in the size within 1e-6
     *     of which a parameter counts as at a bound
     */
    public static Uncertainty compute(
            List<String> names, double[] x, double[] lower, double[] upper, double[] r, double[][] jac) {
        return compute(names, x, x, lower, upper, r, jac, 1.0);
    }

    /**
     * Computes the uncertainty from a Jacobian of residuals that are the errors (model minus
     * reference) times one common factor {@code c} (the square root of a weight, one over the
     * square root of a count): the covariance is the same whatever {@code c}, and the residual
     * variance reported is that of the errors, {@code SSR / (m - n) / c^2}.
     *
     * @param names the free parameters, in the Jacobian's column order
     * @param x their values
     * @param start their values at the start of the fit, which set their scales (see {@link #undetermined})
     * @param lower lower bounds
     * @param upper upper bounds
     * @param r the residuals at x
     * @param jac the m x n Jacobian {@code dr_j / dx_i}
     * @param factor the factor common to every residual; NaN when the residuals carry different
     *     ones, and the residual variance is then that of the residuals as given (the weighted
     *     residuals)
     * @return the uncertainty
     */
    static Uncertainty compute(
            List<String> names,
            double[] x,
            double[] start,
            double[] lower,
            double[] upper,
            double[] r,
            double[][] jac,
            double factor) {
        return compute(names, x, start, lower, upper, r, jac, factor, NEAR_BOUND);
    }

    /**
     * {@link #compute(List, double[], double[], double[], double[], double[], double[][], double)}
     * with the distance to a bound, relative to the bounded range (or to max(1, |bound|)), within
     * which a parameter whose linearised minimum lies on that bound counts as at it.
     *
     * @param names the free parameters, in the Jacobian's column order
     * @param x their values
     * @param start their values at the start of the fit
     * @param lower lower bounds
     * @param upper upper bounds
     * @param r the residuals at x
     * @param jac the m x n Jacobian {@code dr_j / dx_i}
     * @param factor the factor common to every residual, or NaN
     * @param nearBound that relative distance (the fit's near-bound tolerance)
     * @return the uncertainty
     */
    static Uncertainty compute(
            List<String> names,
            double[] x,
            double[] start,
            double[] lower,
            double[] upper,
            double[] r,
            double[][] jac,
            double factor,
            double nearBound) {
        int n = names.size();
        int m = r.length;
        List<String> warnings = new ArrayList<>();
        List<String> atBound = new ArrayList<>();
        List<String> noEffect = new ArrayList<>();
        List<Integer> cols = new ArrayList<>();
        boolean[] held = onBoundInLinearMinimum(x, start, lower, upper, r, jac, nearBound);
        for (int i = 0; i < n; i++) {
            boolean at = atBound(x[i], start[i], lower[i], upper[i]) || held[i];
            double colNorm = 0;
            for (int j = 0; j < m; j++) {
                colNorm += jac[j][i] * jac[j][i];
            }
            if (at) {
                atBound.add(names.get(i));
            } else if (colNorm == 0) {
                noEffect.add(names.get(i));
            } else {
                cols.add(i);
            }
        }
        if (!atBound.isEmpty()) {
            warnings.add("parameter(s) " + quoted(atBound)
                    + " at a bound: left out of the covariance (their uncertainty is not estimated"
                    + (cols.isEmpty()
                            ? ")"
                            : "; the other parameters' standard errors are those with "
                                    + (atBound.size() == 1 ? "it" : "them") + " held there)"));
        }
        if (!noEffect.isEmpty()) {
            // a tiny non-zero value sets a tiny step (the step is relative to the start's size): the
            // residuals may not change at their rounding, although the parameter matters
            List<String> tiny = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (noEffect.contains(names.get(i)) && x[i] != 0 && Math.abs(x[i]) < TINY) {
                    tiny.add("'" + names.get(i) + "' = " + x[i]);
                }
            }
            warnings.add("parameter(s) " + quoted(noEffect)
                    + " change no residual: the data do not determine them (a potential"
                    + " whose species match no atom, a term that ignores them?)"
                    + (tiny.isEmpty()
                            ? ""
                            : "; or the finite-difference step, relative to the start's size, was too small to"
                                    + " change a residual for " + String.join(", ", tiny)
                                    + ": start such a parameter nearer its real size, or at 0"));
        }
        int k = cols.size();
        List<String> est = new ArrayList<>();
        for (int c : cols) {
            est.add(names.get(c));
        }
        double ssr = 0;
        for (double d : r) {
            ssr += d * d;
        }
        // s^2 of the residuals as given goes with their Jacobian into the covariance; the variance
        // reported is that of the errors, s^2 / c^2, which goes with the errors' Jacobian J / c
        double s2 = m > k ? ssr / (m - k) : Double.NaN;
        double common = factor > 0 && Double.isFinite(factor) ? factor : 1.0;
        if (k > 0 && m <= k) {
            warnings.add("only " + m + (m == 1 ? " residual" : " residuals") + " for " + k
                    + (k == 1 ? " estimated parameter" : " estimated parameters")
                    + ": no residual variance, no standard errors");
        }
        double[][] cov = new double[k][k];
        double[][] cor = new double[k][k];
        Map<String, Double> se = new LinkedHashMap<>();
        double cond = Double.NaN;
        if (k > 0) {
            // column scaling: J = Js diag(norm), (J^T J)^-1 = diag(1/norm) (Js^T Js)^-1 diag(1/norm)
            double[][] js = new double[m][k];
            double[] cn = new double[k];
            for (int a = 0; a < k; a++) {
                int i = cols.get(a);
                double s = 0;
                for (int j = 0; j < m; j++) {
                    s += jac[j][i] * jac[j][i];
                }
                cn[a] = Math.sqrt(s);
                for (int j = 0; j < m; j++) {
                    js[j][a] = jac[j][i] / cn[a];
                }
            }
            RealMatrix jm = MatrixUtils.createRealMatrix(js);
            SingularValueDecomposition svd = new SingularValueDecomposition(jm);
            double[] sv = svd.getSingularValues();
            double smax = sv[0];
            double smin = sv.length < k ? 0 : sv[k - 1];
            // singular not only at an exact 0: a rank-deficient Jacobian of finite differences has
            // columns equal up to the differences' noise, and a smallest singular value at that noise
            double tol = smax * singularRatio(m, k);
            boolean singular = smin <= tol;
            cond = singular ? Double.POSITIVE_INFINITY : (smax / smin) * (smax / smin);
            // the directions the data do not determine (singular values at the noise), and the
            // parameters with a part in them: no standard error for those; the others' come from the
            // pseudo-inverse, as they would from a fit with the undetermined combination as one parameter
            RealMatrix v = svd.getV();
            int rank = 0;
            while (rank < sv.length && sv[rank] > tol) {
                rank++;
            }
            boolean[] undetermined = new boolean[k];
            List<String> involved = new ArrayList<>();
            if (!(cond <= NEARLY_SINGULAR)) {
                for (int a = 0; a < k; a++) {
                    double part = 0;
                    if (singular) {
                        // every direction past the rank (with fewer residuals than columns, also those SVD does not
                        // give)
                        double inRank = 0;
                        for (int c = 0; c < rank; c++) {
                            inRank += v.getEntry(a, c) * v.getEntry(a, c);
                        }
                        part = Math.sqrt(Math.max(0, 1 - inRank));
                    } else {
                        part = Math.abs(v.getEntry(a, sv.length - 1));
                    }
                    // of an undetermined direction, any part of a parameter leaves it free (parts of
                    // the differences' noise are some 1e-9); of a weakest one, the parameters it is made of
                    if (part > (singular ? 1e-6 : 0.1)) {
                        involved.add(est.get(a));
                        undetermined[a] = singular;
                    }
                }
            }
            // with no more residuals than parameters there are no standard errors, and the warning
            // above says why: a singular J^T J (as it is with fewer) has nothing to add
            if (!(cond <= NEARLY_SINGULAR) && m > k) {
                if (!singular) {
                    warnings.add("J^T J is nearly singular (scaled condition number "
                            + String.format(java.util.Locale.ROOT, "%.3g", cond)
                            + "): the data determine only a combination of " + quoted(involved)
                            + "; their standard errors are unreliable");
                } else if (involved.size() < k) {
                    warnings.add("J^T J is singular: the data determine only a combination of " + quoted(involved)
                            + ", so they get no standard errors; those of the other parameters are those of a fit"
                            + " with that combination as one parameter");
                } else {
                    // (J^T J)^-1 does not exist: no covariance, so no standard error at all
                    warnings.add("J^T J is singular: the data determine only a combination of " + quoted(involved)
                            + ", so no standard errors are computed");
                }
            }
            if (m > k && rank < k) {
                // the undetermined combination counts as one parameter, as in the fit that has it as one
                s2 = ssr / (m - rank);
            }
            // (J^T J)^+ of the scaled columns, over the determined directions
            double[][] inverse = new double[k][k];
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    double s = 0;
                    for (int c = 0; c < rank; c++) {
                        s += v.getEntry(a, c) * v.getEntry(b, c) / (sv[c] * sv[c]);
                    }
                    inverse[a][b] = s;
                }
            }
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    boolean none = undetermined[a] || undetermined[b];
                    cov[a][b] = none ? Double.NaN : s2 * inverse[a][b] / (cn[a] * cn[b]);
                    // of the scaled inverse, not of the covariance: a fit whose residuals are all 0
                    // (s^2 = 0) still has the correlations its Jacobian gives
                    cor[a][b] = none || !(m > k)
                            ? Double.NaN
                            : a == b ? 1.0 : inverse[a][b] / Math.sqrt(inverse[a][a] * inverse[b][b]);
                }
                se.put(est.get(a), Math.sqrt(cov[a][a]));
            }
            if (m > k && s2 == 0) {
                warnings.add("the residuals are all 0 (the model gives the reference values exactly): the standard"
                        + " errors are 0, which says nothing of how well the data determine the parameters");
            }
        }
        for (int a = 0; a < k; a++) {
            int i = cols.get(a);
            String undetermined = undetermined(est.get(a), x[i], start[i], lower[i], upper[i], Math.sqrt(cov[a][a]));
            if (undetermined != null) {
                warnings.add(undetermined);
            }
        }
        double s2Reported = s2 / common / common;
        return new Uncertainty(est, se, cov, cor, cond, atBound, noEffect, m, s2Reported, warnings);
    }

    /**
     * Says that the data do not determine a parameter whose standard error exceeds the width of
     * its bounds, or, when it is not bounded on both sides, its scale: the size of its start value,
     * or 1 when it starts at 0 (the scale of the finite differences, {@link FiniteDifferences}).
     *
     * <p>Not the size of the value itself: a parameter whose best value happens to be near 0 (a
     * linear term, a shift, a small charge) would then be flagged however well the data determine
     * it (-0.03 with a standard error of 0.04 is a value consistent with 0, not a value the data
     * leave free). The width of the bounds and the start say the range the user expects the
     * parameter in, wherever the fit ends; an error larger than that range is one the data do not
     * narrow.
     *
     * @param name the parameter
     * @param x its value
     * @param start its value at the start of the fit
     * @param lower its lower bound
     * @param upper its upper bound
     * @param se its standard error
     * @return the warning, or null when the standard error is within that width or scale, or not
     *     finite
     */
    static @Nullable String undetermined(String name, double x, double start, double lower, double upper, double se) {
        boolean boxed = Double.isFinite(lower) && Double.isFinite(upper);
        double width = boxed ? upper - lower : start != 0 ? Math.abs(start) : 1.0;
        if (!(Double.isFinite(se) && width > 0 && se > width)) {
            return null;
        }
        return "parameter '" + name + "' = " + g(x) + " has a standard error of " + g(se) + ", larger than "
                + (boxed
                        ? "the width " + g(width) + " of its bounds [" + g(lower) + ", " + g(upper) + "]"
                        : start != 0
                                ? "its scale " + g(width) + " (the size of its start value " + g(start) + ")"
                                : "its scale 1 (it started at 0)")
                + ": the data do not determine it (its value is where the method stopped, not a result of the"
                + " fit); fix it, or add reference data that depend on it";
    }

    /** Six significant digits without trailing zeros: 45000, 26953.3, 2.49873e+06. */
    static String g(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e6) {
            return Long.toString((long) v);
        }
        return String.format(java.util.Locale.ROOT, "%.6g", v)
                .replaceFirst("(\\.\\d*?)0+(e|$)", "$1$2")
                .replace(".e", "e")
                .replaceFirst("\\.$", "");
    }

    private static String quoted(List<String> names) {
        List<String> q = new ArrayList<>();
        for (String s : names) {
            q.add("'" + s + "'");
        }
        return String.join(", ", q);
    }

    /**
     * @return a JSON-able tree: estimated, standard_errors, covariance, correlation,
     *     condition_number, at_bound, no_effect, residuals, residual_variance, warnings
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("estimated", estimated);
        m.put("standard_errors", standardErrors);
        m.put("covariance", rows(covariance));
        m.put("correlation", rows(correlation));
        m.put("condition_number", conditionNumber);
        m.put("at_bound", atBound);
        m.put("no_effect", noEffect);
        m.put("residuals", residuals);
        m.put("residual_variance", residualVariance);
        m.put("warnings", warnings);
        return m;
    }

    /**
     * @return the components as a record shows them, with the matrices written out row by row
     *     ({@code [[1.0, 0.5], [0.5, 2.0]]}) where a record would show their identities
     */
    @Override
    public String toString() {
        return "Uncertainty[estimated=" + estimated + ", standardErrors=" + standardErrors + ", covariance="
                + Arrays.deepToString(covariance) + ", correlation=" + Arrays.deepToString(correlation)
                + ", conditionNumber=" + conditionNumber + ", atBound=" + atBound + ", noEffect=" + noEffect
                + ", residuals=" + residuals + ", residualVariance=" + residualVariance + ", warnings=" + warnings
                + "]";
    }

    private static List<List<Double>> rows(double[][] a) {
        List<List<Double>> out = new ArrayList<>();
        for (double[] row : a) {
            List<Double> r = new ArrayList<>();
            for (double d : row) {
                r.add(d);
            }
            out.add(r);
        }
        return out;
    }
}
