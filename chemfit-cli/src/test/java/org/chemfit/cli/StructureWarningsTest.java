package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the structures of an atoms or crystal term make likely to be a typo, without being an error
 * for certain, is a warning: {@code validate}, {@code eval} and {@code fit} print it once on
 * standard error, naming the file, the structure and the numbers, and the job stays valid (exit 0).
 */
class StructureWarningsTest {

    @TempDir
    Path dir;

    /** Copies the structures of jobs/data/warnings to data/ beside the job, and writes the job. */
    private Path job(String... lines) throws IOException {
        TestData.copyTree(Cli.resource("jobs/data/warnings"), dir.resolve("data"));
        return TestData.write(dir, "job.yaml", lines);
    }

    /** @return the warnings validate prints for the job, which it must find valid */
    private static List<String> validateWarnings(Path job) {
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(r.out().contains("is valid"), r::toString);
        return r.err().lines().filter(l -> l.startsWith("warning: ")).toList();
    }

    /** @return the warnings eval prints for the job, which it must evaluate */
    private static List<String> evalWarnings(Path job) {
        Cli.Run r = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        return r.err().lines().filter(l -> l.startsWith("warning: ")).toList();
    }

    private Path data(String name) {
        return dir.resolve("data").resolve(name);
    }

    private static final String ARGON_PARAMETERS = String.join(
            "\n",
            "parameters:",
            "  eps: {initial: 0.01, bounds: [0.001, 0.1]}",
            "  sigma: {initial: 3.4, bounds: [3.0, 4.0]}");

    @Test
    void aSpeciesNoPairTermPairsIsWarnedOfOnceByValidateEvalAndFit() throws IOException {
        Path job = job(
                ARGON_PARAMETERS,
                "terms:",
                "  - name: trimers",
                "    kind: atoms",
                "    reference: data/kr.csv",
                "    potential: {form: lennard_jones, species: [Ar, Ar], epsilon: eps, sigma: sigma}",
                "optimizer: {method: Nelder-Mead, max_evaluations: 3}",
                "output: {folder: out}");
        List<String> expected = List.of("warning: term 'trimers': no pair term of the potential pairs species 'Kr'"
                + " with a species of its structure, so its atoms add nothing to the energy, in 1 of the 2"
                + " structures of " + data("kr.csv") + ": " + data("ar2kr.xyz") + " (" + data("kr.csv")
                + " line 3, tag 'ar2kr'), 1 Kr atom; the pair terms: lennard_jones for Ar-Ar; add a pair term for"
                + " Kr (species: [Kr, '*'], say) or check the spelling of the species");
        assertEquals(expected, validateWarnings(job));
        assertEquals(expected, evalWarnings(job));
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        assertEquals(
                expected,
                fit.err().lines().filter(l -> l.startsWith("warning: ")).toList(),
                fit::toString);
        // -q leaves out what is not an error in eval and fit
        Cli.Run quiet = Cli.run("eval", "-q", job.toString());
        assertEquals(ExitCodes.OK, quiet.code(), quiet::toString);
        assertFalse(quiet.err().contains("warning"), quiet::toString);
    }

    @Test
    void atomsCloserThanHalfAnAngstromAreWarnedOfWithTheirDistance() throws IOException {
        Path job = job(
                ARGON_PARAMETERS,
                "terms:",
                "  - name: nm",
                "    kind: atoms",
                "    reference: data/nm.csv",
                "    potential: {form: lennard_jones, species: [Ar, Ar], epsilon: eps, sigma: sigma}",
                "output: {folder: out}");
        List<String> expected = List.of("warning: term 'nm': atoms 1 (Ar) and 2 (Ar) of " + data("ar2-nm.xyz") + " ("
                + data("nm.csv") + " line 3, tag 'ar2-nm') are 0.38 Å apart: is the structure in angstrom? A pair"
                + " term of the potential pairs them, and no bond is shorter than 0.5 Å (atoms counted from 1 in the"
                + " file's order; in 1 of the 2 structures of " + data("nm.csv") + ")");
        assertEquals(expected, validateWarnings(job));
        assertEquals(expected, evalWarnings(job));
    }

    @Test
    void theCloseAtomsNamedAreTheClosestPairOfTheCell() throws IOException {
        // periclase's conventional cell written in nm: Mg-Mg neighbours are a/sqrt(2) = 0.297771 apart,
        // Mg-O ones a/2 = 0.21056 apart, and the first Mg (atom 1) has its nearest O in atom 5
        java.nio.file.Files.createDirectories(dir.resolve("data"));
        java.nio.file.Files.writeString(
                dir.resolve("data/mgo-nm.xyz"),
                String.join(
                        "\n",
                        "8",
                        "Lattice=\"0.42112 0 0 0 0.42112 0 0 0 0.42112\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"",
                        "Mg 0 0 0",
                        "Mg 0.21056 0.21056 0",
                        "Mg 0.21056 0 0.21056",
                        "Mg 0 0.21056 0.21056",
                        "O 0.21056 0 0",
                        "O 0 0.21056 0",
                        "O 0 0 0.21056",
                        "O 0.21056 0.21056 0.21056",
                        ""));
        Path job = TestData.write(
                dir,
                "job.yaml",
                "parameters:",
                "  A: {initial: 1285.0, bounds: [300.0, 3000.0]}",
                "terms:",
                "  - name: periclase",
                "    kind: crystal",
                "    structure: data/mgo-nm.xyz",
                "    formula_units: 4",
                "    potential:",
                "      - {form: coulomb, charges: {Mg: 2.0, O: -2.0}, method: ewald}",
                "      - {form: buckingham, species: [Mg, O], A: A, rho: 0.3, C: 0.0, cutoff: 1.0}",
                "      - {form: buckingham, species: [Mg, Mg], A: A, rho: 0.3, C: 0.0, cutoff: 1.0}",
                "    reference: {lattice_constant: 4.2112}",
                "output: {folder: out}");
        List<String> warnings = validateWarnings(job);
        assertEquals(
                "warning: term 'periclase': atoms 1 (Mg) and 5 (O) of data/mgo-nm.xyz are 0.21056 Å apart: is the"
                        + " structure in angstrom? A pair term of the potential pairs them, and no bond is shorter"
                        + " than 0.5 Å (atoms counted from 1 in the file's order)",
                warnings.get(0),
                warnings::toString);
    }

    /** NaCl's conventional cell with the given charges, Ewald, in kcal/mol. */
    private Path salt(String charges) throws IOException {
        return job(
                "parameters:",
                "  q: {initial: 1.0, bounds: [0.5, 2.0]}",
                "terms:",
                "  - name: salt",
                "    kind: atoms",
                "    unit: kcal/mol",
                "    reference: data/nacl.csv",
                "    potential:",
                "      - {form: coulomb, charges: " + charges + ", method: ewald}",
                "      - {form: buckingham, species: [Na, Cl], A: 1000.0, rho: 0.3, C: 0.0, cutoff: 8.0}",
                "output: {folder: out}");
    }

    @Test
    void aPeriodicCellWhoseChargesDoNotAddUpToZeroIsWarnedOfWithItsNetCharge() throws IOException {
        Path job = salt("{Na: q, Cl: q}");
        List<String> expected = List.of("warning: term 'salt': the charges of the Coulomb term potential[0] at the"
                + " initial parameters (Na: 1 e, Cl: 1 e) do not add up to zero in " + data("nacl.xyz") + " ("
                + data("nacl.csv") + " line 2, tag 'nacl') (a periodic cell): net charge 8 e. Is a charge's sign"
                + " left out (-1*q for q)? In a periodic cell the Ewald sum assumes a uniform neutralising"
                + " background (the energy -k pi Q^2 / (2 V alpha^2)), which a charged crystal seldom means.");
        assertEquals(expected, validateWarnings(job));
        assertEquals(expected, evalWarnings(job));
    }

    @Test
    void aNeutralCellOfPairedSpeciesWithAtomsApartIsNotWarnedOf() throws IOException {
        Path job = salt("{Na: q, Cl: -1*q}");
        assertEquals(List.of(), validateWarnings(job));
        assertEquals(List.of(), evalWarnings(job));
    }

    @Test
    void aChargedCrystalCellIsWarnedOfToo() throws IOException {
        TestData.write(dir, "data/mgo.xyz", TestData.MGO);
        Path job = job(
                "parameters:",
                "  q: {initial: 1.5, bounds: [0.5, 2.0]}",
                "terms:",
                "  - name: mgo",
                "    kind: crystal",
                "    structure: data/mgo.xyz",
                "    formula_units: 4",
                "    potential: {form: coulomb, charges: {Mg: q, O: q}, method: ewald}",
                "    reference: {lattice_constant: 4.2}",
                "output: {folder: out}");
        assertEquals(
                List.of("warning: term 'mgo': the charges of the Coulomb term potential at the initial parameters"
                        + " (Mg: 1.5 e, O: 1.5 e) do not add up to zero in data/mgo.xyz (a periodic cell): net charge"
                        + " 12 e. Is a charge's sign left out (-1*q for q)? In a periodic cell the Ewald sum assumes a"
                        + " uniform neutralising background (the energy -k pi Q^2 / (2 V alpha^2)), which a charged"
                        + " crystal seldom means."),
                validateWarnings(job));
    }

    /** Writes the conventional fcc cell of argon, edge 5.26 Å, to data/fcc/ar.xyz, and its CSV. */
    private void argonCell() throws IOException {
        TestData.write(dir, "data/fcc/ar.xyz", TestData.ARGON_FCC);
        TestData.write(dir, "data/fcc/ar.csv", "file,reference_energy,tag", "ar.xyz,-0.32,fcc");
    }

    /** One reference value each: sigma is fixed, so the job is not warned of as underdetermined. */
    private static final String ARGON_EPSILON = String.join(
            "\n",
            "parameters:",
            "  eps: {initial: 0.01, bounds: [0.001, 0.1]}",
            "  sigma: {initial: 3.4, fixed: true}");

    private Path argonAtoms(String cutoff) throws IOException {
        argonCell();
        return job(
                ARGON_EPSILON,
                "terms:",
                "  - name: solid",
                "    kind: atoms",
                "    reference: data/fcc/ar.csv",
                "    potential:",
                "      - {form: lennard_jones, species: [Ar, Ar], epsilon: eps, sigma: sigma, cutoff: 3.0}",
                "      - {form: lennard_jones, species: [Ar, Ar], epsilon: eps, sigma: sigma, cutoff: " + cutoff + "}",
                "output: {folder: out}");
    }

    @Test
    void aCutoffOnANeighbourShellIsWarnedOfWithThePairsThere() throws IOException {
        // the second shell of fcc is at the edge, 5.26 Å: each atom's six images along the axes
        Path job = argonAtoms("5.26");
        String xyz = data("fcc/ar.xyz").toString();
        String csv = data("fcc/ar.csv").toString();
        List<String> expected = List.of("warning: term 'solid' potential[1]: pairs of atoms lie at its cutoff of 5.26 Å"
                + " (within 0.0001 Å): " + xyz + " (" + csv
                + " line 2, tag 'fcc') has 12 pairs there (the first: atom 1"
                + " (Ar) and its own periodic image, exactly at it, so not counted); a pair counts only below the cutoff, so whether these"
                + " count depends on the last digits of the coordinates, and the energy may differ from another code's by"
                + " a whole neighbour shell; put the cutoff between two neighbour shells (atoms counted from 1 in the"
                + " file's order)");
        assertEquals(expected, validateWarnings(job));
        assertEquals(expected, evalWarnings(job));
    }

    @Test
    void aCutoffBetweenNeighbourShellsIsNotWarnedOf() throws IOException {
        // halfway between the second shell (5.26 Å) and the third (6.44 Å)
        assertEquals(List.of(), validateWarnings(argonAtoms("5.85")));
    }

    /**
     * A cutoff of 850 Å (a digit too many) reaches some 71 million images of each atom: validate
     * warns of it at once instead of walking them all for the pairs at the cutoff.
     */
    @Test
    void aCutoffOfHundredsOfAngstromIsWarnedOfWithoutWalkingItsImages() throws IOException {
        Path job = argonAtoms("850");
        double perAtom = 4 / Math.pow(5.26, 3) * 4.0 / 3.0 * Math.PI * Math.pow(850, 3);
        String xyz = data("fcc/ar.xyz").toString();
        String csv = data("fcc/ar.csv").toString();
        assertEquals(
                List.of("warning: term 'solid' potential: the pair terms' cutoff of 850 Å reaches very many atoms and"
                        + " periodic images: " + xyz + " (" + csv + " line 2, tag 'fcc') about "
                        + String.format(java.util.Locale.ROOT, "%,.0f", perAtom) + " per atom; every energy is a pair"
                        + " sum over all of them and may take seconds or minutes (more than 2,000,000 per atom is"
                        + " unusual: within 12 Å an atom of a solid meets about 1300); is the cutoff in Å? Pairs at"
                        + " the cutoff are not looked for in this structure"),
                validateWarnings(job));
    }

    @Test
    void aCrystalCellWithACutoffOnANeighbourShellIsWarnedOfToo() throws IOException {
        argonCell();
        Path job = job(
                ARGON_EPSILON,
                "terms:",
                "  - name: solid",
                "    kind: crystal",
                "    structure: data/fcc/ar.xyz",
                "    formula_units: 4",
                "    potential: {form: lennard_jones, species: [Ar, Ar], epsilon: eps, sigma: sigma,"
                        + " cutoff: 3.7194}",
                "    reference: {lattice_constant: 5.26}",
                "output: {folder: out}");
        // the first shell, at 5.26 / sqrt(2) = 3.71938 Å: 12 neighbours of each of the 4 atoms
        assertEquals(
                List.of("warning: term 'solid' potential: pairs of atoms lie at its cutoff of 3.7194 Å (within 0.0001"
                        + " Å): data/fcc/ar.xyz has 24 pairs there (the first: atoms 1 (Ar) and 2 (Ar), 1.8331e-05 Å"
                        + " below it, so counted); a pair counts only below the cutoff, so whether these count depends on the last"
                        + " digits of the coordinates, and the energy may differ from another code's by a whole"
                        + " neighbour shell; put the cutoff between two neighbour shells (atoms counted from 1 in the"
                        + " file's order)"),
                validateWarnings(job));
    }

    @Test
    void aChargedStructureWithoutACellIsWarnedOfAsPossiblyAnIon() throws IOException {
        TestData.write(
                dir, "data/ions/nacl2.xyz", "3", "Na Cl2 without a cell", "Na 0 0 0", "Cl 2.4 0 0", "Cl -2.4 0 0");
        TestData.write(dir, "data/ions/ions.csv", "file,reference_energy,tag", "nacl2.xyz,-2.0,nacl2");
        Path job = job(
                "parameters:",
                "  q: {initial: 0.8, bounds: [0.5, 2.0]}",
                "terms:",
                "  - name: ions",
                "    kind: atoms",
                "    reference: data/ions/ions.csv",
                "    potential:",
                "      - {form: coulomb, charges: {Na: q, Cl: -1*q}, method: minimum_image}",
                "      - {form: buckingham, species: ['*', '*'], A: 1000.0, rho: 0.3, C: 0.0}",
                "output: {folder: out}");
        Path ions = dir.resolve("data/ions");
        assertEquals(
                List.of("warning: term 'ions': the charges of the Coulomb term potential[0] at the initial parameters"
                        + " (Na: 0.8 e, Cl: -0.8 e) do not add up to zero in " + ions.resolve("nacl2.xyz") + " ("
                        + ions.resolve("ions.csv") + " line 2, tag 'nacl2') (no periodic cell): net charge -0.8 e."
                        + " Is a charge's sign left out (-1*q for q)? (A charged molecule or cluster, an ion, may be"
                        + " meant.)"),
                validateWarnings(job));
    }
}
