package org.chemfit.benchmarks;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.cluster.ClusterOptions;
import org.chemfit.cluster.ClusterWrapperCOB;

/**
 * What a task costs on the cluster beyond the term itself, side by side in one run: a batch of
 * in-process terms evaluated serially in this JVM, the same batch on one worker JVM with one thread
 * (so tasks run strictly one after the other; once the terms are timed, the driver sends these
 * short ones several to a call, so a round trip is shared among them), and a bare Hazelcast
 * round trip to that worker (an {@code IMap.get} of a key whose partition the worker owns: one
 * remote operation and its response, the transport's own floor). Then, optionally, the speedup of
 * two one-thread workers over one on terms that sleep 500 ms. Prints medians per task.
 *
 * <pre>{@code
 * java -cp chemfit-benchmarks/target/benchmarks.jar org.chemfit.benchmarks.ClusterRoundTripHarness [rounds=7] [requests=80] [speedup|-] [prefetch=0]
 * }</pre>
 *
 * @implNote A main program, not thread-safe.
 */
public final class ClusterRoundTripHarness {

    private static final int TERMS = 8;

    private ClusterRoundTripHarness() {}

    /**
     * @param args rounds (7), requests of 8 terms per batch (80), "speedup" to measure two workers against one (or "-"),
     *     and the worker's prefetch (0)
     * @throws Exception when a worker does not start or a task fails
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 80;
        boolean speedup = args.length > 2 && args[2].equals("speedup");
        String prefetch = args.length > 3 ? args[3] : "0";
        ClusterHarness.Driver d = ClusterHarness.Driver.start("chemfit-roundtrip", "roundtrip");
        String secret = d.secret();
        Path dir = d.dir();
        int port = d.port();
        String cluster = d.cluster();
        HazelcastInstance driver = d.member();
        ClusterOptions options = d.options();
        Map<String, String> flat = Map.of("flat", Integer.toString(TERMS));
        CombinedObjectiveFunction objective = new ClusterHarness.SleepTerms().create(flat);
        List<ClusterHarness.Worker> workers = new ArrayList<>();
        int tasks = requests * TERMS;
        try {
            ClusterHarness.Worker w = ClusterHarness.Worker.start(
                    "rt", dir, secret, cluster, port, 1, flat, List.of("--prefetch", prefetch));
            workers.add(w);
            UUID worker = UUID.fromString(w.awaitUuid(Duration.ofMinutes(2)));
            IMap<String, String> ping = driver.getMap("chemfit-bench-ping");
            String key = keyOwnedBy(driver, worker);
            ping.set(key, "x");
            double[] serial = new double[rounds];
            double[] remote = new double[rounds];
            double[] bare = new double[rounds];
            try (ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, driver, options)) {
                for (int r = -2; r < rounds; r++) { // two rounds of warm-up
                    long t0 = System.nanoTime();
                    for (EvaluationContext c : batch(requests, "s" + r)) {
                        objective.evaluate(c.parameters(), c);
                    }
                    long t1 = System.nanoTime();
                    List<EvaluationContext> b = batch(requests, "c" + r);
                    cob.evaluateMany(b);
                    long t2 = System.nanoTime();
                    for (EvaluationContext c : b) {
                        if (c.status() == EvaluationContext.Status.FAILED) {
                            throw new IllegalStateException("evaluation failed", c.failure());
                        }
                    }
                    for (int i = 0; i < tasks; i++) {
                        if (ping.get(key) == null) {
                            throw new IllegalStateException("ping lost its value");
                        }
                    }
                    long t3 = System.nanoTime();
                    if (r >= 0) {
                        serial[r] = (t1 - t0) / 1e3 / tasks;
                        remote[r] = (t2 - t1) / 1e3 / tasks;
                        bare[r] = (t3 - t2) / 1e3 / tasks;
                    }
                }
            }
            double[] added = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                added[r] = remote[r] - serial[r];
            }
            System.out.printf(
                    Locale.ROOT,
                    "%d rounds of %d tasks (%d requests of %d in-process terms), prefetch %s, load average %.2f%n",
                    rounds,
                    tasks,
                    requests,
                    TERMS,
                    prefetch,
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                            .getSystemLoadAverage());
            System.out.printf(
                    Locale.ROOT, "serial, per task                       %8.1f us (median)%n", median(serial));
            System.out.printf(
                    Locale.ROOT,
                    "one worker JVM, one thread, per task   %8.1f us (median)  rounds: %s%n",
                    median(remote),
                    list(remote));
            System.out.printf(Locale.ROOT, "added per task                         %8.1f us (median)%n", median(added));
            System.out.printf(
                    Locale.ROOT,
                    "bare remote operation round trip       %8.1f us (median)  rounds: %s%n",
                    median(bare),
                    list(bare));
            if (speedup) {
                speedup(driver, options, dir, secret, cluster, port, workers);
            }
        } finally {
            for (ClusterHarness.Worker w : workers) {
                w.close();
            }
            driver.getLifecycleService().terminate();
        }
        System.exit(0);
    }

    /** Two one-thread workers against one, on 8 terms that sleep 500 ms (one evaluation, median of 3). */
    private static void speedup(
            HazelcastInstance driver,
            ClusterOptions options,
            Path dir,
            String secret,
            String cluster,
            int port,
            List<ClusterHarness.Worker> workers)
            throws Exception {
        Map<String, String> slow = Map.of("flat", Integer.toString(TERMS), "sleepMs", "500");
        CombinedObjectiveFunction objective = new ClusterHarness.SleepTerms().create(slow);
        for (ClusterHarness.Worker w : workers) {
            w.close();
        }
        workers.clear();
        double[] one = new double[3];
        double[] two = new double[3];
        try (ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, driver, options)) {
            for (int n = 1; n <= 2; n++) {
                ClusterHarness.Worker w =
                        ClusterHarness.Worker.start("slow" + n, dir, secret, cluster, port, 1, slow, List.of());
                workers.add(w);
                String uuid = w.awaitUuid(Duration.ofMinutes(2));
                while (!cob.stats().verifiedMembers().contains(uuid)) {
                    cob.evaluateMany(batch(1, "warm" + n));
                }
                for (int k = 0; k < 3; k++) {
                    long t0 = System.nanoTime();
                    cob.evaluateMany(batch(1, "run" + n + "-" + k));
                    (n == 1 ? one : two)[k] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        System.out.printf(
                Locale.ROOT,
                "8 terms of 500 ms: one worker %.0f ms, two workers %.0f ms (medians of 3), speedup %.3f%n",
                median(one),
                median(two),
                median(one) / median(two));
    }

    private static String keyOwnedBy(HazelcastInstance hz, UUID member) throws InterruptedException {
        for (int wait = 0; wait < 600; wait++) {
            for (int i = 0; i < 10_000; i++) {
                String k = "k" + i;
                var owner = hz.getPartitionService().getPartition(k).getOwner();
                if (owner != null && owner.getUuid().equals(member)) {
                    return k;
                }
            }
            Thread.sleep(100); // partitions migrate to a member that just joined
        }
        throw new IllegalStateException("the worker owns no partition");
    }

    private static List<EvaluationContext> batch(int n, String prefix) {
        List<EvaluationContext> b = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.1 + 0.01 * i, -0.2});
            b.add(new EvaluationContext(p, prefix + "-" + i));
        }
        return b;
    }

    private static String list(double[] xs) {
        StringBuilder s = new StringBuilder();
        for (double x : xs) {
            s.append(s.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.0f", x));
        }
        return s.toString();
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }
}
