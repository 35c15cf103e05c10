package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real GROMACS, made to fail: an {@code .mdp} file with an integrator that does not exist (the
 * term fails at {@code gmx grompp}, and GROMACS's own words, its {@code ERROR} line and its
 * {@code Fatal error:} block, reach the exception's message and {@code failure.json}; the commands
 * after it never run); a {@code gmx energy} selection with a typo; an {@code mdrun} stopped by a
 * SIGINT sent to it alone, or with the evaluation's own interrupt after it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GromacsFailureIT {

    @TempDir
    Path root;

    private static final String TOPOLOGY = """
            [ defaults ]
            1 2 no 1.0 1.0
            [ atomtypes ]
            Ar 18 39.948 0.0 A {{ lj.sigma }} {{ lj.epsilon }}
            [ moleculetype ]
            AR 0
            [ atoms ]
            1 Ar 1 AR Ar 1 0.0 39.948
            [ system ]
            two argon atoms
            [ molecules ]
            AR 2
            """;

    private static final String STRUCTURE = """
            two argon atoms
            2
                1AR      Ar    1   1.000   1.000   1.000
                2AR      Ar    2   1.380   1.000   1.000
               3.00000   3.00000   3.00000
            """;

    /** The commands of a short run: 2000 steps, energies every 10 (201 frames for gmx energy to read). */
    private FileBasedQuantityComputer.Builder shortRun(String gmx, String name, String steps) {
        return FileBasedQuantityComputer.builder()
                .name(name)
                .workDirectory(root)
                .templateText(
                        "md.mdp",
                        "integrator = md\nnsteps = " + steps + "\ncutoff-scheme = Verlet\nnstcalcenergy = 10\n"
                                + "nstenergy = 10\n")
                .templateText("topol.top", TOPOLOGY)
                .templateText("conf.gro", STRUCTURE)
                .command(gmx, "grompp", "-f", "md.mdp", "-c", "conf.gro", "-p", "topol.top", "-o", "run.tpr")
                .command(gmx, "mdrun", "-s", "run.tpr", "-deffnm", "run", "-ntmpi", "1", "-ntomp", "1");
    }

    /**
     * gmx energy given a misspelt term: it says the string matches nothing, then writes the other
     * term and exits with 0. Its frame-by-frame progress pushes its word out of the end of its
     * stderr that the message shows, but the word is among the program's errors, which are always
     * shown; the xvg parser says which column is missing and which the file has.
     */
    @Test
    void aMisspeltGmxEnergySelectionIsShownThoughProgressLinesFollowIt() throws Exception {
        String gmx = TestSupport.requireGromacs();
        org.chemfit.testfixtures.Gromacs.assumeMdrunRunsHere();
        FileBasedQuantityComputer c = shortRun(gmx, "typo", "2000")
                .command(Command.of(gmx, "energy", "-f", "run.edr", "-o", "energy.xvg")
                        .stdin(StandardInput.text("Potental\nPressure\n\n")))
                .output(XvgParser.column("e", "energy.xvg", "Potential").last())
                .build();
        Parameters p = Parameters.of(Map.of("lj.epsilon", 0.99774, "lj.sigma", 0.3405));
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(p, new EvaluationContext(p, "e1")));
        Path dir = e.runDirectory().orElseThrow();
        String m = e.getMessage();
        assertEquals(
                "external term 'typo' failed at step parse: cannot parse 'energy.xvg' with xvg 'Potential' (last row)"
                        + " for 'e': energy.xvg: no column has the legend 'Potential'; its legends are 'Pressure'"
                        + " (run directory " + dir + "); excerpt:",
                m.lines().findFirst().orElseThrow());
        assertTrue(m.contains("\nthe program's error:\n  String 'Potental' does not match anything\n"), m);
        // the end of gmx energy's stderr that the message shows is its progress, without the word
        String stderrEnd = m.substring(m.indexOf("\nprogram3.stderr (last 20 lines):\n"));
        assertTrue(stderrEnd.contains("Reading energy frame"), stderrEnd);
        assertTrue(!stderrEnd.contains("does not match anything"), stderrEnd);
        JsonNode f = new ObjectMapper().readTree(dir.resolve("failure.json").toFile());
        assertEquals(
                "String 'Potental' does not match anything",
                f.get("error_lines").get(0).asText());
        assertEquals(0, f.get("commands").get(2).get("exit_code").asInt());
    }

    /** @return the one gmx mdrun process that this JVM started, once it has started its steps */
    private ProcessHandle runningMdrun() throws Exception {
        while (true) {
            try (java.util.stream.Stream<Path> files = Files.walk(root)) {
                boolean started = files.filter(f -> f.getFileName().toString().equals("program2.stderr"))
                        .anyMatch(f -> {
                            try {
                                return Files.readString(f).contains("starting mdrun");
                            } catch (java.io.IOException x) {
                                return false;
                            }
                        });
                if (started) {
                    break;
                }
            }
            Thread.sleep(50);
        }
        List<ProcessHandle> mdrun = ProcessHandle.current()
                .descendants()
                .filter(h -> h.info().commandLine().orElse("").contains(" mdrun "))
                .toList();
        assertEquals(1, mdrun.size(), mdrun::toString);
        return mdrun.get(0);
    }

    /** Sends SIGINT to one process, with the system's kill command. */
    private static void sigint(ProcessHandle h) throws Exception {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(h.pid())).start();
        assertEquals(0, kill.waitFor());
    }

    /**
     * A SIGINT sent to mdrun alone: mdrun catches it, stops within a few steps and exits with code
     * 1. The failure says the program was stopped by SIGINT from outside the fit, in mdrun's own
     * words; it is a failed run (not transient, not cancelled), which the failure policy handles.
     */
    @Test
    void anMdrunStoppedBySigintFromOutsideFailsSayingSo() throws Exception {
        String gmx = TestSupport.requireGromacs();
        org.chemfit.testfixtures.Gromacs.assumeMdrunRunsHere();
        FileBasedQuantityComputer c = shortRun(gmx, "stopped", "-1")
                .timeout(java.time.Duration.ofSeconds(60))
                .output(XvgParser.column("e", "energy.xvg", "Potential").last())
                .build();
        Parameters p = Parameters.of(Map.of("lj.epsilon", 0.99774, "lj.sigma", 0.3405));
        java.util.concurrent.CompletableFuture<Throwable> thrown = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> assertThrows(TermFailedException.class, () -> c.compute(p, new EvaluationContext(p, "e1"))));
        sigint(runningMdrun());
        TermFailedException e = (TermFailedException) thrown.get();
        Path dir = e.runDirectory().orElseThrow();
        // mdrun's own line, as it wrote it to its stderr
        String said = Files.readString(dir.resolve("program2.stderr"))
                .lines()
                .filter(l -> l.startsWith("Received the "))
                .findFirst()
                .orElseThrow();
        assertTrue(said.matches("Received the INT signal, stopping within \\d+ steps"), said);
        String m = e.getMessage();
        assertEquals(
                "external term 'stopped' failed at step run: command '" + gmx + " mdrun -s run.tpr -deffnm run -ntmpi 1"
                        + " -ntomp 1' was stopped by SIGINT from outside the fit (the program said '" + said
                        + "' and exited with code 1) (run directory " + dir + ")",
                m.lines().findFirst().orElseThrow());
        assertTrue(m.contains("\nthe program's error:\n  " + said + "\n"), m);
        assertEquals(1, e.exitCode().orElseThrow());
        assertTrue(!e.isTransient(), "a run stopped from outside is not retried as a transient failure");
        JsonNode f = new ObjectMapper().readTree(dir.resolve("failure.json").toFile());
        assertEquals(false, f.get("cancelled").asBoolean());
        assertEquals(false, f.get("transient").asBoolean());
        assertEquals(2, f.get("commands").size(), "gmx energy never ran");
    }

    /**
     * The same SIGINT, with the evaluation's thread interrupted once mdrun has exited, as when a
     * Ctrl-C reaches the fit and its programs at once: the run is cancelled with the fit, not failed.
     */
    @Test
    void anMdrunStoppedBySigintWhileTheFitIsInterruptedIsCancelled() throws Exception {
        String gmx = TestSupport.requireGromacs();
        org.chemfit.testfixtures.Gromacs.assumeMdrunRunsHere();
        FileBasedQuantityComputer c = shortRun(gmx, "interrupted", "-1")
                .timeout(java.time.Duration.ofSeconds(60))
                .output(XvgParser.column("e", "energy.xvg", "Potential").last())
                .build();
        Parameters p = Parameters.of(Map.of("lj.epsilon", 0.99774, "lj.sigma", 0.3405));
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
                new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                c.compute(p, new EvaluationContext(p, "e1"));
            } catch (RuntimeException x) {
                thrown.set(x);
            }
        });
        t.start();
        ProcessHandle mdrun = runningMdrun();
        sigint(mdrun);
        mdrun.onExit().get();
        t.interrupt();
        t.join();
        org.chemfit.EvaluationCancelledException e =
                assertInstanceOf(org.chemfit.EvaluationCancelledException.class, thrown.get());
        assertTrue(
                e.getMessage()
                        .startsWith("external term 'interrupted' was cancelled at step run while running '" + gmx
                                + " mdrun -s run.tpr -deffnm run -ntmpi 1 -ntomp 1'"),
                e.getMessage());
        try (java.util.stream.Stream<Path> reports = Files.walk(root)) {
            Path report = reports.filter(f -> f.getFileName().toString().equals("failure.json"))
                    .findFirst()
                    .orElseThrow();
            JsonNode f = new ObjectMapper().readTree(report.toFile());
            assertEquals(true, f.get("cancelled").asBoolean());
            // mdrun's own code after the SIGINT it caught, whether the interrupt found the term's thread still
            // waiting for it or already past its end
            assertEquals(1, f.get("exit_code").asInt(), f::toString);
            JsonNode ran = f.get("commands").get(f.get("commands").size() - 1);
            assertTrue(ran.get("ended_before_interrupt").asBoolean(false), f::toString);
        }
    }

    @Test
    void aBrokenMdpFailsTheTermWithGromacsOwnErrorText() throws Exception {
        String gmx = TestSupport.requireGromacs();
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("broken")
                .workDirectory(root)
                .templateText("md.mdp", "integrator = warp-drive\nnsteps = 10\ncutoff-scheme = Verlet\n")
                .templateText("topol.top", TOPOLOGY)
                .templateText("conf.gro", STRUCTURE)
                .command(gmx, "grompp", "-f", "md.mdp", "-c", "conf.gro", "-p", "topol.top", "-o", "run.tpr")
                .command(gmx, "mdrun", "-s", "run.tpr", "-deffnm", "run", "-ntmpi", "1", "-ntomp", "1")
                .command(Command.of(gmx, "energy", "-f", "run.edr", "-o", "energy.xvg")
                        .stdin(StandardInput.text("Potential\n\n")))
                .output(XvgParser.column("e", "energy.xvg", "Potential").last())
                .build();
        Parameters p = Parameters.of(Map.of("lj.epsilon", 0.99774, "lj.sigma", 0.3405));
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(p, new EvaluationContext(p, "e1")));

        String m = e.getMessage();
        assertTrue(m.contains("external term 'broken' failed at step run: command '" + gmx + " grompp -f md.mdp"), m);
        assertTrue(m.contains("exited with code 1"), m);
        // GROMACS's own text: the offending value and line, then its Fatal error block
        assertTrue(m.contains("ERROR 1 [file md.mdp, line "), m);
        assertTrue(m.contains("Invalid enum 'warp-drive' for variable integrator"), m);
        assertTrue(m.contains("Fatal error:\nThere was 1 error in input file(s)"), m);
        assertEquals(1, e.exitCode().orElseThrow());

        Path dir = e.runDirectory().orElseThrow();
        JsonNode f = new ObjectMapper().readTree(dir.resolve("failure.json").toFile());
        assertEquals("run", f.get("step").asText());
        assertEquals(1, f.get("exit_code").asInt());
        assertEquals(
                List.of(gmx, "grompp"),
                List.of(
                        f.get("command").get(0).asText(),
                        f.get("command").get(1).asText()));
        String tail = f.get("stderr_tail").asText();
        assertTrue(tail.contains("Invalid enum 'warp-drive' for variable integrator"), tail);
        assertTrue(tail.contains("Fatal error:\nThere was 1 error in input file(s)"), tail);
        assertEquals(1, f.get("commands").size(), "mdrun and energy never ran");
        assertTrue(Files.notExists(dir.resolve("program2.stdout")));
    }
}
