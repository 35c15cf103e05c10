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
                // units in any case but M (which may be months), and a + before, as the schema's pattern
                "'1H'|3600000",
                "'2 Hours'|7200000",
                "'5 MIN'|300000",
                "'+1h'|3600000",
            })
    void aDurationIsSecondsOrPartsWithUnits(String written, long millis) throws IOException {
        assertEquals(
                Duration.ofMillis(millis),
                JobReader.read(job(written)).execution().timeout());
    }

    private static final String FORMS = "seconds (30), a number with a unit (500ms, 30s, 5m or 5min or 5mins, 2h,"
            + " 1d; also written as words: 10 minutes, 2 hours; in any case but M, which may be months), or several"
            + " of them, each unit once and the largest first (1h30m, 2h 15min)";

    /**
     * A duration that is none of the forms is refused at its value (line 8, column 12) with the
     * forms; a negative one and one over 365 days with their own rule.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "'1h30'|must be a positive duration: FORMS, got '1h30'",
                "'1msec'|must be a positive duration: FORMS, got '1msec'",
                "'1M'|must be a positive duration: FORMS, got '1M'",
                "'1h 1h'|must be a positive duration: FORMS, got '1h 1h'",
                "'30m1h'|must be a positive duration: FORMS, got '30m1h'",
                "'-5m'|must be a positive duration, got '-5m'",
                "'8761h'|must be at most 365 days (8760h), got '8761h'",
                "'99999999999999999999999d'|must be at most 365 days (8760h), got '99999999999999999999999d'",
            })
    void anotherDurationIsRefusedAtItsValueWithTheRule(String written, String rule) throws IOException {
        Path job = job(written);
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                job + ":8:12: execution timeout " + rule.replace("FORMS", FORMS),
                r.err().lines().findFirst().orElse(""),
                r::toString);
    }

    /**
     * A term's kill_grace may be 0, written as a number or with a unit, and is otherwise a duration
     * as a timeout is; a negative one is refused with the rule "a duration of 0 or more", not "a
     * positive duration".
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0|0",
                "'0s'|0",
                "'0 ms'|0",
                "'500ms'|500",
                "'1m 30s'|90000",
            })
    void killGraceIsADurationOfZeroOrMore(String written, long millis) throws IOException {
        JobFile.TermSpec term = JobReader.read(graceJob(written)).terms().get(0);
        assertEquals(Duration.ofMillis(millis), ((JobFile.ExternalConfig) term.config()).killGrace());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "'-1s'|must be a duration of 0 or more, got '-1s'",
                "-3|must be a duration of 0 or more: seconds (5) or a number with a unit (500ms, 5s), got -3",
                "'soon'|must be a duration of 0 or more: FORMS, got 'soon'",
            })
    void aNegativeKillGraceIsRefusedAsADurationOfZeroOrMore(String written, String rule) throws IOException {
        Path job = graceJob(written);
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                job + ":7:17: term 'sim' kill_grace " + rule.replace("FORMS", FORMS),
                r.err().lines().findFirst().orElse(""),
                r::toString);
    }

    private Path graceJob(String written) throws IOException {
        Path job = dir.resolve("grace.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters: {a: {initial: 1.0, bounds: [0.0, 2.0]}}",
                        "terms:",
                        "  - name: sim",
                        "    kind: external",
                        "    command: [echo, hi]",
                        "    outputs: {energy: {parser: json, file: out.json, path: /energy}}",
                        "    kill_grace: " + written,
                        "    reference: {energy: 1.0}",
                        ""));
        return job;
    }

    private Path job(String written) throws IOException {
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
        return job;
    }
}
