package org.chemfit.benchmarks;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * Two builds' external term side by side in one JVM: each call starts a bare {@code /bin/true},
 * then runs the term of {@link ExternalTermBenchmark} in build A and in build B, the two in turn
 * first, so that both see the machine's speed of the same moment, which a busy machine changes
 * from one run of {@link ExternalTermBenchmark} to the next by more than a change of the term's
 * own work. As there, a fifth of the calls (at least 50) warm up and the rest are timed: the term's
 * code is mostly not compiled yet. Each build is a class loader of its own over its {@code
 * benchmarks.jar}, in which {@link SideBySideTerm} is defined from this build's class file. Prints
 * per call the bare spawn, each build's term less the bare spawn (wall), each term's thread CPU
 * time, and B less A. Run it twice, the jars swapped: the build loaded second may come out a little
 * faster, which the mean of the two runs' differences cancels.
 *
 * <pre>
 * java -Djdk.lang.Process.launchMechanism=VFORK -cp chemfit-benchmarks/target/benchmarks.jar \
 *     org.chemfit.benchmarks.ExternalTermsSideBySide /tmp/before.jar chemfit-benchmarks/target/benchmarks.jar 400 /dev/shm
 * </pre>
 *
 * @implNote A harness, not a library class; single-threaded.
 */
public final class ExternalTermsSideBySide {

    private static final String TERM = SideBySideTerm.class.getName();

    private ExternalTermsSideBySide() {}

    /**
     * @param args build A's jar, build B's jar, the timed calls (default 400), the folder for the
     *     run directories (default {@code /dev/shm})
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ExternalTermsSideBySide JAR_A JAR_B [CALLS] [FOLDER]");
            System.exit(2);
        }
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 400;
        Path folder = Path.of(args.length > 3 ? args[3] : "/dev/shm");
        byte[] termClass;
        try (InputStream in =
                ExternalTermsSideBySide.class.getResourceAsStream("/" + TERM.replace('.', '/') + ".class")) {
            termClass = Objects.requireNonNull(in, "the class file of " + TERM).readAllBytes();
        }
        Path[] roots = new Path[2];
        IntConsumer[] terms = new IntConsumer[2];
        for (int b = 0; b < 2; b++) {
            roots[b] = Files.createTempDirectory(folder, "sbs-term-" + (char) ('a' + b));
            ClassLoader loader = new BuildLoader(Path.of(args[b]).toUri().toURL(), termClass);
            terms[b] = (IntConsumer) loader.loadClass(TERM)
                    .getConstructor(String.class, String.class)
                    .newInstance(roots[b].toString(), "e");
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int warm = Math.max(50, n / 4);
        long bare = 0;
        long[] wall = new long[2];
        long[] cpu = new long[2];
        for (int i = 0; i < warm + n; i++) {
            long t0 = System.nanoTime();
            int code = new ProcessBuilder("/bin/true").inheritIO().start().waitFor();
            long t1 = System.nanoTime();
            if (code != 0) {
                throw new IllegalStateException("/bin/true exited " + code);
            }
            for (int k = 0; k < 2; k++) {
                int b = (i + k) % 2; // A first in even calls, B first in odd ones
                long c0 = threads.getCurrentThreadCpuTime();
                long w0 = System.nanoTime();
                terms[b].accept(i);
                long w1 = System.nanoTime();
                long c1 = threads.getCurrentThreadCpuTime();
                if (i >= warm) {
                    wall[b] += w1 - w0;
                    cpu[b] += c1 - c0;
                }
            }
            if (i >= warm) {
                bare += t1 - t0;
            }
        }
        for (Path root : roots) {
            try (var s = Files.list(root)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalStateException("run directories were left behind in " + root);
                }
            }
            Files.delete(root);
        }
        double ms = 1e6 * n;
        System.out.printf(
                Locale.ROOT,
                "bare %.4f ms; term less bare: A %.4f, B %.4f, B-A %+.4f ms; term CPU: A %.4f, B %.4f, B-A %+.4f ms%n",
                bare / ms,
                (wall[0] - bare) / ms,
                (wall[1] - bare) / ms,
                (wall[1] - wall[0]) / ms,
                cpu[0] / ms,
                cpu[1] / ms,
                (cpu[1] - cpu[0]) / ms);
    }

    /** A build's jar, with {@link SideBySideTerm} defined in it from the given class file. */
    private static final class BuildLoader extends URLClassLoader {
        private final byte[] termClass;

        BuildLoader(URL jar, byte[] termClass) {
            super(new URL[] {jar}, ClassLoader.getPlatformClassLoader());
            this.termClass = termClass;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(TERM)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = defineClass(name, termClass, 0, termClass.length);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}
