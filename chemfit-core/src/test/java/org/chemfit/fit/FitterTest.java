package org.chemfit.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.Bounds;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.FailurePolicy;
import org.chemfit.ObjectiveFunction;
import org.chemfit.ObjectiveFunctions;
import org.chemfit.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FitterTest {

    /** 2(x-2)^2 + 3(y+1)^2, minimum 0 at (2, -1). */
    static final ObjectiveFunction QUADRATIC = p -> 2 * Math.pow(p.get("x") - 2, 2) + 3 * Math.pow(p.get("y") + 1, 2);

    @ParameterizedTest
    @ValueSource(strings = {"Nelder-Mead", "Powell", "BOBYQA", "CMA-ES"})
    void everyMethodFindsTheMinimum(String method) {
        FitResult r = new Fitter(QUADRATIC, Map.of("x", 0.5, "y", 0.5)).fit(method);
        assertEquals(2.0, r.bestParameters().get("x"), 1e-6, method);
        assertEquals(-1.0, r.bestParameters().get("y"), 1e-6, method);
        assertEquals(2 * 2.25 + 3 * 2.25, r.initialLoss(), 1e-12);
        assertTrue(r.bestLoss() < 1e-11, method + " loss " + r.bestLoss());
        assertEquals(StopReason.CONVERGED, r.stopReason());
        assertTrue(r.evaluations() > 1);
        assertTrue(r.warnings().isEmpty(), r.warnings().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Nelder-Mead", "Powell", "BOBYQA", "CMA-ES"})
    void boundsAreHonouredAndTheBoundIsReported(String method) {
        List<double[]> seen = new ArrayList<>();
        ObjectiveFunction recording = p -> {
            seen.add(new double[] {p.get("x"), p.get("y")});
            return QUADRATIC.evaluate(p);
        };
        FitResult r = new Fitter(recording, Map.of("x", 0.5, "y", 0.5))
                .bounds(Bounds.builder().between("x", 0.0, 1.5).build())
                .fit(method);
        assertEquals(1.5, r.bestParameters().get("x"), 1e-8, method);
        assertEquals(-1.0, r.bestParameters().get("y"), 1e-5, method);
        for (double[] x : seen) {
            assertTrue(x[0] >= 0.0 && x[0] <= 1.5, method + " evaluated x = " + x[0]);
        }
        assertTrue(
                r.warnings().stream()
                        .anyMatch(w -> w.startsWith("parameter 'x' = ") && w.contains("near its upper bound 1.5")),
                r.warnings().toString());
    }

    @Test
    void nanLossesBecomeValueBadParams() {
        List<Double> told = new ArrayList<>();
        ObjectiveFunction holey = p -> p.get("x") > 2.5 ? Double.NaN : Math.pow(p.get("x") - 2, 2);
        FitResult r = new Fitter(holey, Map.of("x", 2.45))
                .valueBadParams(123.0)
                .listener((n, ctx, loss) -> told.add(loss))
                .fit("Nelder-Mead");
        assertTrue(told.contains(123.0), told.toString());
        assertEquals(0.45 * 0.45, r.initialLoss(), 1e-15);
        assertEquals(2.0, r.bestParameters().get("x"), 1e-6);
        assertTrue(
                r.warnings().stream()
                        .anyMatch(w -> w.contains("NaN or infinite")
                                && w.matches(".*the optimizer was told 123 for (it|them).*")),
                r.warnings().toString());
        assertThrows(
                IllegalArgumentException.class, () -> new Fitter(holey, Map.of("x", 1.0)).valueBadParams(Double.NaN));
    }

    @Test
    void budgetExhaustionReturnsTheBestPointSeen() {
        List<Double> losses = new ArrayList<>();
        List<Parameters> points = new ArrayList<>();
        ObjectiveFunction recording = p -> {
            double v = QUADRATIC.evaluate(p);
            losses.add(v);
            points.add(p);
            return v;
        };
        FitResult r = new Fitter(recording, Map.of("x", 0.0, "y", 0.0))
                .maxEvaluations(15)
                .fit("Powell");
        assertEquals(StopReason.MAX_EVALUATIONS, r.stopReason());
        assertEquals(15, r.evaluations());
        assertEquals(15, losses.size());
        int best = 0;
        for (int i = 1; i < losses.size(); i++) {
            if (losses.get(i) < losses.get(best)) {
                best = i;
            }
        }
        assertEquals(losses.get(best), r.bestLoss());
        assertEquals(points.get(best), r.bestParameters());
    }

    @Test
    void callbacksFireEveryNSteps() {
        AtomicInteger every1 = new AtomicInteger();
        AtomicInteger every5 = new AtomicInteger();
        List<FitProgress> seen = new ArrayList<>();
        FitResult r = new Fitter(QUADRATIC, Map.of("x", 0.0, "y", 0.0))
                .callback(p -> every1.incrementAndGet(), 1)
                .callback(
                        p -> {
                            every5.incrementAndGet();
                            seen.add(p);
                        },
                        5)
                .fit("Nelder-Mead");
        assertEquals(r.steps(), every1.get());
        assertEquals(r.steps() / 5, every5.get());
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(5 * (i + 1), seen.get(i).step());
            assertTrue(seen.get(i).bestLoss() <= seen.get(i).currentLoss());
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> new Fitter(QUADRATIC, Map.of("x", 0.0, "y", 0.0)).callback(p -> {}, 0));
    }

    @Test
    void stopConditionEndsTheFit() {
        FitResult r = new Fitter(QUADRATIC, Map.of("x", 0.0, "y", 0.0))
                .stopWhen(p -> p.bestLoss() < 1.0)
                .fit("Nelder-Mead");
        assertEquals(StopReason.STOP_CONDITION, r.stopReason());
        assertTrue(r.bestLoss() < 1.0);
    }

    @Test
    void fixedParametersKeepTheirValue() {
        FitResult r =
                new Fitter(QUADRATIC, Map.of("x", 0.0, "y", 0.0)).fixed("y").fit("Nelder-Mead");
        assertEquals(0.0, r.bestParameters().get("y"));
        assertEquals(2.0, r.bestParameters().get("x"), 1e-6);
        assertEquals(3.0, r.bestLoss(), 1e-10);
        assertEquals(
                "cannot fix unknown parameter 'z'",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new Fitter(QUADRATIC, Map.of("x", 0.0, "y", 0.0)).fixed("z"))
                        .getMessage());
        FitResult none = new Fitter(QUADRATIC, Map.of("x", 0.0, "y", 0.0))
                .fixed("x", "y")
                .fit();
        assertEquals(StopReason.NO_FREE_PARAMETERS, none.stopReason());
        assertEquals(1, none.evaluations());
    }

    @Test
    void aRefusedNameFixesNoneOfTheNamesGiven() {
        Fitter f = new Fitter(QUADRATIC, Map.of("x", 0.0, "y", 0.0));
        assertThrows(IllegalArgumentException.class, () -> f.fixed("y", "z"));
        assertThrows(NullPointerException.class, () -> f.fixed("y", null));
        assertEquals(List.of(), fit(f.settings()).get("fixed"));
        f.fixed("y");
        assertEquals(List.of("y"), fit(f.settings()).get("fixed"));
    }

    private static Map<?, ?> fit(Map<String, Object> settings) {
        return (Map<?, ?>) settings.get("fit");
    }

    @Test
    void aNullArgumentIsRefusedAtTheEntryByItsName() {
        Fitter f = new Fitter(QUADRATIC, Map.of("x", 0.0, "y", 0.0));
        assertEquals(
                "names[0]",
                assertThrows(NullPointerException.class, () -> f.fixed((String) null))
                        .getMessage());
        assertEquals(
                "names[1]",
                assertThrows(NullPointerException.class, () -> f.fixed("x", null))
                        .getMessage());
        assertEquals(
                "names",
                assertThrows(NullPointerException.class, () -> f.fixed((String[]) null))
                        .getMessage());
        assertEquals(
                "method",
                assertThrows(NullPointerException.class, () -> f.fit((String) null))
                        .getMessage());
        assertEquals(
                "optimizer",
                assertThrows(NullPointerException.class, () -> f.fit((Optimizer) null))
                        .getMessage());
        assertEquals(
                "optimizer",
                assertThrows(NullPointerException.class, () -> f.settings(null)).getMessage());
        assertEquals(
                "bounds",
                assertThrows(NullPointerException.class, () -> f.bounds(null)).getMessage());
        assertEquals(
                "initialParams",
                assertThrows(NullPointerException.class, () -> new Fitter(QUADRATIC, (Map<String, ?>) null))
                        .getMessage());
        assertEquals(
                "name",
                assertThrows(NullPointerException.class, () -> Optimizers.byName(null))
                        .getMessage());
        assertEquals(
                "optimizer",
                assertThrows(NullPointerException.class, () -> Optimizers.withTolerances(null, 1e-8, 1e-8))
                        .getMessage());
        assertEquals(
                "optimizer",
                assertThrows(NullPointerException.class, () -> Optimizers.withRelativeStep(null, 1e-6))
                        .getMessage());
    }

    @Test
    void nestedParametersComeBackNested() {
        ObjectiveFunction f = p -> Math.pow(p.get("lj.sigma") - 3.4, 2) + Math.pow(p.get("lj.epsilon") - 0.01, 2) * 1e4;
        FitResult r = new Fitter(f, Map.of("lj", Map.of("sigma", 3.0, "epsilon", 0.02))).fit("Nelder-Mead");
        @SuppressWarnings("unchecked")
        Map<String, Object> lj =
                (Map<String, Object>) r.bestParameters().asNestedMap().get("lj");
        assertEquals(3.4, (Double) lj.get("sigma"), 1e-5);
        assertEquals(0.01, (Double) lj.get("epsilon"), 1e-6);
    }

    @Test
    void aRaisedTermFailureEndsTheFitWithThePartialResult() {
        AtomicInteger calls = new AtomicInteger();
        ObjectiveFunction breaksLater = p -> {
            if (calls.incrementAndGet() > 5) {
                throw new IllegalStateException("simulation crashed");
            }
            return QUADRATIC.evaluate(p);
        };
        var combined = new CombinedObjectiveFunction(List.of(breaksLater));
        FitFailedException e = assertThrows(
                FitFailedException.class, () -> new Fitter(combined, Map.of("x", 0.0, "y", 0.0)).fit("Nelder-Mead"));
        // e0 to e4 completed, e5 failed: it ran (the result counts it) but did not complete
        assertTrue(
                e.getMessage()
                        .matches(
                                "the fit stopped after 5 completed evaluations because an evaluation failed \\(e5, at"
                                        + " \\{x=[-0-9.E]+, y=[-0-9.E]+\\}\\): term 0 'term\\[0\\]' failed: simulation crashed"),
                e.getMessage());
        FitResult partial = e.partialResult().orElseThrow();
        assertEquals(StopReason.FAILED, partial.stopReason());
        assertEquals(6, partial.evaluations());
        assertTrue(partial.bestLoss() <= QUADRATIC.evaluate(Parameters.of(Map.of("x", 0.0, "y", 0.0))));
        assertFalse(Double.isNaN(partial.bestLoss()));
    }

    @Test
    void aFailedFirstEvaluationIsNotCountedAsCompleted() {
        ObjectiveFunction crashes = p -> {
            throw new IllegalStateException("simulation crashed");
        };
        var combined = new CombinedObjectiveFunction(List.of(crashes));
        FitFailedException e = assertThrows(
                FitFailedException.class, () -> new Fitter(combined, Map.of("x", 0.0, "y", 1.0)).fit("Nelder-Mead"));
        assertEquals(
                "the fit stopped in its first evaluation because it failed (e0, at {x=0.0, y=1.0}): term 0 'term[0]'"
                        + " failed: simulation crashed",
                e.getMessage());
        assertTrue(e.partialResult().isEmpty(), "no evaluation completed, so there is no best point");
    }

    @Test
    void theBreakdownAtTheBestPointIsReturned() {
        var combined = new CombinedObjectiveFunction(
                List.of(p -> 2 * Math.pow(p.get("x") - 2, 2), p -> 3 * Math.pow(p.get("y") + 1, 2)), List.of(1.0, 1.0));
        FitResult r = new Fitter(combined, Map.of("x", 0.0, "y", 0.0)).fit("Nelder-Mead");
        assertEquals(2, r.breakdown().children().size());
        assertEquals(r.bestLoss(), r.breakdown().loss());
        assertEquals(r.bestParameters(), r.breakdown().parameters());
    }

    @Test
    void bobyqaNeedsTwoFreeParameters() {
        AtomicInteger calls = new AtomicInteger();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new Fitter(p -> calls.incrementAndGet(), Map.of("x", 1.0)).fit("BOBYQA"));
        assertEquals(0, calls.get());
        assertTrue(e.getMessage().contains("BOBYQA needs at least 2 free parameters, got 1"), e.getMessage());
    }

    @Test
    void unknownMethodIsNamed() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new Fitter(QUADRATIC, Map.of("x", 0.0, "y", 0.0)).fit("Powel"));
        assertTrue(
                e.getMessage().startsWith("unknown optimization method 'Powel' (did you mean 'Powell'?)"),
                e.getMessage());
    }

    @Test
    void aFitIsReproducible() {
        FitResult a = new Fitter(QUADRATIC, Map.of("x", 0.0, "y", 0.0)).seed(7).fit("CMA-ES");
        FitResult b = new Fitter(QUADRATIC, Map.of("x", 0.0, "y", 0.0)).seed(7).fit("CMA-ES");
        assertEquals(a.bestParameters(), b.bestParameters());
        assertEquals(a.evaluations(), b.evaluations());
    }

    @Test
    void anInterruptEndsTheFitWithTheBestResultSoFar() throws Exception {
        java.util.concurrent.CountDownLatch blocked = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        ObjectiveFunction slowAfterThree = p -> {
            if (calls.incrementAndGet() > 3) {
                blocked.countDown();
                try {
                    // the behaviour under test: a simulation that runs until the fit is interrupted
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("simulation interrupted", e);
                }
            }
            return QUADRATIC.evaluate(p);
        };
        java.util.concurrent.atomic.AtomicReference<FitResult> result =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean stillInterrupted = new java.util.concurrent.atomic.AtomicBoolean();
        Thread fit = new Thread(() -> {
            result.set(new Fitter(slowAfterThree, Map.of("x", 0.0, "y", 0.0)).fit("Nelder-Mead"));
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        });
        fit.start();
        assertTrue(blocked.await(10, java.util.concurrent.TimeUnit.SECONDS));
        fit.interrupt();
        fit.join(10_000);
        assertFalse(fit.isAlive());
        assertEquals(StopReason.INTERRUPTED, result.get().stopReason());
        assertEquals(3, result.get().evaluations());
        assertTrue(stillInterrupted.get());
    }

    /**
     * A term that wraps the InterruptedException in an unchecked exception, as a lambda must, and
     * does not set the flag again: the fit still ends INTERRUPTED with the best result so far, under
     * every failure policy, instead of failing (raise) or running the blocked term again and again
     * (penalty, skip, retries).
     */
    @ParameterizedTest
    @ValueSource(strings = {"raise", "penalty", "skip", "retries"})
    void anInterruptATermWrappedStillEndsTheFit(String policy) throws Exception {
        java.util.concurrent.CountDownLatch blocked = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        ObjectiveFunction wraps = p -> {
            if (calls.incrementAndGet() > 3) {
                blocked.countDown();
                try {
                    new java.util.concurrent.CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    throw new RuntimeException(e); // the flag is not set again
                }
            }
            return QUADRATIC.evaluate(p);
        };
        CombinedObjectiveFunction objective = new CombinedObjectiveFunction(
                        List.of(ObjectiveFunctions.named("wraps", wraps)), List.of(1.0))
                .withFailurePolicy(
                        switch (policy) {
                            case "penalty" -> FailurePolicy.penalty(50);
                            case "skip" -> FailurePolicy.skip();
                            case "retries" -> FailurePolicy.raise().withRetries(2);
                            default -> FailurePolicy.raise();
                        });
        java.util.concurrent.atomic.AtomicReference<Object> result =
                new java.util.concurrent.atomic.AtomicReference<>();
        Thread fit = new Thread(() -> {
            try {
                result.set(new Fitter(objective, Map.of("x", 0.0, "y", 0.0)).fit("Nelder-Mead"));
            } catch (RuntimeException e) {
                result.set(e);
            }
        });
        fit.start();
        assertTrue(blocked.await(10, java.util.concurrent.TimeUnit.SECONDS));
        fit.interrupt();
        fit.join(30_000);
        assertFalse(fit.isAlive(), "the fit ended");
        FitResult r = assertInstanceOf(FitResult.class, result.get(), () -> String.valueOf(result.get()));
        assertEquals(StopReason.INTERRUPTED, r.stopReason());
        assertEquals(3, r.evaluations());
        assertEquals(4, calls.get(), "the interrupted term was not run again");
    }

    /**
     * A term whose helper thread was interrupted, its failure reaching the term through {@code
     * join()}: that is the helper's, not the fit's, so the term fails and is skipped as its policy
     * says, and the fit goes on to its budget with its thread not interrupted.
     */
    @Test
    void anotherThreadsInterruptReachingATermIsATermFailure() {
        AtomicInteger calls = new AtomicInteger();
        ObjectiveFunction helped = p -> {
            if (calls.incrementAndGet() % 3 == 0) {
                return java.util.concurrent.CompletableFuture.<Double>supplyAsync(() -> {
                            throw new IllegalStateException("helper gave up", new InterruptedException());
                        })
                        .join();
            }
            return QUADRATIC.evaluate(p);
        };
        CombinedObjectiveFunction objective = new CombinedObjectiveFunction(
                        List.of(ObjectiveFunctions.named("helped", helped)), List.of(1.0))
                .withFailurePolicy(FailurePolicy.skip());
        FitResult r = new Fitter(objective, Map.of("x", 0.0, "y", 0.0))
                .maxEvaluations(30)
                .fit("Nelder-Mead");
        assertEquals(StopReason.MAX_EVALUATIONS, r.stopReason());
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Nelder-Mead", "Powell", "BOBYQA", "CMA-ES", "CMA-ES-hipparchus"})
    void aStartOnABoundStillMovesInside(String method) {
        // 0.5(x-1)^2 + (x-3)^2 + (y-1)^2 has its minimum at x = 7/3, y = 1; x starts on its lower bound
        ObjectiveFunction f =
                p -> 0.5 * Math.pow(p.get("x") - 1, 2) + Math.pow(p.get("x") - 3, 2) + Math.pow(p.get("y") - 1, 2);
        FitResult r = new Fitter(f, Map.of("x", 0.0, "y", 0.0))
                .bounds(Bounds.builder()
                        .between("x", 0.0, 10.0)
                        .between("y", -5.0, 5.0)
                        .build())
                .fit(method);
        assertEquals(7.0 / 3.0, r.bestParameters().get("x"), 1e-5, method);
        assertEquals(1.0, r.bestParameters().get("y"), 1e-5, method);
    }

    /**
     * A method whose own code fails (here one of the user's: it asks for three points, then its
     * tell throws) ends the fit as a failed term does: a FitFailedException that says which method
     * failed and why, and carries the best point so far.
     */
    @Test
    void aMethodThatFailsEndsTheFitWithTheBestResultSoFar() {
        Optimizer breaks = new Optimizer() {
            @Override
            public String name() {
                return "breaks";
            }

            @Override
            public Run start(Problem problem) {
                return new Run() {
                    int asked;

                    @Override
                    public List<double[]> ask() {
                        asked++;
                        return List.of(new double[] {problem.start()[0] + asked});
                    }

                    @Override
                    public void tell(List<double[]> points, double[] values) {
                        if (asked == 3) {
                            throw new IllegalStateException("the model has no minimum");
                        }
                    }

                    @Override
                    public String stopReason() {
                        return "";
                    }

                    @Override
                    public void close() {}
                };
            }
        };
        ObjectiveFunction f = p -> Math.pow(p.get("x") - 2.2, 2);
        FitFailedException e =
                assertThrows(FitFailedException.class, () -> new Fitter(f, Map.of("x", 0.0)).fit(breaks));
        assertEquals("the method breaks failed after 4 evaluations: the model has no minimum", e.getMessage());
        FitResult partial = e.partialResult().orElseThrow();
        assertEquals(StopReason.FAILED, partial.stopReason());
        assertEquals(2.0, partial.bestParameters().get("x"), 0.0, "of 0, 1, 2 and 3, x = 2 is nearest 2.2");
        assertEquals(4, partial.evaluations());
    }
}
