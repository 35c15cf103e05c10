package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job file's {@code programs} aliases and commands with standard input, run by real programs
 * ({@code awk}), with an {@code .xvg} file as output.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProgramsAndStdinJobTest {

    @TempDir
    Path tmp;

    private Path job(String programs) throws Exception {
        return job(programs, "{{ x }}\n{{ shift }}\n", "");
    }

    private Path job(String programs, String template, String execution) throws Exception {
        Files.writeString(tmp.resolve("answer.tmpl"), template);
        Path job = tmp.resolve("fit.yaml");
        // awk writes an .xvg file: a legend, then rows "t value" with value = x + shift + t / 10
        Files.writeString(job, """
                programs:
                  calc: %s
                parameters:
                  x: {initial: 0.5, bounds: [-2, 2]}
                terms:
                  - name: t
                    kind: external
                    variables: {shift: 0.25}
                    commands:
                      - run: [calc, 'NR == 1 { x = $1 } NR == 2 { s = $1 } END { print "@ s0 legend \\"Value\\""; for (t = 0; t < 4; t++) printf "%%d %%.17g\\n", t, x + s + t / 10 }']
                        stdin_template: answer.tmpl
                      - run: [calc, '{ n++ } END { print n > "lines.txt" }']
                        stdin: "a\\nb\\nc\\n"
                    outputs:
                      v: {parser: xvg, file: program1.stdout, column: Value, select: mean, from: 1, to: 2}
                      lines: {parser: regex, file: lines.txt, pattern: '(\\d+)'}
                    reference: {v: 1.0, lines: 3}
                optimizer: {method: Nelder-Mead, max_evaluations: 40}
                output: {folder: out, plots: false}
                %s
                """.formatted(programs, execution));
        return job;
    }

    @Test
    void anAliasRunsTheFirstProgramFoundAndCommandsReadTheirStandardInput() throws Exception {
        Path job = job("[no_such_awk_here, awk]");
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(0, v.code(), v::toString);
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(0, r.code(), r::toString);
        String results = Files.readString(tmp.resolve("out/results.json"));
        // mean over t in [1, 2] of x + 0.25 + t/10 is x + 0.4; the reference 1.0 gives x = 0.6
        double x = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(results)
                .at("/best_parameters/x")
                .asDouble();
        assertEquals(0.6, x, 1e-3, results);
    }

    @Test
    void anAliasWithNoProgramOnThePathStopsValidateAndFitWithExitTwo() throws Exception {
        Path job = job("[no_such_gmx, no_such_gmx_mpi]");
        for (Cli.Run r :
                new Cli.Run[] {Cli.run("validate", job.toString()), Cli.run("fit", job.toString(), "--progress", "none")
                }) {
            assertEquals(ExitCodes.USAGE, r.code(), r::toString);
            assertTrue(
                    r.err()
                            .contains(job + ":2:3: programs calc: none of no_such_gmx, no_such_gmx_mpi is an executable"
                                    + " file or found on the PATH ("),
                    r::toString);
            assertFalse(r.err().contains("Exception"), r::toString);
            assertFalse(r.err().contains(System.getenv("PATH") + ")"), "the PATH itself is not printed: " + r);
        }
        assertFalse(Files.exists(tmp.resolve("out/results.json")));
    }

    @Test
    void aStandardInputTemplateNamingSomethingUnknownStopsValidateEvalAndFitBeforeAnythingRuns() throws Exception {
        Path job = job("[awk]", "{{ x }}\n{{ aa }}\n", "");
        for (String command : new String[] {"validate", "eval", "fit"}) {
            Cli.Run r = command.equals("fit")
                    ? Cli.run(command, job.toString(), "--progress", "none")
                    : Cli.run(command, job.toString());
            assertEquals(ExitCodes.USAGE, r.code(), command + ": " + r);
            assertTrue(
                    r.err().contains("answer.tmpl:2: term 't': unknown parameter or variable 'aa'"),
                    command + ": " + r);
            assertFalse(r.err().contains("Exception"), r::toString);
        }
        assertFalse(Files.exists(tmp.resolve("out/runs")), "no program ran");
        assertFalse(Files.exists(tmp.resolve("out/results.json")));
    }

    @Test
    void aRunDirectoryThatCannotBeCreatedFailsEvalAndFitWithAReasonInWords() throws Exception {
        // /proc refuses every new folder ("no such file or directory"), although it is not a file
        String under = "/proc/chemfit-rv-" + ProcessHandle.current().pid();
        Path job = job("[awk]", "{{ x }}\n{{ shift }}\n", "execution: {run_directory: " + under + "}");
        String reason = "external term 't' failed at step create: cannot create a run directory under " + under
                + ": no such file or folder";
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.FIT_FAILED, eval.code(), eval::toString);
        // eval's run directories go to the folder eval in the run directory
        assertTrue(
                eval.err()
                        .contains("error: the evaluation failed: term 0 't' failed: external term 't' failed at step"
                                + " create: cannot create a run directory under " + under + "/eval: no such file or"
                                + " folder: " + under),
                eval::toString);
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.FIT_FAILED, fit.code(), fit::toString);
        assertTrue(fit.err().contains(reason), fit::toString);
        for (Cli.Run r : new Cli.Run[] {eval, fit}) {
            assertFalse(r.err().contains("Exception"), r::toString);
            assertFalse(r.err().contains("java."), r::toString);
            assertFalse(r.out().contains("Exception"), r::toString);
        }
    }
}
