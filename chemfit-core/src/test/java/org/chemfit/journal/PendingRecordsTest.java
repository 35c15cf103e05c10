package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.ObjectiveFunction;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.TermRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An evaluation of fast terms is durable in the pending file before the database holds it. What
 * a killed fit leaves there is copied into the journal by the next reader or fit, once, and a
 * record cut short by the kill is left out. The state right after such a kill is made here by
 * taking the last evaluations of a finished fit out of the database and putting their records
 * into the pending file, as the fit had written them.
 */
class PendingRecordsTest {

    @TempDir
    Path dir;

    private static CombinedObjectiveFunction objective() {
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            double c = 0.1 * i;
            terms.add(p -> Math.pow(p.get("x") - c, 2) + Math.pow(p.get("y") - 1, 2));
        }
        return new CombinedObjectiveFunction(terms);
    }

    private FitResult fit(Path out) {
        try (JournalReader j = JournalReader.open(out)) {
            return new Fitter(objective(), Map.of("x", 0.3, "y", 1.1))
                    .maxEvaluations(30)
                    .journal(j)
                    .fit("Nelder-Mead");
        }
    }

    /** Moves the records of the last evaluations out of the database into the pending file. */
    static int unCommit(Path file, int last) throws Exception {
        int moved = 0;
        List<EvaluationRecord> all;
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            all = j.evaluations(1); // read before: a reader copies pending records in
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            int n;
            try (ResultSet rs = c.createStatement().executeQuery("SELECT max(number) FROM evaluations")) {
                n = rs.getInt(1);
            }
            for (int number = n - last + 1; number <= n; number++) {
                EvaluationRecord e;
                byte[] blob;
                int terms;
                try (PreparedStatement p = c.prepareStatement("SELECT terms_blob, last_id - first_id + 1"
                        + " FROM term_packs WHERE evaluation_number = ? AND substr(terms_blob, 1, 3) = X'434645'")) {
                    p.setInt(1, number);
                    try (ResultSet rs = p.executeQuery()) {
                        assertTrue(rs.next(), "evaluation " + number + " has its record");
                        blob = rs.getBytes(1);
                        terms = rs.getInt(2);
                    }
                }
                e = all.get(number);
                JournalQueries.EvaluationRow row;
                try (PreparedStatement p = c.prepareStatement("SELECT evaluation_id, parameters_json, parameter_key,"
                        + " told_loss, degraded FROM evaluations WHERE number = ?")) {
                    p.setInt(1, number);
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        row = new JournalQueries.EvaluationRow(
                                1,
                                number,
                                rs.getString(1),
                                false,
                                rs.getString(2),
                                rs.getString(3),
                                e.loss(),
                                rs.getDouble(4),
                                "terms",
                                null,
                                null,
                                e.started().toEpochMilli() * 1_000_000L,
                                e.ended().toEpochMilli() * 1_000_000L,
                                1,
                                null,
                                JournalQueries.TREE_IN_RECORD,
                                rs.getInt(5) == 1);
                    }
                }
                Files.write(
                        PendingLog.beside(file),
                        frame(new SqliteSession.Fold(row, blob, terms).encode()),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                // only the record leaves: terms that the writer committed while the evaluation ran
                // (a pack of its own) were in the database before the kill
                try (PreparedStatement p = c.prepareStatement("DELETE FROM evaluations WHERE number = ?");
                        PreparedStatement q = c.prepareStatement("DELETE FROM term_packs WHERE evaluation_number = ?"
                                + " AND substr(terms_blob, 1, 3) = X'434645'")) {
                    p.setInt(1, number);
                    p.executeUpdate();
                    q.setInt(1, number);
                    q.executeUpdate();
                }
                moved++;
            }
        }
        return moved;
    }

    /**
     * @return a record framed as the pending file's first layout holds it (frames from its start,
     *     no half headers), which a reader still reads
     */
    private static byte[] frame(byte[] record) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(record);
        return java.nio.ByteBuffer.allocate(PendingLog.FRAME + record.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt(record.length)
                .putInt((int) c.getValue())
                .put(record)
                .array();
    }

    /**
     * @return the run's evaluations in number order, then its terms by evaluation and path: the
     *     order of the terms' ids is left out, since the writer commits an evaluation's record with
     *     the evaluation's write that is still queued, so that records can reach the database in
     *     another order than the one they have in the pending file, which a copy after a kill follows
     */
    private static List<String> snapshot(Path file) {
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            List<String> out = new ArrayList<>();
            for (EvaluationRecord e : j.evaluations(1)) {
                out.add(e.number() + " " + e.state() + " " + Double.doubleToRawLongBits(e.loss()) + " " + e.treeJson());
            }
            List<TermRecord> terms = new ArrayList<>(j.terms(1));
            terms.sort(java.util.Comparator.comparingInt(TermRecord::evaluationNumber)
                    .thenComparing(TermRecord::path));
            for (TermRecord t : terms) {
                out.add(t.evaluationNumber() + "/" + t.path() + " " + Double.doubleToRawLongBits(t.value()) + " "
                        + t.quantities());
            }
            return out;
        }
    }

    @Test
    void aReaderCopiesWhatAStoppedFitLeftPendingOnceAndLeavesOutARecordCutShort() throws Exception {
        fit(dir);
        Path file = dir.resolve(Journal.DEFAULT_FILE_NAME);
        assertFalse(Files.exists(PendingLog.beside(file)), "a fit that ended removes its pending file");
        List<String> before = snapshot(file);
        int evaluations;
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            evaluations = j.evaluations(1).size();
        }
        assertEquals(3, unCommit(file, 3));
        // a fourth record, cut short by the kill: only its first bytes reached the file
        byte[] whole = Files.readAllBytes(PendingLog.beside(file));
        Files.write(PendingLog.beside(file), java.util.Arrays.copyOf(whole, 40), StandardOpenOption.APPEND);
        List<byte[]> read = PendingLog.read(PendingLog.beside(file));
        assertEquals(3, read.size(), "the whole records, not the torn one");

        assertEquals(before, snapshot(file), "the reader sees every evaluation the fit finished, as it was");
        assertFalse(Files.exists(PendingLog.beside(file)), "copied, then removed");
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            assertEquals(evaluations, j.evaluations(1).size());
            assertEquals(List.of("ok"), j.integrityCheck());
        }
    }

    @Test
    void aResumedFitCopiesThemBeforeItReplaysAndGetsTheSameResult() throws Exception {
        FitResult first = fit(dir);
        Path file = dir.resolve(Journal.DEFAULT_FILE_NAME);
        List<String> before = snapshot(file);
        unCommit(file, 2);
        // the records that were also committed before the kill are not copied twice
        FitResult again = fit(dir);
        assertEquals(Double.doubleToRawLongBits(first.bestLoss()), Double.doubleToRawLongBits(again.bestLoss()));
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            assertEquals(2, j.latestRun().orElseThrow().attempts());
            assertEquals(
                    first.evaluations(),
                    j.evaluations(1).stream()
                            .filter(e -> e.state() == EvaluationRecord.State.COMPLETE)
                            .count());
            assertEquals(before.size(), snapshot(file).size(), "every term once");
        }
    }

    /**
     * A journal opened for writing (the resumed fit's, before it reads its counts) copies what a
     * stopped fit left pending first: its evaluations count as complete, not as running or cut off.
     */
    @Test
    void aJournalOpenedForWritingCopiesThemBeforeAnythingReadsIt() throws Exception {
        fit(dir);
        Path file = dir.resolve(Journal.DEFAULT_FILE_NAME);
        List<String> before = snapshot(file);
        java.util.Map<EvaluationRecord.State, Integer> counts;
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            counts = j.evaluationCounts(1);
        }
        assertEquals(3, unCommit(file, 3));

        try (SqliteJournal j = SqliteJournal.open(dir, Journal.Durability.PROCESS_CRASH)) {
            assertEquals(counts, j.evaluationCounts(1), "every evaluation the fit finished, before a session begins");
        }
        assertFalse(Files.exists(PendingLog.beside(file)), "copied, then removed");
        assertEquals(before, snapshot(file));
    }
}
