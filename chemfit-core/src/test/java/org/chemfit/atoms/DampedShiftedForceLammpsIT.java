package org.chemfit.atoms;

import java.nio.file.Path;
import java.util.List;
import org.chemfit.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The damped shifted force Coulomb sum against the real LAMMPS ({@code pair_style coul/dsf}):
 * energies (self terms included), forces and stress, to 1e-6 of their sizes (LAMMPS evaluates
 * erfc with a polynomial of absolute error 1.5e-7).
 */
class DampedShiftedForceLammpsIT {

    @TempDir
    Path tmp;

    static final Parameters NONE = EwaldTest.NONE;

    @Test
    void distortedRockSaltMatchesCoulDsf() throws Exception {
        Atoms nacl = EwaldTest.distorted(
                EwaldTest.rockSalt(5.64), new double[][] {{5.64, 0, 0}, {0, 5.9, 0}, {0, 0, 6.2}}, 17);
        PairPotential p = PairPotential.builder()
                .coulombConstant(EwaldLammpsIT.LAMMPS_K)
                .coulombDampedShiftedForce(EwaldTest.NACL_CHARGES, 0.2, 9.0)
                .build();
        LammpsReference.Result ref = LammpsReference.run(
                tmp.resolve("nacl"),
                nacl,
                List.of("Na", "Cl"),
                new double[] {1, -1},
                false,
                "pair_style coul/dsf 0.2 9.0\npair_coeff * *");
        EwaldLammpsIT.compare(p, nacl, NONE, ref);
    }

    @Test
    void triclinicIonicCellWithBuckinghamMatchesBuckPlusCoulDsf() throws Exception {
        Atoms cell = EwaldTest.triclinicNaCl();
        PairPotential p = EwaldTest.rockSaltBuckingham(
                        PairPotential.builder()
                                .coulombConstant(EwaldLammpsIT.LAMMPS_K)
                                .coulombDampedShiftedForce(EwaldTest.NACL_CHARGES, 0.25, 10.0),
                        8.0,
                        false)
                .build();
        LammpsReference.Result ref = LammpsReference.run(
                tmp.resolve("tric"),
                cell,
                List.of("Na", "Cl"),
                new double[] {1, -1},
                false,
                "pair_style hybrid/overlay coul/dsf 0.25 10.0 buck 8.0\npair_coeff * * coul/dsf\n"
                        + "pair_coeff 1 2 buck 1170.0 0.3290 0.0");
        EwaldLammpsIT.compare(p, cell, NONE, ref);
    }

    @Test
    void withoutDampingItIsTheShiftedForceSumOfCoulDsf() throws Exception {
        Atoms nacl = EwaldTest.distorted(
                EwaldTest.rockSalt(5.64), new double[][] {{5.64, 0, 0}, {0, 5.64, 0}, {0, 0, 5.64}}, 5);
        PairPotential p = PairPotential.builder()
                .coulombConstant(EwaldLammpsIT.LAMMPS_K)
                .coulombDampedShiftedForce(EwaldTest.NACL_CHARGES, 0.0, 7.5)
                .build();
        LammpsReference.Result ref = LammpsReference.run(
                tmp.resolve("sf"),
                nacl,
                List.of("Na", "Cl"),
                new double[] {1, -1},
                false,
                "pair_style coul/dsf 0.0 7.5\npair_coeff * *");
        EwaldLammpsIT.compare(p, nacl, NONE, ref);
    }
}
