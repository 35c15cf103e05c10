package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.Bounds;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.fit.StopReason;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.schedule.AsyncWrapperCOB;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a run that was interrupted while evaluations were in flight calls them cut off,
 * not running: nothing runs them until the fit is resumed.
 */
class ReportCutOffTest {

    @TempDir
    Path dir;

    @Test
    void evaluationsLeftUnfinishedByAStoppedRunAreNotCalledRunning() throws Exception {
        Thread fitThread = Thread.currentThread();
        AtomicInteger calls = new AtomicInteger();
        List<ObjectiveFunction> terms = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            terms.add(new ObjectiveFunction() {
                @Override
                public double evaluate(Parameters p) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public double evaluate(Parameters p, EvaluationContext ctx) {
                    if (calls.incrementAndGet() == 40) {
                        fitThread.interrupt(); // Ctrl-C in the middle of a generation
                    }
                    double x = p.get("x");
                    return (x - 1) * (x - 1);
                }
            });
        }
        CombinedObjectiveFunction combined =
                new CombinedObjectiveFunction(terms, List.of(1.0, 1.0, 1.0)).withTermNames(List.of("a", "b", "c"));
        FitResult cut;
        try (AsyncWrapperCOB ob = new AsyncWrapperCOB(combined);
                JournalReader j = JournalReader.open(dir)) {
            cut = new Fitter(ob, Map.of("x", 0.2))
                    .bounds(Bounds.of(Map.of("x", List.of(-3.0, 3.0))))
                    .seed(5)
                    .maxEvaluations(200)
                    .journal(j)
                    .fit("CMA-ES");
        }
        assertTrue(Thread.interrupted());
        assertEquals(StopReason.INTERRUPTED, cut.stopReason());
        int unfinished;
        try (JournalReader j = JournalReader.openReadOnly(dir)) {
            long run = j.latestRun().orElseThrow().id();
            assertEquals("INTERRUPTED", j.latestRun().orElseThrow().status());
            unfinished = j.evaluationCounts(run).getOrDefault(EvaluationRecord.State.RUNNING, 0);
        }
        assertTrue(unfinished > 0, "the interruption left evaluations unfinished");

        Cli.Run r = Cli.run("report", dir.toString(), "--no-plots");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(r.out().contains(unfinished + " cut off when the fit stopped"), r::toString);
        assertFalse(r.out().contains(unfinished + " running"), r::toString);
    }
}
