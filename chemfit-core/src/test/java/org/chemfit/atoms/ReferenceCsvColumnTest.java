package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceCsvColumnTest {

    @TempDir
    Path dir;

    @Test
    void readsACoordinateColumnOneValuePerRow() throws IOException {
        Path csv = dir.resolve("e.csv");
        Files.writeString(csv, "file,reference_energy,tag,R\n\na.xyz,1.5,a,3.3\nb.xyz,-2.0,b,3.4\n");
        assertArrayEquals(new double[] {3.3, 3.4}, ReferenceCsv.column(csv, "r"), 0.0);
    }

    @Test
    void aMissingColumnOrABadValueNamesFileAndLine() throws IOException {
        Path csv = dir.resolve("e.csv");
        Files.writeString(csv, "file,reference_energy,tag,r\na.xyz,1.5,a,3.3\nb.xyz,-2.0,b,near\n");
        InputFormatException bad = assertThrows(InputFormatException.class, () -> ReferenceCsv.column(csv, "r"));
        assertTrue(
                bad.getMessage().contains("e.csv:3")
                        && bad.getMessage().contains("expected a finite number in column 'r', got 'near'"),
                bad.getMessage());
        InputFormatException missing =
                assertThrows(InputFormatException.class, () -> ReferenceCsv.column(csv, "distance"));
        assertTrue(
                missing.getMessage().contains("e.csv:1")
                        && missing.getMessage().contains("expected a column 'distance'"),
                missing.getMessage());
    }

    @Test
    void everyBadValueIsReportedAtOnceWithTheRowsOtherProblems() throws IOException {
        Path csv = dir.resolve("e.csv");
        Files.writeString(csv, "file,reference_energy,tag,r\na.xyz,x,a,3.3\nb.xyz,-2.0,b,abc\nc.xyz,-1.0,c,\n");
        InputFormatException e = assertThrows(InputFormatException.class, () -> ReferenceCsv.column(csv, "r"));
        assertEquals(2, e.line());
        assertEquals("expected a finite number in column 'reference_energy', got 'x'", e.problem());
        assertEquals(2, e.getSuppressed().length);
        InputFormatException second = (InputFormatException) e.getSuppressed()[0];
        InputFormatException third = (InputFormatException) e.getSuppressed()[1];
        assertEquals("3: expected a finite number in column 'r', got 'abc'", second.line() + ": " + second.problem());
        assertEquals("4: expected a finite number in column 'r', got ''", third.line() + ": " + third.problem());
    }
}
