package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class XyzTest {

    @TempDir
    Path dir;

    @Test
    void readsTheSharedExtendedXyzFiles() {
        Atoms a = Xyz.read(ExampleData.example("water-dimer").resolve("atoms_3.0.xyz"));
        assertEquals(List.of("O", "H", "H", "O", "H", "H"), a.speciesList());
        assertArrayEquals(new double[] {9.71123939, 8.57227402, 9.99998742}, a.position(0), 0.0);
        assertArrayEquals(new double[] {9.41972684, 11.92980531, 10.77180017}, a.position(5), 0.0);
        assertArrayEquals(new double[][] {{25, 0, 0}, {0, 25, 0}, {0, 0, 25}}, a.cell());
        assertArrayEquals(new boolean[] {true, true, true}, a.pbc());
        assertNull(a.molecules());
        // the O-O distance of the file named 3.0 is 3.0 Å
        assertEquals(3.0, a.distance(0, 3), 1e-3);
    }

    @Test
    void writesAndReadsBackExactly() {
        Atoms a = Atoms.of(List.of("O", "H", "H"), new double[][] {
                    {0.1, 1.0 / 3, -2e-7}, {1.23456789012345, 0, 0}, {0, 0.7, 0.6}
                })
                .withCell(new double[][] {{10, 0, 0}, {1, 9, 0}, {0, 0, 8.5}}, true, false, true)
                .withMolecules(4, 4, 4)
                .withEnergy(-1.0 / 7)
                .withInfo(Map.of("config", "gas phase"));
        Path f = dir.resolve("out.xyz");
        Xyz.write(f, List.of(a, a.withEnergy(2.5)));
        List<Atoms> back = Xyz.readAll(f);
        assertEquals(2, back.size());
        assertEquals(a, back.get(0));
        assertEquals(2.5, back.get(1).energy().getAsDouble());
        assertEquals(2.5, Xyz.read(f).energy().getAsDouble(), "read returns the last frame, as ase.io.read");
        assertEquals("gas phase", back.get(0).info().get("config"));
    }

    @Test
    void aFileSavedWithAByteOrderMarkIsRead() {
        // editors on Windows save UTF-8 with a byte order mark before the atom count
        Atoms a = Xyz.parse(Path.of("bom.xyz"), "\uFEFF1\nenergy=-0.5\nAr 1 2 3\n")
                .get(0);
        assertEquals(List.of("Ar"), a.speciesList());
        assertEquals(-0.5, a.energy().getAsDouble(), 0.0);
    }

    @Test
    void readsPlainXyzWithAFreeTextCommentAndExtraColumns() {
        List<Atoms> frames = Xyz.parse(
                Path.of("plain.xyz"),
                "2\nargon dimer, no cell\nAr 0 0 0\nAr 0 0 3.8 extra\n" + "1\nenergy=-0.5 single atom\nAr 1 2 3\n");
        assertEquals(2, frames.size());
        assertFalse(frames.get(0).hasCell());
        assertFalse(frames.get(0).energy().isPresent());
        assertEquals(3.8, frames.get(0).distance(0, 1), 0.0);
        assertEquals(-0.5, frames.get(1).energy().getAsDouble());
    }

    @Test
    void anExtraColumnIsRefusedInAnExtendedFrameOnly() {
        // the first frame is plain XYZ (extra columns are common there), the second extended
        String text = "1\nplain\nAr 0 0 0 9.5\n" + "2\nProperties=species:S:1:pos:R:3 pbc=\"F F F\"\n"
                + "Ar 0 0 0\nAr 0.0 0.0 3.8 5.0\n";
        InputFormatException e = assertThrows(InputFormatException.class, () -> Xyz.parse(Path.of("data/x.xyz"), text));
        assertEquals(
                "data/x.xyz:7: expected 4 columns for atom 2 of 2, as Properties=species:S:1:pos:R:3 describes"
                        + " (species pos[0] pos[1] pos[2]), got 5: 'Ar 0.0 0.0 3.8 5.0'",
                e.getMessage());
        assertEquals(7, e.line());
        List<Atoms> plain = Xyz.parse(Path.of("data/x.xyz"), text.substring(0, text.indexOf("2\nProperties")));
        assertEquals(1, plain.size());
        assertArrayEquals(new double[] {0, 0, 0}, plain.get(0).position(0), 0.0);
    }

    @Test
    void bareWordsInAPlainCommentAreNotKeys() {
        for (String comment : List.of("simple cubic lattice", "pbc flags unknown", "properties of argon", "Lattice")) {
            Atoms a = Xyz.parse(Path.of("plain.xyz"), "1\n" + comment + "\nAr 0 0 0\n")
                    .get(0);
            assertFalse(a.hasCell(), comment);
        }
    }

    @Test
    void readsExtendedPropertiesMoleculesAndPbc() {
        String text = "3\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3:forces:R:3:mol-id:I:1 "
                + "energy=-3.25 pbc=\"T T F\"\n"
                + "O 0 0 0 0.1 0.2 0.3 7\nH 0.96 0 0 0 0 0 7\nH 4.5 0 0 0 0 0 8\n";
        Atoms a = Xyz.parse(Path.of("m.xyz"), text).get(0);
        assertArrayEquals(new int[] {7, 7, 8}, a.molecules());
        assertArrayEquals(new boolean[] {true, true, false}, a.pbc());
        assertEquals(-3.25, a.energy().getAsDouble());
        assertEquals(0.5, a.distance(0, 2), 1e-12);
    }

    /** Malformed files: the message names the file, the line and what was expected. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            count is not a number  | two\\ncomment\\nAr 0 0 0\\n                                         | 1 | expected the number of atoms (a whole number) at the start of a frame, got 'two'
            file ends early        | 3\\ncomment\\nAr 0 0 0\\nAr 0 0 1\\n                              | 5 | expected 3 atom lines (lines 3-5), got the end of the file after 2
            missing comment line   | 1                                                                     | 2 | expected a comment line after the atom count 1
            too few columns        | 2\\ncomment\\nAr 0 0 0\\nAr 0 0\\n                                  | 4 | expected 4 columns (species x y z) for atom 2 of 2, got 3: 'Ar 0 0'
            coordinate not numeric | 2\\ncomment\\nAr 0 0 0\\nAr 0 zero 1\\n                             | 4 | expected a finite number for coordinate y of atom 2, got 'zero'
            coordinate is NaN      | 1\\ncomment\\nAr NaN 0 0\\n                                          | 3 | expected a finite number for coordinate x of atom 1, got 'NaN'
            species is a number    | 1\\ncomment\\n1.5 0 0 0\\n                                           | 3 | expected a chemical symbol in column 1, got '1.5'
            lattice of 8 numbers   | 1\\nLattice="5 0 0 0 5 0 0 0" pbc="T T T"\\nAr 0 0 0\\n              | 2 | expected Lattice= to hold 9 numbers (three cell vectors), got 8
            lattice not numeric    | 1\\nLattice="5 0 0 0 5 0 0 0 x"\\nAr 0 0 0\\n                        | 2 | expected a finite number for Lattice component 9, got 'x'
            singular lattice       | 1\\nLattice="5 0 0 5 0 0 0 0 5"\\nAr 0 0 0\\n                        | 2 | expected a Lattice of three independent vectors
            bad pbc flag           | 1\\nLattice="5 0 0 0 5 0 0 0 5" pbc="T Y T"\\nAr 0 0 0\\n            | 2 | expected pbc= to hold 3 flags (T or F), got 'T Y T'
            pbc without lattice    | 1\\npbc="T T T"\\nAr 0 0 0\\n                                        | 2 | expected a Lattice= key, since pbc= marks a direction periodic
            unbalanced quote       | 1\\nLattice="5 0 0 0 5 0 0 0 5 pbc=T\\nAr 0 0 0\\n                   | 2 | expected key=value pairs with balanced double quotes
            properties not triples | 1\\nProperties=species:S:1:pos:R\\nAr 0 0 0\\n                       | 2 | expected Properties= as name:type:count triples, got 'species:S:1:pos:R'
            properties bad type    | 1\\nProperties=species:S:1:pos:R:3:q:X:1\\nAr 0 0 0 1\\n             | 2 | expected the type of property 'q' to be S, R, I or L in Properties=, got 'X'
            properties lack pos    | 1\\nProperties=species:S:1:xyz:R:3\\nAr 0 0 0\\n                     | 2 | expected Properties= to name species:S:1 and pos:R:3
            property named twice   | 1\\nProperties=species:S:1:pos:R:3:q:R:1:pos:R:3\\nAr 0 0 0 1 0 0 0\\n | 2 | expected each property once in Properties=, got 'pos' as property 2 and 'pos' as property 4: 'species:S:1:pos:R:3:q:R:1:pos:R:3'
            molecule named twice   | 1\\nProperties=species:S:1:pos:R:3:molecule:I:1:mol-id:I:1\\nAr 0 0 0 1 1\\n | 2 | expected each property once in Properties=, got 'molecule' as property 3 and 'mol-id' as property 4 (two names of the molecule index)
            extra column not int   | 1\\nProperties=species:S:1:pos:R:3:tag:I:1\\nAr 0 0 0 x\\n           | 3 | expected an integer in column 5, got 'x'
            molecule not int       | 1\\nProperties=species:S:1:pos:R:3:molecule:I:1\\nAr 0 0 0 1.5\\n    | 3 | expected an integer molecule index in column 5, got '1.5'
            extended extra column  | 1\\nProperties=species:S:1:pos:R:3\\nAr 0.0 0.0 0.0 5.0\\n              | 3 | expected 4 columns for atom 1 of 1, as Properties=species:S:1:pos:R:3 describes (species pos[0] pos[1] pos[2]), got 5: 'Ar 0.0 0.0 0.0 5.0'
            lattice extra column   | 1\\nLattice="5 0 0 0 5 0 0 0 5"\\nAr 0 0 0 5\\n                     | 3 | expected 4 columns for atom 1 of 1, as an extended XYZ comment line without Properties= means species:S:1:pos:R:3 (species x y z), got 5: 'Ar 0 0 0 5'
            extended too few       | 2\\nProperties=species:S:1:pos:R:3:q:R:1\\nAr 0 0 0 1\\nAr 0 0 0\\n  | 4 | expected 5 columns for atom 2 of 2, as Properties=species:S:1:pos:R:3:q:R:1 describes (species pos[0] pos[1] pos[2] q), got 4: 'Ar 0 0 0'
            energy not numeric     | 1\\nLattice="5 0 0 0 5 0 0 0 5" energy=low\\nAr 0 0 0\\n             | 2 | expected a finite number for energy=, got 'low'
            empty file             | \\n                                                                   | 1 | expected at least one frame
            """)
    void malformedFileNamesFileLineAndExpectation(String label, String text, int line, String expected)
            throws Exception {
        Path f = dir.resolve(label.replace(' ', '_') + ".xyz");
        Files.writeString(f, text.replace("\\n", "\n"));
        InputFormatException e = assertThrows(InputFormatException.class, () -> Xyz.read(f));
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(f, e.file());
        assertTrue(e.getMessage().startsWith(f + ":" + line + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected.trim()), e.getMessage());
    }

    @Test
    void unreadableFileNamesIt() {
        Path f = dir.resolve("missing.xyz");
        var e = assertThrows(org.chemfit.ChemFitException.class, () -> Xyz.read(f));
        assertEquals("cannot read structure file " + f + ": no such file or folder", e.getMessage());
    }

    /**
     * A comment line saved in Latin-1 ("Å" is the one byte 0xC5, which UTF-8 never has before a
     * space) is malformed at its line, naming the byte, its column and what it is in Latin-1; one
     * saved in Windows-1252 ("€" is 0x80) names what it is there; a UTF-16 file is said to be one.
     */
    @Test
    void textThatIsNotUtf8IsMalformedAtTheLineOfItsFirstBadByte() throws Exception {
        Path latin1 = dir.resolve("latin1.xyz");
        Files.write(latin1, "2\nAr dimer r = 3.8 \u00c5\nAr 0 0 0\nAr 0 0 3.8\n".getBytes(StandardCharsets.ISO_8859_1));
        InputFormatException e = assertThrows(InputFormatException.class, () -> Xyz.read(latin1));
        assertEquals(2, e.line());
        // "Ar dimer r = 3.8 " is 17 characters: the Å is the 18th
        assertEquals(
                latin1 + ":2: is not UTF-8 text: byte 0xC5 at column 18 cannot be read as UTF-8 (in Latin-1 and"
                        + " Windows-1252 it is '\u00c5', U+00C5); a structure file must be UTF-8 text: save it as UTF-8",
                e.getMessage());
        Path cp1252 = dir.resolve("cp1252.xyz");
        Files.write(cp1252, "1\nprice\nAr 0 0 0 \u20ac\n".getBytes(java.nio.charset.Charset.forName("windows-1252")));
        assertEquals(
                "is not UTF-8 text: byte 0x80 at column 10 cannot be read as UTF-8 (in Windows-1252 it is"
                        + " '\u20ac', U+20AC); a structure file must be UTF-8 text: save it as UTF-8",
                assertThrows(InputFormatException.class, () -> Xyz.readForces(cp1252))
                        .problem());
        Path utf16 = dir.resolve("utf16.xyz");
        Files.write(utf16, "\ufeff1\nx\nAr 0 0 0\n".getBytes(StandardCharsets.UTF_16LE));
        InputFormatException u = assertThrows(InputFormatException.class, () -> Xyz.readAll(utf16));
        assertEquals(1, u.line());
        assertEquals(
                "is not UTF-8 text: byte 0xFF at column 1 cannot be read as UTF-8 (the file is UTF-16); a structure"
                        + " file must be UTF-8 text: save it as UTF-8",
                u.problem());
    }

    /**
     * The bad byte's line counts line ends as the reader does (a bare carriage return of an old Mac
     * file, and CR LF once), and its column counts an emoji before it as one character.
     */
    @Test
    void theBadBytesLineAndColumnCountLineEndsAndCharactersAsTheReaderAndAnEditorDo() throws Exception {
        byte[] latin1Angstrom = "\u00c5".getBytes(StandardCharsets.ISO_8859_1);
        Path cr = dir.resolve("cr.xyz");
        Files.write(cr, concat("2\rAr dimer \ud83d\ude00 ".getBytes(StandardCharsets.UTF_8), latin1Angstrom));
        InputFormatException e = assertThrows(InputFormatException.class, () -> Xyz.read(cr));
        assertEquals(2, e.line(), e.getMessage());
        // "Ar dimer " is 9 characters and the emoji and its space 2 more: the byte is the 12th
        assertTrue(e.problem().startsWith("is not UTF-8 text: byte 0xC5 at column 12 "), e.problem());
        Path crlf = dir.resolve("crlf.xyz");
        Files.write(crlf, concat("2\r\nAr dimer\r\nAr 0 0 0 ".getBytes(StandardCharsets.UTF_8), latin1Angstrom));
        InputFormatException f = assertThrows(InputFormatException.class, () -> Xyz.read(crlf));
        assertEquals(3, f.line(), f.getMessage());
        assertTrue(f.problem().startsWith("is not UTF-8 text: byte 0xC5 at column 10 "), f.problem());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Test
    void aFolderOrAMissingFolderIsSaidInWordsNotByItsPathAgain() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("frames.xyz"));
        var e = assertThrows(org.chemfit.ChemFitException.class, () -> Xyz.read(folder));
        assertEquals("cannot read structure file " + folder + ": Is a directory", e.getMessage());
        Path nowhere = dir.resolve("no-folder").resolve("out.xyz");
        Atoms a = Atoms.of(List.of("Ar"), new double[][] {{0, 0, 0}});
        var w = assertThrows(org.chemfit.ChemFitException.class, () -> Xyz.write(nowhere, List.of(a)));
        assertEquals("cannot write structure file " + nowhere + ": no such file or folder", w.getMessage());
    }
}
