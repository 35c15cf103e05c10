package org.chemfit.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.internal.DispatchScheduler;
import org.chemfit.internal.LeafTask;
import org.chemfit.internal.TaskRunner;
import org.chemfit.internal.Terms;
import org.chemfit.schedule.AsyncWrapperCOB;

/**
 * Measures concurrency against the physical limit rather than a nominal time: eight terms that
 * each sleep 10 ms, evaluated by an {@link AsyncWrapperCOB} on eight workers, divided by one such
 * term evaluated alone, measured in turns in the same run (in a random order each round). The
 * ideal ratio is 1. Before timing, every design evaluates eight trivial terms many times over, so
 * that the JIT has compiled the dispatch path as it has in a long fit (without it the first few
 * hundred evaluations run partly interpreted, which costs about 0.1 ms each).
 * For comparison it measures, the same way, a naive design that does the same work per term but
 * makes one {@code CompletableFuture} per term and joins them all, and the hand-off designs that
 * were tried for the wrapper's own pool and not kept. Then two evaluations back to back, on a pool
 * like the wrapper's and on one whose idle workers spin before they park, with the CPU the workers
 * used; and the floor no hand-off can beat: eight timers of 10 ms firing at once against one (see
 * {@code timerFloor}). Prints medians and the ratios.
 *
 * <pre>{@code
 * java -cp chemfit-benchmarks/target/benchmarks.jar org.chemfit.benchmarks.SleepRatioHarness 300
 * java -cp chemfit-benchmarks/target/benchmarks.jar org.chemfit.benchmarks.SleepRatioHarness 300 0   # no warm-up
 * }</pre>
 *
 * @implNote Single-threaded driver; not for use as a library.
 */
public final class SleepRatioHarness {

    private static final int TERMS = 8;
    private static final long SLEEP_MS = 10;
    private static final long SPIN_MICROS = 50;
    /** Evaluations of trivial terms per design before timing, so that the JIT has compiled the paths. */
    private static final int WARM_UP = 20_000;

    private SleepRatioHarness() {}

    /**
     * @param args optionally the number of measured rounds (default 200), then the number of
     *     warm-up evaluations of eight trivial terms per design (default {@value #WARM_UP}; 0 for
     *     none)
     * @throws Exception when a measurement fails
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : WARM_UP;
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
        // the same code paths with terms that return at once, to get them compiled before timing
        CombinedObjectiveFunction trivial =
                new CombinedObjectiveFunction(Collections.nCopies(TERMS, (ObjectiveFunction) p -> p.get("x")));
        Parameters params = Parameters.of(Map.of("x", 1.0));
        ExecutorService naivePool = Executors.newFixedThreadPool(TERMS);
        ExecutorService givenPool = Executors.newFixedThreadPool(TERMS);
        ThreadPoolExecutor transferPool = pool(TERMS, new LinkedTransferQueue<>(), new ArrayList<>());
        ThreadPoolExecutor halvingPool = pool(TERMS, new LinkedBlockingQueue<>(), new ArrayList<>());
        ThreadPoolExecutor halvingTransferPool = pool(TERMS, new LinkedTransferQueue<>(), new ArrayList<>());
        ForkJoinPool forkJoinPool = new ForkJoinPool(TERMS);
        ThreadPoolExecutor drainerPool = pool(TERMS, new LinkedTransferQueue<>(), new ArrayList<>());
        DispatchScheduler drainers = new DispatchScheduler(new Drainers(drainerPool), true);
        DispatchScheduler onTransferPool = new DispatchScheduler(TaskRunner.of(transferPool), true);
        DispatchScheduler halving = new DispatchScheduler(new Halving(halvingPool), true);
        DispatchScheduler halvingTransfer = new DispatchScheduler(new Halving(halvingTransferPool), true);
        DispatchScheduler onForkJoinPool = new DispatchScheduler(TaskRunner.of(forkJoinPool), true);
        List<String> labels = new ArrayList<>();
        List<Runnable> designs = new ArrayList<>();
        List<Runnable> warmers = new ArrayList<>();
        try (AsyncWrapperCOB wrapper = new AsyncWrapperCOB(combined);
                AsyncWrapperCOB onGivenPool = new AsyncWrapperCOB(combined, givenPool);
                AsyncWrapperCOB wrapperWarmer = new AsyncWrapperCOB(trivial);
                AsyncWrapperCOB onGivenPoolWarmer = new AsyncWrapperCOB(trivial, givenPool)) {
            labels.add("one 10 ms term alone");
            designs.add(() -> sleeper.evaluate(params));
            warmers.add(() -> {});
            labels.add("AsyncWrapperCOB, own pool");
            designs.add(() -> wrapper.evaluate(params));
            warmers.add(() -> wrapperWarmer.evaluate(params));
            labels.add("AsyncWrapperCOB, caller's pool");
            designs.add(() -> onGivenPool.evaluate(params));
            warmers.add(() -> onGivenPoolWarmer.evaluate(params));
            labels.add("naive future per term");
            designs.add(() -> naiveEvaluate(combined, params, naivePool));
            warmers.add(() -> naiveEvaluate(trivial, params, naivePool));
            List<String> tried = List.of(
                    "tried: own pool on a LinkedTransferQueue",
                    "tried: halving hand-off",
                    "tried: halving, LinkedTransferQueue",
                    "tried: ForkJoinPool as own pool",
                    "tried: drainers, LinkedTransferQueue");
            List<DispatchScheduler> schedulers =
                    List.of(onTransferPool, halving, halvingTransfer, onForkJoinPool, drainers);
            for (int k = 0; k < tried.size(); k++) {
                DispatchScheduler s = schedulers.get(k);
                labels.add(tried.get(k));
                designs.add(() -> s.evaluate(combined, new EvaluationContext(params)));
                warmers.add(() -> s.evaluate(trivial, new EvaluationContext(params)));
            }
            warmUp(warmers, warmUp);
            long[][] times = timeInTurns(designs, rounds);
            double a = median(times[0]);
            System.out.printf(
                    Locale.ROOT,
                    "rounds %d, after %d evaluations of %d trivial terms per design%n",
                    rounds,
                    warmUp,
                    TERMS);
            System.out.printf(Locale.ROOT, "%-44s %.3f ms (median)%n", labels.get(0), a / 1e6);
            for (int k = 1; k < designs.size(); k++) {
                double m = median(times[k]);
                System.out.printf(Locale.ROOT, "%-44s %.3f ms (median)  ratio %.4f%n", labels.get(k), m / 1e6, m / a);
            }
        } finally {
            naivePool.shutdown();
            givenPool.shutdown();
            transferPool.shutdown();
            halvingPool.shutdown();
            halvingTransferPool.shutdown();
            forkJoinPool.shutdown();
            drainerPool.shutdown();
        }
        backToBack(rounds, warmUp, sleeper, combined, trivial, params);
        timerFloor(rounds);
    }

    /** Runs each warmer {@code n} times, in turns. */
    private static void warmUp(List<Runnable> warmers, int n) {
        for (int i = 0; i < n; i++) {
            for (Runnable w : warmers) {
                w.run();
            }
        }
    }

    /**
     * Times each design once per round, in a fresh random order each round (seeded, so a run can
     * be repeated): a fixed rotation would always put the same design after the single term, and
     * what ran just before changes how long the first wake-up takes. The first quarter of the
     * rounds warms up.
     *
     * @return the times, one row per design
     */
    private static long[][] timeInTurns(List<Runnable> designs, int rounds) {
        int d = designs.size();
        long[][] times = new long[d][rounds];
        List<Integer> order = new ArrayList<>();
        for (int k = 0; k < d; k++) {
            order.add(k);
        }
        Random random = new Random(20261201L);
        for (int r = -rounds / 4; r < rounds; r++) {
            Collections.shuffle(order, random);
            for (int which : order) {
                long t0 = System.nanoTime();
                designs.get(which).run();
                long dt = System.nanoTime() - t0;
                if (r >= 0) {
                    times[which][r] = dt;
                }
            }
        }
        return times;
    }

    /**
     * Two evaluations run back to back (as in a fit whose optimizer answers at once), against two
     * terms alone one after the other, on a pool like the wrapper's and on one whose idle workers
     * first spin for {@value #SPIN_MICROS} us before they park, so that the second hand-off may
     * find them awake; with the CPU time the workers of each pool used per evaluation.
     */
    private static void backToBack(
            int rounds,
            int warmUp,
            ObjectiveFunction sleeper,
            CombinedObjectiveFunction c,
            CombinedObjectiveFunction trivial,
            Parameters p) {
        List<Thread> plainThreads = new ArrayList<>();
        List<Thread> spinningThreads = new ArrayList<>();
        ThreadPoolExecutor plainPool = pool(TERMS, new LinkedBlockingQueue<>(), plainThreads);
        ThreadPoolExecutor spinningPool = pool(TERMS, new SpinningQueue(SPIN_MICROS * 1000), spinningThreads);
        DispatchScheduler plain = new DispatchScheduler(TaskRunner.of(plainPool), true);
        DispatchScheduler spinning = new DispatchScheduler(TaskRunner.of(spinningPool), true);
        long[] cpu = new long[2];
        try {
            warmUp(List.of(() -> twice(plain, trivial, p), () -> twice(spinning, trivial, p)), warmUp / 2);
            cpu[0] = -cpuNanos(plainThreads);
            cpu[1] = -cpuNanos(spinningThreads);
            long[][] times = timeInTurns(
                    List.of(
                            () -> {
                                sleeper.evaluate(p);
                                sleeper.evaluate(p);
                            },
                            () -> twice(plain, c, p),
                            () -> twice(spinning, c, p)),
                    rounds);
            cpu[0] += cpuNanos(plainThreads);
            cpu[1] += cpuNanos(spinningThreads);
            double a = median(times[0]);
            double evaluations = 2.0 * (rounds + rounds / 4);
            System.out.printf(
                    Locale.ROOT,
                    "2 back to back, pool as the wrapper's      %.3f ms (median)  ratio %.4f  workers' CPU %.0f us per evaluation%n",
                    median(times[1]) / 1e6,
                    median(times[1]) / a,
                    cpu[0] / evaluations / 1e3);
            System.out.printf(
                    Locale.ROOT,
                    "2 back to back, idle workers spin %d us    %.3f ms (median)  ratio %.4f  workers' CPU %.0f us per evaluation%n",
                    SPIN_MICROS,
                    median(times[2]) / 1e6,
                    median(times[2]) / a,
                    cpu[1] / evaluations / 1e3);
        } finally {
            plainPool.shutdown();
            spinningPool.shutdown();
        }
    }

    /** Evaluates twice in a row. */
    private static void twice(DispatchScheduler s, CombinedObjectiveFunction c, Parameters p) {
        s.evaluate(c, new EvaluationContext(p));
        s.evaluate(c, new EvaluationContext(p));
    }

    private static long cpuNanos(List<Thread> threads) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        synchronized (threads) {
            for (Thread t : threads) {
                sum += Math.max(0, mx.getThreadCpuTime(t.getId()));
            }
        }
        return sum;
    }

    /**
     * A pool like the wrapper's own (fixed, prestarted daemon threads that time out when idle) on
     * the given queue; its threads are added to {@code threads}.
     */
    static ThreadPoolExecutor pool(int size, BlockingQueue<Runnable> queue, List<Thread> threads) {
        ThreadPoolExecutor e = new ThreadPoolExecutor(size, size, 60, TimeUnit.SECONDS, queue, r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            synchronized (threads) {
                threads.add(t);
            }
            return t;
        });
        e.allowCoreThreadTimeOut(true);
        e.prestartAllCoreThreads();
        return e;
    }

    /** A queue whose takers poll in a spin loop for a while before they block. */
    private static final class SpinningQueue extends LinkedBlockingQueue<Runnable> {
        private static final long serialVersionUID = 1L;
        private final long spinNanos;

        SpinningQueue(long spinNanos) {
            this.spinNanos = spinNanos;
        }

        @Override
        public Runnable take() throws InterruptedException {
            Runnable r = spin();
            return r != null ? r : super.take();
        }

        @Override
        public Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
            Runnable r = spin();
            return r != null ? r : super.poll(timeout, unit);
        }

        private Runnable spin() {
            long until = System.nanoTime() + spinNanos;
            do {
                Runnable r = poll();
                if (r != null) {
                    return r;
                }
                Thread.onSpinWait();
            } while (System.nanoTime() - until < 0);
            return null;
        }
    }

    /**
     * Hands tasks over as drainers on a pool of idle workers: each drainer runs tasks in term
     * order, claiming them by index, and the caller wakes another worker only while some task is
     * still unclaimed, so trivial terms wake few workers and blocking ones wake one each.
     */
    record Drainers(Executor executor) implements TaskRunner {
        @Override
        public void dispatch(LeafTask task) {
            executor.execute(task);
        }

        @Override
        public void dispatchAll(List<LeafTask> tasks) {
            LeafTask[] all = tasks.toArray(new LeafTask[0]);
            AtomicInteger next = new AtomicInteger();
            Runnable drainer = () -> {
                for (int k = next.getAndIncrement(); k < all.length; k = next.getAndIncrement()) {
                    all[k].run();
                }
            };
            for (int woken = 0; woken < all.length && next.get() < all.length; woken++) {
                executor.execute(drainer);
            }
        }
    }

    /**
     * Hands tasks over by halving: the caller hands over the upper half of the range and keeps
     * halving the rest; each woken worker does the same with its range before it runs the first
     * task of it, so the wake-ups run on every core instead of one after the other.
     */
    record Halving(Executor executor) implements TaskRunner {
        @Override
        public void dispatch(LeafTask task) {
            executor.execute(task);
        }

        @Override
        public void dispatchAll(List<LeafTask> tasks) {
            LeafTask[] all = tasks.toArray(new LeafTask[0]);
            int hi = all.length;
            while (hi > 0) {
                int mid = hi / 2;
                executor.execute(range(all, mid, hi));
                hi = mid;
            }
        }

        private Runnable range(LeafTask[] all, int lo, int end) {
            return () -> {
                int hi = end;
                while (hi - lo > 1) {
                    int mid = (lo + hi + 1) / 2;
                    executor.execute(range(all, mid, hi));
                    hi = mid;
                }
                all[lo].run();
            };
        }
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
