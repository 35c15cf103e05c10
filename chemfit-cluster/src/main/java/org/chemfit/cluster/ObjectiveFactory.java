package org.chemfit.cluster;

import java.util.Map;
import org.chemfit.CombinedObjectiveFunction;

/**
 * Builds the objective of a job, the same on the driver and on every worker: what
 * {@link WorkerMain} calls (by class name) to get the terms it runs. The implementing class needs
 * a public no-argument constructor.
 *
 * <pre>{@code
 * public final class MyFit implements ObjectiveFactory {
 *     public CombinedObjectiveFunction create(Map<String, String> options) {
 *         return new CombinedObjectiveFunction(List.of(new DimerTerm(options.get("data")), new BulkTerm()));
 *     }
 * }
 * }</pre>
 *
 * @implNote Called once per process, on the main thread.
 */
@FunctionalInterface
public interface ObjectiveFactory {

    /**
     * @param options the {@code --option KEY=VALUE} pairs given to the worker (the same as the driver's)
     * @return the objective; its term tree must be the driver's (null is refused: the worker
     *     exits naming this class)
     * @throws RuntimeException when the job cannot be built: the worker exits with the message
     */
    CombinedObjectiveFunction create(Map<String, String> options);
}
