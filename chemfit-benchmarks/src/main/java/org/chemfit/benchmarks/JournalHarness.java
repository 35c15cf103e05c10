package org.chemfit.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.journal.Journal;
import org.chemfit.journal.JournalMode;

/**
 * Measures what the journal costs per evaluation of 20 leaf terms, exactly as the Fitter drives
 * it: the evaluation recorded RUNNING (1 commit), each term looked up (a miss) and recorded when it
 * finishes (1 commit per term), the evaluation recorded COMPLETE with its metadata tree (1 commit):
 * 22 commits. Wall time and the thread's CPU time are both reported: on a shared machine the wall
 * time includes waiting for a core, the CPU time does not. Then the replay of the same evaluations, as a resumed fit does it.
 *
 * <pre>
 * java -cp chemfit-benchmarks/target/benchmarks.jar org.chemfit.benchmarks.JournalHarness [DIR] [EVALUATIONS]
 * </pre>
 */
public final class JournalHarness {

    static final int TERMS = 20;
    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();
    private static long[] lastCpu;

    private JournalHarness() {}

    /**
     * @param args a directory for the journal files (default target/journal-benchmark) and the
     *     number of evaluations to time (default 2000)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/journal-benchmark");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        Files.createDirectories(dir);
        System.out.printf(
                "journal cost per evaluation of %d terms, %d evaluations timed after %d of warm-up, in %s%n",
                TERMS, n, n / 4, dir.toAbsolutePath());
        for (Journal.Durability d : Journal.Durability.values()) {
            Path f = dir.resolve("bench-" + d + ".sqlite");
            for (String suffix : new String[] {"", "-wal", "-shm", ".lock"}) {
                Files.deleteIfExists(f.resolveSibling(f.getFileName() + suffix));
            }
            try (Journal j = Journal.open(f, d)) {
                try (Journal.Session s = j.begin(Map.of("benchmark", d.name()), JournalMode.restart())) {
                    run(s, 0, n / 4, false);
                    long[] record = run(s, n / 4, n, false);
                    report(d + " record (22 commits)", record);
                    report(d + " record, thread CPU time", lastCpu);
                }
                try (Journal.Session s = j.begin(Map.of("benchmark", d.name()), JournalMode.resumeLatest())) {
                    long[] replay = run(s, n / 4, n, true);
                    report(d + " replay (resume)", replay);
                    report(d + " replay, thread CPU time", lastCpu);
                }
            }
            System.out.printf("  file size after %d evaluations: %.1f MB%n", n + n / 4, Files.size(f) / 1e6);
        }
    }

    private static Parameters params(int i) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k = 0; k < 12; k++) {
            m.put("group" + (k % 3) + ".p" + k, 0.1 * k + i * 1e-3);
        }
        return Parameters.of(m);
    }

    /** @return nanoseconds per evaluation */
    private static long[] run(Journal.Session s, int from, int to, boolean expectReplay) {
        long[] t = new long[to - from];
        long[] cpu = new long[to - from];
        long[] phases = new long[3];
        for (int i = from; i < to; i++) {
            Parameters p = params(i);
            // the context is built outside the timed section: that is the objective's work
            EvaluationContext ctx = new EvaluationContext(p, "e" + i);
            ctx.recordTo(s);
            EvaluationContext[] children = new EvaluationContext[TERMS];
            for (int k = 0; k < TERMS; k++) {
                children[k] = ctx.addChild("term" + k, 1.0);
            }
            long c0 = CPU.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            s.evaluationsStarted(i, List.of(ctx));
            long c1 = CPU.getCurrentThreadCpuTime();
            for (int k = 0; k < TERMS; k++) {
                EvaluationContext c = children[k];
                Object r = s.lookup(c);
                if ((r != null) != expectReplay) {
                    throw new IllegalStateException("term " + k + " of evaluation " + i + ": replayed " + (r != null));
                }
                if (r == null) {
                    c.computed(Quantities.builder()
                            .put("energy", -1.5 + k * 1e-3)
                            .put("forces", new double[] {0.1, 0.2, 0.3})
                            .build());
                    c.complete(k * 0.01 + i * 1e-6);
                    c.contribute(k * 0.01 + i * 1e-6);
                    c.put("run_directory", "/scratch/fit/e" + i + "/term" + k);
                    c.put("exit_code", 0);
                    c.timed(EvaluationContext.nowEpochNanos(), 1000, "worker-" + k);
                    s.finished(c);
                }
            }
            ctx.complete(0.5 + i * 1e-6);
            long c2 = CPU.getCurrentThreadCpuTime();
            s.evaluationFinished(i, ctx, ctx.loss());
            long c3 = CPU.getCurrentThreadCpuTime();
            phases[0] += c1 - c0;
            phases[1] += c2 - c1;
            phases[2] += c3 - c2;
            t[i - from] = System.nanoTime() - t0;
            cpu[i - from] = CPU.getCurrentThreadCpuTime() - c0;
        }
        lastCpu = cpu;
        System.out.printf(
                "    thread CPU by phase, mean per evaluation: start %.3f ms, %d terms %.3f ms, finish %.3f ms%n",
                phases[0] / 1e6 / t.length, TERMS, phases[1] / 1e6 / t.length, phases[2] / 1e6 / t.length);
        return t;
    }

    private static void report(String what, long[] t) {
        long[] sorted = t.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(t).average().orElse(Double.NaN) / 1e6;
        System.out.printf(
                "  %-38s mean %.3f ms, median %.3f ms, p90 %.3f ms, p99 %.3f ms per evaluation%n",
                what,
                mean,
                sorted[sorted.length / 2] / 1e6,
                sorted[sorted.length * 9 / 10] / 1e6,
                sorted[sorted.length * 99 / 100] / 1e6);
    }
}
