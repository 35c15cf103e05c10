package org.chemfit.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.chemfit.support.Reasons;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock that lets one process at a time write a journal: an operating-system lock on a file
 * beside the database ({@code journal.sqlite.lock}) that names its holder, held while a session
 * is open, or from a journal's check to its close (the session then holds a {@link #borrowed}
 * copy). The operating system releases it when the process dies, so a killed fit never leaves
 * a stale lock behind. Readers never take it.
 *
 * <pre>{@code
 * JournalLock lock = JournalLock.acquire(Path.of("out/journal.sqlite"));
 * try { ... write ... } finally { lock.release(); }
 * }</pre>
 *
 * @implNote One instance belongs to one session or journal; {@link #acquire} is thread-safe (a second
 *     acquire in the same process fails as one in another process does).
 */
final class JournalLock {

    private static final Logger LOG = LoggerFactory.getLogger(JournalLock.class);

    /**
     * The lock files this process holds. A second acquire of one of them must fail without opening
     * it: the operating system's lock belongs to the process, and closing any channel on the file
     * releases it (the caveat of {@link FileLock}), so the failed attempt of a reader in the same
     * process (the dashboard of {@code chemfit fit --dashboard}) would hand the journal to another
     * process's fit.
     */
    private static final Set<Object> HELD = ConcurrentHashMap.newKeySet();

    private final FileChannel channel;
    private final FileLock lock;
    private final Object key;
    private final AtomicBoolean released = new AtomicBoolean();

    private JournalLock(FileChannel channel, FileLock lock, Object key) {
        this.channel = channel;
        this.lock = lock;
        this.key = key;
    }

    /**
     * @return the same lock for one who holds it for a while but does not own it: its {@link #release}
     *     does nothing, the lock staying with this one (a session of a journal that {@code check}
     *     reserved the lock for)
     */
    JournalLock borrowed() {
        JournalLock b = new JournalLock(channel, lock, key);
        b.released.set(true);
        return b;
    }

    /**
     * The lock file as this process's holdings name it: its file key (device and inode), the same
     * for every path to it (links, {@code ..}, hard links), read without opening it. A file that
     * does not exist yet is created first: no lock of this process can be on a file that was not
     * there, so opening and closing it lets none go.
     */
    private static Object key(Path lockFile) throws IOException {
        if (Files.isSymbolicLink(lockFile)) {
            // a link would have the lock, and the holder's pid, written into a file elsewhere
            throw new IOException("it is a symbolic link, where the lock file must be a file of its own; remove it");
        }
        if (!Files.exists(lockFile)) {
            try {
                Files.createFile(lockFile);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // created by another thread or process meanwhile: as wanted
            }
        }
        Object k = Files.readAttributes(lockFile, BasicFileAttributes.class).fileKey();
        return k != null ? k : lockFile.toRealPath();
    }

    /**
     * Takes the lock of a journal and writes the holder (pid and host) into the lock file.
     *
     * @param journal the journal file
     * @return the lock, held until {@link #release}
     * @throws JournalException when another fit holds it (naming the holder) or the lock file
     *     cannot be written
     */
    static JournalLock acquire(Path journal) {
        Path lf = journal.resolveSibling(journal.getFileName() + ".lock");
        Object key;
        try {
            key = key(lf);
        } catch (IOException e) {
            throw new JournalException(
                    "cannot lock journal " + journal + " through " + lf + ": " + Reasons.of(e, lf), e);
        }
        synchronized (HELD) {
            return acquire(journal, lf, key);
        }
    }

    /** What a journal that another fit writes is refused with, after who writes it. */
    static final String ONE_AT_A_TIME = "; one fit writes a journal at a time: wait for that one to end, or give this"
            + " one another output folder";

    /** {@link #acquire(Path)} once the lock file's key is known, with {@link #HELD}'s monitor held. */
    private static JournalLock acquire(Path journal, Path lf, Object key) {
        if (!HELD.add(key)) {
            throw new JournalException("journal " + journal + " is being written by another fit (pid "
                    + ProcessHandle.current().pid() + " on " + SqliteJournal.HOST
                    + ", this process)" + ONE_AT_A_TIME);
        }
        FileChannel ch = null;
        boolean held = false;
        try {
            // no link followed, one made since the look in key() included
            ch = FileChannel.open(
                    lf,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.READ,
                    StandardOpenOption.WRITE,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                String holder = "";
                try {
                    holder = Files.readString(lf).trim();
                } catch (IOException ignored) {
                    // the message goes without it
                }
                ch.close();
                throw new JournalException("journal " + journal + " is being written by another fit"
                        + (holder.isEmpty() ? "" : " (" + holder + ")") + ONE_AT_A_TIME);
            }
            ch.truncate(0);
            ch.write(
                    ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " on " + SqliteJournal.HOST + "\n")
                            .getBytes(StandardCharsets.UTF_8)),
                    0);
            held = true;
            return new JournalLock(ch, l, key);
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // reporting the first failure
                }
            }
            throw new JournalException(
                    "cannot lock journal " + journal + " through " + lf + ": " + Reasons.of(e, lf), e);
        } finally {
            if (!held) {
                HELD.remove(key);
            }
        }
    }

    /**
     * Whether a process holds the lock of a journal, so that a fit writes it now: this process (as
     * {@link #HELD} says; its lock is not probed, since closing a channel on the file would release
     * it), or another one, found by trying a shared lock on the lock file opened read-only, which
     * fails while a writer holds its exclusive lock. It tells a running fit whose process id cannot
     * be seen (another PID namespace, a container) from one that was killed.
     *
     * @param journal the journal file
     * @return true when a process holds its lock; false when none does, the lock file is missing
     *     or it cannot be read (then nothing can be told from it)
     */
    static boolean held(Path journal) {
        return Boolean.TRUE.equals(probe(journal));
    }

    /**
     * Whether no process holds the lock of a journal, as far as its lock file tells: then no fit
     * writes it, whichever process now has the id its last attempt recorded (ids are reused, and
     * after a reboot or on a busy node a dead fit's id may be another process's).
     *
     * @param journal the journal file
     * @return true when its lock file was probed and no process holds it; false when one does, or
     *     the lock file is missing or cannot be read (then nothing can be told from it)
     */
    static boolean free(Path journal) {
        return Boolean.FALSE.equals(probe(journal));
    }

    /** @return whether a process holds the journal's lock, or null when the lock file cannot tell */
    private static @Nullable Boolean probe(Path journal) {
        Path lf = journal.resolveSibling(journal.getFileName() + ".lock");
        // the monitor keeps an acquire of this process from taking the lock while the probe's
        // channel is open: closing that channel would release the new lock
        synchronized (HELD) {
            Object key;
            try {
                if (!Files.isRegularFile(lf)) {
                    return null;
                }
                Object k = Files.readAttributes(lf, BasicFileAttributes.class).fileKey();
                key = k != null ? k : lf.toRealPath();
            } catch (IOException e) {
                return null;
            }
            if (HELD.contains(key)) {
                return true;
            }
            try (FileChannel ch = FileChannel.open(lf, StandardOpenOption.READ)) {
                FileLock l = ch.tryLock(0, Long.MAX_VALUE, true);
                if (l == null) {
                    return true;
                }
                l.release();
                return false;
            } catch (OverlappingFileLockException e) {
                return true;
            } catch (IOException e) {
                return null;
            }
        }
    }

    /** Releases the lock; a failure is logged, since the process's end releases it anyway. */
    void release() {
        if (!released.compareAndSet(false, true)) {
            return; // released before: the key may be another holder's by now
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            LOG.warn("releasing the journal lock: {}", e.getMessage());
        } finally {
            HELD.remove(key);
        }
    }
}
