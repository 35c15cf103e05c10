package org.chemfit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Built-in {@link EvaluationHook}s.
 *
 * <pre>{@code
 * ObjectiveFunction term = f.withHook(EvaluationHooks.timing()).withHook(EvaluationHooks.evaluationId());
 * }</pre>
 *
 * @implNote The hooks are thread-safe: {@code timing()} keeps its start time in the evaluation's
 *     context, {@code evaluationId()} counts with an atomic counter of its own.
 */
public final class EvaluationHooks {

    private EvaluationHooks() {}

    /**
     * @return a hook that writes {@code time_taken} (seconds, a double) into the metadata, also
     *     when the term throws
     */
    public static EvaluationHook timing() {
        return new EvaluationHook() {
            @Override
            public void before(Parameters params, EvaluationContext ctx) {
                ctx.put("time_start_ns", System.nanoTime());
            }

            @Override
            public void after(Parameters params, EvaluationContext ctx, double loss) {
                stop(ctx);
            }

            @Override
            public void failed(Parameters params, EvaluationContext ctx, RuntimeException failure) {
                // a failed term's time is worth knowing too (a timeout, a crash after hours); the raw
                // clock reading must not stay behind in its metadata
                stop(ctx);
            }

            private void stop(EvaluationContext ctx) {
                Object start = ctx.metadata().remove("time_start_ns");
                if (start instanceof Long s) {
                    ctx.put("time_taken", (System.nanoTime() - s) / 1e9);
                }
            }
        };
    }

    /**
     * @return a hook that numbers the evaluations of the term it is attached to, 0, 1, 2, ...,
     *     and writes the number as {@code eval_id} into the metadata (the count is shared by every
     *     thread that evaluates this term; evaluated concurrently, the numbers follow the order in
     *     which evaluations start, which may differ from one run to the next)
     */
    public static EvaluationHook evaluationId() {
        AtomicLong counter = new AtomicLong();
        return new EvaluationHook() {
            @Override
            public void before(Parameters params, EvaluationContext ctx) {
                ctx.put("eval_id", counter.getAndIncrement());
            }
        };
    }
}
