package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.chemfit.fit.FitResult;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.TermRecord;
import org.chemfit.testfixtures.DivergingFit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fit cut off and resumed that takes another path (a penalised term ran again and now
 * succeeded): the journal records where the resumed attempt diverged, and its reads leave out the
 * rows the first attempt recorded from there on, which stay in the file.
 */
@org.junit.jupiter.api.Timeout(120)
class DivergedResumeTest {

    @TempDir
    Path dir;

    /** @return "number:attempt" of every row of the evaluations table, read with plain SQL */
    private static List<String> rawRows(Path file) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT number, attempt, state FROM evaluations ORDER BY number")) {
            while (rs.next()) {
                out.add(rs.getInt(1) + ":" + rs.getInt(2) + ":" + rs.getString(3));
            }
        }
        return out;
    }

    private static List<Integer> numbers(JournalReader j, long run) {
        return j.evaluations(run).stream().map(EvaluationRecord::number).toList();
    }

    /** @return "number:attempt:term" of each failed term the journal's reads give */
    private static List<String> failed(JournalReader j, long run) {
        return j.terms(run).stream()
                .filter(t -> t.state() == EvaluationRecord.State.FAILED)
                .map(t -> t.evaluationNumber() + ":" + t.attempt() + ":" + t.name())
                .toList();
    }

    private static int highestTermNumber(JournalReader j, long run) {
        return j.terms(run).stream()
                .mapToInt(TermRecord::evaluationNumber)
                .max()
                .orElse(-1);
    }

    /** Runs the first attempt, cut off at x = 2.3 (evaluation 6) with term "b" failing at x = 1.2. */
    private static DivergingFit firstAttempt(Path folder) {
        DivergingFit f = new DivergingFit();
        f.failing = true;
        f.crashAt = 2.3;
        DivergingFit.Crash e = assertThrows(DivergingFit.Crash.class, () -> f.fit(folder));
        assertEquals("killed at x = 2.3", e.getMessage());
        return f;
    }

    @Test
    void theRowsOfTheAbandonedPathAreLeftOutOfEveryReadButKept() throws Exception {
        Path file = dir.resolve(Journal.DEFAULT_FILE_NAME);
        DivergingFit f = firstAttempt(dir);
        long run;
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            run = j.latestRun().orElseThrow().id();
            EvaluationRecord best = j.best(run).orElseThrow();
            assertEquals(4, best.number(), "x = 2.1 on path A");
            assertEquals(2.1, best.parameters().get("x"), 0.0);
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), numbers(j, run));
            assertEquals(List.of("1:1:b"), failed(j, run));
            assertEquals(Map.of(), j.divergedAttempts(run));
        }

        // resumed without the failure: evaluation 1 runs "b" again, and from evaluation 2 on the fit takes path B
        f.failing = false;
        f.crashAt = Double.NaN;
        AtomicReference<String> during = new AtomicReference<>();
        f.beforeAsk = told -> {
            if (told != 3) {
                return;
            }
            // evaluations 0 to 3 of this attempt are recorded; the first attempt's 4, 5 and 6 still are too
            try (JournalReader j = JournalReader.openReadOnly(file)) {
                // a record is durable in the pending file first: wait until the database holds evaluation 3
                while (j.evaluations(run).stream()
                        .noneMatch(e -> e.number() == 3 && e.state() == EvaluationRecord.State.COMPLETE)) {
                    Thread.sleep(5);
                }
                EvaluationRecord best = j.best(run).orElseThrow();
                Map<EvaluationRecord.State, Integer> counts = j.evaluationCounts(run);
                during.set(best.number() + " " + best.parameters().get("x") + " " + numbers(j, run) + " "
                        + counts.get(EvaluationRecord.State.COMPLETE) + "/"
                        + counts.get(EvaluationRecord.State.RUNNING) + "/"
                        + counts.get(EvaluationRecord.State.FAILED) + " " + failed(j, run) + " "
                        + highestTermNumber(j, run) + " " + j.divergedAttempts(run) + " " + rawRows(file));
            } catch (Exception e) {
                during.set(e.toString());
            }
        };
        FitResult resumed = f.fit(dir);
        // best: x = 1.6, loss 2 * 0.4^2, of evaluations 0 (x = 1.0), 1 (x = 1.2), 2 (x = 1.5), 3 (x = 1.6)
        assertEquals(
                "3 1.6 [0, 1, 2, 3] 4/0/0 [1:1:b] 3 {2=2}"
                        + " [0:1:COMPLETE, 1:2:COMPLETE, 2:2:COMPLETE, 3:2:COMPLETE, 4:1:COMPLETE, 5:1:COMPLETE,"
                        + " 6:1:RUNNING]",
                during.get());
        assertEquals(1.7, resumed.bestParameters().get("x"), 0.0);
        assertEquals(2 * 0.3 * 0.3, resumed.bestLoss(), 1e-12);

        try (JournalReader j = JournalReader.openReadOnly(file)) {
            EvaluationRecord best = j.best(run).orElseThrow();
            assertEquals(4, best.number());
            assertEquals(1.7, best.parameters().get("x"), 0.0);
            assertEquals(2, best.attempt());
            assertEquals(resumed.bestLoss(), best.loss(), 0.0, "the journal and the Fitter agree");
            assertEquals(List.of(0, 1, 2, 3, 4), numbers(j, run));
            assertEquals(5, j.evaluationCounts(run).get(EvaluationRecord.State.COMPLETE));
            assertEquals(0, j.evaluationCounts(run).get(EvaluationRecord.State.RUNNING));
            assertEquals(List.of("1:1:b"), failed(j, run));
            assertEquals(4, highestTermNumber(j, run));
            assertEquals(Map.of(2, 2), j.divergedAttempts(run));
            assertEquals(1.28, j.evaluations(run).get(1).loss(), 1e-12, "evaluation 1 as it ran again");
            assertEquals(
                    5, j.latestRun().orElseThrow().evaluations(), "the evaluations of path B, not the 7 of path A");
        }
        // nothing removed: the first attempt's 5 and 6 are still in the file
        assertEquals(
                List.of(
                        "0:1:COMPLETE",
                        "1:2:COMPLETE",
                        "2:2:COMPLETE",
                        "3:2:COMPLETE",
                        "4:2:COMPLETE",
                        "5:1:COMPLETE",
                        "6:1:RUNNING"),
                rawRows(file));

        // resumed once more: it replays path B and does not take the abandoned rows for its own
        DivergingFit again = new DivergingFit();
        FitResult third = again.fit(dir);
        assertEquals(resumed.bestLoss(), third.bestLoss(), 0.0);
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            assertEquals(3, j.latestRun().orElseThrow().attempts());
            assertEquals(Map.of(2, 2), j.divergedAttempts(run), "the third attempt followed the recorded path");
            assertEquals(List.of(0, 1, 2, 3, 4), numbers(j, run));
        }
    }

    @Test
    void whereTheAttemptDivergedIsCommittedBeforeTheNewPathIsTold() throws Exception {
        Path file = dir.resolve(Journal.DEFAULT_FILE_NAME);
        DivergingFit f = firstAttempt(dir);
        f.failing = false;
        f.crashAt = Double.NaN;
        AtomicReference<String> told = new AtomicReference<>();
        AtomicReference<Thread> releaser = new AtomicReference<>();
        f.beforeAsk = n -> {
            if (n == 1) {
                // before evaluation 2 is asked, another connection holds the database's write lock
                // for a while: the group commit of the number waits for it, the pending file does
                // not, so a record of evaluation 2 that did not wait for the number would be told
                // to the optimizer before the number is in the database
                try {
                    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                    c.createStatement().execute("BEGIN IMMEDIATE");
                    Thread t = new Thread(() -> {
                        try (c) {
                            Thread.sleep(300);
                            c.createStatement().execute("ROLLBACK");
                        } catch (Exception e) {
                            told.set(e.toString());
                        }
                    });
                    t.start();
                    releaser.set(t);
                } catch (java.sql.SQLException e) {
                    told.set(e.toString());
                }
                return;
            }
            if (n != 2) {
                return;
            }
            // evaluation 2, the first of path B, was told: a kill from here on copies its record
            // from the pending file, so the number must already be in the database (no waiting)
            try (JournalReader j = JournalReader.openReadOnly(file)) {
                told.compareAndSet(
                        null,
                        j.divergedAttempts(j.latestRun().orElseThrow().id()).toString());
            } catch (RuntimeException e) {
                told.set(e.toString());
            }
        };
        f.fit(dir);
        releaser.get().join();
        assertEquals("{2=2}", told.get());
    }

    /** @return {replayed, computed} that an attempt of the run recorded */
    private static List<Long> counts(Path file, int attempt) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT replayed, computed FROM attempts WHERE attempt = " + attempt)) {
            rs.next();
            return List.of(rs.getLong(1), rs.getLong(2));
        }
    }

    @Test
    void aLaterAttemptReplaysTheTermsOfAPointOfTheAbandonedPath() throws Exception {
        Path file = dir.resolve(Journal.DEFAULT_FILE_NAME);
        DivergingFit f = firstAttempt(dir);
        f.failing = false;
        f.crashAt = Double.NaN;
        f.fit(dir);
        // path B overwrote evaluations 2 to 4; the first attempt's 5 (x = 2.4) stays, left out of reads
        // the third attempt goes x = 1.5, then x = 2.4: it diverges at evaluation 3 (x = 1.6 recorded)
        DivergingFit third = new DivergingFit();
        third.pathB = new double[] {1.5, 2.4};
        FitResult r = third.fit(dir);
        assertEquals(2 * 0.4 * 0.4, r.bestLoss(), 1e-12, "x = 2.4");
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            long run = j.latestRun().orElseThrow().id();
            assertEquals(Map.of(2, 2, 3, 3), j.divergedAttempts(run));
            assertEquals(List.of(0, 1, 2, 3), numbers(j, run));
        }
        // evaluations 0, 1 and 2 replay their two terms each, as does evaluation 3 from the first
        // attempt's evaluation 5 of the same parameters: nothing computed
        assertEquals(List.of(8L, 0L), counts(file, 3));
    }

    @Test
    void aRunCountsThePathItFollowsAfterAnAttemptThatDivergedWasCutOff() throws Exception {
        Path file = dir.resolve(Journal.DEFAULT_FILE_NAME);
        // the first attempt finishes path A: evaluations 0 to 6
        DivergingFit f = new DivergingFit();
        f.failing = true;
        f.fit(dir);
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            assertEquals(7, j.latestRun().orElseThrow().evaluations());
        }
        // the second takes path B and is cut off at evaluation 4 (x = 1.7)
        f.failing = false;
        f.crashAt = 1.7;
        assertThrows(DivergingFit.Crash.class, () -> f.fit(dir));
        // as a kill leaves it: the Fitter recorded the attempt's end, a killed process records none
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            s.execute("UPDATE runs SET evaluations = 7, status = 'RUNNING', ended_at = NULL, stop_reason = NULL");
            s.execute("UPDATE attempts SET status = 'RUNNING', ended_at = NULL WHERE attempt = 2");
        }
        // the third replays path B as recorded, diverging nowhere, and finishes it
        f.crashAt = Double.NaN;
        f.fit(dir);
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            long run = j.latestRun().orElseThrow().id();
            assertEquals(Map.of(2, 2), j.divergedAttempts(run));
            assertEquals(List.of(0, 1, 2, 3, 4), numbers(j, run));
            assertEquals(5, j.latestRun().orElseThrow().evaluations(), "path B's 5, not path A's 7");
        }
    }

    @Test
    void aRefusedResumeLeavesNoNumberItDivergedAt() throws Exception {
        Path file = dir.resolve(Journal.DEFAULT_FILE_NAME);
        DivergingFit f = firstAttempt(dir);
        f.failing = false;
        f.crashAt = Double.NaN;
        long run;
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            run = j.latestRun().orElseThrow().id();
        }
        // the resume diverges at evaluation 2, then refuses to go on (as a replayed term whose
        // loss changed makes it): the run is put back, and no number hides the first attempt's rows
        f.beforeAsk = n -> {
            if (n == 2) {
                throw org.chemfit.support.ResumeRefusal.create("cannot resume run 1", 1, List.of("evaluation 2"));
            }
        };
        JournalMismatchException e = assertThrows(JournalMismatchException.class, () -> f.fit(dir));
        assertEquals("cannot resume run 1", e.getMessage());
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            assertEquals(Map.of(), j.divergedAttempts(run));
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), numbers(j, run));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT status, diverged_at FROM attempts WHERE attempt = 2")) {
            rs.next();
            assertEquals("REFUSED", rs.getString(1));
            assertEquals(null, rs.getObject(2));
        }
    }

    @Test
    void aJournalOfTheVersionBeforeIsGivenTheColumnWhenResumed() throws Exception {
        Path file = dir.resolve(Journal.DEFAULT_FILE_NAME);
        DivergingFit f = firstAttempt(dir);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            s.execute("ALTER TABLE attempts DROP COLUMN diverged_at");
            s.execute("PRAGMA user_version = 6");
        }
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            long run = j.latestRun().orElseThrow().id();
            assertEquals(4, j.best(run).orElseThrow().number(), "read as it is");
            assertEquals(Map.of(), j.divergedAttempts(run));
        }
        f.failing = false;
        f.crashAt = Double.NaN;
        f.fit(dir);
        assertEquals(7, JournalFiles.userVersion(file));
        assertEquals(JournalSchema.VERSION, JournalFiles.userVersion(file));
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            long run = j.latestRun().orElseThrow().id();
            assertEquals(Map.of(2, 2), j.divergedAttempts(run));
            assertEquals(4, j.best(run).orElseThrow().number());
            assertEquals(1.7, j.best(run).orElseThrow().parameters().get("x"), 0.0);
        }
    }
}
