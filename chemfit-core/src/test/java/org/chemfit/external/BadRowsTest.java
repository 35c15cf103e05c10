package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A row of a table whose value is not a number (a line cut short by a killed run or a full disk,
 * garbage) fails the parse with the file, line, column and value, instead of being skipped so that
 * {@code select: last} takes the row before it; a JSON file with data after its value fails too.
 */
class BadRowsTest {

    @TempDir
    Path dir;

    private void write(String name, String text) throws Exception {
        Files.writeString(dir.resolve(name), text);
    }

    private OutputParseException fails(OutputParser parser) {
        return assertThrows(OutputParseException.class, () -> parser.parse(dir));
    }

    @Test
    void columnFailsOnARowWhoseValueIsCutShort() throws Exception {
        write("table.dat", "step E\n0 1\n1 1\n2 1.0e\n");
        OutputParseException e = fails(OutputParsers.column("E", "table.dat", "E"));
        assertTrue(
                e.getMessage()
                        .startsWith("cannot parse 'table.dat' with column 'E' (last row) for 'E': table.dat:4: '1.0e'"
                                + " in column 'E' is not a number, in a row of the table (2 columns, header at line"
                                + " 1): the file may be cut short or garbled; excerpt:\n"),
                e.getMessage());
        assertTrue(e.getMessage().contains("> 4: 2 1.0e"), e.getMessage());
        assertEquals("table.dat", e.file());
        // first and all fail too: the row is in the table whatever is selected
        fails(OutputParsers.column("E", "table.dat", "E").first());
        fails(OutputParsers.column("E", "table.dat", "E").all());
        fails(OutputParsers.column("s", "table.dat", "step"));
        fails(OutputParsers.column("E", "table.dat", 1));
    }

    @Test
    void hexadecimalIsNoNumberAndFortransThreeDigitExponentIsNamed() throws Exception {
        write("out.txt", "E = 0x1p3\n");
        OutputParseException hex = fails(OutputParsers.regex("E", "out.txt", "E = (\\S+)"));
        assertTrue(hex.getMessage().contains("'0x1p3' is not a number"), hex.getMessage());
        write("table.dat", "step E\n0 0x1p3\n");
        assertTrue(
                fails(OutputParsers.column("E", "table.dat", "E")).getMessage().contains("'0x1p3'"));
        write("out.txt", "E = 1.0-100\n");
        OutputParseException fortran = fails(OutputParsers.regex("E", "out.txt", "E = (\\S+)"));
        assertTrue(
                fortran.getMessage()
                        .contains("'1.0-100' is not a number (Fortran writes 1.0-100 for 1.0E-100 when an exponent has"
                                + " three digits and no room for its letter: print the value with a wider format, such"
                                + " as ES24.16E3)"),
                fortran.getMessage());
        // Fortran's D exponent is a number
        write("out.txt", "E = 1.0D+03\n");
        assertEquals(
                1000.0,
                OutputParsers.regex("E", "out.txt", "E = (\\S+)").parse(dir).get("E"));
    }

    @Test
    void columnFailsOnAWordInARow() throws Exception {
        write("table.dat", "step E\n0 1\n1 1\n2 banana\n");
        OutputParseException e = fails(OutputParsers.column("E", "table.dat", "E"));
        assertTrue(e.getMessage().contains("table.dat:4: 'banana' in column 'E' is not a number"), e.getMessage());
        // by index: the column is named by its number
        OutputParseException i = fails(OutputParsers.column("E", "table.dat", 1));
        assertTrue(
                i.getMessage()
                        .contains("table.dat:4: 'banana' in column 1 (from 0) is not a number, in a line that begins"
                                + " with a number, which is read as a row"),
                i.getMessage());
    }

    @Test
    void columnFailsOnAWordInAColumnThatIsNotSelected() throws Exception {
        write("table.dat", "# step E P\n0 1.0 3\n99 banana 1.0\n100 2.0 4\n");
        OutputParseException e =
                fails(OutputParsers.column("p", "table.dat", "P").all());
        assertTrue(
                e.getMessage().contains("table.dat:3: 'banana' in column 'E' is not a number, in a row of the table"),
                e.getMessage());
        assertTrue(e.getMessage().contains("> 3: 99 banana 1.0"), e.getMessage());
    }

    @Test
    void columnFailsOnALastLineWithFewerColumnsAfterRows() throws Exception {
        write("table.dat", "step E P\n0 1 5\n1 2 6\n2 3\n");
        OutputParseException e = fails(OutputParsers.column("E", "table.dat", "E"));
        assertTrue(
                e.getMessage()
                        .contains("table.dat:4: the last line has 2 columns, the rows of the table have 3: the file may"
                                + " be cut short"),
                e.getMessage());
        // cut inside a value: the line begins with a number, so it is a row that is not numbers
        write("cut.dat", "step E P\n0 1 5\n1 2 6\n2 1.5e\n");
        OutputParseException c = fails(OutputParsers.column("E", "cut.dat", "E"));
        assertTrue(c.getMessage().contains("cut.dat:4: '1.5e' in column 'E' is not a number"), c.getMessage());
        // by index, a last line too short for the column
        write("idx.dat", "0 1 5\n1 2 6\n2\n");
        OutputParseException x = fails(OutputParsers.column("p", "idx.dat", 2));
        assertTrue(
                x.getMessage()
                        .contains("idx.dat:3: the last line has 1 column, too few for column 2 (from 0): the file may"
                                + " be cut short"),
                x.getMessage());
    }

    @Test
    void aLineOfTextAsWideAsTheTableIsSkippedButAValueCutShortThereFails() throws Exception {
        // a footer of one word under a table of one column, a message of two words under one of two
        write("one.dat", "E\n1.5\n2.5\nDone.\n");
        assertEquals(2.5, OutputParsers.column("E", "one.dat", "E").parse(dir).get("E"), 0.0);
        write("two.dat", "step E\n0 1.5\nWARNING: restarted\n1 2.5\n---- ----\n");
        assertArrayEquals(
                new double[] {1.5, 2.5},
                OutputParsers.column("E", "two.dat", "E").all().parse(dir).array("E"),
                0.0);
        // a first field that begins as a number is a row cut short or garbled, whatever the width
        write("cut.dat", "E\n1.5\n2.5\n1.0e\n");
        OutputParseException c = fails(OutputParsers.column("E", "cut.dat", "E"));
        assertTrue(
                c.getMessage().contains("cut.dat:4: '1.0e' in column 'E' is not a number, in a row of the table"),
                c.getMessage());
        write("sign.dat", "step E\n0 1.5\n-2x 2.5\n");
        OutputParseException s = fails(OutputParsers.column("E", "sign.dat", "E"));
        assertTrue(s.getMessage().contains("sign.dat:3: '-2x' in column 'step' is not a number"), s.getMessage());
        // by index too: a lone value cut short after the rows is no word, and fails
        write("idx.dat", "0 1.5\n1 2.5\n.5.5\n");
        OutputParseException x = fails(OutputParsers.column("E", "idx.dat", 1));
        assertTrue(x.getMessage().contains("idx.dat:3: '.5.5' in column 0 (from 0) is not a number"), x.getMessage());
    }

    @Test
    void countsOfTablesAndRowsAreSaidInWordsThatFitThem() throws Exception {
        write("log.lammps", LOG_HEAD + "Loop time of 0.1 on 1 procs\n");
        OutputParseException t =
                fails(OutputParsers.lammpsThermo("e", "log.lammps", "PotEng").run(3));
        assertTrue(
                t.getMessage()
                        .contains("the log has 1 thermo table, there is no table 3 (0 is the first, -1 the last)"),
                t.getMessage());
        write("two.lammps", LOG_HEAD + "Loop time of 0.1 on 1 procs\n" + LOG_HEAD + "Loop time of 0.1 on 1 procs\n");
        OutputParseException t2 =
                fails(OutputParsers.lammpsThermo("e", "two.lammps", "PotEng").run(-3));
        assertTrue(
                t2.getMessage()
                        .contains(
                                "the log has 2 thermo tables, there is no table -3 (0 is the first, -1 the last, 1 the"
                                        + " last too)"),
                t2.getMessage());
        write("one.dat", "step E\n0 1.5\n");
        OutputParseException r = fails(OutputParsers.column("E", "one.dat", "E").meanOfLast(5));
        assertTrue(r.getMessage().contains("asked for the mean of the last 5 rows, there is only 1"), r.getMessage());
    }

    @Test
    void wordsAndNumbersAreToldApartByTheirFirstCharacters() {
        for (String w : new String[] {"Done.", "WARNING:", "e5", "Loop", "x1"}) {
            assertTrue(OutputParsers.beginsWithWord(w), w);
        }
        for (String n : new String[] {"1.0e", "-2x", ".5.5", "+.3q", "7", "nan", "-inf", "1d3", "****", "--", "+x"}) {
            assertTrue(!OutputParsers.beginsWithWord(n), n);
        }
        assertTrue(OutputParsers.isText(java.util.List.of("----", "=====")));
        assertTrue(!OutputParsers.isText(java.util.List.of("****", "-1.5")), "a Fortran overflow is a row");
        assertTrue(!OutputParsers.isText(java.util.List.of("--", "-1.5")), "a missing value is a row");
    }

    @Test
    void aFortranOverflowOrAMissingValueInARowFails() throws Exception {
        write("f.dat", "step E\n0 1.5\n******** -1.5\n");
        OutputParseException f = fails(OutputParsers.column("E", "f.dat", "E"));
        assertTrue(f.getMessage().contains("f.dat:3: '********' in column 'step' is not a number"), f.getMessage());
        write("m.dat", "step E\n0 1.5\n1 --\n");
        OutputParseException m = fails(OutputParsers.column("E", "m.dat", "E"));
        assertTrue(m.getMessage().contains("m.dat:3: '--' in column 'E' is not a number"), m.getMessage());
    }

    @Test
    void nanInARowStillFailsAsNotFiniteOnlyWhenSelected() throws Exception {
        write("table.dat", "step E P\n0 1 nan\n1 2 3\n");
        assertEquals(2.0, OutputParsers.column("E", "table.dat", "E").parse(dir).get("E"), 0.0);
        OutputParseException e =
                fails(OutputParsers.column("P", "table.dat", "P").first());
        assertTrue(e.getMessage().contains("the value 'nan' is not a finite number"), e.getMessage());
    }

    @Test
    void validTablesParseAsBefore() throws Exception {
        // comments, blank lines, a repeated header, text lines of another width, text before the header
        write(
                "table.dat",
                "program v1.0 starting\n# step E P\n0 1.0 3\n\n# restart\nstep E P\n1 2.0 4\n"
                        + "converged after 2 iterations\n2 3.0 5\nDone.\n");
        assertArrayEquals(
                new double[] {1.0, 2.0, 3.0},
                OutputParsers.column("E", "table.dat", "E").all().parse(dir).array("E"),
                0.0);
        assertEquals(3.0, OutputParsers.column("E", "table.dat", "E").parse(dir).get("E"), 0.0);
        assertArrayEquals(
                new double[] {3, 4, 5},
                OutputParsers.column("P", "table.dat", 2).all().parse(dir).array("P"),
                0.0);
        // fix ave/time vector output: the block lines (timestep, number of rows) are not rows
        write(
                "rdf.dat",
                "# Time-averaged data for fix r\n# TimeStep Number-of-rows\n# Row c_rdf[1] c_rdf[2] c_rdf[3]\n"
                        + "0 2\n1 0.5 0.0 0\n2 1.5 2.0 4\n100 2\n1 0.5 0.25 0\n2 1.5 1.0 4\n");
        assertArrayEquals(
                new double[] {0.0, 2.0, 0.25, 1.0},
                OutputParsers.column("g", "rdf.dat", "c_rdf[2]")
                        .all()
                        .parse(dir)
                        .array("g"),
                0.0);
        // by index, every line of numbers long enough is a row, block lines included as before
        assertArrayEquals(
                new double[] {2, 0.5, 1.5, 2, 0.5, 1.5},
                OutputParsers.column("r", "rdf.dat", 1).all().parse(dir).array("r"),
                0.0);
        // by index, text before the first row is skipped, a header too
        write("idx.dat", "3 atoms read\nstep E\n0 1.5\n1 2.5\n");
        assertEquals(2.5, OutputParsers.column("E", "idx.dat", 1).parse(dir).get("E"), 0.0);
    }

    private static final String LOG_HEAD = "LAMMPS (29 Sep 2021)\n"
            + "Per MPI rank memory allocation (min/avg/max) = 3.1 | 3.1 | 3.1 Mbytes\n"
            + "Step PotEng Press\n"
            + "       0   -1.0   10\n"
            + "      10   -0.5   20\n";

    @Test
    void lammpsThermoFailsOnAWordInARow() throws Exception {
        write("log.lammps", LOG_HEAD + "      20   -0.5   banana\nLoop time of 0.1 on 1 procs for 20 steps\n");
        OutputParseException e = fails(OutputParsers.lammpsThermo("pe", "log.lammps", "PotEng"));
        assertTrue(
                e.getMessage()
                        .startsWith("cannot parse 'log.lammps' with LAMMPS thermo 'PotEng' (last row of the last"
                                + " table) for 'pe': log.lammps:6: 'banana' in column 'Press' is not a number, in a"
                                + " row of the thermo table whose header is line 3: the file may be cut short or"
                                + " garbled; excerpt:\n"),
                e.getMessage());
        assertTrue(e.getMessage().contains("> 6:       20   -0.5   banana"), e.getMessage());
        fails(OutputParsers.lammpsThermo("p", "log.lammps", "Press").all());
    }

    @Test
    void aMisspeltThermoColumnOrJsonPathIsShownTheNearOne() throws Exception {
        write("log.lammps", "Step PotEng v_fx\n       0   -1.0   10\nLoop time of 0.1 on 1 procs for 20 steps\n");
        OutputParseException e = fails(OutputParsers.lammpsThermo("f", "log.lammps", "v_Fx"));
        assertTrue(
                e.getMessage()
                        .startsWith("cannot parse 'log.lammps' with LAMMPS thermo 'v_Fx' (last row of the last table)"
                                + " for 'f': thermo table 0 has no column 'v_Fx' (did you mean 'v_fx'?); its columns"
                                + " are Step PotEng v_fx"),
                e.getMessage());
        write("out.json", "{\"energy\": 1.0, \"results\": {\"forces\": [1]}}");
        OutputParseException top = fails(OutputParsers.json("e", "out.json", "/energys"));
        assertTrue(
                top.getMessage()
                        .startsWith("cannot parse 'out.json' with json '/energys' for 'e': no value at"
                                + " '/energys' (did you mean '/energy'?)"),
                top.getMessage());
        OutputParseException inner = fails(OutputParsers.json("f", "out.json", "results.force"));
        assertTrue(
                inner.getMessage().contains(": no value at 'results.force' (did you mean 'results.forces'?)"),
                inner.getMessage());
        OutputParseException far = fails(OutputParsers.json("f", "out.json", "results.volume"));
        assertTrue(far.getMessage().contains(": no value at 'results.volume'; excerpt"), far.getMessage());
    }

    @Test
    void lammpsThermoFailsOnARowCutShortAtTheEndOfAnOpenTable() throws Exception {
        write("log.lammps", LOG_HEAD + "      20   -0.5e");
        OutputParseException e = fails(OutputParsers.lammpsThermo("pe", "log.lammps", "PotEng"));
        assertTrue(
                e.getMessage()
                        .contains("log.lammps:6: the last line has 2 columns, the rows of the table have 3: the file"
                                + " may be cut short"),
                e.getMessage());
        write("log2.lammps", LOG_HEAD + "      20   -0.5   1.0e\n");
        OutputParseException v = fails(OutputParsers.lammpsThermo("pe", "log2.lammps", "PotEng"));
        assertTrue(v.getMessage().contains("log2.lammps:6: '1.0e' in column 'Press' is not a number"), v.getMessage());
    }

    /**
     * A last row without the line break LAMMPS writes after every row, in a table no "Loop time of"
     * closes, was cut while it was written, perhaps inside its last number (53 of 530.2): it fails, where
     * it would give 53; the same row with its line break, or closed, is read.
     */
    @Test
    void lammpsThermoFailsOnALastRowWithoutItsLineBreak() throws Exception {
        write("log.lammps", LOG_HEAD + "      20   -0.25   53");
        OutputParseException e = fails(OutputParsers.lammpsThermo("p", "log.lammps", "Press"));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "cannot parse 'log.lammps' with LAMMPS thermo 'Press' (last row of the last table) for 'p':"
                                        + " log.lammps:6: the last row has no line break at its end, which LAMMPS writes after"
                                        + " every row, and no 'Loop time of' follows: the log was cut short while this row was"
                                        + " written, and its last value may be cut"),
                e.getMessage());
        write("whole.lammps", LOG_HEAD + "      20   -0.25   53\n");
        assertEquals(
                53.0,
                OutputParsers.lammpsThermo("p", "whole.lammps", "Press")
                        .parse(dir)
                        .get("p"),
                0.0);
        write("closed.lammps", LOG_HEAD + "      20   -0.25   53\nLoop time of 0.1 on 1 procs for 20 steps");
        assertEquals(
                53.0,
                OutputParsers.lammpsThermo("p", "closed.lammps", "Press")
                        .parse(dir)
                        .get("p"),
                0.0);
    }

    @Test
    void lammpsThermoStillSkipsTheLinesLammpsPrintsAmongRows() throws Exception {
        write(
                "log.lammps",
                LOG_HEAD
                        + "WARNING: Lost atoms: original 32 current 31 (src/thermo.cpp:486)\n"
                        + "SHAKE stats (type/ave/delta/count) on step 10\n"
                        + "Bond:  1   1.00000   6.8e-07        100\n"
                        + "100 steps are done\n"
                        + "100 steps done\n"
                        + "\n"
                        + "      20   -0.25   30\n"
                        + "Loop time of 0.1 on 1 procs for 20 steps with 31 atoms\n"
                        + "\n"
                        + "  1 by 1 by 1 MPI processor grid\n"
                        + "Total wall time: 0:00:00\n");
        assertArrayEquals(
                new double[] {-1.0, -0.5, -0.25},
                OutputParsers.lammpsThermo("pe", "log.lammps", "PotEng")
                        .all()
                        .parse(dir)
                        .array("pe"),
                0.0);
        // a log that stops after a complete row, without "Loop time of", reads as before
        write("open.lammps", LOG_HEAD);
        assertEquals(
                -0.5,
                OutputParsers.lammpsThermo("pe", "open.lammps", "PotEng")
                        .parse(dir)
                        .get("pe"),
                0.0);
        Files.copy(
                TestSupport.resource("/external/log.lammps.sample"),
                dir.resolve("sample.lammps"),
                StandardCopyOption.REPLACE_EXISTING);
        assertArrayEquals(
                new double[] {-3.0, -4.0, -5.0},
                OutputParsers.lammpsThermo("pe", "sample.lammps", "E_pair")
                        .all()
                        .parse(dir)
                        .array("pe"),
                0.0);
    }

    /**
     * A log of LAMMPS 29 Sep 2021 (thermo_style custom step temp pe press, a minimize and two runs)
     * whose fix print messages begin with the step and have as many words as the thermo header
     * ({@code 20 steps are done}): they are not rows, and the log reads as before.
     */
    @Test
    void aRealLogWithFixPrintMessagesAmongTheRowsReads() throws Exception {
        Files.copy(
                TestSupport.resource("/external/log.lammps.fixprint"),
                dir.resolve("log.lammps"),
                StandardCopyOption.REPLACE_EXISTING);
        assertTrue(Files.readString(dir.resolve("log.lammps")).contains("\n20 steps are done\n"));
        assertArrayEquals(
                new double[] {1, 10, 20, 30, 40, 50, 51},
                OutputParsers.lammpsThermo("s", "log.lammps", "Step")
                        .run(1)
                        .all()
                        .parse(dir)
                        .array("s"),
                0.0);
        assertEquals(
                -4.8802545,
                OutputParsers.lammpsThermo("pe", "log.lammps", "PotEng")
                        .parse(dir)
                        .get("pe"),
                0.0);
        assertEquals(
                -6.7733681,
                OutputParsers.lammpsThermo("pe", "log.lammps", "PotEng")
                        .run(0)
                        .last()
                        .parse(dir)
                        .get("pe"),
                0.0);
        // the same log with a value garbled in the second table, which is not the one read
        String log = Files.readString(dir.resolve("log.lammps"));
        write(
                "garbled.lammps",
                log.replace(
                        "      30    1.7487381   -4.9218448    4.9063051 ",
                        "      30    1.7487381   -4.9218448    4.90x "));
        OutputParseException e = fails(OutputParsers.lammpsThermo("pe", "garbled.lammps", "PotEng"));
        assertTrue(
                e.getMessage()
                        .contains("garbled.lammps:85: '4.90x' in column 'Press' is not a number, in a row of"
                                + " the thermo table whose header is line 79"),
                e.getMessage());
    }

    @Test
    void jsonFailsOnDataAfterItsValue() throws Exception {
        write("out.json", "{\"E\": 1}{\"E\": 999}");
        OutputParseException e = fails(OutputParsers.json("E", "out.json", "E"));
        assertTrue(
                e.getMessage()
                        .startsWith("cannot parse 'out.json' with json 'E' for 'E': out.json:1: there is data after"
                                + " the JSON value, from column 9: '{\"E\": 999}'; the file must hold one JSON value"
                                + " (is it written twice, or by two runs?); excerpt:\n"),
                e.getMessage());
        write("garbage.json", "{\"E\": 1}garbage");
        OutputParseException g = fails(OutputParsers.json("E", "garbage.json", "E"));
        assertTrue(
                g.getMessage().contains("garbage.json:1: there is data after the JSON value, from column 9: 'garbage'"),
                g.getMessage());
        write("lines.json", "{\"E\": 1}\n\n  {\"E\": 2}\n");
        OutputParseException l = fails(OutputParsers.json("E", "lines.json", "E"));
        assertTrue(
                l.getMessage()
                        .contains("lines.json:3: there is data after the JSON value, from column 3: '{\"E\": 2}'"),
                l.getMessage());
        assertTrue(l.getMessage().contains("> 3:   {\"E\": 2}"), l.getMessage());
    }

    @Test
    void jsonWithTrailingWhitespaceParsesAsBefore() throws Exception {
        write("out.json", "{\"E\": 1.5, \"F\": [1, 2]}\n\n  \t\n");
        assertEquals(1.5, OutputParsers.json("E", "out.json", "E").parse(dir).get("E"), 0.0);
        assertArrayEquals(
                new double[] {1, 2},
                OutputParsers.json("F", "out.json", "F").parse(dir).array("F"),
                0.0);
    }
}
