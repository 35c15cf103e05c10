package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.LossFunctions;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.RunRecord;
import org.chemfit.journal.read.TermRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A fit resumed into a journal after the reference data of a term changed (same term names and
 * weights, so the same job settings) is refused, naming the term and both losses, instead of
 * replaying the old fit's losses; the recorded run is left as it was. The same data resumes.
 */
class ChangedDataResumeTest {

    @org.junit.jupiter.api.io.TempDir
    Path dir;

    private final AtomicInteger runs = new AtomicInteger();

    private CombinedObjectiveFunction objective(double ref) {
        QuantityComputer line = p -> {
            runs.incrementAndGet();
            double a = p.get("a");
            return Quantities.builder().put("y", new double[] {a, 2 * a, 3 * a}).build();
        };
        return new CombinedObjectiveFunction(List.of(line.withLoss(
                        LossFunctions.sumOfSquares("y", new double[] {ref, 2 * ref + 0.1, 3 * ref - 0.1}))))
                .withTermNames(List.of("y"));
    }

    private FitResult fit(double ref, String method, JournalMode mode) {
        try (Journal j = Journal.open(dir)) {
            return new Fitter(objective(ref), Map.of("a", 0.5))
                    .maxEvaluations(100)
                    .journal(j, mode)
                    .fit(method);
        }
    }

    private static String rows(JournalReader j, long runId) {
        StringBuilder sb = new StringBuilder();
        for (EvaluationRecord e : j.evaluations(runId)) {
            sb.append(e.number())
                    .append(' ')
                    .append(e.state())
                    .append(' ')
                    .append(e.parameters())
                    .append(' ')
                    .append(Double.doubleToRawLongBits(e.loss()))
                    .append(' ')
                    .append(e.attempt())
                    .append('\n');
        }
        for (TermRecord t : j.terms(runId)) {
            sb.append(t).append('\n');
        }
        return sb.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Nelder-Mead", "least-squares"})
    void aResumeWithChangedDataIsRefusedAndLeavesTheRunAsItWas(String method) {
        FitResult first = fit(1.0, method, JournalMode.resumeLatest());
        assertEquals(1.0, first.bestParameters().get("a"), 0.05);
        String before;
        RunRecord runBefore;
        try (JournalReader j = JournalReader.openReadOnly(dir)) {
            runBefore = j.runs().get(0);
            before = rows(j, runBefore.id());
        }
        assertEquals("FINISHED", runBefore.status());
        int ran = runs.get();

        JournalMismatchException e =
                assertThrows(JournalMismatchException.class, () -> fit(5.0, method, JournalMode.resumeLatest()));
        String m = e.getMessage();
        assertTrue(m.contains("evaluation 0, term 'y': recorded loss " + first.initialLoss() + ", recomputed "), m);
        assertTrue(m.contains("The data or the loss of that term changed since the run was recorded"), m);
        assertTrue(m.contains("JournalMode.restart()"), m);
        assertTrue(m.contains("Fitter.jobSettings"), m);
        assertEquals(runBefore.id(), e.runId());
        assertEquals(1, e.changes().size());
        assertEquals(ran, runs.get(), "refusing ran no term");

        try (JournalReader j = JournalReader.openReadOnly(dir)) {
            assertEquals(1, j.runs().size());
            RunRecord after = j.runs().get(0);
            assertEquals(before, rows(j, after.id()), "run 1's records are unchanged");
            assertEquals(runBefore.status(), after.status());
            assertEquals(runBefore.stopReason(), after.stopReason());
            assertEquals(runBefore.ended(), after.ended());
            assertEquals(
                    Double.doubleToRawLongBits(runBefore.bestLoss()), Double.doubleToRawLongBits(after.bestLoss()));
            assertEquals(runBefore.evaluations(), after.evaluations());
            assertEquals(runBefore.attempts(), after.attempts(), "a refused attempt is not counted");
        }

        // the old data resumes the run as before: the same result, nothing run again
        FitResult again = fit(1.0, method, JournalMode.resumeLatest());
        assertEquals(Double.doubleToRawLongBits(first.bestLoss()), Double.doubleToRawLongBits(again.bestLoss()));
        assertEquals(ran, runs.get());

        // the new data as a new run: the fit of the new data
        FitResult fresh = fit(5.0, method, JournalMode.restart());
        assertEquals(5.0, fresh.bestParameters().get("a"), 0.05);
        try (JournalReader j = JournalReader.openReadOnly(dir)) {
            assertEquals(2, j.runs().size());
            assertEquals(before, rows(j, runBefore.id()));
        }
    }

    /** A killed run whose resume was refused still reads as stopped without finishing, with one attempt. */
    @org.junit.jupiter.api.Test
    void aKilledRunWhoseResumeIsRefusedStillReadsAsStopped() throws Exception {
        fit(1.0, "Nelder-Mead", JournalMode.resumeLatest());
        // as if its process had been killed: the run and its attempt left RUNNING, the process gone
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        try (java.sql.Connection c =
                        java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(Journal.DEFAULT_FILE_NAME));
                java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE runs SET status = 'RUNNING', ended_at = NULL, stop_reason = NULL");
            st.executeUpdate("UPDATE attempts SET status = 'RUNNING', ended_at = NULL, pid = " + gone.pid());
        }
        long run;
        try (JournalReader j = JournalReader.openReadOnly(dir)) {
            run = j.latestRun().orElseThrow().id();
            assertTrue(j.endedWithoutFinishing(run).isPresent(), "stopped before the resume");
        }
        assertThrows(JournalMismatchException.class, () -> fit(5.0, "Nelder-Mead", JournalMode.resumeLatest()));
        try (JournalReader j = JournalReader.openReadOnly(dir)) {
            RunRecord after = j.run(run).orElseThrow();
            assertEquals("RUNNING", after.status());
            assertEquals(1, after.attempts());
            assertTrue(j.endedWithoutFinishing(run).isPresent(), "still stopped without finishing after the refusal");
        }
    }
}
