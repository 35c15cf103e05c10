package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The cells a cubic crystal refuses, said the same by the check a job reader makes and by the constructor. */
class CubicCellTest {

    private static final Atoms PAIR = Atoms.of(List.of("Mg", "O"), new double[][] {{0, 0, 0}, {2.1, 0, 0}});

    private static final PairPotential POTENTIAL =
            PairPotential.builder().lennardJones("Mg", "O", "eps", "sig").build();

    @Test
    void aCubePeriodicAlongItsThreeVectorsPasses() {
        assertNull(CubicCrystalComputer.cellProblem(PAIR.withCell(
                new double[][] {{4.2, 0, 0}, {0, 4.2, 0}, {0, 0, 4.2}}, true, true, true)));
    }

    @Test
    void aTetragonalCellIsRefusedWithItsVectors() {
        Atoms cell = PAIR.withCell(new double[][] {{4.2, 0, 0}, {0, 4.2, 0}, {0, 0, 4.5}}, true, true, true);
        String why = "the conventional cell must be a cube with edges along x, y and z, got"
                + " [[4.2, 0.0, 0.0], [0.0, 4.2, 0.0], [0.0, 0.0, 4.5]]";
        assertEquals(why, CubicCrystalComputer.cellProblem(cell));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new CubicCrystalComputer(cell, 1, POTENTIAL));
        assertEquals(why, e.getMessage());
    }

    @Test
    void aCubeTurnedOffTheAxesOrNotPeriodicEverywhereIsRefused() {
        Atoms sheared = PAIR.withCell(new double[][] {{4.2, 0, 0}, {0, 4.2, 0}, {0.1, 0, 4.2}}, true, true, true);
        assertEquals(
                "the conventional cell must be a cube with edges along x, y and z, got"
                        + " [[4.2, 0.0, 0.0], [0.0, 4.2, 0.0], [0.1, 0.0, 4.2]]",
                CubicCrystalComputer.cellProblem(sheared));
        Atoms slab = PAIR.withCell(new double[][] {{4.2, 0, 0}, {0, 4.2, 0}, {0, 0, 4.2}}, true, true, false);
        assertEquals(
                "a cubic crystal needs a cell periodic along its three vectors (pbc=\"T T T\"); its pbc is"
                        + " \"T T F\"",
                CubicCrystalComputer.cellProblem(slab));
        Atoms open = PAIR.withCell(new double[][] {{4.2, 0, 0}, {0, 4.2, 0}, {0, 0, 4.2}}, false, false, false);
        assertEquals(
                "a cubic crystal needs a cell periodic along its three vectors (pbc=\"T T T\"); its pbc is"
                        + " \"F F F\"",
                CubicCrystalComputer.cellProblem(open));
        assertEquals(
                "a cubic crystal needs a cell periodic along its three vectors (pbc=\"T T T\"); the structure has"
                        + " no cell (no Lattice)",
                CubicCrystalComputer.cellProblem(PAIR));
    }
}
