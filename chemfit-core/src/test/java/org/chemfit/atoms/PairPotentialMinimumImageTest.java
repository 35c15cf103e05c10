package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.chemfit.Parameters;
import org.chemfit.atoms.PairPotential.CoulombMethod;
import org.junit.jupiter.api.Test;

/**
 * A short-range pair term without cutoff sees each pair's minimum image only: accepted where the
 * minimum image stands for the sum (h, half the smallest cell height, at least twice d, the
 * shortest distance counting images), refused in a crystal's small cell.
 */
class PairPotentialMinimumImageTest {

    private static final double A = 5.3;
    private static final double EPS = 0.0104;
    private static final double SIGMA = 3.40;
    private static final Parameters P = Parameters.of(Map.of(
            "eps", EPS, "sigma", SIGMA, "D", 0.01, "alpha", 1.5, "r0", 3.8, "A", 1000.0, "rho", 0.3, "C", 50.0, "q",
            1.0));
    private static final double[][] FCC = {{0, 0, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};

    private static final PairPotential LJ =
            PairPotential.builder().lennardJones("Ar", "Ar", "eps", "sigma").build();

    private static PairPotential ljCutoff(double cutoff) {
        return PairPotential.builder()
                .lennardJones("Ar", "Ar", ParameterRef.of("eps"), ParameterRef.of("sigma"), cutoff, false)
                .build();
    }

    /** The one-atom primitive cell of fcc argon. */
    static Atoms primitive() {
        double h = A / 2;
        return Atoms.of(List.of("Ar"), new double[][] {{0, 0, 0}})
                .withCell(new double[][] {{0, h, h}, {h, 0, h}, {h, h, 0}}, true, true, true);
    }

    /** n x n x n conventional fcc cells of argon (4 n³ atoms). */
    static Atoms supercell(int n) {
        List<String> species = new ArrayList<>();
        List<double[]> pos = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    for (double[] f : FCC) {
                        species.add("Ar");
                        pos.add(new double[] {(i + f[0]) * A, (j + f[1]) * A, (k + f[2]) * A});
                    }
                }
            }
        }
        double l = n * A;
        return Atoms.of(species, pos.toArray(new double[0][]))
                .withCell(new double[][] {{l, 0, 0}, {0, l, 0}, {0, 0, l}}, true, true, true);
    }

    private static double lj(double r) {
        double x6 = Math.pow(SIGMA / r, 6);
        return 4 * EPS * (x6 * x6 - x6);
    }

    /** The minimum-image sum of a cubic cell, pair by pair: what the potential gave before the rule. */
    private static double minimumImageByHand(Atoms atoms, double l) {
        double e = 0;
        for (int i = 0; i < atoms.size(); i++) {
            for (int j = i + 1; j < atoms.size(); j++) {
                double[] a = atoms.position(i);
                double[] b = atoms.position(j);
                double r2 = 0;
                for (int c = 0; c < 3; c++) {
                    double d = b[c] - a[c];
                    d -= l * Math.rint(d / l);
                    r2 += d * d;
                }
                e += lj(Math.sqrt(r2));
            }
        }
        return e;
    }

    /** The energy per atom of the fcc crystal within a cutoff, summed over lattice vectors by hand. */
    private static double perAtomWithinCutoff(double cutoff) {
        double e = 0;
        int m = (int) Math.ceil(cutoff / A) + 1;
        for (int i = -m; i <= m; i++) {
            for (int j = -m; j <= m; j++) {
                for (int k = -m; k <= m; k++) {
                    for (double[] f : FCC) {
                        double x = (i + f[0]) * A;
                        double y = (j + f[1]) * A;
                        double z = (k + f[2]) * A;
                        double r = Math.sqrt(x * x + y * y + z * z);
                        if (r > 0 && r < cutoff) {
                            e += lj(r) / 2;
                        }
                    }
                }
            }
        }
        return e;
    }

    @Test
    void theGeometryHelpersGiveHAndDOfTheFccCells() {
        assertEquals(A / (2 * Math.sqrt(3)), primitive().minimumImageRadius(), 1e-12);
        assertEquals(A / Math.sqrt(2), primitive().shortestDistance(), 1e-12);
        assertEquals(A / 2, supercell(1).minimumImageRadius(), 1e-12);
        assertEquals(A / Math.sqrt(2), supercell(1).shortestDistance(), 1e-12);
        assertEquals(2 * A, supercell(4).minimumImageRadius(), 1e-12);
        assertEquals(A / Math.sqrt(2), supercell(4).shortestDistance(), 1e-12);
        // one atom in a cubic cell: its own image along a cell vector
        Atoms lone = Atoms.of(List.of("Ar"), new double[][] {{1, 2, 3}})
                .withCell(new double[][] {{7, 0, 0}, {0, 9, 0}, {0, 0, 8}}, true, true, true);
        assertEquals(7, lone.shortestDistance(), 1e-12);
        // periodic along c only: only c's images count
        Atoms slab = lone.withCell(new double[][] {{7, 0, 0}, {0, 9, 0}, {0, 0, 8}}, false, false, true);
        assertEquals(8, slab.shortestDistance(), 1e-12);
        assertEquals(4, slab.minimumImageRadius(), 1e-12);
        assertEquals(
                Double.POSITIVE_INFINITY,
                Atoms.of(List.of("Ar"), new double[][] {{0, 0, 0}}).shortestDistance());
    }

    @Test
    void aOneAtomFccCellIsRefusedWithTheNumbers() {
        assertFalse(PairPotential.minimumImageSuffices(primitive()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LJ.energy(primitive(), P));
        assertEquals(
                "LennardJones(Ar-Ar) has no cutoff, and in the periodic cell of Atoms(Ar, cell, pbc=[true, true, true])"
                        + " the minimum image cannot stand for the sum over images: a cell of one atom whose half"
                        + " height h = 1.530 Å is under 5 Å is taken for a crystal, whose own images the minimum image"
                        + " leaves out (for an isolated atom, use a box of at least 10 Å, or write the structure"
                        + " without periodicity, pbc=\"F F F\"); give the term a cutoff (every image within it is"
                        + " then summed)",
                e.getMessage());
        assertEquals(
                e.getMessage()
                        .substring(
                                e.getMessage().indexOf("a cell of one atom"),
                                e.getMessage().indexOf("; give")),
                PairPotential.minimumImageProblem(primitive()));
    }

    @Test
    void aSingleAtomInALargeBoxIsAnIsolatedAtomAndInASmallOneACrystal() {
        Atoms lone = Atoms.of(List.of("Ar"), new double[][] {{10, 10, 10}});
        Atoms boxed = lone.withCell(new double[][] {{20, 0, 0}, {0, 20, 0}, {0, 0, 20}}, true, true, true);
        assertEquals(0, LJ.energy(boxed, P), "an isolated atom has no pair");
        assertTrue(PairPotential.minimumImageProblem(boxed) == null);
        Atoms small = lone.withCell(new double[][] {{9.9, 0, 0}, {0, 20, 0}, {0, 0, 20}}, true, true, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LJ.energy(small, P));
        assertTrue(e.getMessage().contains("half height h = 4.950 Å is under 5 Å"), e.getMessage());
        // without periodicity, or with a cutoff, it is the isolated atom: energy 0
        assertEquals(0, LJ.energy(lone, P));
        assertEquals(0, ljCutoff(8.0).energy(small, P));
    }

    @Test
    void aDimerWellInsideItsBoxIsAcceptedAndOneAsWideAsHalfTheBoxIsNot() {
        Atoms near = Atoms.of(List.of("Ar", "Ar"), new double[][] {{7, 10, 10}, {13, 10, 10}})
                .withCell(new double[][] {{20, 0, 0}, {0, 20, 0}, {0, 0, 20}}, true, true, true);
        // 2h - r = 20 - 6 = 14 >= 2d = 12: the image left out, 14 Å away, is beyond twice the bond
        assertTrue(PairPotential.minimumImageSuffices(near));
        assertEquals(lj(6.0), LJ.energy(near, P), 1e-15);
        Atoms far = Atoms.of(List.of("Ar", "Ar"), new double[][] {{5, 10, 10}, {13, 10, 10}})
                .withCell(new double[][] {{20, 0, 0}, {0, 20, 0}, {0, 0, 20}}, true, true, true);
        // 20 - 8 = 12 < 16: the other image, 12 Å away, is not far beyond the 8 Å pair
        String why = PairPotential.minimumImageProblem(far);
        assertTrue(why != null && why.startsWith("the images it leaves out may lie as near as 2h - r = 12.00 Å"), why);
        assertTrue(why.contains("nearer than 2d = 16.00 Å"), why);
    }

    /** A dimer 6 Å apart in a cubic box of this edge, centred. */
    private static Atoms dimerInBox(double edge) {
        double c = edge / 2;
        return Atoms.of(List.of("Ar", "Ar"), new double[][] {{c - 3, c, c}, {c + 3, c, c}})
                .withCell(new double[][] {{edge, 0, 0}, {0, edge, 0}, {0, 0, edge}}, true, true, true);
    }

    @Test
    void aRelaxationsStepsAreJudgedAsItsStartAndItsEndAsItself() {
        // the bond relaxes from 6 Å to 7.5 Å
        Parameters wide = Parameters.of(Map.of("eps", EPS, "sigma", 7.5 / Math.pow(2, 1.0 / 6)));
        for (Relax relax : List.of(Relax.fire(), Relax.lbfgs())) {
            // in a 30 Å box both ends pass: 30 - 7.5 = 22.5 Å >= 2 x 7.5 Å
            Atoms start = dimerInBox(30);
            assertTrue(PairPotential.minimumImageSuffices(start));
            Relax.Result r = relax.run(LJ, wide, start);
            assertTrue(r.converged(), () -> relax + ": " + r.maxForce());
            double[] a = r.atoms().position(0);
            double[] b = r.atoms().position(1);
            assertEquals(7.5, b[0] - a[0], 2e-3); // fmax 1e-5 eV/Å over a bond of 0.013 eV/Å²
            assertEquals(-EPS, r.energy(), 1e-8);
            assertTrue(r.atoms().asGiven() == start, "its steps were judged as the start");

            // in a 20 Å box the start passes (20 - 6 = 14 >= 12) but the relaxed dimer does not
            // (20 - 7.5 = 12.5 < 15): its energy is not taken
            Atoms tight = dimerInBox(20);
            assertTrue(PairPotential.minimumImageSuffices(tight));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> relax.run(LJ, wide, tight));
            assertTrue(
                    e.getMessage()
                            .startsWith(
                                    "LennardJones(Ar-Ar) has no cutoff, and relaxing Atoms(Ar2, cell,"
                                            + " pbc=[true, true, true]) moved its atoms so far that the minimum image no longer stands"
                                            + " for the sum over images: the images it leaves out may lie as near as 2h - r = 12.50 Å"),
                    e.getMessage());
            assertTrue(
                    e.getMessage()
                            .endsWith("give the term a cutoff (every image within it is then summed), or the"
                                    + " structure a larger box"),
                    e.getMessage());
        }
    }

    @Test
    void aConventionalFourAtomCellIsRefusedForEveryShortRangeForm() {
        Atoms cell = supercell(1);
        assertFalse(PairPotential.minimumImageSuffices(cell));
        List<PairPotential> forms = List.of(
                LJ,
                PairPotential.builder().morse("Ar", "Ar", "D", "alpha", "r0").build(),
                PairPotential.builder().buckingham("*", "*", "A", "rho", "C").build());
        List<String> labels = List.of("LennardJones(Ar-Ar)", "Morse(Ar-Ar)", "Buckingham(*-*)");
        for (int f = 0; f < forms.size(); f++) {
            PairPotential p = forms.get(f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.energy(cell, P));
            assertTrue(
                    e.getMessage().startsWith(labels.get(f) + " has no cutoff, and in the periodic cell of Atoms(Ar4"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("2h - r = 1.552 Å (h = 2.650 Å"), e.getMessage());
            assertTrue(e.getMessage().contains("nearer than 2d = 7.495 Å"), e.getMessage());
            assertTrue(e.getMessage().contains("give the term a cutoff"), e.getMessage());
            // forces and stress go through the same evaluation
            assertThrows(
                    IllegalArgumentException.class, () -> p.energyForcesStress(cell, P, new double[12], new double[9]));
        }
    }

    @Test
    void aCoulombTermOnTheMinimumImageIsNotTouchedByTheRule() {
        Atoms cell = supercell(1);
        PairPotential coulomb = PairPotential.builder()
                .coulomb(Map.of("Ar", ParameterRef.of("q")), CoulombMethod.MINIMUM_IMAGE, 0)
                .build();
        double r = A / Math.sqrt(2);
        // four atoms, six pairs, each at the nearest-neighbour distance through the minimum image
        assertEquals(6 * PairPotential.COULOMB_CONSTANT / r, coulomb.energy(cell, P), 1e-9);
    }

    @Test
    void aCrystalSupercellIsNoClusterInABoxAndIsRefusedToo() {
        // the minimum image of a crystal drops neighbours within the first shells however large the cell
        Atoms big = supercell(4);
        assertFalse(PairPotential.minimumImageSuffices(big));
        assertThrows(IllegalArgumentException.class, () -> LJ.energy(big, P));
        assertEquals(-22.332, minimumImageByHand(big, 4 * A), 1e-3);
    }

    @Test
    void aMoleculeInALargeBoxIsAcceptedWithItsClusterEnergy() {
        Atoms trimer = Atoms.of(List.of("Ar", "Ar", "Ar"), new double[][] {{0, 0, 0}, {3.8, 0, 0}, {1.9, 3.29, 0}});
        Atoms boxed = trimer.withCell(new double[][] {{20, 0, 0}, {0, 20, 0}, {0, 0, 20}}, true, true, true);
        assertTrue(PairPotential.minimumImageSuffices(boxed));
        double expected = lj(3.8) + 2 * lj(Math.hypot(1.9, 3.29));
        assertEquals(expected, LJ.energy(trimer, P), 1e-13);
        assertEquals(expected, LJ.energy(boxed, P), 1e-13);
        // a structure without periodicity is never refused, whatever its cell
        Atoms single = Atoms.of(List.of("Ar"), new double[][] {{0, 0, 0}});
        assertEquals(0, LJ.energy(single, P));
        assertTrue(PairPotential.minimumImageSuffices(single.withCell(
                new double[][] {{3, 0, 0}, {0, 3, 0}, {0, 0, 3}}, false, false, false)));
    }

    @Test
    void withACutoffEveryCellIsAcceptedAndGivesTheCrystalsEnergy() {
        PairPotential cut = ljCutoff(10.0);
        double perAtom = perAtomWithinCutoff(10.0);
        assertEquals(-0.0865, perAtom, 5e-4);
        assertEquals(perAtom, cut.energy(primitive(), P), 1e-12);
        assertEquals(4 * perAtom, cut.energy(supercell(1), P), 1e-11);
        assertEquals(256 * perAtom, cut.energy(supercell(4), P), 1e-9);
        // and the atoms' order does not matter
        Atoms big = supercell(2);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < big.size(); i++) {
            order.add(i);
        }
        Collections.reverse(order);
        double[][] pos = new double[big.size()][];
        for (int i = 0; i < pos.length; i++) {
            pos[i] = big.position(order.get(i));
        }
        Atoms reversed = Atoms.of(big.speciesList(), pos)
                .withCell(new double[][] {{2 * A, 0, 0}, {0, 2 * A, 0}, {0, 0, 2 * A}}, true, true, true);
        assertEquals(32 * perAtom, cut.energy(reversed, P), 1e-10);
    }
}
