package org.chemfit;

/**
 * An objective that evaluates another one unchanged (under a name, with a hook, on a thread pool
 * or a cluster) and fills the evaluation context exactly as that one would. Whatever is read from
 * an evaluated context, such as {@link Residuals residuals}, is read through the wrapper.
 *
 * <pre>{@code
 * ObjectiveFunction inner = wrapper instanceof ObjectiveWrapper w ? w.wrapped() : wrapper;
 * }</pre>
 *
 * @implNote Implementations are as thread-safe as the objective they wrap.
 */
public interface ObjectiveWrapper {

    /** @return the objective evaluated by this one */
    ObjectiveFunction wrapped();
}
