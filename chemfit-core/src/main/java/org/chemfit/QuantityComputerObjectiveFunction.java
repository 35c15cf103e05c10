package org.chemfit;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An objective term made of a {@link QuantityComputer} and a {@link LossFunction}: it computes
 * the quantities, stores them in the context and returns their loss. The name and argument order
 * are ChemFit's.
 *
 * <pre>{@code
 * var term = new QuantityComputerObjectiveFunction(
 *         LossFunctions.squaredError(Map.of("energy", -0.0103)),
 *         p -> Quantities.of("energy", model(p)));
 * }</pre>
 *
 * <p>An exception from the computer or the loss propagates unchanged.
 *
 * @implNote Immutable and thread-safe when its computer and loss are.
 */
public final class QuantityComputerObjectiveFunction implements ObjectiveFunction {

    static {
        // the residual variance of a fit needs the factor of each term's residuals, from its loss
        org.chemfit.support.ResidualScale.lossReader(QuantityComputerObjectiveFunction::lossFunction);
    }

    private final LossFunction loss;
    private final QuantityComputer computer;
    private final @Nullable String name;

    /**
     * @param loss compares the quantities with reference values
     * @param computer computes the quantities
     */
    public QuantityComputerObjectiveFunction(LossFunction loss, QuantityComputer computer) {
        this(loss, computer, null);
    }

    private QuantityComputerObjectiveFunction(LossFunction loss, QuantityComputer computer, @Nullable String name) {
        this.loss = Objects.requireNonNull(loss, "loss");
        this.computer = Objects.requireNonNull(computer, "computer");
        this.name = name;
    }

    /** @return the quantity computer */
    public QuantityComputer computer() {
        return computer;
    }

    /** @return the loss function */
    LossFunction lossFunction() {
        return loss;
    }

    @Override
    public double evaluate(Parameters params) {
        return evaluate(params, new EvaluationContext(params));
    }

    @Override
    public double evaluate(Parameters params, EvaluationContext ctx) {
        Quantities q = computer.compute(params, ctx);
        if (q == null) {
            throw new ChemFitException(
                    "the quantity computer of " + describe(ctx) + " returned null instead of quantities");
        }
        ctx.computed(q);
        double v = loss.evaluate(q, params);
        ctx.complete(v);
        return v;
    }

    /**
     * @return the term by its path of term names in its combined objectives ({@code term 'a/b'}),
     *     else by its own name or its computer's, else "the objective": a computer's
     *     {@code toString} (a lambda's class and hash) names nothing a user wrote
     */
    private String describe(EvaluationContext ctx) {
        if (ctx.parent() != null) {
            StringBuilder path = new StringBuilder(ctx.name());
            for (EvaluationContext c = ctx.parent(); c != null && c.parent() != null; c = c.parent()) {
                path.insert(0, c.name() + "/");
            }
            return "term '" + path + "'";
        }
        String own = name != null ? name : computer.name();
        return own == null ? "the objective" : "term '" + own + "'";
    }

    @Override
    public @Nullable String name() {
        return name;
    }

    @Override
    public QuantityComputerObjectiveFunction named(String newName) {
        Objects.requireNonNull(newName, "name");
        return new QuantityComputerObjectiveFunction(
                loss, computer, org.chemfit.support.Names.requireTermName(newName));
    }

    @Override
    public String toString() {
        return name == null ? "QuantityComputerObjectiveFunction" : name;
    }
}
