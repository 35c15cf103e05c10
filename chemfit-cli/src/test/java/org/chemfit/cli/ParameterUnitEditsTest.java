package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parameter's unit edited between runs takes no part in the fit, so the run goes on; but the
 * numbers it recorded are in the unit it had, and the fit says so rather than showing them in the
 * new unit without a word. Another spelling of the same unit is no edit.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ParameterUnitEditsTest {

    @TempDir
    Path tmp;

    /** The known Lennard-Jones job, its epsilon in {@code unit} (none when null). */
    private Path job(String file, String unit) throws IOException {
        return job(file, unit, null);
    }

    /** The known Lennard-Jones job, its epsilon in {@code unit} and its sigma in {@code length} (none when null). */
    private Path job(String file, String unit, String length) throws IOException {
        Path lj = Cli.resource("jobs/lj.yaml");
        String text = Files.readString(lj)
                .replace("reference: data/energies.csv", "reference: '" + lj.resolveSibling("data/energies.csv") + "'");
        if (unit != null) {
            text = text.replace(
                    "epsilon: {initial: 1.0, bounds: [0.1, 10.0]}",
                    "epsilon: {initial: 1.0, bounds: [0.1, 10.0], unit: '" + unit + "'}");
        }
        if (length != null) {
            text = text.replace(
                    "sigma: {initial: 2.2, bounds: [1.0, 4.0]}",
                    "sigma: {initial: 2.2, bounds: [1.0, 4.0], unit: '" + length + "'}");
        }
        Path job = tmp.resolve(file);
        Files.writeString(job, text);
        return job;
    }

    private Cli.Run fit(Path job) {
        return Cli.run("fit", job.toString(), "-o", tmp.resolve("out").toString(), "--progress", "none", "--no-plots");
    }

    @Test
    void aUnitEditedAfterTheRunIsWarnedOfAndAnotherSpellingIsNot() throws IOException {
        Cli.Run first = fit(job("kj.yaml", "kj/mol"));
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        // the same unit spelt otherwise: nothing to say
        Cli.Run respelt = fit(job("kJ.yaml", "kJ/mol"));
        assertEquals(ExitCodes.OK, respelt.code(), respelt::toString);
        assertFalse(respelt.err().contains("is not the one run"), respelt::toString);

        // the run now records the unit as the last command gave it
        Cli.Run edited = fit(job("kcal.yaml", "kcal/mol"));
        assertEquals(ExitCodes.OK, edited.code(), edited::toString);
        assertTrue(
                edited.err()
                        .contains(
                                "warning: the unit of a parameter is not the one run 1 last recorded (lj.epsilon: kJ/mol ->"
                                        + " kcal/mol): units are labels and nothing is converted"),
                edited::toString);

        Cli.Run none = fit(job("none.yaml", null));
        assertTrue(none.err().contains("(lj.epsilon: kcal/mol -> (none))"), none::toString);

        // a length spelt otherwise is no edit either; the warning is not printed under --quiet
        Cli.Run angstrom = fit(job("a.yaml", null, "A"));
        Cli.Run respeltLength = fit(job("aa.yaml", null, "Å"));
        assertFalse(respeltLength.err().contains("is not the one"), respeltLength::toString);
        Path kcal = job("quiet.yaml", "kcal/mol", "Angstrom");
        Cli.Run quiet = Cli.run(
                "fit", kcal.toString(), "-o", tmp.resolve("out").toString(), "--progress", "none", "--no-plots", "-q");
        assertEquals(ExitCodes.OK, quiet.code(), quiet::toString);
        assertFalse(quiet.err().contains("warning"), quiet::toString);
        assertEquals(ExitCodes.OK, angstrom.code(), angstrom::toString);
    }
}
