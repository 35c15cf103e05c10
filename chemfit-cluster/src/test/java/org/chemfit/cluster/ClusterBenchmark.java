package org.chemfit.cluster;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;

import com.hazelcast.core.HazelcastInstance;

/**
 * End-to-end timing of the cluster on loopback, printed as Markdown: the round trip of one task
 * (one worker JVM, one thread, a term that returns at once), and the throughput of 1, 2 and 3
 * worker JVMs on terms that sleep 50 ms. Not a test: run it by hand (see docs/benchmarks.md).
 *
 * <pre>{@code
 * java -cp ... org.chemfit.cluster.ClusterBenchmark [threadsPerWorker] [requests]
 * }</pre>
 */
public final class ClusterBenchmark {

    private ClusterBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 80;
        long sleepMs = 50;
        byte[] raw = new byte[24];
        new SecureRandom().nextBytes(raw);
        String secret = HexFormat.of().formatHex(raw);
        Path dir = Files.createTempDirectory("chemfit-cluster-bench");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String cluster = "bench-" + ProcessHandle.current().pid();
        HazelcastInstance driver = ClusterMemberConfig.builder(cluster).join(List.of("127.0.0.1:" + port)).port(port, 1).build()
                .newMember();
        ClusterOptions options = ClusterOptions.builder(ClusterSecret.of(secret)).memberWait(Duration.ofMinutes(2)).build();
        List<WorkerProcess> workers = new ArrayList<>();
        StringBuilder report = new StringBuilder();
        try {
            // ---- round trip of one task
            WorkerProcess rt = WorkerProcess.start("rt", dir, secret, cluster, port, port + 1, 1, Map.of("flat", "1"));
            workers.add(rt);
            rt.awaitUuid(Duration.ofMinutes(2));
            CombinedObjectiveFunction one = new TestObjectives().create(Map.of("flat", "1"));
            Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.3, 0.2});
            double[] micros;
            try (ClusterWrapperCOB cob = new ClusterWrapperCOB(one, driver, options)) {
                for (int i = 0; i < 2000; i++) {
                    cob.evaluate(p);
                }
                int n = 5000;
                micros = new double[n];
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    cob.evaluate(p);
                    micros[i] = (System.nanoTime() - t0) / 1e3;
                }
            }
            rt.close();
            Arrays.sort(micros);
            double mean = Arrays.stream(micros).average().orElse(Double.NaN);
            report.append("Round trip of one task (driver -> worker JVM -> driver, ").append(micros.length)
                    .append(" sequential evaluations after 2000 warm-up):\n\n")
                    .append("| mean | median | p90 | p99 |\n| --- | --- | --- | --- |\n")
                    .append(String.format("| %.0f us | %.0f us | %.0f us | %.0f us |%n%n", mean, pct(micros, 50), pct(micros, 90),
                            pct(micros, 99)));
            System.out.print(report);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (driver.getCluster().getMembers().size() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }

            // ---- throughput with 1, 2, 3 workers, without and with prefetching
            Map<String, String> opts = Map.of("flat", "6", "sleepMs", Long.toString(sleepMs));
            CombinedObjectiveFunction six = new TestObjectives().create(Map.of("flat", "6"));
            report.append("Throughput on terms that sleep ").append(sleepMs).append(" ms (").append(threads)
                    .append(" threads per worker JVM, ").append(requests).append(" requests of 6 terms = ").append(requests * 6)
                    .append(" tasks per run, one evaluateMany; median of 3 runs):\n\n")
                    .append("| worker JVMs | prefetch | tasks/s | ideal tasks/s | of ideal | scaling vs 1 worker |\n")
                    .append("| --- | --- | --- | --- | --- | --- |\n");
            for (int prefetch : new int[] {0, 1}) {
                double base = Double.NaN;
                List<WorkerProcess> round = new ArrayList<>();
                try (ClusterWrapperCOB cob = new ClusterWrapperCOB(six, driver, options)) {
                    for (int w = 1; w <= 3; w++) {
                        WorkerProcess wp = WorkerProcess.start("p" + prefetch + "w" + w, dir, secret, cluster, port, port + 1,
                                threads, opts, List.of("--prefetch", Integer.toString(prefetch)));
                        workers.add(wp);
                        round.add(wp);
                        String uuid = wp.awaitUuid(Duration.ofMinutes(2));
                        batch(cob, 2 * w * threads, "warm"); // warms up and lets the new worker prove the secret
                        while (!cob.stats().verifiedMembers().contains(uuid)) {
                            batch(cob, w * threads, "warm");
                        }
                        // the median of three runs: this machine is shared, single runs are noisy
                        double[] rates = new double[3];
                        for (int k = 0; k < rates.length; k++) {
                            long t0 = System.nanoTime();
                            batch(cob, requests, "run" + w + "-" + k);
                            rates[k] = requests * 6 / ((System.nanoTime() - t0) / 1e9);
                        }
                        Arrays.sort(rates);
                        double rate = rates[1];
                        double ideal = w * threads * 1000.0 / sleepMs;
                        if (w == 1) {
                            base = rate;
                        }
                        String line = String.format("| %d | %d | %.1f | %.1f | %.3f | %.3f |%n", w, prefetch, rate, ideal, rate / ideal,
                                rate / (w * base));
                        report.append(line);
                        System.out.print(line);
                    }
                }
                for (WorkerProcess wp : round) {
                    wp.close();
                }
                long gone = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (driver.getCluster().getMembers().size() > 1 && System.nanoTime() < gone) {
                    Thread.sleep(100);
                }
            }
            System.out.println();
            System.out.println(report);
        } finally {
            for (WorkerProcess w : workers) {
                w.close();
            }
            driver.getLifecycleService().terminate();
        }
        System.exit(0);
    }

    private static void batch(ClusterWrapperCOB cob, int n, String prefix) {
        List<EvaluationContext> b = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.1 + 0.01 * i, -0.2});
            b.add(new EvaluationContext(p, prefix + "-" + i));
        }
        cob.evaluateMany(b);
        for (EvaluationContext c : b) {
            if (c.status() == EvaluationContext.Status.FAILED) {
                throw new IllegalStateException("evaluation failed", c.failure());
            }
        }
    }

    private static double pct(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
