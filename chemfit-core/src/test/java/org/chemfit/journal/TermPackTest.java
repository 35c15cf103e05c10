package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.TermRecorder;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.TermRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leaf terms of an evaluation that finish together are written as one row of
 * {@code term_packs}, and every reader sees them as before: the same records, ids, values and
 * quantities bit for bit, and a later evaluation of the same parameters (in the same attempt or
 * after a resume) replays them.
 */
class TermPackTest {

    private static final Quantities Q = Quantities.builder()
            .put("e", 0.1 + 0.2)
            .put("forces", new double[] {Double.NaN, -0.0, Double.MIN_VALUE, 1e300})
            .label("tag", "Ar\u2082")
            .build();

    @TempDir
    Path dir;

    private static Parameters params(int i) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("eps", 0.1 + 0.2 + i);
        m.put("sigma", -0.0);
        return Parameters.of(m);
    }

    /** One evaluation of four terms, the third of them failed, as the Fitter records it. */
    private static EvaluationContext evaluate(
            Journal.Session s, int number, Parameters p, List<TermRecorder.Recorded> found) {
        EvaluationContext ctx = new EvaluationContext(p, "e" + number);
        ctx.recordTo(s);
        s.evaluationsStarted(number, List.of(ctx));
        for (int t = 0; t < 4; t++) {
            EvaluationContext child = ctx.addChild("term" + t, 1.0);
            TermRecorder.Recorded r = s.lookup(child);
            if (r != null) {
                found.add(r);
                continue;
            }
            if (t == 2) {
                child.fail(new IllegalStateException("term 2 fails"));
            } else {
                child.computed(Q);
                child.complete(number + t / 3.0);
                child.put("n", t);
            }
            s.finished(child);
        }
        ctx.complete(number);
        s.evaluationFinished(number, ctx, number);
        return ctx;
    }

    /** @return rows of the terms table, rows of term_packs, terms in those packs */
    private static int[] rows(Path f) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM terms), (SELECT count(*) FROM term_packs),"
                        + " (SELECT coalesce(sum(last_id - first_id + 1), 0) FROM term_packs)")) {
            return new int[] {rs.getInt(1), rs.getInt(2), rs.getInt(3)};
        }
    }

    @Test
    void theTermsOfAnEvaluationAreOneRowAndReadBackAsTheirOwnRowsWould() throws Exception {
        Path f = dir.resolve("journal.sqlite");
        long run;
        try (JournalReader j = JournalReader.open(f);
                Journal.Session s = j.begin(Map.of("job", 1), JournalMode.resumeLatest())) {
            run = s.runId();
            for (int i = 0; i < 5; i++) {
                evaluate(s, i, params(i), new ArrayList<>());
            }
            s.end("FINISHED", "CONVERGED", 0.0, 5);
        }
        // the terms of one evaluation share a pack when they share a commit: all of them, unless the
        // writer's thread committed the first ones after its millisecond of waiting (a loaded machine
        // can split an evaluation's terms over two commits, so two packs, or a pack and a row)
        int[] rows = rows(f);
        assertEquals(20, rows[0] + rows[2], "every term once, " + rows[0] + " as rows and " + rows[2] + " in packs");
        assertTrue(rows[1] >= 1 && rows[2] >= 2 * rows[1], "packs " + rows[1] + ", terms in them " + rows[2]);
        try (JournalReader j = JournalReader.openReadOnly(f)) {
            List<TermRecord> terms = j.terms(run);
            assertEquals(20, terms.size());
            for (int k = 0; k < terms.size(); k++) {
                TermRecord t = terms.get(k);
                assertEquals(k + 1, t.id(), "ids follow one another");
                assertEquals(k / 4, t.evaluationNumber());
                assertEquals("term" + k % 4, t.name());
                if (k % 4 == 2) {
                    assertEquals(EvaluationRecord.State.FAILED, t.state());
                    assertEquals("term 2 fails", t.failure());
                    assertEquals(Quantities.empty(), t.quantities());
                    assertEquals(Double.doubleToRawLongBits(Double.NaN), Double.doubleToRawLongBits(t.value()));
                } else {
                    assertEquals(EvaluationRecord.State.COMPLETE, t.state());
                    assertEquals(
                            Double.doubleToRawLongBits(k / 4 + (k % 4) / 3.0), Double.doubleToRawLongBits(t.value()));
                    assertEquals(Q, t.quantities());
                    assertEquals("{\"n\":" + k % 4 + "}", t.metadataJson());
                }
                assertEquals(SqliteJournal.HOST, t.host());
                assertEquals(Thread.currentThread().getName(), t.worker());
                assertEquals(1, t.attempt());
                assertNotNull(t.started());
            }
            assertEquals(terms.subList(8, 12), j.terms(run, 2));
            assertEquals(terms.subList(6, 11), j.terms(run, 6, 5), "read after an id, inside a pack");
            assertEquals(terms.subList(19, 20), j.terms(run, 19, 5));
            // the evaluation's tree gets its terms' quantities back from the pack
            Map<?, ?> leaf =
                    (Map<?, ?>) ((List<?>) j.evaluations(run).get(3).tree().get("terms")).get(1);
            assertEquals(0.1 + 0.2, ((Map<?, ?>) leaf.get("quantities")).get("e"));
        }
    }

    @Test
    void aRepeatOfTheSameParametersInOneAttemptReplaysThePackedTerms() throws Exception {
        Path f = dir.resolve("journal.sqlite");
        try (JournalReader j = JournalReader.open(f);
                Journal.Session s = j.begin(Map.of("job", 2), JournalMode.resumeLatest())) {
            evaluate(s, 0, params(0), new ArrayList<>());
            evaluate(s, 1, params(1), new ArrayList<>());
            List<TermRecorder.Recorded> found = new ArrayList<>();
            evaluate(s, 2, params(0), found);
            assertEquals(3, found.size(), "the three complete terms replayed, the failed one run again");
            assertEquals(
                    Double.doubleToRawLongBits(1 / 3.0),
                    Double.doubleToRawLongBits(found.get(1).value()));
            assertEquals(Q, found.get(0).quantities());
            assertEquals(3, s.replayed());
            List<TermRecord> terms = j.terms(s.runId());
            assertEquals(9, terms.size(), "replayed terms are not written again");
            assertEquals(
                    List.of(1L, 2L, 3L, 4L),
                    terms.subList(0, 4).stream().map(TermRecord::id).toList(),
                    "the packed terms keep their ids");
        }
        int[] rows = rows(f);
        assertEquals(9, rows[0] + rows[2]);
        assertTrue(rows[2] >= 4, "evaluation 0 stays packed: the repeat read its terms from the pack: " + rows[2]);
    }

    @Test
    void aResumedRunFindsItsPackedTerms() throws Exception {
        Path f = dir.resolve("journal.sqlite");
        List<TermRecord> before;
        try (JournalReader j = JournalReader.open(f);
                Journal.Session s = j.begin(Map.of("job", 3), JournalMode.resumeLatest())) {
            for (int i = 0; i < 3; i++) {
                evaluate(s, i, params(i), new ArrayList<>());
            }
            before = j.terms(s.runId());
        }
        assertTrue(rows(f)[1] >= 1, "packed");
        try (JournalReader j = JournalReader.open(f);
                Journal.Session s = j.begin(Map.of("job", 3), JournalMode.resumeLatest())) {
            assertEquals(2, s.attempt());
            assertEquals(before, j.terms(s.runId()), "the same records, ids and all, after the resume began");
            EvaluationContext again = new EvaluationContext(params(1), "x");
            List<EvaluationContext> children = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                children.add(again.addChild("term" + t, 1.0));
            }
            s.evaluationsStarted(1, List.of(again));
            TermRecorder.Recorded r = s.lookup(children.get(3));
            assertNotNull(r);
            assertEquals(Double.doubleToRawLongBits(1 + 3 / 3.0), Double.doubleToRawLongBits(r.value()));
            assertEquals(Q, r.quantities());
            assertNull(s.lookup(children.get(2)), "a failed term runs again");
            assertEquals(1, s.replayed());
        }
        assertTrue(rows(f)[1] >= 1, "the packs stay packed: a resume reads them as they are");
    }

    @Test
    void aTermThatRanForAMillisecondOrMoreIsCommittedBeforeFinishedReturns() throws Exception {
        Path f = dir.resolve("journal.sqlite");
        try (JournalReader j = JournalReader.open(f);
                Journal.Session s = j.begin(Map.of("job", 4), JournalMode.resumeLatest())) {
            EvaluationContext ctx = new EvaluationContext(params(0), "e0");
            ctx.recordTo(s);
            s.evaluationsStarted(0, List.of(ctx));
            EvaluationContext slow = ctx.addChild("simulation", 1.0);
            slow.computed(Q);
            slow.complete(4.5);
            slow.timed(EvaluationContext.nowEpochNanos() - 2_000_000_000L, 2_000_000_000L, "worker-1");
            s.finished(slow);
            // read by another connection at once: no waiting for the writer's thread
            try (JournalReader reader = JournalReader.openReadOnly(f)) {
                List<TermRecord> terms = reader.terms(s.runId());
                assertEquals(1, terms.size());
                assertEquals(
                        Double.doubleToRawLongBits(4.5),
                        Double.doubleToRawLongBits(terms.get(0).value()));
                assertEquals(2.0, terms.get(0).seconds());
                assertEquals("worker-1", terms.get(0).worker());
            }
        }
    }

    /**
     * Runs one evaluation of four fast terms, each with quantities of its own.
     *
     * @return weak references to the terms' quantities: the caller keeps nothing else of it
     */
    private static List<java.lang.ref.WeakReference<Quantities>> evaluateFast(Journal.Session s) {
        EvaluationContext ctx = new EvaluationContext(params(0), "e0");
        ctx.recordTo(s);
        s.evaluationsStarted(0, List.of(ctx));
        List<java.lang.ref.WeakReference<Quantities>> refs = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            EvaluationContext child = ctx.addChild("term" + t, 1.0);
            Quantities q =
                    Quantities.builder().put("forces", new double[] {t, -t}).build();
            child.computed(q);
            child.complete(t + 0.5);
            child.timed(EvaluationContext.nowEpochNanos() - 1_000, 1_000, "main");
            s.finished(child);
            refs.add(new java.lang.ref.WeakReference<>(q));
        }
        ctx.complete(6.0);
        s.evaluationFinished(0, ctx, 6.0);
        return refs;
    }

    @Test
    @Timeout(60) // a path that waited for the held writer would hang instead of failing
    void anEvaluationsRecordWaitingForTheWriterKeepsNoTermAlive() throws Exception {
        Path f = dir.resolve("journal.sqlite");
        try (SqliteJournal j = SqliteJournal.open(f, Journal.Durability.PROCESS_CRASH)) {
            long run;
            List<java.lang.ref.WeakReference<Quantities>> refs;
            java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            // the journal's lock held elsewhere: the writer cannot commit, as when it is far behind
            Thread holder = new Thread(() -> {
                synchronized (j.lock) {
                    held.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            int cleared = 0;
            try (Journal.Session s = j.begin(Map.of("job", 1), JournalMode.resumeLatest())) {
                run = s.runId();
                holder.start();
                try {
                    assertTrue(held.await(10, java.util.concurrent.TimeUnit.SECONDS));
                    refs = evaluateFast(s);
                    for (int i = 0; i < 50 && cleared < refs.size(); i++) {
                        System.gc();
                        cleared =
                                (int) refs.stream().filter(r -> r.get() == null).count();
                        if (cleared < refs.size()) {
                            Thread.sleep(10);
                        }
                    }
                } finally {
                    release.countDown(); // before the session ends: its end waits for the writer
                    holder.join();
                }
                s.end("FINISHED", "CONVERGED", 6.0, 1);
            }
            // its record is in the pending file; the terms themselves are no longer needed
            assertEquals(refs.size(), cleared, "the terms' quantities collected while the record waited");
            List<TermRecord> terms = j.terms(run);
            assertEquals(4, terms.size());
            for (int t = 0; t < 4; t++) {
                assertEquals(
                        Double.doubleToRawLongBits(t + 0.5),
                        Double.doubleToRawLongBits(terms.get(t).value()));
                assertEquals(
                        List.of((double) t, (double) -t),
                        java.util.Arrays.stream((double[])
                                        terms.get(t).quantities().asMap().get("forces"))
                                .boxed()
                                .toList());
            }
        }
    }

    @Test
    void aBlobThatIsNotAPackIsRefusedWithWhereItWasFound() {
        JournalException e = assertThrows(
                JournalException.class,
                () -> TermPack.decode(new byte[] {'C', 'F', 'Q', 1, 0, 0, 0, 0}, 1, 7, 12, 1, "k"));
        assertEquals(
                "a term pack of evaluation 12 of run 7 does not start with the mark \"CFT\" and version 1",
                e.getMessage());
    }
}
