package org.chemfit.benchmarks;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
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
 * The dispatch cost of {@link AsyncWrapperCOB} per term: 256 trivial terms on its default pool
 * of 64 workers, one blocking evaluation per invocation, reported per term (hand-off to a worker,
 * wake-ups, completion and the reduction in term order). ChemFit (Python, asyncio plus a
 * {@code ThreadPoolExecutor}) spends about 63 us per term here.
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

    private AsyncWrapperCOB wrapper;
    private Parameters params;

    /** Creates the wrapper and its pool (64 threads: the default cap). */
    @Setup(Level.Trial)
    public void setUp() {
        wrapper = new AsyncWrapperCOB(new CombinedObjectiveFunction(SerialOverheadBenchmark.trivialTerms(TERMS)));
        params = Parameters.of(Map.of("x", 1.5));
    }

    /** Shuts the pool down. */
    @TearDown(Level.Trial)
    public void tearDown() {
        wrapper.close();
    }

    /** @return the loss; JMH divides the time by 256 terms */
    @Benchmark
    @OperationsPerInvocation(TERMS)
    public double asyncWrapperPerTerm() {
        return wrapper.evaluate(params, new EvaluationContext(params, "b"));
    }
}
