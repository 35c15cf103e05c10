package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.LossFunction;
import org.chemfit.LossFunctions;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.chemfit.Reducer;
import org.chemfit.ResidualLoss;
import org.chemfit.support.ResidualScale;
import org.hipparchus.linear.LUDecomposition;
import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.RealVector;
import org.junit.jupiter.api.Test;

/**
 * The residual variance {@code s^2 = SSR / (m - n)} that goes with the standard errors, for a straight
 * line y = a + b t whose weighted least-squares answer is computed here by hand with Hipparchus'
 * linear algebra: {@code beta = (X^T W X)^-1 X^T W y}, {@code s^2 = sum w_i e_i^2 / (m - 2)} and the
 * covariance {@code s^2 (X^T W X)^-1}. Every loss the uncertainty supports is checked: the sum of
 * squares, the mean squared error (whose residuals are divided by {@code sqrt(m)}), a term's weight,
 * a mean of one-point terms (what an atoms term of the command line is), and terms of unequal
 * weights, where only the weighted residuals have a variance.
 */
class ResidualVarianceTest {

    static final double[] T = LeastSquaresTest.T;
    static final double[] Y = LeastSquaresTest.Y;

    /** The line over the points {@code from..to-1}, compared with their reference by {@code loss}. */
    static ObjectiveFunction line(int from, int to, LossFunction loss) {
        QuantityComputer qc = p -> {
            double[] y = new double[to - from];
            for (int i = from; i < to; i++) {
                y[i - from] = p.get("a") + p.get("b") * T[i];
            }
            return Quantities.builder().put("y", y).build();
        };
        return qc.withLoss(loss);
    }

    static double[] ys(int from, int to) {
        return Arrays.copyOfRange(Y, from, to);
    }

    /** The answer by hand for per-point weights {@code w}. */
    record Expected(double a, double b, double s2, RealMatrix cov) {}

    static Expected byHand(double[] w) {
        int m = T.length;
        RealMatrix x = MatrixUtils.createRealMatrix(m, 2);
        RealMatrix wm = MatrixUtils.createRealMatrix(m, m);
        for (int i = 0; i < m; i++) {
            x.setEntry(i, 0, 1);
            x.setEntry(i, 1, T[i]);
            wm.setEntry(i, i, w[i]);
        }
        RealMatrix xtw = x.transpose().multiply(wm);
        RealMatrix inv = new LUDecomposition(xtw.multiply(x)).getSolver().getInverse();
        RealVector beta = inv.operate(xtw.operate(MatrixUtils.createRealVector(Y)));
        double ssr = 0;
        for (int i = 0; i < m; i++) {
            double e = beta.getEntry(0) + beta.getEntry(1) * T[i] - Y[i];
            ssr += w[i] * e * e;
        }
        double s2 = ssr / (m - 2);
        return new Expected(beta.getEntry(0), beta.getEntry(1), s2, inv.scalarMultiply(s2));
    }

    static double[] ones() {
        double[] w = new double[T.length];
        Arrays.fill(w, 1.0);
        return w;
    }

    static Uncertainty fit(ObjectiveFunction objective, Expected e, String what) {
        FitResult r = new Fitter(objective, LeastSquaresTest.start("a", 0.5, "b", 1.5))
                .maxEvaluations(500)
                .fit("least-squares");
        String summary = what + ": " + r.bestParameters() + " after " + r.evaluations() + " evaluations";
        assertEquals(e.a(), r.bestParameters().get("a"), 1e-7, summary);
        assertEquals(e.b(), r.bestParameters().get("b"), 1e-7, summary);
        Uncertainty u = r.uncertainty();
        assertEquals(T.length, u.residuals(), summary);
        assertEquals(e.s2(), u.residualVariance(), 1e-7 * e.s2(), summary);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                double c = e.cov().getEntry(i, j);
                assertEquals(c, u.covariance()[i][j], 1e-7 * Math.abs(c), summary + " covariance " + i + j);
            }
        }
        assertEquals(
                Math.sqrt(e.cov().getEntry(0, 0)),
                u.standardErrors().get("a"),
                1e-7 * u.standardErrors().get("a"));
        assertEquals(
                Math.sqrt(e.cov().getEntry(1, 1)),
                u.standardErrors().get("b"),
                1e-7 * u.standardErrors().get("b"));
        return u;
    }

    @Test
    void theSumOfSquaresAndTheMeanSquaredErrorGiveTheSameVarianceOfTheErrors() {
        Expected e = byHand(ones());
        // the line's scatter: s^2 of the errors themselves, well above the loss of the mean
        Uncertainty sum = fit(line(0, 8, LossFunctions.sumOfSquares("y", Y)), e, "sum of squares");
        Uncertainty mean = fit(
                line(0, 8, LossFunctions.meanSquaredErrorOfArrays(Map.of("y", Y), Map.of())), e, "mean squared error");
        assertEquals(sum.residualVariance(), mean.residualVariance(), 1e-7 * sum.residualVariance());
        assertTrue(e.s2() > 0.01 && e.s2() < 1, "s^2 " + e.s2());
    }

    @Test
    void aTermsWeightOrAMeanOfOnePointTermsLeavesTheErrorsVariance() {
        Expected e = byHand(ones());
        fit(
                new CombinedObjectiveFunction(List.of(line(0, 8, LossFunctions.sumOfSquares("y", Y))), List.of(3.0)),
                e,
                "sum of squares of weight 3");
        fit(
                new CombinedObjectiveFunction(
                        List.of(line(0, 8, LossFunctions.meanSquaredErrorOfArrays(Map.of("y", Y), Map.of()))),
                        List.of(0.25)),
                e,
                "mean squared error of weight 0.25");
        // one term per point, each a squared error, reduced by their mean: an atoms term of the CLI
        List<ObjectiveFunction> points = new ArrayList<>();
        for (int i = 0; i < T.length; i++) {
            double t = T[i];
            QuantityComputer point = p -> Quantities.of("y", p.get("a") + p.get("b") * t);
            points.add(point.withLoss(LossFunctions.squaredError(Map.of("y", Y[i]))));
        }
        fit(new CombinedObjectiveFunction(points).withReducer(Reducer.MEAN), e, "mean of one-point terms");
        // two terms of equal weights and counts
        fit(
                new CombinedObjectiveFunction(List.of(
                        line(0, 4, LossFunctions.sumOfSquares("y", ys(0, 4))),
                        line(4, 8, LossFunctions.sumOfSquares("y", ys(4, 8))))),
                e,
                "two equal terms");
    }

    @Test
    void termsOfUnequalWeightsGiveTheVarianceOfTheWeightedResiduals() {
        // weights 1 and 4 on the two halves: weighted least squares
        double[] w = ones();
        for (int i = 4; i < 8; i++) {
            w[i] = 4;
        }
        Expected e = byHand(w);
        ObjectiveFunction weighted = new CombinedObjectiveFunction(
                List.of(
                        line(0, 4, LossFunctions.sumOfSquares("y", ys(0, 4))),
                        line(4, 8, LossFunctions.sumOfSquares("y", ys(4, 8)))),
                List.of(1.0, 4.0));
        assertTrue(Double.isNaN(ResidualScale.commonFactor(weighted)));
        fit(weighted, e, "weights 1 and 4");
        // mean squared errors over 2 and 6 points: each residual weighs 1 / count of its term
        double[] wm = new double[T.length];
        for (int i = 0; i < 8; i++) {
            wm[i] = i < 2 ? 0.5 : 1.0 / 6;
        }
        ObjectiveFunction means = new CombinedObjectiveFunction(List.of(
                line(0, 2, LossFunctions.meanSquaredErrorOfArrays(Map.of("y", ys(0, 2)), Map.of())),
                line(2, 8, LossFunctions.meanSquaredErrorOfArrays(Map.of("y", ys(2, 8)), Map.of()))));
        fit(means, byHand(wm), "mean squared errors over 2 and 6 points");
    }

    @Test
    void theCommonFactorIsTheOneEveryResidualCarries() {
        LossFunction mse = LossFunctions.meanSquaredErrorOfArrays(Map.of("y", Y), Map.of());
        assertEquals(1 / Math.sqrt(8), ResidualScale.commonFactor(line(0, 8, mse)), 1e-15);
        assertEquals(
                Math.sqrt(3) / Math.sqrt(8) / 0.5,
                ResidualScale.commonFactor(new CombinedObjectiveFunction(
                        List.of(line(0, 8, LossFunctions.meanSquaredErrorOfArrays(Map.of("y", Y), Map.of("y", 0.5)))),
                        List.of(3.0))),
                1e-14);
        assertEquals(0.5, ResidualScale.commonFactor(line(0, 8, LossFunctions.sumOfSquares("y", Y, 2.0))), 0.0);
        assertEquals(
                1 / Math.sqrt(2),
                ResidualScale.commonFactor(
                        line(0, 1, LossFunctions.meanSquaredError(Map.of("y", Y[0], "z", 1.0), Map.of()))),
                1e-15);
        // two quantities of different scales: no common factor
        assertTrue(Double.isNaN(ResidualScale.commonFactor(line(
                0,
                1,
                LossFunctions.squaredErrorOfArrays(
                        Map.of("y", new double[] {Y[0]}, "z", new double[] {1.0}), Map.of("z", 0.1))))));
        // a sum of losses with the same factor keeps it; a loss written by a user counts as the errors
        assertEquals(
                1.0,
                ResidualScale.commonFactor(line(
                        0, 8, LossFunctions.sum(LossFunctions.sumOfSquares("y", Y), (ResidualLoss)
                                q -> new double[] {q.get("y") - 1}))),
                0.0);
    }
}
