package org.chemfit.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * What the journal costs per evaluation of the argon example's fit (46 in-process dimer terms),
 * apart from what it costs once per fit (creating, opening and closing the file). Each variant (no
 * journal, then a journal in each folder given) runs the same CMA-ES fit with a short and a long
 * budget of evaluations, alternating, in one JVM; the time per evaluation is the slope
 * {@code (T(long) - T(short)) / (n(long) - n(short))}, in which the fixed cost cancels, and the
 * fixed cost is what the short fit took beyond its evaluations (opening, beginning, ending and
 * closing the journal; making and removing its folder are not timed). Prints the medians over the
 * repeats of the wall-clock and fit-thread CPU slopes, their ratio to the fit without a journal,
 * the CPU the journal's writer thread took per evaluation (its threads are sampled every 10
 * ms while a fit runs: a sampler woken every millisecond took the fit's core from it often enough
 * to be seen in the wall time), the fit thread's context switches per evaluation (from
 * {@code /proc/thread-self/status}: voluntary ones are waits, involuntary ones are the thread
 * put aside for another), the page faults the fit's thread took per evaluation (its minor
 * faults, from {@code /proc/thread-self/stat}: the first touch of any page, such as the pages of a
 * new journal's pending file), the bytes the fit's thread allocated per evaluation (a figure that,
 * unlike time, does not depend on the machine's load), and the fixed cost. Then, for each journal,
 * the wall-clock slope again with the journal's close set apart, and the close's own time after
 * the short and the long fit: the close checkpoints SQLite's log, which holds at most what was
 * written since the last automatic checkpoint, so it grows with a fit only up to that bound.
 *
 * <p>The rounds before the timed ones warm the JVM up: at least three, and more until a round
 * compiles for less than 2 % of its time (at most 60), so that the timed rounds do not share the
 * two cores with the JIT compiler; the JIT's compile time during the timed rounds is printed.
 * {@code -Dchemfit.bench.warmup=3} fixes the count instead (the harness's rounds before the
 * warm-up became adaptive were three).
 *
 * <p>{@code -Dchemfit.bench.beside=true} adds a variant: the fit without a journal while a thread
 * beside it keeps the other core about as busy as the journal's writer does (70 % of the time,
 * writing 4 KiB pages into a file of the first folder with positional writes, as SQLite writes
 * its log), to see whether the writer's work slows the fit's own; its CPU per evaluation is shown
 * as the writer's.
 *
 * <p>{@code -Dchemfit.bench.improving=true} adds, after each journal, a variant whose journal keeps
 * the terms of the evaluations that lower the best loss only ({@link
 * Journal#termsOfImprovingEvaluationsOnly()}); {@code =only} runs that variant instead of the
 * journal that keeps every evaluation's terms.
 *
 * <pre>
 * java -cp chemfit-benchmarks/target/benchmarks.jar org.chemfit.benchmarks.JournalCostHarness \
 *     examples/argon/data/ar2-energies.csv 200 2000 15 /var/tmp/jch /dev/shm/jch
 * </pre>
 */
public final class JournalCostHarness {

    private JournalCostHarness() {}

    /**
     * @param args the argon reference CSV, the short and the long budget of evaluations, the
     *     repeats, then one or more folders for journals
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path csv = Path.of(args.length > 0 ? args[0] : "examples/argon/data/ar2-energies.csv");
        int shortFit = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int longFit = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 15;
        List<Path> dirs = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            dirs.add(Path.of(args[i]));
        }
        if (dirs.isEmpty()) {
            dirs.add(Path.of("target/journal-cost-benchmark"));
        }
        PairPotential lj = PairPotential.builder()
                .lennardJones("Ar", "Ar", "lj.epsilon", "lj.sigma")
                .build();
        CombinedObjectiveFunction ob = AtomisticTerms.fromCsv(csv, lj).combined();
        List<String> names = new ArrayList<>(List.of("no journal"));
        // a variant's journal folder (null: none) and the file of a busy thread beside it (null: none)
        List<Path> journals = new ArrayList<>();
        List<Path> besides = new ArrayList<>();
        List<Boolean> improving = new ArrayList<>();
        journals.add(null);
        besides.add(null);
        improving.add(false);
        if (Boolean.getBoolean("chemfit.bench.beside")) {
            names.add("no journal, busy beside");
            journals.add(null);
            besides.add(dirs.get(0).resolve("busy-beside.bin"));
            improving.add(false);
        }
        for (Path d : dirs) {
            String improvingOnly = System.getProperty("chemfit.bench.improving", "false");
            if (!improvingOnly.equals("only")) {
                names.add("journal in " + d);
                journals.add(d);
                besides.add(null);
                improving.add(false);
            }
            if (improvingOnly.equals("true") || improvingOnly.equals("only")) {
                names.add("improving only, " + d);
                journals.add(d);
                besides.add(null);
                improving.add(true);
            }
        }
        int k = names.size();
        double[][] wall = new double[k][repeats];
        double[][] cpu = new double[k][repeats];
        double[][] fixed = new double[k][repeats];
        double[][] writer = new double[k][repeats];
        double[][] faults = new double[k][repeats];
        double[][] allocated = new double[k][repeats];
        double[][] wallOpen = new double[k][repeats];
        double[][][] closing = new double[k][2][repeats];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[][] waits = new double[k][repeats];
        double[][] preempted = new double[k][repeats];
        int[] counts = new int[2];
        java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        Integer fixedWarmUp = Integer.getInteger("chemfit.bench.warmup");
        int warmUps = 0;
        long jitBefore = 0;
        long timedStart = 0;
        for (int r = -1; r < repeats; r++) { // -1: a round of warm-up, repeated until the JIT settles
            long roundStart = System.nanoTime();
            long roundJit = jit.getTotalCompilationTime();
            if (r == 0) {
                jitBefore = roundJit;
                timedStart = roundStart;
            }
            for (int v = 0; v < k; v++) {
                Path dir = journals.get(v);
                Path besideFile = besides.get(v);
                long[] t = new long[2];
                long[] c = new long[2];
                long[] wc = new long[2];
                long[] pf = new long[2];
                long[] al = new long[2];
                long[] cl = new long[2];
                long[][] cs = new long[2][];
                int[] n = new int[2];
                for (int s = 0; s < 2; s++) {
                    if (dir != null) { // a fresh folder, made and later removed outside the timing
                        Harnesses.deleteTree(dir);
                        Files.createDirectories(dir);
                    }
                    Beside beside = besideFile == null ? null : new Beside(besideFile);
                    FitResult result;
                    try {
                        WriterCpu w = new WriterCpu(threads);
                        long[] cs0 = contextSwitches();
                        long f0 = minorFaults();
                        long a0 = allocatedBytes(threads);
                        long c0 = threads.getCurrentThreadCpuTime();
                        long t0 = System.nanoTime();
                        long[] closed = new long[1];
                        result = fit(ob, s == 0 ? shortFit : longFit, dir, improving.get(v), w, closed);
                        t[s] = System.nanoTime() - t0;
                        cl[s] = closed[0];
                        c[s] = threads.getCurrentThreadCpuTime() - c0;
                        pf[s] = minorFaults() - f0;
                        long[] cs1 = contextSwitches();
                        cs[s] = new long[] {cs1[0] - cs0[0], cs1[1] - cs0[1]};
                        al[s] = allocatedBytes(threads) - a0;
                        wc[s] = w.stop();
                    } finally {
                        if (beside != null) {
                            wc[s] += beside.close();
                        }
                    }
                    n[s] = result.evaluations();
                    if (dir != null) {
                        Harnesses.deleteTree(dir);
                    }
                }
                if (r >= 0) {
                    double slope = (t[1] - t[0]) / 1e6 / (n[1] - n[0]);
                    wall[v][r] = slope;
                    wallOpen[v][r] = (t[1] - cl[1] - t[0] + cl[0]) / 1e6 / (n[1] - n[0]);
                    closing[v][0][r] = cl[0] / 1e6;
                    closing[v][1][r] = cl[1] / 1e6;
                    cpu[v][r] = (c[1] - c[0]) / 1e6 / (n[1] - n[0]);
                    writer[v][r] = (wc[1] - wc[0]) / 1e6 / (n[1] - n[0]);
                    faults[v][r] = (double) (pf[1] - pf[0]) / (n[1] - n[0]);
                    allocated[v][r] = (double) (al[1] - al[0]) / (n[1] - n[0]);
                    waits[v][r] = (double) (cs[1][0] - cs[0][0]) / (n[1] - n[0]);
                    preempted[v][r] = (double) (cs[1][1] - cs[0][1]) / (n[1] - n[0]);
                    fixed[v][r] = t[0] / 1e6 - slope * n[0];
                    counts[0] = n[0];
                    counts[1] = n[1];
                }
            }
            if (r < 0) {
                warmUps++;
                long compiled = jit.getTotalCompilationTime() - roundJit;
                boolean settled = fixedWarmUp != null
                        ? warmUps >= fixedWarmUp
                        : warmUps >= 3 && (compiled * 1e6 < 0.02 * (System.nanoTime() - roundStart) || warmUps >= 60);
                if (!settled) {
                    r--; // another round of warm-up
                }
            }
        }
        double timedSeconds = (System.nanoTime() - timedStart) / 1e9;
        long timedJit = jit.getTotalCompilationTime() - jitBefore;
        System.out.printf(
                "argon fit, %d terms, CMA-ES, %d and %d evaluations, median of %d repeats after %d rounds of warm-up"
                        + " (the JIT compiled for %d ms in the %.1f s of the timed rounds):%n",
                ob.size(), counts[0], counts[1], repeats, warmUps, timedJit, timedSeconds);
        double base = Harnesses.median(wall[0]);
        double cpuBase = Harnesses.median(cpu[0]);
        double fixedBase = Harnesses.median(fixed[0]);
        for (int v = 0; v < k; v++) {
            double w = Harnesses.median(wall[v]);
            double c = Harnesses.median(cpu[v]);
            System.out.printf(
                    "  %-28s per evaluation: wall %7.4f ms (%5.2f x), fit thread CPU %7.4f ms (%5.2f x),"
                            + " writer CPU %7.4f ms, fit thread page faults %5.2f, fit thread allocation %6.0f B,"
                            + " fit thread waits %5.3f and preemptions %5.3f; once per fit: %6.2f ms (%+.2f ms)%n",
                    names.get(v),
                    w,
                    w / base,
                    c,
                    c / cpuBase,
                    Harnesses.median(writer[v]),
                    Harnesses.median(faults[v]),
                    Harnesses.median(allocated[v]),
                    Harnesses.median(waits[v]),
                    Harnesses.median(preempted[v]),
                    Harnesses.median(fixed[v]),
                    Harnesses.median(fixed[v]) - fixedBase);
        }
        // Closing a journal checkpoints SQLite's log into the database and waits for fsync. The log
        // holds at most what was written since the last automatic checkpoint (1,000 pages), so the
        // close's cost grows with the fit up to that bound and then stays: a cost per fit that a
        // slope between two short fits would count per evaluation. Shown apart here.
        double baseOpen = Harnesses.median(wallOpen[0]);
        System.out.printf("the journal's close apart (a cost per fit, bounded by SQLite's automatic checkpoint):%n");
        for (int v = 1; v < k; v++) {
            double w = Harnesses.median(wallOpen[v]);
            System.out.printf(
                    "  %-28s per evaluation: wall %7.4f ms (%5.2f x); closing the journal took %6.2f ms after %d"
                            + " evaluations and %6.2f ms after %d%n",
                    names.get(v),
                    w,
                    w / baseOpen,
                    Harnesses.median(closing[v][0]),
                    counts[0],
                    Harnesses.median(closing[v][1]),
                    counts[1]);
        }
    }

    /** @return the bytes the calling thread allocated so far, or 0 where the JVM does not count them */
    private static long allocatedBytes(ThreadMXBean threads) {
        return threads instanceof com.sun.management.ThreadMXBean t ? t.getCurrentThreadAllocatedBytes() : 0;
    }

    /**
     * @return the calling thread's voluntary and involuntary context switches so far (from
     *     {@code /proc/thread-self/status}), or zeros off Linux
     */
    private static long[] contextSwitches() throws java.io.IOException {
        Path status = Path.of("/proc/thread-self/status");
        long[] counts = new long[2];
        if (!Files.exists(status)) {
            return counts;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
                counts[0] = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                counts[1] = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return counts;
    }

    /** @return the minor page faults of the calling thread so far (the tenth field of its stat), or 0 off Linux */
    private static long minorFaults() throws java.io.IOException {
        Path stat = Path.of("/proc/thread-self/stat");
        if (!Files.exists(stat)) {
            return 0;
        }
        String s = Files.readString(stat);
        // after the command's name in parentheses: state is the third field, minflt the tenth
        return Long.parseLong(s.substring(s.lastIndexOf(')') + 2).split(" ")[7]);
    }

    /** The CPU time of the journal's writer threads while a fit runs, sampled every 10 ms. */
    private static final class WriterCpu {
        private final Map<Long, Long> seen = new java.util.concurrent.ConcurrentHashMap<>();
        private final ThreadMXBean threads;
        private final Thread sampler;

        WriterCpu(ThreadMXBean threads) {
            this.threads = threads;
            sampler = new Thread(this::sample, "writer-cpu-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }

        private void sample() {
            while (!Thread.currentThread().isInterrupted()) {
                look();
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void look() {
            // enumerated without stack traces: no safepoint that would stop the fit's thread
            ThreadGroup group = Thread.currentThread().getThreadGroup();
            Thread[] all = new Thread[group.activeCount() + 8];
            int n = group.enumerate(all);
            for (int i = 0; i < n; i++) {
                Thread t = all[i];
                if (t.getName().startsWith("chemfit-journal-writer")) {
                    long cpu = threads.getThreadCpuTime(t.getId());
                    if (cpu > 0) {
                        seen.merge(t.getId(), cpu, Math::max);
                    }
                }
            }
        }

        /** @return the writer threads' CPU time seen, in nanoseconds (up to the last sample before each ended) */
        long stop() throws InterruptedException {
            sampler.interrupt();
            sampler.join();
            return seen.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * A thread that keeps the other core busy 70 % of the time while a fit runs, as the journal's
     * writer does for argon evaluations: 4 KiB pages written into a file, one positional write
     * each, over its first 64 MiB again and again, and a rest whenever its CPU time runs ahead of
     * 70 % of the time since it began (a rest lasts what the system's timers give, 50 us or more
     * on Linux, so the share is kept, not each rest's length). The file is removed when it stops.
     */
    private static final class Beside {
        private static final double SHARE = 0.7;
        private final Thread thread;
        private final Path file;
        private volatile boolean stop;
        private volatile Exception failure;
        private volatile long cpu;

        Beside(Path file) throws java.io.IOException {
            this.file = file;
            Files.createDirectories(file.getParent());
            thread = new Thread(this::run, "busy-beside");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            java.nio.ByteBuffer page = java.nio.ByteBuffer.allocateDirect(4096);
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(
                    file, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
                long at = 0;
                while (!stop) {
                    page.clear();
                    ch.write(page, at);
                    at = (at + 4096) % (64L << 20);
                    if (threads.getCurrentThreadCpuTime() - c0 > SHARE * (System.nanoTime() - t0)) {
                        java.util.concurrent.locks.LockSupport.parkNanos(10_000);
                    }
                }
            } catch (java.io.IOException e) {
                failure = e;
            } finally {
                cpu = threads.getCurrentThreadCpuTime() - c0;
            }
        }

        /** @return the CPU time it took, in nanoseconds */
        long close() throws Exception {
            stop = true;
            thread.join();
            Files.deleteIfExists(file);
            Exception e = failure;
            if (e != null) {
                throw e;
            }
            return cpu;
        }
    }

    private static FitResult fit(
            CombinedObjectiveFunction ob, int evaluations, Path dir, boolean improvingOnly, WriterCpu w, long[] closed)
            throws Exception {
        Fitter f = new Fitter(ob, Map.of("lj.epsilon", 100.0, "lj.sigma", 3.2))
                .bounds(Bounds.of(Map.of("lj.epsilon", List.of(50.0, 200.0), "lj.sigma", List.of(3.0, 4.0))))
                .seed(3)
                .maxEvaluations(evaluations)
                // the writer ends with the fit: its CPU is also looked at once the last evaluation is in
                .listener((number, ctx, loss) -> {
                    if (number == evaluations - 1) {
                        w.look();
                    }
                });
        if (dir == null) {
            return f.fit("CMA-ES");
        }
        Journal j = Journal.open(dir);
        FitResult result;
        try {
            if (improvingOnly) {
                j.termsOfImprovingEvaluationsOnly();
            }
            result = f.journal(j, JournalMode.restart()).fit("CMA-ES");
        } catch (Exception | Error e) {
            try {
                j.close();
            } catch (Exception | Error c) {
                e.addSuppressed(c);
            }
            throw e;
        }
        long c0 = System.nanoTime();
        j.close();
        closed[0] = System.nanoTime() - c0;
        return result;
    }
}
