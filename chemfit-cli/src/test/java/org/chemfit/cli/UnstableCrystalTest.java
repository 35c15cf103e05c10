package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crystal term whose zero-pressure cell breaks the Born stability criteria of a cubic crystal
 * (C11 - C12 &gt; 0, C11 + 2 C12 &gt; 0, C44 &gt; 0) is warned of, once per term, by eval and fit; the
 * term is not failed.
 */
class UnstableCrystalTest {

    @TempDir
    Path dir;

    /**
     * Periclase with a Buckingham Mg-O repulsion: at A = 300 eV, rho = 0.2 Å and charges ±2.2 e the
     * repulsion no longer holds the ions apart, and the zero-pressure cell found collapses to about
     * a third of the real one's edge; at A = 1285 eV, rho = 0.3 Å, charges ±2 e (the model of
     * examples/mgo-buckingham) the cell is periclase's.
     */
    private Path job(double a, double rho, double q, String... more) throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/mgo.xyz"), TestData.MGO);
        List<String> lines = new java.util.ArrayList<>(List.of(
                "parameters:",
                "  A: {initial: " + a + ", bounds: [300.0, 3000.0]}",
                "  rho: {initial: " + rho + ", fixed: true}",
                "  q: {initial: " + q + ", fixed: true}",
                "terms:",
                "  - name: periclase",
                "    kind: crystal",
                "    structure: data/mgo.xyz",
                "    formula_units: 4",
                "    potential:",
                "      - {form: coulomb, charges: {Mg: q, O: -1*q}, method: ewald, tolerance: 1.0e-10}",
                "      - {form: buckingham, species: [Mg, O], A: A, rho: rho, C: 0.0, cutoff: 12.0}",
                "      - {form: buckingham, species: [O, O], A: 22764.0, rho: 0.149, C: 27.8, cutoff: 12.0}",
                "    reference: {lattice_constant: 4.318520, C11: 310.527, C12: 132.913, C44: 132.913}"));
        lines.addAll(List.of(more));
        lines.add("output: {folder: out}");
        return TestData.write(dir, "job.yaml", lines.toArray(String[]::new));
    }

    /** @return the model value of each quantity in eval's per-structure table, as printed */
    private static Map<String, String> model(String out) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        out.lines()
                .filter(l -> l.startsWith("fit  periclase  0  "))
                .map(l -> l.trim().split(" +"))
                .forEach(f -> m.put(f[3], f[5]));
        return m;
    }

    @Test
    void evalWarnsOfACollapsedCellNamingTheConstantsAndTheCriterionBroken() throws IOException {
        Cli.Run r = Cli.run("eval", job(300.0, 0.2, 2.2).toString(), "--per-structure");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(r.out().matches("(?s).*\npericlase +crystal +1 +\\S+ +\\S+ +100\\.0% +\\S+ +ok\n.*"), r::toString);
        Map<String, String> m = model(r.out());
        double c11 = Double.parseDouble(m.get("C11"));
        double c12 = Double.parseDouble(m.get("C12"));
        double c44 = Double.parseDouble(m.get("C44"));
        // the collapsed cell: well under periclase's 4.2 Å, C12 above C11, C11 + 2 C12 and C44 positive
        assertTrue(Double.parseDouble(m.get("lattice_constant")) < 2, m::toString);
        assertTrue(c11 < c12 && c11 + 2 * c12 > 0 && c44 > 0, m::toString);
        assertEquals(
                List.of("warning: term 'periclase': the zero-pressure cell found is not mechanically stable: C11 "
                        + m.get("C11") + " GPa, C12 " + m.get("C12") + " GPa, C44 " + m.get("C44") + " GPa break the"
                        + " Born stability criterion C11 - C12 > 0 of a cubic crystal (M. Born and K. Huang, Dynamical"
                        + " Theory of Crystal Lattices, 1954); its quantities, used as computed, describe a cell the"
                        + " crystal would leave (a collapsed one, say, where the repulsion does not hold the atoms"
                        + " apart)"),
                r.err().lines().filter(l -> l.contains("mechanically stable")).toList(),
                r::toString);
        // -q prints errors and the results only, as fit does: the same evaluation, no warning
        Cli.Run quiet = Cli.run("eval", job(300.0, 0.2, 2.2).toString(), "--per-structure", "-q");
        assertEquals(ExitCodes.OK, quiet.code(), quiet::toString);
        assertEquals("", quiet.err(), quiet::toString);
        // the same results on standard output, but for the seconds each term took
        assertEquals(withoutSeconds(r.out()), withoutSeconds(quiet.out()), "-q changes only standard error");
        // periclase itself meets the criteria: no warning
        Cli.Run stable = Cli.run("eval", job(1285.0, 0.3, 2.0).toString());
        assertEquals(ExitCodes.OK, stable.code(), stable::toString);
        assertFalse(stable.err().contains("mechanically stable"), stable::toString);
    }

    @Test
    void aFitWarnsOncePerTermAtTheFirstEvaluationWithACollapsedCell() throws IOException {
        Path job = job(300.0, 0.2, 2.2, "optimizer: {method: Nelder-Mead, max_evaluations: 3}");
        Cli.Run r = Cli.run("fit", job.toString(), "--no-plots", "--progress", "log");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        List<String> warnings =
                r.err().lines().filter(l -> l.contains("mechanically stable")).toList();
        assertEquals(1, warnings.size(), r::toString);
        assertTrue(
                warnings.get(0)
                        .matches("warning: term 'periclase': the zero-pressure cell found in evaluation 0 is not"
                                + " mechanically stable: C11 \\S+ GPa, C12 \\S+ GPa, C44 \\S+ GPa break the Born"
                                + " stability criterion C11 - C12 > 0 of a cubic crystal \\(M\\. Born and K\\. Huang,"
                                + " Dynamical Theory of Crystal Lattices, 1954\\); its quantities, used as computed,"
                                + " describe a cell the crystal would leave \\(a collapsed one, say, where the"
                                + " repulsion does not hold the atoms apart\\) \\(later ones of this term are not"
                                + " shown\\)"),
                r::toString);
    }

    @Test
    void eachBrokenCriterionIsNamed() {
        org.chemfit.Quantities q = org.chemfit.Quantities.builder()
                .put("C11", 100.0)
                .put("C12", -60.0)
                .put("C44", -1.0)
                .build();
        // C11 - C12 = 160 > 0; C11 + 2 C12 = -20 and C44 = -1 break the other two
        assertEquals(
                "warning: term 'x': the zero-pressure cell found (validation) is not mechanically stable: C11 100"
                        + " GPa, C12 -60 GPa, C44 -1 GPa break the Born stability criteria C11 + 2 C12 > 0 and C44 > 0"
                        + " of a cubic crystal (M. Born and K. Huang, Dynamical Theory of Crystal Lattices, 1954); its"
                        + " quantities, used as computed, describe a cell the crystal would leave (a collapsed one,"
                        + " say, where the repulsion does not hold the atoms apart)",
                UnstableCrystals.message("x", q, " (validation)"));
        assertEquals(
                null,
                UnstableCrystals.message(
                        "x",
                        org.chemfit.Quantities.builder()
                                .put("C11", 300.0)
                                .put("C12", 130.0)
                                .put("C44", 150.0)
                                .build(),
                        ""));
    }

    /** @return the output with each term's seconds (the column before its status) as S */
    private static String withoutSeconds(String out) {
        return out.replaceAll("\\d+\\.\\d{3}( +ok\\n)", "S$1");
    }
}
