package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.FailurePolicy;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.fit.FitFailedException;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.RunRecord;
import org.chemfit.journal.read.TermRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metadata that the journal cannot store as JSON (an object with no text of its own) fails the
 * term, or the evaluation, that put it, in words: a resumed fit would read back another value.
 */
class MetadataJournalTest {

    @TempDir
    Path dir;

    private static final String REFUSAL = ", with no text of its own; the journal stores metadata as JSON (maps,"
            + " lists, arrays, strings, numbers, booleans, enum constants, paths, or objects with a text of their"
            + " own), and this value's text would change from one run of the JVM to the next, so that a resumed"
            + " fit would read back another value";

    /** A term that puts {@code value} under {@code key} and gives (x - target)^2. */
    private static ObjectiveFunction term(double target, String key, Object value) {
        return new ObjectiveFunction() {
            @Override
            public double evaluate(Parameters p) {
                return evaluate(p, new EvaluationContext(p));
            }

            @Override
            public double evaluate(Parameters p, EvaluationContext ctx) {
                ctx.put(key, value);
                return Math.pow(p.get("x") - target, 2);
            }
        };
    }

    private static CombinedObjectiveFunction objective(Object bValue) {
        return new CombinedObjectiveFunction(
                        List.of(term(1.0, "file", Path.of("/tmp/a.out")), term(2.0, "info", bValue)))
                .withTermNames(List.of("a", "b"));
    }

    private Fitter fitter(ObjectiveFunction f, JournalReader j) {
        return new Fitter(f, Map.of("x", 0.5)).maxEvaluations(20).journal(j);
    }

    /**
     * An Iterable that is no collection and has no text of its own (a lambda's, which may be a
     * stream's and iterate once) is refused without being iterated, as is a list that holds
     * itself, which JSON cannot write; a list held twice is looked at once, and still refused for
     * what it holds.
     */
    @Test
    void anIterableOfNoTextAndAListThatHoldsItselfAreRefusedInWords() {
        int[] iterations = {0};
        Iterable<Integer> once = () -> {
            iterations[0]++;
            return List.of(1, 2).iterator();
        };
        String refused = JsonCodec.refusedMetadata(Map.of("values", once));
        assertEquals(
                "its metadata 'values' is a " + once.getClass().getName() + ", an Iterable that is no collection and"
                        + " has no text of its own: it may be iterated only once (a stream's), and the journal writes"
                        + " metadata more than once; put a list of its values",
                refused);
        assertEquals(0, iterations[0]);
        java.util.List<Object> self = new java.util.ArrayList<>(List.of(1));
        self.add(self);
        assertEquals(
                "its metadata 'm[1]' holds itself (a list, map or array inside itself), which the journal cannot"
                        + " store as JSON",
                JsonCodec.refusedMetadata(Map.of("m", self)));
        java.util.List<Object> shared = new java.util.ArrayList<>(List.of(1, 2));
        assertEquals(null, JsonCodec.refusedMetadata(Map.of("m", List.of(shared, shared))));
        shared.add(new Object());
        assertEquals(
                "its metadata 'm[0][2]' is a java.lang.Object" + REFUSAL,
                JsonCodec.refusedMetadata(Map.of("m", List.of(shared, shared))));
    }

    /** A record of the test's own, not public, as a user's term may put one. */
    private record Pair(String name, Object value) {}

    /** A record whose own text leaves out its lock: stored as that text, which is the same in every run. */
    private record Tagged(String label, Object lock) {
        @Override
        public String toString() {
            return "Tagged[" + label + "]";
        }
    }

    /**
     * An array inside the text of a record, an Optional or a map's key is written as its identity
     * text ([D@...): refused; a record whose own text leaves out a component of no text is taken, as
     * its stored text is stable.
     */
    @Test
    void anArrayInsideATextIsRefusedAndARecordsOwnStableTextTaken() {
        String inText = " inside the text of a record, an Optional or a map's key, which writes an array as a text"
                + " that changes from one run of the JVM to the next (";
        assertEquals(
                "its metadata 'r.value' is a double[]" + inText + "[D@...), so that a resumed fit would read back"
                        + " another value; put a list of its values there",
                JsonCodec.refusedMetadata(Map.of("r", new Pair("f", new double[] {1, 2}))));
        assertEquals(
                "its metadata 'o (in an Optional)' is a java.lang.String[]" + inText + "[Ljava.lang.String;@...), so"
                        + " that a resumed fit would read back another value; put a list of its values there",
                JsonCodec.refusedMetadata(Map.of("o", java.util.Optional.of(new String[] {"a"}))));
        assertEquals(
                "its metadata 'm (a key of it)' is an int[]" + inText + "[I@...), so that a resumed fit would read"
                        + " back another value; put a list of its values there",
                JsonCodec.refusedMetadata(Map.of("m", Map.of(new int[] {1}, "x"))));
        assertEquals(null, JsonCodec.refusedMetadata(Map.of("t", new Tagged("run-3", new Object()))));
        // a list looked into as JSON first is looked into again inside a record's text
        List<double[]> l = List.of(new double[] {1});
        java.util.Map<String, Object> both = new java.util.LinkedHashMap<>();
        both.put("a", l);
        both.put("b", new Pair("p", l));
        assertEquals(
                "its metadata 'b.value[0]' is a double[]" + inText + "[D@...), so that a resumed fit would read back"
                        + " another value; put a list of its values there",
                JsonCodec.refusedMetadata(both));
        // a set inside a text is taken (its order is not checked), and so is a record's own text that holds an
        // address, whatever it hides
        assertEquals(null, JsonCodec.refusedMetadata(Map.of("o", java.util.Optional.of(java.util.Set.of()))));
        assertEquals(null, JsonCodec.refusedMetadata(Map.of("t", new Tagged("ann@cafe.org", new Object()))));
        // a list shared by many records is looked into once inside their texts: a chain of lists each held twice
        List<Object> chain = List.of(1);
        for (int k = 0; k < 40; k++) {
            chain = List.of(chain, chain);
        }
        assertEquals(null, JsonCodec.refusedMetadata(Map.of("h", new Pair("p", chain))));
    }

    /**
     * An object with no text of its own inside an Optional, a record or as a map's key is refused
     * too: each is stored as its text, which holds the object's; the same holders of plain values
     * are taken.
     */
    @Test
    void anObjectOfNoTextInAnOptionalARecordOrAMapKeyIsRefused() {
        assertEquals(
                "its metadata 'o (in an Optional)' is a java.lang.Object" + REFUSAL,
                JsonCodec.refusedMetadata(Map.of("o", java.util.Optional.of(new Object()))));
        assertEquals(
                "its metadata 'r.value' is a java.lang.Object" + REFUSAL,
                JsonCodec.refusedMetadata(Map.of("r", new Pair("a", new Object()))));
        assertEquals(
                "its metadata 'r.value[0]' is a java.lang.Object" + REFUSAL,
                JsonCodec.refusedMetadata(Map.of("r", new Pair("a", List.of(new Object())))));
        assertEquals(
                "its metadata 'm (a key of it)' is a java.lang.Object" + REFUSAL,
                JsonCodec.refusedMetadata(Map.of("m", Map.of(new Object(), 1))));
        assertEquals(
                null,
                JsonCodec.refusedMetadata(Map.of(
                        "o",
                        java.util.Optional.of(2.5),
                        "e",
                        java.util.Optional.empty(),
                        "r",
                        new Pair("a", List.of(1, "x")),
                        "m",
                        Map.of(Path.of("/a"), 1))));
    }

    /** A term that puts a list holding itself fails in words, and the fit stops so, not by a StackOverflowError. */
    @Test
    void aTermThatPutsAListHoldingItselfFailsInWords() {
        java.util.List<Object> self = new java.util.ArrayList<>(List.of(1));
        self.add(self);
        try (JournalReader j = JournalReader.open(dir)) {
            FitFailedException e = assertThrows(
                    FitFailedException.class, () -> fitter(objective(self), j).fit("Nelder-Mead"));
            assertTrue(
                    e.getMessage()
                            .endsWith("term 1 'b' failed: its metadata 'info[1]' holds itself (a list, map or array"
                                    + " inside itself), which the journal cannot store as JSON"),
                    e.getMessage());
        }
    }

    @Test
    void aTermThatPutsAnObjectWithoutTextFailsAndTheFitStopsInWords() {
        String why = "term 1 'b' failed: its metadata 'info' is a java.lang.Object" + REFUSAL;
        FitFailedException e;
        try (JournalReader j = JournalReader.open(dir)) {
            e = assertThrows(
                    FitFailedException.class,
                    () -> fitter(objective(new Object()), j).fit("Nelder-Mead"));
        }
        assertEquals(
                "the fit stopped in its first evaluation because it failed (e0, at " + Parameters.of(Map.of("x", 0.5))
                        + "): " + why,
                e.getMessage());
        assertEquals(org.chemfit.TermFailedException.class, e.getCause().getClass());
        try (JournalReader j = JournalReader.openReadOnly(dir.resolve("journal.sqlite"))) {
            RunRecord run = j.latestRun().orElseThrow();
            assertEquals("FAILED", run.status());
            EvaluationRecord ev = j.evaluations(run.id()).get(0);
            assertEquals(EvaluationRecord.State.FAILED, ev.state());
            assertEquals(why, ev.failure());
            List<TermRecord> terms = j.terms(run.id(), 0);
            assertEquals(EvaluationRecord.State.COMPLETE, terms.get(0).state());
            assertEquals(EvaluationRecord.State.FAILED, terms.get(1).state());
            assertEquals(why, terms.get(1).failure());
        }
    }

    @Test
    void onAThreadPoolTheTermFailsAlike() {
        FitFailedException e;
        try (org.chemfit.schedule.AsyncWrapperCOB w =
                        new org.chemfit.schedule.AsyncWrapperCOB(objective(new Object()));
                JournalReader j = JournalReader.open(dir)) {
            e = assertThrows(FitFailedException.class, () -> fitter(w, j).fit("Nelder-Mead"));
        }
        assertEquals(
                "the fit stopped in its first evaluation because it failed (e0, at "
                        + Parameters.of(Map.of("x", 0.5)) + "): term 1 'b' failed: its metadata 'info' is a"
                        + " java.lang.Object" + REFUSAL,
                e.getMessage());
        try (JournalReader j = JournalReader.openReadOnly(dir.resolve("journal.sqlite"))) {
            long run = j.latestRun().orElseThrow().id();
            assertEquals(
                    EvaluationRecord.State.FAILED, j.evaluations(run).get(0).state());
            // term a, cancelled when b failed, has a row only if it finished first
            TermRecord b = j.terms(run, 0).stream()
                    .filter(t -> t.name().equals("b"))
                    .findFirst()
                    .orElseThrow();
            assertEquals(EvaluationRecord.State.FAILED, b.state());
        }
    }

    @Test
    void withoutAJournalNothingIsStoredAndNothingRefused() {
        FitResult r = new Fitter(objective(new Object()), Map.of("x", 0.5))
                .maxEvaluations(20)
                .fit("Nelder-Mead");
        assertEquals(20, r.evaluations());
    }

    @Test
    void underAPenaltyTheTermIsStoodInForAndItsPathIntoTheValueNamed() {
        String why = "term 1 'b' failed: its metadata 'info.runs[1]' is a java.lang.Object" + REFUSAL;
        FitResult r;
        try (JournalReader j = JournalReader.open(dir)) {
            r = fitter(
                            objective(Map.of("runs", List.of(3, new Object())))
                                    .withFailurePolicy(FailurePolicy.penalty(7.0)),
                            j)
                    .fit("Nelder-Mead");
        }
        assertEquals(20, r.evaluations());
        // term a's (x - 1)^2 plus the penalty 7 for b, least at x = 1
        assertEquals(7.0, r.bestLoss(), 1e-6);
        try (JournalReader j = JournalReader.openReadOnly(dir.resolve("journal.sqlite"))) {
            RunRecord run = j.latestRun().orElseThrow();
            assertEquals("FINISHED", run.status());
            assertEquals(
                    Map.of(
                            EvaluationRecord.State.COMPLETE,
                            20,
                            EvaluationRecord.State.RUNNING,
                            0,
                            EvaluationRecord.State.FAILED,
                            0),
                    j.evaluationCounts(run.id()));
            for (int i = 0; i < 20; i++) {
                EvaluationRecord ev = j.evaluations(run.id(), i, 1).get(0);
                assertTrue(ev.degraded(), "evaluation " + i);
                TermRecord b = j.terms(run.id(), i).get(1);
                assertEquals(EvaluationRecord.State.FAILED, b.state());
                assertEquals(why, b.failure());
            }
        }
    }

    @Test
    void aPlainObjectiveThatPutsOneFailsItsEvaluation() {
        ObjectiveFunction plain = term(2.0, "info", new Object());
        String why = "evaluation e0 failed: its metadata 'info' is a java.lang.Object" + REFUSAL;
        FitFailedException e;
        try (JournalReader j = JournalReader.open(dir)) {
            e = assertThrows(FitFailedException.class, () -> fitter(plain, j).fit("Nelder-Mead"));
        }
        assertEquals(
                "the fit stopped in its first evaluation because it failed (e0, at " + Parameters.of(Map.of("x", 0.5))
                        + "): " + why,
                e.getMessage());
        try (JournalReader j = JournalReader.openReadOnly(dir.resolve("journal.sqlite"))) {
            RunRecord run = j.latestRun().orElseThrow();
            assertEquals("FAILED", run.status());
            assertEquals(e.getMessage(), run.stopReason());
            EvaluationRecord ev = j.evaluations(run.id()).get(0);
            assertEquals(EvaluationRecord.State.FAILED, ev.state());
            assertEquals(why, ev.failure());
        }
    }
}
