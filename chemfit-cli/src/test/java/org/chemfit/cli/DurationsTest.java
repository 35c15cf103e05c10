package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A duration is a number of seconds or one or more numbers with units: {@code 1h30m} is 5400
 * seconds, {@code 10mins} 600, and a bare number is seconds, as job-file.md says.
 */
class DurationsTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "10|10000",
                "'90s'|90000",
                "'500ms'|500",
                "'5min'|300000",
                "'10mins'|600000",
                "'10 minutes'|600000",
                "'1h30m'|5400000",
                "'2h 15min'|8100000",
                "'1 hour 30 secs'|3630000",
                "'1.5h'|5400000",
                "'1d'|86400000",
            })
    void aDurationIsSecondsOrPartsWithUnits(String written, long millis) throws IOException {
        Files.writeString(dir.resolve("ref.csv"), "file,reference_energy\nd.xyz,-0.1\n");
        Files.writeString(dir.resolve("d.xyz"), "2\n\nAr 0 0 0\nAr 3.8 0 0\n");
        Path job = dir.resolve("job.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters:",
                        "  lj: {epsilon: 1.0, sigma: 3.4}",
                        "terms:",
                        "  - kind: atoms",
                        "    reference: ref.csv",
                        "    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}",
                        "execution:",
                        "  timeout: " + written,
                        ""));
        assertEquals(Duration.ofMillis(millis), JobReader.read(job).execution().timeout());
    }
}
