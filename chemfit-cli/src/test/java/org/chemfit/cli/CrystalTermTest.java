package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.atoms.CubicCrystalComputer;
import org.chemfit.atoms.PairPotential;
import org.chemfit.atoms.ParameterRef;
import org.chemfit.atoms.Xyz;
import org.junit.jupiter.api.Test;

/** The {@code kind: crystal} term of the mgo-buckingham example, through the command line. */
class CrystalTermTest {

    @Test
    void theExampleEvaluatesToTheLossOfTheLibrarysCrystalQuantities() {
        Path job = ExamplesIT.examples().resolve("mgo-buckingham/fit.yaml");
        Cli.Run r =
                Cli.run("eval", job.toString(), "--set", "mgo.A=700", "--set", "mgo.rho=0.33", "--set", "mgo.q=1.9");
        assertEquals(0, r.code(), r::toString);
        String line =
                r.out().lines().filter(l -> l.startsWith("loss: ")).findFirst().orElseThrow();
        // the differences are divided by scales: the loss is dimensionless, printed without a unit
        double loss = Double.parseDouble(line.substring(6));

        PairPotential p = PairPotential.builder()
                .coulomb(
                        Map.of("Mg", ParameterRef.constant(1.9), "O", ParameterRef.constant(-1.9)),
                        PairPotential.CoulombMethod.EWALD,
                        1e-8)
                .buckingham(
                        "Mg",
                        "O",
                        ParameterRef.constant(700),
                        ParameterRef.constant(0.33),
                        ParameterRef.constant(0),
                        12.0,
                        false)
                .buckingham(
                        "O",
                        "O",
                        ParameterRef.constant(22764.0),
                        ParameterRef.constant(0.149),
                        ParameterRef.constant(27.8),
                        12.0,
                        false)
                .build();
        Quantities q = new CubicCrystalComputer(Xyz.read(job.resolveSibling("data/mgo.xyz")), 4, p)
                .compute(Parameters.of(Map.of()));
        double da = (q.get("lattice_constant") - 4.2112) / 0.001;
        double d11 = q.get("C11") - 297.0;
        double d12 = q.get("C12") - 95.2;
        double d44 = q.get("C44") - 155.7;
        double expected = da * da + d11 * d11 + d12 * d12 + d44 * d44;
        assertEquals(expected, loss, 1e-4 * expected, r::toString);
        assertTrue(q.get("C11") > 100 && q.get("C11") < 500, q.toString());
    }

    @Test
    void aDampedShiftedForceCoulombTermGivesTheLibrarysCrystal() throws Exception {
        Path job = Cli.resource("jobs").resolve("crystal-dsf-tmp.yaml");
        try {
            java.nio.file.Files.writeString(
                    job,
                    String.join(
                            "\n",
                            "parameters: {q: 2.0}",
                            "terms:",
                            "  - name: mgo",
                            "    kind: crystal",
                            "    structure: data/mgo.xyz",
                            "    formula_units: 4",
                            "    potential:",
                            "      - {form: coulomb, charges: {Mg: q, O: -1*q}, method: dsf, alpha: 0.2, cutoff: 10.0}",
                            "      - {form: buckingham, species: [Mg, O], A: 821.6, rho: 0.3242, C: 0.0, cutoff: 10.0}",
                            "      - {form: buckingham, species: [O, O], A: 22764.0, rho: 0.149, C: 27.88, cutoff: 10.0}",
                            "    reference: {lattice_constant: 4.0}",
                            ""));
            Cli.Run r = Cli.run("eval", job.toString());
            assertEquals(0, r.code(), r::toString);
            String lossLine = r.out()
                    .lines()
                    .filter(l -> l.startsWith("loss: "))
                    .findFirst()
                    .orElseThrow();
            // the lattice constant is in Å without a declared unit, so the squared error is in Å squared
            assertTrue(lossLine.matches("loss: \\S+ \\(?Å\\)?\\^2"), lossLine);
            double loss = Double.parseDouble(lossLine.split(" ")[1]);
            PairPotential p = PairPotential.builder()
                    .coulombDampedShiftedForce(
                            Map.of("Mg", ParameterRef.constant(2), "O", ParameterRef.constant(-2)), 0.2, 10.0)
                    .buckingham(
                            "Mg",
                            "O",
                            ParameterRef.constant(821.6),
                            ParameterRef.constant(0.3242),
                            ParameterRef.constant(0),
                            10.0,
                            false)
                    .buckingham(
                            "O",
                            "O",
                            ParameterRef.constant(22764.0),
                            ParameterRef.constant(0.149),
                            ParameterRef.constant(27.88),
                            10.0,
                            false)
                    .build();
            double a = new CubicCrystalComputer(Xyz.read(job.resolveSibling("data/mgo.xyz")), 4, p)
                    .compute(Parameters.of(Map.of()))
                    .get("lattice_constant");
            assertTrue(a > 4.1 && a < 4.3, "a = " + a);
            assertEquals((a - 4.0) * (a - 4.0), loss, 1e-6 * loss, r::toString);
        } finally {
            java.nio.file.Files.deleteIfExists(job);
        }
    }

    @Test
    void dampedShiftedForceSettingsAreCheckedWithTheRule() throws Exception {
        Path job = Cli.resource("jobs").resolve("crystal-dsf-bad-tmp.yaml");
        try {
            java.nio.file.Files.writeString(
                    job,
                    String.join(
                            "\n",
                            "parameters: {q: 2.0}",
                            "terms:",
                            "  - name: mgo",
                            "    kind: crystal",
                            "    structure: data/mgo.xyz",
                            "    formula_units: 4",
                            "    potential:",
                            "      - {form: coulomb, charges: {Mg: q, O: -1*q}, method: dsf}",
                            "      - {form: coulomb, charges: {Mg: q, O: -1*q}, method: ewald, alpha: 0.2}",
                            "      - {form: buckingham, species: [Mg, O], A: 821.6, rho: 0.3242, C: 0.0, cutoff: 10.0}",
                            "    reference: {lattice_constant: 4.2112}",
                            ""));
            Cli.Run r = Cli.run("validate", job.toString());
            assertEquals(2, r.code(), r::toString);
            assertTrue(r.err().contains("missing required key 'alpha'"), r::toString);
            assertTrue(r.err().contains("method dsf needs a cutoff"), r::toString);
            assertTrue(r.err().contains("alpha applies to method: dsf only"), r::toString);
            assertTrue(!r.err().contains("\tat ") && !r.err().contains("Exception"), r::toString);
        } finally {
            java.nio.file.Files.deleteIfExists(job);
        }
    }

    /** A bad parameter in the potential does not hide a bad structure file: validate says both. */
    @Test
    void aBadStructureFileIsSaidBesideABadPotential() throws Exception {
        Path job = Cli.resource("jobs").resolve("crystal-both-bad-tmp.yaml");
        Path cell = Cli.resource("jobs").resolve("crystal-both-bad-tmp.xyz");
        try {
            java.nio.file.Files.writeString(cell, "2\nLattice=\"4 0 0 0 4 0 0 0 4\"\nMg 0 0 0\nO 2 0 zero\n");
            java.nio.file.Files.writeString(
                    job,
                    String.join(
                            "\n",
                            "parameters: {q: 2.0}",
                            "terms:",
                            "  - name: mgo",
                            "    kind: crystal",
                            "    structure: crystal-both-bad-tmp.xyz",
                            "    formula_units: 1",
                            "    potential:",
                            "      - {form: buckingham, species: [Mg, O], A: AA, rho: 0.3242, C: 0.0, cutoff: 10.0}",
                            "    reference: {lattice_constant: 4.2112}",
                            ""));
            Cli.Run r = Cli.run("validate", job.toString());
            assertEquals(2, r.code(), r::toString);
            assertTrue(r.err().contains("'AA'"), r::toString);
            assertTrue(r.err().contains("term 'mgo' structure crystal-both-bad-tmp.xyz:4: "), r::toString);
            assertTrue(!r.err().contains("\tat ") && !r.err().contains("Exception"), r::toString);
        } finally {
            java.nio.file.Files.deleteIfExists(job);
            java.nio.file.Files.deleteIfExists(cell);
        }
    }

    @Test
    void aPlainCoulombTermInTheCrystalFailsWithTheChoicesNamed() throws Exception {
        Path job = Cli.resource("jobs").resolve("crystal-plain-tmp.yaml");
        try {
            java.nio.file.Files.writeString(
                    job,
                    String.join(
                            "\n",
                            "parameters: {q: 2.0}",
                            "terms:",
                            "  - name: mgo",
                            "    kind: crystal",
                            "    structure: data/mgo.xyz",
                            "    formula_units: 4",
                            "    potential:",
                            "      - {form: coulomb, charges: {Mg: q, O: -1*q}}",
                            "      - {form: buckingham, species: [Mg, O], A: 821.6, rho: 0.3242, C: 0.0, cutoff: 10.0}",
                            "    reference: {lattice_constant: 4.2112}",
                            ""));
            Cli.Run r = Cli.run("eval", job.toString());
            // refused when the job is read, at the Coulomb term's line, before anything is evaluated
            assertTrue(r.code() == ExitCodes.USAGE, r::toString);
            assertTrue(
                    r.err().contains("crystal-plain-tmp.yaml:8:9: term 'mgo' potential[0]: a plain Coulomb sum"),
                    r::toString);
            assertTrue(r.err().contains("use method: ewald"), r::toString);
            assertTrue(!r.err().contains("\tat ") && !r.err().contains("Exception"), r::toString);
        } finally {
            java.nio.file.Files.deleteIfExists(job);
        }
    }

    /** A model that only repels binds no crystal: the failure names the cell's file, not the structure's Java text. */
    @Test
    void aCrystalThatIsNotBoundIsNamedByItsFile() throws Exception {
        Path job = Cli.resource("jobs").resolve("crystal-unbound-tmp.yaml");
        try {
            java.nio.file.Files.writeString(
                    job,
                    String.join(
                            "\n",
                            "parameters: {A: 1285.0}",
                            "terms:",
                            "  - name: mgo",
                            "    kind: crystal",
                            "    structure: data/mgo.xyz",
                            "    formula_units: 4",
                            "    potential:",
                            "      - {form: buckingham, species: [Mg, O], A: A, rho: 0.3, C: 0.0, cutoff: 10.0}",
                            "    reference: {lattice_constant: 4.2112}",
                            ""));
            Cli.Run r = Cli.run("eval", job.toString());
            assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
            assertTrue(
                    r.err()
                            .contains("term 0 'mgo' failed: no bound state of the cell of "
                                    + job.resolveSibling("data/mgo.xyz") + " at "),
                    r::toString);
            assertTrue(r.err().contains("no pair of atoms interacts"), r::toString);
            assertTrue(!r.err().contains("Atoms(") && !r.err().contains("\tat "), r::toString);
        } finally {
            java.nio.file.Files.deleteIfExists(job);
        }
    }
}
