package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text of an input quoted in a message (a line of a reference CSV, a number as written) is cut to
 * its first 80 characters and its length: a CSV of one 4 MB line does not make a 4 MB message.
 */
class LongQuotedTextTest {

    @TempDir
    Path dir;

    /** @return a job of one atoms term whose reference CSV holds this text */
    private Path job(String csv) throws IOException {
        Files.writeString(dir.resolve("ref.csv"), csv);
        Path job = dir.resolve("job.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters:",
                        "  lj:",
                        "    epsilon: {initial: 1.0, bounds: [0.1, 10.0]}",
                        "    sigma: {initial: 2.2, bounds: [1.0, 4.0]}",
                        "terms:",
                        "  - name: curve",
                        "    kind: atoms",
                        "    reference: ref.csv",
                        "    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}",
                        ""));
        return job;
    }

    @Test
    void aCsvOfOneHugeLineIsQuotedByItsStart() throws IOException {
        String line = "x".repeat(4_000_000);
        Path job = job(line);
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains(dir.resolve("ref.csv") + ":1: expected a header row with the columns 'file' (or"
                                + " 'path') and 'reference_energy' (or 'energy'), and optionally 'tag' (or 'name'), in"
                                + " any case, got '" + "x".repeat(80)
                                + "... (4000000 characters)'\n"),
                () -> r.err().substring(0, Math.min(2000, r.err().length())));
        assertTrue(r.err().length() < 2000, () -> r.err().length() + " characters printed");
    }

    @Test
    void aNumberOfTwoHundredThousandDigitsIsQuotedByItsStart() throws IOException {
        Path dimer = Cli.resource("jobs/data/dimers/lj_1.900.xyz");
        String digits = "1".repeat(200_000);
        Path job = job("file,reference_energy,tag\n" + dimer + "," + digits + ",a\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains(dir.resolve("ref.csv") + ":2: expected a finite number in column 'reference_energy'"
                                + " at most 1e100 in magnitude, got '" + "1".repeat(80)
                                + "... (200000 characters)'"),
                () -> r.err().substring(0, Math.min(2000, r.err().length())));
        assertTrue(r.err().length() < 2000, () -> r.err().length() + " characters printed");
    }

    @Test
    void aRowOfTheWrongFieldCountIsQuotedByItsStart() throws IOException {
        String row = "a".repeat(100_000);
        Path job = job("file,reference_energy,tag\n" + row + "\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains(dir.resolve("ref.csv") + ":2: expected 3 fields as in the header"
                                + " (file,reference_energy,tag), got 1: '" + "a".repeat(80)
                                + "... (100000 characters)'"),
                () -> r.err().substring(0, Math.min(2000, r.err().length())));
    }
}
