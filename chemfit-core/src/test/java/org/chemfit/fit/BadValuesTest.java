package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.FailurePolicy;
import org.chemfit.ObjectiveFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A point whose loss is NaN, infinite or failed is never reported as the best, and a start worse
 * than the bad value raises it to 1.1 x the starting loss (ChemFit's rule in its {@code Fitter}).
 */
class BadValuesTest {

    /** 1e6 x^2 up to x = 10.4, NaN beyond: the start x = 10 has a loss of 1e8, far above 1e5. */
    static double cliff(double x) {
        return x <= 10.4 ? 1e6 * x * x : Double.NaN;
    }

    @ParameterizedTest
    @ValueSource(strings = {"Nelder-Mead", "Powell", "CMA-ES", "CMA-ES-hipparchus"})
    void aNanRegionNeverWinsOverABadStart(String method) {
        List<Double> seen = new ArrayList<>();
        ObjectiveFunction f = p -> {
            double v = cliff(p.get("x"));
            synchronized (seen) {
                seen.add(v);
            }
            return v;
        };
        FitResult r = new Fitter(f, Map.of("x", 10.0)).maxEvaluations(5000).fit(method);

        assertEquals(1e8, r.initialLoss(), 1e-6);
        assertTrue(
                seen.stream().anyMatch(v -> Double.isNaN(v)),
                method + " never stepped past the cliff; the test proves nothing");
        assertTrue(Double.isFinite(r.bestLoss()), r.toString());
        assertEquals(
                r.bestLoss(),
                cliff(r.bestParameters().get("x")),
                0.0,
                "the reported loss is the loss of the reported point");
        assertEquals(0.0, r.bestParameters().get("x"), 1e-3, method + ": " + r);
        assertTrue(r.bestLoss() < 1.0, method + ": " + r);
        assertTrue(
                r.warnings().stream().anyMatch(w -> w.contains("1.1 x the starting loss")),
                r.warnings().toString());
        // the score is written alike in both warnings that name it
        String all = String.join("\n", r.warnings());
        java.util.regex.Matcher scored =
                java.util.regex.Pattern.compile("are scored (\\S+) \\(1.1 x").matcher(all);
        assertTrue(scored.find(), all);
        assertTrue(all.contains("the optimizer was told " + scored.group(1) + " for "), all);
    }

    /**
     * Residuals x - 3, y - 1 and x + y - 4, the second NaN beyond x = 2: the lowest finite loss is
     * 1.5 at (2, 1.5). A least-squares method follows the slope into the NaN region, backs off and
     * converges against its edge elsewhere; the result says that it may.
     */
    @Test
    void aFitThatConvergesBesideANanRegionSaysItsBestMayLieAgainstIt() {
        List<ObjectiveFunction> terms = new ArrayList<>();
        double[] refs = {3, 1, 4};
        for (int i = 0; i < 3; i++) {
            int k = i;
            org.chemfit.QuantityComputer qc = p -> {
                double x = p.get("x");
                double y = p.get("y");
                double v = k == 0 ? x : k == 1 ? (x > 2 ? Double.NaN : y) : x + y;
                return org.chemfit.Quantities.of("q", v);
            };
            terms.add(qc.withLoss(org.chemfit.LossFunctions.squaredError(Map.of("q", refs[k])))
                    .named("t" + k));
        }
        CombinedObjectiveFunction c = new CombinedObjectiveFunction(terms);
        Map<String, Double> start = new java.util.LinkedHashMap<>();
        start.put("x", 0.5);
        start.put("y", 0.5);
        FitResult r = new Fitter(c, start).maxEvaluations(400).fit("least-squares");
        assertEquals(StopReason.CONVERGED, r.stopReason(), r.toString());
        assertTrue(r.bestLoss() >= 1.5, r.toString()); // no finite point is lower
        assertTrue(
                r.warnings().stream()
                        .anyMatch(w -> w.matches("(1 evaluation gave|[0-9]+ evaluations gave) a NaN or infinite loss.*")
                                && w.contains("the fit converged with such points among its evaluations: if the"
                                        + " best point lies against the region where the loss stops being finite, it"
                                        + " may be that edge, not the lowest loss outside it (a method that models"
                                        + " the loss may stop at such an edge);"
                                        + " bounds that keep the fit out of it, or a method that compares points"
                                        + " alone (Nelder-Mead, CMA-ES), would show whether a lower loss lies"
                                        + " elsewhere")),
                r.warnings().toString());
        // a method that compares points alone is not told to use one
        FitResult nm = new Fitter(c, start).maxEvaluations(400).fit("Nelder-Mead");
        assertTrue(
                nm.warnings().stream()
                        .anyMatch(w -> w.endsWith("the fit converged with such points among its evaluations: if"
                                + " the best point lies against the region where the loss stops being finite, it may be"
                                + " that edge, not the lowest loss outside it; bounds that keep the fit out of it would"
                                + " show whether a lower loss lies"
                                + " elsewhere")),
                nm + " " + nm.warnings());

        // without the NaN region, the same fit says nothing of it
        FitResult clean = new Fitter(new CombinedObjectiveFunction(List.of(terms.get(0), terms.get(2))), start)
                .maxEvaluations(400)
                .fit("least-squares");
        assertTrue(
                clean.warnings().stream().noneMatch(w -> w.contains("NaN")),
                clean.warnings().toString());
    }

    @Test
    void aRootMeanFitSaysWhyItHasNoUncertainty() {
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (double ref : new double[] {1, 3}) {
            org.chemfit.QuantityComputer qc = p -> org.chemfit.Quantities.of("q", p.get("x"));
            terms.add(qc.withLoss(org.chemfit.LossFunctions.squaredError(Map.of("q", ref))));
        }
        CombinedObjectiveFunction rootMean =
                new CombinedObjectiveFunction(terms).withReducer(org.chemfit.Reducer.ROOT_MEAN);
        FitResult r = new Fitter(rootMean, Map.of("x", 0.0)).maxEvaluations(200).fit("Nelder-Mead");
        assertEquals(2.0, r.bestParameters().get("x"), 1e-4);
        assertTrue(r.uncertainty() == null, r.toString());
        assertTrue(
                r.warnings()
                        .contains("the uncertainty was not estimated: the terms are reduced with root_mean, the"
                                + " square root of a sum of squares, whose residuals it needs; reducer mean has the same"
                                + " best parameters and gives it"),
                r.warnings().toString());
        FitResult mean = new Fitter(rootMean.withReducer(org.chemfit.Reducer.MEAN), Map.of("x", 0.0))
                .maxEvaluations(200)
                .fit("Nelder-Mead");
        assertTrue(mean.uncertainty() != null, mean.toString());
    }

    /** BOBYQA needs two free parameters: the same cliff in x plus y^2. */
    @Test
    void bobyqaToo() {
        ObjectiveFunction f = p -> cliff(p.get("x")) + p.get("y") * p.get("y");
        FitResult r =
                new Fitter(f, Map.of("x", 10.0, "y", 1.0)).maxEvaluations(5000).fit("BOBYQA");
        assertTrue(Double.isFinite(r.bestLoss()), r.toString());
        assertEquals(0.0, r.bestParameters().get("x"), 1e-3, r.toString());
        assertEquals(0.0, r.bestParameters().get("y"), 1e-3, r.toString());
    }

    @Test
    void theOptimizerIsToldTheRaisedBadValue() {
        List<Double> told = new ArrayList<>();
        ObjectiveFunction f = p -> cliff(p.get("x"));
        new Fitter(f, Map.of("x", 10.0))
                .maxEvaluations(50)
                .listener((n, ctx, v) -> {
                    if (ctx.metadata().containsKey("bad_loss")) {
                        told.add(v);
                    }
                })
                .fit("Nelder-Mead");
        assertTrue(!told.isEmpty());
        for (double v : told) {
            assertEquals(1.1e8, v, 1e-6);
        }
    }

    @Test
    void aStartBelowTheBadValueKeepsIt() {
        List<Double> told = new ArrayList<>();
        ObjectiveFunction f =
                p -> p.get("x") > 1.02 ? Double.POSITIVE_INFINITY : (p.get("x") - 0.5) * (p.get("x") - 0.5);
        FitResult r = new Fitter(f, Map.of("x", 1.0))
                .valueBadParams(7.0)
                .maxEvaluations(300)
                .listener((n, ctx, v) -> {
                    if (ctx.metadata().containsKey("bad_loss")) {
                        told.add(v);
                    }
                })
                .fit("Nelder-Mead");
        assertTrue(!told.isEmpty());
        assertTrue(told.stream().allMatch(v -> v == 7.0), told.toString());
        assertEquals(0.5, r.bestParameters().get("x"), 1e-4);
    }

    /** Even a bad value below every finite loss (a user's 1e-3) does not make a NaN point the best. */
    @Test
    void aLowBadValueStillNeverWins() {
        ObjectiveFunction f = p -> p.get("x") > 2 ? Double.NaN : 10 + p.get("x") * p.get("x");
        FitResult r = new Fitter(f, Map.of("x", 1.9))
                .valueBadParams(1e-3)
                .maxEvaluations(200)
                .fit("Powell");
        assertTrue(r.bestParameters().get("x") <= 2, r.toString());
        assertTrue(r.bestLoss() >= 10, r.toString());
    }

    /** The initial loss is the loss at the start, NaN included, not the bad value the optimizer was told. */
    @Test
    void theInitialLossOfANanStartIsNan() {
        // NaN in a narrow band around the start only
        ObjectiveFunction f = p -> Math.abs(p.get("x") - 2.5) < 0.01 ? Double.NaN : 10 + p.get("x") * p.get("x");
        FitResult r = new Fitter(f, Map.of("x", 2.5)).maxEvaluations(200).fit("Nelder-Mead");
        assertTrue(Double.isNaN(r.initialLoss()), r.toString());
        assertTrue(Double.isFinite(r.bestLoss()), r.toString()); // the optimizer sits at the band's edge
        assertTrue(
                r.warnings().stream().anyMatch(w -> w.contains("starts at a point whose loss is not finite")),
                r.warnings().toString());
        ObjectiveFunction inf =
                p -> Math.abs(p.get("x") - 2.5) < 0.01 ? Double.POSITIVE_INFINITY : 10 + p.get("x") * p.get("x");
        assertEquals(
                Double.POSITIVE_INFINITY,
                new Fitter(inf, Map.of("x", 2.5))
                        .maxEvaluations(200)
                        .fit("Nelder-Mead")
                        .initialLoss());
        // a finite start is unchanged
        assertEquals(
                11.0,
                new Fitter(f, Map.of("x", 1.0))
                        .maxEvaluations(50)
                        .fit("Nelder-Mead")
                        .initialLoss());
    }

    @Test
    void aFitWithoutAnyFiniteLossFailsWithAClearMessage() {
        ObjectiveFunction f = p -> Double.NaN;
        FitFailedException e = assertThrows(
                FitFailedException.class,
                () -> new Fitter(f, Map.of("x", 1.0)).maxEvaluations(20).fit("Nelder-Mead"));
        assertTrue(e.getMessage().matches("none of the \\d+ evaluations gave a finite loss.*"), e.getMessage());
        assertTrue(!e.getMessage().contains("terms failed"), e.getMessage());
        assertTrue(e.partialResult().isEmpty());
        // a budget of one evaluation: said in the singular
        FitFailedException one = assertThrows(
                FitFailedException.class,
                () -> new Fitter(f, Map.of("x", 1.0)).maxEvaluations(1).fit("Nelder-Mead"));
        assertTrue(one.getMessage().startsWith("the 1 evaluation did not give a finite loss ("), one.getMessage());
    }

    /** Under the SKIP policy a failed term lowers the sum; such a point loses to any clean point. */
    @Test
    void aPointWithASkippedTermLosesToACleanOne() {
        ObjectiveFunction a = p -> (p.get("x") - 3) * (p.get("x") - 3) + 1;
        ObjectiveFunction b = p -> {
            if (p.get("x") > 2) {
                throw new IllegalStateException("no result beyond 2");
            }
            return 1.0;
        };
        CombinedObjectiveFunction cob =
                new CombinedObjectiveFunction(List.of(a, b)).withFailurePolicy(FailurePolicy.skip());
        FitResult r = new Fitter(cob, Map.of("x", 0.0)).maxEvaluations(300).fit("Nelder-Mead");
        assertTrue(r.bestParameters().get("x") <= 2, r.toString());
        // every clean point has a loss of at least (2 - 3)^2 + 1 + 1 = 3; skipped ones go down to 1
        assertTrue(r.bestLoss() >= 3.0, r.toString());
        assertEquals(r.bestLoss(), Math.pow(r.bestParameters().get("x") - 3, 2) + 2, 1e-12);
        assertTrue(
                r.warnings().stream().anyMatch(w -> w.contains("had a failed term")),
                r.warnings().toString());
    }

    /** A start so large that 1.1 x its loss is not finite: the score is the largest double, and said so. */
    @Test
    void theRaisedBadValueStaysFinite() {
        List<Double> told = new ArrayList<>();
        ObjectiveFunction f = p -> p.get("x") > 1.02 ? Double.NaN : 1.7e308 * p.get("x") * p.get("x");
        FitResult r = new Fitter(f, Map.of("x", 1.0))
                .maxEvaluations(30)
                .listener((n, ctx, v) -> {
                    if (ctx.metadata().containsKey("bad_loss")) {
                        told.add(v);
                    }
                })
                .fit("Nelder-Mead");
        assertTrue(!told.isEmpty(), "no NaN point was evaluated; the test proves nothing");
        assertTrue(told.stream().allMatch(v -> v == Double.MAX_VALUE), told.toString());
        assertTrue(
                r.warnings().stream()
                        .anyMatch(w -> w.contains("(the largest double: 1.1 x the starting loss is not finite)")),
                r.warnings().toString());
    }

    @Test
    void aNegativePenaltyIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FailurePolicy.penalty(-1));
        assertEquals(
                "penalty value must not be negative, got -1.0: a failed term would look better to the optimizer"
                        + " than a loss of 0",
                e.getMessage());
        assertEquals(0.0, FailurePolicy.penalty(0).penaltyValue());
    }

    /** Every term fails in every evaluation, and skip leaves no loss: the message says so. */
    @Test
    void everyTermFailingUnderSkipIsSaid() {
        ObjectiveFunction fails = p -> {
            throw new IllegalStateException("the program crashed");
        };
        CombinedObjectiveFunction c = new CombinedObjectiveFunction(List.of(fails, fails), List.of(1.0, 1.0))
                .withFailurePolicy(FailurePolicy.skip());
        FitFailedException e = assertThrows(
                FitFailedException.class,
                () -> new Fitter(c, Map.of("x", 1.0)).maxEvaluations(5).fit("Nelder-Mead"));
        assertTrue(
                e.getMessage()
                        .contains("a finite loss (a NaN or infinite loss is scored 100000 for the optimizer but is"
                                + " never reported as the best): terms failed in every one, and the failure policy"
                                + " left no finite loss (under skip, an evaluation whose every term failed has"
                                + " none); see why the terms failed; check the objective"),
                e.getMessage());
    }
    /**
     * Every counting term fails in every evaluation under penalty: every loss is the penalty alone,
     * and the fit fails as it does under skip. A term of weight 0 that works, or one counting term
     * that works once, leaves a fit of the model.
     */
    @Test
    void everyLossThePenaltyAloneFailsTheFit() {
        ObjectiveFunction fails = p -> {
            throw new IllegalStateException("the program crashed");
        };
        ObjectiveFunction works = p -> (p.get("x") - 2) * (p.get("x") - 2);
        CombinedObjectiveFunction c = new CombinedObjectiveFunction(List.of(fails, works), List.of(1.0, 0.0))
                .withFailurePolicy(FailurePolicy.penalty(100));
        FitFailedException e = assertThrows(
                FitFailedException.class,
                () -> new Fitter(c, Map.of("x", 1.0)).maxEvaluations(5).fit("Nelder-Mead"));
        assertTrue(
                e.getMessage()
                        .matches("no evaluation computed a term of the fit: terms failed in every one of the \\d+"
                                + " evaluations, and every loss was the failure policy's penalty alone, not the"
                                + " model's; see why the terms failed; check the objective at the initial parameters"
                                + " \\{x=1\\}"),
                e.getMessage());

        // the counting term fails at the start alone: once it has been computed, the fit stands
        ObjectiveFunction failsAtStart = p -> {
            if (p.get("x") == 1.0) {
                throw new IllegalStateException("the program crashed");
            }
            return (p.get("x") - 2) * (p.get("x") - 2);
        };
        CombinedObjectiveFunction once = new CombinedObjectiveFunction(List.of(failsAtStart), List.of(1.0))
                .withFailurePolicy(FailurePolicy.penalty(100));
        FitResult r = new Fitter(once, Map.of("x", 1.0)).maxEvaluations(40).fit("Nelder-Mead");
        assertEquals(2.0, r.bestParameters().get("x"), 1e-3, r.toString());
    }
    /**
     * The rule's edges: a group stood in for as a whole counts as not computed, whatever its parts
     * did; an interrupt, or a failure of its own, keeps its own ending and message.
     */
    @Test
    void onlyAFitThatEndsOnItsOwnFailsForPenaltiesAlone() {
        ObjectiveFunction works = p -> (p.get("x") - 2) * (p.get("x") - 2);
        ObjectiveFunction fails = p -> {
            throw new IllegalStateException("the program crashed");
        };
        CombinedObjectiveFunction inner = new CombinedObjectiveFunction(List.of(works, fails), List.of(1.0, 1.0));
        CombinedObjectiveFunction outer = new CombinedObjectiveFunction(List.of(inner), List.of(1.0))
                .withFailurePolicy(FailurePolicy.penalty(100));
        FitFailedException nested = assertThrows(
                FitFailedException.class,
                () -> new Fitter(outer, Map.of("x", 1.0)).maxEvaluations(20).fit("Nelder-Mead"));
        assertTrue(nested.getMessage().startsWith("no evaluation computed a term of the fit"), nested.getMessage());

        int[] calls = {0};
        ObjectiveFunction failsThenInterrupts = p -> {
            if (++calls[0] == 3) {
                Thread.currentThread().interrupt(); // as Ctrl-C does to the fit's thread
            }
            throw new IllegalStateException("the program crashed");
        };
        CombinedObjectiveFunction stopped = new CombinedObjectiveFunction(List.of(failsThenInterrupts), List.of(1.0))
                .withFailurePolicy(FailurePolicy.penalty(100));
        try {
            FitResult r =
                    new Fitter(stopped, Map.of("x", 1.0)).maxEvaluations(20).fit("Nelder-Mead");
            assertEquals(StopReason.INTERRUPTED, r.stopReason(), r.toString());
        } finally {
            Thread.interrupted();
        }

        CombinedObjectiveFunction penalised = new CombinedObjectiveFunction(List.of(fails), List.of(1.0))
                .withFailurePolicy(FailurePolicy.penalty(100));
        int[] seen = {0};
        ObjectiveFunction breaks = new ObjectiveFunction() {
            @Override
            public double evaluate(org.chemfit.Parameters p) {
                return evaluate(p, new org.chemfit.EvaluationContext(p));
            }

            @Override
            public double evaluate(org.chemfit.Parameters p, org.chemfit.EvaluationContext ctx) {
                if (++seen[0] == 3) {
                    throw new IllegalStateException("the disk is full");
                }
                return penalised.evaluate(p, ctx);
            }
        };
        FitFailedException own = assertThrows(
                FitFailedException.class,
                () -> new Fitter(breaks, Map.of("x", 1.0)).maxEvaluations(20).fit("Nelder-Mead"));
        assertTrue(own.getMessage().contains("the disk is full"), own.getMessage());
    }
    /**
     * A fit resumed from its journal, whose one working term is replayed in every evaluation (its
     * failing one run again and penalised), computed its terms: it ends as the first run did.
     */
    @Test
    void aResumedFitWhoseTermsAreReplayedStands(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        ObjectiveFunction works = p -> (p.get("x") - 2) * (p.get("x") - 2);
        ObjectiveFunction fails = p -> {
            throw new IllegalStateException("the program crashed");
        };
        CombinedObjectiveFunction c = new CombinedObjectiveFunction(List.of(works, fails), List.of(1.0, 1.0))
                .withFailurePolicy(FailurePolicy.penalty(100));
        try (org.chemfit.journal.Journal j = org.chemfit.journal.Journal.open(dir.resolve("journal.sqlite"))) {
            FitResult first = new Fitter(c, Map.of("x", 1.0))
                    .maxEvaluations(12)
                    .journal(j)
                    .fit("Nelder-Mead");
            FitResult again = new Fitter(c, Map.of("x", 1.0))
                    .maxEvaluations(12)
                    .journal(j)
                    .fit("Nelder-Mead");
            assertEquals(first.bestLoss(), again.bestLoss(), again.toString());
            assertEquals(first.bestParameters().get("x"), again.bestParameters().get("x"), again.toString());
        }
    }
}
