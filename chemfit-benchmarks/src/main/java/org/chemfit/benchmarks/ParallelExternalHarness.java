package org.chemfit.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.LossFunctions;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.external.FileBasedQuantityComputer;
import org.chemfit.external.OutputParsers;
import org.chemfit.schedule.AsyncWrapperCOB;

/**
 * Measures four external terms that each run {@code sleep 0.5} evaluated at once on four workers
 * against one bare run of {@code sleep 0.5} from Java, in turns in the same run. The span of the
 * four terms is the whole {@code evaluate} call (render, create four run directories, spawn four
 * programs, wait, parse, delete), so it bounds from above the span from the first run directory's
 * creation to the last output; the reference is the longest of four bare runs started one after
 * the other in the same round. Also times one such term alone. Prints medians and ratios.
 *
 * <pre>{@code
 * java -cp chemfit-benchmarks/target/benchmarks.jar org.chemfit.benchmarks.ParallelExternalHarness 15
 * }</pre>
 *
 * <p>The first evaluation in the JVM (class loading, the template engine's set-up, the first
 * spawn) is reported apart, since a fit through the command line pays it once.
 *
 * @implNote A harness, not a library class; single-threaded driver.
 */
public final class ParallelExternalHarness {

    private static final int TERMS = 4;

    private ParallelExternalHarness() {}

    /**
     * @param args optionally the number of measured rounds (default 15) and the work directory's parent (default the
     *     temporary directory)
     * @throws Exception when a measurement fails
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        Path parent = args.length > 1 ? Path.of(args[1]) : Path.of(System.getProperty("java.io.tmpdir"));
        Path root = Files.createTempDirectory(Files.createDirectories(parent), "chemfit-parallel");
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int k = 0; k < TERMS; k++) {
            terms.add(FileBasedQuantityComputer.builder()
                    .name("sleep" + k)
                    .workDirectory(root)
                    .templateText("out.txt", "energy = {{ x }}\n")
                    .command("sleep", "0.5")
                    .output(OutputParsers.regex("energy", "out.txt", "energy = (\\S+)"))
                    .build()
                    .withLoss(LossFunctions.squaredError(Map.of("energy", 0.0))));
        }
        CombinedObjectiveFunction four = new CombinedObjectiveFunction(terms);
        CombinedObjectiveFunction one = new CombinedObjectiveFunction(terms.subList(0, 1));
        Parameters p = Parameters.of(Map.of("x", 1.0));
        ExecutorService pool = Executors.newFixedThreadPool(TERMS);
        double[] bare = new double[rounds];
        double[] alone = new double[rounds];
        double[] given = new double[rounds];
        double[] own = new double[rounds];
        double first;
        try (AsyncWrapperCOB onPool = new AsyncWrapperCOB(four, pool);
                AsyncWrapperCOB ownPool = new AsyncWrapperCOB(four)) {
            long t0 = System.nanoTime();
            check(onPool.evaluate(p));
            first = (System.nanoTime() - t0) / 1e6;
            for (int r = -2; r < rounds; r++) { // two rounds of warm-up
                double b = 0;
                for (int k = 0; k < TERMS; k++) {
                    b = Math.max(b, bareSleep());
                }
                long a0 = System.nanoTime();
                check(one.evaluate(p));
                double a = (System.nanoTime() - a0) / 1e6;
                long g0 = System.nanoTime();
                check(onPool.evaluate(p));
                double g = (System.nanoTime() - g0) / 1e6;
                long o0 = System.nanoTime();
                check(ownPool.evaluate(p));
                double o = (System.nanoTime() - o0) / 1e6;
                if (r >= 0) {
                    bare[r] = b;
                    alone[r] = a;
                    given[r] = g;
                    own[r] = o;
                }
            }
        } finally {
            pool.shutdown();
        }
        try (var s = Files.list(root)) {
            if (s.findAny().isPresent()) {
                throw new IllegalStateException("run directories were left behind in " + root);
            }
        }
        Files.delete(root);
        double b = median(bare);
        System.out.printf(
                Locale.ROOT,
                "rounds %d, work directory under %s, load average %.2f%n",
                rounds,
                parent,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage());
        System.out.printf(Locale.ROOT, "bare 'sleep 0.5' from Java, longest of 4 in a row  %8.1f ms%n", b);
        System.out.printf(
                Locale.ROOT,
                "first evaluation in this JVM, 4 terms on 4 workers %8.1f ms  ratio %.3f%n",
                first,
                first / b);
        System.out.printf(
                Locale.ROOT,
                "one term alone (median)                            %8.1f ms  ratio %.3f%n",
                median(alone),
                median(alone) / b);
        System.out.printf(
                Locale.ROOT,
                "4 terms, caller's pool of 4 (median)               %8.1f ms  ratio %.3f (per round: %s)%n",
                median(given),
                median(given) / b,
                ratios(given, bare));
        System.out.printf(
                Locale.ROOT,
                "4 terms, AsyncWrapperCOB's own pool (median)       %8.1f ms  ratio %.3f (per round: %s)%n",
                median(own),
                median(own) / b,
                ratios(own, bare));
    }

    private static double bareSleep() throws Exception {
        long t0 = System.nanoTime();
        int code = new ProcessBuilder("sleep", "0.5").start().waitFor();
        if (code != 0) {
            throw new IllegalStateException("sleep exited " + code);
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static void check(double loss) {
        if (loss != 1.0 * TERMS && loss != 1.0) {
            throw new IllegalStateException("unexpected loss " + loss);
        }
    }

    private static String ratios(double[] xs, double[] ref) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < xs.length; i++) {
            s.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", xs[i] / ref[i]));
        }
        return s.toString();
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }
}
