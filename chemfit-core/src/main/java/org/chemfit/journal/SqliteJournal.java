package org.chemfit.journal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

import org.chemfit.EvaluationContext;
import org.chemfit.Quantities;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The journal as an SQLite database in WAL mode: a plain file that {@code sqlite3} and pandas
 * read, also while a fit writes it. Tables: {@code runs} (job hash, settings JSON, start, end,
 * status, software version), {@code attempts} (one row per start or resume of a run),
 * {@code evaluations} (one row per evaluation number of a run: parameters, state, loss, metadata
 * tree, timings, host) and {@code terms} (one row per leaf term run: path, name, state, value,
 * quantities, metadata, run directory, host, worker). Doubles that must come back exactly are
 * stored twice: as REAL for people and as their raw bits for replay.
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
 * @implNote Thread-safe: one JDBC connection, used under a lock. One process writes at a time
 *     (a lock file beside the database, {@code journal.sqlite.lock}, held while a session is
 *     open; the operating system releases it when the process dies); readers never wait for it.
 */
public final class SqliteJournal implements Journal {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteJournal.class);

    /** "CFjL": marks the file as a ChemFit journal ({@code PRAGMA application_id}). */
    static final int APPLICATION_ID = 0x43466A4C;
    /**
     * The schema version ({@code PRAGMA user_version}). 2: quantities as binary
     * ({@code quantities_blob}, see {@link QuantityCodec}) and evaluation trees that leave the
     * quantities of recorded terms to the terms table ({@code tree_terms_apart}). A journal of
     * version 1 is migrated when opened for writing (columns added, rows kept as they are) and read
     * as it is when opened read-only.
     */
    static final int SCHEMA_VERSION = 2;
    /** The statements that bring a journal of version 1 to version 2; they only add columns. */
    private static final String[] MIGRATE_1_TO_2 = {
        "ALTER TABLE evaluations ADD COLUMN quantities_blob BLOB",
        "ALTER TABLE evaluations ADD COLUMN tree_terms_apart INTEGER",
        "ALTER TABLE terms ADD COLUMN quantities_blob BLOB"};
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static final String[] TABLES = {"runs", "attempts", "evaluations", "terms"};

    private static final String SCHEMA = """
            CREATE TABLE IF NOT EXISTS runs (
              id INTEGER PRIMARY KEY,
              job_hash TEXT NOT NULL,
              settings_json TEXT NOT NULL,
              started_at TEXT NOT NULL,
              ended_at TEXT,
              status TEXT NOT NULL,
              stop_reason TEXT,
              best_loss REAL,
              evaluations INTEGER NOT NULL DEFAULT 0,
              software_version TEXT NOT NULL,
              host TEXT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS attempts (
              run_id INTEGER NOT NULL REFERENCES runs(id),
              attempt INTEGER NOT NULL,
              started_at TEXT NOT NULL,
              ended_at TEXT,
              status TEXT NOT NULL,
              host TEXT NOT NULL,
              pid INTEGER NOT NULL,
              software_version TEXT NOT NULL,
              replayed INTEGER NOT NULL DEFAULT 0,
              computed INTEGER NOT NULL DEFAULT 0,
              PRIMARY KEY (run_id, attempt)
            );
            CREATE TABLE IF NOT EXISTS evaluations (
              run_id INTEGER NOT NULL REFERENCES runs(id),
              number INTEGER NOT NULL,
              evaluation_id TEXT NOT NULL,
              state TEXT NOT NULL CHECK (state IN ('RUNNING', 'COMPLETE', 'FAILED')),
              parameters_json TEXT NOT NULL,
              parameter_key TEXT NOT NULL,
              loss REAL,
              loss_bits INTEGER,
              told_loss REAL,
              replay TEXT,
              quantities_json TEXT,
              tree_json TEXT,
              failure TEXT,
              started_at TEXT,
              ended_at TEXT,
              seconds REAL,
              host TEXT,
              attempt INTEGER NOT NULL,
              quantities_blob BLOB,
              tree_terms_apart INTEGER,
              PRIMARY KEY (run_id, number)
            );
            CREATE INDEX IF NOT EXISTS evaluations_by_key ON evaluations(run_id, parameter_key);
            CREATE TABLE IF NOT EXISTS terms (
              id INTEGER PRIMARY KEY,
              run_id INTEGER NOT NULL REFERENCES runs(id),
              evaluation_number INTEGER,
              evaluation_id TEXT,
              term_path TEXT NOT NULL,
              term_name TEXT NOT NULL,
              parameter_key TEXT NOT NULL,
              state TEXT NOT NULL CHECK (state IN ('RUNNING', 'COMPLETE', 'FAILED')),
              value REAL,
              value_bits INTEGER,
              quantities_json TEXT,
              metadata_json TEXT,
              run_directory TEXT,
              host TEXT,
              worker TEXT,
              failure TEXT,
              started_at TEXT,
              ended_at TEXT,
              seconds REAL,
              attempt INTEGER NOT NULL,
              quantities_blob BLOB
            );
            CREATE INDEX IF NOT EXISTS terms_by_evaluation ON terms(run_id, evaluation_number, term_path);
            """;

    static final String HOST = hostName();
    static final String VERSION = softwareVersion();

    private final Path file;
    private final boolean readOnly;
    final Connection conn;
    final Object lock = new Object();
    private final java.util.Map<String, PreparedStatement> statements = new java.util.HashMap<>();
    private @Nullable SqliteSession session;
    private boolean closed;
    /** The schema version of the file (older files are read through NULL for the newer columns). */
    private int schema = SCHEMA_VERSION;

    private SqliteJournal(Path file, boolean readOnly, Connection conn) {
        this.file = file;
        this.readOnly = readOnly;
        this.conn = conn;
    }

    /**
     * Opens a journal for writing and reading, creating it when missing.
     *
     * @param path the journal file, or a directory (the file is then {@value Journal#DEFAULT_FILE_NAME} in it)
     * @param durability how hard each commit tries to reach the disk
     * @return the journal
     * @throws JournalCorruptException when the file is damaged (it is left untouched)
     * @throws JournalException when the file is not a ChemFit journal or cannot be opened
     */
    public static SqliteJournal open(Path path, Durability durability) {
        Objects.requireNonNull(durability, "durability");
        Path f = resolve(path);
        try {
            Path parent = f.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new JournalException("cannot create the folder of journal " + f + ": " + e.getMessage(), e);
        }
        SqliteJournal j = connect(f, false);
        try {
            j.initialise(durability);
        } catch (SQLException e) {
            j.closeQuietly();
            throw new JournalException("cannot set up journal " + f + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            j.closeQuietly();
            throw e;
        }
        return j;
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
        Path f = resolve(path);
        if (!Files.isRegularFile(f)) {
            throw new JournalException("there is no journal at " + f
                    + (Files.isDirectory(path) ? " (the folder holds no " + DEFAULT_FILE_NAME + ")" : ""));
        }
        SqliteJournal j = connect(f, true);
        try {
            j.checkIdentity(false);
        } catch (SQLException e) {
            j.closeQuietly();
            throw new JournalException("cannot read journal " + f + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            j.closeQuietly();
            throw e;
        }
        return j;
    }

    /**
     * An existing directory, or a path that does not exist and whose name has no dot (an output
     * folder still to be made), means the journal file {@value Journal#DEFAULT_FILE_NAME} in it;
     * anything else is the journal file itself.
     */
    static Path resolve(Path path) {
        Objects.requireNonNull(path, "path");
        if (Files.isDirectory(path)) {
            return path.resolve(DEFAULT_FILE_NAME);
        }
        Path name = path.getFileName();
        if (!Files.exists(path) && name != null && !name.toString().contains(".")) {
            return path.resolve(DEFAULT_FILE_NAME);
        }
        return path;
    }

    /** Opens a connection after checking the header and running quick_check; writes nothing. */
    private static SqliteJournal connect(Path f, boolean readOnly) {
        List<String> problems = checkHeader(f);
        if (!problems.isEmpty()) {
            throw corrupt(f, problems, List.of("nothing: SQLite cannot open a file with this header"));
        }
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setBusyTimeout(30_000);
        // sqlite-jdbc otherwise runs a query for the generated key after every insert (a term row)
        cfg.setGetGeneratedKeys(false);
        cfg.setReadOnly(readOnly);
        Properties props = cfg.toProperties();
        Connection c;
        try {
            c = DriverManager.getConnection("jdbc:sqlite:" + f.toAbsolutePath(), props);
        } catch (SQLException e) {
            throw new JournalException("cannot open journal " + f + ": " + e.getMessage(), e);
        }
        List<String> check;
        try {
            check = pragmaLines(c, "PRAGMA quick_check(20)");
        } catch (SQLException e) {
            check = List.of(e.getMessage());
        }
        if (!check.equals(List.of("ok"))) {
            List<String> readable = readable(c);
            try {
                c.close();
            } catch (SQLException ignored) {
                // the damage is what we report
            }
            throw corrupt(f, check, readable);
        }
        return new SqliteJournal(f, readOnly, c);
    }

    /** @return what is wrong with the first 100 bytes (empty when fine or the file is new) */
    static List<String> checkHeader(Path f) {
        if (!Files.exists(f)) {
            return List.of();
        }
        long size;
        byte[] head = new byte[100];
        int n;
        try (InputStream in = Files.newInputStream(f)) {
            size = Files.size(f);
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new JournalException("cannot read journal " + f + ": " + e.getMessage(), e);
        }
        if (size == 0) {
            return List.of();
        }
        List<String> p = new ArrayList<>();
        if (n < MAGIC.length || !java.util.Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            p.add("the file does not start with the SQLite header \"SQLite format 3\": its first bytes are "
                    + HexFormat.ofDelimiter(" ").formatHex(head, 0, Math.min(n, 16)));
            return p;
        }
        if (n < 100) {
            p.add("the file is " + size + " bytes long, shorter than an SQLite header (100 bytes): it was cut short");
            return p;
        }
        ByteBuffer b = ByteBuffer.wrap(head);
        int pageSize = b.getShort(16) & 0xFFFF;
        if (pageSize == 1) {
            pageSize = 65536;
        }
        if (pageSize < 512 || Integer.bitCount(pageSize) != 1) {
            p.add("the header gives an invalid page size " + pageSize);
            return p;
        }
        int pages = b.getInt(28);
        boolean sizeValid = b.getInt(24) == b.getInt(92) && pages > 0;
        Path wal = f.resolveSibling(f.getFileName() + "-wal");
        boolean walHolds;
        try {
            walHolds = Files.exists(wal) && Files.size(wal) > 0;
        } catch (IOException e) {
            walHolds = true;
        }
        if (sizeValid && !walHolds && size < (long) pages * pageSize) {
            p.add("the file is " + size + " bytes long but its header says " + pages + " pages of " + pageSize
                    + " bytes (" + (long) pages * pageSize + " bytes): it was cut short");
        }
        return p;
    }

    private static JournalCorruptException corrupt(Path f, List<String> problems, List<String> readable) {
        StringBuilder sb = new StringBuilder("journal ").append(f).append(" is damaged: ");
        sb.append(String.join("; ", problems.subList(0, Math.min(5, problems.size()))));
        if (problems.size() > 5) {
            sb.append("; and ").append(problems.size() - 5).append(" more problems");
        }
        sb.append(". Still readable: ").append(String.join("; ", readable)).append(". The file was left untouched. ")
                .append("To salvage what is readable: sqlite3 ").append(f).append(" .recover | sqlite3 ")
                .append(f.resolveSibling(f.getFileName() + ".recovered"))
                .append(" ; or start the fit again in a new output folder (or after moving this file away).");
        return new JournalCorruptException(sb.toString(), f, problems, readable);
    }

    /** @return one line per table saying how many rows can still be read */
    private static List<String> readable(Connection c) {
        List<String> out = new ArrayList<>();
        for (String t : TABLES) {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM " + t)) {
                long n = rs.next() ? rs.getLong(1) : 0;
                String extra = "";
                if (t.equals("evaluations")) {
                    try (ResultSet r2 = s.executeQuery(
                            "SELECT count(*), max(number) FROM evaluations WHERE state = 'COMPLETE'")) {
                        if (r2.next()) {
                            extra = " (" + r2.getLong(1) + " complete, the last number " + r2.getObject(2) + ")";
                        }
                    }
                }
                out.add(t + ": " + n + " rows" + extra);
            } catch (SQLException e) {
                out.add(t + ": unreadable (" + e.getMessage() + ")");
            }
        }
        return out;
    }

    private static List<String> pragmaLines(Connection c, String sql) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
        }
        return lines;
    }

    private int pragmaInt(String name) throws SQLException {
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    /** Refuses files of another application or a newer schema. */
    private boolean checkIdentity(boolean mayInitialise) throws SQLException {
        int app = pragmaInt("application_id");
        int version = pragmaInt("user_version");
        long tables;
        try (Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_schema WHERE type = 'table'")) {
            tables = rs.next() ? rs.getLong(1) : 0;
        }
        if (app == 0 && tables == 0) {
            if (!mayInitialise) {
                throw new JournalException("journal " + file + " is an empty database, not a ChemFit journal yet");
            }
            return true;
        }
        if (app != APPLICATION_ID) {
            throw new JournalException("file " + file + " is an SQLite database of another application (application_id "
                    + app + ", a ChemFit journal has " + APPLICATION_ID + "); it was left untouched");
        }
        if (version > SCHEMA_VERSION) {
            throw new JournalException("journal " + file + " has schema version " + version
                    + ", written by a newer ChemFit; this version reads up to " + SCHEMA_VERSION);
        }
        schema = Math.max(1, version);
        return false;
    }

    /** Work on the connection that may throw {@link SQLException}. */
    @FunctionalInterface
    interface SqlWork<T> {
        @Nullable T run() throws SQLException;
    }

    /**
     * Runs work in one transaction: committed when it returns, rolled back when it throws.
     * The caller holds the journal's lock.
     */
    <T> @Nullable T inTransaction(SqlWork<T> work) throws SQLException {
        conn.setAutoCommit(false);
        try {
            T result = work.run();
            conn.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            conn.rollback();
            throw e;
        } finally {
            conn.setAutoCommit(true);
        }
    }

    private void initialise(Durability durability) throws SQLException {
        boolean fresh = checkIdentity(true);
        try (Statement s = conn.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("PRAGMA synchronous = " + (durability == Durability.POWER_LOSS ? "FULL" : "NORMAL"));
            if (fresh) {
                inTransaction(() -> {
                    for (String sql : SCHEMA.split(";")) {
                        if (!sql.isBlank()) {
                            s.execute(sql);
                        }
                    }
                    s.execute("PRAGMA application_id = " + APPLICATION_ID);
                    s.execute("PRAGMA user_version = " + SCHEMA_VERSION);
                    return null;
                });
            } else if (schema < SCHEMA_VERSION) {
                int from = schema;
                inTransaction(() -> {
                    // read again inside the transaction: another process may have migrated it meanwhile
                    if (pragmaInt("user_version") == 1) {
                        for (String sql : MIGRATE_1_TO_2) {
                            s.execute(sql);
                        }
                        s.execute("PRAGMA user_version = 2");
                    }
                    return null;
                });
                schema = SCHEMA_VERSION;
                LOG.info("journal {}: schema version {} brought to {} (columns added, rows kept)", file, from, schema);
            }
        }
    }

    @Override
    public Path path() {
        return file;
    }

    PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement p = statements.get(sql);
        if (p == null) {
            p = conn.prepareStatement(sql);
            statements.put(sql, p);
        }
        return p;
    }

    void ensureOpen() {
        if (closed) {
            throw new JournalException("journal " + file + " is closed");
        }
    }

    JournalException failure(String what, SQLException e) {
        return new JournalException("journal " + file + ": cannot " + what + ": " + e.getMessage(), e);
    }

    @Override
    public Session begin(Map<String, ?> settings, JournalMode mode) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(mode, "mode");
        if (readOnly) {
            throw new JournalException("journal " + file + " was opened read-only; open it with Journal.open to run a fit");
        }
        synchronized (lock) {
            ensureOpen();
            if (session != null && !session.isEnded()) {
                throw new JournalException("journal " + file + " already has a fit running (run " + session.runId()
                        + "); one fit writes a journal at a time");
            }
            WriterLock wl = WriterLock.acquire(file);
            try {
                session = SqliteSession.begin(this, wl, settings, mode);
                return session;
            } catch (RuntimeException e) {
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
            long id;
            try {
                id = SqliteSession.choose(this, JsonCodec.write(settings), mode);
            } catch (SQLException e) {
                throw failure("check the runs", e);
            }
            if (!readOnly && (session == null || session.isEnded())) {
                // is another process writing? (a probe: the lock is taken for good by begin)
                WriterLock.acquire(file).release();
            }
            return id < 0 ? Optional.empty() : run(id);
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
        return queryRuns("", -1);
    }

    @Override
    public Optional<RunRecord> run(long runId) {
        List<RunRecord> r = queryRuns(" WHERE r.id = ?", runId);
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(0));
    }

    @Override
    public Optional<RunRecord> latestRun() {
        List<RunRecord> r = runs();
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(r.size() - 1));
    }

    @Override
    public List<Long> attemptProcessIds(long runId) {
        synchronized (lock) {
            ensureOpen();
            try {
                PreparedStatement p = statement("SELECT pid FROM attempts WHERE run_id = ? ORDER BY attempt");
                p.setLong(1, runId);
                List<Long> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getLong(1));
                    }
                }
                return out;
            } catch (SQLException e) {
                throw failure("read the attempts of run " + runId, e);
            }
        }
    }

    private List<RunRecord> queryRuns(String where, long id) {
        String sql = "SELECT r.id, r.job_hash, r.settings_json, r.started_at, r.ended_at, r.status, r.stop_reason,"
                + " r.best_loss, r.evaluations, (SELECT count(*) FROM attempts a WHERE a.run_id = r.id),"
                + " r.software_version, r.host FROM runs r" + where + " ORDER BY r.id";
        synchronized (lock) {
            ensureOpen();
            try {
                PreparedStatement p = statement(sql);
                if (id >= 0) {
                    p.setLong(1, id);
                }
                List<RunRecord> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new RunRecord(rs.getLong(1), rs.getString(2), rs.getString(3), Instant.parse(rs.getString(4)),
                                instant(rs.getString(5)), rs.getString(6), rs.getString(7), real(rs, 8), rs.getInt(9),
                                rs.getInt(10), rs.getString(11), rs.getString(12)));
                    }
                }
                return out;
            } catch (SQLException e) {
                throw failure("read the runs", e);
            }
        }
    }

    private static final String EVALUATION_COLUMNS = "run_id, number, evaluation_id, state, parameters_json, loss_bits,"
            + " told_loss, quantities_json, tree_json, failure, started_at, ended_at, seconds, host, attempt, %s, %s";

    /** @return the columns of an evaluation record, NULL for those a schema-1 file lacks */
    private String evaluationColumns() {
        return schema >= 2 ? EVALUATION_COLUMNS.formatted("quantities_blob", "tree_terms_apart")
                : EVALUATION_COLUMNS.formatted("NULL", "NULL");
    }

    /** @return the column of binary quantities, or NULL in a schema-1 file */
    String blobColumn(String prefix) {
        return schema >= 2 ? prefix + "quantities_blob" : "NULL";
    }

    /** @return quantities from their binary form, else from their JSON form (schema 1), else none */
    static Quantities quantities(byte[] blob, String json) {
        if (blob != null) {
            return QuantityCodec.decode(blob);
        }
        return json == null ? Quantities.empty() : JsonCodec.readQuantities(json);
    }

    @Override
    public List<EvaluationRecord> evaluations(long runId) {
        return queryEvaluations("SELECT " + evaluationColumns() + " FROM evaluations WHERE run_id = ? ORDER BY number", runId);
    }

    @Override
    public List<EvaluationRecord> evaluations(long runId, int fromNumber, int limit) {
        if (fromNumber < 0 || limit < 1) {
            throw new IllegalArgumentException("evaluations are read from a number >= 0 and at least 1 at a time, got from "
                    + fromNumber + " limit " + limit);
        }
        return queryEvaluations("SELECT " + evaluationColumns() + " FROM evaluations WHERE run_id = ? AND number >= "
                + fromNumber + " ORDER BY number LIMIT " + limit, runId);
    }

    @Override
    public Map<EvaluationRecord.State, Integer> evaluationCounts(long runId) {
        Map<EvaluationRecord.State, Integer> counts = new java.util.EnumMap<>(EvaluationRecord.State.class);
        for (EvaluationRecord.State st : EvaluationRecord.State.values()) {
            counts.put(st, 0);
        }
        synchronized (lock) {
            ensureOpen();
            try {
                PreparedStatement p = statement("SELECT state, count(*) FROM evaluations WHERE run_id = ? GROUP BY state");
                p.setLong(1, runId);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        counts.put(EvaluationRecord.State.valueOf(rs.getString(1)), rs.getInt(2));
                    }
                }
            } catch (SQLException e) {
                throw failure("count the evaluations of run " + runId, e);
            }
        }
        return counts;
    }

    @Override
    public Optional<EvaluationRecord> best(long runId) {
        List<EvaluationRecord> r = queryEvaluations("SELECT " + evaluationColumns() + " FROM evaluations"
                + " WHERE run_id = ? AND state = 'COMPLETE' AND told_loss IS NOT NULL ORDER BY told_loss, number LIMIT 1", runId);
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(0));
    }

    private List<EvaluationRecord> queryEvaluations(String sql, long runId) {
        synchronized (lock) {
            ensureOpen();
            try {
                PreparedStatement p = statement(sql);
                p.setLong(1, runId);
                List<EvaluationRecord> out = new ArrayList<>();
                List<Integer> apart = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getInt(17) == 1) {
                            apart.add(out.size());
                        }
                        out.add(new EvaluationRecord(rs.getLong(1), rs.getInt(2), rs.getString(3),
                                EvaluationRecord.State.valueOf(rs.getString(4)), JsonCodec.readParameters(rs.getString(5)),
                                bits(rs, 6), real(rs, 7), quantities(rs.getBytes(16), rs.getString(8)),
                                rs.getString(9), rs.getString(10), instant(rs.getString(11)), instant(rs.getString(12)),
                                real(rs, 13), rs.getString(14), rs.getInt(15)));
                    }
                }
                // many trees: the quantities of the run's terms in one query; a few: per evaluation
                Map<Integer, Map<String, Quantities>> all = apart.size() > 8 ? termQuantities(runId, -1) : null;
                for (int i : apart) {
                    EvaluationRecord e = out.get(i);
                    Map<String, Quantities> byPath = (all != null ? all : termQuantities(runId, e.number()))
                            .getOrDefault(e.number(), Map.of());
                    out.set(i, new EvaluationRecord(e.runId(), e.number(), e.evaluationId(), e.state(), e.parameters(),
                            e.loss(), e.toldLoss(), e.quantities(), JsonCodec.withTermQuantities(e.treeJson(), byPath),
                            e.failure(), e.started(), e.ended(), e.seconds(), e.host(), e.attempt()));
                }
                return out;
            } catch (SQLException e) {
                throw failure("read the evaluations of run " + runId, e);
            }
        }
    }

    /**
     * The quantities of recorded terms, to put back into the evaluation trees that leave them to
     * the terms table (so that they are written once): a record reads as it did before. The last
     * row of a path wins (a failed term run again). Called holding the lock.
     *
     * @param number an evaluation number, or -1 for every evaluation of the run
     * @return evaluation number to term path to quantities
     */
    private Map<Integer, Map<String, Quantities>> termQuantities(long runId, int number) throws SQLException {
        PreparedStatement p = statement("SELECT evaluation_number, term_path, quantities_blob, quantities_json FROM terms"
                + " WHERE run_id = ?" + (number >= 0 ? " AND evaluation_number = ?" : " AND evaluation_number IS NOT NULL")
                + " ORDER BY id");
        p.setLong(1, runId);
        if (number >= 0) {
            p.setInt(2, number);
        }
        Map<Integer, Map<String, Quantities>> out = new java.util.HashMap<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getInt(1), k -> new java.util.HashMap<>())
                        .put(rs.getString(2), quantities(rs.getBytes(3), rs.getString(4)));
            }
        }
        return out;
    }

    @Override
    public List<TermRecord> terms(long runId, int evaluationNumber) {
        return queryTerms(" AND evaluation_number = ?", runId, evaluationNumber);
    }

    @Override
    public List<TermRecord> terms(long runId) {
        return queryTerms("", runId, -1);
    }

    @Override
    public List<TermRecord> terms(long runId, long afterId, int limit) {
        if (afterId < 0 || limit < 1) {
            throw new IllegalArgumentException("terms are read after an id >= 0 and at least 1 at a time, got after "
                    + afterId + " limit " + limit);
        }
        return queryTerms(" AND id > " + afterId, runId, -1, " LIMIT " + limit);
    }

    private List<TermRecord> queryTerms(String where, long runId, int evaluationNumber) {
        return queryTerms(where, runId, evaluationNumber, "");
    }

    private List<TermRecord> queryTerms(String where, long runId, int evaluationNumber, String limit) {
        String sql = "SELECT id, run_id, evaluation_number, term_path, term_name, state, value_bits, quantities_json,"
                + " metadata_json, run_directory, host, worker, failure, started_at, ended_at, seconds, attempt, "
                + blobColumn("") + " FROM terms WHERE run_id = ?" + where + " ORDER BY id" + limit;
        synchronized (lock) {
            ensureOpen();
            try {
                PreparedStatement p = statement(sql);
                p.setLong(1, runId);
                if (evaluationNumber >= 0) {
                    p.setInt(2, evaluationNumber);
                }
                List<TermRecord> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        Object en = rs.getObject(3);
                        out.add(new TermRecord(rs.getLong(1), rs.getLong(2), en == null ? -1 : ((Number) en).intValue(),
                                rs.getString(4), rs.getString(5), EvaluationRecord.State.valueOf(rs.getString(6)),
                                bits(rs, 7), quantities(rs.getBytes(18), rs.getString(8)), rs.getString(9),
                                rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13),
                                instant(rs.getString(14)), instant(rs.getString(15)), real(rs, 16), rs.getInt(17)));
                    }
                }
                return out;
            } catch (SQLException e) {
                throw failure("read the terms of run " + runId + (evaluationNumber >= 0 ? " evaluation " + evaluationNumber : ""), e);
            }
        }
    }

    @Override
    public List<String> integrityCheck() {
        synchronized (lock) {
            ensureOpen();
            try {
                return pragmaLines(conn, "PRAGMA integrity_check");
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
            closeQuietly();
        }
    }

    private void closeQuietly() {
        for (PreparedStatement p : statements.values()) {
            try {
                p.close();
            } catch (SQLException ignored) {
                // closing
            }
        }
        statements.clear();
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
        return Instant.ofEpochSecond(0, epochNanos).truncatedTo(ChronoUnit.MILLIS).toString();
    }

    static String now() {
        return time(EvaluationContext.nowEpochNanos());
    }

    private static @Nullable Instant instant(@Nullable String s) {
        return s == null ? null : Instant.parse(s);
    }

    private static double real(ResultSet rs, int col) throws SQLException {
        double d = rs.getDouble(col);
        return rs.wasNull() ? Double.NaN : d;
    }

    private static double bits(ResultSet rs, int col) throws SQLException {
        long b = rs.getLong(col);
        return rs.wasNull() ? Double.NaN : Double.longBitsToDouble(b);
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h.trim();
        }
        try {
            Path etc = Path.of("/etc/hostname");
            if (Files.isReadable(etc)) {
                String s = Files.readString(etc).trim();
                if (!s.isEmpty()) {
                    return s;
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String softwareVersion() {
        String v = SqliteJournal.class.getPackage().getImplementationVersion();
        if (v != null) {
            return v;
        }
        try (InputStream in = SqliteJournal.class.getResourceAsStream("/META-INF/maven/org.chemfit/chemfit-core/pom.properties")) {
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

    /** The lock file that lets one process at a time write a journal. */
    static final class WriterLock {
        private final FileChannel channel;
        private final FileLock lock;

        private WriterLock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        static WriterLock acquire(Path journal) {
            Path lf = journal.resolveSibling(journal.getFileName() + ".lock");
            FileChannel ch = null;
            try {
                ch = FileChannel.open(lf, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileLock l;
                try {
                    l = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    l = null;
                }
                if (l == null) {
                    String holder = "";
                    try {
                        holder = Files.readString(lf).trim();
                    } catch (IOException ignored) {
                        // the message goes without it
                    }
                    ch.close();
                    throw new JournalException("journal " + journal + " is being written by another fit"
                            + (holder.isEmpty() ? "" : " (" + holder + ")") + "; one fit writes a journal at a time");
                }
                ch.truncate(0);
                ch.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " on " + HOST + "\n")
                        .getBytes(StandardCharsets.UTF_8)), 0);
                return new WriterLock(ch, l);
            } catch (IOException e) {
                if (ch != null) {
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // reporting the first failure
                    }
                }
                throw new JournalException("cannot lock journal " + journal + " through " + lf + ": " + e.getMessage(), e);
            }
        }

        void release() {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                LOG.warn("releasing the journal lock: {}", e.getMessage());
            }
        }
    }
}
