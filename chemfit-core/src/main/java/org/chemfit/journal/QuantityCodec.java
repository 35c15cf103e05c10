package org.chemfit.journal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.chemfit.Quantities;

/**
 * The binary form of quantities in the journal (schema version 2, the {@code quantities_blob}
 * columns): every double is stored as its 8 raw bytes, so a value read back is the value written
 * bit for bit, at about a third of the size of its JSON text and without formatting or parsing
 * numbers. The layout, all little-endian so that numpy reads arrays with
 * {@code np.frombuffer(blob, "<f8", count=n, offset=o)}:
 *
 * <pre>
 * "CFQ" 0x01                      magic and format version
 * int32 count                     number of quantities, then for each, in order:
 *   uint8 kind                    0 a double, 1 an array of doubles, 2 a label (text)
 *   uint16 n, n bytes             the name, UTF-8
 *   kind 0: float64               the value
 *   kind 1: int32 n, n x float64  the array
 *   kind 2: int32 n, n bytes      the label, UTF-8
 * </pre>
 *
 * <p>Written by hand: the format is twenty lines, a general serialization library would add a
 * dependency and a schema of its own, and JSON is what this replaces.
 *
 * @implNote Stateless and thread-safe.
 */
final class QuantityCodec {

    private static final byte[] MAGIC = {'C', 'F', 'Q', 1};
    /** The kind of a quantity that is a double (also in {@link EvaluationPack}'s records). */
    static final byte DOUBLE = 0;
    /** The kind of a quantity that is an array of doubles. */
    static final byte ARRAY = 1;
    /** The kind of a quantity that is a label (text). */
    static final byte LABEL = 2;

    private QuantityCodec() {}

    /**
     * A buffer per thread for {@link #encode}, so that encoding the quantities of a term allocates
     * only its result (it runs once per finished term, on the term's thread).
     */
    private static final ThreadLocal<ByteBuffer> SCRATCH =
            ThreadLocal.withInitial(() -> ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN));

    /** @return the quantities' binary form (never null; empty quantities give an 8-byte header) */
    static byte[] encode(Quantities q) {
        ByteBuffer b = SCRATCH.get();
        b.clear();
        b = encodeInto(b, q);
        SCRATCH.set(b);
        return java.util.Arrays.copyOfRange(b.array(), b.arrayOffset(), b.arrayOffset() + b.position());
    }

    /**
     * Writes the quantities' binary form at the buffer's position.
     *
     * @return the buffer, or a larger copy of it holding what it held when it had too little room
     */
    private static ByteBuffer encodeInto(ByteBuffer buffer, Quantities q) {
        Encoder e = new Encoder(room(buffer, 8), Utf8Cache.get());
        e.b.put(MAGIC).putInt(q.size());
        org.chemfit.internal.QuantityValues.forEach(q, e);
        return e.b;
    }

    /** Writes one quantity after the other (its values read without a copy). */
    private static final class Encoder implements java.util.function.BiConsumer<String, Object> {
        private ByteBuffer b;
        private final Utf8Cache names;

        Encoder(ByteBuffer b, Utf8Cache names) {
            this.b = b;
            this.names = names;
        }

        @Override
        public void accept(String key, Object v) {
            byte kind = v instanceof double[] ? ARRAY : v instanceof String ? LABEL : DOUBLE;
            byte[] name = names.bytes(key);
            b = room(b, 3 + name.length);
            b.put(kind).putShort((short) name.length).put(name);
            if (v instanceof double[] a) {
                b = room(b, 4 + 8 * a.length);
                b.putInt(a.length);
                putDoubles(b, a);
            } else if (v instanceof String s) {
                byte[] t = s.getBytes(StandardCharsets.UTF_8);
                b = room(b, 4 + t.length);
                b.putInt(t.length).put(t);
            } else {
                b = room(b, 8);
                b.putDouble(((Number) v).doubleValue());
            }
        }
    }

    /**
     * Writes the raw bytes of doubles at the buffer's position, in its byte order; the buffer has
     * room for them.
     */
    private static void putDoubles(ByteBuffer b, double[] a) {
        if (a.length > 16) { // a per-atom array: one bulk copy
            b.asDoubleBuffer().put(a);
            b.position(b.position() + 8 * a.length);
        } else {
            for (double d : a) {
                b.putDouble(d);
            }
        }
    }

    /** @return the buffer, or a larger copy of it (kept for the thread) when fewer than n bytes are left */
    private static ByteBuffer room(ByteBuffer b, int n) {
        if (b.remaining() >= n) {
            return b;
        }
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(2 * b.capacity(), b.position() + n))
                .order(ByteOrder.LITTLE_ENDIAN);
        b.flip();
        bigger.put(b);
        return bigger;
    }

    /**
     * @param blob a binary form written by {@link #encode}
     * @return the quantities
     * @throws JournalException when the bytes are not such a form
     */
    static Quantities decode(byte[] blob) {
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        try {
            for (byte m : MAGIC) {
                if (b.get() != m) {
                    throw bad(blob, "it does not start with CFQ and format 1");
                }
            }
            int count = b.getInt();
            Quantities.Builder q = Quantities.builder();
            for (int i = 0; i < count; i++) {
                byte kind = b.get();
                byte[] name = new byte[b.getShort() & 0xFFFF];
                b.get(name);
                String n = new String(name, StandardCharsets.UTF_8);
                switch (kind) {
                    case DOUBLE -> q.put(n, b.getDouble());
                    case ARRAY -> {
                        double[] a = new double[length(b, 8)];
                        b.asDoubleBuffer().get(a);
                        b.position(b.position() + 8 * a.length);
                        q.put(n, a);
                    }
                    case LABEL -> {
                        byte[] t = new byte[length(b, 1)];
                        b.get(t);
                        q.label(n, new String(t, StandardCharsets.UTF_8));
                    }
                    default -> throw bad(blob, "quantity '" + n + "' has the unknown kind " + kind);
                }
            }
            if (b.hasRemaining()) {
                throw bad(blob, b.remaining() + " bytes follow the last quantity");
            }
            return q.build();
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw bad(blob, "it ends before its last quantity");
        }
    }

    /** @return a length read from the bytes, checked against what is left of them */
    private static int length(ByteBuffer b, int bytesPerItem) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining() / bytesPerItem) {
            throw new java.nio.BufferUnderflowException();
        }
        return n;
    }

    private static JournalException bad(byte[] blob, String why) {
        return new JournalException(
                "the journal holds quantities of " + blob.length + " bytes that cannot be read: " + why);
    }
}
