package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The time left shown by the progress display of a resumed fit: evaluations replayed from the
 * journal count towards the budget but not towards the rate, since they took no time.
 */
class ProgressTimeLeftTest {

    private static final Parameters P = Parameters.of(Map.of("x", 1.0));

    @Test
    void replayedEvaluationsDoNotCountInTheRate() {
        // 49 replayed in no time, then 12 computed in 10 s: 59 left at 10/12 s each
        assertEquals(10.0 / 12 * 59, Progress.secondsLeft(10, 61, 12, 120), 1e-12);
        // a fit that replayed nothing: the rate of all it did
        assertEquals(10.0 / 61 * 59, Progress.secondsLeft(10, 61, 61, 120), 1e-12);
        assertEquals(0.0, Progress.secondsLeft(10, 130, 61, 120), 0.0);
    }

    @Test
    void theLogCountsOnlyEvaluationsThatRanATerm(@TempDir Path dir) throws IOException {
        try (EvaluationLog log = new EvaluationLog(dir, List.of("x"), List.of("a", "b"))) {
            EvaluationContext whole = new EvaluationContext(P);
            whole.replay(Quantities.empty(), Map.of(), 1.0);
            log.onEvaluation(0, whole, 1.0);

            EvaluationContext allLeaves = twoTerms(true, true);
            log.onEvaluation(1, allLeaves, 2.0);

            EvaluationContext oneRan = twoTerms(true, false);
            log.onEvaluation(2, oneRan, 3.0);

            EvaluationContext fresh = twoTerms(false, false);
            log.onEvaluation(3, fresh, 4.0);

            assertTrue(EvaluationLog.replayed(whole));
            assertTrue(EvaluationLog.replayed(allLeaves));
            assertFalse(EvaluationLog.replayed(oneRan));
            assertEquals(4, log.count());
            assertEquals(2, log.computed(), "the evaluations that ran a term");
        }
    }

    private static EvaluationContext twoTerms(boolean firstReplayed, boolean secondReplayed) {
        EvaluationContext ctx = new EvaluationContext(P);
        EvaluationContext a = ctx.addChild("a", 1.0);
        EvaluationContext b = ctx.addChild("b", 1.0);
        if (firstReplayed) {
            a.replay(Quantities.empty(), Map.of(), 1.0);
        }
        if (secondReplayed) {
            b.replay(Quantities.empty(), Map.of(), 1.0);
        }
        return ctx;
    }
}
