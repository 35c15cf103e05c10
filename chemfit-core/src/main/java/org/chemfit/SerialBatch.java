package org.chemfit;

import java.util.List;
import java.util.Objects;

/**
 * Serial evaluation as a {@link BatchObjectiveFunction}: the requests of a batch one after
 * another on the calling thread, a failed request marked failed and the next one evaluated.
 * Made by {@link BatchObjectiveFunction#of(ObjectiveFunction)}.
 *
 * @implNote Thread-safe when the objective is; stateless.
 */
final class SerialBatch extends ObjectiveFunctions.Named implements BatchObjectiveFunction {

    SerialBatch(ObjectiveFunction objective) {
        // evaluates as the objective, under its own name
        super(Objects.requireNonNull(objective, "objective").name(), objective);
    }

    @Override
    public void evaluateMany(List<EvaluationContext> requests) {
        org.chemfit.internal.Terms.requireRequests(requests);
        for (EvaluationContext ctx : requests) {
            if (Thread.currentThread().isInterrupted()) {
                throw new EvaluationCancelledException("batch interrupted");
            }
            try {
                delegate.evaluate(ctx.parameters(), ctx);
            } catch (EvaluationCancelledException e) {
                throw e;
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new EvaluationCancelledException(
                            "batch interrupted during evaluation " + ctx.evaluationId(), e);
                }
                ctx.fail(e);
            }
        }
    }

    @Override
    public String toString() {
        return "serial(" + delegate + ")";
    }
}
