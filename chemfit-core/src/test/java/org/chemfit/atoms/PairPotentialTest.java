package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.chemfit.Parameters;
import org.chemfit.atoms.PairPotential.CoulombMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PairPotentialTest {

    static final Parameters P = Parameters.of(Map.of(
            "lj", Map.of("eps", 0.8, "sigma", 1.1, "epsAB", 0.5, "sigmaAB", 1.3),
            "morse", Map.of("D", 0.7, "alpha", 1.6, "r0", 1.4),
            "buck", Map.of("A", 500.0, "rho", 0.3, "C", 2.0),
            "qA", 0.4));

    static Atoms cluster(long seed, int n, double spacing) {
        Random rnd = new Random(seed);
        List<String> species = new ArrayList<>();
        double[][] pos = new double[n][];
        for (int i = 0; i < n; i++) {
            species.add(i % 3 == 0 ? "B" : "A");
            pos[i] = new double[] {
                spacing * (i % 3) + 0.2 * rnd.nextGaussian(),
                spacing * ((i / 3) % 3) + 0.2 * rnd.nextGaussian(),
                spacing * (i / 9) + 0.2 * rnd.nextGaussian()
            };
        }
        return Atoms.of(species, pos);
    }

    static final Map<String, ParameterRef> CHARGES =
            Map.of("A", ParameterRef.of("qA"), "B", ParameterRef.scaled("qA", -2));

    static List<Object[]> potentials() {
        return List.of(
                new Object[] {
                    "Lennard-Jones",
                    PairPotential.builder()
                            .lennardJones("*", "*", "lj.eps", "lj.sigma")
                            .build()
                },
                new Object[] {
                    "Lennard-Jones per pair, cutoff, shifted",
                    PairPotential.builder()
                            .lennardJones("A", "A", ParameterRef.of("lj.eps"), ParameterRef.of("lj.sigma"), 2.5, true)
                            .lennardJones(
                                    "A", "B", ParameterRef.of("lj.epsAB"), ParameterRef.of("lj.sigmaAB"), 2.5, true)
                            .build()
                },
                new Object[] {
                    "Morse",
                    PairPotential.builder()
                            .morse("*", "*", "morse.D", "morse.alpha", "morse.r0")
                            .build()
                },
                new Object[] {
                    "Buckingham",
                    PairPotential.builder()
                            .buckingham("*", "*", "buck.A", "buck.rho", "buck.C")
                            .build()
                },
                new Object[] {
                    "Coulomb, minimum image",
                    PairPotential.builder()
                            .coulomb(CHARGES, CoulombMethod.MINIMUM_IMAGE, 0)
                            .build()
                },
                new Object[] {
                    "Coulomb, Ewald",
                    PairPotential.builder()
                            .coulomb(CHARGES, CoulombMethod.EWALD, 1e-12)
                            .build()
                },
                new Object[] {
                    "Coulomb, cutoff, shifted",
                    PairPotential.builder().coulomb(CHARGES, 2.8, true).build()
                },
                new Object[] {
                    "sum of all",
                    Potential.sum(List.of(
                            PairPotential.builder()
                                    .lennardJones("*", "*", "lj.eps", "lj.sigma")
                                    .build(),
                            PairPotential.builder()
                                    .morse("A", "B", "morse.D", "morse.alpha", "morse.r0")
                                    .build(),
                            PairPotential.builder()
                                    .buckingham("B", "B", "buck.A", "buck.rho", "buck.C")
                                    .build(),
                            PairPotential.builder()
                                    .coulomb(CHARGES, CoulombMethod.MINIMUM_IMAGE, 0)
                                    .build()))
                });
    }

    /** Checks analytic forces against central differences of the energy, component by component. */
    static void assertForcesMatchFiniteDifferences(Potential pot, Atoms atoms, Parameters p) {
        double[] f = new double[3 * atoms.size()];
        double e = pot.energyAndForces(atoms, p, f);
        assertEquals(e, pot.energy(atoms, p), 0.0);
        double h = 1e-5;
        double[] x = atoms.positions();
        double largest = 0;
        for (double v : f) {
            largest = Math.max(largest, Math.abs(v));
        }
        assertTrue(largest > 1e-2, "the test structure feels forces: " + largest);
        for (int k = 0; k < x.length; k++) {
            double[] plus = x.clone();
            double[] minus = x.clone();
            plus[k] += h;
            minus[k] -= h;
            double fd =
                    -(pot.energy(atoms.withPositions(plus), p) - pot.energy(atoms.withPositions(minus), p)) / (2 * h);
            double atomForce = Math.sqrt(f[3 * (k / 3)] * f[3 * (k / 3)]
                    + f[3 * (k / 3) + 1] * f[3 * (k / 3) + 1]
                    + f[3 * (k / 3) + 2] * f[3 * (k / 3) + 2]);
            assertEquals(
                    fd,
                    f[k],
                    1e-6 * Math.max(atomForce, 1e-3 * largest),
                    "component " + k + " of " + pot + ": analytic " + f[k] + ", finite difference " + fd);
        }
        double[] sum = new double[3];
        for (int i = 0; i < atoms.size(); i++) {
            for (int c = 0; c < 3; c++) {
                sum[c] += f[3 * i + c];
            }
        }
        assertArrayEquals(new double[3], sum, 1e-9 * largest, "pair forces sum to zero");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("potentials")
    void forcesMatchCentralFiniteDifferences(String label, Potential pot) {
        assertForcesMatchFiniteDifferences(pot, cluster(42, 9, 1.45), P);
    }

    @ParameterizedTest(name = "{0}, periodic")
    @MethodSource("potentials")
    void forcesMatchCentralFiniteDifferencesInAPeriodicCell(String label, Potential pot) {
        // a 3x3 layer in a 20 A box, its two outer columns moved by a cell vector: the pairs across the
        // face interact through their images (a short-range term without cutoff sums the minimum image
        // only where that is a cluster well inside its box, as this is)
        Atoms layer = cluster(7, 9, 1.8);
        double[][] pos = new double[layer.size()][];
        List<String> species = new ArrayList<>();
        for (int i = 0; i < pos.length; i++) {
            pos[i] = layer.position(i);
            pos[i][0] += pos[i][0] > 1.0 ? 20 : 0;
            species.add(layer.species(i));
        }
        Atoms a =
                Atoms.of(species, pos).withCell(new double[][] {{20, 0, 0}, {0, 20, 0}, {0, 0, 20}}, true, true, true);
        assertTrue(Math.abs(pos[2][0] - pos[0][0]) > 10 && a.distance(0, 2) < 4.1, "the minimum image is used");
        assertTrue(PairPotential.minimumImageSuffices(a));
        assertForcesMatchFiniteDifferences(pot, a, P);
    }

    @Test
    void forcesMatchFiniteDifferencesInATriclinicCellWithExclusions() {
        Atoms a = cluster(3, 6, 1.5)
                .withCell(new double[][] {{7.0, 0, 0}, {1.0, 6.5, 0}, {0.5, 0.7, 6.8}}, true, true, false)
                .withConsecutiveMolecules(3);
        PairPotential pot = PairPotential.builder()
                .lennardJones("*", "*", ParameterRef.of("lj.eps"), ParameterRef.of("lj.sigma"), 3.0, true)
                .coulomb(CHARGES, 3.0, true)
                .excludeIntramolecular()
                .build();
        assertForcesMatchFiniteDifferences(pot, a, P);
    }

    @Test
    void energiesFollowTheFormulas() {
        Atoms dimer = Atoms.of(List.of("A", "B"), new double[][] {{0, 0, 0}, {0.3, 0.4, 1.2}});
        double r = 1.3;
        double x6 = Math.pow(1.1 / r, 6);
        assertEquals(
                4 * 0.8 * (x6 * x6 - x6),
                PairPotential.builder()
                        .lennardJones("A", "B", "lj.eps", "lj.sigma")
                        .build()
                        .energy(dimer, P),
                1e-13);
        assertEquals(
                -0.7,
                PairPotential.builder()
                        .morse("A", "B", "morse.D", "morse.alpha", "morse.r0")
                        .build()
                        .energy(Atoms.of(List.of("A", "B"), new double[][] {{0, 0, 0}, {1.4, 0, 0}}), P),
                1e-14);
        assertEquals(
                500 * Math.exp(-r / 0.3) - 2 / Math.pow(r, 6),
                PairPotential.builder()
                        .buckingham("A", "B", "buck.A", "buck.rho", "buck.C")
                        .build()
                        .energy(dimer, P),
                1e-12);
        // 14.3996454784 eV Å / e^2 * (0.4 e)(-0.8 e) / 1.3 Å
        assertEquals(
                14.3996454784 * 0.4 * -0.8 / r,
                PairPotential.builder().coulomb(CHARGES).build().energy(dimer, P),
                1e-12);
        // a term for another pair of species leaves this pair alone
        assertEquals(
                0.0,
                PairPotential.builder()
                        .lennardJones("A", "A", "lj.eps", "lj.sigma")
                        .build()
                        .energy(dimer, P));
    }

    @Test
    void shiftedCutoffIsContinuousAndTruncatedOneIsNot() {
        PairPotential shifted = PairPotential.builder()
                .lennardJones("*", "*", ParameterRef.of("lj.eps"), ParameterRef.of("lj.sigma"), 2.5, true)
                .build();
        PairPotential truncated = PairPotential.builder()
                .lennardJones("*", "*", ParameterRef.of("lj.eps"), ParameterRef.of("lj.sigma"), 2.5, false)
                .build();
        Atoms inside = Atoms.of(List.of("A", "A"), new double[][] {{0, 0, 0}, {0, 0, 2.5 - 1e-9}});
        Atoms outside = Atoms.of(List.of("A", "A"), new double[][] {{0, 0, 0}, {0, 0, 2.5}});
        double x6 = Math.pow(1.1 / 2.5, 6);
        double atCutoff = 4 * 0.8 * (x6 * x6 - x6);
        assertEquals(0.0, shifted.energy(inside, P), 1e-9);
        assertEquals(0.0, shifted.energy(outside, P));
        assertEquals(atCutoff, truncated.energy(inside, P), 1e-9);
        assertEquals(0.0, truncated.energy(outside, P));
        Atoms near = Atoms.of(List.of("A", "A"), new double[][] {{0, 0, 0}, {0, 0, 1.2}});
        assertEquals(truncated.energy(near, P) - atCutoff, shifted.energy(near, P), 1e-13);
    }

    @Test
    void periodicPairInteractsThroughItsNearestImage() {
        PairPotential coulomb = PairPotential.builder()
                .coulomb(CHARGES, CoulombMethod.MINIMUM_IMAGE, 0)
                .build();
        Atoms across = Atoms.of(List.of("A", "B"), new double[][] {{0.5, 5, 5}, {9.5, 5, 5}})
                .withCell(new double[][] {{10, 0, 0}, {0, 10, 0}, {0, 0, 10}}, true, true, true);
        assertEquals(1.0, across.distance(0, 1), 1e-12);
        assertEquals(14.3996454784 * 0.4 * -0.8, coulomb.energy(across, P), 1e-12);
        Atoms open = across.withCell(new double[][] {{10, 0, 0}, {0, 10, 0}, {0, 0, 10}}, false, true, true);
        assertEquals(9.0, open.distance(0, 1), 1e-12);
    }

    @Test
    void closePairsAreFoundForThePairsATermApplies() {
        PairPotential aa = PairPotential.builder()
                .lennardJones("A", "A", "lj.eps", "lj.sigma")
                .build();
        // atoms 1 and 3 (A, A) 5e-4 Å apart, atoms 0 and 2 (B, A) at the same place
        Atoms a = Atoms.of(List.of("B", "A", "A", "A"), new double[][] {{0, 0, 0}, {3, 0, 0}, {0, 0, 0}, {3, 0, 5e-4}});
        assertArrayEquals(new int[] {1, 3}, aa.closePair(a, 1e-3));
        assertEquals(null, aa.closePair(a, 4e-4));
        // of several close pairs the closest is found, not the first: atoms 0 and 1 are 0.3 apart,
        // atoms 0 and 2 0.2 apart
        double[][] box = {{10, 0, 0}, {0, 10, 0}, {0, 0, 10}};
        Atoms several = Atoms.of(List.of("A", "A", "A"), new double[][] {{1, 1, 1}, {1.3, 1, 1}, {1, 1.2, 1}})
                .withCell(box, true, true, true);
        assertArrayEquals(new int[] {0, 2}, aa.closePair(several, 0.5));
        // and a pair close only through the cell's boundary (atoms 2 and 3, 0.15 apart) is closer still
        Atoms image = Atoms.of(
                        List.of("A", "A", "A", "A"), new double[][] {{1, 1, 1}, {1.3, 1, 1}, {5, 5, 0.05}, {5, 5, 9.9}})
                .withCell(box, true, true, true);
        assertArrayEquals(new int[] {2, 3}, aa.closePair(image, 0.5));
        assertEquals(0.15, image.distance(2, 3), 1e-12);
        // the evaluation fails on the pair the search finds first with a term that pairs everything
        PairPotential all = PairPotential.builder()
                .lennardJones("*", "*", "lj.eps", "lj.sigma")
                .build();
        assertArrayEquals(new int[] {0, 2}, all.closePair(a, 1e-3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> all.energy(a, P));
        assertTrue(e.getMessage().contains("atoms 0 (B) and 2 (A) are at the same place"), e.getMessage());
        // across the boundary of a periodic cell: 0.1 and 9.9 + 0.2 are the same place through the image
        Atoms across = Atoms.of(List.of("A", "A", "A"), new double[][] {{0.1, 5, 5}, {5, 5, 5}, {10.1, 5, 5}})
                .withCell(new double[][] {{10, 0, 0}, {0, 10, 0}, {0, 0, 10}}, true, true, true);
        assertArrayEquals(new int[] {0, 2}, aa.closePair(across, 1e-3));
        assertEquals(0.0, across.distance(0, 2), 1e-12);
        Atoms open = across.withCell(new double[][] {{10, 0, 0}, {0, 10, 0}, {0, 0, 10}}, false, true, true);
        assertEquals(null, aa.closePair(open, 1e-3));
        // an atom is close to its own image only through a lattice vector that short
        Atoms alone = Atoms.of(List.of("A"), new double[][] {{0.1, 5, 5}})
                .withCell(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, true, true, true);
        assertEquals(null, aa.closePair(alone, 1e-3));
        assertArrayEquals(new int[] {0, 0}, aa.closePair(alone, 1.5));
        // two vectors 1e-4 Å apart: their difference is a lattice vector of 1e-4 Å
        Atoms thin = Atoms.of(List.of("A", "A"), new double[][] {{0, 0, 0}, {2, 0, 2}})
                .withCell(new double[][] {{4, 0, 0}, {4, 1e-4, 0}, {0, 0, 4}}, true, true, true);
        assertArrayEquals(new int[] {0, 0}, aa.closePair(thin, 1e-3));
        // a bad distance is named
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> aa.closePair(a, 0));
        assertEquals("the distance must be positive and finite, got 0.0", bad.getMessage());
    }

    /** The conventional cell of an fcc lattice of A atoms, edge a. */
    private static Atoms fcc(double a) {
        double h = a / 2;
        return Atoms.of(List.of("A", "A", "A", "A"), new double[][] {{0, 0, 0}, {h, h, 0}, {h, 0, h}, {0, h, h}})
                .withCell(new double[][] {{a, 0, 0}, {0, a, 0}, {0, 0, a}}, true, true, true);
    }

    private static PairPotential lj(double cutoff) {
        return PairPotential.builder()
                .lennardJones("A", "A", ParameterRef.of("lj.eps"), ParameterRef.of("lj.sigma"), cutoff, false)
                .build();
    }

    @Test
    void pairsAtATermsCutoffAreCountedOverPeriodicImages() {
        double a = 5.26;
        Atoms cell = fcc(a);
        // the second shell is at a: 6 neighbours per atom, each an image of the atom itself, so 4 x 6 / 2 pairs
        assertEquals(List.of(new PairPotential.AtCutoff(0, a, 12, 0, 0, a)), lj(a).pairsAtCutoff(cell, 1e-4));
        // the first shell at a / sqrt(2): 12 neighbours per atom, 4 x 12 / 2 pairs, the first 0 and 1
        PairPotential.AtCutoff first =
                lj(a / Math.sqrt(2)).pairsAtCutoff(cell, 1e-4).get(0);
        assertEquals(24, first.pairs());
        assertEquals(0, first.i());
        assertEquals(1, first.j());
        assertEquals(a / Math.sqrt(2), first.distance(), 1e-12);
        // either side of the cutoff, within the distance given, and not beyond it
        assertEquals(12, lj(a + 5e-5).pairsAtCutoff(cell, 1e-4).get(0).pairs());
        assertEquals(12, lj(a - 5e-5).pairsAtCutoff(cell, 1e-4).get(0).pairs());
        assertEquals(List.of(), lj(a + 2e-4).pairsAtCutoff(cell, 1e-4));
        assertEquals(List.of(), lj(5.0).pairsAtCutoff(cell, 1e-4));
        // every term with such pairs, in one pass, named by its place; none without a cutoff, and
        // none for a shifted term or a damped shifted force sum, whose energy vanishes at the cutoff
        PairPotential several = PairPotential.builder()
                .lennardJones("A", "A", "lj.eps", "lj.sigma")
                .coulombDampedShiftedForce(CHARGES, 0.2, a)
                .lennardJones("A", "A", ParameterRef.of("lj.eps"), ParameterRef.of("lj.sigma"), a, true)
                .lennardJones("A", "A", ParameterRef.of("lj.eps"), ParameterRef.of("lj.sigma"), a, false)
                .lennardJones("A", "A", ParameterRef.of("lj.eps"), ParameterRef.of("lj.sigma"), a / Math.sqrt(2), false)
                .build();
        List<PairPotential.AtCutoff> both = several.pairsAtCutoff(cell, 1e-4);
        assertEquals(
                List.of(3, 4), both.stream().map(PairPotential.AtCutoff::term).toList());
        assertEquals(
                List.of(12, 24),
                both.stream().map(PairPotential.AtCutoff::pairs).toList());
        // a term that pairs other species only has none
        PairPotential others = PairPotential.builder()
                .lennardJones("B", "B", ParameterRef.of("lj.eps"), ParameterRef.of("lj.sigma"), a, false)
                .build();
        assertEquals(List.of(), others.pairsAtCutoff(cell, 1e-4));
        IllegalArgumentException bad =
                assertThrows(IllegalArgumentException.class, () -> lj(a).pairsAtCutoff(cell, Double.NaN));
        assertEquals("the distance must be positive and finite, got NaN", bad.getMessage());
    }

    @Test
    void closePairSearchKeepsToNearbyAtomsInABigStructure() {
        // 10,000 atoms 2 Å apart on a grid, one of them moved onto its neighbour: found among 5e7 pairs
        int side = 22;
        List<String> species = new ArrayList<>();
        List<double[]> pos = new ArrayList<>();
        for (int i = 0; i < side * side * side && pos.size() < 10_000; i++) {
            species.add("A");
            pos.add(new double[] {2.0 * (i % side), 2.0 * ((i / side) % side), 2.0 * (i / (side * side))});
        }
        pos.set(7_777, pos.get(7_776).clone());
        PairPotential aa = PairPotential.builder()
                .lennardJones("A", "A", "lj.eps", "lj.sigma")
                .build();
        Atoms big = Atoms.of(species, pos.toArray(new double[0][]));
        assertArrayEquals(new int[] {7_776, 7_777}, aa.closePair(big, 1e-3));
        Atoms periodic = big.withCell(
                new double[][] {{2.0 * side, 0, 0}, {0, 2.0 * side, 0}, {0, 0, 2.0 * side}}, true, true, true);
        assertArrayEquals(new int[] {7_776, 7_777}, aa.closePair(periodic, 1e-3));
    }

    @Test
    void intramolecularPairsAreExcluded() {
        Atoms a = cluster(1, 6, 1.5);
        PairPotential all = PairPotential.builder().coulomb(CHARGES).build();
        PairPotential inter =
                PairPotential.builder().coulomb(CHARGES).excludeIntramolecular().build();
        Atoms m = a.withMolecules(0, 0, 0, 1, 1, 1);
        double expected = 0;
        for (int i = 0; i < 3; i++) {
            for (int j = 3; j < 6; j++) {
                double qi = a.species(i).equals("A") ? 0.4 : -0.8;
                double qj = a.species(j).equals("A") ? 0.4 : -0.8;
                expected += 14.3996454784 * qi * qj / a.distance(i, j);
            }
        }
        assertEquals(expected, inter.energy(m, P), 1e-12);
        assertTrue(Math.abs(all.energy(m, P) - expected) > 0.1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> inter.energy(a, P));
        assertTrue(e.getMessage().contains("needs molecule indices"), e.getMessage());
    }

    @Test
    void badUseNamesTheRuleAndTheValue() {
        Atoms a = cluster(1, 3, 1.5);
        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class,
                () -> PairPotential.builder()
                        .lennardJones("*", "*", "lj.eps", "lj.sigmaa")
                        .build()
                        .energy(a, P));
        assertTrue(missing.getMessage().contains("unknown parameter 'lj.sigmaa'"), missing.getMessage());
        IllegalArgumentException charge = assertThrows(
                IllegalArgumentException.class,
                () -> PairPotential.builder()
                        .coulomb(Map.of("A", ParameterRef.of("qA")))
                        .build()
                        .energy(a, P));
        assertTrue(charge.getMessage().contains("no charge for species 'B'"), charge.getMessage());
        Atoms small = a.withCell(new double[][] {{4, 0, 0}, {0, 4, 0}, {0, 0, 4}}, true, true, true);
        IllegalArgumentException plain = assertThrows(
                IllegalArgumentException.class,
                () -> PairPotential.builder().coulomb(CHARGES).build().energy(small, P));
        assertTrue(
                plain.getMessage().contains("has no cutoff")
                        && plain.getMessage().contains("method 'ewald'"),
                plain.getMessage());
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> PairPotential.builder()
                                .lennardJones(
                                        "*",
                                        "*",
                                        ParameterRef.of("e"),
                                        ParameterRef.of("s"),
                                        Double.POSITIVE_INFINITY,
                                        true))
                .getMessage()
                .contains("shifted term needs a finite cutoff"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> PairPotential.builder().build())
                .getMessage()
                .contains("at least one term"));
    }

    @Test
    void parameterNamesAreListed() {
        Potential p = PairPotential.builder()
                .lennardJones("O", "O", "epsilon", "sigma")
                .coulomb(Map.of(
                        "H",
                        ParameterRef.of("qH"),
                        "O",
                        ParameterRef.scaled("qH", -2),
                        "X",
                        ParameterRef.constant(0.1)))
                .build()
                .plus(PairPotential.builder().morse("O", "H", "D", "a", "r0").build());
        assertEquals(Set.of("epsilon", "sigma", "qH", "D", "a", "r0"), p.parameterNames());
        assertEquals(-0.834, ParameterRef.scaled("qH", -2).value(Parameters.of(Map.of("qH", 0.417))), 1e-15);
    }

    @Test
    void parameterReferencesParseFromText() {
        Parameters p = Parameters.of(Map.of("qH", 0.417));
        assertEquals(ParameterRef.of("qH"), ParameterRef.parse(" qH "));
        assertEquals(ParameterRef.scaled("qH", -2), ParameterRef.parse("-2*qH"));
        assertEquals(ParameterRef.scaled("qH", -2), ParameterRef.parse("qH * -2"));
        assertEquals(ParameterRef.constant(0.5), ParameterRef.parse("0.5"));
        assertEquals(-0.834, ParameterRef.parse("-2*qH").value(p), 1e-15);
        for (String bad : List.of("", "2*3", "q H", "-2*", "*qH", "2qH*x*y")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParameterRef.parse(bad));
            assertTrue(e.getMessage().contains("expected a number, a parameter name or factor*name"), e.getMessage());
        }
    }

    @Test
    void aNonFiniteFactorOrConstantIsRefusedForWhatItIs() {
        assertEquals(
                "a constant must be finite, got NaN",
                assertThrows(IllegalArgumentException.class, () -> ParameterRef.constant(Double.NaN))
                        .getMessage());
        assertEquals(
                "the factor of parameter 'qH' must be finite, got Infinity",
                assertThrows(IllegalArgumentException.class, () -> ParameterRef.scaled("qH", Double.POSITIVE_INFINITY))
                        .getMessage());
    }

    @Test
    void termsByFormNameMatchTheTypedBuilders() {
        Atoms a = cluster(42, 9, 1.45);
        Map<String, ParameterRef> lj =
                Map.of("epsilon", ParameterRef.of("lj.eps"), "sigma", ParameterRef.of("lj.sigma"));
        Map<String, ParameterRef> morse = Map.of(
                "D",
                ParameterRef.of("morse.D"),
                "alpha",
                ParameterRef.of("morse.alpha"),
                "r0",
                ParameterRef.of("morse.r0"));
        Map<String, ParameterRef> buck = Map.of(
                "A", ParameterRef.of("buck.A"), "rho", ParameterRef.of("buck.rho"), "C", ParameterRef.of("buck.C"));
        PairPotential byName = PairPotential.builder()
                .term("Lennard_Jones", "A", "A", lj, 2.5, true)
                .term("morse", "A", "B", morse, Double.POSITIVE_INFINITY, false)
                .term("Buckingham", "B", "B", buck, Double.POSITIVE_INFINITY, false)
                .build();
        PairPotential typed = PairPotential.builder()
                .lennardJones("A", "A", ParameterRef.of("lj.eps"), ParameterRef.of("lj.sigma"), 2.5, true)
                .morse("A", "B", "morse.D", "morse.alpha", "morse.r0")
                .buckingham("B", "B", "buck.A", "buck.rho", "buck.C")
                .build();
        assertEquals(typed.energy(a, P), byName.energy(a, P), 0.0);
        assertTrue(Math.abs(typed.energy(a, P)) > 1e-3);

        IllegalArgumentException unknown = assertThrows(
                IllegalArgumentException.class, () -> PairPotential.builder().term("yukawa", "A", "A", lj, 3, false));
        assertTrue(
                unknown.getMessage().startsWith("unknown pair term 'yukawa'; known terms: lennard-jones"),
                unknown.getMessage());
        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class,
                () -> PairPotential.builder().term("morse", "A", "B", Map.of("D", ParameterRef.of("x")), 3, false));
        assertTrue(
                missing.getMessage().contains("needs the parameter 'alpha'; it takes [D, alpha, r0]"),
                missing.getMessage());
        IllegalArgumentException extra = assertThrows(
                IllegalArgumentException.class,
                () -> PairPotential.builder()
                        .term(
                                "lj",
                                "A",
                                "B",
                                Map.of(
                                        "epsilon",
                                        ParameterRef.of("e"),
                                        "sigma",
                                        ParameterRef.of("s"),
                                        "rc",
                                        ParameterRef.constant(3)),
                                3,
                                false));
        assertTrue(extra.getMessage().contains("has no parameter 'rc'; it takes [epsilon, sigma]"), extra.getMessage());
    }
}
