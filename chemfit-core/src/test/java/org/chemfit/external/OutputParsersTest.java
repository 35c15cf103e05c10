package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputParsersTest {

    @TempDir
    Path dir;

    private void write(String name, String text) throws Exception {
        Files.writeString(dir.resolve(name), text);
    }

    /**
     * An output file the program wrote under another name: the message lists what the run
     * directory holds (sorted, 8 names at most, folders with a '/') and the name meant when one is
     * near; an empty run directory is said to be empty.
     */
    @Test
    void aMissingOutputFileListsTheRunDirectoryWithTheNameMeant() throws Exception {
        OutputParseException empty = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.json("y1", "out.json", "/y1").parse(dir));
        assertEquals(
                "cannot parse 'out.json' with json '/y1' for 'y1': the file does not exist in the run directory; it is empty",
                empty.getMessage());
        write("out.jsn", "{\"y1\": 1}");
        write("in.json", "{}");
        Files.createDirectory(dir.resolve("tmp"));
        OutputParseException near = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.json("y1", "out.json", "/y1").parse(dir));
        assertEquals(
                "cannot parse 'out.json' with json '/y1' for 'y1': the file does not exist in the run directory"
                        + "; it holds in.json, out.jsn, tmp/ (did you mean 'out.jsn'?)",
                near.getMessage());
        for (int i = 0; i < 7; i++) {
            write("frame" + i + ".xyz", "");
        }
        OutputParseException many = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.json("y1", "energies.json", "/y1").parse(dir));
        assertEquals(
                "cannot parse 'energies.json' with json '/y1' for 'y1': the file does not exist in the run directory"
                        + "; it holds frame0.xyz, frame1.xyz, frame2.xyz, frame3.xyz, frame4.xyz, frame5.xyz,"
                        + " frame6.xyz, in.json and 2 more",
                many.getMessage());
    }

    /**
     * An output file named for a standard stream, which the run directory does not hold: the
     * message says where the program's stream is, by the files there, or by the names they get.
     */
    @Test
    void aMissingStdoutFileSaysWhereTheProgramsStandardOutputIs() throws Exception {
        OutputParseException none = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.regex("e", "stdout", "E = (\\S+)").parse(dir));
        assertEquals(
                "cannot parse 'stdout' with regex /E = (\\S+)/ (first match, group 1) for 'e': the file does not"
                        + " exist in the run directory; a program's standard output is saved in the run directory as"
                        + " program.stdout (program1.stdout, program2.stdout, ... when the term runs several"
                        + " commands): name that file as the output's file",
                none.getMessage());
        write("program.stdout", "E = 1\n");
        write("program.stderr", "");
        OutputParseException one = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.regex("e", "STD_ERR.txt", "E = (\\S+)").parse(dir));
        assertTrue(
                one.getMessage()
                        .endsWith(
                                ": the file does not exist in the run directory; a program's standard error is saved in"
                                        + " the run directory as program.stderr: name that file as the output's file"),
                one.getMessage());
        Files.delete(dir.resolve("program.stdout"));
        write("program1.stdout", "");
        write("program2.stdout", "E = 1\n");
        OutputParseException two = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.regex("e", "std.out", "E = (\\S+)").parse(dir));
        assertTrue(
                two.getMessage()
                        .endsWith("; a program's standard output is saved in the run directory as program1.stdout,"
                                + " program2.stdout: name one of them as the output's file"),
                two.getMessage());
        // another missing file gets no such hint
        OutputParseException other = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.regex("e", "log.lammps", "E = (\\S+)").parse(dir));
        assertTrue(
                other.getMessage()
                        .endsWith(": the file does not exist in the run directory"
                                + "; it holds program.stderr, program1.stdout, program2.stdout"),
                other.getMessage());
        OutputParseException prefixed = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.regex("e", "stdout_energies.csv", "E = (\\S+)")
                        .parse(dir));
        assertTrue(
                prefixed.getMessage()
                        .endsWith(": the file does not exist in the run directory"
                                + "; it holds program.stderr, program1.stdout, program2.stdout"),
                prefixed.getMessage());
        assertEquals("stdout", OutputParsers.standardStream("out/Standard_Output"));
        assertEquals(null, OutputParsers.standardStream("program.stdout"));
        assertEquals(null, OutputParsers.standardStream("md.log"));
        // the whole name, with an extension or not; not a name that only begins with a stream's
        assertEquals("stdout", OutputParsers.standardStream("stdout"));
        assertEquals("stdout", OutputParsers.standardStream("STDOUT.txt"));
        assertEquals("stdout", OutputParsers.standardStream("std.out"));
        assertEquals("stderr", OutputParsers.standardStream("std_err.log"));
        assertEquals("stderr", OutputParsers.standardStream("standard-error"));
        assertEquals(null, OutputParsers.standardStream("stdout_energies.csv"));
        assertEquals(null, OutputParsers.standardStream("stdoutput.log"));
        assertEquals(null, OutputParsers.standardStream("stderr2.txt"));
        assertEquals(null, OutputParsers.standardStream("program.stderr"));
    }

    @Test
    void regexFirstLastAllAndGroups() throws Exception {
        write("out.txt", "step 1 E = -1.5\nstep 2 E = -2.5e0\nstep 3 E = -3.25D0\n");
        assertEquals(
                -1.5,
                OutputParsers.regex("e", "out.txt", "E = (\\S+)").parse(dir).get("e"),
                0.0);
        assertEquals(
                -3.25,
                OutputParsers.regex("e", "out.txt", "E = (\\S+)")
                        .last()
                        .parse(dir)
                        .get("e"),
                0.0);
        assertArrayEquals(
                new double[] {-1.5, -2.5, -3.25},
                OutputParsers.regex("e", "out.txt", "E = (\\S+)")
                        .all()
                        .parse(dir)
                        .array("e"),
                0.0);
        assertEquals(
                2.0,
                OutputParsers.regex("s", "out.txt", "step (?<n>\\d+) E = (\\S+)")
                        .group("n")
                        .all()
                        .parse(dir)
                        .array("s")[1],
                0.0);
        assertEquals(
                3.0,
                OutputParsers.regex("s", "out.txt", "^step (\\d+)")
                        .last()
                        .parse(dir)
                        .get("s"),
                0.0);
        OutputParseException e = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.regex("f", "out.txt", "F = (\\S+)").parse(dir));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "cannot parse 'out.txt' with regex /F = (\\S+)/ (first match, group 1) for 'f': no match"),
                e.getMessage());
        assertTrue(e.excerpt().contains("1: step 1 E = -1.5"));
        assertThrows(
                IllegalArgumentException.class,
                () -> OutputParsers.regex("e", "out.txt", "E = (\\S+)").group(2));
    }

    @Test
    void columnByHeaderOrIndex() throws Exception {
        write("table.dat", "# Step Temp PotEng\n0 10 -1.0\n1 20 -2.0\n2 30 -3.0\n3 40 -4.0\n");
        assertEquals(
                -4.0,
                OutputParsers.column("pe", "table.dat", "PotEng").parse(dir).get("pe"),
                0.0);
        assertEquals(
                10.0,
                OutputParsers.column("t", "table.dat", "Temp")
                        .first()
                        .parse(dir)
                        .get("t"),
                0.0);
        assertEquals(
                35.0,
                OutputParsers.column("t", "table.dat", "Temp")
                        .meanOfLast(2)
                        .parse(dir)
                        .get("t"),
                0.0);
        assertArrayEquals(
                new double[] {0, 1, 2, 3},
                OutputParsers.column("s", "table.dat", 0).all().parse(dir).array("s"),
                0.0);
        OutputParseException e = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.column("x", "table.dat", "Press").parse(dir));
        assertTrue(e.getMessage().contains("no header line names column 'Press'"), e.getMessage());
        OutputParseException many = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.column("t", "table.dat", "Temp")
                        .meanOfLast(9)
                        .parse(dir));
        assertTrue(many.getMessage().contains("the mean of the last 9 rows, there are only 4"), many.getMessage());
    }

    /**
     * Numbers that Fortran programs write with a D exponent (1.0D+00, 2.0d-1) are read by column,
     * regex and lammpsThermo as with an E.
     */
    @Test
    void columnRegexAndLammpsThermoReadFortranDExponents() throws Exception {
        write("f.dat", "step E\n1 1.0D+00\n2 2.0d-1\n3 -3.5D2\n");
        assertArrayEquals(
                new double[] {1.0, 0.2, -350.0},
                OutputParsers.column("e", "f.dat", "E").all().parse(dir).array("e"),
                0.0);
        assertArrayEquals(
                new double[] {1.0, 0.2, -350.0},
                OutputParsers.regex("e", "f.dat", "^\\d+ (\\S+)$")
                        .all()
                        .parse(dir)
                        .array("e"),
                0.0);
        write("log.lammps", "Step PotEng\n0 -7.0D+00\n10 -7.5d0\nLoop time of 1.0 on 1 procs\n");
        assertEquals(
                -7.25,
                OutputParsers.lammpsThermo("e", "log.lammps", "PotEng")
                        .mean()
                        .parse(dir)
                        .get("e"),
                0.0);
    }

    /**
     * A UTF-8 byte-order mark (EF BB BF) before an output file's text, as some Windows programs and
     * Python's utf-8-sig write, is skipped: the header's first word, a pattern's ^ and a JSON
     * object at the file's start are read as without it.
     */
    @Test
    void aUtf8ByteOrderMarkBeforeTheTextIsSkippedByEveryParser() throws Exception {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        writeBytes("t.dat", bom, "E P\n-1.5 2\n-2.5 3\n");
        writeBytes("r.txt", bom, "E = -4.25\n");
        writeBytes("o.json", bom, "{\"E\": -6.5}");
        writeBytes("log.lammps", bom, "Step PotEng\n0 -7.0\n10 -7.5\nLoop time of 1.0 on 1 procs\n");
        assertEquals(-2.5, OutputParsers.column("e", "t.dat", "E").parse(dir).get("e"), 0.0);
        assertEquals(
                -4.25,
                OutputParsers.regex("e", "r.txt", "^E = (\\S+)").parse(dir).get("e"),
                0.0);
        assertEquals(-6.5, OutputParsers.json("e", "o.json", "/E").parse(dir).get("e"), 0.0);
        assertEquals(
                -7.5,
                OutputParsers.lammpsThermo("e", "log.lammps", "PotEng")
                        .parse(dir)
                        .get("e"),
                0.0);
        // the excerpt of a failure shows the text without the mark
        OutputParseException e = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.column("x", "t.dat", "Q").parse(dir));
        assertTrue(e.excerpt().startsWith("  1: E P\n"), e.excerpt());
    }

    /**
     * A UTF-16 output file (PowerShell's Out-File, .NET's Unicode) is refused naming its encoding
     * and byte-order mark, not with the error of a parser that met its NUL bytes.
     */
    @Test
    void aUtf16OutputFileIsRefusedNamingItsEncoding() throws Exception {
        writeBytes(
                "t.dat",
                new byte[] {(byte) 0xFF, (byte) 0xFE},
                new String(
                        "E\n-1.5\n".getBytes(java.nio.charset.StandardCharsets.UTF_16LE),
                        java.nio.charset.StandardCharsets.ISO_8859_1));
        OutputParseException le = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.column("e", "t.dat", "E").parse(dir));
        assertEquals(
                "cannot parse 't.dat' with column 'E' (last row) for 'e': 't.dat' is UTF-16 text (it begins with a"
                        + " byte-order mark FF FE); the parsers read UTF-8: have the program write UTF-8, or convert"
                        + " the file in a command after it and parse the converted one ([sh, -c, \"iconv -f UTF-16"
                        + " -t UTF-8 t.dat > utf8-t.dat\"])",
                le.getMessage());
        // Java's UTF-16 writes a big-endian mark
        Files.write(dir.resolve("o.json"), "{\"E\": -6.5}".getBytes(java.nio.charset.StandardCharsets.UTF_16));
        OutputParseException be = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.json("e", "o.json", "/E").parse(dir));
        assertTrue(
                be.getMessage()
                        .endsWith(": 'o.json' is UTF-16 text (it begins with a byte-order mark FE FF); the parsers"
                                + " read UTF-8: have the program write UTF-8, or convert the file in a command after"
                                + " it and parse the converted one ([sh, -c, \"iconv -f UTF-16 -t UTF-8 o.json >"
                                + " utf8-o.json\"])"),
                be.getMessage());
        Files.write(dir.resolve("r.txt"), "E = 1\n".getBytes(java.nio.charset.Charset.forName("UTF-32LE")));
        Files.write(
                dir.resolve("r.txt"),
                concat(new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 0}, Files.readAllBytes(dir.resolve("r.txt"))));
        OutputParseException wide = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.regex("e", "r.txt", "E = (\\S+)").parse(dir));
        assertTrue(
                wide.getMessage().contains(": 'r.txt' is UTF-32 text (it begins with a byte-order mark FF FE 00 00)"),
                wide.getMessage());
        // UTF-16 without a mark (Python's encoding="utf-16-le"): named, with iconv told which byte order
        Files.write(dir.resolve("n.txt"), "E = 1\n".getBytes(java.nio.charset.StandardCharsets.UTF_16LE));
        OutputParseException bare = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.regex("e", "n.txt", "E = (\\S+)").parse(dir));
        assertTrue(
                bare.getMessage()
                        .endsWith(": 'n.txt' is UTF-16 text without a byte-order mark (little-endian: every other byte"
                                + " is 0); the parsers read UTF-8: have the program write UTF-8, or convert the file in"
                                + " a command after it and parse the converted one ([sh, -c, \"iconv -f UTF-16LE -t"
                                + " UTF-8 n.txt > utf8-n.txt\"])"),
                bare.getMessage());
        // a UTF-8 file with a few zero bytes (binary numbers) is no UTF-16: not said to be
        assertEquals(null, OutputParsers.wideEncoding(new byte[] {'E', 0, '=', 0, '1', '2', 0, 0}));
    }

    /** Writes the bytes, then the text as ISO-8859-1 (one byte a character, each as it is). */
    private void writeBytes(String name, byte[] start, String text) throws Exception {
        Files.write(dir.resolve(name), concat(start, text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void columnOfAFixAveTimeVectorFileSkipsBlockLines() throws Exception {
        write(
                "rdf.dat",
                "# Time-averaged data for fix r\n# TimeStep Number-of-rows\n# Row c_rdf[1] c_rdf[2] c_rdf[3]\n"
                        + "0 3\n1 0.5 0.0 0\n2 1.5 2.0 4\n3 2.5 1.0 12\n");
        assertArrayEquals(
                new double[] {0.0, 2.0, 1.0},
                OutputParsers.column("g", "rdf.dat", "c_rdf[2]")
                        .all()
                        .parse(dir)
                        .array("g"),
                0.0);
    }

    @Test
    void jsonPointerAndDottedPaths() throws Exception {
        write("r.json", "{\"results\": {\"energy\": -12.5, \"forces\": [0.1, -0.2, 0.3], \"name\": \"x\"}}");
        assertEquals(
                -12.5,
                OutputParsers.json("e", "r.json", "/results/energy").parse(dir).get("e"),
                0.0);
        assertEquals(
                -12.5,
                OutputParsers.json("e", "r.json", "results.energy").parse(dir).get("e"),
                0.0);
        assertEquals(
                -0.2,
                OutputParsers.json("f", "r.json", "results.forces[1]")
                        .parse(dir)
                        .get("f"),
                0.0);
        assertArrayEquals(
                new double[] {0.1, -0.2, 0.3},
                OutputParsers.json("f", "r.json", "results.forces").parse(dir).array("f"),
                0.0);
        OutputParseException e = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.json("n", "r.json", "results.name").parse(dir));
        assertTrue(e.getMessage().contains("the value at 'results.name' is not a number: \"x\""), e.getMessage());
        OutputParseException m = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.json("n", "r.json", "results.gap").parse(dir));
        assertTrue(m.getMessage().contains("no value at 'results.gap'"), m.getMessage());
        write("bad.json", "{\"a\": ");
        OutputParseException b = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.json("a", "bad.json", "a").parse(dir));
        assertTrue(b.getMessage().contains("not valid JSON: the file ends inside "), b.getMessage());
        assertFalse(b.getMessage().contains("Source"), b.getMessage());
    }

    @Test
    void jsonNanAndInfinityAsPythonWritesThemAreRefusedAsNotFinite() throws Exception {
        // what Python's json.dump({"energy": float("nan"), "forces": [0.5, float("inf"), -float("inf")]}) writes
        write("r.json", "{\"energy\": NaN, \"forces\": [0.5, Infinity, -Infinity], \"gap\": 1.25}");
        assertEquals(1.25, OutputParsers.json("g", "r.json", "gap").parse(dir).get("g"), 0.0);
        OutputParseException nan = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.json("e", "r.json", "/energy").parse(dir));
        assertTrue(
                nan.getMessage()
                        .startsWith("cannot parse 'r.json' with json '/energy' for 'e':"
                                + " the value 'NaN' at '/energy' is not a finite number; excerpt:\n"
                                + "  1: {\"energy\": NaN"),
                nan.getMessage());
        assertTrue(!nan.getMessage().contains("JsonReadFeature")
                && !nan.getMessage().contains("not valid JSON"));
        OutputParseException inf = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.json("f", "r.json", "forces").parse(dir));
        assertTrue(
                inf.getMessage().contains("for 'f': element 1 'Infinity' at 'forces' is not a finite number"),
                inf.getMessage());
        OutputParseException minus = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.json("f", "r.json", "forces[2]").parse(dir));
        assertTrue(
                minus.getMessage().contains("the value '-Infinity' at 'forces[2]' is not a finite number"),
                minus.getMessage());
    }

    @Test
    void columnOnACommaSeparatedFileSaysItSplitsOnWhitespaceAndGivesARegexThatReadsIt() throws Exception {
        write("e.csv", "step,E,P\n0,-1.5,3.0\n1,-2.25,2.5\n");
        OutputParseException e = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.column("e", "e.csv", "E").parse(dir));
        String pattern = "^(?:[^,]*,){1}\\s*([-+.0-9][^,\\s]*)";
        assertTrue(
                e.getMessage()
                        .startsWith("cannot parse 'e.csv' with column 'E' (last row) for 'e': no header line names"
                                + " column 'E'; line 1 ('step,E,P') names it between commas, but the column parser"
                                + " splits lines on whitespace only: read a comma-separated file with the regex"
                                + " parser, for column 'E' (field 1 from 0) pattern '" + pattern
                                + "' with select: last; excerpt:\n"),
                e.getMessage());
        // the regex the hint gives reads the column
        assertEquals(
                -2.25,
                OutputParsers.regex("e", "e.csv", pattern).last().parse(dir).get("e"),
                0.0);
        assertArrayEquals(
                new double[] {-1.5, -2.25},
                OutputParsers.regex("e", "e.csv", pattern).all().parse(dir).array("e"),
                0.0);
        assertEquals(
                0.0,
                OutputParsers.regex("s", "e.csv", "^\\s*([-+.0-9][^,\\s]*)")
                        .first()
                        .parse(dir)
                        .get("s"),
                0.0);
        // a commented header with spaces after the commas, the first field
        write("s.csv", "# step, E, P\n0, -1.5, 3.0\n");
        OutputParseException first = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.column("s", "s.csv", "step").parse(dir));
        assertTrue(
                first.getMessage()
                        .contains("; line 1 ('step, E, P') names it between commas, but the column parser splits"
                                + " lines on whitespace only: read a comma-separated file with the regex parser,"
                                + " for column 'step' (field 0 from 0) pattern '^\\s*([-+.0-9][^,\\s]*)'"),
                first.getMessage());
        // a comma-separated file that does not name the column: the hint without a pattern
        OutputParseException other = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.column("t", "e.csv", "Temp").parse(dir));
        assertTrue(
                other.getMessage()
                        .contains("no header line names column 'Temp'; line 1 ('step,E,P') holds commas, but the"
                                + " column parser splits lines on whitespace only: read a comma-separated file with"
                                + " the regex parser; excerpt:"),
                other.getMessage());
        // a whitespace table without the column: no comma hint; a header word as near as the helper of every
        // misspelt name takes is suggested
        write("t.dat", "# step E\n0 1.0\n");
        OutputParseException plain = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.column("t", "t.dat", "Temp").parse(dir));
        assertTrue(
                plain.getMessage().contains("no header line names column 'Temp' (did you mean 'step'?); excerpt:"),
                plain.getMessage());
    }

    /**
     * A header that names the wanted column twice leaves which one to read unclear: refused, naming
     * the file, the header's line and the column, not the first taken silently.
     */
    @Test
    void aHeaderNamingTheColumnTwiceIsRefused() throws Exception {
        write("thermo.dat", "# step pe pe\n0 1.5 2.5\n1 1.0 2.0\n");
        OutputParseException e = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.column("pe", "thermo.dat", "pe").parse(dir));
        assertEquals(
                "cannot parse 'thermo.dat' with column 'pe' (last row) for 'pe': thermo.dat:1: the header line"
                        + " '# step pe pe' names column 'pe' more than once (columns 1 and 2, from 0): which one to"
                        + " read is not clear; read it by index instead; excerpt:\n"
                        + "> 1: # step pe pe\n"
                        + "  2: 0 1.5 2.5\n"
                        + "  3: 1 1.0 2.0",
                e.getMessage());
        // the other columns of that table are read, and the second 'pe' by index
        assertEquals(
                1.0, OutputParsers.column("s", "thermo.dat", "step").parse(dir).get("s"), 0.0);
        assertEquals(
                2.0, OutputParsers.column("pe2", "thermo.dat", 2).parse(dir).get("pe2"), 0.0);
    }

    @Test
    void aMisspeltColumnIsAnsweredWithTheNearestHeaderWord() throws Exception {
        write("out.dat", "step energy\n0 1.5\n");
        OutputParseException e = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.column("energy", "out.dat", "Energy").parse(dir));
        assertTrue(
                e.getMessage()
                        .startsWith("cannot parse 'out.dat' with column 'Energy' (last row) for 'energy': no header"
                                + " line names column 'Energy' (did you mean 'energy'?); excerpt:"),
                e.getMessage());
    }

    @Test
    void lammpsThermoPicksTablesAndRows() throws Exception {
        Files.copy(
                TestSupport.resource("/external/log.lammps.sample"),
                dir.resolve("log.lammps"),
                StandardCopyOption.REPLACE_EXISTING);
        assertEquals(
                -5.0,
                OutputParsers.lammpsThermo("pe", "log.lammps", "E_pair")
                        .parse(dir)
                        .get("pe"),
                0.0);
        assertEquals(
                -4.0,
                OutputParsers.lammpsThermo("pe", "log.lammps", "E_pair")
                        .mean()
                        .parse(dir)
                        .get("pe"),
                0.0);
        assertEquals(
                -4.5,
                OutputParsers.lammpsThermo("pe", "log.lammps", "E_pair")
                        .meanOfLast(2)
                        .parse(dir)
                        .get("pe"),
                0.0);
        assertEquals(
                -2.0,
                OutputParsers.lammpsThermo("pe", "log.lammps", "E_pair")
                        .run(0)
                        .parse(dir)
                        .get("pe"),
                0.0);
        assertArrayEquals(
                new double[] {100, 50},
                OutputParsers.lammpsThermo("p", "log.lammps", "Press")
                        .run(-2)
                        .all()
                        .parse(dir)
                        .array("p"),
                0.0);
        OutputParseException e = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.lammpsThermo("x", "log.lammps", "PotEng").parse(dir));
        assertTrue(
                e.getMessage()
                        .contains(
                                "thermo table 1 has no column 'PotEng'; its columns are Step Temp E_pair E_mol TotEng Press Volume"),
                e.getMessage());
        OutputParseException r = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.lammpsThermo("x", "log.lammps", "Press")
                        .run(2)
                        .parse(dir));
        assertTrue(r.getMessage().contains("the log has 2 thermo tables, there is no table 2"), r.getMessage());
        write("empty.log", "");
        OutputParseException n = assertThrows(
                OutputParseException.class,
                () -> OutputParsers.lammpsThermo("x", "empty.log", "Press").parse(dir));
        assertTrue(
                n.getMessage().contains("no thermo table found")
                        && n.getMessage().contains("(the file is empty)"),
                n.getMessage());
    }

    @Test
    void invalidArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> OutputParsers.regex("e", "o", "(unclosed"));
        assertThrows(IllegalArgumentException.class, () -> OutputParsers.column("e", "o", -1));
        assertThrows(IllegalArgumentException.class, () -> OutputParsers.column("e", "o", "two words"));
        assertThrows(IllegalArgumentException.class, () -> OutputParsers.json("e", "o", "a..b"));
        assertThrows(IllegalArgumentException.class, () -> OutputParsers.lammpsThermo("", "log", "PotEng"));
        assertThrows(
                IllegalArgumentException.class,
                () -> OutputParsers.lammpsThermo("e", "log", "PotEng").meanOfLast(0));
    }
}
