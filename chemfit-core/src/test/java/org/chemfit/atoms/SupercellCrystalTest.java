package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.chemfit.Quantities;
import org.junit.jupiter.api.Test;

/**
 * A crystal term given a cubic supercell of the conventional cell reports the conventional cell's
 * edge as its lattice constant, and the same quantities per formula unit as for the conventional
 * cell.
 */
class SupercellCrystalTest {

    /** n × n × n of a cubic cell, the copies in the order of their offsets, the atoms in each in the cell's order. */
    static Atoms supercell(Atoms cell, int n) {
        double a = cell.cell()[0][0];
        List<String> species = new ArrayList<>();
        List<double[]> positions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    for (int atom = 0; atom < cell.size(); atom++) {
                        double[] p = cell.position(atom);
                        species.add(cell.species(atom));
                        positions.add(new double[] {p[0] + i * a, p[1] + j * a, p[2] + k * a});
                    }
                }
            }
        }
        double b = n * a;
        return Atoms.of(species, positions.toArray(double[][]::new))
                .withCell(new double[][] {{b, 0, 0}, {0, b, 0}, {0, 0, b}}, true, true, true);
    }

    /** The cell with each atom's position changed. */
    static Atoms moved(Atoms cell, UnaryOperator<double[]> move) {
        List<double[]> positions = new ArrayList<>();
        for (int i = 0; i < cell.size(); i++) {
            positions.add(move.apply(cell.position(i)));
        }
        double[][] c = cell.cell();
        return Atoms.of(cell.speciesList(), positions.toArray(double[][]::new)).withCell(c, true, true, true);
    }

    @Test
    void theConventionalCellOfRockSaltIsOneCellAndItsSupercellsAreMany() {
        Atoms mgo = PublishedLatticeConstantTest.mgo();
        assertEquals(8, mgo.size());
        assertEquals(1, CubicCrystalComputer.repeats(mgo));
        assertEquals(2, CubicCrystalComputer.repeats(supercell(mgo, 2)));
        assertEquals(3, CubicCrystalComputer.repeats(supercell(mgo, 3)));
        // the largest n: a 4 × 4 × 4 cell is 2 × 2 × 2 too
        Atoms argon = Atoms.of(List.of("Ar"), new double[][] {{0.1, 0.2, 0.3}})
                .withCell(new double[][] {{3.7, 0, 0}, {0, 3.7, 0}, {0, 0, 3.7}}, true, true, true);
        assertEquals(1, CubicCrystalComputer.repeats(argon));
        assertEquals(4, CubicCrystalComputer.repeats(supercell(argon, 4)));
    }

    @Test
    void positionsCountModuloTheCellAndWithinTheTolerance() {
        Atoms two = supercell(PublishedLatticeConstantTest.mgo(), 2);
        double edge = two.cell()[0][0];
        // the whole crystal shifted, some atoms wrapped out of the cell by a whole edge
        Atoms shifted = moved(two, p ->
                new double[] {p[0] + 0.37 - (p[0] > 4 ? edge : 0), p[1] - 1.1, p[2] + (p[2] < 1 ? 2 * edge : 0)});
        assertEquals(2, CubicCrystalComputer.repeats(shifted));
        // one atom off its place by 1e-7 of the edge: within the tolerance
        int[] index = {0};
        Atoms within = moved(two, p -> index[0]++ == 5 ? new double[] {p[0] + 1e-7 * edge, p[1], p[2]} : p);
        assertEquals(2, CubicCrystalComputer.repeats(within));
        // by 1e-5 of the edge: no longer a supercell
        index[0] = 0;
        Atoms off = moved(two, p -> index[0]++ == 5 ? new double[] {p[0] + 1e-5 * edge, p[1], p[2]} : p);
        assertEquals(1, CubicCrystalComputer.repeats(off));
    }

    @Test
    void aSupercellWithTwoAtomsSwappedIsNotASupercell() {
        Atoms two = supercell(PublishedLatticeConstantTest.mgo(), 2);
        List<String> species = new ArrayList<>(two.speciesList());
        // an Mg of the first copy and an O of the second trade places: the counts stay 32 and 32
        assertEquals("Mg", species.get(0));
        assertEquals("O", species.get(12));
        species.set(0, "O");
        species.set(12, "Mg");
        double[][] positions = new double[two.size()][];
        for (int i = 0; i < two.size(); i++) {
            positions[i] = two.position(i);
        }
        Atoms swapped = Atoms.of(species, positions).withCell(two.cell(), true, true, true);
        assertEquals(1, CubicCrystalComputer.repeats(swapped));
    }

    @Test
    void aSupercellGivesTheQuantitiesOfTheConventionalCell() {
        // GULP's example 65 model (PublishedLatticeConstantTest): a = 4.2251 Å
        PairPotential model = PublishedLatticeConstantTest.mgo(1346.6, 0.2984, 22764.3, 0.149, 20.37, 8.0);
        Atoms mgo = PublishedLatticeConstantTest.mgo();
        Quantities one = new CubicCrystalComputer(mgo, 4, model).compute(PublishedLatticeConstantTest.NONE);
        Quantities two =
                new CubicCrystalComputer(supercell(mgo, 2), 32, model).compute(PublishedLatticeConstantTest.NONE);
        assertEquals(4.225103, one.get("lattice_constant"), 1e-4);
        // the conventional edge, not the supercell's 8.45 Å
        assertEquals(one.get("lattice_constant"), two.get("lattice_constant"), 1e-9 * one.get("lattice_constant"));
        // the volume per formula unit is the cube of the lattice constant over 4, whichever the cell
        assertEquals(one.get("volume"), two.get("volume"), 3e-9 * one.get("volume"));
        assertEquals(one.get("lattice_energy"), two.get("lattice_energy"), 1e-9 * Math.abs(one.get("lattice_energy")));
        // the two cells' Ewald sums differ by their tolerance, which the strain of 1e-4 magnifies
        // (computed here: 1e-8 of each elastic constant apart)
        for (String c : List.of("C11", "C12", "C44", "bulk_modulus")) {
            assertEquals(one.get(c), two.get(c), 1e-6 * one.get(c), c);
        }
    }
}
