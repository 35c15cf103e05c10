package org.chemfit.benchmarks;

import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
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
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.cluster.ClusterMemberConfig;
import org.chemfit.cluster.ClusterOptions;
import org.chemfit.cluster.ClusterSecret;
import org.chemfit.cluster.ClusterWrapperCOB;
import org.chemfit.cluster.ObjectiveFactory;
import org.chemfit.cluster.WorkerMain;

/**
 * End-to-end timing of the cluster on loopback, printed as Markdown: the round trip of one task
 * (one worker JVM, one thread, a term that returns at once), and the throughput of 1, 2 and 3
 * worker JVMs on terms that sleep 50 ms. Not a test: run it by hand (see docs/benchmarks.md).
 * The driver is a member in this JVM; each worker is {@link WorkerMain} in a JVM of its own,
 * started from the same jar.
 *
 * <pre>{@code
 * java -cp chemfit-benchmarks/target/benchmarks.jar org.chemfit.benchmarks.ClusterHarness [threadsPerWorker] [requests]
 * }</pre>
 *
 * @implNote Not thread-safe; a main program.
 */
public final class ClusterHarness {

    private ClusterHarness() {}

    /**
     * The driver of a benchmark: a member in this JVM on a free loopback port, a fresh secret, a
     * temporary folder for the workers' logs, and the options a wrapper runs with.
     */
    record Driver(String secret, Path dir, int port, String cluster, HazelcastInstance member, ClusterOptions options) {

        /**
         * @param folderPrefix the prefix of the temporary folder
         * @param clusterPrefix the prefix of the cluster's name (the process id follows)
         * @return the driver, a member of a cluster of its own
         * @throws IOException when no folder or port can be had
         */
        static Driver start(String folderPrefix, String clusterPrefix) throws IOException {
            byte[] raw = new byte[24];
            new SecureRandom().nextBytes(raw);
            String secret = HexFormat.of().formatHex(raw);
            Path dir = Files.createTempDirectory(folderPrefix);
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            String cluster = clusterPrefix + "-" + ProcessHandle.current().pid();
            HazelcastInstance member = ClusterMemberConfig.builder(cluster)
                    .join(List.of("127.0.0.1:" + port))
                    .port(port, 1)
                    .build()
                    .newMember();
            ClusterOptions options = ClusterOptions.builder(ClusterSecret.of(secret))
                    .memberWait(Duration.ofMinutes(2))
                    .build();
            return new Driver(secret, dir, port, cluster, member, options);
        }
    }

    /** The objective of the workers and of the driver: {@code flat} leaves that sleep {@code sleepMs}. */
    public static final class SleepTerms implements ObjectiveFactory {

        /** For {@link WorkerMain}. */
        public SleepTerms() {}

        @Override
        public CombinedObjectiveFunction create(Map<String, String> options) {
            int n = Integer.parseInt(options.getOrDefault("flat", "6"));
            long sleepMs = Long.parseLong(options.getOrDefault("sleepMs", "0"));
            List<ObjectiveFunction> terms = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                final int kk = k;
                terms.add(p -> {
                    if (sleepMs > 0) {
                        try {
                            Thread.sleep(sleepMs);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new EvaluationCancelledException("interrupted", e);
                        }
                    }
                    return Math.pow(p.get("x") - kk, 2) + Math.sin(p.get("y") * (kk + 1));
                });
            }
            return new CombinedObjectiveFunction(terms);
        }
    }

    /** A worker JVM. */
    static final class Worker implements AutoCloseable {
        private static final java.util.regex.Pattern JOINED =
                java.util.regex.Pattern.compile("worker ([0-9a-f-]{36}) joined cluster");
        final Process process;
        final Path log;

        Worker(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static Worker start(
                String name,
                Path dir,
                String secret,
                String cluster,
                int joinPort,
                int threads,
                Map<String, String> options,
                List<String> extra)
                throws java.io.IOException {
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-XX:+UseSerialGC",
                    "--add-modules",
                    "java.se",
                    "--add-opens",
                    "java.base/java.lang=ALL-UNNAMED",
                    "--add-opens",
                    "java.base/sun.nio.ch=ALL-UNNAMED",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-cp",
                    System.getProperty("java.class.path"),
                    WorkerMain.class.getName(),
                    "--factory",
                    SleepTerms.class.getName(),
                    "--cluster",
                    cluster,
                    "--join",
                    "127.0.0.1:" + joinPort,
                    "--port",
                    Integer.toString(joinPort + 1),
                    "--threads",
                    Integer.toString(threads)));
            cmd.addAll(extra);
            options.forEach((k, v) -> {
                cmd.add("--option");
                cmd.add(k + "=" + v);
            });
            Path log = dir.resolve(name + ".out");
            ProcessBuilder pb =
                    new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().remove(ClusterSecret.ENV_FILE);
            pb.environment().put(ClusterSecret.ENV, secret);
            return new Worker(pb.start(), log);
        }

        String awaitUuid(Duration timeout) throws Exception {
            long end = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < end) {
                String out = Files.exists(log) ? Files.readString(log) : "";
                var m = JOINED.matcher(out);
                if (m.find()) {
                    return m.group(1);
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException("worker exited before joining:\n" + out);
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("worker did not join within " + timeout);
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * @param args threads per worker JVM (4), requests per run (80)
     * @throws Exception when a worker does not start
     */
    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 80;
        long sleepMs = 50;
        Driver d = Driver.start("chemfit-cluster-bench", "bench");
        String secret = d.secret();
        Path dir = d.dir();
        int port = d.port();
        String cluster = d.cluster();
        HazelcastInstance driver = d.member();
        ClusterOptions options = d.options();
        List<Worker> workers = new ArrayList<>();
        StringBuilder report = new StringBuilder();
        try {
            // ---- round trip of one task
            Worker rt = Worker.start("rt", dir, secret, cluster, port, 1, Map.of("flat", "1"), List.of());
            workers.add(rt);
            rt.awaitUuid(Duration.ofMinutes(2));
            CombinedObjectiveFunction one = new SleepTerms().create(Map.of("flat", "1"));
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
            report.append("Round trip of one task (driver -> worker JVM -> driver, ")
                    .append(micros.length)
                    .append(" sequential evaluations after 2000 warm-up):\n\n")
                    .append("| mean | median | p90 | p99 |\n| --- | --- | --- | --- |\n")
                    .append(String.format(
                            "| %.0f us | %.0f us | %.0f us | %.0f us |%n%n",
                            mean, pct(micros, 50), pct(micros, 90), pct(micros, 99)));
            System.out.print(report);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (driver.getCluster().getMembers().size() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }

            // ---- throughput with 1, 2, 3 workers, without and with prefetching
            Map<String, String> opts = Map.of("flat", "6", "sleepMs", Long.toString(sleepMs));
            CombinedObjectiveFunction six = new SleepTerms().create(Map.of("flat", "6"));
            report.append("Throughput on terms that sleep ")
                    .append(sleepMs)
                    .append(" ms (")
                    .append(threads)
                    .append(" threads per worker JVM, ")
                    .append(requests)
                    .append(" requests of 6 terms = ")
                    .append(requests * 6)
                    .append(" tasks per run, one evaluateMany; median of 3 runs):\n\n")
                    .append("| worker JVMs | prefetch | tasks/s | ideal tasks/s | of ideal | scaling vs 1 worker |\n")
                    .append("| --- | --- | --- | --- | --- | --- |\n");
            for (int prefetch : new int[] {0, 1}) {
                double base = Double.NaN;
                List<Worker> round = new ArrayList<>();
                try (ClusterWrapperCOB cob = new ClusterWrapperCOB(six, driver, options)) {
                    for (int w = 1; w <= 3; w++) {
                        Worker wp = Worker.start(
                                "p" + prefetch + "w" + w,
                                dir,
                                secret,
                                cluster,
                                port,
                                threads,
                                opts,
                                List.of("--prefetch", Integer.toString(prefetch)));
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
                        String line = String.format(
                                "| %d | %d | %.1f | %.1f | %.3f | %.3f |%n",
                                w, prefetch, rate, ideal, rate / ideal, rate / (w * base));
                        report.append(line);
                        System.out.print(line);
                    }
                }
                for (Worker wp : round) {
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
            for (Worker w : workers) {
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
