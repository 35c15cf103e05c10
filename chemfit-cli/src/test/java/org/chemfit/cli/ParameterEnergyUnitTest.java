package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.chemfit.atoms.ParameterRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pair term takes its energy parameters (Lennard-Jones epsilon, Morse D, Buckingham A and C) in
 * its term's energy unit as written, and no parameter is converted: a parameter declared in
 * another energy unit is warned of by {@code validate}, {@code fit} and {@code eval}, naming the
 * parameter, both units, the term and the factor between them.
 */
class ParameterEnergyUnitTest {

    @TempDir
    Path tmp;

    /** @return a copy of examples/water-dimer whose terms declare {@code unit: kcal/mol} (epsilon stays eV) */
    private Path waterDimerInKcal() throws IOException {
        Path job = ExamplesIT.copyOf("water-dimer", tmp.resolve("water-dimer"));
        String text = Files.readString(job);
        Files.writeString(job, text.replace("    unit: eV\n", "    unit: kcal/mol\n"));
        return job;
    }

    private static String warning(String term, int line) {
        return "warning: term '" + term + "' potential[0] (lennard_jones, line " + line + "): epsilon is parameter"
                + " 'water.epsilon', declared in eV, but the term's energies are in kcal/mol: a pair term takes its"
                + " energy parameters in the term's unit as written, and parameters are not converted, so"
                + " 'water.epsilon' counts as kcal/mol; give it in kcal/mol (one eV is 23.0605 kcal/mol), or the"
                + " term's reference energies and unit in eV";
    }

    @Test
    void theWaterDimerWithItsTermsInKcalPerMolIsWarnedOf() throws IOException {
        Path job = waterDimerInKcal();
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals(
                List.of(warning("dimers", 22), warning("held-out-dimers", 34)),
                r.err().lines().toList(),
                r::toString);
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, eval.code(), eval::toString);
        assertEquals(
                List.of(warning("dimers", 22), warning("held-out-dimers", 34)),
                eval.err().lines().limit(2).toList(),
                eval::toString);
    }

    /**
     * A job that converts the parameter itself ({@code 23.0605*water.epsilon}, epsilon in eV, the
     * terms in kcal/mol) is not warned of; another factor (a mixing rule's 0.5) still is.
     */
    @Test
    void aFactorThatConvertsTheParameterIsNotWarnedOf() throws IOException {
        Path job = waterDimerInKcal();
        String kcal = Files.readString(job);
        Files.writeString(job, kcal.replace("epsilon: water.epsilon,", "epsilon: 23.0605*water.epsilon,"));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals("", r.err(), r::toString);

        Files.writeString(job, kcal.replace("epsilon: water.epsilon,", "epsilon: 0.5*water.epsilon,"));
        Cli.Run half = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, half.code(), half::toString);
        assertEquals(
                2,
                half.err()
                        .lines()
                        .filter(l -> l.contains("'water.epsilon' counts as kcal/mol"))
                        .count(),
                half::toString);
    }

    @Test
    void theExampleAsItIsHasNoWarning() throws IOException {
        Path job = waterDimerInKcal();
        Files.writeString(job, Files.readString(job).replace("    unit: kcal/mol\n", "    unit: eV\n"));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals("", r.err(), r::toString);
    }

    @Test
    void morseAndBuckinghamParametersAndSpellingsOfOneUnit() {
        List<JobFile.PairTermSpec> pairs = List.of(
                new JobFile.PairTermSpec(
                        JobFile.PairForm.MORSE,
                        "*",
                        "*",
                        Map.of(
                                "D",
                                ParameterRef.of("m.D"),
                                "alpha",
                                ParameterRef.of("m.a"),
                                "r0",
                                ParameterRef.of("m.r0")),
                        Double.POSITIVE_INFINITY,
                        false),
                new JobFile.PairTermSpec(
                        JobFile.PairForm.BUCKINGHAM,
                        "*",
                        "*",
                        Map.of(
                                "A",
                                ParameterRef.of("b.A"),
                                "rho",
                                ParameterRef.of("b.rho"),
                                "C",
                                ParameterRef.of("b.C")),
                        10.0,
                        false));
        // D in kJ mol^-1 is kJ/mol; A in hartree is not; C in eV*A^6 is not kJ/mol Å^6; rho is a length
        Map<String, String> units = Map.of("m.D", "kJ mol^-1", "b.A", "hartree", "b.C", "eV*A^6", "b.rho", "eV");
        List<String> w = EnergyUnits.parameterMismatches(pairs, List.of(), true, units, "kJ/mol", "term 't'");
        assertEquals(
                List.of(
                        "term 't' potential[1] (buckingham): A is parameter 'b.A', declared in hartree, but the term's"
                                + " energies are in kJ/mol: a pair term takes its energy parameters in the term's unit"
                                + " as written, and parameters are not converted, so 'b.A' counts as kJ/mol; give it in"
                                + " kJ/mol (one hartree is 2625.5 kJ/mol), or the term's reference energies and unit in"
                                + " hartree",
                        "term 't' potential[1] (buckingham): C is parameter 'b.C', declared in eV*A^6, but the term's"
                                + " energies are in kJ/mol: a pair term takes its energy parameters in the term's unit"
                                + " as written, and parameters are not converted, so 'b.C' counts as kJ/mol Å^6; give it"
                                + " in kJ/mol Å^6 (one eV is 96.4853 kJ/mol), or the term's reference energies and unit"
                                + " in eV"),
                w);
        // a term without a unit, or with one ChemFit does not know, says nothing
        assertEquals(List.of(), EnergyUnits.parameterMismatches(pairs, List.of(), true, units, null, "term 't'"));
        assertEquals(List.of(), EnergyUnits.parameterMismatches(pairs, List.of(), true, units, "eV/atom", "term 't'"));
    }
}
