package org.chemfit.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chemfit worker} and {@code chemfit fit --cluster}, each in its own JVM on 127.0.0.1
 * (the secret travels in the environment, as it must): the cluster fit of the argon example
 * gives the serial fit's result, bit for bit, and every term ran on the worker.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterCliIT {

    static final String SECRET =
            "cluster-cli-test-secret-" + ProcessHandle.current().pid();

    @TempDir
    Path tmp;

    final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killAll() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /** JVM options of the processes that {@link #chemfit} starts after they are set. */
    final List<String> jvmOptions = new ArrayList<>();

    Process chemfit(String name, String... args) throws IOException {
        return chemfitWithSecret(SECRET, name, args);
    }

    /** As {@link #chemfit}, with another cluster secret (another user's). */
    Process chemfitWithSecret(String secret, String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of(
                "--add-modules",
                "java.se",
                "--add-opens",
                "java.base/java.lang=ALL-UNNAMED",
                "--add-opens",
                "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".out").toFile());
        pb.environment().remove("CHEMFIT_CLUSTER_SECRET_FILE");
        pb.environment().put("CHEMFIT_CLUSTER_SECRET", secret);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /**
     * Starts {@code java -jar chemfit.jar ARGS} (the built jar, with no JVM options: what its
     * manifest opens and what the command sets up itself is all there is), as {@link #chemfit} does.
     */
    Process chemfitJar(String name, String... args) throws IOException {
        Path jar = ExamplesIT.examples().getParent().resolve("chemfit-cli/target/chemfit.jar");
        assertTrue(Files.isRegularFile(jar), "no jar at " + jar + "; run mvn package first");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".out").toFile());
        pb.environment().remove("CHEMFIT_CLUSTER_SECRET_FILE");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().put("CHEMFIT_CLUSTER_SECRET", SECRET);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /** A process seen in /proc: its pid, its start time (clock ticks after boot) and its command line. */
    record Proc(long pid, String startTime, String cmdline) {

        /** @return the process with this pid as /proc shows it now, or null when there is none */
        static @org.jspecify.annotations.Nullable Proc of(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                // the fields after the command name, which is in parentheses and may hold spaces
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (f[0].equals("Z") || f[0].equals("X")) {
                    return null; // ended; only its exit status is left for its parent to collect
                }
                String cmd = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"))
                        .replace('\0', ' ')
                        .trim();
                return new Proc(pid, f[19], cmd);
            } catch (IOException e) {
                return null; // no such process
            }
        }

        /** @return whether this very process (same pid, same start time) still runs */
        boolean alive() {
            Proc now = of(pid);
            return now != null && now.startTime.equals(startTime);
        }
    }

    /** @return the processes below {@code p}, as /proc shows them */
    static List<Proc> descendants(Process p) {
        return p.descendants()
                .map(h -> Proc.of(h.pid()))
                .filter(java.util.Objects::nonNull)
                .toList();
    }

    /** @return the lines of {@code out} that would show a Java stack trace or Hazelcast's warning of JDK access */
    static List<String> noise(String out) {
        return out.lines()
                .filter(l -> l.startsWith("\tat ") || l.contains("modular environment") || l.contains("--add-opens"))
                .toList();
    }

    @Test
    void aWorkerStoppedBySigtermStopsItsProgramsThatIgnoreSigtermAndLeavesNoProcessBehind() throws Exception {
        // a program that ignores SIGTERM, as one that traps it to write its files does
        Path job = tmp.resolve("stubborn.yaml");
        Files.writeString(job, """
                parameters:
                  x: {initial: 0.5, bounds: [0, 1]}
                terms:
                  - kind: external
                    name: stubborn
                    command: [sh, -c, "trap '' TERM; sleep 281"]
                    kill_grace: 3s
                    outputs:
                      v: {parser: regex, file: out.txt, pattern: 'value (\\S+)'}
                    reference: {v: 0.0}
                optimizer:
                  method: Nelder-Mead
                  max_evaluations: 2
                output:
                  folder: out
                  plots: false
                """);
        int port = freePortPair();
        String cluster = "cli-stop-" + ProcessHandle.current().pid();
        String join = "127.0.0.1:" + port + ",127.0.0.1:" + (port + 1);
        Process driver = chemfitJar(
                "stop-driver",
                "fit",
                job.toString(),
                "--output",
                tmp.resolve("out").toString(),
                "--cluster",
                cluster,
                "--join",
                join,
                "--port",
                Integer.toString(port),
                "--progress",
                "log",
                "--progress-interval",
                "0.5",
                "--member-wait",
                "200");
        Process worker = chemfitJar(
                "stop-worker",
                "worker",
                job.toString(),
                "--cluster",
                cluster,
                "--join",
                join,
                "--port",
                Integer.toString(port + 1),
                "--threads",
                "1");
        // the driver has joined and handed the term out: its program runs under the worker
        List<Proc> programs = await().atMost(java.time.Duration.ofMinutes(2))
                .pollInterval(java.time.Duration.ofMillis(100))
                .failFast(() -> assertTrue(
                        worker.isAlive() && driver.isAlive(),
                        () -> "worker:\n" + output("stop-worker") + "\ndriver:\n" + output("stop-driver")))
                .until(
                        () -> descendants(worker),
                        d -> d.stream().anyMatch(q -> q.cmdline().equals("sleep 281")));
        assertEquals(2, programs.size(), programs::toString); // sh and its sleep
        // the driver's progress counts the term that runs on the worker
        await("the driver's progress to count the term running on the worker")
                .atMost(java.time.Duration.ofSeconds(60))
                .until(() -> output("stop-driver").contains(", 1 term running, "));
        String before = output("stop-worker");
        assertEquals(List.of(), noise(before), before);
        assertEquals(List.of(), noise(output("stop-driver")), output("stop-driver"));

        worker.destroy(); // SIGTERM, as at the end of an allocation
        assertTrue(worker.waitFor(90, TimeUnit.SECONDS), "the worker stops on SIGTERM:\n" + output("stop-worker"));
        String w = output("stop-worker");
        assertEquals(143, worker.exitValue(), w);
        for (Proc q : programs) {
            assertFalse(q.alive(), q + " survived the worker:\n" + w);
        }
        assertTrue(w.contains("stopped by SIGTERM: stopping the running terms"), w);
        assertEquals(List.of(), noise(w), w);
        assertFalse(w.contains("internal error"), w);
        assertFalse(w.contains("Exception in thread"), w);
    }

    @Test
    void aWorkerStartedAgainAfterAKillEndsTheProgramsTheKilledOneLeftAndKeepsTheirRunDirectories() throws Exception {
        Path job = tmp.resolve("long.yaml");
        Files.writeString(job, """
                parameters:
                  x: {initial: 0.5, bounds: [0, 1]}
                terms:
                  - kind: external
                    name: long
                    command: [sh, -c, "echo started > started.txt; sleep 283"]
                    kill_grace: 2s
                    outputs:
                      v: {parser: regex, file: out.txt, pattern: 'value (\\S+)'}
                    reference: {v: 0.0}
                optimizer:
                  method: Nelder-Mead
                  max_evaluations: 2
                output:
                  folder: out
                  plots: false
                """);
        int port = freePortPair();
        String cluster = "cli-kill-" + ProcessHandle.current().pid();
        String join = "127.0.0.1:" + port + ",127.0.0.1:" + (port + 1);
        String[] workerArgs = {
            "worker",
            job.toString(),
            "--output",
            tmp.resolve("worker-out").toString(),
            "--cluster",
            cluster,
            "--join",
            join,
            "--port",
            Integer.toString(port + 1),
            "--threads",
            "1"
        };
        Process driver = chemfit(
                "kill-driver",
                "fit",
                job.toString(),
                "--output",
                tmp.resolve("out").toString(),
                "--cluster",
                cluster,
                "--join",
                join,
                "--port",
                Integer.toString(port),
                "--member-wait",
                "200");
        Process first = chemfit("kill-worker-1", workerArgs);
        List<Proc> programs = await().atMost(java.time.Duration.ofMinutes(2))
                .pollInterval(java.time.Duration.ofMillis(100))
                .failFast(() -> assertTrue(
                        first.isAlive() && driver.isAlive(),
                        () -> "worker:\n" + output("kill-worker-1") + "\ndriver:\n" + output("kill-driver")))
                .until(
                        () -> descendants(first),
                        d -> d.stream().anyMatch(q -> q.cmdline().equals("sleep 283")));
        assertEquals(2, programs.size(), programs::toString); // sh and its sleep
        Proc sleep = programs.stream()
                .filter(q -> q.cmdline().equals("sleep 283"))
                .findFirst()
                .orElseThrow();
        try {
            killAndStartAgain(workerArgs, first, programs, sleep);
        } finally {
            for (Proc q : programs) {
                if (q.alive()) {
                    ProcessHandle.of(q.pid()).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }

    private void killAndStartAgain(String[] workerArgs, Process first, List<Proc> programs, Proc sleep)
            throws Exception {
        Path runDir = Files.readSymbolicLink(Path.of("/proc", Long.toString(sleep.pid()), "cwd"));
        await().atMost(java.time.Duration.ofSeconds(30)).until(() -> Files.exists(runDir.resolve("started.txt")));

        first.destroyForcibly(); // kill -9: nothing of the worker is left to stop its programs
        assertTrue(first.waitFor(60, TimeUnit.SECONDS));
        for (Proc q : programs) {
            assertTrue(q.alive(), q + " ended with the killed worker");
        }

        // started again with the same output folder, before it joins it ends what the killed one left
        Process second = chemfit("kill-worker-2", workerArgs);
        await().atMost(java.time.Duration.ofMinutes(2))
                .pollInterval(java.time.Duration.ofMillis(100))
                .failFast(() -> assertTrue(second.isAlive(), () -> output("kill-worker-2")))
                .until(() -> output("kill-worker-2").contains(" joined cluster "));
        for (Proc q : programs) {
            assertFalse(q.alive(), q + " outlived the worker started again:\n" + output("kill-worker-2"));
        }
        String w = output("kill-worker-2");
        List<String> ended = w.lines()
                .filter(l -> l.startsWith("warning: external term 'long': program "))
                .toList();
        assertEquals(2, ended.size(), w);
        assertTrue(
                ended.contains("warning: external term 'long': program 'sleep' (pid " + sleep.pid()
                        + "), started by process " + first.pid() + " that is gone, still ran in its run directory "
                        + runDir + "; it is ended (SIGTERM, then SIGKILL after 2.0 s) and the run directory is kept"),
                w);
        assertEquals("started\n", Files.readString(runDir.resolve("started.txt")), "the run directory stays");
        assertEquals(List.of(), noise(w), w);

        second.destroy(); // SIGTERM: it stops the program it runs now
        assertTrue(second.waitFor(90, TimeUnit.SECONDS), output("kill-worker-2"));
    }

    /**
     * A port of the join list held by a program that accepts connections and never answers: the
     * member gives up after the join time (5 s here, 60 s by default, not Hazelcast's five minutes)
     * and its error names the cluster, the join list and the likely cause.
     */
    @Test
    void aJoinAddressThatNeverAnswersIsNamed() throws Exception {
        try (ServerSocket hole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> held = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(hole.accept()); // kept open, never answered
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            int port = freePortPair();
            String cluster = "cli-hole-" + ProcessHandle.current().pid();
            jvmOptions.add("-Dhazelcast.max.join.seconds=5");
            Process worker = chemfit(
                    "hole",
                    "worker",
                    ExamplesIT.examples().resolve("argon/fit.yaml").toString(),
                    "--cluster",
                    cluster,
                    "--join",
                    "127.0.0.1:" + hole.getLocalPort(),
                    "--port",
                    Integer.toString(port));
            assertTrue(worker.waitFor(3, TimeUnit.MINUTES), "the worker gives up:\n" + output("hole"));
            String w = output("hole");
            assertEquals(ExitCodes.USAGE, worker.exitValue(), w);
            assertFalse(held.isEmpty(), "the worker tried the join address:\n" + w);
            assertTrue(
                    w.contains("error: cannot start a cluster member with ClusterMemberConfig[cluster=" + cluster
                            + ", join=[127.0.0.1:" + hole.getLocalPort() + "], bind=127.0.0.1, port=" + port),
                    w);
            assertTrue(
                    w.contains("the member could not join cluster '" + cluster + "' within 5 s"
                            + " (hazelcast.max.join.seconds); Hazelcast's log above says why. Most often an address"
                            + " of its join list [127.0.0.1:" + hole.getLocalPort() + "] accepted a connection but"
                            + " did not answer as a member of that cluster: another program holds that port, or the"
                            + " member there is stuck."),
                    w);
            assertFalse(w.contains("\tat "), "no stack trace:\n" + w);
            for (java.net.Socket s : held) {
                s.close();
            }
        }
    }

    /**
     * Another user's driver that took the same cluster name refuses a waiting worker for its secret: the
     * worker's error says that this may be the cause, and how to avoid it.
     */
    @Test
    void aWorkerRefusedForItsSecretIsToldTheDriverMayBeAnotherUsers() throws Exception {
        int port = freePortPair();
        String cluster = "cli-shared-" + ProcessHandle.current().pid();
        Path job = ExamplesIT.examples().resolve("argon/fit.yaml");
        Process worker = chemfit(
                "mine",
                "worker",
                job.toString(),
                "--cluster",
                cluster,
                "--join",
                "127.0.0.1:" + port,
                "--port",
                Integer.toString(port + 1),
                "--threads",
                "1");
        Process driver = chemfitWithSecret(
                "another-users-secret-" + ProcessHandle.current().pid(),
                "theirs",
                "fit",
                job.toString(),
                "--output",
                tmp.resolve("theirs").toString(),
                "--cluster",
                cluster,
                "--port",
                Integer.toString(port),
                "--max-evaluations",
                "4",
                "--no-plots",
                "--member-wait",
                "20");
        assertTrue(worker.waitFor(3, TimeUnit.MINUTES), "the worker ends:\n" + output("mine"));
        String w = output("mine");
        assertEquals(ExitCodes.USAGE, worker.exitValue(), w);
        assertTrue(
                w.contains("error: the driver refused this worker: its ready token failed the driver's check: HMAC"
                        + " check failed"),
                w);
        assertTrue(
                w.contains("(CHEMFIT_CLUSTER_SECRET or CHEMFIT_CLUSTER_SECRET_FILE), or, when this worker's is the"
                        + " right one, start the driver again with it; or, where other users run fits"
                        + " (a login node), the driver is another user's under the same cluster name: give yours a"
                        + " name of its own, such as fit-$USER-1 (docs/cluster.md)."),
                w);
        driver.destroy();
        assertTrue(driver.waitFor(2, TimeUnit.MINUTES), output("theirs"));
    }

    @Test
    void aVerboseWorkerStartedFromTheJarGetsTheJdkAccessHazelcastAsksFor() throws Exception {
        int port = freePortPair();
        Process worker = chemfitJar(
                "verbose-worker",
                "worker",
                ExamplesIT.examples().resolve("argon/fit.yaml").toString(),
                "--cluster",
                "cli-verbose-" + ProcessHandle.current().pid(),
                "--join",
                "127.0.0.1:" + port,
                "--port",
                Integer.toString(port),
                "--threads",
                "1",
                "--verbose");
        await().atMost(java.time.Duration.ofMinutes(2))
                .pollInterval(java.time.Duration.ofMillis(100))
                .failFast(() -> assertTrue(worker.isAlive(), () -> output("verbose-worker")))
                .until(() -> output("verbose-worker").contains(" joined cluster "));
        worker.destroy();
        assertTrue(worker.waitFor(60, TimeUnit.SECONDS), output("verbose-worker"));
        String w = output("verbose-worker");
        // with --verbose Hazelcast's own log is shown (its warnings with their stack traces): it
        // starts, and says nothing about JDK access
        assertTrue(w.contains("Members {size:1"), w);
        assertEquals(
                List.of(),
                w.lines()
                        .filter(l -> l.contains("modular environment") || l.contains("--add-opens"))
                        .toList(),
                w);
    }

    String output(String name) {
        Path f = tmp.resolve(name + ".out");
        try {
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Test
    void aClusterFitOfTheArgonExampleIsTheSerialFit() throws Exception {
        Path job = ExamplesIT.examples().resolve("argon/fit.yaml");
        int port = freePortPair();
        String cluster = "cli-" + ProcessHandle.current().pid();
        String join = "127.0.0.1:" + port;
        Process worker = chemfit(
                "worker",
                "worker",
                job.toString(),
                "--cluster",
                cluster,
                "--join",
                join,
                "--port",
                Integer.toString(port + 1),
                "--threads",
                "2");
        Path clusterOut = tmp.resolve("cluster");
        Process driver = chemfit(
                "driver",
                "fit",
                job.toString(),
                "--output",
                clusterOut.toString(),
                "--cluster",
                cluster,
                "--join",
                join,
                "--port",
                Integer.toString(port),
                "--max-evaluations",
                "40",
                "--progress",
                "none",
                "--no-plots",
                "--member-wait",
                "90");
        assertTrue(
                driver.waitFor(3, TimeUnit.MINUTES),
                "the cluster fit ends:\n" + output("driver") + "\nworker:\n" + output("worker"));
        assertEquals(0, driver.exitValue(), output("driver") + "\nworker:\n" + output("worker"));
        assertTrue(output("driver").contains("on cluster '" + cluster + "'"), output("driver"));

        Path serialOut = tmp.resolve("serial");
        Cli.Run serial = Cli.run(
                "fit",
                job.toString(),
                "--output",
                serialOut.toString(),
                "--max-evaluations",
                "40",
                "--progress",
                "none",
                "--no-plots");
        assertEquals(0, serial.code(), serial::toString);

        ObjectMapper json = new ObjectMapper();
        JsonNode c = json.readTree(clusterOut.resolve("results.json").toFile());
        JsonNode s = json.readTree(serialOut.resolve("results.json").toFile());
        for (String field :
                List.of("/best_parameters/lj/epsilon", "/best_parameters/lj/sigma", "/loss/best", "/loss/initial")) {
            assertEquals(
                    Double.doubleToRawLongBits(s.at(field).asDouble()),
                    Double.doubleToRawLongBits(c.at(field).asDouble()),
                    field + ": " + s.at(field) + " vs " + c.at(field));
        }
        assertEquals(
                s.at("/evaluations/total").asInt(), c.at("/evaluations/total").asInt());
        assertEquals(40, c.at("/evaluations/total").asInt(), c::toString);
        assertEquals(s.at("/terms/0/computed/energy"), c.at("/terms/0/computed/energy"));

        // the driver ran no term itself (--driver-threads 0): the worker ran them all
        String w = output("worker");
        assertTrue(w.contains("joined cluster '" + cluster + "' with 2 thread(s)"), w);
        worker.destroy(); // SIGTERM, as at the end of an allocation
        assertTrue(worker.waitFor(60, TimeUnit.SECONDS), "the worker stops on SIGTERM:\n" + output("worker"));
    }

    @Test
    void aWorkerWithTheSecretButAnotherJobIsRefusedAndTheMessageNamesBothFingerprints() throws Exception {
        // the argon example twice; in the second copy one reference energy has one more digit
        Path a = TestData.copyTree(ExamplesIT.examples().resolve("argon"), tmp.resolve("a"));
        Path b = TestData.copyTree(ExamplesIT.examples().resolve("argon"), tmp.resolve("b"));
        Path csv = b.resolve("data/ar2-energies.csv");
        List<String> lines = new ArrayList<>(Files.readAllLines(csv));
        String[] last = lines.get(lines.size() - 1).split(",", -1);
        last[1] = last[1] + "1";
        lines.set(lines.size() - 1, String.join(",", last));
        Files.write(csv, lines);
        String driverJob = JobFile.read(a.resolve("fit.yaml")).hash();
        String workerJob = JobFile.read(b.resolve("fit.yaml")).hash();
        assertTrue(!driverJob.equals(workerJob));

        int port = freePortPair();
        String cluster = "cli-job-" + ProcessHandle.current().pid();
        String join = "127.0.0.1:" + port;
        Process worker = chemfit(
                "other-worker",
                "worker",
                b.resolve("fit.yaml").toString(),
                "--cluster",
                cluster,
                "--join",
                join,
                "--port",
                Integer.toString(port + 1),
                "--threads",
                "1");
        Process driver = chemfit(
                "job-driver",
                "fit",
                a.resolve("fit.yaml").toString(),
                "--output",
                tmp.resolve("out").toString(),
                "--cluster",
                cluster,
                "--join",
                join,
                "--port",
                Integer.toString(port),
                "--max-evaluations",
                "5",
                "--progress",
                "none",
                "--no-plots",
                "--member-wait",
                "20");
        assertTrue(worker.waitFor(3, TimeUnit.MINUTES), "the refused worker exits:\n" + output("other-worker"));
        assertEquals(ExitCodes.USAGE, worker.exitValue(), output("other-worker"));
        String w = output("other-worker");
        assertTrue(w.contains("(job " + workerJob + ")"), w);
        assertTrue(
                w.contains(
                        "error: the driver refused this worker: it runs job " + workerJob + " but the driver runs job "
                                + driverJob + "; start every worker with the driver's job file and the files it reads"),
                w);
        // with no worker of its job, the driver's terms fail once the member wait is over
        assertTrue(driver.waitFor(3, TimeUnit.MINUTES), "the driver ends:\n" + output("job-driver"));
        assertEquals(ExitCodes.FIT_FAILED, driver.exitValue(), output("job-driver"));
        // said once each: the worker's error, and the driver's failure naming the refusal and why
        assertEquals(1, occurrences(w, "refused this"), w);
        String d = output("job-driver");
        String starved = "no worker that the driver accepts joined cluster '" + cluster + "' within 20 s, so ";
        // once, in the fit's own error line (on_failure: raise); the log warns that the tasks fail,
        // without saying why once more, and nothing is logged as an error
        assertEquals(1, occurrences(d, starved), d);
        assertEquals(
                1,
                occurrences(
                        d, "warning: no worker that the driver accepts joined within the member wait of 20 s: the "),
                d);
        assertEquals(0, occurrences(d, "ERROR"), d);
        // the refused worker is named by its machine, address and process, as its failures name it
        String named = "worker " + org.chemfit.support.HostName.get() + " (127.0.0.1:" + (port + 1) + ", pid "
                + worker.pid() + ")";
        assertTrue(
                d.contains(" task(s) could not run: 1 worker joined but was refused: " + named
                        + " runs another job (fingerprint " + workerJob + "; the driver's is " + driverJob
                        + "); other members now: "),
                d);
        assertTrue(
                d.contains("refused " + named + ": it runs job " + workerJob + " but the driver runs job " + driverJob
                        + "; start every worker with the driver's job file and the files it reads; it gets no tasks"),
                d);
        assertTrue(d.contains(". Start every worker with the driver's job file and the files it reads"), d);
        assertTrue(!d.contains("no worker holding the cluster secret"), d);
    }

    @Test
    void aQuietFitUnderPenaltyWithNoWorkerSaysOnceWhyItsTermsFailed() throws Exception {
        Path dir = TestData.copyTree(ExamplesIT.examples().resolve("argon"), tmp.resolve("argon"));
        Path job = dir.resolve("fit.yaml");
        Files.writeString(
                job,
                Files.readString(job) + "\ncombination: {on_failure: penalty, penalty: 1.0e6}\n",
                java.nio.charset.StandardCharsets.UTF_8);
        int port = freePortPair();
        String cluster = "cli-quiet-" + ProcessHandle.current().pid();
        // no worker at all: every term fails once the member wait of 1 s is over, and the next ones at once
        Process driver = chemfit(
                "quiet-driver",
                "fit",
                "-q",
                job.toString(),
                "--output",
                tmp.resolve("out").toString(),
                "--cluster",
                cluster,
                "--join",
                "127.0.0.1:" + port,
                "--port",
                Integer.toString(port),
                "--max-evaluations",
                "6",
                "--no-plots",
                "--member-wait",
                "1");
        assertTrue(driver.waitFor(3, TimeUnit.MINUTES), "the driver ends:\n" + output("quiet-driver"));
        String d = output("quiet-driver");
        // no evaluation computed a term: the fit fails at its end (below, what it said on its way there)
        assertEquals(ExitCodes.FIT_FAILED, driver.exitValue(), d);
        // the tasks that waited for the member wait failed, and the ones after them at once, for the
        // same reason, which is said once, in one line. How many waited depends on how many
        // evaluations were under way when the wait ran out (one per dimer of the term's reference
        // for each), so only its form is asserted
        List<String> said = d.lines().filter(l -> l.contains("no worker")).toList();
        assertEquals(1, said.size(), d);
        String line = said.get(0);
        String head = FitRun.noWorkerLine(
                "penalty", "no worker holding the cluster secret joined cluster '" + cluster + "' within 1 s, so ");
        String tail = " task(s) could not run (other members: none; refused for a wrong secret or another job:"
                + " none). Start workers with the same cluster name, a join list that reaches 127.0.0.1:" + port
                + ", the same secret and the same job";
        assertTrue(line.startsWith(head) && line.endsWith(tail), line);
        String tasks = line.substring(head.length(), line.length() - tail.length());
        assertTrue(tasks.matches("[1-9][0-9]*"), line);
        assertEquals(
                "warning: terms failed because no worker was available on the cluster (on_failure: penalty, the fit"
                        + " goes on; said once under -q): no worker holding the cluster secret joined cluster '",
                head.substring(0, head.indexOf(cluster)));
        // every evaluation scored the penalty alone: no fit of the model, and results.json says so
        JsonNode r = new ObjectMapper().readTree(tmp.resolve("out/results.json").toFile());
        assertEquals("failed", r.at("/status").asText(), r::toString);
        assertTrue(r.at("/message").asText().startsWith("no evaluation computed a term of the fit"), r::toString);
        assertEquals(6, r.at("/evaluations/total").asInt(), r::toString);
        assertEquals(List.of(), noise(d));
    }

    static int occurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void aWorkerWithoutTheClusterNameOrSecretIsAUsageError() {
        Cli.Run r = Cli.run("worker", "no-such-job.yaml");
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains("--cluster NAME is required"), r::toString);
    }

    /**
     * @return a port of the loopback address that is free, and whose next port is free too: the
     *     driver takes the first and a worker the second
     */
    static int freePortPair() throws IOException {
        for (int tries = 0; tries < 50; tries++) {
            try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = first.getLocalPort();
                if (port < 65535) {
                    try (ServerSocket second = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
                        return second.getLocalPort() - 1;
                    } catch (IOException taken) {
                        // the next port is in use: try another pair
                    }
                }
            }
        }
        throw new IOException("no two free consecutive ports on the loopback address in 50 tries");
    }
}
