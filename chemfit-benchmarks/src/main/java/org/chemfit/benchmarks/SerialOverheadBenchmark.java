package org.chemfit.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The serial overhead of a {@link CombinedObjectiveFunction} per term: 64 trivial terms evaluated
 * on the calling thread, reported per term (the cost of contexts, timing and the reduction, not
 * of the terms). ChemFit (Python) spends about 0.34 us per term here.
 *
 * <pre>{@code
 * java -jar chemfit-benchmarks/target/benchmarks.jar SerialOverheadBenchmark -f 1 -wi 3 -i 5
 * }</pre>
 *
 * @implNote JMH state, one per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SerialOverheadBenchmark {

    static final int TERMS = 64;

    private CombinedObjectiveFunction combined;
    private Parameters params;

    /** Builds the objective. */
    @Setup
    public void setUp() {
        combined = new CombinedObjectiveFunction(trivialTerms(TERMS));
        params = Parameters.of(Map.of("x", 1.5));
    }

    static List<ObjectiveFunction> trivialTerms(int n) {
        List<ObjectiveFunction> terms = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            double w = k + 1;
            terms.add(p -> p.get("x") * w);
        }
        return terms;
    }

    /** @return the loss of one evaluation with its breakdown; JMH divides the time by 64 terms */
    @Benchmark
    @OperationsPerInvocation(TERMS)
    public double combinedEvaluatePerTerm() {
        return combined.evaluate(params, new EvaluationContext(params, "b"));
    }
}
