package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link JournalReader#consistently}: the reads made in it see the journal as it was at one
 * moment, whatever a fit commits meanwhile; the reads after it see the commits again.
 */
class JournalSnapshotTest {

    @TempDir
    Path dir;

    /** Writes evaluations {@code from} to {@code to - 1}, each of a lower loss than the one before. */
    private static void write(Journal.Session s, int from, int to) {
        for (int i = from; i < to; i++) {
            EvaluationContext ctx = new EvaluationContext(Parameters.of(Map.of("x", (double) i)), "e" + i);
            ctx.recordTo(s);
            s.evaluationsStarted(i, List.of(ctx));
            EvaluationContext child = ctx.addChild("t", 1.0);
            s.lookup(child);
            child.computed(Quantities.of("energy", i));
            child.complete(100.0 - i);
            s.finished(child);
            ctx.complete(100.0 - i);
            s.evaluationFinished(i, ctx, 100.0 - i); // returns once committed
        }
    }

    private static int complete(JournalReader r, long run) {
        return r.evaluationCounts(run).get(EvaluationRecord.State.COMPLETE);
    }

    @Test
    void readsInOneSnapshotDoNotSeeCommitsMadeBetweenThem() {
        try (JournalReader writer = JournalReader.open(dir);
                Journal.Session s = writer.begin(Map.of("job", "snapshot"), JournalMode.resumeLatest())) {
            write(s, 0, 3);
            long run = s.runId();
            try (JournalReader reader = JournalReader.openReadOnly(dir)) {
                int[] seen = reader.consistently(r -> {
                    int before = complete(r, run);
                    write(s, 3, 5); // two more committed while the reads go on
                    int after = complete(r, run);
                    int best = r.best(run).orElseThrow().number();
                    int rows = r.evaluations(run).size();
                    // a read nested in another is part of it
                    int nested = r.consistently(n -> complete(n, run));
                    return new int[] {before, after, best, rows, nested};
                });
                assertEquals(3, seen[0]);
                assertEquals(3, seen[1]);
                assertEquals(2, seen[2]);
                assertEquals(3, seen[3]);
                assertEquals(3, seen[4]);
                // after it, the reads see the latest commit
                assertEquals(5, complete(reader, run));
                assertEquals(4, reader.best(run).orElseThrow().number());
                // outside it, each read sees the commits made before it
                write(s, 5, 6);
                assertEquals(6, complete(reader, run));
            }
        }
    }

    @Test
    void aReadThatFailsEndsTheSnapshot() {
        try (JournalReader writer = JournalReader.open(dir);
                Journal.Session s = writer.begin(Map.of("job", "snapshot"), JournalMode.resumeLatest())) {
            write(s, 0, 2);
            long run = s.runId();
            try (JournalReader reader = JournalReader.openReadOnly(dir)) {
                IllegalStateException thrown = new IllegalStateException("a read that fails");
                assertSame(
                        thrown,
                        assertThrows(
                                IllegalStateException.class,
                                () -> reader.consistently(r -> {
                                    complete(r, run);
                                    throw thrown;
                                })));
                write(s, 2, 4);
                assertEquals(4, complete(reader, run));
                assertEquals(4, (int) reader.consistently(r -> complete(r, run)));
            }
        }
    }

    @Test
    void aClosedJournalRefusesTheReads() {
        JournalReader reader;
        try (JournalReader writer = JournalReader.open(dir);
                Journal.Session s = writer.begin(Map.of("job", "snapshot"), JournalMode.resumeLatest())) {
            write(s, 0, 1);
        }
        reader = JournalReader.openReadOnly(dir);
        reader.close();
        JournalException e = assertThrows(JournalException.class, () -> reader.consistently(JournalReader::runs));
        assertEquals("journal " + dir.resolve(Journal.DEFAULT_FILE_NAME) + " is closed", e.getMessage());
    }
}
