package org.chemfit.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.Journal;
import org.chemfit.journal.JournalMode;
import org.chemfit.testfixtures.ReadOnlyFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard of a folder this user may not write in reads its journal as a file that does not
 * change, and reads it again when it does: a fit run there later is shown, not the old state.
 */
class JournalViewReadOnlyTest {

    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    private static int complete(JournalView v) {
        return ((Number) ((Map<String, Object>) v.summary().get("counts")).get("complete")).intValue();
    }

    @Test
    @SuppressWarnings("try") // the folder is read-only while the resource is open
    void aJournalThatChangesIsReadAgain() throws Exception {
        Journals.fit(dir, 30);
        assertTrue(Files.notExists(dir.resolve(Journal.DEFAULT_FILE_NAME + "-wal")), "the first fit left no log");
        try (JournalView v = new JournalView(dir)) {
            try (ReadOnlyFolder unused = ReadOnlyFolder.of(dir)) {
                assertTrue(v.refresh());
                assertEquals(30, complete(v));
                assertEquals("done", v.summary().get("status"));
            }
            // the folder's owner runs the fit again, with a larger budget, in a new run
            Fitter again = Journals.fitter(45);
            try (Journal j = Journal.open(dir)) {
                again.journal(j, JournalMode.restart()).fit(new Journals.RandomSearch());
            }
            try (ReadOnlyFolder unused = ReadOnlyFolder.of(dir)) {
                assertTrue(v.refresh(), "the changed journal is seen");
                assertEquals(45, complete(v));
                assertEquals(2L, ((Number) v.summary().get("run")).longValue());
            }
        }
    }
}
