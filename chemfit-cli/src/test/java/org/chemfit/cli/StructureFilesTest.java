package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.chemfit.atoms.InputFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A structure file parsed once is kept; one that cannot be parsed throws, at every ask, an
 * exception of its own with the same message, so that what one caller adds to it (a suppressed
 * exception) reaches no other.
 */
class StructureFilesTest {

    @TempDir
    Path dir;

    @Test
    void aFileThatCannotBeParsedThrowsAnExceptionOfItsOwnAtEachAsk() throws IOException {
        Path broken = dir.resolve("broken.xyz");
        // a negative atom count on line 1, which Xyz refuses naming the file, the line and the count
        Files.writeString(broken, "-3\ncomment\n");
        StructureFiles files = new StructureFiles();
        String expected = broken + ":1: expected a non-negative number of atoms, got -3";

        InputFormatException first = assertThrows(InputFormatException.class, () -> files.atoms(broken));
        assertEquals(expected, first.getMessage());
        first.addSuppressed(new IllegalStateException("added by the first caller"));
        InputFormatException second = assertThrows(InputFormatException.class, () -> files.forces(broken));

        assertNotSame(first, second);
        assertEquals(expected, second.getMessage());
        assertEquals(1, first.line());
        assertEquals(1, second.line());
        assertArrayEquals(new Throwable[0], second.getSuppressed(), "nothing of the first caller's");
        assertEquals(2, files.parses(), "parsed again at the second ask");

        // a file that parses is parsed once, however often it is asked for
        Path argon = dir.resolve("ar.xyz");
        Files.writeString(argon, "1\ncomment\nAr 0.0 0.0 0.0\n");
        assertEquals(1, files.atoms(argon).size());
        assertEquals(1, files.atoms(dir.resolve("sub/../ar.xyz")).size());
        assertEquals(3, files.parses());
    }
}
