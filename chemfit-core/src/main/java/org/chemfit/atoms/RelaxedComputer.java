package org.chemfit.atoms;

import java.util.Objects;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.jspecify.annotations.Nullable;

/**
 * Relaxes a structure with the model and reports the relaxed state: {@code energy}, {@code forces},
 * {@code natoms}, {@code positions} (Å, 3 per atom), {@code max_force}, {@code relax_steps},
 * {@code relax_converged} (1 or 0), and any {@link StructureQuantities} of the relaxed structure
 * (distances, RMSD to a reference). The counterpart of ChemFit's minimised-structure ASE computer.
 *
 * <pre>{@code
 * var computer = new RelaxedComputer(start, potential, Relax.lbfgs().forceTolerance(1e-4),
 *         StructureQuantities.builder().rmsd("rmsd", reference, null, false).build());
 * ObjectiveFunction term = computer.withLoss(q -> q.get("rmsd"));
 * }</pre>
 *
 * <p>A relaxation that does not converge within its steps is reported (relax_converged = 0), not
 * thrown; a NaN or infinite energy during it throws a {@link org.chemfit.ChemFitException}.
 *
 * @implNote Immutable and thread-safe: the starting structure is read once; every call relaxes a
 *     copy of its positions.
 */
public final class RelaxedComputer implements QuantityComputer {

    private final Atoms start;
    private final Potential potential;
    private final Relax relax;
    private final StructureQuantities structure;

    /**
     * @param start the starting structure
     * @param potential the potential
     * @param relax how to relax
     * @param structure quantities of the relaxed structure to report (or {@link StructureQuantities#none()})
     */
    public RelaxedComputer(Atoms start, Potential potential, Relax relax, StructureQuantities structure) {
        this.start = Objects.requireNonNull(start, "start");
        this.potential = Objects.requireNonNull(potential, "potential");
        this.relax = Objects.requireNonNull(relax, "relax");
        this.structure = Objects.requireNonNull(structure, "structure");
    }

    /**
     * @param start the starting structure
     * @param potential the potential
     * @param relax how to relax
     */
    public RelaxedComputer(Atoms start, Potential potential, Relax relax) {
        this(start, potential, relax, StructureQuantities.none());
    }

    /**
     * @throws IllegalArgumentException when a parameter is missing or the structure does not suit the potential
     * @throws org.chemfit.ChemFitException when the energy becomes NaN or infinite during relaxation
     */
    @Override
    public Quantities compute(Parameters params) {
        return compute(params, null);
    }

    @Override
    public Quantities compute(Parameters params, @Nullable EvaluationContext ctx) {
        Relax.Result r = relax.run(potential, params, start);
        if (ctx != null) {
            ctx.put("relax_steps", r.steps());
            ctx.put("relax_converged", r.converged());
        }
        Quantities q = Quantities.builder()
                .put("energy", r.energy())
                .put("forces", r.forces())
                .put("natoms", start.size())
                .put("positions", r.atoms().positionsArray())
                .put("max_force", r.maxForce())
                .put("relax_steps", r.steps())
                .put("relax_converged", r.converged() ? 1.0 : 0.0)
                .build();
        return structure.isEmpty() ? q : q.merge(structure.compute(r.atoms()));
    }

    @Override
    public String toString() {
        return "RelaxedComputer(" + start + ", " + potential + ", " + relax + ")";
    }
}
