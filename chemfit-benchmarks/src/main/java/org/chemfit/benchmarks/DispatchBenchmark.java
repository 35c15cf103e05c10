package org.chemfit.benchmarks;

import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.internal.DispatchScheduler;
import org.chemfit.internal.TaskRunner;
import org.chemfit.schedule.AsyncWrapperCOB;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The dispatch cost of {@link AsyncWrapperCOB} per term: 256 trivial terms on 64 workers (its
 * default pool, capped at 64, and a caller's fixed pool of 64), one blocking evaluation per invocation, reported per term (hand-off to a worker,
 * wake-ups, completion and the reduction in term order). ChemFit (Python, asyncio plus a
 * {@code ThreadPoolExecutor}) spends about 63 us per term here. The {@code tried} methods time,
 * the same way, hand-off designs that were tried for the wrapper's own pool (see
 * {@link SleepRatioHarness}) and not kept, so that their cost for cheap terms stays on record.
 *
 * <pre>{@code
 * java -jar chemfit-benchmarks/target/benchmarks.jar DispatchBenchmark -f 1 -wi 3 -i 5
 * }</pre>
 *
 * @implNote JMH state shared by the benchmark threads; the wrapper is thread-safe.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DispatchBenchmark {

    static final int TERMS = 256;
    static final int WORKERS = 64;

    private AsyncWrapperCOB wrapper;
    private ExecutorService callersPool;
    private AsyncWrapperCOB onCallersPool;
    private Parameters params;
    private CombinedObjectiveFunction combined;
    private ThreadPoolExecutor transferPool;
    private ThreadPoolExecutor halvingPool;
    private DispatchScheduler onTransferPool;
    private DispatchScheduler halving;
    private ThreadPoolExecutor halvingTransferPool;
    private DispatchScheduler halvingTransfer;
    private ThreadPoolExecutor drainerPool;
    private DispatchScheduler drainers;

    /** Creates the wrapper and its pool (64 threads: the default cap). */
    @Setup(Level.Trial)
    public void setUp() {
        CombinedObjectiveFunction c = new CombinedObjectiveFunction(SerialOverheadBenchmark.trivialTerms(TERMS));
        wrapper = new AsyncWrapperCOB(c);
        callersPool = Executors.newFixedThreadPool(WORKERS);
        onCallersPool = new AsyncWrapperCOB(c, callersPool);
        params = Parameters.of(Map.of("x", 1.5));
        combined = c;
        transferPool = SleepRatioHarness.pool(WORKERS, new LinkedTransferQueue<>(), new ArrayList<>());
        halvingPool = SleepRatioHarness.pool(WORKERS, new LinkedBlockingQueue<>(), new ArrayList<>());
        onTransferPool = new DispatchScheduler(TaskRunner.of(transferPool), true);
        halving = new DispatchScheduler(new SleepRatioHarness.Halving(halvingPool), true);
        halvingTransferPool = SleepRatioHarness.pool(WORKERS, new LinkedTransferQueue<>(), new ArrayList<>());
        halvingTransfer = new DispatchScheduler(new SleepRatioHarness.Halving(halvingTransferPool), true);
        drainerPool = SleepRatioHarness.pool(WORKERS, new LinkedTransferQueue<>(), new ArrayList<>());
        drainers = new DispatchScheduler(new SleepRatioHarness.Drainers(drainerPool), true);
    }

    /** Shuts the pool down. */
    @TearDown(Level.Trial)
    public void tearDown() {
        wrapper.close();
        onCallersPool.close();
        callersPool.shutdown();
        transferPool.shutdown();
        halvingPool.shutdown();
        halvingTransferPool.shutdown();
        drainerPool.shutdown();
    }

    /**
     * The wrapper's own pool: the blocked caller also runs terms no worker has started yet, so
     * with terms this cheap it runs many of them itself.
     *
     * @return the loss; JMH divides the time by 256 terms
     */
    @Benchmark
    @OperationsPerInvocation(TERMS)
    public double asyncWrapperPerTerm() {
        return wrapper.evaluate(params, new EvaluationContext(params, "b"));
    }

    /**
     * A caller's fixed pool of 64: every term is handed to a worker, the caller only waits. This
     * is the pure hand-off cost.
     *
     * @return the loss; JMH divides the time by 256 terms
     */
    @Benchmark
    @OperationsPerInvocation(TERMS)
    public double asyncWrapperOnCallersPoolPerTerm() {
        return onCallersPool.evaluate(params, new EvaluationContext(params, "b"));
    }

    /**
     * Tried for the 8 x 10 ms ratio and not kept: a pool like the wrapper's own on a
     * {@code LinkedTransferQueue}, which wakes an idle worker for every task handed over.
     *
     * @return the loss; JMH divides the time by 256 terms
     */
    @Benchmark
    @OperationsPerInvocation(TERMS)
    public double triedTransferQueuePerTerm() {
        return onTransferPool.evaluate(combined, new EvaluationContext(params, "b"));
    }

    /**
     * Tried and not kept: the halving hand-off (each woken worker hands over half of its range)
     * on a pool like the wrapper's own.
     *
     * @return the loss; JMH divides the time by 256 terms
     */
    @Benchmark
    @OperationsPerInvocation(TERMS)
    public double triedHalvingPerTerm() {
        return halving.evaluate(combined, new EvaluationContext(params, "b"));
    }

    /**
     * Tried and not kept: the halving hand-off on a pool like the wrapper's own on a
     * {@code LinkedTransferQueue}.
     *
     * @return the loss; JMH divides the time by 256 terms
     */
    @Benchmark
    @OperationsPerInvocation(TERMS)
    public double triedHalvingTransferQueuePerTerm() {
        return halvingTransfer.evaluate(combined, new EvaluationContext(params, "b"));
    }

    /**
     * Tried and not kept: drainers that claim the tasks by index on a pool like the wrapper's own
     * on a {@code LinkedTransferQueue}, a worker woken only while a task is unclaimed.
     *
     * @return the loss; JMH divides the time by 256 terms
     */
    @Benchmark
    @OperationsPerInvocation(TERMS)
    public double triedDrainersPerTerm() {
        return drainers.evaluate(combined, new EvaluationContext(params, "b"));
    }
}
