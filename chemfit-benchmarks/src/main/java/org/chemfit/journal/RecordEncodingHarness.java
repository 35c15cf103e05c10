package org.chemfit.journal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.atoms.AtomisticTerms;
import org.chemfit.atoms.PairPotential;
import org.chemfit.fit.Fitter;

/**
 * What writing one evaluation's record ({@link EvaluationPack}) costs the fit's thread, alone:
 * the tree of one finished evaluation of the argon example (46 in-process dimer terms) is written
 * again and again into the same buffer by one thread, as a fit writes one record after another,
 * with every leaf a term of the record. Prints the median time per record over the rounds after
 * the warm-up, and its size.
 *
 * <p>It lives in the journal's package, which the benchmarks reach on the class path, because the
 * record's writer is not part of the API.
 *
 * <pre>
 * java -cp chemfit-benchmarks/target/benchmarks.jar org.chemfit.journal.RecordEncodingHarness \
 *     examples/argon/data/ar2-energies.csv 200000 15
 * </pre>
 */
public final class RecordEncodingHarness {

    private RecordEncodingHarness() {}

    /**
     * @param args the argon reference CSV, the records per round and the timed rounds (five more
     *     warm the JVM up)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path csv = Path.of(args.length > 0 ? args[0] : "examples/argon/data/ar2-energies.csv");
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        PairPotential lj = PairPotential.builder()
                .lennardJones("Ar", "Ar", "lj.epsilon", "lj.sigma")
                .build();
        CombinedObjectiveFunction ob = AtomisticTerms.fromCsv(csv, lj).combined();
        EvaluationContext[] last = new EvaluationContext[1];
        new Fitter(ob, Map.of("lj.epsilon", 100.0, "lj.sigma", 3.2))
                .maxEvaluations(5)
                .listener((number, ctx, loss) -> last[0] = ctx)
                .fit("CMA-ES");
        EvaluationContext root = java.util.Objects.requireNonNull(last[0], "an evaluation");
        String key = JsonCodec.parameterKey(root.parameters());
        EvaluationPack.LeafOf term = new EvaluationPack.LeafOf(
                EvaluationPack.Leaf.TERM, false, null, Thread.currentThread().getName());
        ByteBuffer b = ByteBuffer.allocate(16384);
        double[] perRecord = new double[rounds];
        long bytes = 0;
        for (int r = -5; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < perRound; i++) {
                b.clear();
                b = EvaluationPack.encodeInto(b, root, 0, key, c -> term, 0).buffer();
                bytes += b.position();
            }
            long t = System.nanoTime() - t0;
            if (r >= 0) {
                perRecord[r] = t / 1e3 / perRound;
            }
        }
        double[] sorted = perRecord.clone();
        Arrays.sort(sorted);
        System.out.printf(
                "argon evaluation record, %d terms, %d bytes: median %.3f us per record (%.3f to %.3f) over %d"
                        + " rounds of %d records (%d bytes written in all, counted so that no write is left out)%n",
                root.children().size(),
                b.position(),
                sorted[sorted.length / 2],
                sorted[0],
                sorted[sorted.length - 1],
                rounds,
                perRound,
                bytes);
    }
}
