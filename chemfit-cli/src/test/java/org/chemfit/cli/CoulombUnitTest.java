package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.chemfit.Parameters;
import org.chemfit.atoms.Atoms;
import org.chemfit.atoms.PairPotential;
import org.chemfit.atoms.ParameterRef;
import org.chemfit.atoms.Xyz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An atoms term's Coulomb energy is in the term's energy unit: the library's constant, in eV Å/e²,
 * is converted into a known unit (CODATA 2018), the short-range terms' parameters are taken in
 * that unit as written, and an unknown unit is refused when the potential has a Coulomb term.
 */
class CoulombUnitTest {

    @TempDir
    Path dir;

    /** One eV in kcal/mol: e N_A / 4184 J, exact since the SI of 2019 (CODATA 2018). */
    private static final double KCAL_PER_MOL = 23.06054783061903;

    /** One eV in K (as E / k_B): e / k_B, exact (CODATA 2018). */
    private static final double KELVIN = 11604.518121550082;

    private static final Parameters Q = Parameters.of(Map.of("q", 1.0));

    /**
     * A term whose Coulomb constant is not the eV one has it in the job's identity: a journal
     * written when Coulomb was computed in eV whatever the unit is then another job; in eV nothing
     * is added, so those journals resume as before.
     */
    @Test
    void aCoulombConstantInAnotherUnitIsPartOfTheJobsIdentity() throws IOException {
        for (String unit : java.util.List.of("eV", "kcal/mol")) {
            Path job = saltJob(unit, "    potential: [" + EWALD + "]");
            Map<String, Object> settings = JobSettings.of(JobFile.read(job));
            if (unit.equals("eV")) {
                assertFalse(settings.containsKey("coulomb_constant"), settings::toString);
            } else {
                assertEquals(Map.of("salt", EnergyUnits.coulombConstant(unit)), settings.get("coulomb_constant"));
                assertEquals(332.0637, (Double) ((Map<?, ?>) settings.get("coulomb_constant")).get("salt"), 1e-4);
            }
        }
    }

    /** The energy of NaCl's conventional cell, as the term of this unit and potential computes it. */
    private double energy(String unit, String... potential) throws IOException {
        String name = unit.isEmpty() ? "none" : unit.replace('/', '_');
        if (!java.nio.file.Files.exists(dir.resolve(name))) {
            TestData.copyTree(Cli.resource("jobs/data/warnings"), dir.resolve(name));
        }
        java.util.List<String> lines = new java.util.ArrayList<>(java.util.List.of(
                "parameters:",
                "  q: {initial: 1.0, bounds: [0.5, 2.0]}",
                "terms:",
                "  - name: salt",
                "    kind: atoms",
                "    reference: " + name + "/nacl.csv",
                "    potential:"));
        for (String p : potential) {
            lines.add("      - " + p);
        }
        if (!unit.isEmpty()) {
            lines.add("    unit: " + unit);
        }
        Path job = TestData.write(dir, name + ".yaml", lines.toArray(String[]::new));
        JobFile jf = JobFile.read(job);
        JobFile.AtomsConfig a =
                assertInstanceOf(JobFile.AtomsConfig.class, jf.terms().get(0).config());
        Atoms nacl = Xyz.read(Cli.resource("jobs/data/warnings/nacl.xyz"));
        return AtomsTerms.potential(a).energy(nacl, Q);
    }

    private static final String EWALD = "{form: coulomb, charges: {Na: q, Cl: -1*q}, method: ewald}";
    private static final String BUCKINGHAM =
            "{form: buckingham, species: [Na, Cl], A: 1000.0, rho: 0.3, C: 10.0, cutoff: 8.0}";

    private static void assertRelative(double expected, double actual, double tolerance) {
        assertTrue(
                Math.abs(actual - expected) <= tolerance * Math.abs(expected),
                "expected " + expected + ", got " + actual + " (relative " + (actual / expected - 1) + ")");
    }

    @Test
    void anEwaldEnergyInKcalPerMolIsTheOneInEvTimesTheCodataFactor() throws IOException {
        double ev = energy("eV", EWALD);
        assertTrue(ev < -30 && ev > -50, "the Madelung energy of Na4Cl4 is about -35.8 eV, got " + ev);
        assertEquals(ev, energy("", EWALD), 0.0, "no unit is eV");
        assertRelative(ev * KCAL_PER_MOL, energy("kcal/mol", EWALD), 1e-9);
        assertRelative(ev * KELVIN, energy("K", EWALD), 1e-9);
        assertRelative(ev * 96.48533212331002, energy("kJ/mol", EWALD), 1e-9);
    }

    @Test
    void theShortRangeTermsTakeTheirParametersInTheTermsUnitUnconverted() throws IOException {
        double coulombEv = energy("eV", EWALD);
        double buckingham = energy("eV", EWALD, BUCKINGHAM) - coulombEv;
        assertTrue(buckingham > 0, "the cation-anion repulsion at 2.82 Å, got " + buckingham);
        assertRelative(KCAL_PER_MOL * coulombEv + buckingham, energy("kcal/mol", EWALD, BUCKINGHAM), 1e-9);
    }

    @Test
    void theConstantIsTheLibrarysInEv() {
        Atoms nacl = Xyz.read(Cli.resource("jobs/data/warnings/nacl.xyz"));
        Map<String, ParameterRef> charges = Map.of("Na", ParameterRef.of("q"), "Cl", ParameterRef.scaled("q", -1));
        double library = PairPotential.builder()
                .coulomb(charges, PairPotential.CoulombMethod.EWALD, 1e-8)
                .build()
                .energy(nacl, Q);
        double ours = PairPotential.builder()
                .coulombConstant(EnergyUnits.COULOMB_EV)
                .coulomb(charges, PairPotential.CoulombMethod.EWALD, 1e-8)
                .build()
                .energy(nacl, Q);
        assertEquals(library, ours, 0.0);
        assertRelative(332.0637132986, EnergyUnits.coulombConstant("kcal/mol"), 1e-12);
    }

    @Test
    void anUnknownEnergyUnitWithCoulombIsRefusedAtTheUnitNamingTheCoulombTermsLine() throws IOException {
        Path job = saltJob("{energy: kJ}", "    potential:", "      - " + BUCKINGHAM, "      - " + EWALD);
        TestData.refusedEverywhere(
                dir,
                job,
                job + ":7:20: term 'salt' unit is 'kJ', an energy unit ChemFit does not know, but potential[1] at"
                        + " line 10 is a Coulomb term, whose constant (14.3996454784 eV Å/e²) is converted only into a"
                        + " known energy unit: eV, meV, J/mol, kJ/mol, kcal/mol, K, cm^-1, hartree, Ry; give the"
                        + " reference energies in one of them and name it here (the other pair terms' parameters are"
                        + " in the term's unit, whatever it is); did you mean 'kJ/mol'?");
    }

    /** A long unknown unit, of more than 16 characters (units may have 24), is refused as a short one is. */
    @Test
    void aLongUnknownEnergyUnitWithCoulombIsRefusedToo() throws IOException {
        Path job = saltJob(
                "{energy: frobnitz_energy_unit_x}", "    potential:", "      - " + BUCKINGHAM, "      - " + EWALD);
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err().contains("term 'salt' unit is 'frobnitz_energy_unit_x', an energy unit ChemFit does not know"),
                r::toString);
    }

    /** MeV is a million eV, not a misspelt meV (a thousandth): no case variant is offered for it. */
    @Test
    void aPrefixedUnitWithCoulombIsSaidForWhatItIs() throws IOException {
        Path job = saltJob("{energy: MeV}", "    potential:", "      - " + BUCKINGHAM, "      - " + EWALD);
        TestData.refusedEverywhere(
                dir,
                job,
                job + ":7:20: term 'salt' unit is 'MeV', an energy unit ChemFit does not know, but potential[1] at"
                        + " line 10 is a Coulomb term, whose constant (14.3996454784 eV Å/e²) is converted only into a"
                        + " known energy unit: eV, meV, J/mol, kJ/mol, kcal/mol, K, cm^-1, hartree, Ry; give the"
                        + " reference energies in one of them and name it here (the other pair terms' parameters are"
                        + " in the term's unit, whatever it is); 'MeV' is a million eV, not a unit it knows");
    }

    @Test
    void anUnknownUnitWithoutCoulombIsTheUsersToKeep() throws IOException {
        Path job = saltJob("kJ", "    potential: " + BUCKINGHAM);
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        // kept, but warned of at the unit, with the known unit it nears
        String unitLine = Files.readAllLines(job).stream()
                .filter(l -> l.contains("unit: kJ"))
                .findFirst()
                .orElseThrow();
        int line = Files.readAllLines(job).indexOf(unitLine) + 1;
        // (the second warning, of the unused charge parameter q, is another matter)
        assertEquals(
                "warning: " + job + ":" + line + ":" + (unitLine.indexOf("kJ") + 1) + ": term 'salt' unit: 'kJ'"
                        + " is not a known energy unit; did you mean 'kJ/mol'? (the known ones are eV, meV, J/mol,"
                        + " kJ/mol, kcal/mol, K, cm^-1, hartree, Ry); it is kept as written, but its energy parameters'"
                        + " units are not compared with it",
                r.err().lines().toList().get(0),
                r::toString);
    }

    /**
     * Writes job.yaml: the term 'salt' on the NaCl data (copied once into data/), with this unit and
     * these lines of its potential, and an output folder.
     */
    private Path saltJob(String unit, String... potential) throws IOException {
        if (!java.nio.file.Files.exists(dir.resolve("data"))) {
            TestData.copyTree(Cli.resource("jobs/data/warnings"), dir.resolve("data"));
        }
        java.util.List<String> lines = new java.util.ArrayList<>(java.util.List.of(
                "parameters:",
                "  q: {initial: 1.0, bounds: [0.5, 2.0]}",
                "terms:",
                "  - name: salt",
                "    kind: atoms",
                "    reference: data/nacl.csv",
                "    unit: " + unit));
        lines.addAll(java.util.List.of(potential));
        lines.add("output: {folder: out}");
        return TestData.write(dir, "job.yaml", lines.toArray(String[]::new));
    }
}
