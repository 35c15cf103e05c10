package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The numbers of predictions.csv and evaluations.csv: plain decimals from 1e-4 to below 1e16, an
 * exponent outside, each reading back to the very double.
 */
class CsvNumbersTest {

    @TempDir
    Path tmp;

    @Test
    void plainDecimalsInTheMiddleAndExponentsOutside() {
        assertEquals("-0.000285", Judgement.csvNumber(-2.85e-4));
        assertEquals("0.0001", Judgement.csvNumber(1e-4));
        assertEquals("0.0052", Judgement.csvNumber(0.0052));
        assertEquals("136.909", Judgement.csvNumber(136.909));
        assertEquals("12345678.0", Judgement.csvNumber(12_345_678.0));
        assertEquals("1234567.0", Judgement.csvNumber(1_234_567.0));
        assertEquals("0.0", Judgement.csvNumber(0.0));
        assertEquals("-0.0", Judgement.csvNumber(-0.0));
        assertEquals("9.99e-5", Judgement.csvNumber(9.99e-5));
        assertEquals("1.5e-300", Judgement.csvNumber(1.5e-300));
        assertEquals("1.0e16", Judgement.csvNumber(1e16));
        assertEquals("Infinity", Judgement.csvNumber(Double.POSITIVE_INFINITY));
    }

    @Test
    void everyNumberReadsBackToTheSameDouble() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 100_000; i++) {
            // doubles of every exponent, and of the decades around the switch to a plain decimal
            double x = i % 2 == 0
                    ? Double.longBitsToDouble(random.nextLong())
                    : (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(-8, 20));
            if (Double.isNaN(x)) {
                continue;
            }
            String s = Judgement.csvNumber(x);
            assertEquals(Double.doubleToRawLongBits(x), Double.doubleToRawLongBits(Double.parseDouble(s)), s);
            assertFalse(s.contains("E"), s);
        }
    }

    @Test
    void theFilesOfAFitWriteNoJavaExponent() throws IOException {
        Path jobs = Cli.resource("jobs");
        Path job = tmp.resolve("fit.yaml");
        Files.writeString(
                job,
                Files.readString(jobs.resolve("two-terms.yaml"))
                                .replace(
                                        "reference: data/energies.csv",
                                        "reference: " + jobs.resolve("data/energies.csv"))
                                .replace("max_evaluations: 60", "max_evaluations: 40")
                        + "output: {plots: false}\n");
        Path out = tmp.resolve("out");
        Cli.Run fit = Cli.run("fit", job.toString(), "-q", "--output", out.toString());
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        int cells = 0;
        for (String file : List.of("predictions.csv", "evaluations.csv")) {
            List<String> lines = Files.readAllLines(out.resolve(file));
            for (String line : lines.subList(1, lines.size())) {
                for (String cell : line.split(",")) {
                    if (cell.matches("-?[0-9].*")) {
                        assertFalse(cell.contains("E"), file + ": " + line);
                        Double.parseDouble(cell);
                        cells++;
                    }
                }
            }
        }
        assertTrue(cells > 100, "numbers read: " + cells);
    }
}
