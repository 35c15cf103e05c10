package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Units are read as a chemist writes them: an energy unit in any case that tells no two units
 * apart ({@code ev}, {@code Kelvin}), {@code mole} for {@code mol}; an energy or length unit that
 * is not known is warned of at its line with the nearest known one, and the job stays valid; a
 * length parameter of a pair term declared in another length unit than Å is warned of.
 */
class UnitSpellingsTest {

    @TempDir
    Path tmp;

    private int copies;

    /** @return a copy of examples/argon with each of {@code edits} (a text, then its replacement) made */
    private Path argon(String... edits) throws IOException {
        Path job = ExamplesIT.copyOf("argon", tmp.resolve("argon" + copies++));
        String text = Files.readString(job);
        for (int i = 0; i < edits.length; i += 2) {
            text = text.replace(edits[i], edits[i + 1]);
        }
        Files.writeString(job, text);
        return job;
    }

    @Test
    void energyUnitsAreKnownInTheCaseAndWordsAChemistWrites() {
        assertEquals(EnergyUnits.perEv("K"), EnergyUnits.perEv("Kelvin"));
        assertEquals(EnergyUnits.perEv("K"), EnergyUnits.perEv("KELVIN"));
        assertEquals(1.0, EnergyUnits.perEv("ev"));
        assertEquals(1.0, EnergyUnits.perEv(" EV "));
        assertEquals(EnergyUnits.perEv("kcal/mol"), EnergyUnits.perEv("kcal/mole"));
        assertEquals(EnergyUnits.perEv("kcal/mol"), EnergyUnits.perEv("kcal  mole^-1"));
        assertEquals(EnergyUnits.perEv("kJ/mol"), EnergyUnits.perEv("KJ/MOL"));
        assertEquals(EnergyUnits.perEv("hartree"), EnergyUnits.perEv("HARTREE"));
        // case that tells units apart: MeV is a million eV, k no unit
        assertEquals(1e3, EnergyUnits.perEv("meV"));
        assertNull(EnergyUnits.perEv("MeV"));
        assertNull(EnergyUnits.perEv("mev"));
        assertNull(EnergyUnits.perEv("k"));
        assertEquals("meV", EnergyUnits.near("mev"));
        assertEquals("K", EnergyUnits.near("k"));
        assertEquals("kcal/mol", EnergyUnits.near("kcal"));
        assertEquals("kJ/mol", EnergyUnits.near("kJ"));
    }

    /**
     * Case that tells units apart gets no case variant as a suggestion: MeV is a million eV (meV a
     * thousandth), MJ/mol a million J/mol; all-lower-case mev is taken for meV. Mole in any case
     * is mol, and spaces around '/' do not count.
     */
    @Test
    void aPrefixedUnitIsSaidForWhatItIsAndMoleAndSlashesAreReadLoosely() {
        assertNull(EnergyUnits.near("MeV"));
        assertNull(EnergyUnits.near("MEV"));
        assertNull(EnergyUnits.near("MJ/mol"));
        assertNull(EnergyUnits.near("mJ/mol"));
        assertEquals("meV", EnergyUnits.near("mev"));
        String known = " (the known ones are eV, meV, J/mol, kJ/mol, kcal/mol, K, cm^-1, hartree, Ry)";
        assertEquals(
                "'MeV' is not a known energy unit: 'MeV' is a million eV, a unit this term does not know" + known,
                EnergyUnits.unknown("MeV"));
        assertEquals(
                "'MEV' is not a known energy unit: 'MEV' is a million eV, a unit this term does not know" + known,
                EnergyUnits.unknown("MEV"));
        assertEquals(
                "'mJ/mol' is not a known energy unit: 'mJ/mol' is a thousandth of one J/mol, a unit this term does"
                        + " not know" + known,
                EnergyUnits.unknown("mJ/mol"));
        assertEquals("'mev' is not a known energy unit; did you mean 'meV'?" + known, EnergyUnits.unknown("mev"));
        assertEquals(EnergyUnits.perEv("kJ/mol"), EnergyUnits.perEv("KJ/MOLE"));
        assertEquals(EnergyUnits.perEv("kJ/mol"), EnergyUnits.perEv("kJ/Mole"));
        assertEquals(EnergyUnits.perEv("kcal/mol"), EnergyUnits.perEv("kcal / mol"));
        assertEquals(EnergyUnits.perEv("kcal/mol"), EnergyUnits.perEv("kcal /mole"));
    }

    /**
     * The spellings of Å and bohr are read in any case and in Unicode's compatibility form (the
     * Ångström sign, the Greek μ for the micro sign); a prefixed unit as written or in capitals
     * where that names no other unit (MM may be megametres).
     */
    @Test
    void lengthUnitsAreReadInAnyCaseWhereCaseTellsNoneApart() {
        for (String a :
                List.of("Å", "å", "\u212B", "A", "a", "ang", "ANG", "Ang", "ANGSTROM", "ångström", "ÅNGSTRÖM")) {
            assertEquals(1.0, EnergyUnits.lengthInAngstrom(a), a);
        }
        assertEquals(0.529177210903, EnergyUnits.lengthInAngstrom("BOHR"));
        assertEquals(10.0, EnergyUnits.lengthInAngstrom("NM"));
        assertEquals(0.01, EnergyUnits.lengthInAngstrom("PM"));
        assertEquals(1e4, EnergyUnits.lengthInAngstrom("\u00B5m"));
        assertEquals(1e4, EnergyUnits.lengthInAngstrom("\u03BCm"));
        assertNull(EnergyUnits.lengthInAngstrom("\u03BCM"), "µM is micromolar as often as a length");
        assertNull(EnergyUnits.lengthInAngstrom("\u00B5M"), "µM is micromolar as often as a length");
        assertEquals(1e4, EnergyUnits.lengthInAngstrom("UM"));
        assertEquals(1e7, EnergyUnits.lengthInAngstrom("mm"));
        assertNull(EnergyUnits.lengthInAngstrom("MM"));
        assertNull(EnergyUnits.lengthInAngstrom("Mm"));
        assertNull(EnergyUnits.lengthInAngstrom("M"));
    }

    @Test
    void aKelvinParameterInATermOfUnitEvIsWarnedOf() throws IOException {
        Path job = argon("unit: K}", "unit: Kelvin}", "    unit: K\n", "    unit: ev\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        // one K is k_B / e = 1 / 11604.518 eV
        assertEquals(
                List.of("warning: term 'ar2-curve' potential[0] (lennard_jones, line 19): epsilon is parameter"
                        + " 'lj.epsilon', declared in Kelvin, but the term's energies are in ev: a pair term takes its"
                        + " energy parameters in the term's unit as written, and parameters are not converted, so"
                        + " 'lj.epsilon' counts as ev; give it in ev (one Kelvin is 8.61733e-05 ev), or the term's"
                        + " reference energies and unit in Kelvin"),
                r.err().lines().toList(),
                r::toString);
        // kcal/mole is kcal/mol; the same unit in two spellings is no mismatch
        Path same = argon("unit: K}", "unit: kelvin}", "    unit: K\n", "    unit: Kelvin\n");
        assertEquals("", Cli.run("validate", same.toString()).err());
    }

    @Test
    void unknownEnergyAndLengthUnitsAndASigmaInNmAreWarnedOfAtTheirLines() throws IOException {
        Path job = argon(
                "unit: K}", "unit: Kelvn}", "4.5], unit: A}", "4.5], unit: nm}", "    unit: K\n", "    unit: mev\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        List<String> lines = Files.readAllLines(job);
        // each at its unit's value: lines 9 and 10 of the parameters, 17 of the term
        int epsilon = lines.get(8).indexOf("unit: Kelvn") + 7;
        int sigma = lines.get(9).indexOf("unit: nm") + 7;
        String known = " (the known ones are eV, meV, J/mol, kJ/mol, kcal/mol, K, cm^-1, hartree, Ry)";
        assertEquals(
                List.of(
                        "warning: " + job + ":17:11: term 'ar2-curve' unit: 'mev' is not a known energy unit; did"
                                + " you mean 'meV'?" + known + "; it is kept as written, but its energy parameters'"
                                + " units are not compared with it",
                        "warning: " + job + ":9:" + epsilon + ": parameter 'lj.epsilon' unit: 'Kelvn' is not a known"
                                + " energy unit; did you mean 'kelvin'?" + known + "; it is epsilon of term 'ar2-curve'"
                                + " potential[0] (lennard_jones, line 19), an energy, so its unit is not compared with"
                                + " the term's",
                        "warning: " + job + ":10:" + sigma + ": parameter 'lj.sigma' is declared in nm, but it is sigma"
                                + " of term 'ar2-curve' potential[0] (lennard_jones, line 19), which takes it in Å, the"
                                + " unit atoms terms compute distances in; parameters are not converted, so 'lj.sigma'"
                                + " counts as Å: give it in Å (one nm is 10 Å)"),
                r.err().lines().toList(),
                r::toString);
        // a length unit that is not known, with the nearest spelling of Å
        Path typo = argon("4.5], unit: A}", "4.5], unit: Angstroem}");
        Cli.Run t = Cli.run("validate", typo.toString());
        assertEquals(ExitCodes.OK, t.code(), t::toString);
        assertEquals(
                List.of("warning: " + typo + ":10:" + sigma + ": parameter 'lj.sigma' unit: 'Angstroem' is not a"
                        + " known length unit; did you mean 'Angstrom'?; it is sigma of term 'ar2-curve' potential[0]"
                        + " (lennard_jones, line 19), a length, which atoms terms compute in Å"),
                t.err().lines().toList(),
                t::toString);
    }
}
