package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.chemfit.fit.FitFailedException;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.RunRecord;
import org.chemfit.journal.read.TermRecord;
import org.chemfit.schedule.AsyncWrapperCOB;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Fitter with a journal: recording, replay on resume, bit-for-bit results, refused changes. */
class JournalFitTest {

    @TempDir
    Path dir;

    /** A simulated crash: an Error is not a term failure, so nothing records it as finished. */
    static final class Crash extends Error {
        private static final long serialVersionUID = 1L;

        Crash(String m) {
            super(m);
        }
    }

    /** Three terms that count their runs and can crash on the n-th run overall. */
    static final class Counting {
        final AtomicInteger runs = new AtomicInteger();
        volatile int crashAt = -1;

        CombinedObjectiveFunction objective() {
            return new CombinedObjectiveFunction(
                            List.of(term(0, 1.0), term(1, -2.0), term(2, 0.5)), List.of(1.0, 0.5, 2.0))
                    .withTermNames(List.of("a", "b", "c"));
        }

        ObjectiveFunction term(int i, double target) {
            QuantityComputer qc = new QuantityComputer() {
                @Override
                public Quantities compute(Parameters p) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public Quantities compute(Parameters p, EvaluationContext ctx) {
                    int n = runs.incrementAndGet();
                    if (n == crashAt) {
                        throw new Crash("simulated crash at run " + n);
                    }
                    ctx.put("run_directory", "/tmp/run-" + ctx.evaluationId() + "-" + i + "-" + n);
                    double x = p.get("x");
                    double y = p.get("y");
                    return Quantities.builder()
                            .put("e", Math.sin(x * (i + 1)) + y * y * 0.1 + x * y / 3)
                            .put("curve", new double[] {x, y, Double.NaN})
                            .label("tag", "t" + i)
                            .build();
                }
            };
            return qc.withLoss(q -> Math.pow(q.get("e") - target, 2));
        }
    }

    private static Fitter fitter(ObjectiveFunction ob, JournalReader j) {
        return new Fitter(ob, Map.of("x", 0.3, "y", 1.1))
                .seed(11)
                .maxEvaluations(40)
                .journal(j);
    }

    private static void assertSameResult(FitResult expected, FitResult actual) {
        assertEquals(
                Double.doubleToRawLongBits(expected.bestLoss()),
                Double.doubleToRawLongBits(actual.bestLoss()),
                "best loss " + expected.bestLoss() + " vs " + actual.bestLoss());
        for (String n : expected.bestParameters().names()) {
            assertEquals(
                    Double.doubleToRawLongBits(expected.bestParameters().get(n)),
                    Double.doubleToRawLongBits(actual.bestParameters().get(n)),
                    "parameter " + n);
        }
        assertEquals(expected.evaluations(), actual.evaluations());
        assertEquals(expected.stopReason(), actual.stopReason());
    }

    /** A null journal is none: given after a journal, it takes that one back, and nothing is recorded. */
    @Test
    void aNullJournalTakesBackTheOneGivenBefore() {
        FitResult without = new Fitter(new Counting().objective(), Map.of("x", 0.3, "y", 1.1))
                .seed(11)
                .maxEvaluations(40)
                .fit("Nelder-Mead");
        FitResult taken;
        FitResult none;
        try (JournalReader j = JournalReader.open(dir)) {
            taken = fitter(new Counting().objective(), j).journal(null).fit("Nelder-Mead");
            none = fitter(new Counting().objective(), j)
                    .journal(null, JournalMode.restart())
                    .fit("Nelder-Mead");
            assertEquals(List.of(), j.runs());
        }
        assertSameResult(without, taken);
        assertSameResult(without, none);
    }

    @Test
    void recordsEveryEvaluationAndTermAndTheBest() {
        Counting c = new Counting();
        FitResult r;
        try (JournalReader j = JournalReader.open(dir)) {
            r = fitter(c.objective(), j).fit("Nelder-Mead");
        }
        assertEquals(40, r.evaluations());
        assertEquals(3 * 40, c.runs.get(), "each evaluation runs its 3 terms once");
        try (JournalReader j = JournalReader.openReadOnly(dir.resolve("journal.sqlite"))) {
            RunRecord run = j.latestRun().orElseThrow();
            assertEquals("FINISHED", run.status());
            assertEquals("MAX_EVALUATIONS", run.stopReason());
            assertEquals(40, run.evaluations());
            assertEquals(1, run.attempts());
            assertEquals(r.bestLoss(), run.bestLoss());
            List<EvaluationRecord> evs = j.evaluations(run.id());
            assertEquals(40, evs.size());
            for (int i = 0; i < evs.size(); i++) {
                EvaluationRecord e = evs.get(i);
                assertEquals(i, e.number());
                assertEquals(EvaluationRecord.State.COMPLETE, e.state());
                assertEquals("e" + i, e.evaluationId());
                List<TermRecord> ts = j.terms(run.id(), i);
                assertEquals(
                        List.of("a", "b", "c"),
                        ts.stream().map(TermRecord::name).toList());
                assertEquals(
                        List.of("0", "1", "2"),
                        ts.stream().map(TermRecord::path).toList());
                for (TermRecord t : ts) {
                    assertEquals(EvaluationRecord.State.COMPLETE, t.state());
                    assertTrue(t.runDirectory().startsWith("/tmp/run-e" + i + "-"), t.runDirectory());
                    assertTrue(Double.isNaN(t.quantities().array("curve")[2]), "NaN survives in an array");
                    assertEquals(e.parameters().get("x"), t.quantities().array("curve")[0]);
                    assertEquals("t" + t.path(), t.quantities().label("tag"));
                }
                assertEquals(3, ((List<?>) e.tree().get("terms")).size());
            }
            assertEquals(
                    Map.of(
                            EvaluationRecord.State.COMPLETE,
                            40,
                            EvaluationRecord.State.RUNNING,
                            0,
                            EvaluationRecord.State.FAILED,
                            0),
                    j.evaluationCounts(run.id()));
            assertEquals(
                    List.of(35, 36, 37, 38, 39),
                    j.evaluations(run.id(), 35, 10).stream()
                            .map(EvaluationRecord::number)
                            .toList());
            assertEquals(
                    evs.get(12).parameters(),
                    j.evaluations(run.id(), 12, 1).get(0).parameters());
            EvaluationRecord best = j.best(run.id()).orElseThrow();
            assertEquals(Double.doubleToRawLongBits(r.bestLoss()), Double.doubleToRawLongBits(best.toldLoss()));
            assertEquals(r.bestParameters(), best.parameters());
            assertEquals(List.of("ok"), j.integrityCheck());
        }
    }

    /**
     * A thread-pool wrapper closed during the fit refuses the next batch: the evaluation it did not
     * run fails, in the journal as in the fit, which ends as a failed evaluation does.
     */
    @Test
    void aWrapperClosedDuringTheFitFailsTheEvaluationItRefused() {
        Counting c = new Counting();
        AtomicInteger atClose = new AtomicInteger(-1);
        FitFailedException e;
        AsyncWrapperCOB w = new AsyncWrapperCOB(c.objective());
        try (JournalReader j = JournalReader.open(dir)) {
            Fitter f = fitter(w, j)
                    .callback(
                            p -> {
                                if (p.step() == 3) {
                                    atClose.set(p.evaluations());
                                    w.close();
                                }
                            },
                            1);
            e = assertThrows(FitFailedException.class, () -> f.fit("Nelder-Mead"));
        } finally {
            w.close();
        }
        int n = atClose.get();
        assertEquals(3 * n, c.runs.get(), "the evaluations before the close ran their 3 terms, none after");
        try (JournalReader j = JournalReader.openReadOnly(dir.resolve("journal.sqlite"))) {
            RunRecord run = j.latestRun().orElseThrow();
            assertEquals("FAILED", run.status());
            assertEquals(e.getMessage(), run.stopReason());
            assertEquals(
                    Map.of(
                            EvaluationRecord.State.COMPLETE,
                            n,
                            EvaluationRecord.State.RUNNING,
                            0,
                            EvaluationRecord.State.FAILED,
                            1),
                    j.evaluationCounts(run.id()));
            EvaluationRecord refused = j.evaluations(run.id()).get(n);
            assertEquals(n, refused.number());
            assertEquals(EvaluationRecord.State.FAILED, refused.state());
            assertEquals(List.of(), j.terms(run.id(), n), "no term of it ran");
            assertEquals(
                    "the fit stopped after " + n + " completed evaluations because an evaluation failed (e" + n
                            + ", at " + refused.parameters()
                            + "): this AsyncWrapperCOB was closed; create a new one to evaluate again",
                    e.getMessage());
        }
        assertEquals(IllegalStateException.class, e.getCause().getClass());
        FitResult partial = e.partialResult().orElseThrow();
        assertEquals(org.chemfit.fit.StopReason.FAILED, partial.stopReason());
        assertEquals(n + 1, partial.evaluations());
    }

    @Test
    void resumingAFinishedRunReplaysEverythingAndRunsNothing() {
        Counting c = new Counting();
        FitResult first;
        try (JournalReader j = JournalReader.open(dir)) {
            first = fitter(c.objective(), j).fit("Nelder-Mead");
        }
        int runsBefore = c.runs.get();
        FitResult again;
        try (JournalReader j = JournalReader.open(dir)) {
            again = fitter(c.objective(), j).fit("Nelder-Mead");
            assertEquals(1, j.runs().size(), "the same run was resumed");
            assertEquals(2, j.runs().get(0).attempts());
        }
        assertEquals(runsBefore, c.runs.get(), "no term ran again");
        assertSameResult(first, again);
        assertEquals(
                EvaluationContext.Status.REPLAYED, again.breakdown().child(0).status());
    }

    @Test
    void aCrashInTheMiddleResumesToTheSameResultRunningOnlyTheCutOffTerm() {
        Counting plain = new Counting();
        FitResult uninterrupted;
        try (JournalReader j = JournalReader.open(dir.resolve("a"))) {
            uninterrupted = fitter(plain.objective(), j).fit("Nelder-Mead");
        }
        for (int crashAt : new int[] {1, 2, 3, 4, 50, 119}) {
            Path journal = dir.resolve("crash-" + crashAt);
            Counting c = new Counting();
            c.crashAt = crashAt;
            try (JournalReader j = JournalReader.open(journal)) {
                Crash e =
                        assertThrows(Crash.class, () -> fitter(c.objective(), j).fit("Nelder-Mead"));
                assertEquals("simulated crash at run " + crashAt, e.getMessage());
            }
            int firstAttempt = c.runs.get();
            int runningEvaluations;
            int recordedTermsOfIt;
            try (JournalReader j = JournalReader.openReadOnly(journal)) {
                long run = j.latestRun().orElseThrow().id();
                List<EvaluationRecord> evs = j.evaluations(run);
                runningEvaluations = (int) evs.stream()
                        .filter(ev -> ev.state() == EvaluationRecord.State.RUNNING)
                        .count();
                EvaluationRecord last = evs.get(evs.size() - 1);
                assertEquals(EvaluationRecord.State.RUNNING, last.state(), "the evaluation cut off is left RUNNING");
                recordedTermsOfIt = j.terms(run, last.number()).size();
                assertEquals(
                        (crashAt - 1) % 3, recordedTermsOfIt, "the terms that finished before the crash are recorded");
                assertEquals("FAILED", j.latestRun().orElseThrow().status());
            }
            assertEquals(1, runningEvaluations);
            c.crashAt = -1;
            FitResult resumed;
            try (JournalReader j = JournalReader.open(journal)) {
                resumed = fitter(c.objective(), j).fit("Nelder-Mead");
                RunRecord run = j.latestRun().orElseThrow();
                assertEquals(2, run.attempts());
                assertEquals(1, j.runs().size());
                assertTrue(
                        j.evaluations(run.id()).stream().allMatch(ev -> ev.state() == EvaluationRecord.State.COMPLETE));
                assertEquals(List.of("ok"), j.integrityCheck());
            }
            assertSameResult(uninterrupted, resumed);
            int secondAttempt = c.runs.get() - firstAttempt;
            assertEquals(
                    plain.runs.get() + runningEvaluations,
                    firstAttempt + secondAttempt,
                    "crash at run " + crashAt + ": only the term cut off runs twice");
            try (JournalReader j = JournalReader.openReadOnly(journal)) {
                List<TermRecord> terms = j.terms(1, cutOff(crashAt));
                assertEquals(
                        recordedTermsOfIt,
                        terms.stream().filter(t -> t.attempt() == 1).count());
                assertEquals(
                        3 - recordedTermsOfIt,
                        terms.stream().filter(t -> t.attempt() == 2).count(),
                        "the resumed evaluation runs only its terms that were not recorded");
            }
        }
    }

    /** @return the number of the evaluation a crash at the n-th term run cuts off (3 terms each) */
    private static int cutOff(int crashAt) {
        return (crashAt - 1) / 3;
    }

    @Test
    void aPlainObjectiveIsReplayedWholeEvaluationsAtATime() {
        AtomicInteger runs = new AtomicInteger();
        ObjectiveFunction ob = new ObjectiveFunction() {
            @Override
            public double evaluate(Parameters p) {
                runs.incrementAndGet();
                return Math.pow(p.get("x") - 0.1, 2) + Math.pow(p.get("y") + 0.7, 4) + 1e-17;
            }
        };
        FitResult first;
        try (JournalReader j = JournalReader.open(dir)) {
            first = fitter(ob, j).fit("Powell");
        }
        int n = runs.get();
        FitResult again;
        try (JournalReader j = JournalReader.open(dir)) {
            again = fitter(ob, j).fit("Powell");
            assertTrue(j.terms(1, 0).isEmpty(), "a plain objective has no term rows");
        }
        assertEquals(n, runs.get(), "nothing ran again");
        assertSameResult(first, again);
        assertEquals(EvaluationContext.Status.REPLAYED, again.breakdown().status());
    }

    /**
     * Without job settings, the job is the terms' names and weights, seen through a thread pool:
     * a fit begun serially resumes on a pool (nothing runs again), and a changed weight is refused
     * there as it is serially.
     */
    @Test
    void aPoolIsNoChangeOfTheJobButAChangedWeightOnItIsRefused() {
        Counting c = new Counting();
        FitResult serial;
        try (JournalReader j = JournalReader.open(dir)) {
            serial = fitter(c.objective(), j).fit("Nelder-Mead");
        }
        int n = c.runs.get();
        try (JournalReader j = JournalReader.open(dir);
                org.chemfit.schedule.AsyncWrapperCOB pool = new org.chemfit.schedule.AsyncWrapperCOB(c.objective())) {
            FitResult again = fitter(pool, j).fit("Nelder-Mead");
            assertEquals(n, c.runs.get(), "nothing ran again");
            assertSameResult(serial, again);
        }
        CombinedObjectiveFunction heavier = new CombinedObjectiveFunction(
                        c.objective().terms(), List.of(1.0, 0.5, 3.0))
                .withTermNames(List.of("a", "b", "c"));
        try (JournalReader j = JournalReader.open(dir);
                org.chemfit.schedule.AsyncWrapperCOB pool = new org.chemfit.schedule.AsyncWrapperCOB(heavier)) {
            JournalMismatchException e = assertThrows(
                    JournalMismatchException.class, () -> fitter(pool, j).fit("Nelder-Mead"));
            assertEquals(List.of("changed fit.objective.terms[2].weight: 2.0 -> 3.0"), e.changes());
        }
        assertEquals(n, c.runs.get(), "the refused fit ran nothing");
    }

    /**
     * A fit that its budget stopped goes on with a larger one: the recorded evaluations are
     * replayed, the rest computed, and the result is that of one fit with the larger budget, bit
     * for bit; the run keeps the larger budget, so the same command again replays everything.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {"Nelder-Mead", "Powell", "BOBYQA", "CMA-ES", "CMA-ES-hipparchus", "L-BFGS-B"})
    void aFitStoppedByItsBudgetGoesOnWithALargerOne(String method) {
        Counting c = new Counting();
        Path whole = dir.resolve("whole");
        FitResult once;
        try (JournalReader j = JournalReader.open(whole)) {
            once = fitter(c.objective(), j).maxEvaluations(60).fit(method);
        }
        Path split = dir.resolve("split");
        FitResult first;
        try (JournalReader j = JournalReader.open(split)) {
            first = fitter(c.objective(), j).maxEvaluations(25).fit(method);
        }
        assertEquals(org.chemfit.fit.StopReason.MAX_EVALUATIONS, first.stopReason(), first.toString());
        int before = c.runs.get();
        FitResult more;
        try (JournalReader j = JournalReader.open(split)) {
            more = fitter(c.objective(), j).maxEvaluations(60).fit(method);
            assertEquals(1, j.runs().size(), "the same run went on");
            assertEquals(2, j.run(1).orElseThrow().attempts());
        }
        assertSameResult(once, more);
        assertEquals(3 * (more.evaluations() - 25), c.runs.get() - before, "the 25 recorded evaluations were replayed");
        int after = c.runs.get();
        try (JournalReader j = JournalReader.open(split)) {
            assertSameResult(once, fitter(c.objective(), j).maxEvaluations(60).fit(method));
        }
        assertEquals(after, c.runs.get(), "with the budget it now has, the run replays everything");
    }

    /** A fit that failed (here: its process died at evaluation 8) goes on with a larger budget too. */
    @Test
    void aFitThatFailedGoesOnWithALargerBudget() {
        Counting c = new Counting();
        FitResult once;
        try (JournalReader j = JournalReader.open(dir.resolve("whole"))) {
            once = fitter(c.objective(), j).maxEvaluations(60).fit("Nelder-Mead");
        }
        c.crashAt = c.runs.get() + 3 * 7 + 1;
        try (JournalReader j = JournalReader.open(dir.resolve("split"))) {
            assertThrows(
                    Crash.class,
                    () -> fitter(c.objective(), j).maxEvaluations(25).fit("Nelder-Mead"));
            assertEquals("FAILED", j.run(1).orElseThrow().status());
        }
        c.crashAt = -1;
        try (JournalReader j = JournalReader.open(dir.resolve("split"))) {
            assertSameResult(once, fitter(c.objective(), j).maxEvaluations(60).fit("Nelder-Mead"));
            assertEquals(1, j.runs().size(), "the same run went on");
        }
    }

    /**
     * A larger budget given together with a change that refuses the run is said apart: it alone
     * would go on, so the message does not list it among the changes that refuse (the exception's
     * changes still hold it).
     */
    @Test
    void aLargerBudgetBesideAnotherChangeIsSaidApart() {
        Counting c = new Counting();
        try (JournalReader j = JournalReader.open(dir)) {
            FitResult first = fitter(c.objective(), j).maxEvaluations(25).fit("Nelder-Mead");
            assertEquals(org.chemfit.fit.StopReason.MAX_EVALUATIONS, first.stopReason(), first.toString());
            JournalMismatchException e = assertThrows(
                    JournalMismatchException.class,
                    () -> fitter(c.objective(), j).maxEvaluations(60).seed(12).fit("Nelder-Mead"));
            assertEquals(List.of("changed fit.max_evaluations: 25 -> 60", "changed fit.seed: 11 -> 12"), e.changes());
            String m = e.getMessage();
            assertTrue(
                    m.contains("so it cannot be resumed: changed fit.seed: 11 -> 12. The larger budget (25 -> 60) alone"
                            + " would go on with run 1; the changes above would not. Restart"),
                    m);
            assertFalse(m.contains("changed fit.max_evaluations"), m);
        }
        Path converged = dir.resolve("converged");
        ObjectiveFunction bowl = p -> Math.pow(p.get("x") - 1, 2);
        try (JournalReader j = JournalReader.open(converged)) {
            new Fitter(bowl, Map.of("x", 0.0)).maxEvaluations(500).journal(j).fit("Nelder-Mead");
            JournalMismatchException e = assertThrows(
                    JournalMismatchException.class,
                    () -> new Fitter(bowl, Map.of("x", 0.0))
                            .maxEvaluations(900)
                            .seed(5)
                            .journal(j)
                            .fit("Nelder-Mead"));
            // a run that converged would not go on with more evaluations: the budget is one of the changes
            assertTrue(
                    e.getMessage().contains("changed fit.max_evaluations: 500 -> 900; changed fit.seed"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("alone would go on"), e.getMessage());
        }
    }

    /** A smaller budget, or a larger one for a fit that did not stop for its budget, is another job. */
    @Test
    void aSmallerBudgetOrMoreForAFitThatConvergedIsRefused() {
        Counting c = new Counting();
        try (JournalReader j = JournalReader.open(dir)) {
            fitter(c.objective(), j).maxEvaluations(25).fit("Nelder-Mead");
            JournalMismatchException smaller = assertThrows(
                    JournalMismatchException.class,
                    () -> fitter(c.objective(), j).maxEvaluations(20).fit("Nelder-Mead"));
            assertEquals(List.of("changed fit.max_evaluations: 25 -> 20"), smaller.changes());
        }
        Path converged = dir.resolve("converged");
        ObjectiveFunction bowl = p -> Math.pow(p.get("x") - 1, 2);
        try (JournalReader j = JournalReader.open(converged)) {
            FitResult r = new Fitter(bowl, Map.of("x", 0.0))
                    .maxEvaluations(500)
                    .journal(j)
                    .fit("Nelder-Mead");
            assertEquals(org.chemfit.fit.StopReason.CONVERGED, r.stopReason(), r.toString());
            JournalMismatchException more = assertThrows(
                    JournalMismatchException.class,
                    () -> new Fitter(bowl, Map.of("x", 0.0))
                            .maxEvaluations(900)
                            .journal(j)
                            .fit("Nelder-Mead"));
            assertEquals(List.of("changed fit.max_evaluations: 500 -> 900"), more.changes());
            assertTrue(
                    more.getMessage()
                            .contains("changed fit.max_evaluations: 500 -> 900. A larger budget goes on only with a fit"
                                    + " that did not end on its own; run 1 ended converged, and more evaluations would"
                                    + " not change that. Restart"),
                    more.getMessage());
        }
    }

    /** A changed initial value is named by its parameter, and once: by the job file's key when there is one. */
    @Test
    void aChangedInitialValueIsNamedByItsParameterOnce() {
        Map<String, Object> fit = Map.of("initial", List.of(List.of("m.a", 1.0), List.of("m.b", -1.0)));
        Map<String, Object> fitAfter = Map.of("initial", List.of(List.of("m.a", 1.0), List.of("m.b", -1.5)));
        assertEquals(
                List.of("changed fit.initial 'm.b': -1.0 -> -1.5"),
                SqliteSession.diff(Map.of("fit", fit), Map.of("fit", fitAfter)));
        Map<String, Object> job =
                Map.of("file", Map.of("parameters", Map.of("m", Map.of("b", Map.of("initial", -1.0)))));
        Map<String, Object> jobAfter =
                Map.of("file", Map.of("parameters", Map.of("m", Map.of("b", Map.of("initial", -1.5)))));
        assertEquals(
                List.of("changed job.file.parameters.m.b.initial: -1.0 -> -1.5"),
                SqliteSession.diff(Map.of("fit", fit, "job", job), Map.of("fit", fitAfter, "job", jobAfter)));
        // the job file's shorthand, a parameter given as its initial value alone
        Map<String, Object> shorthand = Map.of("file", Map.of("parameters", Map.of("m", Map.of("b", -1.0))));
        Map<String, Object> shorthandAfter = Map.of("file", Map.of("parameters", Map.of("m", Map.of("b", -1.5))));
        assertEquals(
                List.of("changed job.file.parameters.m.b: -1.0 -> -1.5"),
                SqliteSession.diff(
                        Map.of("fit", fit, "job", shorthand), Map.of("fit", fitAfter, "job", shorthandAfter)));
    }

    @Test
    void theSameInitialParametersInAnotherOrderAreRefusedSayingTheOrderChanged() {
        Counting c = new Counting();
        java.util.LinkedHashMap<String, Double> xy = new java.util.LinkedHashMap<>();
        xy.put("x", 0.3);
        xy.put("y", 1.1);
        java.util.LinkedHashMap<String, Double> yx = new java.util.LinkedHashMap<>();
        yx.put("y", 1.1);
        yx.put("x", 0.3);
        try (JournalReader j = JournalReader.open(dir)) {
            new Fitter(c.objective(), xy).seed(11).maxEvaluations(10).journal(j).fit("Nelder-Mead");
        }
        try (JournalReader j = JournalReader.open(dir)) {
            JournalMismatchException e = assertThrows(
                    JournalMismatchException.class,
                    () -> new Fitter(c.objective(), yx)
                            .seed(11)
                            .maxEvaluations(10)
                            .journal(j)
                            .fit("Nelder-Mead"));
            String said = "the parameters' order changed: [x, y] -> [y, x] (the order of the initial map is part of"
                    + " the fit: give a LinkedHashMap filled in a fixed order)";
            assertEquals(List.of(said), e.changes());
            assertTrue(e.getMessage().contains("so it cannot be resumed: " + said + "."), e.getMessage());
            assertFalse(e.getMessage().contains("fit.initial"), e.getMessage());
        }
    }

    @Test
    void reorderedInitialParametersWithAChangedValueArePairedByName() {
        Map<String, Object> before =
                Map.of("fit", Map.of("seed", 1, "initial", List.of(List.of("m.a", 1.0), List.of("m.b", -1.0))));
        Map<String, Object> after =
                Map.of("fit", Map.of("seed", 2, "initial", List.of(List.of("m.b", -1.5), List.of("m.a", 1.0))));
        assertEquals(
                List.of(
                        "the parameters' order changed: [m.a, m.b] -> [m.b, m.a] (the order of the initial map is"
                                + " part of the fit: give a LinkedHashMap filled in a fixed order)",
                        "changed fit.initial 'm.b': -1.0 -> -1.5",
                        "changed fit.seed: 1 -> 2"),
                SqliteSession.diff(before, after));
        // another parameter is no reordering: the entries are compared by position as before
        Map<String, Object> renamed =
                Map.of("fit", Map.of("seed", 1, "initial", List.of(List.of("m.a", 1.0), List.of("m.c", -1.0))));
        assertEquals(List.of("changed fit.initial[1][0]: \"m.b\" -> \"m.c\""), SqliteSession.diff(before, renamed));
    }

    @Test
    void aChangedJobIsRefusedNamingTheChangeUnlessRestarted() {
        Counting c = new Counting();
        Map<String, Object> job = Map.of(
                "terms",
                List.of(Map.of("name", "a", "weight", 1), Map.of("name", "b", "weight", 1)),
                "program",
                "./run.sh");
        try (JournalReader j = JournalReader.open(dir)) {
            fitter(c.objective(), j).jobSettings(job).fit("Nelder-Mead");
        }
        Map<String, Object> changed = Map.of(
                "terms",
                List.of(Map.of("name", "a", "weight", 1), Map.of("name", "b", "weight", 2)),
                "program",
                "./run.sh",
                "extra",
                true);
        try (JournalReader j = JournalReader.open(dir)) {
            JournalMismatchException e = assertThrows(
                    JournalMismatchException.class,
                    () -> fitter(c.objective(), j).jobSettings(changed).seed(12).fit("Nelder-Mead"));
            assertEquals(
                    List.of(
                            "changed fit.seed: 11 -> 12",
                            "added job.extra = true",
                            "changed job.terms[1].weight: 1 -> 2"),
                    e.changes());
            assertTrue(e.getMessage().contains("holds run 1 of a different job"), e.getMessage());
            assertTrue(e.getMessage().contains("changed fit.seed: 11 -> 12"), e.getMessage());
            assertTrue(e.getMessage().contains("--restart"), e.getMessage());
            Fitter changedFitter = fitter(c.objective(), j)
                    .jobSettings(changed)
                    .seed(12)
                    .optimizer(org.chemfit.fit.Optimizers.byName("Nelder-Mead"));
            JournalMismatchException checked = assertThrows(
                    JournalMismatchException.class,
                    () -> j.check(changedFitter.settings(), JournalMode.resumeLatest()));
            assertEquals(e.changes(), checked.changes(), "check says the same as begin, writing nothing");
            assertTrue(j.check(changedFitter.settings(), JournalMode.restart()).isEmpty());
            assertEquals(
                    1,
                    j.check(fitter(c.objective(), j).jobSettings(job).settings(), JournalMode.resumeLatest())
                            .orElseThrow()
                            .id());
            assertEquals(1, e.runId());
            int before = c.runs.get();
            FitResult restarted = fitter(c.objective(), j, JournalMode.restart())
                    .jobSettings(changed)
                    .seed(12)
                    .fit("Nelder-Mead");
            assertEquals(before + 3 * restarted.evaluations(), c.runs.get(), "a restart replays nothing");
            assertEquals(2, j.runs().size());
            // the first job again: its run (1) is found by its hash and resumed
            int again = c.runs.get();
            fitter(c.objective(), j).jobSettings(job).fit("Nelder-Mead");
            assertEquals(again, c.runs.get());
            assertEquals(2, j.run(1).orElseThrow().attempts());
            // resuming run 2 explicitly with the first job's settings is refused
            JournalMismatchException e2 = assertThrows(
                    JournalMismatchException.class,
                    () -> fitter(c.objective(), j, JournalMode.resume(2))
                            .jobSettings(job)
                            .fit("Nelder-Mead"));
            assertTrue(e2.getMessage().contains("holds run 2"), e2.getMessage());
            JournalException e3 = assertThrows(
                    JournalException.class,
                    () -> fitter(c.objective(), j, JournalMode.resume(9))
                            .jobSettings(job)
                            .fit("Nelder-Mead"));
            assertEquals("journal " + j.path() + " has no run 9; it holds 2 runs, 1 to 2", e3.getMessage());
        }
    }

    /**
     * levenberg-marquardt never read an absolute tolerance, and a job file that gives one is now
     * refused: a run recorded with it is the same fit once the key is removed, and goes on; under
     * another method the same change is another job.
     */
    @Test
    void aToleranceLevenbergMarquardtNeverReadMayBeRemovedFromARecordedRun() {
        Counting c = new Counting();
        Map<String, Object> lm = job("levenberg-marquardt", Map.of("relative", 1e-6, "absolute", 1e-3));
        try (JournalReader j = JournalReader.open(dir)) {
            fitter(c.objective(), j).maxEvaluations(25).jobSettings(lm).fit("Nelder-Mead");
        }
        int before = c.runs.get();
        try (JournalReader j = JournalReader.open(dir)) {
            FitResult more = fitter(c.objective(), j)
                    .maxEvaluations(40)
                    .jobSettings(job("levenberg-marquardt", Map.of("relative", 1e-6)))
                    .fit("Nelder-Mead");
            assertEquals(1, j.runs().size(), "the same run went on");
            assertEquals(3 * (more.evaluations() - 25), c.runs.get() - before, "the 25 recorded were replayed");
            // the run now holds the settings without it: found by their hash, replayed whole
            int after = c.runs.get();
            fitter(c.objective(), j)
                    .maxEvaluations(40)
                    .jobSettings(job("levenberg-marquardt", Map.of("relative", 1e-6)))
                    .fit("Nelder-Mead");
            assertEquals(after, c.runs.get(), "replayed whole");
            assertEquals(1, j.runs().size());
        }
        Path other = dir.resolve("other");
        try (JournalReader j = JournalReader.open(other)) {
            fitter(c.objective(), j)
                    .jobSettings(job("BOBYQA", Map.of("relative", 1e-6, "absolute", 1e-3)))
                    .fit("Nelder-Mead");
            JournalMismatchException e = assertThrows(
                    JournalMismatchException.class,
                    () -> fitter(c.objective(), j)
                            .jobSettings(job("BOBYQA", Map.of("relative", 1e-6)))
                            .fit("Nelder-Mead"));
            assertEquals(List.of("removed job.file.optimizer.tolerance.absolute (was 0.001)"), e.changes());
        }
        assertTrue(SqliteSession.sameButNeutral(
                Map.of("job", lm), Map.of("job", job("levenberg-marquardt", Map.of("relative", 1e-6)))));
        assertTrue(!SqliteSession.sameButNeutral(Map.of("job", lm), Map.of("job", lm)), "equal is not 'but unread'");
        // its only key gone, tolerance may go too, or be left empty
        Map<String, Object> onlyAbsolute = job("levenberg-marquardt", Map.of("absolute", 1e-3));
        assertTrue(SqliteSession.sameButNeutral(
                Map.of("job", onlyAbsolute), Map.of("job", job("levenberg-marquardt", Map.of()))));
        assertTrue(SqliteSession.sameButNeutral(
                Map.of("job", onlyAbsolute),
                Map.of(
                        "job",
                        Map.of(
                                "file",
                                Map.of("optimizer", Map.of("method", "levenberg-marquardt", "tolerance", Map.of()))))));
        assertTrue(!SqliteSession.sameButNeutral(
                Map.of("job", lm), Map.of("job", job("levenberg-marquardt", Map.of("relative", 1e-5)))));
    }

    /**
     * Keys of a job file that take no part in the fit (its name and description, units that are
     * only shown, the held-out terms) may change between runs: the run goes on, replaying
     * everything; a change of anything else is another job.
     */
    @Test
    void editsThatTakeNoPartInTheFitKeepTheRun() {
        Counting c = new Counting();
        Map<String, Object> before = neutralJob("argon", "first try", "K", "eV", 1.0, "atoms");
        try (JournalReader j = JournalReader.open(dir)) {
            fitter(c.objective(), j).jobSettings(before).fit("Nelder-Mead");
        }
        int ran = c.runs.get();
        Map<String, Object> edited = neutralJob("argon LJ", "second try, units shown", "kelvin", "meV", 2.0, "atoms");
        try (JournalReader j = JournalReader.open(dir)) {
            fitter(c.objective(), j).jobSettings(edited).fit("Nelder-Mead");
            assertEquals(1, j.runs().size(), "the same run");
            assertEquals(2, j.run(1).orElseThrow().attempts());
        }
        assertEquals(ran, c.runs.get(), "everything replayed");
        // an atoms term's unit, a parameter named unit and a fit term's weight are the fit's
        for (Map<String, Object> other : List.of(
                neutralJob(
                        "argon LJ",
                        "second try, units shown",
                        "kelvin",
                        "meV",
                        2.0,
                        "atoms",
                        Map.of("unit", "kcal/mol")),
                neutralJob("argon LJ", "second try, units shown", "kelvin", "meV", 2.0, "atoms", Map.of("weight", 2)),
                // neutral edits besides are not listed: they would seem the reason
                neutralJob("argon", "first try", "K", "eV", 1.0, "atoms", Map.of("weight", 2)))) {
            try (JournalReader j = JournalReader.open(dir)) {
                JournalMismatchException e = assertThrows(
                        JournalMismatchException.class,
                        () -> fitter(c.objective(), j).jobSettings(other).fit("Nelder-Mead"));
                assertEquals(1, e.changes().size(), e.changes()::toString);
                assertTrue(e.changes().get(0).contains(" job.file.terms[1]."), e.changes()::toString);
            }
        }
        // another job begun in the journal after it does not hide it: an edited run 1 is still found
        Map<String, Object> weighted =
                neutralJob("argon LJ", "second try, units shown", "kelvin", "meV", 2.0, "atoms", Map.of("weight", 2));
        try (JournalReader j = JournalReader.open(dir)) {
            fitter(c.objective(), j, JournalMode.restart())
                    .jobSettings(weighted)
                    .fit("Nelder-Mead");
            assertEquals(2, j.runs().size());
            int before2 = c.runs.get();
            fitter(c.objective(), j)
                    .jobSettings(neutralJob("argon", "third try", "K", "eV", 3.0, "atoms"))
                    .fit("Nelder-Mead");
            assertEquals(before2, c.runs.get(), "run 1 replayed");
            assertEquals(3, j.run(1).orElseThrow().attempts());
            assertEquals(2, j.runs().size());
        }
        Map<String, Object> a = Map.of("job", Map.of("file", Map.of("parameters", Map.of("g", Map.of("unit", 1.0)))));
        Map<String, Object> b = Map.of("job", Map.of("file", Map.of("parameters", Map.of("g", Map.of("unit", 2.0)))));
        assertTrue(!SqliteSession.sameButNeutral(a, b), "a parameter named unit holds a number, not a unit");
        // numbers are compared exactly: seeds above 2^53 differ although they are one double
        Map<String, Object> seed1 = Map.of("fit", Map.of("seed", 1234567890123456789L, "max_evaluations", 10));
        Map<String, Object> seed2 = Map.of("fit", Map.of("seed", 1234567890123456790L, "max_evaluations", 10));
        Map<String, Object> seed2More = Map.of("fit", Map.of("seed", 1234567890123456790L, "max_evaluations", 20));
        assertEquals((double) 1234567890123456789L, (double) 1234567890123456790L, 0.0);
        assertTrue(!SqliteSession.sameButNeutral(seed1, seed2));
        assertTrue(!SqliteSession.largerBudgetOnly(seed1, seed2More));
        assertTrue(SqliteSession.sameButNeutral(
                Map.of("fit", Map.of("seed", 7, "x", 1)),
                Map.of("fit", Map.of("seed", 7L, "x", 1.0), "job", Map.of("file", Map.of("description", "d")))));
    }

    /**
     * An external term's keys of how its program is run and watched (timeout, kill_grace, retries,
     * log_files, wait_for_files.timeout) may be added, changed or removed between runs, as those of
     * {@code execution}; its command, launcher, environment and the files it waits for may not.
     */
    @Test
    void anExternalTermsTimeoutsRetriesAndLogsAreNoPartOfTheJob() {
        Map<String, Object> base =
                externalTerm(Map.of("wait_for_files", Map.of("files", "out.json", "timeout", "10s")));
        Map<String, Object> run = externalTerm(Map.of(
                "timeout",
                "20m",
                "kill_grace",
                "1s",
                "retries",
                3,
                "log_files",
                List.of("log.lammps", "md.log"),
                "wait_for_files",
                Map.of("files", "out.json", "timeout", "1m")));
        assertTrue(SqliteSession.sameButNeutral(base, run));
        assertTrue(SqliteSession.sameButNeutral(run, base));
        assertTrue(SqliteSession.sameButNeutral(
                externalTerm(Map.of("log_files", "log.lammps")), externalTerm(Map.of("log_files", List.of("md.log")))));
        for (Map<String, Object> other : List.<Map<String, Object>>of(
                Map.of("command", "./sim.py --fast"),
                Map.of("launcher", "mpirun -np 4"),
                Map.of("env", Map.of("OMP_NUM_THREADS", "4")),
                Map.of("private_tmpdir", true),
                Map.of("wait_for_files", Map.of("files", List.of("out.json", "more.json"), "timeout", "10s")))) {
            assertFalse(SqliteSession.sameButNeutral(base, externalTerm(other)), other::toString);
        }
        // the same keys of a term of another kind are no such keys
        Map<String, Object> atoms = Map.of("job", Map.of("file", Map.of("terms", List.of(Map.of("kind", "atoms")))));
        Map<String, Object> atomsTimeout =
                Map.of("job", Map.of("file", Map.of("terms", List.of(Map.of("kind", "atoms", "timeout", "1m")))));
        assertFalse(SqliteSession.sameButNeutral(atoms, atomsTimeout));
    }

    /** @return settings of a job of one external term with these keys besides its command */
    private static Map<String, Object> externalTerm(Map<String, Object> keys) {
        Map<String, Object> term = new java.util.LinkedHashMap<>(Map.of("name", "e", "kind", "external"));
        term.put("command", "./sim.py");
        term.putAll(keys);
        return Map.of("job", Map.of("file", Map.of("terms", List.of(term))));
    }

    private static Map<String, Object> neutralJob(
            String name, String description, String parameterUnit, String externalUnit, double heldOut, String kind) {
        return neutralJob(name, description, parameterUnit, externalUnit, heldOut, kind, Map.of());
    }

    @SuppressWarnings("TooManyParameters") // the job file's keys that are changed
    private static Map<String, Object> neutralJob(
            String name,
            String description,
            String parameterUnit,
            String externalUnit,
            double heldOut,
            String kind,
            Map<String, Object> secondTerm) {
        Map<String, Object> second = new java.util.LinkedHashMap<>(Map.of("name", "curve", "kind", kind, "unit", "eV"));
        second.putAll(secondTerm);
        Map<String, Object> file = new java.util.LinkedHashMap<>();
        file.put("name", name);
        file.put("description", description);
        file.put("parameters", Map.of("lj", Map.of("epsilon", Map.of("initial", 1.0, "unit", parameterUnit))));
        file.put(
                "terms",
                List.of(
                        Map.of(
                                "name",
                                "sim",
                                "kind",
                                "external",
                                "unit",
                                Map.of("energy", externalUnit),
                                "coordinate",
                                Map.of("column", "r", "unit", parameterUnit)),
                        second));
        file.put("validation", List.of(Map.of("kind", "atoms", "reference", Map.of("energy", List.of(heldOut)))));
        file.put("validation_every", (int) heldOut * 10);
        return Map.of("file", file);
    }

    private static Map<String, Object> job(String method, Map<String, Object> tolerance) {
        Map<String, Object> optimizer = new java.util.LinkedHashMap<>();
        optimizer.put("method", method);
        if (!tolerance.isEmpty()) {
            optimizer.put("tolerance", tolerance);
        }
        return Map.of("file", Map.of("optimizer", optimizer));
    }

    private static Fitter fitter(ObjectiveFunction ob, JournalReader j, JournalMode mode) {
        return fitter(ob, j).journal(j, mode);
    }

    @Test
    void oneFitWritesAJournalAtATime() {
        try (JournalReader a = JournalReader.open(dir);
                JournalReader b = JournalReader.open(dir)) {
            try (Journal.Session s = a.begin(Map.of("k", 1), JournalMode.resumeLatest())) {
                JournalException e =
                        assertThrows(JournalException.class, () -> b.begin(Map.of("k", 1), JournalMode.resumeLatest()));
                assertTrue(
                        e.getMessage()
                                .contains("is being written by another fit (pid "
                                        + ProcessHandle.current().pid()),
                        e.getMessage());
                assertFalse(s.resumed());
            }
            try (Journal.Session s = b.begin(Map.of("k", 1), JournalMode.resumeLatest())) {
                assertTrue(s.resumed(), "the lock is released when the session ends");
                assertEquals(2, s.attempt());
            }
        }
    }

    @Test
    void aBatchFitOnAThreadPoolInterruptedMidGenerationResumesToTheSameResult() throws Exception {
        Counting plain = new Counting();
        FitResult uninterrupted;
        try (org.chemfit.schedule.AsyncWrapperCOB ob = new org.chemfit.schedule.AsyncWrapperCOB(plain.objective());
                JournalReader j = JournalReader.open(dir.resolve("a"))) {
            uninterrupted = fitter(ob, j).fit("CMA-ES");
        }
        assertEquals(3 * 40, plain.runs.get());
        for (int stopAt : new int[] {5, 31, 65}) {
            Counting c = new Counting();
            Path journal = dir.resolve("stop-" + stopAt);
            Thread fitThread = Thread.currentThread();
            AtomicInteger seen = new AtomicInteger();
            CombinedObjectiveFunction stopping = new CombinedObjectiveFunction(
                            c.objective().terms().stream()
                                    .map(t -> (ObjectiveFunction) new ObjectiveFunction() {
                                        @Override
                                        public double evaluate(Parameters p) {
                                            throw new UnsupportedOperationException();
                                        }

                                        @Override
                                        public double evaluate(Parameters p, EvaluationContext ctx) {
                                            double v = t.evaluate(p, ctx);
                                            if (seen.incrementAndGet() == stopAt) {
                                                fitThread.interrupt(); // as a kill, cut the fit off in the middle of a
                                                // generation
                                            }
                                            return v;
                                        }
                                    })
                                    .toList(),
                            List.of(1.0, 0.5, 2.0))
                    .withTermNames(List.of("a", "b", "c"));
            FitResult cut;
            try (org.chemfit.schedule.AsyncWrapperCOB ob = new org.chemfit.schedule.AsyncWrapperCOB(stopping);
                    JournalReader j = JournalReader.open(journal)) {
                cut = fitter(ob, j).fit("CMA-ES");
            }
            assertTrue(Thread.interrupted(), "the fit was interrupted");
            assertEquals(org.chemfit.fit.StopReason.INTERRUPTED, cut.stopReason());
            int firstAttempt = c.runs.get();
            int running;
            try (JournalReader j = JournalReader.openReadOnly(journal)) {
                assertEquals("INTERRUPTED", j.latestRun().orElseThrow().status());
                running = (int) j.evaluations(1).stream()
                        .filter(e -> e.state() == EvaluationRecord.State.RUNNING)
                        .count();
            }
            FitResult resumed;
            try (org.chemfit.schedule.AsyncWrapperCOB ob = new org.chemfit.schedule.AsyncWrapperCOB(c.objective());
                    JournalReader j = JournalReader.open(journal)) {
                resumed = fitter(ob, j).fit("CMA-ES");
                assertEquals(List.of("ok"), j.integrityCheck());
            }
            assertSameResult(uninterrupted, resumed);
            int extra = c.runs.get() - plain.runs.get();
            assertTrue(
                    extra >= 0 && extra <= 3 * running,
                    "stop at " + stopAt + ": " + extra + " extra runs, " + running + " evaluations in flight, "
                            + firstAttempt + " runs before the stop");
        }
    }

    @Test
    void aFailedTermIsRecordedWithItsMessageAndRunAgainOnResume() {
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        ObjectiveFunction flaky = new ObjectiveFunction() {
            @Override
            public double evaluate(Parameters p) {
                runs.incrementAndGet();
                if (p.get("x") > 0.305) {
                    failures.incrementAndGet();
                    throw new IllegalStateException("x = " + p.get("x") + " is out of the model's range");
                }
                return Math.pow(p.get("x") - 0.2, 2);
            }
        };
        ObjectiveFunction smooth = p -> {
            runs.incrementAndGet();
            return Math.pow(p.get("y") - 1, 2);
        };
        CombinedObjectiveFunction ob = new CombinedObjectiveFunction(List.of(flaky, smooth))
                .withTermNames(List.of("flaky", "smooth"))
                .withFailurePolicy(org.chemfit.FailurePolicy.penalty(50.0));
        FitResult first;
        int failedFirst;
        try (JournalReader j = JournalReader.open(dir)) {
            first = fitter(ob, j).fit("Nelder-Mead");
            failedFirst = failures.get();
            List<TermRecord> failed = j.terms(1).stream()
                    .filter(t -> t.state() == EvaluationRecord.State.FAILED)
                    .toList();
            assertEquals(failedFirst, failed.size());
            assertTrue(failedFirst > 0, "the fit went past x = 0.305");
            for (TermRecord t : failed) {
                assertEquals("flaky", t.name());
                assertTrue(t.failure().contains("is out of the model's range"), t.failure());
                assertTrue(Double.isNaN(t.value()));
            }
        }
        runs.set(0);
        FitResult again;
        try (JournalReader j = JournalReader.open(dir)) {
            again = fitter(ob, j).fit("Nelder-Mead");
        }
        assertSameResult(first, again);
        assertEquals(failedFirst, runs.get(), "only the failed terms ran again");
        assertEquals(2 * failedFirst, failures.get());
    }

    /**
     * Under penalty, a term that failed only in the first evaluation and whose value is the penalty:
     * a resume runs it again (a failure is never replayed), it succeeds with the same loss, bit for
     * bit, and the evaluation's row is written anew by that attempt, no longer degraded; a further
     * resume then runs nothing.
     */
    @Test
    void aFailedTermThatNowSucceedsWithTheSameLossIsRecordedAsTheNewAttempt() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean(true);
        ObjectiveFunction flaky = p -> {
            runs.incrementAndGet();
            if (failing.getAndSet(false)) {
                throw new IllegalStateException("licence server not reachable");
            }
            return 7.0;
        };
        ObjectiveFunction smooth = p -> {
            runs.incrementAndGet();
            return Math.pow(p.get("x") - 0.2, 2) + Math.pow(p.get("y") - 1, 2);
        };
        CombinedObjectiveFunction ob = new CombinedObjectiveFunction(List.of(flaky, smooth))
                .withTermNames(List.of("flaky", "smooth"))
                .withFailurePolicy(org.chemfit.FailurePolicy.penalty(7.0));
        FitResult first;
        EvaluationRecord before;
        try (JournalReader j = JournalReader.open(dir)) {
            first = fitter(ob, j).fit("Nelder-Mead");
            before = j.evaluations(1).get(0);
        }
        assertTrue(before.degraded(), "the flaky term failed in evaluation 0");
        assertEquals(1, before.attempt());
        assertFalse(failing.get());
        Thread.sleep(5); // the second attempt starts on a later millisecond than the first one ended
        // read on the clock the journal's times come from (the monotonic clock, anchored to the epoch
        // once per JVM), not on the system clock, which this machine may step meanwhile
        java.time.Instant resumedAt = java.time.Instant.ofEpochSecond(0, org.chemfit.EvaluationContext.nowEpochNanos())
                .truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        runs.set(0);
        FitResult again;
        try (JournalReader j = JournalReader.open(dir)) {
            again = fitter(ob, j).fit("Nelder-Mead");
            assertSameResult(first, again);
            assertEquals(1, runs.get(), "only the failed term ran again");
            EvaluationRecord e0 = j.evaluations(1).get(0);
            assertEquals(Double.doubleToRawLongBits(before.loss()), Double.doubleToRawLongBits(e0.loss()));
            assertFalse(e0.degraded(), "its terms succeeded");
            assertEquals(2, e0.attempt());
            assertFalse(e0.treeJson().contains("licence server"), e0.treeJson());
            // the times are the second attempt's, and seconds their difference (the times are kept to
            // the millisecond, seconds to the nanosecond)
            assertFalse(e0.started().isBefore(resumedAt), e0.started() + " is before " + resumedAt);
            assertFalse(e0.ended().isBefore(e0.started()), e0.started() + " to " + e0.ended());
            double between =
                    java.time.Duration.between(e0.started(), e0.ended()).toNanos() / 1e9;
            assertTrue(Math.abs(e0.seconds() - between) < 0.001, e0.seconds() + " s vs " + between + " s");
        }
        runs.set(0);
        try (JournalReader j = JournalReader.open(dir)) {
            assertSameResult(first, fitter(ob, j).fit("Nelder-Mead"));
            assertEquals(0, runs.get(), "everything was replayed");
            assertEquals(2, j.evaluations(1).get(0).attempt(), "the third attempt had nothing to write");
        }
    }

    /**
     * A journal checked before its fit keeps the writer's lock from the check to its close: no other
     * fit starts in it before this one begins, nor after its session ended while the command that
     * ran it still writes its results; a read-only journal's check takes no lock.
     */
    @Test
    void aCheckedJournalKeepsTheWritersLockUntilItIsClosed() {
        Counting c = new Counting();
        Fitter first;
        try (JournalReader j = JournalReader.open(dir)) {
            first = fitter(c.objective(), j);
            Fitter f = first.optimizer(org.chemfit.fit.Optimizers.byName("Nelder-Mead"));
            assertTrue(j.check(f.settings(), JournalMode.resumeLatest()).isEmpty(), "a new run");
            try (JournalReader other = JournalReader.open(dir)) {
                JournalException before = assertThrows(
                        JournalException.class, () -> other.check(f.settings(), JournalMode.resumeLatest()));
                assertTrue(before.getMessage().contains("is being written by another fit"), before.getMessage());
            }
            f.fit("Nelder-Mead");
            // the session has ended; the journal is not closed yet
            try (JournalReader other = JournalReader.open(dir)) {
                JournalException after =
                        assertThrows(JournalException.class, () -> other.check(f.settings(), JournalMode.restart()));
                assertTrue(after.getMessage().contains("is being written by another fit"), after.getMessage());
            }
            try (JournalReader reader = JournalReader.openReadOnly(dir)) {
                assertEquals(
                        1,
                        reader.check(f.settings(), JournalMode.resumeLatest())
                                .orElseThrow()
                                .id());
            }
        }
        try (JournalReader again = JournalReader.open(dir)) {
            Fitter f = fitter(c.objective(), again).optimizer(org.chemfit.fit.Optimizers.byName("Nelder-Mead"));
            assertEquals(
                    1,
                    again.check(f.settings(), JournalMode.resumeLatest())
                            .orElseThrow()
                            .id());
            // the one who checked fits under its lock
            assertEquals(40, f.fit("Nelder-Mead").evaluations());
        }
    }
}
