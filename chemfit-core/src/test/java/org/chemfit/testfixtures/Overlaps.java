package org.chemfit.testfixtures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.chemfit.EvaluationContext;

/** What proves that an evaluation's terms ran at once: their recorded intervals and threads. */
public final class Overlaps {

    private Overlaps() {}

    /**
     * Asserts that every child of an evaluation finished OK, that each started before any ended
     * (the latest start before the earliest end), and that they ran on as many threads as there are.
     *
     * @param ctx the evaluation
     * @param terms how many children it has, each on a thread of its own
     */
    public static void assertOverlap(EvaluationContext ctx, int terms) {
        long latestStart = Long.MIN_VALUE;
        long earliestEnd = Long.MAX_VALUE;
        Set<String> threads = new HashSet<>();
        for (EvaluationContext c : ctx.children()) {
            assertEquals(EvaluationContext.Status.OK, c.status(), c.name());
            latestStart = Math.max(latestStart, c.startEpochNanos());
            earliestEnd = Math.min(earliestEnd, c.endEpochNanos());
            threads.add(c.threadName());
        }
        assertTrue(
                latestStart < earliestEnd,
                "every term started (last at " + latestStart + ") before any ended (first at " + earliestEnd + ")");
        assertEquals(terms, threads.size(), "one thread per term: " + threads);
    }
}
