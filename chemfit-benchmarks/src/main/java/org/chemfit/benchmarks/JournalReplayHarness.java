package org.chemfit.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.chemfit.Bounds;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.atoms.AtomisticTerms;
import org.chemfit.atoms.PairPotential;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.Journal;
import org.chemfit.journal.JournalMode;

/**
 * What resuming costs against fitting: the argon example's fit (46 in-process dimer terms, CMA-ES,
 * a fixed budget of evaluations) into a new journal, then the same fit again on that journal,
 * which resumes the finished run and replays every evaluation from it instead of computing it.
 * Prints, per repeat and as medians, the time per evaluation of both and their ratio, and checks
 * that the replayed fit reaches the same best loss bit for bit.
 *
 * <pre>
 * java -cp chemfit-benchmarks/target/benchmarks.jar org.chemfit.benchmarks.JournalReplayHarness \
 *     examples/argon/data/ar2-energies.csv 1000 7 /dev/shm/jrh
 * </pre>
 */
public final class JournalReplayHarness {

    private JournalReplayHarness() {}

    /**
     * @param args the argon reference CSV, the evaluations per fit, the repeats, the journal's folder
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path csv = Path.of(args.length > 0 ? args[0] : "examples/argon/data/ar2-energies.csv");
        int evaluations = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        Path dir = Path.of(args.length > 3 ? args[3] : "target/journal-replay-benchmark");
        PairPotential lj = PairPotential.builder()
                .lennardJones("Ar", "Ar", "lj.epsilon", "lj.sigma")
                .build();
        CombinedObjectiveFunction ob = AtomisticTerms.fromCsv(csv, lj).combined();
        double[] fit = new double[repeats];
        double[] replay = new double[repeats];
        for (int r = -2; r < repeats; r++) { // two warm-up rounds
            Harnesses.deleteTree(dir);
            Files.createDirectories(dir);
            long t0 = System.nanoTime();
            FitResult first;
            try (Journal j = Journal.open(dir)) {
                first = fitter(ob, evaluations)
                        .journal(j, JournalMode.restart())
                        .fit("CMA-ES");
            }
            long t1 = System.nanoTime();
            FitResult again;
            try (Journal j = Journal.open(dir)) {
                again = fitter(ob, evaluations)
                        .journal(j, JournalMode.resumeLatest())
                        .fit("CMA-ES");
            }
            long t2 = System.nanoTime();
            if (Double.doubleToRawLongBits(first.bestLoss()) != Double.doubleToRawLongBits(again.bestLoss())) {
                throw new IllegalStateException("the replayed fit reached another result");
            }
            if (r >= 0) {
                fit[r] = (t1 - t0) / 1e6 / first.evaluations();
                replay[r] = (t2 - t1) / 1e6 / again.evaluations();
                System.out.printf(
                        "repeat %d: %d evaluations, fit %.3f ms per evaluation, replay %.3f ms (%.2f x)%n",
                        r, first.evaluations(), fit[r], replay[r], replay[r] / fit[r]);
            }
        }
        Harnesses.deleteTree(dir);
        System.out.printf(
                "median: fit %.3f ms per evaluation, replay %.3f ms (%.2f x)%n",
                Harnesses.median(fit), Harnesses.median(replay), Harnesses.median(replay) / Harnesses.median(fit));
    }

    private static Fitter fitter(CombinedObjectiveFunction ob, int evaluations) {
        return new Fitter(ob, Map.of("lj.epsilon", 100.0, "lj.sigma", 3.2))
                .bounds(Bounds.of(Map.of("lj.epsilon", List.of(50.0, 200.0), "lj.sigma", List.of(3.0, 4.0))))
                .seed(3)
                .maxEvaluations(evaluations);
    }
}
