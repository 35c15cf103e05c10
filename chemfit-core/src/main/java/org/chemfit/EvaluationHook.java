package org.chemfit;

/**
 * Code that runs before and after each evaluation of an objective (ChemFit's pre- and
 * post-evaluation hooks). Built-in hooks are in {@link EvaluationHooks}.
 *
 * <pre>{@code
 * ObjectiveFunction timed = term.withHook(EvaluationHooks.timing());
 * }</pre>
 *
 * <p>An exception thrown by a hook fails the evaluation, as if the term had thrown it; one thrown
 * by {@link #failed} is added to the term's exception as suppressed.
 *
 * @implNote Hooks are called from whichever thread evaluates the term, possibly many at once;
 *     keep per-call state in the context.
 */
public interface EvaluationHook {

    /**
     * Runs before the term.
     *
     * @param params the parameters
     * @param ctx the term's context
     */
    default void before(Parameters params, EvaluationContext ctx) {}

    /**
     * Runs after the term returned (not when it threw).
     *
     * @param params the parameters
     * @param ctx the term's context
     * @param loss the loss it returned
     */
    default void after(Parameters params, EvaluationContext ctx, double loss) {}

    /**
     * Runs after the term threw, before the exception goes on to the caller (the combined
     * objective's failure policy). By default it does nothing.
     *
     * @param params the parameters
     * @param ctx the term's context
     * @param failure what the term threw
     */
    default void failed(Parameters params, EvaluationContext ctx, RuntimeException failure) {}
}
