package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.chemfit.Parameters;
import org.chemfit.atoms.PairPotential.CoulombMethod;
import org.hipparchus.special.Erf;
import org.junit.jupiter.api.Test;

/** The damped shifted force Coulomb sum (Fennell and Gezelter 2006). */
class DampedShiftedForceTest {

    static final Parameters NONE = Parameters.of(Map.of());

    static PairPotential dsf(double alpha, double cutoff) {
        return PairPotential.builder()
                .coulombDampedShiftedForce(EwaldTest.NACL_CHARGES, alpha, cutoff)
                .build();
    }

    @Test
    void anIonPairHasTheFennellGezelterEnergyAndItsSelfTerms() {
        double alpha = 0.2;
        double rc = 9.0;
        double r = 2.8;
        Atoms pair = Atoms.of(List.of("Na", "Cl"), new double[][] {{0, 0, 0}, {0, 0, r}});
        double k = PairPotential.COULOMB_CONSTANT;
        double erfcRc = Erf.erfc(alpha * rc);
        double slope = erfcRc / (rc * rc) + 2 * alpha / Math.sqrt(Math.PI) * Math.exp(-alpha * alpha * rc * rc) / rc;
        double pairEnergy = -k * (Erf.erfc(alpha * r) / r - erfcRc / rc + slope * (r - rc));
        // the self term of LAMMPS's coul/dsf: -k q^2 (eShift / 2 + alpha / sqrt(pi)), eShift = erfc(alpha rc) / rc +
        // slope rc
        double eShift = erfcRc / rc + slope * rc;
        double self = -k * 2 * (eShift / 2 + alpha / Math.sqrt(Math.PI));
        double[] f = new double[6];
        assertEquals(pairEnergy + self, dsf(alpha, rc).energyAndForces(pair, NONE, f), 1e-12);
        double force = -k
                * (Erf.erfc(alpha * r) / (r * r)
                        + 2 * alpha / Math.sqrt(Math.PI) * Math.exp(-alpha * alpha * r * r) / r
                        - slope);
        assertEquals(force, f[5], 1e-12, "the attraction pulls Cl towards Na");
        assertEquals(-force, f[2], 1e-12);
    }

    @Test
    void energyAndForceGoToZeroAtTheCutoff() {
        double rc = 7.0;
        PairPotential p = dsf(0.25, rc);
        Atoms near = Atoms.of(List.of("Na", "Cl"), new double[][] {{0, 0, 0}, {0, 0, rc - 1e-9}});
        Atoms far = Atoms.of(List.of("Na", "Cl"), new double[][] {{0, 0, 0}, {0, 0, rc + 1e-9}});
        double[] f = new double[6];
        double eNear = p.energyAndForces(near, NONE, f);
        assertEquals(p.energy(far, NONE), eNear, 1e-10, "the energy is continuous at the cutoff");
        assertEquals(0, f[5], 1e-9, "the force vanishes at the cutoff");
    }

    @Test
    void forcesAndStressMatchFiniteDifferencesOfTheEnergyInATriclinicCell() {
        Atoms atoms = EwaldTest.distorted(
                EwaldTest.rockSalt(5.2), new double[][] {{5.2, 0, 0}, {0.7, 5.0, 0}, {-0.4, 0.6, 5.5}}, 7);
        PairPotential p = PairPotential.builder()
                .coulombDampedShiftedForce(EwaldTest.NACL_CHARGES, 0.2, 8.0)
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
    void withEnoughDampingAndCutoffTheRockSaltEnergyApproachesTheEwaldSum() {
        Atoms nacl = EwaldTest.rockSalt(5.64);
        double ewald = EwaldTest.ewald(1e-14).energy(nacl, NONE);
        double e = dsf(0.2, 12.0).energy(nacl, NONE);
        assertEquals(ewald, e, 2e-3 * Math.abs(ewald), "DSF " + e + " against Ewald " + ewald);
        assertTrue(
                Math.abs(dsf(0.2, 8.0).energy(nacl, NONE) - ewald) > Math.abs(e - ewald), "a longer cutoff is closer");
    }

    @Test
    void badSettingsAreRefusedWithTheRule() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> PairPotential.builder().coulombDampedShiftedForce(EwaldTest.NACL_CHARGES, -0.1, 9.0));
        assertTrue(e.getMessage().contains("alpha") && e.getMessage().contains("-0.1"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> PairPotential.builder()
                        .coulombDampedShiftedForce(EwaldTest.NACL_CHARGES, 0.2, Double.POSITIVE_INFINITY));
        assertTrue(e.getMessage().contains("finite positive cutoff"), e.getMessage());
        assertTrue(
                dsf(0.2, 9.0).toString().contains("damped shifted force, alpha 0.2"),
                dsf(0.2, 9.0).toString());
        assertEquals(CoulombMethod.DSF, CoulombMethod.valueOf("DSF"));
    }
}
