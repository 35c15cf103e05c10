package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unit of the loss of a crystal term whose differences are divided by scales for some
 * quantities and not for others: the scaled parts are dimensionless, the others keep their unit
 * squared, so the loss has no one unit.
 */
class LossUnitTest {

    @TempDir
    Path tmp;

    private Path job(String name, String scale) throws IOException {
        Path mgo = ExamplesIT.examples().resolve("mgo-buckingham/data/mgo.xyz");
        Path job = tmp.resolve(name + ".yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "name: " + name,
                        "parameters:",
                        "  mgo: {A: {initial: 1285.0, bounds: [300.0, 3000.0]}, rho: {initial: 0.3, fixed: true},"
                                + " q: {initial: 2.0, fixed: true}}",
                        "terms:",
                        "  - name: periclase",
                        "    kind: crystal",
                        "    structure: " + mgo,
                        "    formula_units: 4",
                        "    potential:",
                        "      - {form: coulomb, charges: {Mg: mgo.q, O: -1*mgo.q}, method: ewald, tolerance: 1.0e-8}",
                        "      - {form: buckingham, species: [Mg, O], A: mgo.A, rho: mgo.rho, C: 0.0, cutoff: 12.0}",
                        "      - {form: buckingham, species: [O, O], A: 22764.0, rho: 0.149, C: 27.8, cutoff: 12.0}",
                        "    reference: {lattice_constant: 4.2112, C11: 297.0}",
                        "    unit: {lattice_constant: A, C11: GPa}",
                        "    loss: {type: squared_error" + scale + "}",
                        "optimizer: {method: Nelder-Mead, max_evaluations: 3}",
                        "output: {folder: " + tmp.resolve(name) + "}",
                        ""));
        return job;
    }

    private record Seen(String evalLoss, String unit, String termUnit, String plot) {}

    private Seen run(String name, String scale) throws IOException {
        Path job = job(name, scale);
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(0, eval.code(), eval::toString);
        String loss = eval.out()
                .lines()
                .filter(l -> l.startsWith("loss: "))
                .findFirst()
                .orElseThrow();
        Cli.Run fit = Cli.run("fit", job.toString(), "-q");
        assertEquals(0, fit.code(), fit::toString);
        JsonNode r =
                new ObjectMapper().readTree(tmp.resolve(name + "/results.json").toFile());
        return new Seen(
                loss,
                r.at("/loss/unit").asText(),
                r.at("/terms/0/loss_unit").asText(),
                Files.readString(tmp.resolve(name + "/plots/loss.svg")));
    }

    @Test
    void aLossWithScaledAndUnscaledQuantitiesHasNoOneUnit() throws IOException {
        Seen mixed = run("mixed", ", scale: {lattice_constant: 0.001}");
        assertEquals("", mixed.unit());
        assertEquals("", mixed.termUnit());
        assertTrue(mixed.evalLoss().matches("loss: \\S+"), mixed.evalLoss());
        assertFalse(mixed.plot().contains("dimensionless"), "the loss axis of a loss in A^0 and GPa^2");
        assertTrue(mixed.plot().contains(">loss<"), "the loss axis is titled without a unit");

        Seen scaled = run("scaled", ", scale: {lattice_constant: 0.001, C11: 1.0}");
        assertEquals("1", scaled.unit());
        assertEquals("1", scaled.termUnit());
        assertTrue(scaled.plot().contains("loss (dimensionless)"), "every part divided by its scale");

        Seen unscaled = run("unscaled-c11", "");
        assertEquals("", unscaled.unit(), "A^2 and GPa^2");

        Path c11 = job("c11", "");
        Files.writeString(
                c11,
                Files.readString(c11)
                        .replace("reference: {lattice_constant: 4.2112, C11: 297.0}", "reference: {C11: 297.0}")
                        .replace("unit: {lattice_constant: A, C11: GPa}", "unit: {C11: GPa}"));
        Cli.Run eval = Cli.run("eval", c11.toString());
        assertTrue(eval.out().lines().anyMatch(l -> l.matches("loss: \\S+ GPa\\^2")), eval::toString);

        // a unit of any script is squared as a word: Å^2, not (Å)^2 (the crystal's default unit)
        Path a = job("a", "");
        Files.writeString(
                a,
                Files.readString(a)
                        .replace(
                                "reference: {lattice_constant: 4.2112, C11: 297.0}",
                                "reference: {lattice_constant: 4.2112}")
                        .replace("    unit: {lattice_constant: A, C11: GPa}\n", ""));
        Cli.Run angstrom = Cli.run("eval", a.toString());
        assertTrue(angstrom.out().lines().anyMatch(l -> l.matches("loss: \\S+ Å\\^2")), angstrom::toString);

        // a term of weight 0, in another unit, is no part of the loss: the loss keeps the others' unit
        Path monitored = job("monitored", "");
        Files.writeString(
                monitored,
                Files.readString(monitored)
                        .replace(
                                "reference: {lattice_constant: 4.2112, C11: 297.0}",
                                "reference: {lattice_constant: 4.2112}")
                        .replace("unit: {lattice_constant: A, C11: GPa}", "unit: {lattice_constant: A}")
                        .replace(
                                "optimizer:",
                                "  - name: elastic\n"
                                        + "    kind: crystal\n"
                                        + "    weight: 0\n"
                                        + "    structure: "
                                        + ExamplesIT.examples().resolve("mgo-buckingham/data/mgo.xyz")
                                        + "\n    formula_units: 4\n"
                                        + "    potential:\n"
                                        + "      - {form: coulomb, charges: {Mg: mgo.q, O: -1*mgo.q}, method: ewald,"
                                        + " tolerance: 1.0e-8}\n"
                                        + "      - {form: buckingham, species: [Mg, O], A: mgo.A, rho: mgo.rho, C: 0.0,"
                                        + " cutoff: 12.0}\n"
                                        + "    reference: {C11: 297.0}\n"
                                        + "    unit: {C11: GPa}\n"
                                        + "optimizer:"));
        Cli.Run watched = Cli.run("eval", monitored.toString());
        assertEquals(0, watched.code(), watched::toString);
        assertTrue(watched.out().lines().anyMatch(l -> l.matches("loss: \\S+ A\\^2")), watched::toString);
    }
}
