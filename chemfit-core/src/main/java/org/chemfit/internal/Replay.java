package org.chemfit.internal;

import org.chemfit.EvaluationContext;
import org.chemfit.TermRecorder;
import org.jspecify.annotations.Nullable;

/**
 * Replays a leaf term from its recorder (the journal) instead of running it: the one place where
 * serial evaluation and every scheduler look a finished leaf up.
 *
 * <pre>{@code
 * if (Replay.fromRecorder(ctx.recorder(), ctx)) {
 *     return;   // the context now holds the recorded result, status REPLAYED
 * }
 * }</pre>
 *
 * @implNote Stateless; thread-safe when the recorder is.
 */
final class Replay {

    private Replay() {}

    /**
     * @param recorder the recorder of the evaluation, or null for none
     * @param ctx the leaf's context
     * @return whether the recorder held the leaf's result and the context now holds it
     */
    static boolean fromRecorder(@Nullable TermRecorder recorder, EvaluationContext ctx) {
        if (recorder == null) {
            return false;
        }
        TermRecorder.Recorded r = recorder.lookup(ctx);
        if (r == null) {
            return false;
        }
        ctx.replay(r.quantities(), r.metadata(), r.value());
        return true;
    }
}
