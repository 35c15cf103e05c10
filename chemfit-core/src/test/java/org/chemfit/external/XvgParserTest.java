package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code .xvg} parser on files that {@code gmx energy} (GROMACS 2022.5) wrote from a 500-atom
 * argon run, and on malformed copies of them: every malformed file is reported at its file and line.
 */
class XvgParserTest {

    @TempDir
    Path dir;

    private void copy(String resource) throws Exception {
        Files.copy(TestSupport.resource("/external/xvg/" + resource), dir.resolve(resource));
    }

    /** Writes a copy of a real file with line {@code ln} (from 1) replaced. */
    private void broken(String name, String resource, int ln, String replacement) throws Exception {
        List<String> lines =
                new java.util.ArrayList<>(Files.readAllLines(TestSupport.resource("/external/xvg/" + resource)));
        lines.set(ln - 1, replacement);
        Files.write(dir.resolve(name), lines);
    }

    @Test
    void columnsByLegendFromARealGmxEnergyFile() throws Exception {
        copy("energy-four-terms.xvg");
        // line 28 is the first row, line 68 the last: 0 ps to 4 ps every 0.1 ps
        assertEquals(
                -7.068292,
                XvgParser.column("pe", "energy-four-terms.xvg", "Potential")
                        .first()
                        .parse(dir)
                        .get("pe"),
                0.0);
        assertEquals(
                -4.689573,
                XvgParser.column("pe", "energy-four-terms.xvg", "Potential")
                        .parse(dir)
                        .get("pe"),
                0.0);
        assertEquals(
                1095.490845,
                XvgParser.column("rho", "energy-four-terms.xvg", "Density")
                        .last()
                        .parse(dir)
                        .get("rho"),
                0.0);
        assertEquals(
                1134.0645305853659,
                XvgParser.column("rho", "energy-four-terms.xvg", "Density")
                        .mean()
                        .parse(dir)
                        .get("rho"),
                1e-9);
        // the mean over a time window: the 11 rows from 2 ps to 3 ps, both ends included
        assertEquals(
                -4.2615130909090908,
                XvgParser.column("pe", "energy-four-terms.xvg", "Potential")
                        .window(2, 3)
                        .mean()
                        .parse(dir)
                        .get("pe"),
                1e-12);
        double[] t = XvgParser.column("t", "energy-four-terms.xvg", 0)
                .all()
                .parse(dir)
                .array("t");
        assertEquals(41, t.length);
        assertEquals(4.0, t[40], 0.0);
        // by index: column 2 is s1, the temperature
        assertEquals(
                300.531921,
                XvgParser.column("T", "energy-four-terms.xvg", 2)
                        .first()
                        .parse(dir)
                        .get("T"),
                0.0);
        assertEquals(
                95.514114,
                OutputParsers.xvg("T", "energy-four-terms.xvg", "Temperature")
                        .parse(dir)
                        .get("T"),
                0.0);
    }

    @Test
    void theWholeTableWithLegendsAndAxisLabel() throws Exception {
        copy("energy-box.xvg");
        XvgParser.Table table = XvgParser.read(dir.resolve("energy-box.xvg"));
        assertEquals("Time (ps)", table.xLabel());
        // gmx energy orders the terms its own way (Box-X before Pres-XX, whatever order they were asked in)
        assertEquals(List.of("Box-X", "Pres-XX"), table.legends());
        assertEquals(3, table.columnCount());
        assertEquals(21, table.rowCount());
        assertEquals(26, table.lineOf(0));
        assertArrayEquals(
                new double[] {3.174492, 280.994141}, new double[] {table.column(1)[0], table.column(2)[0]}, 0.0);
        assertEquals(
                -333.633057,
                XvgParser.column("p", "energy-box.xvg", "Pres-XX").parse(dir).get("p"),
                0.0);
    }

    @Test
    void aValueThatIsNotANumberIsReportedAtItsLine() throws Exception {
        broken("cut.xvg", "energy-four-terms.xvg", 40, "    1.200000   -5.0123  95.1 -12.5 12x4.5");
        OutputParseException e = assertThrows(
                OutputParseException.class,
                () -> XvgParser.column("rho", "cut.xvg", "Density").mean().parse(dir));
        assertTrue(e.getMessage().contains("cut.xvg:40: '12x4.5' in column 4 is not a number"), e.getMessage());
        assertTrue(e.excerpt().contains("> 40:     1.200000   -5.0123  95.1 -12.5 12x4.5"), e.excerpt());
    }

    @Test
    void aRowWithAnotherNumberOfColumnsIsReportedAtItsLine() throws Exception {
        broken("short.xvg", "energy-four-terms.xvg", 68, "    4.000000   -4.689573   95.5");
        OutputParseException e = assertThrows(
                OutputParseException.class,
                () -> XvgParser.column("pe", "short.xvg", "Potential").parse(dir));
        assertTrue(
                e.getMessage().contains("short.xvg:68: this row has 3 columns, the rows before it have 5 (line 28)"),
                e.getMessage());
    }

    @Test
    void anUnterminatedLegendIsReportedAtItsLine() throws Exception {
        broken("quote.xvg", "energy-four-terms.xvg", 27, "@ s3 legend \"Density");
        OutputParseException e = assertThrows(
                OutputParseException.class,
                () -> XvgParser.column("rho", "quote.xvg", "Density").parse(dir));
        assertTrue(e.getMessage().contains("quote.xvg:27: the label \"Density has no closing quote"), e.getMessage());
    }

    @Test
    void aLegendThatNoColumnHasListsTheLegends() throws Exception {
        copy("energy-four-terms.xvg");
        OutputParseException e = assertThrows(
                OutputParseException.class,
                () -> XvgParser.column("rho", "energy-four-terms.xvg", "Densty").parse(dir));
        assertEquals(
                "cannot parse 'energy-four-terms.xvg' with xvg 'Densty' (last row) for 'rho': energy-four-terms.xvg: no"
                        + " column has the legend 'Densty' (did you mean 'Density'?); its legends are 'Potential',"
                        + " 'Temperature', 'Pressure', 'Density'; excerpt:",
                e.getMessage().lines().findFirst().orElseThrow());
        // no legend is near: none is suggested
        OutputParseException far = assertThrows(
                OutputParseException.class,
                () -> XvgParser.column("v", "energy-four-terms.xvg", "Volume").parse(dir));
        assertTrue(
                far.getMessage()
                        .contains("energy-four-terms.xvg: no column has the legend 'Volume'; its legends are"
                                + " 'Potential', 'Temperature', 'Pressure', 'Density'; excerpt:"),
                far.getMessage());
        OutputParseException index = assertThrows(
                OutputParseException.class,
                () -> XvgParser.column("x", "energy-four-terms.xvg", 7).parse(dir));
        assertTrue(
                index.getMessage().contains("energy-four-terms.xvg:28: asked for column 7, the rows have columns 0..4"),
                index.getMessage());
    }

    /**
     * A term whose outputs misname three columns of the file that a real process wrote: one run
     * names all three, each with the legend it is near, after those that were found.
     */
    @Test
    void everyLegendThatNoColumnHasIsReportedAtOnce() throws Exception {
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("energies")
                .workDirectory(dir)
                .command(
                        "cp",
                        TestSupport.resource("/external/xvg/energy-four-terms.xvg")
                                .toString(),
                        "energy.xvg")
                .output(XvgParser.column("t", "energy.xvg", "Temperature").mean())
                .output(XvgParser.column("pe", "energy.xvg", "Potental").last())
                .output(XvgParser.column("rho", "energy.xvg", "Density").mean())
                .output(XvgParser.column("p", "energy.xvg", "Presure").mean())
                .output(XvgParser.column("pe0", "energy.xvg", "Potental").first())
                .output(XvgParser.column("v", "energy.xvg", "Volume").mean())
                .build();
        org.chemfit.Parameters p = org.chemfit.Parameters.of(java.util.Map.of("x", 1.0));
        org.chemfit.TermFailedException e = assertThrows(
                org.chemfit.TermFailedException.class, () -> c.compute(p, new org.chemfit.EvaluationContext(p, "e1")));
        Path run = e.runDirectory().orElseThrow();
        assertEquals(
                "external term 'energies' failed at step parse: cannot parse 'energy.xvg' with xvg 'Potental' (last"
                        + " row) for 'pe', xvg 'Presure' (mean) for 'p', xvg 'Potental' (first row) for 'pe0' and xvg"
                        + " 'Volume' (mean) for 'v': energy.xvg: no column has the legends 'Potental' (did you mean"
                        + " 'Potential'?), 'Presure' (did you mean 'Pressure'?) and 'Volume'; its legends are"
                        + " 'Potential', 'Temperature', 'Pressure', 'Density' (run directory " + run + "); excerpt:",
                e.getMessage().lines().findFirst().orElseThrow());
        OutputParseException cause = (OutputParseException) e.getCause();
        assertEquals("energy.xvg", cause.file());
    }

    @Test
    void aLegendBeyondTheRowsIsReportedAtTheLegendsLine() throws Exception {
        broken("extra.xvg", "energy-box.xvg", 25, "@ s4 legend \"Pres-XX\"");
        OutputParseException e = assertThrows(
                OutputParseException.class,
                () -> XvgParser.column("p", "extra.xvg", "Pres-XX").parse(dir));
        assertTrue(
                e.getMessage()
                        .contains(
                                "extra.xvg:25: the legend 'Pres-XX' (s4) names column 5, but the rows have only 3 columns"),
                e.getMessage());
    }

    @Test
    void anEmptyWindowAndAnEmptyFileAndASecondDataSet() throws Exception {
        copy("energy-box.xvg");
        OutputParseException w = assertThrows(
                OutputParseException.class,
                () -> XvgParser.column("p", "energy-box.xvg", "Pres-XX")
                        .window(10, 20)
                        .mean()
                        .parse(dir));
        assertTrue(
                w.getMessage()
                        .contains("energy-box.xvg: no row has x in [10, 20]; x runs from 2 (line 26) to 4 (line 46)"),
                w.getMessage());

        Files.writeString(dir.resolve("empty.xvg"), "# made by a run that died\n@ s0 legend \"Potential\"\n");
        OutputParseException empty = assertThrows(
                OutputParseException.class,
                () -> XvgParser.column("pe", "empty.xvg", "Potential").parse(dir));
        assertTrue(
                empty.getMessage().contains("empty.xvg:3: no rows of numbers in the file (did the program finish?)"),
                empty.getMessage());

        Files.writeString(dir.resolve("two.xvg"), "@ s0 legend \"g\"\n0 1\n1 2\n&\n0 3\n");
        OutputParseException two = assertThrows(
                OutputParseException.class,
                () -> XvgParser.column("g", "two.xvg", "g").parse(dir));
        assertTrue(
                two.getMessage()
                        .contains("two.xvg:5: a second data set begins here (the first ended with '&' at line 4)"),
                two.getMessage());
    }

    @Test
    void aNonFiniteValueIsRefusedWhereItIsChosen() throws Exception {
        Files.writeString(dir.resolve("nan.xvg"), "@ legend string 0 \"Potential\"\n0 -1.0\n1 -nan\n");
        assertEquals(
                -1.0,
                XvgParser.column("pe", "nan.xvg", "Potential")
                        .first()
                        .parse(dir)
                        .get("pe"),
                0.0);
        OutputParseException e = assertThrows(
                OutputParseException.class,
                () -> XvgParser.column("pe", "nan.xvg", "Potential").mean().parse(dir));
        assertTrue(
                e.getMessage().contains("nan.xvg:3: the value in column 1 ('Potential') is NaN, not a finite number"),
                e.getMessage());
        XvgParser.Table t = XvgParser.read(dir.resolve("nan.xvg"));
        assertNull(t.xLabel());
    }

    @Test
    void factoriesRefuseBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> XvgParser.column("q", "e.xvg", " "));
        assertThrows(IllegalArgumentException.class, () -> XvgParser.column("q", "e.xvg", -1));
        assertThrows(IllegalArgumentException.class, () -> XvgParser.column("q", "/abs/e.xvg", 1));
        IllegalArgumentException w = assertThrows(
                IllegalArgumentException.class,
                () -> XvgParser.column("q", "e.xvg", 1).window(5, 1));
        assertEquals("an xvg window must have start <= end, got [5.0, 1.0]", w.getMessage());
    }
}
