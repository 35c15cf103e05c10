package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.testfixtures.ReadOnlyFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader of a journal (a report, an eval of the best point, the dashboard) leaves the folder as
 * it found it: SQLite's log and shared-memory files, which a read-only connection would leave
 * beside a finished journal, are gone when the last reader closes, and a fit still writing keeps
 * its own.
 */
class ReaderSideFilesTest {

    @TempDir
    Path dir;

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** @return SQLite's log and shared-memory files in the folder */
    private static List<String> sqliteSideFiles(Path dir) throws Exception {
        return names(dir).stream()
                .filter(n -> n.endsWith("-wal") || n.endsWith("-shm"))
                .toList();
    }

    private static int fit(JournalReader j, int evaluations) {
        new Fitter(new JournalFitTest.Counting().objective(), Map.of("x", 0.3, "y", 1.1))
                .seed(11)
                .maxEvaluations(evaluations)
                .journal(j)
                .fit("Nelder-Mead");
        return evaluations;
    }

    private static int evaluationsOfLatestRun(Path dir) {
        try (JournalReader r = JournalReader.openReadOnly(dir)) {
            return r.evaluations(r.latestRun().orElseThrow().id()).size();
        }
    }

    @Test
    void readingAFinishedJournalLeavesNoFileBesideIt() throws Exception {
        try (JournalReader j = JournalReader.open(dir)) {
            fit(j, 30);
        }
        List<String> before = names(dir);
        assertEquals(List.of(), sqliteSideFiles(dir), "a finished fit leaves no log beside its journal");
        assertEquals(30, evaluationsOfLatestRun(dir));
        assertEquals(before, names(dir), "the reader left no log or shared-memory file");
    }

    @Test
    void aReaderClosingBeforeTheFitLeavesTheFitItsFilesAndSeesWhatItWrote() throws Exception {
        try (JournalReader j = JournalReader.open(dir)) {
            fit(j, 20);
            assertEquals(20, evaluationsOfLatestRun(dir));
            assertTrue(
                    Files.exists(dir.resolve(Journal.DEFAULT_FILE_NAME + "-wal")),
                    names(dir).toString());
            // the journal open for writing goes on after the reader closed
            fit(j, 25);
        }
        assertEquals(25, evaluationsOfLatestRun(dir));
        assertEquals(List.of(), sqliteSideFiles(dir));
    }

    @Test
    void aLogThatAKilledFitLeftIsReadAndThenFoldedIntoTheJournal() throws Exception {
        Path copy = Files.createDirectory(dir.resolve("copy"));
        // the journal and its log as a fit leaves them when it is killed before its end
        try (JournalReader j = JournalReader.open(dir)) {
            fit(j, 40);
            for (String f : List.of(Journal.DEFAULT_FILE_NAME, Journal.DEFAULT_FILE_NAME + "-wal")) {
                Files.copy(dir.resolve(f), copy.resolve(f));
            }
        }
        assertTrue(Files.size(copy.resolve(Journal.DEFAULT_FILE_NAME + "-wal")) > 0, "the log holds records");
        assertEquals(40, evaluationsOfLatestRun(copy));
        assertEquals(List.of(Journal.DEFAULT_FILE_NAME), names(copy), "the log was folded in and removed");
        assertEquals(40, evaluationsOfLatestRun(copy), "what the log held is in the journal now");
    }

    /**
     * A reader of another user, who may write in the folder but not the journal, leaves SQLite's
     * files beside it that its owner may not write: the fit that opens the journal names them and
     * says what to do, instead of failing at its first write with "attempt to write a readonly
     * database". They are made unwritable as {@link ReadOnlyFolder} makes a folder so.
     */
    @Test
    void sideFilesThisUserMayNotWriteAreNamedBeforeAFitOpensTheJournal() throws Exception {
        try (JournalReader j = JournalReader.open(dir)) {
            fit(j, 10);
        }
        Path wal = Files.createFile(dir.resolve(Journal.DEFAULT_FILE_NAME + "-wal"));
        Path shm = Files.createFile(dir.resolve(Journal.DEFAULT_FILE_NAME + "-shm"));
        List<ReadOnlyFolder> unwritable = List.of(ReadOnlyFolder.of(wal), ReadOnlyFolder.of(shm));
        try {
            JournalException e = assertThrows(JournalException.class, () -> {
                try (Journal j = Journal.open(dir)) {
                    j.begin(Map.of("job", "first"), JournalMode.resumeLatest()).close();
                }
            });
            String m = String.valueOf(e.getMessage());
            assertTrue(
                    m.startsWith("cannot write journal " + dir.resolve(Journal.DEFAULT_FILE_NAME) + ": SQLite's"
                            + " journal.sqlite-wal and journal.sqlite-shm beside it are not writable by this user"),
                    m);
            assertTrue(
                    m.endsWith("the log holds no records, so delete journal.sqlite-wal and journal.sqlite-shm while"
                            + " nothing has the journal open, and run again"),
                    m);
        } finally {
            for (ReadOnlyFolder f : unwritable) {
                f.close();
            }
        }
        // a journal this user may not write at all is said to be so, not blamed on a reader
        List<ReadOnlyFolder> all = List.of(
                ReadOnlyFolder.of(wal),
                ReadOnlyFolder.of(shm),
                ReadOnlyFolder.of(dir.resolve(Journal.DEFAULT_FILE_NAME)));
        try {
            JournalException e = assertThrows(JournalException.class, () -> {
                try (Journal j = Journal.open(dir)) {
                    j.begin(Map.of("job", "first"), JournalMode.resumeLatest()).close();
                }
            });
            String m = String.valueOf(e.getMessage());
            assertFalse(m.contains("a report or dashboard of another user"), m);
        } finally {
            for (ReadOnlyFolder f : all) {
                f.close();
            }
        }
        Files.delete(wal);
        Files.delete(shm);
        assertEquals(10, evaluationsOfLatestRun(dir), "nothing was lost");
    }
}
