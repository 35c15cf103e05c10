package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal closed while its session is still in use (a reader of the same journal closed in a
 * try-with-resources, or the journal itself closed while a fit runs): what the fit is told names
 * that, and what to do, instead of only that the session has ended.
 */
class ClosedUnderAFitTest {

    @TempDir
    Path dir;

    @Test
    void aSessionUsedAfterItsJournalWasClosedSaysSo() {
        JournalReader j = JournalReader.open(dir);
        Journal.Session s = j.begin(Map.of("job", "first"), JournalMode.restart());
        j.close();
        EvaluationContext ctx = new EvaluationContext(Parameters.of(Map.of("x", 1.0)));
        JournalException e = assertThrows(JournalException.class, () -> s.evaluationsStarted(1, List.of(ctx)));
        String m = String.valueOf(e.getMessage());
        assertTrue(m.startsWith("the journal session of run 1 has ended (the journal or the session was closed"), m);
        assertTrue(m.endsWith("close the journal only after the fit has returned)"), m);
    }
}
