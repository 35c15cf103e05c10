package org.chemfit.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.io.IOException;
import java.io.Serializable;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chemfit.ChemFitException;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.FailurePolicy;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver alone in one member: it runs tasks itself, or waits for workers and fails clearly. */
@org.junit.jupiter.api.Timeout(value = 2, unit = TimeUnit.MINUTES)
class DriverTest {

    static HazelcastInstance member;
    static final ClusterSecret SECRET = ClusterSecret.of("driver-test-secret-0123456789");

    @BeforeAll
    static void startMember() throws IOException {
        member = ClusterMemberConfig.builder(
                        "driver-test-" + ProcessHandle.current().pid())
                .join(List.of("127.0.0.1"))
                .port(freePort(), 1)
                .build()
                .newMember();
    }

    @AfterAll
    static void stopMember() {
        if (member != null) {
            member.getLifecycleService().terminate();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** What SLF4J's simple logger of the tests writes (to standard error), captured while a test runs. */
    static final class Logged implements AutoCloseable {
        private final java.io.PrintStream before = System.err;
        private final java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();

        Logged() {
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        }

        /** @return what was logged so far */
        String text() {
            return captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            System.setErr(before);
            before.print(text());
        }
    }

    static ClusterOptions local(int threads) {
        return ClusterOptions.builder(SECRET).localThreads(threads).build();
    }

    static void assertSameBits(EvaluationContext expected, EvaluationContext actual) {
        assertEquals(expected.status(), actual.status(), expected.path());
        assertEquals(
                Double.doubleToRawLongBits(expected.value()),
                Double.doubleToRawLongBits(actual.value()),
                expected.path());
        assertEquals(
                Double.doubleToRawLongBits(expected.contribution()),
                Double.doubleToRawLongBits(actual.contribution()),
                expected.path());
        assertEquals(expected.quantities(), actual.quantities(), expected.path());
        // the same metadata as serial evaluation, plus where the term ran
        java.util.Map<String, Object> meta = new java.util.LinkedHashMap<>(actual.metadata());
        if (actual.children().isEmpty() && actual.parent() != null) {
            assertTrue(meta.remove("member") instanceof String, expected.path() + " records its member");
            assertTrue(meta.remove("member_address") instanceof String, expected.path());
        }
        assertEquals(expected.metadata(), meta, expected.path());
        assertEquals(expected.children().size(), actual.children().size());
        for (int i = 0; i < expected.children().size(); i++) {
            assertSameBits(expected.child(i), actual.child(i));
        }
    }

    @Test
    void driverThreadsGiveTheSerialBreakdownBitForBit() {
        CombinedObjectiveFunction objective = new TestObjectives().create(Map.of());
        try (ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, member, local(2))) {
            List<EvaluationContext> batch = new ArrayList<>();
            List<EvaluationContext> serial = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.1 * i + 0.05, -0.3 * i});
                batch.add(new EvaluationContext(p, "e" + i));
                EvaluationContext s = new EvaluationContext(p, "e" + i);
                objective.evaluate(p, s);
                serial.add(s);
            }
            cob.evaluateMany(batch);
            for (int i = 0; i < 5; i++) {
                assertSameBits(serial.get(i), batch.get(i));
                assertEquals(
                        member.getCluster().getLocalMember().getUuid().toString(),
                        batch.get(i).child(2).child(1).metadata().get("member"));
                assertEquals(
                        serial.get(i).child(4).metadata().get("score"),
                        batch.get(i).child(4).metadata().get("score"));
            }
            double async = assertTimeoutPreemptively(
                    Duration.ofSeconds(30),
                    () -> cob.evaluateAsync(batch.get(3).parameters()).get(20, TimeUnit.SECONDS));
            assertEquals(Double.doubleToRawLongBits(serial.get(3).loss()), Double.doubleToRawLongBits(async));
            // 5 batched evaluations and 1 asynchronous one, 6 leaf terms each, each counted once
            assertEquals(
                    36L,
                    cob.stats().completedByMember().values().stream()
                            .mapToLong(Long::longValue)
                            .sum());
        }
    }

    @Test
    void aJournalRecorderReplaysOnTheDriverAndSeesEveryTermThatRan() {
        CombinedObjectiveFunction objective = new TestObjectives().create(Map.of());
        Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.7, -0.4});
        EvaluationContext serial = new EvaluationContext(p, "e1");
        objective.evaluate(p, serial);
        List<String> finished = java.util.Collections.synchronizedList(new ArrayList<>());
        org.chemfit.TermRecorder journal = new org.chemfit.TermRecorder() {
            @Override
            public Recorded lookup(EvaluationContext child) {
                // term 2.1 is in the journal already: it must not run again
                EvaluationContext s = serial.child(2).child(1);
                return child.path().equals("2.1") ? new Recorded(s.value(), s.quantities(), s.metadata()) : null;
            }

            @Override
            public void finished(EvaluationContext child) {
                finished.add(child.path() + "@" + child.metadata().get("member"));
            }
        };
        try (ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, member, local(2))) {
            EvaluationContext ctx = new EvaluationContext(p, "e1");
            ctx.recordTo(journal);
            double v = cob.evaluate(p, ctx);
            assertEquals(Double.doubleToRawLongBits(serial.loss()), Double.doubleToRawLongBits(v));
            assertEquals(
                    EvaluationContext.Status.REPLAYED, ctx.child(2).child(1).status());
            String me = member.getCluster().getLocalMember().getUuid().toString();
            assertEquals(
                    java.util.Set.of("0@" + me, "1@" + me, "2.0@" + me, "3@" + me, "4@" + me),
                    java.util.Set.copyOf(finished));
            assertEquals(5L, cob.stats().completedByMember().get(me));
        }
    }

    @Test
    void forgedTasksAndResultsAreRefusedAndNeverCounted() throws Exception {
        ClusterSecret wrong = ClusterSecret.of("a forger does not know the secret");
        CombinedObjectiveFunction objective = new TestObjectives().create(Map.of());
        Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.5, 0.5});
        ClusterOptions o =
                ClusterOptions.builder(SECRET).memberWait(Duration.ofMinutes(5)).build();
        try (ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, member, o)) {
            var future = cob.evaluateAsync(p, new EvaluationContext(p, "e7"));
            String me = member.getCluster().getLocalMember().getUuid().toString();
            // a forged result for the first task of this driver, signed with the wrong secret
            Frames.Result forged = new Frames.Result(
                    0,
                    1,
                    "e7",
                    me,
                    "127.0.0.1:1",
                    EvaluationContext.Status.OK,
                    -1e9,
                    org.chemfit.Quantities.empty(),
                    new java.util.LinkedHashMap<>(),
                    null,
                    0,
                    1,
                    "t",
                    null,
                    true);
            // results reach the driver only as responses to its own calls; these go where they go
            cob.dispatcher().receive(Frames.encode(forged, wrong));
            cob.dispatcher().receive("not a frame");
            await("2 refused frames")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> cob.stats().refusedFrames() >= 2);
            assertEquals(2, cob.stats().refusedFrames());
            assertTrue(cob.stats().completedByMember().isEmpty());
            assertTrue(!future.isDone());

            // a worker (in this JVM) now runs the real tasks; a forged task sent to it is refused
            try (ClusterWorker worker = ClusterWorker.start(member, objective, SECRET, 1)) {
                Frames.Task task = new Frames.Task(1, 999, "e9", new int[] {0}, "energy", p);
                byte[] answer = member.getExecutorService(Channels.RUN)
                        .submitToMember(
                                new RunTask(Frames.bundle(List.of(Frames.encode(task, wrong)))),
                                member.getCluster().getLocalMember())
                        .get(60, TimeUnit.SECONDS);
                assertEquals(1, Frames.unbundle(answer).size());
                assertNull(Frames.unbundle(answer).get(0), "no result for a forged task");
                double v = future.get(60, TimeUnit.SECONDS);
                assertEquals(Double.doubleToRawLongBits(objective.evaluate(p)), Double.doubleToRawLongBits(v));
                await("a frame refused by the worker")
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> worker.framesRefused() >= 1);
                assertEquals(1, worker.framesRefused());
                assertEquals(6, worker.tasksRun());
            }
        }
    }

    @Test
    void shortTermsShareARoundTripOnceTimedAndSlowTermsGoAlone() throws Exception {
        CombinedObjectiveFunction objective = new TestObjectives().create(Map.of());
        ClusterOptions o =
                ClusterOptions.builder(SECRET).memberWait(Duration.ofMinutes(5)).build();
        try (ClusterWorker worker = ClusterWorker.start(member, objective, SECRET, 1)) {
            try (ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, member, o)) {
                // terms of microseconds: the first batch times them, the second sends them several at a time
                for (int round = 0; round < 2; round++) {
                    List<EvaluationContext> batch = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.1 * i, 0.3 - 0.05 * i});
                        batch.add(new EvaluationContext(p, "q" + round + "-" + i));
                    }
                    long before = cob.dispatcher().calls();
                    cob.evaluateMany(batch);
                    long calls = cob.dispatcher().calls() - before;
                    for (EvaluationContext c : batch) {
                        EvaluationContext serial = new EvaluationContext(c.parameters(), c.evaluationId());
                        objective.evaluate(c.parameters(), serial);
                        assertSameBits(serial, c);
                    }
                    if (round == 1) {
                        assertTrue(calls <= 60, "120 timed short tasks in at most 60 calls, got " + calls);
                    }
                }
            }
            try (ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, member, o)) {
                // terms of 20 ms, far longer than a round trip: one call each, timed or not
                Parameters slow = Parameters.of(List.of("x", "y", "sleep_ms"), new double[] {0.4, 0.2, 20});
                long serial = Double.doubleToRawLongBits(objective.evaluate(slow));
                for (int round = 0; round < 2; round++) {
                    long before = cob.dispatcher().calls();
                    assertEquals(
                            serial,
                            Double.doubleToRawLongBits(cob.evaluateAsync(slow).get(60, TimeUnit.SECONDS)));
                    assertEquals(6, cob.dispatcher().calls() - before, "one call per slow term");
                }
            }
            assertEquals(252, worker.tasksRun());
        }
    }

    @Test
    void aWorkerClosedWhileHoldingTasksHandsThemBackAndAnotherRunsThem() throws Exception {
        CombinedObjectiveFunction objective = new TestObjectives().create(Map.of());
        // the same terms, but each takes ten minutes on the first worker
        CombinedObjectiveFunction slow = new TestObjectives().create(Map.of("sleepMs", "600000"));
        Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.7, -0.3});
        long serial = Double.doubleToRawLongBits(objective.evaluate(p));
        ClusterOptions o =
                ClusterOptions.builder(SECRET).memberWait(Duration.ofMinutes(5)).build();
        try (ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, member, o)) {
            var future = cob.evaluateAsync(p);
            ClusterWorker first = ClusterWorker.start(member, slow, SECRET, 2);
            String uuid = first.memberUuid().toString();
            await("2 tasks in flight on the first worker")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> cob.stats().inFlightByMember().getOrDefault(uuid, 0) >= 2);
            first.close();
            await("its 2 tasks handed back")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> cob.stats().requeued() >= 2);
            assertEquals(2, cob.stats().requeued());
            assertEquals(0, first.tasksRun());
            assertTrue(!future.isDone());
            try (ClusterWorker second = ClusterWorker.start(member, objective, SECRET, 2)) {
                assertEquals(serial, Double.doubleToRawLongBits(future.get(60, TimeUnit.SECONDS)));
                assertEquals(6, second.tasksRun());
            }
        }
    }

    @Test
    void aWorkerClosedWhileItsMemberStaysUpGetsNoMoreTasksAndTheEvaluationFailsAfterTheMemberWait() throws Exception {
        CombinedObjectiveFunction objective = new TestObjectives().create(Map.of());
        Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.2, 0.9});
        long serial = Double.doubleToRawLongBits(objective.evaluate(p));
        ClusterOptions o =
                ClusterOptions.builder(SECRET).memberWait(Duration.ofSeconds(2)).build();
        try (ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, member, o)) {
            ClusterWorker worker = ClusterWorker.start(member, objective, SECRET, 2);
            assertEquals(serial, Double.doubleToRawLongBits(cob.evaluate(p)));
            assertEquals(6, worker.tasksRun());
            worker.close(); // the member stays up: its threads' slots are still known to the driver
            Parameters q = Parameters.of(List.of("x", "y"), new double[] {0.3, 0.8});
            // the closed worker answers "not run": its member gets no more tasks, and with no
            // worker left the member wait runs out with its message (before, the slots it held
            // were lost one by one and the evaluation waited for ever)
            ChemFitException e = assertTimeoutPreemptively(
                    Duration.ofSeconds(60), () -> assertThrows(ChemFitException.class, () -> cob.evaluate(q)));
            assertTrue(e.getMessage().contains("no worker holding the cluster secret joined cluster"), e.getMessage());
            assertEquals(6, worker.tasksRun(), "the closed worker ran nothing more");
        }
    }

    @Test
    void aMemberRunsOneWorkerAndOnlyMembersMadeByClusterMemberConfigTakePart() throws Exception {
        CombinedObjectiveFunction objective = new TestObjectives().create(Map.of());
        try (ClusterWorker worker = ClusterWorker.start(member, objective, SECRET, 1)) {
            IllegalStateException twice =
                    assertThrows(IllegalStateException.class, () -> ClusterWorker.start(member, objective, SECRET, 1));
            assertTrue(twice.getMessage().contains("one per member"), twice.getMessage());
            assertEquals(0, worker.tasksRun());
        }
        com.hazelcast.config.Config c = ClusterMemberConfig.builder(
                        "foreign-" + ProcessHandle.current().pid())
                .port(freePort(), 1)
                .build()
                .toHazelcastConfig();
        c.getSerializationConfig().getDataSerializableFactories().remove(RunTask.FACTORY_ID);
        HazelcastInstance foreign = com.hazelcast.core.Hazelcast.newHazelcastInstance(c);
        try {
            for (org.junit.jupiter.api.function.Executable start : List.<org.junit.jupiter.api.function.Executable>of(
                    () -> ClusterWorker.start(foreign, objective, SECRET, 1),
                    () -> new ClusterWrapperCOB(
                            objective, foreign, ClusterOptions.builder(SECRET).build()))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, start);
                assertTrue(e.getMessage().contains("was not made by ClusterMemberConfig"), e.getMessage());
                assertTrue(e.getMessage().contains("ClusterMemberConfig.newMember()"), e.getMessage());
            }
        } finally {
            foreign.getLifecycleService().terminate();
        }
    }

    @Test
    void aTokenOfAnotherJobLeftForAnEarlierDriverGetsNoMemberRefused() throws Exception {
        CombinedObjectiveFunction objective = new TestObjectives().create(Map.of());
        String me = member.getCluster().getLocalMember().getUuid().toString();
        // validly signed, but for another job and offered to a driver that is gone (session 42)
        member.getQueue(Channels.READY).offer(Frames.encode(new Frames.Ready(me, 42, 1), SECRET, "another job"));
        Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.2, 0.9});
        ClusterOptions o =
                ClusterOptions.builder(SECRET).memberWait(Duration.ofMinutes(5)).build();
        try (ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, member, o);
                ClusterWorker worker = ClusterWorker.start(member, objective, SECRET, 1)) {
            double v = cob.evaluateAsync(p).get(60, TimeUnit.SECONDS);
            assertEquals(Double.doubleToRawLongBits(objective.evaluate(p)), Double.doubleToRawLongBits(v));
            assertTrue(cob.stats().refusedMembers().isEmpty(), cob.stats().toString());
            assertTrue(worker.refusal().isEmpty());
            assertEquals(0, member.getQueue(Channels.READY).size(), "the stale token was read");
        }
    }

    @Test
    void cancellingAnEvaluationStopsItsTermsOnTheWorker(@TempDir Path runlog) throws Exception {
        // each term appends a line to the run log when it starts, before it sleeps
        CombinedObjectiveFunction objective = new TestObjectives().create(Map.of("runlog", runlog.toString()));
        ClusterOptions o =
                ClusterOptions.builder(SECRET).memberWait(Duration.ofMinutes(5)).build();
        try (ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, member, o);
                ClusterWorker worker = ClusterWorker.start(member, objective, SECRET, 2)) {
            Parameters slow = Parameters.of(List.of("x", "y", "sleep_ms"), new double[] {0.5, 0.5, 600_000});
            var future = cob.evaluateAsync(slow);
            await("2 tasks in flight on the worker")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> cob.stats()
                                    .inFlightByMember()
                                    .getOrDefault(worker.memberUuid().toString(), 0)
                            >= 2);
            assertEquals(
                    2, cob.stats().inFlightByMember().get(worker.memberUuid().toString()));
            await("both terms running in the worker")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> startedTerms(runlog) >= 2);
            assertEquals(2, startedTerms(runlog), "two threads, two terms started");
            assertTrue(future.cancel(true));
            await("2 tasks cancelled on the worker")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> worker.tasksCancelled() >= 2);
            assertEquals(2, worker.tasksCancelled());
            assertEquals(0, worker.tasksRun());
            // both threads are free again: a quick evaluation goes through
            Parameters quick = Parameters.of(List.of("x", "y", "sleep_ms"), new double[] {0.5, 0.5, 0});
            double v = cob.evaluateAsync(quick).get(30, TimeUnit.SECONDS);
            assertEquals(Double.doubleToRawLongBits(objective.evaluate(quick)), Double.doubleToRawLongBits(v));
            assertEquals(6, worker.tasksRun());
        }
    }

    @Test
    void aTaskCancelledWhileItWaitsForAThreadOnTheWorkerNeverStarts(@TempDir Path runlog) throws Exception {
        // one term per evaluation; each appends a line to the run log when it starts
        CombinedObjectiveFunction objective =
                new TestObjectives().create(Map.of("runlog", runlog.toString(), "flat", "1"));
        ClusterOptions o =
                ClusterOptions.builder(SECRET).memberWait(Duration.ofMinutes(5)).build();
        // one thread that asks for one task ahead: a second task waits on the worker for the thread
        try (ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, member, o);
                ClusterWorker worker = ClusterWorker.start(member, objective, SECRET, 1, 1)) {
            String uuid = worker.memberUuid().toString();
            var running =
                    cob.evaluateAsync(Parameters.of(List.of("x", "y", "sleep_ms"), new double[] {0.5, 0.5, 600_000}));
            await("the first term running").atMost(Duration.ofSeconds(30)).until(() -> startedTerms(runlog) >= 1);
            var waiting =
                    cob.evaluateAsync(Parameters.of(List.of("x", "y", "sleep_ms"), new double[] {0.6, 0.4, 600_000}));
            await("the second task on the worker, waiting for its thread")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> cob.stats().inFlightByMember().getOrDefault(uuid, 0) >= 2);
            assertTrue(waiting.cancel(true));
            // answered as cancelled while the first term still runs, instead of after its ten minutes
            await("the waiting task answered as cancelled")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> worker.tasksCancelled() >= 1
                            && cob.stats().inFlightByMember().getOrDefault(uuid, 0) <= 1);
            assertEquals(1, worker.tasksCancelled());
            assertEquals(1, startedTerms(runlog), "the waiting term never started");
            assertTrue(!running.isDone(), "the first term still runs");
            assertTrue(running.cancel(true));
            await("the first term stopped").atMost(Duration.ofSeconds(30)).until(() -> worker.tasksCancelled() >= 2);
            assertEquals(0, worker.tasksRun());
        }
    }

    /** @return how many terms the run log says were started, over every process that wrote to it */
    private static long startedTerms(Path runlog) throws IOException {
        long n = 0;
        try (var files = Files.list(runlog)) {
            for (Path f : files.toList()) {
                n += Files.readAllLines(f).size();
            }
        }
        return n;
    }

    @Test
    void theMemberListensOnLoopbackOnly() throws Exception {
        var address = member.getCluster().getLocalMember().getAddress();
        assertEquals("127.0.0.1", address.getHost());
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", address.getPort()), 2000);
            assertTrue(s.isConnected());
        }
        // every other address of this machine is refused (the kernel answers locally: nothing leaves it)
        List<java.net.InetAddress> others = new ArrayList<>();
        for (var nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (var a : java.util.Collections.list(nif.getInetAddresses())) {
                if (!a.isLoopbackAddress() && a instanceof java.net.Inet4Address) {
                    others.add(a);
                }
            }
        }
        for (java.net.InetAddress a : others) {
            try (java.net.Socket s = new java.net.Socket()) {
                assertThrows(
                        java.net.ConnectException.class,
                        () -> s.connect(new java.net.InetSocketAddress(a, address.getPort()), 2000),
                        a.toString());
            }
        }
    }

    @Test
    void aWorkerServesOneDriverAfterAnotherAndNoResultCountsTwice() throws Exception {
        CombinedObjectiveFunction objective = new TestObjectives().create(Map.of());
        Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.9, 0.1});
        double serial = objective.evaluate(p);
        ClusterOptions o =
                ClusterOptions.builder(SECRET).memberWait(Duration.ofMinutes(5)).build();
        try (ClusterWorker worker = ClusterWorker.start(member, objective, SECRET, 2)) {
            for (int driver = 0; driver < 2; driver++) {
                try (ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, member, o)) {
                    EvaluationContext ctx = new EvaluationContext(p, "e" + driver);
                    double v = cob.evaluateAsync(p, ctx).get(60, TimeUnit.SECONDS);
                    assertEquals(Double.doubleToRawLongBits(serial), Double.doubleToRawLongBits(v));

                    // a second, validly signed result for a task that is done: dropped, the breakdown stays
                    String entry =
                            member.<String, String>getMap(Channels.CONTROL).get(Channels.DRIVER_KEY);
                    long session = Long.parseUnsignedLong(entry.substring(entry.indexOf('/') + 1), 16);
                    Frames.Result again = new Frames.Result(
                            session,
                            1,
                            "e" + driver,
                            worker.memberUuid().toString(),
                            "x",
                            EvaluationContext.Status.OK,
                            1e6,
                            org.chemfit.Quantities.empty(),
                            new java.util.LinkedHashMap<>(),
                            null,
                            0,
                            1,
                            "t",
                            null,
                            false);
                    cob.dispatcher().receive(Frames.encode(again, SECRET, JobFingerprint.ofObjective(objective)));
                    await("a duplicate result")
                            .atMost(Duration.ofSeconds(20))
                            .until(() -> cob.stats().duplicates() >= 1);
                    assertEquals(1, cob.stats().duplicates());
                    assertEquals(
                            6L,
                            cob.stats().completedByMember().values().stream()
                                    .mapToLong(Long::longValue)
                                    .sum());
                    assertEquals(Double.doubleToRawLongBits(serial), Double.doubleToRawLongBits(ctx.loss()));
                }
            }
            assertEquals(12, worker.tasksRun());
        }
    }

    static CombinedObjectiveFunction failing() {
        return new CombinedObjectiveFunction(List.of(
                        p -> p.get("x"),
                        p -> {
                            throw new IllegalStateException("no convergence at x = " + p.get("x"));
                        },
                        p -> 2 * p.get("x")))
                .withTermNames(List.of("a", "b", "c"));
    }

    @Test
    void aFailedTermRaisesTheSerialMessageAndPenaltyGivesTheSerialLoss() {
        Parameters p = Parameters.of(Map.of("x", 0.25));
        TermFailedException serial =
                assertThrows(TermFailedException.class, () -> failing().evaluate(p));
        try (ClusterWrapperCOB cob = new ClusterWrapperCOB(failing(), member, local(1))) {
            TermFailedException remote = assertThrows(TermFailedException.class, () -> cob.evaluate(p));
            assertEquals(serial.getMessage(), remote.getMessage());
            assertEquals("term 1 'b' failed: no convergence at x = 0.25", remote.getMessage());
            assertEquals(1, remote.termIndex());
        }
        CombinedObjectiveFunction penalty = failing().withFailurePolicy(FailurePolicy.penalty(1e3));
        try (ClusterWrapperCOB cob = new ClusterWrapperCOB(penalty, member, local(1))) {
            EvaluationContext ctx = new EvaluationContext(p);
            double v = cob.evaluate(p, ctx);
            assertEquals(penalty.evaluate(p), v);
            assertEquals(0.25 + 1e3 + 0.5, v);
            assertEquals(EvaluationContext.Status.PENALTY, ctx.child(1).status());
        }
    }

    @Test
    void aTermThatFailsOnAWorkerNamesTheWorkersHostAddressAndProcess() throws Exception {
        Parameters p = Parameters.of(Map.of("x", 0.25));
        var a = member.getCluster().getLocalMember().getAddress();
        String worker = org.chemfit.support.HostName.get() + " (" + a.getHost() + ":" + a.getPort() + ", pid "
                + ProcessHandle.current().pid() + ")";
        try (ClusterWorker w = ClusterWorker.start(member, failing(), SECRET, 1);
                ClusterWrapperCOB cob = new ClusterWrapperCOB(
                        failing(),
                        member,
                        ClusterOptions.builder(SECRET)
                                .memberWait(Duration.ofSeconds(60))
                                .build())) {
            TermFailedException remote = assertThrows(TermFailedException.class, () -> cob.evaluate(p));
            assertEquals("term 1 'b' failed on worker " + worker + ": no convergence at x = 0.25", remote.getMessage());
            assertEquals(1, remote.termIndex());
            assertEquals("b", remote.termName());
            assertTrue(w.refusal().isEmpty(), "the worker serves on");
        }
    }

    @Test
    void aFailureThatDoesNotNameItsTermNamesTheWorkerAtTheEndOfItsFirstLine() {
        String worker = "node07 (10.1.0.7:5701, pid 4242)";
        assertEquals(
                "external term 'md' failed at step run: exit code 1 (on worker " + worker + ")\nlast lines:\nboom",
                LeafRun.located(
                        "external term 'md' failed at step run: exit code 1\nlast lines:\nboom", 0, "md", worker));
        assertEquals("boom (on worker " + worker + ")", LeafRun.located("boom", -1, "", worker));
        assertEquals("term 0 'md' failed: boom", LeafRun.located("term 0 'md' failed: boom", 0, "md", null));
    }

    @Test
    @SuppressWarnings("try") // the worker is held open, not used
    void aNoWorkerListenerThatThrowsDoesNotStopTheNextTimeNoWorkerIsThere() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch second = new java.util.concurrent.CountDownLatch(1);
        ClusterOptions o = ClusterOptions.builder(SECRET)
                .memberWait(Duration.ofSeconds(1))
                .onNoWorker(why -> {
                    if (calls.incrementAndGet() == 1) {
                        // an Error, which ended the thread that watches for workers when it was called there
                        throw new StackOverflowError();
                    }
                    second.countDown();
                })
                .build();
        CombinedObjectiveFunction objective = new TestObjectives().create(Map.of());
        Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.7, -0.4});
        double serial = objective.evaluate(p, new EvaluationContext(p, "e2"));
        String cluster = "driver-test-listener-" + ProcessHandle.current().pid();
        try (Logged log = new Logged();
                LoopbackPair pair = LoopbackPair.start(cluster);
                ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, pair.driver(), o)) {
            assertTimeoutPreemptively(
                    Duration.ofSeconds(30),
                    () -> assertThrows(
                            TermFailedException.class, () -> cob.evaluate(p, new EvaluationContext(p, "e1"))));
            await("the listener failed")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> log.text()
                            .contains("WARN org.chemfit.cluster.Dispatcher - the listener of the member wait failed:"
                                    + " the stack overflowed (a recursion too deep)\n"));
            try (ClusterWorker w = ClusterWorker.start(pair.worker(), objective, SECRET, 1)) {
                await("the worker verified")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> !cob.stats().verifiedMembers().isEmpty());
                assertEquals(
                        Double.doubleToRawLongBits(serial),
                        Double.doubleToRawLongBits(cob.evaluate(p, new EvaluationContext(p, "e2"))));
            }
            // the worker closed: its member serves no task, and the member wait runs out once more
            assertTimeoutPreemptively(
                    Duration.ofSeconds(30),
                    () -> assertThrows(
                            TermFailedException.class, () -> cob.evaluate(p, new EvaluationContext(p, "e3"))));
            assertTrue(second.await(30, TimeUnit.SECONDS), "the listener was not told the second time");
            assertEquals(2, calls.get());
        }
    }

    @Test
    void withNoWorkerTheEvaluationFailsAfterTheMemberWaitWithAClearMessage() {
        List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        ClusterOptions o = ClusterOptions.builder(SECRET)
                .memberWait(Duration.ofSeconds(1))
                .onNoWorker(told::add)
                .build();
        try (Logged log = new Logged();
                ClusterWrapperCOB cob = new ClusterWrapperCOB(failing(), member, o)) {
            ChemFitException e = assertTimeoutPreemptively(
                    Duration.ofSeconds(30),
                    () -> assertThrows(ChemFitException.class, () -> cob.evaluate(Parameters.of(Map.of("x", 1.0)))));
            // under RAISE the first term's failure is raised, as for any term that could not run
            assertTrue(e instanceof TermFailedException, e.toString());
            assertTrue(
                    e.getMessage()
                            .startsWith("term 0 'a' failed: no worker holding the cluster secret joined cluster"
                                    + " 'driver-test-"),
                    e.getMessage());
            assertTrue(
                    e.getMessage()
                            .contains("within 1 s, so 3 task(s) could not run (other members: none; refused for a"
                                    + " wrong secret or another job: none). Start workers with the same cluster name"),
                    e.getMessage());
            // while still no worker is there, the next evaluation fails at once with the same reason
            TermFailedException again = assertTimeoutPreemptively(
                    Duration.ofSeconds(30),
                    () -> assertThrows(TermFailedException.class, () -> cob.evaluate(Parameters.of(Map.of("x", 2.0)))));
            assertTrue(again.getMessage().contains("no worker holding the cluster secret joined"), again.getMessage());
            // the listener was told once, when the wait ran out, the reason each task failed with; the
            // next evaluation's tasks failed at once, without another wait (it is told on a thread of
            // its own, so it may be told just after the tasks failed)
            await("the listener told").atMost(Duration.ofSeconds(30)).until(() -> !told.isEmpty());
            assertEquals(List.of(e.getMessage().substring("term 0 'a' failed: ".length())), told);
            // the tasks fail with the reason: the log warns that they fail, once, without the reason
            // again, and nothing is logged as an error
            String warning = "WARN org.chemfit.cluster.Dispatcher - no worker holding the cluster secret joined"
                    + " within the member wait of 1 s: the 3 waiting task(s) fail, and so does every task sent"
                    + " until a worker joins; their failure says why and what to change\n";
            assertEquals(1, log.text().split(java.util.regex.Pattern.quote(warning), -1).length - 1, log.text());
            assertTrue(!log.text().contains("ERROR") && !log.text().contains("Start workers"), log.text());
        }
    }

    @Test
    void whenTheOnlyWorkerRunsAnotherJobTheMemberWaitEndsNamingTheRefusalOnce() throws IOException {
        ClusterOptions o = ClusterOptions.builder(SECRET)
                .memberWait(Duration.ofSeconds(1))
                .jobFingerprint("job-a")
                .build();
        // members of their own: the refusal stays recorded for the worker's member
        String cluster = "driver-test-refused-" + ProcessHandle.current().pid();
        try (Logged log = new Logged();
                LoopbackPair pair = LoopbackPair.start(cluster);
                ClusterWrapperCOB cob = new ClusterWrapperCOB(failing(), pair.driver(), o);
                ClusterWorker other = ClusterWorker.start(pair.worker(), failing(), SECRET, 1, 0, "job-b")) {
            String uuid = other.memberUuid().toString();
            int port = pair.worker().getCluster().getLocalMember().getAddress().getPort();
            // the worker's member runs in this process: it is named as its failures name it
            String worker = "worker " + org.chemfit.support.HostName.get() + " (127.0.0.1:" + port + ", pid "
                    + ProcessHandle.current().pid() + ")";
            int driverPort =
                    pair.driver().getCluster().getLocalMember().getAddress().getPort();
            await("the worker of another job refused")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> cob.stats().refusedMembers().contains(uuid));
            TermFailedException e = assertTimeoutPreemptively(
                    Duration.ofSeconds(30),
                    () -> assertThrows(TermFailedException.class, () -> cob.evaluate(Parameters.of(Map.of("x", 1.0)))));
            // it joined and holds the secret: the failure says why it got no task, not that none joined
            assertEquals(
                    "term 0 'a' failed: no worker that the driver accepts joined cluster '" + cluster + "' within 1 s,"
                            + " so 3 task(s) could not run: 1 worker joined but was refused: " + worker
                            + " runs another job (fingerprint job-b; the driver's is job-a); other members now:"
                            + " [127.0.0.1:" + port + "]. Start every worker with the driver's job file and the files"
                            + " it reads. A worker not named here did not join: its join list must reach 127.0.0.1:"
                            + driverPort,
                    e.getMessage());
            await("the worker told")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> other.refusal().isPresent());
            assertEquals(
                    "it runs job job-b but the driver runs job job-a; start every worker with the driver's job file"
                            + " and the files it reads",
                    other.refusal().orElseThrow());
            // the driver's warning names the worker, both jobs and what to do; the failure above says
            // why the tasks failed, which the log does not repeat as an error
            String refusedWarning = "WARN org.chemfit.cluster.Dispatcher - refused " + worker + ": it runs job job-b"
                    + " but the driver runs job job-a; start every worker with the driver's job file and the files it"
                    + " reads; it gets no tasks\n";
            assertTrue(log.text().contains(refusedWarning), log.text());
            assertTrue(
                    log.text()
                            .contains("WARN org.chemfit.cluster.Dispatcher - no worker that the driver accepts joined"
                                    + " within the member wait of 1 s: the 3 waiting task(s) fail"),
                    log.text());
            assertTrue(!log.text().contains("ERROR"), log.text());
        }
    }

    @Test
    void theMemberWaitsFailureNamesEachRefusalAndWhatToDoForEach() {
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("worker n1 (127.0.0.1:5702, pid 7)", "runs another job (fingerprint b; the driver's is a)");
        // two tokens that failed the tag, for the same reason: said once, with the members not proven
        Dispatcher.Unverified unverified = new Dispatcher.Unverified(
                List.of("HMAC check failed", "HMAC check failed"), List.of("worker n2 (127.0.0.1:5703, pid 8)"));
        assertEquals(
                "no worker that the driver accepts joined cluster 'c' within 10 s, so 3 task(s) could not run: 1"
                        + " worker joined but was refused: worker n1 (127.0.0.1:5702, pid 7) runs another job"
                        + " (fingerprint b; the driver's is a); the ready tokens of 2 claimed senders could not be"
                        + " verified, so who sent them is not known (HMAC check failed); members in the cluster that have not proven the secret:"
                        + " worker n2 (127.0.0.1:5703, pid 8); other members now: [127.0.0.1:5702, 127.0.0.1:5703]."
                        + " Start every worker with the driver's job file and the files it reads. Give every worker"
                        + " the same secret as the driver. A worker not named here did not join: its join list must"
                        + " reach 127.0.0.1:5701",
                Dispatcher.starvedMessage(
                        "c",
                        Duration.ofSeconds(10),
                        3,
                        List.of("127.0.0.1:5702", "127.0.0.1:5703"),
                        refused,
                        unverified,
                        "127.0.0.1:5701",
                        null));
        assertEquals(
                "no worker that the driver accepts joined cluster 'c' within 10 s, so 3 task(s) could not run:"
                        + " the ready tokens of 1 claimed sender could not be verified, so who sent them is not known"
                        + " (HMAC check failed); no"
                        + " member in the cluster now lacks a proof of the secret; other members now: none. Give every"
                        + " worker the same secret as the driver. A worker not named here did not join: its join list"
                        + " must reach 127.0.0.1:5701",
                Dispatcher.starvedMessage(
                        "c",
                        Duration.ofSeconds(10),
                        3,
                        List.of(),
                        Map.of(),
                        new Dispatcher.Unverified(List.of("HMAC check failed"), List.of()),
                        "127.0.0.1:5701",
                        null));
        assertEquals(
                "no worker holding the cluster secret joined cluster 'c' within 10 s, so 3 task(s) could not run"
                        + " (other members: none; refused for a wrong secret or another job: none). Start workers"
                        + " with the same cluster name, a join list that reaches 127.0.0.1:5701, the same secret and"
                        + " the same job",
                Dispatcher.starvedMessage(
                        "c",
                        Duration.ofSeconds(10),
                        3,
                        List.of(),
                        Map.of(),
                        Dispatcher.Unverified.NONE,
                        "127.0.0.1:5701",
                        null));
        // a worker joined and left: the message says so, rather than that none ever joined
        assertEquals(
                "no worker holding the cluster secret joined cluster 'c' within 10 s after its last worker, worker"
                        + " n1 (127.0.0.1:5702, pid 7), left, so 3 task(s) could not run (other members:"
                        + " none; refused for a wrong secret or another job: none). Start workers with the same"
                        + " cluster name, a join list that reaches 127.0.0.1:5701, the same secret and the same job",
                Dispatcher.starvedMessage(
                        "c",
                        Duration.ofSeconds(10),
                        3,
                        List.of(),
                        Map.of(),
                        Dispatcher.Unverified.NONE,
                        "127.0.0.1:5701",
                        "worker n1 (127.0.0.1:5702, pid 7)"));
    }

    @Test
    void aForgedTokenThatClaimsAMemberDoesNotKeepThatMembersOwnRefusalForAnotherJobFromBeingSaid() throws IOException {
        ClusterSecret wrong = ClusterSecret.of("not the driver's secret, but long enough");
        ClusterOptions o = ClusterOptions.builder(SECRET)
                .memberWait(Duration.ofSeconds(60))
                .jobFingerprint("job-a")
                .build();
        String cluster = "driver-test-forged-first-" + ProcessHandle.current().pid();
        try (Logged log = new Logged();
                LoopbackPair pair = LoopbackPair.start(cluster);
                ClusterWrapperCOB cob = new ClusterWrapperCOB(failing(), pair.driver(), o)) {
            String uuid = pair.worker().getCluster().getLocalMember().getUuid().toString();
            var ready = pair.worker().<Object>getQueue(Channels.READY);
            // first a forged token that claims the worker's member
            assertTrue(ready.offer(Frames.encode(new Frames.Ready(uuid, 1, 1), wrong, "job-a")));
            await("the forged token refused")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> log.text().contains("refused a ready token that could not be verified"));
            // then the member's own token, signed with the secret, for this driver's session and another job
            String entry =
                    pair.driver().<String, String>getMap(Channels.CONTROL).get(Channels.DRIVER_KEY);
            long session = Long.parseUnsignedLong(entry.substring(entry.indexOf('/') + 1), 16);
            assertTrue(ready.offer(Frames.encode(new Frames.Ready(uuid, session, 1), SECRET, "job-b")));
            String refusedWarning = "WARN org.chemfit.cluster.Dispatcher - refused " + named(pair.worker())
                    + ": it runs job job-b but the driver runs job job-a; start every worker with the driver's job"
                    + " file and the files it reads; it gets no tasks\n";
            await("the refusal for another job said")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> log.text().contains(refusedWarning));
            // the member is told the verified reason, which replaces what the forged token made it be told
            assertEquals(
                    "it runs job job-b but the driver runs job job-a; start every worker with the driver's job file"
                            + " and the files it reads",
                    pair.driver().getMap(Channels.REFUSED).get(uuid));
            assertEquals(java.util.Set.of(uuid), cob.stats().refusedMembers());
        }
    }

    @Test
    void tokensThatCannotBeVerifiedAreTrackedForTheFirstFiveClaimedSendersAndOneSignedButUnreadableSaysToMatchVersions()
            throws IOException {
        ClusterSecret wrong = ClusterSecret.of("not the driver's secret, but long enough");
        ClusterOptions o = ClusterOptions.builder(SECRET)
                .memberWait(Duration.ofSeconds(1))
                .jobFingerprint("job-a")
                .build();
        String cluster = "driver-test-unverified-cap-" + ProcessHandle.current().pid();
        try (Logged log = new Logged();
                LoopbackPair pair = LoopbackPair.start(cluster);
                ClusterWrapperCOB cob = new ClusterWrapperCOB(failing(), pair.driver(), o)) {
            String uuid = pair.worker().getCluster().getLocalMember().getUuid().toString();
            var ready = pair.worker().<Object>getQueue(Channels.READY);
            // a token signed with the secret that cannot be read, as one of another version would be: a
            // valid token with three bytes more under a tag made over them
            byte[] valid = Frames.encode(new Frames.Ready(uuid, 1, 1), SECRET, "job-a");
            byte[] body = java.util.Arrays.copyOf(valid, valid.length - Frames.TAG_BYTES + 3);
            byte[] tag = SECRET.mac(body, 0, body.length);
            byte[] unreadable = java.util.Arrays.copyOf(body, body.length + tag.length);
            System.arraycopy(tag, 0, unreadable, body.length, tag.length);
            assertTrue(ready.offer(unreadable));
            String signedWarning = "WARN org.chemfit.cluster.Dispatcher - refused a ready token that could not be"
                    + " verified (signed with the cluster secret but not readable, likely by another version of"
                    + " chemfit: malformed ready frame: 3 trailing bytes): who sent it is not known; members in the"
                    + " cluster that have not proven the secret: " + named(pair.worker()) + ". Run the same version"
                    + " of chemfit on every worker as on the driver; its sender gets no tasks\n";
            await("the unreadable token refused")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> log.text().contains(signedWarning));
            assertEquals(
                    "its ready token holds the cluster secret but could not be read: malformed ready frame: 3"
                            + " trailing bytes. Run the same version of chemfit as the driver",
                    pair.driver().getMap(Channels.REFUSED).get(uuid));
            // then forged tokens that claim seven other senders: four more are tracked, three only counted
            for (int i = 1; i <= 7; i++) {
                assertTrue(ready.offer(
                        Frames.encode(new Frames.Ready(new java.util.UUID(0, i).toString(), 1, 1), wrong, "job-a")));
            }
            await("every token refused")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> cob.stats().refusedFrames() == 8);
            int port = pair.worker().getCluster().getLocalMember().getAddress().getPort();
            int driverPort =
                    pair.driver().getCluster().getLocalMember().getAddress().getPort();
            TermFailedException e = assertTimeoutPreemptively(
                    Duration.ofSeconds(30),
                    () -> assertThrows(TermFailedException.class, () -> cob.evaluate(Parameters.of(Map.of("x", 1.0)))));
            assertEquals(
                    "term 0 'a' failed: no worker that the driver accepts joined cluster '" + cluster + "' within 1 s,"
                            + " so 3 task(s) could not run: the ready tokens of 5 claimed senders and 3 more tokens"
                            + " that claimed other senders could not be verified, so who sent them is not known"
                            + " (signed with the cluster secret but not readable, likely by another version of chemfit:"
                            + " malformed ready frame: 3 trailing bytes; HMAC check failed (the sender does not hold"
                            + " this cluster's secret)); members in the cluster that have not proven the secret: "
                            + named(pair.worker()) + "; other members now: [127.0.0.1:" + port + "]. Give every"
                            + " worker the same secret as the driver. Run the same version of chemfit on every worker"
                            + " as on the driver. A worker not named here did not join: its join list must reach"
                            + " 127.0.0.1:" + driverPort,
                    e.getMessage());
            String text = log.text();
            assertEquals(5, text.split("refused a ready token that could not be verified", -1).length - 1, text);
            assertEquals(
                    1,
                    text.split(
                                            java.util.regex.Pattern.quote(
                                                    "WARN org.chemfit.cluster.Dispatcher - refused ready tokens that"
                                                            + " could not be verified from more than 5 claimed senders:"
                                                            + " the ones after those are counted, not logged or told\n"),
                                            -1)
                                    .length
                            - 1,
                    text);
            // only the tracked senders are told
            assertEquals(5, pair.driver().getMap(Channels.REFUSED).size());
            assertEquals(5, cob.stats().refusedMembers().size());
        }
    }

    /** How the driver's warnings and failures name a worker: "worker HOST (127.0.0.1:PORT, pid PID)". */
    private static String named(HazelcastInstance m) {
        return "worker " + org.chemfit.support.HostName.get() + " (127.0.0.1:"
                + m.getCluster().getLocalMember().getAddress().getPort() + ", pid "
                + ProcessHandle.current().pid() + ")";
    }

    @Test
    void aTokenThatFailsItsCheckNamesNoWorkerFromWhatItClaimsAndSaysWhoHasNotProvenTheSecret() throws IOException {
        ClusterSecret wrong = ClusterSecret.of("not the driver's secret, but long enough");
        ClusterOptions o = ClusterOptions.builder(SECRET)
                .memberWait(Duration.ofSeconds(1))
                .jobFingerprint("job-a")
                .build();
        String cluster = "driver-test-unverified-" + ProcessHandle.current().pid();
        try (Logged log = new Logged();
                LoopbackPair pair = LoopbackPair.start(cluster);
                ClusterWrapperCOB cob = new ClusterWrapperCOB(failing(), pair.driver(), o);
                ClusterWorker bad = ClusterWorker.start(pair.worker(), failing(), wrong, 1, 0, "job-a")) {
            // besides the worker's own token, one forged on its member that claims to be the driver's
            // member: named from what it claims, the warning would name the driver as the worker refused
            String driverUuid =
                    pair.driver().getCluster().getLocalMember().getUuid().toString();
            assertTrue(pair.worker()
                    .getQueue(Channels.READY)
                    .offer(Frames.encode(new Frames.Ready(driverUuid, 1, 1), wrong, "job-a")));
            await("both tokens refused")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> cob.stats().refusedMembers().size() == 2);
            String warning = "WARN org.chemfit.cluster.Dispatcher - refused a ready token that could not be verified"
                    + " (HMAC check failed (the sender does not hold this cluster's secret)): who sent it is not known;"
                    + " members in the cluster that have not proven the secret: " + named(pair.worker())
                    + ". Give every worker the same secret as the driver; its sender gets no tasks\n";
            await("both warnings")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> log.text().split(java.util.regex.Pattern.quote(warning), -1).length - 1 == 2);
            assertTrue(!log.text().contains(named(pair.driver())), log.text());
            int port = pair.worker().getCluster().getLocalMember().getAddress().getPort();
            int driverPort =
                    pair.driver().getCluster().getLocalMember().getAddress().getPort();
            TermFailedException e = assertTimeoutPreemptively(
                    Duration.ofSeconds(30),
                    () -> assertThrows(TermFailedException.class, () -> cob.evaluate(Parameters.of(Map.of("x", 1.0)))));
            assertEquals(
                    "term 0 'a' failed: no worker that the driver accepts joined cluster '" + cluster + "' within 1 s,"
                            + " so 3 task(s) could not run: the ready tokens of 2 claimed senders could not be verified,"
                            + " so who sent them is not known (HMAC check failed (the sender does not hold this cluster's secret)); members"
                            + " in the cluster that have not proven the secret: " + named(pair.worker())
                            + "; other members now: [127.0.0.1:" + port + "]. Give every worker the same secret as the"
                            + " driver. A worker not named here did not join: its join list must reach 127.0.0.1:"
                            + driverPort,
                    e.getMessage());
            // the worker that sent its own token is told why, under the id it gave
            await("the worker told")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> bad.refusal().isPresent());
            assertEquals(
                    "its ready token failed the driver's check: HMAC check failed (the sender does not hold this"
                            + " cluster's secret). Give it the same secret as the driver",
                    bad.refusal().orElseThrow());
        }
    }

    @Test
    void aForgedTokenThatClaimsAWorkerThatProvedTheSecretDoesNotStopIt() throws Exception {
        ClusterSecret wrong = ClusterSecret.of("not the driver's secret, but long enough");
        ClusterOptions o = ClusterOptions.builder(SECRET)
                .memberWait(Duration.ofSeconds(60))
                .build();
        CombinedObjectiveFunction objective = new TestObjectives().create(Map.of());
        Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.7, -0.4});
        double serial = objective.evaluate(p, new EvaluationContext(p, "e1"));
        String cluster = "driver-test-forged-claim-" + ProcessHandle.current().pid();
        try (Logged log = new Logged();
                LoopbackPair pair = LoopbackPair.start(cluster);
                ClusterWrapperCOB cob = new ClusterWrapperCOB(objective, pair.driver(), o);
                ClusterWorker good = ClusterWorker.start(pair.worker(), objective, SECRET, 1)) {
            assertEquals(
                    Double.doubleToRawLongBits(serial),
                    Double.doubleToRawLongBits(cob.evaluate(p, new EvaluationContext(p, "e1"))));
            String uuid = good.memberUuid().toString();
            assertTrue(
                    pair.driver().getQueue(Channels.READY).offer(Frames.encode(new Frames.Ready(uuid, 1, 1), wrong)));
            String warning = "WARN org.chemfit.cluster.Dispatcher - refused a ready token that could not be verified"
                    + " (HMAC check failed (the sender does not hold this cluster's secret)): who sent it is not known;"
                    + " no member in the cluster now lacks a proof of the secret. Give every worker the same secret as"
                    + " the driver; its sender gets no tasks\n";
            await("the forged token refused")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> log.text().contains(warning));
            // the worker it claims to be proved the secret: it is not told that it is refused
            assertNull(pair.driver().getMap(Channels.REFUSED).get(uuid));
            assertEquals(
                    Double.doubleToRawLongBits(serial),
                    Double.doubleToRawLongBits(cob.evaluate(p, new EvaluationContext(p, "e2"))));
            assertTrue(good.refusal().isEmpty());
        }
    }

    /**
     * A worker that has served a driver holding its secret is refused by a later driver that holds
     * another (a mistyped secret): it says so once and waits on, and serves the next driver that
     * holds its secret. A refusal for the secret was once taken for the worker's fault, and it left.
     */
    @Test
    void aWorkerThatServedADriverOfItsSecretOutlivesADriverWithAnotherOne() throws Exception {
        ClusterSecret wrong = ClusterSecret.of("not the workers' secret, but long enough");
        CombinedObjectiveFunction objective = new TestObjectives().create(Map.of());
        Parameters p = Parameters.of(List.of("x", "y"), new double[] {0.7, -0.4});
        double serial = objective.evaluate(p, new EvaluationContext(p, "e1"));
        String cluster = "driver-test-wrong-driver-" + ProcessHandle.current().pid();
        ClusterOptions right = ClusterOptions.builder(SECRET)
                .memberWait(Duration.ofSeconds(60))
                .build();
        try (Logged log = new Logged();
                LoopbackPair pair = LoopbackPair.start(cluster);
                ClusterWorker worker = ClusterWorker.start(pair.worker(), objective, SECRET, 1)) {
            try (ClusterWrapperCOB first = new ClusterWrapperCOB(objective, pair.driver(), right)) {
                assertEquals(
                        Double.doubleToRawLongBits(serial),
                        Double.doubleToRawLongBits(first.evaluate(p, new EvaluationContext(p, "e1"))));
            }
            String said = "WARN org.chemfit.cluster.ClusterWorker - a driver refused this worker because its ready"
                    + " token failed the driver's check, but this worker has served drivers that hold its secret: the"
                    + " driver now running holds another secret (give it the workers' one), or the refusal was not a"
                    + " driver's; this worker goes on waiting for a driver that holds its secret\n";
            try (ClusterWrapperCOB mistyped = new ClusterWrapperCOB(
                    objective,
                    pair.driver(),
                    ClusterOptions.builder(wrong)
                            .memberWait(Duration.ofSeconds(1))
                            .build())) {
                String uuid = worker.memberUuid().toString();
                await("the worker told")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> pair.driver().getMap(Channels.REFUSED).get(uuid) != null);
                await("the worker says it waits on")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> log.text().contains(said));
                assertThrows(TermFailedException.class, () -> mistyped.evaluate(p, new EvaluationContext(p, "e2")));
            }
            assertTrue(worker.refusal().isEmpty(), log::text);
            assertEquals(1, log.text().split(java.util.regex.Pattern.quote(said), -1).length - 1, log::text);
            try (ClusterWrapperCOB again = new ClusterWrapperCOB(objective, pair.driver(), right)) {
                assertEquals(
                        Double.doubleToRawLongBits(serial),
                        Double.doubleToRawLongBits(again.evaluate(p, new EvaluationContext(p, "e3"))));
            }
        }
    }

    @Test
    @SuppressWarnings("try") // the first driver is held open, not used
    void oneDriverPerCluster() {
        try (ClusterWrapperCOB first = new ClusterWrapperCOB(failing(), member, local(1))) {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> new ClusterWrapperCOB(failing(), member, local(1)));
            assertTrue(
                    e.getMessage()
                            .startsWith("another driver (member "
                                    + member.getCluster().getLocalMember().getUuid()
                                    + ") is already running on cluster 'driver-test-"),
                    e.getMessage());
        }
        // once closed, the next one may drive
        new ClusterWrapperCOB(failing(), member, local(1)).close();
    }

    /** Any class but ours: Java serialization would instantiate it on the reading member. */
    static final class Gadget implements Serializable {
        private static final long serialVersionUID = 1L;
        final String payload = "would run code in readObject";
    }

    @Test
    void noJavaSerializedObjectIsEverDeserialized() {
        IMap<String, Object> map = member.getMap(Channels.PREFIX + "probe");
        map.set("k", new Gadget());
        RuntimeException e = assertThrows(RuntimeException.class, () -> map.get("k"));
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        assertTrue(root instanceof SecurityException, root.toString());
        assertTrue(root.getMessage().contains(Gadget.class.getName()), root.getMessage());
        map.destroy();
    }
}
