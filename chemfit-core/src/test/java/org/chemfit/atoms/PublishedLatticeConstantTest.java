package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.chemfit.ChemFitException;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.atoms.PairPotential.CoulombMethod;
import org.junit.jupiter.api.Test;

/**
 * The relaxed lattice constant and elastic constants of Buckingham + Coulomb models of MgO against
 * published outputs of another lattice code: the example outputs distributed with GULP 6.2.0
 * (J. D. Gale, General Utility Lattice Program, Curtin University; {@code Examples/Outputs/} of the
 * distribution, also served from http://gulp.curtin.edu.au/gulp/help/). Both outputs optimise rock
 * salt at zero pressure with plain (untapered) Buckingham cutoffs and an Ewald sum.
 *
 * <p>Example 67 is a shell model (Mg core +2; O core +0.86902, O shell −2.86902, spring 74.92 eV/Å²;
 * Buckingham terms acting on the O shell). Every ion of rock salt sits on a centre of inversion, at
 * zero strain and under the homogeneous strains of the elastic constants, so the field at an ion
 * vanishes and each shell stays on its core; the model is then the rigid-ion model with the total
 * charges +2 and −2 and the same Buckingham terms between the ions, which is what is computed here.
 */
class PublishedLatticeConstantTest {

    static final Parameters NONE = Parameters.of(Map.of());

    static Atoms mgo() {
        return Xyz.read(ExampleData.example("mgo-buckingham").resolve("mgo.xyz"));
    }

    static PairPotential mgo(double aMgO, double rhoMgO, double aOO, double rhoOO, double cOO, double cutoff) {
        return PairPotential.builder()
                .coulomb(
                        Map.of("Mg", ParameterRef.constant(2), "O", ParameterRef.constant(-2)),
                        CoulombMethod.EWALD,
                        1e-10)
                .buckingham(
                        "Mg",
                        "O",
                        ParameterRef.constant(aMgO),
                        ParameterRef.constant(rhoMgO),
                        ParameterRef.constant(0),
                        cutoff,
                        false)
                .buckingham(
                        "O",
                        "O",
                        ParameterRef.constant(aOO),
                        ParameterRef.constant(rhoOO),
                        ParameterRef.constant(cOO),
                        cutoff,
                        false)
                .build();
    }

    /**
     * GULP 6.2.0, example67.got (run of 22 September 2023; {@code opti conp}, 2x2x2 supercell of the
     * conventional cell): Mg c–O s Buckingham A = 1285.0 eV, ρ = 0.300 Å, C = 0; O s–O s A = 22764.0 eV,
     * ρ = 0.149 Å, C = 27.8 eV Å⁶; both cut off at 12 Å. Final cell 8.410161 Å, so a = 4.2050805 Å; the
     * elastic constant matrix gives C11 = 372.9511 GPa and C12 = C44 = 163.9624 GPa.
     */
    @Test
    void gulpExample67ShellModelOfMgo() {
        Quantities q = new CubicCrystalComputer(mgo(), 4, mgo(1285.0, 0.300, 22764.0, 0.149, 27.8, 12.0)).compute(NONE);
        // computed here: a = 4.2050871 Å, C11 = 372.944 GPa, C12 = C44 = 163.959 GPa
        assertEquals(8.410161 / 2, q.get("lattice_constant"), 1e-4);
        assertEquals(372.9511, q.get("C11"), 0.05);
        assertEquals(163.9624, q.get("C12"), 0.05);
        assertEquals(163.9624, q.get("C44"), 0.05);
    }

    /**
     * GULP 6.2.0, example65.got (run of 22 August 2023; the first point of its cell scan, a rigid-ion
     * model with formal charges optimised with the cell edges free at right angles, in a cell of two
     * conventional cells along z): O–Mg Buckingham A = 1346.6 eV, ρ = 0.2984 Å, C = 0; O–O A = 22764.3 eV,
     * ρ = 0.149 Å, C = 20.37 eV Å⁶; both cut off at 8 Å. Final a = b = 4.225103 Å, c = 8.450234 Å.
     */
    @Test
    void gulpExample65RigidIonMgo() {
        Quantities q =
                new CubicCrystalComputer(mgo(), 4, mgo(1346.6, 0.2984, 22764.3, 0.149, 20.37, 8.0)).compute(NONE);
        // computed here: a = 4.2251127 Å (GULP's a and c/2 differ by 1.4e-5 Å, its convergence)
        assertEquals(4.225103, q.get("lattice_constant"), 1e-4);
        assertEquals(8.450234 / 2, q.get("lattice_constant"), 1e-4);
    }

    /** A model that only repels has no zero-pressure crystal but one whose atoms do not interact. */
    @Test
    void aModelThatOnlyRepelsIsRefusedAsNotBindingTheCrystal() {
        PairPotential repulsive = PairPotential.builder()
                .buckingham(
                        "Mg",
                        "O",
                        ParameterRef.constant(1285.0),
                        ParameterRef.constant(0.3),
                        ParameterRef.constant(0),
                        8.0,
                        false)
                .build();
        ChemFitException e = org.junit.jupiter.api.Assertions.assertThrows(
                ChemFitException.class, () -> new CubicCrystalComputer(mgo(), 4, repulsive).compute(NONE));
        org.junit.jupiter.api.Assertions.assertTrue(
                e.getMessage().contains("no pair of atoms interacts (the model does not bind the crystal"),
                e.getMessage());
    }
}
