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
 * database before anything else, and removes it. The file is sparse (4 MiB long at first, only
 * what is written takes room) and used again from its start once everything in it is in the
 * database. Each record is framed as
 *
 * <pre>
 * int32 n, int32 crc32c, n bytes   little-endian; the frames end at a header of zeros (n = 0) or
 *                                  at a record cut short by a kill, which fails its length or
 *                                  checksum and is ignored, with what follows it
 * </pre>
 *
 * <p>Written by hand: SQLite is the store; this is its front door for the few microseconds an
 * evaluation may spend on being recorded, and a library for an append-only file of frames would
 * be larger than these lines.
 *
 * <pre>{@code
 * PendingLog log = new PendingLog(PendingLog.beside(journalFile), false);
 * log.append(frame);     // durable when it returns
 * ...                    // the record committed to the database
 * log.copied(1);         // the file is used again from its start once all are copied
 * }</pre>
 *
 * @implNote Thread-safe: every method holds the object's lock.
 */
final class PendingLog implements AutoCloseable {

    /** The bytes of a frame's header: int32 length, int32 crc32c. */
    static final int FRAME = 8;

    /**
     * The size of the mapped file at first (sparse: only what is written takes room). Small, so
     * that its pages are soon used again rather than faulted in anew: once full, the file is used
     * from its start again when everything in it is in the database.
     */
    private static final int FIRST_SIZE = 4 << 20;

    private final Path file;
    private final boolean sync;
    /**
     * The file, mapped: a record is copied into the operating system's page cache without a
     * system call, and survives the process being killed as a written one does. Not a
     * FileChannel write: an interrupt of the appending thread would close the channel.
     */
    private @Nullable MappedByteBuffer map;

    private int size;
    private int position;
    private long appended;
    private long copied;
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

    /** @return a record with its frame's header, as the file holds it */
    static byte[] framed(byte[] record) {
        byte[] frame = new byte[FRAME + record.length];
        System.arraycopy(record, 0, frame, FRAME, record.length);
        header(frame);
        return frame;
    }

    private static void header(byte[] frame) {
        CRC32C c = new CRC32C();
        c.update(frame, FRAME, frame.length - FRAME);
        ByteBuffer.wrap(frame)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(frame.length - FRAME)
                .putInt((int) c.getValue());
    }

    /**
     * @return whether a frame of this many bytes fits at the end of the file without waiting for
     *     the records before it to be copied into the database (the file is used again from its
     *     start once they all are)
     */
    synchronized boolean fits(int frameLength) {
        long need = (long) frameLength + FRAME;
        return map == null ? need <= FIRST_SIZE : position + need <= size || (copied == appended && need <= size);
    }

    /**
     * Appends a frame from a buffer, from its position to its limit, whose first {@link #FRAME}
     * bytes are left for the header (which this fills); it is durable (against a kill) when this
     * returns. {@link #lastMap} and {@link #lastOffset} say where it went. When the file is full,
     * it is used again from its start if everything in it is copied, else mapped again larger.
     *
     * @return how many records were appended so far
     * @throws IOException when the file cannot be written
     */
    synchronized long append(ByteBuffer frame) throws IOException {
        int at = frame.position();
        int length = frame.remaining();
        crc.reset();
        crc.update(frame.duplicate().position(at + FRAME));
        frame.duplicate() // the header is little-endian whatever the buffer's order
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(at, length - FRAME)
                .putInt(at + 4, (int) crc.getValue());
        long need = (long) length + FRAME; // and a header of zeros after it: the end
        MappedByteBuffer m = map;
        if (m != null && position + need > size && copied == appended) {
            position = 0; // everything in it is in the database: from the start again
        }
        if (m == null || position + need > size) {
            m = remap(need);
        }
        m.put(position, frame, at, length);
        if (position + length + FRAME <= size) {
            m.putLong(position + length, 0L);
        }
        if (sync) {
            m.force(position, length + FRAME);
        }
        lastOffset = position;
        position += length;
        return ++appended;
    }

    /** @return the mapping the last frame was appended to */
    synchronized ByteBuffer lastMap() {
        return java.util.Objects.requireNonNull(map, "appended").duplicate();
    }

    /** @return where in the file the last frame begins */
    synchronized int lastOffset() {
        return lastOffset;
    }

    /** Maps the file (again), large enough for what it holds and this many bytes more. */
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
        long want = Math.max(FIRST_SIZE, Long.highestOneBit(Math.max(1, position + need - 1)) << 1);
        if (want > Integer.MAX_VALUE - 8) {
            throw new IOException("an evaluation's record of " + need + " bytes does not fit in " + file);
        }
        try (FileChannel c =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (c.size() < want) {
                c.truncate(want); // no-op when larger
                c.write(ByteBuffer.allocate(1), want - 1); // the file's length: a hole until written
            }
            MappedByteBuffer m = c.map(FileChannel.MapMode.READ_WRITE, 0, want);
            map = m;
            size = (int) want;
            return m;
        }
    }

    /**
     * Says that this many more records are committed to the database (in whatever order they
     * were appended); once all are, the file is used again from its start.
     */
    synchronized void copied(long more) {
        copied += more;
    }

    /** Lets go of the file and removes it when every record appended is in the database. */
    @Override
    public synchronized void close() throws IOException {
        MappedByteBuffer m = map;
        map = null;
        if (m != null && copied == appended) {
            // the mapping itself goes with the buffer; the file's name goes now
            Files.deleteIfExists(file);
        }
    }

    /**
     * @param file a pending file
     * @return the whole records it holds, in order (none when there is no file); a record cut
     *     short, and anything after it, is left out
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
        return out;
    }
}
