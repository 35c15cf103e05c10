package org.chemfit.journal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.chemfit.Quantities;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.TermRecord;
import org.jspecify.annotations.Nullable;

/**
 * The binary form of the leaf terms of one evaluation that finished together (schema version 3,
 * the {@code term_packs} table): one row instead of one per term, so that the fast in-process terms
 * of an evaluation cost one insert. Each term keeps everything its own row of the {@code terms}
 * table would hold, and reads back as the same {@link TermRecord}, bit for bit. The layout, all
 * little-endian:
 *
 * <pre>
 * "CFT" 0x01                      magic and format version
 * int32 count                     number of terms, then for each, in id order:
 *   text path, text name          a text is int32 n (-1: NULL) and n bytes of UTF-8
 *   uint8 state                   0 COMPLETE, 1 FAILED
 *   float64 value                 its raw bits (NaN when failed)
 *   int32 n, n bytes              the quantities in the form of {@link QuantityCodec} (-1: none)
 *   text metadata_json, run_directory, host, worker, failure
 *   text parameter_key            NULL when it is the pack's
 *   int64 started, int64 ended    nanoseconds since the epoch
 * </pre>
 *
 * <p>Written by hand for the reason {@link QuantityCodec} is: a few dozen lines in place of a
 * dependency and a schema of its own.
 *
 * <pre>{@code
 * byte[] blob = TermPack.encode(rows);
 * List<TermRecord> back = TermPack.decode(blob, firstId, runId, number, attempt);
 * }</pre>
 *
 * @implNote Stateless and thread-safe.
 */
final class TermPack {

    private static final byte[] MAGIC = {'C', 'F', 'T', 1};

    private TermPack() {}

    /** @return the terms' binary form; every row is of the same evaluation and pack key */
    static byte[] encode(List<JournalQueries.TermRow> rows, String packKey) {
        Out out = new Out(256 * rows.size() + 8);
        out.bytes(MAGIC);
        out.buf.putInt(rows.size());
        for (JournalQueries.TermRow t : rows) {
            out.text(t.path());
            out.text(t.name());
            out.ensure(1 + 8);
            out.buf.put((byte) (t.failed() ? 1 : 0));
            out.buf.putLong(Double.doubleToRawLongBits(t.failed() ? Double.NaN : t.value()));
            byte[] q = t.quantities();
            out.ensure(4);
            out.buf.putInt(q == null ? -1 : q.length);
            if (q != null) {
                out.bytes(q);
            }
            out.text(t.metadataJson());
            out.text(t.runDirectory());
            out.text(t.host());
            out.text(t.worker());
            out.text(t.failure());
            out.text(t.key().equals(packKey) ? null : t.key());
            out.ensure(16);
            out.buf.putLong(t.startNanos());
            out.buf.putLong(t.endNanos());
        }
        return Arrays.copyOfRange(out.buf.array(), out.buf.arrayOffset(), out.buf.arrayOffset() + out.buf.position());
    }

    /** One term of a pack, as the terms table would hold it. */
    record Term(TermRecord record, String key) {}

    /**
     * @param firstId the id of the first term (the others follow one by one)
     * @param packKey the parameter key of the pack
     * @return the terms, in id order (of a term pack, or of the leaf terms of an {@link EvaluationPack})
     * @throws JournalException when the blob is neither
     */
    static List<Term> decode(byte[] blob, long firstId, long runId, int evaluationNumber, int attempt, String packKey) {
        return decode(blob, firstId, runId, evaluationNumber, attempt, packKey, true);
    }

    /**
     * @param quantities whether the terms' quantities are read (else they are stepped over and
     *     read as empty: what a reader of the terms' values and states needs)
     * @return the terms, in id order, as {@link #decode(byte[], long, long, int, int, String)} reads them
     * @throws JournalException when the blob is neither a term pack nor an evaluation's record
     */
    @SuppressWarnings("TooManyParameters") // the pack's row and what to read of it
    static List<Term> decode(
            byte[] blob,
            long firstId,
            long runId,
            int evaluationNumber,
            int attempt,
            String packKey,
            boolean quantities) {
        if (EvaluationPack.is(blob)) {
            // a whole evaluation's record (schema 5 on, either layout): its leaf terms
            return EvaluationPack.decode(blob, runId, evaluationNumber, attempt, packKey, quantities)
                    .terms();
        }
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        if (blob.length < 8 || !Arrays.equals(blob, 0, 4, MAGIC, 0, 4)) {
            throw new JournalException("a term pack of evaluation " + evaluationNumber + " of run " + runId
                    + " does not start with the mark \"CFT\" and version 1");
        }
        b.position(4);
        int n = b.getInt();
        List<Term> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String path = text(b);
            String name = text(b);
            boolean failed = b.get() == 1;
            double value = Double.longBitsToDouble(b.getLong());
            int ql = b.getInt();
            Quantities q = Quantities.empty();
            if (ql >= 0 && quantities) {
                byte[] qb = new byte[ql];
                b.get(qb);
                q = QuantityCodec.decode(qb);
            } else if (ql >= 0) {
                b.position(b.position() + ql);
            }
            String meta = text(b);
            String runDir = text(b);
            String host = text(b);
            String worker = text(b);
            String failure = text(b);
            String key = text(b);
            long start = b.getLong();
            long end = b.getLong();
            // a pack holds every term's path, name and host (pack() writes them)
            TermRecord r = new TermRecord(
                    firstId + i,
                    runId,
                    evaluationNumber,
                    Objects.requireNonNull(path, "path"),
                    Objects.requireNonNull(name, "name"),
                    failed ? EvaluationRecord.State.FAILED : EvaluationRecord.State.COMPLETE,
                    failed ? Double.NaN : value,
                    q,
                    meta,
                    runDir,
                    Objects.requireNonNull(host, "host"),
                    worker,
                    failure,
                    instant(start),
                    instant(end),
                    (end - start) / 1e9,
                    attempt);
            out.add(new Term(r, key == null ? packKey : key));
        }
        return out;
    }

    /** The time as the terms table stores it: text with milliseconds. */
    private static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(0, epochNanos).truncatedTo(ChronoUnit.MILLIS);
    }

    private static @Nullable String text(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0) {
            return null;
        }
        byte[] t = new byte[n];
        b.get(t);
        return new String(t, StandardCharsets.UTF_8);
    }

    /** A growing little-endian buffer. */
    private static final class Out {
        private ByteBuffer buf;

        Out(int capacity) {
            buf = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
        }

        void ensure(int more) {
            if (buf.remaining() < more) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more))
                        .order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        void bytes(byte[] a) {
            ensure(a.length);
            buf.put(a);
        }

        void text(@Nullable String s) {
            if (s == null) {
                ensure(4);
                buf.putInt(-1);
                return;
            }
            byte[] a = s.getBytes(StandardCharsets.UTF_8);
            ensure(4 + a.length);
            buf.putInt(a.length);
            buf.put(a);
        }
    }
}
