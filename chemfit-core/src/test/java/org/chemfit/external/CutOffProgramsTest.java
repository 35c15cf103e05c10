package org.chemfit.external;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chemfit.testfixtures.StandardError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileBasedQuantityComputer#endCutOffPrograms} with real processes: a process that stands
 * for an earlier fit (a {@code sleep}, whose id the tags and the run directory's name carry) and a
 * program of it in that run directory. While the fit's process runs, its program is never ended
 * (a fit that runs now); once it has ended, the program is, and counted per run directory.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CutOffProgramsTest {

    @TempDir
    Path root;

    @RegisterExtension
    final StartedPrograms processes = new StartedPrograms();

    @Test
    void theProgramsOfAFitThatRunsAreLeftAloneAndThoseOfAnEndedOneAreEnded() throws Exception {
        Path runs = Files.createDirectories(root.resolve("runs"));
        FileBasedQuantityComputer term = term("slow", runs);
        Process fit = processes.start(root, Map.of(), "sleep", "600");
        long pid = fit.pid();
        Path runDir = Files.createDirectory(runs.resolve("slow-e3-p" + pid + "-k3x9"));
        Path otherTerm = Files.createDirectory(runs.resolve("fast-e3-p" + pid + "-k3x9"));
        Map<String, String> tag = Map.of("CHEMFIT_RUN_TAG", pid + "-5f3a9c-7");
        // the program, a shell running a sleep, in its run directory; the same tag in another term's
        Process program = processes.start(runDir, tag, "sh", "-c", "sleep 600; echo e = 1");
        Process other = processes.start(otherTerm, tag, "sleep", "600");
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> program.children().findAny().isPresent()
                        && TestSupport.tagged(program.pid())
                        && TestSupport.tagged(other.pid()));
        ProcessHandle sleep = program.children().findFirst().orElseThrow();

        assertEquals(Map.of(), term.endCutOffPrograms(List.of(pid)), "the fit runs: nothing of it is ended");
        assertTrue(program.isAlive() && sleep.isAlive() && other.isAlive());
        assertEquals(Map.of(), term.endCutOffPrograms(List.of()), "no earlier attempts: nothing is looked for");

        fit.destroyForcibly();
        assertTrue(fit.waitFor(30, TimeUnit.SECONDS));
        assertEquals(Map.of(runDir, 2), term.endCutOffPrograms(List.of(pid)));
        assertTrue(program.waitFor(30, TimeUnit.SECONDS), "the program is ended");
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> !sleep.isAlive() || zombie(sleep.pid()));
        assertEquals(128 + 15, program.exitValue(), "SIGTERM ended it");
        assertTrue(other.isAlive(), "another term's run directory is that term's to look at");
        assertFalse(term.endCutOffPrograms(List.of(pid)).containsKey(runDir), "nothing is left");
    }

    /**
     * A fit killed a moment ago whose exit its parent has not yet collected (a zombie, as under an
     * init that reaps slowly) has ended: its programs are ended as those of a gone one.
     */
    @Test
    void theProgramsOfAFitThatIsAZombieAreEnded() throws Exception {
        Path runs = Files.createDirectories(root.resolve("runs"));
        FileBasedQuantityComputer term = term("slow", runs);
        // the "fit" is a child of a process that never collects its exit: a zombie once it ends
        Process parent = processes.start(root, Map.of(), "sh", "-c", "sleep 0.2 & exec sleep 600");
        ProcessHandle fit = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> parent.children().findFirst().orElse(null), java.util.Objects::nonNull);
        long pid = fit.pid();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> zombie(pid));
        assertTrue(fit.isAlive(), "a zombie is alive to the JDK");
        Path runDir = Files.createDirectory(runs.resolve("slow-e3-p" + pid + "-k3x9"));
        Process program = processes.start(runDir, Map.of("CHEMFIT_RUN_TAG", pid + "-5f3a9c-7"), "sleep", "600");
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> TestSupport.tagged(program.pid()));
        assertEquals(Map.of(runDir, 1), term.endCutOffPrograms(List.of(pid)));
        assertTrue(program.waitFor(30, TimeUnit.SECONDS), "the program is ended");
    }

    /**
     * Two terms, one named as the other with {@code -b} after it, each with programs left in a run
     * directory named as a fit names it ({@link RunDirectory#create}): each term's warning counts
     * its own processes only, in its own run directory. The earlier fit had this JVM's process id
     * (as in a container, where every start gets the same small id); its tags are not this JVM's.
     */
    @Test
    void aTermWhoseNameBeginsWithAnothersCountsOnlyItsOwnPrograms() throws Throwable {
        Path runs = Files.createDirectories(root.resolve("runs"));
        long pid = ProcessHandle.current().pid();
        Path simDir = RunDirectory.create(runs, "sim", "e3", "", 0).path();
        Path simBDir = RunDirectory.create(runs, "sim-b", "e3", "", 0).path();
        // a run directory's name begins with the term's name made safe: '-' separates its parts only
        String simB = simBDir.getFileName().toString();
        assertTrue(simB.matches("sim_b~[0-9a-f]{8}-e3-p" + pid + "-[0-9a-z]+"), simB);
        Map<String, String> tag = Map.of("CHEMFIT_RUN_TAG", pid + "-5f3a9c-7");
        List<Process> programs = new ArrayList<>();
        programs.add(processes.start(simDir, tag, "sleep", "600"));
        programs.add(processes.start(simBDir, tag, "sleep", "600"));
        programs.add(processes.start(simBDir, tag, "sleep", "600"));
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> programs.stream().allMatch(p -> TestSupport.tagged(p.pid())));
        FileBasedQuantityComputer sim = term("sim", runs);
        FileBasedQuantityComputer simBTerm = term("sim-b", runs);

        String simLog =
                StandardError.capturedWhile(() -> assertEquals(Map.of(simDir, 1), sim.endCutOffPrograms(List.of(pid))));
        assertTrue(programs.get(0).waitFor(30, TimeUnit.SECONDS), "the program of 'sim' is ended");
        assertTrue(programs.get(1).isAlive() && programs.get(2).isAlive(), "those of 'sim-b' are its own to end");
        assertTrue(
                simLog.contains("external term 'sim': 1 process started by an earlier attempt of the fit (pid " + pid
                        + " is gone) still ran in its run directory " + simDir + "; it was killed"),
                simLog);
        assertFalse(simLog.contains(simBDir.toString()), simLog);

        String simBLog = StandardError.capturedWhile(
                () -> assertEquals(Map.of(simBDir, 2), simBTerm.endCutOffPrograms(List.of(pid))));
        assertTrue(
                programs.get(1).waitFor(30, TimeUnit.SECONDS) && programs.get(2).waitFor(30, TimeUnit.SECONDS));
        assertTrue(
                simBLog.contains("external term 'sim-b': 2 processes started by an earlier attempt of the fit (pid "
                        + pid + " is gone) still ran in its run directory " + simBDir + "; they were killed"),
                simBLog);
        assertFalse(simBLog.contains(simDir + ";"), simBLog);
    }

    /**
     * Two terms whose names are alike once made safe for a file name ({@code sim-b} and {@code
     * sim_b}), or two long names that begin alike, get run directories of their own: the look for
     * cut-off runs of the one (which removes them under {@code keep: never}) leaves the other's,
     * kept under {@code keep: always}, where they are.
     */
    @Test
    void termsAlikeOnceMadeSafeLookOnlyAtTheirOwnRunDirectories() throws IOException {
        Path runs = Files.createDirectories(root.resolve("runs"));
        long pid = ProcessHandle.current().pid();
        String longA = "a".repeat(48) + "-first";
        String longB = "a".repeat(48) + "-second";
        Path dash = RunDirectory.create(runs, "sim-b", "e3", "", 0).path();
        Path underscore = RunDirectory.create(runs, "sim_b", "e3", "", 0).path();
        Path first = RunDirectory.create(runs, longA, "e3", "", 0).path();
        Path second = RunDirectory.create(runs, longB, "e3", "", 0).path();
        assertTrue(underscore.getFileName().toString().startsWith("sim_b-e3-p" + pid + "-"), underscore.toString());
        assertFalse(RunDirectory.termPart("sim-b").equals(RunDirectory.termPart("sim_b")));
        assertFalse(RunDirectory.termPart(longA).equals(RunDirectory.termPart(longB)));
        assertEquals(48, RunDirectory.termPart(longA).length(), RunDirectory.termPart(longA));

        List<Path> removed = term("sim-b", runs, KeepPolicy.NONE).removeCancelledRuns(List.of(pid), List.of());
        assertEquals(List.of(dash), removed);
        assertTrue(Files.isDirectory(underscore), "the other term's run directory stays");
        assertEquals(List.of(), term("sim_b", runs, KeepPolicy.ALL).removeCancelledRuns(List.of(pid), List.of()));
        assertTrue(Files.isDirectory(underscore));

        assertEquals(List.of(first), term(longA, runs, KeepPolicy.NONE).removeCancelledRuns(List.of(pid), List.of()));
        assertTrue(Files.isDirectory(second), "a long name that begins alike keeps its own");
    }

    private static FileBasedQuantityComputer term(String name, Path runs, KeepPolicy keep) {
        return FileBasedQuantityComputer.builder()
                .name(name)
                .workDirectory(runs)
                .command("true")
                .keep(keep)
                .output(OutputParsers.regex("e", "out.txt", "e = (\\S+)"))
                .build();
    }

    private static FileBasedQuantityComputer term(String name, Path runs) {
        return FileBasedQuantityComputer.builder()
                .name(name)
                .workDirectory(runs)
                .command("true")
                .killGrace(Duration.ofSeconds(2))
                .output(OutputParsers.regex("e", "out.txt", "e = (\\S+)"))
                .build();
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException e) {
            return true;
        }
    }
}
