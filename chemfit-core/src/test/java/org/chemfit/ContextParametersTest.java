package org.chemfit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.schedule.AsyncWrapperCOB;
import org.junit.jupiter.api.Test;

/** Serial and concurrent evaluation refuse a context that holds other parameters alike. */
class ContextParametersTest {

    private static final Parameters X1 = Parameters.of(Map.of("x", 1.0));
    private static final Parameters X5 = Parameters.of(Map.of("x", 5.0));
    private static final String MESSAGE =
            "the context holds other parameters than those to evaluate: {x=5.0} vs {x=1.0}";

    @Test
    void serialEvaluationRefusesAContextForOtherParametersWithoutRunningATerm() {
        AtomicInteger calls = new AtomicInteger();
        ObjectiveFunction counted = p -> {
            calls.incrementAndGet();
            return p.get("x");
        };
        var c = new CombinedObjectiveFunction(List.of(counted, p -> 2.0));
        EvaluationContext ctx = new EvaluationContext(X5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.evaluate(X1, ctx));
        assertEquals(MESSAGE, e.getMessage());
        assertEquals(0, calls.get());
        assertTrue(ctx.children().isEmpty(), "nothing was recorded: " + ctx);
        try (var w = new AsyncWrapperCOB(c)) {
            IllegalArgumentException a =
                    assertThrows(IllegalArgumentException.class, () -> w.evaluate(X1, new EvaluationContext(X5)));
            assertEquals(MESSAGE, a.getMessage());
        }
    }

    @Test
    void equalParametersInAnotherObjectAreTheSameParameters() {
        var inner = new CombinedObjectiveFunction(List.of(p -> p.get("x"), p -> 1.0)).named("inner");
        var c = new CombinedObjectiveFunction(List.<ObjectiveFunction>of(inner, p -> 2.0));
        EvaluationContext ctx = new EvaluationContext(Parameters.of(Map.of("x", 1.0)));
        assertEquals(4.0, c.evaluate(X1, ctx), 0.0);
        assertEquals(2.0, ctx.child(0).value(), 0.0);
        assertEquals(X1, ctx.parameters());
    }
}
