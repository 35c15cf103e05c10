package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinglePointComputerTest {

    @TempDir
    Path dir;

    @Test
    void reportsEnergyForcesAndAtomCountOfTheWaterDimer() {
        Path file = ExampleData.example("water-dimer").resolve("atoms_2.9.xyz");
        Atoms dimer = Xyz.read(file).withConsecutiveMolecules(3);
        Parameters tip3p = Parameters.of(WaterDimerFitTest.tip3p());
        Quantities q = new SinglePointComputer(dimer, WaterDimerFitTest.TIP3P_FORM).compute(tip3p);
        assertEquals(6.0, q.get("natoms"));
        double[] f = new double[18];
        double e = WaterDimerFitTest.TIP3P_FORM.energyAndForces(dimer, tip3p, f);
        assertEquals(e, q.get("energy"), 0.0);
        assertArrayEquals(f, q.array("forces"), 0.0);
        // a hydrogen-bonded dimer near its minimum: TIP3P binds it by a few tenths of an eV
        assertTrue(e < -0.2 && e > -0.35, "binding energy " + e);
        // the forces on the two rigid molecules are equal and opposite
        for (int c = 0; c < 3; c++) {
            double m0 = f[c] + f[3 + c] + f[6 + c];
            double m1 = f[9 + c] + f[12 + c] + f[15 + c];
            assertEquals(-m0, m1, 1e-12);
        }
        PairPotentialTest.assertForcesMatchFiniteDifferences(WaterDimerFitTest.TIP3P_FORM, dimer, tip3p);
    }

    @Test
    void structureIsReadOnceWhenTheComputerIsMade() throws Exception {
        Path file = dir.resolve("ar2.xyz");
        Xyz.write(file, List.of(Atoms.of(List.of("Ar", "Ar"), new double[][] {{0, 0, 0}, {0, 0, 1.5}})));
        PairPotential lj =
                PairPotential.builder().lennardJones("Ar", "Ar", "eps", "sigma").build();
        SinglePointComputer c = SinglePointComputer.of(file, lj);
        Parameters p = Parameters.of(Map.of("eps", 1.0, "sigma", 1.0));
        double before = c.compute(p).get("energy");
        Files.writeString(file, "not an xyz file any more");
        assertEquals(before, c.compute(p).get("energy"), 0.0);
        assertEquals(1.5, c.atoms().distance(0, 1), 0.0);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> c.compute(Parameters.of(Map.of("eps", 1.0))));
        assertTrue(e.getMessage().contains("unknown parameter 'sigma'"), e.getMessage());
    }
}
