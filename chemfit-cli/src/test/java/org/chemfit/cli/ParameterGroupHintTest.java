package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parameter named without its group ({@code sigma} for {@code lj.sigma}) is unknown, and the
 * message suggests the one parameter whose last segment it is, in {@code eval --set} as in the
 * job file's own references.
 */
class ParameterGroupHintTest {

    @TempDir
    Path tmp;

    @Test
    void evalSetOfANameWithoutItsGroupSuggestsTheParameter() {
        Path job = Cli.resource("jobs").resolve("lj.yaml");
        Cli.Run r = Cli.run("eval", job.toString(), "--set", "sigma=3.4");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                "error: --set names unknown parameter 'sigma' (did you mean 'lj.sigma'?); parameters: lj.epsilon,"
                        + " lj.sigma\n",
                r.err(),
                r::toString);
    }

    @Test
    void aNameThatEndsTwoParametersSuggestsNeither() throws IOException {
        Path job = tmp.resolve("two.yaml");
        Files.writeString(
                job,
                Files.readString(Cli.resource("jobs").resolve("lj.yaml"))
                        .replace(
                                "reference: data/",
                                "reference: " + Cli.resource("jobs").resolve("data") + "/")
                        .replace("parameters:\n", "parameters:\n  morse:\n    sigma: {initial: 1.0, fixed: true}\n"));
        Cli.Run r = Cli.run("eval", job.toString(), "--set", "sigma=3.4");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                "error: --set names unknown parameter 'sigma'; parameters: morse.sigma, lj.epsilon, lj.sigma\n",
                r.err(),
                r::toString);
    }
}
