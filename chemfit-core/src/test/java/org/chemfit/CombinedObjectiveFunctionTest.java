package org.chemfit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CombinedObjectiveFunctionTest {

    private static final Parameters X2 = Parameters.of(Map.of("x", 2.0));

    private static ObjectiveFunction failing(String message) {
        return p -> {
            throw new IllegalStateException(message);
        };
    }

    @Test
    void chemFitsDocumentedExampleGivesOnePointFive() {
        ObjectiveFunction a = p -> Math.pow(p.get("x") - 1.0, 2);
        ObjectiveFunction b = p -> Math.pow(p.get("x") - 3.0, 2);
        var combined = new CombinedObjectiveFunction(List.of(a, b), List.of(0.5, 1.0));
        assertEquals(1.5, combined.evaluate(X2));
    }

    @Test
    void aComputerThatReturnsNullIsReportedByItsTermsName() {
        QuantityComputer none = p -> null;
        ObjectiveFunction term = none.withLoss(LossFunctions.squaredError(Map.of("energy", 1.0)));
        ChemFitException alone = assertThrows(ChemFitException.class, () -> term.evaluate(X2));
        assertEquals("the quantity computer of the objective returned null instead of quantities", alone.getMessage());
        ChemFitException named =
                assertThrows(ChemFitException.class, () -> term.named("dimer").evaluate(X2));
        assertEquals("the quantity computer of term 'dimer' returned null instead of quantities", named.getMessage());
        var inner = new CombinedObjectiveFunction(List.of(p -> 1.0, term.named("dimer"))).named("energies");
        var outer = new CombinedObjectiveFunction(List.<ObjectiveFunction>of(inner));
        TermFailedException e = assertThrows(TermFailedException.class, () -> outer.evaluate(X2));
        assertTrue(
                e.getMessage()
                        .contains("the quantity computer of term 'energies/dimer' returned null instead of quantities"),
                e.getMessage());
        assertTrue(!e.getMessage().contains("Lambda"), e.getMessage());
    }

    @Test
    void weightsDefaultToOne() {
        var combined = new CombinedObjectiveFunction(List.of(p -> 2.0, p -> 3.0));
        assertEquals(List.of(1.0, 1.0), combined.weights());
        assertEquals(5.0, combined.evaluate(X2));
    }

    @Test
    void weightValidationNamesTheRuleAndTheValue() {
        List<ObjectiveFunction> two = List.of(p -> 1.0, p -> 2.0);
        assertEquals(
                "there must be one weight per term: got 2 terms and 1 weights",
                assertThrows(IllegalArgumentException.class, () -> new CombinedObjectiveFunction(two, List.of(1.0)))
                        .getMessage());
        assertEquals(
                "weights must be finite: weight 1 is NaN",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new CombinedObjectiveFunction(two, List.of(1.0, Double.NaN)))
                        .getMessage());
        assertEquals(
                "weights must be finite: weight 0 is Infinity",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new CombinedObjectiveFunction(two, List.of(Double.POSITIVE_INFINITY, 1.0)))
                        .getMessage());
        assertEquals(
                "weights must not be negative: weight 1 is -0.5",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new CombinedObjectiveFunction(two, List.of(1.0, -0.5)))
                        .getMessage());
        assertEquals(
                "a combined objective needs at least one term, got 0",
                assertThrows(IllegalArgumentException.class, () -> new CombinedObjectiveFunction(List.of()))
                        .getMessage());
        assertEquals(
                "weights must be finite: weight 0 is null",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new CombinedObjectiveFunction(two, Arrays.asList(null, 1.0)))
                        .getMessage());
        var ok = new CombinedObjectiveFunction(two);
        assertEquals(
                "weights must not be negative: weight 0 is -1.0",
                assertThrows(IllegalArgumentException.class, () -> ok.withWeights(List.of(-1.0, 1.0)))
                        .getMessage());
    }

    @Test
    void contextHoldsThePerTermBreakdown() {
        QuantityComputer energy = p -> Quantities.of("energy", p.get("x") * 2);
        var term = energy.withLoss(LossFunctions.squaredError(Map.of("energy", 3.0)))
                .named("energy");
        var combined = new CombinedObjectiveFunction(List.<ObjectiveFunction>of(term, p -> 10.0), List.of(2.0, 0.1));
        EvaluationContext ctx = new EvaluationContext(X2);
        double loss = combined.evaluate(X2, ctx);
        assertEquals(2.0 * 1.0 + 0.1 * 10.0, loss);
        assertEquals(loss, ctx.loss());
        EvaluationContext first = ctx.child(0);
        assertEquals("energy", first.name());
        assertEquals(1.0, first.value());
        assertEquals(2.0, first.weight());
        assertEquals(2.0, first.contribution());
        assertEquals(4.0, first.quantities().get("energy"));
        assertTrue(first.seconds() >= 0);
        assertEquals(Thread.currentThread().getName(), first.threadName());
        assertEquals("term[1]", ctx.child(1).name());
        assertEquals(1.0, ctx.child(1).contribution(), 1e-15);
        Map<String, Object> tree = ctx.toMap(false);
        assertEquals(2, ((List<?>) tree.get("terms")).size());
    }

    @Test
    void raiseThrowsTheFirstFailureInTermOrderNamingTheTerm() {
        AtomicInteger ran = new AtomicInteger();
        ObjectiveFunction counting = p -> {
            ran.incrementAndGet();
            return 1.0;
        };
        var combined = new CombinedObjectiveFunction(
                List.of(counting, failing("first boom").named("dimer"), failing("second boom"), counting));
        TermFailedException e = assertThrows(TermFailedException.class, () -> combined.evaluate(X2));
        assertEquals("term 1 'dimer' failed: first boom", e.getMessage());
        assertEquals(1, e.termIndex());
        assertEquals("dimer", e.termName());
        assertEquals(X2, e.parameters().orElseThrow());
        assertEquals(2, ran.get());
    }

    @Test
    void penaltySubstitutesTheValue() {
        var combined = new CombinedObjectiveFunction(List.of(p -> 1.0, failing("boom")), List.of(1.0, 2.0))
                .withFailurePolicy(FailurePolicy.penalty(100.0));
        EvaluationContext ctx = new EvaluationContext(X2);
        assertEquals(201.0, combined.evaluate(X2, ctx));
        assertEquals(EvaluationContext.Status.PENALTY, ctx.child(1).status());
        // the failed term's index and default name, then its own message
        assertEquals("term 1 'term[1]' failed: boom", ctx.child(1).failure().getMessage());
    }

    @Test
    void skipLeavesTheTermOutAndRecordsItsIndex() {
        var combined = new CombinedObjectiveFunction(List.of(p -> 1.0, failing("boom"), p -> 3.0))
                .withFailurePolicy(FailurePolicy.skip())
                .withReducer(Reducer.MEAN);
        EvaluationContext ctx = new EvaluationContext(X2);
        assertEquals(2.0, combined.evaluate(X2, ctx));
        assertEquals(List.of(1), ctx.metadata().get("skipped"));
        assertEquals(EvaluationContext.Status.SKIPPED, ctx.child(1).status());
        var allFail = new CombinedObjectiveFunction(List.of(failing("a"))).withFailurePolicy(FailurePolicy.skip());
        assertTrue(Double.isNaN(allFail.evaluate(X2)));
    }

    @Test
    void retriesRunAFailedTermAgain() {
        AtomicInteger calls = new AtomicInteger();
        ObjectiveFunction flaky = p -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("flaky");
            }
            return 4.0;
        };
        var combined = new CombinedObjectiveFunction(List.of(flaky))
                .withFailurePolicy(FailurePolicy.raise().withRetries(2));
        EvaluationContext ctx = new EvaluationContext(X2);
        assertEquals(4.0, combined.evaluate(X2, ctx));
        assertEquals(3, calls.get());
        assertEquals(2, ctx.child(0).metadata().get("retries"));
        assertThrows(IllegalArgumentException.class, () -> FailurePolicy.penalty(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> FailurePolicy.skip().withRetries(-1));
    }

    @Test
    void nestedCombinedObjectivesApplyTheirOwnPolicyAtTheirLevel() {
        var inner = new CombinedObjectiveFunction(List.of(p -> 1.0, failing("inner boom")), List.of(1.0, 1.0))
                .withFailurePolicy(FailurePolicy.penalty(5.0))
                .named("inner");
        var outer = new CombinedObjectiveFunction(List.<ObjectiveFunction>of(inner, p -> 2.0), List.of(10.0, 1.0));
        EvaluationContext ctx = new EvaluationContext(X2);
        assertEquals(10.0 * 6.0 + 2.0, outer.evaluate(X2, ctx));
        assertEquals("inner", ctx.child(0).name());
        assertEquals(EvaluationContext.Status.PENALTY, ctx.child(0).child(1).status());
        assertEquals("0.1", ctx.child(0).child(1).path());
        assertEquals(3, outer.leafCount());

        var raisingInner = new CombinedObjectiveFunction(List.of(failing("deep"))).named("inner");
        var skippingOuter = new CombinedObjectiveFunction(List.<ObjectiveFunction>of(raisingInner, p -> 2.0))
                .withFailurePolicy(FailurePolicy.skip());
        EvaluationContext ctx2 = new EvaluationContext(X2);
        assertEquals(2.0, skippingOuter.evaluate(X2, ctx2));
        assertEquals(List.of(0), ctx2.metadata().get("skipped"));
    }

    @Test
    void reducers() {
        var c = new CombinedObjectiveFunction(List.of(p -> 4.0, p -> 12.0));
        assertEquals(16.0, c.evaluate(X2));
        assertEquals(8.0, c.withReducer(Reducer.MEAN).evaluate(X2));
        assertEquals(Math.sqrt(8.0), c.withReducer(Reducer.ROOT_MEAN).evaluate(X2));
    }

    @Test
    void copiesLeaveTheOriginalUnchanged() {
        var c = new CombinedObjectiveFunction(List.of(p -> 1.0, p -> 1.0));
        var d = c.withWeights(List.of(2.0, 3.0)).plus(p -> 1.0, 4.0).withTermNames(List.of("a", "b", "c"));
        assertEquals(2.0, c.evaluate(X2));
        assertEquals(9.0, d.evaluate(X2));
        assertEquals(List.of("a", "b", "c"), d.termNames());
        assertEquals(List.of(1.0, 1.0), c.weights());
    }

    @Test
    void hooksRunAroundEveryEvaluation() {
        ObjectiveFunction f = ((ObjectiveFunction) p -> 1.0)
                .withHook(EvaluationHooks.timing())
                .withHook(EvaluationHooks.evaluationId());
        var c = new CombinedObjectiveFunction(List.of(f));
        EvaluationContext a = new EvaluationContext(X2);
        EvaluationContext b = new EvaluationContext(X2);
        c.evaluate(X2, a);
        c.evaluate(X2, b);
        assertEquals(0L, a.child(0).metadata().get("eval_id"));
        assertEquals(1L, b.child(0).metadata().get("eval_id"));
        assertTrue((Double) a.child(0).metadata().get("time_taken") >= 0.0);
    }

    @Test
    void theTimingHookRecordsAFailedTermsTimeAndLeavesNoRawClockReading() {
        ObjectiveFunction failing = ((ObjectiveFunction) p -> {
                    throw new IllegalStateException("diverged");
                })
                .withHook(EvaluationHooks.timing());
        var c = new CombinedObjectiveFunction(List.of(p -> 1.0, failing)).withFailurePolicy(FailurePolicy.skip());
        EvaluationContext ctx = new EvaluationContext(X2);
        assertEquals(1.0, c.evaluate(X2, ctx));
        Map<String, Object> meta = ctx.child(1).metadata();
        assertEquals(EvaluationContext.Status.SKIPPED, ctx.child(1).status());
        assertEquals(List.of("time_taken"), List.copyOf(meta.keySet()), "metadata of the failed term: " + meta);
        assertTrue((Double) meta.get("time_taken") >= 0.0);
    }

    @Test
    void recorderReplaysLeafTermsWithoutRunningThem() {
        AtomicInteger runs = new AtomicInteger();
        ObjectiveFunction counted = p -> {
            runs.incrementAndGet();
            return 7.0;
        };
        var c = new CombinedObjectiveFunction(List.of(counted, counted));
        EvaluationContext ctx = new EvaluationContext(X2);
        TermRecorder replayFirst = new TermRecorder() {
            @Override
            public Recorded lookup(EvaluationContext child) {
                return child.index() == 0
                        ? new Recorded(3.0, Quantities.of("e", 1.0), Map.of("from", "journal"))
                        : null;
            }

            @Override
            public void finished(EvaluationContext child) {
                child.put("recorded", true);
            }
        };
        ctx.recordTo(replayFirst);
        assertEquals(10.0, c.evaluate(X2, ctx));
        assertEquals(1, runs.get());
        assertEquals(EvaluationContext.Status.REPLAYED, ctx.child(0).status());
        assertEquals("journal", ctx.child(0).metadata().get("from"));
        assertEquals(true, ctx.child(1).metadata().get("recorded"));
        assertSame(replayFirst, ctx.child(1).recorder());
    }

    @Test
    void aNestedObjectiveIsRetriedAsAWhole() {
        AtomicInteger calls = new AtomicInteger();
        ObjectiveFunction flaky = p -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("flaky");
            }
            return 2.0;
        };
        var inner = new CombinedObjectiveFunction(List.<ObjectiveFunction>of(p -> 1.0, flaky)).named("inner");
        var outer = new CombinedObjectiveFunction(List.of(inner))
                .withFailurePolicy(FailurePolicy.raise().withRetries(1));
        EvaluationContext ctx = new EvaluationContext(X2);
        assertEquals(3.0, outer.evaluate(X2, ctx));
        assertEquals(2, ctx.child(0).children().size());
        assertEquals(1, ctx.child(0).metadata().get("retries"));
    }

    @Test
    void aHookMustNotBeNull() {
        assertEquals(
                "hook",
                assertThrows(NullPointerException.class, () -> ObjectiveFunctions.withHook(p -> 1.0, null))
                        .getMessage());
        assertEquals(
                "termNames",
                assertThrows(
                                NullPointerException.class,
                                () -> new CombinedObjectiveFunction(List.of(p -> 1.0)).withTermNames(null))
                        .getMessage());
    }

    @Test
    void twoTermsOfTheSameNameAreRefusedNamingTheNameAndBothIndices() {
        ObjectiveFunction one = p -> 1.0;
        var three = new CombinedObjectiveFunction(List.of(one, one, one));
        assertEquals(
                "term names must be unique: terms 0 and 1 are both named 'a'",
                assertThrows(IllegalArgumentException.class, () -> three.withTermNames(List.of("a", "a", "b")))
                        .getMessage());
        assertEquals(
                "term names must be unique: terms 0 and 2 are both named 'a'",
                assertThrows(IllegalArgumentException.class, () -> three.withTermNames(List.of("a", "b", "a")))
                        .getMessage());
        assertEquals(
                "term names must be unique: terms 0 and 3 are both named 'term[3]'",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> three.withTermNames(List.of("term[3]", "b", "c"))
                                        .plus(one, 1.0))
                        .getMessage());
        assertEquals(
                "term names must be unique: terms 1 and 2 are both named 'energy'",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new CombinedObjectiveFunction(
                                        List.of(one, one.named("energy"), one.named("energy"))))
                        .getMessage());
        var named = three.withTermNames(List.of("a", "b", "c"));
        assertEquals(
                "term names must be unique: terms 1 and 3 are both named 'b'",
                assertThrows(IllegalArgumentException.class, () -> named.plus(one.named("b"), 1.0))
                        .getMessage());
        // the same term object may appear twice under two names
        assertEquals(List.of("term[0]", "term[1]", "term[2]"), three.termNames());
        assertEquals(
                List.of("x", "y", "z"),
                three.withTermNames(List.of("x", "y", "z")).termNames());
    }

    /**
     * A blank term name is refused with the same words whichever way it is given: a term's own
     * name, a combined objective's or a quantity term's, the names of a combined objective's terms
     * (with the index), an external term's.
     */
    @Test
    void aBlankTermNameIsRefusedEverywhereAlike() {
        ObjectiveFunction one = p -> 1.0;
        assertEquals(
                "a term name must not be blank, got '  '",
                assertThrows(IllegalArgumentException.class, () -> one.named("  "))
                        .getMessage());
        assertEquals(
                "a term name must not be blank, got ''",
                assertThrows(IllegalArgumentException.class, () -> ObjectiveFunctions.named("", one))
                        .getMessage());
        var two = new CombinedObjectiveFunction(List.of(one, one));
        assertEquals(
                "a term name must not be blank, got '\t'",
                assertThrows(IllegalArgumentException.class, () -> two.named("\t"))
                        .getMessage());
        QuantityComputer q = p -> Quantities.of("e", 1.0);
        assertEquals(
                "a term name must not be blank, got ' '",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> q.withLoss(LossFunctions.squaredError(Map.of("e", 0.0)))
                                        .named(" "))
                        .getMessage());
        assertEquals(
                "a term name must not be blank, got '' (the name of term 0)",
                assertThrows(IllegalArgumentException.class, () -> two.withTermNames(List.of("", "u")))
                        .getMessage());
        assertEquals(
                "a term name must not be blank, got ''",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> org.chemfit.external.FileBasedQuantityComputer.builder()
                                        .name(""))
                        .getMessage());
        assertEquals("u", two.withTermNames(List.of("t", "u")).termNames().get(1));
        assertEquals(" a ", one.named(" a ").name());
    }

    @Test
    void aNullTermOrTermNameIsRefusedByItsIndex() {
        ObjectiveFunction one = p -> 1.0;
        assertEquals(
                "term 1 is null",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new CombinedObjectiveFunction(Arrays.asList(one, null)))
                        .getMessage());
        assertEquals(
                "term 0 is null",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new CombinedObjectiveFunction(Arrays.asList(null, one), List.of(1.0, 2.0)))
                        .getMessage());
        var two = new CombinedObjectiveFunction(List.of(one, one));
        assertEquals(
                "term 2 is null",
                assertThrows(IllegalArgumentException.class, () -> two.plus(null, 1.0))
                        .getMessage());
        assertEquals(
                "term name 1 is null",
                assertThrows(IllegalArgumentException.class, () -> two.withTermNames(Arrays.asList("a", null)))
                        .getMessage());
        assertEquals(
                "objective 0",
                assertThrows(
                                NullPointerException.class,
                                () -> CombinedObjectiveFunction.addFlat(Arrays.asList(null, two)))
                        .getMessage());
        assertEquals(
                "terms",
                assertThrows(NullPointerException.class, () -> new CombinedObjectiveFunction(null))
                        .getMessage());
    }

    /** A quantity computer with a name, as an external program's computer has. */
    private static QuantityComputer named(String name, double energy) {
        return new QuantityComputer() {
            @Override
            public Quantities compute(Parameters params) {
                return Quantities.of("energy", energy * params.get("x"));
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    @Test
    void aTermWithoutANameTakesItsComputersWhenNoOtherTermHasIt() {
        LossFunction loss = LossFunctions.squaredError(Map.of("energy", 0.0));
        ObjectiveFunction fcc = named("fcc", 1).withLoss(loss);
        ObjectiveFunction bcc = named("bcc", 2).withLoss(loss);
        ObjectiveFunction bcc2 = named("bcc", 3).withLoss(loss);
        ObjectiveFunction own = named("hcp", 4).withLoss(loss).named("hcp-own");

        CombinedObjectiveFunction c = new CombinedObjectiveFunction(List.of(fcc, bcc, bcc2, own, p -> 0.0));
        // two computers named 'bcc': both terms by their positions; a name of its own comes first
        assertEquals(List.of("fcc", "term[1]", "term[2]", "hcp-own", "term[4]"), c.termNames());
        // a slice keeps the names: its one 'bcc' term does not take the computer's name there
        assertEquals(List.of("term[2]", "hcp-own"), c.slice(2, 4).termNames());
        assertEquals(List.of("fcc", "term[1]"), c.slice(0, 2).termNames());
        assertEquals(4.0 * 4.0, c.slice(1, 2).evaluate(Parameters.of(Map.of("x", 2.0))), 1e-12);

        EvaluationContext ctx = new EvaluationContext(Parameters.of(Map.of("x", 1.0)));
        new CombinedObjectiveFunction(List.of(fcc, bcc)).evaluate(Parameters.of(Map.of("x", 1.0)), ctx);
        assertEquals(
                List.of("fcc", "bcc"),
                ctx.children().stream().map(EvaluationContext::name).toList());
        // another term that has the name itself keeps it, and the computer's term is named by its position
        assertEquals(
                List.of("term[0]", "fcc"),
                new CombinedObjectiveFunction(
                                List.of(fcc, named("x", 1).withLoss(loss).named("fcc")))
                        .termNames());
        // a term of another name given beside it: the computer's name is still its own
        assertEquals(
                List.of("bcc", "fcc"),
                new CombinedObjectiveFunction(List.of(bcc, p -> 0.0))
                        .withTermNames(List.of("bcc", "fcc"))
                        .termNames());
        IllegalArgumentException clash = assertThrows(
                IllegalArgumentException.class,
                () -> new CombinedObjectiveFunction(List.of(fcc, p -> 0.0)).withTermNames(List.of("a", "a")));
        assertTrue(clash.getMessage().contains("both named 'a'"), clash.getMessage());
    }
}
