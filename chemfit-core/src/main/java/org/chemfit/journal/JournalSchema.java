package org.chemfit.journal;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versioned schema of an SQLite journal: the tables a new journal is created with, the marks
 * that say a file is a ChemFit journal ({@code PRAGMA application_id}) and of which version
 * ({@code PRAGMA user_version}), and the named migration steps that bring an older journal to
 * today's version.
 *
 * <pre>{@code
 * int version = JournalSchema.identify(conn, file, true);  // 0: an empty database
 * JournalSchema.prepare(conn, file, version);              // create, or migrate step by step
 * }</pre>
 *
 * <p>Versions: 1, ChemFit 0.1 (quantities as JSON text); 2, quantities as binary
 * ({@code quantities_blob}, see {@link QuantityCodec}) and evaluation trees that leave the
 * quantities of recorded terms to the terms table ({@code tree_terms_apart}); 3, the leaf terms of
 * an evaluation that finish together (its fast in-process terms) packed into one row of
 * {@code term_packs} (see {@link TermPack}) instead of one row each; 4, whether a term of an
 * evaluation failed ({@code degraded}: a penalty or a skipped term, filled for the rows of an
 * older journal from their trees' statuses), so the best evaluation is found without reading
 * every tree; 5, an evaluation whose terms ran fast kept as one binary record in
 * {@code term_packs}, its metadata tree together with those terms ({@link EvaluationPack};
 * {@code tree_terms_apart} 2), so that an older version, which cannot read such a record, refuses
 * the file instead of misreading it; 6, new records in a compact layout; 7, the evaluation number
 * from which a resumed attempt asked for other parameters than the run recorded
 * ({@code attempts.diverged_at}), so that readers leave out the rows of earlier attempts from
 * that number on, which belong to a path the fit no longer follows. A journal of an older version is migrated when opened for writing (the steps add
 * tables and columns and fill a new column from what the rows hold; no row is removed or loses a
 * value) and read as it is when opened read-only.
 *
 * @implNote Stateless; the caller owns the connection and uses it from one thread at a time.
 */
final class JournalSchema {

    private static final Logger LOG = LoggerFactory.getLogger(JournalSchema.class);

    /** "CFjL": marks the file as a ChemFit journal ({@code PRAGMA application_id}). */
    static final int APPLICATION_ID = 0x43466A4C;

    /** One named step from a schema version to the next; its statements run in one transaction. */
    record Migration(int from, String name, List<String> statements) {
        int to() {
            return from + 1;
        }
    }

    private static final String PACKS = """
            CREATE TABLE IF NOT EXISTS term_packs (
              first_id INTEGER PRIMARY KEY,
              last_id INTEGER NOT NULL,
              run_id INTEGER NOT NULL REFERENCES runs(id),
              evaluation_number INTEGER NOT NULL,
              evaluation_id TEXT NOT NULL,
              parameter_key TEXT NOT NULL,
              attempt INTEGER NOT NULL,
              terms_blob BLOB NOT NULL
            )""";
    private static final String PACKS_INDEX =
            "CREATE INDEX IF NOT EXISTS term_packs_by_evaluation ON term_packs(run_id, evaluation_number)";

    /**
     * Whether a term of an evaluation failed, read from its tree ({@code tree_json}): 1 when a
     * term's status anywhere below the root is PENALTY, SKIPPED or FAILED, 0 when none is, NULL
     * while it runs. The statuses are the {@code status} keys of the nested {@code terms} (not the
     * keys of a term's metadata, quantities or timing). It fills the {@code degraded} column of
     * the rows of an older journal and stands for it when such a journal is read as it is.
     */
    static final String DEGRADED_FROM_TREE = "(CASE WHEN tree_json IS NULL THEN NULL ELSE EXISTS (SELECT 1"
            + " FROM json_tree(tree_json, '$.terms') WHERE key = 'status'"
            + " AND atom IN ('PENALTY', 'SKIPPED', 'FAILED') AND fullkey NOT LIKE '%.metadata%'"
            + " AND fullkey NOT LIKE '%.quantities%' AND fullkey NOT LIKE '%.timing%') END)";

    /** Every step, in order: a journal of version v runs the steps from v on. */
    static final List<Migration> MIGRATIONS = List.of(
            new Migration(
                    1,
                    "quantities as binary, evaluation trees without their terms' quantities",
                    List.of(
                            "ALTER TABLE evaluations ADD COLUMN quantities_blob BLOB",
                            "ALTER TABLE evaluations ADD COLUMN tree_terms_apart INTEGER",
                            "ALTER TABLE terms ADD COLUMN quantities_blob BLOB")),
            new Migration(
                    2,
                    "the leaf terms of an evaluation that finish together packed into one row",
                    List.of(PACKS, PACKS_INDEX)),
            new Migration(
                    3,
                    "whether a term of an evaluation failed (penalty or skipped), read from its tree",
                    List.of(
                            "ALTER TABLE evaluations ADD COLUMN degraded INTEGER",
                            "UPDATE evaluations SET degraded = " + DEGRADED_FROM_TREE)),
            new Migration(
                    4,
                    "an evaluation of fast terms kept as one record, its tree with its terms (no table changes)",
                    List.of()),
            new Migration(
                    5,
                    "new records in a compact layout, about half the bytes; older records are still read"
                            + " (no table changes)",
                    List.of()),
            new Migration(
                    6,
                    "where a resumed attempt diverged from the path the run recorded",
                    List.of("ALTER TABLE attempts ADD COLUMN diverged_at INTEGER")));

    /** Today's version ({@code PRAGMA user_version}): the version the last migration step reaches. */
    static final int VERSION = MIGRATIONS.get(MIGRATIONS.size() - 1).to();

    /** The tables, in the order a damage report lists them. */
    static final List<String> TABLES = List.of("runs", "attempts", "evaluations", "terms", "term_packs");

    private static final String CREATE = """
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
              diverged_at INTEGER,
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
              degraded INTEGER,
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

    private JournalSchema() {}

    /**
     * Reads the marks of an open database and refuses files of another application or of a newer
     * schema.
     *
     * @param mayBeEmpty whether an empty database (no tables, no mark) is acceptable
     * @return the schema version of the file, at least 1; 0 for an empty database
     * @throws JournalException when the file is another application's, of a newer schema, or
     *     empty when it may not be
     */
    static int identify(Connection conn, Path file, boolean mayBeEmpty) throws SQLException {
        int app = pragmaInt(conn, "application_id");
        int version = pragmaInt(conn, "user_version");
        long tables;
        try (Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_schema WHERE type = 'table'")) {
            tables = rs.next() ? rs.getLong(1) : 0;
        }
        if (app == 0 && tables == 0) {
            if (!mayBeEmpty) {
                throw new JournalException("journal " + file + " is empty: no fit has written to it yet (a fit stopped"
                        + " while it started leaves such a file, and a fit started again on it begins there)");
            }
            return 0;
        }
        if (app == 0 && version == 0 && hasTables(conn, "runs", "evaluations")) {
            // sqlite3's .dump copies the tables but not the marks: a journal salvaged as a damaged one's
            // message says, whose rows may have lost others they name
            throw new JournalException("file " + file + " holds a journal's tables without a journal's marks: a"
                    + " journal salvaged with sqlite3's .dump (or copied table by table), which sqlite3 and pandas"
                    + " read and chemfit does not, as rows of it may be lost that others name; start the fit again"
                    + " in a new output folder, or after moving this file away");
        }
        if (app != APPLICATION_ID) {
            throw new JournalException("file " + file + " is an SQLite database of another application (application_id "
                    + app + ", a ChemFit journal has " + APPLICATION_ID + "); it was left untouched");
        }
        if (version > VERSION) {
            throw new JournalException("journal " + file + " has schema version " + version
                    + ", written by a newer ChemFit; this version reads up to " + VERSION);
        }
        return Math.max(1, version);
    }

    /** @return whether the database has every one of these tables */
    private static boolean hasTables(Connection conn, String... names) throws SQLException {
        for (String name : names) {
            try (java.sql.PreparedStatement s =
                    conn.prepareStatement("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?")) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next() || rs.getLong(1) == 0) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * Creates the tables of an empty database, or brings an older journal to {@link #VERSION} one
     * step at a time, each step in a transaction of its own.
     *
     * @param version what {@link #identify} returned
     */
    static void prepare(Connection conn, Path file, int version) throws SQLException {
        if (version == 0) {
            create(conn);
            return;
        }
        for (Migration m : MIGRATIONS) {
            if (m.from() >= version) {
                migrate(conn, file, m);
            }
        }
    }

    private static void create(Connection conn) throws SQLException {
        inTransaction(conn, s -> {
            for (String sql : CREATE.split(";")) {
                if (!sql.isBlank()) {
                    s.execute(sql);
                }
            }
            s.execute(PACKS);
            s.execute(PACKS_INDEX);
            s.execute("PRAGMA application_id = " + APPLICATION_ID);
            s.execute("PRAGMA user_version = " + VERSION);
        });
    }

    private static void migrate(Connection conn, Path file, Migration m) throws SQLException {
        inTransaction(conn, s -> {
            // read again inside the transaction: another process may have migrated it meanwhile
            if (pragmaInt(conn, "user_version") == m.from()) {
                for (String sql : m.statements()) {
                    s.execute(sql);
                }
                s.execute("PRAGMA user_version = " + m.to());
                LOG.info(
                        "journal {}: schema version {} brought to {} ({}; rows kept)",
                        file,
                        m.from(),
                        m.to(),
                        m.name());
            }
        });
    }

    /** Statements run in one transaction. */
    @FunctionalInterface
    private interface Step {
        void run(Statement s) throws SQLException;
    }

    private static void inTransaction(Connection conn, Step step) throws SQLException {
        conn.setAutoCommit(false);
        try (Statement s = conn.createStatement()) {
            step.run(s);
            conn.commit();
        } catch (SQLException | RuntimeException e) {
            conn.rollback();
            throw e;
        } finally {
            conn.setAutoCommit(true);
        }
    }

    static int pragmaInt(Connection conn, String name) throws SQLException {
        try (Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
