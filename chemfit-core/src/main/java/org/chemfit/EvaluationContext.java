package org.chemfit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.chemfit.support.Reasons;
import org.jspecify.annotations.Nullable;

/**
 * The state of one evaluation: the parameters, the quantities computed, the loss, free-form
 * metadata (a JSON-able tree of maps, lists, strings, numbers and booleans), and one child context
 * per term of a combined objective, holding that term's share of the breakdown.
 *
 * <pre>{@code
 * EvaluationContext ctx = new EvaluationContext(params);
 * double loss = combined.evaluate(params, ctx);
 * for (EvaluationContext term : ctx.children()) {
 *     System.out.println(term.name() + ": " + term.value() + " x " + term.weight());
 * }
 * }</pre>
 *
 * <p>Terms keep no per-call state on themselves; they write it here, so one term object can be
 * evaluated from many threads at once, each with its own context.
 *
 * <p>A context changes state only through transitions named for what happened: from
 * {@link Status#PENDING} it is {@link #complete completed} with a loss, {@link #fail failed}, or
 * {@link #replay replayed} from a journal; a failed term may {@link #retry} (back to pending);
 * its parent's reduction then {@link #contribute counts}, {@link #penalize penalizes} or
 * {@link #skip skips} it. {@link #adopt} takes the outcome of a run elsewhere (a cluster member).
 *
 * @implNote Not thread-safe. A context is written by one thread at a time: a combined objective
 *     creates the children before its terms run, and each child is then confined to the thread
 *     that runs its term until the term finishes (a future's completion publishes it).
 */
public final class EvaluationContext {

    /** What became of a term. */
    public enum Status {
        /** Not evaluated yet. */
        PENDING,
        /** Evaluated normally. */
        OK,
        /** Failed; its loss was replaced by the failure policy's penalty value. */
        PENALTY,
        /** Failed; left out of the reduction by the failure policy. */
        SKIPPED,
        /**
         * Failed and the failure was raised; or, for a term of weight 0, failed and recorded
         * without consequence (it adds 0 to its parent's reduction, and the failure policy is
         * not applied to it).
         */
        FAILED,
        /** Its result was taken from the journal instead of being computed. */
        REPLAYED
    }

    private static final AtomicLong IDS = new AtomicLong();
    // Captured once, at class loading, on purpose: the anchor that turns System.nanoTime() into
    // epoch time for the whole JVM (one Instant, so its seconds and nanos are of one moment).
    @SuppressWarnings("TimeInStaticInitializer")
    private static final long EPOCH_ANCHOR_NANOS = epochAnchor();

    private static long epochAnchor() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
    }

    /** @return the current time in nanoseconds since the epoch, monotonic within this JVM */
    public static long nowEpochNanos() {
        return EPOCH_ANCHOR_NANOS + System.nanoTime();
    }

    /**
     * @param nanoTime a reading of {@link System#nanoTime()}
     * @return the same instant in nanoseconds since the epoch
     */
    public static long toEpochNanos(long nanoTime) {
        return EPOCH_ANCHOR_NANOS + nanoTime;
    }

    static {
        // the journal reads every node without the empty maps and views the accessors make
        org.chemfit.internal.ContextValues.lend(new org.chemfit.internal.ContextValues.Reader() {
            @Override
            public Map<String, Object> metadata(EvaluationContext c) {
                Map<String, Object> m = c.metadata;
                return m == null ? Map.of() : m;
            }

            @Override
            public List<EvaluationContext> children(EvaluationContext c) {
                List<EvaluationContext> k = c.children;
                return k == null ? List.of() : k;
            }
        });
    }

    private final Parameters parameters;
    private final String name;
    private final int index;
    private final String evaluationId;
    private final @Nullable EvaluationContext parent;
    private @Nullable Map<String, Object> metadata;
    private @Nullable List<EvaluationContext> children;
    private Quantities quantities = Quantities.empty();
    private double value = Double.NaN;
    private double weight = 1.0;
    private double contribution = Double.NaN;
    private Status status = Status.PENDING;
    private @Nullable Throwable failure;
    private long startEpochNanos;
    private long durationNanos = -1;
    private @Nullable String threadName;
    private @Nullable TermRecorder recorder;

    /**
     * Creates a root context with a fresh evaluation id, unique within this JVM.
     *
     * @param parameters the parameters being evaluated
     */
    public EvaluationContext(Parameters parameters) {
        this(parameters, "e" + IDS.incrementAndGet());
    }

    /**
     * Creates a root context with a given evaluation id (the Fitter numbers its evaluations).
     *
     * @param parameters the parameters being evaluated
     * @param evaluationId an id, used in run directory names and the journal
     */
    public EvaluationContext(Parameters parameters, String evaluationId) {
        this(parameters, "objective", -1, evaluationId, null);
    }

    private EvaluationContext(
            Parameters parameters, String name, int index, String evaluationId, @Nullable EvaluationContext parent) {
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        this.name = name;
        this.index = index;
        this.evaluationId = Objects.requireNonNull(evaluationId, "evaluationId");
        this.parent = parent;
    }

    /**
     * Adds a child context for the next term.
     *
     * @param termName the term's name
     * @param termWeight the term's weight
     * @return the child, whose index is the number of children before it
     */
    public EvaluationContext addChild(String termName, double termWeight) {
        if (children == null) {
            children = new ArrayList<>();
        }
        EvaluationContext c = new EvaluationContext(parameters, termName, children.size(), evaluationId, this);
        c.weight = termWeight;
        c.recorder = recorder;
        children.add(c);
        return c;
    }

    /**
     * Attaches a recorder that sees every leaf term of this evaluation (children added later inherit it).
     *
     * @param r the recorder, or null for none (null detaches the one attached before, from the
     *     children added afterwards too)
     */
    public void recordTo(@Nullable TermRecorder r) {
        this.recorder = r;
    }

    /** @return the recorder of this evaluation, or null */
    public @Nullable TermRecorder recorder() {
        return recorder;
    }

    /**
     * Forgets the outcome of a failed attempt (its terms, quantities and value) before the term
     * runs again, back to {@link Status#PENDING}, and counts the retry in the metadata
     * ({@code retries}). The failure stays until the next attempt completes or fails.
     *
     * @param attempt the number of this retry, from 1
     */
    public void retry(int attempt) {
        children = null;
        quantities = Quantities.empty();
        value = Double.NaN;
        contribution = Double.NaN;
        status = Status.PENDING;
        put("retries", attempt);
    }

    /** @return the parameters being evaluated */
    public Parameters parameters() {
        return parameters;
    }

    /** @return the term's name ("objective" for a root) */
    public String name() {
        return name;
    }

    /** @return the term's index within its parent, or -1 for a root */
    public int index() {
        return index;
    }

    /** @return the id of the evaluation this context belongs to (shared by all its children) */
    public String evaluationId() {
        return evaluationId;
    }

    /** @return the parent context, or null for a root */
    public @Nullable EvaluationContext parent() {
        return parent;
    }

    /**
     * @return the path of term indices from the root, for example {@code "2.0"}; empty for a root
     */
    public String path() {
        if (parent == null) {
            return "";
        }
        String p = parent.path();
        return p.isEmpty() ? Integer.toString(index) : p + "." + index;
    }

    /** @return the quantities computed (empty until a quantity computer ran) */
    public Quantities quantities() {
        return quantities;
    }

    /**
     * Records the quantities a term computed (before its loss is known, so that a term whose loss
     * function fails still shows what was computed).
     *
     * @param q the quantities computed
     * @throws NullPointerException when {@code q} is null
     */
    public void computed(Quantities q) {
        this.quantities = Objects.requireNonNull(q, "quantities");
    }

    /** @return the unweighted loss of this term (or the objective's total for a root), NaN until known */
    public double value() {
        return value;
    }

    /** @return the same as {@link #value()}: the loss */
    public double loss() {
        return value;
    }

    /**
     * Completes the context: records the loss, forgets the failure of an earlier attempt, and
     * moves it to {@link Status#OK}.
     *
     * @param loss the loss (the unweighted value of a term, or the total of a combined objective)
     */
    public void complete(double loss) {
        this.value = loss;
        this.failure = null;
        this.status = Status.OK;
    }

    /**
     * Fails the context: records why, and moves it to {@link Status#FAILED}.
     *
     * @param cause the failure of this term (or of the whole evaluation, for a root)
     */
    public void fail(@Nullable Throwable cause) {
        this.failure = cause;
        this.status = Status.FAILED;
    }

    /**
     * Replays a recorded result instead of computing it: the quantities, metadata and loss a
     * journal holds, and the status {@link Status#REPLAYED}. The one place where a replayed
     * result enters a context.
     *
     * @param q the recorded quantities
     * @param recordedMetadata the recorded metadata, added to this context's
     * @param loss the recorded loss
     * @throws NullPointerException when {@code q} or {@code recordedMetadata} is null
     */
    public void replay(Quantities q, Map<String, ?> recordedMetadata, double loss) {
        this.quantities = Objects.requireNonNull(q, "quantities");
        metadata().putAll(recordedMetadata);
        this.value = loss;
        this.status = Status.REPLAYED;
    }

    /**
     * Takes the outcome of a run elsewhere (another thread's context, a cluster member's result):
     * its status, loss, quantities, metadata (added to this context's) and failure.
     *
     * @param s the status the run ended with
     * @param loss its loss (NaN when it failed)
     * @param q its quantities
     * @param runMetadata its metadata
     * @param cause its failure, or null
     * @throws NullPointerException when {@code s}, {@code q} or {@code runMetadata} is null
     */
    public void adopt(Status s, double loss, Quantities q, Map<String, ?> runMetadata, @Nullable Throwable cause) {
        this.quantities = Objects.requireNonNull(q, "quantities");
        metadata().putAll(runMetadata);
        this.value = loss;
        this.failure = cause;
        this.status = Objects.requireNonNull(s, "status");
    }

    /** @return the weight of this term in its parent (1 for a root) */
    public double weight() {
        return weight;
    }

    /** @return the weighted contribution to the parent's reduction, NaN when skipped or not known */
    public double contribution() {
        return contribution;
    }

    /**
     * Records the weighted contribution of a term that counts in its parent's reduction.
     *
     * @param c the weighted contribution
     */
    public void contribute(double c) {
        this.contribution = c;
    }

    /**
     * A failed term stands in with a penalty: status {@link Status#PENALTY} and the weighted
     * penalty as its contribution.
     *
     * @param c the weighted penalty value
     */
    public void penalize(double c) {
        this.status = Status.PENALTY;
        this.contribution = c;
    }

    /** A failed term is left out of its parent's reduction: status {@link Status#SKIPPED}, no contribution. */
    public void skip() {
        this.status = Status.SKIPPED;
        this.contribution = Double.NaN;
    }

    /** @return what became of this term */
    public Status status() {
        return status;
    }

    /** @return the failure of this term, or null */
    public @Nullable Throwable failure() {
        return failure;
    }

    /**
     * Records when and where the term ran.
     *
     * @param startEpochNanos start, in nanoseconds since the epoch
     * @param durationNanos how long it took
     * @param thread the name of the thread that ran it
     */
    public void timed(long startEpochNanos, long durationNanos, @Nullable String thread) {
        this.startEpochNanos = startEpochNanos;
        this.durationNanos = durationNanos;
        this.threadName = thread;
    }

    /** @return start in nanoseconds since the epoch (0 when not timed) */
    public long startEpochNanos() {
        return startEpochNanos;
    }

    /** @return end in nanoseconds since the epoch (0 when not timed) */
    public long endEpochNanos() {
        return durationNanos < 0 ? 0 : startEpochNanos + durationNanos;
    }

    /** @return seconds taken, NaN when not timed */
    public double seconds() {
        return durationNanos < 0 ? Double.NaN : durationNanos / 1e9;
    }

    /** @return the thread that ran this term, or null */
    public @Nullable String threadName() {
        return threadName;
    }

    /** @return the children, one per term, in term order */
    public List<EvaluationContext> children() {
        return children == null ? List.of() : Collections.unmodifiableList(children);
    }

    /**
     * @param i a term index
     * @return the child of that term
     * @throws IndexOutOfBoundsException when there is no such child
     */
    public EvaluationContext child(int i) {
        if (children == null) {
            throw new IndexOutOfBoundsException("context '" + name + "' has no terms, asked for term " + i);
        }
        return children.get(i);
    }

    /**
     * @return the free-form metadata, mutable; values must be JSON-able (see {@link #put})
     */
    public Map<String, Object> metadata() {
        if (metadata == null) {
            metadata = new LinkedHashMap<>();
        }
        return metadata;
    }

    /**
     * Puts a metadata entry.
     *
     * @param key the key
     * @param val a JSON-able value: a map, list, array, string, number, boolean, enum constant or
     *     path, or an object whose text is its own (stored as its {@code toString()}); a journal
     *     refuses an object with no text of its own (whose {@code toString} is {@code Object}'s),
     *     also inside a container, as a map's key, an Optional's value or a record's component
     *     that the record's text shows; and an array inside the text of a record, an Optional or
     *     a map's key: the term, or the evaluation, that put it fails, saying so
     * @return this context
     */
    public EvaluationContext put(String key, Object val) {
        metadata().put(key, val);
        return this;
    }

    /**
     * The whole tree as JSON-able maps: name, value, weight, contribution, status, quantities,
     * metadata, failure message, children, and (when asked) a {@code timing} entry.
     *
     * @param withTiming whether to include start, end, seconds and thread
     * @return an ordered map
     */
    public Map<String, Object> toMap(boolean withTiming) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        if (index >= 0) {
            m.put("index", index);
        }
        m.put("status", status.name());
        m.put("value", jsonNumber(value));
        if (parent != null) {
            m.put("weight", weight);
            m.put("contribution", jsonNumber(contribution));
        }
        if (!quantities.isEmpty()) {
            m.put("quantities", quantities.asMap());
        }
        if (metadata != null && !metadata.isEmpty()) {
            m.put("metadata", new LinkedHashMap<>(metadata));
        }
        if (failure != null) {
            m.put("failure", Reasons.of(failure));
        }
        if (withTiming && durationNanos >= 0) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("start_ns", startEpochNanos);
            t.put("end_ns", endEpochNanos());
            t.put("seconds", seconds());
            t.put("thread", threadName);
            m.put("timing", t);
        }
        if (children != null && !children.isEmpty()) {
            List<Object> cs = new ArrayList<>();
            for (EvaluationContext c : children) {
                cs.add(c.toMap(withTiming));
            }
            m.put("terms", cs);
        }
        return m;
    }

    private static Object jsonNumber(double d) {
        return Double.isFinite(d) ? (Object) d : (Object) Double.toString(d);
    }

    @Override
    public String toString() {
        return "EvaluationContext" + toMap(false);
    }
}
