package org.chemfit.journal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The file beside a journal ({@code journal.sqlite-pending}) that makes an in-process evaluation
 * durable before the database holds it: the evaluation's thread appends the evaluation's record
 * here (one {@code write}, no transaction) and goes on, and the session's writer copies the
 * records into the database in groups, many evaluations per commit. A record appended survives
 * the process being killed as a commit does (both are in the operating system's hands when the
 * call returns); the next session that writes the journal copies what the file still holds into
 * the database before anything else, and empties it. Each record is framed as
 *
 * <pre>
 * int32 n, int32 crc32c, n bytes   little-endian; a record cut short by a kill fails its length or
 *                                  checksum and is ignored, with what follows it
 * </pre>
 *
 * <p>Written by hand: SQLite is the store; this is its front door for the few microseconds an
 * evaluation may spend on being recorded, and a library for an append-only file of frames would
 * be larger than these lines.
 *
 * <pre>{@code
 * PendingLog log = new PendingLog(PendingLog.beside(journalFile), false);
 * long n = log.append(record);   // durable when it returns
 * ...                            // the record committed to the database
 * log.copied(n);                 // the file is emptied once every record appended is copied
 * }</pre>
 *
 * @implNote Thread-safe: appends and the emptying hold the object's lock.
 */
final class PendingLog implements AutoCloseable {

    /** Empty the file once it holds this many bytes and everything in it is in the database. */
    private static final long EMPTY_ABOVE = 1 << 20;

    private final Path file;
    private final boolean sync;
    /** Not a FileChannel: an interrupt of the appending thread must not close the file. */
    private @Nullable RandomAccessFile out;

    private long position;
    private long appended;
    private long copied;
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
     * Appends a record; it is durable (against a kill) when this returns.
     *
     * @return the record's number, for {@link #copied}
     * @throws IOException when the file cannot be written
     */
    synchronized long append(byte[] record) throws IOException {
        byte[] frame = new byte[FRAME + record.length];
        System.arraycopy(record, 0, frame, FRAME, record.length);
        return appendFrame(frame);
    }

    /** The bytes of a frame's header: int32 length, int32 crc32c. */
    static final int FRAME = 8;

    /**
     * Appends a record that comes with room for its frame's header ({@link #FRAME} bytes, which
     * this fills); it is durable (against a kill) when this returns.
     *
     * @return the record's number, for {@link #copied}
     * @throws IOException when the file cannot be written
     */
    synchronized long appendFrame(byte[] frame) throws IOException {
        RandomAccessFile f = out;
        if (f == null) {
            f = new RandomAccessFile(file.toFile(), "rw");
            position = f.length();
            f.seek(position);
            out = f;
        }
        crc.reset();
        crc.update(frame, FRAME, frame.length - FRAME);
        ByteBuffer.wrap(frame)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(frame.length - FRAME)
                .putInt((int) crc.getValue());
        f.write(frame); // one system call for the frame
        position += frame.length;
        if (sync) {
            f.getFD().sync();
        }
        return ++appended;
    }

    /**
     * Says that the records up to this number are committed to the database; once all are, and
     * the file has grown large, it is emptied.
     */
    synchronized void copied(long upTo) throws IOException {
        copied = Math.max(copied, upTo);
        RandomAccessFile f = out;
        if (f != null && copied == appended && position > EMPTY_ABOVE) {
            f.setLength(0); // the file pointer moves to 0 with it
            position = 0;
        }
    }

    /** Closes the file and removes it when every record appended is in the database. */
    @Override
    public synchronized void close() throws IOException {
        RandomAccessFile f = out;
        out = null;
        if (f != null) {
            f.close();
            if (copied == appended) {
                Files.deleteIfExists(file);
            }
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
