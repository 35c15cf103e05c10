package org.chemfit.fit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.EigenDecompositionSymmetric;
import org.hipparchus.linear.RealMatrix;
import org.jspecify.annotations.Nullable;

/**
 * CMA-ES in ask/tell form: each {@code ask()} returns a whole generation, so a
 * {@link org.chemfit.BatchObjectiveFunction} (an {@code AsyncWrapperCOB}) evaluates the
 * generation concurrently. Written from the published algorithm: N. Hansen, "The CMA Evolution
 * Strategy: A Tutorial", arXiv:1604.00772 (2016), the summary in its appendix A with the default
 * strategy parameters of its table 1 (positive recombination weights only), the
 * {@code h_sigma} stall of the rank-one update, and the repair of infeasible points by projection
 * onto the bounds (its appendix B, "boundaries and constraints") with the repaired point used in
 * the update. Hipparchus's CMA-ES evaluates one candidate at a time, which is why this exists.
 *
 * <pre>{@code
 * FitResult r = new Fitter(new AsyncWrapperCOB(combined, pool), initial)
 *         .bounds(bounds).seed(7)
 *         .fit(Optimizers.cmaes(8, 0.3));     // 8 points per generation, evaluated at once
 * }</pre>
 *
 * <p>Coordinates are scaled: by half the bounded range, else by |start|, else by 1, so the
 * initial step {@code sigma} (0.3 by default) is relative. Samples come from a
 * {@link SplittableRandom} seeded with {@link Problem#seed()}, and the losses are told by index,
 * so a run is the same for a given seed whatever the pool size or completion order. A run stops
 * by itself when the step falls below 1e-12 (scaled), the best losses of the last
 * {@code 10 + 30n/lambda} generations and the whole current generation lie within 1e-14, or the
 * covariance's condition number exceeds 1e14.
 *
 * @implNote Immutable; each {@link #start} creates its own state.
 */
final class CmaEsOptimizer implements Optimizer {

    private final int populationSize;
    private final double sigma;

    /**
     * @param populationSize lambda, at least 2; 0 picks the default {@code 4 + floor(3 ln n)}
     * @param sigma the initial step in scaled coordinates, positive
     */
    CmaEsOptimizer(int populationSize, double sigma) {
        if (populationSize != 0 && populationSize < 2) {
            throw new IllegalArgumentException(
                    "CMA-ES needs a population of at least 2 (or 0 for the default), got " + populationSize);
        }
        if (!(sigma > 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("the initial sigma of CMA-ES must be positive and finite, got " + sigma);
        }
        this.populationSize = populationSize;
        this.sigma = sigma;
    }

    @Override
    public String name() {
        return "CMA-ES";
    }

    @Override
    public boolean isBatch() {
        return true;
    }

    @Override
    public Run start(Problem problem) {
        return new CmaRun(problem, populationSize, sigma);
    }

    @Override
    public String toString() {
        return "CMA-ES(population " + (populationSize == 0 ? "default" : populationSize) + ", sigma " + sigma + ")";
    }

    /** One run: the state of the strategy (tutorial notation: m, sigma, C = B D^2 B^T, p_sigma, p_c). */
    private static final class CmaRun implements Run {
        private static final double TOL_X = 1e-12;
        private static final double TOL_FUN = 1e-14;
        private static final double MAX_CONDITION = 1e14;

        private final Problem problem;
        private final int n;
        private final int lambda;
        private final int mu;
        private final double[] weights;
        private final double muEff;
        private final double cc;
        private final double cs;
        private final double c1;
        private final double cmu;
        private final double damps;
        private final double chiN;
        private final double[] offset;
        private final double[] scale;
        private final double[] lo;
        private final double[] hi;
        private final SplittableRandom random;

        private final double[] mean;
        private double sigma;
        private double[][] c;
        private double[][] b;
        private double[] d;
        private final double[] ps;
        private final double[] pc;
        private int generation;
        private final double[] bestHistory;
        private String stopReason = "not stopped";
        private boolean stopped;
        private double[][] askedY;
        private @Nullable List<double[]> asked;

        // askedY is set by ask, and read only by the tell that answers it (NullAway.Init)
        @SuppressWarnings("NullAway.Init")
        CmaRun(Problem problem, int populationSize, double sigma0) {
            this.problem = problem;
            n = problem.dimension();
            lambda = populationSize == 0 ? 4 + (int) Math.floor(3 * Math.log(n)) : populationSize;
            mu = lambda / 2;
            // recombination weights w_i = ln((lambda + 1) / 2) - ln i, i = 1..mu, normalised to sum 1
            weights = new double[mu];
            double sum = 0;
            for (int i = 0; i < mu; i++) {
                weights[i] = Math.log((lambda + 1) / 2.0) - Math.log(i + 1);
                sum += weights[i];
            }
            double sumSq = 0;
            for (int i = 0; i < mu; i++) {
                weights[i] /= sum;
                sumSq += weights[i] * weights[i];
            }
            muEff = 1 / sumSq;
            cc = (4 + muEff / n) / (n + 4 + 2 * muEff / n);
            cs = (muEff + 2) / (n + muEff + 5);
            c1 = 2 / ((n + 1.3) * (n + 1.3) + muEff);
            cmu = Math.min(1 - c1, 2 * (muEff - 2 + 1 / muEff) / ((n + 2) * (n + 2) + muEff));
            damps = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cs;
            chiN = Math.sqrt(n) * (1 - 1.0 / (4 * n) + 1.0 / (21.0 * n * n));

            offset = problem.start();
            scale = new double[n];
            lo = new double[n];
            hi = new double[n];
            double[] lower = problem.lower();
            double[] upper = problem.upper();
            for (int i = 0; i < n; i++) {
                double s = problem.isBoxed(i)
                        ? (upper[i] - lower[i]) / 2
                        : Math.abs(offset[i]) > 0 ? Math.abs(offset[i]) : 1;
                scale[i] = s;
                lo[i] = (lower[i] - offset[i]) / s;
                hi[i] = (upper[i] - offset[i]) / s;
            }
            random = new SplittableRandom(problem.seed());
            mean = new double[n];
            this.sigma = sigma0;
            c = identity(n);
            b = identity(n);
            d = new double[n];
            Arrays.fill(d, 1);
            ps = new double[n];
            pc = new double[n];
            bestHistory = new double[10 + (int) Math.ceil(30.0 * n / lambda)];
            Arrays.fill(bestHistory, Double.NaN);
        }

        @Override
        public List<double[]> ask() {
            if (stopped) {
                return List.of();
            }
            askedY = new double[lambda][];
            asked = new ArrayList<>(lambda);
            for (int k = 0; k < lambda; k++) {
                double[] z = new double[n];
                for (int i = 0; i < n; i++) {
                    z[i] = gaussian();
                }
                // y = B D z, u = m + sigma y, repaired onto the bounds; y recomputed from the repaired u
                double[] u = new double[n];
                double[] y = new double[n];
                for (int i = 0; i < n; i++) {
                    double s = 0;
                    for (int j = 0; j < n; j++) {
                        s += b[i][j] * d[j] * z[j];
                    }
                    u[i] = Math.min(hi[i], Math.max(lo[i], mean[i] + sigma * s));
                    y[i] = (u[i] - mean[i]) / sigma;
                }
                askedY[k] = y;
                double[] x = new double[n];
                for (int i = 0; i < n; i++) {
                    x[i] = offset[i] + scale[i] * u[i];
                }
                asked.add(problem.clip(x));
            }
            return Collections.unmodifiableList(asked);
        }

        /** A standard normal deviate by the polar Box-Muller method, from the seeded generator only. */
        private double gaussian() {
            double v1;
            double v2;
            double s;
            do {
                v1 = 2 * random.nextDouble() - 1;
                v2 = 2 * random.nextDouble() - 1;
                s = v1 * v1 + v2 * v2;
            } while (s >= 1 || s == 0);
            return v1 * Math.sqrt(-2 * Math.log(s) / s);
        }

        @Override
        public void tell(List<double[]> points, double[] values) {
            if (asked == null || points.size() != lambda || values.length != lambda) {
                throw new IllegalStateException("tell() needs the " + lambda + " points of the last ask(), got "
                        + points.size() + " points and " + values.length + " values");
            }
            Integer[] order = new Integer[lambda];
            for (int k = 0; k < lambda; k++) {
                order[k] = k;
            }
            Arrays.sort(order, (a, bb) -> {
                int cmp = Double.compare(values[a], values[bb]);
                return cmp != 0 ? cmp : Integer.compare(a, bb);
            });
            // y_w = sum w_i y_{i:lambda};  m <- m + sigma y_w  (c_m = 1)
            double[] yw = new double[n];
            for (int i = 0; i < mu; i++) {
                double[] y = askedY[order[i]];
                for (int j = 0; j < n; j++) {
                    yw[j] += weights[i] * y[j];
                }
            }
            for (int j = 0; j < n; j++) {
                mean[j] += sigma * yw[j];
            }
            // p_sigma <- (1 - c_s) p_sigma + sqrt(c_s (2 - c_s) mu_eff) C^-1/2 y_w,  C^-1/2 = B D^-1 B^T
            double[] bty = new double[n];
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += b[i][j] * yw[i];
                }
                bty[j] = s / d[j];
            }
            double csFactor = Math.sqrt(cs * (2 - cs) * muEff);
            double psNorm2 = 0;
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += b[i][j] * bty[j];
                }
                ps[i] = (1 - cs) * ps[i] + csFactor * s;
                psNorm2 += ps[i] * ps[i];
            }
            double psNorm = Math.sqrt(psNorm2);
            generation++;
            boolean hsig = psNorm / Math.sqrt(1 - Math.pow(1 - cs, 2.0 * generation)) < (1.4 + 2.0 / (n + 1)) * chiN;
            double ccFactor = Math.sqrt(cc * (2 - cc) * muEff);
            for (int i = 0; i < n; i++) {
                pc[i] = (1 - cc) * pc[i] + (hsig ? ccFactor * yw[i] : 0);
            }
            // C <- (1 + c1 delta(h) - c1 - c_mu) C + c1 p_c p_c^T + c_mu sum w_i y_i y_i^T
            double deltaH = hsig ? 0 : cc * (2 - cc);
            double keep = 1 + c1 * deltaH - c1 - cmu;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    double rankMu = 0;
                    for (int k = 0; k < mu; k++) {
                        double[] y = askedY[order[k]];
                        rankMu += weights[k] * y[i] * y[j];
                    }
                    double v = keep * c[i][j] + c1 * pc[i] * pc[j] + cmu * rankMu;
                    c[i][j] = v;
                    c[j][i] = v;
                }
            }
            // sigma <- sigma exp((c_s / d_s) (|p_sigma| / E|N(0,I)| - 1)), the change limited to a factor e
            // per generation so that one wild generation cannot blow the step up
            sigma *= Math.exp(Math.min(1.0, (cs / damps) * (psNorm / chiN - 1)));
            decompose();
            double best = values[order[0]];
            bestHistory[(generation - 1) % bestHistory.length] = best;
            checkStop(values, order);
            asked = null;
        }

        private void decompose() {
            RealMatrix m = new Array2DRowRealMatrix(c, false);
            EigenDecompositionSymmetric e = new EigenDecompositionSymmetric(m);
            double[] ev = e.getEigenvalues();
            RealMatrix v = e.getV();
            for (int j = 0; j < n; j++) {
                d[j] = Math.sqrt(Math.max(ev[j], 1e-300));
                for (int i = 0; i < n; i++) {
                    b[i][j] = v.getEntry(i, j);
                }
            }
        }

        private void checkStop(double[] values, Integer[] order) {
            double maxD = 0;
            double minD = Double.POSITIVE_INFINITY;
            double maxStd = 0;
            for (int i = 0; i < n; i++) {
                maxD = Math.max(maxD, d[i]);
                minD = Math.min(minD, d[i]);
                maxStd = Math.max(maxStd, sigma * Math.sqrt(c[i][i]));
            }
            if (maxStd < TOL_X) {
                stop("converged: step " + maxStd + " below " + TOL_X + " (scaled) after " + generation
                        + " generations");
                return;
            }
            if ((maxD / minD) * (maxD / minD) > MAX_CONDITION) {
                stop("converged: condition number of the covariance above " + MAX_CONDITION + " after " + generation
                        + " generations");
                return;
            }
            if (generation >= bestHistory.length) {
                double hmin = Double.POSITIVE_INFINITY;
                double hmax = Double.NEGATIVE_INFINITY;
                for (double h : bestHistory) {
                    hmin = Math.min(hmin, h);
                    hmax = Math.max(hmax, h);
                }
                double spread = values[order[lambda - 1]] - values[order[0]];
                if (hmax - hmin < TOL_FUN && spread < TOL_FUN) {
                    stop("converged: losses within " + TOL_FUN + " over " + bestHistory.length + " generations after "
                            + generation + " generations");
                }
            }
        }

        private void stop(String why) {
            stopped = true;
            stopReason = why;
        }

        @Override
        public String stopReason() {
            return stopReason;
        }

        @Override
        public void close() {}

        private static double[][] identity(int n) {
            double[][] m = new double[n][n];
            for (int i = 0; i < n; i++) {
                m[i][i] = 1;
            }
            return m;
        }
    }
}
