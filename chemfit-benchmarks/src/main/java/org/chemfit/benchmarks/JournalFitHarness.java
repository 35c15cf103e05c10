package org.chemfit.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.atoms.AtomisticTerms;
import org.chemfit.atoms.PairPotential;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.Journal;
import org.chemfit.journal.JournalMode;

/**
 * The argon example's fit (46 in-process dimer terms, Nelder-Mead, 400 evaluations at most),
 * timed with and without a journal in one JVM, alternating, so that the ratio is measured side by
 * side: the journal on the given folders (an ext4 folder and a tmpfs one, say). Prints the median
 * over the repeats of the time per evaluation and the ratio to the fit without a journal.
 *
 * <pre>
 * java -cp chemfit-benchmarks/target/benchmarks.jar org.chemfit.benchmarks.JournalFitHarness \
 *     examples/argon/data/ar2-energies.csv 15 /var/tmp/jfh /dev/shm/jfh
 * </pre>
 */
public final class JournalFitHarness {

    private JournalFitHarness() {
    }

    /**
     * @param args the argon reference CSV, the number of repeats, then one or more folders for
     *     journals
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path csv = Path.of(args.length > 0 ? args[0] : "examples/argon/data/ar2-energies.csv");
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        List<Path> dirs = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            dirs.add(Path.of(args[i]));
        }
        if (dirs.isEmpty()) {
            dirs.add(Path.of("target/journal-fit-benchmark"));
        }
        PairPotential lj = PairPotential.builder().lennardJones("Ar", "Ar", "lj.epsilon", "lj.sigma").build();
        CombinedObjectiveFunction ob = AtomisticTerms.fromCsv(csv, lj).combined();
        Map<String, Double> start = Map.of("lj.epsilon", 100.0, "lj.sigma", 3.2);

        List<String> names = new ArrayList<>(List.of("no journal"));
        dirs.forEach(d -> names.add("journal in " + d));
        double[][] perEvaluation = new double[names.size()][repeats];
        int evaluations = 0;
        for (int warm = 0; warm < 3; warm++) {
            fit(ob, start, null, 0);
        }
        for (int r = 0; r < repeats; r++) {
            for (int k = 0; k < names.size(); k++) {
                Path dir = k == 0 ? null : dirs.get(k - 1);
                long t0 = System.nanoTime();
                FitResult result = fit(ob, start, dir, r);
                long t = System.nanoTime() - t0;
                evaluations = result.evaluations();
                perEvaluation[k][r] = t / 1e6 / result.evaluations();
            }
        }
        System.out.printf("argon fit, %d terms, %d evaluations, median of %d repeats per evaluation:%n", ob.size(),
                evaluations, repeats);
        double base = median(perEvaluation[0]);
        for (int k = 0; k < names.size(); k++) {
            double m = median(perEvaluation[k]);
            System.out.printf("  %-40s %8.4f ms   ratio %.2f%n", names.get(k), m, m / base);
        }
    }

    private static FitResult fit(CombinedObjectiveFunction ob, Map<String, Double> start, Path dir, int r)
            throws Exception {
        Fitter f = new Fitter(ob, start).maxEvaluations(400);
        if (dir == null) {
            return f.fit("Nelder-Mead");
        }
        Path folder = dir.resolve("r" + r);
        deleteTree(folder);
        Files.createDirectories(folder);
        try (Journal j = Journal.open(folder.resolve("journal.sqlite"))) {
            FitResult result = f.journal(j, JournalMode.restart()).jobSettings(Map.of("repeat", r)).fit("Nelder-Mead");
            return result;
        } finally {
            deleteTree(folder);
        }
    }

    private static void deleteTree(Path p) throws Exception {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
