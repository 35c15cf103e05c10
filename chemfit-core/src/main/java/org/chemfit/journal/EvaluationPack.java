package org.chemfit.journal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.chemfit.EvaluationContext;
import org.chemfit.Quantities;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.TermRecord;
import org.chemfit.support.Reasons;
import org.jspecify.annotations.Nullable;

/**
 * One binary record per evaluation (schema version 5): the whole metadata tree of an evaluation
 * together with the leaf terms it ran itself, written by the evaluation's thread in one pass and
 * stored as one row of {@code term_packs}. The tree read back is the map
 * {@link EvaluationContext#toMap(boolean) toMap(true)} gave, and each leaf term reads back as the
 * {@link TermRecord} its own row would hold, bit for bit; nothing is turned into JSON text or
 * decimal numbers while the fit runs. The layout, all little-endian:
 *
 * <pre>
 * "CFE" 0x01                      magic and format version
 * int64 first_id                  the id of the first term of the record; the others follow in tree order
 * int32 terms                     how many leaves are terms of this record (kind 1)
 * node:
 *   text name                     a text is int32 n (-1: NULL) and n bytes of UTF-8
 *   int32 index                   -1: none
 *   text status                   the name of its EvaluationContext.Status
 *   uint8 kind                    0 inner node, 1 leaf term of this record, 2 leaf term recorded in
 *                                 its own row of terms (its quantities are left there), 3 leaf
 *                                 replayed from the journal (in the tree only)
 *   float64 value, and for a node with a parent float64 weight, float64 contribution
 *   uint8 flags                   1 quantities, 2 metadata, 4 failure, 8 timing
 *   flag 1: int32 n, n bytes      the quantities in the form of {@link QuantityCodec} (kind 2: none)
 *   flag 2: text metadata         as JSON
 *   flag 4: text failure          as the tree gives it
 *   flag 8: int64 start, int64 end, text thread   nanoseconds since the epoch
 *   kind 1: text worker, uint8 failed, text failure message (NULL unless failed), text parameter
 *           key (NULL: the evaluation's), int64 started, int64 ended
 *   kind 0: int32 n, then n nodes
 * </pre>
 *
 * <p>Names, thread names and statuses repeat from one evaluation to the next, so their UTF-8
 * bytes are kept ({@link Utf8Cache}). A leaf's path ({@code "2"} or {@code "1.0"}) is not stored: it is the indices of the nodes
 * from the root down to it. Written by hand for the reason {@link QuantityCodec} is.
 *
 * @implNote Thread-safe: stateless; a record is written into the caller's buffer, with the names cached per thread.
 */
final class EvaluationPack {

    private static final byte[] MAGIC = {'C', 'F', 'E', 1};

    /** What a leaf of the tree is to the record. */
    enum Leaf {
        /** A term this record holds: its term record is read from the record. */
        TERM(1),
        /** A term recorded in its own row of the terms table: its quantities are left there. */
        APART(2),
        /** A term replayed from the journal: in the tree only. */
        TREE(3);

        /** Its code in the record (0 is an inner node). */
        final byte code;

        Leaf(int code) {
            this.code = (byte) code;
        }
    }

    /**
     * What a leaf is to the record and, for a term of the record, what was true when it finished
     * (a failure policy changes the status of a failed term afterwards).
     *
     * @param failed whether the term failed
     * @param failure its failure message, or null
     * @param thread the thread that ran it
     */
    record LeafOf(Leaf kind, boolean failed, @Nullable String failure, String thread) {
        static final LeafOf APART = new LeafOf(Leaf.APART, false, null, "");
        static final LeafOf TREE = new LeafOf(Leaf.TREE, false, null, "");
    }

    private static final byte INNER = 0;
    private static final int QUANTITIES = 1;
    private static final int METADATA = 2;
    private static final int FAILURE = 4;
    private static final int TIMING = 8;

    private EvaluationPack() {}

    /** @return whether a {@code terms_blob} is a record of this form (else a {@link TermPack}) */
    static boolean is(byte[] blob) {
        return blob.length >= 4 && Arrays.equals(blob, 0, 4, MAGIC, 0, 4);
    }

    /** A record written into a buffer: the buffer (a larger one when it grew) and its count of terms. */
    record Into(ByteBuffer buffer, int terms) {}

    /**
     * Writes a record at the buffer's position (little-endian from there on).
     *
     * @return the buffer, or a larger copy of it holding what it held, and the record's count of terms
     */
    static Into encodeInto(
            ByteBuffer buffer,
            EvaluationContext root,
            long firstId,
            String key,
            Function<EvaluationContext, LeafOf> kind,
            long ended) {
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        Writer w = new Writer(buffer, root.parameters(), key, kind, ended);
        w.room(16);
        int start = w.buf.position();
        w.buf.put(MAGIC).putLong(firstId).putInt(0);
        w.node(root);
        w.buf.putInt(start + 12, w.terms);
        return new Into(w.buf, w.terms);
    }

    /** Writes the nodes of one tree. */
    private static final class Writer {
        private ByteBuffer buf;
        private final String key;
        private final Function<EvaluationContext, LeafOf> kind;
        private final long ended;
        private final org.chemfit.Parameters rootParameters;
        private final Utf8Cache texts = Utf8Cache.get();
        private int terms;

        Writer(
                ByteBuffer buf,
                org.chemfit.Parameters rootParameters,
                String key,
                Function<EvaluationContext, LeafOf> kind,
                long ended) {
            this.buf = buf;
            this.rootParameters = rootParameters;
            this.key = key;
            this.kind = kind;
            this.ended = ended;
        }

        void node(EvaluationContext c) {
            List<EvaluationContext> children = c.children();
            LeafOf of = children.isEmpty() && c.parent() != null ? kind.apply(c) : null;
            Leaf leaf = of == null ? null : of.kind();
            text(c.name());
            room(4);
            buf.putInt(c.index());
            text(c.status().name());
            room(1);
            buf.put(leaf == null ? INNER : leaf.code);
            room(25);
            buf.putDouble(c.value());
            if (c.parent() != null) {
                buf.putDouble(c.weight()).putDouble(c.contribution());
            }
            Quantities q = c.quantities();
            Map<String, Object> meta = c.metadata();
            Throwable failure = c.failure();
            boolean timed = !Double.isNaN(c.seconds());
            int flags = (q.isEmpty() ? 0 : QUANTITIES)
                    | (meta.isEmpty() ? 0 : METADATA)
                    | (failure == null ? 0 : FAILURE)
                    | (timed ? TIMING : 0);
            buf.put((byte) flags);
            if (!q.isEmpty() && leaf != Leaf.APART) {
                int at = buf.position();
                room(4);
                buf.putInt(0);
                buf = QuantityCodec.encodeInto(buf, q);
                buf.putInt(at, buf.position() - at - 4);
            }
            String metaJson = meta.isEmpty() ? null : JsonCodec.write(meta);
            if (metaJson != null) {
                plain(metaJson);
            }
            if (failure != null) {
                plain(Reasons.of(failure));
            }
            if (timed) {
                room(16);
                buf.putLong(c.startEpochNanos()).putLong(c.endEpochNanos());
                text(c.threadName());
            }
            if (leaf != null) {
                if (of != null && leaf == Leaf.TERM) {
                    terms++;
                    String member = metaText(meta, "member", "worker");
                    text(member != null ? member : of.thread());
                    room(1);
                    buf.put((byte) (of.failed() ? 1 : 0));
                    plain(of.failed() ? of.failure() : null);
                    plain(ownKey(c));
                    room(16);
                    buf.putLong(c.startEpochNanos() == 0 ? ended : c.startEpochNanos());
                    buf.putLong(c.endEpochNanos() == 0 ? ended : c.endEpochNanos());
                }
                return;
            }
            room(4);
            buf.putInt(children.size());
            for (EvaluationContext child : children) {
                node(child);
            }
        }

        /** @return the parameter key of a leaf whose parameters are not its evaluation's, else null */
        // the evaluation's key stands for the leaves that share its very Parameters object
        @SuppressWarnings("ReferenceEquality")
        private @Nullable String ownKey(EvaluationContext c) {
            if (c.parameters() == rootParameters) {
                return null;
            }
            String own = JsonCodec.parameterKey(c.parameters());
            return own.equals(key) ? null : own;
        }

        /** A text that repeats from one evaluation to the next (kept as bytes). */
        void text(@Nullable String s) {
            if (s == null) {
                room(4);
                buf.putInt(-1);
                return;
            }
            byte[] a = texts.bytes(s);
            room(4 + a.length);
            buf.putInt(a.length).put(a);
        }

        /** A text that changes (not kept). */
        void plain(@Nullable String s) {
            if (s == null) {
                room(4);
                buf.putInt(-1);
                return;
            }
            byte[] a = s.getBytes(StandardCharsets.UTF_8);
            room(4 + a.length);
            buf.putInt(a.length).put(a);
        }

        void room(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(2 * buf.capacity(), buf.position() + n))
                        .order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }
    }

    /** A record read back: the evaluation's tree and its leaf terms. */
    record Decoded(Map<String, Object> tree, List<TermPack.Term> terms) {}

    /**
     * @param blob a record written by {@link #encodeInto}
     * @param evaluationKey the parameter key of the evaluation (of its pack row)
     * @return the tree (the quantities of kind-2 leaves are marks {@link JsonCodec#IN_TERMS} and
     *     their path) and the terms, in id order
     * @throws JournalException when the blob is not such a record
     */
    static Decoded decode(byte[] blob, long runId, int evaluationNumber, int attempt, String evaluationKey) {
        if (!is(blob)) {
            throw new JournalException("a record of evaluation " + evaluationNumber + " of run " + runId
                    + " does not start with the mark \"CFE\" and version 1");
        }
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        b.position(4);
        try {
            Reader r = new Reader(b, b.getLong(), runId, evaluationNumber, attempt, evaluationKey);
            int expected = b.getInt();
            Map<String, Object> tree = r.node(null);
            if (r.terms.size() != expected || b.hasRemaining()) {
                throw new JournalException("the record of evaluation " + evaluationNumber + " of run " + runId
                        + " holds " + r.terms.size() + " terms where its header says " + expected);
            }
            return new Decoded(tree, r.terms);
        } catch (java.nio.BufferUnderflowException
                | IllegalArgumentException
                | IndexOutOfBoundsException
                | NullPointerException e) {
            throw new JournalException(
                    "the record of evaluation " + evaluationNumber + " of run " + runId + " ends before its last term",
                    e);
        }
    }

    /** Reads the nodes of one tree. */
    private static final class Reader {
        private final ByteBuffer b;
        private long nextId;
        private final long runId;
        private final int number;
        private final int attempt;
        private final String key;
        private final List<TermPack.Term> terms = new ArrayList<>();

        Reader(ByteBuffer b, long firstId, long runId, int number, int attempt, String key) {
            this.b = b;
            this.nextId = firstId;
            this.runId = runId;
            this.number = number;
            this.attempt = attempt;
            this.key = key;
        }

        /** @param parentPath the path of the node's parent, or null for the root */
        Map<String, Object> node(@Nullable String parentPath) {
            boolean hasParent = parentPath != null;
            Map<String, Object> m = new LinkedHashMap<>();
            String name = Objects.requireNonNull(text(), "a node's name");
            m.put("name", name);
            int index = b.getInt();
            if (index >= 0) {
                m.put("index", index);
            }
            m.put("status", Objects.requireNonNull(text(), "a node's status"));
            byte kind = b.get();
            String path =
                    parentPath == null ? "" : parentPath.isEmpty() ? Integer.toString(index) : parentPath + "." + index;
            double value = b.getDouble();
            m.put("value", jsonNumber(value));
            if (hasParent) {
                m.put("weight", b.getDouble());
                m.put("contribution", jsonNumber(b.getDouble()));
            }
            int flags = b.get();
            Quantities q = Quantities.empty();
            boolean apart = kind == Leaf.APART.code;
            if ((flags & QUANTITIES) != 0 && !apart) {
                byte[] qb = new byte[b.getInt()];
                b.get(qb);
                q = QuantityCodec.decode(qb);
            }
            if ((flags & QUANTITIES) != 0) {
                m.put("quantities", apart ? JsonCodec.IN_TERMS + path : q.asMap());
            }
            String metaJson = (flags & METADATA) != 0 ? text() : null;
            if (metaJson != null) {
                m.put("metadata", JsonCodec.readMap(metaJson));
            }
            if ((flags & FAILURE) != 0) {
                m.put("failure", text());
            }
            long start = 0;
            long end = 0;
            if ((flags & TIMING) != 0) {
                start = b.getLong();
                end = b.getLong();
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("start_ns", start);
                t.put("end_ns", end);
                t.put("seconds", (end - start) / 1e9);
                t.put("thread", text());
                m.put("timing", t);
            }
            if (kind != INNER) {
                if (kind == Leaf.TERM.code) {
                    term(path, name, value, q, metaJson);
                }
                return m;
            }
            int n = b.getInt();
            if (n < 0 || n > b.remaining()) {
                throw new IllegalArgumentException("children");
            }
            List<Object> children = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                children.add(node(path));
            }
            m.put("terms", children);
            return m;
        }

        private void term(String path, String name, double value, Quantities q, @Nullable String metaJson) {
            String worker = text();
            boolean failed = b.get() == 1;
            String failure = text();
            String own = text();
            long started = b.getLong();
            long ended = b.getLong();
            Map<String, Object> meta = metaJson == null ? Map.of() : JsonCodec.readMap(metaJson);
            String host = metaText(meta, "host", "member_address");
            TermRecord r = new TermRecord(
                    nextId++,
                    runId,
                    number,
                    path,
                    name,
                    failed ? EvaluationRecord.State.FAILED : EvaluationRecord.State.COMPLETE,
                    failed ? Double.NaN : value,
                    q,
                    metaJson,
                    metaText(meta, "run_directory", "run_dir", "workdir"),
                    host == null ? SqliteJournal.HOST : host,
                    worker,
                    failure,
                    instant(started),
                    instant(ended),
                    (ended - started) / 1e9,
                    attempt);
            terms.add(new TermPack.Term(r, own == null ? key : own));
        }

        private @Nullable String text() {
            int n = b.getInt();
            if (n < 0) {
                return null;
            }
            if (n > b.remaining()) {
                throw new IllegalArgumentException("text");
            }
            String s = new String(b.array(), b.arrayOffset() + b.position(), n, StandardCharsets.UTF_8);
            b.position(b.position() + n);
            return s;
        }
    }

    private static Object jsonNumber(double d) {
        return Double.isFinite(d) ? (Object) d : (Object) Double.toString(d);
    }

    /** The time as the terms table stores it: text with milliseconds. */
    private static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(0, epochNanos).truncatedTo(ChronoUnit.MILLIS);
    }

    static String message(@Nullable Throwable t) {
        if (t == null) {
            return "failed";
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** @return the first of these metadata entries that is set, as text, or null */
    static @Nullable String metaText(Map<String, ?> meta, String... keys) {
        for (String k : keys) {
            Object v = meta.get(k);
            if (v != null) {
                return String.valueOf(v);
            }
        }
        return null;
    }
}
