package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A structure with two atoms at the same place (closer than 0.001 Å) that a pair term of the
 * potential pairs is refused when the job is read, so {@code validate}, {@code fit} and
 * {@code eval} refuse it alike before anything runs, naming the structure, the two atoms (counted
 * from 1, with their species) and their distance. Before, only the evaluation found it.
 */
class SamePlaceTest {

    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws IOException {
        return TestData.write(dir, name, lines);
    }

    /** Runs validate, fit and eval on the job; each must refuse it with exit 2 and exactly these problems. */
    private void refusedEverywhere(Path job, String... expected) {
        TestData.refusedEverywhere(dir, job, expected);
    }

    /** An atoms term of two structures, an argon dimer and the given trimer, with these pair terms. */
    private Path atomsJob(String trimer, String potential) throws IOException {
        write("data/dimer.xyz", "2", "", "Ar 0 0 0", "Ar 2.1 0 0");
        write("data/trimer.xyz", "3", "argon and helium", "Ar 0 0 0", trimer, "He 5 0 0");
        write("data/ref.csv", "file,reference_energy,tag", "dimer.xyz,-1.1,d", "trimer.xyz,-1.0,t");
        return write(
                "job.yaml",
                "parameters: {eps: {initial: 1.0, bounds: [0.1, 10.0]}, sigma: {initial: 2.2, bounds: [1.0, 4.0]}}",
                "terms:",
                "  - name: curve",
                "    kind: atoms",
                "    reference: data/ref.csv",
                "    potential: " + potential,
                "output: {folder: out}");
    }

    private static final String AR_AR = "{form: lennard_jones, species: [Ar, Ar], epsilon: eps, sigma: sigma}";

    private static final String EVERY_PAIR = "{form: lennard_jones, species: ['*', '*'], epsilon: eps, sigma: sigma}";

    private String refusal(Path job, String atoms, String distance) {
        // the structure and the CSV as the job reader shows them, resolved against the job's folder
        return job + ":5:16: term 'curve' structure " + dir.resolve("data/trimer.xyz") + " ("
                + dir.resolve("data/ref.csv") + " line 3, tag 't'): atoms " + atoms
                + ", counted from 1 in the file's order, are at the same place (" + distance + "); a pair term of"
                + " the potential pairs them, and its energy there is infinite or out of all proportion: atoms it"
                + " pairs must be at least 0.001 Å apart";
    }

    @Test
    void twoAtomsAtTheSamePlaceAreRefusedWithTheFileTheAtomsAndTheirDistance() throws IOException {
        Path job = atomsJob("Ar 0 0 0", AR_AR);
        refusedEverywhere(job, refusal(job, "1 (Ar) and 2 (Ar)", "0 Å apart"));
    }

    @Test
    void twoAtomsCloserThanTheToleranceAreRefusedAndFartherOnesPass() throws IOException {
        Path job = atomsJob("Ar 0.0003 0 0.0004", AR_AR);
        refusedEverywhere(job, refusal(job, "1 (Ar) and 2 (Ar)", "0.0005 Å apart"));
        job = atomsJob("Ar 0.0006 0 0.0008", AR_AR);
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
    }

    @Test
    void aPairNoTermPairsIsLeftAsTheEvaluationLeavesIt() throws IOException {
        // helium on argon: the Ar-Ar term does not pair them, so the evaluation sums nothing there
        Path job = atomsJob("He 0 0 0", AR_AR);
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, eval.code(), eval::toString);
        // a term for every pair pairs them: refused, as the evaluation would fail on them
        job = atomsJob("He 0 0 0", EVERY_PAIR);
        refusedEverywhere(job, refusal(job, "1 (Ar) and 2 (He)", "0 Å apart"));
    }

    @Test
    void atomsAtTheSamePlaceThroughTheCellBoundaryAreRefusedInACrystal() throws IOException {
        // the first O at x = a, which is the first Mg's place through the periodic boundary
        write("data/mgo.xyz", TestData.MGO.replace("O 2.105600 0.000000 0.000000", "O 4.211200 0.000000 0.000000"));
        Path job = write(
                "job.yaml",
                "parameters: {q: {initial: 2.0, bounds: [1.2, 2.0]}}",
                "terms:",
                "  - name: periclase",
                "    kind: crystal",
                "    structure: data/mgo.xyz",
                "    formula_units: 4",
                "    potential: {form: coulomb, charges: {Mg: q, O: -1*q}, method: ewald}",
                "    reference: {lattice_constant: 4.2112}",
                "output: {folder: out}");
        refusedEverywhere(
                job,
                job + ":5:16: term 'periclase' structure data/mgo.xyz: atoms 1 (Mg) and 5 (O), counted from 1 in the"
                        + " file's order, are at the same place (0 Å apart through the periodic cell's boundary);"
                        + " a pair term of the potential pairs them, and its energy there is infinite or out of all"
                        + " proportion: atoms it pairs must be at least 0.001 Å apart");
        // the cell as it is passes
        write("data/mgo.xyz", TestData.MGO);
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(r.err().isEmpty(), r::toString);
    }

    /** An argon cell of two atoms whose second vector is the first moved by the gap (Å) along y. */
    private Path thinCellJob(String gap) throws IOException {
        write(
                "data/thin.xyz",
                "2",
                "Lattice=\"4.0 0.0 0.0 4.0 " + gap + " 0.0 0.0 0.0 4.0\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"",
                "Ar 0 0 0",
                "Ar 2 0 2");
        write("data/ref.csv", "file,reference_energy,tag", "thin.xyz,-1.0,t");
        return write(
                "job.yaml",
                "parameters: {eps: {initial: 1.0, bounds: [0.1, 10.0]}, sigma: {initial: 2.2, bounds: [1.0, 4.0]}}",
                "terms:",
                "  - name: curve",
                "    kind: atoms",
                "    reference: data/ref.csv",
                "    potential: {form: lennard_jones, species: [Ar, Ar], epsilon: eps, sigma: sigma, cutoff: 10}",
                "output: {folder: out}");
    }

    @Test
    void aCellOfTwoVectorsNearlyAlikeIsRefusedAtOnceNotSearchedForever() throws IOException {
        // a width of 1e-9 Å against a cutoff of 10 Å: some 1e20 slabs of images, a search that never ended
        Path job = thinCellJob("1e-9");
        refusedEverywhere(
                job,
                job + ":5:16: term 'curve' structure " + dir.resolve("data/thin.xyz") + " ("
                        + dir.resolve("data/ref.csv")
                        + " line 2, tag 't'): the periodic cell is too thin for the pair terms' cutoff of 10 Å: the"
                        + " distances between its opposite faces are 1e-09 Å, 1e-09 Å and 4 Å, so each atom would meet"
                        + " 2.80e+21 slabs of its own images (more than 100,000,000 are refused); are the cell's vectors"
                        + " right (two of them nearly alike make a cell of nearly no width) and in Å?");
    }

    @Test
    void anAtomCloseToItsOwnImageIsWarnedOf() throws IOException {
        // a gap of 0.3 Å: each atom is 0.3 Å from its own image, through the difference of two vectors
        Path job = thinCellJob("0.3");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains("atom 1 (Ar) of " + dir.resolve("data/thin.xyz") + " (" + dir.resolve("data/ref.csv")
                                + " line 2, tag 't') is less than 0.5 Å from its own periodic image (a vector of the cell's"
                                + " lattice is that short)"),
                r::toString);
    }
}
