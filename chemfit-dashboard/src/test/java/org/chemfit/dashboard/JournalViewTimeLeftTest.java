package org.chemfit.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.Bounds;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.fit.StopReason;
import org.chemfit.journal.Journal;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.schedule.AsyncWrapperCOB;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The time left that the dashboard shows for a resumed run: the rate of the evaluations its latest
 * attempt ran, not the run's whole time (which holds the pause between attempts) over every
 * evaluation (which holds those replayed from the journal in no time).
 */
class JournalViewTimeLeftTest {

    private static final int BUDGET = 60;

    @TempDir
    Path dir;

    /** A bowl that calls {@code each} before it returns. */
    private static ObjectiveFunction bowl(Runnable each) {
        return new ObjectiveFunction() {
            @Override
            public double evaluate(Parameters p) {
                throw new UnsupportedOperationException();
            }

            @Override
            public double evaluate(Parameters p, EvaluationContext ctx) {
                each.run();
                double x = p.get("x");
                double y = p.get("y");
                return (x - 2) * (x - 2) + y * y;
            }
        };
    }

    private FitResult fit(ObjectiveFunction term) {
        CombinedObjectiveFunction combined =
                new CombinedObjectiveFunction(List.of(term), List.of(1.0)).withTermNames(List.of("bowl"));
        try (AsyncWrapperCOB ob = new AsyncWrapperCOB(combined);
                Journal j = Journal.open(dir)) {
            return new Fitter(ob, Map.of("x", 0.5, "y", 0.5))
                    .bounds(Bounds.of(Map.of("x", List.of(0.0, 3.0), "y", List.of(-1.0, 1.0))))
                    .seed(7)
                    .maxEvaluations(BUDGET)
                    .journal(j)
                    .fit(new Journals.RandomSearch());
        }
    }

    @Test
    void aResumedRunIsTimedByItsLatestAttempt() throws Exception {
        Thread fitThread = Thread.currentThread();
        AtomicInteger first = new AtomicInteger();
        FitResult cut = fit(bowl(() -> {
            if (first.incrementAndGet() == 20) {
                fitThread.interrupt(); // as Ctrl-C: the run stops, to be resumed
            }
        }));
        assertTrue(Thread.interrupted());
        assertEquals(StopReason.INTERRUPTED, cut.stopReason());
        Thread.sleep(1500); // the pause between the attempts, which the estimate must leave out

        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger second = new AtomicInteger();
        ExecutorService exec = Executors.newSingleThreadExecutor();
        try {
            Future<FitResult> resumed = exec.submit(() -> fit(bowl(() -> {
                if (second.incrementAndGet() == 12) {
                    reached.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            })));
            assertTrue(reached.await(60, TimeUnit.SECONDS), "the resumed fit ran 12 evaluations");
            // the 11th is committed by the journal's writer within a moment of finishing
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                try (JournalReader r = JournalReader.openReadOnly(dir)) {
                    long run = r.latestRun().orElseThrow().id();
                    return r.evaluations(run).stream()
                                    .filter(e -> e.attempt() == 2 && e.state() != EvaluationRecord.State.RUNNING)
                                    .count()
                            == 11;
                }
            });
            try (JournalReader j = JournalReader.openReadOnly(dir);
                    JournalView v = new JournalView(dir)) {
                long run = j.latestRun().orElseThrow().id();
                assertEquals(2, j.latestRun().orElseThrow().attempts());
                List<EvaluationRecord> evs = j.evaluations(run);
                List<EvaluationRecord> ran = evs.stream()
                        .filter(e -> e.attempt() == 2 && e.state() != EvaluationRecord.State.RUNNING)
                        .toList();
                long finished = evs.stream()
                        .filter(e -> e.state() != EvaluationRecord.State.RUNNING)
                        .count();
                assertEquals(11, ran.size(), "11 evaluations finished in the second attempt");
                assertTrue(finished > ran.size(), "and those of the first attempt");
                Instant firstStart = evs.stream()
                        .filter(e -> e.attempt() == 2)
                        .map(EvaluationRecord::started)
                        .filter(java.util.Objects::nonNull)
                        .min(Instant::compareTo)
                        .orElseThrow();

                assertTrue(v.refresh());
                Instant before = Instant.now();
                Map<String, Object> s = v.summary();
                Instant after = Instant.now();
                assertEquals("running", s.get("status"));
                Object left = s.get("seconds_left");
                assertNotNull(left, "a running run shows the time left");
                double perEvaluationLow = Duration.between(firstStart, before).toMillis() / 1000.0 / ran.size();
                double perEvaluationHigh = (Duration.between(firstStart, after).toMillis() + 1) / 1000.0 / ran.size();
                long rest = BUDGET - finished;
                double l = ((Number) left).doubleValue();
                assertTrue(
                        l >= perEvaluationLow * rest - 1e-9 && l <= perEvaluationHigh * rest + 1e-9,
                        () -> "time left " + l + " s is not the rest of the budget (" + rest + ") at the rate of"
                                + " the second attempt (" + perEvaluationLow + " to " + perEvaluationHigh + " s each)");
            } finally {
                release.countDown();
            }
            assertEquals(
                    StopReason.MAX_EVALUATIONS,
                    resumed.get(60, TimeUnit.SECONDS).stopReason());
        } finally {
            release.countDown();
            exec.shutdownNow();
        }
    }
}
