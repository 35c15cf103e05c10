package org.chemfit;

import java.util.function.ToDoubleBiFunction;

/**
 * Turns computed quantities into a loss. Built-in losses are in {@link LossFunctions}.
 *
 * <pre>{@code
 * LossFunction loss = q -> Math.pow(q.get("energy") + 0.0103, 2);
 * LossFunction withParams = LossFunction.withParameters((q, p) -> q.get("energy") + 1e-3 * p.get("x"));
 * }</pre>
 *
 * @implNote Must be safe to call from many threads at once.
 */
@FunctionalInterface
public interface LossFunction {

    /**
     * @param quantities the computed quantities
     * @return the loss
     */
    double evaluate(Quantities quantities);

    /**
     * Parameter-aware form (for example a regularisation term); by default ignores the parameters.
     *
     * @param quantities the computed quantities
     * @param params the parameters they were computed at
     * @return the loss
     */
    default double evaluate(Quantities quantities, Parameters params) {
        return evaluate(quantities);
    }

    /**
     * @param f a loss of quantities and parameters
     * @return it as a {@code LossFunction}
     */
    static LossFunction withParameters(ToDoubleBiFunction<Quantities, Parameters> f) {
        return new LossFunction() {
            @Override
            public double evaluate(Quantities quantities) {
                throw new UnsupportedOperationException(
                        "this loss needs the parameters: call evaluate(quantities, params)");
            }

            @Override
            public double evaluate(Quantities quantities, Parameters params) {
                return f.applyAsDouble(quantities, params);
            }
        };
    }
}
