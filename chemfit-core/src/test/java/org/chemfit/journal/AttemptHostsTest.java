package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's attempts are recorded with their host: the process ids of this host's attempts are told
 * apart from those of another host, where a process id means another process.
 */
class AttemptHostsTest {

    @TempDir
    Path dir;

    @Test
    void theAttemptsOfAnotherHostAreNotThisHostsProcesses() throws Exception {
        long pid = ProcessHandle.current().pid();
        long run;
        try (JournalReader j = JournalReader.open(dir)) {
            Journal.Session s = j.begin(Map.of("job", "hosts"), JournalMode.resumeLatest());
            run = j.latestRun().orElseThrow().id();
            assertEquals(List.of(pid), j.attemptProcessIds(run));
            assertEquals(List.of(pid), j.attemptProcessIdsOnThisHost(run));
            s.close();
        }
        // the same attempt, as if a fit on another host sharing the folder had written it
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(Journal.DEFAULT_FILE_NAME));
                Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE attempts SET host = 'another-host.example' WHERE run_id = " + run);
        }
        try (JournalReader j = JournalReader.openReadOnly(dir)) {
            assertEquals(List.of(pid), j.attemptProcessIds(run));
            assertEquals(List.of(), j.attemptProcessIdsOnThisHost(run));
        }
    }
}
