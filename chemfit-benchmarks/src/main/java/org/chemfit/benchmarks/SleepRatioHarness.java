package org.chemfit.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.internal.Terms;
import org.chemfit.schedule.AsyncWrapperCOB;

/**
 * Measures concurrency against the physical limit rather than a nominal time: eight terms that
 * each sleep 10 ms, evaluated by an {@link AsyncWrapperCOB} on eight workers, divided by one such
 * term evaluated alone, measured in turns in the same run (the order rotates each round). The
 * ideal ratio is 1.
 * For comparison it measures, the same way, a naive design that does the same work per term but
 * makes one {@code CompletableFuture} per term and joins them all. Then it measures the floor no
 * hand-off can beat: eight timers of 10 ms firing at once against one (see {@code timerFloor}).
 * Prints medians and the ratios.
 *
 * <pre>{@code
 * java -cp chemfit-benchmarks/target/benchmarks.jar org.chemfit.benchmarks.SleepRatioHarness 200
 * }</pre>
 *
 * @implNote Single-threaded driver; not for use as a library.
 */
public final class SleepRatioHarness {

    private static final int TERMS = 8;
    private static final long SLEEP_MS = 10;

    private SleepRatioHarness() {}

    /**
     * @param args optionally the number of measured rounds (default 200)
     * @throws Exception when a measurement fails
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        ObjectiveFunction sleeper = p -> {
            try {
                Thread.sleep(SLEEP_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return p.get("x");
        };
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int k = 0; k < TERMS; k++) {
            terms.add(sleeper);
        }
        CombinedObjectiveFunction combined = new CombinedObjectiveFunction(terms);
        Parameters params = Parameters.of(Map.of("x", 1.0));
        ExecutorService naivePool = Executors.newFixedThreadPool(TERMS);
        long[] alone = new long[rounds];
        long[] wrapped = new long[rounds];
        long[] naive = new long[rounds];
        long[] given = new long[rounds];
        ExecutorService givenPool = Executors.newFixedThreadPool(TERMS);
        try (AsyncWrapperCOB wrapper = new AsyncWrapperCOB(combined);
                AsyncWrapperCOB onGivenPool = new AsyncWrapperCOB(combined, givenPool)) {
            for (int r = -rounds / 4; r < rounds; r++) { // the first quarter warms up
                // the order rotates, so that no design always follows the same one
                for (int slot = 0; slot < 4; slot++) {
                    int which = Math.floorMod(r + slot, 4);
                    long t0 = System.nanoTime();
                    if (which == 0) {
                        sleeper.evaluate(params);
                    } else if (which == 1) {
                        wrapper.evaluate(params);
                    } else if (which == 2) {
                        naiveEvaluate(combined, params, naivePool);
                    } else {
                        onGivenPool.evaluate(params);
                    }
                    long dt = System.nanoTime() - t0;
                    if (r >= 0) {
                        (which == 0 ? alone : which == 1 ? wrapped : which == 2 ? naive : given)[r] = dt;
                    }
                }
            }
        } finally {
            naivePool.shutdown();
            givenPool.shutdown();
        }
        double a = median(alone);
        double w = median(wrapped);
        double n = median(naive);
        double g = median(given);
        System.out.printf(Locale.ROOT, "rounds                        %d%n", rounds);
        System.out.printf(Locale.ROOT, "one 10 ms term alone          %.3f ms (median)%n", a / 1e6);
        System.out.printf(Locale.ROOT, "AsyncWrapperCOB, 8 on 8       %.3f ms (median)  ratio %.4f%n", w / 1e6, w / a);
        System.out.printf(Locale.ROOT, "AsyncWrapperCOB, caller's pool %.3f ms (median)  ratio %.4f%n", g / 1e6, g / a);
        System.out.printf(Locale.ROOT, "naive future per term, 8 on 8 %.3f ms (median)  ratio %.4f%n", n / 1e6, n / a);
        timerFloor(rounds);
    }

    /**
     * The floor that no hand-off can beat: eight threads, handed their work well ahead, each wait
     * until the same instant 10 ms after the start (the time of the last one to wake is the span),
     * against one thread doing the same alone. This is what eight timers firing at once cost on
     * this machine beside one; the caller's own wake-up at the end is not counted.
     */
    private static void timerFloor(int rounds) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(TERMS);
        long[] one = new long[rounds];
        long[] eight = new long[rounds];
        try {
            for (int r = -rounds / 4; r < rounds; r++) {
                for (int n : new int[] {1, TERMS}) {
                    long[] ends = new long[n];
                    CountDownLatch done = new CountDownLatch(n);
                    long t0 = System.nanoTime();
                    long deadline = t0 + SLEEP_MS * 1_000_000;
                    for (int k = 0; k < n; k++) {
                        int kk = k;
                        pool.execute(() -> {
                            long left;
                            while ((left = deadline - System.nanoTime()) > 0) {
                                LockSupport.parkNanos(left);
                            }
                            ends[kk] = System.nanoTime();
                            done.countDown();
                        });
                    }
                    done.await();
                    long last = Arrays.stream(ends).max().orElseThrow();
                    if (r >= 0) {
                        (n == 1 ? one : eight)[r] = last - t0;
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
        double a = median(one);
        double e = median(eight);
        System.out.printf(Locale.ROOT, "floor: 1 timer of 10 ms       %.3f ms (median)%n", a / 1e6);
        System.out.printf(Locale.ROOT, "floor: 8 timers of 10 ms      %.3f ms (median)  ratio %.4f%n", e / 1e6, e / a);
    }

    /**
     * The design measured against: the same work per term (contexts, timing, reduction in term
     * order) but one {@code CompletableFuture} per term on a fixed pool, joined one by one.
     */
    private static double naiveEvaluate(CombinedObjectiveFunction c, Parameters p, ExecutorService pool) {
        EvaluationContext ctx = new EvaluationContext(p);
        Terms.prepare(c, ctx);
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            int k = i;
            fs.add(CompletableFuture.runAsync(() -> Terms.runTerm(c, k, p, ctx.child(k)), pool));
        }
        for (CompletableFuture<Void> f : fs) {
            f.join();
        }
        return Terms.reduce(c, ctx);
    }

    private static double median(long[] xs) {
        long[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }
}
