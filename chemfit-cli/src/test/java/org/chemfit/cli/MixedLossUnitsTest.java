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
 * A loss that adds one quantity of fitted terms in different units (energies in eV and in K) is warned of
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

    private static final String WARNING = "warning: the loss adds the energy of terms whose errors are in different"
            + " units: eV ('light'); K ('heavy'); each term's share then follows the size of its unit, not how well it"
            + " is met";

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
     * Weights that convert the units (an eV term's 1 beside a kcal/mol term's 1/23.0605^2, both squared
     * errors) make the terms compare: nothing to warn of. Other weights, or another loss type, are warned of.
     */
    @Test
    void weightsThatConvertTheUnitsAreNotWarnedOf() throws IOException {
        Path converted = job("eV", "kcal/mol", "");
        Files.writeString(
                converted,
                Files.readString(converted)
                        .replace("    loss: absolute_error\n", "")
                        .replace("weight: 3.0", "weight: 0.00188047"));
        Cli.Run r = Cli.run("validate", converted.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertFalse(r.err().contains("different units"), r::toString);

        Path unconverted = job("eV", "kcal/mol", "");
        Files.writeString(unconverted, Files.readString(unconverted).replace("    loss: absolute_error\n", ""));
        Cli.Run u = Cli.run("validate", unconverted.toString());
        assertTrue(u.err().contains("different units: eV ('light'); kcal/mol ('heavy');"), u::toString);
        assertTrue(
                u.err()
                        .contains("or weights that convert the units (1/23.0605^2 on a kcal/mol term's squared"
                                + " errors beside 1 on an eV term's)"),
                u::toString);

        // the same weights, the kcal/mol term's errors absolute: 1/23.0605 would convert them, not its square
        Path absolute = job("eV", "kcal/mol", "");
        Files.writeString(absolute, Files.readString(absolute).replace("weight: 3.0", "weight: 0.00188047"));
        Cli.Run a = Cli.run("validate", absolute.toString());
        assertTrue(a.err().contains("different units"), a::toString);
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

    /**
     * A term that fits energies and forces (two units) beside a term whose energies are in K: the
     * energies are still compared, and warned of; the forces, of one term only, are not.
     */
    @Test
    void aTermWithForcesStillHasItsEnergiesCompared() throws IOException {
        Path job = externalJob(
                "  - name: a\n" + external("{energy: 1.5, force: 0.5}", "{energy: eV, force: eV/A}"),
                "  - name: b\n" + external("{energy: 1.5}", "K"));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains("warning: the loss adds the energy of terms whose errors are in different units: eV"
                                + " ('a'); K ('b');"),
                r::toString);
        assertFalse(r.err().contains("the force of"), r::toString);
    }

    /** @return the lines of an external term after its name: outputs of in.txt's numbers, these references and unit */
    private static String external(String reference, String unit) {
        return "    kind: external\n    templates: {in.txt: in.tmpl}\n    command: [cat, in.txt]\n"
                + "    outputs:\n"
                + "      energy: {parser: regex, file: program.stdout, pattern: 'e = (\\S+)'}\n"
                + (reference.contains("force")
                        ? "      force: {parser: regex, file: program.stdout, pattern: 'f = (\\S+)'}\n"
                        : "")
                + "    reference: " + reference + "\n    unit: " + unit + "\n";
    }

    /** @return a job of these external terms, whose template prints e and f from x */
    private Path externalJob(String... terms) throws IOException {
        Files.writeString(tmp.resolve("in.tmpl"), "e = {{ x }}\nf = {{ x }}\n");
        return Files.writeString(
                tmp.resolve("external.yaml"),
                "parameters: {x: {initial: 1.0, bounds: [0.0, 2.0]}}\nterms:\n" + String.join("", terms)
                        + "output: {folder: " + tmp.resolve("xout") + ", plots: false}\n");
    }

    /**
     * Spellings of one force unit in two external terms (eV/A and EV/Angstrom) are one unit in
     * eval's row over all terms, named as the first term spells it, and no warning is given.
     */
    @Test
    void spellingsOfOneForceUnitAreOneRow() throws IOException {
        Path job = externalJob(
                "  - name: a\n" + external("{energy: 1.5, force: 1.5}", "{energy: eV, force: eV/A}"),
                "  - name: b\n" + external("{energy: 0.5, force: 0.5}", "{energy: EV, force: EV/Angstrom}"));
        Cli.Run r = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertFalse(r.err().contains("different units"), r::toString);
        // one row over both terms per quantity: 2 values each, in the first term's spelling
        assertTrue(r.out().lines().anyMatch(l -> l.matches("fit +\\(all 2\\) +force +eV/A +2 .*")), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.matches("fit +\\(all 2\\) +energy +eV +2 .*")), r::toString);
    }

    /**
     * A quantity that only one of two terms has (forces) is over that term alone: its row over the
     * set's terms is named "(1 of 2)", not "(all 2)", by eval and by the closing table of fit, and
     * results.json counts the terms each quantity is over.
     */
    @Test
    void aQuantityOfOneTermIsNamedForTheTermsItIsOver() throws IOException {
        Path job = externalJob(
                "  - name: a\n" + external("{energy: 1.5, force: 0.5}", "{energy: eV, force: eV/A}"),
                "  - name: b\n" + external("{energy: 0.5}", "eV"));
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, eval.code(), eval::toString);
        assertTrue(eval.out().lines().anyMatch(l -> l.matches("fit +\\(all 2\\) +energy +eV +2 .*")), eval::toString);
        assertTrue(eval.out().lines().anyMatch(l -> l.matches("fit +\\(1 of 2\\) +force +eV/A +1 .*")), eval::toString);
        assertFalse(eval.out().contains("(all 2)  force"), eval::toString);

        Files.writeString(job, Files.readString(job) + "optimizer: {max_evaluations: 3}\n");
        Cli.Run fit = Cli.run("fit", job.toString());
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        assertTrue(fit.out().lines().anyMatch(l -> l.matches("fit +\\(1 of 2\\) +force +eV/A +1 .*")), fit::toString);
        com.fasterxml.jackson.databind.JsonNode results = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(tmp.resolve("xout/results.json").toFile());
        assertEquals(2, results.at("/metrics/fit/energy/terms").asInt(), results::toString);
        assertEquals(1, results.at("/metrics/fit/force/terms").asInt(), results::toString);
    }
}
