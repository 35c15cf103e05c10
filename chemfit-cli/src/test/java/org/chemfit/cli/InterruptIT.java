package org.chemfit.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends SIGINT to a real {@code chemfit fit} or {@code chemfit eval} running in its own JVM, as
 * Ctrl-C in a terminal does, and checks that it exits with 130 after writing what was finished,
 * saying once that it was interrupted.
 */
@org.junit.jupiter.api.Timeout(value = 240, unit = java.util.concurrent.TimeUnit.SECONDS)
class InterruptIT {

    @TempDir
    Path tmp;

    /**
     * Kills a running {@code chemfit} and the programs it started with SIGKILL, as the end of an
     * allocation does, and waits until all have exited. The JVM is frozen (SIGSTOP) before its
     * programs are listed, so that none starts between the listing and the kill and runs on as an
     * orphan.
     */
    static void killWithPrograms(Process p) throws Exception {
        Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(p.pid()))
                .inheritIO()
                .start();
        assertTrue(stop.waitFor(10, TimeUnit.SECONDS) && stop.exitValue() == 0, "kill -STOP failed");
        List<ProcessHandle> children = p.descendants().toList();
        p.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue());
        for (ProcessHandle c : children) {
            c.onExit().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Starts {@code chemfit ARGS} in a new JVM on this test's class path. SIGINT is reset to its
     * default first (env --default-signal), since a JVM ignores SIGINT when it inherits it ignored,
     * as background jobs of a shell do.
     */
    static Process start(Path dir, String... args) throws IOException {
        return start(dir, List.of(), args);
    }

    /** As {@link #start(Path, String...)}, with options for the command's JVM. */
    static Process start(Path dir, List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (envResetsSignals()) {
            cmd.addAll(List.of("env", "--default-signal=INT"));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile())
                .start();
    }

    private static boolean envResetsSignals() {
        try {
            Process p = new ProcessBuilder("env", "--default-signal=INT", "true").start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static void sigint(Process p) throws IOException, InterruptedException {
        signal(p, "INT");
    }

    /** Sends SIGTERM to the process, as a batch system does at the end of an allocation. */
    static void sigterm(Process p) throws IOException, InterruptedException {
        signal(p, "TERM");
    }

    /** Sends the signal of that name (TERM, HUP, INT) to the process. */
    static void signal(Process p, String name) throws IOException, InterruptedException {
        // The JVM has no API to send a signal; kill(1) is the portable way on Linux and macOS.
        Process k = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid()))
                .inheritIO()
                .start();
        assertTrue(k.waitFor(10, TimeUnit.SECONDS) && k.exitValue() == 0, "kill -" + name + " failed");
    }

    /** Waits until the fit has written at least {@code n} evaluations, failing after a minute. */
    static void awaitEvaluations(Process p, Path csv, int n, Path dir) {
        try {
            await().atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(50))
                    .failFast(() -> assertTrue(
                            p.isAlive(),
                            () -> "chemfit ended before it was interrupted: exit " + p.exitValue() + "\n"
                                    + output(dir)))
                    .untilAsserted(() -> assertTrue(
                            Files.exists(csv) && Files.readAllLines(csv).size() > n,
                            () -> "no " + n + " evaluations within a minute\n" + output(dir)));
        } catch (ConditionTimeoutException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** @return what the child printed, for a failure message (which an unreadable file must not replace) */
    static String output(Path dir) {
        return "--- stdout\n" + read(dir.resolve("stdout.txt")) + "--- stderr\n" + read(dir.resolve("stderr.txt"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")\n";
        }
    }

    /**
     * Writes {@code fit.yaml} (output folder {@code out}) fitting Lennard-Jones to one cubic
     * lattice of {@code side^3} argon atoms 3.8 Angstrom apart: an in-process job whose every
     * evaluation is slow enough to be stopped midway.
     */
    static void writeSlowLatticeJob(Path dir, int side) throws IOException {
        int n = side * side * side;
        StringBuilder xyz =
                new StringBuilder(n + "\n" + side + " x " + side + " x " + side + " argon atoms, 3.8 Angstrom apart\n");
        for (int i = 0; i < side; i++) {
            for (int j = 0; j < side; j++) {
                for (int k = 0; k < side; k++) {
                    xyz.append(String.format(Locale.ROOT, "Ar %.2f %.2f %.2f%n", 3.8 * i, 3.8 * j, 3.8 * k));
                }
            }
        }
        Files.writeString(dir.resolve("lattice.xyz"), xyz);
        Files.writeString(dir.resolve("energy.csv"), "file,reference_energy\nlattice.xyz,-5000.0\n");
        Files.writeString(
                dir.resolve("fit.yaml"),
                String.join(
                        "\n",
                        "parameters:",
                        "  lj: {epsilon: {initial: 1.0, bounds: [0.1, 10]}, sigma: {initial: 3.0, bounds: [2, 4]}}",
                        "terms:",
                        "  - kind: atoms",
                        "    reference: energy.csv",
                        "    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}",
                        "optimizer: {max_evaluations: 100000}",
                        "output: {folder: out}",
                        ""));
    }

    @Test
    void ctrlCDuringAnInProcessFitWritesResultsAndExits130() throws Exception {
        // A lattice of 4096 argon atoms: each evaluation sums 8 million pairs, slow enough to interrupt.
        writeSlowLatticeJob(tmp, 16);
        Process p = start(tmp, "fit", "fit.yaml", "--progress", "log", "--progress-interval", "0.2");
        try {
            awaitEvaluations(p, tmp.resolve("out/evaluations.csv"), 3, tmp);
            sigint(p);
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chemfit did not stop within 90 s of SIGINT");
        } finally {
            p.destroyForcibly();
        }
        String out = output(tmp);
        assertEquals(ExitCodes.INTERRUPTED, p.exitValue(), out);
        JsonNode res =
                new ObjectMapper().readTree(tmp.resolve("out/results.json").toFile());
        assertEquals("interrupted", res.get("status").asText(), out);
        int total = res.at("/evaluations/total").asInt();
        assertTrue(total >= 3, out);
        assertEquals(
                total + 1,
                Files.readAllLines(tmp.resolve("out/evaluations.csv")).size(),
                out);
        assertTrue(res.at("/best_parameters/lj/epsilon").isNumber(), out);
        assertEquals(
                List.of("interrupted: stopping the running terms and writing what is finished"),
                read(tmp.resolve("stderr.txt"))
                        .lines()
                        .filter(l -> l.contains("interrupted"))
                        .toList(),
                out);
        assertTrue(out.contains("fit: interrupted"), out);
        assertPlotsAndPredictionsAtTheBest(tmp.resolve("out"), res, out);
    }

    /**
     * An interrupted fit of {@link #writeSlowLatticeJob} wrote, as a finished fit does, its plots and
     * predictions.csv at its best point so far: the lattice's energy, reference -5000, and the model's value
     * that results.json gives.
     */
    static void assertPlotsAndPredictionsAtTheBest(Path out, JsonNode res, String log) throws IOException {
        for (String plot : List.of("loss", "parity-energy")) {
            for (String ext : List.of(".svg", ".png")) {
                assertTrue(Files.size(out.resolve("plots/" + plot + ext)) > 0, plot + ext + "\n" + log);
            }
        }
        List<String> rows = Files.readAllLines(out.resolve(Judgement.FILE));
        assertEquals(2, rows.size(), rows + "\n" + log);
        String[] row = rows.get(1).split(",", -1);
        assertEquals(List.of("fit", "energy", "-5000"), List.of(row[0], row[3], row[4].replaceAll("\\.0+$", "")), log);
        double best = Double.parseDouble(row[6]);
        assertEquals(res.at("/terms/0/computed/energy/0").asDouble(), best, Math.abs(best) * 1e-12, rows + "\n" + log);
        assertTrue(Files.readString(out.resolve("plots/parity-energy.svg")).contains("fit (1)"), log);
    }

    /**
     * Writes a job of one external term whose program ignores SIGTERM, so that its kill grace of 8
     * s holds a stop up before SIGKILL.
     */
    private void graceHoldingJob(String name, String... more) throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "parameters: {x: {initial: 1.0, bounds: [0.0, 2.0]}}",
                "terms:",
                "  - name: slow",
                "    kind: external",
                "    command: [sh, -c, 'trap \"\" TERM; sleep 60']",
                "    kill_grace: 8s",
                "    outputs: {e: {parser: regex, file: program.stdout, pattern: 'e = (\\S+)'}}",
                "    reference: {e: 1.0}"));
        lines.addAll(List.of(more));
        lines.add("");
        Files.writeString(tmp.resolve(name), String.join("\n", lines));
    }

    /**
     * A second Ctrl-C while the first one's stop waits for a program's kill grace is answered (the
     * JVM itself ignores it): the stop goes on, and the command still exits with 130.
     */
    @Test
    void aSecondCtrlCWhileTheStopIsUnderWaySaysSoAndTheStopGoesOn() throws Exception {
        graceHoldingJob("eval.yaml");
        Process p = start(tmp, "eval", "eval.yaml");
        Path stderr = tmp.resolve("stderr.txt");
        try {
            await().atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(50))
                    .failFast(() -> assertTrue(p.isAlive(), () -> "eval ended early\n" + output(tmp)))
                    .until(() -> p.descendants()
                            .anyMatch(h -> h.info().command().orElse("").endsWith("sleep")));
            sigint(p);
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> read(stderr).contains("interrupted: stopping the running terms\n"));
            assertTrue(p.isAlive(), () -> "the program's kill grace holds the stop\n" + output(tmp));
            sigint(p);
            // the wait for the results runs 60 s beyond the job's longest kill grace, 8 s here: what
            // is left of it, seconds after the first Ctrl-C
            java.util.regex.Pattern still = java.util.regex.Pattern.compile(
                    "still stopping the running terms, each running program within its kill grace \\(8 s at most\\);"
                            + " what is finished is waited for (\\d+) s more at most; kill -9 ends the process at"
                            + " once\n");
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .failFast(() -> assertTrue(p.isAlive(), () -> "ended before\n" + output(tmp)))
                    .until(() -> still.matcher(read(stderr)).find());
            java.util.regex.Matcher said = still.matcher(read(stderr));
            assertTrue(said.find());
            long left = Long.parseLong(said.group(1));
            assertTrue(
                    left <= Interrupts.WAIT_SECONDS + 8 && left >= Interrupts.WAIT_SECONDS + 8 - 30,
                    () -> left + " s left\n" + output(tmp));
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), () -> "eval did not stop\n" + output(tmp));
            assertEquals(ExitCodes.INTERRUPTED, p.exitValue(), () -> output(tmp));
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * With the progress bar (a terminal's default), the answer to a second Ctrl-C begins a line of
     * its own: the bar is not drawn again once the stop is announced, so the words do not follow it.
     */
    @Test
    void aSecondCtrlCUnderTheProgressBarIsSaidOnALineOfItsOwn() throws Exception {
        graceHoldingJob("fit.yaml", "output: {folder: out, plots: false}");
        Process p = start(tmp, "fit", "fit.yaml", "--progress", "bar");
        Path stderr = tmp.resolve("stderr.txt");
        try {
            await().atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(50))
                    .failFast(() -> assertTrue(p.isAlive(), () -> "fit ended early\n" + output(tmp)))
                    .until(() -> p.descendants()
                                    .anyMatch(h -> h.info().command().orElse("").endsWith("sleep"))
                            && read(stderr).contains("evaluations"));
            sigint(p);
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> read(stderr).contains("interrupted: stopping the running terms"));
            // the bar's ticks (every 250 ms) would have drawn it again by now
            Thread.sleep(1000);
            sigint(p);
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .failFast(() -> assertTrue(p.isAlive(), () -> "ended before\n" + output(tmp)))
                    .until(() -> read(stderr).contains("still stopping"));
            List<String> lines = List.of(read(stderr).split("[\r\n]"));
            assertTrue(
                    lines.stream()
                            .anyMatch(l -> l.startsWith("still stopping the running terms and writing what is"
                                    + " finished, each running program within its kill grace (8 s at most)")),
                    () -> output(tmp));
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), () -> "fit did not stop\n" + output(tmp));
            assertEquals(ExitCodes.INTERRUPTED, p.exitValue(), () -> output(tmp));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void ctrlCDuringAnEvalStopsItsProgramAndSaysSo() throws Exception {
        Files.writeString(
                tmp.resolve("eval.yaml"),
                String.join(
                        "\n",
                        "parameters: {x: {initial: 1.0, bounds: [0.0, 2.0]}}",
                        "terms:",
                        "  - name: slow",
                        "    kind: external",
                        "    command: [sleep, '60']",
                        "    outputs: {e: {parser: regex, file: program.stdout, pattern: 'e = (\\S+)'}}",
                        "    reference: {e: 1.0}",
                        ""));
        Process p = start(tmp, "eval", "eval.yaml");
        try {
            await().atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(50))
                    .failFast(() -> assertTrue(p.isAlive(), () -> "eval ended early\n" + output(tmp)))
                    .until(() -> p.descendants()
                            .anyMatch(h -> h.info().command().orElse("").endsWith("sleep")));
            List<ProcessHandle> programs = p.descendants().toList();
            sigint(p);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), () -> "eval did not stop\n" + output(tmp));
            assertEquals(ExitCodes.INTERRUPTED, p.exitValue(), () -> output(tmp));
            // said once, by the guard that stops the terms: no bare "interrupted" follows it
            assertEquals(
                    List.of("interrupted: stopping the running terms"),
                    read(tmp.resolve("stderr.txt"))
                            .lines()
                            .filter(l -> l.contains("interrupted"))
                            .toList(),
                    () -> output(tmp));
            for (ProcessHandle h : programs) {
                h.onExit().get(30, TimeUnit.SECONDS); // the sleep was killed, not left running
            }
        } finally {
            p.destroyForcibly();
        }
    }
}
