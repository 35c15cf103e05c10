package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A header that names a column twice is refused by every way of reading a reference CSV; the
 * names of the structure column.
 */
class ReferenceCsvHeaderTest {

    @TempDir
    Path dir;

    @Test
    void aColumnNamedTwiceAfterTrimmingAndCaseNamesBothPositions() throws IOException {
        Path csv = dir.resolve("e.csv");
        Files.writeString(csv, "\n,file,reference_energy,tag, Reference_Energy \n0,a.xyz,1.5,a,2.5\n");
        InputFormatException e = assertThrows(InputFormatException.class, () -> ReferenceCsv.read(csv));
        // the header is the first line that is not blank: line 2 here
        assertEquals(2, e.line());
        assertEquals(csv, e.file());
        assertEquals(
                "column 'Reference_Energy' is named twice in the header, in columns 3 and 5 (names are compared"
                        + " without case and surrounding spaces); only one would be read: rename or remove the other",
                e.problem());
        assertEquals(csv + ":2: " + e.problem(), e.getMessage());
        assertEquals(0, e.getSuppressed().length);
    }

    @Test
    void aColumnTheReaderIgnoresMayNotRepeatEitherButUnnamedOnesMay() throws IOException {
        Path csv = dir.resolve("e.csv");
        Files.writeString(csv, ",,file,reference_energy,note,NOTE\n0,1,a.xyz,1.5,x,y\n");
        InputFormatException e = assertThrows(InputFormatException.class, () -> ReferenceCsv.read(csv));
        assertEquals(1, e.line());
        assertEquals(
                "column 'NOTE' is named twice in the header, in columns 5 and 6 (names are compared without case"
                        + " and surrounding spaces); only one would be read: rename or remove the other",
                e.problem());
        Files.writeString(csv, ",,file,reference_energy\n0,1,a.xyz,1.5\n");
        assertEquals(1.5, ReferenceCsv.read(csv).get(0).energy(), 0.0);
    }

    @Test
    void twoNamesOfOneColumnAreRefusedToo() throws IOException {
        Path csv = dir.resolve("e.csv");
        Files.writeString(csv, "file,energy,tag,reference_energy\na.xyz,1.5,a,2.5\n");
        InputFormatException e = assertThrows(InputFormatException.class, () -> ReferenceCsv.read(csv));
        assertEquals(1, e.line());
        assertEquals(
                "columns 2 ('energy') and 4 ('reference_energy') of the header both give the reference energy"
                        + " ('reference_energy' and 'energy' are two names of one column); only one would be read:"
                        + " rename or remove the other",
                e.problem());
        Files.writeString(csv, "name,file,reference_energy,Tag\nx,a.xyz,1.5,a\n");
        e = assertThrows(InputFormatException.class, () -> ReferenceCsv.read(csv));
        assertEquals(
                "columns 1 ('name') and 4 ('Tag') of the header both give the tag ('tag' and 'name' are two names"
                        + " of one column); only one would be read: rename or remove the other",
                e.problem());
    }

    /**
     * {@code path} is another name of {@code file}: its relative names are resolved against the
     * CSV's folder (a temporary folder here), not the working directory the test runs in.
     */
    @Test
    void aPathColumnIsRelativeToTheCsvsFolderAsAFileColumnIs() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("refs"));
        Path csv = sub.resolve("e.csv");
        Path cwd = Path.of("").toAbsolutePath();
        assertNotEquals(cwd, sub.toAbsolutePath());
        Files.writeString(csv, "path,reference_energy,tag\nxyz/a.xyz,1.5,a\n../b.xyz,2.5,b\n");
        List<ReferenceEntry> byPath = ReferenceCsv.read(csv);
        assertEquals(
                sub.resolve("xyz/a.xyz").toAbsolutePath().normalize(),
                byPath.get(0).file());
        assertEquals(
                dir.resolve("b.xyz").toAbsolutePath().normalize(), byPath.get(1).file());
        assertNotEquals(cwd.resolve("xyz/a.xyz").normalize(), byPath.get(0).file());
        Files.writeString(csv, "file,reference_energy,tag\nxyz/a.xyz,1.5,a\n../b.xyz,2.5,b\n");
        assertEquals(
                byPath.stream().map(ReferenceEntry::file).toList(),
                ReferenceCsv.read(csv).stream().map(ReferenceEntry::file).toList());

        // the two names of one column are refused together, as reference_energy and energy are
        Files.writeString(csv, "file,reference_energy,PATH\na.xyz,1.5,b.xyz\n");
        InputFormatException e = assertThrows(InputFormatException.class, () -> ReferenceCsv.read(csv));
        assertEquals(1, e.line());
        assertEquals(
                "columns 1 ('file') and 3 ('PATH') of the header both give the structure file ('file' and 'path'"
                        + " are two names of one column); only one would be read: rename or remove the other",
                e.problem());
        // an empty name is reported under the header's own name of the column
        Files.writeString(csv, "Path,reference_energy\n ,1.5\n");
        e = assertThrows(InputFormatException.class, () -> ReferenceCsv.read(csv));
        assertEquals(csv + ":2: expected a structure file name in column 'Path', got an empty field", e.getMessage());
        // an empty file is told every accepted name, as a header without them is
        Files.writeString(csv, "\n \n");
        e = assertThrows(InputFormatException.class, () -> ReferenceCsv.read(csv));
        assertEquals(
                csv + ":1: expected a header row with the columns 'file' (or 'path') and 'reference_energy' (or"
                        + " 'energy'), and optionally 'tag' (or 'name'), in any case, got an empty file",
                e.getMessage());
    }

    @Test
    void theColumnReaderAndTheWellFormedReaderRefuseItToo() throws IOException {
        Path csv = dir.resolve("e.csv");
        Files.writeString(csv, "file,reference_energy,tag,r,r\na.xyz,1.5,a,3.3,3.4\n");
        InputFormatException e = assertThrows(InputFormatException.class, () -> ReferenceCsv.column(csv, "R"));
        assertEquals(1, e.line());
        assertEquals(
                "column 'r' is named twice in the header, in columns 4 and 5 (names are compared without case and"
                        + " surrounding spaces); only one would be read: rename or remove the other",
                e.problem());
        List<String> problems = new ArrayList<>();
        List<ReferenceEntry> rows =
                ReferenceCsv.readWellFormed(csv, "r", p -> problems.add(p.line() + ": " + p.problem()));
        assertEquals(List.of(), rows);
        assertEquals(List.of("1: " + e.problem()), problems);
    }
}
