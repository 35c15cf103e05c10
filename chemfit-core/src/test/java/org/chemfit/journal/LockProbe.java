package org.chemfit.journal;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Another process's look at a journal's lock file: prints {@code free} when it could take the
 * operating system's lock (and lets it go at once), {@code held} when another process holds it.
 *
 * <p>Argument: the lock file.
 */
public final class LockProbe {

    private LockProbe() {}

    public static void main(String[] args) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            System.out.println(l == null ? "held" : "free");
            if (l != null) {
                l.release();
            }
        }
    }
}
