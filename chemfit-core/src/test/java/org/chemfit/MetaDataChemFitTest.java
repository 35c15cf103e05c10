package org.chemfit;

import static org.chemfit.testfixtures.Overlaps.assertOverlap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.chemfit.schedule.AsyncWrapperCOB;
import org.junit.jupiter.api.Test;

/**
 * ChemFit's metadata test ({@code tests/test_meta_data.py} in github.com/MSallermann/chemfit) and its
 * combined-objective behaviour ({@code add_flat}, {@code idx_slice}), ported. ChemFit keeps a term's
 * metadata on the term object; here a term writes it into its context, so one term object can run
 * in many threads at once, and {@code gatherMetaData} reads it from the context of an evaluation.
 */
class MetaDataChemFitTest {

    /** f * x^2, recording its value as "last_value". */
    static ObjectiveFunction functor(double f) {
        return new ObjectiveFunction() {
            @Override
            public double evaluate(Parameters p) {
                return f * p.get("x") * p.get("x");
            }

            @Override
            public double evaluate(Parameters p, EvaluationContext ctx) {
                double v = evaluate(p);
                ctx.put("last_value", v);
                ctx.complete(v);
                return v;
            }
        };
    }

    static final Parameters INITIAL = Parameters.of(Map.of("x", 1.0, "y", 2.0));

    static CombinedObjectiveFunction cob() {
        // y^2 + x^2 + 2 x^2
        return new CombinedObjectiveFunction(List.of(p -> p.get("y") * p.get("y"), functor(1), functor(2)));
    }

    @Test
    void gatherMetaData() {
        CombinedObjectiveFunction cob = cob();
        EvaluationContext ctx = new EvaluationContext(INITIAL);
        assertEquals(4.0 + 1.0 + 2.0, cob.evaluate(INITIAL, ctx), 0.0);
        assertEquals(List.of(Map.of(), Map.of("last_value", 1.0), Map.of("last_value", 2.0)), cob.gatherMetaData(ctx));
        assertEquals(List.of(Map.of("last_value", 1.0)), cob.gatherMetaData(ctx, 1, 2));
    }

    /**
     * A term that starts only once all its siblings have started, each counting down the latch and
     * waiting for the rest: the evaluation ends only if the terms run at once.
     */
    static ObjectiveFunction meetingTheOthers(CountDownLatch all, ObjectiveFunction term) {
        return new ObjectiveFunction() {
            @Override
            public double evaluate(Parameters p) {
                return term.evaluate(p);
            }

            @Override
            public double evaluate(Parameters p, EvaluationContext ctx) {
                all.countDown();
                try {
                    if (!all.await(20, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the terms did not run at once: waited 20 s for the others");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EvaluationCancelledException("interrupted", e);
                }
                return term.evaluate(p, ctx);
            }
        };
    }

    /**
     * The counterpart of ChemFit's MPI case: the three terms run at once on a pool of three, each
     * waiting for the others before it computes, and write their metadata from their own threads.
     */
    @Test
    void gatherMetaDataWithConcurrentTerms() {
        CountDownLatch all = new CountDownLatch(3);
        CombinedObjectiveFunction cob = new CombinedObjectiveFunction(List.of(
                meetingTheOthers(all, p -> p.get("y") * p.get("y")),
                meetingTheOthers(all, functor(1)),
                meetingTheOthers(all, functor(2))));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (AsyncWrapperCOB async = new AsyncWrapperCOB(cob, pool)) {
            EvaluationContext ctx = new EvaluationContext(INITIAL);
            assertEquals(7.0, async.evaluate(INITIAL, ctx), 0.0);
            assertEquals(
                    List.of(Map.of(), Map.of("last_value", 1.0), Map.of("last_value", 2.0)), cob.gatherMetaData(ctx));
            assertOverlap(ctx, 3);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aContextOfAnotherObjectiveIsRefused() {
        EvaluationContext ctx = new EvaluationContext(INITIAL);
        new CombinedObjectiveFunction(List.of(p -> 1.0)).evaluate(INITIAL, ctx);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cob().gatherMetaData(ctx));
        assertTrue(e.getMessage().contains("the context holds 1 terms, this objective has 3"), e.getMessage());
    }

    @Test
    void addFlatMultipliesTheWeightsThrough() {
        ObjectiveFunction a = p -> p.get("x");
        ObjectiveFunction b = p -> p.get("y");
        ObjectiveFunction c = p -> p.get("x") * p.get("y");
        CombinedObjectiveFunction first =
                new CombinedObjectiveFunction(List.of(a, b), List.of(1.0, 2.0)).withTermNames(List.of("a", "b"));
        CombinedObjectiveFunction second =
                new CombinedObjectiveFunction(List.of(c), List.of(3.0)).withTermNames(List.of("c"));

        CombinedObjectiveFunction flat = CombinedObjectiveFunction.addFlat(List.of(first, second), List.of(0.5, 2.0));

        assertEquals(3, flat.size());
        assertEquals(List.of(0.5, 1.0, 6.0), flat.weights());
        assertEquals(List.of("a", "b", "c"), flat.termNames());
        assertEquals(0.5 * first.evaluate(INITIAL) + 2.0 * second.evaluate(INITIAL), flat.evaluate(INITIAL), 1e-12);
        assertEquals(
                List.of(1.0, 2.0, 3.0),
                CombinedObjectiveFunction.addFlat(List.of(first, second)).weights());
    }

    @Test
    void addFlatNamesTermsWithoutANameByTheirPlaceInTheFlatObjective() {
        CombinedObjectiveFunction unnamed = cob();
        assertEquals(List.of("term[0]", "term[1]", "term[2]"), unnamed.termNames());
        CombinedObjectiveFunction flat = CombinedObjectiveFunction.addFlat(List.of(unnamed, unnamed));
        assertEquals(List.of("term[0]", "term[1]", "term[2]", "term[3]", "term[4]", "term[5]"), flat.termNames());
        assertEquals(2 * unnamed.evaluate(INITIAL), flat.evaluate(INITIAL), 0.0);

        // given names and a term's own name are kept; a slice keeps the default names it had
        CombinedObjectiveFunction named =
                new CombinedObjectiveFunction(List.of(functor(1), functor(2))).withTermNames(List.of("a", "b"));
        CombinedObjectiveFunction own =
                new CombinedObjectiveFunction(List.of(functor(3).named("c"), functor(4)));
        CombinedObjectiveFunction tail = unnamed.slice(1, 3);
        assertEquals(List.of("term[1]", "term[2]"), tail.termNames());
        assertEquals(
                List.of("term[1]", "term[2]", "term[3]"),
                tail.plus(functor(5), 1.0).termNames());
        assertEquals(
                List.of("a", "b", "c", "term[3]", "term[4]", "term[5]"),
                CombinedObjectiveFunction.addFlat(List.of(named, own, tail)).termNames());

        // names that two objectives gave their terms are not renamed
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> CombinedObjectiveFunction.addFlat(List.of(named, named)));
        assertEquals("term names must be unique: terms 0 and 2 are both named 'a'", e.getMessage());
    }

    @Test
    void addFlatRefusesWhatWouldChangeTheValue() {
        CombinedObjectiveFunction mean = cob().withReducer(Reducer.MEAN);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> CombinedObjectiveFunction.addFlat(List.of(cob(), mean)));
        assertTrue(e.getMessage().contains("objective 1 reduces by MEAN"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> CombinedObjectiveFunction.addFlat(List.of(cob()), List.of(-1.0)));
        assertTrue(e.getMessage().contains("weight 0 is -1.0"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> CombinedObjectiveFunction.addFlat(List.of(cob()), List.of(1.0, 1.0)));
        assertTrue(e.getMessage().contains("got 1 objectives and 2 weights"), e.getMessage());
    }

    @Test
    void aRangeOfTermsIsEvaluated() {
        CombinedObjectiveFunction cob = cob();
        assertEquals(4.0, cob.evaluate(INITIAL, 0, 1), 0.0);
        assertEquals(1.0 + 2.0, cob.evaluate(INITIAL, 1, 3), 0.0);
        assertEquals(7.0, cob.evaluate(INITIAL, 0, 3), 0.0);
        assertEquals(2, cob.slice(1, 3).size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cob.evaluate(INITIAL, 2, 4));
        assertEquals("a range of terms must satisfy 0 <= from < to <= 3, got from 2 to 4", e.getMessage());
    }
}
