package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.chemfit.ChemFitException;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.QuantityComputerObjectiveFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomisticTermsTest {

    @TempDir
    Path dir;

    static final PairPotential LJ =
            PairPotential.builder().lennardJones("Ar", "Ar", "epsilon", "sigma").build();
    static final Parameters UNIT = Parameters.of(Map.of("epsilon", 1.0, "sigma", 1.0));

    void dimer(Path file, double r) {
        Xyz.write(file, List.of(Atoms.of(List.of("Ar", "Ar"), new double[][] {{0, 0, 0}, {0, 0, r}})));
    }

    @Test
    void readsTheWaterCsvWithItsLeadingIndexColumn() {
        Path data = ExampleData.example("water-dimer");
        List<ReferenceEntry> rows = ReferenceCsv.read(data.resolve("energies2.csv"));
        assertEquals(7, rows.size());
        ReferenceEntry first = rows.get(0);
        assertEquals(data.resolve("atoms_4.4.xyz").toAbsolutePath().normalize(), first.file());
        assertEquals(-0.06771499999999975, first.energy(), 0.0);
        assertEquals("dimer_C1_4.4", first.tag());
        assertEquals(2, first.line());
        assertEquals("dimer_C1_5.0", rows.get(6).tag());
    }

    @Test
    void resolvesPathsAgainstTheCsvFolderAndDefaultsTheTag() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("set/structures"));
        dimer(sub.resolve("a.xyz"), 1.2);
        dimer(sub.resolve("b.extxyz"), 1.5);
        Path csv = dir.resolve("set/refs.csv");
        Files.writeString(csv, "reference_energy,file\n-0.5,structures/a.xyz\n\"-0.25\",\"structures/b.extxyz\"\n");
        List<ReferenceEntry> rows = ReferenceCsv.read(csv);
        assertEquals(List.of("a", "b"), rows.stream().map(ReferenceEntry::tag).toList());
        assertEquals(sub.resolve("b.extxyz").toAbsolutePath(), rows.get(1).file());

        List<QuantityComputerObjectiveFunction> terms =
                AtomisticTerms.fromCsv(csv, LJ).terms();
        assertEquals(2, terms.size());
        assertEquals("a", terms.get(0).name());
        double e = LJ.energy(Atoms.of(List.of("Ar", "Ar"), new double[][] {{0, 0, 0}, {0, 0, 1.2}}), UNIT);
        assertEquals(Math.pow(e + 0.5, 2), terms.get(0).evaluate(UNIT), 1e-12);

        CombinedObjectiveFunction scaled =
                AtomisticTerms.fromCsv(csv, LJ).energyScale(0.1).combined();
        assertEquals(List.of("a", "b"), scaled.termNames());
        EvaluationContext ctx = new EvaluationContext(UNIT);
        scaled.evaluate(UNIT, ctx);
        assertEquals(Math.pow((e + 0.5) / 0.1, 2), ctx.child(0).value(), 1e-9);
        assertEquals(e, ctx.child(0).quantities().get("energy"), 1e-12);
    }

    @Test
    void twoCsvsAreReadFileAfterFile() throws Exception {
        Path data = ExampleData.example("water-dimer");
        List<ReferenceEntry> both =
                ReferenceCsv.read(List.of(data.resolve("energies.csv"), data.resolve("energies2.csv")));
        assertEquals(27, both.size());
        assertEquals("dimer_C1_4.3", both.get(19).tag());
        assertEquals("dimer_C1_4.4", both.get(20).tag());
        assertEquals(
                27,
                AtomisticTerms.fromCsv(
                                List.of(data.resolve("energies.csv"), data.resolve("energies2.csv")),
                                WaterDimerFitTest.TIP3P_FORM)
                        .moleculeSize(3)
                        .combined()
                        .size());
    }

    @Test
    void relaxedTermsUseTheRelaxedEnergy() throws Exception {
        dimer(dir.resolve("d.xyz"), 1.5);
        Path csv = dir.resolve("r.csv");
        Files.writeString(csv, "file,reference_energy,tag\nd.xyz,-1.0,relaxed\n");
        var term = AtomisticTerms.fromCsv(csv, LJ)
                .relax(Relax.lbfgs().forceTolerance(1e-8))
                .terms()
                .get(0);
        assertEquals(0.0, term.evaluate(UNIT), 1e-20);
        assertTrue(term.computer() instanceof RelaxedComputer);
    }

    @Test
    void aCsvSavedWithAByteOrderMarkIsRead() throws Exception {
        // spreadsheet programs save "CSV UTF-8" with a byte order mark before the header
        dimer(dir.resolve("a.xyz"), 1.2);
        Path csv = dir.resolve("bom.csv");
        Files.writeString(csv, "\uFEFFfile,reference_energy,tag\na.xyz,-0.5,first\n");
        List<ReferenceEntry> rows = ReferenceCsv.read(csv);
        assertEquals(1, rows.size());
        assertEquals("first", rows.get(0).tag());
        assertEquals(-0.5, rows.get(0).energy(), 0.0);
    }

    @Test
    void malformedCsvNamesFileLineAndExpectation() throws Exception {
        Path noColumn = dir.resolve("a.csv");
        Files.writeString(noColumn, "path_to_file,energy_ev\nx.xyz,1\n");
        InputFormatException e1 = assertThrows(InputFormatException.class, () -> ReferenceCsv.read(noColumn));
        assertEquals(1, e1.line());
        // every alias the reader takes is named: energy_ev is none of them
        assertEquals(
                noColumn + ":1: expected a header row with the columns 'file' (or 'path') and 'reference_energy' (or"
                        + " 'energy'), and optionally 'tag' (or 'name'), in any case, got 'path_to_file,energy_ev'",
                e1.getMessage());

        Path badEnergy = dir.resolve("b.csv");
        Files.writeString(badEnergy, ",file,reference_energy,tag\n0,x.xyz,-0.1,t0\n1,y.xyz,minus one,t1\n");
        InputFormatException e2 = assertThrows(InputFormatException.class, () -> ReferenceCsv.read(badEnergy));
        assertTrue(
                e2.getMessage()
                        .startsWith(badEnergy
                                + ":3: expected a finite number in column 'reference_energy', got 'minus one'"),
                e2.getMessage());

        Path fields = dir.resolve("c.csv");
        Files.writeString(fields, "file,reference_energy,tag\nx.xyz,-0.1\n");
        InputFormatException e3 = assertThrows(InputFormatException.class, () -> ReferenceCsv.read(fields));
        assertTrue(e3.getMessage().startsWith(fields + ":2: expected 3 fields as in the header"), e3.getMessage());

        Path empty = dir.resolve("d.csv");
        Files.writeString(empty, "file,reference_energy\n");
        assertTrue(assertThrows(InputFormatException.class, () -> ReferenceCsv.read(empty))
                .getMessage()
                .contains("expected at least one row after the header"));
    }

    @Test
    void missingOrBrokenStructureNamesTheCsvLine() throws Exception {
        Path csv = dir.resolve("refs.csv");
        Files.writeString(csv, "file,reference_energy,tag\nnope.xyz,-0.1,gone\n");
        ChemFitException missing = assertThrows(
                ChemFitException.class, () -> AtomisticTerms.fromCsv(csv, LJ).terms());
        assertTrue(
                missing.getMessage().contains(dir.resolve("nope.xyz") + " (CSV line 2, tag 'gone') does not exist"),
                missing.getMessage());

        Files.writeString(dir.resolve("bad.xyz"), "2\ncomment\nAr 0 0 0\n");
        Files.writeString(csv, "file,reference_energy,tag\nbad.xyz,-0.1,broken\n");
        InputFormatException broken = assertThrows(
                InputFormatException.class,
                () -> AtomisticTerms.fromCsv(csv, LJ).terms());
        assertTrue(
                broken.getMessage().startsWith(dir.resolve("bad.xyz") + ":4: expected 2 atom lines"),
                broken.getMessage());
        assertTrue(broken.getMessage().endsWith("(CSV line 2, tag 'broken')"), broken.getMessage());

        dimer(dir.resolve("three.xyz"), 1.0);
        Files.writeString(csv, "file,reference_energy,tag\nthree.xyz,-0.1,odd\n");
        ChemFitException prep = assertThrows(
                ChemFitException.class,
                () -> AtomisticTerms.fromCsv(csv, LJ).moleculeSize(3).terms());
        assertTrue(
                prep.getMessage().contains("could not be prepared: cannot split 2 atoms into molecules of 3 atoms"),
                prep.getMessage());
    }
}
