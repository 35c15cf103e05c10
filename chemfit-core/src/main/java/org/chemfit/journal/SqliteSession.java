package org.chemfit.journal;

import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.journal.read.BestPoint;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.TermRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of one run of an {@link SqliteJournal}: records evaluations and leaf terms as they
 * start and finish, and replays what the run recorded before. Writes go through one
 * {@link GroupCommitWriter}: everything finished since the last commit shares the next one, and an
 * evaluation's record waits for its commit before {@link #evaluationFinished} returns. The leaf
 * terms of one evaluation in one commit are written as one {@link TermPack}; a replayed evaluation
 * reads the terms recorded for its parameters, rows and packs alike, at once. A term that ran for
 * {@link GroupCommitWriter#LINGER_NANOS} or longer is committed by its own thread before
 * {@link #finished} returns. The SQL is in {@link JournalQueries}.
 *
 * @implNote Thread-safe: every database access holds the journal's lock; the writer's thread
 *     takes it for each commit. No method waits for the writer while it holds the lock.
 */
final class SqliteSession implements Journal.Session {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteSession.class);
    private static final int MAX_CHANGES_SHOWN = 20;

    /** What the session knows of a numbered evaluation while it runs. */
    private static final class Ev {
        final String id;
        /** Set when it finished: its terms are done with it. */
        volatile boolean done;

        final int number;
        final Parameters parameters;
        /** No evaluation of its parameters was recorded before it: a term lookup finds nothing. */
        final boolean fresh;
        /** Its row as RUNNING: {number, evaluation id, parameters JSON (made by the writer), key}; null once written. */
        Object @Nullable [] running;

        /** When it started, in nanoseconds since the epoch. */
        final long started;
        /** The writes of its fast leaf terms, in the order they finished; guarded by this object. */
        final List<TermWrite> fast;
        /** Whether an {@link EvWrite} of it waits in the writer's queue (or in a group not yet applied). */
        boolean queued;
        /** Whether its record took its fast terms: the writer writes none of them after that. */
        boolean closed;
        /** Its record, for the writer to commit with the evaluation's next {@link EvWrite}. */
        @Nullable
        FoldWrite fold;

        /** @param expected how many fast terms it is likely to have (the last evaluation's count) */
        Ev(String id, int number, Parameters parameters, boolean fresh, long started, int expected) {
            this.fast = new ArrayList<>(Math.max(10, expected));
            this.id = id;
            this.number = number;
            this.parameters = parameters;
            this.fresh = fresh;
            this.started = started;
        }
    }

    /** The lookup key of the parameters of one evaluation (its terms share the same object). */
    private record KeyOf(Parameters parameters, String key) {}

    /**
     * What the run already holds for an evaluation number.
     *
     * @param degraded whether it was recorded with a failed term that {@code on_failure} penalised
     *     or left out
     * @param lossBits the bits of the loss it was recorded with (0 for an evaluation of this attempt)
     * @param earlier whether an earlier attempt recorded it (else this attempt wrote it)
     */
    private record Existing(String state, String key, boolean degraded, long lossBits, boolean earlier) {
        Existing(String state, String key) {
            this(state, key, false, 0, false);
        }
    }

    /** A recorded evaluation whose failed terms ran again on resume and gave another loss. */
    private record Rerun(int number, double recorded, double now) {}

    private final SqliteJournal journal;
    /** Whether records leave out the terms of evaluations that do not lower the best loss. */
    private final boolean improvingTermsOnly;

    private final JournalLock writerLock;
    private final long runId;
    private final int attempt;
    private final boolean resumed;
    private final Map<Integer, Existing> existing;
    /** The recorded evaluations whose failed terms ran again and changed their loss (under {@link #state}). */
    private final List<Rerun> reruns = new ArrayList<>();
    /** Whether the path a rerun of failed terms took the fit on was said (under {@link #state}). */
    private boolean rerunPathSaid;
    /**
     * The first number at which this attempt asked for other parameters than the run recorded,
     * null while it follows the recorded path (under {@link #state}).
     */
    private @Nullable Integer divergedAt;

    private final Map<String, Integer> numbers = new ConcurrentHashMap<>();
    private final Map<Integer, Long> evaluationStarts = new ConcurrentHashMap<>();
    private final Map<String, KeyOf> keys = new ConcurrentHashMap<>();
    /**
     * Keys of the evaluations recorded before this attempt, of abandoned paths too: only these can
     * have terms to replay.
     */
    private final java.util.Set<String> keysBefore;
    /** How many evaluations of each key this attempt started: a repeat can replay the first. */
    private final Map<String, Integer> keysStarted = new ConcurrentHashMap<>();

    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong computed = new AtomicLong();
    private final GroupCommitWriter writer;
    /** The id of the next term written; only the writer's committing thread uses it. */
    private long nextTermId;
    /**
     * The recorded terms an evaluation may replay, by evaluation id, then by path and name: read
     * at once at its first lookup (rows and packs alike), forgotten when it finishes.
     */
    private final Map<String, Map<String, Recorded>> toReplay = new ConcurrentHashMap<>();
    /** Leaf terms of numbered evaluations recorded in the terms table and not yet in a tree. */
    private final java.util.Set<EvaluationContext> recorded =
            java.util.Collections.newSetFromMap(new ConcurrentHashMap<>());
    /**
     * The numbered evaluations that run, by evaluation id: what their terms' callbacks need, and
     * the writes of their fast leaf terms (under {@link GroupCommitWriter#LINGER_NANOS}), which
     * are withdrawn and written with the evaluation's record when they still wait for a commit as
     * it finishes.
     */
    private final Map<String, Ev> evs = new ConcurrentHashMap<>();
    /** What the record says of a term that did not fail, for the thread that ran the last such term. */
    private volatile EvaluationPack.@Nullable LeafOf plainTerm;
    /**
     * How many fast terms the last finished evaluation had: the next ones make room for as many
     * (a hint: read and written without order by the evaluations' threads).
     */
    private volatile int lastFastTerms;

    /** The evaluation whose terms called last: a serial fit's terms find it without a map. */
    private volatile @Nullable Ev lastEv;
    /** Where an evaluation's record is durable before the database holds it. */
    private final PendingLog pending;
    /**
     * How far ahead of the appender the writer touches the pending file's pages while it lingers:
     * more than fast evaluations append between two commits (about 5 KB each for the argon
     * example's 46 terms, 20 to 40 of them per millisecond of lingering).
     */
    private static final int TOUCH_AHEAD = 512 << 10;

    /** Pages touched in one step: a commit waits for one step at most. */
    private static final int TOUCH_STEP = 16;
    /** The records of each half of the pending file that the group being applied copies. */
    private final long[] pendingInGroup = new long[2];

    /** The status of an attempt that refused to resume its run ({@link #end}). */
    static final String REFUSED = "REFUSED";

    private volatile boolean ended;
    /**
     * The run's row as it was before this attempt reopened it ({@code ended_at, status,
     * stop_reason, job_hash, settings_json}), put back when the fit refuses to resume it; null for
     * a new run.
     */
    private @Nullable String @Nullable [] runBefore;
    /**
     * Guards what the session knows of its evaluations ({@link #existing}); not the journal's
     * lock, which the writer holds while it commits.
     */
    private final Object state = new Object();

    private SqliteSession(
            SqliteJournal journal,
            JournalLock writerLock,
            long runId,
            int attempt,
            boolean resumed,
            Map<Integer, Existing> existing,
            java.util.Set<String> keysBefore)
            throws SQLException {
        this.journal = journal;
        this.improvingTermsOnly = journal.improvingTermsOnly;
        this.writerLock = writerLock;
        this.runId = runId;
        this.attempt = attempt;
        this.resumed = resumed;
        this.existing = existing;
        this.keysBefore = keysBefore;
        this.nextTermId = journal.queries.nextTermId();
        this.pending = new PendingLog(PendingLog.beside(journal.path()), journal.syncs);
        this.writer = new GroupCommitWriter(
                journal,
                "run " + runId,
                this::apply,
                this::committed,
                () -> pending.touchAhead(TOUCH_AHEAD, TOUCH_STEP));
    }

    /** Called under the journal's lock. */
    static SqliteSession begin(SqliteJournal j, JournalLock wl, Map<String, ?> settings, JournalMode mode) {
        String settingsJson = JsonCodec.write(settings);
        try {
            copyPending(j);
            long resume = choose(j, settingsJson, mode);
            return resume < 0
                    ? newRun(j, wl, hashOf(settingsJson), settingsJson)
                    : resumeRun(j, wl, resume, hashOf(settingsJson), settingsJson);
        } catch (SQLException e) {
            throw j.failure("start a run", e);
        }
    }

    /**
     * Copies into the database the evaluation records that an earlier session made durable in
     * the pending file ({@link PendingLog}) and did not commit before it was stopped, then removes
     * the file. Called under the journal's lock, by the one writer of the journal.
     */
    /**
     * @param j a journal, its lock held
     * @return how many evaluations its pending file holds that the journal lacks (0 when the file
     *     cannot be read)
     */
    static int pendingNotInJournal(SqliteJournal j) throws SQLException {
        List<byte[]> records;
        try {
            records = PendingLog.read(PendingLog.beside(j.path()));
        } catch (java.io.IOException e) {
            return 0;
        }
        int missing = 0;
        for (byte[] r : records) {
            JournalQueries.EvaluationRow row = Fold.decode(r).row();
            if (j.queries.runExists(row.runId()) && !j.queries.recordExists(row.runId(), row.number(), row.attempt())) {
                missing++;
            }
        }
        return missing;
    }

    static void copyPending(SqliteJournal j) throws SQLException {
        java.nio.file.Path f = PendingLog.beside(j.path());
        List<byte[]> records;
        try {
            records = PendingLog.read(f);
        } catch (java.io.IOException e) {
            throw new JournalException(
                    "journal " + j.path() + ": cannot read the evaluations pending in " + f + ": "
                            + org.chemfit.support.Reasons.of(e, f),
                    e);
        }
        if (!records.isEmpty()) {
            Integer copied = j.inTransaction(() -> {
                long next = j.queries.nextTermId();
                int n = 0;
                for (byte[] r : records) {
                    Fold fold = Fold.decode(r);
                    JournalQueries.EvaluationRow row = fold.row();
                    if (!j.queries.runExists(row.runId())
                            || j.queries.recordExists(row.runId(), row.number(), row.attempt())) {
                        continue; // committed before the stop (or of a journal that was replaced)
                    }
                    j.queries.insertRecord(row, next, fold.terms(), fold.withFirstId(next));
                    next += Math.max(1, fold.terms());
                    n++;
                }
                return n;
            });
            if (copied != null && copied > 0) {
                LOG.info(
                        "journal {}: {} evaluations that the last fit made durable in {} were copied into the journal",
                        j.path(),
                        copied,
                        f.getFileName());
            }
        }
        try {
            java.nio.file.Files.deleteIfExists(f);
        } catch (java.io.IOException e) {
            throw new JournalException(
                    "journal " + j.path() + ": cannot remove " + f + ": " + org.chemfit.support.Reasons.of(e, f), e);
        }
    }

    /**
     * An evaluation's record as the pending file holds it: the evaluation's row and its
     * {@link EvaluationPack}, little-endian, texts as int32 n (-1: NULL) and n bytes of UTF-8.
     */
    record Fold(JournalQueries.EvaluationRow row, byte[] blob, int terms) {

        /** The format of a record in the pending file (its first byte). */
        static final byte VERSION = 1;

        /**
         * @return the record as the pending file holds it (without its frame): the layout
         *     {@link SqliteSession#writeRecord} writes, little-endian
         */
        byte[] encode() {
            JournalQueries.EvaluationRow e = row;
            Parameters p = JsonCodec.readParameters(e.parametersJson());
            ByteBuffer b = ByteBuffer.allocate(256).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.put(VERSION).putLong(e.runId()).putInt(e.number());
            b = put(b, utf8(e.evaluationId()));
            b = room(b, 5);
            b.put((byte) (e.failed() ? 1 : 0));
            b.putInt(p.size());
            for (String name : p.names()) {
                b = put(b, utf8(name));
                b = room(b, 8);
                b.putDouble(p.get(name));
            }
            b = put(b, utf8(e.key()));
            b = room(b, 16);
            b.putLong(Double.doubleToRawLongBits(e.loss())).putLong(Double.doubleToRawLongBits(e.toldLoss()));
            b = put(b, utf8(e.failure()));
            b = room(b, 20);
            b.putLong(e.startNanos()).putLong(e.endNanos()).putInt(e.attempt());
            b = put(b, e.quantities());
            b = room(b, 9 + blob.length);
            b.put((byte) (e.degraded() ? 1 : 0));
            b.putInt(terms).putInt(blob.length).put(blob);
            return java.util.Arrays.copyOf(b.array(), b.position());
        }

        static Fold decode(byte[] record) {
            ByteBuffer b = ByteBuffer.wrap(record).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            try {
                byte version = b.get();
                if (version != VERSION) {
                    throw new IllegalArgumentException(
                            "it is of format " + version + ", this version reads " + VERSION);
                }
                long runId = b.getLong();
                int number = b.getInt();
                String evaluationId = Objects.requireNonNull(text(b), "evaluation id");
                boolean failed = b.get() == 1;
                int n = b.getInt();
                if (n < 0 || n > b.remaining()) {
                    throw new IllegalArgumentException("parameters");
                }
                List<String> names = new ArrayList<>(n);
                double[] values = new double[n];
                for (int i = 0; i < n; i++) {
                    names.add(Objects.requireNonNull(text(b), "parameter name"));
                    values[i] = b.getDouble();
                }
                String key = Objects.requireNonNull(text(b), "key");
                double loss = Double.longBitsToDouble(b.getLong());
                double told = Double.longBitsToDouble(b.getLong());
                String failure = text(b);
                long start = b.getLong();
                long end = b.getLong();
                int attempt = b.getInt();
                byte[] q = bytes(b);
                boolean degraded = b.get() == 1;
                int terms = b.getInt();
                byte[] blob = Objects.requireNonNull(bytes(b), "record");
                return new Fold(
                        JournalQueries.EvaluationRow.ofRecord(
                                runId,
                                number,
                                evaluationId,
                                failed,
                                JsonCodec.parameters(Parameters.of(names, values)),
                                key,
                                loss,
                                told,
                                failure,
                                start,
                                end,
                                attempt,
                                q,
                                degraded),
                        blob,
                        terms);
            } catch (RuntimeException e) {
                throw new JournalException("a record of the pending file cannot be read: " + e.getMessage(), e);
            }
        }

        /** @return the record's bytes with the id of its first term set */
        byte[] withFirstId(long firstId) {
            ByteBuffer.wrap(blob).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(4, firstId);
            return blob;
        }

        private static byte @Nullable [] utf8(@Nullable String s) {
            return s == null ? null : s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        /** @return the buffer, or a larger copy of it, with room for n more bytes */
        static ByteBuffer room(ByteBuffer b, int n) {
            if (b.remaining() >= n) {
                return b;
            }
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(2 * b.capacity(), b.position() + n))
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.flip();
            bigger.put(b);
            return bigger;
        }

        /** Writes int32 n (-1: none) and n bytes. */
        static ByteBuffer put(ByteBuffer b, byte @Nullable [] a) {
            ByteBuffer out = room(b, 4 + (a == null ? 0 : a.length));
            if (a == null) {
                out.putInt(-1);
            } else {
                out.putInt(a.length).put(a);
            }
            return out;
        }

        private static byte @Nullable [] bytes(ByteBuffer b) {
            int n = b.getInt();
            if (n < 0) {
                return null;
            }
            if (n > b.remaining()) {
                throw new IllegalArgumentException("a length of " + n + " bytes past the end");
            }
            byte[] a = new byte[n];
            b.get(a);
            return a;
        }

        private static @Nullable String text(ByteBuffer b) {
            byte[] a = bytes(b);
            return a == null ? null : new String(a, java.nio.charset.StandardCharsets.UTF_8);
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
                String[] found = j.queries.runHashAndSettings(mode.runId());
                if (found == null) {
                    throw new JournalException("journal " + j.path() + " has no run " + mode.runId() + "; it holds "
                            + j.queries.describeRuns());
                }
                if (!found[0].equals(hash)
                        && !sameButNeutral(JsonCodec.readMap(found[1]), settingsTree)
                        && !goesOnWithMoreBudget(j, mode.runId(), found, settingsTree)) {
                    throw mismatch(
                            j,
                            mode.runId(),
                            found,
                            hash,
                            settingsTree,
                            budgetNote(j, mode.runId(), found, settingsTree));
                }
                resume = mode.runId();
            }
            case RESUME_LATEST -> {
                resume = j.queries.latestRunOf(hash);
                if (resume < 0) {
                    resume = latestSameButNeutral(j, settingsTree);
                }
                if (resume < 0) {
                    // the latest run as the readers take it: the run of the attempt begun last (when
                    // the journal holds that run still: one changed by hand may not)
                    java.util.OptionalLong newest = j.queries.runOfNewestAttempt();
                    long latest = newest.isPresent() && j.queries.runHashAndSettings(newest.getAsLong()) != null
                            ? newest.getAsLong()
                            : j.queries.latestRunId();
                    if (latest > 0) {
                        String[] found = Objects.requireNonNull(j.queries.runHashAndSettings(latest), "run " + latest);
                        if (!sameButNeutral(JsonCodec.readMap(found[1]), settingsTree)
                                && !goesOnWithMoreBudget(j, latest, found, settingsTree)) {
                            throw mismatch(
                                    j, latest, found, hash, settingsTree, budgetNote(j, latest, found, settingsTree));
                        }
                        resume = latest;
                    }
                }
            }
        }
        return resume;
    }

    /**
     * @return the latest run whose settings differ from these only by what takes no part in the fit
     *     ({@link #sameButNeutral}), or -1: a job edited so is found even when another job ran in
     *     the journal after it
     */
    private static long latestSameButNeutral(SqliteJournal j, Object settingsTree) throws SQLException {
        for (long id = j.queries.latestRunId(); id > 0; id--) {
            String[] found = j.queries.runHashAndSettings(id);
            if (found != null && sameButNeutral(JsonCodec.readMap(found[1]), settingsTree)) {
                return id;
            }
        }
        return -1;
    }

    /**
     * @return whether a run of other settings is the fit to go on with: one given only a larger
     *     budget that did not reach an end of its own (its budget stopped it, or it was killed,
     *     interrupted or failed). A run that ended otherwise (converged) is refused: more
     *     evaluations change nothing of how it ended, and the evaluations of its end (the
     *     uncertainty's points) would differ from those recorded
     */
    private static boolean goesOnWithMoreBudget(SqliteJournal j, long runId, String[] found, Object settingsTree)
            throws SQLException {
        org.chemfit.journal.read.RunRecord run = runOf(j, runId);
        return run != null && !endedOnItsOwn(run) && largerBudgetOnly(JsonCodec.readMap(found[1]), settingsTree);
    }

    private static org.chemfit.journal.read.@Nullable RunRecord runOf(SqliteJournal j, long runId) throws SQLException {
        List<org.chemfit.journal.read.RunRecord> runs = j.queries.runs(runId);
        return runs.isEmpty() ? null : runs.get(0);
    }

    /** @return whether a run finished for a reason of its own, not its budget */
    private static boolean endedOnItsOwn(org.chemfit.journal.read.RunRecord run) {
        return run.status().equals("FINISHED") && !"MAX_EVALUATIONS".equals(run.stopReason());
    }

    /** @return why a larger budget alone is refused, for the message, or "" when more than the budget changed */
    private static String budgetNote(SqliteJournal j, long runId, String[] found, Object settingsTree)
            throws SQLException {
        org.chemfit.journal.read.RunRecord run = runOf(j, runId);
        if (run == null || !largerBudgetOnly(JsonCodec.readMap(found[1]), settingsTree)) {
            return "";
        }
        return " A larger budget goes on only with a fit that did not end on its own; run " + runId
                + " ended "
                + run.stopReason().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                + ", and more evaluations would not change that.";
    }

    /** The settings that give a fit's budget: the Fitter's, and the job file's key when a command gave the file. */
    private static final List<String> BUDGET = List.of("fit.max_evaluations", "job.file.optimizer.max_evaluations");

    /**
     * Whether settings differ from a run's only by a larger budget: such a run goes on where it
     * stopped, as the same fit with more evaluations would (the methods ask for the same points
     * whatever the budget, which only ends a fit), instead of being refused as another job.
     *
     * @param recorded the run's settings
     * @param now the settings of the fit to begin
     */
    static boolean largerBudgetOnly(Object recorded, Object now) {
        Map<String, Object> a = withoutNeutral(JsonCodec.flatten(recorded));
        Map<String, Object> b = withoutNeutral(JsonCodec.flatten(now));
        if (!(a.get(BUDGET.get(0)) instanceof Number before)
                || !(b.get(BUDGET.get(0)) instanceof Number after)
                || after.longValue() <= before.longValue()) {
            return false;
        }
        for (String k : BUDGET) {
            a.remove(k);
            b.remove(k);
        }
        return equalLeaves(a, b);
    }

    private static boolean equalLeaves(Map<String, Object> a, Map<String, Object> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<String, Object> e : a.entrySet()) {
            if (!b.containsKey(e.getKey()) || !Objects.equals(normal(e.getValue()), normal(b.get(e.getKey())))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether settings differ from a run's only by job-file keys that take no part in the fit
     * ({@link #withoutNeutral}): such a run is the same fit, and goes on (or is shown) with them.
     *
     * @param recorded the run's settings
     * @param now the settings of the fit to begin
     */
    static boolean sameButNeutral(Object recorded, Object now) {
        Map<String, Object> a = JsonCodec.flatten(recorded);
        Map<String, Object> b = JsonCodec.flatten(now);
        return !a.equals(b) && equalLeaves(withoutNeutral(a), withoutNeutral(b));
    }

    /**
     * The changes that make settings another fit than a run's, as a refused resume names them:
     * none when they are equal or differ only by keys that take no part in the fit ({@link
     * #withoutNeutral}).
     *
     * @param recorded the run's settings
     * @param now other settings
     * @return one line per change that counts, in key order; empty when the settings are the same fit
     */
    static List<String> changesThatCount(Object recorded, Object now) {
        if (equalLeaves(withoutNeutral(JsonCodec.flatten(recorded)), withoutNeutral(JsonCodec.flatten(now)))) {
            return List.of();
        }
        return fitChanges(diff(recorded, now), recorded, now);
    }

    private static final String FILE = "job.file.";
    /** The digests of the held-out terms' data files and scripts, which the command line writes. */
    private static final String HELD_OUT_DATA = "job.validation_data.";

    private static final String METHOD = FILE + "optimizer.method";
    private static final String TOLERANCE = FILE + "optimizer.tolerance";
    private static final Pattern TERM_KEY = Pattern.compile("job\\.file\\.terms\\[(\\d+)]\\.(unit|coordinate)(\\..*)?");
    private static final Pattern TERM_INDEX = Pattern.compile("^terms\\[\\d+]\\.");
    /**
     * The keys of an external term that say only how its program is run and watched: how long a
     * command or the wait for its files may take ({@code timeout}, {@code wait_for_files.timeout}),
     * how its processes are ended ({@code kill_grace}), how often a run that failed transiently is
     * run again ({@code retries}) and which logs a failure shows ({@code log_files}). None changes
     * the outcome of a run that succeeds, and a failed term is never replayed (it runs again on
     * resume), so a recorded result holds whatever they say, as under {@code execution}.
     */
    private static final Pattern EXTERNAL_RUN_KEY = Pattern.compile(
            "job\\.file\\.terms\\[(\\d+)]\\.(timeout|kill_grace|retries|log_files(\\[\\d+])?|wait_for_files\\.timeout)");

    /**
     * The job file's keys that the job reader gives a value when they are left out, by their place
     * below {@code job.file.} ({@code terms[]} for every fit term), with the forms of that value: a
     * key written so is the same fit as the key left out. These must be the reader's own defaults
     * (chemfit-cli's {@code TermsReader}, {@code OptimizerReader}, {@code CombinationReader} and
     * {@code ParserReader}, whose outputs are written {@code *} here, whatever their names),
     * which chemfit-cli's {@code JobFileDefaultsTest} checks one by one; an empty map is one of
     * defaults only. A word is compared as the reader takes it (in any case, {@code -} for {@code
     * _}), a number by its value.
     */
    private static final Map<String, List<Object>> JOB_FILE_DEFAULTS = Map.of(
            "terms[].weight", List.of(1),
            "terms[].loss", List.of("squared_error", Map.of()),
            "terms[].loss.type", List.of("squared_error"),
            "optimizer.seed", List.of(42),
            "combination", List.of(Map.of()),
            "combination.reducer", List.of("sum"),
            "combination.on_failure", List.of("raise"),
            "terms[].outputs.*.select", List.of("last"));

    /** An external term's output's {@code select}, whatever the output's name (one without a dot). */
    private static final Pattern OUTPUT_SELECT = Pattern.compile("^terms\\[]\\.outputs\\.[^.]+\\.select$");

    /** @return whether a key of the flattened settings holds the value the job reader gives it when it is left out */
    private static boolean aDefault(String key, @Nullable Object value) {
        if (!key.startsWith(FILE)) {
            return false;
        }
        String place = TERM_INDEX.matcher(key.substring(FILE.length())).replaceFirst("terms[].");
        List<Object> forms =
                JOB_FILE_DEFAULTS.get(OUTPUT_SELECT.matcher(place).matches() ? "terms[].outputs.*.select" : place);
        if (forms == null) {
            return false;
        }
        for (Object d : forms) {
            boolean same;
            if (d instanceof String w) {
                same = value instanceof String v
                        && v.toLowerCase(java.util.Locale.ROOT)
                                .replace('-', '_')
                                .equals(w);
            } else if (d instanceof Number) {
                same = value instanceof Number && Objects.equals(normal(d), normal(value));
            } else {
                same = value instanceof Map<?, ?> m && m.isEmpty(); // a map of defaults only
            }
            if (same) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the flattened settings without the job file's keys that take no part in the fit: the
     *     job's {@code name} and {@code description}; the units given to parameters, to a term's
     *     {@code coordinate} and to an external term's quantities (shown, never converted); the
     *     held-out terms ({@code validation}, {@code validation_every}: evaluated anew whenever the
     *     fit ends, never replayed) and the digests of their files ({@code job.validation_data}); a
     *     term's {@code coordinate} (a column the plots and results show the term against); how an
     *     external term's program is run and watched ({@link #EXTERNAL_RUN_KEY}: {@code timeout},
     *     {@code kill_grace}, {@code retries}, {@code log_files}, {@code wait_for_files.timeout}); {@code
     *     optimizer.tolerance.absolute} under {@code levenberg-marquardt}, which stops on the
     *     relative change alone (the job reader took and ignored the key before it refused it); and
     *     the keys written with the value the job reader gives them when they are left out ({@link
     *     #JOB_FILE_DEFAULTS}), so that settings compare with their defaults applied
     */
    private static Map<String, Object> withoutNeutral(Map<String, Object> flat) {
        if (flat.get(METHOD) instanceof String m
                && m.toLowerCase(java.util.Locale.ROOT).replace('_', '-').equals("levenberg-marquardt")) {
            flat.remove(TOLERANCE + ".absolute");
            if (flat.get(TOLERANCE) instanceof Map<?, ?> t && t.isEmpty()) {
                flat.remove(TOLERANCE); // tolerance: {} once its only key is gone, or no tolerance at all
            }
        }
        Map<String, Object> all = new java.util.HashMap<>(flat); // values may be null (an open bound)
        flat.keySet().removeIf(k -> neutral(k, all) || aDefault(k, all.get(k)));
        // a word chosen from a list, as the job reader takes it; a loss as its type, whichever form
        for (String k : List.copyOf(flat.keySet())) {
            if (flat.get(k) instanceof String w && WORD_KEY.matcher(k).matches()) {
                flat.remove(k);
                flat.put(comparedKey(k), w.toLowerCase(java.util.Locale.ROOT).replace('-', '_'));
            }
        }
        return flat;
    }

    /**
     * The job file's keys whose value is a word chosen from a list, which the job reader takes in
     * any case and with {@code -} for {@code _} ({@code loss: Mean-Squared-Error}, {@code form:
     * Lennard-Jones}): a word spelt so is the same fit. The optimizer's method, whose names the
     * command line compares itself, is not among them.
     */
    private static final Pattern WORD_KEY = Pattern.compile("job\\.file\\.(terms\\[\\d+]\\.(kind|loss|loss\\.type"
            + "|potential(\\[\\d+])?\\.(form|method)|relax\\.method|outputs\\..+\\.(parser|select))"
            + "|combination\\.(reducer|on_failure))");

    /** A term's loss written as its type alone ({@code loss: absolute_error}), the same as {@code loss: {type: ...}}. */
    private static final Pattern LOSS_WORD = Pattern.compile("job\\.file\\.terms\\[\\d+]\\.loss");

    /** @return the key a word is compared under: a term's loss written as a word under its {@code type} */
    private static String comparedKey(String key) {
        return LOSS_WORD.matcher(key).matches() ? key + ".type" : key;
    }

    /**
     * @return {@code 'name', } when the run was recorded from a job file of another name (the
     *     first thing to say of a folder that holds another job's fit), else ""
     */
    private static String otherName(Object before, Object after) {
        Object was = JsonCodec.flatten(before).get(FILE + "name");
        Object now = JsonCodec.flatten(after).get(FILE + "name");
        return was instanceof String w && !w.equals(now) ? "'" + JsonCodec.abbreviate(w, 80) + "', " : "";
    }

    /**
     * @return the changes without those of keys that take no part in the fit ({@link #withoutNeutral}),
     *     which do not make another job: said alone, they would seem the reason of the refusal
     */
    private static List<String> fitChanges(List<String> changes, Object before, Object after) {
        Map<String, Object> all = JsonCodec.flatten(before);
        all.putAll(JsonCodec.flatten(after));
        // the keys withoutNeutral leaves out of either side, the method's unread ones included
        Map<String, Object> was = withoutNeutral(JsonCodec.flatten(before));
        Map<String, Object> is = withoutNeutral(JsonCodec.flatten(after));
        Map<String, Object> kept = new java.util.HashMap<>(was); // values may be null (an open bound)
        kept.putAll(is);
        List<String> out = new ArrayList<>();
        for (String c : changes) {
            String key = changedKey(c);
            String compared = comparedKey(key);
            boolean spelledAlike = was.containsKey(compared)
                    && is.containsKey(compared)
                    && Objects.equals(normal(was.get(compared)), normal(is.get(compared)));
            if (!(all.containsKey(key) && !kept.containsKey(compared)) && !spelledAlike) {
                out.add(c);
            }
        }
        return withoutMirrors(out.isEmpty() ? changes : out);
    }

    /**
     * The fit's own settings that a job file's key sets, each with the keys that set it: one change
     * is listed once, as the job file's key ({@code job.file.parameters.lj.epsilon.bounds[1]}, not
     * again as {@code fit.bounds.lj.epsilon[1]}), or, for the method, as the fit's setting, which
     * names it as the library does ({@code fit.method}). The budget is listed as both: the job
     * file's and the one in effect, which a {@code --max-evaluations} gives, are told apart in the
     * advice. A fit setting changed without its key is still listed.
     */
    private static final Map<String, List<String>> MIRRORED = Map.of(
            "fit.bounds", List.of(FILE + "parameters", FILE + "bounds"),
            "fit.initial", List.of(FILE + "parameters"),
            "fit.fixed", List.of(FILE + "parameters"),
            "fit.seed", List.of(FILE + "optimizer.seed"),
            "fit.value_bad_params", List.of(FILE + "optimizer.bad_value"));

    /** The job file's keys whose change is listed as that of the fit's setting it makes. */
    private static final Map<String, String> SAID_AS_FIT = Map.of(METHOD, "fit.method");

    /** @return the changes, each listed once ({@link #MIRRORED}, {@link #SAID_AS_FIT}) */
    private static List<String> withoutMirrors(List<String> changes) {
        List<String> keys = changes.stream().map(SqliteSession::changedKey).toList();
        List<String> out = new ArrayList<>();
        for (String c : changes) {
            String key = changedKey(c);
            boolean mirrored = MIRRORED.entrySet().stream()
                            .anyMatch(e -> (key.equals(e.getKey())
                                            || key.startsWith(e.getKey() + ".")
                                            || key.startsWith(e.getKey() + "["))
                                    && keys.stream()
                                            .anyMatch(k -> e.getValue().stream().anyMatch(k::startsWith)))
                    || keys.contains(SAID_AS_FIT.get(key));
            if (!mirrored) {
                out.add(c);
            }
        }
        return out.isEmpty() ? changes : out;
    }

    private static boolean neutral(String key, Map<String, Object> all) {
        if (key.startsWith(HELD_OUT_DATA)) {
            return true; // the held-out terms' files, as the held-out terms themselves
        }
        if (!key.startsWith(FILE)) {
            return false;
        }
        String k = key.substring(FILE.length());
        if (k.equals("name")
                || k.equals("description")
                || k.startsWith("description.")
                || k.startsWith("description[")
                || k.startsWith("validation")) {
            return true;
        }
        if (k.startsWith("parameters.") && k.endsWith(".unit")) {
            return all.get(key) instanceof String; // a unit is text; a parameter named unit has a number
        }
        Matcher run = EXTERNAL_RUN_KEY.matcher(key);
        if (run.matches()) {
            return external(all, run.group(1));
        }
        Matcher m = TERM_KEY.matcher(key);
        if (!m.matches()) {
            return false;
        }
        // a coordinate (its column and unit) is what the plots and results show the term against,
        // never part of a computed value; a term's unit converts nothing for an external term
        return m.group(2).equals("coordinate") || external(all, m.group(1));
    }

    /** @return whether the fit term of that index is an {@code external} one */
    private static boolean external(Map<String, Object> all, String index) {
        return "external"
                .equals(String.valueOf(all.get(FILE + "terms[" + index + "].kind"))
                        .toLowerCase(java.util.Locale.ROOT));
    }

    /** @param note said after the changes (why a change that may go on cannot here), or "" */
    private static JournalMismatchException mismatch(
            SqliteJournal j, long runId, String[] recorded, String hash, Object settingsTree, String note) {
        Object before = JsonCodec.readMap(recorded[1]);
        List<String> changes = fitChanges(diff(before, settingsTree), before, settingsTree);
        StringBuilder sb = new StringBuilder("journal ")
                .append(j.path())
                .append(" holds run ")
                .append(runId)
                // a budget alone makes no other job: the run's, with another budget
                .append(
                        !changes.isEmpty() && changes.stream().allMatch(c -> BUDGET.contains(changedKey(c)))
                                ? " of this job with another budget ("
                                : " of a different job (")
                .append(otherName(before, settingsTree))
                .append("settings hash ")
                .append(recorded[0], 0, 12)
                .append(", this job ")
                .append(hash, 0, 12)
                .append("), so it cannot be resumed: ");
        // a larger budget would not refuse the run by itself: said apart, not among the changes that do
        String larger = note.isEmpty() ? largerBudget(j, runId, before, settingsTree) : null;
        List<String> listed = changes;
        if (larger != null) {
            listed = new ArrayList<>();
            for (String c : changes) {
                if (!BUDGET.contains(changedKey(c))) {
                    listed.add(c);
                }
            }
            if (listed.isEmpty()) { // nothing else that counts: the list as it was
                listed = changes;
                larger = null;
            }
        }
        List<String> shown = listed.subList(0, Math.min(MAX_CHANGES_SHOWN, listed.size()));
        sb.append(String.join("; ", shown));
        if (listed.size() > shown.size()) {
            int more = listed.size() - shown.size();
            sb.append("; and ").append(more).append(more == 1 ? " more change" : " more changes");
        }
        sb.append('.').append(note);
        if (larger != null) {
            sb.append(" The larger budget (")
                    .append(larger)
                    .append(") alone would go on with run ")
                    .append(runId)
                    .append("; the changes above would not.");
        }
        sb.append(" Restart to begin a new run in this journal (chemfit fit --restart, or JournalMode.restart();"
                + " the earlier runs are kept), or write to another output folder.");
        return new JournalMismatchException(sb.toString(), runId, changes);
    }

    /**
     * @return the run's budget and the larger one of these settings ({@code 40 -> 80}) when the
     *     budget is larger and the run did not end on its own, so that the budget alone would go on
     *     with it; else null
     */
    private static @Nullable String largerBudget(SqliteJournal j, long runId, Object recorded, Object now) {
        Object before = JsonCodec.flatten(recorded).get(BUDGET.get(0));
        Object after = JsonCodec.flatten(now).get(BUDGET.get(0));
        if (!(before instanceof Number b) || !(after instanceof Number a) || a.longValue() <= b.longValue()) {
            return null;
        }
        try {
            org.chemfit.journal.read.RunRecord run = runOf(j, runId);
            return run == null || endedOnItsOwn(run) ? null : b.longValue() + " -> " + a.longValue();
        } catch (SQLException e) {
            return null; // the note is advice: without the run's end it is left out, and the change listed
        }
    }

    /** @return the key a line of {@link #diff} names ({@code changed fit.max_evaluations: 40 -> 80}) */
    private static String changedKey(String change) {
        // "changed KEY: a -> b", "changed fit.initial 'NAME': a -> b", "added KEY = b", "removed KEY (was a)":
        // a key may hold a space (an output named "f x"), so it ends where its verb's words begin
        String[][] forms = {{"changed ", ": "}, {"added ", " = "}, {"removed ", " (was "}};
        for (String[] f : forms) {
            if (change.startsWith(f[0])) {
                String rest = change.substring(f[0].length());
                int end = rest.indexOf(f[1]);
                int name = f[0].equals("changed ") ? rest.indexOf(" '") : -1;
                if (name >= 0 && (end < 0 || name < end)) {
                    end = name;
                }
                return end < 0 ? rest : rest.substring(0, end);
            }
        }
        return "";
    }

    /** @return one line per changed, added or removed setting, in key order */
    static List<String> diff(Object before, Object after) {
        Map<String, Object> a = JsonCodec.flatten(before);
        Map<String, Object> b = JsonCodec.flatten(after);
        List<String> out = new ArrayList<>();
        java.util.TreeSet<String> keys = new java.util.TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        // the same parameters in another order: paired by position, every entry would seem changed
        List<String> reordered = reorderedInitial(before, after, a, b);
        for (String k : keys) {
            boolean inA = a.containsKey(k);
            boolean inB = b.containsKey(k);
            if (reordered != null && k.startsWith("fit.initial[")) {
                out.addAll(reordered);
                reordered = List.of();
            } else if (inA && inB) {
                if (!java.util.Objects.equals(normal(a.get(k)), normal(b.get(k)))) {
                    String name = initialValueOf(k, b);
                    if (name == null) {
                        out.add("changed " + k + ": " + show(a.get(k)) + " -> " + show(b.get(k)));
                    } else if (!changed("job.file.parameters." + name + ".initial", a, b)
                            && !changed("job.file.parameters." + name, a, b)) {
                        // the job file's own line says it (as {initial: x} or as x alone), when the command gave the
                        // file
                        out.add("changed fit.initial '" + name + "': " + show(a.get(k)) + " -> " + show(b.get(k)));
                    }
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

    /**
     * @return when the recorded and new initial parameters ({@code fit.initial}, a list of pairs of
     *     name and value) hold the same names in another order: a line that says the order changed,
     *     then one per parameter whose value changed, paired by name; otherwise null (the entries
     *     are then compared by position)
     */
    private static @Nullable List<String> reorderedInitial(
            Object before, Object after, Map<String, Object> flatBefore, Map<String, Object> flatAfter) {
        Map<String, @Nullable Object> a = initialOf(before);
        Map<String, @Nullable Object> b = initialOf(after);
        if (a == null || b == null || !a.keySet().equals(b.keySet())) {
            return null;
        }
        List<String> namesBefore = new ArrayList<>(a.keySet());
        List<String> namesAfter = new ArrayList<>(b.keySet());
        if (namesBefore.equals(namesAfter)) {
            return null;
        }
        List<String> out = new ArrayList<>();
        // a job file's parameters are in the order it writes them; a program's, in its map's order
        boolean jobFile =
                after instanceof Map<?, ?> m && m.get("job") instanceof Map<?, ?> job && job.containsKey("file");
        out.add("the parameters' order changed: " + namesBefore + " -> " + namesAfter
                + (jobFile
                        ? " (the order of the parameters is part of the fit: write them in the job file in the order"
                                + " the run was recorded with, " + namesBefore + ")"
                        : " (the order of the initial map is part of the fit: give a LinkedHashMap filled in a fixed"
                                + " order)"));
        for (String name : namesAfter) {
            if (!java.util.Objects.equals(normal(a.get(name)), normal(b.get(name)))
                    && !changed("job.file.parameters." + name + ".initial", flatBefore, flatAfter)
                    && !changed("job.file.parameters." + name, flatBefore, flatAfter)) {
                out.add("changed fit.initial '" + name + "': " + show(a.get(name)) + " -> " + show(b.get(name)));
            }
        }
        return out;
    }

    /**
     * @return the initial parameters of settings, by name in their order, or null when the settings
     *     hold none or a name twice
     */
    private static @Nullable Map<String, @Nullable Object> initialOf(Object settings) {
        if (!(settings instanceof Map<?, ?> m
                && m.get("fit") instanceof Map<?, ?> fit
                && fit.get("initial") instanceof List<?> pairs)) {
            return null;
        }
        Map<String, @Nullable Object> out = new java.util.LinkedHashMap<>();
        for (Object pair : pairs) {
            if (!(pair instanceof List<?> p && p.size() == 2 && p.get(0) instanceof String name)
                    || out.containsKey(name)) {
                return null;
            }
            out.put(name, p.get(1));
        }
        return out;
    }

    /**
     * @return the parameter whose initial value a flattened key of the Fitter's settings is
     *     ({@code fit.initial[1][1]}: the list holds pairs of name and value), or null for any other key
     */
    private static @Nullable String initialValueOf(String key, Map<String, Object> flat) {
        java.util.regex.Matcher m = INITIAL_VALUE.matcher(key);
        return m.matches() && flat.get("fit.initial[" + m.group(1) + "][0]") instanceof String name ? name : null;
    }

    private static final java.util.regex.Pattern INITIAL_VALUE =
            java.util.regex.Pattern.compile("fit\\.initial\\[(\\d+)]\\[1]");

    /** @return whether a flattened key is in both and differs */
    private static boolean changed(String key, Map<String, Object> a, Map<String, Object> b) {
        return a.containsKey(key)
                && b.containsKey(key)
                && !java.util.Objects.equals(normal(a.get(key)), normal(b.get(key)));
    }

    /**
     * @return a number as its exact decimal value (1 and 1.0 alike, but two longs that differ never
     *     equal, as they would as doubles above 2^53: seeds are such numbers); a non-finite double
     *     as itself; anything else unchanged
     */
    private static @Nullable Object normal(@Nullable Object v) {
        if (!(v instanceof Number n)) {
            return v;
        }
        if ((n instanceof Double || n instanceof Float) && !Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        try {
            return new java.math.BigDecimal(n.toString()).stripTrailingZeros();
        } catch (NumberFormatException e) {
            return n.doubleValue();
        }
    }

    private static String show(@Nullable Object v) {
        if (v instanceof String s) {
            return "\"" + JsonCodec.abbreviate(s, 60) + "\"";
        }
        return JsonCodec.abbreviate(String.valueOf(v), 60);
    }

    private static SqliteSession newRun(SqliteJournal j, JournalLock wl, String hash, String settingsJson)
            throws SQLException {
        String now = SqliteJournal.now();
        return Objects.requireNonNull(
                j.inTransaction(() -> {
                    long id = j.queries.insertRun(hash, settingsJson, now);
                    j.queries.insertAttempt(id, 1, now);
                    LOG.info("journal {}: started run {}", j.path(), id);
                    return new SqliteSession(j, wl, id, 1, false, new HashMap<>(), new java.util.HashSet<>());
                }),
                "the new session");
    }

    /**
     * @param hash the hash of the settings the run goes on with
     * @param settingsJson those settings: a run given a larger budget keeps it, so that the next
     *     resume with that budget finds the run by its hash
     */
    private static SqliteSession resumeRun(SqliteJournal j, JournalLock wl, long id, String hash, String settingsJson)
            throws SQLException {
        String now = SqliteJournal.now();
        return Objects.requireNonNull(
                j.inTransaction(() -> {
                    @Nullable String[] before = j.queries.runRow(id);
                    int attempt = j.queries.reopenRun(id);
                    j.queries.updateSettings(id, hash, settingsJson);
                    j.queries.insertAttempt(id, attempt, now);
                    Map<Integer, Existing> existing = new HashMap<>();
                    int running = 0;
                    int complete = 0;
                    for (Map.Entry<Integer, String[]> e :
                            j.queries.evaluationStates(id).entrySet()) {
                        String state = e.getValue()[0];
                        existing.put(
                                e.getKey(),
                                new Existing(
                                        state,
                                        e.getValue()[1],
                                        "1".equals(e.getValue()[2]),
                                        e.getValue()[3] == null ? 0 : Long.parseLong(e.getValue()[3]),
                                        true));
                        running += "RUNNING".equals(state) ? 1 : 0;
                        complete += "COMPLETE".equals(state) ? 1 : 0;
                    }
                    LOG.info(
                            "journal {}: resuming run {} (attempt {}): {} complete evaluations to replay, {} cut off by the last"
                                    + " attempt run again",
                            j.path(),
                            id,
                            attempt,
                            complete,
                            running);
                    // the keys of every recorded evaluation, those of a path a later attempt left
                    // too: their terms replay when the fit asks for the same parameters again
                    SqliteSession session =
                            new SqliteSession(j, wl, id, attempt, true, existing, j.queries.recordedKeys(id));
                    session.runBefore = before;
                    return session;
                }),
                "the new session");
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
            throw new JournalException("the journal session of run " + runId + " has ended (the journal or the"
                    + " session was closed while a fit still used it; close the journal only after the fit has"
                    + " returned)");
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
        if (!keysBefore.contains(key) && !keysStarted.containsKey(key)) {
            return false; // no evaluation of these parameters was recorded: nothing to look up
        }
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
                    Object meta = JsonCodec.readMap(rs.getString(3)).get("metadata");
                    if (meta instanceof Map<?, ?> m) {
                        m.forEach((k, v) -> ctx.metadata().put(String.valueOf(k), v));
                    }
                    ctx.replay(
                            blob != null || q != null ? SqliteJournal.quantities(blob, q) : ctx.quantities(),
                            Map.of(),
                            loss);
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
        List<GroupCommitWriter.Write> rows = new ArrayList<>(contexts.size() + 1);
        boolean marked = false;
        synchronized (state) {
            checkActive();
            for (int i = 0; i < contexts.size(); i++) {
                int number = firstNumber + i;
                EvaluationContext ctx = contexts.get(i);
                numbers.put(ctx.evaluationId(), number);
                evaluationStarts.put(number, now);
                String key = key(ctx);
                int times = keysStarted.merge(key, 1, Integer::sum);
                Existing ex = existing.get(number);
                // once the fit left the recorded path, a recorded evaluation that happens to have the
                // same parameters is written again by this attempt: readers leave out the earlier
                // attempt's rows from the number where it diverged on
                boolean offPath = divergedAt != null && ex != null && ex.earlier();
                if (ex != null && ex.state().equals("COMPLETE") && ex.key().equals(key) && !offPath) {
                    continue;
                }
                if (ex != null && ex.state().equals("COMPLETE") && !ex.key().equals(key)) {
                    warnDiverged(number);
                    if (divergedAt == null) {
                        divergedAt = number;
                        // in order with the rows, and committed before this method returns (below)
                        rows.add(() -> journal.queries.markDiverged(runId, attempt, number));
                        marked = true;
                    }
                }
                existing.put(number, new Existing("RUNNING", key));
                Ev ev = new Ev(
                        ctx.evaluationId(),
                        number,
                        ctx.parameters(),
                        times == 1 && !keysBefore.contains(key),
                        now,
                        lastFastTerms);
                ev.running = new Object[] {number, ctx.evaluationId(), "", key};
                ev.queued = true;
                evs.put(ctx.evaluationId(), ev);
                rows.add(new EvWrite(ev));
            }
        }
        rows.forEach(writer::submit);
        if (marked) {
            // a finished evaluation is durable once in the pending file, which does not wait for the
            // writer: the number must be committed before any record of the new path, or a kill could
            // leave the new path's records to be copied in with the abandoned rows still counting
            // (once per attempt)
            writer.flush();
        }
    }

    /**
     * Says that the resumed fit asks for other parameters than the run recorded at that number: for
     * the first time after recorded evaluations whose failed terms ran again and gave another loss,
     * that this took the fit on another path (then nothing more: the evaluations after it differ for
     * the same reason); else, for each such number, that the fit diverged with no known cause.
     * Called under {@link #state}.
     */
    private void warnDiverged(int number) {
        List<Rerun> before = reruns.stream().filter(r -> r.number() < number).toList();
        if (before.isEmpty()) {
            LOG.warn(
                    "journal {}: run {} evaluation {} was recorded with other parameters; the resumed fit"
                            + " diverged from the recorded one (is the objective or the optimizer not deterministic?)",
                    journal.path(),
                    runId,
                    number);
            return;
        }
        if (rerunPathSaid) {
            return;
        }
        rerunPathSaid = true;
        long notReplayed = existing.entrySet().stream()
                .filter(e -> e.getKey() >= number && e.getValue().state().equals("COMPLETE"))
                .count();
        String which;
        if (before.size() == 1) {
            Rerun r = before.get(0);
            which = "evaluation " + r.number() + " was recorded with failed terms (penalised or left out under"
                    + " on_failure) that ran again on resume and now gave another loss ("
                    + shortNumber(r.recorded()) + " recorded, "
                    + shortNumber(r.now()) + " now)";
        } else {
            List<String> numbers =
                    before.stream().map(r -> Integer.toString(r.number())).toList();
            which = (numbers.size() <= 4
                            ? "evaluations " + String.join(", ", numbers.subList(0, numbers.size() - 1)) + " and "
                                    + numbers.get(numbers.size() - 1)
                            : numbers.size() + " evaluations, from " + numbers.get(0) + " to "
                                    + numbers.get(numbers.size() - 1) + ",")
                    + " were recorded with failed terms (penalised or left out"
                    + " under on_failure) that ran again on resume and now gave other losses";
        }
        LOG.warn(
                "journal {}: run {} {}, so from evaluation {} the resumed fit follows another path than the recorded"
                        + " one: the {} recorded from evaluation {} on {} no longer replayed as evaluations (terms"
                        + " asked for again at the same parameters still are)",
                journal.path(),
                runId,
                which,
                number,
                notReplayed == 1 ? "1 evaluation" : notReplayed + " evaluations",
                number,
                notReplayed == 1 ? "is" : "are");
    }

    /** @return a loss to 6 significant digits, without trailing zeros ({@code 1081}, {@code 4.5e-05}) */
    private static String shortNumber(double v) {
        String g = String.format(java.util.Locale.ROOT, "%.6g", v);
        return g.contains(".") ? g.replaceFirst("\\.?0+(e|$)", "$1") : g;
    }

    /**
     * What the writer has to write of a running evaluation when its turn comes: its row as
     * RUNNING, unless its record came first; the fast terms that finished meanwhile and that no
     * record took, as one pack; and its record, when it finished meanwhile. One such write waits
     * in the queue per evaluation at a time, so that its terms add nothing to the queue.
     */
    private final class EvWrite implements GroupCommitWriter.Write {
        private final Ev ev;

        EvWrite(Ev ev) {
            this.ev = ev;
        }

        @Override
        public void apply() throws SQLException {
            Object[] running;
            List<JournalQueries.TermRow> rows = new ArrayList<>();
            FoldWrite fold;
            synchronized (ev) {
                ev.queued = false;
                running = ev.fold == null ? ev.running : null;
                ev.running = null;
                if (!ev.closed) {
                    for (TermWrite w : ev.fast) {
                        if (!w.taken) {
                            w.taken = true; // the record, when it comes, keeps it in its tree only
                            rows.add(w.row());
                        }
                    }
                }
                fold = ev.fold;
                ev.fold = null;
            }
            if (running != null) {
                running[2] = JsonCodec.parameters(ev.parameters); // made here, off the fit's thread
                journal.queries.insertRunning(
                        runId, attempt, SqliteJournal.time(ev.started), List.<Object[]>of(running));
            }
            if (rows.size() > 1) {
                journal.queries.insertPack(nextTermId, rows);
                nextTermId += rows.size();
            } else if (rows.size() == 1) {
                journal.queries.insertTerm(rows.get(0), nextTermId++);
            }
            if (fold != null) {
                fold.apply();
            }
        }
    }

    @Override
    public void evaluationFinished(int number, EvaluationContext ctx, double toldLoss) {
        if (ctx.status() != EvaluationContext.Status.FAILED) {
            String refused = refusedMetadata(ctx);
            if (refused != null) {
                ctx.fail(new org.chemfit.ChemFitException("evaluation " + ctx.evaluationId() + " failed: " + refused));
            }
        }
        long now = EvaluationContext.nowEpochNanos();
        boolean failed = ctx.status() == EvaluationContext.Status.FAILED;
        String key = key(ctx);
        boolean write;
        Long start;
        synchronized (state) {
            checkActive();
            keys.remove(ctx.evaluationId());
            numbers.remove(ctx.evaluationId());
            start = evaluationStarts.remove(number);
            Existing ex = existing.get(number);
            boolean ranAgain = ex != null
                    && ex.degraded()
                    && ex.state().equals("COMPLETE")
                    && ex.key().equals(key)
                    && !failed;
            // the raw bits, as loss_bits holds them (every loss the journal stores or compares is
            // taken bit for bit, a NaN's payload included): the canonical bits of doubleToLongBits
            // would tell a recorded NaN with another payload from the same NaN computed again
            boolean rerun = ranAgain && ex != null && Double.doubleToRawLongBits(ctx.loss()) != ex.lossBits();
            if (rerun && ex != null) {
                // its failed terms ran again (they are never replayed) and gave other values
                reruns.add(new Rerun(number, Double.longBitsToDouble(ex.lossBits()), ctx.loss()));
            }
            // its failed terms ran again and now succeeded, giving the same loss: the record of the
            // failure no longer holds (a resume would run them once more), so it is written anew
            boolean recovered = ranAgain && !BestPoint.degraded(ctx);
            // recorded by an earlier attempt and replayed now: nothing new to write, unless its
            // failed terms ran again and changed the loss the fit went on with, or now succeeded
            write = !(ex != null
                    && ex.state().equals("COMPLETE")
                    && ex.key().equals(key)
                    && !failed
                    && !rerun
                    && !recovered);
            if (write) {
                existing.put(number, new Existing(failed ? "FAILED" : "COMPLETE", key));
            }
        }
        toReplay.remove(ctx.evaluationId());
        Ev ev = evs.remove(ctx.evaluationId());
        if (ev != null) {
            ev.done = true;
        }
        FastTerms fast;
        if (ev != null) {
            synchronized (ev) {
                fast = new FastTerms(ev.fast.toArray(new TermWrite[0]));
                lastFastTerms = ev.fast.size();
                // from now on the writer writes none of its fast terms: the record has them
                ev.closed = write && !ctx.children().isEmpty() && !ev.fast.isEmpty();
                if (ev.closed) {
                    // the record takes them from here; its write, queued until the writer catches
                    // up, would otherwise keep every term's context and quantities alive
                    ev.fast.clear();
                }
            }
        } else {
            fast = new FastTerms(new TermWrite[0]);
        }
        if (ev != null && ev.closed) {
            boolean rootOnly = leavesTermsOut(ctx);
            if (!rootOnly && holdsRecorded(ctx)) {
                // a term written as a row of its own (an untimed one) that the record names must be
                // in the database before the record is durable without it
                writer.flush();
            }
            writeRecord(number, ctx, toldLoss, failed, key, start == null ? now : start, now, ev, fast, rootOnly);
            return;
        }

        if (write) {
            Map<String, Object> treeMap = ctx.toMap(true);
            // the quantities of the terms recorded in the terms table are written there only
            boolean apart = leaveOutRecorded(ctx, treeMap, fast);
            byte[] quantities = ctx.quantities().isEmpty() ? null : QuantityCodec.encode(ctx.quantities());
            long s = start == null ? now : start;
            JournalQueries.EvaluationRow row = new JournalQueries.EvaluationRow(
                    runId,
                    number,
                    ctx.evaluationId(),
                    failed,
                    JsonCodec.parameters(ctx.parameters()),
                    key,
                    ctx.loss(),
                    toldLoss,
                    ctx.children().isEmpty() ? "evaluation" : "terms",
                    JsonCodec.write(treeMap),
                    failed ? EvaluationPack.message(ctx.failure()) : null,
                    s,
                    now,
                    attempt,
                    quantities,
                    apart ? JournalQueries.TREE_APART : JournalQueries.TREE_WHOLE,
                    !failed && BestPoint.degraded(ctx));
            writer.submit(() -> journal.queries.upsertEvaluation(row));
        } else {
            forgetRecorded(ctx); // a term run again in a replayed evaluation: its tree is not written again
        }
        // the terms of this evaluation and its own record are committed before the optimizer hears of it
        writer.flush();
        if (write) {
            keptWhole(ctx);
        }
    }

    /**
     * The metadata the journal refuses of an evaluation's root, or of a combined objective inside
     * it; a leaf term's was looked at as it finished ({@link #finished}).
     *
     * @return why, naming the key and, for a combined objective inside, the term ("term 1 'b': its
     *     metadata 'info' is a java.lang.Object, ..."), or null when the journal takes every value
     */
    private static @Nullable String refusedMetadata(EvaluationContext node) {
        String refused = JsonCodec.refusedMetadata(org.chemfit.internal.ContextValues.metadata(node));
        if (refused != null) {
            JsonCodec.replaceRefused(node.metadata()); // the failed evaluation's record is written without it
            return node.parent() == null ? refused : "term " + node.index() + " '" + node.name() + "': " + refused;
        }
        for (EvaluationContext c : node.children()) {
            if (!c.children().isEmpty()) {
                String r = refusedMetadata(c);
                if (r != null) {
                    return r;
                }
            }
        }
        return null;
    }

    /**
     * The fast terms of a finishing evaluation, found by their context. They finished in the order
     * its record visits its leaves when they ran one after the other, so each is looked for first
     * where the last one was found; a map is made only when that fails (terms run concurrently).
     */
    private static final class FastTerms {
        private final TermWrite[] terms;
        private int next;
        private java.util.@Nullable IdentityHashMap<EvaluationContext, TermWrite> byContext;

        FastTerms(TermWrite[] terms) {
            this.terms = terms;
        }

        // a term is its context: compared by identity
        @SuppressWarnings("ReferenceEquality")
        @Nullable
        TermWrite get(EvaluationContext c) {
            if (next < terms.length && terms[next].child == c) {
                return terms[next++];
            }
            java.util.IdentityHashMap<EvaluationContext, TermWrite> m = byContext;
            if (m == null) {
                m = new java.util.IdentityHashMap<>(terms.length);
                for (TermWrite w : terms) {
                    m.put(w.child, w);
                }
                byContext = m;
            }
            return m.get(c);
        }
    }

    /** @return the running numbered evaluation of a term, or null */
    // the evaluation id is one String shared by the contexts of an evaluation: compared by identity first
    @SuppressWarnings("ReferenceEquality")
    private @Nullable Ev ev(EvaluationContext child) {
        String id = child.evaluationId();
        Ev last = lastEv;
        if (last != null && (last.id == id || last.id.equals(id)) && !last.done) {
            return last;
        }
        Ev ev = evs.get(id);
        if (ev != null) {
            lastEv = ev;
        }
        return ev;
    }

    /** @return whether a leaf of the evaluation was recorded as a row of its own */
    private boolean holdsRecorded(EvaluationContext ctx) {
        if (recorded.isEmpty()) {
            return false;
        }
        for (EvaluationContext c : ctx.children()) {
            if (c.children().isEmpty() ? recorded.contains(c) : holdsRecorded(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return what a leaf is to its evaluation's record: a term of the record when no commit took
     *     it; in the tree only when a commit took it (its row may still be on the
     *     way, so the record keeps its quantities); apart when it was committed as a row of its
     *     own before the evaluation ended (a slow term)
     */
    private EvaluationPack.LeafOf leafKind(EvaluationContext c, FastTerms fast) {
        TermWrite w = fast.get(c);
        if (w != null) {
            // read after the evaluation was closed: no commit takes a term any more
            if (w.taken) {
                return EvaluationPack.LeafOf.TREE;
            }
            if (w.failed || w.failure != null) {
                return new EvaluationPack.LeafOf(EvaluationPack.Leaf.TERM, w.failed, w.failure, w.thread);
            }
            // most terms of a fit say the same: the last one made is used again while the
            // thread stays the same (a serial fit makes one; a pool's threads may take turns)
            EvaluationPack.LeafOf plain = plainTerm;
            if (plain == null || !plain.thread().equals(w.thread)) {
                plain = new EvaluationPack.LeafOf(EvaluationPack.Leaf.TERM, false, null, w.thread);
                plainTerm = plain;
            }
            return plain;
        }
        return recorded.remove(c) ? EvaluationPack.LeafOf.APART : EvaluationPack.LeafOf.TREE;
    }

    /**
     * Writes an evaluation that holds fast leaf terms as one record: durable in the pending file
     * when this returns, and committed to the database by the writer with others soon after.
     */
    private void writeRecord(
            int number,
            EvaluationContext ctx,
            double toldLoss,
            boolean failed,
            String key,
            long start,
            long now,
            Ev ev,
            FastTerms fast,
            boolean rootOnly) {
        // the frame is made in a buffer of this thread: the evaluation's row, then its record
        ByteBuffer b = FRAMES.get();
        b.clear();
        b.order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.position(PendingLog.FRAME);
        Utf8Cache texts = Utf8Cache.get();
        String failure = failed ? EvaluationPack.message(ctx.failure()) : null;
        byte[] quantities = ctx.quantities().isEmpty() ? null : QuantityCodec.encode(ctx.quantities());
        Parameters p = ctx.parameters();
        b = Fold.room(b, 64 + 12 * p.size());
        b.put(Fold.VERSION).putLong(runId).putInt(number);
        b = Fold.put(b, texts.bytes(ctx.evaluationId()));
        b.put((byte) (failed ? 1 : 0));
        b.putInt(p.size());
        for (String name : p.names()) {
            b = Fold.put(b, texts.bytes(name));
            b = Fold.room(b, 8);
            b.putDouble(p.get(name));
        }
        b = Fold.put(b, texts.bytes(key));
        b = Fold.room(b, 16);
        b.putLong(Double.doubleToRawLongBits(ctx.loss())).putLong(Double.doubleToRawLongBits(toldLoss));
        b = Fold.put(b, failure == null ? null : failure.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        b = Fold.room(b, 20);
        b.putLong(start).putLong(now).putInt(attempt);
        b = Fold.put(b, quantities);
        b = Fold.room(b, 9);
        int degradedAt = b.position();
        b.put((byte) 0); // set once the record is written: it finds whether a term was stood in for
        int termsAt = b.position();
        b.putInt(0).putInt(0);
        int blobAt = b.position();
        EvaluationPack.Into into;
        if (rootOnly) {
            if (!recorded.isEmpty()) {
                forgetRecorded(ctx); // the terms' rows written apart stay; the record names none of them
            }
            into = EvaluationPack.encodeRootInto(b, ctx, 0, key, now);
        } else {
            into = EvaluationPack.encodeInto(b, ctx, 0, key, c -> leafKind(c, fast), now);
        }
        b = into.buffer();
        int blobLength = b.position() - blobAt;
        boolean degraded = !failed && into.degraded();
        b.put(degradedAt, (byte) (degraded ? 1 : 0));
        b.putInt(termsAt, into.terms()).putInt(termsAt + 4, blobLength);
        FRAMES.set(b);
        b.flip();
        FoldWrite fold = new FoldWrite(
                ev,
                ctx.evaluationId(),
                failed,
                key,
                ctx.loss(),
                toldLoss,
                failure,
                start,
                now,
                quantities,
                degraded,
                into.terms(),
                blobLength);
        while (!appendAndSubmit(b, fold, blobAt, number)) {
            // the writer is a whole half of the pending file behind (it catches up), or another
            // thread waits for the file to empty so as to map it larger for a record that large
            writer.flush();
            java.util.concurrent.locks.LockSupport.parkNanos(100_000); // not a tight loop meanwhile
        }
        if (!rootOnly) {
            keptWhole(ctx);
        }
    }

    /**
     * Whether an evaluation's record leaves its fast terms out: only with
     * {@link Journal#termsOfImprovingEvaluationsOnly()}, and only when a clean evaluation of a lower
     * loss was recorded whole before it, so that it can never be the best point (a tie, a degraded,
     * failed or NaN evaluation is recorded whole). Each evaluation recorded whole and clean lowers
     * the mark ({@link #keptWhole}).
     */
    private boolean leavesTermsOut(EvaluationContext ctx) {
        if (!improvingTermsOnly) {
            return false;
        }
        if (!clean(ctx)) {
            return false;
        }
        synchronized (wholeBelow) {
            return ctx.loss() > wholeBelow[0];
        }
    }

    /**
     * Lowers the mark of {@link #leavesTermsOut} to a clean evaluation's loss once its record, with
     * its terms, is durable: an evaluation running beside it leaves its terms out only behind a
     * lower loss that a kill cannot take away.
     */
    private void keptWhole(EvaluationContext ctx) {
        if (improvingTermsOnly && clean(ctx)) {
            synchronized (wholeBelow) {
                wholeBelow[0] = Math.min(wholeBelow[0], ctx.loss());
            }
        }
    }

    /** @return whether an evaluation may be the best point: a finite loss, no failed or stood-in term */
    private static boolean clean(EvaluationContext ctx) {
        return Double.isFinite(ctx.loss())
                && ctx.status() != EvaluationContext.Status.FAILED
                && !BestPoint.degraded(ctx);
    }

    /**
     * Appends a record's frame to the pending file and submits its copy into the database, in one
     * order, so that a commit copies the records in the order of the file and a half of it is used
     * again only when all it holds is in the database.
     *
     * @return whether it was appended (else the writer is to catch up first)
     */
    private boolean appendAndSubmit(ByteBuffer frame, FoldWrite fold, int blobAt, int number) {
        synchronized (pending) {
            try {
                if (!pending.tryAppend(frame)) {
                    return false;
                }
            } catch (PendingLog.NoRoomException ex) {
                throw journal.noRoom(
                        "record evaluation " + number + " in " + PendingLog.beside(journal.path()),
                        String.valueOf(ex.getMessage()),
                        ex);
            } catch (java.io.IOException ex) {
                throw new JournalException(
                        "journal " + journal.path() + ": cannot record evaluation " + number + " in "
                                + PendingLog.beside(journal.path()) + ": "
                                + org.chemfit.support.Reasons.of(ex, PendingLog.beside(journal.path())),
                        ex);
            }
            fold.file = pending.lastMap();
            fold.blobAt = pending.lastOffset() + blobAt;
            fold.half = pending.lastHalf();
            Ev ev = fold.ev;
            boolean submit;
            synchronized (ev) {
                // the evaluation's write still in the queue takes the record along; else a new one
                ev.fold = fold;
                submit = !ev.queued;
                ev.queued = true;
            }
            if (submit) {
                writer.submit(new EvWrite(ev));
            }
            return true;
        }
    }

    /**
     * The lowest loss of a clean evaluation recorded with its terms in this attempt (one element,
     * and the lock of its reads and writes: evaluations finish on several threads).
     */
    private final double[] wholeBelow = {Double.POSITIVE_INFINITY};

    /** A buffer per thread for the frames of evaluation records. */
    private static final ThreadLocal<ByteBuffer> FRAMES = ThreadLocal.withInitial(() -> ByteBuffer.allocate(16384));

    /**
     * An evaluation's record to copy from the pending file into the database: its row, made by
     * the writer from what the evaluation's thread took, and its record, copied out of the file.
     */
    private final class FoldWrite implements GroupCommitWriter.Write {
        private final Ev ev;
        private final String evaluationId;
        private final boolean failed;
        private final String key;
        private final double loss;
        private final double toldLoss;
        private final @Nullable String failure;
        private final long start;
        private final long end;
        private final byte @Nullable [] quantities;
        private final boolean degraded;
        private final int terms;
        /** Where the record's blob is in the pending file: set once it is appended. */
        private @Nullable ByteBuffer file;

        private int blobAt;
        /** The half of the pending file it went to. */
        private int half;

        private final int blobLength;

        @SuppressWarnings("TooManyParameters") // what one row of the evaluations table holds
        FoldWrite(
                Ev ev,
                String evaluationId,
                boolean failed,
                String key,
                double loss,
                double toldLoss,
                @Nullable String failure,
                long start,
                long end,
                byte @Nullable [] quantities,
                boolean degraded,
                int terms,
                int blobLength) {
            this.ev = ev;
            this.evaluationId = evaluationId;
            this.failed = failed;
            this.key = key;
            this.loss = loss;
            this.toldLoss = toldLoss;
            this.failure = failure;
            this.start = start;
            this.end = end;
            this.quantities = quantities;
            this.degraded = degraded;
            this.terms = terms;
            this.blobLength = blobLength;
        }

        @Override
        public void apply() throws SQLException {
            long first = nextTermId;
            byte[] blob = new byte[blobLength];
            java.util.Objects.requireNonNull(file, "appended")
                    .get(blobAt, blob); // the file's part is not used again before this is committed
            JournalQueries.EvaluationRow row = JournalQueries.EvaluationRow.ofRecord(
                    runId,
                    ev.number,
                    evaluationId,
                    failed,
                    JsonCodec.parameters(ev.parameters),
                    key,
                    loss,
                    toldLoss,
                    failure,
                    start,
                    end,
                    attempt,
                    quantities,
                    degraded);
            journal.queries.insertRecord(row, first, terms, new Fold(row, blob, terms).withFirstId(first));
            nextTermId += Math.max(1, terms); // a record of no term still takes an id of its own
            pendingInGroup[half]++;
        }
    }

    /** After a commit: the pending records it copied may leave the pending file. */
    private void committed() {
        pending.copied(0, pendingInGroup[0]);
        pending.copied(1, pendingInGroup[1]);
    }

    /** Forgets the leaves of an evaluation whose tree is not written. */
    private void forgetRecorded(EvaluationContext ctx) {
        for (EvaluationContext c : ctx.children()) {
            if (c.children().isEmpty()) {
                recorded.remove(c);
            } else {
                forgetRecorded(c);
            }
        }
    }

    /**
     * Replaces in an evaluation's tree the quantities of the leaf terms this session recorded in
     * the terms table by a mark ({@link JsonCodec#IN_TERMS}); {@link SqliteJournal#evaluations}
     * puts them back when reading.
     *
     * @return whether any were replaced
     */
    @SuppressWarnings("unchecked")
    private boolean leaveOutRecorded(EvaluationContext ctx, Map<String, Object> node, FastTerms fast) {
        List<EvaluationContext> children = ctx.children();
        if (children.isEmpty() || !(node.get("terms") instanceof List<?> maps) || maps.size() != children.size()) {
            return false;
        }
        boolean any = false;
        for (int i = 0; i < children.size(); i++) {
            EvaluationContext c = children.get(i);
            Map<String, Object> m = (Map<String, Object>) maps.get(i);
            if (c.children().isEmpty()) {
                boolean wasRecorded = recorded.remove(c);
                boolean wasFast = fast.get(c) != null;
                boolean inTerms = wasRecorded || wasFast;
                if (inTerms && m.containsKey("quantities")) {
                    m.put("quantities", JsonCodec.IN_TERMS + c.path()); // keeps its place in the node
                    any = true;
                }
            } else {
                any |= leaveOutRecorded(c, m, fast);
            }
        }
        return any;
    }

    @Override
    public @Nullable Recorded lookup(EvaluationContext child) {
        Ev ev = ev(child);
        if (ev != null && ev.fresh) {
            computed.incrementAndGet(); // nothing was recorded for these parameters
            return null;
        }
        String key = key(child);
        String path = child.path();
        Integer number = numbers.get(child.evaluationId());
        if (number != null && !keysBefore.contains(key) && keysStarted.getOrDefault(key, 0) <= 1) {
            // no evaluation of these parameters was recorded before this one: nothing to replay
            computed.incrementAndGet();
            return null;
        }
        Recorded found;
        if (number != null) {
            Map<String, Recorded> terms = toReplay.get(child.evaluationId());
            if (terms == null) {
                writer.flush(); // an earlier evaluation of the same parameters in this attempt may still be queued
                terms = toReplay.computeIfAbsent(child.evaluationId(), id -> recordedTerms(key));
            }
            found = terms.get(path + '\0' + child.name());
        } else {
            writer.flush();
            found = recordedOutsideEvaluations(child, key);
        }
        (found != null ? replayed : computed).incrementAndGet();
        return found;
    }

    /**
     * Every complete term recorded for evaluations of these parameters, from rows and packs alike,
     * the latest of each path and name: one read per replayed evaluation instead of one per term.
     */
    private Map<String, Recorded> recordedTerms(String key) {
        Map<String, Recorded> out = new HashMap<>();
        Map<String, Long> ids = new HashMap<>();
        synchronized (journal.lock) {
            checkActive();
            try {
                // found through the evaluations of the same parameters (one index on the key, kept
                // by the evaluations table), then the terms by evaluation number. CROSS JOIN keeps
                // that order: SQLite would otherwise scan the run's terms first.
                PreparedStatement q = journal.statement("SELECT t.id, t.term_path, t.term_name, t.value_bits,"
                        + " t.quantities_json, t.metadata_json, t.quantities_blob FROM evaluations e CROSS JOIN terms t"
                        + " ON t.run_id = e.run_id AND t.evaluation_number = e.number WHERE e.run_id = ?"
                        + " AND e.parameter_key = ? AND t.parameter_key = ? AND t.state = 'COMPLETE'");
                q.setLong(1, runId);
                q.setString(2, key);
                q.setString(3, key);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        String at = rs.getString(2) + '\0' + rs.getString(3);
                        long id = rs.getLong(1);
                        if (ids.getOrDefault(at, Long.MIN_VALUE) < id) {
                            ids.put(at, id);
                            out.put(at, recordedAt(rs, 4));
                        }
                    }
                }
                PreparedStatement p = journal.statement("SELECT p.first_id, p.evaluation_number, p.attempt,"
                        + " p.parameter_key, p.terms_blob FROM evaluations e CROSS JOIN term_packs p"
                        + " ON p.run_id = e.run_id AND p.evaluation_number = e.number WHERE e.run_id = ?"
                        + " AND e.parameter_key = ?");
                p.setLong(1, runId);
                p.setString(2, key);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        for (TermPack.Term t : TermPack.decode(
                                rs.getBytes(5), rs.getLong(1), runId, rs.getInt(2), rs.getInt(3), rs.getString(4))) {
                            TermRecord r = t.record();
                            String at = r.path() + '\0' + r.name();
                            if (t.key().equals(key)
                                    && r.state() == EvaluationRecord.State.COMPLETE
                                    && ids.getOrDefault(at, Long.MIN_VALUE) < r.id()) {
                                ids.put(at, r.id());
                                out.put(
                                        at,
                                        new Recorded(r.value(), r.quantities(), JsonCodec.readMap(r.metadataJson())));
                            }
                        }
                    }
                }
                return out;
            } catch (SQLException e) {
                throw journal.failure("look up the recorded terms of parameters " + key, e);
            }
        }
    }

    /**
     * @param first the column of {@code value_bits}, followed by {@code quantities_json},
     *     {@code metadata_json} and {@code quantities_blob}
     * @return the recorded outcome of the term of the current row
     */
    private static Recorded recordedAt(ResultSet rs, int first) throws SQLException {
        return new Recorded(
                Double.longBitsToDouble(rs.getLong(first)),
                SqliteJournal.quantities(rs.getBytes(first + 3), rs.getString(first + 1)),
                JsonCodec.readMap(rs.getString(first + 2)));
    }

    /** @return a term evaluated outside a Fitter's numbered evaluations, as recorded, or null */
    private @Nullable Recorded recordedOutsideEvaluations(EvaluationContext child, String key) {
        String path = child.path();
        synchronized (journal.lock) {
            checkActive();
            try {
                PreparedStatement q = journal.statement(
                        "SELECT value_bits, quantities_json, metadata_json, quantities_blob FROM terms"
                                + " WHERE term_path = ? AND run_id = ? AND evaluation_number IS NULL"
                                + " AND parameter_key = ? AND term_name = ? AND state = 'COMPLETE' ORDER BY id DESC LIMIT 1");
                q.setString(1, path);
                q.setLong(2, runId);
                q.setString(3, key);
                q.setString(4, child.name());
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next()) {
                        return recordedAt(rs, 1);
                    }
                }
                return null;
            } catch (SQLException e) {
                throw journal.failure("look up term '" + child.name() + "' (" + path + ")", e);
            }
        }
    }

    @Override
    public void finished(EvaluationContext child) {
        if (child.status() != EvaluationContext.Status.FAILED) {
            String refused = JsonCodec.refusedMetadata(org.chemfit.internal.ContextValues.metadata(child));
            if (refused != null) {
                JsonCodec.replaceRefused(child.metadata()); // the failed term's row is written without it
                // checked here, on the term's thread, so that the term fails, as its failure policy says
                child.fail(new org.chemfit.TermFailedException(
                        "term " + child.index() + " '" + child.name() + "' failed: " + refused,
                        child.name(),
                        child.index(),
                        child.parameters(),
                        null,
                        null,
                        null,
                        false,
                        null));
            }
        }
        boolean failed = child.status() == EvaluationContext.Status.FAILED;
        double value = failed ? Double.NaN : child.value();
        String failure = failed ? EvaluationPack.message(child.failure()) : null;
        String thread = child.threadName() == null ? Thread.currentThread().getName() : child.threadName();
        long took = child.endEpochNanos() - child.startEpochNanos();
        if (ended) {
            checkActive();
        }
        Ev ev = ev(child);
        if (ev != null
                && child.parent() != null
                && child.startEpochNanos() != 0
                && took >= 0
                && took < GroupCommitWriter.LINGER_NANOS) {
            // a fast term of a numbered evaluation: its row is made by the writer, if it is written
            // at all before its evaluation's record takes it (evaluationFinished)
            TermWrite w = new TermWrite(child, ev.number, failed, value, failure, thread);
            w.capture(); // the context may change once this returns; the row is made later, if at all
            boolean submit;
            boolean late;
            synchronized (ev) {
                // a term that finishes as its evaluation's record is made is written on its own
                late = ev.closed;
                if (!late) {
                    ev.fast.add(w);
                }
                // the writer takes it within its millisecond, unless the evaluation's record does first
                submit = !late && !ev.queued;
                ev.queued |= submit;
            }
            if (submit) {
                writer.submit(new EvWrite(ev));
            }
            if (!late) {
                return;
            }
        }
        Integer number = ev != null ? Integer.valueOf(ev.number) : numbers.get(child.evaluationId());
        if (number != null) {
            recorded.add(child);
        }
        TermWrite w = new TermWrite(child, number, failed, value, failure, thread);
        w.row(); // made now: the context may change once this returns
        writer.submit(w);
        if (took >= GroupCommitWriter.LINGER_NANOS || took < 0) {
            // a slow term (an external program) gains nothing from waiting for others to share its
            // commit: its own thread commits it now, before it goes on to anything else (and an
            // evaluation's record may name its row)
            writer.flush();
        }
    }

    /**
     * A finished leaf term to write: alone as a row, or packed with the others of its evaluation;
     * a fast term of a numbered evaluation is not queued: its evaluation's {@link EvWrite} or record
     * takes it.
     */
    private final class TermWrite implements GroupCommitWriter.Write {
        private final EvaluationContext child;
        private final @Nullable Integer number;
        private final boolean failed;
        private final double value;
        private final @Nullable String failure;
        private final String thread;
        private JournalQueries.@Nullable TermRow row;
        /** Whether the writer wrote it (a fast term); guarded by its evaluation's {@link Ev}. */
        boolean taken;
        /** What the row needs of the context, taken when the term finished. */
        private @Nullable Quantities quantities;

        private @Nullable Map<String, Object> metadata;
        private long start;
        private long end;

        TermWrite(
                EvaluationContext child,
                @Nullable Integer number,
                boolean failed,
                double value,
                @Nullable String failure,
                String thread) {
            this.child = child;
            this.number = number;
            this.failed = failed;
            this.value = value;
            this.failure = failure;
            this.thread = thread;
        }

        /** Takes what the row needs of the context (its quantities are immutable; its metadata is copied). */
        void capture() {
            quantities = child.quantities();
            Map<String, Object> m = org.chemfit.internal.ContextValues.metadata(child);
            metadata = m.isEmpty() ? Map.of() : new java.util.LinkedHashMap<>(m);
            start = child.startEpochNanos();
            end = child.endEpochNanos();
        }

        /** @return the term's row, made at the first call */
        JournalQueries.TermRow row() {
            JournalQueries.TermRow r = row;
            if (r != null) {
                return r;
            }
            if (metadata == null) {
                capture();
            }
            Quantities q = java.util.Objects.requireNonNull(quantities, "captured");
            Map<String, Object> meta = java.util.Objects.requireNonNull(metadata, "captured");
            byte[] quantities = q.isEmpty() ? null : QuantityCodec.encode(q);
            String metaJson = meta.isEmpty() ? null : JsonCodec.write(meta);
            String host = EvaluationPack.metaText(meta, "host", "member_address");
            String member = EvaluationPack.metaText(meta, "member", "worker");
            long start = this.start == 0 ? EvaluationContext.nowEpochNanos() : this.start;
            long end = this.end == 0 ? EvaluationContext.nowEpochNanos() : this.end;
            r = new JournalQueries.TermRow(
                    runId,
                    number,
                    child.evaluationId(),
                    child.path(),
                    child.name(),
                    key(child),
                    failed,
                    value,
                    quantities,
                    metaJson,
                    EvaluationPack.metaText(meta, "run_directory", "run_dir", "workdir"),
                    host == null ? SqliteJournal.HOST : host,
                    member != null ? member : thread,
                    failure,
                    start,
                    end,
                    attempt);
            row = r;
            return r;
        }

        @Override
        public void apply() throws SQLException {
            journal.queries.insertTerm(row(), nextTermId++);
        }
    }

    /**
     * Applies a group of writes in one transaction, in order, except that the leaf terms of an
     * evaluation in the group are written as one pack: the fast terms of an in-process evaluation
     * cost one row instead of one each. Runs on the committing thread.
     */
    private void apply(List<GroupCommitWriter.Write> group) throws SQLException {
        // set by the records of this group; read once it is committed
        pendingInGroup[0] = 0;
        pendingInGroup[1] = 0;
        Map<String, List<JournalQueries.TermRow>> open = new java.util.LinkedHashMap<>();
        for (GroupCommitWriter.Write w : group) {
            if (w instanceof TermWrite t && t.number != null) {
                JournalQueries.TermRow row = t.row();
                open.computeIfAbsent(row.evaluationId(), k -> new ArrayList<>()).add(row);
                continue;
            }
            writeTerms(open);
            w.apply();
        }
        writeTerms(open);
    }

    private void writeTerms(Map<String, List<JournalQueries.TermRow>> open) throws SQLException {
        for (List<JournalQueries.TermRow> rows : open.values()) {
            if (rows.size() > 1) {
                journal.queries.insertPack(nextTermId, rows);
                nextTermId += rows.size();
            } else {
                journal.queries.insertTerm(rows.get(0), nextTermId++);
            }
        }
        open.clear();
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
        evs.clear();
        try {
            pending.close();
        } catch (java.io.IOException e) {
            LOG.warn(
                    "journal {}: cannot close {}: {}",
                    journal.path(),
                    PendingLog.beside(journal.path()),
                    org.chemfit.support.Reasons.of(e, PendingLog.beside(journal.path())));
        }
        LOG.debug(
                "journal {}: run {} attempt {}: {} commits of finished results",
                journal.path(),
                runId,
                attempt,
                writer.commits());
        synchronized (journal.lock) {
            if (ended) {
                return;
            }
            ended = true;
            try {
                String now = SqliteJournal.now();
                @Nullable String[] before = runBefore;
                journal.inTransaction(() -> {
                    if (REFUSED.equals(status) && before != null) {
                        // the attempt recorded nothing of its own: the run stays as it was
                        journal.queries.restoreRun(runId, attempt, now, before);
                        return null;
                    }
                    journal.queries.endRun(
                            runId,
                            attempt,
                            now,
                            status,
                            stopReason,
                            bestLoss,
                            evaluations,
                            replayed.get(),
                            computed.get());
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
}
