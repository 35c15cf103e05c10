package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An output file that cannot be read as a program's output is a failure of its term, said in
 * words: a named pipe (whose opening would wait for a writer forever) and a file larger than the
 * memory Java has left, which is read in a JVM of its own with a small heap.
 */
class OutputFileKindsTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aNamedPipeIsRefusedWithoutOpeningIt() throws Exception {
        Process mk = new ProcessBuilder("mkfifo", dir.resolve("out.json").toString()).start();
        assertEquals(0, mk.waitFor());
        OutputParseException e =
                assertThrows(OutputParseException.class, () -> OutputParsers.read(dir, "out.json", "the json parser"));
        assertEquals(
                "cannot parse 'out.json' with the json parser: it is not a regular file (a named pipe, a socket or"
                        + " a device), which a program's output is read from",
                e.getMessage());
    }

    /** Reads the file named by the first argument in the folder of the second, and prints the message. */
    static final class ReadLarge {
        public static void main(String[] args) throws IOException {
            try {
                OutputParsers.read(Path.of(args[0]), args[1], "the regex parser");
                System.out.println("read");
            } catch (OutputParseException e) {
                System.out.println(e.getMessage());
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aFileLargerThanTheHeapFailsItsTermInWords() throws Exception {
        long size = 256L << 20; // sparse: no disk is used, and the read asks for 256 MiB at once
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("big.log").toFile(), "rw")) {
            f.setLength(size);
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                ReadLarge.class.getName(),
                dir.toString(),
                "big.log"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        // the heap's size as the JVM gives it: at most the 64 MiB asked for
        java.util.regex.Matcher heap =
                java.util.regex.Pattern.compile("\\((\\d+) MiB at most").matcher(out);
        assertTrue(heap.find(), out);
        int mib = Integer.parseInt(heap.group(1));
        assertTrue(mib > 32 && mib <= 64, out);
        assertEquals(
                "cannot parse 'big.log' with the regex parser: the file (" + size + " bytes) does not fit in the"
                        + " memory left to Java (" + mib + " MiB at most, Java heap space); write less into it, or"
                        + " give Java more memory (CHEMFIT_JAVA_OPTS=-Xmx...)\n",
                out);
        assertEquals(size, Files.size(dir.resolve("big.log")));
    }
}
