package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The work a session gives its writer for the time between commits (touching the pending file's
 * pages ahead) runs on the writer's own thread after each group it commits, never on a thread
 * that commits its own writes by flushing, and a failure of it loses no write.
 */
class GroupCommitWriterTest {

    @TempDir
    Path dir;

    @Test
    void workBetweenGroupsRunsOnTheWriterThreadOnlyAndItsFailureLosesNoWrite() throws Exception {
        SqliteJournal journal = SqliteJournal.open(dir, Journal.Durability.PROCESS_CRASH);
        List<String> betweenOn = new CopyOnWriteArrayList<>();
        List<Integer> applied = new CopyOnWriteArrayList<>();
        CountDownLatch once = new CountDownLatch(1);
        CountDownLatch twice = new CountDownLatch(2);
        GroupCommitWriter writer = new GroupCommitWriter(
                journal,
                "test",
                group -> {
                    for (GroupCommitWriter.Write w : group) {
                        w.apply();
                    }
                },
                () -> {},
                () -> {
                    betweenOn.add(Thread.currentThread().getName());
                    once.countDown();
                    twice.countDown();
                    throw new IllegalStateException("between fails");
                });
        try {
            // a caller that flushes while the writer is idle commits itself: nothing between
            writer.submit(() -> applied.add(1));
            writer.flush();
            assertEquals(List.of(1), applied);
            String me = Thread.currentThread().getName();
            assertTrue(!betweenOn.contains(me), "never on a flushing caller's thread: " + betweenOn);

            // writes left to the writer's thread: it commits them, then does the work between
            writer.submit(() -> applied.add(2));
            assertTrue(once.await(30, TimeUnit.SECONDS), "the writer's thread committed and went on");
            assertEquals(List.of(1, 2), applied);
            writer.submit(() -> applied.add(3)); // after a failure between groups: still written
            assertTrue(twice.await(30, TimeUnit.SECONDS), "the writer's second group: " + betweenOn);
            writer.flush();
            assertEquals(List.of(1, 2, 3), applied);
            for (String name : betweenOn) {
                assertTrue(name.startsWith("chemfit-journal-writer (test)"), name);
            }
        } finally {
            writer.close();
            journal.close();
        }
    }
}
