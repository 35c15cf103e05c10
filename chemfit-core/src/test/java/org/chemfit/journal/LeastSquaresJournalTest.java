package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.LossFunctions;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.fit.StopReason;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.schedule.AsyncWrapperCOB;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A least-squares fit cut off (killed, or interrupted in the middle of a Jacobian's batch) resumes
 * from the journal to the same result, bit for bit: the same best point, loss, evaluations,
 * rounds and uncertainty.
 */
class LeastSquaresJournalTest {

    @TempDir
    Path dir;

    /** Three residual terms (curves of 4 points) that count their runs and can crash on the n-th. */
    static final class Curves {
        final AtomicInteger runs = new AtomicInteger();
        volatile int crashAt = -1;
        volatile Thread interruptAt;
        volatile int interruptAfter = -1;

        CombinedObjectiveFunction objective() {
            return new CombinedObjectiveFunction(List.of(term(0), term(1), term(2)), List.of(1.0, 0.5, 2.0))
                    .withTermNames(List.of("a", "b", "c"));
        }

        ObjectiveFunction term(int i) {
            QuantityComputer qc = new QuantityComputer() {
                @Override
                public Quantities compute(Parameters p) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public Quantities compute(Parameters p, EvaluationContext ctx) {
                    int n = runs.incrementAndGet();
                    if (n == crashAt) {
                        throw new JournalFitTest.Crash("simulated crash at run " + n);
                    }
                    if (n == interruptAfter) {
                        interruptAt.interrupt(); // as a kill: cut the fit off in the middle of a batch
                    }
                    double k = p.get("k");
                    double r0 = p.get("r0");
                    double[] e = new double[4];
                    for (int j = 0; j < 4; j++) {
                        double r = 1.0 + 0.3 * j + 0.1 * i;
                        e[j] = k * (r - r0) * (r - r0) + 0.05 * Math.sin(r * (i + 1));
                    }
                    return Quantities.builder().put("e", e).build();
                }
            };
            double[] ref = new double[4];
            for (int j = 0; j < 4; j++) {
                double r = 1.0 + 0.3 * j + 0.1 * i;
                ref[j] = 2.5 * (r - 1.2) * (r - 1.2);
            }
            return qc.withLoss(LossFunctions.sumOfSquares("e", ref));
        }
    }

    private static Fitter fitter(ObjectiveFunction ob, JournalReader j) {
        Map<String, Double> start = new LinkedHashMap<>();
        start.put("k", 1.0);
        start.put("r0", 1.5);
        return new Fitter(ob, start)
                .bounds(org.chemfit.Bounds.builder()
                        .between("k", 0.1, 10)
                        .between("r0", 0.5, 2)
                        .build())
                .maxEvaluations(200)
                .journal(j);
    }

    static void assertSameResult(FitResult expected, FitResult actual) {
        assertEquals(
                Double.doubleToRawLongBits(expected.bestLoss()),
                Double.doubleToRawLongBits(actual.bestLoss()),
                "best loss " + expected.bestLoss() + " vs " + actual.bestLoss());
        for (String n : expected.bestParameters().names()) {
            assertEquals(
                    Double.doubleToRawLongBits(expected.bestParameters().get(n)),
                    Double.doubleToRawLongBits(actual.bestParameters().get(n)),
                    "parameter " + n);
            assertEquals(
                    Double.doubleToRawLongBits(
                            expected.uncertainty().standardErrors().get(n)),
                    Double.doubleToRawLongBits(
                            actual.uncertainty().standardErrors().get(n)),
                    "standard error of " + n);
        }
        assertEquals(expected.evaluations(), actual.evaluations());
        assertEquals(expected.rounds(), actual.rounds());
        assertEquals(expected.stopReason(), actual.stopReason());
    }

    @Test
    void aKilledLeastSquaresFitResumesBitForBit() {
        Curves plain = new Curves();
        FitResult uninterrupted;
        try (JournalReader j = JournalReader.open(dir.resolve("a"))) {
            uninterrupted = fitter(plain.objective(), j).fit("least-squares");
        }
        assertEquals(StopReason.CONVERGED, uninterrupted.stopReason());
        assertEquals(2.5, uninterrupted.bestParameters().get("k"), 0.1);
        for (int crashAt : new int[] {2, 14, 40}) {
            Curves c = new Curves();
            c.crashAt = crashAt;
            Path journal = dir.resolve("crash-" + crashAt);
            try (JournalReader j = JournalReader.open(journal)) {
                JournalFitTest.Crash e = assertThrows(
                        JournalFitTest.Crash.class,
                        () -> fitter(c.objective(), j).fit("least-squares"));
                assertEquals("simulated crash at run " + crashAt, e.getMessage());
            }
            c.crashAt = -1;
            FitResult resumed;
            try (JournalReader j = JournalReader.open(journal)) {
                resumed = fitter(c.objective(), j).fit("least-squares");
                assertEquals(List.of("ok"), j.integrityCheck());
            }
            assertSameResult(uninterrupted, resumed);
            // only the terms cut off run again: the evaluation in flight (serially, one at a time)
            assertTrue(
                    c.runs.get() - plain.runs.get() <= 3,
                    "crash at " + crashAt + ": " + c.runs.get() + " runs against " + plain.runs.get());
        }
    }

    @Test
    void aLeastSquaresFitOnAPoolInterruptedMidBatchResumesBitForBit() {
        Curves plain = new Curves();
        FitResult uninterrupted;
        try (AsyncWrapperCOB ob = new AsyncWrapperCOB(plain.objective());
                JournalReader j = JournalReader.open(dir.resolve("a"))) {
            uninterrupted = fitter(ob, j).fit("least-squares");
        }
        for (int stopAt : new int[] {5, 20, 37}) {
            Curves c = new Curves();
            c.interruptAt = Thread.currentThread();
            c.interruptAfter = stopAt;
            Path journal = dir.resolve("stop-" + stopAt);
            FitResult cut;
            try (AsyncWrapperCOB ob = new AsyncWrapperCOB(c.objective());
                    JournalReader j = JournalReader.open(journal)) {
                cut = fitter(ob, j).fit("least-squares");
            }
            assertTrue(Thread.interrupted(), "the fit was interrupted");
            assertEquals(StopReason.INTERRUPTED, cut.stopReason());
            c.interruptAfter = -1;
            FitResult resumed;
            try (AsyncWrapperCOB ob = new AsyncWrapperCOB(c.objective());
                    JournalReader j = JournalReader.open(journal)) {
                resumed = fitter(ob, j).fit("least-squares");
                assertEquals(List.of("ok"), j.integrityCheck());
            }
            assertSameResult(uninterrupted, resumed);
        }
    }
}
