package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.testfixtures.ReadOnlyFolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A journal in a folder this user may not write in (an archive, a colleague's results). Written,
 * it is refused with that reason rather than SQLite's "unable to open database file". Read, a
 * finished journal reads in full, without any file made beside it; one whose log still holds
 * records that only a reader allowed to write can read is refused with that reason, not called
 * damaged. The folders are made read-only as {@link ReadOnlyFolder} says, on the file system of the
 * build folder.
 */
class UnwritableFolderTest {

    private final List<Path> made = new ArrayList<>();
    private final List<ReadOnlyFolder> readOnly = new ArrayList<>();

    private Path folder() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        Path dir = Files.createTempDirectory(target, "unwritable");
        made.add(dir);
        return dir;
    }

    private void makeReadOnly(Path dir) throws Exception {
        readOnly.add(ReadOnlyFolder.of(dir));
    }

    @AfterEach
    void removeThem() throws Exception {
        for (ReadOnlyFolder f : readOnly) {
            f.close();
        }
        for (Path dir : made) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A fit of 40 evaluations into a journal in {@code dir}; runs {@code beforeClose} before the journal closes. */
    private static void fit(Path dir, ThrowingRunnable beforeClose) throws Exception {
        try (JournalReader j = JournalReader.open(dir)) {
            new Fitter(new JournalFitTest.Counting().objective(), Map.of("x", 0.3, "y", 1.1))
                    .seed(11)
                    .maxEvaluations(40)
                    .journal(j)
                    .fit("Nelder-Mead");
            beforeClose.run();
        }
    }

    /** A finished fit of 40 evaluations in {@code dir}, its journal alone: no SQLite log beside it. */
    private static void finishedFit(Path dir) throws Exception {
        fit(dir, () -> {});
        Files.deleteIfExists(dir.resolve(Journal.DEFAULT_FILE_NAME + "-wal"));
        Files.deleteIfExists(dir.resolve(Journal.DEFAULT_FILE_NAME + "-shm"));
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aJournalInAFolderThatCannotBeWrittenSaysSo() throws Exception {
        Path dir = folder();
        makeReadOnly(dir);
        JournalException e =
                assertThrows(JournalException.class, () -> Journal.open(dir).close());
        String m = String.valueOf(e.getMessage());
        assertTrue(m.contains("permission denied") && m.contains("its folder " + dir + " is not writable"), m);
        assertFalse(m.contains("unable to open database file"), m);
        assertEquals(List.of(), names(dir), "nothing was written in the folder");
    }

    @Test
    void aFinishedJournalIsReadFromAFolderThatCannotBeWritten() throws Exception {
        Path dir = folder();
        finishedFit(dir);
        List<String> before = names(dir);
        makeReadOnly(dir);
        try (JournalReader j = JournalReader.openReadOnly(dir)) {
            long run = j.latestRun().orElseThrow().id();
            assertEquals("FINISHED", j.latestRun().orElseThrow().status());
            assertEquals(40, j.evaluations(run).size());
        }
        assertEquals(before, names(dir), "no file was made beside the journal");
    }

    /**
     * A killed fit's pending file, which only a reader allowed to write can copy in: the journal is
     * read as it is, and the reader is told how many evaluations it lacks, and what to do. A
     * pending file that holds nothing the journal lacks (its pages touched ahead, its records
     * committed) is no cause for a warning.
     */
    @Test
    void evaluationsPendingThatCannotBeCopiedInAreCountedAndWarnedOf() throws Throwable {
        Path dir = folder();
        finishedFit(dir);
        Path file = dir.resolve(Journal.DEFAULT_FILE_NAME);
        assertEquals(3, PendingRecordsTest.unCommit(file, 3));
        List<String> before = names(dir);
        makeReadOnly(dir);
        String err = org.chemfit.testfixtures.StandardError.capturedWhile(() -> {
            try (JournalReader j = JournalReader.openReadOnly(dir)) {
                assertEquals(37, j.evaluations(j.latestRun().orElseThrow().id()).size());
            }
        });
        assertTrue(
                err.contains("journal " + file + ": journal.sqlite-pending beside it holds 3 evaluations that a"
                        + " stopped fit finished last and the journal lacks; only a reader allowed to write there"
                        + " copies them in, so they are not shown here: copy the folder to one you may write in"
                        + " and read the copy"),
                err);
        assertEquals(before, names(dir));
    }

    @Test
    void aPendingFileHoldingNothingTheJournalLacksIsNoCauseForAWarning() throws Throwable {
        Path dir = folder();
        finishedFit(dir);
        // pages a fit touched ahead and never wrote a record into
        Files.write(dir.resolve(Journal.DEFAULT_FILE_NAME + "-pending"), new byte[4096]);
        makeReadOnly(dir);
        String err = org.chemfit.testfixtures.StandardError.capturedWhile(() -> {
            try (JournalReader j = JournalReader.openReadOnly(dir)) {
                assertEquals(40, j.evaluations(j.latestRun().orElseThrow().id()).size());
            }
        });
        assertFalse(err.contains("pending"), err);
    }

    @Test
    void aLogThatOnlyAWriterCanReadIsNamedNotCalledDamaged() throws Exception {
        Path dir = folder();
        Path copy = folder();
        // the journal and its log as a fit leaves them before its end, without SQLite's shared-memory file
        fit(dir, () -> {
            for (String f : List.of(Journal.DEFAULT_FILE_NAME, Journal.DEFAULT_FILE_NAME + "-wal")) {
                Files.copy(dir.resolve(f), copy.resolve(f));
            }
        });
        assertTrue(Files.size(copy.resolve(Journal.DEFAULT_FILE_NAME + "-wal")) > 0, "the log holds records");
        List<String> before = names(copy);
        makeReadOnly(copy);
        JournalException e = assertThrows(
                JournalException.class, () -> JournalReader.openReadOnly(copy).close());
        String m = String.valueOf(e.getMessage());
        assertFalse(e instanceof JournalCorruptException, m);
        assertTrue(m.contains("its folder " + copy + " is not writable by this user"), m);
        assertTrue(m.contains("copy the folder to one you may write in"), m);
        assertEquals(before, names(copy));
    }

    @Test
    void aDamagedJournalInAFolderThatCannotBeWrittenIsCalledDamaged() throws Exception {
        Path dir = folder();
        finishedFit(dir);
        Path f = dir.resolve(Journal.DEFAULT_FILE_NAME);
        byte[] bytes = Files.readAllBytes(f);
        for (int i = 4096; i < 3 * 4096 && i < bytes.length; i++) {
            bytes[i] = (byte) 0xA5; // the second and third pages overwritten, the header kept
        }
        Files.write(f, bytes);
        makeReadOnly(dir);
        JournalException e = assertThrows(
                JournalException.class, () -> JournalReader.openReadOnly(dir).close());
        assertTrue(e instanceof JournalCorruptException, () -> "not called damaged: " + e.getMessage());
        assertFalse(String.valueOf(e.getMessage()).contains("copy the folder"), e.getMessage());
    }
}
