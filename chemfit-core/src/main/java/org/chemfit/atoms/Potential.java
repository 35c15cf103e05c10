package org.chemfit.atoms;

import java.util.List;
import java.util.Set;
import org.chemfit.Parameters;
import org.jspecify.annotations.Nullable;

/**
 * An interatomic potential whose constants come from the fit's parameters: it maps a structure
 * and parameters to an energy (eV) and forces (eV/Å). Pair potentials are built with
 * {@link PairPotential#builder()}; potentials add up with {@link #plus}.
 *
 * <pre>{@code
 * Potential lj = PairPotential.builder().lennardJones("Ar", "Ar", "epsilon", "sigma").build();
 * double e = lj.energy(dimer, Parameters.of(Map.of("epsilon", 0.0104, "sigma", 3.40)));
 * double[] f = new double[3 * dimer.size()];
 * lj.energyAndForces(dimer, params, f);
 * }</pre>
 *
 * <p>A parameter the potential needs but the parameters lack fails the call with an
 * {@link IllegalArgumentException} naming it. The pair potentials look at their thread's interrupt
 * flag as they sum over atoms and images, and throw {@link org.chemfit.EvaluationCancelledException}
 * when it is set (leaving it set), so that a cancelled evaluation of a large cell stops at once.
 *
 * @implNote Implementations must be immutable and safe to call from many threads at once.
 */
public interface Potential {

    /**
     * @param atoms the structure
     * @param params the parameters
     * @return the potential energy in eV
     * @throws IllegalArgumentException when a parameter is missing or the structure does not suit the potential
     */
    default double energy(Atoms atoms, Parameters params) {
        return energyAndForces(atoms, params, null);
    }

    /**
     * @param atoms the structure
     * @param params the parameters
     * @param forces receives the force on each atom (fx0, fy0, fz0, fx1, ...) in eV/Å when not
     *     null; overwritten, length 3 * atoms
     * @return the potential energy in eV
     * @throws IllegalArgumentException when a parameter is missing, the forces array has the wrong
     *     length or the structure does not suit the potential
     */
    double energyAndForces(Atoms atoms, Parameters params, double @Nullable [] forces);

    /**
     * Energy, forces and stress of a cell periodic along all three vectors. The stress is
     * σ = (1/V) ∂E/∂ε (eV/Å³, 9 numbers, a 3x3 matrix by rows), ε being a homogeneous strain of
     * cell and positions: positive under tension, and the pressure is -trace(σ)/3.
     *
     * <pre>{@code
     * double[] stress = new double[9];
     * double e = potential.energyForcesStress(crystal, params, null, stress);
     * }</pre>
     *
     * @param atoms a structure with a cell periodic along all three vectors
     * @param params the parameters
     * @param forces receives the forces when not null, as in {@link #energyAndForces}
     * @param stress receives the stress, length 9
     * @return the potential energy in eV
     * @throws IllegalArgumentException as {@link #energyAndForces}, when the structure is not
     *     periodic along three vectors, or the stress array does not have 9 entries
     * @throws UnsupportedOperationException when the potential has no stress
     */
    default double energyForcesStress(Atoms atoms, Parameters params, double @Nullable [] forces, double[] stress) {
        throw new UnsupportedOperationException(this + " does not compute a stress");
    }

    /** @return the names of the parameters this potential reads */
    Set<String> parameterNames();

    /**
     * @param other another potential
     * @return the sum of both
     */
    default Potential plus(Potential other) {
        return sum(List.of(this, other));
    }

    /**
     * @param potentials potentials to add
     * @return their sum: energies and forces add
     * @throws IllegalArgumentException when the list is empty
     */
    static Potential sum(List<? extends Potential> potentials) {
        return new SumPotential(potentials);
    }
}
