package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The term's own reading of output files ({@link OutputParsers#read}) and writing of rendered
 * files ({@link Attempt#writeText}), which go through {@code java.io} streams: what they give is
 * what {@link Files#readString} (with its ISO-8859-1 fallback, less a UTF-8 byte-order mark) and
 * {@link Files#writeString} gave.
 */
class TextFilesTest {

    @TempDir
    Path dir;

    /** Files of 0 bytes, of one buffer exactly, and of several doublings of it read back whole. */
    @Test
    void filesOfAnySizeAreReadWhole() throws Exception {
        for (int size : new int[] {0, 1, 8191, 8192, 8193, 40_000}) {
            StringBuilder sb = new StringBuilder(size);
            for (int i = 0; i < size; i++) {
                sb.append((char) ('a' + i % 26));
            }
            Files.writeString(dir.resolve("out.txt"), sb);
            assertEquals(sb.toString(), OutputParsers.read(dir, "out.txt", "parser"), "size " + size);
        }
    }

    /** A stream that gives its bytes a few at a time is read to its end, the buffer grown as it fills. */
    @Test
    void shortReadsAreReadToTheEnd() throws Exception {
        byte[] data = new byte[20_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        InputStream trickle = new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 777));
            }
        };
        assertArrayEquals(data, OutputParsers.readAll(trickle));
    }

    /**
     * A large file's size is asked once, when the first 8 KiB are read, and the buffer then holds it
     * whole; a size that is wrong (the file grew or shrank since) still gives every byte.
     */
    @Test
    void aLargeFilesSizeIsAskedOnceAndAWrongOneStillReadsItAll() throws Exception {
        byte[] data = new byte[100_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        for (long told : new long[] {data.length, 10_000, 1_000_000}) {
            int[] asked = {0};
            byte[] read = OutputParsers.readAll(new ByteArrayInputStream(data), () -> {
                asked[0]++;
                return told;
            });
            assertArrayEquals(data, read, "size told " + told);
            assertEquals(1, asked[0], "size told " + told);
        }
        int[] asked = {0};
        OutputParsers.readAll(new ByteArrayInputStream(new byte[100]), () -> {
            asked[0]++;
            return 100;
        });
        assertEquals(0, asked[0], "a file within the first 8 KiB: no size asked");
    }

    /**
     * UTF-8 is read as such ("Å" from C3 85), a U+FFFD the file holds (EF BF BD) is kept, and a
     * file that is not valid UTF-8 (a lone E9) is read as ISO-8859-1, where E9 is "é".
     */
    @Test
    void textIsUtf8ElseIso88591() throws Exception {
        Path f = dir.resolve("out.txt");
        Files.write(f, new byte[] {'x', (byte) 0xC3, (byte) 0x85, '\n'});
        assertEquals("x\u00C5\n", OutputParsers.read(dir, "out.txt", "parser"));
        Files.write(f, new byte[] {'x', (byte) 0xEF, (byte) 0xBF, (byte) 0xBD, '\n'});
        assertEquals("x\uFFFD\n", OutputParsers.read(dir, "out.txt", "parser"));
        Files.write(f, new byte[] {'x', (byte) 0xE9, '\n'});
        assertEquals("x\u00E9\n", OutputParsers.read(dir, "out.txt", "parser"));
    }

    /** ASCII and other text are written as UTF-8 bytes, over what the file held. */
    @Test
    void textIsWrittenAsUtf8() throws Exception {
        Path f = dir.resolve("in.txt");
        Files.writeString(f, "a longer text that the next write replaces\n");
        Attempt.writeText(f, "energy = 1.25\n");
        assertEquals("energy = 1.25\n", Files.readString(f));
        Attempt.writeText(f, "\u00C5 \uD83D\uDE00\n");
        assertArrayEquals(
                new byte[] {(byte) 0xC3, (byte) 0x85, ' ', (byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80, '\n'},
                Files.readAllBytes(f));
    }

    /**
     * An unpaired surrogate, which UTF-8 cannot encode, is refused as {@link Files#writeString}
     * refuses it, and nothing is written; a file whose folder is missing fails as it does too.
     */
    @Test
    void whatCannotBeWrittenFailsAsFilesWriteStringDoes() throws Exception {
        Path f = dir.resolve("in.txt");
        assertThrows(CharacterCodingException.class, () -> Attempt.writeText(f, "x = 1 \uD800\n"));
        assertFalse(Files.exists(f));
        Path missing = dir.resolve("no/in.txt");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Attempt.writeText(missing, "x = 1\n"));
        assertEquals(missing.toString(), e.getMessage());
    }
}
