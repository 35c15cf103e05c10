package org.chemfit;

/**
 * Computes named quantities (an energy, a density, an RDF) from parameters. Paired with a
 * {@link LossFunction} it becomes an objective term:
 *
 * <pre>{@code
 * QuantityComputer dimer = p -> Quantities.of("energy", lj(p.get("eps"), p.get("sigma"), 3.8));
 * ObjectiveFunction term = dimer.withLoss(LossFunctions.squaredError(Map.of("energy", -0.0103)));
 * }</pre>
 *
 * <p>Exceptions thrown by {@code compute} propagate to the objective that owns it.
 *
 * @implNote Implementations must be safe to call from many threads at once; per-call state
 *     goes in the {@link EvaluationContext}.
 */
@FunctionalInterface
public interface QuantityComputer {

    /**
     * @param params the parameters
     * @return the quantities
     */
    Quantities compute(Parameters params);

    /**
     * Context-aware form, for computers that need the evaluation id or record metadata (run
     * directories, timings). By default delegates to {@link #compute(Parameters)}.
     *
     * @param params the parameters
     * @param ctx the evaluation's context
     * @return the quantities
     */
    default Quantities compute(Parameters params, EvaluationContext ctx) {
        return compute(params);
    }

    /**
     * The name a term made of this computer takes in a {@link CombinedObjectiveFunction} when the
     * term has none of its own and no other term of the combination has or takes that name; a term
     * whose computer's name is taken twice is named by its position, {@code term[i]}.
     *
     * @return this computer's name, or null (the default) when it has none
     */
    default @org.jspecify.annotations.Nullable String name() {
        return null;
    }

    /**
     * @param loss compares the computed quantities with reference values
     * @return the objective term {@code loss(compute(p))}
     */
    default QuantityComputerObjectiveFunction withLoss(LossFunction loss) {
        return new QuantityComputerObjectiveFunction(loss, this);
    }
}
