package org.chemfit.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.atoms.AtomisticTerms;
import org.chemfit.atoms.PairPotential;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.JournalMode;
import org.chemfit.journal.read.JournalReader;

/**
 * The argon example's fit (46 in-process dimer terms, Nelder-Mead, 400 evaluations at most),
 * timed with and without a journal in one JVM, alternating, so that the ratio is measured side by
 * side: the journal on the given folders (an ext4 folder and a tmpfs one, say). Prints the median
 * over the repeats of the wall time per evaluation and its best (the repeat least disturbed by
 * other jobs), the median CPU time of the fit's thread per evaluation, the mean process CPU time per evaluation (less
 * distorted by other jobs on the machine than the wall time), the ratio to the fit without a journal, the bytes the
 * process passed to write calls per evaluation (Linux: {@code wchar} of /proc/self/io: the
 * journal's database and write-ahead log) and the size of the journal file at the end. Add
 * {@code -Dorg.slf4j.simpleLogger.log.org.chemfit.journal=debug} to see the commits of each run.
 *
 * <pre>
 * java -cp chemfit-benchmarks/target/benchmarks.jar org.chemfit.benchmarks.JournalFitHarness \
 *     examples/argon/data/ar2-energies.csv 15 /var/tmp/jfh /dev/shm/jfh
 * </pre>
 */
public final class JournalFitHarness {

    private JournalFitHarness() {}

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
        PairPotential lj = PairPotential.builder()
                .lennardJones("Ar", "Ar", "lj.epsilon", "lj.sigma")
                .build();
        CombinedObjectiveFunction ob = AtomisticTerms.fromCsv(csv, lj).combined();
        Map<String, Double> start = Map.of("lj.epsilon", 100.0, "lj.sigma", 3.2);

        List<String> names = new ArrayList<>(List.of("no journal"));
        dirs.forEach(d -> names.add("journal in " + d));
        double[][] perEvaluation = new double[names.size()][repeats];
        double[][] written = new double[names.size()][repeats];
        double[][] cpu = new double[names.size()][repeats];
        double[][] threadCpu = new double[names.size()][repeats];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        int evaluations = 0;
        for (int warm = 0; warm < 3; warm++) {
            for (int k = 0; k < names.size(); k++) {
                fit(ob, start, k == 0 ? null : dirs.get(k - 1), 0, k);
            }
        }
        for (int r = 0; r < repeats; r++) {
            for (int k = 0; k < names.size(); k++) {
                Path dir = k == 0 ? null : dirs.get(k - 1);
                long w0 = bytesWritten();
                long c0 = cpuNanos();
                long tc0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                FitResult result = fit(ob, start, dir, r, k);
                long t = System.nanoTime() - t0;
                threadCpu[k][r] = (threads.getCurrentThreadCpuTime() - tc0) / 1e6 / result.evaluations();
                cpu[k][r] = (cpuNanos() - c0) / 1e6 / result.evaluations();
                evaluations = result.evaluations();
                perEvaluation[k][r] = t / 1e6 / result.evaluations();
                written[k][r] = (bytesWritten() - w0) / 1024.0 / result.evaluations();
            }
        }
        System.out.printf(
                "argon fit, %d terms, %d evaluations, median of %d repeats per evaluation:%n",
                ob.size(), evaluations, repeats);
        double base = Harnesses.median(perEvaluation[0]);
        double minBase = min(perEvaluation[0]);
        double threadBase = Harnesses.median(threadCpu[0]);
        double cpuBase = Arrays.stream(cpu[0]).average().orElse(Double.NaN);
        for (int k = 0; k < names.size(); k++) {
            double m = Harnesses.median(perEvaluation[k]);
            // the mean: the process CPU clock ticks in 10 ms steps, too coarse for the median of one fit
            double c = Arrays.stream(cpu[k]).average().orElse(Double.NaN);
            System.out.printf(
                    "  %-36s wall %8.4f ms ratio %5.2f | process CPU %8.4f ms ratio %5.2f | %6.1f KB written,"
                            + " file %5.1f KB%n",
                    names.get(k),
                    m,
                    m / base,
                    c,
                    c / cpuBase,
                    Harnesses.median(written[k]),
                    k == 0 ? 0.0 : fileKb[k] / evaluations);
            // the fastest repeat is the least disturbed by other jobs; the fit thread's CPU time
            // (optimizer, terms, and the commits it makes itself) is not stretched by waiting for a core
            System.out.printf(
                    "  %-36s best wall %8.4f ms ratio %5.2f | fit thread CPU %8.4f ms ratio %5.2f%n",
                    "",
                    min(perEvaluation[k]),
                    min(perEvaluation[k]) / minBase,
                    Harnesses.median(threadCpu[k]),
                    Harnesses.median(threadCpu[k]) / threadBase);
        }
    }

    /** The size of the last journal of each folder, at the end of its fit. */
    private static double[] fileKb = new double[16];

    /** @return the CPU time of the whole process (every thread: the journal's writer, JIT, GC) */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** @return the bytes this process has passed to write calls so far (Linux), or 0 */
    private static long bytesWritten() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("wchar:")) {
                    return Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: no figure
        }
        return 0;
    }

    private static FitResult fit(CombinedObjectiveFunction ob, Map<String, Double> start, Path dir, int r, int k)
            throws Exception {
        Fitter f = new Fitter(ob, start).maxEvaluations(400);
        if (dir == null) {
            return f.fit("Nelder-Mead");
        }
        Path folder = dir.resolve("r" + r);
        Harnesses.deleteTree(folder);
        Files.createDirectories(folder);
        try {
            FitResult result;
            try (JournalReader j = JournalReader.open(folder.resolve("journal.sqlite"))) {
                result = f.journal(j, JournalMode.restart())
                        .jobSettings(Map.of("repeat", r))
                        .fit("Nelder-Mead");
            }
            // measured once the journal is closed (its write-ahead log checkpointed into the file)
            fileKb[k] = Files.size(folder.resolve("journal.sqlite")) / 1024.0;
            return result;
        } finally {
            Harnesses.deleteTree(folder);
        }
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }
}
