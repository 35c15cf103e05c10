package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reference CSV written with semicolons (a spreadsheet's export in many locales) is one problem,
 * said once at its header with the separator named, not again as the coordinate's column.
 */
class SemicolonCsvTest {

    @TempDir
    Path dir;

    /** @return a job of one atoms term with a coordinate column, whose reference CSV holds this text */
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
                        "    coordinate: {column: r, unit: A}",
                        "    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}",
                        ""));
        return job;
    }

    @Test
    void aSemicolonSeparatedReferenceIsOneProblemThatNamesTheSeparator() throws IOException {
        Path job = job("file;reference_energy;tag;r\nd1.xyz;-0.09;r1.6;1.6\nd2.xyz;-0.21;r1.7;1.7\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        String header = dir.resolve("ref.csv") + ":1: expected a header row with the columns 'file' (or 'path') and"
                + " 'reference_energy' (or 'energy'), and optionally 'tag' (or 'name'), in any case, got 'file;reference_energy;tag;r': its fields are"
                + " separated by semicolons, but a reference CSV is read with commas";
        assertTrue(r.err().contains(header), r::toString);
        assertEquals(
                1, r.err().split(java.util.regex.Pattern.quote("expected a header row"), -1).length - 1, r::toString);
        assertTrue(r.err().contains("1 problem found"), r::toString);
        // and of the decimal commas such a spreadsheet writes
        assertTrue(
                r.err()
                        .contains("and its numbers with decimal points (a spreadsheet that separates fields with"
                                + " semicolons writes decimal commas, 60,465539: set its decimal separator to a point before"
                                + " saving)"),
                r::toString);
    }

    /** A number with a decimal comma, in a file of commas (its fields quoted), is told to take a point. */
    @Test
    void aDecimalCommaIsToldToBeAPoint() throws IOException {
        Path job = job("file,reference_energy,tag,r\nd1.xyz,\"-0,09\",r1.6,1.6\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains("expected a finite number in column 'reference_energy' with a decimal point, not a"
                                + " comma (-0.09), got '-0,09'"),
                r::toString);
    }

    @Test
    void aCommaSeparatedReferenceWithoutTheCoordinatesColumnIsTheCoordinatesProblem() throws IOException {
        Path job = job("file,reference_energy,tag\nd1.xyz,-0.09,r1.6\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains("job.yaml:9:17: term 'curve' coordinate: "), r::toString);
        assertTrue(
                r.err().contains("expected a column 'r' in the header, got 'file,reference_energy,tag'"), r::toString);
    }
}
