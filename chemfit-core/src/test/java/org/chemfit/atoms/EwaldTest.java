package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.chemfit.Parameters;
import org.chemfit.atoms.PairPotential.CoulombMethod;
import org.junit.jupiter.api.Test;

class EwaldTest {

    static final Map<String, ParameterRef> NACL_CHARGES =
            Map.of("Na", ParameterRef.constant(1), "Cl", ParameterRef.constant(-1));
    static final Parameters NONE = Parameters.of(Map.of());

    /** The conventional rock-salt cell: 4 Na and 4 Cl, lattice constant a. */
    static Atoms rockSalt(double a) {
        List<String> s = new ArrayList<>();
        List<double[]> p = new ArrayList<>();
        double[][] fcc = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
        for (double[] f : fcc) {
            s.add("Na");
            p.add(new double[] {f[0] * a, f[1] * a, f[2] * a});
            s.add("Cl");
            p.add(new double[] {(f[0] + 0.5) * a, f[1] * a, f[2] * a});
        }
        return Atoms.of(s, p.toArray(new double[0][]))
                .withCell(new double[][] {{a, 0, 0}, {0, a, 0}, {0, 0, a}}, true, true, true);
    }

    /**
     * Adds the rock-salt tests' Buckingham terms (magnitudes in the style of Catlow, Diller and
     * Norgett 1977): Na-Cl (1170.0 eV, 0.3290 Å, 0) and, with {@code clCl}, Cl-Cl (3199.0 eV,
     * 0.3123 Å, 72.0 eV Å^6), unshifted, cut at {@code cutoff}.
     */
    static PairPotential.Builder rockSaltBuckingham(PairPotential.Builder b, double cutoff, boolean clCl) {
        b.buckingham(
                "Na",
                "Cl",
                ParameterRef.constant(1170.0),
                ParameterRef.constant(0.3290),
                ParameterRef.constant(0.0),
                cutoff,
                false);
        if (clCl) {
            b.buckingham(
                    "Cl",
                    "Cl",
                    ParameterRef.constant(3199.0),
                    ParameterRef.constant(0.3123),
                    ParameterRef.constant(72.0),
                    cutoff,
                    false);
        }
        return b;
    }

    /** The triclinic NaCl cell of the LAMMPS comparisons: a 1 x 1 x 2 rock-salt supercell, sheared and jiggled. */
    static Atoms triclinicNaCl() {
        return distorted(
                supercell(rockSalt(5.4), 1, 1, 2), new double[][] {{5.6, 0, 0}, {1.1, 5.3, 0}, {-0.9, 1.4, 10.9}}, 23);
    }

    static PairPotential ewald(double tolerance) {
        return PairPotential.builder()
                .coulomb(NACL_CHARGES, CoulombMethod.EWALD, tolerance)
                .build();
    }

    @Test
    void madelungConstantOfRockSaltInTheConventionalCell() {
        double a = 5.64;
        double e = ewald(1e-14).energy(rockSalt(a), NONE);
        double madelung = -e / 4 * (a / 2) / PairPotential.COULOMB_CONSTANT;
        assertEquals(1.747565, madelung, 1e-6);
    }

    @Test
    void madelungConstantOfRockSaltInTheTriclinicPrimitiveCell() {
        double a = 4.0;
        Atoms prim = Atoms.of(List.of("Na", "Cl"), new double[][] {{0, 0, 0}, {a / 2, 0, 0}})
                .withCell(new double[][] {{0, a / 2, a / 2}, {a / 2, 0, a / 2}, {a / 2, a / 2, 0}}, true, true, true);
        double e = ewald(1e-14).energy(prim, NONE);
        assertEquals(1.747565, -e * (a / 2) / PairPotential.COULOMB_CONSTANT, 1e-6);
    }

    @Test
    void theEnergyDoesNotDependOnTheChoiceOfCellOrTolerance() {
        double e8 = ewald(1e-14).energy(rockSalt(5.0), NONE);
        Atoms doubled = supercell(rockSalt(5.0), 2, 1, 1);
        assertEquals(2 * e8, ewald(1e-14).energy(doubled, NONE), 1e-9 * Math.abs(e8));
        assertEquals(e8, ewald(1e-6).energy(rockSalt(5.0), NONE), 1e-4 * Math.abs(e8));
    }

    @Test
    void aChargedCellGetsTheNeutralisingBackgroundWhichMakesTheEnergyIndependentOfTheSplitting() {
        // one +1 charge in a cubic box: the Madelung energy of a simple cubic lattice in a uniform
        // background is -k * 2.837297 / (2 L)
        double l = 7.0;
        Atoms one = Atoms.of(List.of("Na"), new double[][] {{1, 2, 3}})
                .withCell(new double[][] {{l, 0, 0}, {0, l, 0}, {0, 0, l}}, true, true, true);
        double e = ewald(1e-14).energy(one, NONE);
        assertEquals(-PairPotential.COULOMB_CONSTANT * 2.837297479 / (2 * l), e, 1e-8);
    }

    @Test
    void aChargedTriclinicCellHasForcesAndStressOfItsEnergyBackgroundIncluded() {
        Atoms neutral = distorted(rockSalt(5.2), new double[][] {{5.2, 0, 0}, {0.7, 5.0, 0}, {-0.4, 0.6, 5.5}}, 13);
        double[] x = java.util.Arrays.copyOf(neutral.positions(), 27);
        x[24] = 1.1;
        x[25] = 2.2;
        x[26] = 0.3;
        List<String> species = new ArrayList<>(neutral.speciesList());
        species.add("Na");
        Atoms charged = Atoms.ofFlat(species.toArray(new String[0]), x).withCell(neutral.cell(), true, true, true);
        Checks.forcesAndStressMatchFiniteDifferences(ewald(1e-14), charged, NONE, 1e-6);
    }

    @Test
    void forcesAndStressMatchFiniteDifferencesOfTheEnergyInATriclinicCell() {
        Atoms atoms = distorted(rockSalt(5.2), new double[][] {{5.2, 0, 0}, {0.7, 5.0, 0}, {-0.4, 0.6, 5.5}}, 7);
        PairPotential p = PairPotential.builder()
                .coulomb(NACL_CHARGES, CoulombMethod.EWALD, 1e-14)
                .buckingham(
                        "Na",
                        "Cl",
                        ParameterRef.constant(1200),
                        ParameterRef.constant(0.32),
                        ParameterRef.constant(5),
                        7.0,
                        false)
                .build();
        Checks.forcesAndStressMatchFiniteDifferences(p, atoms, NONE, 1e-6);
    }

    @Test
    void excludedPairsWithinAMoleculeLeaveTheSameForcesAsFiniteDifferences() {
        Atoms water = WaterBox.build(8, 6.5, 3);
        PairPotential p = WaterBox.potential(true);
        Checks.forcesAndStressMatchFiniteDifferences(p, water, WaterBox.PARAMS, 1e-6);
    }

    @Test
    void excludingEveryPairOfAMoleculeEqualsTheMoleculesSumMinusItsInternalCoulomb() {
        Atoms water = WaterBox.build(8, 6.5, 3);
        double all = WaterBox.potential(false).energy(water, WaterBox.PARAMS);
        double inter = WaterBox.potential(true).energy(water, WaterBox.PARAMS);
        double intra = 0;
        double k = PairPotential.COULOMB_CONSTANT;
        double qh = 0.417;
        for (int m = 0; m < 8; m++) {
            int o = 3 * m;
            intra += k * (-2 * qh) * qh / water.distance(o, o + 1)
                    + k * (-2 * qh) * qh / water.distance(o, o + 2)
                    + k * qh * qh / water.distance(o + 1, o + 2);
        }
        assertEquals(all - intra, inter, 1e-9 * Math.abs(all));
    }

    @Test
    void plainCoulombWithoutCutoffInAPeriodicCellIsRefusedWithTheChoices() {
        PairPotential plain = PairPotential.builder().coulomb(NACL_CHARGES).build();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> plain.energy(rockSalt(5.64), NONE));
        assertTrue(
                e.getMessage().contains("Coulomb(*-*) has no cutoff")
                        && e.getMessage().contains("'ewald'")
                        && e.getMessage().contains("'minimum_image'"),
                e.getMessage());
        PairPotential mi = PairPotential.builder()
                .coulomb(NACL_CHARGES, CoulombMethod.MINIMUM_IMAGE, 0)
                .build();
        assertTrue(Double.isFinite(mi.energy(rockSalt(5.64), NONE)));
    }

    @Test
    void ewaldOutsideAPeriodicCellIsTheDirectSum() {
        Atoms pair = Atoms.of(List.of("Na", "Cl"), new double[][] {{0, 0, 0}, {0, 0, 2.5}});
        assertEquals(-PairPotential.COULOMB_CONSTANT / 2.5, ewald(1e-8).energy(pair, NONE), 1e-12);
        assertThrows(
                IllegalArgumentException.class,
                () -> PairPotential.builder().coulomb(NACL_CHARGES, CoulombMethod.EWALD, 0.5));
    }

    static Atoms supercell(Atoms a, int na, int nb, int nc) {
        double[][] cell = a.cell();
        List<String> s = new ArrayList<>();
        List<double[]> p = new ArrayList<>();
        for (int i = 0; i < na; i++) {
            for (int j = 0; j < nb; j++) {
                for (int k = 0; k < nc; k++) {
                    for (int at = 0; at < a.size(); at++) {
                        double[] x = a.position(at);
                        s.add(a.species(at));
                        p.add(new double[] {
                            x[0] + i * cell[0][0] + j * cell[1][0] + k * cell[2][0],
                            x[1] + i * cell[0][1] + j * cell[1][1] + k * cell[2][1],
                            x[2] + i * cell[0][2] + j * cell[1][2] + k * cell[2][2]
                        });
                    }
                }
            }
        }
        double[][] c = {
            {na * cell[0][0], na * cell[0][1], na * cell[0][2]},
            {nb * cell[1][0], nb * cell[1][1], nb * cell[1][2]},
            {nc * cell[2][0], nc * cell[2][1], nc * cell[2][2]}
        };
        return Atoms.of(s, p.toArray(new double[0][])).withCell(c, true, true, true);
    }

    /** Maps a cubic structure's fractional coordinates into a new cell and jiggles the atoms. */
    static Atoms distorted(Atoms cubic, double[][] cell, long seed) {
        double a = cubic.cell()[0][0];
        Random rnd = new Random(seed);
        double[][] p = new double[cubic.size()][3];
        for (int i = 0; i < cubic.size(); i++) {
            double[] x = cubic.position(i);
            for (int c = 0; c < 3; c++) {
                p[i][c] = (x[0] / a) * cell[0][c]
                        + (x[1] / a) * cell[1][c]
                        + (x[2] / a) * cell[2][c]
                        + 0.15 * rnd.nextGaussian();
            }
        }
        return Atoms.of(cubic.speciesList(), p).withCell(cell, true, true, true);
    }
}
