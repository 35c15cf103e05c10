package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A failed program's own error reaches the failure message and failure.json, before the tails. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProgramErrorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    private static JsonNode failureJson(TermFailedException e) throws Exception {
        return JSON.readTree(
                e.runDirectory().orElseThrow().resolve("failure.json").toFile());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void aPythonTracebackAndAGromacsFatalErrorComeFirst() throws Exception {
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("tools")
                .workDirectory(root)
                .command(
                        "bash",
                        TestSupport.resource("/external/failing-tools.sh").toString())
                .logFile("md.log")
                .output(OutputParsers.regex("e", "out.txt", "e = (\\S+)"))
                .build();
        Parameters p = Parameters.of(Map.of("x", 1.0));
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(p, new EvaluationContext(p, "e1")));
        String m = e.getMessage();
        // the error lines, then the files' ends: stdout, stderr, the log
        String errors = "\nthe program's error:\n"
                + "  ValueError: sigma must be positive, got -0.3\n"
                + "  Fatal error:\n"
                + "  No such moleculetype SOLL\n";
        assertTrue(m.contains(errors), m);
        int errorsAt = m.indexOf(errors);
        assertTrue(errorsAt < m.indexOf("program.stdout (last 1 lines):\nstep 1: reading topol.top"), m);
        assertTrue(m.indexOf("program.stdout") < m.indexOf("program.stderr (last 6 lines):\nTraceback"), m);
        assertTrue(m.indexOf("program.stderr") < m.indexOf("md.log (last "), m);
        assertTrue(m.startsWith("external term 'tools' failed at step run: command 'bash "), m);

        JsonNode f = failureJson(e);
        assertEquals(
                List.of("ValueError: sigma must be positive, got -0.3", "Fatal error:", "No such moleculetype SOLL"),
                texts(f.get("error_lines")));
        assertEquals("step 1: reading topol.top", f.get("stdout_tail").asText());
        assertTrue(f.get("stderr_tail").asText().startsWith("Traceback (most recent call last):\n"), f.toString());
        assertTrue(f.get("log_tails").get("md.log").asText().contains("No such moleculetype SOLL"), f.toString());
        assertEquals(e.stderrTail().orElseThrow(), f.get("stderr_tail").asText());
    }

    @Test
    void outputWithoutALineBreakShowsItsEndCutAndMarked() throws Exception {
        // 20 MB on stdout and 5 MB on stderr, no line break anywhere
        Path script = root.resolve("long-line.sh");
        Files.writeString(script, """
                head -c 20000000 /dev/zero | tr '\\0' a
                printf 'END-OF-OUT'
                head -c 5000000 /dev/zero | tr '\\0' b >&2
                printf 'fatal: out of cheese' >&2
                exit 3
                """);
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("long")
                .workDirectory(root.resolve("runs"))
                .command("sh", script.toString())
                .output(OutputParsers.regex("e", "out.txt", "e = (\\S+)"))
                .build();
        Parameters p = Parameters.of(Map.of("x", 1.0));
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(p, new EvaluationContext(p, "e1")));
        String out =
                "[line cut: its first " + (20_000_010 - 800) + " bytes not shown] " + "a".repeat(790) + "END-OF-OUT";
        String err = "[line cut: its first " + (5_000_020 - 800) + " bytes not shown] " + "b".repeat(780)
                + "fatal: out of cheese";
        String m = e.getMessage();
        assertTrue(m.startsWith("external term 'long' failed at step run: command 'sh "), m);
        assertTrue(m.contains("exited with code 3"), m);
        assertTrue(m.contains("\nprogram.stdout (last 1 lines):\n" + out + "\n"), m);
        assertTrue(m.contains("\nprogram.stderr (last 1 lines):\n" + err), m);
        assertTrue(m.length() < 4000, "the message is " + m.length() + " characters long");
        JsonNode f = failureJson(e);
        assertEquals(out, f.get("stdout_tail").asText());
        assertEquals(err, f.get("stderr_tail").asText());
        assertEquals(err, e.stderrTail().orElseThrow());
    }

    @Test
    void knownErrorLinesAreFoundInTheOutputOfEachProgram() {
        assertEquals(
                List.of(
                        "ERROR: Unrecognized pair style 'lj/cutt' (src/force.cpp:278)",
                        "Last command: pair_style lj/cutt 11.0"),
                ProgramOutput.errorLines(List.of(
                        "mass 1 39.948",
                        "pair_style lj/cutt 11.0",
                        "ERROR: Unrecognized pair style 'lj/cutt' (src/force.cpp:278)",
                        "Last command: pair_style lj/cutt 11.0")));
        assertEquals(
                List.of("ERROR on proc 3: Lost atoms: original 500 current 499 (src/thermo.cpp:488)"),
                ProgramOutput.errorLines(List.of(
                        "Step PotEng",
                        "ERROR on proc 3: Lost atoms: original 500 current 499" + " (src/thermo.cpp:488)",
                        "MPI_ABORT was invoked on rank 3 in communicator MPI_COMM_WORLD")));
        // of chained Python exceptions, the last traceback's exception is the one raised
        assertEquals(
                List.of("RuntimeError: the run failed"),
                ProgramOutput.errorLines(List.of(
                        "Traceback (most recent call last):",
                        "  File \"a.py\", line 1, in <module>",
                        "KeyError: 'x'",
                        "",
                        "During handling of the above exception, another exception occurred:",
                        "",
                        "Traceback (most recent call last):",
                        "  File \"a.py\", line 3, in <module>",
                        "RuntimeError: the run failed")));
        // grompp: each ERROR block of the input files, not only the Fatal error that counts them; of
        // its warnings, a key it does not know (a misspelt one, often the cause of an error) comes first
        assertEquals(
                List.of(
                        "WARNING 1 [file md.mdp, line 46]:",
                        "Unknown left-hand 'tau_t_typo' in parameter file",
                        "ERROR 1 [file md.mdp, line 44]:",
                        "Invalid enum 'md-vv-typo' for variable integrator, using 'md'",
                        "Next time, use one of: 'md' 'md-vv' 'md-vv-avek' 'sd' 'bd'",
                        "ERROR 2 [file md.mdp, line 45]:",
                        "Invalid enum 'h-bondz' for variable constraints, using 'none'",
                        "Fatal error:",
                        "There were 2 errors in input file(s)"),
                ProgramOutput.errorLines(List.of(
                        "ERROR 1 [file md.mdp, line 44]:",
                        "  Invalid enum 'md-vv-typo' for variable integrator, using 'md'",
                        "  Next time, use one of: 'md' 'md-vv' 'md-vv-avek' 'sd' 'bd'",
                        "",
                        "ERROR 2 [file md.mdp, line 45]:",
                        "  Invalid enum 'h-bondz' for variable constraints, using 'none'",
                        "",
                        "WARNING 1 [file md.mdp, line 46]:",
                        "  Unknown left-hand 'tau_t_typo' in parameter file",
                        "",
                        "-------------------------------------------------------",
                        "Program:     gmx grompp, version 2022.5-Debian_2022.5_2",
                        "",
                        "Fatal error:",
                        "There were 2 errors in input file(s)",
                        "",
                        "For more information and tips for troubleshooting, please check the GROMACS")));
        // many keys grompp does not know: the first three are said, so that the errors still are
        List<String> many = new java.util.ArrayList<>();
        for (int k = 1; k <= 5; k++) {
            many.addAll(List.of(
                    "WARNING " + k + " [file md.mdp, line " + (40 + k) + "]:",
                    "  Unknown left-hand 'key" + k + "' in parameter file",
                    ""));
        }
        many.addAll(List.of(
                "ERROR 1 [file md.mdp]:",
                "  Can not use the C-rescale barostat without temperature coupling",
                "",
                "Fatal error:",
                "There was 1 error in input file(s)",
                ""));
        List<String> said = ProgramOutput.errorLines(many);
        assertEquals(
                List.of(
                        "WARNING 1 [file md.mdp, line 41]:",
                        "Unknown left-hand 'key1' in parameter file",
                        "WARNING 2 [file md.mdp, line 42]:",
                        "Unknown left-hand 'key2' in parameter file",
                        "WARNING 3 [file md.mdp, line 43]:",
                        "Unknown left-hand 'key3' in parameter file",
                        "ERROR 1 [file md.mdp]:",
                        "Can not use the C-rescale barostat without temperature coupling",
                        "Fatal error:",
                        "There was 1 error in input file(s)"),
                said);
        // grompp stopped by its warnings ("Too many warnings"): the warnings are what stopped it, said first
        assertEquals(
                List.of(
                        "WARNING 1 [file md.mdp]:",
                        "The Berendsen thermostat does not generate the correct kinetic energy",
                        "distribution. We would recommend the V-rescale thermostat.",
                        "Fatal error:",
                        "Too many warnings (1).",
                        "If you are sure all warnings are harmless, use the -maxwarn option to override."),
                ProgramOutput.errorLines(List.of(
                        "WARNING 1 [file md.mdp]:",
                        "  The Berendsen thermostat does not generate the correct kinetic energy",
                        "  distribution. We would recommend the V-rescale thermostat.",
                        "",
                        "There was 1 warning",
                        "-------------------------------------------------------",
                        "Program:     gmx grompp, version 2022.5-Debian_2022.5_2",
                        "",
                        "Fatal error:",
                        "Too many warnings (1).",
                        "If you are sure all warnings are harmless, use the -maxwarn option to override.",
                        "",
                        "For more information and tips for troubleshooting, please check the GROMACS")));
        // mdrun's and the tools' other headers
        assertEquals(
                List.of(
                        "Internal error (bug):",
                        "The potential energy is -nan, which is not finite.",
                        "Error in user input:",
                        "Invalid command-line options",
                        "In command-line option -nmol"),
                ProgramOutput.errorLines(List.of(
                        "Internal error (bug):",
                        "The potential energy is -nan, which is not finite.",
                        "",
                        "Error in user input:",
                        "Invalid command-line options",
                        "  In command-line option -nmol")));
        // a GROMACS tool's selection that chose nothing: gmx energy's lines (its "Pres" and "Density"
        // chose something and say nothing), an index group's; gmx select's block
        assertEquals(
                List.of(
                        "String 'Potental' does not match anything",
                        "number 99 is out of range",
                        "Error: No such group 'Sytem'",
                        "Inconsistency in user input:",
                        "Invalid selection 'foo bar '",
                        "While parsing 'foo'",
                        "Cannot match 'group \"foo\"', because no such index group can be found."),
                ProgramOutput.errorLines(List.of(
                        " 25  Pres-ZZ         26  #Surf*SurfTen   27  T-rest",
                        "",
                        "String 'Potental' does not match anything",
                        "number 99 is out of range",
                        "Reading energy frame      0 time    0.000",
                        "Error: No such group 'Sytem'",
                        "Inconsistency in user input:",
                        "Invalid selection 'foo bar '",
                        "  While parsing 'foo'",
                        "    Cannot match 'group \"foo\"', because no such index group can be found.",
                        "",
                        "For more information and tips for troubleshooting, please check the GROMACS")));
        // mdrun that caught a signal: its line, with the signal's name
        List<String> stopped = ProgramOutput.errorLines(List.of(
                "starting mdrun 'two argon atoms'",
                "-1 steps, infinite ps.",
                "",
                "",
                "Received the INT signal, stopping within 20 steps",
                "",
                "",
                "Received the second INT/TERM signal, stopping within 11 steps",
                "               Core t (s)   Wall t (s)        (%)"));
        assertEquals(
                List.of(
                        "Received the INT signal, stopping within 20 steps",
                        "Received the second INT/TERM signal, stopping within 11 steps"),
                stopped);
        assertEquals(
                new ProgramOutput.SignalStop("SIGINT", "Received the INT signal, stopping within 20 steps"),
                new ProgramOutput(stopped, Map.of()).signalStop());
        assertEquals(
                new ProgramOutput.SignalStop(
                        "SIGINT or SIGTERM", "Received the second INT/TERM signal, stopping within 11 steps"),
                new ProgramOutput(stopped.subList(1, 2), Map.of()).signalStop());
        assertEquals(null, new ProgramOutput(List.of("Fatal error:"), Map.of()).signalStop());
        assertEquals(List.of(), ProgramOutput.errorLines(List.of("Step PotEng", "0 -1.5", "Loop time of 0.1")));
    }

    /** A program run by {@code sh -c SCRIPT}, with {@code md.log} declared as its log file. */
    private FileBasedQuantityComputer shell(String name, String script) {
        return FileBasedQuantityComputer.builder()
                .name(name)
                .workDirectory(root)
                .command("sh", "-c", script)
                .logFile("md.log")
                .output(OutputParsers.regex("e", "out.txt", "e = (\\S+)"))
                .build();
    }

    private static final String CAUGHT = "Received the INT signal, stopping within 20 steps";

    /**
     * A log file that holds mdrun's line of a caught signal from an earlier run (one continued with
     * {@code -cpi -append}, or copied from a template) says nothing of this run: a program that
     * exits with code 1 without that line on its own stdout or stderr failed, and says so at once.
     * The same line on stderr with an exit code that mdrun never gives after a signal (3) is a
     * failure too.
     */
    @Test
    void aSignalLineOnlyInALogFileOrWithAnotherExitCodeIsAPlainFailure() throws Exception {
        Parameters p = Parameters.of(Map.of("x", 1.0));
        String stale = "printf '%s\\n' '" + CAUGHT + "' > md.log; echo 'no input file' >&2; exit 1";
        TermFailedException e = assertThrows(
                TermFailedException.class, () -> shell("stale", stale).compute(p, new EvaluationContext(p, "e1")));
        Path dir = e.runDirectory().orElseThrow();
        assertEquals(CAUGHT, Files.readString(dir.resolve("md.log")).strip(), "the stale line is in the log");
        assertEquals(
                "external term 'stale' failed at step run: command 'sh -c " + stale + "' exited with code 1 (run"
                        + " directory " + dir + ")",
                e.getMessage().lines().findFirst().orElseThrow());
        assertEquals(1, e.exitCode().orElseThrow());

        String three = "echo '" + CAUGHT + "' >&2; exit 3";
        TermFailedException other = assertThrows(
                TermFailedException.class, () -> shell("three", three).compute(p, new EvaluationContext(p, "e2")));
        assertEquals(
                "external term 'three' failed at step run: command 'sh -c " + three + "' exited with code 3 (run"
                        + " directory " + other.runDirectory().orElseThrow() + ")",
                other.getMessage().lines().findFirst().orElseThrow());
    }

    /**
     * The line on the program's own stderr, with exit code 1 as mdrun gives after a caught signal:
     * stopped by SIGINT from outside the fit, in the program's words, not retried as transient.
     */
    @Test
    void aSignalLineOnItsOwnStderrWithCodeOneIsAStopFromOutside() throws Exception {
        Parameters p = Parameters.of(Map.of("x", 1.0));
        String caught = "echo '" + CAUGHT + "' >&2; exit 1";
        TermFailedException e = assertThrows(
                TermFailedException.class, () -> shell("caught", caught).compute(p, new EvaluationContext(p, "e1")));
        assertEquals(
                "external term 'caught' failed at step run: command 'sh -c " + caught + "' was stopped by SIGINT"
                        + " from outside the fit (the program said '" + CAUGHT + "' and exited with code 1) (run"
                        + " directory " + e.runDirectory().orElseThrow() + ")",
                e.getMessage().lines().findFirst().orElseThrow());
        assertTrue(!e.isTransient(), "a run stopped from outside is not retried as a transient failure");
    }

    /**
     * A Ctrl-C reaches the fit's programs with the fit: a command killed by SIGINT a moment before
     * the fit's thread is interrupted is cut off with the fit (its run cancelled, as the resume then
     * removes it), not failed; killed by SIGINT with no interrupt after it, it failed, and says so.
     */
    @Test
    void aCommandKilledBySigintBeforeTheFitsInterruptIsCutOffNotFailed() throws Exception {
        Parameters p = Parameters.of(Map.of("x", 1.0));
        Path pid = root.resolve("pid");
        String script = "echo $$ > '" + pid + "'; sleep 0.2; kill -INT $$";
        FileBasedQuantityComputer c = shell("ctrl-c", script);
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
                new java.util.concurrent.atomic.AtomicReference<>();
        Thread fit = new Thread(() -> {
            try {
                c.compute(p, new EvaluationContext(p, "e1"));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        fit.start();
        while (!Files.exists(pid) || Files.readString(pid).isBlank()) {
            Thread.sleep(10);
        }
        ProcessHandle program =
                ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).orElse(null);
        while (program != null && program.isAlive()) {
            Thread.sleep(10); // the program dies of its signal first, then the fit's thread is interrupted
        }
        fit.interrupt();
        fit.join();
        assertTrue(thrown.get() instanceof org.chemfit.EvaluationCancelledException, String.valueOf(thrown.get()));

        Files.delete(pid);
        TermFailedException alone = assertThrows(
                TermFailedException.class, () -> shell("alone", script).compute(p, new EvaluationContext(p, "e2")));
        assertEquals(
                "external term 'alone' failed at step run: command 'sh -c " + script + "' exited with code 130 (as a"
                        + " shell reports a program killed by signal 2, SIGINT) (run directory "
                        + alone.runDirectory().orElseThrow() + ")",
                alone.getMessage().lines().findFirst().orElseThrow());
    }

    @Test
    void aLogFileMustStayInsideTheRunDirectory() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> FileBasedQuantityComputer.builder().logFile("../log.lammps"));
        assertTrue(e.getMessage().contains("log file"), e.getMessage());
        IllegalArgumentException twice = assertThrows(
                IllegalArgumentException.class,
                () -> FileBasedQuantityComputer.builder().logFile("log.lammps").logFile("log.lammps"));
        assertEquals("log file 'log.lammps' is declared twice", twice.getMessage());
    }

    @Test
    void aLammpsTypoInPairStyleShowsLammpsOwnErrorWithScreenNone() throws Exception {
        TestSupport.requireLammps();
        String input = String.join(
                "\n",
                "units metal",
                "boundary f f f",
                "region box block -12 12 -12 12 -12 12",
                "create_box 1 box",
                "create_atoms 1 single 0.0 0.0 0.0",
                "create_atoms 1 single {{ r }} 0.0 0.0",
                "mass 1 39.948",
                "pair_style lj/cutt 11.0",
                "pair_coeff 1 1 {{ lj.epsilon }} {{ lj.sigma }}",
                "run 0",
                "");
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("dimer")
                .workDirectory(root)
                .templateText("in.dimer", input)
                .variable("r", 3.5)
                .command("lmp", "-in", "in.dimer", "-log", "log.lammps", "-screen", "none")
                .env("OMPI_MCA_ess_singleton_isolated", "1")
                .privateTmpDir()
                .logFile("log.lammps")
                .output(OutputParsers.lammpsThermo("energy", "log.lammps", "PotEng")
                        .last())
                .build();
        Parameters p = Parameters.of(Map.of("lj", Map.of("epsilon", 0.0104, "sigma", 3.40)));
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(p, new EvaluationContext(p, "e1")));
        String m = e.getMessage();
        assertTrue(m.contains("\nthe program's error:\n  ERROR: Unrecognized pair style 'lj/cutt'"), m);
        assertTrue(m.contains("\n  Last command: pair_style lj/cutt 11.0"), m);
        assertTrue(m.indexOf("ERROR: Unrecognized pair style") < m.indexOf("log.lammps (last "), m);

        JsonNode f = failureJson(e);
        List<String> errors = texts(f.get("error_lines"));
        assertTrue(errors.get(0).startsWith("ERROR: Unrecognized pair style 'lj/cutt'"), errors.toString());
        assertEquals("Last command: pair_style lj/cutt 11.0", errors.get(1));
        assertTrue(
                f.get("log_tails").get("log.lammps").asText().contains("ERROR: Unrecognized pair style 'lj/cutt'"),
                f.toString());
        assertTrue(Files.exists(e.runDirectory().orElseThrow().resolve("log.lammps")));
    }

    @Test
    void controlCharactersOfTheProgramsOutputAreShownNotSentToTheTerminal() throws Exception {
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("noisy")
                .workDirectory(root)
                .command("bash", "-c", "printf 'clear\\033[2J\\033]0;title\\007 bell\\000nul\\tend\\n' >&2; exit 4")
                .output(OutputParsers.regex("e", "out.txt", "e = (\\S+)"))
                .build();
        Parameters p = Parameters.of(Map.of("x", 1.0));
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(p, new EvaluationContext(p, "e1")));
        String m = e.getMessage();
        assertTrue(m.contains("clear^[[2J^[]0;title^G bell^@nul\tend"), m);
        assertTrue(m.chars().noneMatch(ch -> ch != '\n' && ch != '\t' && Character.isISOControl(ch)), m);
        assertEquals("a\\u0085b^?", ProgramOutput.printable("a\u0085b\u007f"));
        assertEquals("plain \t text", ProgramOutput.printable("plain \t text"));
    }
}
