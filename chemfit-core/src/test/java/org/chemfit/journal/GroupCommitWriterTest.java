package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The work a session gives its writer for the time it lingers for a group (touching the pending
 * file's pages ahead) runs on the writer's own thread, never on a thread that commits its own
 * writes by flushing, without the writer's lock (writes are submitted and committed meanwhile),
 * and a failure of it loses no write. An error in a write (a fault in a
 * mapped file) fails the group like an exception does, instead of leaving flushers waiting.
 */
class GroupCommitWriterTest {

    @TempDir
    Path dir;

    private static GroupCommitWriter writer(SqliteJournal journal, BooleanSupplier between) {
        return new GroupCommitWriter(
                journal,
                "test",
                group -> {
                    for (GroupCommitWriter.Write w : group) {
                        w.apply();
                    }
                },
                () -> {},
                between);
    }

    @Test
    void workWhileLingeringRunsOnTheWriterThreadWithoutItsLock() throws Exception {
        SqliteJournal journal = SqliteJournal.open(dir, Journal.Durability.PROCESS_CRASH);
        List<Integer> applied = new CopyOnWriteArrayList<>();
        List<String> ranOn = new CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        GroupCommitWriter writer = writer(journal, () -> {
            ranOn.add(Thread.currentThread().getName());
            if (entered.getCount() > 0) { // the first step waits until the test lets it go
                entered.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return false;
        });
        try {
            writer.submit(() -> applied.add(1)); // wakes the writer, which lingers and takes a step
            // (a writer held up past its linger commits without a step: the next group's linger takes it)
            for (int k = 0; !entered.await(50, TimeUnit.MILLISECONDS); k++) {
                assertTrue(k < 600, "the writer's thread took a step while lingering");
                writer.submit(() -> {});
            }
            // while that step waits, writes are submitted and committed by a flushing caller: were
            // the writer's lock held, this flush would wait for the step (60 s)
            java.util.concurrent.CompletableFuture<Void> flushed =
                    java.util.concurrent.CompletableFuture.runAsync(() -> {
                        writer.flush();
                        writer.submit(() -> applied.add(2));
                        writer.flush();
                    });
            flushed.get(20, TimeUnit.SECONDS);
            assertEquals(List.of(1, 2), applied);
            release.countDown();
            writer.submit(() -> applied.add(3));
            writer.flush();
            assertEquals(List.of(1, 2, 3), applied);
            assertFalse(ranOn.isEmpty());
            for (String name : ranOn) {
                assertTrue(name.startsWith("chemfit-journal-writer (test)"), "never a flushing caller: " + ranOn);
            }
        } finally {
            release.countDown();
            writer.close();
            journal.close();
        }
    }

    @Test
    void aFailureOfTheWorkWhileLingeringLosesNoWrite() throws Exception {
        SqliteJournal journal = SqliteJournal.open(dir, Journal.Durability.PROCESS_CRASH);
        List<Integer> applied = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        CountDownLatch second = new CountDownLatch(1);
        CountDownLatch third = new CountDownLatch(1);
        GroupCommitWriter writer = writer(journal, () -> {
            failures.incrementAndGet();
            throw new IllegalStateException("the work fails");
        });
        try {
            writer.submit(() -> {
                applied.add(2);
                second.countDown();
            });
            assertTrue(second.await(30, TimeUnit.SECONDS), "committed by the writer's thread");
            writer.submit(() -> {
                applied.add(3);
                third.countDown();
            });
            assertTrue(third.await(30, TimeUnit.SECONDS), "the writer went on");
            writer.flush();
            assertEquals(List.of(2, 3), applied);
            assertTrue(failures.get() <= 2, "one failed step per group at most, not tried again in it: " + failures);
        } finally {
            writer.close();
            journal.close();
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void anErrorInAWriteFailsItsGroupWhichIsRolledBackAndNoFlushWaitsForever() throws Exception {
        SqliteJournal journal = SqliteJournal.open(dir, Journal.Durability.PROCESS_CRASH);
        GroupCommitWriter writer = writer(journal, () -> false);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        try {
            // a group of its own holds the writer, so that the next two writes make one group
            // whatever the scheduler does (a write submitted after the writer's linger would
            // otherwise be committed alone)
            writer.submit(() -> {
                started.countDown();
                try {
                    if (!gate.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test never opened the gate");
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ie);
                }
            });
            assertTrue(started.await(30, TimeUnit.SECONDS), "the writer takes the first group");
            writer.submit(() -> journal.statement("CREATE TABLE probe (x)").execute());
            writer.submit(() -> {
                throw new InternalError("a fault occurred in an unsafe memory access");
            });
            gate.countDown();
            JournalException e = assertThrows(JournalException.class, writer::flush);
            assertTrue(
                    e.getMessage().contains("cannot record finished results")
                            && e.getMessage().contains("unsafe memory access"),
                    e.getMessage());
            assertThrows(JournalException.class, () -> writer.submit(() -> {}), "nothing is written after it");
        } finally {
            writer.close();
        }
        synchronized (journal.lock) {
            try (java.sql.ResultSet rs = journal.statement("SELECT count(*) FROM sqlite_master WHERE name = 'probe'")
                    .executeQuery()) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1), "the group's first write is not committed");
            }
        }
        journal.close();
    }
}
