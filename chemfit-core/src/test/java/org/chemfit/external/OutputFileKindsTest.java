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

    /** A folder where the output file belongs, and a link to a file that does not exist, are said as what they are. */
    @Test
    void aFolderAndALinkToNothingAreSaidAsWhatTheyAre() throws Exception {
        Files.createDirectory(dir.resolve("out.json"));
        OutputParseException folder =
                assertThrows(OutputParseException.class, () -> OutputParsers.read(dir, "out.json", "the json parser"));
        assertEquals(
                "cannot parse 'out.json' with the json parser: it is a folder, not a file, which a program's output is"
                        + " read from",
                folder.getMessage());
        Files.createSymbolicLink(dir.resolve("log.lammps"), Path.of("/scratch/gone/log.lammps"));
        OutputParseException link = assertThrows(
                OutputParseException.class, () -> OutputParsers.read(dir, "log.lammps", "the lammps_thermo parser"));
        assertEquals(
                "cannot parse 'log.lammps' with the lammps_thermo parser: it is a symbolic link to"
                        + " /scratch/gone/log.lammps, which leads to no file (it is missing, on another machine, or"
                        + " links in a loop)",
                link.getMessage());
        Files.createSymbolicLink(dir.resolve("a.log"), Path.of("b.log"));
        Files.createSymbolicLink(dir.resolve("b.log"), Path.of("a.log"));
        OutputParseException loop =
                assertThrows(OutputParseException.class, () -> OutputParsers.read(dir, "a.log", "the parser"));
        assertEquals(
                "cannot parse 'a.log' with the parser: it is a symbolic link to b.log, which leads to no file (it is"
                        + " missing, on another machine, or links in a loop)",
                loop.getMessage());
        Files.writeString(dir.resolve("real.json"), "{\"E\": 1}");
        Files.createSymbolicLink(dir.resolve("linked.json"), dir.resolve("real.json"));
        assertEquals("{\"E\": 1}", OutputParsers.read(dir, "linked.json", "the json parser"));
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

    /**
     * Runs an external term whose program writes 40 MB of one-character lines, read by a column
     * parser, in the folder of the first argument, and prints the term's failure.
     */
    static final class ParseLarge {
        public static void main(String[] args) {
            FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                    .name("big")
                    .workDirectory(Path.of(args[0]))
                    .command(Command.of("sh", "-c", "yes 1 | head -c 40000000 > out.dat"))
                    .output(OutputParsers.column("n", "out.dat", 0))
                    .build();
            org.chemfit.Parameters p = org.chemfit.Parameters.of(java.util.Map.of("x", 1.0));
            try {
                c.compute(p, new org.chemfit.EvaluationContext(p, "e0"));
                System.out.println("parsed");
            } catch (org.chemfit.TermFailedException e) {
                System.out.println(e.getMessage());
            }
        }
    }

    /**
     * A file that fits in memory but whose lines do not, once a parser splits them, fails its term
     * in words as well, at step parse.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void anOutputWhoseLinesDoNotFitFailsItsTermInWords() throws Exception {
        String out = java(ParseLarge.class, "-Xmx128m", dir.toString());
        assertTrue(out.startsWith("external term 'big' failed at step parse: "), out);
        assertTrue(
                out.contains(" ran out of the memory left to Java (")
                        && out.contains(" MiB at most, Java heap space) reading its output; write less into it, or give"
                                + " Java more memory (CHEMFIT_JAVA_OPTS=-Xmx...)"),
                out);
    }

    /** @return what a class's main printed, run in a JVM of its own with a heap option and arguments */
    private static String java(Class<?> main, String heap, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                heap,
                "-cp",
                System.getProperty("java.class.path"),
                main.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aFileLargerThanTheHeapFailsItsTermInWords() throws Exception {
        long size = 256L << 20; // sparse: no disk is used, and the read asks for 256 MiB at once
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("big.log").toFile(), "rw")) {
            f.setLength(size);
        }
        String out = java(ReadLarge.class, "-Xmx64m", dir.toString(), "big.log");
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
