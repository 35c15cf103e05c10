package org.chemfit.external;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.LossFunctions;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.TermFailedException;
import org.chemfit.schedule.AsyncWrapperCOB;
import org.chemfit.testfixtures.MachineRequirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileBasedQuantityComputerIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A margin, generous for a shared and busy machine, for what a timed-out command may take beyond
     * its timeout and the kill's grace: signalling the tree and noticing that it has ended.
     */
    private static final double STOP_MARGIN_SECONDS = 1.5;

    @TempDir
    Path root;

    private FileBasedQuantityComputer.Builder fake(String mode) {
        return FileBasedQuantityComputer.builder()
                .name("fake")
                .workDirectory(root)
                .templateText("in.txt", "# input\nx = {{ x }}\n")
                .command("bash", TestSupport.fakeProgram().toString(), mode)
                .output(OutputParsers.regex("result", "out.txt", "result = (\\S+)"));
    }

    private static Parameters x(double v) {
        return Parameters.of(Map.of("x", v));
    }

    private List<Path> runDirs() throws Exception {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    private static JsonNode failureJson(TermFailedException e) throws Exception {
        Path dir = e.runDirectory().orElseThrow();
        return JSON.readTree(dir.resolve("failure.json").toFile());
    }

    @Test
    void rendersParametersRunsTheProgramAndParsesWithFullPrecision() {
        double value = 0.1 + 0.2; // 0.30000000000000004 must survive the round trip through text
        Quantities q = fake("ok").build().compute(x(value), new EvaluationContext(x(value), "e7"));
        assertEquals(2 * value, q.get("result"), 0.0);
    }

    @Test
    void nestedParameterNamesAndTemplateFormattingAreReachable() throws Exception {
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .workDirectory(root)
                .keep(KeepPolicy.ALL)
                .templateText("in.txt", "x = {{ lj.epsilon }}\nsigma {{ \"%.3f\" | format(lj.sigma) }} {{ n }}\n")
                .variable("n", 4)
                .command("bash", TestSupport.fakeProgram().toString(), "echo")
                .output(OutputParsers.regex("eps", "out.txt", "x = (\\S+)"))
                .output(OutputParsers.regex("sigma", "out.txt", "^sigma (\\S+)"))
                .output(OutputParsers.regex("n", "out.txt", "^sigma \\S+ (\\S+)"))
                .build();
        Parameters p = Parameters.of(Map.of("lj", Map.of("epsilon", 0.0103, "sigma", 3.40512)));
        EvaluationContext ctx = new EvaluationContext(p, "e1");
        Quantities q = c.compute(p, ctx);
        assertEquals(0.0103, q.get("eps"), 0.0);
        assertEquals(3.405, q.get("sigma"), 0.0);
        assertEquals(4.0, q.get("n"), 0.0);
        Path dir = Path.of((String) ctx.metadata().get("run_directory"));
        // no name given: the context's (a root context is "objective"), its evaluation id, this process
        assertTrue(
                dir.getFileName()
                        .toString()
                        .matches("objective-e1-p" + ProcessHandle.current().pid() + "-[0-9a-z]+"),
                dir.getFileName().toString());
        assertEquals("x = 0.0103\nsigma 3.405 4\n", Files.readString(dir.resolve("in.txt")));
        assertTrue(Files.exists(dir.resolve("program.stdout")));
        assertTrue(Files.exists(dir.resolve("program.stderr")));
    }

    @Test
    void unknownParameterFailsBeforeAnyProgramRunsNamingTemplateAndLine() throws Exception {
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .workDirectory(root)
                .templateText("first.in", "x = {{ x }}\n")
                .templateText("in.txt", "# line 1\nx = {{ x }}\ny = {{ lj.nope }}\n")
                .command("bash", "-c", "echo ran > ran.txt")
                .output(OutputParsers.regex("r", "ran.txt", "(ran)"))
                .build();
        Parameters p = Parameters.of(Map.of("x", 1.0, "lj", Map.of("epsilon", 1.0)));
        TermFailedException e = assertThrows(TermFailedException.class, () -> c.compute(p));
        assertTrue(
                e.getMessage().contains("template 'in.txt' line 3: unknown parameter 'lj.nope' in `y = {{ lj.nope }}`"),
                e.getMessage());
        assertTrue(e.getMessage().contains("known names: ") && e.getMessage().contains("lj.epsilon"), e.getMessage());
        Path dir = e.runDirectory().orElseThrow();
        assertFalse(Files.exists(dir.resolve("ran.txt")), "the command must not have run");
        assertFalse(Files.exists(dir.resolve("first.in")), "nothing is written before every template rendered");
        JsonNode f = failureJson(e);
        assertEquals("render", f.get("step").asText());
        assertEquals(1.0, f.get("parameters").get("lj").get("epsilon").asDouble(), 0.0);
        assertFalse(e.isTransient());
    }

    @Test
    void unknownRootNameIsReportedToo() {
        FileBasedQuantityComputer c =
                fake("ok").templateText("b.txt", "a\nb\nc {{ y }}\n").build();
        TermFailedException e = assertThrows(TermFailedException.class, () -> c.compute(x(1)));
        assertTrue(
                e.getMessage().contains("template 'b.txt' line 3: unknown parameter or variable 'y'"), e.getMessage());
    }

    @Test
    void templateSyntaxErrorIsRefusedAtBuildNamingFileAndLine() throws Exception {
        Path t = root.resolve("broken.tmpl");
        Files.writeString(t, "units metal\npair_coeff 1 1 {{ lj.epsilon + }}\nrun 0\n");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> fake("ok").template("in2.txt", t).build());
        assertTrue(e.getMessage().startsWith("template '" + t + "' line 2"), e.getMessage());
    }

    @Test
    void exitCodeOneFailsWithStderrTailAndFailureJson() throws Exception {
        FileBasedQuantityComputer c = fake("fail").build();
        EvaluationContext ctx = new EvaluationContext(x(2.5), "e42");
        TermFailedException e = assertThrows(TermFailedException.class, () -> c.compute(x(2.5), ctx));
        assertEquals(1, e.exitCode().getAsInt());
        assertTrue(e.stderrTail().orElseThrow().contains("ERROR: boom, the input is bad"));
        assertTrue(e.getMessage().contains("exited with code 1"), e.getMessage());
        assertFalse(e.isTransient());
        assertEquals("fake", e.termName());
        JsonNode f = failureJson(e);
        assertEquals("fake", f.get("term").asText());
        assertEquals("e42", f.get("evaluation").asText());
        assertEquals("run", f.get("step").asText());
        assertEquals(1, f.get("exit_code").asInt());
        assertEquals("bash", f.get("command").get(0).asText());
        assertEquals(2.5, f.get("parameters").get("x").asDouble(), 0.0);
        assertTrue(f.get("stderr_tail").asText().contains("boom"));
        assertTrue(f.get("timings").get("total_seconds").asDouble() > 0);
        assertEquals(
                "reading input\n",
                Files.readString(e.runDirectory().orElseThrow().resolve("program.stdout")));
    }

    @Test
    void timeoutKillsTheWholeTreeIncludingAChildThatIgnoresSigterm() throws Exception {
        FileBasedQuantityComputer c = fake("forkterm")
                .timeout(Duration.ofMillis(1500))
                .killGrace(Duration.ofMillis(300))
                .build();
        TermFailedException e = assertThrows(TermFailedException.class, () -> c.compute(x(1)));
        assertTrue(e.isTransient());
        assertTrue(e.getMessage().contains("timed out after 1500 ms"), e.getMessage());
        // the child ignores SIGTERM: the message says that SIGKILL ended it, and what that may cost
        assertTrue(
                e.getMessage()
                        .matches("(?s).*; [1-9] of its processes did not end within the kill grace of 300 ms after"
                                + " SIGTERM and got SIGKILL, so files it was writing may be cut short \\(a longer"
                                + " kill_grace gives a program time to close them\\).*"),
                e.getMessage());
        Path dir = e.runDirectory().orElseThrow();
        long parent = TestSupport.readPid(dir.resolve("parent.pid"));
        long child = TestSupport.readPid(dir.resolve("child.pid"));
        assertTrue(TestSupport.gone(parent), "parent still in the process table: state " + TestSupport.state(parent));
        assertTrue(TestSupport.gone(child), "child still in the process table: state " + TestSupport.state(child));
        JsonNode f = failureJson(e);
        assertTrue(f.get("timed_out").asBoolean());
        assertTrue(f.get("transient").asBoolean());
        // the child that ignores SIGTERM is killed once the grace is over, and its end is noticed soon
        // after, although it is an orphan that init reaps late
        assertStoppedWithin(f, 1.5 + 0.3 + STOP_MARGIN_SECONDS);
    }

    private static void assertStoppedWithin(JsonNode failure, double limitSeconds) {
        double seconds = failure.get("commands").get(0).get("seconds").asDouble();
        assertTrue(
                seconds < limitSeconds,
                "the command was stopped after " + seconds + " s, limit " + limitSeconds + " s");
    }

    @Test
    void aTimedOutWrapperScriptWhoseTreeDiesOnSigtermIsStoppedWithoutWaitingOutTheGrace() throws Exception {
        // the default grace, 5 s: the tree dies on SIGTERM, so it is not waited out
        JsonNode f = timeOutWrapper("wrapper", Duration.ofSeconds(5));
        assertStoppedWithin(f, 1.5 + STOP_MARGIN_SECONDS);
    }

    @Test
    void aTimedOutWrapperScriptWhoseGrandchildIgnoresSigtermIsStoppedAfterTheGrace() throws Exception {
        JsonNode f = timeOutWrapper("wrapperterm", Duration.ofMillis(300));
        assertStoppedWithin(f, 1.5 + 0.3 + STOP_MARGIN_SECONDS);
    }

    /**
     * Runs a wrapper script (fakeprog.sh wrapper or wrapperterm: a foreground child with a child of
     * its own) into a 1500 ms timeout and checks that it failed for the timeout and that none of its
     * three processes is left.
     *
     * @return the failure report
     */
    private JsonNode timeOutWrapper(String mode, Duration grace) throws Exception {
        FileBasedQuantityComputer c = fake(mode)
                // long enough for a loaded machine to start the tree and write the pid files before the kill
                .timeout(Duration.ofMillis(1500))
                .killGrace(grace)
                .build();
        TermFailedException e = assertThrows(TermFailedException.class, () -> c.compute(x(1)));
        assertTrue(e.isTransient());
        assertTrue(e.getMessage().contains("timed out after 1500 ms"), e.getMessage());
        if (mode.equals("wrapperterm")) {
            assertTrue(
                    e.getMessage()
                            .contains(" of its processes did not end within the kill grace of " + grace.toMillis()
                                    + " ms after SIGTERM and got SIGKILL"),
                    e.getMessage());
        } else {
            // every process ended on SIGTERM: no word of SIGKILL
            assertFalse(e.getMessage().contains("SIGKILL"), e.getMessage());
        }
        Path dir = e.runDirectory().orElseThrow();
        for (String f : List.of("parent.pid", "child.pid", "grandchild.pid")) {
            long pid = TestSupport.readPid(dir.resolve(f));
            assertTrue(TestSupport.gone(pid), f + " still in the process table: state " + TestSupport.state(pid));
        }
        JsonNode f = failureJson(e);
        assertTrue(f.get("timed_out").asBoolean());
        assertEquals(1, f.get("commands").size());
        assertTrue(f.get("commands").get(0).get("timed_out").asBoolean());
        return f;
    }

    @Test
    void aTimedOutScriptThatForkedTwiceHasItsReparentedGrandchildKilled() throws Exception {
        FileBasedQuantityComputer c = fake("daemon")
                // long enough for a loaded machine to start the tree and write the pid files before the kill
                .timeout(Duration.ofMillis(4500))
                .killGrace(Duration.ofMillis(300))
                .build();
        TermFailedException e = assertThrows(TermFailedException.class, () -> c.compute(x(1)));
        assertTrue(e.getMessage().contains("timed out after 4500 ms and its process tree was killed"), e.getMessage());
        assertTrue(
                e.getMessage().contains("did not end within the kill grace of 300 ms after SIGTERM and got SIGKILL"),
                e.getMessage());
        Path dir = e.runDirectory().orElseThrow();
        long parent = TestSupport.readPid(dir.resolve("parent.pid"));
        long grandchild = TestSupport.readPid(dir.resolve("grandchild.pid"));
        try {
            assertTrue(
                    TestSupport.gone(parent), "parent still in the process table: state " + TestSupport.state(parent));
            // not a descendant of the script any more, and deaf to SIGTERM: its tag finds it, SIGKILL ends it
            assertTrue(
                    TestSupport.gone(grandchild),
                    "grandchild still in the process table: state " + TestSupport.state(grandchild));
        } finally {
            ProcessHandle.of(grandchild).ifPresent(ProcessHandle::destroyForcibly);
        }
        assertTrue(failureJson(e).get("timed_out").asBoolean());
    }

    @Test
    void aProcessThatASuccessfulCommandLeavesRunningIsKilledWithAWarning() throws Exception {
        FileBasedQuantityComputer c = fake("leak").keep(KeepPolicy.ALL).build();
        List<Long> children = new ArrayList<>();
        String warnings;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            for (int i = 0; i < 3; i++) {
                EvaluationContext ctx = new EvaluationContext(x(i), "e" + i);
                assertEquals(2.0 * i, c.compute(x(i), ctx).get("result"), 0.0);
                Path dir = Path.of((String) ctx.metadata().get("run_directory"));
                children.add(TestSupport.readPid(dir.resolve("child.pid")));
            }
        } finally {
            System.setErr(err);
            warnings = captured.toString(StandardCharsets.UTF_8);
            for (long pid : children) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        for (long pid : children) {
            // killed before compute returned: gone at once, unless init has yet to reap it
            assertTrue(
                    TestSupport.gone(pid),
                    "background child still in the process table: state " + TestSupport.state(pid));
        }
        // said in full for the first run only; the two others are counted (said at the 10th)
        List<String> lines =
                warnings.lines().filter(l -> l.contains("running after")).toList();
        assertEquals(1, lines.size(), warnings);
        assertTrue(
                lines.get(0)
                        .contains("external term 'fake': command 'bash " + TestSupport.fakeProgram()
                                + " leak' left 1 process running after it ended (sleep); it was killed (evaluation e0,"
                                + " run directory "),
                lines.get(0));
        assertEquals(3, c.leftRunningWarnings.runs("fake", "bash " + TestSupport.fakeProgram() + " leak"));
    }

    @Test
    void aDaemonThatStartedASessionOfItsOwnIsKilledAtTheEndOfTheTermWithAWarning() throws Exception {
        MachineRequirement.require(
                ProcessRunner.findOnPath("setsid", System.getenv("PATH")) != null, "no setsid on the PATH");
        FileBasedQuantityComputer c = fake("setsid").keep(KeepPolicy.ALL).build();
        EvaluationContext ctx = new EvaluationContext(x(3), "e7");
        long daemon = -1;
        String warnings;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertEquals(6.0, c.compute(x(3), ctx).get("result"), 0.0);
            Path dir = Path.of((String) ctx.metadata().get("run_directory"));
            daemon = TestSupport.readPid(dir.resolve("daemon.pid"));
        } finally {
            System.setErr(err);
            warnings = captured.toString(StandardCharsets.UTF_8);
            if (daemon > 0) {
                ProcessHandle.of(daemon).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        assertTrue(TestSupport.gone(daemon), "daemon still in the process table: state " + TestSupport.state(daemon));
        assertTrue(
                warnings.contains("external term 'fake': command 'bash " + TestSupport.fakeProgram()
                        + " setsid' left 1 process running after it ended (sleep); it was killed (evaluation e7, run"
                        + " directory "),
                warnings);
    }

    @Test
    void aProcessThatAFailedCommandLeavesRunningIsKilledAndCountedInTheReport() throws Exception {
        FileBasedQuantityComputer c =
                fake("leakfail").killGrace(Duration.ofMillis(300)).build();
        TermFailedException e = assertThrows(TermFailedException.class, () -> c.compute(x(1)));
        assertTrue(e.getMessage().contains("exited with code 1"), e.getMessage());
        Path dir = e.runDirectory().orElseThrow();
        long child = TestSupport.readPid(dir.resolve("child.pid"));
        try {
            // it ignores SIGTERM: killed once the grace is over
            assertTrue(
                    TestSupport.gone(child),
                    "background child still in the process table: state " + TestSupport.state(child));
        } finally {
            ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
        }
        JsonNode command = failureJson(e).get("commands").get(0);
        assertEquals(1, command.get("exit_code").asInt());
        assertEquals(1, command.get("left_running").asInt(), command.toString());
    }

    @Test
    void aScriptWhoseInterpreterIsMissingCannotBeStarted() {
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .workDirectory(root)
                .templateText("run.sh", "#!/nonexistent/interpreter\necho \"result = 1\" > out.txt\n")
                .inputWriter((dir, p) -> dir.resolve("run.sh").toFile().setExecutable(true))
                .command("./run.sh")
                .output(OutputParsers.regex("result", "out.txt", "result = (\\S+)"))
                .build();
        TermFailedException e = assertThrows(TermFailedException.class, () -> c.compute(x(1)));
        assertFalse(e.isTransient());
        // the system's "No such file or directory" is of the interpreter, not of the script: named as such
        assertTrue(
                e.getMessage()
                        .contains("failed at step run: program './run.sh' exists and is executable, but the interpreter"
                                + " its #! line names was not found: '/nonexistent/interpreter' (install it, or correct"
                                + " the line): "),
                e.getMessage());
        assertTrue(e.exitCode().isEmpty(), "not started, so no exit code: " + e.exitCode());
    }

    @Test
    void aHangingProgramTimesOutAndIsRetriedOnceThenReported() throws Exception {
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("hang")
                .workDirectory(root)
                // long enough for a loaded machine to start bash and write both pid files before the kill
                .command(Command.of("bash", TestSupport.fakeProgram().toString(), "hang")
                        .timeout(Duration.ofMillis(1500)))
                .killGrace(Duration.ofMillis(200))
                .output(OutputParsers.regex("result", "out.txt", "result = (\\S+)"))
                .retries(1)
                .build();
        EvaluationContext ctx = new EvaluationContext(x(1), "h1");
        TermFailedException e = assertThrows(TermFailedException.class, () -> c.compute(x(1), ctx));
        assertTrue(e.isTransient());
        assertTrue(
                e.getMessage()
                        .contains("command 'bash " + TestSupport.fakeProgram() + " hang' timed out after 1500 ms"),
                e.getMessage());
        assertEquals(1, ctx.metadata().get("external_retries"));
        List<Path> dirs = runDirs();
        assertEquals(2, dirs.size(), "both attempts are kept: " + dirs);
        assertTrue(
                dirs.stream().anyMatch(d -> d.getFileName().toString().startsWith("hang-h1-retry1-p")),
                dirs.toString());
        for (Path d : dirs) {
            int attempt = d.getFileName().toString().contains("-retry1-") ? 1 : 0;
            assertEquals(attempt, failureJsonAt(d).get("attempt").asInt());
            assertTrue(failureJsonAt(d).get("timed_out").asBoolean());
            for (String f : List.of("parent.pid", "child.pid")) {
                long pid = TestSupport.readPid(d.resolve(f));
                assertTrue(TestSupport.gone(pid), f + " of " + d + " is still there: state " + TestSupport.state(pid));
            }
        }
    }

    private static JsonNode failureJsonAt(Path dir) throws Exception {
        return JSON.readTree(dir.resolve("failure.json").toFile());
    }

    @Test
    void interruptingTheEvaluationKillsTheTreeAndCancels() throws Exception {
        FileBasedQuantityComputer c =
                fake("forkterm").killGrace(Duration.ofMillis(200)).build();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                c.compute(x(1), new EvaluationContext(x(1), "cancel1"));
            } catch (Throwable e) {
                thrown.set(e);
                flag.set(Thread.currentThread().isInterrupted());
            }
        });
        t.start();
        Path dir = waitForRunDir();
        long parent = TestSupport.readPid(dir.resolve("parent.pid"));
        long child = TestSupport.readPid(dir.resolve("child.pid"));
        t.interrupt();
        t.join(20_000);
        assertFalse(t.isAlive());
        assertInstanceOf(EvaluationCancelledException.class, thrown.get());
        assertTrue(
                thrown.get().getMessage().contains("was cancelled at step run"),
                thrown.get().getMessage());
        assertTrue(flag.get(), "the interrupt flag stays set");
        assertTrue(TestSupport.gone(parent), "parent state " + TestSupport.state(parent));
        assertTrue(TestSupport.gone(child), "child state " + TestSupport.state(child));
        JsonNode f = JSON.readTree(dir.resolve("failure.json").toFile());
        assertTrue(f.get("cancelled").asBoolean());
        // bash, waiting for its child, dies of the kill's SIGTERM: 128 + 15
        assertEquals(143, f.get("exit_code").asInt(), f::toString);
        JsonNode ran = f.get("commands").get(f.get("commands").size() - 1);
        assertEquals(143, ran.get("exit_code").asInt(), f::toString);
        assertFalse(ran.get("ended_before_interrupt").asBoolean(true), f::toString);
        assertFalse(ran.get("timed_out").asBoolean(true), f::toString);
    }

    @Test
    void cancellingAnAsyncEvaluationKillsEveryTermsProcessTree() throws Exception {
        FileBasedQuantityComputer c =
                fake("forkterm").killGrace(Duration.ofMillis(200)).build();
        CombinedObjectiveFunction combined = new CombinedObjectiveFunction(List.of(
                c.withLoss(LossFunctions.squaredError(Map.of("result", 0.0))),
                c.withLoss(LossFunctions.squaredError(Map.of("result", 0.0))),
                c.withLoss(LossFunctions.squaredError(Map.of("result", 0.0)))));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (AsyncWrapperCOB objective = new AsyncWrapperCOB(combined, pool)) {
            java.util.concurrent.CompletableFuture<Double> f = objective.evaluateAsync(x(1));
            List<Long> pids = new ArrayList<>();
            await("three run directories")
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> runDirs().size() >= 3);
            assertEquals(3, runDirs().size(), "the three terms run at once");
            for (Path d : runDirs()) {
                pids.add(TestSupport.readPid(d.resolve("parent.pid")));
                pids.add(TestSupport.readPid(d.resolve("child.pid")));
            }
            assertTrue(f.cancel(true));
            for (long pid : pids) {
                assertTrue(
                        TestSupport.gone(pid),
                        "process " + pid + " survived the cancellation: state " + TestSupport.state(pid));
            }
            for (Path d : runDirs()) {
                Path report = d.resolve("failure.json");
                await(report.toString())
                        .atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(10))
                        .until(() -> Files.exists(report));
                assertTrue(JSON.readTree(report.toFile()).get("cancelled").asBoolean(), d.toString());
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));
        }
    }

    private Path waitForRunDir() {
        return await("a run directory")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10))
                .until(this::runDirs, d -> !d.isEmpty())
                .get(0);
    }

    @Test
    void garbageOutputIsAParseErrorNamingFileParserAndExcerpt() throws Exception {
        TermFailedException e = assertThrows(
                TermFailedException.class, () -> fake("garbage").build().compute(x(1)));
        OutputParseException p = assertInstanceOf(OutputParseException.class, e.getCause());
        assertEquals("out.txt", p.file());
        assertTrue(e.getMessage().contains("cannot parse 'out.txt' with regex /result = (\\S+)/"), e.getMessage());
        assertTrue(e.getMessage().contains("'banana' is not a number"), e.getMessage());
        assertTrue(p.excerpt().contains("1: result = banana"), p.excerpt());
        assertEquals("parse", failureJson(e).get("step").asText());
    }

    @Test
    void nanOutputIsAParseError() {
        TermFailedException e = assertThrows(
                TermFailedException.class, () -> fake("nan").build().compute(x(1)));
        assertTrue(e.getMessage().contains("the value 'nan' is not a finite number"), e.getMessage());
    }

    @Test
    void missingOutputFileIsAParseError() {
        TermFailedException e = assertThrows(
                TermFailedException.class, () -> fake("nooutput").build().compute(x(1)));
        assertTrue(e.getMessage().contains("cannot parse 'out.txt'"), e.getMessage());
        assertTrue(e.getMessage().contains("the file does not exist"), e.getMessage());
    }

    @Test
    void pathsThatLeaveTheRunDirectoryAreRefused() {
        IllegalArgumentException a = assertThrows(
                IllegalArgumentException.class,
                () -> FileBasedQuantityComputer.builder().templateText("../escape.txt", "x"));
        assertEquals(
                "template target '../escape.txt' leaves the run directory through '..'; paths must stay inside the run directory",
                a.getMessage());
        IllegalArgumentException b = assertThrows(
                IllegalArgumentException.class,
                () -> FileBasedQuantityComputer.builder().templateText("/etc/passwd", "x"));
        assertTrue(b.getMessage().contains("'/etc/passwd' is an absolute path"), b.getMessage());
        IllegalArgumentException c = assertThrows(
                IllegalArgumentException.class, () -> OutputParsers.regex("e", "sub/../../out.txt", "(x)"));
        assertTrue(c.getMessage().contains("output file 'sub/../../out.txt' leaves the run directory"), c.getMessage());
        IllegalArgumentException d = assertThrows(
                IllegalArgumentException.class,
                () -> FileBasedQuantityComputer.builder().copy("../../data", TestSupport.fakeProgram()));
        assertTrue(d.getMessage().contains("copy target '../../data' leaves the run directory"), d.getMessage());
        IllegalArgumentException w = assertThrows(
                IllegalArgumentException.class,
                () -> FileBasedQuantityComputer.builder().waitForFiles(Duration.ofSeconds(1), "/tmp/x"));
        assertTrue(w.getMessage().contains("absolute"), w.getMessage());
    }

    @Test
    void aWriteThroughAStagedLinkOutOfTheRunDirectoryIsRefused() throws Exception {
        Path outside = Files.createDirectories(root.resolve("outside"));
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .workDirectory(root.resolve("runs"))
                .link("shared", outside)
                .copy("shared/copied.txt", TestSupport.fakeProgram())
                .command("true")
                .output(OutputParsers.regex("r", "out.txt", "(x)"))
                .build();
        TermFailedException e = assertThrows(TermFailedException.class, () -> c.compute(x(1)));
        assertTrue(
                e.getMessage()
                        .contains("'shared/copied.txt' would be written to "
                                + outside.toRealPath().resolve("copied.txt")
                                + ", outside the run directory, through a symbolic link"),
                e.getMessage());
        assertFalse(Files.exists(outside.resolve("copied.txt")));
    }

    @Test
    void aMissingProgramIsReportedBeforeAnythingRuns() throws Exception {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> FileBasedQuantityComputer.builder()
                        .workDirectory(root)
                        .command("lmp-no-such-program", "-in", "x")
                        .output(OutputParsers.regex("e", "log", "(x)"))
                        .build());
        assertTrue(e.getMessage().startsWith("program 'lmp-no-such-program' not found on PATH"), e.getMessage());
        assertTrue(runDirs().isEmpty());
        IllegalArgumentException l = assertThrows(
                IllegalArgumentException.class,
                () -> fake("ok").launcher("srun-no-such-launcher", "-n", "4").build());
        assertTrue(l.getMessage().startsWith("program 'srun-no-such-launcher' not found on PATH"), l.getMessage());
    }

    @Test
    void twoHundredConcurrentEvaluationsNeverShareARunDirectory() throws Exception {
        FileBasedQuantityComputer c = fake("ok").keep(KeepPolicy.ALL).build();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<double[]>> fs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int k = i;
                // every evaluation gets the same id and path: only the unique part keeps them apart
                fs.add(pool.submit(() -> {
                    start.await();
                    EvaluationContext ctx = new EvaluationContext(x(k), "same");
                    double r = c.compute(x(k), ctx).get("result");
                    return new double[] {k, r};
                }));
            }
            start.countDown();
            for (Future<double[]> f : fs) {
                double[] kr = f.get(60, TimeUnit.SECONDS);
                assertEquals(2 * kr[0], kr[1], 0.0, "evaluation " + kr[0] + " read another evaluation's output");
            }
        } finally {
            pool.shutdownNow();
        }
        List<Path> dirs = runDirs();
        assertEquals(200, dirs.size());
        Set<String> inputs = new HashSet<>();
        for (Path d : dirs) {
            inputs.add(Files.readString(d.resolve("in.txt")));
        }
        assertEquals(200, inputs.size(), "each run directory holds a different evaluation's input");
    }

    @Test
    void runDirectoriesStayUniqueAcrossProcessesSharingAFileSystem() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> others = new ArrayList<>();
        for (int k = 1; k <= 2; k++) {
            others.add(new ProcessBuilder(
                            javaBin,
                            "-cp",
                            System.getProperty("java.class.path"),
                            RunDirectoryStress.class.getName(),
                            root.toString(),
                            Integer.toString(1000 * k),
                            "60")
                    .redirectErrorStream(true)
                    .redirectOutput(root.resolve("jvm" + k + ".log").toFile())
                    .start());
        }
        try {
            RunDirectoryStress.run(root, 0, 60);
            for (Process p : others) {
                // within the class's 60 s timeout, which interrupts this wait
                assertTrue(p.waitFor(50, TimeUnit.SECONDS), "a stress JVM did not finish");
                assertEquals(0, p.exitValue(), "a stress JVM failed");
            }
        } finally {
            // a failed or timed-out test must not leave the other JVMs running
            for (Process p : others) {
                p.destroyForcibly();
            }
        }
        List<Path> dirs = runDirs();
        assertEquals(180, dirs.size());
        Set<String> inputs = new HashSet<>();
        Set<String> pids = new HashSet<>();
        for (Path d : dirs) {
            inputs.add(Files.readString(d.resolve("in.txt")));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^stress-same-p(\\d+)-[0-9a-z]+$")
                    .matcher(d.getFileName().toString());
            assertTrue(m.matches(), d.getFileName().toString());
            pids.add(m.group(1));
        }
        assertEquals(180, inputs.size(), "each run directory holds a different evaluation's input");
        assertEquals(3, pids.size(), "three processes wrote into the shared work directory");
    }

    @Test
    void keepPolicies() throws Exception {
        fake("ok").build().compute(x(1));
        assertTrue(runDirs().isEmpty(), "a successful run is deleted by default");
        EvaluationContext ctx = new EvaluationContext(x(1), "k1");
        fake("ok").keep(KeepPolicy.ALL).build().compute(x(1), ctx);
        assertEquals(1, runDirs().size());
        assertEquals(runDirs().get(0).toString(), ctx.metadata().get("run_directory"));
        assertThrows(TermFailedException.class, () -> fake("fail").build().compute(x(1)));
        assertEquals(2, runDirs().size(), "a failed run is kept by default");
        TermFailedException e = assertThrows(
                TermFailedException.class,
                () -> fake("fail").keep(KeepPolicy.NONE).build().compute(x(1)));
        assertEquals(2, runDirs().size(), "NONE deletes failed runs too");
        assertEquals(1, e.exitCode().getAsInt());
    }

    @Test
    void transientFailuresAreRetriedInANewDirectory() throws Exception {
        Path counter = root.resolve("counter");
        Files.createDirectories(root.resolve("runs"));
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .workDirectory(root.resolve("runs"))
                .command(Command.of("bash", TestSupport.fakeProgram().toString(), "selfkill")
                        .env("COUNTER", counter.toString()))
                .output(OutputParsers.regex("result", "out.txt", "result = (\\S+)"))
                .retries(1)
                .build();
        EvaluationContext ctx = new EvaluationContext(x(1), "r1");
        assertEquals(7.0, c.compute(x(1), ctx).get("result"), 0.0);
        assertEquals(1, ctx.metadata().get("external_retries"));
        assertEquals("2", Files.readString(counter).strip());
        List<Path> kept;
        try (Stream<Path> s = Files.list(root.resolve("runs"))) {
            kept = s.toList();
        }
        assertEquals(1, kept.size(), "the failed first attempt is kept");
        JsonNode f = JSON.readTree(kept.get(0).resolve("failure.json").toFile());
        assertEquals(137, f.get("exit_code").asInt());
        assertTrue(f.get("transient").asBoolean());

        Files.delete(counter);
        FileBasedQuantityComputer noRetry = FileBasedQuantityComputer.builder()
                .workDirectory(root.resolve("runs"))
                .command(Command.of("bash", TestSupport.fakeProgram().toString(), "selfkill")
                        .env("COUNTER", counter.toString()))
                .output(OutputParsers.regex("result", "out.txt", "result = (\\S+)"))
                .build();
        TermFailedException e = assertThrows(TermFailedException.class, () -> noRetry.compute(x(1)));
        assertTrue(e.isTransient());
        assertTrue(
                e.getMessage()
                        .contains("exited with code 137 (as a shell reports a program killed by signal 9, SIGKILL)"),
                e.getMessage());
    }

    @Test
    void waitsForFilesThatAProgramPromises() throws Exception {
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .workDirectory(root)
                .command("bash", TestSupport.fakeProgram().toString(), "late")
                .waitForFiles(Duration.ofSeconds(20), "late.txt")
                .output(OutputParsers.regex("result", "late.txt", "result = (\\S+)"))
                .build();
        assertEquals(5.0, c.compute(x(1)).get("result"), 0.0);

        // a file created empty and written later is waited for until it holds something
        FileBasedQuantityComputer emptyFirst = FileBasedQuantityComputer.builder()
                .workDirectory(root)
                .command("bash", TestSupport.fakeProgram().toString(), "lateempty")
                .waitForFiles(Duration.ofSeconds(20), "late.txt")
                .output(OutputParsers.regex("result", "late.txt", "result = (\\S+)"))
                .build();
        assertEquals(6.0, emptyFirst.compute(x(1)).get("result"), 0.0);

        FileBasedQuantityComputer never = FileBasedQuantityComputer.builder()
                .workDirectory(root)
                .command("true")
                .waitForFiles(Duration.ofMillis(300), "sub/never.txt")
                .output(OutputParsers.regex("result", "sub/never.txt", "result = (\\S+)"))
                .build();
        TermFailedException e = assertThrows(TermFailedException.class, () -> never.compute(x(1)));
        assertTrue(
                e.getMessage().contains("files [sub/never.txt] did not appear, or stayed empty, within 300 ms"),
                e.getMessage());
        assertEquals("wait", failureJson(e).get("step").asText());
    }

    @Test
    void environmentLauncherShellStagingAndJavaHooks() throws Exception {
        Path data = root.resolve("data.txt");
        Files.writeString(data, "staged 11\n");
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .workDirectory(root.resolve("runs"))
                .copy("inputs/data.txt", data)
                .link("linked.txt", data)
                .inputWriter((dir, p) -> Files.writeString(dir.resolve("hook.txt"), "hook " + p.get("x") * 3 + "\n"))
                .env("CHEMFIT_VALUE", "41")
                .launcher("env", "CHEMFIT_VALUE=42")
                .command("bash", TestSupport.fakeProgram().toString(), "env")
                .command(Command.shell("cat inputs/data.txt linked.txt hook.txt > all.txt"))
                .output(OutputParsers.regex("result", "out.txt", "result = (\\S+)"))
                .output(OutputParsers.regex("staged", "all.txt", "staged (\\S+)")
                        .all())
                .output(dir -> Quantities.of(
                        "hook",
                        Double.parseDouble(Files.readString(dir.resolve("all.txt"))
                                .split("hook ")[1]
                                .strip())))
                .build();
        Quantities q = c.compute(x(2));
        assertEquals(42.0, q.get("result"), 0.0, "the launcher's setting wins over the term's environment");
        assertEquals(2, q.array("staged").length);
        assertEquals(6.0, q.get("hook"), 0.0);
        try (Stream<Path> left = Files.list(root.resolve("runs"))) {
            assertEquals(0, left.count(), "the successful run, its subfolder and its link are deleted");
        }
        assertEquals("staged 11\n", Files.readString(data), "deleting the link leaves its target alone");
    }

    @Test
    void whatACommandWritesBesideTheDeclaredFilesIsRemovedWithoutFollowingItsLinks() throws Exception {
        Path out = Files.createDirectories(root.resolve("out"));
        Files.writeString(out.resolve("precious"), "keep me\n", StandardCharsets.UTF_8);
        Path runs = root.resolve("runs");
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .workDirectory(runs)
                .templateText("in.txt", "x = {{ x }}\n")
                .env("OUT", out.toString())
                // links out of the run directory, a name that is no UTF-8, and a tree of folders
                .command(Command.shell("set -e; ln -s \"$OUT\" escape; ln -s \"$OUT/precious\" f;"
                        + " touch \"$(printf '\\377')\"; mkdir -p a/b; touch a/b/c;"
                        + " echo \"result = 7\" > out.txt"))
                .output(OutputParsers.regex("result", "out.txt", "result = (\\S+)"))
                .build();
        assertEquals(7.0, c.compute(x(1)).get("result"), 0.0);
        try (Stream<Path> left = Files.list(runs)) {
            assertEquals(List.of(), left.toList(), "the successful run's directory is removed (keep: failed)");
        }
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(List.of(out.resolve("precious")), left.toList());
        }
        assertEquals("keep me\n", Files.readString(out.resolve("precious"), StandardCharsets.UTF_8));
    }

    @Test
    void privateTmpDirGivesEveryRunItsOwnTmpdir() throws Exception {
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .workDirectory(root)
                .keep(KeepPolicy.ALL)
                .privateTmpDir()
                .command(Command.shell("echo \"$TMPDIR\" > tmpdir.txt"))
                .output(dir -> Quantities.builder()
                        .label(
                                "tmpdir",
                                Files.readString(dir.resolve("tmpdir.txt")).strip())
                        .build())
                .build();
        EvaluationContext ctx = new EvaluationContext(x(1), "t1");
        Quantities q = c.compute(x(1), ctx);
        Path dir = Path.of((String) ctx.metadata().get("run_directory"));
        assertEquals(dir.resolve("tmp").toString(), q.label("tmpdir"));
        assertTrue(Files.isDirectory(dir.resolve("tmp")));
    }

    @Test
    void aProgramWrittenIntoTheRunDirectoryRunsByItsRelativePath() {
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .workDirectory(root)
                .templateText("run.sh", "#!/bin/sh\necho \"result = {{ x }}\" > out.txt\n")
                .inputWriter((dir, p) -> dir.resolve("run.sh").toFile().setExecutable(true))
                .command("./run.sh")
                .output(OutputParsers.regex("result", "out.txt", "result = (\\S+)"))
                .build();
        assertEquals(3.5, c.compute(x(3.5)).get("result"), 0.0);
    }

    @Test
    void aFailingJavaParserIsReportedWithItsName() {
        FileBasedQuantityComputer c = fake("ok")
                .output(new OutputParser() {
                    @Override
                    public Quantities parse(Path dir) {
                        throw new IllegalStateException("no forces block");
                    }

                    @Override
                    public String toString() {
                        return "forces parser";
                    }
                })
                .build();
        TermFailedException e = assertThrows(TermFailedException.class, () -> c.compute(x(1)));
        // the exception's message, not its Java class
        assertTrue(e.getMessage().contains("parser forces parser failed: no forces block"), e.getMessage());
        assertFalse(e.getMessage().contains("IllegalStateException"), e.getMessage());
    }

    @Test
    void anErrorFromAJavaHookStillLeavesAReportAndFollowsTheKeepPolicy() throws Exception {
        // an Error (here a failed assertion in a user's input writer) is not an Exception, but the
        // run directory must be reported and cleaned up like any other failure
        FileBasedQuantityComputer kept = fake("ok")
                .inputWriter((dir, p) -> {
                    throw new AssertionError("charges do not sum to zero");
                })
                .build();
        AssertionError e = assertThrows(AssertionError.class, () -> kept.compute(x(1)));
        assertEquals("charges do not sum to zero", e.getMessage());
        List<Path> dirs = runDirs();
        assertEquals(1, dirs.size(), dirs.toString());
        JsonNode f = failureJsonAt(dirs.get(0));
        assertEquals("input", f.get("step").asText());
        assertTrue(f.get("message").asText().contains("charges do not sum to zero"), f.toString());

        FileBasedQuantityComputer deleted = fake("ok")
                .keep(KeepPolicy.NONE)
                .inputWriter((dir, p) -> {
                    throw new AssertionError("charges do not sum to zero");
                })
                .build();
        assertThrows(AssertionError.class, () -> deleted.compute(x(1)));
        assertEquals(dirs, runDirs(), "KeepPolicy.NONE deletes the directory of a run that ended in an Error");
    }
}
