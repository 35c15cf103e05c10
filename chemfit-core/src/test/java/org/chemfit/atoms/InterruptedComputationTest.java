package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.Parameters;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The in-process computations stop when their thread is interrupted, as a stopped fit interrupts
 * it: they throw {@link EvaluationCancelledException} naming what was stopped, and leave the
 * thread's interrupt flag set for their caller.
 */
class InterruptedComputationTest {

    private static final Parameters MGO = Parameters.of(Map.of("A", 1285.0, "rho", 0.3, "q", 2.0));

    /** Rock salt MgO: the Buckingham potential of Lewis and Catlow with formal charges, as the job files write it. */
    private static final PairPotential ROCK_SALT = PairPotential.builder()
            .coulomb(
                    Map.of("Mg", ParameterRef.of("q"), "O", ParameterRef.parse("-1*q")),
                    PairPotential.CoulombMethod.EWALD,
                    1e-8)
            .buckingham("Mg", "O", ParameterRef.of("A"), ParameterRef.of("rho"), ParameterRef.constant(0), 12.0, false)
            .build();

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    private static Atoms mgo(double edge) {
        double h = edge / 2;
        return Atoms.of(List.of("Mg", "Mg", "Mg", "Mg", "O", "O", "O", "O"), new double[][] {
                    {0, 0, 0}, {h, h, 0}, {h, 0, h}, {0, h, h}, {h, 0, 0}, {0, h, 0}, {0, 0, h}, {h, h, h}
                })
                .withCell(new double[][] {{edge, 0, 0}, {0, edge, 0}, {0, 0, edge}}, true, true, true);
    }

    @ParameterizedTest
    @EnumSource(Relax.Method.class)
    void aRelaxationOnAnInterruptedThreadIsCancelled(Relax.Method method) {
        Atoms dimer = Atoms.of(List.of("Ar", "Ar"), new double[][] {{0, 0, 0}, {0, 0, 1.6}});
        Thread.currentThread().interrupt();
        EvaluationCancelledException e = assertThrows(
                EvaluationCancelledException.class, () -> Relax.of(method).run(RelaxTest.LJ, RelaxTest.UNIT, dimer));
        assertEquals("the relaxation of Atoms(Ar2) was interrupted", e.getMessage());
        assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is left for the caller");
    }

    /**
     * An interrupt that comes while a relaxation runs stops it at the next computation of the energy:
     * a potential that interrupts its thread after its third call is called no more, of the thousands of
     * steps the relaxation (force tolerance 1e-300 eV/Å, never reached) would take.
     */
    @ParameterizedTest
    @EnumSource(Relax.Method.class)
    void anInterruptDuringARelaxationStopsItAtTheNextStep(Relax.Method method) {
        int[] calls = {0};
        Potential interrupting = new Potential() {
            @Override
            public double energyAndForces(Atoms atoms, Parameters params, double @Nullable [] forces) {
                double e = RelaxTest.LJ.energyAndForces(atoms, params, forces);
                if (++calls[0] == 3) {
                    Thread.currentThread().interrupt();
                }
                return e;
            }

            @Override
            public Set<String> parameterNames() {
                return RelaxTest.LJ.parameterNames();
            }
        };
        Relax relax = Relax.of(method).forceTolerance(1e-300).maxSteps(100_000);
        Atoms start = RelaxTest.tetrahedron(1.2, 0.05, 7);
        EvaluationCancelledException e =
                assertThrows(EvaluationCancelledException.class, () -> relax.run(interrupting, RelaxTest.UNIT, start));
        assertEquals("the relaxation of Atoms(Ar4) was interrupted", e.getMessage());
        assertEquals(3, calls[0]);
    }

    @Test
    void aCrystalOnAnInterruptedThreadIsCancelled() {
        CubicCrystalComputer crystal = new CubicCrystalComputer(mgo(4.2112), 4, ROCK_SALT, "data/mgo.xyz");
        Thread.currentThread().interrupt();
        EvaluationCancelledException e = assertThrows(EvaluationCancelledException.class, () -> crystal.compute(MGO));
        assertEquals("computing the crystal data/mgo.xyz was interrupted", e.getMessage());
        assertTrue(Thread.currentThread().isInterrupted());
    }

    /**
     * The zero-pressure search of a crystal is stopped within its steps: a potential that interrupts
     * its thread after its fifth stress (a step of Brent's search) is called no more, and the search ends
     * with the cancellation.
     */
    @Test
    void anInterruptDuringTheZeroPressureSearchStopsIt() {
        int[] calls = {0};
        Potential interrupting = new Potential() {
            @Override
            public double energyAndForces(Atoms atoms, Parameters params, double @Nullable [] forces) {
                return ROCK_SALT.energyAndForces(atoms, params, forces);
            }

            @Override
            public double energyForcesStress(
                    Atoms atoms, Parameters params, double @Nullable [] forces, double[] stress) {
                double e = ROCK_SALT.energyForcesStress(atoms, params, forces, stress);
                if (++calls[0] == 5) {
                    Thread.currentThread().interrupt();
                }
                return e;
            }

            @Override
            public Set<String> parameterNames() {
                return ROCK_SALT.parameterNames();
            }
        };
        CubicCrystalComputer crystal = new CubicCrystalComputer(mgo(4.2112), 4, interrupting, "data/mgo.xyz");
        EvaluationCancelledException e = assertThrows(EvaluationCancelledException.class, () -> crystal.compute(MGO));
        assertEquals("the zero-pressure search of the crystal data/mgo.xyz was interrupted", e.getMessage());
        assertEquals(5, calls[0]);
    }

    @Test
    void aPairSumOverACellOnAnInterruptedThreadIsCancelled() {
        // the cell written in nm: a 12 Å cutoff meets some 800 000 images of each atom
        Atoms nm = mgo(0.42112);
        Thread.currentThread().interrupt();
        EvaluationCancelledException e =
                assertThrows(EvaluationCancelledException.class, () -> ROCK_SALT.energy(nm, MGO));
        assertEquals("the pair sum over Atoms(Mg4O4, cell, pbc=[true, true, true]) was interrupted", e.getMessage());
        PairPotential ewald = PairPotential.builder()
                .coulomb(
                        Map.of("Mg", ParameterRef.of("q"), "O", ParameterRef.parse("-1*q")),
                        PairPotential.CoulombMethod.EWALD,
                        1e-8)
                .build();
        EvaluationCancelledException sum =
                assertThrows(EvaluationCancelledException.class, () -> ewald.energy(mgo(4.2112), MGO));
        assertEquals("the pair sum over Atoms(Mg4O4, cell, pbc=[true, true, true]) was interrupted", sum.getMessage());
    }

    @Test
    void aCellRelaxationOnAnInterruptedThreadIsCancelled() {
        Thread.currentThread().interrupt();
        EvaluationCancelledException e = assertThrows(
                EvaluationCancelledException.class, () -> CellRelax.defaults().run(ROCK_SALT, MGO, mgo(4.0)));
        assertEquals(
                "the cell relaxation of Atoms(Mg4O4, cell, pbc=[true, true, true]) was interrupted", e.getMessage());
    }
}
