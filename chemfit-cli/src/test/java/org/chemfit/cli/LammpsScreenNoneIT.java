package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * LAMMPS run with {@code -screen none} writes its errors only to its log file: when a term does not
 * name that log in {@code log_files}, a failure shows the log's last {@code ERROR:} line and a hint
 * to name it, and {@code validate} warns of it. Real LAMMPS ({@code lmp}) reads an input with an
 * unknown command.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LammpsScreenNoneIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** @return a job whose LAMMPS input has an unknown command, run by this command with these extra keys */
    private Path job(String command, String more) throws IOException {
        Files.writeString(dir.resolve("in.bad"), "units metal\nvariable e equal {{ x }}\nfoo_bar 1 2\nrun 0\n");
        Path job = dir.resolve("fit.yaml");
        Files.writeString(job, """
                parameters:
                  x: {initial: 0.5, bounds: [-5.0, 5.0]}
                terms:
                  - name: md
                    kind: external
                    templates: [in.bad]
                    command: %s
                    env: {OMPI_MCA_ess_singleton_isolated: "1"}
                    private_tmpdir: true
                    outputs: {energy: {parser: lammps_thermo, file: log.lammps, column: PotEng}}
                    reference: {energy: 0.0}
                %s
                output: {folder: out, plots: false}
                """.formatted(command, more));
        return job;
    }

    private List<Path> runDirs() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("out/runs"))) {
            return s.sorted().toList();
        }
    }

    private static final String HINT = "hint: LAMMPS run with -screen none writes its errors only to its log file"
            + " log.lammps, which this term does not declare; declare it (log_files: [log.lammps] in a job file,"
            + " logFile(\"log.lammps\") in Java) to see its error lines and last lines in the failure";

    @Test
    void aFailureWithoutLogFilesShowsTheLogsLastErrorAndAHint() throws Exception {
        Path job = job("[lmp, -in, in.bad, -screen, none]", "");
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(0, v.code(), v::toString);
        assertTrue(
                v.err()
                        .contains("warning: term 'md' command 'lmp -in in.bad -screen none' runs LAMMPS with"
                                + " -screen none, which writes its errors only to its log file log.lammps; add"
                                + " log_files: [log.lammps] to the term so that a failure shows them"),
                v::toString);
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        Path run = runDirs().get(0);
        String first = "external term 'md' failed at step run: command 'lmp -in in.bad -screen none' exited"
                + " with code 1 (run directory " + run + ")\n"
                + "LAMMPS's error, from its log file log.lammps:\n"
                + "  ERROR: Unknown command: foo_bar 1 2 (src/";
        assertTrue(r.err().contains(first), r::toString);
        assertTrue(r.err().contains(")\n  Last command: foo_bar 1 2\n" + HINT), r::toString);
        JsonNode failure = JSON.readTree(run.resolve("failure.json").toFile());
        String message = failure.get("message").asText();
        assertTrue(
                message.startsWith("command 'lmp -in in.bad -screen none' exited with code 1\n"
                        + "LAMMPS's error, from its log file log.lammps:\n  ERROR: Unknown command: foo_bar 1 2"),
                message);
        assertTrue(message.endsWith(HINT), message);
    }

    @Test
    void theLogOfLogIsNamedAndShownUnderKeepNoneToo() throws Exception {
        Path job = job("[lmp, -in, in.bad, -log, run.log, -screen, none]", "execution: {keep: none}");
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        assertEquals(List.of(), runDirs());
        assertTrue(
                r.err()
                        .contains("exited with code 1 (its run directory was removed under keep: none)\n"
                                + "LAMMPS's error, from its log file run.log:\n"
                                + "  ERROR: Unknown command: foo_bar 1 2 (src/"),
                r::toString);
        assertTrue(
                r.err()
                        .contains(
                                "hint: LAMMPS run with -screen none writes its errors only to its log file"
                                        + " run.log, which this term does not declare; declare it (log_files: [run.log] in a job file"),
                r::toString);
    }

    @Test
    void withLogNoneTheHintSaysTheErrorsWentNowhere() throws Exception {
        Path job = job("[lmp, -in, in.bad, -log, none, -screen, none]", "");
        Cli.Run v = Cli.run("validate", job.toString());
        assertTrue(
                v.err()
                        .contains("warning: term 'md' command 'lmp -in in.bad -log none -screen none' runs"
                                + " LAMMPS with -screen none and -log none, which leaves its errors nowhere; give it"
                                + " -log FILE and the term log_files: [FILE] so that a failure shows them"),
                v::toString);
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains(
                                "exited with code 1 (run directory " + runDirs().get(0) + ")\n"
                                        + "hint: LAMMPS run with -screen none and -log none writes its errors nowhere;"),
                r::toString);
    }

    @Test
    void aDeclaredLogNeedsNoHintOrWarning() throws Exception {
        Path job = job("[lmp, -in, in.bad, -log, log.lammps, -screen, none]", "    log_files: [log.lammps]");
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(0, v.code(), v::toString);
        assertFalse(v.err().contains("warning"), v::toString);
        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        assertTrue(r.err().contains("the program's error:\n  ERROR: Unknown command: foo_bar 1 2 (src/"), r::toString);
        assertFalse(r.err().contains("hint:"), r::toString);
        assertFalse(r.err().contains("LAMMPS's error, from"), r::toString);
    }
}
