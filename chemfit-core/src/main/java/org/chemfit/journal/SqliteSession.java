package org.chemfit.journal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of one run of an {@link SqliteJournal}: records evaluations and leaf terms as they
 * start and finish, and replays what the run recorded before. Writes go through one
 * {@link GroupCommitWriter}: everything finished since the last commit shares the next one, and an
 * evaluation's record waits for its commit before {@link #evaluationFinished} returns.
 *
 * @implNote Thread-safe: every database access holds the journal's lock; the writer's thread
 *     takes it for each commit. No method waits for the writer while it holds the lock.
 */
final class SqliteSession implements Journal.Session {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteSession.class);
    private static final int MAX_CHANGES_SHOWN = 20;

    /** The lookup key of the parameters of one evaluation (its terms share the same object). */
    private record KeyOf(Parameters parameters, String key) {
    }

    /** What the run already holds for an evaluation number. */
    private record Existing(String state, String key) {
    }

    private final SqliteJournal journal;
    private final SqliteJournal.WriterLock writerLock;
    private final long runId;
    private final int attempt;
    private final boolean resumed;
    private final Map<Integer, Existing> existing;
    private final Map<String, Integer> numbers = new ConcurrentHashMap<>();
    private final Map<Integer, Long> evaluationStarts = new ConcurrentHashMap<>();
    private final Map<String, KeyOf> keys = new ConcurrentHashMap<>();
    /** Keys of the evaluations recorded before this attempt: only these can have terms to replay. */
    private final java.util.Set<String> keysBefore;
    /** How many evaluations of each key this attempt started: a repeat can replay the first. */
    private final Map<String, Integer> keysStarted = new ConcurrentHashMap<>();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong computed = new AtomicLong();
    private final GroupCommitWriter writer;
    /** Leaf terms of numbered evaluations recorded in the terms table and not yet in a tree. */
    private final java.util.Set<EvaluationContext> recorded = java.util.Collections.newSetFromMap(new ConcurrentHashMap<>());
    private volatile boolean ended;

    private SqliteSession(SqliteJournal journal, SqliteJournal.WriterLock writerLock, long runId, int attempt, boolean resumed,
            Map<Integer, Existing> existing) {
        this.journal = journal;
        this.writerLock = writerLock;
        this.runId = runId;
        this.attempt = attempt;
        this.resumed = resumed;
        this.existing = existing;
        this.keysBefore = new java.util.HashSet<>();
        existing.values().forEach(e -> keysBefore.add(e.key()));
        this.writer = new GroupCommitWriter(journal, "run " + runId);
    }

    /** Called under the journal's lock. */
    static SqliteSession begin(SqliteJournal j, SqliteJournal.WriterLock wl, Map<String, ?> settings, JournalMode mode) {
        String settingsJson = JsonCodec.write(settings);
        try {
            long resume = choose(j, settingsJson, mode);
            return resume < 0 ? newRun(j, wl, hashOf(settingsJson), settingsJson) : resumeRun(j, wl, resume);
        } catch (SQLException e) {
            throw j.failure("start a run", e);
        }
    }

    private static String hashOf(String settingsJson) {
        return JsonCodec.sha256(JsonCodec.canonical(JsonCodec.readMap(settingsJson)));
    }

    /**
     * Called under the journal's lock; writes nothing.
     *
     * @return the run to resume, or -1 for a new run
     * @throws JournalMismatchException when the run to resume has other settings
     */
    static long choose(SqliteJournal j, String settingsJson, JournalMode mode) throws SQLException {
        Object settingsTree = JsonCodec.readMap(settingsJson);
        String hash = hashOf(settingsJson);
        long resume = -1;
        switch (mode.kind()) {
            case RESTART -> resume = -1;
            case RESUME_RUN -> {
                String[] found = runHashAndSettings(j, mode.runId());
                if (found == null) {
                    throw new JournalException("journal " + j.path() + " has no run " + mode.runId() + "; it holds "
                            + describeRuns(j));
                }
                if (!found[0].equals(hash)) {
                    throw mismatch(j, mode.runId(), found, hash, settingsTree);
                }
                resume = mode.runId();
            }
            case RESUME_LATEST -> {
                PreparedStatement p = j.statement("SELECT id FROM runs WHERE job_hash = ? ORDER BY id DESC LIMIT 1");
                p.setString(1, hash);
                try (ResultSet rs = p.executeQuery()) {
                    if (rs.next()) {
                        resume = rs.getLong(1);
                    }
                }
                if (resume < 0) {
                    try (Statement s = j.conn.createStatement();
                            ResultSet rs = s.executeQuery("SELECT max(id) FROM runs")) {
                        long latest = rs.next() ? rs.getLong(1) : 0;
                        if (latest > 0) {
                            throw mismatch(j, latest, Objects.requireNonNull(runHashAndSettings(j, latest), "run " + latest),
                                    hash, settingsTree);
                        }
                    }
                }
            }
        }
        return resume;
    }

    private static String @Nullable [] runHashAndSettings(SqliteJournal j, long id) throws SQLException {
        PreparedStatement p = j.statement("SELECT job_hash, settings_json FROM runs WHERE id = ?");
        p.setLong(1, id);
        try (ResultSet rs = p.executeQuery()) {
            return rs.next() ? new String[] {rs.getString(1), rs.getString(2)} : null;
        }
    }

    private static String describeRuns(SqliteJournal j) throws SQLException {
        try (Statement s = j.conn.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), min(id), max(id) FROM runs")) {
            rs.next();
            long n = rs.getLong(1);
            return n == 0 ? "no run" : n == 1 ? "run " + rs.getLong(2) : n + " runs, " + rs.getLong(2) + " to " + rs.getLong(3);
        }
    }

    private static JournalMismatchException mismatch(SqliteJournal j, long runId, String[] recorded, String hash,
            Object settingsTree) {
        List<String> changes = diff(JsonCodec.readMap(recorded[1]), settingsTree);
        StringBuilder sb = new StringBuilder("journal ").append(j.path()).append(" holds run ").append(runId)
                .append(" of a different job (settings hash ").append(recorded[0], 0, 12).append(", this job ")
                .append(hash, 0, 12).append("), so it cannot be resumed: ");
        List<String> shown = changes.subList(0, Math.min(MAX_CHANGES_SHOWN, changes.size()));
        sb.append(String.join("; ", shown));
        if (changes.size() > shown.size()) {
            sb.append("; and ").append(changes.size() - shown.size()).append(" more changes");
        }
        sb.append(". Restart to begin a new run in this journal (chemfit fit --restart, or JournalMode.restart();"
                + " the earlier runs are kept), or write to another output folder.");
        return new JournalMismatchException(sb.toString(), runId, changes);
    }

    /** @return one line per changed, added or removed setting, in key order */
    static List<String> diff(Object before, Object after) {
        Map<String, Object> a = JsonCodec.flatten(before);
        Map<String, Object> b = JsonCodec.flatten(after);
        List<String> out = new ArrayList<>();
        java.util.TreeSet<String> keys = new java.util.TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        for (String k : keys) {
            boolean inA = a.containsKey(k);
            boolean inB = b.containsKey(k);
            if (inA && inB) {
                if (!java.util.Objects.equals(normal(a.get(k)), normal(b.get(k)))) {
                    out.add("changed " + k + ": " + show(a.get(k)) + " -> " + show(b.get(k)));
                }
            } else if (inB) {
                out.add("added " + k + " = " + show(b.get(k)));
            } else {
                out.add("removed " + k + " (was " + show(a.get(k)) + ")");
            }
        }
        if (out.isEmpty()) {
            out.add("the settings are equal but were written in another form (key order or number format)");
        }
        return out;
    }

    private static @Nullable Object normal(@Nullable Object v) {
        return v instanceof Number n ? (Object) n.doubleValue() : v;
    }

    private static String show(@Nullable Object v) {
        if (v instanceof String s) {
            return "\"" + JsonCodec.abbreviate(s, 60) + "\"";
        }
        return JsonCodec.abbreviate(String.valueOf(v), 60);
    }

    private static SqliteSession newRun(SqliteJournal j, SqliteJournal.WriterLock wl, String hash, String settingsJson)
            throws SQLException {
        String now = SqliteJournal.now();
        return Objects.requireNonNull(j.inTransaction(() -> {
            long id;
            try (PreparedStatement p = j.conn.prepareStatement("INSERT INTO runs (job_hash, settings_json, started_at, status,"
                    + " software_version, host) VALUES (?, ?, ?, 'RUNNING', ?, ?)")) {
                p.setString(1, hash);
                p.setString(2, settingsJson);
                p.setString(3, now);
                p.setString(4, SqliteJournal.VERSION);
                p.setString(5, SqliteJournal.HOST);
                p.executeUpdate();
            }
            // the connection does not fetch generated keys (a query after every insert): ask once
            try (Statement s = j.conn.createStatement(); ResultSet rs = s.executeQuery("SELECT last_insert_rowid()")) {
                rs.next();
                id = rs.getLong(1);
            }
            insertAttempt(j, id, 1, now);
            LOG.info("journal {}: started run {}", j.path(), id);
            return new SqliteSession(j, wl, id, 1, false, new HashMap<>());
        }), "the new session");
    }

    private static SqliteSession resumeRun(SqliteJournal j, SqliteJournal.WriterLock wl, long id) throws SQLException {
        String now = SqliteJournal.now();
        return Objects.requireNonNull(j.inTransaction(() -> {
            int attempt;
            PreparedStatement p = j.statement("SELECT coalesce(max(attempt), 0) FROM attempts WHERE run_id = ?");
            p.setLong(1, id);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                attempt = rs.getInt(1) + 1;
            }
            try (PreparedStatement u = j.conn.prepareStatement("UPDATE attempts SET status = 'INTERRUPTED'"
                    + " WHERE run_id = ? AND status = 'RUNNING'")) {
                u.setLong(1, id);
                u.executeUpdate();
            }
            try (PreparedStatement u = j.conn.prepareStatement("UPDATE runs SET status = 'RUNNING', ended_at = NULL,"
                    + " stop_reason = NULL WHERE id = ?")) {
                u.setLong(1, id);
                u.executeUpdate();
            }
            insertAttempt(j, id, attempt, now);
            Map<Integer, Existing> existing = new HashMap<>();
            int running = 0;
            int complete = 0;
            try (PreparedStatement q = j.conn.prepareStatement("SELECT number, state, parameter_key FROM evaluations"
                    + " WHERE run_id = ?")) {
                q.setLong(1, id);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        existing.put(rs.getInt(1), new Existing(rs.getString(2), rs.getString(3)));
                        running += "RUNNING".equals(rs.getString(2)) ? 1 : 0;
                        complete += "COMPLETE".equals(rs.getString(2)) ? 1 : 0;
                    }
                }
            }
            LOG.info("journal {}: resuming run {} (attempt {}): {} complete evaluations to replay, {} cut off by the last"
                    + " attempt run again", j.path(), id, attempt, complete, running);
            return new SqliteSession(j, wl, id, attempt, true, existing);
        }), "the new session");
    }

    private static void insertAttempt(SqliteJournal j, long runId, int attempt, String now) throws SQLException {
        try (PreparedStatement p = j.conn.prepareStatement("INSERT INTO attempts (run_id, attempt, started_at, status, host,"
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

    @Override
    public long runId() {
        return runId;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public boolean resumed() {
        return resumed;
    }

    @Override
    public long replayed() {
        return replayed.get();
    }

    @Override
    public long computed() {
        return computed.get();
    }

    boolean isEnded() {
        return ended;
    }

    private void checkActive() {
        if (ended) {
            throw new JournalException("the journal session of run " + runId + " has ended");
        }
        journal.ensureOpen();
    }

    /** @return the key of the context's parameters, computed once per evaluation */
    // the cached key is reused only for the very Parameters object it was computed from
    @SuppressWarnings("ReferenceEquality")
    private String key(EvaluationContext ctx) {
        Parameters p = ctx.parameters();
        KeyOf k = keys.get(ctx.evaluationId());
        if (k != null && k.parameters() == p) {
            return k.key();
        }
        String key = JsonCodec.parameterKey(p);
        if (ctx.parent() == null) {
            keys.put(ctx.evaluationId(), new KeyOf(p, key));
        }
        return key;
    }

    @Override
    public boolean replay(int number, EvaluationContext ctx) {
        String key = key(ctx);
        synchronized (journal.lock) {
            checkActive();
            try {
                PreparedStatement p = journal.statement("SELECT loss_bits, quantities_json, tree_json, quantities_blob"
                        + " FROM evaluations"
                        + " WHERE run_id = ? AND parameter_key = ? AND state = 'COMPLETE' AND replay = 'evaluation'"
                        + " ORDER BY number = ? DESC, number DESC LIMIT 1");
                p.setLong(1, runId);
                p.setString(2, key);
                p.setInt(3, number);
                try (ResultSet rs = p.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                    long bits = rs.getLong(1);
                    double loss = rs.wasNull() ? Double.NaN : Double.longBitsToDouble(bits);
                    byte[] blob = rs.getBytes(4);
                    String q = rs.getString(2);
                    if (blob != null || q != null) {
                        ctx.setQuantities(SqliteJournal.quantities(blob, q));
                    }
                    Object meta = JsonCodec.readMap(rs.getString(3)).get("metadata");
                    if (meta instanceof Map<?, ?> m) {
                        m.forEach((k, v) -> ctx.metadata().put(String.valueOf(k), v));
                    }
                    ctx.setLoss(loss);
                    ctx.setStatus(EvaluationContext.Status.REPLAYED);
                }
                numbers.put(ctx.evaluationId(), number);
                replayed.incrementAndGet();
                return true;
            } catch (SQLException e) {
                throw journal.failure("look up evaluation " + number, e);
            }
        }
    }

    @Override
    public void evaluationsStarted(int firstNumber, List<EvaluationContext> contexts) {
        long now = EvaluationContext.nowEpochNanos();
        List<Object[]> rows = new ArrayList<>(contexts.size());
        synchronized (journal.lock) {
            checkActive();
            for (int i = 0; i < contexts.size(); i++) {
                int number = firstNumber + i;
                EvaluationContext ctx = contexts.get(i);
                numbers.put(ctx.evaluationId(), number);
                evaluationStarts.put(number, now);
                String key = key(ctx);
                keysStarted.merge(key, 1, Integer::sum);
                Existing ex = existing.get(number);
                if (ex != null && ex.state().equals("COMPLETE") && ex.key().equals(key)) {
                    continue;
                }
                if (ex != null && ex.state().equals("COMPLETE")) {
                    LOG.warn("journal {}: run {} evaluation {} was recorded with other parameters; the resumed fit"
                            + " diverged from the recorded one (is the objective or the optimizer not deterministic?)",
                            journal.path(), runId, number);
                }
                existing.put(number, new Existing("RUNNING", key));
                rows.add(new Object[] {number, ctx.evaluationId(), JsonCodec.parameters(ctx.parameters()), key});
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        String started = SqliteJournal.time(now);
        writer.submit(() -> {
            PreparedStatement p = journal.statement("INSERT INTO evaluations (run_id, number, evaluation_id, state,"
                    + " parameters_json, parameter_key, started_at, host, attempt) VALUES (?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (run_id, number) DO UPDATE SET evaluation_id = excluded.evaluation_id,"
                    + " state = 'RUNNING', parameters_json = excluded.parameters_json,"
                    + " parameter_key = excluded.parameter_key, loss = NULL, loss_bits = NULL, told_loss = NULL,"
                    + " replay = NULL, quantities_json = NULL, tree_json = NULL, failure = NULL,"
                    + " quantities_blob = NULL, tree_terms_apart = NULL,"
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
        });
    }

    @Override
    public void evaluationFinished(int number, EvaluationContext ctx, double toldLoss) {
        long now = EvaluationContext.nowEpochNanos();
        boolean failed = ctx.status() == EvaluationContext.Status.FAILED;
        String key = key(ctx);
        Map<String, Object> treeMap = ctx.toMap(true);
        // the quantities of the terms recorded in the terms table are written there only
        boolean apart = leaveOutRecorded(ctx, treeMap);
        String tree = JsonCodec.write(treeMap);
        byte[] quantities = ctx.quantities().isEmpty() ? null : QuantityCodec.encode(ctx.quantities());
        String parameters = JsonCodec.parameters(ctx.parameters());
        String replay = ctx.children().isEmpty() ? "evaluation" : "terms";
        String failure = failed ? message(ctx.failure()) : null;
        double loss = ctx.loss();
        boolean write;
        Long start;
        synchronized (journal.lock) {
            checkActive();
            keys.remove(ctx.evaluationId());
            numbers.remove(ctx.evaluationId());
            start = evaluationStarts.remove(number);
            Existing ex = existing.get(number);
            // recorded by an earlier attempt and replayed now: nothing new to write
            write = !(ex != null && ex.state().equals("COMPLETE") && ex.key().equals(key) && !failed);
            if (write) {
                existing.put(number, new Existing(failed ? "FAILED" : "COMPLETE", key));
            }
        }
        if (write) {
            long s = start == null ? now : start;
            writer.submit(() -> {
                PreparedStatement p = journal.statement("INSERT INTO evaluations (run_id, number, evaluation_id, state,"
                        + " parameters_json, parameter_key, loss, loss_bits, told_loss, replay, quantities_json, tree_json,"
                        + " failure, started_at, ended_at, seconds, host, attempt, quantities_blob, tree_terms_apart)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (run_id, number) DO UPDATE SET evaluation_id = excluded.evaluation_id,"
                        + " state = excluded.state, parameters_json = excluded.parameters_json,"
                        + " parameter_key = excluded.parameter_key, loss = excluded.loss, loss_bits = excluded.loss_bits,"
                        + " told_loss = excluded.told_loss, replay = excluded.replay,"
                        + " quantities_json = excluded.quantities_json, tree_json = excluded.tree_json,"
                        + " failure = excluded.failure, started_at = coalesce(evaluations.started_at, excluded.started_at),"
                        + " ended_at = excluded.ended_at, seconds = excluded.seconds, host = excluded.host,"
                        + " attempt = excluded.attempt, quantities_blob = excluded.quantities_blob,"
                        + " tree_terms_apart = excluded.tree_terms_apart");
                p.setLong(1, runId);
                p.setInt(2, number);
                p.setString(3, ctx.evaluationId());
                p.setString(4, failed ? "FAILED" : "COMPLETE");
                p.setString(5, parameters);
                p.setString(6, key);
                setReal(p, 7, failed ? Double.NaN : loss);
                if (failed) {
                    p.setNull(8, Types.INTEGER);
                } else {
                    p.setLong(8, Double.doubleToRawLongBits(loss));
                }
                setReal(p, 9, failed ? Double.NaN : toldLoss);
                p.setString(10, replay);
                p.setString(11, tree);
                p.setString(12, failure);
                p.setString(13, SqliteJournal.time(s));
                p.setString(14, SqliteJournal.time(now));
                p.setDouble(15, (now - s) / 1e9);
                p.setString(16, SqliteJournal.HOST);
                p.setInt(17, attempt);
                p.setBytes(18, quantities);
                if (apart) {
                    p.setInt(19, 1);
                } else {
                    p.setNull(19, Types.INTEGER);
                }
                p.executeUpdate();
            });
        }
        // the terms of this evaluation and its own record are committed before the optimizer hears of it
        writer.flush();
    }

    /**
     * Replaces in an evaluation's tree the quantities of the leaf terms this session recorded in
     * the terms table by a mark ({@link JsonCodec#IN_TERMS}); {@link SqliteJournal#evaluations}
     * puts them back when reading.
     *
     * @return whether any were replaced
     */
    @SuppressWarnings("unchecked")
    private boolean leaveOutRecorded(EvaluationContext ctx, Map<String, Object> node) {
        List<EvaluationContext> children = ctx.children();
        if (children.isEmpty() || !(node.get("terms") instanceof List<?> maps) || maps.size() != children.size()) {
            return false;
        }
        boolean any = false;
        for (int i = 0; i < children.size(); i++) {
            EvaluationContext c = children.get(i);
            Map<String, Object> m = (Map<String, Object>) maps.get(i);
            if (c.children().isEmpty()) {
                if (recorded.remove(c) && m.containsKey("quantities")) {
                    m.put("quantities", JsonCodec.IN_TERMS + c.path()); // keeps its place in the node
                    any = true;
                }
            } else {
                any |= leaveOutRecorded(c, m);
            }
        }
        return any;
    }

    @Override
    public @Nullable Recorded lookup(EvaluationContext child) {
        String key = key(child);
        String path = child.path();
        Integer number = numbers.get(child.evaluationId());
        if (number != null && !keysBefore.contains(key) && keysStarted.getOrDefault(key, 0) <= 1) {
            // no evaluation of these parameters was recorded before this one: nothing to replay
            computed.incrementAndGet();
            return null;
        }
        writer.flush(); // an earlier evaluation of the same parameters in this attempt may still be queued
        synchronized (journal.lock) {
            checkActive();
            try {
                PreparedStatement q;
                if (number != null) {
                    // found through the evaluations of the same parameters (one index on the key, kept
                    // by the evaluations table), then the term by its path: one index less to write per
                    // term. CROSS JOIN keeps that order: SQLite would otherwise scan the run's terms first.
                    q = journal.statement("SELECT t.value_bits, t.quantities_json, t.metadata_json, t.quantities_blob"
                            + " FROM evaluations e CROSS JOIN terms t ON t.run_id = e.run_id AND t.evaluation_number = e.number"
                            + " AND t.term_path = ? WHERE e.run_id = ? AND e.parameter_key = ? AND t.term_name = ?"
                            + " AND t.parameter_key = ? AND t.state = 'COMPLETE' ORDER BY t.id DESC LIMIT 1");
                } else {
                    // a term evaluated outside a Fitter's numbered evaluations
                    q = journal.statement("SELECT value_bits, quantities_json, metadata_json, quantities_blob FROM terms"
                            + " WHERE term_path = ? AND run_id = ? AND evaluation_number IS NULL AND parameter_key = ?"
                            + " AND term_name = ? AND parameter_key = ? AND state = 'COMPLETE' ORDER BY id DESC LIMIT 1");
                }
                q.setString(1, path);
                q.setLong(2, runId);
                q.setString(3, key);
                q.setString(4, child.name());
                q.setString(5, key);
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next()) {
                        double value = Double.longBitsToDouble(rs.getLong(1));
                        String qj = rs.getString(2);
                        Map<String, Object> meta = JsonCodec.readMap(rs.getString(3));
                        replayed.incrementAndGet();
                        return new Recorded(value, SqliteJournal.quantities(rs.getBytes(4), qj), meta);
                    }
                }
                computed.incrementAndGet();
                return null;
            } catch (SQLException e) {
                throw journal.failure("look up term '" + child.name() + "' (" + path + ")", e);
            }
        }
    }

    @Override
    public void finished(EvaluationContext child) {
        boolean failed = child.status() == EvaluationContext.Status.FAILED;
        byte[] quantities = child.quantities().isEmpty() ? null : QuantityCodec.encode(child.quantities());
        Map<String, Object> meta = child.metadata();
        String metaJson = meta.isEmpty() ? null : JsonCodec.write(meta);
        String runDir = text(meta, "run_directory", "run_dir", "workdir");
        String host = text(meta, "host", "member_address");
        String member = text(meta, "member", "worker");
        String worker = member != null ? member
                : child.threadName() == null ? Thread.currentThread().getName() : child.threadName();
        long start = child.startEpochNanos() == 0 ? EvaluationContext.nowEpochNanos() : child.startEpochNanos();
        long end = child.endEpochNanos() == 0 ? EvaluationContext.nowEpochNanos() : child.endEpochNanos();
        String key = key(child);
        Integer number = numbers.get(child.evaluationId());
        String evaluationId = child.evaluationId();
        String path = child.path();
        String name = child.name();
        double value = failed ? Double.NaN : child.value();
        String failure = failed ? message(child.failure()) : null;
        synchronized (journal.lock) {
            checkActive();
        }
        if (number != null) {
            recorded.add(child);
        }
        writer.submit(() -> {
            PreparedStatement p = journal.statement("INSERT INTO terms (run_id, evaluation_number, evaluation_id,"
                    + " term_path, term_name, parameter_key, state, value, value_bits, quantities_blob, metadata_json,"
                    + " run_directory, host, worker, failure, started_at, ended_at, seconds, attempt)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            p.setLong(1, runId);
            if (number == null) {
                p.setNull(2, Types.INTEGER);
            } else {
                p.setInt(2, number);
            }
            p.setString(3, evaluationId);
            p.setString(4, path);
            p.setString(5, name);
            p.setString(6, key);
            p.setString(7, failed ? "FAILED" : "COMPLETE");
            setReal(p, 8, value);
            if (failed) {
                p.setNull(9, Types.INTEGER);
            } else {
                p.setLong(9, Double.doubleToRawLongBits(value));
            }
            p.setBytes(10, quantities);
            p.setString(11, metaJson);
            p.setString(12, runDir);
            p.setString(13, host == null ? SqliteJournal.HOST : host);
            p.setString(14, worker);
            p.setString(15, failure);
            p.setString(16, SqliteJournal.time(start));
            p.setString(17, SqliteJournal.time(end));
            p.setDouble(18, (end - start) / 1e9);
            p.setInt(19, attempt);
            p.executeUpdate();
        });
    }

    @Override
    public void end(String status, String stopReason, double bestLoss, int evaluations) {
        synchronized (journal.lock) {
            if (ended) {
                return;
            }
        }
        // commit what finished before the end is recorded; a failed write is reported after the end
        JournalException lost = null;
        try {
            writer.flush();
        } catch (JournalException e) {
            lost = e;
        }
        writer.close();
        recorded.clear();
        LOG.debug("journal {}: run {} attempt {}: {} commits of finished results", journal.path(), runId, attempt,
                writer.commits());
        synchronized (journal.lock) {
            if (ended) {
                return;
            }
            ended = true;
            try {
                String now = SqliteJournal.now();
                journal.inTransaction(() -> {
                    PreparedStatement p = journal.statement("UPDATE runs SET ended_at = ?, status = ?, stop_reason = ?,"
                            + " best_loss = coalesce(?, best_loss), evaluations = max(?, evaluations) WHERE id = ?");
                    p.setString(1, now);
                    p.setString(2, status);
                    p.setString(3, stopReason);
                    setReal(p, 4, bestLoss);
                    p.setInt(5, evaluations);
                    p.setLong(6, runId);
                    p.executeUpdate();
                    PreparedStatement a = journal.statement("UPDATE attempts SET ended_at = ?, status = ?, replayed = ?,"
                            + " computed = ? WHERE run_id = ? AND attempt = ?");
                    a.setString(1, now);
                    a.setString(2, status);
                    a.setLong(3, replayed.get());
                    a.setLong(4, computed.get());
                    a.setLong(5, runId);
                    a.setInt(6, attempt);
                    a.executeUpdate();
                    return null;
                });
            } catch (SQLException e) {
                throw journal.failure("record the end of run " + runId, e);
            } finally {
                writerLock.release();
                journal.sessionEnded(this);
            }
        }
        if (lost != null) {
            throw lost;
        }
    }

    @Override
    public void close() {
        if (!ended) {
            end("INTERRUPTED", "the journal session was closed before the fit ended", Double.NaN, -1);
        }
    }

    private static void setReal(PreparedStatement p, int i, double d) throws SQLException {
        if (Double.isNaN(d)) {
            p.setNull(i, Types.REAL);
        } else {
            p.setDouble(i, d);
        }
    }

    private static String message(@Nullable Throwable t) {
        if (t == null) {
            return "failed";
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static @Nullable String text(Map<String, Object> meta, String... keys) {
        for (String k : keys) {
            Object v = meta.get(k);
            if (v != null) {
                return String.valueOf(v);
            }
        }
        return null;
    }
}
