package org.chemfit;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A term of a fit: maps parameters to a loss, a number to be minimised. A lambda is enough:
 *
 * <pre>{@code
 * ObjectiveFunction ob = p -> Math.pow(p.get("x") - 1.0, 2);
 * double loss = ob.evaluate(Parameters.of(Map.of("x", 3.0)));   // 4.0
 * }</pre>
 *
 * <p>Terms that record quantities or metadata implement the context-aware form
 * {@link #evaluate(Parameters, EvaluationContext)} too; by default it delegates to
 * {@link #evaluate(Parameters)} and stores the loss in the context.
 *
 * <p>When user code throws inside {@code evaluate}, the exception propagates to the caller; a
 * {@link CombinedObjectiveFunction} hands it to its {@link FailurePolicy}.
 *
 * @implNote Implementations must be safe to call from many threads at once: keep per-call
 *     state in the {@link EvaluationContext}, never in fields.
 */
@FunctionalInterface
public interface ObjectiveFunction {

    /**
     * @param params the parameters
     * @return the loss; NaN or infinity mark a bad point (the Fitter replaces them)
     */
    double evaluate(Parameters params);

    /**
     * Evaluates and records the loss (and whatever else the term knows) in the context.
     *
     * @param params the parameters
     * @param ctx the context of this evaluation, written by this call
     * @return the loss
     */
    default double evaluate(Parameters params, EvaluationContext ctx) {
        double v = evaluate(params);
        ctx.complete(v);
        return v;
    }

    /** @return a short name for reports and error messages; null when the term has none */
    default @Nullable String name() {
        return null;
    }

    /**
     * @param name the name, not blank
     * @return this term under a name
     * @throws IllegalArgumentException when the name is blank
     */
    default ObjectiveFunction named(String name) {
        return ObjectiveFunctions.named(name, this);
    }

    /**
     * @param hook runs before and after each evaluation
     * @return this term with the hook
     */
    default ObjectiveFunction withHook(EvaluationHook hook) {
        return ObjectiveFunctions.withHook(this, Objects.requireNonNull(hook, "hook"));
    }
}
