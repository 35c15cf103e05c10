package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A loss that adds fitted terms whose losses are in different units (eV^2 and K^2) is warned of
 * by validate, eval and fit; terms that share a unit (however spelt), that are scaled, or of weight
 * 0 are not.
 */
class MixedLossUnitsTest {

    @TempDir
    Path tmp;

    /**
     * @return two-terms.yaml (light a squared error, heavy an absolute one: the loss's type is not
     *     compared) with these units for its terms light and heavy, and these extra lines for heavy
     */
    private Path job(String light, String heavy, String heavyExtra) throws IOException {
        Path jobs = Cli.resource("jobs");
        String text = Files.readString(jobs.resolve("two-terms.yaml"))
                .replace("reference: data/energies.csv", "reference: " + jobs.resolve("data/energies.csv"))
                .replace("    weight: 1.0\n", "    weight: 1.0\n    unit: " + light + "\n")
                .replace("    weight: 3.0\n", "    weight: 3.0\n    unit: " + heavy + "\n" + heavyExtra)
                .replace("max_evaluations: 60", "max_evaluations: 5");
        Path job = tmp.resolve("job.yaml");
        Files.writeString(job, text + "output: {folder: " + tmp.resolve("out") + ", plots: false}\n");
        return job;
    }

    private static final String WARNING = "warning: the loss adds terms whose errors are in different units: eV"
            + " ('light'); K ('heavy'); each term's share then follows the size of its unit, not how well it is met";

    @Test
    void termsInEvAndKelvinAreWarnedOfByValidateEvalAndFit() throws IOException {
        Path job = job("eV", "K", "");
        for (String command : new String[] {"validate", "eval", "fit"}) {
            Cli.Run r = command.equals("fit")
                    ? Cli.run(command, job.toString(), "--progress", "none")
                    : Cli.run(command, job.toString());
            assertEquals(ExitCodes.OK, r.code(), r::toString);
            assertEquals(1, r.err().lines().filter(l -> l.startsWith(WARNING)).count(), command + ": " + r);
        }
    }

    @Test
    void oneUnitHoweverSpeltScaledTermsAndMonitoredTermsAreNotWarnedOf() throws IOException {
        // one unit, spelt twice
        Cli.Run same = Cli.run("validate", job("eV", "EV", "").toString());
        assertEquals(ExitCodes.OK, same.code(), same::toString);
        assertFalse(same.err().contains("different units"), same::toString);

        // light scaled too: both dimensionless
        Path scaled = job("eV", "K", "");
        Files.writeString(
                scaled,
                Files.readString(scaled)
                        .replace(
                                "    unit: eV\n",
                                "    unit: eV\n    loss: {type: squared_error, scale: {energy: 0.01}}\n")
                        .replace(
                                "    loss: absolute_error\n",
                                "    loss: {type: absolute_error, scale: {energy: 10.0}}\n"));
        Cli.Run both = Cli.run("validate", scaled.toString());
        assertEquals(ExitCodes.OK, both.code(), both::toString);
        assertFalse(both.err().contains("different units"), both::toString);

        // the heavy term monitored (weight 0): the fitted one alone counts
        Path monitored = job("eV", "K", "");
        Files.writeString(monitored, Files.readString(monitored).replace("weight: 3.0", "weight: 0"));
        Cli.Run m = Cli.run("validate", monitored.toString());
        assertEquals(ExitCodes.OK, m.code(), m::toString);
        assertFalse(m.err().contains("different units"), m::toString);

        // one term scaled, the other not: dimensionless beside eV^2 is warned of
        Path half = job("eV", "K", "");
        Files.writeString(
                half,
                Files.readString(half)
                        .replace(
                                "    loss: absolute_error\n",
                                "    loss: {type: absolute_error, scale: {energy: 10.0}}\n"));
        Cli.Run h = Cli.run("validate", half.toString());
        assertEquals(ExitCodes.OK, h.code(), h::toString);
        assertTrue(h.err().contains("different units: eV ('light'); dimensionless ('heavy');"), h::toString);
    }

    /**
     * A term whose errors have no one unit (here a third term without a unit) is left out of the
     * comparison; the others are still compared.
     */
    @Test
    void aTermWithoutAUnitLeavesTheOthersCompared() throws IOException {
        Path job = job("eV", "K", "");
        String text = Files.readString(job);
        int heavy = text.indexOf("  - name: heavy");
        String third = "  - name: third\n    kind: atoms\n    reference: "
                + Cli.resource("jobs").resolve("data/energies.csv")
                + "\n    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}\n";
        Files.writeString(job, text.substring(0, heavy) + third + text.substring(heavy));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals(1, r.err().lines().filter(l -> l.startsWith(WARNING)).count(), r::toString);
    }

    /** Spellings of Å after an energy unit are one unit: eV/A beside eV/Å is not warned of. */
    @Test
    void spellingsOfAngstromAreOneLength() {
        assertEquals("eV/Å", EnergyUnits.sameUnit("eV/A"));
        assertEquals("eV/Å", EnergyUnits.sameUnit("EV / Angstrom"));
        assertEquals("kJ/mol/Å", EnergyUnits.sameUnit("kJ mol^-1/Ang"));
        assertEquals("eV/nm", EnergyUnits.sameUnit("eV/nm"));
        assertEquals("eV/Å", EnergyUnits.sameUnit("eV/ A"));
        assertEquals("eV/A", EnergyUnits.canonical("EV / A"));
        assertEquals("Pa", EnergyUnits.sameUnit("Pa"));
    }
}
