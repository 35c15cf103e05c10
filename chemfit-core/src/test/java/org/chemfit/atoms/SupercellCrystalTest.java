package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.chemfit.Quantities;
import org.jspecify.annotations.Nullable;
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
        // one atom off its place by 9e-4 Å: within the tolerance of 1e-3 Å
        int[] index = {0};
        Atoms within = moved(two, p -> index[0]++ == 5 ? new double[] {p[0] + 9e-4, p[1], p[2]} : p);
        assertEquals(2, CubicCrystalComputer.repeats(within));
        // by 2e-3 Å: no longer a supercell
        index[0] = 0;
        Atoms off = moved(two, p -> index[0]++ == 5 ? new double[] {p[0] + 2e-3, p[1], p[2]} : p);
        assertEquals(1, CubicCrystalComputer.repeats(off));
    }

    /** @return the supercell the cell nearly is, as the job reader asks: with what repeats found */
    private static CubicCrystalComputer.@Nullable NearSupercell near(Atoms cell) {
        return CubicCrystalComputer.nearSupercell(cell, CubicCrystalComputer.repeats(cell));
    }

    /** The cell with the atom of the given index moved by dx along x. */
    private static Atoms oneMoved(Atoms cell, int atom, double dx) {
        int[] index = {0};
        return moved(cell, p -> index[0]++ == atom ? new double[] {p[0] + dx, p[1], p[2]} : p);
    }

    @Test
    void aCellNearlyASupercellIsNamedWithHowFarOffItIs() {
        Atoms mgo = PublishedLatticeConstantTest.mgo();
        Atoms two = supercell(mgo, 2);
        // a conventional cell, and a supercell that repeats says is one: nothing nearer
        assertNull(near(mgo));
        assertNull(near(two));
        // one atom off by 2e-3 Å and by 0.02 Å: taken as one cell, nearly 2 × 2 × 2, by as much
        for (double dx : new double[] {2e-3, 0.02, 0.049}) {
            Atoms off = oneMoved(two, 5, dx);
            assertEquals(1, CubicCrystalComputer.repeats(off));
            CubicCrystalComputer.NearSupercell near = near(off);
            assertNotNull(near);
            assertEquals(2, near.repeats());
            assertEquals(dx, near.deviation(), 1e-12);
        }
        // beyond 0.05 Å: not nearly a supercell either
        assertNull(near(oneMoved(two, 5, 0.06)));
        // 4 × 4 × 4 of a one-atom cell with one atom off by 0.01 Å: nearly 4, the largest n
        Atoms argon = Atoms.of(List.of("Ar"), new double[][] {{0.1, 0.2, 0.3}})
                .withCell(new double[][] {{3.7, 0, 0}, {0, 3.7, 0}, {0, 0, 3.7}}, true, true, true);
        Atoms four = oneMoved(supercell(argon, 4), 17, 0.01);
        assertEquals(1, CubicCrystalComputer.repeats(four));
        CubicCrystalComputer.NearSupercell nearFour = near(four);
        assertNotNull(nearFour);
        assertEquals(4, nearFour.repeats());
        assertEquals(0.01, nearFour.deviation(), 1e-12);
        // a small cube: the tolerance is 1% of its edge of 2 Å, 0.02 Å
        Atoms small = Atoms.of(List.of("Ar"), new double[][] {{0.1, 0.2, 0.3}})
                .withCell(new double[][] {{1.0, 0, 0}, {0, 1.0, 0}, {0, 0, 1.0}}, true, true, true);
        Atoms smallTwo = supercell(small, 2);
        CubicCrystalComputer.NearSupercell nearSmall = near(oneMoved(smallTwo, 3, 0.015));
        assertNotNull(nearSmall);
        assertEquals(0.015, nearSmall.deviation(), 1e-12);
        assertNull(near(oneMoved(smallTwo, 3, 0.03)));
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

    /** A cube of edge a with atoms at the fractional positions given, species and positions in turn. */
    static Atoms cube(double a, Object... speciesAndFractions) {
        List<String> species = new ArrayList<>();
        List<double[]> positions = new ArrayList<>();
        for (int i = 0; i < speciesAndFractions.length; i += 2) {
            species.add((String) speciesAndFractions[i]);
            double[] f = (double[]) speciesAndFractions[i + 1];
            positions.add(new double[] {f[0] * a, f[1] * a, f[2] * a});
        }
        return Atoms.of(species, positions.toArray(double[][]::new))
                .withCell(new double[][] {{a, 0, 0}, {0, a, 0}, {0, 0, a}}, true, true, true);
    }

    private static double[] at(double x, double y, double z) {
        return new double[] {x, y, z};
    }

    /** The face-centred positions of a cubic cell shifted by s along each axis, with the species. */
    private static Object[] fcc(String species, double s) {
        return new Object[] {
            species,
            at(s, s, s),
            species,
            at(s, 0.5 + s, 0.5 + s),
            species,
            at(0.5 + s, s, 0.5 + s),
            species,
            at(0.5 + s, 0.5 + s, s)
        };
    }

    private static Object[] concat(Object[]... parts) {
        List<Object> all = new ArrayList<>();
        for (Object[] p : parts) {
            all.addAll(List.of(p));
        }
        return all.toArray();
    }

    /** The position rounded to 5 decimals, as a file written with 5 decimals has it. */
    private static double[] fiveDecimals(double[] p) {
        return new double[] {round5(p[0]), round5(p[1]), round5(p[2])};
    }

    private static double round5(double x) {
        return Math.rint(x * 1e5) / 1e5;
    }

    @Test
    void theConventionalPrimitiveBodyAndFaceCentredCellsAreOneCell() {
        Object[] cornerAndCentres = {"Sr", at(0, 0, 0), "Ti", at(0.5, 0.5, 0.5)};
        java.util.Map<String, Atoms> cells = new java.util.LinkedHashMap<>();
        cells.put("rock salt", PublishedLatticeConstantTest.mgo());
        cells.put("CsCl", cube(4.12, "Cs", at(0, 0, 0), "Cl", at(0.5, 0.5, 0.5)));
        cells.put("fluorite", cube(5.46, concat(fcc("Ca", 0), fcc("F", 0.25), fcc("F", 0.75))));
        cells.put("perovskite", cube(3.905, concat(cornerAndCentres, new Object[] {
            "O", at(0.5, 0.5, 0), "O", at(0.5, 0, 0.5), "O", at(0, 0.5, 0.5)
        })));
        cells.put("zincblende", cube(5.41, concat(fcc("Zn", 0), fcc("S", 0.25))));
        cells.put("diamond", cube(3.567, concat(fcc("C", 0), fcc("C", 0.25))));
        cells.put("fcc", cube(3.615, fcc("Cu", 0)));
        cells.put("bcc", cube(2.87, "Fe", at(0, 0, 0), "Fe", at(0.5, 0.5, 0.5)));
        cells.put("simple cubic", cube(3.35, "Po", at(0, 0, 0)));
        for (var e : cells.entrySet()) {
            assertEquals(1, CubicCrystalComputer.repeats(e.getValue()), e.getKey());
            // written with 5 decimals and scattered by 1e-4 Å, still one cell
            Random random = new Random(7);
            Atoms noisy = moved(
                    e.getValue(),
                    p -> fiveDecimals(new double[] {
                        p[0] + 1e-4 * (2 * random.nextDouble() - 1),
                        p[1] + 1e-4 * (2 * random.nextDouble() - 1),
                        p[2] + 1e-4 * (2 * random.nextDouble() - 1)
                    }));
            assertEquals(1, CubicCrystalComputer.repeats(noisy), e.getKey() + " scattered");
            assertEquals(2, CubicCrystalComputer.repeats(supercell(e.getValue(), 2)), e.getKey() + " 2 x 2 x 2");
        }
    }

    @Test
    void aSupercellWrittenWithFiveDecimalsOrScatteredAsInARelaxedSnapshotIsStillASupercell() {
        // an edge whose multiples and halves do not end within 5 decimals
        Atoms mgo = cube(4.2112347, concat(fcc("Mg", 0), fcc("O", 0.5)));
        Atoms two = supercell(mgo, 2);
        double b = round5(two.cell()[0][0]);
        Atoms written = moved(two, SupercellCrystalTest::fiveDecimals)
                .withCell(new double[][] {{b, 0, 0}, {0, b, 0}, {0, 0, b}}, true, true, true);
        assertEquals(2, CubicCrystalComputer.repeats(written));
        // every atom off its place by up to 1e-4 Å along each axis, as in a relaxed or DFT snapshot
        Random random = new Random(42);
        Atoms scattered = moved(supercell(mgo, 3), p -> new double[] {
            p[0] + 1e-4 * (2 * random.nextDouble() - 1),
            p[1] + 1e-4 * (2 * random.nextDouble() - 1),
            p[2] + 1e-4 * (2 * random.nextDouble() - 1)
        });
        assertEquals(3, CubicCrystalComputer.repeats(scattered));
    }

    @Test
    void repeatsRefusesACellThatIsNotACube() {
        Atoms box = Atoms.of(List.of("Ar"), new double[][] {{0, 0, 0}})
                .withCell(new double[][] {{3.7, 0, 0}, {0, 3.8, 0}, {0, 0, 3.7}}, true, true, true);
        assertThrows(IllegalArgumentException.class, () -> CubicCrystalComputer.repeats(box));
    }

    @Test
    void aSupercellWrittenWithFiveDecimalsGivesTheConventionalLatticeConstant() {
        PairPotential model = PublishedLatticeConstantTest.mgo(1346.6, 0.2984, 22764.3, 0.149, 20.37, 8.0);
        Atoms mgo = PublishedLatticeConstantTest.mgo();
        Atoms two = supercell(cube(4.2112347, concat(fcc("Mg", 0), fcc("O", 0.5))), 2);
        double b = round5(two.cell()[0][0]);
        Atoms written = moved(two, SupercellCrystalTest::fiveDecimals)
                .withCell(new double[][] {{b, 0, 0}, {0, b, 0}, {0, 0, b}}, true, true, true);
        Quantities one = new CubicCrystalComputer(mgo, 4, model).compute(PublishedLatticeConstantTest.NONE);
        Quantities rounded = new CubicCrystalComputer(written, 32, model).compute(PublishedLatticeConstantTest.NONE);
        // the relaxation takes the atoms back to their places, so only the solver's precision is left
        assertEquals(one.get("lattice_constant"), rounded.get("lattice_constant"), 1e-6);
        assertEquals(one.get("volume"), rounded.get("volume"), 1e-5);
    }
}
