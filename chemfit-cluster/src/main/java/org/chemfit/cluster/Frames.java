package org.chemfit.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.jspecify.annotations.Nullable;

/**
 * The wire format of tasks, results and ready tokens: a small binary codec with an HMAC-SHA256
 * tag over the whole frame (kind, the sender's job fingerprint, content and evaluation id). A frame
 * whose tag holds but whose job fingerprint is not the receiver's is refused with a
 * {@link JobMismatchException} naming both. Frames travel as plain
 * {@code byte[]} through Hazelcast queues, so Hazelcast never deserializes an object of ours,
 * and this decoder reads only the fields it knows: nothing else can be instantiated.
 *
 * <p>Written by hand because what it does is narrow and security-relevant: every length is
 * bounded, the tag is checked before a byte is parsed, and doubles travel as their raw IEEE bits
 * so that a loss computed on a worker is the same double on the driver. Metadata, a JSON-able
 * tree, travels as JSON (Jackson without polymorphic typing: maps, lists, strings, numbers,
 * booleans only).
 */
final class Frames {

    static final byte MAGIC = (byte) 0xCF;
    static final byte VERSION = 2;
    /** The job fingerprint of the frames made by the overloads without one (tests of the codec). */
    static final String NO_JOB = "";

    static final byte TASK = 1;
    static final byte RESULT = 2;
    static final byte READY = 3;
    static final byte CANCEL = 4;
    static final int TAG_BYTES = 32;
    /** Largest frame accepted, against memory exhaustion by a forged length. */
    static final int MAX_FRAME = 64 << 20;

    /** Most frames sent together in one call. */
    static final int MAX_BUNDLE = 64;

    private static final int MAX_STRING = 16 << 20;
    /** Most items a frame may count (path elements, parameters, quantities); a curve's values are bounded by the frame. */
    static final int MAX_ITEMS = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Frames() {}

    /** A leaf task: which term of which evaluation, at which parameters. */
    record Task(long session, long seq, String evaluationId, int[] path, String termName, Parameters parameters) {
        String id() {
            return Long.toHexString(session) + "-" + seq;
        }
    }

    /** The facts of a term's failure, as {@code TermFailedException} holds them. */
    record Failure(
            String message,
            String termName,
            int termIndex,
            @Nullable String runDirectory,
            @Nullable Integer exitCode,
            @Nullable String stderrTail,
            boolean transientFailure,
            String causeClass,
            @Nullable String causeMessage) {}

    /**
     * What a member reports for a task: the filled leaf context, or an {@code error} when it
     * could not run the task at all (then the other fields are empty). {@code ready} says that
     * the thread that ran it is free for the next task: a ready token riding on the result, which
     * saves the round trip of a separate token between two tasks.
     */
    record Result(
            long session,
            long seq,
            String evaluationId,
            String member,
            String memberAddress,
            EvaluationContext.Status status,
            double value,
            Quantities quantities,
            Map<String, Object> metadata,
            @Nullable Failure failure,
            long startEpochNanos,
            long durationNanos,
            @Nullable String thread,
            @Nullable String error,
            boolean ready) {

        Result ready(boolean isReady) {
            return new Result(
                    session,
                    seq,
                    evaluationId,
                    member,
                    memberAddress,
                    status,
                    value,
                    quantities,
                    metadata,
                    failure,
                    startEpochNanos,
                    durationNanos,
                    thread,
                    error,
                    isReady);
        }
    }

    /** A free worker thread of a member asking the driver of a session for a task. */
    record Ready(String member, long session, long seq) {}

    /** The driver asking the member that runs a task to stop it. */
    record Cancel(long session, long seq) {}

    /** A frame that was refused: bad tag, unknown kind, or malformed content. */
    static class RefusedFrameException extends Exception {
        private static final long serialVersionUID = 1L;

        RefusedFrameException(String message) {
            super(message);
        }
    }

    /**
     * What a frame cannot carry: more than {@link #MAX_FRAME} bytes, a text longer than
     * {@link #MAX_STRING} bytes or more than {@link #MAX_ITEMS} items. Thrown when encoding, so that
     * the sender says so at once instead of sending what the receiver would refuse.
     */
    static final class FrameTooLargeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FrameTooLargeException(String message) {
            super(message);
        }
    }

    /** A frame with a valid tag, sent by a member that runs another job. */
    static final class JobMismatchException extends RefusedFrameException {
        private static final long serialVersionUID = 1L;

        final String theirs;
        final String ours;

        JobMismatchException(String theirs, String ours) {
            super("the sender runs job " + (theirs.isEmpty() ? "(none)" : theirs) + ", this member runs job "
                    + (ours.isEmpty() ? "(none)" : ours));
            this.theirs = theirs;
            this.ours = ours;
        }
    }

    // ---------------------------------------------------------------- encoding

    static byte[] encode(Task t, ClusterSecret secret) {
        return encode(t, secret, NO_JOB);
    }

    static byte[] encode(Task t, ClusterSecret secret, String job) {
        return frame(TASK, secret, job, out -> {
            out.writeLong(t.session());
            out.writeLong(t.seq());
            writeString(out, t.evaluationId());
            writeCount(out, t.path().length, "path elements");
            for (int i : t.path()) {
                out.writeInt(i);
            }
            writeString(out, t.termName());
            List<String> names = t.parameters().names();
            double[] values = t.parameters().toArray();
            writeCount(out, names.size(), "parameters");
            for (int i = 0; i < values.length; i++) {
                writeString(out, names.get(i));
                out.writeLong(Double.doubleToRawLongBits(values[i]));
            }
        });
    }

    static byte[] encode(Result r, ClusterSecret secret) {
        return encode(r, secret, NO_JOB);
    }

    // the status travels as its ordinal: driver and workers run the same build of the enum
    @SuppressWarnings("EnumOrdinal")
    static byte[] encode(Result r, ClusterSecret secret, String job) {
        return frame(RESULT, secret, job, out -> {
            out.writeLong(r.session());
            out.writeLong(r.seq());
            writeString(out, r.evaluationId());
            writeString(out, r.member());
            writeString(out, r.memberAddress());
            writeNullable(out, r.error());
            out.writeByte(r.status().ordinal());
            out.writeLong(Double.doubleToRawLongBits(r.value()));
            writeQuantities(out, r.quantities());
            writeString(out, toJson(r.metadata()));
            Failure f = r.failure();
            out.writeBoolean(f != null);
            if (f != null) {
                writeString(out, f.message());
                writeString(out, f.termName());
                out.writeInt(f.termIndex());
                writeNullable(out, f.runDirectory());
                out.writeBoolean(f.exitCode() != null);
                if (f.exitCode() != null) {
                    out.writeInt(f.exitCode());
                }
                writeNullable(out, f.stderrTail());
                out.writeBoolean(f.transientFailure());
                writeString(out, f.causeClass());
                writeNullable(out, f.causeMessage());
            }
            out.writeLong(r.startEpochNanos());
            out.writeLong(r.durationNanos());
            writeNullable(out, r.thread());
            out.writeBoolean(r.ready());
        });
    }

    static byte[] encode(Ready r, ClusterSecret secret) {
        return encode(r, secret, NO_JOB);
    }

    static byte[] encode(Ready r, ClusterSecret secret, String job) {
        return frame(READY, secret, job, out -> {
            writeString(out, r.member());
            out.writeLong(r.session());
            out.writeLong(r.seq());
        });
    }

    static byte[] encode(Cancel c, ClusterSecret secret) {
        return encode(c, secret, NO_JOB);
    }

    static byte[] encode(Cancel c, ClusterSecret secret, String job) {
        return frame(CANCEL, secret, job, out -> {
            out.writeLong(c.session());
            out.writeLong(c.seq());
        });
    }

    static Cancel decodeCancel(Object f, ClusterSecret secret) throws RefusedFrameException {
        return decodeCancel(f, secret, NO_JOB);
    }

    static Cancel decodeCancel(Object f, ClusterSecret secret, String job) throws RefusedFrameException {
        DataInputStream in = body(f, CANCEL, secret, job);
        try {
            long session = in.readLong();
            long seq = in.readLong();
            end(in);
            return new Cancel(session, seq);
        } catch (IOException e) {
            throw new RefusedFrameException("malformed cancel frame: " + e.getMessage());
        }
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] frame(byte kind, ClusterSecret secret, String job, Body body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(MAGIC);
            out.writeByte(kind);
            out.writeByte(VERSION);
            writeString(out, job);
            body.write(out);
            out.flush();
            if (bytes.size() + TAG_BYTES > MAX_FRAME) {
                throw new FrameTooLargeException(String.format(
                        Locale.ROOT,
                        "%,d bytes, more than the %d MiB a frame may carry",
                        bytes.size() + TAG_BYTES,
                        MAX_FRAME >> 20));
            }
            byte[] content = bytes.toByteArray();
            byte[] tag = secret.mac(content, 0, content.length);
            byte[] f = Arrays.copyOf(content, content.length + TAG_BYTES);
            System.arraycopy(tag, 0, f, content.length, TAG_BYTES);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_STRING) {
            throw new FrameTooLargeException(String.format(
                    Locale.ROOT,
                    "a text of %,d bytes, longer than the %d MiB a frame may carry",
                    b.length,
                    MAX_STRING >> 20));
        }
        out.writeInt(b.length);
        out.write(b);
    }

    private static void writeNullable(DataOutputStream out, @Nullable String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            writeString(out, s);
        }
    }

    private static void writeQuantities(DataOutputStream out, Quantities q) throws IOException {
        Map<String, Object> m = q.asMap();
        writeCount(out, m.size(), "quantities");
        for (Map.Entry<String, Object> e : m.entrySet()) {
            writeString(out, e.getKey());
            Object v = e.getValue();
            if (v instanceof double[] a) {
                if (8L * a.length > MAX_FRAME) {
                    throw new FrameTooLargeException(String.format(
                            Locale.ROOT,
                            "quantity '%s' of %,d values (%,d bytes), more than the %d MiB a frame may carry",
                            e.getKey(),
                            a.length,
                            8L * a.length,
                            MAX_FRAME >> 20));
                }
                out.writeByte(1);
                out.writeInt(a.length);
                for (double d : a) {
                    out.writeLong(Double.doubleToRawLongBits(d));
                }
            } else if (v instanceof String s) {
                out.writeByte(2);
                writeString(out, s);
            } else {
                out.writeByte(0);
                out.writeLong(Double.doubleToRawLongBits(((Number) v).doubleValue()));
            }
        }
    }

    /** Writes a count that {@link #count} reads back: at most {@link #MAX_ITEMS}. */
    private static void writeCount(DataOutputStream out, int n, String what) throws IOException {
        if (n > MAX_ITEMS) {
            throw new FrameTooLargeException(
                    String.format(Locale.ROOT, "%,d %s, more than the %,d a frame may carry", n, what, MAX_ITEMS));
        }
        out.writeInt(n);
    }

    private static String toJson(Map<String, Object> metadata) {
        try {
            return JSON.writeValueAsString(metadata);
        } catch (JsonProcessingException e) {
            // metadata must be JSON-able; keep what can be kept rather than lose the result
            Map<String, Object> m = new LinkedHashMap<>();
            metadata.forEach((k, v) -> m.put(k, String.valueOf(v)));
            try {
                return JSON.writeValueAsString(m);
            } catch (JsonProcessingException e2) {
                return "{}";
            }
        }
    }

    /**
     * Several frames as one array, for tasks sent together and their results: the count, then each
     * frame's length and bytes; a length of -1 stands for no frame (a task the worker did not run).
     * Each frame inside keeps its own tag.
     */
    static byte[] bundle(List<byte @Nullable []> frames) {
        long size = 4;
        for (byte[] f : frames) {
            size += 4 + (f == null ? 0 : f.length);
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "frames of " + size + " bytes in all cannot be sent together: at most " + (Integer.MAX_VALUE - 8));
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) size);
        b.putInt(frames.size());
        for (byte[] f : frames) {
            if (f == null) {
                b.putInt(-1);
            } else {
                b.putInt(f.length);
                b.put(f);
            }
        }
        return b.array();
    }

    /**
     * @return the frames of a {@link #bundle}, {@code null} for a frame left out
     * @throws RefusedFrameException when the bundle is malformed (a count or a length out of range)
     */
    static List<byte @Nullable []> unbundle(byte[] bundle) throws RefusedFrameException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bundle);
        try {
            int n = b.getInt();
            if (n < 1 || n > MAX_BUNDLE) {
                throw new RefusedFrameException("a bundle of " + n + " frames (1 to " + MAX_BUNDLE + " expected)");
            }
            List<byte @Nullable []> frames = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int len = b.getInt();
                if (len == -1) {
                    frames.add(null);
                    continue;
                }
                if (len < 0 || len > b.remaining()) {
                    throw new RefusedFrameException("frame " + i + " of a bundle: length " + len + " out of range");
                }
                byte[] f = new byte[len];
                b.get(f);
                frames.add(f);
            }
            if (b.hasRemaining()) {
                throw new RefusedFrameException("a bundle with " + b.remaining() + " trailing bytes");
            }
            return frames;
        } catch (java.nio.BufferUnderflowException e) {
            throw new RefusedFrameException("a bundle cut short");
        }
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Checks the frame's tag and kind.
     *
     * @return the kind byte
     * @throws RefusedFrameException when the frame is too short or long, is not ours, or its tag fails
     */
    static byte check(Object item, ClusterSecret secret) throws RefusedFrameException {
        if (!(item instanceof byte[] f)) {
            throw new RefusedFrameException("not a ChemFit frame: an object of type "
                    + (item == null ? "null" : item.getClass().getName()));
        }
        if (f.length < 3 + TAG_BYTES || f.length > MAX_FRAME) {
            throw new RefusedFrameException("frame of " + f.length + " bytes is not a ChemFit frame");
        }
        if (f[0] != MAGIC || f[2] != VERSION) {
            throw new RefusedFrameException("frame is not a ChemFit frame of version " + VERSION);
        }
        byte[] tag = Arrays.copyOfRange(f, f.length - TAG_BYTES, f.length);
        if (!secret.verify(f, 0, f.length - TAG_BYTES, tag)) {
            throw new RefusedFrameException("HMAC check failed (the sender does not hold this cluster's secret)");
        }
        return f[1];
    }

    static Task decodeTask(Object f, ClusterSecret secret) throws RefusedFrameException {
        return decodeTask(f, secret, NO_JOB);
    }

    static Task decodeTask(Object f, ClusterSecret secret, String job) throws RefusedFrameException {
        DataInputStream in = body(f, TASK, secret, job);
        try {
            long session = in.readLong();
            long seq = in.readLong();
            String eval = readString(in);
            int n = count(in);
            int[] path = new int[n];
            for (int i = 0; i < n; i++) {
                path[i] = in.readInt();
            }
            String term = readString(in);
            int np = count(in);
            List<String> names = new ArrayList<>(np);
            double[] values = new double[np];
            for (int i = 0; i < np; i++) {
                names.add(readString(in));
                values[i] = Double.longBitsToDouble(in.readLong());
            }
            end(in);
            return new Task(session, seq, eval, path, term, Parameters.of(names, values));
        } catch (IOException | IllegalArgumentException e) {
            throw new RefusedFrameException("malformed task frame: " + e.getMessage());
        }
    }

    static Result decodeResult(Object f, ClusterSecret secret) throws RefusedFrameException {
        return decodeResult(f, secret, NO_JOB);
    }

    static Result decodeResult(Object f, ClusterSecret secret, String job) throws RefusedFrameException {
        DataInputStream in = body(f, RESULT, secret, job);
        try {
            long session = in.readLong();
            long seq = in.readLong();
            String eval = readString(in);
            String member = readString(in);
            String address = readString(in);
            String error = readNullable(in);
            int s = in.readUnsignedByte();
            EvaluationContext.Status[] all = EvaluationContext.Status.values();
            if (s >= all.length) {
                throw new IOException("unknown status " + s);
            }
            double value = Double.longBitsToDouble(in.readLong());
            Quantities q = readQuantities(in);
            Map<String, Object> metadata = fromJson(readString(in));
            Failure failure = null;
            if (in.readBoolean()) {
                String message = readString(in);
                String termName = readString(in);
                int termIndex = in.readInt();
                String runDir = readNullable(in);
                Integer exit = in.readBoolean() ? in.readInt() : null;
                String tail = readNullable(in);
                boolean tr = in.readBoolean();
                String causeClass = readString(in);
                String causeMessage = readNullable(in);
                failure = new Failure(message, termName, termIndex, runDir, exit, tail, tr, causeClass, causeMessage);
            }
            long start = in.readLong();
            long duration = in.readLong();
            String thread = readNullable(in);
            boolean ready = in.readBoolean();
            end(in);
            return new Result(
                    session, seq, eval, member, address, all[s], value, q, metadata, failure, start, duration, thread,
                    error, ready);
        } catch (IOException | IllegalArgumentException e) {
            throw new RefusedFrameException("malformed result frame: " + e.getMessage());
        }
    }

    static Ready decodeReady(Object f, ClusterSecret secret) throws RefusedFrameException {
        return decodeReady(f, secret, NO_JOB);
    }

    static Ready decodeReady(Object f, ClusterSecret secret, String job) throws RefusedFrameException {
        DataInputStream in = body(f, READY, secret, job);
        try {
            String member = readString(in);
            long session = in.readLong();
            long seq = in.readLong();
            end(in);
            return new Ready(member, session, seq);
        } catch (IOException e) {
            throw new RefusedFrameException("malformed ready frame: " + e.getMessage());
        }
    }

    /**
     * Reads only the member field of a ready frame, without checking its tag: to name a member
     * whose token was refused.
     */
    static @Nullable String unverifiedReadyMember(Object item) {
        if (!(item instanceof byte[] f) || f.length < 3 + 4 + TAG_BYTES || f[1] != READY) {
            return null;
        }
        try {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(f, 3, f.length - 3 - TAG_BYTES));
            int j = in.readInt();
            if (j < 0 || j > 1000 || in.skipBytes(j) != j) {
                return null;
            }
            int n = in.readInt();
            if (n < 0 || n > 100) {
                return null;
            }
            return new String(in.readNBytes(n), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    private static DataInputStream body(Object item, byte kind, ClusterSecret secret, String job)
            throws RefusedFrameException {
        byte k = check(item, secret);
        byte[] f = (byte[]) item;
        if (k != kind) {
            throw new RefusedFrameException("expected a frame of kind " + kind + ", got kind " + k);
        }
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(f, 3, f.length - 3 - TAG_BYTES));
        String theirs;
        try {
            theirs = readString(in);
        } catch (IOException e) {
            throw new RefusedFrameException("malformed frame: no job fingerprint: " + e.getMessage());
        }
        if (!theirs.equals(job)) {
            throw new JobMismatchException(theirs, job);
        }
        return in;
    }

    private static void end(DataInputStream in) throws IOException {
        if (in.available() != 0) {
            throw new IOException(in.available() + " trailing bytes");
        }
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_ITEMS) {
            throw new IOException("count " + n + " out of range");
        }
        return n;
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_STRING || n > in.available()) {
            throw new IOException("string length " + n + " out of range");
        }
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new EOFException();
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    private static @Nullable String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? readString(in) : null;
    }

    private static Quantities readQuantities(DataInputStream in) throws IOException {
        int n = count(in);
        Quantities.Builder b = Quantities.builder();
        for (int i = 0; i < n; i++) {
            String name = readString(in);
            int type = in.readUnsignedByte();
            switch (type) {
                case 0 -> b.put(name, Double.longBitsToDouble(in.readLong()));
                case 1 -> {
                    // bounded by the frame itself (at most MAX_FRAME, its tag checked), not by MAX_ITEMS
                    int len = in.readInt();
                    if (len < 0 || len > in.available() / 8) {
                        throw new IOException("array length " + len + " out of range");
                    }
                    double[] a = new double[len];
                    for (int k = 0; k < len; k++) {
                        a[k] = Double.longBitsToDouble(in.readLong());
                    }
                    b.put(name, a);
                }
                case 2 -> b.label(name, readString(in));
                default -> throw new IOException("unknown quantity type " + type);
            }
        }
        return b.build();
    }

    private static Map<String, Object> fromJson(String json) throws IOException {
        // plain JSON into maps, lists, strings, numbers and booleans: no type information is read
        Map<String, Object> m = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
        return m == null ? new LinkedHashMap<>() : m;
    }
}
