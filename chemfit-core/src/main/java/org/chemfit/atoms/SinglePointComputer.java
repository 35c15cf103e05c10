package org.chemfit.atoms;

import java.nio.file.Path;
import java.util.Objects;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;

/**
 * Computes the energy of a fixed structure: the quantities {@code energy} (eV), {@code forces}
 * (eV/Å, 3 per atom) and {@code natoms}. The counterpart of ChemFit's single-point ASE computer.
 *
 * <pre>{@code
 * var computer = new SinglePointComputer(Xyz.read(Path.of("atoms_3.0.xyz")).withConsecutiveMolecules(3), water);
 * var term = computer.withLoss(LossFunctions.squaredError(Map.of("energy", -0.2297)));
 * }</pre>
 *
 * @implNote Immutable and thread-safe: the structure is read once and never changed; each call
 *     computes into arrays of its own.
 */
public final class SinglePointComputer implements QuantityComputer {

    private final Atoms atoms;
    private final Potential potential;

    /**
     * @param atoms the structure
     * @param potential the potential
     */
    public SinglePointComputer(Atoms atoms, Potential potential) {
        this.atoms = Objects.requireNonNull(atoms, "atoms");
        this.potential = Objects.requireNonNull(potential, "potential");
    }

    /**
     * @param file an XYZ or extended XYZ file (its last frame is used), read now
     * @param potential the potential
     * @return the computer
     * @throws InputFormatException when the file is malformed
     */
    public static SinglePointComputer of(Path file, Potential potential) {
        return new SinglePointComputer(Xyz.read(file), potential);
    }

    /** @return the structure */
    public Atoms atoms() {
        return atoms;
    }

    /** @return the potential */
    public Potential potential() {
        return potential;
    }

    /**
     * @throws IllegalArgumentException when a parameter is missing or the structure does not suit the potential
     */
    @Override
    public Quantities compute(Parameters params) {
        double[] f = new double[3 * atoms.size()];
        double e = potential.energyAndForces(atoms, params, f);
        return Quantities.builder()
                .put("energy", e)
                .put("forces", f)
                .put("natoms", atoms.size())
                .build();
    }

    @Override
    public String toString() {
        return "SinglePointComputer(" + atoms + ", " + potential + ")";
    }
}
