package org.chemfit.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.testfixtures.DivergingFit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dashboard that watched a fit cut off, then its resume take another path ({@link DivergingFit}):
 * once the resumed attempt diverged it reads the run again, so it no longer shows the best point,
 * rows and counts of the path the fit left; the failure of the first attempt is marked as the
 * first attempt's, and once the resume ran the failed term of that evaluation again and it
 * completed, it no longer stands: it is listed apart, as resolved by attempt 2.
 */
@Timeout(120)
class JournalViewDivergedResumeTest {

    @TempDir
    Path dir;

    /** @return "best number, best loss, complete/with failed terms/running+cut off" of the page */
    @SuppressWarnings("unchecked")
    private static String shown(JournalView v) {
        Map<String, Object> s = v.summary();
        Map<String, Object> c = (Map<String, Object>) s.get("counts");
        return s.get("best_evaluation") + " " + s.get("best_loss") + " " + c.get("complete") + "/"
                + c.get("with_failed_terms") + "/" + c.get("running") + "+" + c.get("cut_off") + " "
                + s.get("failure_count");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> failures(JournalView v) {
        return (List<Map<String, Object>>) v.summary().get("failures");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> resolved(JournalView v) {
        return (List<Map<String, Object>>) v.summary().get("resolved_failures");
    }

    /**
     * @return the fit after its first attempt: term b failing at x = 1.2 (evaluation 1 penalised),
     *     cut off at x = 2.3 (evaluation 6) as a kill would
     */
    private DivergingFit firstAttemptCutOff() {
        DivergingFit f = new DivergingFit();
        f.failing = true;
        f.crashAt = 2.3;
        assertThrows(DivergingFit.Crash.class, () -> f.fit(dir));
        return f;
    }

    @Test
    void aViewOpenedBeforeTheResumeShowsTheNewPathOnly() throws Exception {
        DivergingFit f = firstAttemptCutOff();
        try (JournalView v = new JournalView(dir, 2)) {
            v.refreshAll();
            // path A: x = 2.1 at evaluation 4, loss 2 * 0.1^2; evaluation 1 penalised; evaluation 6 cut off
            assertEquals("4 " + v.summary().get("best_loss") + " 6/1/0+1 1", shown(v));
            assertEquals(2 * 0.1 * 0.1, (Double) v.summary().get("best_loss"), 1e-12);
            assertEquals(1, failures(v).get(0).get("evaluation"));
            assertEquals(1, failures(v).get(0).get("attempt"));
            assertEquals(null, failures(v).get(0).get("resolved_by_attempt"), "nothing ran it again yet");
            assertEquals(List.of(), resolved(v));

            f.failing = false;
            f.crashAt = Double.NaN;
            AtomicReference<String> during = new AtomicReference<>();
            f.beforeAsk = told -> {
                if (told != 3) {
                    return;
                }
                try (JournalReader j = JournalReader.openReadOnly(dir)) {
                    long run = j.latestRun().orElseThrow().id();
                    // a record is durable in the pending file first: wait until the database holds evaluation 3
                    while (j.evaluations(run).stream()
                            .noneMatch(e -> e.number() == 3 && e.state() == EvaluationRecord.State.COMPLETE)) {
                        Thread.sleep(5);
                    }
                    v.refreshAll();
                    during.set(shown(v) + " " + v.summary().get("best_loss"));
                } catch (Exception e) {
                    during.set(e.toString());
                }
            };
            f.fit(dir);
            // evaluations 0 to 3 of path B (x = 1.0, 1.2, 1.5, 1.6): the best x = 1.6, loss 2 * 0.4^2; term b of
            // evaluation 1 ran again and completed, so no failure stands
            String[] d = during.get().split(" ");
            assertEquals("3 4/0/0+0 0", d[0] + " " + d[2] + " " + d[3], during.get());
            assertEquals(2 * 0.4 * 0.4, Double.parseDouble(d[1]), 1e-12, during.get());
            v.refreshAll();
            // after the fit: x = 1.7 at evaluation 4, loss 2 * 0.3^2; the first attempt's 5 and 6 are not shown
            assertEquals("4 " + v.summary().get("best_loss") + " 5/0/0+0 0", shown(v));
            assertEquals(2 * 0.3 * 0.3, (Double) v.summary().get("best_loss"), 1e-12);
            assertEquals(List.of(), failures(v));
            assertEquals(1, v.summary().get("resolved_failure_count"));
            Map<String, Object> failure = resolved(v).get(0);
            assertEquals(1, failure.get("evaluation"));
            assertEquals(1, failure.get("attempt"), "the failure was the first attempt's evaluation 1");
            assertEquals(2, failure.get("resolved_by_attempt"), "term b completed evaluation 1 in attempt 2");
            assertEquals(2, v.failure(0).get("resolved_by_attempt"));
            assertEquals(2, v.summary().get("attempts"));
        }
    }

    /**
     * A resume on the same path runs the failed term of evaluation 1 again and rewrites its row in
     * place: a view that read the row as penalised once the resume began reads it again, and no
     * longer counts it with a failed term.
     */
    @Test
    void aViewThatReadAPenalisedRowAsTheResumeBeganReadsItAgainOnceRunAgain() throws Exception {
        DivergingFit f = firstAttemptCutOff();
        try (JournalView v = new JournalView(dir, 2)) {
            v.refreshAll();
            assertEquals("4 " + v.summary().get("best_loss") + " 6/1/0+1 1", shown(v));
            f.failing = false;
            f.crashAt = Double.NaN;
            f.pathB = DivergingFit.PATH_A;
            AtomicReference<String> during = new AtomicReference<>();
            // as term b runs again in the resume: the journal holds attempt 2, and evaluation 1 as penalised
            f.beforeB = () -> {
                v.refreshAll();
                during.set(shown(v));
            };
            f.fit(dir);
            assertEquals("1", during.get().split(" ")[2].split("/")[1], "read as penalised then: " + during.get());
            v.refreshAll();
            @SuppressWarnings("unchecked")
            Map<String, Object> counts = (Map<String, Object>) v.summary().get("counts");
            assertEquals(0, counts.get("with_failed_terms"), v.summary()::toString);
            assertEquals(2, v.summary().get("attempts"));
        }
    }
}
