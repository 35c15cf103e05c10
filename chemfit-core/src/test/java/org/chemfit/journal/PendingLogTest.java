package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pending file as a reader after a kill finds it: every record appended and not yet copied,
 * in order, also once its halves were used in turn or it was mapped again larger; and an appender
 * told to wait for the writer rather than a record lost. Pages touched ahead of the appender
 * change no byte of it, even while it appends, and spare it the faults of their first write.
 */
class PendingLogTest {

    @TempDir
    Path dir;

    private static final int RECORD = 300_000; // six records fill a half of the first 4 MiB

    /** @return a frame (header room and a record of this size, filled with its number) */
    private static ByteBuffer frame(int number) {
        return frame(number, RECORD);
    }

    private static ByteBuffer frame(int number, int size) {
        ByteBuffer b = ByteBuffer.allocate(PendingLog.FRAME + size);
        for (int i = PendingLog.FRAME; i < b.capacity(); i++) {
            b.put(i, (byte) number);
        }
        return b;
    }

    private static byte[] record(int number, int size) {
        byte[] r = new byte[size];
        java.util.Arrays.fill(r, (byte) number);
        return r;
    }

    private static byte[] record(int number) {
        byte[] r = new byte[RECORD];
        java.util.Arrays.fill(r, (byte) number);
        return r;
    }

    private static void assertRecords(int first, int last, List<byte[]> read) {
        assertEquals(last - first + 1, read.size(), "records " + first + " to " + last);
        for (int k = 0; k < read.size(); k++) {
            assertArrayEquals(record(first + k), read.get(k), "record " + (first + k));
        }
    }

    @Test
    void theHalvesAreUsedInTurnAndTheOlderIsReadFirst() throws Exception {
        Path f = dir.resolve("journal.sqlite-pending");
        PendingLog log = new PendingLog(f, false);
        for (int i = 1; i <= 20; i++) {
            assertTrue(log.tryAppend(frame(i)), "record " + i + ": its half is free");
            log.copied(log.lastHalf(), 1); // committed one by one
        }
        assertEquals(4L << 20, Files.size(f), "used again, not grown");
        // 1-6 went to the first half, 7-12 to the second, 13-18 to the first again, 19-20 to the second
        assertRecords(13, 20, PendingLog.read(f));
        log.close();
        assertFalse(Files.exists(f), "removed when everything in it is copied");
    }

    @Test
    void anAppenderWaitsForTheWriterWhenTheOtherHalfHoldsRecordsNotCopied() throws Exception {
        Path f = dir.resolve("journal.sqlite-pending");
        PendingLog log = new PendingLog(f, false);
        for (int i = 1; i <= 12; i++) {
            assertTrue(log.tryAppend(frame(i)), "record " + i);
        }
        assertFalse(log.tryAppend(frame(13)), "both halves hold records not copied: the writer is to catch up");
        assertRecords(1, 12, PendingLog.read(f));
        log.copied(0, 5);
        assertFalse(log.tryAppend(frame(13)), "record 6 of the first half is not copied yet");
        log.copied(1, 6);
        assertFalse(log.tryAppend(frame(13)), "the second half's records being copied frees the first no sooner");
        log.copied(0, 1);
        assertTrue(log.tryAppend(frame(13)), "the first half is free again");
        assertRecords(7, 13, PendingLog.read(f));
        log.close();
        assertTrue(Files.exists(f), "kept: record 13 is not in the database");
    }

    @Test
    void aRecordLargerThanAHalfGrowsTheFileOnceEverythingInItIsCopied() throws Exception {
        Path f = dir.resolve("journal.sqlite-pending");
        PendingLog log = new PendingLog(f, false);
        assertTrue(log.tryAppend(frame(1)));
        int large = 3 << 20;
        assertFalse(log.tryAppend(frame(2, large)), "record 1 is not copied: the file is not mapped again yet");
        assertRecords(1, 1, PendingLog.read(f));
        boolean[] other = new boolean[1];
        Thread t = new Thread(() -> {
            try {
                other[0] = log.tryAppend(frame(3));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        t.start();
        t.join();
        assertFalse(other[0], "while one thread waits for the file to empty, no other thread's record goes in");
        log.copied(0, 1);
        assertTrue(log.tryAppend(frame(2, large)));
        assertEquals(8L << 20, Files.size(f), "halves of 4 MiB hold it");
        List<byte[]> read = PendingLog.read(f);
        assertEquals(1, read.size());
        assertEquals(large, read.get(0).length);
        assertEquals(2, read.get(0)[large - 1]);
        assertTrue(log.tryAppend(frame(3)), "the file mapped larger, the others' records go in again");
        log.close();
        assertTrue(Files.exists(f));
    }

    @Test
    void aHalfWhoseRecordIsCommittedAfterALaterOneIsNotUsedAgainBeforeIt() throws Exception {
        // the writer commits records in the order their evaluations' writes come, not always in
        // the order they were appended: a later record may be in the database before an earlier one
        Path f = dir.resolve("journal.sqlite-pending");
        PendingLog log = new PendingLog(f, false);
        int big = 1_500_000; // one record fills a half
        assertTrue(log.tryAppend(frame(1, big)));
        assertEquals(0, log.lastHalf());
        assertTrue(log.tryAppend(frame(2, big)));
        assertEquals(1, log.lastHalf());
        log.copied(1, 1); // record 2 committed first
        assertFalse(log.tryAppend(frame(3, big)), "record 1 is not in the database: its half is not used again");
        List<byte[]> read = PendingLog.read(f);
        assertEquals(2, read.size());
        assertEquals(1, read.get(0)[big - 1]);
        assertEquals(2, read.get(1)[big - 1]);
        log.copied(0, 1);
        assertTrue(log.tryAppend(frame(3, big)));
        read = PendingLog.read(f);
        assertEquals(3, read.get(read.size() - 1)[big - 1], "record 3 in the first half, the newer one");
    }

    @Test
    void aRecordCutShortEndsTheRecordsRead() throws Exception {
        Path f = dir.resolve("journal.sqlite-pending");
        PendingLog log = new PendingLog(f, false);
        assertTrue(log.tryAppend(frame(1)));
        assertTrue(log.tryAppend(frame(2)));
        log.close();
        // the kill came while the second record was copied: its last bytes are not there
        try (java.nio.channels.FileChannel c =
                java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
            c.write(
                    ByteBuffer.wrap(new byte[] {0, 0, 0, 0}),
                    PendingLog.HEADER + PendingLog.FRAME + RECORD + PendingLog.FRAME + 1000);
        }
        List<byte[]> read = PendingLog.read(f);
        assertEquals(1, read.size(), "the second fails its checksum");
        assertArrayEquals(record(1), read.get(0));
    }

    @Test
    void theFileIsNoHoleAndPagesAreTouchedAheadOnlyInTheHalfAppendedTo() throws Exception {
        Path f = dir.resolve("journal.sqlite-pending");
        PendingLog log = new PendingLog(f, false);
        assertFalse(log.touchAhead(1 << 20, 1000), "nothing mapped yet: nothing to touch");
        assertFalse(Files.exists(f), "and no file made for it");

        int small = 4096 - PendingLog.FRAME; // a frame 4 KiB long
        assertTrue(log.tryAppend(frame(1, small)));
        int position = PendingLog.HEADER + 4096;
        assertTrue(log.touchAhead(1 << 20, 10), "ten pages in one step, more left");
        assertEquals(8192 + 9 * 4096 + 1, log.touched(), "from the page after the appender's position");
        assertFalse(log.touchAhead(1 << 20, 1000), "the rest of the megabyte ahead");
        assertTrue(log.touched() > position + (1 << 20) - 4096, "touched to " + log.touched());
        assertTrue(log.touched() <= position + (1 << 20), "touched to " + log.touched());
        assertFalse(log.touchAhead(1 << 20, 1000), "touched once only");

        // the file is no hole: its every byte was written when it was made (stat's count of the
        // 512-byte blocks it takes), so a write through the mapping never finds the file system full
        Process stat = new ProcessBuilder("stat", "-c", "%b", f.toString()).start();
        String blocks =
                new String(stat.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
        assertEquals(0, stat.waitFor(), "stat -c %b " + f);
        assertTrue(512 * Long.parseLong(blocks) >= Files.size(f), blocks + " blocks for " + Files.size(f) + " bytes");

        // records appended into the touched megabyte and the next
        byte[][] frames = new byte[250][];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = frame(2 + i % 100, small).array();
        }
        for (int round = 0; round < 2; round++) {
            for (byte[] fr : frames) {
                assertTrue(log.tryAppend(ByteBuffer.wrap(fr)));
            }
        }

        // ahead, but not past the end of the half appended to (the other holds older records)
        assertFalse(log.touchAhead(8 << 20, 10_000));
        assertEquals(2 << 20, log.touched() + 4096 - 1, "the last page of the first half");
        List<byte[]> read = PendingLog.read(f);
        assertEquals(1 + 2 * frames.length, read.size());
        for (int i = 0; i < read.size(); i++) {
            byte expected = (byte) (i == 0 ? 1 : 2 + (i - 1) % frames.length % 100);
            assertEquals(small, read.get(i).length);
            assertEquals(expected, read.get(i)[0], "record " + i);
            assertEquals(expected, read.get(i)[small - 1], "record " + i);
        }
    }

    /**
     * A record too large for a half waits for the file to empty so as to map it larger; when that
     * fails (here the file cannot be opened: a folder stands in its place), the other appenders
     * are not kept waiting for good: they go on in the mapping there is.
     */
    @Test
    void aLargerMappingThatFailsDoesNotStopTheOtherAppenders() throws Exception {
        Path f = dir.resolve("journal.sqlite-pending");
        PendingLog log = new PendingLog(f, false);
        assertTrue(log.tryAppend(frame(1, 100)));
        ByteBuffer large = frame(2, 3 << 20); // more than a half of the 4 MiB file
        assertFalse(log.tryAppend(large), "one record not copied yet: the large one waits for the file to empty");
        assertFalse(appendOnAnotherThread(log, frame(3, 100)), "meanwhile the others wait for it");
        log.copied(log.lastHalf(), 1);
        // the file goes: a folder of its name makes opening it fail
        Files.delete(f);
        Files.createDirectory(f);
        assertThrows(java.io.IOException.class, () -> log.tryAppend(large), "mapping the file larger fails");
        assertTrue(appendOnAnotherThread(log, frame(4, 100)), "the others go on in the mapping there is");
    }

    /** @return what appending the frame on a thread of its own returned */
    private static boolean appendOnAnotherThread(PendingLog log, ByteBuffer frame) throws Exception {
        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            return other.submit(() -> log.tryAppend(frame)).get();
        } finally {
            other.shutdown();
        }
    }

    @Test
    void touchingAheadWhileRecordsAreAppendedChangesNoByteOfThem() throws Exception {
        Path f = dir.resolve("journal.sqlite-pending");
        PendingLog log = new PendingLog(f, false);
        assertTrue(log.tryAppend(frame(1, 100)));
        log.copied(log.lastHalf(), 1);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong advanced = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();
        Thread toucher = new Thread(() -> {
            while (!done.get()) {
                int before = log.touched();
                log.touchAhead(16 << 10, 2); // a little ahead: on the appender's heels
                if (log.touched() != before) {
                    advanced.incrementAndGet();
                }
                calls.incrementAndGet();
            }
        });
        toucher.start();
        // records of every size around a page, zeros among them, into both halves, in the first pass
        // over the file (the pages stay touched after it)
        java.util.Random random = new java.util.Random(42);
        List<byte[]> written = new java.util.ArrayList<>();
        written.add(record(1, 100));
        try {
            for (int i = 0; i < 700; i++) { // about 3.2 MiB in all
                int size = 1 + random.nextInt(9000);
                byte[] r = new byte[size];
                if (i % 3 != 0) {
                    random.nextBytes(r);
                }
                ByteBuffer b = ByteBuffer.allocate(PendingLog.FRAME + size);
                b.position(PendingLog.FRAME);
                b.put(r).position(0);
                assertTrue(log.tryAppend(b), "record " + i);
                log.copied(log.lastHalf(), 1);
                written.add(r);
                if (i % 10 == 9) { // every ten records, a touch that began after them: the two interleave
                    long c = calls.get();
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (calls.get() < c + 2) {
                        assertTrue(System.nanoTime() < deadline, "the touching thread stopped");
                        Thread.onSpinWait();
                    }
                }
            }
        } finally {
            done.set(true);
            toucher.join();
        }
        // each of the 70 touches after ten records (45 KB on average) finds pages not touched yet
        assertTrue(advanced.get() >= 50, "touches that went further meanwhile: " + advanced.get());
        assertEquals(1, log.lastHalf(), "the records fill the first half and go on in the second");
        List<byte[]> read = PendingLog.read(f);
        assertEquals(written.size(), read.size());
        for (int i = 0; i < read.size(); i++) {
            assertArrayEquals(written.get(i), read.get(i), "record " + i);
        }
    }

    @Test
    void anAppenderKeepsOutOfThePageBeingTouchedAndOnlyOutOfIt() throws Exception {
        Path f = dir.resolve("journal.sqlite-pending");
        PendingLog log = new PendingLog(f, false);
        assertTrue(log.tryAppend(frame(1, 100))); // maps the file: frames from byte 16 on
        int next = PendingLog.HEADER + PendingLog.FRAME + 100;
        // the writer faulting in a page without the lock, held there by the test
        java.lang.reflect.Field touching = PendingLog.class.getDeclaredField("touching");
        touching.setAccessible(true);
        touching.setInt(log, 64 * 4096);
        assertTrue(log.tryAppend(frame(2, 1000)), "a frame far from the page is appended at once");
        next += PendingLog.FRAME + 1000;

        touching.setInt(log, 4096); // the page the next frame runs into
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean appended = new java.util.concurrent.atomic.AtomicBoolean();
        Thread appender = new Thread(() -> {
            started.countDown();
            try {
                appended.set(log.tryAppend(frame(3, 5000)));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        appender.start();
        started.await();
        appender.join(200);
        assertTrue(appender.isAlive(), "the appender waits while the page it writes into is touched");
        assertFalse(appended.get());
        // read through the file, not the log: the waiting appender holds the log's lock
        assertEquals(0, Files.readAllBytes(f)[4096], "nothing written into the page meanwhile");

        touching.setInt(log, -1); // the touch is done
        appender.join(10_000);
        assertFalse(appender.isAlive(), "the appender goes on once the page is touched");
        assertTrue(appended.get());
        assertEquals(next, log.lastOffset());
        List<byte[]> read = PendingLog.read(f);
        assertEquals(3, read.size());
        assertArrayEquals(record(3, 5000), read.get(2));
    }
}
