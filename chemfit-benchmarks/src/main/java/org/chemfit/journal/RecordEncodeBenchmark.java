package org.chemfit.journal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.atoms.AtomisticTerms;
import org.chemfit.atoms.PairPotential;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What writing an evaluation's journal record costs by itself, beside the evaluation it records:
 * the argon example's 46 dimer terms evaluated once ({@code evaluate}), and the record of such an
 * evaluation written into a buffer ({@code encodeRecord}: the tree and every term's quantities, as
 * the fit's thread writes them before the record goes into the pending file), in one JVM, one
 * thread, nothing else running in it. In this package because the record's writer is not public.
 *
 * <pre>{@code
 * java -jar chemfit-benchmarks/target/benchmarks.jar RecordEncodeBenchmark -f 1 -wi 3 -i 5 -w 2s -r 2s
 * }</pre>
 *
 * @implNote JMH state, one per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RecordEncodeBenchmark {

    /** The argon reference CSV, from the folder the benchmark runs in. */
    @Param("examples/argon/data/ar2-energies.csv")
    public String csv = "examples/argon/data/ar2-energies.csv";

    private CombinedObjectiveFunction objective;
    private Parameters params;
    private EvaluationContext evaluated;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    private final EvaluationPack.LeafOf term = new EvaluationPack.LeafOf(EvaluationPack.Leaf.TERM, false, null, "main");

    /** Builds the objective and evaluates it once, for the record's tree. */
    @Setup
    public void setUp() {
        PairPotential lj = PairPotential.builder()
                .lennardJones("Ar", "Ar", "lj.epsilon", "lj.sigma")
                .build();
        objective = AtomisticTerms.fromCsv(Path.of(csv), lj).combined();
        params = Parameters.of(Map.of("lj.epsilon", 120.0, "lj.sigma", 3.4));
        evaluated = new EvaluationContext(params, "e");
        objective.evaluate(params, evaluated);
    }

    /** @return the loss of one evaluation of the 46 terms, with its tree of contexts */
    @Benchmark
    public double evaluate() {
        return objective.evaluate(params, new EvaluationContext(params, "e"));
    }

    /** @return the length of the record of one evaluation (about 5 KB) */
    @Benchmark
    public int encodeRecord() {
        buffer.clear();
        return EvaluationPack.encodeInto(buffer, evaluated, 0, "k", c -> term, 1L)
                .buffer()
                .position();
    }
}
