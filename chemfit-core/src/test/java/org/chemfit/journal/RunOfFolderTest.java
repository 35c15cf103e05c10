package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run an output folder's files are about: the latest run, or an earlier run that results.json
 * names and that ended after the latest one ended.
 */
class RunOfFolderTest {

    @TempDir
    Path dir;

    /** Two runs, each begun and closed; their end times are then set as each test needs. */
    private void twoRuns() {
        try (JournalReader j = JournalReader.open(dir)) {
            j.begin(Map.of("job", "first"), JournalMode.restart()).close();
            j.begin(Map.of("job", "second"), JournalMode.restart()).close();
            assertEquals(2L, j.latestRun().orElseThrow().id());
        }
    }

    private void ended(long run, @org.jspecify.annotations.Nullable String at) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(Journal.DEFAULT_FILE_NAME));
                Statement st = c.createStatement()) {
            st.executeUpdate(
                    "UPDATE runs SET ended_at = " + (at == null ? "NULL" : "'" + at + "'") + " WHERE id = " + run);
        }
    }

    private long shown(Long resultsRun) {
        try (JournalReader j = JournalReader.openReadOnly(dir)) {
            return j.runOfFolder(resultsRun).map(RunRecord::id).orElse(0L);
        }
    }

    @Test
    void anEarlierRunThatEndedAfterTheLatestIsTheFoldersWhenResultsNameIt() throws Exception {
        twoRuns();
        ended(1, "2026-01-02T10:00:00Z");
        ended(2, "2026-01-02T09:00:00Z");
        assertEquals(1L, shown(1L));
        // results.json of the latest run, or none: the latest
        assertEquals(2L, shown(2L));
        assertEquals(2L, shown(null));
    }

    @Test
    void theLatestRunIsTheFoldersWhileItHasNotEndedOrEndedLast() throws Exception {
        twoRuns();
        ended(1, "2026-01-02T08:00:00Z");
        ended(2, "2026-01-02T09:00:00Z");
        assertEquals(2L, shown(1L), "the earlier run ended before the latest");
        ended(1, "2026-01-02T10:00:00Z");
        ended(2, null);
        assertEquals(2L, shown(1L), "the latest runs (or stopped without finishing)");
        ended(2, "2026-01-02T09:00:00Z");
        ended(1, null);
        assertEquals(2L, shown(1L), "the earlier run runs again: its results.json is not yet written");
        assertEquals(2L, shown(7L), "results.json names a run the journal does not hold");
    }

    /**
     * A fit that resumes run 1 after run 2 finished writes the folder's files anew: run 1 is the
     * folder's while it runs, whichever run results.json names; once its fit has gone, the ends decide.
     */
    @Test
    void anEarlierRunThatAFitOnThisHostWritesNowIsTheFolders() throws Exception {
        twoRuns();
        try (JournalReader j = JournalReader.open(dir)) {
            var resumed = j.begin(Map.of("job", "first"), JournalMode.resume(1));
            try {
                assertEquals("RUNNING", j.run(1).orElseThrow().status());
                assertEquals(1L, shown(2L), "results.json of run 2, run 1 written now");
                assertEquals(1L, shown(null));
            } finally {
                resumed.close();
            }
        }
        ended(1, "2026-01-02T08:00:00Z");
        ended(2, "2026-01-02T09:00:00Z");
        assertEquals(2L, shown(2L), "run 1 no longer written: the latest, which ended last");
        // a job of neither run is refused against the latest run as the readers take it: run 1
        try (JournalReader j = JournalReader.open(dir)) {
            JournalMismatchException e = org.junit.jupiter.api.Assertions.assertThrows(
                    JournalMismatchException.class, () -> j.check(Map.of("job", "third"), JournalMode.resumeLatest()));
            assertTrue(e.getMessage().contains("holds run 1 of a different job"), e.getMessage());
        }
    }

    /**
     * Run 1 left RUNNING by a kill, its attempt open with the id of a process that runs (this one, as a
     * reused id would be), then run 2 begun and finished: run 2's attempt began last, and run 2 is the
     * folder's, whatever the process of run 1's attempt.
     */
    @Test
    void aRunLeftRunningBeforeALaterRunIsNotTheFoldersWhateverItsProcess() throws Exception {
        twoRuns();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(Journal.DEFAULT_FILE_NAME));
                Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE runs SET status = 'RUNNING', ended_at = NULL WHERE id = 1");
            st.executeUpdate("UPDATE attempts SET status = 'RUNNING', ended_at = NULL, pid = "
                    + ProcessHandle.current().pid() + " WHERE run_id = 1");
        }
        assertEquals(2L, shown(2L));
        assertEquals(2L, shown(null));
        try (JournalReader j = JournalReader.openReadOnly(dir)) {
            assertEquals(2L, j.latestRun().orElseThrow().id());
        }
    }

    @Test
    void anEmptyJournalHasNoRun() {
        try (JournalReader j = JournalReader.open(dir)) {
            assertTrue(j.runOfFolder(1L).isEmpty());
        }
    }
}
