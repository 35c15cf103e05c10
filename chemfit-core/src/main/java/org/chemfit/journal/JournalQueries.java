package org.chemfit.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.chemfit.Quantities;
import org.chemfit.journal.read.BestPoint;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.RunRecord;
import org.chemfit.journal.read.TermRecord;
import org.jspecify.annotations.Nullable;

/**
 * The SQL of a journal: prepared once per connection, these statements insert and select runs,
 * attempts, evaluations and terms, and turn rows into records. What a row means (when it is
 * written, what a session promises) is the business of {@link SqliteJournal} and
 * {@link SqliteSession}; this class only knows the tables of {@link JournalSchema}, including those
 * of older versions (a column a file lacks reads as NULL).
 *
 * <pre>{@code
 * JournalQueries q = new JournalQueries(conn, JournalSchema.VERSION);
 * List<RunRecord> runs = q.runs(-1);
 * }</pre>
 *
 * @implNote Not thread-safe: the caller holds the journal's lock around every call.
 */
final class JournalQueries {

    /** A finished leaf term as it is written: one row of the terms table. */
    record TermRow(
            long runId,
            @Nullable Integer evaluationNumber,
            String evaluationId,
            String path,
            String name,
            String key,
            boolean failed,
            double value,
            byte @Nullable [] quantities,
            @Nullable String metadataJson,
            @Nullable String runDirectory,
            String host,
            @Nullable String worker,
            @Nullable String failure,
            long startNanos,
            long endNanos,
            int attempt) {}

    /** A finished evaluation as it is written: one row of the evaluations table. */
    record EvaluationRow(
            long runId,
            int number,
            String evaluationId,
            boolean failed,
            String parametersJson,
            String key,
            double loss,
            double toldLoss,
            @Nullable String replay,
            @Nullable String treeJson,
            @Nullable String failure,
            long startNanos,
            long endNanos,
            int attempt,
            byte @Nullable [] quantities,
            int tree,
            boolean degraded) {

        /** @return the row of an evaluation whose tree and fast terms are in its record ({@link EvaluationPack}) */
        @SuppressWarnings("TooManyParameters") // what the row holds beside its record
        static EvaluationRow ofRecord(
                long runId,
                int number,
                String evaluationId,
                boolean failed,
                String parametersJson,
                String key,
                double loss,
                double toldLoss,
                @Nullable String failure,
                long startNanos,
                long endNanos,
                int attempt,
                byte @Nullable [] quantities,
                boolean degraded) {
            return new EvaluationRow(
                    runId,
                    number,
                    evaluationId,
                    failed,
                    parametersJson,
                    key,
                    loss,
                    toldLoss,
                    "terms",
                    null,
                    failure,
                    startNanos,
                    endNanos,
                    attempt,
                    quantities,
                    TREE_IN_RECORD,
                    degraded);
        }
    }

    /** {@code tree_terms_apart}: the tree is {@code tree_json} as it is. */
    static final int TREE_WHOLE = 0;
    /** {@code tree_terms_apart}: {@code tree_json} leaves the quantities of recorded terms to their rows. */
    static final int TREE_APART = 1;
    /** {@code tree_terms_apart}: the tree is in the evaluation's record in {@code term_packs} ({@link EvaluationPack}). */
    static final int TREE_IN_RECORD = 2;

    private static final String EVALUATION_COLUMNS = "run_id, number, evaluation_id, state, parameters_json, loss_bits,"
            + " told_loss, quantities_json, tree_json, failure, started_at, ended_at, seconds, host, attempt, %s, %s, %s";

    private final Connection conn;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    /** How many terms were decoded from packs and records so far (what a reader's work is counted in). */
    private long termsDecoded;
    /** The schema version of the file (older files are read through NULL for the newer columns). */
    private int schema;

    JournalQueries(Connection conn, int schema) {
        this.conn = conn;
        this.schema = schema;
    }

    /** @return how many terms were decoded from packs and records by this connection's queries */
    long termsDecoded() {
        return termsDecoded;
    }

    /** Called once a migration brought the file to a newer version. */
    void schema(int version) {
        this.schema = version;
    }

    /** @return how many prepared statements are kept: one per text of SQL, whatever values were bound */
    int statementsKept() {
        return statements.size();
    }

    /** @return the statement of this SQL, prepared once */
    PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement p = statements.get(sql);
        if (p == null) {
            p = conn.prepareStatement(sql);
            statements.put(sql, p);
        }
        return p;
    }

    /** Closes every prepared statement (the connection stays open). */
    void close() {
        for (PreparedStatement p : statements.values()) {
            try {
                p.close();
            } catch (SQLException ignored) {
                // closing
            }
        }
        statements.clear();
    }

    // ---- runs and attempts

    /** @param id a run id, or -1 for every run */
    List<RunRecord> runs(long id) throws SQLException {
        PreparedStatement p = statement("SELECT r.id, r.job_hash, r.settings_json, r.started_at, r.ended_at, r.status,"
                + " r.stop_reason, r.best_loss, r.evaluations,"
                + " (SELECT count(*) FROM attempts a WHERE a.run_id = r.id AND a.status <> 'REFUSED'),"
                + " r.software_version, r.host FROM runs r" + (id >= 0 ? " WHERE r.id = ?" : "") + " ORDER BY r.id");
        if (id >= 0) {
            p.setLong(1, id);
        }
        List<RunRecord> out = new ArrayList<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.add(new RunRecord(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        Objects.requireNonNull(instant(rs.getString(4)), "a run's start"),
                        instant(rs.getString(5)),
                        rs.getString(6),
                        rs.getString(7),
                        real(rs, 8),
                        rs.getInt(9),
                        rs.getInt(10),
                        rs.getString(11),
                        rs.getString(12)));
            }
        }
        return out;
    }

    /** @return the job hash and settings JSON of a run, or null when there is no such run */
    String @Nullable [] runHashAndSettings(long id) throws SQLException {
        PreparedStatement p = statement("SELECT job_hash, settings_json FROM runs WHERE id = ?");
        p.setLong(1, id);
        try (ResultSet rs = p.executeQuery()) {
            return rs.next() ? new String[] {rs.getString(1), rs.getString(2)} : null;
        }
    }

    /** Gives a run the settings it goes on with (the same but for a larger budget, or the same). */
    void updateSettings(long id, String hash, String settingsJson) throws SQLException {
        try (PreparedStatement u = conn.prepareStatement("UPDATE runs SET job_hash = ?, settings_json = ? WHERE id = ?"
                + " AND (job_hash IS NOT ? OR settings_json IS NOT ?)")) {
            u.setString(1, hash);
            u.setString(2, settingsJson);
            u.setLong(3, id);
            u.setString(4, hash);
            u.setString(5, settingsJson);
            u.executeUpdate();
        }
    }

    /** @return the latest run of a job hash, or -1 */
    long latestRunOf(String hash) throws SQLException {
        PreparedStatement p = statement("SELECT id FROM runs WHERE job_hash = ? ORDER BY id DESC LIMIT 1");
        p.setString(1, hash);
        try (ResultSet rs = p.executeQuery()) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    /** @return the latest run of any job, or 0 when there is none */
    long latestRunId() throws SQLException {
        try (Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery("SELECT max(id) FROM runs")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** @return "no run", "run 3" or "4 runs, 1 to 4" */
    String describeRuns() throws SQLException {
        try (Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), min(id), max(id) FROM runs")) {
            rs.next();
            long n = rs.getLong(1);
            return n == 0
                    ? "no run"
                    : n == 1 ? "run " + rs.getLong(2) : n + " runs, " + rs.getLong(2) + " to " + rs.getLong(3);
        }
    }

    /** @return the id of the new run */
    long insertRun(String hash, String settingsJson, String now) throws SQLException {
        try (PreparedStatement p =
                conn.prepareStatement("INSERT INTO runs (job_hash, settings_json, started_at, status,"
                        + " software_version, host) VALUES (?, ?, ?, 'RUNNING', ?, ?)")) {
            p.setString(1, hash);
            p.setString(2, settingsJson);
            p.setString(3, now);
            p.setString(4, SqliteJournal.VERSION);
            p.setString(5, SqliteJournal.HOST);
            p.executeUpdate();
        }
        // the connection does not fetch generated keys (a query after every insert): ask once
        try (Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery("SELECT last_insert_rowid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * @return the run's {@code ended_at, status, stop_reason, job_hash, settings_json}, for
     *     {@link #restoreRun}
     */
    @Nullable
    String[] runRow(long id) throws SQLException {
        try (PreparedStatement p = conn.prepareStatement(
                "SELECT ended_at, status, stop_reason, job_hash, settings_json FROM runs WHERE id = ?")) {
            p.setLong(1, id);
            try (ResultSet rs = p.executeQuery()) {
                @Nullable String[] out = new @Nullable String[5];
                if (rs.next()) {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = rs.getString(i + 1);
                    }
                }
                return out;
            }
        }
    }

    /**
     * Puts a run back as {@link #runRow} read it, and ends the attempt that reopened it as
     * REFUSED: the attempt refused to resume the run and recorded nothing of it.
     */
    void restoreRun(long runId, int attempt, String now, @Nullable String[] before) throws SQLException {
        try (PreparedStatement u = conn.prepareStatement("UPDATE runs SET ended_at = ?, status = ?, stop_reason = ?,"
                + " job_hash = coalesce(?, job_hash), settings_json = coalesce(?, settings_json) WHERE id = ?")) {
            u.setString(1, before[0]);
            u.setString(2, before[1] == null ? "FAILED" : before[1]);
            u.setString(3, before[2]);
            u.setString(4, before[3]);
            u.setString(5, before[4]);
            u.setLong(6, runId);
            u.executeUpdate();
        }
        // nor does it hide the rows of the attempts before it: a number it diverged at goes too
        try (PreparedStatement a = conn.prepareStatement("UPDATE attempts SET ended_at = ?, status = 'REFUSED'"
                + (schema >= 7 ? ", diverged_at = NULL" : "") + " WHERE run_id = ? AND attempt = ?")) {
            a.setString(1, now);
            a.setLong(2, runId);
            a.setInt(3, attempt);
            a.executeUpdate();
        }
        // the attempts that reopening marked INTERRUPTED (a killed attempt has no end): RUNNING again,
        // so that a killed run still reads as stopped without finishing, with its way to resume
        try (PreparedStatement a = conn.prepareStatement("UPDATE attempts SET status = 'RUNNING'"
                + " WHERE run_id = ? AND attempt <> ? AND status = 'INTERRUPTED' AND ended_at IS NULL")) {
            a.setLong(1, runId);
            a.setInt(2, attempt);
            a.executeUpdate();
        }
    }

    /** Marks a run RUNNING again and the attempts cut off before INTERRUPTED; @return the next attempt's number */
    int reopenRun(long id) throws SQLException {
        int attempt;
        PreparedStatement p = statement("SELECT coalesce(max(attempt), 0) FROM attempts WHERE run_id = ?");
        p.setLong(1, id);
        try (ResultSet rs = p.executeQuery()) {
            rs.next();
            attempt = rs.getInt(1) + 1;
        }
        try (PreparedStatement u = conn.prepareStatement(
                "UPDATE attempts SET status = 'INTERRUPTED'" + " WHERE run_id = ? AND status = 'RUNNING'")) {
            u.setLong(1, id);
            u.executeUpdate();
        }
        try (PreparedStatement u = conn.prepareStatement(
                "UPDATE runs SET status = 'RUNNING', ended_at = NULL," + " stop_reason = NULL WHERE id = ?")) {
            u.setLong(1, id);
            u.executeUpdate();
        }
        return attempt;
    }

    void insertAttempt(long runId, int attempt, String now) throws SQLException {
        try (PreparedStatement p =
                conn.prepareStatement("INSERT INTO attempts (run_id, attempt, started_at, status, host,"
                        + " pid, software_version) VALUES (?, ?, ?, 'RUNNING', ?, ?, ?)")) {
            p.setLong(1, runId);
            p.setInt(2, attempt);
            p.setString(3, now);
            p.setString(4, SqliteJournal.HOST);
            p.setLong(5, ProcessHandle.current().pid());
            p.setString(6, SqliteJournal.VERSION);
            p.executeUpdate();
        }
    }

    List<Long> attemptProcessIds(long runId) throws SQLException {
        PreparedStatement p = statement("SELECT pid FROM attempts WHERE run_id = ? ORDER BY attempt");
        p.setLong(1, runId);
        return processIds(p);
    }

    /** @return the process ids of the run's attempts recorded on the given host */
    List<Long> attemptProcessIds(long runId, String host) throws SQLException {
        PreparedStatement p = statement("SELECT pid FROM attempts WHERE run_id = ? AND host = ? ORDER BY attempt");
        p.setLong(1, runId);
        p.setString(2, host);
        return processIds(p);
    }

    private static List<Long> processIds(PreparedStatement p) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    /**
     * @return the run of the attempt begun last (the last row written to attempts, refused ones left
     *     out), or empty when there is none
     */
    java.util.OptionalLong runOfNewestAttempt() throws SQLException {
        PreparedStatement p =
                statement("SELECT run_id FROM attempts WHERE status <> 'REFUSED' ORDER BY rowid DESC LIMIT 1");
        try (ResultSet rs = p.executeQuery()) {
            return rs.next() ? java.util.OptionalLong.of(rs.getLong(1)) : java.util.OptionalLong.empty();
        }
    }

    /** @return the host and pid of the latest attempt of a run that has not ended, if any */
    Optional<String[]> openAttempt(long runId) throws SQLException {
        PreparedStatement p = statement("SELECT host, pid FROM attempts WHERE run_id = ? AND ended_at IS NULL"
                + " AND attempt = (SELECT MAX(attempt) FROM attempts WHERE run_id = ? AND status <> 'REFUSED')");
        p.setLong(1, runId);
        p.setLong(2, runId);
        try (ResultSet rs = p.executeQuery()) {
            return rs.next()
                    ? Optional.of(new String[] {rs.getString(1), Long.toString(rs.getLong(2))})
                    : Optional.empty();
        }
    }

    /** Records the end of a run and of its attempt. */
    void endRun(
            long runId,
            int attempt,
            String now,
            String status,
            String stopReason,
            double bestLoss,
            int evaluations,
            long replayed,
            long computed)
            throws SQLException {
        // once an attempt of the run left the recorded path (this one or an earlier one), the rows
        // an earlier attempt recorded past it are of the path it left: the run counts its own
        // evaluations, or the rows that still count when they are more (a killed attempt's path
        // that this one replayed only in part)
        PreparedStatement p = statement("UPDATE runs SET ended_at = ?, status = ?, stop_reason = ?,"
                + " best_loss = coalesce(?, best_loss), evaluations = CASE WHEN ? >= 0 AND EXISTS (SELECT 1"
                + " FROM attempts WHERE run_id = ? AND diverged_at IS NOT NULL) THEN max(?, (SELECT count(*)"
                + " FROM evaluations WHERE run_id = ?" + current("evaluations", "number", true) + "))"
                + " ELSE max(?, evaluations) END WHERE id = ?");
        p.setString(1, now);
        p.setString(2, status);
        p.setString(3, stopReason);
        setReal(p, 4, bestLoss);
        p.setInt(5, evaluations);
        p.setLong(6, runId);
        p.setInt(7, evaluations);
        p.setLong(8, runId);
        p.setInt(9, evaluations);
        p.setLong(10, runId);
        p.executeUpdate();
        PreparedStatement a = statement("UPDATE attempts SET ended_at = ?, status = ?, replayed = ?,"
                + " computed = ? WHERE run_id = ? AND attempt = ?");
        a.setString(1, now);
        a.setString(2, status);
        a.setLong(3, replayed);
        a.setLong(4, computed);
        a.setLong(5, runId);
        a.setInt(6, attempt);
        a.executeUpdate();
    }

    /**
     * Records the number from which an attempt asked for other parameters than its run recorded;
     * the first such number stays.
     */
    void markDiverged(long runId, int attempt, int number) throws SQLException {
        PreparedStatement p = statement(
                "UPDATE attempts SET diverged_at = ? WHERE run_id = ? AND attempt = ? AND diverged_at IS NULL");
        p.setInt(1, number);
        p.setLong(2, runId);
        p.setInt(3, attempt);
        p.executeUpdate();
    }

    /** @return attempt to the evaluation number it diverged at, of each attempt of a run that diverged */
    Map<Integer, Integer> divergedAttempts(long runId) throws SQLException {
        Map<Integer, Integer> out = new java.util.TreeMap<>();
        if (schema < 7) {
            // a file read as it is may have been brought to a newer version by a fit since it was
            // opened: its rows are then read by that version's columns
            int now = JournalSchema.pragmaInt(conn, "user_version");
            if (now < 7 || now > JournalSchema.VERSION) {
                return out;
            }
            schema = now;
        }
        PreparedStatement p = statement(
                "SELECT attempt, diverged_at FROM attempts WHERE run_id = ? AND diverged_at IS NOT NULL ORDER BY attempt");
        p.setLong(1, runId);
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getInt(1), rs.getInt(2));
            }
        }
        return out;
    }

    /**
     * @param table the table whose rows are read ({@code evaluations}, {@code terms} or
     *     {@code term_packs})
     * @param number its column of the evaluation number
     * @return a condition (" AND ...") that leaves out the rows of an earlier attempt from the
     *     number at which a later attempt of the run diverged on: they belong to a path the fit no
     *     longer follows (nothing before schema 7, which has no such record)
     * @param runId the run, whose diverged attempts are read first
     */
    private String current(String table, String number, long runId) throws SQLException {
        // nearly every run has no such attempt: its reads then go without the clause
        return current(table, number, !divergedAttempts(runId).isEmpty());
    }

    /**
     * @param table the table whose rows are read
     * @param number its column of the evaluation number
     * @param any whether an attempt of the run diverged ({@link #divergedAttempts})
     * @return {@link #current(String, String, long)}'s condition, nothing when none diverged
     */
    private String current(String table, String number, boolean any) {
        return schema >= 7 && any
                ? " AND NOT EXISTS (SELECT 1 FROM attempts x WHERE x.run_id = %1$s.run_id AND x.attempt > %1$s.attempt AND x.diverged_at <= %1$s.%2$s)"
                        .formatted(table, number)
                : "";
    }

    // ---- evaluations

    /**
     * @return evaluation number to {state, parameter key, degraded ("1" when it was), the loss's
     *     bits or null} of every evaluation of a run
     */
    Map<Integer, String[]> evaluationStates(long runId) throws SQLException {
        Map<Integer, String[]> out = new HashMap<>();
        try (PreparedStatement q = conn.prepareStatement(
                "SELECT number, state, parameter_key, degraded, loss_bits FROM evaluations WHERE run_id = ?"
                        + current("evaluations", "number", runId))) {
            q.setLong(1, runId);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    long degraded = rs.getLong(4);
                    String d = rs.wasNull() ? null : Long.toString(degraded);
                    long bits = rs.getLong(5);
                    String b = rs.wasNull() ? null : Long.toString(bits);
                    out.put(rs.getInt(1), new String[] {rs.getString(2), rs.getString(3), d, b});
                }
            }
        }
        return out;
    }

    /**
     * @return the parameter key of every evaluation of a run (a failed or cut off one may hold
     *     complete terms), rows of a path a later attempt left included
     */
    java.util.Set<String> recordedKeys(long runId) throws SQLException {
        java.util.Set<String> out = new java.util.HashSet<>();
        try (PreparedStatement q =
                conn.prepareStatement("SELECT DISTINCT parameter_key FROM evaluations WHERE run_id = ?")) {
            q.setLong(1, runId);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /**
     * Records evaluations as RUNNING (a row of an earlier attempt with the same number is reset).
     *
     * @param rows {number, evaluation id, parameters JSON, parameter key} each
     */
    void insertRunning(long runId, int attempt, String started, List<Object[]> rows) throws SQLException {
        PreparedStatement p = statement("INSERT INTO evaluations (run_id, number, evaluation_id, state,"
                + " parameters_json, parameter_key, started_at, host, attempt) VALUES (?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?)"
                + " ON CONFLICT (run_id, number) DO UPDATE SET evaluation_id = excluded.evaluation_id,"
                + " state = 'RUNNING', parameters_json = excluded.parameters_json,"
                + " parameter_key = excluded.parameter_key, loss = NULL, loss_bits = NULL, told_loss = NULL,"
                + " replay = NULL, quantities_json = NULL, tree_json = NULL, failure = NULL,"
                + " quantities_blob = NULL, tree_terms_apart = NULL, degraded = NULL,"
                + " started_at = excluded.started_at, ended_at = NULL, seconds = NULL, host = excluded.host,"
                + " attempt = excluded.attempt");
        for (Object[] row : rows) {
            p.setLong(1, runId);
            p.setInt(2, (Integer) row[0]);
            p.setString(3, (String) row[1]);
            p.setString(4, (String) row[2]);
            p.setString(5, (String) row[3]);
            p.setString(6, started);
            p.setString(7, SqliteJournal.HOST);
            p.setInt(8, attempt);
            p.executeUpdate();
        }
    }

    /**
     * Records a finished evaluation, replacing its RUNNING row (its start time is kept) or the row an
     * earlier attempt recorded for it (an evaluation whose failed terms ran again on resume): that
     * row's times and attempt are all replaced, so that the row describes the attempt that wrote it.
     */
    void upsertEvaluation(EvaluationRow e) throws SQLException {
        PreparedStatement p = statement("INSERT INTO evaluations (run_id, number, evaluation_id, state,"
                + " parameters_json, parameter_key, loss, loss_bits, told_loss, replay, quantities_json, tree_json,"
                + " failure, started_at, ended_at, seconds, host, attempt, quantities_blob, tree_terms_apart, degraded)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (run_id, number) DO UPDATE SET evaluation_id = excluded.evaluation_id,"
                + " state = excluded.state, parameters_json = excluded.parameters_json,"
                + " parameter_key = excluded.parameter_key, loss = excluded.loss, loss_bits = excluded.loss_bits,"
                + " told_loss = excluded.told_loss, replay = excluded.replay,"
                + " quantities_json = excluded.quantities_json, tree_json = excluded.tree_json,"
                + " failure = excluded.failure, started_at = CASE WHEN evaluations.attempt ="
                + " excluded.attempt THEN coalesce(evaluations.started_at, excluded.started_at)"
                + " ELSE excluded.started_at END,"
                + " ended_at = excluded.ended_at, seconds = excluded.seconds, host = excluded.host,"
                + " attempt = excluded.attempt, quantities_blob = excluded.quantities_blob,"
                + " tree_terms_apart = excluded.tree_terms_apart, degraded = excluded.degraded");
        p.setLong(1, e.runId());
        p.setInt(2, e.number());
        p.setString(3, e.evaluationId());
        p.setString(4, e.failed() ? "FAILED" : "COMPLETE");
        p.setString(5, e.parametersJson());
        p.setString(6, e.key());
        setReal(p, 7, e.failed() ? Double.NaN : e.loss());
        if (e.failed()) {
            p.setNull(8, Types.INTEGER);
        } else {
            p.setLong(8, Double.doubleToRawLongBits(e.loss()));
        }
        setReal(p, 9, e.failed() ? Double.NaN : e.toldLoss());
        p.setString(10, e.replay());
        p.setString(11, e.treeJson());
        p.setString(12, e.failure());
        p.setString(13, SqliteJournal.time(e.startNanos()));
        p.setString(14, SqliteJournal.time(e.endNanos()));
        p.setDouble(15, (e.endNanos() - e.startNanos()) / 1e9);
        p.setString(16, SqliteJournal.HOST);
        p.setInt(17, e.attempt());
        p.setBytes(18, e.quantities());
        if (e.tree() != TREE_WHOLE) {
            p.setInt(19, e.tree());
        } else {
            p.setNull(19, Types.INTEGER);
        }
        p.setInt(20, e.degraded() ? 1 : 0);
        p.executeUpdate();
    }

    /**
     * @return the columns of an evaluation record, NULL for those a schema-1 file lacks; whether a
     *     term failed is read from the tree in a file older than schema 4
     */
    private String evaluationColumns() {
        return schema >= 2
                ? EVALUATION_COLUMNS.formatted("quantities_blob", "tree_terms_apart", degradedColumn())
                : EVALUATION_COLUMNS.formatted("NULL", "NULL", degradedColumn());
    }

    /** @return the column that says whether a term failed, or its value from the tree before schema 4 */
    private String degradedColumn() {
        return schema >= 4 ? "degraded" : JournalSchema.DEGRADED_FROM_TREE;
    }

    /** @return the column of binary quantities, or NULL in a schema-1 file */
    private String blobColumn(String prefix) {
        return schema >= 2 ? prefix + "quantities_blob" : "NULL";
    }

    /** @return every evaluation of a run, in number order */
    List<EvaluationRecord> evaluations(long runId) throws SQLException {
        return queryEvaluations(
                "SELECT " + evaluationColumns() + " FROM evaluations WHERE run_id = ?"
                        + current("evaluations", "number", runId) + " ORDER BY number",
                runId,
                false);
    }

    /**
     * @return up to limit evaluations of a run from a number on; the trees are read of these
     *     evaluations only, not of the whole run
     */
    List<EvaluationRecord> evaluations(long runId, int fromNumber, int limit) throws SQLException {
        return queryEvaluations(
                "SELECT " + evaluationColumns() + " FROM evaluations WHERE run_id = ? AND number >= ?"
                        + current("evaluations", "number", runId) + " ORDER BY number LIMIT ?",
                runId,
                true,
                fromNumber,
                limit);
    }

    /**
     * @return up to limit evaluations of a run from a number on, without their trees and
     *     quantities (read as empty): only the evaluations table's row of each, no record decoded
     */
    List<EvaluationRecord> evaluationRows(long runId, int fromNumber, int limit) throws SQLException {
        String columns = EVALUATION_COLUMNS
                .formatted("NULL", "NULL", degradedColumn())
                .replace("quantities_json, tree_json,", "NULL, NULL,");
        return queryEvaluations(
                "SELECT " + columns + " FROM evaluations WHERE run_id = ? AND number >= ?"
                        + current("evaluations", "number", runId) + " ORDER BY number LIMIT ?",
                runId,
                false,
                fromNumber,
                limit);
    }

    /**
     * @return the best evaluation by the rule of {@link BestPoint} (the best complete one with a
     *     finite loss and no failed term, else the best with a failed term), if any; only the
     *     columns the rule needs are read for every evaluation, then the record of the best
     */
    List<EvaluationRecord> best(long runId) throws SQLException {
        PreparedStatement p = statement("SELECT number, state, loss_bits, " + degradedColumn()
                + " FROM evaluations WHERE run_id = ? AND state = 'COMPLETE'" + current("evaluations", "number", runId)
                + " ORDER BY number");
        p.setLong(1, runId);
        BestPoint<Integer> best = new BestPoint<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                double loss = bits(rs, 3);
                best.offer(rs.getInt(1), BestPoint.kind(true, loss, rs.getInt(4) == 1), loss);
            }
        }
        Integer number = best.best();
        if (number == null) {
            return List.of();
        }
        return queryEvaluations(
                "SELECT " + evaluationColumns() + " FROM evaluations WHERE run_id = ? AND number = ?",
                runId,
                false,
                number);
    }

    Map<EvaluationRecord.State, Integer> evaluationCounts(long runId) throws SQLException {
        Map<EvaluationRecord.State, Integer> counts = new EnumMap<>(EvaluationRecord.State.class);
        for (EvaluationRecord.State st : EvaluationRecord.State.values()) {
            counts.put(st, 0);
        }
        PreparedStatement p = statement("SELECT state, count(*) FROM evaluations WHERE run_id = ?"
                + current("evaluations", "number", runId) + " GROUP BY state");
        p.setLong(1, runId);
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                counts.put(EvaluationRecord.State.valueOf(rs.getString(1)), rs.getInt(2));
            }
        }
        return counts;
    }

    /**
     * @param page whether the query reads a page of the run's evaluations (their trees are then
     *     read of the page's numbers only), else all of them or a single one
     */
    private List<EvaluationRecord> queryEvaluations(String sql, long runId, boolean page, long... more)
            throws SQLException {
        // every value is bound, none written into the text: a statement is kept per text (statement)
        PreparedStatement p = statement(sql);
        p.setLong(1, runId);
        for (int i = 0; i < more.length; i++) {
            p.setLong(2 + i, more[i]);
        }
        List<EvaluationRecord> out = new ArrayList<>();
        List<Integer> apart = new ArrayList<>();
        List<Integer> inRecord = new ArrayList<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                int tree = rs.getInt(17);
                if (tree == TREE_APART || tree == TREE_IN_RECORD) {
                    apart.add(out.size());
                }
                if (tree == TREE_IN_RECORD) {
                    inRecord.add(out.size());
                }
                out.add(new EvaluationRecord(
                        rs.getLong(1),
                        rs.getInt(2),
                        rs.getString(3),
                        EvaluationRecord.State.valueOf(rs.getString(4)),
                        JsonCodec.readParameters(rs.getString(5)),
                        bits(rs, 6),
                        real(rs, 7),
                        SqliteJournal.quantities(rs.getBytes(16), rs.getString(8)),
                        rs.getString(9),
                        rs.getString(10),
                        instant(rs.getString(11)),
                        instant(rs.getString(12)),
                        real(rs, 13),
                        rs.getString(14),
                        rs.getInt(15),
                        rs.getInt(18) == 1));
            }
        }
        // the numbers the records read cover: a page's own, else the whole run's (-1)
        int lo = page && !out.isEmpty() ? out.get(0).number() : -1;
        int hi = page && !out.isEmpty() ? out.get(out.size() - 1).number() : -1;
        // trees kept in records: those of all the evaluations read at once when there are many
        Map<Integer, String> trees = inRecord.size() > 8 ? recordTrees(runId, lo, hi) : null;
        for (int i : inRecord) {
            EvaluationRecord e = out.get(i);
            String tree = (trees != null ? trees : recordTrees(runId, e.number(), e.number())).get(e.number());
            out.set(i, withTree(e, tree != null ? tree : e.treeJson()));
        }
        // many trees: the quantities of their terms in one query; a few: per evaluation
        Map<Integer, Map<String, Quantities>> all = apart.size() > 8 ? termQuantities(runId, lo, hi) : null;
        for (int i : apart) {
            EvaluationRecord e = out.get(i);
            Map<String, Quantities> byPath = (all != null ? all : termQuantities(runId, e.number(), e.number()))
                    .getOrDefault(e.number(), Map.of());
            out.set(i, withTree(e, JsonCodec.withTermQuantities(e.treeJson(), byPath)));
        }
        return out;
    }

    private static EvaluationRecord withTree(EvaluationRecord e, String treeJson) {
        return new EvaluationRecord(
                e.runId(),
                e.number(),
                e.evaluationId(),
                e.state(),
                e.parameters(),
                e.loss(),
                e.toldLoss(),
                e.quantities(),
                treeJson,
                e.failure(),
                e.started(),
                e.ended(),
                e.seconds(),
                e.host(),
                e.attempt(),
                e.degraded());
    }

    /**
     * The quantities of recorded terms, to put back into the evaluation trees that leave them to
     * the terms table (so that they are written once): a record reads as it did before. The last
     * row of a path wins (a failed term run again).
     *
     * @param from the lowest evaluation number, or -1 for every evaluation of the run
     * @param to the highest evaluation number (unless from is -1)
     * @return evaluation number to term path to quantities
     */
    private Map<Integer, Map<String, Quantities>> termQuantities(long runId, int from, int to) throws SQLException {
        Map<Integer, Map<String, Quantities>> out = new HashMap<>();
        for (TermRecord t : terms(runId, from, to, -1, 0, true)) {
            if (t.evaluationNumber() >= 0) {
                out.computeIfAbsent(t.evaluationNumber(), k -> new HashMap<>()).put(t.path(), t.quantities());
            }
        }
        return out;
    }

    // ---- terms

    private static final String INSERT_TERM = "INSERT INTO terms (run_id, evaluation_number, evaluation_id,"
            + " term_path, term_name, parameter_key, state, value, value_bits, quantities_blob, metadata_json,"
            + " run_directory, host, worker, failure, started_at, ended_at, seconds, attempt, id)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /**
     * @return the id the next term gets: ids are given by the one writer of the journal, so that a
     *     pack of terms holds a range of them (the terms table and the packs share one sequence)
     */
    long nextTermId() throws SQLException {
        try (Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery("SELECT max(coalesce((SELECT max(id) FROM terms), 0),"
                        + " coalesce((SELECT max(last_id) FROM term_packs), 0),"
                        + " coalesce((SELECT max(first_id) FROM term_packs), 0)) + 1")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Records a finished leaf term as a row of its own, with the id given. */
    void insertTerm(TermRow t, long id) throws SQLException {
        PreparedStatement p = statement(INSERT_TERM);
        p.setLong(1, t.runId());
        if (t.evaluationNumber() == null) {
            p.setNull(2, Types.INTEGER);
        } else {
            p.setInt(2, t.evaluationNumber());
        }
        p.setString(3, t.evaluationId());
        p.setString(4, t.path());
        p.setString(5, t.name());
        p.setString(6, t.key());
        p.setString(7, t.failed() ? "FAILED" : "COMPLETE");
        setReal(p, 8, t.value());
        if (t.failed()) {
            p.setNull(9, Types.INTEGER);
        } else {
            p.setLong(9, Double.doubleToRawLongBits(t.value()));
        }
        p.setBytes(10, t.quantities());
        p.setString(11, t.metadataJson());
        p.setString(12, t.runDirectory());
        p.setString(13, t.host());
        p.setString(14, t.worker());
        p.setString(15, t.failure());
        p.setString(16, SqliteJournal.time(t.startNanos()));
        p.setString(17, SqliteJournal.time(t.endNanos()));
        p.setDouble(18, (t.endNanos() - t.startNanos()) / 1e9);
        p.setInt(19, t.attempt());
        p.setLong(20, id);
        p.executeUpdate();
    }

    /**
     * Records the finished leaf terms of one evaluation as one row of {@code term_packs}, holding
     * the ids from firstId on.
     */
    void insertPack(long firstId, List<TermRow> rows) throws SQLException {
        TermRow first = rows.get(0);
        PreparedStatement p = statement("INSERT INTO term_packs (first_id, last_id, run_id, evaluation_number,"
                + " evaluation_id, parameter_key, attempt, terms_blob) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        p.setLong(1, firstId);
        p.setLong(2, firstId + rows.size() - 1);
        p.setLong(3, first.runId());
        p.setInt(4, Objects.requireNonNull(first.evaluationNumber(), "a packed term belongs to an evaluation"));
        p.setString(5, first.evaluationId());
        p.setString(6, first.key());
        p.setInt(7, first.attempt());
        p.setBytes(8, TermPack.encode(rows, first.key()));
        p.executeUpdate();
    }

    /**
     * Records a finished evaluation and its record ({@link EvaluationPack}): the evaluation's row
     * and one row of {@code term_packs} holding the ids from firstId on.
     *
     * @param terms how many leaf terms the record holds; a record of none still takes firstId
     *     (the key of its row), and its last_id is firstId - 1
     */
    void insertRecord(EvaluationRow e, long firstId, int terms, byte[] record) throws SQLException {
        upsertEvaluation(e);
        PreparedStatement p = statement("INSERT INTO term_packs (first_id, last_id, run_id, evaluation_number,"
                + " evaluation_id, parameter_key, attempt, terms_blob) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        p.setLong(1, firstId);
        p.setLong(2, firstId + terms - 1);
        p.setLong(3, e.runId());
        p.setInt(4, e.number());
        p.setString(5, e.evaluationId());
        p.setString(6, e.key());
        p.setInt(7, e.attempt());
        p.setBytes(8, record);
        p.executeUpdate();
    }

    /** @return whether the journal holds the record of this evaluation of this attempt */
    boolean recordExists(long runId, int number, int attempt) throws SQLException {
        PreparedStatement p = statement("SELECT 1 FROM term_packs WHERE run_id = ? AND evaluation_number = ?"
                + " AND attempt = ? AND substr(terms_blob, 1, 3) = X'434645' LIMIT 1");
        p.setLong(1, runId);
        p.setInt(2, number);
        p.setInt(3, attempt);
        try (ResultSet rs = p.executeQuery()) {
            return rs.next();
        }
    }

    /** @return whether the journal holds a run of this id */
    boolean runExists(long runId) throws SQLException {
        PreparedStatement p = statement("SELECT 1 FROM runs WHERE id = ?");
        p.setLong(1, runId);
        try (ResultSet rs = p.executeQuery()) {
            return rs.next();
        }
    }

    /**
     * The trees of evaluations kept in their records, the latest record of each number.
     *
     * @param from the lowest evaluation number, or -1 for every evaluation of the run
     * @param to the highest evaluation number (unless from is -1)
     * @return evaluation number to its tree as JSON
     */
    private Map<Integer, String> recordTrees(long runId, int from, int to) throws SQLException {
        PreparedStatement p = statement("SELECT evaluation_number, attempt, parameter_key, terms_blob FROM term_packs"
                + " WHERE run_id = ?" + (from >= 0 ? " AND evaluation_number BETWEEN ? AND ?" : "")
                + " AND substr(terms_blob, 1, 3) = X'434645' ORDER BY first_id");
        p.setLong(1, runId);
        if (from >= 0) {
            p.setInt(2, from);
            p.setInt(3, to);
        }
        Map<Integer, byte[]> latest = new HashMap<>();
        Map<Integer, Object[]> of = new HashMap<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                latest.put(rs.getInt(1), rs.getBytes(4));
                of.put(rs.getInt(1), new Object[] {rs.getInt(2), rs.getString(3)});
            }
        }
        Map<Integer, String> out = new HashMap<>();
        for (Map.Entry<Integer, byte[]> e : latest.entrySet()) {
            Object[] o = Objects.requireNonNull(of.get(e.getKey()), "the record's row");
            EvaluationPack.Decoded d =
                    EvaluationPack.decode(e.getValue(), runId, e.getKey(), (Integer) o[0], (String) o[1]);
            termsDecoded += d.terms().size();
            out.put(e.getKey(), JsonCodec.write(d.tree()));
        }
        return out;
    }

    /**
     * The terms of a run in id order, from their own rows and from packs.
     *
     * @param evaluationNumber only those of this evaluation, or -1 for all
     * @param afterId only those with a larger id, or -1 for all
     * @param limit at most this many, or 0 for all
     */
    List<TermRecord> terms(long runId, int evaluationNumber, long afterId, int limit) throws SQLException {
        return terms(runId, evaluationNumber, evaluationNumber, afterId, limit, true);
    }

    /**
     * The terms of a run in id order, from their own rows and from packs; a pack is decoded only
     * while the terms read so far from packs are fewer than the limit (the packs after that hold
     * only larger ids).
     *
     * @param from only those of evaluations numbered from this, or -1 for all
     * @param to only those of evaluations numbered up to this (unless from is -1)
     * @param afterId only those with a larger id, or -1 for all
     * @param limit at most this many, or 0 for all
     * @param quantities whether their quantities are read (else they are read as empty)
     */
    @SuppressWarnings("TooManyParameters") // which terms, and what of them
    List<TermRecord> terms(long runId, int from, int to, long afterId, int limit, boolean quantities)
            throws SQLException {
        String where = (from >= 0 ? " AND evaluation_number BETWEEN ? AND ?" : "") + (afterId >= 0 ? " AND %s > ?" : "")
                + " ORDER BY %s" + (limit > 0 ? " LIMIT ?" : "");
        boolean diverged = !divergedAttempts(runId).isEmpty();
        // A page of all the run's terms after an id is read in the order of the rows' keys, from
        // that id on: "+run_id" keeps SQLite from taking the index by evaluation, which made it
        // sort every row of the run (blobs included) for each page, so that reading a journal page
        // by page took the square of its size.
        boolean byKey = from < 0 && afterId >= 0;
        String run = byKey ? "+run_id" : "run_id";
        String sql = "SELECT id, run_id, evaluation_number, term_path, term_name, state, value_bits,"
                + (quantities ? " quantities_json," : " NULL,")
                + " metadata_json, run_directory, host, worker, failure, started_at, ended_at, seconds, attempt, "
                + (quantities ? blobColumn("") : "NULL") + " FROM terms WHERE " + run + " = ?"
                + current("terms", "evaluation_number", diverged) + where.formatted("id", "id");
        PreparedStatement p = statement(sql);
        bindTermQuery(p, runId, -1, from, to, afterId, limit);
        List<TermRecord> out = new ArrayList<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                Object en = rs.getObject(3);
                out.add(new TermRecord(
                        rs.getLong(1),
                        rs.getLong(2),
                        en == null ? -1 : ((Number) en).intValue(),
                        rs.getString(4),
                        rs.getString(5),
                        EvaluationRecord.State.valueOf(rs.getString(6)),
                        bits(rs, 7),
                        SqliteJournal.quantities(rs.getBytes(18), rs.getString(8)),
                        rs.getString(9),
                        rs.getString(10),
                        rs.getString(11),
                        rs.getString(12),
                        rs.getString(13),
                        instant(rs.getString(14)),
                        instant(rs.getString(15)),
                        real(rs, 16),
                        rs.getInt(17)));
            }
        }
        if (schema < 3) {
            return out;
        }
        PreparedStatement q = statement("SELECT first_id, evaluation_number, parameter_key, attempt, terms_blob"
                // a record of no term (an evaluation whose terms were left out or taken apart) holds
                // none: counted against the limit, it would end a page before the terms rows after it
                + " FROM term_packs WHERE " + run + " = ? AND last_id >= first_id"
                + current("term_packs", "evaluation_number", diverged)
                // the packs' id ranges follow each other: those that end after the id are the one
                // holding the next id and those after it, found by key (the pack of the next id
                // being the last to begin at or before it)
                + (byKey
                        ? " AND first_id >= coalesce((SELECT max(first_id) FROM term_packs WHERE first_id <= ?), 0)"
                        : "")
                + where.formatted("last_id", "first_id"));
        bindTermQuery(q, runId, byKey ? afterId + 1 : -1, from, to, afterId, limit);
        boolean packed = false;
        int fromPacks = 0;
        try (ResultSet rs = q.executeQuery()) {
            while ((limit <= 0 || fromPacks < limit) && rs.next()) {
                List<TermPack.Term> pack = TermPack.decode(
                        rs.getBytes(5), rs.getLong(1), runId, rs.getInt(2), rs.getInt(4), rs.getString(3), quantities);
                termsDecoded += pack.size();
                for (TermPack.Term t : pack) {
                    if (t.record().id() > afterId) {
                        out.add(t.record());
                        packed = true;
                        fromPacks++;
                    }
                }
            }
        }
        if (packed) {
            out.sort(java.util.Comparator.comparingLong(TermRecord::id));
            if (limit > 0 && out.size() > limit) {
                out = new ArrayList<>(out.subList(0, limit));
            }
        }
        return out;
    }

    /**
     * @param bound the value of the placeholder right after the run's id in a page of packs read by
     *     key (the id whose pack is looked for), or -1 when the query has none
     */
    @SuppressWarnings("TooManyParameters") // the query's values, in their order
    private static void bindTermQuery(
            PreparedStatement p, long runId, long bound, int from, int to, long afterId, int limit)
            throws SQLException {
        int i = 1;
        p.setLong(i++, runId);
        if (bound >= 0) {
            p.setLong(i++, bound);
        }
        if (from >= 0) {
            p.setInt(i++, from);
            p.setInt(i++, to);
        }
        if (afterId >= 0) {
            p.setLong(i++, afterId);
        }
        if (limit > 0) {
            p.setInt(i, limit);
        }
    }

    // ---- values

    static void setReal(PreparedStatement p, int i, double d) throws SQLException {
        if (Double.isNaN(d)) {
            p.setNull(i, Types.REAL);
        } else {
            p.setDouble(i, d);
        }
    }

    static @Nullable Instant instant(@Nullable String s) {
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
}
