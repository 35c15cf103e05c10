package org.chemfit.journal;

import java.nio.charset.StandardCharsets;

/**
 * The UTF-8 bytes of texts that come back as the very same objects from one evaluation to the
 * next (term names, thread names, quantity names, parameter names), found by identity in a small
 * table of the calling thread: the journal writes them for every term of every evaluation, and
 * encoding them each time, or finding them in a shared map by their contents, cost more than the
 * term's numbers.
 *
 * <p>Written by hand: a map by identity of the JDK ({@code IdentityHashMap}) would do, but not
 * with a bounded size, and a text that is not found is simply encoded.
 *
 * @implNote Not thread-safe: one instance per thread ({@link #get()}).
 */
final class Utf8Cache {

    private static final int SIZE = 1024;
    private static final int PROBES = 8;
    private static final ThreadLocal<Utf8Cache> OF_THREAD = ThreadLocal.withInitial(Utf8Cache::new);

    private final Object[] keys = new Object[SIZE];
    private final byte[][] values = new byte[SIZE][];

    private Utf8Cache() {}

    /** @return the calling thread's cache */
    static Utf8Cache get() {
        return OF_THREAD.get();
    }

    /** @return the text's UTF-8 bytes (not to be changed) */
    byte[] bytes(String s) {
        int h = System.identityHashCode(s) & (SIZE - 1);
        for (int i = 0; i < PROBES; i++) {
            int k = (h + i) & (SIZE - 1);
            Object key = keys[k];
            if (key == s) {
                return values[k];
            }
            if (key == null) {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                keys[k] = s;
                values[k] = b;
                return b;
            }
        }
        return s.getBytes(StandardCharsets.UTF_8); // a full neighbourhood: not kept
    }
}
