package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.TermRecorder;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite journal itself: exact values, damaged files, readers beside a writer, torn writes. */
class SqliteJournalTest {

    @TempDir
    Path dir;

    private static Parameters params(int i) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lj.eps", 0.1 + 0.2 + i);
        m.put("lj.sigma", Double.MIN_VALUE * (i + 1));
        m.put("q", -0.0);
        m.put("big", 1.7976931348623157e308 / (i + 1));
        m.put("pi", Math.PI / 3);
        return Parameters.of(m);
    }

    /** Writes n evaluations of one term each through a session, as the Fitter does. */
    private static void write(Journal.Session s, int from, int to) {
        for (int i = from; i < to; i++) {
            EvaluationContext ctx = new EvaluationContext(params(i), "e" + i);
            ctx.recordTo(s);
            s.evaluationsStarted(i, List.of(ctx));
            EvaluationContext child = ctx.addChild("dimer", 1.0);
            assertNull(s.lookup(child));
            child.computed(Quantities.of("energy", i * 0.1));
            child.complete(i * 0.01);
            child.put("run_directory", "/runs/e" + i);
            s.finished(child);
            ctx.complete(i * 0.01);
            s.evaluationFinished(i, ctx, i * 0.01);
        }
    }

    private static String sha(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    @Test
    void parametersValuesAndQuantitiesComeBackBitForBit() {
        Quantities q = Quantities.builder()
                .put("nan", Double.NaN)
                .put("inf", Double.NEGATIVE_INFINITY)
                .put("negzero", -0.0)
                .put("tiny", Double.MIN_VALUE)
                .put("arr", new double[] {0.1 + 0.2, Double.NaN, Double.POSITIVE_INFINITY, -0.0})
                .label("label", "NaN")
                .label("other", "{\"$double\":\"NaN\"}")
                .build();
        try (JournalReader j = JournalReader.open(dir);
                Journal.Session s = j.begin(Map.of("job", "exact"), JournalMode.resumeLatest())) {
            double[] values = {Double.NaN, Double.POSITIVE_INFINITY, -0.0, 0.1 + 0.2, Double.MIN_VALUE};
            for (int k = 0; k < values.length; k++) {
                double value = values[k];
                Parameters p = params(7).with("pi", k + 0.5);
                EvaluationContext ctx = new EvaluationContext(p, "e1");
                EvaluationContext child = ctx.addChild("t", 2.0).addChild("inner", 1.0);
                assertNull(s.lookup(child));
                child.computed(q);
                child.complete(value);
                child.put("n", 3);
                s.finished(child);
                EvaluationContext again =
                        new EvaluationContext(p, "e2").addChild("t", 2.0).addChild("inner", 1.0);
                TermRecorder.Recorded r = s.lookup(again);
                assertNotNull(r, "found by term path 0.0, name and exact parameters");
                assertEquals(Double.doubleToRawLongBits(value), Double.doubleToRawLongBits(r.value()));
                assertEquals(q, r.quantities());
                assertEquals(3, ((Number) r.metadata().get("n")).intValue());
                assertNull(
                        s.lookup(new EvaluationContext(p.with("q", 0.0), "e3")
                                .addChild("t", 2.0)
                                .addChild("inner", 1.0)),
                        "-0.0 and 0.0 are different parameters");
                assertNull(
                        s.lookup(new EvaluationContext(p, "e4")
                                .addChild("t", 2.0)
                                .addChild("other", 1.0)),
                        "another term name");
            }
            write(s, 0, 3);
            List<EvaluationRecord> evs = j.evaluations(s.runId());
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(params(i).toArray(), evs.get(i).parameters().toArray());
                assertEquals(params(i).names(), evs.get(i).parameters().names());
            }
        }
    }

    @Test
    void aFileThatIsNotSqliteIsRefusedAndLeftUntouched() throws Exception {
        Path f = dir.resolve("journal.sqlite");
        byte[] binary = new byte[300];
        new java.util.Random(7).nextBytes(binary);
        binary[0] = 0x01; // not text: a control character first
        Files.write(f, binary);
        String before = sha(f);
        JournalCorruptException e = assertThrows(JournalCorruptException.class, () -> JournalReader.open(f));
        assertTrue(
                e.getMessage()
                        .startsWith("journal " + f + " is damaged: the file does not start with the SQLite header"),
                e.getMessage());
        assertTrue(
                e.getMessage().contains(java.util.HexFormat.ofDelimiter(" ").formatHex(binary, 0, 16)),
                "shows the first bytes: " + e.getMessage());
        assertTrue(e.getMessage().contains("left untouched"), e.getMessage());
        assertEquals(before, sha(f));
        assertEquals(List.of(f.getFileName().toString()), list(dir));
    }

    /** A text file given as a journal (a mistyped path) is not called a damaged journal. */
    @Test
    void aTextFileIsRefusedAsNotAJournalAndLeftUntouched() throws Exception {
        Path f = dir.resolve("results.json");
        Files.writeString(f, "{\n  \"status\": \"done\", \"évaluations\": 96\n}\n" + "x".repeat(300));
        String before = sha(f);
        JournalException e = assertThrows(JournalException.class, () -> JournalReader.open(f));
        assertEquals(
                "file " + f + " is not a ChemFit journal: it is a text file, not an SQLite database (it begins '{');"
                        + " a fit's journal is the file journal.sqlite in its output folder",
                e.getMessage());
        assertFalse(e instanceof JournalCorruptException, e.toString());
        assertEquals(before, sha(f));
        assertEquals(List.of(f.getFileName().toString()), list(dir));
    }

    private static List<String> list(Path d) throws IOException {
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aDamagedPageIsDetectedWithWhatCanStillBeRead() throws Exception {
        Path f = dir.resolve("journal.sqlite");
        try (JournalReader j = JournalReader.open(f);
                Journal.Session s = j.begin(Map.of("job", 1), JournalMode.resumeLatest())) {
            write(s, 0, 300);
        }
        assertEquals(List.of("journal.sqlite", "journal.sqlite.lock"), list(dir), "the WAL was checkpointed at close");
        long size = Files.size(f);
        int pageSize = 4096;
        long page = size / pageSize * 6 / 10;
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(page * pageSize);
            byte[] junk = new byte[pageSize];
            java.util.Arrays.fill(junk, (byte) 0x5A);
            raf.write(junk);
        }
        String before = sha(f);
        JournalCorruptException e = assertThrows(JournalCorruptException.class, () -> JournalReader.open(f));
        assertTrue(e.getMessage().startsWith("journal " + f + " is damaged: "), e.getMessage());
        assertTrue(
                !e.problems().isEmpty() && !e.problems().get(0).equals("ok"),
                e.problems().toString());
        assertEquals(
                JournalSchema.TABLES.size(),
                e.recoverable().size(),
                e.recoverable().toString());
        assertEquals("runs: 1 rows", e.recoverable().get(0));
        assertEquals(before, sha(f), "the damaged file is not modified");
        // the salvage the message suggests works as printed, with this machine's sqlite3
        String lead = "To salvage what is readable into a new file that sqlite3 and pandas read (chemfit does not:"
                + " rows of it may be lost that others name): ";
        String msg = e.getMessage();
        assertTrue(msg.contains(lead), msg);
        String salvage = msg.substring(msg.indexOf(lead) + lead.length(), msg.indexOf(" ; or start the fit again"));
        org.chemfit.testfixtures.MachineRequirement.require(
                new ProcessBuilder("sh", "-c", "command -v sqlite3").start().waitFor() == 0,
                "the sqlite3 command is not on PATH; install it with 'apt-get install -y sqlite3'");
        Process p = new ProcessBuilder("sh", "-c", salvage)
                .redirectErrorStream(true)
                .start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), said);
        assertEquals(before, sha(f), "salvaging reads the damaged file only");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("journal.sqlite.recovered"));
                Statement st = c.createStatement()) {
            var runs = st.executeQuery("SELECT count(*) FROM runs");
            assertEquals(1, runs.getInt(1), "the run's row is salvaged");
            var evaluations = st.executeQuery("SELECT count(*) FROM evaluations");
            int n = evaluations.getInt(1);
            assertTrue(n > 0 && n <= 300, "evaluations salvaged: " + n + " of 300");
        }
        // chemfit knows a salvaged file, whose rows may have lost others they name, and reads none of it
        JournalException refused = assertThrows(
                JournalException.class,
                () -> JournalReader.openReadOnly(dir.resolve("journal.sqlite.recovered"))
                        .close());
        assertEquals(
                "file " + dir.resolve("journal.sqlite.recovered") + " holds a journal's tables without a journal's"
                        + " marks: a journal salvaged with sqlite3's .dump (or copied table by table), which sqlite3"
                        + " and pandas read and chemfit does not, as rows of it may be lost that others name; start"
                        + " the fit again in a new output folder, or after moving this file away",
                refused.getMessage());
        assertThrows(JournalCorruptException.class, () -> JournalReader.openReadOnly(f));
        assertEquals(before, sha(f));
    }

    /**
     * A resumed fit that asks, at a number the run recorded, for other parameters although no
     * recorded evaluation ran again with another loss has no cause the journal knows of: it says
     * so for each such number, naming the objective or the optimizer.
     */
    @Test
    void aResumeThatAsksForOtherParametersWithNoTermRunAgainIsSaidToDiverge() throws Exception {
        try (JournalReader j = JournalReader.open(dir);
                Journal.Session s = j.begin(Map.of("job", 1), JournalMode.resumeLatest())) {
            write(s, 0, 4);
        }
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        try (JournalReader j = JournalReader.open(dir);
                Journal.Session s = j.begin(Map.of("job", 1), JournalMode.resumeLatest())) {
            assertTrue(s.resumed());
            for (int i = 2; i < 4; i++) {
                EvaluationContext ctx = new EvaluationContext(params(100 + i), "e" + i);
                ctx.recordTo(s);
                s.evaluationsStarted(i, List.of(ctx));
                ctx.complete(1.0);
                s.evaluationFinished(i, ctx, 1.0);
            }
        } finally {
            System.setErr(err);
        }
        String said = captured.toString(StandardCharsets.UTF_8);
        for (int i = 2; i < 4; i++) {
            assertTrue(
                    said.contains("run 1 evaluation " + i + " was recorded with other parameters; the resumed fit"
                            + " diverged from the recorded one (is the objective or the optimizer not deterministic?)"),
                    said);
        }
        assertFalse(said.contains("another path"), said);
        try (JournalReader j = JournalReader.openReadOnly(dir)) {
            assertEquals(Map.of(2, 2), j.divergedAttempts(1), "the first number asked for with other parameters");
            assertEquals(
                    List.of(1, 1, 2, 2),
                    j.evaluations(1).stream().map(EvaluationRecord::attempt).toList());
        }
    }

    /**
     * A journal that lost its run's row but kept the run's attempts (changed by hand): starting a run there
     * breaks a key, which is said as the tables disagreeing, with what to do, not in SQLite's words alone.
     */
    @Test
    void aJournalWhoseTablesDisagreeIsNotWrittenTo() throws Exception {
        Path f = dir.resolve("edited.sqlite");
        try (JournalReader j = JournalReader.open(f);
                Journal.Session s = j.begin(Map.of("job", 1), JournalMode.resumeLatest())) {
            write(s, 0, 3);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f);
                Statement st = c.createStatement()) {
            st.execute("DELETE FROM runs");
        }
        JournalException e = assertThrows(JournalException.class, () -> {
            try (JournalReader j = JournalReader.open(f);
                    Journal.Session s = j.begin(Map.of("job", 1), JournalMode.resumeLatest())) {
                write(s, 0, 1);
            }
        });
        String m = String.valueOf(e.getMessage());
        assertTrue(
                m.startsWith("journal " + f + ": cannot start a run: a row it writes is there already, so its tables"
                        + " disagree with what it wrote (SQLite said: "),
                m);
        assertTrue(
                m.endsWith("); was the file changed by hand? Start the fit again in a new output folder, or after"
                        + " moving this file away"),
                m);
    }

    @Test
    void aTruncatedCopyIsDetected() throws Exception {
        Path f = dir.resolve("a.sqlite");
        try (JournalReader j = JournalReader.open(f);
                Journal.Session s = j.begin(Map.of("job", 1), JournalMode.resumeLatest())) {
            write(s, 0, 100);
        }
        Path cut = dir.resolve("cut.sqlite");
        byte[] all = Files.readAllBytes(f);
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2 + 100));
        JournalCorruptException e = assertThrows(JournalCorruptException.class, () -> JournalReader.open(cut));
        assertTrue(e.getMessage().contains("bytes long but its header says"), e.getMessage());
        assertTrue(e.getMessage().contains("it was cut short"), e.getMessage());
        assertTrue(
                e.getMessage()
                        .contains("Still readable: not known: SQLite is not asked to open a file whose header is wrong"
                                + " (sqlite3's .dump, below, may still read a part of it)"),
                e.getMessage());
    }

    @Test
    void anotherApplicationsDatabaseIsRefused() throws Exception {
        Path f = dir.resolve("other.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x)");
        }
        String before = sha(f);
        JournalException e = assertThrows(JournalException.class, () -> JournalReader.open(f));
        assertEquals(
                "file " + f + " is an SQLite database of another application (application_id 0, a ChemFit journal has "
                        + JournalSchema.APPLICATION_ID + "); it was left untouched",
                e.getMessage());
        assertEquals(before, sha(f));
    }

    @Test
    void aTornLastCommitIsRolledBackAndEverythingBeforeItKept() throws Exception {
        Path f = dir.resolve("journal.sqlite");
        Path copy = dir.resolve("copy");
        Files.createDirectories(copy);
        try (JournalReader j = JournalReader.open(f);
                Journal.Session s = j.begin(Map.of("job", 1), JournalMode.resumeLatest())) {
            write(s, 0, 30);
            // a snapshot of the files as a kill would leave them, with the WAL not yet checkpointed
            Files.copy(f, copy.resolve("journal.sqlite"));
            byte[] wal = Files.readAllBytes(dir.resolve("journal.sqlite-wal"));
            assertTrue(wal.length > 4096 * 30, "the commits are in the WAL: " + wal.length);
            // the last frame is torn: its last 100 bytes never reached the file
            Files.write(copy.resolve("journal.sqlite-wal"), java.util.Arrays.copyOf(wal, wal.length - 100));
        }
        try (JournalReader j = JournalReader.open(copy)) {
            assertEquals(List.of("ok"), j.integrityCheck());
            List<EvaluationRecord> evs = j.evaluations(1);
            // the torn commit held evaluation 29's record (with its term, and its start when the writer
            // grouped them): it is rolled back whole, and every evaluation before it is kept whole
            assertTrue(evs.size() == 29 || evs.size() == 30, "evaluations kept: " + evs.size());
            for (int i = 0; i < 29; i++) {
                assertEquals(EvaluationRecord.State.COMPLETE, evs.get(i).state(), "evaluation " + i);
                assertEquals(1, j.terms(1, i).size(), "terms of evaluation " + i);
            }
            if (evs.size() == 30) {
                assertEquals(
                        EvaluationRecord.State.RUNNING,
                        evs.get(29).state(),
                        "the torn commit of evaluation 29 is rolled back");
            }
            assertTrue(j.terms(1, 29).size() <= 1);
        }
    }

    @Test
    void aReaderSeesCommittedEvaluationsWhileTheWriterRuns() throws Exception {
        Path f = dir.resolve("journal.sqlite");
        CountDownLatch firstWritten = new CountDownLatch(1);
        CountDownLatch readerDone = new CountDownLatch(1);
        // the reader asks for one more evaluation after each read, and the writer says when it is
        // committed: the two interleave however fast either runs
        java.util.concurrent.Semaphore readerAsks = new java.util.concurrent.Semaphore(0);
        java.util.concurrent.Semaphore writerWrote = new java.util.concurrent.Semaphore(0);
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        try (JournalReader j = JournalReader.open(f)) {
            Thread writer = new Thread(() -> {
                try (Journal.Session s = j.begin(Map.of("job", 1), JournalMode.resumeLatest())) {
                    write(s, 0, 10);
                    firstWritten.countDown();
                    int i = 10;
                    while (readerDone.getCount() > 0) {
                        if (readerAsks.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                            write(s, i, i + 1);
                            i++;
                            writerWrote.release();
                        }
                    }
                } catch (Throwable t) {
                    writerFailure.set(t);
                    firstWritten.countDown();
                }
            });
            writer.start();
            assertTrue(firstWritten.await(30, TimeUnit.SECONDS));
            List<Integer> seen = new ArrayList<>();
            try (JournalReader r = JournalReader.openReadOnly(dir)) {
                for (int k = 0; k < 20; k++) {
                    List<EvaluationRecord> evs = r.evaluations(1);
                    seen.add((int) evs.stream()
                            .filter(e -> e.state() == EvaluationRecord.State.COMPLETE)
                            .count());
                    assertEquals("RUNNING", r.latestRun().orElseThrow().status());
                    readerAsks.release();
                    assertTrue(writerWrote.tryAcquire(30, TimeUnit.SECONDS), "the writer wrote evaluation " + (10 + k));
                }
                JournalException e =
                        assertThrows(JournalException.class, () -> r.begin(Map.of(), JournalMode.restart()));
                assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            } finally {
                readerDone.countDown();
            }
            writer.join(30_000);
            assertNull(writerFailure.get());
            assertTrue(seen.get(0) >= 10, seen.toString());
            for (int k = 1; k < seen.size(); k++) {
                assertTrue(seen.get(k) >= seen.get(k - 1), "the count never goes back: " + seen);
            }
            assertTrue(seen.get(seen.size() - 1) > seen.get(0), "the reader saw new commits: " + seen);
        }
    }

    /**
     * A folder or a named pipe where the journal file belongs is refused by the fit's open and by a
     * reader alike, in words, without opening it: a pipe's open would wait for a writer forever.
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFolderOrANamedPipeAtTheJournalsPathIsRefusedWithoutOpeningIt() throws Exception {
        Path folder = dir.resolve("a");
        Path asFolder = Files.createDirectories(folder.resolve("journal.sqlite"));
        Path b = Files.createDirectories(dir.resolve("b"));
        Path pipe = b.resolve("journal.sqlite");
        Process mk = new ProcessBuilder("mkfifo", pipe.toString()).start();
        assertEquals(0, mk.waitFor());
        String notAFile =
                "cannot read journal " + asFolder + ": it is a folder, not a file; a journal is an SQLite file";
        String notRegular = "cannot read journal " + pipe + ": it is not a regular file (a named pipe, a socket or a"
                + " device); a journal is an SQLite file";
        assertEquals(
                notAFile,
                assertThrows(JournalException.class, () -> JournalReader.open(folder))
                        .getMessage());
        assertEquals(
                notAFile,
                assertThrows(JournalException.class, () -> JournalReader.openReadOnly(folder))
                        .getMessage());
        assertEquals(
                notRegular,
                assertThrows(JournalException.class, () -> JournalReader.open(b))
                        .getMessage());
        assertEquals(
                notRegular,
                assertThrows(JournalException.class, () -> JournalReader.openReadOnly(b))
                        .getMessage());
        assertEquals(
                notRegular,
                assertThrows(JournalException.class, () -> JournalReader.open(pipe))
                        .getMessage());
        assertTrue(Files.isDirectory(asFolder));
        assertEquals(List.of("journal.sqlite"), list(b));
    }

    @Test
    void aMissingJournalIsNotCreatedByAReader() {
        JournalException e = assertThrows(JournalException.class, () -> JournalReader.openReadOnly(dir));
        assertEquals(
                "there is no journal at " + dir.resolve("journal.sqlite") + " (the folder holds no journal.sqlite)",
                e.getMessage());
        assertTrue(Files.notExists(dir.resolve("journal.sqlite")));
    }

    @Test
    void theFileIsPlainSqliteThatOtherToolsRead() throws Exception {
        Path f = dir.resolve("journal.sqlite");
        try (JournalReader j = JournalReader.open(f);
                Journal.Session s = j.begin(Map.of("job", 1), JournalMode.resumeLatest())) {
            write(s, 0, 5);
            s.end("FINISHED", "CONVERGED", 0.0, 5);
        }
        Process p = new ProcessBuilder(
                        "sqlite3",
                        f.toString(),
                        "select number, state, loss, json_extract(parameters_json, '$.\"lj.eps\"') from evaluations order by number;"
                                + " pragma journal_mode;")
                .redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(
                "0|COMPLETE|0.0|0.3\n1|COMPLETE|0.01|1.3\n2|COMPLETE|0.02|2.3\n3|COMPLETE|0.03|3.3\n4|COMPLETE|0.04|4.3\nwal\n",
                out);
    }

    @Test
    void aFolderStillToBeMadeHoldsTheJournal() {
        try (JournalReader j = JournalReader.open(dir.resolve("results"))) {
            assertEquals(dir.resolve("results").resolve("journal.sqlite"), j.path());
        }
        try (JournalReader j = JournalReader.open(dir.resolve("results"))) {
            assertEquals(dir.resolve("results").resolve("journal.sqlite"), j.path(), "an existing folder");
        }
        try (JournalReader j = JournalReader.open(dir.resolve("other.db"))) {
            assertEquals(dir.resolve("other.db"), j.path(), "a name with a dot is the file itself");
        }
    }

    /**
     * A statement that finds the database full makes SQLite roll its transaction back itself; the
     * rollback and the return to autocommit then fail with "no transaction is active", which must
     * not stand in for the cause: the journal's failure says the room ran out. SQLite's
     * {@code max_page_count} stands in for a full disk.
     */
    @Test
    void aTransactionThatFindsTheDatabaseFullFailsWithThatNotWithTheRollbacksWords() throws Exception {
        try (SqliteJournal j = SqliteJournal.open(dir, Journal.Durability.PROCESS_CRASH)) {
            synchronized (j.lock) {
                try (Statement s = j.conn.createStatement()) {
                    s.execute("CREATE TABLE filler(b BLOB)");
                    s.execute("PRAGMA max_page_count = " + pageCount(j.conn));
                }
                java.sql.SQLException e = assertThrows(
                        java.sql.SQLException.class,
                        () -> j.inTransaction(() -> {
                            try (Statement s = j.conn.createStatement()) {
                                s.execute("INSERT INTO filler VALUES (zeroblob(1000000))");
                            }
                            return null;
                        }));
                assertEquals(13, e.getErrorCode(), e.getMessage()); // SQLITE_FULL
                assertTrue(j.conn.getAutoCommit(), "back to autocommit");
                JournalException said = j.failure("record 3 finished results", e);
                assertTrue(said.getMessage().contains("cannot record 3 finished results"), said.getMessage());
                assertTrue(said.getMessage().contains("full"), said.getMessage());
                assertFalse(said.getMessage().contains("no transaction is active"), said.getMessage());
            }
        }
    }

    private static long pageCount(Connection c) throws java.sql.SQLException {
        try (Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("PRAGMA page_count")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
