package org.chemfit;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Factories and decorators for {@link ObjectiveFunction}.
 *
 * <pre>{@code
 * ObjectiveFunction energy = ObjectiveFunctions.named("energy", p -> ...);
 * }</pre>
 *
 * @implNote Stateless; the decorators it returns are immutable and as thread-safe as the term and
 *     hook they wrap.
 */
public final class ObjectiveFunctions {

    private ObjectiveFunctions() {}

    /**
     * @param name a short name for reports
     * @param f the term
     * @return the term under that name
     * @throws NullPointerException when the name or the term is null
     * @throws IllegalArgumentException when the name is blank
     */
    public static ObjectiveFunction named(String name, ObjectiveFunction f) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(f, "f");
        org.chemfit.support.Names.requireTermName(name);
        ObjectiveFunction inner = f instanceof Named n ? n.delegate : f;
        return new Named(name, inner);
    }

    /**
     * @param f the term
     * @param hook the hook
     * @return the term with the hook around every evaluation
     * @throws NullPointerException when the term or the hook is null
     */
    public static ObjectiveFunction withHook(ObjectiveFunction f, EvaluationHook hook) {
        return new Hooked(Objects.requireNonNull(f, "f"), Objects.requireNonNull(hook, "hook"));
    }

    /** A term under a name. */
    static class Named implements ObjectiveFunction, ObjectiveWrapper {
        final @Nullable String name;
        final ObjectiveFunction delegate;

        Named(@Nullable String name, ObjectiveFunction delegate) {
            this.name = name;
            this.delegate = delegate;
        }

        @Override
        public double evaluate(Parameters params) {
            return delegate.evaluate(params);
        }

        @Override
        public double evaluate(Parameters params, EvaluationContext ctx) {
            return delegate.evaluate(params, ctx);
        }

        @Override
        public @Nullable String name() {
            return name;
        }

        @Override
        public ObjectiveFunction wrapped() {
            return delegate;
        }

        @Override
        public String toString() {
            return String.valueOf(name);
        }
    }

    /** A term with a hook. */
    static final class Hooked implements ObjectiveFunction, ObjectiveWrapper {
        final ObjectiveFunction delegate;
        final EvaluationHook hook;

        Hooked(ObjectiveFunction delegate, EvaluationHook hook) {
            this.delegate = delegate;
            this.hook = hook;
        }

        @Override
        public double evaluate(Parameters params) {
            return evaluate(params, new EvaluationContext(params));
        }

        @Override
        public double evaluate(Parameters params, EvaluationContext ctx) {
            hook.before(params, ctx);
            double v;
            try {
                v = delegate.evaluate(params, ctx);
            } catch (RuntimeException e) {
                try {
                    hook.failed(params, ctx, e);
                } catch (RuntimeException h) {
                    e.addSuppressed(h);
                }
                throw e;
            }
            hook.after(params, ctx, v);
            return v;
        }

        @Override
        public @Nullable String name() {
            return delegate.name();
        }

        @Override
        public ObjectiveFunction wrapped() {
            return delegate;
        }
    }
}
