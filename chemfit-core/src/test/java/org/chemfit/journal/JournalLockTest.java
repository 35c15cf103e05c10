package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's lock is the process's: a second attempt in the same process (a reader's look, as
 * the dashboard of a running fit makes) is refused without letting the lock go, so another process
 * still finds it held.
 */
class JournalLockTest {

    @TempDir
    Path dir;

    /** @return what another JVM finds of the lock file: "free" or "held" */
    private static String probe(Path lockFile) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        javaBin,
                        "-cp",
                        System.getProperty("java.class.path"),
                        LockProbe.class.getName(),
                        lockFile.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe did not end");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void aSecondAttemptInTheSameProcessIsRefusedAndTheLockStaysHeld() throws Exception {
        Path journal = dir.resolve("journal.sqlite");
        Path lockFile = dir.resolve("journal.sqlite.lock");
        JournalLock lock = JournalLock.acquire(journal);
        try {
            assertEquals("held", probe(lockFile));
            Files.createDirectories(dir.resolve("sub"));
            for (Path same : new Path[] {journal, dir.resolve("./sub/../journal.sqlite")}) {
                JournalException e = assertThrows(JournalException.class, () -> JournalLock.acquire(same));
                assertTrue(
                        e.getMessage()
                                .contains("is being written by another fit (pid "
                                        + ProcessHandle.current().pid()),
                        e.getMessage());
                assertTrue(
                        e.getMessage()
                                .endsWith(
                                        "this process); one fit writes a journal at a time: wait for that one to end, or give this one"
                                                + " another output folder"),
                        e.getMessage());
            }
            // the refused attempts opened nothing: another process still finds the lock held
            assertEquals("held", probe(lockFile));
        } finally {
            lock.release();
        }
        assertEquals("free", probe(lockFile));
        JournalLock again = JournalLock.acquire(journal);
        again.release();
    }

    /**
     * A fit of another job checked against a journal that a fit writes is told that one writes it,
     * not that its job differs (which would advise a new run there); a refused check keeps no lock.
     */
    @Test
    void aCheckOfAnotherJobWhileAFitWritesIsToldThatOneWrites() throws Exception {
        Path lockFile = dir.resolve("journal.sqlite.lock");
        try (org.chemfit.journal.read.JournalReader writing = org.chemfit.journal.read.JournalReader.open(dir)) {
            writing.check(java.util.Map.of("job", "first"), JournalMode.resumeLatest());
            var session = writing.begin(java.util.Map.of("job", "first"), JournalMode.resumeLatest());
            try (org.chemfit.journal.read.JournalReader other = org.chemfit.journal.read.JournalReader.open(dir)) {
                JournalException e = assertThrows(
                        JournalException.class,
                        () -> other.check(java.util.Map.of("job", "second"), JournalMode.resumeLatest()));
                assertTrue(e.getMessage().contains("is being written by another fit (pid"), e.getMessage());
                assertFalse(e instanceof JournalMismatchException, e.getMessage());
            } finally {
                session.close();
            }
        }
        // the fit has ended: the other job is now refused for what it is, and the refusal keeps no lock
        try (org.chemfit.journal.read.JournalReader other = org.chemfit.journal.read.JournalReader.open(dir)) {
            JournalException e = assertThrows(
                    JournalMismatchException.class,
                    () -> other.check(java.util.Map.of("job", "second"), JournalMode.resumeLatest()));
            assertTrue(e.getMessage().contains("different job"), e.getMessage());
            assertEquals("free", probe(lockFile));
        }
    }

    @Test
    void heldTellsAWrittenJournalWithoutLettingThisProcesssLockGo() throws Exception {
        Path journal = dir.resolve("journal.sqlite");
        Path lockFile = dir.resolve("journal.sqlite.lock");
        // no lock file: nothing to tell from it
        assertFalse(JournalLock.held(journal));
        JournalLock lock = JournalLock.acquire(journal);
        try {
            // this process holds it: said so without probing, and another process still finds it held
            assertTrue(JournalLock.held(journal));
            assertTrue(JournalLock.held(dir.resolve("./journal.sqlite")));
            assertEquals("held", probe(lockFile));
        } finally {
            lock.release();
        }
        // the lock file stays, and nobody holds it
        assertTrue(Files.exists(lockFile));
        assertFalse(JournalLock.held(journal));
        assertEquals("free", probe(lockFile));
    }

    @Test
    void anotherPathToTheSameLockFileIsTheSameLock() throws Exception {
        // link/.. is, for the operating system, the folder that holds the link's target
        Path real = Files.createDirectories(dir.resolve("real/x"));
        Path link = Files.createSymbolicLink(
                Files.createDirectories(dir.resolve("out")).resolve("link"), real);
        Path journal = dir.resolve("real/journal.sqlite");
        JournalLock lock = JournalLock.acquire(journal);
        try {
            Path other = link.resolve("../journal.sqlite"); // out/link/../journal.sqlite, not out/journal.sqlite
            JournalException e = assertThrows(JournalException.class, () -> JournalLock.acquire(other));
            assertTrue(
                    e.getMessage()
                            .endsWith(
                                    "this process); one fit writes a journal at a time: wait for that one to end, or give this one"
                                            + " another output folder"),
                    e.getMessage());
            assertEquals("held", probe(dir.resolve("real/journal.sqlite.lock")));
            Files.createLink(dir.resolve("real/hard.sqlite.lock"), dir.resolve("real/journal.sqlite.lock"));
            assertThrows(JournalException.class, () -> JournalLock.acquire(dir.resolve("real/hard.sqlite")));
            assertEquals("held", probe(dir.resolve("real/journal.sqlite.lock")));
        } finally {
            lock.release();
        }
    }

    @Test
    void aLockReleasedTwiceLeavesTheNextHoldersLockAlone() throws Exception {
        Path journal = dir.resolve("journal.sqlite");
        JournalLock first = JournalLock.acquire(journal);
        first.release();
        JournalLock second = JournalLock.acquire(journal);
        try {
            first.release(); // a second release of the first holder
            assertThrows(JournalException.class, () -> JournalLock.acquire(journal));
            assertEquals("held", probe(dir.resolve("journal.sqlite.lock")));
        } finally {
            second.release();
        }
        assertEquals("free", probe(dir.resolve("journal.sqlite.lock")));
    }

    @Test
    void aReaderOpenedWhileThisProcessWritesLeavesTheWritersLockHeld() throws Exception {
        Path journal = dir.resolve("journal.sqlite");
        try (Journal j = Journal.open(journal)) {
            assertEquals(journal, j.path());
            JournalLock lock = JournalLock.acquire(journal);
            try {
                // a stopped fit's pending file makes a reader try the lock, to copy it in
                Files.write(PendingLog.beside(journal), new byte[] {1, 2, 3});
                try (Journal reader = Journal.openReadOnly(journal)) {
                    assertEquals(journal, reader.path());
                }
                assertEquals("held", probe(dir.resolve("journal.sqlite.lock")));
            } finally {
                lock.release();
                Files.deleteIfExists(PendingLog.beside(journal));
            }
        }
    }
}
