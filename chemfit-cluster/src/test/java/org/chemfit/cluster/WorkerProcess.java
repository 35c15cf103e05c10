package org.chemfit.cluster;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A worker in its own JVM, started with the test class path; its output goes to a file. */
final class WorkerProcess implements AutoCloseable {

    private static final Pattern JOINED = Pattern.compile("worker ([0-9a-f-]{36}) joined cluster");

    static final List<String> JVM_OPTIONS = List.of(
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "--add-modules",
            "java.se",
            "--add-exports",
            "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.lang=ALL-UNNAMED",
            "--add-opens",
            "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens",
            "java.management/sun.management=ALL-UNNAMED",
            "--add-opens",
            "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "-Dorg.slf4j.simpleLogger.log.com.hazelcast=warn");

    final String name;
    final Process process;
    final Path log;

    private WorkerProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code WorkerMain} with the test objective.
     *
     * @param dir where the output file goes
     * @param secret the secret, passed in the environment
     * @param args cluster, join, port, threads and options
     */
    static WorkerProcess start(
            String name,
            Path dir,
            String secret,
            String cluster,
            int joinPort,
            int port,
            int threads,
            Map<String, String> options) {
        return start(name, dir, secret, cluster, joinPort, port, threads, options, List.of());
    }

    static WorkerProcess start(
            String name,
            Path dir,
            String secret,
            String cluster,
            int joinPort,
            int port,
            int threads,
            Map<String, String> options,
            List<String> extraArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_OPTIONS);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(WorkerMain.class.getName());
        cmd.addAll(List.of(
                "--factory",
                TestObjectives.class.getName(),
                "--cluster",
                cluster,
                "--join",
                "127.0.0.1:" + joinPort,
                "--bind",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--threads",
                Integer.toString(threads)));
        cmd.addAll(extraArgs);
        options.forEach((k, v) -> {
            cmd.add("--option");
            cmd.add(k + "=" + v);
        });
        Path log = dir.resolve(name + ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove(ClusterSecret.ENV_FILE);
        pb.environment().put(ClusterSecret.ENV, secret);
        try {
            return new WorkerProcess(name, pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return the worker's member UUID, once it printed that it joined
     * @throws org.awaitility.core.ConditionTimeoutException when it did not within the time, with its output
     * @throws org.awaitility.core.TerminalFailureException when it exited before joining, with its output
     */
    String awaitUuid(Duration timeout) {
        AtomicReference<String> uuid = new AtomicReference<>();
        await(name + " to join")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(50))
                .failFast(() -> {
                    // a worker refused after it joined exits soon after: what it printed decides
                    if (!process.isAlive() && !JOINED.matcher(output()).find()) {
                        throw new AssertionError(
                                name + " exited with " + process.exitValue() + " before joining:\n" + output());
                    }
                })
                .untilAsserted(() -> {
                    String out = output();
                    Matcher m = JOINED.matcher(out);
                    if (!m.find()) {
                        throw new AssertionError(name + " did not join within " + timeout + ":\n" + out);
                    }
                    uuid.set(m.group(1));
                });
        return uuid.get();
    }

    /**
     * Sends a signal to the worker's JVM with {@code kill}: STOP freezes it (a task it holds can
     * then neither finish nor be reported), CONT lets it go on.
     *
     * @param name the signal's name, e.g. STOP or CONT
     */
    void signal(String name) throws IOException, InterruptedException {
        Process k = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                .redirectErrorStream(true)
                .start();
        if (k.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed: "
                    + new String(k.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** SIGKILL, as a node failure would. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
