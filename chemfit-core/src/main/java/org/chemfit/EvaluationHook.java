package org.chemfit;

/**
 * Code that runs before and after each evaluation of an objective (ChemFit's pre- and
 * post-evaluation hooks). Built-in hooks are in {@link EvaluationHooks}.
 *
 * <pre>{@code
 * ObjectiveFunction timed = term.withHook(EvaluationHooks.timing());
 * }</pre>
 *
 * <p>An exception thrown by a hook fails the evaluation, as if the term had thrown it.
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
    default void before(Parameters params, EvaluationContext ctx) {
    }

    /**
     * Runs after the term returned (not when it threw).
     *
     * @param params the parameters
     * @param ctx the term's context
     * @param loss the loss it returned
     */
    default void after(Parameters params, EvaluationContext ctx, double loss) {
    }
}
