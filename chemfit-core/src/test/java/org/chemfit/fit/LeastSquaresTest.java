package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.chemfit.Bounds;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.LossFunctions;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.chemfit.schedule.AsyncWrapperCOB;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The least-squares methods, their finite-difference batches and the uncertainty at the optimum. */
class LeastSquaresTest {

    /** A straight line y = a + b t through 8 points with fixed scatter. */
    static final double[] T = {0, 1, 2, 3, 4, 5, 6, 7};

    static final double[] Y = {1.1, 2.9, 5.2, 6.8, 9.1, 11.0, 12.8, 15.3};

    static ObjectiveFunction line() {
        QuantityComputer qc = p -> {
            double[] y = new double[T.length];
            for (int i = 0; i < T.length; i++) {
                y[i] = p.get("a") + p.get("b") * T[i];
            }
            return Quantities.builder().put("y", y).build();
        };
        return qc.withLoss(LossFunctions.sumOfSquares("y", Y));
    }

    /** @return the line through the first two points of {@link #line()}, two residuals; "c", if given, is unused */
    static ObjectiveFunction twoPoints() {
        QuantityComputer qc = p -> Quantities.builder()
                .put("y", new double[] {p.get("a") + p.get("b") * T[0], p.get("a") + p.get("b") * T[1]})
                .build();
        return qc.withLoss(LossFunctions.sumOfSquares("y", new double[] {Y[0], Y[1]}));
    }

    /** @return parameters in the order given (the order of the optimizer's coordinates) */
    static Map<String, Double> start(Object... nameValue) {
        Map<String, Double> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.put((String) nameValue[i], (Double) nameValue[i + 1]);
        }
        return m;
    }

    /**
     * Parameters that change no residual (a potential whose species no structure holds) stay where they
     * start: in one SVD with a parameter the data barely determine, their zero singular values and its
     * small one came out mixed, and the step carried them from bound to bound, which changed no fit
     * residual and would spoil any held-out one.
     */
    @Test
    void parametersThatChangeNoResidualStayWhereTheyStart() {
        // a Buckingham-like sum over 12 distances: A exp(-r/rho) - C/r^6, A and rho strongly correlated,
        // C barely entering, s, t and q a trillionth of the energy (small singular values); u and v enter
        // nothing (zero ones), as the epsilon and sigma of a pair that no structure holds
        double[] rs = {2.2, 2.4, 2.6, 2.8, 3.0, 3.2, 3.4, 3.6, 3.8, 4.0, 4.2, 4.4};
        java.util.function.ToDoubleBiFunction<Map<String, Double>, Double> model =
                (p, r) -> p.get("A") * Math.exp(-r / p.get("rho"))
                        - 1e-6 * p.get("C") / Math.pow(r, 6)
                        + 1e-12 * (p.get("s") * r + p.get("t") * r * r + p.get("q") * r * r * r);
        Map<String, Double> truth = Map.of("A", 2000.0, "rho", 0.3, "C", 20.0, "s", 2.0, "t", 3.0, "q", 4.0);
        double[] ref = new double[rs.length];
        for (int i = 0; i < rs.length; i++) {
            ref[i] = model.applyAsDouble(truth, rs[i]) * (1 + 1e-6 * Math.sin(7 * i));
        }
        QuantityComputer qc = p -> {
            double[] e = new double[rs.length];
            for (int i = 0; i < rs.length; i++) {
                e[i] = model.applyAsDouble(p.asFlatMap(), rs[i]);
            }
            return Quantities.builder().put("e", e).build();
        };
        ObjectiveFunction f = qc.withLoss(LossFunctions.sumOfSquares("e", ref));
        Bounds bounds = Bounds.builder()
                .between("A", 500, 5000)
                .between("rho", 0.2, 0.4)
                .between("C", 1, 100)
                .between("u", 0.001, 0.1)
                .between("v", 2.5, 4.5)
                .between("s", 0.1, 10)
                .between("t", 0.1, 10)
                .between("q", 0.1, 10)
                .build();
        FitResult r = new Fitter(
                        f,
                        start(
                                "A", 1000.0, "rho", 0.25, "C", 50.0, "u", 0.0071753, "v", 3.4171, "s", 1.0, "t", 1.0,
                                "q", 1.0))
                .bounds(bounds)
                .maxEvaluations(3000)
                .fit("least-squares");
        assertEquals(0.0071753, r.bestParameters().get("u"), 0.0, r::toString);
        assertEquals(3.4171, r.bestParameters().get("v"), 0.0, r::toString);
        assertEquals(0.3, r.bestParameters().get("rho"), 1e-3, r::toString);
    }

    /** The line of {@link #line()} as a program that writes its values with 4 decimals computes it. */
    static ObjectiveFunction roundedLine() {
        QuantityComputer qc = p -> {
            double[] y = new double[T.length];
            for (int i = 0; i < T.length; i++) {
                y[i] = Math.round((p.get("a") + p.get("b") * T[i]) * 1e4) / 1e4;
            }
            return Quantities.builder().put("y", y).build();
        };
        return qc.withLoss(LossFunctions.sumOfSquares("y", Y));
    }

    /**
     * L-BFGS-B from the same start, where no displaced point moves the loss of outputs rounded to 4
     * decimals: its gradient is 0 and it stops there, "converged", as it would at a minimum. A
     * warning says that it stopped at its start and the two causes; a larger step fits the line
     * without it.
     */
    @Test
    void lbfgsbStoppedAtAStartThatNoStepMovedSaysSo() {
        FitResult r = new Fitter(roundedLine(), start("a", 0.5, "b", 1.5))
                .maxEvaluations(200)
                .fit("L-BFGS-B");
        assertEquals(StopReason.CONVERGED, r.stopReason(), r::toString);
        assertTrue(
                r.warnings().stream()
                        .anyMatch(w -> w.startsWith("L-BFGS-B stopped at its start: every displaced point of its"
                                + " gradient there gave the start's loss exactly, so the gradient was 0.")),
                r::toString);
        FitResult moved = new Fitter(roundedLine(), start("a", 0.5, "b", 1.5))
                .maxEvaluations(200)
                .fit(Optimizers.withRelativeStep(Optimizers.byName("L-BFGS-B"), 1e-3));
        assertTrue(moved.warnings().stream().noneMatch(w -> w.startsWith("L-BFGS-B stopped")), moved::toString);
        assertTrue(moved.bestLoss() < 0.01 * moved.initialLoss(), moved::toString);
    }

    /**
     * Outputs rounded to 4 decimals do not move over the default step of 1.5e-8: the Jacobian at the
     * start is zero, and the method once stopped there and called it converged. It refuses to start,
     * says why, and a larger step fits the line.
     */
    @ParameterizedTest
    @ValueSource(strings = {"least-squares", "levenberg-marquardt"})
    void aStartWhoseResidualsDoNotMoveOverTheStepIsRefusedNotCalledConverged(String method) {
        FitFailedException e = assertThrows(
                FitFailedException.class,
                () -> new Fitter(roundedLine(), start("a", 0.5, "b", 1.5))
                        .maxEvaluations(200)
                        .fit(method));
        String m = String.valueOf(e.getMessage());
        assertTrue(
                m.contains(method + " cannot start: no residual changed when each parameter was moved by its"
                        + " finite-difference step (1.49e-08 of its size, the larger of its value and its scale:"
                        + " a by 7.45e-09 from 0.5, b by 2.24e-08 from 1.5)"),
                m);
        assertTrue(
                m.contains("have the program write more (17 significant digits keep a double), start nearer that"
                        + " size, or give a larger relative step (in a job file optimizer.finite_difference_step:"
                        + " {relative: 1.0e-3})"),
                m);
        assertEquals(3, e.partialResult().orElseThrow().evaluations(), "the start and its two displaced points: " + m);
        FitResult r = new Fitter(roundedLine(), start("a", 0.5, "b", 1.5))
                .maxEvaluations(200)
                .fit(Optimizers.withRelativeStep(Optimizers.byName(method), 1e-3));
        Ols ols = ols();
        assertEquals(ols.a(), r.bestParameters().get("a"), 1e-3, r::toString);
        assertEquals(ols.b(), r.bestParameters().get("b"), 1e-3, r::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"least-squares", "levenberg-marquardt", "Nelder-Mead"})
    void theCovarianceOfALinearModelIsExact(String method) {
        FitResult r = new Fitter(line(), start("a", 0.5, "b", 1.5))
                .maxEvaluations(3000)
                .fit(method);
        // ordinary least squares by hand: X = [1, t]
        Ols ols = ols();
        double a = ols.a();
        double b = ols.b();
        double s2 = ols.s2();
        double[][] expected = ols.covariance();
        String summary = method + ": " + r.bestParameters() + " after " + r.evaluations() + " evaluations";
        assertEquals(a, r.bestParameters().get("a"), 1e-6, summary);
        assertEquals(b, r.bestParameters().get("b"), 1e-6, summary);
        Uncertainty u = r.uncertainty();
        assertEquals(List.of("a", "b"), u.estimated());
        assertEquals(s2, u.residualVariance(), 1e-8 * s2, summary);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                assertEquals(
                        expected[i][j],
                        u.covariance()[i][j],
                        1e-8 * Math.abs(expected[i][j]),
                        summary + " cov " + i + j);
            }
        }
        assertEquals(Math.sqrt(expected[1][1]), u.standardErrors().get("b"), 1e-8 * Math.sqrt(expected[1][1]));
        double rho = expected[0][1] / Math.sqrt(expected[0][0] * expected[1][1]);
        assertEquals(rho, u.correlation()[0][1], 1e-8);
        assertEquals(1.0, u.correlation()[1][1], 0.0);
        assertTrue(u.conditionNumber() > 1 && u.conditionNumber() < 100, "condition number " + u.conditionNumber());
    }

    /**
     * A model that jumps just below the best point (the line plus 1e6 at every point where a is
     * below a0, the least-squares intercept, so the loss is lowest at a0): the residuals move by
     * 1e6 per point on the step below and by almost nothing on the step above, so the difference
     * across them is no derivative, and the uncertainty says so instead of giving a standard error.
     */
    @ParameterizedTest
    @ValueSource(strings = {"least-squares", "Nelder-Mead"})
    void residualsThatJumpAtAStepGiveNoStandardError(String method) {
        double a0 = ols().a();
        QuantityComputer qc = p -> {
            double[] y = new double[T.length];
            for (int i = 0; i < T.length; i++) {
                y[i] = p.get("a") + p.get("b") * T[i] + (p.get("a") < a0 ? 1e6 : 0);
            }
            return Quantities.builder().put("y", y).build();
        };
        // started above the jump, where the residuals are the line's
        FitResult r = new Fitter(qc.withLoss(LossFunctions.sumOfSquares("y", Y)), start("a", 2.0, "b", 1.5))
                .maxEvaluations(3000)
                .fit(method);
        assertEquals(a0, r.bestParameters().get("a"), 1e-6, r.toString());
        assertNull(r.uncertainty(), r.toString());
        String w = r.warnings().stream()
                .filter(x -> x.startsWith("the uncertainty was not estimated: the residuals jump"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(r.warnings().toString()));
        assertTrue(w.contains("at the finite-difference steps of 'a' (by "), w);
        assertTrue(!w.contains("'b'"), "b's residuals move alike on both sides: " + w);
        // below: 8 residuals moved by 1e6 (and the step); the residuals' norm is that of the line's fit
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "by (\\S+) above it and (\\S+) below, against residuals of norm (\\S+)\\)")
                .matcher(w);
        assertTrue(m.find(), w);
        assertEquals(1e6 * Math.sqrt(8), Double.parseDouble(m.group(2)), 1e-3 * 1e6 * Math.sqrt(8), w);
        assertTrue(Double.parseDouble(m.group(1)) < 1e-3, w);
        assertEquals(Math.sqrt(ols().s2() * (T.length - 2)), Double.parseDouble(m.group(3)), 1e-3, w);
    }

    /**
     * At a point where a parameter's slope is 0 (d of y = a + b t + d^2, at d = 0) the residuals
     * move alike on both sides: no jump is said, and d is named as changing no residual, as before.
     */
    @Test
    void aParameterOfSlopeZeroIsNoJump() {
        QuantityComputer qc = p -> {
            double[] y = new double[T.length];
            for (int i = 0; i < T.length; i++) {
                y[i] = p.get("a") + p.get("b") * T[i] + p.get("d") * p.get("d");
            }
            return Quantities.builder().put("y", y).build();
        };
        FitResult r = new Fitter(qc.withLoss(LossFunctions.sumOfSquares("y", Y)), start("a", 0.5, "b", 1.5, "d", 0.0))
                .maxEvaluations(3000)
                .fit("Nelder-Mead");
        assertTrue(
                r.warnings().stream().noneMatch(x -> x.contains("jump")),
                r.warnings().toString());
    }

    /**
     * A term that fails at a step of the uncertainty, after the method converged, leaves the fit
     * converged; the warning gives the term's failure, not a fit that stopped.
     */
    @Test
    void aTermThatFailsAtAStepOfTheUncertaintyLeavesTheFitConverged() {
        double a0 = ols().a();
        QuantityComputer qc = p -> {
            double a = p.get("a");
            // the step below the best point: cbrt(eps) times the start, 2
            double h = FiniteDifferences.CENTRAL_STEP * 2;
            if (Math.abs(a - (a0 - h)) < 1e-8) {
                throw new IllegalStateException("the program found no output below a = " + a0);
            }
            double[] y = new double[T.length];
            for (int i = 0; i < T.length; i++) {
                y[i] = a + p.get("b") * T[i];
            }
            return Quantities.builder().put("y", y).build();
        };
        FitResult r = new Fitter(qc.withLoss(LossFunctions.sumOfSquares("y", Y)), start("a", 2.0, "b", 1.5))
                .maxEvaluations(3000)
                .fit("least-squares");
        assertEquals(StopReason.CONVERGED, r.stopReason(), r.toString());
        assertNull(r.uncertainty(), r.toString());
        String w = r.warnings().stream()
                .filter(x -> x.startsWith("the uncertainty was not estimated: an evaluation at a finite-difference"
                        + " step from the best point failed: "))
                .findFirst()
                .orElseThrow(() -> new AssertionError(r.warnings().toString()));
        assertTrue(w.contains("the program found no output below a = "), w);
        assertTrue(!w.contains("the fit stopped"), w);
    }

    /**
     * Residuals of 1e200 just below the best point (a program's huge values past a threshold) are
     * finite, but the sum of their squares is not: said so, not taken for a singular Jacobian.
     */
    @Test
    void residualsWhoseSquaresOverflowAtAStepGiveNoStandardError() {
        double a0 = ols().a();
        QuantityComputer qc = p -> {
            double[] y = new double[T.length];
            for (int i = 0; i < T.length; i++) {
                y[i] = p.get("a") + p.get("b") * T[i] + (p.get("a") < a0 ? 1e200 : 0);
            }
            return Quantities.builder().put("y", y).build();
        };
        // started above the threshold, where the residuals are the line's
        FitResult r = new Fitter(qc.withLoss(LossFunctions.sumOfSquares("y", Y)), start("a", 2.0, "b", 1.5))
                .maxEvaluations(3000)
                .fit("Nelder-Mead");
        assertEquals(a0, r.bestParameters().get("a"), 1e-6, r.toString());
        assertNull(r.uncertainty(), r.toString());
        assertTrue(
                r.warnings()
                        .contains("the uncertainty was not estimated: the residuals at a finite-difference step of 'a'"
                                + " from the best point are finite, but the sum of their squares is beyond a double"),
                r.warnings().toString());
    }

    /**
     * A fit its budget stopped still gets standard errors when the budget or the method's own points
     * give a Jacobian, with a warning that they are of a point that need not be the minimum, and,
     * when so, taken by forward differences.
     */
    @Test
    void standardErrorsOfAFitItsBudgetStoppedSaySo() {
        int said = 0;
        int forward = 0;
        for (int budget = 4; budget <= 40; budget++) {
            FitResult r = new Fitter(line(), start("a", 0.5, "b", 1.5))
                    .maxEvaluations(budget)
                    .fit("least-squares");
            if (r.stopReason() != StopReason.MAX_EVALUATIONS || r.uncertainty() == null) {
                assertTrue(
                        r.warnings().stream().noneMatch(w -> w.contains("stopped at its budget before it converged")),
                        r.warnings().toString());
                continue;
            }
            String w = r.uncertainty().warnings().stream()
                    .filter(x -> x.startsWith("the fit stopped at its budget before it converged: the standard errors"
                            + " are of its best point so far, which need not be the minimum their linearised model"
                            + " assumes"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(r.warnings().toString()));
            assertTrue(r.warnings().contains(w), r.warnings().toString());
            said++;
            if (r.uncertainty().warnings().stream()
                    .anyMatch(x -> x.equals("the standard errors are taken by forward differences, as the budget had no"
                            + " room for central ones: one-sided, they cannot show whether the model jumps beside"
                            + " the best point; a larger budget gives central ones"))) {
                forward++;
            }
        }
        assertTrue(said > 0, "some budget stops the fit with an uncertainty");
        assertTrue(forward > 0, "some budget leaves the method's forward differences alone");
    }

    /** The same line without its kink: the slopes agree on both sides, and the standard errors are there. */
    @Test
    void smoothResidualsStillGiveStandardErrors() {
        FitResult r = new Fitter(line(), start("a", 0.5, "b", 1.5))
                .maxEvaluations(3000)
                .fit("Nelder-Mead");
        assertTrue(r.uncertainty() != null, r.toString());
        assertTrue(
                r.warnings().stream().noneMatch(x -> x.contains("not smooth")),
                r.warnings().toString());
    }

    @Test
    void aParameterThatChangesNoResidualIsNamedAndLeftOut() {
        QuantityComputer qc = p -> Quantities.builder()
                .put("y", new double[] {p.get("a") - 1, p.get("a") + 1, 2 * p.get("a")})
                .build();
        FitResult r = new Fitter(
                        qc.withLoss(LossFunctions.sumOfSquares("y", new double[] {0, 0, 0})),
                        start("a", 0.5, "unused", 2.0))
                .fit("least-squares");
        Uncertainty u = r.uncertainty();
        assertEquals(List.of("unused"), u.noEffect());
        assertEquals(List.of("a"), u.estimated());
        assertTrue(
                r.warnings().stream().anyMatch(w -> w.contains("'unused' change no residual")),
                r.warnings().toString());
        assertEquals(0.0, r.bestParameters().get("a"), 1e-7);
        assertTrue(
                r.warnings().stream().noneMatch(w -> w.contains("too small")),
                r.warnings().toString());
    }

    /** A parameter started at 1e-30 has a step of about 1e-38, which changes no residual: said so. */
    @Test
    void aTinyStartIsNamedAsAPossibleReasonForNoEffect() {
        QuantityComputer qc = p -> Quantities.builder()
                .put("y", new double[] {p.get("x") - 1, p.get("y") - 2, p.get("x") * p.get("y") - 2.1})
                .build();
        FitResult r = new Fitter(
                        qc.withLoss(LossFunctions.sumOfSquares("y", new double[] {0, 0, 0})),
                        start("x", 1e-30, "y", 1.0))
                .fit("least-squares");
        assertTrue(
                r.warnings().stream()
                        .anyMatch(w -> w.contains("'x' change no residual")
                                && w.endsWith("the finite-difference step, relative to the start's size, was too small"
                                        + " to change a residual for 'x' = 1.0E-30: start such a parameter nearer its"
                                        + " real size, or at 0")),
                r.warnings().toString());
    }

    @Test
    void nearlyDegenerateParametersAreNamed() {
        // y depends on a + b only, up to a tiny term
        QuantityComputer qc = p -> {
            double[] y = new double[T.length];
            for (int i = 0; i < T.length; i++) {
                y[i] = (p.get("a") + p.get("b")) * T[i] + 1e-6 * p.get("a") * T[i] * T[i];
            }
            return Quantities.builder().put("y", y).build();
        };
        FitResult r = new Fitter(qc.withLoss(LossFunctions.sumOfSquares("y", Y)), start("a", 1.0, "b", 1.0, "c", 1.0))
                .fit("least-squares");
        assertTrue(
                r.warnings().stream()
                        .anyMatch(w -> w.contains("nearly singular")
                                && w.contains("'a'")
                                && w.contains("'b'")
                                && !w.contains("'c'")),
                r.warnings().toString());
        assertTrue(r.uncertainty().conditionNumber() > 1e10);
    }

    /**
     * Two parameters that enter only as their sum: the Jacobian of central differences has a
     * smallest singular value at the differences' noise (about 1e-11 of the largest, not 0), which
     * counts as singular; the pair gets no standard errors, and the parameter the data determine
     * gets those of the fit with the sum as one parameter.
     */
    @Test
    void parametersDeterminedOnlyAsASumGetNoStandardErrorsAndTheOthersThoseOfTheSumAsOne() {
        QuantityComputer pair = p -> {
            double[] y = new double[T.length];
            for (int i = 0; i < T.length; i++) {
                y[i] = p.get("a") + p.get("b") + p.get("c") * T[i];
            }
            return Quantities.builder().put("y", y).build();
        };
        QuantityComputer one = p -> {
            double[] y = new double[T.length];
            for (int i = 0; i < T.length; i++) {
                y[i] = p.get("e") + p.get("c") * T[i];
            }
            return Quantities.builder().put("y", y).build();
        };
        FitResult r = new Fitter(pair.withLoss(LossFunctions.sumOfSquares("y", Y)), start("a", 0.3, "b", 0.4, "c", 1.5))
                .fit("least-squares");
        FitResult sum = new Fitter(one.withLoss(LossFunctions.sumOfSquares("y", Y)), start("e", 0.7, "c", 1.5))
                .fit("least-squares");
        Uncertainty u = r.uncertainty();
        assertEquals(Double.POSITIVE_INFINITY, u.conditionNumber());
        assertTrue(
                r.warnings()
                        .contains("J^T J is singular: the data determine only a combination of 'a', 'b', so they"
                                + " get no standard errors; those of the other parameters are those of a fit with that"
                                + " combination as one parameter"),
                r.warnings().toString());
        assertTrue(Double.isNaN(u.standardErrors().get("a")), u.standardErrors().toString());
        assertTrue(Double.isNaN(u.standardErrors().get("b")), u.standardErrors().toString());
        double se = sum.uncertainty().standardErrors().get("c");
        assertEquals(se, u.standardErrors().get("c"), 1e-6 * se);
        // c and the undetermined pair: no correlation; c with itself: 1
        assertTrue(Double.isNaN(u.correlation()[0][2]), java.util.Arrays.deepToString(u.correlation()));
        assertEquals(1.0, u.correlation()[2][2]);
    }

    /**
     * Three parameters in one undetermined combination, one of them with a small part in it (a
     * moves by 0.01 of b and c): each is free, so none gets a standard error, however small its part.
     */
    @Test
    void everyParameterWithAPartInAnUndeterminedCombinationGetsNoStandardError() {
        QuantityComputer qc = p -> {
            double[] y = new double[T.length];
            for (int i = 0; i < T.length; i++) {
                double t = T[i];
                y[i] = p.get("a") * t * t + p.get("b") * (t + 0.01 * t * t) - p.get("c") * t + p.get("e");
            }
            return Quantities.builder().put("y", y).build();
        };
        FitResult r = new Fitter(
                        qc.withLoss(LossFunctions.sumOfSquares("y", Y)), start("a", 0.1, "b", 1.0, "c", 0.5, "e", 1.0))
                .fit("least-squares");
        Uncertainty u = r.uncertainty();
        for (String free : List.of("a", "b", "c")) {
            assertTrue(Double.isNaN(u.standardErrors().get(free)), free + ": " + u.standardErrors());
        }
        assertTrue(
                Double.isFinite(u.standardErrors().get("e")), u.standardErrors().toString());
        assertTrue(
                r.warnings().stream()
                        .anyMatch(w -> w.startsWith(
                                "J^T J is singular: the data determine only a combination of 'a', 'b', 'c', so they")),
                r.warnings().toString());
    }

    /** A model that gives the reference values exactly: standard errors of 0, said to mean nothing; correlations kept. */
    @Test
    void anExactFitSaysItsStandardErrorsOf0MeanNothingAndKeepsItsCorrelations() {
        double[] exact = new double[T.length];
        for (int i = 0; i < T.length; i++) {
            exact[i] = 0.5 + 2.0 * T[i];
        }
        QuantityComputer qc = p -> {
            double[] y = new double[T.length];
            for (int i = 0; i < T.length; i++) {
                y[i] = p.get("a") + p.get("b") * T[i];
            }
            return Quantities.builder().put("y", y).build();
        };
        FitResult r = new Fitter(qc.withLoss(LossFunctions.sumOfSquares("y", exact)), start("a", 0.5, "b", 2.0))
                .maxEvaluations(20)
                .fit("least-squares");
        Uncertainty u = r.uncertainty();
        assertEquals(0.0, u.standardErrors().get("a"));
        assertTrue(
                r.warnings().stream().anyMatch(w -> w.startsWith("the residuals are all 0")),
                r.warnings().toString());
        // the correlation of intercept and slope over T = 0..7: -sum(T) / sqrt(n sum(T^2))
        double sumT = 28;
        double sumT2 = 140;
        assertEquals(-sumT / Math.sqrt(T.length * sumT2), u.correlation()[0][1], 1e-6);
    }

    /**
     * A failed term under a penalty or skipped gives no residuals: the least-squares methods refuse
     * such a combination before evaluating anything; other methods fit it with its uncertainty.
     */
    @Test
    void aPenaltyOrSkippedFailedTermIsRefusedByTheLeastSquaresMethods() {
        QuantityComputer qc = p -> Quantities.builder().put("e", p.get("x")).build();
        CombinedObjectiveFunction c = new CombinedObjectiveFunction(List.of(
                        qc.withLoss(LossFunctions.squaredError(Map.of("e", 1.0))),
                        qc.withLoss(LossFunctions.squaredError(Map.of("e", 2.0)))))
                .withTermNames(List.of("energy", "dipole"));
        for (String method : List.of("least-squares", "levenberg-marquardt")) {
            IllegalArgumentException penalty = assertThrows(
                    IllegalArgumentException.class,
                    () -> new Fitter(c.withFailurePolicy(org.chemfit.FailurePolicy.penalty(100)), Map.of("x", 0.0))
                            .fit(method));
            assertEquals(
                    "least squares needs the residuals of every point, but the objective gives a failed term a"
                            + " penalty, which has no residuals (use FailurePolicy.raise())",
                    penalty.getMessage());
            IllegalArgumentException skip = assertThrows(
                    IllegalArgumentException.class,
                    () -> new Fitter(c.withFailurePolicy(org.chemfit.FailurePolicy.skip()), Map.of("x", 0.0))
                            .fit(method));
            assertTrue(skip.getMessage().contains("the objective skips a failed term"), skip.getMessage());
        }
        FitResult r =
                new Fitter(c.withFailurePolicy(org.chemfit.FailurePolicy.skip()), Map.of("x", 0.0)).fit("Nelder-Mead");
        assertEquals(1.5, r.bestParameters().get("x"), 1e-3);
        assertTrue(r.uncertainty() != null, r.toString());
    }

    @Test
    void aLossThatIsNotASumOfSquaresIsRefusedNamingTheTerm() {
        QuantityComputer qc = p -> Quantities.builder().put("e", p.get("x")).build();
        CombinedObjectiveFunction c = new CombinedObjectiveFunction(List.of(
                        qc.withLoss(LossFunctions.squaredError(Map.of("e", 1.0))),
                        qc.withLoss(LossFunctions.absoluteError(Map.of("e", 2.0)))))
                .withTermNames(List.of("energy", "dipole"));
        for (String method : List.of("least-squares", "levenberg-marquardt")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> new Fitter(c, Map.of("x", 0.0)).fit(method));
            assertTrue(
                    e.getMessage().contains("term 'dipole' has a loss that is not a sum of squares"), e.getMessage());
        }
        // other methods fit it, without an uncertainty (it needs residuals)
        FitResult r = new Fitter(c, Map.of("x", 0.0)).fit("Nelder-Mead");
        assertNull(r.uncertainty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"least-squares", "levenberg-marquardt"})
    void everyPointLiesWithinTheBoundsAndAnActiveBoundIsReached(String method) {
        // the unbounded optimum is at b = 2.0; the bound stops it at 1.8
        List<double[]> seen = Collections.synchronizedList(new ArrayList<>());
        Bounds bounds =
                Bounds.builder().between("a", -5, 5).between("b", 0.5, 1.8).build();
        Fitter f = new Fitter(line(), start("a", 0.0, "b", 1.0))
                .bounds(bounds)
                .maxEvaluations(500)
                .listener((n, ctx, v) -> seen.add(new double[] {
                    ctx.parameters().get("a"), ctx.parameters().get("b")
                }));
        FitResult r = f.fit(method);
        assertTrue(seen.size() == r.evaluations() && seen.size() > 5);
        for (double[] p : seen) {
            assertTrue(
                    p[0] >= -5 && p[0] <= 5 && p[1] >= 0.5 && p[1] <= 1.8, method + " evaluated " + p[0] + ", " + p[1]);
        }
        assertEquals(1.8, r.bestParameters().get("b"), 1e-6, method + " " + r.bestParameters());
        assertEquals(List.of("b"), r.uncertainty().atBound());
        String advice = "levenberg-marquardt ended with 'b' on a bound; it has no bounds of its own";
        if (method.equals("levenberg-marquardt")) {
            // projected onto the bound, Levenberg-Marquardt stops short in the other parameter:
            // the reason least-squares is the method for a fit with an active bound, which it says
            assertTrue(
                    r.warnings().stream()
                            .anyMatch(w -> w.startsWith(advice)
                                    && w.endsWith("fit again with method least-squares," + " which handles bounds")),
                    r.warnings().toString());
            return;
        }
        assertTrue(
                r.warnings().stream().noneMatch(w -> w.contains(advice)),
                r.warnings().toString());
        // with b fixed at 1.8, a = mean(y - 1.8 t)
        double a = 0;
        for (int i = 0; i < T.length; i++) {
            a += (Y[i] - 1.8 * T[i]) / T.length;
        }
        assertEquals(a, r.bestParameters().get("a"), 1e-5, method + " " + r.bestParameters());
        assertEquals(List.of("a"), r.uncertainty().estimated());
    }

    /**
     * The displaced points of one Jacobian run at once: the first batch's n = 3 points each wait
     * on a latch that only opens when all three have started, so a serial run would never get past
     * it; the second batch (a trial point and its 3 displaced points) likewise with 4.
     */
    @Test
    void theDisplacedPointsOfOneJacobianRunConcurrently() throws Exception {
        int n = 3;
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        CountDownLatch firstJacobian = new CountDownLatch(n);
        CountDownLatch secondBatch = new CountDownLatch(n + 1);
        List<Boolean> opened = Collections.synchronizedList(new ArrayList<>());
        QuantityComputer qc = p -> {
            int k = calls.getAndIncrement();
            int now = running.incrementAndGet();
            maxRunning.accumulateAndGet(now, Math::max);
            try {
                if (k >= 1 && k <= n) {
                    firstJacobian.countDown();
                    opened.add(firstJacobian.await(30, TimeUnit.SECONDS));
                } else if (k > n && k <= 2 * n + 1) {
                    secondBatch.countDown();
                    opened.add(secondBatch.await(30, TimeUnit.SECONDS));
                }
                double x = p.get("x");
                double y = p.get("y");
                double z = p.get("z");
                return Quantities.builder()
                        .put("r", new double[] {x - 1, 10 * (y - x * x), z + 0.5, x * (z + 0.5)})
                        .build();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                running.decrementAndGet();
            }
        };
        CombinedObjectiveFunction c = new CombinedObjectiveFunction(
                List.of(qc.withLoss(LossFunctions.sumOfSquares("r", new double[] {0, 0, 0, 0}))));
        ExecutorService pool = Executors.newFixedThreadPool(n + 1);
        FitResult r;
        try (AsyncWrapperCOB ob = new AsyncWrapperCOB(c, pool)) {
            r = new Fitter(ob, start("x", -1.2, "y", 1.0, "z", 0.3))
                    .maxEvaluations(400)
                    .fit("least-squares");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(
                List.of(true, true, true, true, true, true, true),
                opened,
                "the 3 displaced points of the first Jacobian, then the 4 points of the second batch, were running together");
        assertEquals(n + 1, maxRunning.get(), "never more than one batch at a time");
        // rounds: the start, the n points of its Jacobian, one batch of n + 1 per iteration, the 2n
        // points of the uncertainty
        int iterations = (r.evaluations() - 1 - n - 2 * n) / (n + 1);
        assertEquals(r.evaluations(), 1 + n + iterations * (n + 1) + 2 * n);
        assertEquals(1 + 1 + iterations + 1, r.rounds(), "evaluations " + r.evaluations());
        assertTrue(r.bestLoss() < 1e-6, "loss " + r.bestLoss() + " at " + r.bestParameters());
    }

    @Test
    void roundsCountBatchesForEveryMethod() {
        FitResult nm = new Fitter(line(), start("a", 0.5, "b", 1.5))
                .maxEvaluations(300)
                .fit("Nelder-Mead");
        // one point per round, plus the uncertainty's 4 points in one round
        assertEquals(
                nm.evaluations() - 4 + 1, nm.rounds(), nm.evaluations() + " evaluations, " + nm.steps() + " steps");
        FitResult noUnc = new Fitter(line(), start("a", 0.5, "b", 1.5))
                .maxEvaluations(300)
                .uncertainty(false)
                .fit("Nelder-Mead");
        assertEquals(noUnc.evaluations(), noUnc.rounds());
        assertNull(noUnc.uncertainty());
        // Nelder-Mead asks for its start again first: that point was evaluated already, so the ask
        // is neither a round nor a step
        assertEquals(nm.rounds(), nm.steps() + 2);
    }

    /**
     * Steps leave out the first evaluation and the uncertainty round (docs/job-file.md,
     * evaluations.steps): a Nelder-Mead fit that ends normally has one step per evaluation of the
     * method, and one that a failed term stops counts the batch that failed, as its rounds do.
     */
    @Test
    void stepsLeaveOutTheFirstEvaluationAndTheUncertaintyRound() {
        FitResult nm = new Fitter(line(), start("a", 0.5, "b", 1.5))
                .maxEvaluations(300)
                .fit("Nelder-Mead");
        assertEquals(StopReason.CONVERGED, nm.stopReason());
        // 1 start + steps + 4 points of the central-difference Jacobian of 2 parameters
        assertEquals(nm.evaluations() - 1 - 4, nm.steps(), nm.evaluations() + " evaluations");
        assertEquals(1 + nm.steps() + 1, nm.rounds());

        AtomicInteger calls = new AtomicInteger();
        ObjectiveFunction breaksAtSixth = p -> {
            if (calls.incrementAndGet() > 5) {
                throw new IllegalStateException("simulation crashed");
            }
            return line().evaluate(p);
        };
        var combined = new CombinedObjectiveFunction(List.of(breaksAtSixth));
        FitFailedException e = assertThrows(
                FitFailedException.class, () -> new Fitter(combined, start("a", 0.5, "b", 1.5)).fit("Nelder-Mead"));
        FitResult failed = e.partialResult().orElseThrow();
        assertEquals(StopReason.FAILED, failed.stopReason());
        // e0 the start, e1 to e4 the method's, e5 the one that failed: 5 steps, 6 rounds
        assertEquals(6, failed.evaluations());
        assertEquals(5, failed.steps());
        assertEquals(6, failed.rounds());
    }

    @Test
    void finiteDifferenceStepsFollowScaleAndBounds() {
        Problem p = new Problem(
                List.of("a", "b", "c"),
                new double[] {2.0, 0.0, 0.999999999},
                new double[] {0, -1, 0},
                new double[] {10, 1, 1},
                10,
                1);
        FiniteDifferences fwd = new FiniteDifferences(p, false, Double.NaN);
        List<double[]> pts = fwd.displaced(new double[] {2.0, 0.0, 0.999999999});
        assertEquals(3, pts.size());
        // a: rel * max(|x|, |start|) forward
        assertEquals(2.0 + FiniteDifferences.FORWARD_STEP * 2.0, pts.get(0)[0], 1e-15);
        // b starts at 0: its scale is half its range, 1
        assertEquals(FiniteDifferences.FORWARD_STEP, pts.get(1)[1], 1e-20);
        // c: too close to its upper bound for a forward step, so backward
        assertTrue(pts.get(2)[2] < 0.999999999 && pts.get(2)[2] >= 0);
        FiniteDifferences central = new FiniteDifferences(p, true, Double.NaN);
        List<double[]> cp = central.displaced(new double[] {2.0, 0.0, 0.999999999});
        assertEquals(6, cp.size());
        for (double[] x : cp) {
            assertTrue(x[2] <= 1.0 && x[1] >= -1 && x[0] >= 0, java.util.Arrays.toString(x));
        }
    }

    @Test
    void theUncertaintyNeverExceedsTheBudget() {
        // Nelder-Mead uses its whole budget: no room for the 4 points, so no uncertainty, and a warning
        FitResult nm =
                new Fitter(line(), start("a", 0.5, "b", 1.5)).maxEvaluations(30).fit("Nelder-Mead");
        assertEquals(30, nm.evaluations());
        assertNull(nm.uncertainty());
        assertTrue(
                nm.warnings()
                        .contains("the uncertainty was not estimated: it takes the Jacobian of the residuals at"
                                + " the best point, by finite differences after the fit; central differences need"
                                + " 4 evaluations (2 per free parameter), and forward differences, its fallback"
                                + " when the budget is short, 2 more evaluations (1 per free parameter, less those"
                                + " evaluated already), but the evaluation budget has none left: raise the budget,"
                                + " so that the fit converges before it ends"),
                nm.warnings().toString());
        // one free parameter: one evaluation, said in the singular
        FitResult one = new Fitter(line(), start("a", 0.5, "b", 1.5))
                .fixed("b")
                .maxEvaluations(20)
                .fit("Nelder-Mead");
        assertEquals(20, one.evaluations());
        assertNull(one.uncertainty());
        assertTrue(
                one.warnings().stream()
                        .anyMatch(w -> w.contains("central differences need 2 evaluations (2 per free parameter),"
                                + " and forward differences, its fallback when the budget is short, 1 more"
                                + " evaluation (1 per free parameter, less those evaluated already), but the"
                                + " evaluation budget has none left: raise the budget")),
                one.warnings().toString());
        // as many residuals as free parameters: no residual variance whatever the budget, and the
        // warning says so, not that the budget is short
        FitResult square = new Fitter(twoPoints(), start("a", 0.5, "b", 1.5))
                .maxEvaluations(30)
                .fit("Nelder-Mead");
        assertEquals(30, square.evaluations());
        assertNull(square.uncertainty());
        assertEquals(
                List.of("the uncertainty cannot be estimated: the fit has 2 residuals and 2 free parameters, and the"
                        + " residual variance SSR/(m - n) needs more residuals than parameters"),
                square.warnings());
        FitResult single = new Fitter(twoPoints(), start("a", 0.5, "b", 1.5, "c", 0.0))
                .maxEvaluations(30)
                .fit("Nelder-Mead");
        assertNull(single.uncertainty());
        assertEquals(
                List.of("the uncertainty cannot be estimated: the fit has 2 residuals and 3 free parameters, and the"
                        + " residual variance SSR/(m - n) needs more residuals than parameters"),
                single.warnings());
        // least-squares converges within 12: the forward differences it evaluated around its best point serve
        FitResult ls =
                new Fitter(line(), start("a", 0.5, "b", 1.5)).maxEvaluations(12).fit("least-squares");
        assertTrue(ls.evaluations() <= 12, ls.evaluations() + " evaluations");
        FitResult free = new Fitter(line(), start("a", 0.5, "b", 1.5)).fit("least-squares");
        assertEquals(free.bestLoss(), ls.bestLoss(), 1e-12 * free.bestLoss());
        double se = free.uncertainty().standardErrors().get("b");
        assertEquals(se, ls.uncertainty().standardErrors().get("b"), 1e-6 * se);
    }

    /**
     * A parameter at a bound is left out of the covariance, so it does not count against the
     * residuals: two residuals and two free parameters, one of them at its bound, leave one to
     * estimate from two residuals. A short budget is then said to be the reason (a larger one gives
     * the other's standard error), not that no budget would do.
     */
    @Test
    void aParameterAtABoundDoesNotCountAgainstTheResiduals() {
        // y0 = a, y1 = a + b against 1.1 and 2.9: b stops at its bound 1.5, where a = 1.25
        Bounds bounds = Bounds.builder().upper("b", 1.5).build();
        FitResult shortBudget = new Fitter(twoPoints(), start("a", 0.5, "b", 1.5))
                .bounds(bounds)
                .maxEvaluations(30)
                .fit("Nelder-Mead");
        assertEquals(30, shortBudget.evaluations());
        assertEquals(1.5, shortBudget.bestParameters().get("b"), 0.0);
        assertNull(shortBudget.uncertainty());
        assertEquals(
                List.of(
                        "the uncertainty was not estimated: it takes the Jacobian of the residuals at the best point,"
                                + " by finite differences after the fit; central differences need 4 evaluations (2"
                                + " per free parameter), and forward differences, its fallback when the budget is"
                                + " short, 2 more evaluations (1 per free parameter, less those evaluated already),"
                                + " but the evaluation budget has none left: raise the budget, so that the fit"
                                + " converges before it ends",
                        "parameter 'b' = 1.5 is at or near its upper bound 1.5 (bounds [-inf, 1.5])"),
                shortBudget.warnings());
        // the larger budget the warning asks for: residuals 1.1 - a and 2.9 - a - 1.5 = +-0.15, so
        // s^2 = 0.045 / (2 - 1), J^T J = 2 for a, and its standard error sqrt(0.045 / 2) = 0.15
        FitResult enough = new Fitter(twoPoints(), start("a", 0.5, "b", 1.5))
                .bounds(bounds)
                .maxEvaluations(300)
                .fit("Nelder-Mead");
        assertEquals(1.25, enough.bestParameters().get("a"), 1e-6);
        assertEquals(List.of("b"), enough.uncertainty().atBound());
        assertEquals(0.15, enough.uncertainty().standardErrors().get("a"), 1e-6);
        // y0 = a + c: a third parameter to estimate, two residuals for two, which no budget helps
        QuantityComputer three = p -> Quantities.builder()
                .put("y", new double[] {p.get("a") + p.get("c"), p.get("a") + p.get("b")})
                .build();
        FitResult cannot = new Fitter(
                        three.withLoss(LossFunctions.sumOfSquares("y", new double[] {Y[0], Y[1]})),
                        start("a", 0.5, "b", 1.5, "c", 0.0))
                .bounds(bounds)
                .maxEvaluations(30)
                .fit("BOBYQA");
        assertEquals(1.5, cannot.bestParameters().get("b"), 0.0);
        assertNull(cannot.uncertainty());
        assertEquals(
                List.of(
                        "the uncertainty cannot be estimated: the fit has 2 residuals and 3 free parameters (1 at a"
                                + " bound, left out, so 2 to estimate), and the residual variance SSR/(m - n) needs"
                                + " more residuals than parameters",
                        "parameter 'b' = 1.5 is at or near its upper bound 1.5 (bounds [-inf, 1.5])"),
                cannot.warnings());
    }

    /** A method that asks for nothing: the fit ends at its start, converged. */
    static Optimizer stay() {
        return new Optimizer() {
            @Override
            public String name() {
                return "stay";
            }

            @Override
            public Run start(Problem problem) {
                return new Run() {
                    @Override
                    public List<double[]> ask() {
                        return List.of();
                    }

                    @Override
                    public void tell(List<double[]> points, double[] values) {}

                    @Override
                    public String stopReason() {
                        return "converged: asks for nothing";
                    }

                    @Override
                    public void close() {}
                };
            }
        };
    }

    /**
     * A parameter near its bound (within the near-bound tolerance, 1e-3 of max(1, |bound|), but not
     * within 1e-6 of it) is left out of the covariance when the minimum of the linearised loss lies
     * on that bound, which only the Jacobian tells: the budget message neither counts it as
     * estimated nor as left out. y0 = a, y1 = a + b against 1.1 and 2.9 with b <= 1.5, at a = 1.25,
     * b = 1.4995 (5e-4 below the bound): 2 residuals and 2 free parameters, which would leave no
     * residual variance with both estimated; the linearised minimum, a = 1.1 and b = 1.8, lies
     * beyond the bound, so b is left out and a is estimated from both residuals.
     */
    @Test
    void theBudgetMessageCountsAParameterNearItsBoundAsTheUncertaintyMayCountIt() {
        Bounds bounds = Bounds.builder().upper("b", 1.5).build();
        FitResult shortBudget = new Fitter(twoPoints(), start("a", 1.25, "b", 1.4995))
                .bounds(bounds)
                .maxEvaluations(2)
                .fit(stay());
        assertEquals(StopReason.CONVERGED, shortBudget.stopReason());
        assertNull(shortBudget.uncertainty());
        assertEquals(
                "the uncertainty was not estimated: it takes the Jacobian of the residuals at the best point, by"
                        + " finite differences after the fit; central differences need 4 evaluations (2 per free"
                        + " parameter), and forward differences, its fallback when the budget is short, 2 more"
                        + " evaluations (1 per free parameter, less those evaluated already), but the evaluation"
                        + " budget has only 1 left after the method converged: raise the budget by at least 1; with"
                        + " it, the 2 residuals give a residual variance only if 'b', near its bound, counts as at"
                        + " it (the minimum of the linearised loss on that bound), which only that Jacobian tells",
                shortBudget.warnings().get(0));
        // the budget it asks for: b left out, a estimated from r = (0.15, -0.1505), s^2 = SSR / (2 - 1),
        // J^T J = 2 for a
        FitResult enough = new Fitter(twoPoints(), start("a", 1.25, "b", 1.4995))
                .bounds(bounds)
                .maxEvaluations(3)
                .fit(stay());
        assertEquals(3, enough.evaluations());
        assertEquals(List.of("b"), enough.uncertainty().atBound());
        double ssr = 0.15 * 0.15 + 0.1505 * 0.1505;
        assertEquals(ssr, enough.uncertainty().residualVariance(), 1e-12);
        assertEquals(Math.sqrt(ssr / 2), enough.uncertainty().standardErrors().get("a"), 1e-7);
        // a third parameter c in y0 = a + c: with b left out, 2 to estimate from 2 residuals, which no
        // budget helps, and the message says that b counts at most as left out
        QuantityComputer three = p -> Quantities.builder()
                .put("y", new double[] {p.get("a") + p.get("c"), p.get("a") + p.get("b")})
                .build();
        FitResult cannot = new Fitter(
                        three.withLoss(LossFunctions.sumOfSquares("y", new double[] {Y[0], Y[1]})),
                        start("a", 1.25, "b", 1.4995, "c", 0.0))
                .bounds(bounds)
                .maxEvaluations(2)
                .fit(stay());
        assertNull(cannot.uncertainty());
        assertEquals(
                "the uncertainty cannot be estimated: the fit has 2 residuals and 3 free parameters (1 near a bound"
                        + " ('b'), left out if the minimum of the linearised loss lies on its bound, so at least 2 to"
                        + " estimate), and the residual variance SSR/(m - n) needs more residuals than parameters",
                cannot.warnings().get(0));
    }

    /**
     * One residual and one parameter near its bound: left out, nothing is estimated; kept, one
     * residual gives no residual variance for one parameter. No budget gives a standard error, and
     * the message says so rather than asking for a larger budget; a larger budget indeed estimates
     * nothing.
     */
    @Test
    void noBudgetIsAskedForWhenNoneCouldGiveAStandardError() {
        QuantityComputer qc =
                p -> Quantities.builder().put("y", new double[] {p.get("a")}).build();
        Bounds upper = Bounds.builder().upper("a", 1.5).build();
        FitResult r = new Fitter(qc.withLoss(LossFunctions.sumOfSquares("y", new double[] {1.8})), start("a", 1.4995))
                .bounds(upper)
                .maxEvaluations(1)
                .fit(stay());
        assertNull(r.uncertainty());
        assertEquals(
                List.of(
                        "the uncertainty cannot be estimated: the fit has 1 residual and 1 free parameter (1 near a"
                                + " bound ('a'), left out if the minimum of the linearised loss lies on its bound, so"
                                + " at least 0 to estimate), and the residual variance SSR/(m - n) needs more"
                                + " residuals than parameters, which only leaving out every one of them would give:"
                                + " none is estimated, whatever the budget",
                        "parameter 'a' = 1.4995 is at or near its upper bound 1.5 (bounds [-inf, 1.5])"),
                r.warnings());
        for (int budget : new int[] {2, 3, 10}) {
            FitResult more = new Fitter(
                            qc.withLoss(LossFunctions.sumOfSquares("y", new double[] {1.8})), start("a", 1.4995))
                    .bounds(upper)
                    .maxEvaluations(budget)
                    .fit(stay());
            assertTrue(
                    more.uncertainty() == null
                            || more.uncertainty().standardErrors().isEmpty(),
                    "budget " + budget + ": " + more.uncertainty());
        }
    }

    /**
     * The method stops at its start (e0), with p at its lower bound 0 (within 1e-6) and b free; the
     * uncertainty's central round asks p up (e1), p down towards its bound (e2), b up (e3) and b
     * down (e4). e4 is lower than e0: the fit did not reach the minimum. e2, moved only towards p's
     * bound, is lower still and is the best reported: the warning names it as the best, and e4 as
     * the lower point that shows the minimum was not reached.
     */
    @Test
    void theWarningThatTheMinimumWasNotReachedNamesTheBestPointReported() {
        QuantityComputer qc = p -> Quantities.builder()
                .put("y", new double[] {1 + 1e9 * p.get("p"), 100 * p.get("b"), 0.0})
                .build();
        Map<Integer, Double> losses = new java.util.TreeMap<>();
        FitResult r = new Fitter(
                        qc.withLoss(LossFunctions.sumOfSquares("y", new double[] {0, 100, 0})),
                        start("p", 5e-7, "b", 1.5))
                .bounds(Bounds.builder().lower("p", 0).build())
                .listener((number, ctx, loss) -> losses.put(number, loss))
                .fit(stay());
        assertEquals(5, losses.size(), losses::toString);
        assertTrue(losses.get(4) < losses.get(0) && losses.get(2) < losses.get(4), losses::toString);
        assertTrue(losses.get(1) > losses.get(0) && losses.get(3) > losses.get(0), losses::toString);
        assertEquals("e2", r.breakdown().evaluationId());
        assertEquals(losses.get(2), r.bestLoss(), 0.0);
        List<String> w = r.uncertainty().warnings();
        String said = w.get(w.size() - 1);
        assertTrue(
                said.startsWith("the fit did not reach the minimum, though the method's convergence test was met: a"
                        + " point evaluated for the uncertainty ('b' from 1.5 to "),
                said);
        assertTrue(
                said.contains(") has a loss of " + losses.get(4) + ", below the " + losses.get(0)
                        + " of the point the method stopped at (by "),
                said);
        assertTrue(
                said.contains("); the best point reported is evaluation e2, with a loss of " + losses.get(2)
                        + ", a point of the same round moved only towards the bound of a parameter at it, lower"
                        + " still than that point, evaluation e4, while the uncertainty is that of the point the"
                        + " method stopped at, evaluation e0: "),
                said);
        assertTrue(r.warnings().contains(said), r.warnings()::toString);
    }

    /**
     * Nelder-Mead told to stop when the loss changes by less than 10%: its convergence test is met
     * short of the minimum, and the points of the uncertainty's Jacobian, a step of 6.06e-6 of each
     * parameter away, find a lower loss. The stop reason stays CONVERGED (the test was met) and the
     * warning says both, with both losses; that point becomes the best, while the uncertainty is
     * the one at the point where the method stopped.
     */
    @Test
    void aLowerPointOfTheUncertaintysJacobianSaysTheFitDidNotReachTheMinimum() {
        FitResult r = new Fitter(line(), start("a", 0.5, "b", 1.5))
                .optimizer(Optimizers.withTolerances(Optimizers.byName("Nelder-Mead"), 0.1, 0.0))
                .fit();
        assertEquals(StopReason.CONVERGED, r.stopReason());
        Pattern p = Pattern.compile("the fit did not reach the minimum, though the method's convergence test was met:"
                + " a point evaluated for the uncertainty \\('(a|b)'"
                + " from (\\S+) to (\\S+)\\) has a loss of (\\S+), below the (\\S+) of the point the method stopped"
                + " at \\(by (\\S+), (\\S+) relative\\); the best point reported is that lower point, evaluation"
                + " (e\\d+), while the uncertainty is that of the point the method stopped at, evaluation (e\\d+): fit"
                + " again from the best parameters, with smaller tolerances or another method");
        String w = r.warnings().stream()
                .filter(s -> s.startsWith("the fit did not reach"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(r.warnings().toString()));
        Matcher m = p.matcher(w);
        assertTrue(m.matches(), w);
        double from = Double.parseDouble(m.group(2));
        double to = Double.parseDouble(m.group(3));
        double lower = Double.parseDouble(m.group(4));
        double stopped = Double.parseDouble(m.group(5));
        assertEquals(
                Math.cbrt(Math.ulp(1.0)) * Math.max(Math.abs(from), m.group(1).equals("a") ? 0.5 : 1.5),
                Math.abs(to - from),
                1e-12);
        assertTrue(lower < stopped * (1 - 1e-10), w);
        assertEquals(stopped - lower, Double.parseDouble(m.group(6)), 5e-3 * (stopped - lower));
        // the best point reported is the lower one, still above the minimum
        assertEquals(lower, r.bestLoss(), 0.0);
        assertEquals(to, r.bestParameters().get(m.group(1)), 0.0);
        // the uncertainty's own warnings say it, naming the evaluations: the lower one is the best
        // reported, and the point the method stopped at is the one the uncertainty's round started from
        assertEquals(
                w, r.uncertainty().warnings().get(r.uncertainty().warnings().size() - 1));
        assertEquals(r.bestParameters(), r.breakdown().parameters());
        assertEquals(m.group(8), r.breakdown().evaluationId());
        int stoppedAt = Integer.parseInt(m.group(9).substring(1));
        int lowerAt = Integer.parseInt(m.group(8).substring(1));
        // the round's points come after the point it is around
        assertTrue(stoppedAt < lowerAt && lowerAt < r.evaluations(), w);
        // a fit that reached the minimum has no such warning
        FitResult ls = new Fitter(line(), start("a", 0.5, "b", 1.5)).fit("least-squares");
        assertTrue(ls.warnings().isEmpty(), ls.warnings().toString());
        assertTrue(r.bestLoss() > ls.bestLoss() * 1.01, r.bestLoss() + " against the minimum " + ls.bestLoss());
    }

    /**
     * A fit ended by a stop condition short of the minimum: the warning says that the minimum was
     * not reached, and nothing of a convergence test that was not met.
     */
    @Test
    void aLowerPointAfterAStopConditionSaysOnlyThatTheMinimumWasNotReached() {
        FitResult r = new Fitter(line(), start("a", 0.5, "b", 1.5))
                .stopWhen(pr -> pr.step() >= 10)
                .fit("Nelder-Mead");
        assertEquals(StopReason.STOP_CONDITION, r.stopReason());
        String w = r.warnings().stream()
                .filter(s -> s.startsWith("the fit did not reach"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(r.warnings().toString()));
        assertTrue(w.startsWith("the fit did not reach the minimum: a point evaluated for the uncertainty ('"), w);
        assertTrue(w.contains(" of the point the method stopped at (by "), w);
        // Nelder-Mead takes no finite-difference step, and met no tolerance: neither is suggested
        assertTrue(
                w.matches(".*; the best point reported is that lower point, evaluation "
                        + Pattern.quote(r.breakdown().evaluationId())
                        + ", while the uncertainty is that of the point the method stopped at, evaluation e\\d+: fit"
                        + " again from the best parameters with another method"),
                w);
    }

    /**
     * The advice of a fit that stopped short of the minimum names only what its method takes:
     * smaller tolerances for a method whose convergence test, of loss tolerances, was met (Nelder-Mead,
     * Powell, Hipparchus' CMA-ES), not for BOBYQA (it stops on its trust region's radius and
     * takes no tolerances) nor this project's CMA-ES (it takes none); a larger step for a method of
     * forward differences, however it stopped; another method in every case.
     */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "Nelder-Mead | , with smaller tolerances or another method | ' with another method'",
                "Powell | , with smaller tolerances or another method | ' with another method'",
                "BOBYQA | ' with another method' | ' with another method'",
                "CMA-ES | ' with another method' | ' with another method'",
                "CMA-ES-hipparchus | , with smaller tolerances or another method | ' with another method'",
                "L-BFGS-B | , with another method or a larger finite-difference step"
                        + " | , with another method or a larger finite-difference step",
                "least-squares | , with another method or a larger finite-difference step"
                        + " | , with another method or a larger finite-difference step",
                "levenberg-marquardt | , with another method or a larger finite-difference step"
                        + " | , with another method or a larger finite-difference step"
            })
    void theRefitAdviceNamesOnlyWhatTheMethodTakes(String method, String converged, String stopped) {
        Optimizer o = Optimizers.byName(method);
        assertEquals("fit again from the best parameters" + converged, Fitter.refit(o, StopReason.CONVERGED));
        for (StopReason other : List.of(StopReason.MAX_EVALUATIONS, StopReason.STOP_CONDITION)) {
            assertEquals("fit again from the best parameters" + stopped, Fitter.refit(o, other));
        }
        // tolerances set or not, the method is the same
        if (!method.equals("CMA-ES") && !method.equals("BOBYQA")) {
            assertEquals(
                    "fit again from the best parameters" + converged,
                    Fitter.refit(Optimizers.withTolerances(o, 1e-3, 0.0), StopReason.CONVERGED));
        }
    }

    /**
     * A method that takes forward differences, stopped short of the minimum: a larger
     * finite-difference step is among what the warning suggests, as it is a setting of that method.
     */
    @ParameterizedTest
    @ValueSource(strings = {"least-squares", "levenberg-marquardt", "L-BFGS-B"})
    void aLowerPointAfterAMethodWithAStepSuggestsALargerStep(String method) {
        // a decay, which no method fits in one step as it does a line
        double[] y = {10.2, 7.3, 5.6, 4.0, 3.1, 2.2, 1.6, 1.3};
        QuantityComputer decay = p -> {
            double[] v = new double[T.length];
            for (int i = 0; i < T.length; i++) {
                v[i] = p.get("a") * Math.exp(-p.get("b") * T[i]);
            }
            return Quantities.builder().put("y", v).build();
        };
        FitResult r = new Fitter(decay.withLoss(LossFunctions.sumOfSquares("y", y)), start("a", 5.0, "b", 0.1))
                .stopWhen(pr -> pr.step() >= 2)
                .fit(method);
        assertEquals(StopReason.STOP_CONDITION, r.stopReason());
        String w = r.warnings().stream()
                .filter(s -> s.startsWith("the fit did not reach"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(r.warnings().toString()));
        assertTrue(w.startsWith("the fit did not reach the minimum: a point evaluated for the uncertainty ('"), w);
        assertTrue(
                w.matches(".*; the best point reported is that lower point, evaluation "
                        + Pattern.quote(r.breakdown().evaluationId())
                        + ", while the uncertainty is that of the point the method stopped at, evaluation e\\d+: fit"
                        + " again from the best parameters, with another method or a larger finite-difference step"),
                w);
    }

    /**
     * The best point on the edge of a region where the model gives NaN: a finite-difference step
     * across the edge is no derivative, and the warning says so (not that the data determine only
     * a combination of the one parameter).
     */
    @Test
    void aNanAtAFiniteDifferenceStepIsSaidAndNoUncertaintyIsGiven() {
        QuantityComputer qc = p -> {
            double x = p.get("x");
            double v = x <= 1.5 ? x : Double.NaN;
            return Quantities.builder().put("y", new double[] {v, 2 * v}).build();
        };
        ObjectiveFunction edge = qc.withLoss(LossFunctions.sumOfSquares("y", new double[] {1.5, 3.0}));
        FitResult r = new Fitter(edge, start("x", 1.5)).maxEvaluations(200).fit("Nelder-Mead");
        assertEquals(1.5, r.bestParameters().get("x"), 0.0, r.toString());
        assertNull(r.uncertainty(), r.toString());
        assertTrue(
                r.warnings()
                        .contains("the uncertainty was not estimated: a residual is NaN or infinite at a"
                                + " finite-difference step of 'x' from the best point"),
                r.warnings().toString());
        assertTrue(
                r.warnings().stream().noneMatch(w -> w.contains("nearly singular")),
                r.warnings().toString());
    }

    /**
     * A term of weight 0 is not in the loss: its residuals (all zero) are not counted, and the
     * uncertainty is that of the fit without it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"least-squares", "Nelder-Mead"})
    void aTermOfWeightZeroLeavesTheUncertaintyAsWithoutIt(String method) {
        QuantityComputer other = p -> Quantities.builder()
                .put("z", new double[] {p.get("a") * 3, p.get("b") - 7, p.get("a") + p.get("b")})
                .build();
        ObjectiveFunction withZero = new CombinedObjectiveFunction(
                        List.of(line(), other.withLoss(LossFunctions.sumOfSquares("z", new double[] {1, 2, 3}))),
                        List.of(1.0, 0.0))
                .withTermNames(List.of("line", "unweighted"));
        ObjectiveFunction alone =
                new CombinedObjectiveFunction(List.of(line()), List.of(1.0)).withTermNames(List.of("line"));
        Uncertainty u0 = new Fitter(withZero, start("a", 0.0, "b", 1.0))
                .maxEvaluations(3000)
                .fit(method)
                .uncertainty();
        Uncertainty u1 = new Fitter(alone, start("a", 0.0, "b", 1.0))
                .maxEvaluations(3000)
                .fit(method)
                .uncertainty();
        assertEquals(T.length, u1.residuals());
        assertEquals(u1.residuals(), u0.residuals(), "the zero-weight term's 3 residuals are not counted");
        assertEquals(u1.residualVariance(), u0.residualVariance(), 1e-8 * u1.residualVariance());
        for (String p : List.of("a", "b")) {
            assertEquals(
                    u1.standardErrors().get(p),
                    u0.standardErrors().get(p),
                    1e-8 * u1.standardErrors().get(p),
                    p);
        }
    }

    /**
     * {@link #line()} read from an input that prints its parameters with 4 decimals, as an external
     * program's template does, recording every point evaluated.
     */
    private static ObjectiveFunction roundedLine(List<double[]> seen) {
        QuantityComputer qc = p -> {
            double a = Math.round(p.get("a") * 1e4) / 1e4;
            double b = Math.round(p.get("b") * 1e4) / 1e4;
            seen.add(new double[] {p.get("a"), p.get("b")});
            double[] y = new double[T.length];
            for (int i = 0; i < T.length; i++) {
                y[i] = a + b * T[i];
            }
            return Quantities.builder().put("y", y).build();
        };
        return qc.withLoss(LossFunctions.sumOfSquares("y", Y));
    }

    /**
     * Ordinary least squares for {@link #line()}, by hand: X = [1, t].
     *
     * @param a the intercept
     * @param b the slope
     * @param s2 the residual variance SSR / (m - 2)
     * @param covariance {@code s^2 (X^T X)^-1}, with {@code (X^T X)^-1 = [[stt, -st], [-st, m]] / det}
     */
    private record Ols(double a, double b, double s2, double[][] covariance) {}

    private static Ols ols() {
        int m = T.length;
        double st = 0;
        double stt = 0;
        double sy = 0;
        double sty = 0;
        for (int i = 0; i < m; i++) {
            st += T[i];
            stt += T[i] * T[i];
            sy += Y[i];
            sty += T[i] * Y[i];
        }
        double det = m * stt - st * st;
        double b = (m * sty - st * sy) / det;
        double a = (sy - b * st) / m;
        double ssr = 0;
        for (int i = 0; i < m; i++) {
            double d = a + b * T[i] - Y[i];
            ssr += d * d;
        }
        double s2 = ssr / (m - 2);
        return new Ols(a, b, s2, new double[][] {{s2 * stt / det, -s2 * st / det}, {-s2 * st / det, s2 * m / det}});
    }

    /** @return the standard errors of ordinary least squares for {@link #line()} */
    private static double[] olsStandardErrors() {
        double[][] c = ols().covariance();
        return new double[] {Math.sqrt(c[0][0]), Math.sqrt(c[1][1])};
    }

    /** @return y = b t at t = 1, 2, 3, 4 */
    private static QuantityComputer proportional() {
        double[] t = {1, 2, 3, 4};
        return p -> {
            double[] out = new double[t.length];
            for (int i = 0; i < t.length; i++) {
                out[i] = p.get("b") * t[i];
            }
            return Quantities.builder().put("y", out).build();
        };
    }

    /**
     * y = b t fitted from b = 30 to its best 0.5 with a step of 1e-2: the uncertainty's step is
     * 1e-2 max(|b|, 30) = 0.3, 60% of b, and the warning says so with the numbers; started at 0.6,
     * the step is 1e-2 of 0.6 and nothing is said.
     */
    @Test
    void anUncertaintyStepOfMoreThanATenthOfTheValueIsSaid() {
        double[] y = {0.51, 0.99, 1.52, 1.98};
        QuantityComputer qc = proportional();
        Bounds bounds = Bounds.builder().lower("b", 0.001).upper("b", 100).build();
        FitResult far = new Fitter(qc.withLoss(LossFunctions.sumOfSquares("y", y)), start("b", 30.0))
                .bounds(bounds)
                .maxEvaluations(200)
                .optimizer(Optimizers.leastSquares(1e-2, 1e-12))
                .fit();
        double b = far.bestParameters().get("b");
        assertEquals(0.5, b, 0.01);
        String said = String.format(
                java.util.Locale.ROOT,
                "the finite-difference steps of the uncertainty are more than a tenth of the value they step: 'b'"
                        + " by %.6g at %.6g (started at %.6g); a step is scaled by the larger of the value and the"
                        + " start, so the derivative is that of a secant across the step, and the standard error may"
                        + " be off; a smaller finite-difference step, or a fit again from the best parameters, gives"
                        + " the derivative at the best point",
                1e-2 * 30.0,
                b,
                30.0);
        assertTrue(
                far.uncertainty().warnings().contains(said), far.uncertainty().warnings()::toString);
        assertTrue(far.warnings().contains(said), far.warnings()::toString);
        FitResult near = new Fitter(qc.withLoss(LossFunctions.sumOfSquares("y", y)), start("b", 0.6))
                .bounds(bounds)
                .maxEvaluations(200)
                .optimizer(Optimizers.leastSquares(1e-2, 1e-12))
                .fit();
        assertTrue(
                near.uncertainty().warnings().stream().noneMatch(w -> w.contains("more than a tenth")),
                near.uncertainty().warnings()::toString);
        assertTrue(
                far.uncertainty().warnings().stream().noneMatch(w -> w.contains("cut to its bound")),
                far.uncertainty().warnings()::toString);
    }

    /**
     * A fit of 2 parameters by a finite-difference method asks for the start again with its first
     * Jacobian's points; the start costs no evaluation then, so a budget of 2, 3 or 4 is spent
     * whole, where it was cut a point early.
     */
    @Test
    void aBudgetIsSpentWholeWhenTheFirstBatchAsksForTheStartAgain() {
        double[] t = {1, 2, 3, 4};
        double[] y = {1.49, 2.52, 3.48, 4.51};
        QuantityComputer qc = p -> {
            double[] out = new double[t.length];
            for (int i = 0; i < t.length; i++) {
                out[i] = p.get("a") + p.get("b") * t[i];
            }
            return Quantities.builder().put("y", out).build();
        };
        for (Optimizer method : List.of(Optimizers.leastSquares(), Optimizers.byName("L-BFGS-B"))) {
            for (int budget = 2; budget <= 4; budget++) {
                FitResult r = new Fitter(qc.withLoss(LossFunctions.sumOfSquares("y", y)), start("a", 0.3, "b", 0.7))
                        .maxEvaluations(budget)
                        .optimizer(method)
                        .fit();
                assertEquals(budget, r.evaluations(), method.name() + ", budget " + budget);
                assertEquals(StopReason.MAX_EVALUATIONS, r.stopReason(), method.name() + ", budget " + budget);
            }
        }
    }

    /**
     * y = b t within [0.4, 0.7] from 0.6 with a step of 0.5: the uncertainty's step, 0.5 x 0.6 =
     * 0.3, has room on neither side of the best 0.5; it is cut to the upper bound, the side with
     * more room, and the warning says so with the bounds.
     */
    @Test
    void anUncertaintyStepCutToABoundOnBothSidesIsSaid() {
        double[] y = {0.51, 0.99, 1.52, 1.98};
        QuantityComputer qc = proportional();
        FitResult r = new Fitter(qc.withLoss(LossFunctions.sumOfSquares("y", y)), start("b", 0.6))
                .bounds(Bounds.builder().lower("b", 0.4).upper("b", 0.7).build())
                .maxEvaluations(200)
                .optimizer(Optimizers.leastSquares(0.5, 1e-12))
                .fit();
        double b = r.bestParameters().get("b");
        assertEquals(0.5, b, 0.01);
        String said = String.format(
                java.util.Locale.ROOT,
                "'b' by %.6g at %.6g (started at 0.600000), one-sided and cut to its bound 0.700000, as its bounds"
                        + " [0.400000, 0.700000] leave less room than the step on either side;",
                0.7 - b,
                b);
        assertTrue(
                r.uncertainty().warnings().stream().anyMatch(w -> w.contains(said)),
                r.uncertainty().warnings()::toString);
    }

    /**
     * A step set on the method below cbrt(eps) (sqrt(eps), the forward default, written out) gives
     * the uncertainty the central points of no step set: a central difference over sqrt(eps) would be
     * worse, and a job that writes the default out is the same job.
     */
    @Test
    void aStepBelowTheCentralDefaultTakesTheCentralDefault() {
        double[] t = {1, 2, 3, 4};
        double[] y = {0.51, 0.99, 1.52, 1.98};
        List<List<double[]>> seen = new ArrayList<>();
        for (Optimizer method :
                List.of(Optimizers.leastSquares(), Optimizers.leastSquares(FiniteDifferences.FORWARD_STEP, 1e-8))) {
            List<double[]> points = Collections.synchronizedList(new ArrayList<>());
            QuantityComputer qc = p -> {
                points.add(new double[] {p.get("a"), p.get("b")});
                double[] out = new double[t.length];
                for (int i = 0; i < t.length; i++) {
                    out[i] = p.get("a") + p.get("b") * t[i];
                }
                return Quantities.builder().put("y", out).build();
            };
            FitResult r = new Fitter(qc.withLoss(LossFunctions.sumOfSquares("y", y)), start("a", 0.1, "b", 0.3))
                    .maxEvaluations(200)
                    .optimizer(method)
                    .fit();
            assertEquals(List.of("a", "b"), r.uncertainty().estimated());
            seen.add(points.subList(points.size() - 4, points.size()));
        }
        for (int k = 0; k < 4; k++) {
            assertTrue(java.util.Arrays.equals(seen.get(0).get(k), seen.get(1).get(k)), "point " + k);
        }
    }

    /**
     * A model whose inputs round the parameters to 4 decimals, fitted with a relative step of 1e-2:
     * the uncertainty's central differences take that step too (a step of 6.06e-6 rounds to the
     * same input, and both parameters would "change no residual"). The last round is the 4 points
     * {@code x +- 1e-2 max(|x|, start)}, and the standard errors are those of the exact line within
     * what the rounding does to a difference over 2e-2 of a parameter (at most 1e-4 / 2h, 0.5%).
     */
    @Test
    void theUncertaintyTakesTheStepSetOnTheMethod() {
        List<double[]> seen = Collections.synchronizedList(new ArrayList<>());
        Optimizer method = Optimizers.leastSquares(1e-2, 1e-8);
        assertEquals(1e-2, FiniteDifferences.relativeStepOf(method), 0.0);
        assertTrue(Double.isNaN(FiniteDifferences.relativeStepOf(Optimizers.leastSquares())));
        assertTrue(Double.isNaN(FiniteDifferences.relativeStepOf(Optimizers.byName("Nelder-Mead"))));
        assertEquals(
                1e-3,
                FiniteDifferences.relativeStepOf(
                        Optimizers.withRelativeStep(Optimizers.byName("levenberg-marquardt"), 1e-3)),
                0.0);
        assertEquals(
                1e-3,
                FiniteDifferences.relativeStepOf(Optimizers.withRelativeStep(Optimizers.byName("L-BFGS-B"), 1e-3)),
                0.0);
        FitResult r = new Fitter(roundedLine(seen), start("a", 1.0, "b", 0.3))
                .maxEvaluations(200)
                .optimizer(method)
                .fit();
        Uncertainty u = r.uncertainty();
        assertEquals(List.of("a", "b"), u.estimated(), u.warnings().toString());
        assertEquals(List.of(), u.noEffect());
        // the uncertainty's round around the best point: x +- h of each parameter, h = 1e-2 max(|x|,
        // start); the plus points are those of the method's last forward Jacobian, so the round
        // evaluates only the minus points (a-, then b-), the last two points
        double[] x = {r.bestParameters().get("a"), r.bestParameters().get("b")};
        double[] scale = {1.0, 0.3};
        for (int i = 0; i < 2; i++) {
            double h = 1e-2 * Math.max(Math.abs(x[i]), scale[i]);
            double[] plus = x.clone();
            plus[i] = x[i] + h;
            double[] minus = x.clone();
            minus[i] = x[i] - h;
            assertTrue(seen.stream().anyMatch(q -> java.util.Arrays.equals(q, plus)), "x + h of " + i);
            assertTrue(java.util.Arrays.equals(seen.get(seen.size() - 2 + i), minus), "x - h of " + i);
        }
        double[] se = olsStandardErrors();
        assertEquals(se[0], u.standardErrors().get("a"), 5e-3 * se[0]);
        assertEquals(se[1], u.standardErrors().get("b"), 5e-3 * se[1]);
        // without a step set, the central step stays cbrt(eps) of the size: a fit of the exact line
        List<double[]> exact = Collections.synchronizedList(new ArrayList<>());
        QuantityComputer qc = p -> {
            exact.add(new double[] {p.get("a"), p.get("b")});
            double[] y = new double[T.length];
            for (int i = 0; i < T.length; i++) {
                y[i] = p.get("a") + p.get("b") * T[i];
            }
            return Quantities.builder().put("y", y).build();
        };
        new Fitter(qc.withLoss(LossFunctions.sumOfSquares("y", Y)), start("a", 1.0, "b", 0.3)).fit("least-squares");
        double[] bPlus = exact.get(exact.size() - 2);
        double[] bMinus = exact.get(exact.size() - 1);
        double b = (bPlus[1] + bMinus[1]) / 2;
        assertEquals(FiniteDifferences.CENTRAL_STEP * Math.max(Math.abs(b), 0.3), (bPlus[1] - bMinus[1]) / 2, 1e-15);
    }

    /**
     * Nelder-Mead takes no differences; {@link Fitter#uncertaintyStep} gives its uncertainty the
     * step the rounded model needs: the last round is the 4 points {@code x +- 1e-2 max(|x|,
     * start)} around the best point, and the standard errors are those of the exact line within
     * what the rounding does to a difference over 2e-2 (0.5%, as above). Without it, the step of
     * cbrt(eps) rounds to the same input, and both parameters "change no residual". A step outside
     * (0, 1) is refused, naming it.
     */
    @Test
    void aMethodWithoutDifferencesTakesTheUncertaintysStepGivenToTheFitter() {
        List<double[]> seen = Collections.synchronizedList(new ArrayList<>());
        FitResult r = new Fitter(roundedLine(seen), start("a", 1.0, "b", 0.3))
                .maxEvaluations(400)
                .optimizer(Optimizers.byName("Nelder-Mead"))
                .uncertaintyStep(1e-2)
                .fit();
        Uncertainty u = r.uncertainty();
        assertEquals(List.of("a", "b"), u.estimated(), u.warnings().toString());
        assertEquals(List.of(), u.noEffect());
        double[] x = {r.bestParameters().get("a"), r.bestParameters().get("b")};
        double[] scale = {1.0, 0.3};
        List<double[]> round = seen.subList(seen.size() - 4, seen.size());
        for (int i = 0; i < 2; i++) {
            double h = 1e-2 * Math.max(Math.abs(x[i]), scale[i]);
            double[] plus = x.clone();
            plus[i] = x[i] + h;
            double[] minus = x.clone();
            minus[i] = x[i] - h;
            assertTrue(round.stream().anyMatch(q -> java.util.Arrays.equals(q, plus)), "x + h of " + i);
            assertTrue(round.stream().anyMatch(q -> java.util.Arrays.equals(q, minus)), "x - h of " + i);
        }
        double[] se = olsStandardErrors();
        assertEquals(se[0], u.standardErrors().get("a"), 5e-3 * se[0]);
        assertEquals(se[1], u.standardErrors().get("b"), 5e-3 * se[1]);
        FitResult unset = new Fitter(roundedLine(new ArrayList<>()), start("a", 1.0, "b", 0.3))
                .maxEvaluations(400)
                .optimizer(Optimizers.byName("Nelder-Mead"))
                .fit();
        assertEquals(
                List.of("a", "b"),
                unset.uncertainty().noEffect(),
                unset.uncertainty().warnings().toString());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new Fitter(roundedLine(seen), start("a", 1.0)).uncertaintyStep(1.0));
        assertEquals("the relative step of the uncertainty must lie in (0, 1), got 1.0", e.getMessage());
    }

    /**
     * The method's step near a bound: an upper bound of b within a step of its best value, so the
     * central pair would leave it; the pair becomes the one-sided second-order difference inward
     * (points b - h and b - 2h), as with the default step, and no point lies beyond the bound.
     */
    @Test
    void theMethodsStepInTheUncertaintyStaysWithinTheBounds() {
        List<double[]> seen = Collections.synchronizedList(new ArrayList<>());
        double upper = 2.0171; // b's best is 2.00714, a step 2.0e-2 of it; the bound is 1.0e-2 above
        FitResult r = new Fitter(roundedLine(seen), start("a", 1.0, "b", 0.3))
                .bounds(Bounds.builder().upper("b", upper).build())
                .maxEvaluations(200)
                .optimizer(Optimizers.leastSquares(1e-2, 1e-8))
                .fit();
        Uncertainty u = r.uncertainty();
        assertEquals(List.of("a", "b"), u.estimated(), u.warnings().toString());
        assertTrue(seen.stream().allMatch(q -> q[1] <= upper), "a point beyond b's bound");
        // b's pair leaves the bound: b - h (the method's backward forward point) and b - 2h, the last
        // point evaluated
        double b = r.bestParameters().get("b");
        double h = 1e-2 * Math.max(Math.abs(b), 0.3);
        assertTrue(b + h > upper && b <= upper, b + " + " + h + " against " + upper);
        double[] one = {r.bestParameters().get("a"), b - h};
        double[] two = {r.bestParameters().get("a"), b - 2 * h};
        assertTrue(seen.stream().anyMatch(q -> java.util.Arrays.equals(q, one)), "b - h");
        assertTrue(
                java.util.Arrays.equals(seen.get(seen.size() - 1), two),
                java.util.Arrays.toString(seen.get(seen.size() - 1)));
        double[] se = olsStandardErrors();
        // one-sided: second order, exact for a line but for the rounding (1e-4 over 2h and h)
        assertEquals(se[1], u.standardErrors().get("b"), 1e-2 * se[1]);
    }
}
