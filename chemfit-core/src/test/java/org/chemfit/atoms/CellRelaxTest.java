package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.atoms.PairPotential.CoulombMethod;
import org.hipparchus.optim.MaxEval;
import org.hipparchus.optim.nonlinear.scalar.GoalType;
import org.hipparchus.optim.univariate.BrentOptimizer;
import org.hipparchus.optim.univariate.SearchInterval;
import org.hipparchus.optim.univariate.UnivariateObjectiveFunction;
import org.junit.jupiter.api.Test;

class CellRelaxTest {

    static final Parameters NONE = EwaldTest.NONE;

    /** Rock salt with formal charges and Na-Cl, Cl-Cl Buckingham terms, Ewald at 1e-10. */
    static final PairPotential ROCK_SALT = EwaldTest.rockSaltBuckingham(
                    PairPotential.builder().coulomb(EwaldTest.NACL_CHARGES, CoulombMethod.EWALD, 1e-10), 9.0, true)
            .build();

    /** The lattice constant minimising E(a) of the scaled conventional cell, by Brent's method. */
    static double brentLatticeConstant() {
        return new BrentOptimizer(1e-12, 1e-12)
                .optimize(
                        new MaxEval(500),
                        GoalType.MINIMIZE,
                        new SearchInterval(5.0, 6.5),
                        new UnivariateObjectiveFunction(a -> ROCK_SALT.energy(EwaldTest.rockSalt(a), NONE)))
                .getPoint();
    }

    @Test
    void isotropicRelaxationFindsTheMinimumOfTheEnergyAgainstTheLatticeConstant() {
        double expected = brentLatticeConstant();
        CellRelax.Result r = CellRelax.defaults().isotropic(true).run(ROCK_SALT, NONE, EwaldTest.rockSalt(5.64));
        assertTrue(r.converged(), r.toString());
        assertEquals(expected, r.atoms().cell()[0][0], 1e-5);
        assertEquals(0, r.atoms().cell()[0][1], 1e-12);
        for (double s : r.stress()) {
            assertEquals(0, s, 2e-7);
        }
    }

    @Test
    void aFreeCellFromASkewedStartRelaxesToTheSameCrystal() {
        double expected = brentLatticeConstant();
        Atoms skewed = EwaldTest.distorted(
                EwaldTest.rockSalt(5.64), new double[][] {{5.7, 0, 0}, {0.2, 5.6, 0}, {-0.1, 0.15, 5.75}}, 2);
        CellRelax.Result r = CellRelax.defaults().run(ROCK_SALT, NONE, skewed);
        assertTrue(r.converged(), r.toString());
        assertEquals(
                expected * expected * expected,
                r.atoms().volume(),
                1e-4 * r.atoms().volume());
        assertEquals(ROCK_SALT.energy(EwaldTest.rockSalt(expected), NONE), r.energy(), 1e-6);
    }

    @Test
    void underPressureTheStressBalancesItAndTheCellShrinks() {
        CellRelax.Result r = CellRelax.defaults().pressureGPa(5).run(ROCK_SALT, NONE, EwaldTest.rockSalt(5.64));
        assertTrue(r.converged(), r.toString());
        double p = 5 * CellRelax.GPA;
        double[] s = r.stress();
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                assertEquals(a == b ? -p : 0, s[3 * a + b], 2e-7);
            }
        }
        assertTrue(r.atoms().volume() < Math.pow(brentLatticeConstant(), 3));
    }

    @Test
    void elasticConstantsEqualSecondDerivativesOfTheEnergy() {
        Quantities q = new CubicCrystalComputer(EwaldTest.rockSalt(5.64), 4, ROCK_SALT).compute(NONE);
        double a = q.get("lattice_constant");
        assertEquals(brentLatticeConstant(), a, 1e-5);
        Atoms eq = EwaldTest.rockSalt(a);
        double v = eq.volume();
        double h = 1e-3;
        double e0 = ROCK_SALT.energy(eq, NONE);
        // C11 = (1/V) d2E/d(exx)2; C11 + C12 from the biaxial strain exx = eyy; C44 from the shear eyz = ezy = g/2
        double c11 = second(eq, new double[] {1, 0, 0, 0, 0, 0, 0, 0, 0}, h, e0) / v / CellRelax.GPA;
        double biaxial = second(eq, new double[] {1, 0, 0, 0, 1, 0, 0, 0, 0}, h, e0) / v / CellRelax.GPA;
        double c12 = (biaxial - 2 * c11) / 2;
        double c44 = second(eq, new double[] {0, 0, 0, 0, 0, 0.5, 0, 0.5, 0}, h, e0) / v / CellRelax.GPA;
        assertEquals(c11, q.get("C11"), 1e-3 * c11);
        assertEquals(c12, q.get("C12"), 1e-3 * c11);
        assertEquals(c44, q.get("C44"), 1e-3 * c11);
        assertEquals((c11 + 2 * c12) / 3, q.get("bulk_modulus"), 1e-3 * c11);
        assertEquals(e0 / 4, q.get("lattice_energy"), 1e-8);
        assertEquals(v / 4, q.get("volume"), 1e-6);
    }

    @Test
    void badUseIsRefusedWithTheRule() {
        Atoms cluster = Atoms.of(java.util.List.of("Na", "Cl"), new double[][] {{0, 0, 0}, {0, 0, 2.5}});
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new CubicCrystalComputer(cluster, 1, ROCK_SALT));
        assertTrue(e.getMessage().contains("periodic along its three vectors"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CellRelax.defaults().tolerances(0, 1));
    }

    private static double second(Atoms eq, double[] dir, double h, double e0) {
        return (ROCK_SALT.energy(strain(eq, dir, h), NONE) - 2 * e0 + ROCK_SALT.energy(strain(eq, dir, -h), NONE))
                / (h * h);
    }

    private static Atoms strain(Atoms a, double[] e, double h) {
        double[] x = a.positions();
        double[] y = x.clone();
        for (int i = 0; i < a.size(); i++) {
            for (int k = 0; k < 3; k++) {
                y[3 * i + k] += h * (x[3 * i] * e[k] + x[3 * i + 1] * e[3 + k] + x[3 * i + 2] * e[6 + k]);
            }
        }
        double[][] c = a.cell();
        double[][] nc = new double[3][3];
        for (int r = 0; r < 3; r++) {
            for (int k = 0; k < 3; k++) {
                nc[r][k] = c[r][k] + h * (c[r][0] * e[k] + c[r][1] * e[3 + k] + c[r][2] * e[6 + k]);
            }
        }
        return a.withPositions(y).withCell(nc, true, true, true);
    }
}
