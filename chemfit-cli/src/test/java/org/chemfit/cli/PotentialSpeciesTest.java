package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The species a potential names are checked against the term's structures when the job is read,
 * for crystal terms as for atoms terms: a pair term's species that no structure has (which would
 * drop the term silently), a charge for such a species, and a species of the structures without a
 * charge (which would fail the first evaluation). {@code validate}, {@code fit} and {@code eval}
 * refuse the job alike, at the job file's line and column.
 */
class PotentialSpeciesTest {

    @TempDir
    Path dir;

    private static final String MGO = TestData.MGO;

    private Path write(String name, String... lines) throws IOException {
        return TestData.write(dir, name, lines);
    }

    /** Runs validate, fit and eval on the job; each must refuse it with exit 2 and exactly these problems. */
    private void refusedEverywhere(Path job, String... expected) {
        TestData.refusedEverywhere(dir, job, expected);
    }

    /** @return a job of the crystal term 'periclase' of examples/mgo-buckingham with these pair terms */
    private Path crystalJob(String coulomb, String mgo, String oo) throws IOException {
        write("data/mgo.xyz", MGO);
        return write(
                "job.yaml",
                "parameters:",
                "  mgo:",
                "    A: {initial: 1285.0, bounds: [300.0, 3000.0]}",
                "    q: {initial: 2.0, bounds: [1.2, 2.0]}",
                "terms:",
                "  - name: periclase",
                "    kind: crystal",
                "    structure: data/mgo.xyz",
                "    formula_units: 4",
                "    potential:",
                "      - " + coulomb,
                "      - {form: buckingham, species: " + mgo + ", A: mgo.A, rho: 0.3, C: 0.0, cutoff: 12.0}",
                "      - {form: buckingham, species: " + oo + ", A: 22764.0, rho: 0.149, C: 27.8, cutoff: 12.0}",
                "    reference: {lattice_constant: 4.2112}",
                "optimizer: {method: Nelder-Mead, max_evaluations: 5}",
                "output: {folder: out}");
    }

    private static final String COULOMB = "{form: coulomb, charges: {Mg: mgo.q, O: -1*mgo.q}, method: ewald}";

    @Test
    void aCrystalPairTermNamingASpeciesTheCellDoesNotHaveIsRefused() throws IOException {
        Path job = crystalJob(COULOMB, "[Mg, O]", "[O, Ox]");
        refusedEverywhere(
                job,
                job + ":13:41: term 'periclase' potential[2] names species 'Ox', which the structure data/mgo.xyz"
                        + " does not have (did you mean 'O'?); species there: Mg, O");
    }

    @Test
    void aCrystalPairTermInLowerCaseIsRefusedAtEachSpecies() throws IOException {
        Path job = crystalJob(COULOMB, "[Mg, Ox]", "[o, o]");
        refusedEverywhere(
                job,
                job + ":12:42: term 'periclase' potential[1] names species 'Ox', which the structure data/mgo.xyz"
                        + " does not have (did you mean 'O'?); species there: Mg, O",
                job + ":13:38: term 'periclase' potential[2] names species 'o', which the structure data/mgo.xyz"
                        + " does not have (did you mean 'O'?); species there: Mg, O",
                job + ":13:41: term 'periclase' potential[2] names species 'o', which the structure data/mgo.xyz"
                        + " does not have (did you mean 'O'?); species there: Mg, O");
    }

    @Test
    void crystalChargesForAnUnknownSpeciesAndNoneForOneOfTheCellAreRefused() throws IOException {
        Path job =
                crystalJob("{form: coulomb, charges: {Mg: mgo.q, Ox: -1*mgo.q}, method: ewald}", "[Mg, O]", "[O, O]");
        refusedEverywhere(
                job,
                job + ":11:34: term 'periclase' potential[0] gives no charge to species 'O', which the structure"
                        + " data/mgo.xyz has; the Coulomb term needs the charge of every atom (charges given for Mg, Ox)",
                job + ":11:46: term 'periclase' potential[0] gives a charge to species 'Ox', which the structure"
                        + " data/mgo.xyz does not have (did you mean 'O'?); species there: Mg, O");
    }

    @Test
    void theCrystalWithEverySpeciesRightPasses() throws IOException {
        Path job = crystalJob(COULOMB, "[Mg, O]", "[O, O]");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
    }

    /** Water dimers (O H H, O H H) of an atoms term, with these Coulomb charges. */
    private Path waterJob(String charges) throws IOException {
        write(
                "data/d1.xyz",
                "6",
                "",
                "O 0.0 0.0 0.0",
                "H 0.9572 0.0 0.0",
                "H -0.2400 0.9266 0.0",
                "O 3.0 0.0 0.0",
                "H 3.9572 0.0 0.0",
                "H 2.7600 0.9266 0.0");
        write("data/ref.csv", "file,reference_energy,tag", "d1.xyz,-0.2,d1");
        return write(
                "job.yaml",
                "parameters: {qH: {initial: 0.417, bounds: [0.3, 0.6]}}",
                "terms:",
                "  - name: dimers",
                "    kind: atoms",
                "    reference: data/ref.csv",
                "    potential:",
                "      - {form: lennard_jones, species: [O, O], epsilon: 0.0066, sigma: 3.15}",
                "      - {form: coulomb, charges: " + charges + ", method: minimum_image}",
                "output: {folder: out}");
    }

    @Test
    void atomsChargesForAnUnknownSpeciesAndNoneForOneOfTheStructuresAreRefused() throws IOException {
        Path job = waterJob("{H: qH, Ox: -2*qH}");
        refusedEverywhere(
                job,
                job + ":8:34: term 'dimers' potential[1] gives no charge to species 'O', which structures of"
                        + " data/ref.csv have; the Coulomb term needs the charge of every atom (charges given for H, Ox)",
                job + ":8:42: term 'dimers' potential[1] gives a charge to species 'Ox', which no structure of"
                        + " data/ref.csv has (did you mean 'O'?); species there: H, O");
    }

    @Test
    void atomsChargesForEverySpeciesPass() throws IOException {
        Path job = waterJob("{H: qH, O: -2*qH}");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
    }
}
