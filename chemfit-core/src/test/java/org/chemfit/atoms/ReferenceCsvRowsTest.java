package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad row of a reference CSV is found in one reading, and a tag belongs to one row only. */
class ReferenceCsvRowsTest {

    @TempDir
    Path dir;

    @Test
    void aTagGivenTwiceNamesBothLines() throws IOException {
        Path csv = dir.resolve("e.csv");
        Files.writeString(csv, "file,reference_energy,tag\na.xyz,1.5,x\nb.xyz,2.5,y\n\nc.xyz,3.5,x\n");
        InputFormatException e = assertThrows(InputFormatException.class, () -> ReferenceCsv.read(csv));
        assertEquals(5, e.line());
        assertEquals(
                "tag 'x' is given twice, on lines 2 and 5; each row needs a tag of its own (it names the structure's"
                        + " term and its row of predictions): give each row its own tag in the 'tag' column",
                e.problem());
        assertEquals(0, e.getSuppressed().length);
    }

    @Test
    void tagsTakenFromFileNamesMustDifferToo() throws IOException {
        Path csv = dir.resolve("e.csv");
        Files.writeString(csv, "file,reference_energy\nd/a.xyz,1.5\ne/a.xyz,2.5\n");
        InputFormatException e = assertThrows(InputFormatException.class, () -> ReferenceCsv.read(csv));
        assertEquals(3, e.line());
        assertTrue(e.problem().startsWith("tag 'a' is given twice, on lines 2 and 3;"), e.problem());
    }

    @Test
    void everyBadRowIsAttachedUpToTwentyThenACount() throws IOException {
        Path csv = dir.resolve("e.csv");
        StringBuilder text = new StringBuilder("file,reference_energy,tag\ngood.xyz,1.0,good\n");
        for (int i = 0; i < 23; i++) {
            text.append(i % 2 == 0 ? "b" + i + ".xyz,x" + i + ",t" + i : "b" + i + ".xyz,1.0")
                    .append('\n');
        }
        Files.writeString(csv, text.toString());
        InputFormatException e = assertThrows(InputFormatException.class, () -> ReferenceCsv.read(csv));
        assertEquals(3, e.line());
        assertEquals("expected a finite number in column 'reference_energy', got 'x0'", e.problem());
        List<Integer> lines = new ArrayList<>();
        for (Throwable t : e.getSuppressed()) {
            lines.add(((InputFormatException) t).line());
        }
        // 23 bad rows: the first, 19 attached, and a count of the 3 left
        assertEquals(20, lines.size(), lines::toString);
        assertEquals(4, lines.get(0)); // b1.xyz: two fields where the header has three
        assertEquals(22, lines.get(18));
        InputFormatException more = (InputFormatException) e.getSuppressed()[19];
        assertEquals(23, more.line(), "the line of the first bad row not listed");
        assertEquals("and 3 more bad rows (the first 20 are listed)", more.problem());
    }

    @Test
    void eachBadFieldOfARowIsReportedAndATagCountsEvenWhenItsEnergyIsBad() throws IOException {
        Path csv = dir.resolve("e.csv");
        Files.writeString(csv, "file,reference_energy,tag\n,x,t\na.xyz,1.0,u\nb.xyz,,t\n");
        InputFormatException e = assertThrows(InputFormatException.class, () -> ReferenceCsv.read(csv));
        List<String> problems = new ArrayList<>();
        problems.add(e.line() + ": " + e.problem());
        for (Throwable t : e.getSuppressed()) {
            problems.add(((InputFormatException) t).line() + ": " + ((InputFormatException) t).problem());
        }
        assertEquals(
                List.of(
                        "2: expected a structure file name in column 'file', got an empty field",
                        "2: expected a finite number in column 'reference_energy', got 'x'",
                        "4: expected a finite number in column 'reference_energy', got ''",
                        "4: tag 't' is given twice, on lines 2 and 4; each row needs a tag of its own (it names the"
                                + " structure's term and its row of predictions): give each row its own tag in the"
                                + " 'tag' column"),
                problems);
    }

    @Test
    void readingWhatIsWellFormedReturnsTheGoodRowsAndHandsOverEveryProblem() throws IOException {
        Path csv = dir.resolve("e.csv");
        Files.writeString(
                csv,
                "file,reference_energy,tag,r\na.xyz,1.0,a,3.3\nb.xyz,x,b,3.4\nc.xyz,2.0,c,far\n"
                        + "d.xyz,3.0,d\ne.xyz,4.0,e,\n");
        List<String> problems = new ArrayList<>();
        List<ReferenceEntry> rows =
                ReferenceCsv.readWellFormed(csv, "R", p -> problems.add(p.line() + ": " + p.problem()));
        // a row whose only problem is its coordinate is well formed otherwise: its structure can be checked
        assertEquals(
                List.of("a", "c", "e"), rows.stream().map(ReferenceEntry::tag).toList());
        assertEquals(
                List.of(
                        "3: expected a finite number in column 'reference_energy', got 'x'",
                        "4: expected a finite number in column 'R', got 'far'",
                        "5: expected 4 fields as in the header (file,reference_energy,tag,r), got 3: 'd.xyz,3.0,d'",
                        "6: expected a finite number in column 'R', got ''"),
                problems);
        List<InputFormatException> none = new ArrayList<>();
        assertEquals(5, ReferenceCsv.readWellFormed(csv, "distance", none::add).size() + 2);
        assertEquals(2, none.size(), "a column the header lacks is left to column(): " + none);
    }

    /**
     * A CSV saved by a spreadsheet in Windows-1252 ("é" is the one byte 0xE9) is a problem at the
     * line of that byte, as the rows' problems are: {@code read} throws it, {@code readWellFormed}
     * hands it over and returns no row.
     */
    @Test
    void aCsvThatIsNotUtf8IsAProblemAtTheLineOfItsFirstBadByte() throws Exception {
        Path csv = dir.resolve("reference.csv");
        Files.write(
                csv,
                "file,reference_energy,tag\nd.xyz,-1.0,caf\u00e9\n"
                        .getBytes(java.nio.charset.Charset.forName("windows-1252")));
        InputFormatException e = assertThrows(InputFormatException.class, () -> ReferenceCsv.read(csv));
        // "d.xyz,-1.0,caf" is 14 characters: the é is the 15th
        assertEquals(
                csv + ":2: is not UTF-8 text: byte 0xE9 at column 15 cannot be read as UTF-8 (in Latin-1 and"
                        + " Windows-1252 it is '\u00e9', U+00E9); a reference CSV must be UTF-8 text: save it as UTF-8",
                e.getMessage());
        List<InputFormatException> problems = new ArrayList<>();
        assertEquals(List.of(), ReferenceCsv.readWellFormed(csv, null, problems::add));
        assertEquals(
                List.of(e.getMessage()),
                problems.stream().map(Throwable::getMessage).toList());
    }

    @Test
    void aMissingFileIsSaidInWords() {
        Path csv = dir.resolve("reference.csv");
        var e = assertThrows(org.chemfit.ChemFitException.class, () -> ReferenceCsv.read(csv));
        assertEquals("cannot read reference CSV " + csv + ": no such file or folder", e.getMessage());
    }
}
