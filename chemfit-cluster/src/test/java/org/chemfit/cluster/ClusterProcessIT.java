package org.chemfit.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fits on a real cluster: the test JVM is the driver, every worker is a separate JVM on
 * 127.0.0.1. Each fit is compared, bit for bit, with the same fit run serially.
 */
class ClusterProcessIT {

    static final String SECRET =
            "cluster-process-test-secret-" + ProcessHandle.current().pid();
    static final org.chemfit.Bounds BOUNDS =
            org.chemfit.Bounds.builder().between("x", -2, 3).between("y", -2, 2).build();
    static final Parameters INITIAL = Parameters.of(List.of("x", "y"), new double[] {0.3, 0.2});

    @TempDir
    Path dir;

    final List<WorkerProcess> workers = new ArrayList<>();
    HazelcastInstance driver;
    ClusterWrapperCOB cob;
    String cluster;
    int port;

    /**
     * Kills a worker while it holds a task: it is frozen (SIGSTOP) once the driver sees a task in
     * flight on it, and killed only when that task is still in flight with the worker frozen
     * (a result sent just before the freeze would otherwise still arrive), else it is let go on
     * and caught again.
     *
     * @return how many tasks the driver saw in flight on the worker just before it was killed
     */
    private static int killHoldingATask(WorkerProcess w, String uuid, ClusterWrapperCOB c) throws Exception {
        for (int attempt = 1; ; attempt++) {
            await("a task on the worker")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> c.stats().inFlightByMember().containsKey(uuid));
            w.signal("STOP");
            try {
                await("the frozen worker still holding its task")
                        .during(Duration.ofMillis(300))
                        .atMost(Duration.ofSeconds(3))
                        .until(() -> c.stats().inFlightByMember().containsKey(uuid));
                int held = c.stats().inFlightByMember().get(uuid); // frozen: it holds these still
                w.kill();
                return held;
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                w.signal("CONT");
                if (attempt == 20) {
                    throw e;
                }
            }
        }
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        if (cob != null) {
            cob.close();
        }
        for (WorkerProcess w : workers) {
            w.close();
        }
        if (driver != null) {
            driver.getLifecycleService().terminate();
        }
    }

    void startDriver(String name) throws IOException {
        cluster = name + "-" + ProcessHandle.current().pid();
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        driver = ClusterMemberConfig.builder(cluster)
                .join(List.of("127.0.0.1:" + port))
                .port(port, 1)
                .build()
                .newMember();
    }

    WorkerProcess startWorker(String name, String secret, long sleepMs) throws IOException {
        Path runlog = dir.resolve("runlog");
        Files.createDirectories(runlog);
        WorkerProcess w = WorkerProcess.start(
                name,
                dir,
                secret,
                cluster,
                port,
                port + 1,
                2,
                Map.of("sleepMs", Long.toString(sleepMs), "runlog", runlog.toString()));
        workers.add(w);
        return w;
    }

    ClusterWrapperCOB driverCob(CombinedObjectiveFunction objective) {
        cob = new ClusterWrapperCOB(
                objective,
                driver,
                ClusterOptions.builder(ClusterSecret.of(SECRET))
                        .memberWait(Duration.ofSeconds(90))
                        .build());
        return cob;
    }

    /** Lines of every run log: one per term run, in any process. */
    Map<String, List<String>> runLogs() throws IOException {
        Map<String, List<String>> out = new HashMap<>();
        Path runlog = dir.resolve("runlog");
        if (Files.isDirectory(runlog)) {
            try (var files = Files.list(runlog)) {
                for (Path f : files.toList()) {
                    out.put(f.getFileName().toString(), Files.readAllLines(f));
                }
            }
        }
        return out;
    }

    static Fitter fitter(org.chemfit.ObjectiveFunction objective, int evaluations) {
        return new Fitter(objective, INITIAL).maxEvaluations(evaluations);
    }

    static void assertSameFit(FitResult serial, FitResult cluster) {
        assertEquals(serial.bestParameters(), cluster.bestParameters());
        for (String n : serial.bestParameters().names()) {
            assertEquals(
                    Double.doubleToRawLongBits(serial.bestParameters().get(n)),
                    Double.doubleToRawLongBits(cluster.bestParameters().get(n)),
                    n);
        }
        assertEquals(Double.doubleToRawLongBits(serial.bestLoss()), Double.doubleToRawLongBits(cluster.bestLoss()));
        assertEquals(serial.evaluations(), cluster.evaluations());
        assertEquals(serial.stopReason(), cluster.stopReason());
        DriverTest.assertSameBits(serial.breakdown(), cluster.breakdown());
    }

    /** Every leaf of the breakdown, with the member that ran it. */
    static List<String> membersOf(EvaluationContext ctx) {
        List<String> out = new ArrayList<>();
        for (EvaluationContext c : ctx.children()) {
            if (c.children().isEmpty()) {
                out.add((String) c.metadata().get("member"));
            } else {
                out.addAll(membersOf(c));
            }
        }
        return out;
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void threeWorkersFitTheSameAsSerialBitForBit() throws Exception {
        startDriver("three");
        List<WorkerProcess> ws =
                List.of(startWorker("w1", SECRET, 20), startWorker("w2", SECRET, 20), startWorker("w3", SECRET, 20));
        Set<String> uuids = new HashSet<>();
        for (WorkerProcess w : ws) {
            uuids.add(w.awaitUuid(Duration.ofSeconds(90)));
        }
        await("4 members")
                .atMost(Duration.ofSeconds(60))
                .until(() -> driver.getCluster().getMembers().size() == 4);

        CombinedObjectiveFunction objective = new TestObjectives().create(Map.of());
        // CMA-ES asks for a population at a time: the Fitter hands each generation over as one batch
        FitResult serial = fitter(objective, 40).bounds(BOUNDS).seed(7).fit("CMA-ES");
        FitResult onCluster =
                fitter(driverCob(objective), 40).bounds(BOUNDS).seed(7).fit("CMA-ES");
        assertSameFit(serial, onCluster);

        // a batch of requests: all their leaves go out together and come back in term order
        List<EvaluationContext> batch = new ArrayList<>();
        List<EvaluationContext> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.2 + 0.13 * i, 0.1 - 0.21 * i});
            batch.add(new EvaluationContext(p, "b" + i));
            EvaluationContext s = new EvaluationContext(p, "b" + i);
            objective.evaluate(p, s);
            expected.add(s);
        }
        cob.evaluateMany(batch);
        for (int i = 0; i < batch.size(); i++) {
            DriverTest.assertSameBits(expected.get(i), batch.get(i));
            assertTrue(
                    uuids.containsAll(membersOf(batch.get(i))),
                    membersOf(batch.get(i)).toString());
        }

        ClusterStats stats = cob.stats();
        int tasks = 6 * (onCluster.evaluations() + batch.size());
        assertEquals(uuids, stats.completedByMember().keySet(), "every worker took tasks: " + stats);
        assertEquals(
                tasks,
                stats.completedByMember().values().stream()
                        .mapToLong(Long::longValue)
                        .sum());
        assertEquals(0, stats.requeued());
        assertEquals(0, stats.duplicates());
        // each term ran exactly once, in the workers, never in the driver
        Map<String, List<String>> logs = runLogs();
        assertEquals(3, logs.size(), logs.keySet().toString());
        assertFalse(logs.containsKey(ProcessHandle.current().pid() + ".log"));
        assertEquals(tasks, logs.values().stream().mapToInt(List::size).sum());
        assertEquals(
                tasks, logs.values().stream().flatMap(List::stream).distinct().count());
        assertTrue(uuids.containsAll(membersOf(onCluster.breakdown())));
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aWorkerKilledMidFitChangesNothingAndAWorkerJoiningMidFitGetsTasks() throws Exception {
        startDriver("chaos");
        WorkerProcess a = startWorker("a", SECRET, 60);
        WorkerProcess b = startWorker("b", SECRET, 60);
        String uuidA = a.awaitUuid(Duration.ofSeconds(90));
        String uuidB = b.awaitUuid(Duration.ofSeconds(90));
        await("3 members")
                .atMost(Duration.ofSeconds(60))
                .until(() -> driver.getCluster().getMembers().size() == 3);

        CombinedObjectiveFunction objective = new TestObjectives().create(Map.of());
        ClusterWrapperCOB c = driverCob(objective);
        AtomicInteger evaluations = new AtomicInteger();
        AtomicReference<WorkerProcess> late = new AtomicReference<>();
        AtomicReference<String> lateUuid = new AtomicReference<>();
        AtomicReference<Throwable> chaosFailure = new AtomicReference<>();
        AtomicInteger heldByA = new AtomicInteger();
        Thread chaos = new Thread(
                () -> {
                    try {
                        await("evaluation 3").atMost(Duration.ofSeconds(60)).until(() -> evaluations.get() >= 3);
                        late.set(startWorker("late", SECRET, 60));
                        await("evaluation 5").atMost(Duration.ofSeconds(60)).until(() -> evaluations.get() >= 5);
                        heldByA.set(killHoldingATask(a, uuidA, c));
                    } catch (Throwable t) {
                        chaosFailure.set(t);
                    }
                },
                "chaos");
        Fitter f = fitter(c, 50).listener((number, ctx, loss) -> {
            evaluations.incrementAndGet();
            if (number == 15) {
                // the fit is mid-way: the late worker must have joined and proved the secret by now
                lateUuid.set(late.get().awaitUuid(Duration.ofSeconds(90)));
                await("the late worker to take a task")
                        .atMost(Duration.ofSeconds(90))
                        .until(() -> c.stats().verifiedMembers().contains(lateUuid.get()));
            }
        });
        chaos.start();
        FitResult onCluster = f.fit();
        chaos.join(60_000);
        if (chaosFailure.get() != null) {
            throw new AssertionError("the chaos thread failed", chaosFailure.get());
        }
        assertFalse(a.process.isAlive());
        assertEquals(137, a.process.exitValue());

        FitResult serial = fitter(objective, 50).fit();
        assertSameFit(serial, onCluster);

        ClusterStats stats = c.stats();
        assertTrue(stats.requeued() >= 1, "the killed worker held a task that was run elsewhere: " + stats);
        // the warning that it left counts the tasks it held when it was killed
        assertTrue(heldByA.get() >= 1, "killed holding a task");
        List<String> leftA = c.dispatcher().departures().stream()
                .filter(w -> w.startsWith("member " + uuidA + " at 127.0.0.1:"))
                .toList();
        assertEquals(1, leftA.size(), c.dispatcher().departures().toString());
        java.util.regex.Matcher said = java.util.regex.Pattern.compile(
                        " left; the (\\d+) task\\(s\\) it held are handed to other members: term ")
                .matcher(leftA.get(0));
        assertTrue(said.find(), leftA.get(0));
        // frozen, it held heldByA; a free thread of its two may have been sent one more task before
        // the kill (terms of 60 ms go one to a call)
        int counted = Integer.parseInt(said.group(1));
        assertTrue(counted >= heldByA.get() && counted <= 2, heldByA.get() + " held when frozen: " + leftA.get(0));
        assertNotNull(lateUuid.get());
        assertTrue(
                stats.completedByMember().getOrDefault(lateUuid.get(), 0L) > 0, "the late worker ran tasks: " + stats);
        assertTrue(
                stats.completedByMember().getOrDefault(uuidA, 0L) > 0, "worker a ran tasks before it died: " + stats);
        assertTrue(stats.completedByMember().getOrDefault(uuidB, 0L) > 0, stats.toString());
        // no result counted twice: one completion per task of the fit
        assertEquals(
                6L * onCluster.evaluations(),
                stats.completedByMember().values().stream()
                        .mapToLong(Long::longValue)
                        .sum());
        // the killed worker's unfinished terms ran again elsewhere: the logs hold at least every task once
        Map<String, List<String>> logs = runLogs();
        assertEquals(
                6L * onCluster.evaluations(),
                logs.values().stream().flatMap(List::stream).distinct().count());
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aWorkerWithAWrongSecretGetsNoTaskAndRunsNone() throws Exception {
        startDriver("secret");
        WorkerProcess good = startWorker("good", SECRET, 10);
        WorkerProcess bad = startWorker(
                "bad",
                "not-the-secret-but-long-enough-" + ProcessHandle.current().pid(),
                10);
        String goodUuid = good.awaitUuid(Duration.ofSeconds(90));
        String badUuid = bad.awaitUuid(Duration.ofSeconds(90));
        await("3 members")
                .atMost(Duration.ofSeconds(60))
                .until(() -> driver.getCluster().getMembers().size() == 3);

        CombinedObjectiveFunction objective = new TestObjectives().create(Map.of());
        FitResult onCluster = fitter(driverCob(objective), 20).fit();
        FitResult serial = fitter(objective, 20).fit();
        assertSameFit(serial, onCluster);

        assertTrue(bad.process.waitFor(60, TimeUnit.SECONDS), "the refused worker stops:\n" + bad.output());
        assertEquals(WorkerMain.EXIT_REFUSED, bad.process.exitValue());
        String out = bad.output();
        assertTrue(
                out.contains(
                        "error: the driver refused this worker: its ready token failed the driver's check: HMAC check"
                                + " failed (the sender does not hold this cluster's secret). Give it the same secret as the driver."),
                out);
        assertEquals(1, out.split("refused this", -1).length - 1, "the refusal is said once:\n" + out);
        assertTrue(out.contains("worker " + badUuid + " ran 0 task(s)"), out);

        ClusterStats stats = cob.stats();
        assertEquals(Set.of(badUuid), stats.refusedMembers());
        assertEquals(Set.of(goodUuid), stats.completedByMember().keySet());
        assertFalse(stats.verifiedMembers().contains(badUuid));
        assertEquals(
                List.of(goodUuid),
                membersOf(onCluster.breakdown()).stream().distinct().toList());
        // only the good worker's process ever ran a term
        Map<String, List<String>> logs = runLogs();
        assertEquals(Set.of(good.process.pid() + ".log"), logs.keySet());
        assertEquals(
                6L * onCluster.evaluations(),
                logs.get(good.process.pid() + ".log").size());
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aWorkerWithTheSecretButAnotherJobIsRefusedNamingBothFingerprints() throws Exception {
        // the same job file name in two folders, one value apart: the driver's job and another one
        Path jobA = Files.createDirectories(dir.resolve("a")).resolve("fit.yaml");
        Path jobB = Files.createDirectories(dir.resolve("b")).resolve("fit.yaml");
        Files.writeString(jobA, "parameters: {x: {initial: 0.3}}\n");
        Files.writeString(jobB, "parameters: {x: {initial: 0.4}}\n");
        String driverJob = JobFingerprint.ofFiles(jobA.getParent(), List.of(jobA));
        String otherJob = JobFingerprint.ofFiles(jobB.getParent(), List.of(jobB));
        assertFalse(driverJob.equals(otherJob));

        startDriver("job");
        Path runlog = Files.createDirectories(dir.resolve("runlog"));
        Map<String, String> options = Map.of("sleepMs", "10", "runlog", runlog.toString());
        WorkerProcess good = WorkerProcess.start(
                "good", dir, SECRET, cluster, port, port + 1, 2, options, List.of("--job-file", jobA.toString()));
        workers.add(good);
        WorkerProcess other = WorkerProcess.start(
                "other", dir, SECRET, cluster, port, port + 1, 2, options, List.of("--job-file", jobB.toString()));
        workers.add(other);
        String goodUuid = good.awaitUuid(Duration.ofSeconds(90));
        String otherUuid = other.awaitUuid(Duration.ofSeconds(90));
        await("3 members")
                .atMost(Duration.ofSeconds(60))
                .until(() -> driver.getCluster().getMembers().size() == 3);

        CombinedObjectiveFunction objective = new TestObjectives().create(Map.of());
        cob = new ClusterWrapperCOB(
                objective,
                driver,
                ClusterOptions.builder(ClusterSecret.of(SECRET))
                        .memberWait(Duration.ofSeconds(90))
                        .jobFingerprint(driverJob)
                        .build());
        FitResult onCluster = fitter(cob, 20).fit();
        assertSameFit(fitter(objective, 20).fit(), onCluster);

        assertTrue(other.process.waitFor(60, TimeUnit.SECONDS), "the refused worker stops:\n" + other.output());
        assertEquals(WorkerMain.EXIT_REFUSED, other.process.exitValue());
        String out = other.output();
        assertTrue(
                out.contains("error: the driver refused this worker: it runs job " + otherJob
                        + " but the driver runs job " + driverJob
                        + "; start every worker with the driver's job file and the files it reads."),
                out);
        assertEquals(1, out.split("refused this", -1).length - 1, "the refusal is said once:\n" + out);
        assertTrue(out.contains("worker " + otherUuid + " ran 0 task(s)"), out);

        ClusterStats stats = cob.stats();
        assertEquals(Set.of(otherUuid), stats.refusedMembers());
        assertEquals(Set.of(goodUuid), stats.completedByMember().keySet());
        assertEquals(
                List.of(goodUuid),
                membersOf(onCluster.breakdown()).stream().distinct().toList());
        // only the worker of the driver's job ever ran a term
        assertEquals(Set.of(good.process.pid() + ".log"), runLogs().keySet());
    }
}
