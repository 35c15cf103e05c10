package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pending file as a reader after a kill finds it: every record appended and not yet copied,
 * in order, also once the file was used again from its start or mapped again larger.
 */
class PendingLogTest {

    @TempDir
    Path dir;

    private static final int RECORD = 300_000; // about 14 records fill the first 4 MiB

    /** @return a frame (header room and a record of this size, filled with its number) */
    private static ByteBuffer frame(int number) {
        ByteBuffer b = ByteBuffer.allocate(PendingLog.FRAME + RECORD);
        for (int i = PendingLog.FRAME; i < b.capacity(); i++) {
            b.put(i, (byte) number);
        }
        return b;
    }

    private static byte[] record(int number) {
        byte[] r = new byte[RECORD];
        java.util.Arrays.fill(r, (byte) number);
        return r;
    }

    @Test
    void aFileWhoseRecordsAreAllCopiedIsUsedAgainFromItsStartAndReadsOnlyWhatFollows() throws Exception {
        Path f = dir.resolve("journal.sqlite-pending");
        PendingLog log = new PendingLog(f, false);
        for (int i = 1; i <= 20; i++) {
            log.append(frame(i));
            log.copied(1); // committed one by one
        }
        assertEquals(4L << 20, Files.size(f), "used again from its start, not grown");
        // records 1 to 13 filled the file; 14 went to its start, then 15 to 20 after it
        List<byte[]> read = PendingLog.read(f);
        assertEquals(7, read.size(), "the records since the file was used again, not the older ones after them");
        for (int k = 0; k < read.size(); k++) {
            assertArrayEquals(record(14 + k), read.get(k));
        }
        log.close();
        assertFalse(Files.exists(f), "removed when everything in it is copied");
    }

    @Test
    void recordsNotYetCopiedAreKeptWhenTheFileIsFullAndItGrows() throws Exception {
        Path f = dir.resolve("journal.sqlite-pending");
        PendingLog log = new PendingLog(f, false);
        for (int i = 1; i <= 20; i++) {
            assertEquals(i, log.append(frame(i)));
        }
        assertTrue(Files.size(f) >= 20L * (RECORD + PendingLog.FRAME), "mapped again larger: " + Files.size(f));
        List<byte[]> read = PendingLog.read(f);
        assertEquals(20, read.size());
        for (int k = 0; k < 20; k++) {
            assertArrayEquals(record(k + 1), read.get(k));
        }
        log.close();
        assertTrue(Files.exists(f), "kept: its records are not in the database");
    }

    @Test
    void aRecordCutShortEndsTheRecordsRead() throws Exception {
        Path f = dir.resolve("journal.sqlite-pending");
        PendingLog log = new PendingLog(f, false);
        log.append(frame(1));
        log.append(frame(2));
        log.close();
        // the kill came while the second record was copied: its last bytes are not there
        try (java.nio.channels.FileChannel c =
                java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 0}), PendingLog.FRAME + RECORD + PendingLog.FRAME + 1000);
        }
        List<byte[]> read = PendingLog.read(f);
        assertEquals(1, read.size(), "the second fails its checksum");
        assertArrayEquals(record(1), read.get(0));
    }
}
