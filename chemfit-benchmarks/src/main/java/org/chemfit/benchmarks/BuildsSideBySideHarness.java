package org.chemfit.benchmarks;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Two builds of the library side by side in one JVM: what the journal costs per evaluation of
 * the argon fit in each, measured turn by turn. This machine changes speed from one minute to the
 * next by more than a change of a microsecond moves the journal's cost, and two JVMs run one after
 * the other see different speeds; here each round times, one right after the other, the fit
 * without a journal and with one in build A, then the same in build B (A and B swap places every
 * round), so both builds see the same speeds. Each build is its own class loader over its
 * {@code benchmarks.jar} (the library and its dependencies), and {@link SideBySideFits} is defined
 * in each, linked to that build's library. Prints, for each build, the medians of the wall and
 * fit-thread CPU time per evaluation without and with the journal, the journal's cost (their
 * difference, taken within each round) and the ratio, and the median of the rounds' differences
 * between the builds.
 *
 * <pre>
 * cp chemfit-benchmarks/target/benchmarks.jar /tmp/before.jar     # a build of the code before
 * ...                                                              # change, build again
 * java -cp chemfit-benchmarks/target/benchmarks.jar org.chemfit.benchmarks.BuildsSideBySideHarness \
 *     /tmp/before.jar chemfit-benchmarks/target/benchmarks.jar examples/argon/data/ar2-energies.csv \
 *     200 2000 40 /dev/shm/sbs
 * </pre>
 *
 * @implNote A harness, not a library class; single-threaded (the journal's writer threads aside).
 */
public final class BuildsSideBySideHarness {

    private static final String FITS = SideBySideFits.class.getName();

    private BuildsSideBySideHarness() {}

    /**
     * @param args build A's jar, build B's jar, the argon reference CSV, the short and the long
     *     budget of evaluations, the rounds, a folder for the journals
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 7) {
            System.err.println("usage: BuildsSideBySideHarness JAR_A JAR_B CSV SHORT LONG ROUNDS FOLDER");
            System.exit(2);
        }
        int shortFit = Integer.parseInt(args[3]);
        int longFit = Integer.parseInt(args[4]);
        int rounds = Integer.parseInt(args[5]);
        String folder = args[6];
        byte[] fitsClass;
        try (InputStream in =
                BuildsSideBySideHarness.class.getResourceAsStream("/" + FITS.replace('.', '/') + ".class")) {
            fitsClass = java.util.Objects.requireNonNull(in, "the class file of " + FITS)
                    .readAllBytes();
        }
        Object[] fits = new Object[2];
        Method[] perEvaluation = new Method[2];
        ClassLoader[] loaders = new ClassLoader[2];
        for (int b = 0; b < 2; b++) {
            ClassLoader loader = new BuildLoader(Path.of(args[b]).toUri().toURL(), fitsClass);
            // JDBC finds a driver only once its class is initialized in the loader that asks for it
            Class.forName("org.sqlite.JDBC", true, loader);
            loaders[b] = loader;
            Class<?> c = loader.loadClass(FITS);
            fits[b] = c.getConstructor(String.class).newInstance(args[2]);
            perEvaluation[b] = c.getMethod("perEvaluation", int.class, int.class, String.class);
            // the JVM loads a native library's file into one class loader only: each build's first
            // journal finds SQLite's library in a temporary folder of its own
            String tmp = System.getProperty("java.io.tmpdir");
            Path own = Path.of(folder + "-native-" + (char) ('a' + b)); // removed at the end
            java.nio.file.Files.createDirectories(own);
            System.setProperty("java.io.tmpdir", own.toString());
            Thread.currentThread().setContextClassLoader(loader);
            try {
                perEvaluation[b].invoke(fits[b], 10, 20, folder);
            } finally {
                System.setProperty("java.io.tmpdir", tmp);
            }
        }
        // [build][round]: wall and CPU without and with the journal, in ns per evaluation
        double[][][] none = new double[2][rounds][];
        double[][][] journal = new double[2][rounds][];
        int warmUp = Math.max(5, rounds / 3);
        for (int r = -warmUp; r < rounds; r++) {
            for (int i = 0; i < 2; i++) {
                int b = (r + warmUp) % 2 == 0 ? i : 1 - i; // A first in one round, B first in the next
                Thread.currentThread().setContextClassLoader(loaders[b]);
                double[] n = (double[]) perEvaluation[b].invoke(fits[b], shortFit, longFit, null);
                double[] j = (double[]) perEvaluation[b].invoke(fits[b], shortFit, longFit, folder);
                if (r >= 0) {
                    none[b][r] = n;
                    journal[b][r] = j;
                }
            }
        }
        System.out.printf(
                Locale.ROOT,
                "argon fit, CMA-ES, %d and %d evaluations, %d rounds after %d of warm-up, journal in %s;"
                        + " per evaluation, medians over the rounds:%n",
                shortFit,
                longFit,
                rounds,
                warmUp,
                folder);
        for (int b = 0; b < 2; b++) { // the builds' copies of SQLite's library (mapped: removed all the same)
            Harnesses.deleteTree(Path.of(folder + "-native-" + (char) ('a' + b)));
        }
        String[] names = {"A " + args[0], "B " + args[1]};
        double[][] cost = new double[2][rounds];
        double[][] cpuCost = new double[2][rounds];
        for (int b = 0; b < 2; b++) {
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                cost[b][r] = journal[b][r][0] - none[b][r][0];
                cpuCost[b][r] = journal[b][r][1] - none[b][r][1];
                ratio[r] = journal[b][r][0] / none[b][r][0];
            }
            System.out.printf(
                    Locale.ROOT,
                    "  %s%n    no journal: wall %.2f us, CPU %.2f us; journal: wall %.2f us, CPU %.2f us;"
                            + " the journal's cost: wall %.2f us, CPU %.2f us; ratio %.2f x (%.2f to %.2f)%n",
                    names[b],
                    Harnesses.median(column(none[b], 0)) / 1e3,
                    Harnesses.median(column(none[b], 1)) / 1e3,
                    Harnesses.median(column(journal[b], 0)) / 1e3,
                    Harnesses.median(column(journal[b], 1)) / 1e3,
                    Harnesses.median(cost[b]) / 1e3,
                    Harnesses.median(cpuCost[b]) / 1e3,
                    Harnesses.median(ratio),
                    min(ratio),
                    max(ratio));
        }
        double[] wallDiff = new double[rounds];
        double[] cpuDiff = new double[rounds];
        int lower = 0;
        for (int r = 0; r < rounds; r++) {
            wallDiff[r] = cost[1][r] - cost[0][r];
            cpuDiff[r] = cpuCost[1][r] - cpuCost[0][r];
            lower += cpuDiff[r] < 0 ? 1 : 0;
        }
        System.out.printf(
                Locale.ROOT,
                "  B minus A, the journal's cost, median of the rounds: wall %+.2f us, CPU %+.2f us"
                        + " (B's CPU cost lower in %d of %d rounds)%n",
                Harnesses.median(wallDiff) / 1e3,
                Harnesses.median(cpuDiff) / 1e3,
                lower,
                rounds);
    }

    private static double[] column(double[][] rows, int k) {
        double[] c = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            c[i] = rows[i][k];
        }
        return c;
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(Double.NaN);
    }

    /**
     * A build's classes from its jar alone (the JDK's own from the platform loader), and
     * {@link SideBySideFits} defined from the harness's own class file, so that it links to this
     * build's library.
     */
    private static final class BuildLoader extends URLClassLoader {
        private final byte[] fitsClass;

        BuildLoader(URL jar, byte[] fitsClass) {
            super(new URL[] {jar}, ClassLoader.getPlatformClassLoader());
            this.fitsClass = fitsClass;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(FITS)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = defineClass(name, fitsClass, 0, fitsClass.length);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}
