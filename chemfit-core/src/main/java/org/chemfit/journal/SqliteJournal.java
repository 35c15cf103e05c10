package org.chemfit.journal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.chemfit.EvaluationContext;
import org.chemfit.Quantities;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.RunRecord;
import org.chemfit.journal.read.TermRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal as an SQLite database in WAL mode: a plain file that {@code sqlite3} and pandas
 * read, also while a fit writes it. Tables: {@code runs} (job hash, settings JSON, start, end,
 * status, software version), {@code attempts} (one row per start or resume of a run),
 * {@code evaluations} (one row per evaluation number of a run: parameters, state, loss, metadata
 * tree, timings, host), {@code terms} (one row per leaf term run: path, name, state, value,
 * quantities, metadata, run directory, host, worker) and {@code term_packs} (the leaf terms of an
 * evaluation that shared a commit, as one row; read as if they were rows of {@code terms}).
 * Doubles that must come back exactly are stored twice: as REAL for people and as their raw bits
 * for replay.
 *
 * <pre>{@code
 * try (Journal j = SqliteJournal.open(Path.of("out"), Journal.Durability.PROCESS_CRASH)) {
 *     j.runs().forEach(System.out::println);
 * }
 * // sqlite3 out/journal.sqlite "select number, state, loss from evaluations where run_id = 1"
 * }</pre>
 *
 * <p>Opening checks the file before anything is written to it: the SQLite header, that it is a
 * ChemFit journal (its {@code application_id}), and SQLite's {@code quick_check}. A damaged file
 * is reported with what can still be read and is never modified. A commit cut short by a kill
 * is rolled back by SQLite at the next open (WAL frames carry checksums); everything committed
 * before it stays.
 *
 * <p>The parts: {@code JournalFile} (the file and its checks), {@code JournalLock} (one writer at a
 * time), {@code JournalSchema} (the tables, their version and the migrations), {@code JournalQueries}
 * (the SQL) and {@code SqliteSession} (what one attempt of a fit records and replays).
 *
 * @implNote Thread-safe: one JDBC connection, used under a lock. One process writes at a time
 *     (a lock file beside the database, {@code journal.sqlite.lock}, held while a session is
 *     open, or from a {@link #check} to {@link #close}; the operating system releases it when the
 *     process dies); readers never wait for it.
 */
final class SqliteJournal implements JournalReader {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteJournal.class);

    static final String HOST = org.chemfit.support.HostName.get();
    static final String VERSION = softwareVersion();

    private final Path file;
    private final boolean readOnly;
    /** Whether every commit is synced to the disk ({@link Durability#POWER_LOSS}). */
    final boolean syncs;

    final Connection conn;
    final Object lock = new Object();
    final JournalQueries queries;
    private @Nullable SqliteSession session;
    /** Read by each session at its start ({@link #termsOfImprovingEvaluationsOnly()}). */
    volatile boolean improvingTermsOnly;

    private boolean closed;

    /**
     * The writer's lock that {@link #check} took when no other fit held it, kept until {@link
     * #close}; a session begun meanwhile writes under it. Guarded by {@link #lock}.
     */
    private @Nullable JournalLock reserved;

    private SqliteJournal(Path file, boolean readOnly, Connection conn, int schema, boolean syncs) {
        this.file = file;
        this.readOnly = readOnly;
        this.syncs = syncs;
        this.conn = conn;
        this.queries = new JournalQueries(conn, schema);
    }

    /**
     * Opens a journal for writing and reading, creating it when missing.
     *
     * @param path the journal file, or a directory not itself named {@value Journal#DEFAULT_FILE_NAME} (the file is then {@value Journal#DEFAULT_FILE_NAME} in it)
     * @param durability how hard each commit tries to reach the disk
     * @return the journal
     * @throws JournalCorruptException when the file is damaged (it is left untouched)
     * @throws JournalException when the file is not a ChemFit journal or cannot be opened
     */
    public static SqliteJournal open(Path path, Durability durability) {
        Objects.requireNonNull(durability, "durability");
        Path f = JournalFile.resolve(path);
        JournalFile.createFolder(f);
        // before anything reads it: a resumed fit's counts and checks see every evaluation the
        // stopped fit finished, not those its writer had committed alone
        copyPendingOfStoppedFit(f);
        Connection c = JournalFile.connect(f, false);
        try {
            int version = JournalSchema.identify(c, f, true);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode = WAL");
                s.execute("PRAGMA synchronous = " + (durability == Durability.POWER_LOSS ? "FULL" : "NORMAL"));
            }
            JournalSchema.prepare(c, f, version);
        } catch (SQLException e) {
            closeQuietly(f, c);
            throw new JournalException("cannot set up journal " + f + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(f, c);
            throw e;
        }
        return new SqliteJournal(f, false, c, JournalSchema.VERSION, durability == Durability.POWER_LOSS);
    }

    /**
     * Opens an existing journal for reading only; works while another process writes it.
     *
     * @param path the journal file, or a directory holding {@value Journal#DEFAULT_FILE_NAME}
     * @return the journal
     * @throws JournalCorruptException when the file is damaged
     * @throws JournalException when there is no journal there
     */
    public static SqliteJournal openReadOnly(Path path) {
        Path f = JournalFile.resolve(path);
        JournalFile.refuseOtherKinds(f);
        if (!Files.isRegularFile(f)) {
            throw new JournalException("there is no journal at " + f
                    + (Files.isDirectory(path) ? " (the folder holds no " + DEFAULT_FILE_NAME + ")" : ""));
        }
        boolean pendingLeft = copyPendingOfStoppedFit(f);
        Connection c = JournalFile.connect(f, true);
        int version;
        try {
            version = JournalSchema.identify(c, f, false);
        } catch (SQLException e) {
            closeQuietly(f, c);
            throw new JournalException("cannot read journal " + f + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(f, c);
            throw e;
        }
        SqliteJournal j = new SqliteJournal(f, true, c, version, false);
        if (pendingLeft && version == JournalSchema.VERSION) {
            warnOfPendingLeft(j);
        }
        return j;
    }

    /**
     * Says how many evaluations a stopped fit left in the pending file that the journal lacks,
     * when this reader may not copy them in (a folder it may only read): they are not shown.
     */
    private static void warnOfPendingLeft(SqliteJournal j) {
        int missing;
        try {
            synchronized (j.lock) {
                missing = SqliteSession.pendingNotInJournal(j);
            }
        } catch (SQLException | RuntimeException e) {
            return; // nothing can be told: the journal is read as it is
        }
        if (missing > 0) {
            LOG.warn(
                    "journal {}: {} beside it holds {} that a stopped fit finished last and the journal lacks;"
                            + " only a reader allowed to write there copies them in, so they are not shown here:"
                            + " copy the folder to one you may write in and read the copy",
                    j.path(),
                    PendingLog.beside(j.path()).getFileName(),
                    missing == 1 ? "1 evaluation" : missing + " evaluations");
        }
    }

    /**
     * Copies into the journal the evaluations that a fit killed a moment ago left in its pending
     * file ({@link PendingLog}), so that a reader sees every evaluation the fit finished: as
     * SQLite's own readers roll back what a killed writer left half done. Only when no fit writes
     * the journal (a running fit copies them itself within a millisecond) and the file may be
     * written; anything that goes wrong leaves the journal to be read as it is.
     */
    private static boolean copyPendingOfStoppedFit(Path f) {
        Path pending = PendingLog.beside(f);
        try {
            Path dir = f.toAbsolutePath().getParent();
            if (!Files.isRegularFile(pending) || Files.size(pending) == 0) {
                return false;
            }
            if (!Files.isWritable(f) || (dir != null && !Files.isWritable(dir))) {
                // what it holds that the journal lacks is counted once the journal is open
                return !JournalLock.held(f);
            }
        } catch (java.io.IOException e) {
            return false;
        }
        JournalLock writerLock;
        try {
            writerLock = JournalLock.acquire(f);
        } catch (JournalException e) {
            return false; // a fit writes the journal: it copies them itself
        }
        try {
            Connection c = JournalFile.connect(f, false);
            SqliteJournal j = null;
            try {
                int version = JournalSchema.identify(c, f, false);
                if (version == JournalSchema.VERSION) {
                    try (Statement s = c.createStatement()) {
                        s.execute("PRAGMA journal_mode = WAL");
                        s.execute("PRAGMA synchronous = NORMAL");
                    }
                    j = new SqliteJournal(f, false, c, version, false);
                    synchronized (j.lock) {
                        SqliteSession.copyPending(j);
                    }
                }
            } finally {
                if (j != null) {
                    j.close();
                } else {
                    closeQuietly(f, c);
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn(
                    "journal {}: the evaluations left in {} by a stopped fit were not copied in: {}",
                    f,
                    pending,
                    e.getMessage());
        } finally {
            writerLock.release();
        }
        return false;
    }

    /** Work on the connection that may throw {@link SQLException}. */
    @FunctionalInterface
    interface SqlWork<T> {
        @Nullable
        T run() throws SQLException;
    }

    /**
     * Runs work in one transaction: committed when it returns, rolled back when it throws.
     * The caller holds the journal's lock.
     */
    <T> @Nullable T inTransaction(SqlWork<T> work) throws SQLException {
        conn.setAutoCommit(false);
        T result;
        try {
            result = work.run();
            conn.commit();
        } catch (SQLException | RuntimeException | Error e) {
            // whatever ended the work, nothing of it is committed; SQLite may have rolled the
            // transaction back itself (a full disk), and the rollback and the return to autocommit
            // then fail with "no transaction is active": the cause stays the one thrown
            try {
                conn.rollback();
            } catch (SQLException r) {
                e.addSuppressed(r);
            }
            try {
                conn.setAutoCommit(true);
            } catch (SQLException r) {
                e.addSuppressed(r);
            }
            throw e;
        }
        conn.setAutoCommit(true);
        return result;
    }

    @Override
    public Path path() {
        return file;
    }

    /** @return the statement of this SQL, prepared once; the caller holds the lock */
    PreparedStatement statement(String sql) throws SQLException {
        return queries.statement(sql);
    }

    void ensureOpen() {
        if (closed) {
            throw new JournalException("journal " + file + " is closed");
        }
    }

    /**
     * @param what what could not be done ("record 3 finished results")
     * @param e SQLite's failure
     * @return the journal's failure: for want of room, said first with what to do, when SQLite
     *     says the disk is full, or a transaction a full disk rolled back; else SQLite's words
     */
    JournalException failure(String what, SQLException e) {
        long left = roomLeft();
        String said = String.valueOf(e.getMessage());
        // a statement that finds the disk full rolls its transaction back, and the commit then
        // fails with "no transaction is active", which names no cause: the cause comes first
        if (e.getErrorCode() == SQLITE_FULL) {
            return noRoom(
                    what, "the file system holding it is full (" + left + " bytes left; SQLite said: " + said + ")", e);
        }
        if (left < ROOM && said.contains("no transaction is active")) {
            // SQLite's words here are of the rolled-back transaction, not of the cause: left out
            return noRoom(what, "the file system holding it is full (" + left + " bytes left)", e);
        }
        if ((e.getErrorCode() & 0xFF) == SQLITE_CONSTRAINT) {
            // the journal's own writes keep its keys: a row already there is one it did not write
            return new JournalException(
                    "journal " + file + ": cannot " + what + ": a row it writes is there already, so its tables"
                            + " disagree with what it wrote (SQLite said: " + said + "); was the file changed by hand?"
                            + " Start the fit again in a new output folder, or after moving this file away",
                    e);
        }
        // any other failure: the room left is a fact beside it when it is small, not a verdict
        return new JournalException(
                "journal " + file + ": cannot " + what + ": " + said
                        + (left < ROOM ? " (the file system holding it has " + left + " bytes left)" : ""),
                e);
    }

    /** SQLite's primary result code for a write that broke a key or a check ({@code SQLITE_CONSTRAINT}). */
    private static final int SQLITE_CONSTRAINT = 19;

    /** SQLite's result code for a write that found no room ({@code SQLITE_FULL}). */
    private static final int SQLITE_FULL = 13;

    /** Below this much room left beside the journal, a failed write is said to be for want of room. */
    private static final long ROOM = 1 << 20;

    /**
     * @param what what could not be written ("record evaluation 3 in FILE")
     * @param why the room that was missing, in words
     * @param e the failure
     * @return the failure of a write that found no room, with what to do
     */
    JournalException noRoom(String what, String why, Exception e) {
        return new JournalException(
                "journal " + file + ": cannot " + what + ": " + why
                        + "; free some room and resume the fit: nothing the journal holds is lost",
                e);
    }

    /**
     * @return the bytes left on the file system holding the journal, or {@link #ROOM} when that
     *     cannot be told (no word rather than a wrong one)
     */
    private long roomLeft() {
        long left = PendingLog.usableSpaceBeside(file);
        return left < 0 ? ROOM : left;
    }

    /** Reading work on the connection, run under the lock on an open journal. */
    @FunctionalInterface
    private interface Read<T> {
        T run(JournalQueries q) throws SQLException;
    }

    private <T> T read(String what, Read<T> work) {
        synchronized (lock) {
            ensureOpen();
            try {
                return work.run(queries);
            } catch (SQLException e) {
                throw failure(what, e);
            }
        }
    }

    @Override
    public Journal termsOfImprovingEvaluationsOnly() {
        improvingTermsOnly = true;
        return this;
    }

    @Override
    public Session begin(Map<String, ?> settings, JournalMode mode) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(mode, "mode");
        if (readOnly) {
            throw new JournalException(
                    "journal " + file + " was opened read-only; open it with Journal.open to run a fit");
        }
        synchronized (lock) {
            ensureOpen();
            if (session != null && !session.isEnded()) {
                throw new JournalException("journal " + file + " already has a fit running (run " + session.runId()
                        + ")" + JournalLock.ONE_AT_A_TIME);
            }
            JournalLock held = reserved;
            JournalLock wl = held != null ? held.borrowed() : JournalLock.acquire(file);
            try {
                session = SqliteSession.begin(this, wl, settings, mode);
                return session;
            } catch (RuntimeException | Error e) {
                // whatever went wrong, the journal stays free for the next fit of this process
                wl.release();
                throw e;
            }
        }
    }

    @Override
    public Optional<RunRecord> check(Map<String, ?> settings, JournalMode mode) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(mode, "mode");
        synchronized (lock) {
            ensureOpen();
            boolean locked = false;
            if (!readOnly && (session == null || session.isEnded()) && reserved == null) {
                // is another process writing? If not, the lock is taken now and kept until close: a
                // command that checks before it touches the output folder (moves a restart's files
                // aside, writes its results after the fit) does it with no other fit in it. Asked
                // before the runs are compared: a fit of another job into a folder where one runs is
                // told that one runs, not to begin a new run there.
                reserved = JournalLock.acquire(file);
                locked = true;
            }
            long id;
            try {
                id = SqliteSession.choose(this, JsonCodec.write(settings), mode);
            } catch (SQLException e) {
                releaseCheckLock(locked);
                throw failure("check the runs", e);
            } catch (RuntimeException e) {
                releaseCheckLock(locked); // refused: the lock taken for this check is not kept
                throw e;
            }
            return id < 0 ? Optional.empty() : run(id);
        }
    }

    /** Lets go of the lock that {@link #check} took, when it took one; called holding {@code lock}. */
    private void releaseCheckLock(boolean locked) {
        JournalLock held = reserved;
        if (locked && held != null) {
            reserved = null;
            held.release();
        }
    }

    void sessionEnded(SqliteSession s) {
        synchronized (lock) {
            if (session == s) {
                session = null;
            }
        }
    }

    @Override
    public List<RunRecord> runs() {
        return read("read the runs", q -> q.runs(-1));
    }

    @Override
    public Optional<RunRecord> run(long runId) {
        List<RunRecord> r = read("read the runs", q -> q.runs(runId));
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(0));
    }

    @Override
    public Optional<RunRecord> latestRun() {
        // the run of the attempt begun last: a resumed earlier run is the one a fit writes, or wrote last
        java.util.OptionalLong newest = read("read the attempts", JournalQueries::runOfNewestAttempt);
        if (newest.isPresent()) {
            Optional<RunRecord> run = run(newest.getAsLong());
            if (run.isPresent()) {
                return run;
            }
        }
        List<RunRecord> r = runs();
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(r.size() - 1));
    }

    @Override
    public List<Long> attemptProcessIds(long runId) {
        return read("read the attempts of run " + runId, q -> q.attemptProcessIds(runId));
    }

    @Override
    public List<Long> attemptProcessIdsOnThisHost(long runId) {
        return read("read the attempts of run " + runId, q -> q.attemptProcessIds(runId, HOST));
    }

    @Override
    public Map<Integer, Integer> divergedAttempts(long runId) {
        return read("read the attempts of run " + runId, q -> q.divergedAttempts(runId));
    }

    @Override
    public Optional<String> endedWithoutFinishing(long runId) {
        Optional<String[]> open = read("read the attempts of run " + runId, q -> q.openAttempt(runId));
        if (open.isEmpty() || !open.get()[0].equals(HOST)) {
            return Optional.empty();
        }
        long pid = Long.parseLong(open.get()[1]);
        // a process of the same id that runs now is taken as the fit, unless the journal's lock,
        // which a running fit holds, is free: an id is reused after a reboot, or on a busy node
        boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && !ended(pid)
                && !JournalLock.free(file);
        // a fit whose process cannot be seen from here (another PID namespace, a container) still
        // holds the journal's lock while it runs: only a journal nobody holds was left by its fit
        return alive || JournalLock.held(file) ? Optional.empty() : Optional.of("pid " + pid + " on " + HOST);
    }

    /**
     * Whether a process that {@link ProcessHandle#isAlive} calls alive has in fact ended: killed,
     * it stays in the process table as a zombie until its parent collects it, which may be late or
     * never (a parent that was killed with it, as {@code timeout -s KILL} is, leaves it to init).
     * A zombie holds no file and no lock, and writes nothing more: its fit has ended.
     *
     * @param pid a process id
     * @return true when {@code /proc/PID/stat} gives its state as zombie ({@code Z}) or dead
     *     ({@code X}); false when it runs, or where there is no {@code /proc} to tell
     */
    static boolean ended(long pid) {
        String stat;
        try {
            // bytes as Latin-1: a command name need not be UTF-8
            stat = new String(
                    Files.readAllBytes(Path.of("/proc", Long.toString(pid), "stat")),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return false; // no /proc (not Linux), or the process is gone: ProcessHandle has said so
        }
        // "PID (COMMAND) STATE ...": the command may hold spaces and parentheses, the state follows the last ')'
        int close = stat.lastIndexOf(')');
        String rest = close < 0 ? "" : stat.substring(close + 1).strip();
        return rest.startsWith("Z") || rest.startsWith("X");
    }

    /** @return quantities from their binary form, else from their JSON form (schema 1), else none */
    static Quantities quantities(byte[] blob, String json) {
        if (blob != null) {
            return QuantityCodec.decode(blob);
        }
        return json == null ? Quantities.empty() : JsonCodec.readQuantities(json);
    }

    /**
     * {@inheritDoc}
     *
     * @implNote One read transaction of the connection: SQLite in WAL mode gives it the database
     *     as the last commit before its first read left it, until it ends. The journal's lock is
     *     held throughout, so no other thread's read or write on this connection comes between;
     *     reads made while a transaction of this connection is open (a nested call, a session's
     *     write) are part of it.
     */
    @Override
    public <T> T consistently(java.util.function.Function<? super JournalReader, ? extends T> reads) {
        Objects.requireNonNull(reads, "reads");
        synchronized (lock) {
            ensureOpen();
            boolean alone;
            try {
                alone = conn.getAutoCommit();
                if (alone) {
                    conn.setAutoCommit(false);
                }
            } catch (SQLException e) {
                throw failure("begin a read", e);
            }
            if (!alone) {
                return reads.apply(this);
            }
            try {
                return reads.apply(this);
            } finally {
                try {
                    conn.rollback(); // nothing was written: the read ends
                } catch (SQLException e) {
                    LOG.warn("journal {}: ending a read: {}", file, e.getMessage());
                }
                try {
                    conn.setAutoCommit(true); // the next read sees the latest commit again
                } catch (SQLException e) {
                    LOG.warn("journal {}: ending a read: {}", file, e.getMessage());
                }
            }
        }
    }

    @Override
    public List<EvaluationRecord> evaluations(long runId) {
        return read("read the evaluations of run " + runId, q -> q.evaluations(runId));
    }

    @Override
    public List<EvaluationRecord> evaluations(long runId, int fromNumber, int limit) {
        if (fromNumber < 0 || limit < 1) {
            throw new IllegalArgumentException(
                    "evaluations are read from a number >= 0 and at least 1 at a time, got from " + fromNumber
                            + " limit " + limit);
        }
        return read("read the evaluations of run " + runId, q -> q.evaluations(runId, fromNumber, limit));
    }

    @Override
    public Map<EvaluationRecord.State, Integer> evaluationCounts(long runId) {
        return read("count the evaluations of run " + runId, q -> q.evaluationCounts(runId));
    }

    @Override
    public Optional<EvaluationRecord> best(long runId) {
        List<EvaluationRecord> r = read("read the evaluations of run " + runId, q -> q.best(runId));
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(0));
    }

    @Override
    public List<TermRecord> terms(long runId, int evaluationNumber) {
        return read(
                "read the terms of run " + runId + " evaluation " + evaluationNumber,
                q -> q.terms(runId, evaluationNumber, -1, 0));
    }

    @Override
    public List<TermRecord> terms(long runId) {
        return read("read the terms of run " + runId, q -> q.terms(runId, -1, -1, 0));
    }

    @Override
    public List<TermRecord> terms(long runId, long afterId, int limit) {
        if (afterId < 0 || limit < 1) {
            throw new IllegalArgumentException("terms are read after an id >= 0 and at least 1 at a time, got after "
                    + afterId + " limit " + limit);
        }
        return read("read the terms of run " + runId, q -> q.terms(runId, -1, afterId, limit));
    }

    @Override
    public List<EvaluationRecord> evaluationRows(long runId, int fromNumber, int limit) {
        if (fromNumber < 0 || limit < 1) {
            throw new IllegalArgumentException(
                    "evaluations are read from a number >= 0 and at least 1 at a time, got from " + fromNumber
                            + " limit " + limit);
        }
        return read("read the evaluations of run " + runId, q -> q.evaluationRows(runId, fromNumber, limit));
    }

    @Override
    public List<TermRecord> termOutcomes(long runId, long afterId, int limit) {
        if (afterId < 0 || limit < 1) {
            throw new IllegalArgumentException("terms are read after an id >= 0 and at least 1 at a time, got after "
                    + afterId + " limit " + limit);
        }
        return read("read the terms of run " + runId, q -> q.terms(runId, -1, -1, afterId, limit, false));
    }

    @Override
    public List<TermRecord> termOutcomes(long runId, int evaluationNumber) {
        return read(
                "read the terms of run " + runId + " evaluation " + evaluationNumber,
                q -> q.terms(runId, evaluationNumber, evaluationNumber, -1, 0, false));
    }

    /** @return how many terms this journal's queries decoded from packs and records so far */
    long termsDecoded() {
        synchronized (lock) {
            return queries.termsDecoded();
        }
    }

    @Override
    public List<String> integrityCheck() {
        synchronized (lock) {
            ensureOpen();
            try {
                return JournalFile.pragmaLines(conn, "PRAGMA integrity_check");
            } catch (SQLException e) {
                return List.of(e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        SqliteSession s;
        synchronized (lock) {
            if (closed) {
                return;
            }
            s = session;
        }
        if (s != null) {
            s.close();
        }
        synchronized (lock) {
            closed = true;
            queries.close();
            closeQuietly(file, conn);
            JournalLock held = reserved;
            if (held != null) {
                held.release();
                reserved = null;
            }
        }
    }

    private static void closeQuietly(Path file, Connection conn) {
        try {
            conn.close();
        } catch (SQLException e) {
            LOG.warn("closing journal {}: {}", file, e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "SqliteJournal[" + file + (readOnly ? ", read-only" : "") + "]";
    }

    static String time(long epochNanos) {
        return Instant.ofEpochSecond(0, epochNanos)
                .truncatedTo(ChronoUnit.MILLIS)
                .toString();
    }

    static String now() {
        return time(EvaluationContext.nowEpochNanos());
    }

    private static String softwareVersion() {
        String v = SqliteJournal.class.getPackage().getImplementationVersion();
        if (v != null) {
            return v;
        }
        try (InputStream in =
                SqliteJournal.class.getResourceAsStream("/META-INF/maven/org.chemfit/chemfit-core/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String pv = p.getProperty("version");
                if (pv != null) {
                    return pv;
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "development build";
    }
}
