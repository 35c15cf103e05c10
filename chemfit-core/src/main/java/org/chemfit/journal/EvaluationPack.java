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
import org.chemfit.internal.ContextValues;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.TermRecord;
import org.chemfit.support.Reasons;
import org.jspecify.annotations.Nullable;

/**
 * One binary record per evaluation: the whole metadata tree of an evaluation together with the
 * leaf terms it ran itself, written by the evaluation's thread in one pass and stored as one row
 * of {@code term_packs}. The tree read back is the map
 * {@link EvaluationContext#toMap(boolean) toMap(true)} gave, and each leaf term reads back as the
 * {@link TermRecord} its own row would hold, bit for bit; nothing is turned into JSON text or
 * decimal numbers while the fit runs. The layout (version 2, all little-endian):
 *
 * <pre>
 * "CFE" 0x02                      magic and layout version
 * int64 first_id                  the id of the first term of the record; the others follow in tree order
 * int32 terms                     how many leaves are terms of this record (kind 1)
 * node:
 *   ref name                      a ref is a varint r: 0 NULL; 1 a new text (varint n, n bytes of
 *                                 UTF-8), numbered 2, 3, ... in the order new texts come in the
 *                                 record; r &gt;= 2 the text numbered r
 *   varint index + 1              0: none
 *   ref status                    the name of its EvaluationContext.Status
 *   uint8 kind                    0 inner node, 1 leaf term of this record, 2 leaf term recorded in
 *                                 its own row of terms (its quantities are left there), 3 leaf
 *                                 replayed from the journal (in the tree only)
 *   uint8 flags                   1 quantities, 2 metadata, 4 failure, 8 timing, 16 weight 1,
 *                                 32 contribution is weight x value (bit for bit)
 *   float64 value, and for a node with a parent float64 weight (unless 16) and float64
 *                                 contribution (unless 32)
 *   flag 1, kind 2: nothing       the quantities are in the term's row
 *   flag 1: varint count, then per quantity: ref name, uint8 kind (0 a double: float64; 1 an
 *           array: varint n, n x float64; 2 a label: varint n, n bytes of UTF-8)
 *   flag 2: plain metadata        as JSON; a plain text is varint n + 1 (0: NULL), n bytes of UTF-8
 *   flag 4: plain failure         as the tree gives it
 *   flag 8: int64 start, varint end - start (zigzag), ref thread     nanoseconds since the epoch
 *   kind 1: ref worker, uint8 term flags (1 failed, 2 a plain failure message follows, 4 a plain
 *           parameter key follows (else the evaluation's), 8 int64 started and int64 ended follow
 *           (else they are the node's start and end))
 *   kind 0: varint n, then n nodes
 * </pre>
 *
 * <p>A term of the argon example takes about 110 bytes in it. Records of layout 1 ({@code "CFE"}
 * 0x01, written by schema version 5; about 210 bytes per argon term) are still read: the same
 * header and nodes, but every text as int32 n (-1: NULL) and n bytes, the index and the count of
 * children as int32, the flags byte (1, 2, 4, 8 only) after value, weight and contribution, which
 * are always stored, quantities as int32 n and n bytes of a {@link QuantityCodec} form, the end
 * of the timing as int64, and for kind 1: text worker, uint8 failed, text failure message, text
 * parameter key, int64 started, int64 ended. A leaf's path ({@code "2"} or {@code "1.0"}) is not stored: it is the indices of
 * the nodes from the root down to it. Written by hand for the reason {@link QuantityCodec} is.
 *
 * @implNote Thread-safe: a record is written into the caller's buffer; the UTF-8 of names and
 *     the texts of a thread's last record are kept per thread, and a record written on a thread
 *     that is already writing one (from within {@code kind}, say) keeps its texts apart.
 */
final class EvaluationPack {

    /** The mark of a record and the layout version written (2); {@link #is} accepts 1 as well. */
    private static final byte[] MAGIC = {'C', 'F', 'E', 2};

    private static final int MARK = 3;

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
    private static final int WEIGHT_ONE = 16;
    private static final int CONTRIBUTION_PRODUCT = 32;

    private static final int TERM_FAILED = 1;
    private static final int TERM_FAILURE = 2;
    private static final int TERM_KEY = 4;
    private static final int TERM_TIMES = 8;

    private EvaluationPack() {}

    /** @return whether a {@code terms_blob} is a record of this form (else a {@link TermPack}) */
    static boolean is(byte[] blob) {
        return blob.length >= 4 && Arrays.equals(blob, 0, MARK, MAGIC, 0, MARK) && (blob[MARK] == 1 || blob[MARK] == 2);
    }

    /**
     * A record written into a buffer.
     *
     * @param buffer the buffer, or a larger one when it grew
     * @param terms the record's count of terms
     * @param degraded whether a node below the root is PENALTY, SKIPPED or FAILED, outside the
     *     terms of weight 0 (as {@link org.chemfit.journal.read.BestPoint#degraded} says)
     */
    record Into(ByteBuffer buffer, int terms, boolean degraded) {}

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
        return encode(buffer, root, firstId, key, kind, ended, false);
    }

    /**
     * Writes a record of the root alone, at the buffer's position: its value, quantities, metadata
     * and timing, with no node below it and no term (the evaluation's terms are left out).
     *
     * @return the buffer, or a larger copy of it holding what it held; no term
     */
    static Into encodeRootInto(ByteBuffer buffer, EvaluationContext root, long firstId, String key, long ended) {
        return encode(buffer, root, firstId, key, c -> LeafOf.TREE, ended, true);
    }

    private static Into encode(
            ByteBuffer buffer,
            EvaluationContext root,
            long firstId,
            String key,
            Function<EvaluationContext, LeafOf> kind,
            long ended,
            boolean rootOnly) {
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        TextMemo memo = TextMemo.acquire();
        try {
            Writer w = new Writer(buffer, root.parameters(), key, kind, ended, memo);
            w.rootOnly = rootOnly;
            w.room(16);
            int start = w.pos - w.buf.arrayOffset();
            System.arraycopy(MAGIC, 0, w.a, w.pos, MAGIC.length);
            w.pos += MAGIC.length;
            w.putLong(firstId);
            w.pos += 4; // the count of terms, written last
            w.node(root);
            w.putIntAt(start + 12, w.terms);
            memo.end();
            return new Into(w.finish().order(ByteOrder.LITTLE_ENDIAN), w.terms, w.degraded);
        } finally {
            memo.release();
        }
    }

    /**
     * The texts of the last record a thread wrote, in the order it wrote them, with what it wrote
     * for each (a number, or 1 and the text's bytes): the records of one fit name the same nodes,
     * statuses, threads and quantities in the same order, as the very same String objects, so the
     * next record writes the same for them without looking each up in a table of its own. While a
     * record follows the last one nothing is stored but a count (a reference stored into an array
     * costs the collector's barrier); its texts are stored from where it parts from it.
     *
     * <p>Written by hand: what is kept is a sequence compared position by position, not a map.
     *
     * @implNote Not thread-safe: one instance per thread ({@link #acquire()}), and one more for a
     *     record written within another.
     */
    private static final class TextMemo {
        private static final ThreadLocal<TextMemo> OF_THREAD = ThreadLocal.withInitial(TextMemo::new);

        /** The last record's texts, their numbers and the bytes of those numbered 1. */
        String[] lastTexts = new String[0];

        int[] lastNumbers = new int[0];
        byte[][] lastBytes = new byte[0][];
        int lastCount;
        /** This record's, from where it parted from the last one. */
        String[] texts = new String[64];

        int[] numbers = new int[64];
        byte[][] bytes = new byte[64][];
        /** How many texts this record wrote so far. */
        int count;
        /** Whether this record's texts so far are the last record's first ones. */
        boolean following;

        /** Whether a record of this thread is being written with it. */
        private boolean inUse;

        /**
         * @return the thread's memo, begun for a record; or, while the thread is writing another
         *     record with it (a record written from within a record), a memo of this record's own
         */
        static TextMemo acquire() {
            TextMemo m = OF_THREAD.get();
            if (m.inUse) {
                m = new TextMemo();
            }
            m.inUse = true;
            m.count = 0;
            m.following = true;
            return m;
        }

        /** The record is written, or failed: the memo may be used for the next (begun afresh). */
        void release() {
            inUse = false;
        }

        /** This record parts from the last one here: what it wrote so far is stored as its own. */
        void part() {
            following = false;
            int n = count;
            count = 0;
            room(n);
            System.arraycopy(lastTexts, 0, texts, 0, n);
            System.arraycopy(lastNumbers, 0, numbers, 0, n);
            System.arraycopy(lastBytes, 0, bytes, 0, n);
            count = n;
        }

        void add(String s, int number, byte @Nullable [] b) {
            room(count + 1);
            texts[count] = s;
            numbers[count] = number;
            bytes[count] = b;
            count++;
        }

        private void room(int n) {
            if (n > texts.length) {
                int size = Math.max(n, 2 * texts.length);
                texts = Arrays.copyOf(texts, size);
                numbers = Arrays.copyOf(numbers, size);
                bytes = Arrays.copyOf(bytes, size);
            }
        }

        /** This record's texts become the last record's (the arrays are swapped, not copied). */
        void end() {
            if (following) {
                lastCount = count; // the same texts, or the first ones of them
                return;
            }
            String[] t = lastTexts;
            int[] n = lastNumbers;
            byte[][] b = lastBytes;
            lastTexts = texts;
            lastNumbers = numbers;
            lastBytes = bytes;
            lastCount = count;
            texts = t.length == 0 ? new String[64] : t;
            numbers = n.length == 0 ? new int[64] : n;
            bytes = b.length == 0 ? new byte[64][] : b;
            count = 0;
        }
    }

    /**
     * Writes the nodes of one tree (layout 2), straight into the array behind the caller's buffer:
     * a record is some sixty small writes per term, and a buffer's own puts check and move its
     * position for each.
     */
    private static final class Writer implements java.util.function.BiConsumer<String, Object> {
        private static final java.lang.invoke.VarHandle LONG =
                java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
        private static final java.lang.invoke.VarHandle INT =
                java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

        /** The buffer written into (a larger one once it grew); its position is set at {@link #finish}. */
        private ByteBuffer buf;
        /** Its array, and the position in it. */
        private byte[] a;

        private int pos;
        /** Where the buffer's room ends in the array (its limit): nothing is written at or past it. */
        private int limit;

        private final String key;
        private final Function<EvaluationContext, LeafOf> kind;
        private final long ended;
        private final org.chemfit.Parameters rootParameters;
        private final Utf8Cache texts = Utf8Cache.get();
        private final TextMemo memo;
        private int terms;
        /** Whether the root is written without the nodes below it. */
        private boolean rootOnly;
        /** Whether a node below the root is PENALTY, SKIPPED or FAILED (outside terms of weight 0). */
        private boolean degraded;
        /** How many of the nodes being written, from the root down, have weight 0. */
        private int muted;
        /**
         * The texts this record has written so far and their numbers (from 2): the node names,
         * statuses, thread and worker names and quantity names that repeat within a record are
         * written once in it.
         * Open addressing by the texts' contents, so that the same tree gives the same bytes; a
         * full neighbourhood just writes a text anew. Made only when the record's texts part from
         * the last record's ({@link TextMemo}).
         */
        private String @Nullable [] seen;

        private int @Nullable [] numbers;
        private int nextNumber = 2;

        Writer(
                ByteBuffer buf,
                org.chemfit.Parameters rootParameters,
                String key,
                Function<EvaluationContext, LeafOf> kind,
                long ended,
                TextMemo memo) {
            this.memo = memo;
            ByteBuffer b = buf;
            if (!b.hasArray() || b.isReadOnly()) { // a direct buffer: written into a copy on the heap
                b = ByteBuffer.allocate(Math.max(1024, b.capacity())).order(ByteOrder.LITTLE_ENDIAN);
                b.put(buf.duplicate().flip());
            }
            this.buf = b;
            this.a = b.array();
            this.pos = b.arrayOffset() + b.position();
            this.limit = b.arrayOffset() + b.limit();
            this.rootParameters = rootParameters;
            this.key = key;
            this.kind = kind;
            this.ended = ended;
        }

        /** @return the buffer, its position after what was written */
        ByteBuffer finish() {
            buf.position(pos - buf.arrayOffset());
            return buf;
        }

        void node(EvaluationContext c) {
            boolean hasParent = c.parent() != null;
            List<EvaluationContext> children = rootOnly && !hasParent ? List.of() : ContextValues.children(c);
            LeafOf of = children.isEmpty() && hasParent ? kind.apply(c) : null;
            Leaf leaf = of == null ? null : of.kind();
            EvaluationContext.Status status = c.status();
            ref(c.name());
            varint(c.index() + 1L);
            ref(status.name());
            if (hasParent
                    && muted == 0
                    && c.weight() != 0
                    && (status == EvaluationContext.Status.PENALTY
                            || status == EvaluationContext.Status.SKIPPED
                            || status == EvaluationContext.Status.FAILED)) {
                degraded = true;
            }
            double value = c.value();
            double weight = c.weight();
            double contribution = c.contribution();
            Quantities q = c.quantities();
            Map<String, Object> meta = ContextValues.metadata(c);
            Throwable failure = c.failure();
            boolean timed = !Double.isNaN(c.seconds());
            int flags = (q.isEmpty() ? 0 : QUANTITIES)
                    | (meta.isEmpty() ? 0 : METADATA)
                    | (failure == null ? 0 : FAILURE)
                    | (timed ? TIMING : 0);
            if (hasParent) {
                flags |= Double.doubleToRawLongBits(weight) == Double.doubleToRawLongBits(1.0) ? WEIGHT_ONE : 0;
                flags |= Double.doubleToRawLongBits(contribution) == Double.doubleToRawLongBits(weight * value)
                        ? CONTRIBUTION_PRODUCT
                        : 0;
            }
            room(26);
            a[pos++] = leaf == null ? INNER : leaf.code;
            a[pos++] = (byte) flags;
            putDouble(value);
            if (hasParent && (flags & WEIGHT_ONE) == 0) {
                putDouble(weight);
            }
            if (hasParent && (flags & CONTRIBUTION_PRODUCT) == 0) {
                putDouble(contribution);
            }
            if (!q.isEmpty() && leaf != Leaf.APART) {
                varint(q.size());
                org.chemfit.internal.QuantityValues.forEach(q, this);
            }
            if (!meta.isEmpty()) {
                plain(JsonCodec.write(meta));
            }
            if (failure != null) {
                plain(Reasons.of(failure));
            }
            long start = c.startEpochNanos();
            long end = c.endEpochNanos();
            if (timed) {
                room(8);
                putLong(start);
                varint(zigzag(end - start));
                ref(c.threadName());
            }
            if (leaf != null) {
                if (of != null && leaf == Leaf.TERM) {
                    terms++;
                    String member = meta.isEmpty() ? null : metaText(meta, "member", "worker");
                    ref(member != null ? member : of.thread());
                    String own = ownKey(c);
                    long started = start == 0 ? ended : start;
                    long stopped = end == 0 ? ended : end;
                    boolean times = !timed || started != start || stopped != end;
                    boolean message = of.failed() && of.failure() != null;
                    room(17);
                    a[pos++] = (byte) ((of.failed() ? TERM_FAILED : 0)
                            | (message ? TERM_FAILURE : 0)
                            | (own != null ? TERM_KEY : 0)
                            | (times ? TERM_TIMES : 0));
                    if (message) {
                        plain(of.failure());
                    }
                    if (own != null) {
                        plain(own);
                    }
                    if (times) {
                        room(16);
                        putLong(started);
                        putLong(stopped);
                    }
                }
                return;
            }
            varint(children.size());
            // below a term of weight 0 a failure leaves the loss exact: the record is not degraded
            boolean mute = hasParent && c.weight() == 0;
            if (mute) {
                muted++;
            }
            for (EvaluationContext child : children) {
                node(child);
            }
            if (mute) {
                muted--;
            }
        }

        /** Writes one quantity (its values read without a copy). */
        @Override
        public void accept(String name, Object v) {
            ref(name);
            if (v instanceof double[] d) {
                room(11 + 8 * d.length);
                a[pos++] = QuantityCodec.ARRAY;
                varint(d.length);
                for (double x : d) {
                    putDouble(x);
                }
            } else if (v instanceof String s) {
                room(1);
                a[pos++] = QuantityCodec.LABEL;
                bytes(s.getBytes(StandardCharsets.UTF_8));
            } else {
                room(9);
                a[pos++] = QuantityCodec.DOUBLE;
                putDouble(((Number) v).doubleValue());
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

        /**
         * A text that repeats: its number when this record wrote it already, else the text. While
         * the record's texts are the very ones of the last record of this thread, in the same
         * order, what the last record wrote for them is written again without looking them up;
         * from the first text that differs, they are looked up.
         */
        // mostly the very same String objects come back from record to record: identity first
        @SuppressWarnings("ReferenceEquality")
        void ref(@Nullable String s) {
            if (s == null) {
                varint(0);
                return;
            }
            TextMemo m = memo;
            if (m.following) {
                int i = m.count;
                if (i < m.lastCount && m.lastTexts[i] == s) {
                    m.count = i + 1;
                    int number = m.lastNumbers[i];
                    varint(number);
                    if (number == 1) {
                        bytes(m.lastBytes[i]);
                    }
                    return;
                }
                m.part();
                // the table the record would have: its texts so far, looked up in their order
                for (int k = 0; k < i; k++) {
                    number(m.texts[k]);
                }
            }
            int number = number(s);
            byte[] b = number == 1 ? texts.bytes(s) : null;
            m.add(s, number, b);
            varint(number);
            if (b != null) {
                bytes(b);
            }
        }

        /**
         * @return the number of a text this record wrote already, or 1 for a text new to it (then
         *     numbered with the next number)
         */
        // mostly the very same String objects come back from term to term: identity first
        @SuppressWarnings("ReferenceEquality")
        private int number(String s) {
            String[] seen = this.seen;
            int[] numbers = this.numbers;
            if (seen == null || numbers == null) {
                seen = new String[64];
                numbers = new int[64];
                this.seen = seen;
                this.numbers = numbers;
            }
            int hash = s.hashCode();
            int h = (hash ^ (hash >>> 16)) & (seen.length - 1);
            for (int i = 0; i < 8; i++) {
                int k = (h + i) & (seen.length - 1);
                String at = seen[k];
                if (at == s || (at != null && at.equals(s))) {
                    return numbers[k];
                }
                if (at == null) {
                    seen[k] = s;
                    numbers[k] = nextNumber;
                    break;
                }
            }
            nextNumber++; // numbered whether kept here or not: the reader numbers every new text
            return 1;
        }

        /** A text that changes from one evaluation to the next. */
        void plain(@Nullable String s) {
            if (s == null) {
                varint(0);
                return;
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length + 1L);
            room(b.length);
            System.arraycopy(b, 0, a, pos, b.length);
            pos += b.length;
        }

        private void bytes(byte[] b) {
            varint(b.length);
            room(b.length);
            System.arraycopy(b, 0, a, pos, b.length);
            pos += b.length;
        }

        /** An unsigned LEB128 number: 7 bits a byte, low bits first. */
        void varint(long v) {
            room(10);
            long x = v;
            while ((x & ~0x7FL) != 0) {
                a[pos++] = (byte) ((x & 0x7F) | 0x80);
                x >>>= 7;
            }
            a[pos++] = (byte) x;
        }

        /** A double's raw 8 bytes (as {@link ByteBuffer#putDouble} writes them); there is room. */
        private void putDouble(double d) {
            LONG.set(a, pos, Double.doubleToRawLongBits(d));
            pos += 8;
        }

        /** There is room. */
        private void putLong(long v) {
            LONG.set(a, pos, v);
            pos += 8;
        }

        /** Writes an int32 at an earlier position of the record (counted from the buffer's start). */
        void putIntAt(int at, int v) {
            INT.set(a, buf.arrayOffset() + at, v);
        }

        void room(int n) {
            if (limit - pos < n) {
                int used = pos - buf.arrayOffset();
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(2 * buf.capacity(), used + n))
                        .order(ByteOrder.LITTLE_ENDIAN);
                System.arraycopy(a, buf.arrayOffset(), bigger.array(), 0, used);
                buf = bigger;
                a = bigger.array();
                pos = used;
                limit = bigger.limit();
            }
        }
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
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
        return decode(blob, runId, evaluationNumber, attempt, evaluationKey, true);
    }

    /**
     * @param whole whether the tree and the quantities are read too; without them the terms are
     *     read with empty quantities and the tree is empty (what a reader that only tallies the
     *     terms' values needs, at a fraction of the cost)
     * @return what {@link #decode(byte[], long, int, int, String)} returns, or its terms alone
     * @throws JournalException when the blob is not such a record
     */
    static Decoded decode(
            byte[] blob, long runId, int evaluationNumber, int attempt, String evaluationKey, boolean whole) {
        if (!is(blob)) {
            throw new JournalException("a record of evaluation " + evaluationNumber + " of run " + runId
                    + " does not start with the mark \"CFE\" and layout version 1 or 2");
        }
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        b.position(4);
        try {
            Reader r =
                    new Reader(b, blob[MARK] == 2, b.getLong(), runId, evaluationNumber, attempt, evaluationKey, whole);
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

    /** Reads the nodes of one tree, in either layout. */
    private static final class Reader {
        private final ByteBuffer b;
        /** Layout 2 (else 1). */
        private final boolean compact;

        private long nextId;
        private final long runId;
        private final int number;
        private final int attempt;
        private final String key;
        private final List<TermPack.Term> terms = new ArrayList<>();
        /** The texts of a layout-2 record so far, numbered from 2. */
        private final List<String> texts = new ArrayList<>();
        /** Whether the tree and the quantities are read (else they are stepped over). */
        private final boolean whole;

        @SuppressWarnings("TooManyParameters") // the record's header and the evaluation it belongs to
        Reader(
                ByteBuffer b,
                boolean compact,
                long firstId,
                long runId,
                int number,
                int attempt,
                String key,
                boolean whole) {
            this.b = b;
            this.whole = whole;
            this.compact = compact;
            this.nextId = firstId;
            this.runId = runId;
            this.number = number;
            this.attempt = attempt;
            this.key = key;
        }

        /** @param parentPath the path of the node's parent, or null for the root */
        Map<String, Object> node(@Nullable String parentPath) {
            boolean hasParent = parentPath != null;
            // without the tree, the node's entries go to a map that keeps nothing
            Map<String, Object> m = whole ? new LinkedHashMap<>() : NO_TREE;
            String name = Objects.requireNonNull(ref(), "a node's name");
            m.put("name", name);
            int index = compact ? count() - 1 : b.getInt();
            if (index >= 0) {
                m.put("index", index);
            }
            m.put("status", Objects.requireNonNull(ref(), "a node's status"));
            byte kind = b.get();
            if (kind < INNER || kind > Leaf.TREE.code) {
                throw new IllegalArgumentException("kind " + kind);
            }
            int flags = compact ? b.get() : 0;
            String path =
                    parentPath == null ? "" : parentPath.isEmpty() ? Integer.toString(index) : parentPath + "." + index;
            double value = b.getDouble();
            m.put("value", jsonNumber(value));
            if (hasParent) {
                double weight = (flags & WEIGHT_ONE) != 0 ? 1.0 : b.getDouble();
                double contribution = (flags & CONTRIBUTION_PRODUCT) != 0 ? weight * value : b.getDouble();
                m.put("weight", weight);
                m.put("contribution", jsonNumber(contribution));
            }
            if (!compact) {
                flags = b.get();
            }
            if ((flags & ~(compact ? 63 : 15)) != 0) {
                throw new IllegalArgumentException("flags " + flags);
            }
            Quantities q = Quantities.empty();
            boolean apart = kind == Leaf.APART.code;
            if ((flags & QUANTITIES) != 0 && !apart) {
                if (whole) {
                    q = compact ? quantities() : nested();
                } else if (compact) {
                    skipQuantities();
                } else {
                    skipNested();
                }
            }
            if ((flags & QUANTITIES) != 0 && whole) {
                m.put("quantities", apart ? JsonCodec.IN_TERMS + path : q.asMap());
            }
            String metaJson = (flags & METADATA) != 0 ? plain() : null;
            if (metaJson != null && whole) {
                m.put("metadata", JsonCodec.readMap(metaJson));
            }
            if ((flags & FAILURE) != 0) {
                m.put("failure", plain());
            }
            long start = 0;
            long end = 0;
            boolean timed = (flags & TIMING) != 0;
            if (timed) {
                start = b.getLong();
                end = compact ? start + unzigzag(varint()) : b.getLong();
                Map<String, Object> t = whole ? new LinkedHashMap<>() : NO_TREE;
                t.put("start_ns", start);
                t.put("end_ns", end);
                t.put("seconds", (end - start) / 1e9);
                t.put("thread", ref());
                m.put("timing", t);
            }
            if (kind != INNER) {
                if (kind == Leaf.TERM.code) {
                    term(path, name, value, q, metaJson, timed, start, end);
                }
                return m;
            }
            int n = compact ? count() : b.getInt();
            if (n < 0 || n > b.remaining()) {
                throw new IllegalArgumentException("children");
            }
            List<Object> children = whole ? new ArrayList<>(n) : new ArrayList<>(0);
            for (int i = 0; i < n; i++) {
                Map<String, Object> child = node(path);
                if (whole) {
                    children.add(child);
                }
            }
            if (n > 0) { // a root without terms: its map has none (toMap)
                m.put("terms", children);
            }
            return m;
        }

        @SuppressWarnings("TooManyParameters") // what a term's row holds that its node gave already
        private void term(
                String path,
                String name,
                double value,
                Quantities q,
                @Nullable String metaJson,
                boolean timed,
                long start,
                long end) {
            String worker = ref();
            boolean failed;
            String failure;
            String own;
            long started;
            long ended;
            if (compact) {
                int f = b.get();
                if ((f & ~15) != 0) {
                    throw new IllegalArgumentException("term flags " + f);
                }
                failed = (f & TERM_FAILED) != 0;
                failure = (f & TERM_FAILURE) != 0 ? plain() : null;
                own = (f & TERM_KEY) != 0 ? plain() : null;
                boolean times = (f & TERM_TIMES) != 0;
                if (!times && !timed) {
                    throw new IllegalArgumentException("a term without times");
                }
                started = times ? b.getLong() : start;
                ended = times ? b.getLong() : end;
            } else {
                failed = b.get() == 1;
                failure = plain();
                own = plain();
                started = b.getLong();
                ended = b.getLong();
            }
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

        /** The quantities of a layout-1 record: a nested {@link QuantityCodec} form. */
        private Quantities nested() {
            int n = b.getInt();
            if (n < 0 || n > b.remaining()) { // damaged: not an array of that size
                throw new IllegalArgumentException("quantities");
            }
            byte[] qb = new byte[n];
            b.get(qb);
            return QuantityCodec.decode(qb);
        }

        /** Steps over the quantities of a layout-1 record. */
        private void skipNested() {
            int n = b.getInt();
            if (n < 0 || n > b.remaining()) { // damaged: not an array of that size
                throw new IllegalArgumentException("quantities");
            }
            b.position(b.position() + n);
        }

        /** Steps over the quantities of a layout-2 record (their names are texts the record numbers). */
        private void skipQuantities() {
            int count = count();
            for (int i = 0; i < count; i++) {
                Objects.requireNonNull(ref(), "a quantity's name");
                byte k = b.get();
                int skip = switch (k) {
                    case QuantityCodec.DOUBLE -> 8;
                    case QuantityCodec.ARRAY -> 8 * length(8); // the length first: it moves the position
                    case QuantityCodec.LABEL -> length(1);
                    default -> throw new IllegalArgumentException("quantity kind " + k);
                };
                b.position(b.position() + skip);
            }
        }

        /** The quantities of a layout-2 record. */
        private Quantities quantities() {
            int count = count();
            Quantities.Builder q = Quantities.builder();
            for (int i = 0; i < count; i++) {
                String n = Objects.requireNonNull(ref(), "a quantity's name");
                byte k = b.get();
                switch (k) {
                    case QuantityCodec.DOUBLE -> q.put(n, b.getDouble());
                    case QuantityCodec.ARRAY -> {
                        double[] a = new double[length(8)];
                        b.asDoubleBuffer().get(a);
                        b.position(b.position() + 8 * a.length);
                        q.put(n, a);
                    }
                    case QuantityCodec.LABEL -> q.label(n, utf8(length(1)));
                    default -> throw new IllegalArgumentException("quantity kind " + k);
                }
            }
            return q.build();
        }

        /** A text that repeats: by its number in layout 2, as int32 length and bytes in layout 1. */
        private @Nullable String ref() {
            if (!compact) {
                return plain();
            }
            long r = varint();
            if (r == 0) {
                return null;
            }
            if (r == 1) {
                String s = utf8(length(1));
                texts.add(s);
                return s;
            }
            if (r - 2 >= texts.size()) {
                throw new IllegalArgumentException("text number " + r);
            }
            return texts.get((int) (r - 2));
        }

        private @Nullable String plain() {
            if (compact) {
                long n = varint();
                if (n == 0) {
                    return null;
                }
                if (n < 0 || n - 1 > b.remaining()) {
                    throw new IllegalArgumentException("text");
                }
                return utf8((int) (n - 1));
            }
            int n = b.getInt();
            if (n < 0) {
                return null;
            }
            if (n > b.remaining()) {
                throw new IllegalArgumentException("text");
            }
            return utf8(n);
        }

        private String utf8(int n) {
            String s = new String(b.array(), b.arrayOffset() + b.position(), n, StandardCharsets.UTF_8);
            b.position(b.position() + n);
            return s;
        }

        /** @return a count read as a varint, checked against the bytes left */
        private int length(int bytesPerItem) {
            long n = varint();
            if (n < 0 || n > b.remaining() / bytesPerItem) {
                throw new IllegalArgumentException("length");
            }
            return (int) n;
        }

        /** @return a varint that must be a count or an index (a larger one: a damaged record) */
        private int count() {
            long v = varint();
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("count");
            }
            return (int) v;
        }

        private long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte x = b.get();
                v |= (long) (x & 0x7F) << shift;
                if (x >= 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("varint");
        }
    }

    /** Where the entries of a tree that is not read go: nowhere. */
    private static final Map<String, Object> NO_TREE = new java.util.AbstractMap<>() {
        @Override
        public @Nullable Object put(String key, Object value) {
            return null;
        }

        @Override
        public java.util.Set<Map.Entry<String, Object>> entrySet() {
            return java.util.Set.of();
        }
    };

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
