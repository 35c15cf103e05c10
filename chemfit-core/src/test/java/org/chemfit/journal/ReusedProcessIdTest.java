package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run left RUNNING by a killed fit whose process id now belongs to another process (after a
 * reboot, or on a busy node): the journal's lock, which every fit holds while it writes, is free,
 * so the run is said to have stopped without finishing, not to be running.
 */
class ReusedProcessIdTest {

    @TempDir
    Path dir;

    @Test
    void aRunWhoseProcessIdIsAnothersAndWhoseLockIsFreeStoppedWithoutFinishing() throws Exception {
        try (JournalReader j = JournalReader.open(dir)) {
            j.begin(Map.of("job", "first"), JournalMode.restart()).close();
        }
        long other = ProcessHandle.current().pid(); // a process that runs, as a reused id's would
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(Journal.DEFAULT_FILE_NAME));
                Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE runs SET status = 'RUNNING', ended_at = NULL WHERE id = 1");
            st.executeUpdate(
                    "UPDATE attempts SET status = 'RUNNING', ended_at = NULL, pid = " + other + " WHERE run_id = 1");
        }
        try (JournalReader r = JournalReader.openReadOnly(dir)) {
            Optional<String> stopped = r.endedWithoutFinishing(1);
            assertTrue(stopped.isPresent(), "the lock is free: no fit writes the journal");
            assertTrue(stopped.get().startsWith("pid " + other + " on "), stopped.get());
        }
    }

    @Test
    void aRunWhoseFitHoldsTheLockRuns() {
        try (JournalReader j = JournalReader.open(dir)) {
            var session = j.begin(Map.of("job", "first"), JournalMode.restart());
            try (JournalReader r = JournalReader.openReadOnly(dir)) {
                assertEquals("RUNNING", r.run(1).orElseThrow().status());
                assertEquals(Optional.empty(), r.endedWithoutFinishing(1));
            } finally {
                session.close();
            }
        }
    }
}
