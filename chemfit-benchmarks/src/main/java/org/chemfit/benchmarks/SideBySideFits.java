package org.chemfit.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.chemfit.Bounds;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.atoms.AtomisticTerms;
import org.chemfit.atoms.PairPotential;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.Journal;
import org.chemfit.journal.JournalMode;

/**
 * The fits that {@link BuildsSideBySideHarness} times, loaded once per build: it names only the
 * JDK and the library's public API, so that each build's class loader links it to its own copy of
 * the library.
 *
 * @implNote Not thread-safe: one harness thread calls it.
 */
public final class SideBySideFits {

    private final CombinedObjectiveFunction objective;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    /**
     * @param csv the argon reference energies
     * @throws java.io.IOException when the file cannot be read
     */
    public SideBySideFits(String csv) throws java.io.IOException {
        PairPotential lj = PairPotential.builder()
                .lennardJones("Ar", "Ar", "lj.epsilon", "lj.sigma")
                .build();
        objective = AtomisticTerms.fromCsv(Path.of(csv), lj).combined();
    }

    /**
     * Runs the argon CMA-ES fit with a short and a long budget.
     *
     * @param shortFit the short budget of evaluations
     * @param longFit the long budget
     * @param folder a folder for a fresh journal (removed before and after each fit), or null for
     *     none; with {@code -Dchemfit.bench.improving=true} the journal keeps the terms of improving
     *     evaluations only
     * @return the wall time and the calling thread's CPU time per evaluation, in nanoseconds: the
     *     difference of the two fits over the difference of their evaluations
     * @throws Exception when a fit or the folder fails
     */
    public double[] perEvaluation(int shortFit, int longFit, String folder) throws Exception {
        long[] wall = new long[2];
        long[] cpu = new long[2];
        int[] n = new int[2];
        for (int s = 0; s < 2; s++) {
            Path dir = folder == null ? null : Path.of(folder);
            if (dir != null) {
                deleteTree(dir);
                Files.createDirectories(dir);
            }
            Fitter f = new Fitter(objective, Map.of("lj.epsilon", 100.0, "lj.sigma", 3.2))
                    .bounds(Bounds.of(Map.of("lj.epsilon", List.of(50.0, 200.0), "lj.sigma", List.of(3.0, 4.0))))
                    .seed(3)
                    .maxEvaluations(s == 0 ? shortFit : longFit);
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            if (dir == null) {
                n[s] = f.fit("CMA-ES").evaluations();
            } else {
                try (Journal j = Journal.open(dir)) {
                    if (Boolean.getBoolean("chemfit.bench.improving")) { // journal_terms: improving
                        j.termsOfImprovingEvaluationsOnly();
                    }
                    n[s] = f.journal(j, JournalMode.restart()).fit("CMA-ES").evaluations();
                }
            }
            wall[s] = System.nanoTime() - t0;
            cpu[s] = threads.getCurrentThreadCpuTime() - c0;
            if (dir != null) {
                deleteTree(dir);
            }
        }
        return new double[] {(double) (wall[1] - wall[0]) / (n[1] - n[0]), (double) (cpu[1] - cpu[0]) / (n[1] - n[0])};
    }

    // not Harnesses.deleteTree: this class names nothing but the JDK and the library's API, so
    // that any build's jar can hold it (see the class comment)
    private static void deleteTree(Path p) throws java.io.IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
