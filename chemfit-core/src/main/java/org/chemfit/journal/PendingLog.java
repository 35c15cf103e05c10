package org.chemfit.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The file beside a journal ({@code journal.sqlite-pending}) that makes an in-process evaluation
 * durable before the database holds it: the evaluation's thread appends the evaluation's record
 * here (a copy into the file's memory mapping: no system call, no transaction) and goes on, and
 * the session's writer copies the records into the database in groups, many evaluations per
 * commit. A record appended survives the process being killed as a commit does (the mapping's
 * pages are the operating system's page cache, written to the file whatever happens to the
 * process); the next session that writes the journal copies what the file still holds into the
 * database before anything else, and removes it.
 *
 * <p>The file (4 MiB, every byte of it written when it is made, so that its room on the file
 * system is taken before anything is mapped) is two halves used in turn: records are appended to
 * one half until it is full, then to the other, from its start, once everything in that other half
 * is copied (it holds records older than the writer's last few commits, so that is almost always
 * so at once). The pages of the file are used again and again, and an appender waits for the writer
 * only when the writer is a whole half behind. Each half begins with a header and holds frames,
 * all little-endian:
 *
 * <pre>
 * "CFP" 0x02, int32 half, int64 generation   the half's size in bytes, and which turn of use it
 *                                            is in (0: unused); the newer half follows the older
 * int32 n, int32 crc32c, n bytes             a frame; the frames of a half end at a header of
 *                                            zeros (n = 0) or at a record cut short by a kill,
 *                                            which fails its length or checksum and is ignored
 * </pre>
 *
 * <p>The file's bytes are written when it is made ({@link #allocate}), so its pages are in the
 * page cache and its room on the file system is taken: the appender's first write to a page
 * maps a page that exists instead of having the file system find and clear one (2.9 of the 4.2 us that appending an argon evaluation's record took,
 * on average, in a fit's first 2,000 evaluations, when the file was a hole). The session's writer
 * also touches the pages ahead of the appender while it lets a group gather ({@link #touchAhead}:
 * a zero written at the start of each page after the end of the frames of the half being
 * appended to, which no reader looks at), so that the few faults left are its own. The touching
 * thread holds the file's lock only to choose a page, not while the page is faulted in; an
 * appender waits for that fault only when it is about to write into the very page being touched.
 *
 * <p>Written by hand: SQLite is the store; this is its front door for the few microseconds an
 * evaluation may spend on being recorded, and a library for a file of frames used in turn would
 * be larger than these lines.
 *
 * <pre>{@code
 * PendingLog log = new PendingLog(PendingLog.beside(journalFile), false);
 * while (!log.tryAppend(frame)) {
 *     writer.flush();    // the other half still holds records not in the database
 * }
 * ...                    // the record committed to the database
 * log.copied(log.lastHalf(), 1);   // after the commit that copied it
 * }</pre>
 *
 * @implNote Thread-safe: every method holds the object's lock, except while {@link #touchAhead}
 *     faults a page in, which appenders keep out of.
 */
final class PendingLog implements AutoCloseable {

    /** The bytes of a frame's header: int32 length, int32 crc32c. */
    static final int FRAME = 8;

    /** The bytes of a half's header: magic, the half's size and its generation. */
    static final int HEADER = 16;

    private static final int MAGIC = 'C' | 'F' << 8 | 'P' << 16 | 2 << 24;

    /**
     * The size of the mapped file at first (its zeros written when it is made: see {@link
     * #allocate}). Small, so that its pages are used again rather than faulted in anew; larger
     * only for a record that does not fit in a half.
     */
    private static final int FIRST_SIZE = 4 << 20;

    /** The size of a page touched ahead (a larger page is touched more than once: no harm). */
    private static final int PAGE = 4096;

    /** The zeros written at a time by {@link #allocate}. */
    private static final int ZEROS = 256 << 10;

    /**
     * Below this much room left on its file system, pages are not touched ahead: a write to a page
     * that finds no room is a SIGBUS, which the JVM turns into an InternalError thrown later,
     * anywhere in the touching thread; the appender meets a full file system in its own write.
     */
    private static final long ROOM_TO_TOUCH = 64L << 20;

    private final Path file;
    private final boolean sync;
    /**
     * The file, mapped: a record is copied into the operating system's page cache without a
     * system call, and survives the process being killed as a written one does. Not a
     * FileChannel write: an interrupt of the appending thread would close the channel.
     */
    private @Nullable MappedByteBuffer map;

    private int half;
    /** The half appended to: 0 or 1. */
    private int current;

    private long generation;
    /** Where the next frame goes, in the file. */
    private int position;

    /**
     * For each half, how many of the records appended to it are not copied yet: it is free when
     * none are (the writer commits records in whatever order their evaluations' writes come).
     */
    private final long[] uncopied = new long[2];
    /** The thread that waits for the whole file to be copied (to map it larger), or null. */
    private @Nullable Thread draining;

    private int lastHalf;
    /** Up to where in the file the pages are touched, in this mapping: pages below it are. */
    private int touched;
    /**
     * The page {@link #touchAhead} is faulting in without the lock (its offset in the file), or
     * -1: set under the lock, cleared without it, and no appender writes into that page meanwhile.
     */
    private volatile int touching = -1;
    /** The file system of the file, found at the first touch: how much room is left on it. */
    private java.nio.file.@Nullable FileStore store;

    private int lastOffset;
    private final CRC32C crc = new CRC32C();

    /**
     * @param file the file (created at the first append)
     * @param sync whether each append is synced to the disk (durability against a power cut)
     */
    PendingLog(Path file, boolean sync) {
        this.file = file;
        this.sync = sync;
    }

    /** @return the pending file of a journal file */
    static Path beside(Path journalFile) {
        return journalFile.resolveSibling(journalFile.getFileName() + "-pending");
    }

    /**
     * Appends a frame from a buffer, from its position to its limit, whose first {@link #FRAME}
     * bytes are left for the header (which this fills), unless that means waiting for the writer:
     * when the current half is full and the other still holds records not copied, or the frame is
     * larger than a half while records are not copied, nothing is appended (and, in the latter
     * case, nothing from other threads either until this thread has mapped the file larger, so
     * that the writer can copy all). Once appended, the frame is durable (against a kill);
     * {@link #lastMap}, {@link #lastOffset} and {@link #lastHalf} say where it went.
     *
     * @return whether the frame was appended (else: wait for the writer to copy what the file
     *     holds, and try again)
     * @throws IOException when the file cannot be written
     */
    synchronized boolean tryAppend(ByteBuffer frame) throws IOException {
        int at = frame.position();
        int length = frame.remaining();
        long need = (long) length + FRAME; // and a header of zeros after it: the end
        MappedByteBuffer m = map;
        Thread me = Thread.currentThread();
        if (draining != null && draining != me) {
            return false; // another thread waits for the file to empty
        }
        if (m == null || need > half - HEADER) {
            if (m != null && uncopied[0] + uncopied[1] > 0) {
                draining = me;
                return false;
            }
            try {
                m = remap(need); // empty: every record in it is copied
            } finally {
                draining = null; // a failed remap leaves the old mapping: the others go on with it
            }
        } else if (position + need > end(current)) {
            int other = 1 - current;
            if (uncopied[other] > 0) {
                return false;
            }
            begin(m, other);
        }
        crc.reset();
        crc.update(frame.duplicate().position(at + FRAME));
        frame.duplicate() // the header is little-endian whatever the buffer's order
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(at, length - FRAME)
                .putInt(at + 4, (int) crc.getValue());
        awaitTouch(position, position + length + FRAME);
        m.put(position, frame, at, length);
        if (position + length + FRAME <= end(current)) {
            m.putLong(position + length, 0L);
        }
        if (sync) {
            m.force(position, length + FRAME);
        }
        lastOffset = position;
        lastHalf = current;
        position += length;
        uncopied[current]++;
        return true;
    }

    private int end(int h) {
        return (h + 1) * half;
    }

    /**
     * Faults in, for writing, pages after the appender's position that no one has written yet,
     * so that appending does not pay for the first write to a page: a zero is written at the start
     * of each page, one page at a time, and only past the end of the frames of the half being
     * appended to, where no reader looks. The page is chosen under the lock and written without
     * it; meanwhile no appender writes into that page ({@link #touching}). Only the first time
     * through a mapping: the pages stay. Nothing is touched while the file system has less than
     * {@value #ROOM_TO_TOUCH} bytes left.
     *
     * @param ahead how far past the appender's position to touch, within its half
     * @param pages at most how many pages to touch in this call
     * @return whether pages are left to touch within {@code ahead} (call again)
     */
    boolean touchAhead(int ahead, int pages) {
        java.nio.file.FileStore fs;
        synchronized (this) {
            if (map == null || next(ahead) < 0) {
                return false; // nothing to touch: the room left is not asked for
            }
            fs = store;
        }
        try {
            if (fs == null) { // found by the touching thread, not the appender (it reads the mount table)
                fs = Files.getFileStore(file);
                synchronized (this) {
                    store = fs;
                }
            }
            if (fs.getUsableSpace() < ROOM_TO_TOUCH) {
                return false;
            }
        } catch (IOException e) {
            return false; // not known: not touched
        }
        for (int k = 0; k < pages; k++) {
            MappedByteBuffer m;
            int p;
            synchronized (this) {
                m = map;
                if (m == null) {
                    return false;
                }
                p = next(ahead);
                if (p < 0) {
                    return false;
                }
                touched = p + 1;
                touching = p; // set under the lock: an appender that takes it next sees it
            }
            // The fault is taken without the lock, so that an appender does not wait for it (a
            // page fault of a file's mapping takes 10 us or more in some virtual machines), unless
            // it is about to write into this very page. A mapping is never unmapped while
            // referenced; a write that finds no room is an InternalError, as under the lock.
            try {
                m.put(p, (byte) 0); // past the frames' end: nothing anyone reads
            } finally {
                touching = -1;
            }
        }
        return true;
    }

    /**
     * Waits while the page being touched without the lock ({@link #touching}) holds a byte of
     * the file from {@code from} (inclusive) to {@code to} (exclusive), which the caller is about
     * to write; called holding the lock. The wait is for one page fault at most, and only when
     * the appender has caught up with the pages touched ahead.
     */
    private void awaitTouch(int from, int to) {
        int spins = 0;
        for (int t = touching; t >= from && t < to; t = touching) {
            if (++spins < 1000) {
                Thread.onSpinWait();
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(10_000); // the toucher lost its core
            }
        }
    }

    /** @return the next page to touch within this far past the position, or -1; called holding the lock */
    private int next(int ahead) {
        int limit = (int) Math.min(end(current), (long) position + ahead);
        int p = (Math.max(touched, position) + PAGE - 1) & -PAGE;
        return p < limit ? p : -1;
    }

    /** @return up to where in the file pages are touched (for tests) */
    synchronized int touched() {
        return touched;
    }

    /** Starts appending to a half, from its start: its frames end at once, then it takes the next generation. */
    private void begin(MappedByteBuffer m, int h) {
        int start = h * half;
        m.putLong(start + HEADER, 0L);
        m.putInt(start, MAGIC).putInt(start + 4, half).putLong(start + 8, ++generation);
        current = h;
        position = start + HEADER;
    }

    /** @return the mapping the last frame was appended to */
    synchronized ByteBuffer lastMap() {
        return java.util.Objects.requireNonNull(map, "appended").duplicate();
    }

    /** @return where in the file the last frame begins */
    synchronized int lastOffset() {
        return lastOffset;
    }

    /** @return the half the last frame was appended to: what {@link #copied} is told */
    synchronized int lastHalf() {
        return lastHalf;
    }

    /** Maps the file (again, when nothing in it waits to be copied), with halves that hold this many bytes. */
    private MappedByteBuffer remap(long need) throws IOException {
        // opening and mapping through a channel fails on an interrupted thread (it closes the
        // channel): the interrupt of a cancelled term waits until the record is written
        boolean interrupted = Thread.interrupted();
        try {
            return remapUninterrupted(need);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private MappedByteBuffer remapUninterrupted(long need) throws IOException {
        long want = Math.max(FIRST_SIZE, Long.highestOneBit(2 * (need + HEADER) - 1) << 1);
        if (want > Integer.MAX_VALUE - 8) {
            throw new IOException("an evaluation's record of " + need + " bytes does not fit in " + file);
        }
        try (FileChannel c =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            allocate(c, want);
            MappedByteBuffer m = c.map(FileChannel.MapMode.READ_WRITE, 0, want);
            m.order(ByteOrder.LITTLE_ENDIAN);
            map = m;
            touched = 0; // a new mapping: its pages are faulted in anew
            half = (int) (want / 2);
            m.putLong(half, 0L); // the second half: unused until the first is full
            m.putLong(half + 8, 0L);
            begin(m, 0);
            return m;
        }
    }

    /**
     * Makes the file this long with every byte written, not a hole: a write into a mapped page
     * that the file system has no room for is a SIGBUS, which the JVM turns into an InternalError
     * thrown later, anywhere in the writing thread. On file systems that keep room for what is
     * written (ext4, XFS, tmpfs) the written zeros take it now, a full file system is an
     * IOException here, said in words, and the mapping's writes only overwrite them; on those that
     * take room at each write (btrfs, ZFS) the mapping may still find none. A record larger than a
     * half makes the file twice its size, written whole as well.
     *
     * @throws NoRoomException when the file system (or the user's quota) has no room for it; the
     *     room taken is given back
     */
    private void allocate(FileChannel c, long want) throws IOException {
        long at = c.size();
        if (at >= want) {
            return;
        }
        long before = at;
        ByteBuffer zeros = ByteBuffer.allocate(ZEROS);
        try {
            while (at < want) {
                zeros.clear().limit((int) Math.min(ZEROS, want - at));
                while (zeros.hasRemaining()) {
                    at += c.write(zeros, at);
                }
            }
        } catch (IOException e) {
            try {
                c.truncate(before); // the room taken goes back: results.json may still fit
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            long left = usableSpaceBeside(file);
            if (left >= 0 && left < want - before) {
                throw new NoRoomException(
                        "the file system holding it has " + left + " bytes left, and it needs " + (want - before) + " ("
                                + e.getMessage() + ")",
                        e);
            }
            if (String.valueOf(e.getMessage())
                    .toLowerCase(java.util.Locale.ROOT)
                    .contains("quota")) {
                throw new NoRoomException(
                        "the user's disk quota has no room for its " + (want - before) + " bytes (" + e.getMessage()
                                + ")",
                        e);
            }
            throw e;
        }
    }

    /**
     * @param file a file, which may not exist yet
     * @return the bytes left to this user on the file system of its folder, or -1 when that cannot
     *     be told
     */
    static long usableSpaceBeside(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            return dir == null ? -1 : Files.getFileStore(dir).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The pending file cannot be made as large as it must be: no room on its file system. */
    static final class NoRoomException extends IOException {
        private static final long serialVersionUID = 1L;

        NoRoomException(String message, IOException cause) {
            super(message, cause);
        }
    }

    /**
     * Says that this many more of the records appended to a half are committed to the database;
     * a half is used again once all its records are.
     *
     * @param h the half they were appended to ({@link #lastHalf} when each was appended)
     * @param more how many
     */
    synchronized void copied(int h, long more) {
        uncopied[h] -= more;
    }

    /** Lets go of the file and removes it when every record appended is in the database. */
    @Override
    public synchronized void close() throws IOException {
        MappedByteBuffer m = map;
        map = null;
        if (m != null && uncopied[0] + uncopied[1] == 0) {
            // the mapping itself goes with the buffer; the file's name goes now
            Files.deleteIfExists(file);
        }
    }

    /**
     * @param file a pending file
     * @return the whole records it holds, older half first (none when there is no file); a record
     *     cut short, and anything after it in its half, is left out
     * @throws IOException when the file cannot be read
     */
    static List<byte[]> read(Path file) throws IOException {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> out = new ArrayList<>();
        if (all.length < HEADER || b.getInt(0) != MAGIC) {
            frames(b, 0, all.length, out); // one run of frames from the start (schema 5 as first written)
            return out;
        }
        int half = b.getInt(4);
        long first = b.getLong(8);
        long second = half > HEADER && half <= all.length - HEADER && b.getInt(half) == MAGIC ? b.getLong(half + 8) : 0;
        if (half <= HEADER || half > all.length) {
            return out; // a header cut short: nothing was appended after it
        }
        if (second != 0 && second < first) {
            frames(b, half + HEADER, Math.min(all.length, 2 * half), out);
            frames(b, HEADER, half, out);
        } else {
            frames(b, HEADER, half, out);
            if (second != 0) {
                frames(b, half + HEADER, Math.min(all.length, 2 * half), out);
            }
        }
        return out;
    }

    /** Adds the whole frames from one place to the first header of zeros or record cut short. */
    private static void frames(ByteBuffer all, int from, int to, List<byte[]> out) {
        ByteBuffer b =
                all.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(from).limit(to);
        CRC32C check = new CRC32C();
        while (b.remaining() >= 8) {
            int n = b.getInt();
            int sum = b.getInt();
            if (n <= 0 || n > b.remaining()) { // no record is empty: zeros are not a record
                break;
            }
            byte[] r = new byte[n];
            b.get(r);
            check.reset();
            check.update(r);
            if ((int) check.getValue() != sum) {
                break;
            }
            out.add(r);
        }
    }
}
