package org.chemfit.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * External terms through the command line, with a real program (a shell script that stands for a
 * simulation: it reads a rendered template and writes JSON) run in real run directories.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ExternalTermsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeEach
    void copyProgram() throws IOException {
        Path res = Cli.resource("external");
        Files.copy(res.resolve("quad.sh"), dir.resolve("quad.sh"));
        Files.copy(res.resolve("x.txt"), dir.resolve("x.txt"));
        Files.createDirectories(dir.resolve("log"));
    }

    /** A job with the given terms (each a YAML block) and sections after them. */
    private Path job(String terms, String more) throws IOException {
        Path job = dir.resolve("fit.yaml");
        Files.writeString(
                job,
                "parameters:\n  x: {initial: 0.5, bounds: [-5.0, 5.0]}\nterms:\n" + terms + more
                        + "output: {folder: out}\n");
        return job;
    }

    private static String term(String name, String env) {
        return "  - name: " + name + "\n"
                + "    kind: external\n"
                + "    templates: [x.txt]\n"
                + "    files: [quad.sh]\n"
                + "    command: [sh, quad.sh]\n"
                + "    env: {" + env + "}\n"
                + "    outputs: {y: {parser: json, file: out.json, path: /y}}\n"
                + "    reference: {y: 0.0}\n";
    }

    private JsonNode results() throws IOException {
        return JSON.readTree(dir.resolve("out/results.json").toFile());
    }

    private String log() {
        return "LOG_DIR: " + dir.resolve("log");
    }

    @Test
    void anExternalTermIsFittedThroughTemplatesAndRunDirectories() throws IOException {
        Path job = job(term("quad", ""), "optimizer: {method: Nelder-Mead, max_evaluations: 80}\n");
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(0, v.code(), v::toString);
        Cli.Run r = Cli.run("fit", job.toString(), "-q", "--no-plots");
        assertEquals(0, r.code(), r::toString);
        JsonNode res = results();
        assertEquals(2.0, res.at("/best_parameters/x").asDouble(), 1e-3, r::toString);
        assertEquals(0.0, res.at("/terms/0/reference/y/0").asDouble(), 0.0);
        assertTrue(res.at("/terms/0/computed/y/0").asDouble() < 1e-6, res.toString());
        try (Stream<Path> runs = Files.list(dir.resolve("out/runs"))) {
            assertEquals(0, runs.count(), "keep: failed left the run directories of successful runs");
        }
    }

    @Test
    void aFailingProgramEndsTheFitWithExitCodeThreeAndKeepsItsRunDirectory() throws IOException {
        Path job = job(term("crash", "FAIL: out of memory"), "");
        Cli.Run r = Cli.run("fit", job.toString(), "-q", "--no-plots");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        assertTrue(r.err().contains("term 0 'crash' failed"), r::toString);
        assertTrue(r.err().contains("simulated failure: out of memory"), "the end of the program's stderr\n" + r);
        JsonNode res = results();
        assertEquals("failed", res.get("status").asText());
        Path kept;
        try (Stream<Path> runs = Files.list(dir.resolve("out/runs"))) {
            kept = runs.findFirst().orElseThrow(() -> new AssertionError("no run directory kept"));
        }
        assertTrue(Files.exists(kept.resolve("x.txt")), "the rendered template is kept for inspection");
        // the first evaluation is at the initial x; quad.sh exits 3 with FAIL's text on stderr
        assertEquals(
                "the fit stopped in its first evaluation because it failed (e0, at {x=0.5}): term 0 'crash' failed:"
                        + " external term 'crash' failed at step run: command 'sh quad.sh' exited with code 3 (run"
                        + " directory " + kept + ")\nprogram.stderr (last 1 lines):\nquad.sh: simulated failure: out of"
                        + " memory\n(under on_failure: raise, a failed term ends the fit; combination.on_failure: penalty"
                        + " (with combination.penalty, the loss it scores) or skip (which leaves the term out of that"
                        + " point) lets the fit go on)",
                res.get("message").asText(),
                res.toString());
    }

    @Test
    void aLammpsTypoInPairStyleShowsLammpsOwnErrorFromItsLogFile() throws IOException {
        Cli.requireLammps();
        Files.writeString(
                dir.resolve("in.dimer"),
                String.join(
                        "\n",
                        "units metal",
                        "boundary f f f",
                        "region box block -12 12 -12 12 -12 12",
                        "create_box 1 box",
                        "create_atoms 1 single 0.0 0.0 0.0",
                        "create_atoms 1 single 3.5 0.0 0.0",
                        "mass 1 39.948",
                        "pair_style lj/cutt 11.0",
                        "pair_coeff 1 1 {{ x }} 3.4",
                        "run 0",
                        ""));
        Path job = job(
                "  - name: dimer\n"
                        + "    kind: external\n"
                        + "    templates: [in.dimer]\n"
                        + "    command: [lmp, -in, in.dimer, -log, log.lammps, -screen, none]\n"
                        + "    env: {OMPI_MCA_ess_singleton_isolated: \"1\"}\n"
                        + "    private_tmpdir: true\n"
                        + "    log_files: [log.lammps]\n"
                        + "    outputs: {energy: {parser: lammps_thermo, file: log.lammps, column: PotEng}}\n"
                        + "    reference: {energy: 0.0}\n",
                "");
        Cli.Run r = Cli.run("fit", job.toString(), "-q", "--no-plots");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        assertTrue(r.err().contains("the program's error:\n  ERROR: Unrecognized pair style 'lj/cutt'"), r::toString);
        assertTrue(r.err().contains("Last command: pair_style lj/cutt 11.0"), r::toString);
        try (Stream<Path> runs = Files.list(dir.resolve("out/runs"))) {
            Path kept = runs.findFirst().orElseThrow(() -> new AssertionError("no run directory kept"));
            JsonNode failure = JSON.readTree(kept.resolve("failure.json").toFile());
            assertTrue(
                    failure.get("error_lines").get(0).asText().startsWith("ERROR: Unrecognized pair style 'lj/cutt'"),
                    failure.toString());
        }
    }

    @Test
    void aLogFileOutsideTheRunDirectoryIsRefused() throws IOException {
        Path job = job(term("quad", "").replace("    outputs:", "    log_files: [../escape.log]\n    outputs:"), "");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains("fit.yaml:10:17: term 'quad' log_files must name files relative to the run directory"
                                + " that stay inside it, got '../escape.log'"),
                r::toString);
    }

    @Test
    void underThePenaltyPolicyFailedTermsAreCountedAndTheFitGoesOn() throws IOException {
        Path job = job(
                term("crash", "FAIL: segfault"),
                "combination: {on_failure: penalty, penalty: 100.0}\n" + "optimizer: {max_evaluations: 5}\n");
        Cli.Run r = Cli.run("fit", job.toString(), "-q", "--no-plots");
        // every evaluation fails, so the loss is flat: the method may stop before the budget of 5. No
        // evaluation computed the term, every loss being the penalty alone: the fit fitted nothing
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        JsonNode res = results();
        int total = res.at("/evaluations/total").asInt();
        assertTrue(total >= 2 && total <= 5, "evaluations: " + total);
        assertEquals(total, res.at("/evaluations/with_failed_terms").asInt());
        assertEquals("failed", res.at("/status").asText(), res::toString);
        assertEquals(
                "no evaluation computed a term of the fit: terms failed in every one of the " + total + " evaluations,"
                        + " and every loss was the failure policy's penalty alone, not the model's; see why the terms"
                        + " failed; check the objective at the initial parameters {x=0.5}",
                res.at("/message").asText(),
                res::toString);
        assertTrue(r.err().contains("error: " + res.at("/message").asText()), r::toString);
    }

    @Test
    void aProgramPastItsTimeoutIsKilled() throws IOException {
        Path job = job(
                term("slow", "SLEEP: \"60\", " + log()),
                "combination: {on_failure: penalty, penalty: 50.0}\n"
                        + "optimizer: {max_evaluations: 2}\nexecution: {timeout: 1s}\n");
        Cli.Run r = Cli.run("fit", job.toString(), "--no-plots"); // not -q: the first failure's warning is asserted
        // both runs timed out, so no evaluation computed the term: the fit goes on to its end and fails there
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        JsonNode res = results();
        assertEquals(2, res.at("/evaluations/with_failed_terms").asInt(), res.toString());
        // the library's message names no key; the command's names the ones to raise
        assertTrue(
                r.err()
                        .contains("timed out after 1 s and its process tree was killed; a run that needs longer"
                                + " needs a longer timeout (the term's timeout, or execution.timeout when the term"
                                + " sets none)"),
                r::toString);
        List<Long> pids = pids("pid-");
        assertEquals(2, pids.size(), "one run per evaluation");
        for (long pid : pids) {
            assertFalse(running(pid), "run " + pid + " outlived its timeout");
        }
    }

    @Test
    void workersRunTheTermsOfAnEvaluationAtOnce() throws IOException {
        // each run waits until the other term's run of its evaluation has started: terms run one
        // after another would fail the fit (quad.sh gives up after 60 s) instead of passing by luck
        Path meet = Files.createDirectories(dir.resolve("meet"));
        String env = "RENDEZVOUS: " + meet + ", PEERS: \"2\", " + log();
        Path job = job(
                term("a", "TERM_NAME: a, " + env) + term("b", "TERM_NAME: b, " + env),
                "optimizer: {max_evaluations: 3}\nexecution: {workers: 2}\n");
        Cli.Run r = Cli.run("fit", job.toString(), "-q", "--no-plots");
        assertEquals(0, r.code(), r::toString);
        try (Stream<Path> s = Files.list(meet)) {
            assertEquals(
                    List.of("started-a-1", "started-a-2", "started-a-3", "started-b-1", "started-b-2", "started-b-3"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        List<long[]> runs = intervals();
        assertEquals(6, runs.size(), "3 evaluations of 2 terms");
        assertTrue(
                overlaps(runs) >= 3, "each evaluation's two runs should overlap; overlapping pairs: " + overlaps(runs));

        // The same terms, without the rendezvous, with one worker: no two runs overlap.
        for (Path p : Files.list(dir.resolve("log")).toList()) {
            Files.delete(p);
        }
        job = job(term("a", log()) + term("b", log()), "optimizer: {max_evaluations: 3}\nexecution: {workers: 2}\n");
        Cli.Run serial = Cli.run("fit", job.toString(), "-q", "--no-plots", "--workers", "1", "--restart");
        assertEquals(0, serial.code(), serial::toString);
        assertEquals(6, intervals().size(), "3 evaluations of 2 terms");
        assertEquals(0, overlaps(intervals()));
    }

    @Test
    void privateTmpdirGivesEachRunItsOwnScratchFolder() throws IOException {
        Path job = job(
                term("t", log()).replace("    command:", "    private_tmpdir: true\n    command:"),
                "optimizer: {max_evaluations: 3}\nexecution: {keep: all}\n");
        Cli.Run r = Cli.run("fit", job.toString(), "-q", "--no-plots");
        assertEquals(0, r.code(), r::toString);
        List<String> tmpdirs = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir.resolve("log"))) {
            for (Path f : s.filter(f -> f.getFileName().toString().startsWith("tmpdir-"))
                    .toList()) {
                tmpdirs.add(Files.readString(f).trim());
            }
        }
        assertEquals(3, tmpdirs.size(), tmpdirs.toString());
        assertEquals(3, tmpdirs.stream().distinct().count(), "each run has its own: " + tmpdirs);
        for (String t : tmpdirs) {
            Path p = Path.of(t);
            assertEquals("tmp", p.getFileName().toString(), t);
            assertTrue(p.startsWith(dir.resolve("out/runs")), t + " is not in a run directory");
        }
    }

    /**
     * A term of two commands run in order, a file staged by a symbolic link, an output a
     * background process writes after the commands ended (wait_for_files), and hanging first
     * steps killed by the term's timeout and retried by the term's own retries.
     */
    private Path stepsJob(int retries, int evaluations) throws IOException {
        Files.copy(
                Cli.resource("external").resolve("steps.sh"),
                dir.resolve("steps.sh"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("shared.dat"), "2\n");
        return job(
                "  - name: steps\n"
                        + "    kind: external\n"
                        + "    templates: [x.txt]\n"
                        + "    files: [steps.sh]\n"
                        + "    link: [shared.dat]\n"
                        + "    commands:\n"
                        + "      - sh steps.sh first\n"
                        + "      - [sh, steps.sh, second]\n"
                        + "    wait_for_files: {files: [out.json], timeout: 30s}\n"
                        + "    timeout: 1s\n"
                        + "    kill_grace: 0.5s\n"
                        + "    retries: " + retries + "\n"
                        + "    env: {HANG_RUNS: \"2\", " + log() + "}\n"
                        + "    outputs: {y: {parser: json, file: out.json, path: /y}}\n"
                        + "    reference: {y: 0.0}\n",
                "optimizer: {max_evaluations: " + evaluations + "}\nexecution: {keep: all}\n");
    }

    @Test
    void severalCommandsALinkedFileWaitedForFilesAndTransientRetriesOfATerm() throws IOException {
        Path job = stepsJob(2, 3);
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(0, v.code(), v::toString);
        Cli.Run r = Cli.run("fit", job.toString(), "-q", "--no-plots");
        assertEquals(0, r.code(), r::toString);
        JsonNode res = results();
        assertEquals(3, res.at("/evaluations/total").asInt(), res.toString());
        assertEquals(0, res.at("/evaluations/with_failed_terms").asInt(), res.toString());

        // The first evaluation's first two attempts hung and were killed by the timeout; the third
        // succeeded: 3 + 1 + 1 starts of the first step, none of them left running.
        List<String> firstRuns = Files.readAllLines(dir.resolve("log/first-runs"));
        assertEquals(5, firstRuns.size(), firstRuns.toString());
        for (String pid : firstRuns) {
            assertFalse(running(Long.parseLong(pid)), "run " + pid + " outlived its timeout");
        }

        List<Path> runs;
        try (Stream<Path> s = Files.list(dir.resolve("out/runs"))) {
            runs = s.sorted().toList();
        }
        assertEquals(5, runs.size(), "keep: all keeps every attempt: " + runs);
        assertEquals(
                2,
                runs.stream()
                        .filter(d -> d.getFileName().toString().contains("-retry"))
                        .count(),
                runs.toString());
        int complete = 0;
        for (Path run : runs) {
            Path shared = run.resolve("shared.dat");
            assertTrue(Files.isSymbolicLink(shared), run + ": shared.dat is not a symbolic link");
            assertEquals(dir.resolve("shared.dat").toAbsolutePath().normalize(), Files.readSymbolicLink(shared));
            List<String> order = Files.readAllLines(run.resolve("order.log"));
            if (order.equals(List.of("first", "second"))) {
                complete++;
                // out.json was written by a background process after the second command ended.
                double x = Double.parseDouble(
                        Files.readString(run.resolve("x.txt")).trim());
                double y =
                        JSON.readTree(run.resolve("out.json").toFile()).get("y").asDouble();
                assertEquals((x - 2) * (x - 2), y, 1e-12, run.toString());
            } else {
                assertEquals(List.of("first"), order, run + ": a killed attempt ran only its first step");
                assertFalse(Files.exists(run.resolve("out.json")), run.toString());
            }
        }
        assertEquals(3, complete, "one complete run per evaluation");
        double best = res.at("/best_parameters/x").asDouble();
        double y = (best - 2) * (best - 2);
        assertEquals(
                y, res.at("/terms/0/computed/y/0").asDouble(), 1e-9, "the offset 2 was read through the link\n" + res);
        assertEquals(y * y, res.at("/loss/best").asDouble(), 1e-9, res.toString());
    }

    @Test
    void aTermsOwnRetriesAreCountedAndThenTheFailurePolicyApplies() throws IOException {
        Path job = stepsJob(1, 3);
        Cli.Run r = Cli.run("fit", job.toString(), "-q", "--no-plots");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        assertEquals(2, Files.readAllLines(dir.resolve("log/first-runs")).size(), "one run and one retry");
        assertTrue(r.err().contains("term 0 'steps' failed"), r::toString);
        assertTrue(r.err().contains("steps.sh first"), "the failure names the command that timed out\n" + r);
    }

    @Test
    void aFileThatNeverAppearsFailsTheTermNamingIt() throws IOException {
        Path job = job(
                term("w", "").replace("    env:", "    wait_for_files: {files: [never.flag], timeout: 0.3s}\n    env:"),
                "");
        Cli.Run r = Cli.run("fit", job.toString(), "-q", "--no-plots");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        assertTrue(r.err().contains("[never.flag] did not appear, or stayed empty, within"), r::toString);
    }

    @Test
    void validateFindsAProgramThatIsNotOnThePath() throws IOException {
        Path job = job(term("x", "").replace("command: [sh, quad.sh]", "command: [no-such-simulator, in.x]"), "");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        long folders = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(d -> !d.isEmpty())
                .count();
        assertEquals(
                job + ":8:14: term 'x' command: program 'no-such-simulator' is not found on the PATH (" + folders
                        + (folders == 1 ? " folder" : " folders") + " searched); install it, give its path, or name"
                        + " it under programs\n1 problem found; the job file format is described in"
                        + " docs/job-file.md\n",
                r.err(),
                r::toString);
    }

    @Test
    void ctrlCKillsTheRunningProgramsWritesTheResultsAndExits130() throws Exception {
        String env = log() + ", HANG_AFTER: \"4\"";
        Path job = job(term("a", env) + term("b", env), "optimizer: {max_evaluations: 500}\nexecution: {workers: 2}\n");
        Process p = InterruptIT.start(dir, "fit", job.toString(), "--progress", "log", "--progress-interval", "0.2");
        try {
            awaitChildren(p, 2, "two runs with a child each");
            assertEquals(
                    2,
                    pids("child-").size(),
                    "two runs should be hanging with a child each\n" + InterruptIT.output(dir));
            InterruptIT.sigint(p);
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chemfit did not stop within 90 s of SIGINT");
        } finally {
            p.destroyForcibly();
        }
        String out = InterruptIT.output(dir);
        assertEquals(ExitCodes.INTERRUPTED, p.exitValue(), out);
        JsonNode res = results();
        assertEquals("interrupted", res.get("status").asText(), out);
        assertTrue(res.at("/evaluations/total").asInt() >= 2, out);
        List<Long> all = new ArrayList<>(pids("pid-"));
        all.addAll(pids("child-"));
        assertTrue(all.size() >= 8, "runs and children recorded: " + all);
        for (long pid : all) {
            assertFalse(running(pid), "process " + pid + " is left\n" + out);
        }
    }

    /**
     * A program that ignores SIGTERM is given the whole of its kill grace after Ctrl-C, however
     * short the command's own wait for writing the results (shortened here to 1 s, below the
     * grace), and the results are written after it is killed.
     */
    @Test
    void ctrlCWaitsForTheWholeKillGraceBeforeItGivesUpOnTheResults() throws Exception {
        String env = log() + ", HANG_AFTER: \"1\", IGNORE_TERM: \"1\"";
        Path job = job(
                term("a", env) + "    kill_grace: 4 s\n",
                "optimizer: {max_evaluations: 500}\nexecution: {workers: 1}\n");
        Process p = InterruptIT.start(
                dir, List.of("-Dchemfit.interrupt.waitSeconds=1"), "fit", job.toString(), "--no-plots");
        try {
            awaitChildren(p, 1, "a run with a child that ignores SIGTERM");
            InterruptIT.sigint(p);
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chemfit did not stop within 90 s of SIGINT");
        } finally {
            p.destroyForcibly();
        }
        String out = InterruptIT.output(dir);
        assertEquals(ExitCodes.INTERRUPTED, p.exitValue(), out);
        assertFalse(out.contains("gave up"), out);
        assertEquals("interrupted", results().get("status").asText(), out);
        long child = pids("child-").get(0);
        assertFalse(running(child), "process " + child + " is left\n" + out);
    }

    /** Waits until the runs have recorded {@code n} children, failing when chemfit ends first. */
    private void awaitChildren(Process p, int n, String what) {
        await(what)
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .failFast(() -> assertTrue(
                        p.isAlive(),
                        () -> "chemfit ended early: exit " + p.exitValue() + "\n" + InterruptIT.output(dir)))
                .until(() -> pids("child-").size() >= n);
    }

    private List<Long> pids(String prefix) throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("log"))) {
            return s.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith(prefix))
                    .map(n -> Long.parseLong(n.substring(prefix.length())))
                    .toList();
        }
    }

    private List<long[]> intervals() throws IOException {
        List<long[]> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir.resolve("log"))) {
            for (Path f :
                    s.filter(f -> f.getFileName().toString().startsWith("run-")).toList()) {
                String[] t = Files.readString(f).trim().split(" ");
                out.add(new long[] {Long.parseLong(t[0]), Long.parseLong(t[1])});
            }
        }
        return out;
    }

    private static int overlaps(List<long[]> runs) {
        int n = 0;
        for (int i = 0; i < runs.size(); i++) {
            for (int j = i + 1; j < runs.size(); j++) {
                if (runs.get(i)[0] < runs.get(j)[1] && runs.get(j)[0] < runs.get(i)[1]) {
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * @return whether the process still runs: it exists and is not a zombie (a killed process whose
     *     parent died is a zombie until init collects it, which some inits do only every second or
     *     two; it runs nothing and no signal reaches it)
     */
    private static boolean running(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false; // gone meanwhile
        }
    }
}
