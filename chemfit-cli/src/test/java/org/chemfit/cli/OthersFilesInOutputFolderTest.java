package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An output folder that holds files of the names chemfit writes there (results.json, the CSVs,
 * plots/, runs/ ...) but no journal of a fit is someone's folder: fit, validate, eval and report
 * refuse it before anything runs, naming the files, and leave them as they were; a folder a fit
 * wrote is used again.
 */
class OthersFilesInOutputFolderTest {

    @TempDir
    Path dir;

    private Path job(String folder) throws IOException {
        Files.writeString(dir.resolve("in.json"), "{\"energy\": {{ x }}}\n");
        return TestData.write(
                dir,
                "fit.yaml",
                "name: mine",
                "parameters: {x: {initial: 3.0, bounds: [0, 5]}}",
                "terms:",
                "  - name: sim",
                "    kind: external",
                "    templates: {in.json: in.json}",
                "    command: [cp, in.json, out.json]",
                "    outputs: {energy: {parser: json, file: out.json, path: /energy}}",
                "    reference: {energy: 1.0}",
                "optimizer: {max_evaluations: 4}",
                "output: {folder: " + folder + ", plots: false}");
    }

    @Test
    void aResultsJsonOfTheUsersIsNotReplaced() throws IOException {
        Path job = job("data");
        Path data = Files.createDirectory(dir.resolve("data"));
        Files.writeString(data.resolve("results.json"), "{\"mine\": 1}\n");
        String expected = "error: cannot use " + data + " as the output folder: it holds results.json, a name chemfit"
                + " writes there, and no journal.sqlite of a fit, so it is not chemfit's and the fit would replace it;"
                + " choose another output.folder (or --output), or move it out of " + data;
        Cli.Run fit = Cli.run("fit", job.toString(), "-q");
        assertEquals(ExitCodes.USAGE, fit.code(), fit.toString());
        assertEquals(expected + "\n", fit.err(), fit.toString());
        Cli.Run restart = Cli.run("fit", job.toString(), "-q", "--restart");
        assertEquals(expected + "\n", restart.err(), "--restart replaces chemfit's files only: " + restart);
        Cli.Run validate = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, validate.code(), validate.toString());
        assertEquals(
                expected.replace("the fit would", "chemfit fit would")
                                .replace("(or --output)", "(or chemfit fit --output)")
                        + "\n",
                validate.err());
        assertEquals("{\"mine\": 1}\n", Files.readString(data.resolve("results.json")));
        try (var files = Files.list(data)) {
            assertEquals(1, files.count(), "nothing was written beside it: no journal, no CSV");
        }
    }

    @Test
    void theJobsOwnFolderWithFilesOfThoseNamesIsRefusedNamingThemAll() throws IOException {
        Path job = job(".");
        Files.writeString(dir.resolve("predictions.csv"), "a,b\n1,2\n");
        Files.createDirectory(dir.resolve("plots"));
        Files.writeString(dir.resolve("plots/figure.png"), "not a plot of chemfit's");
        Files.createDirectory(dir.resolve("runs"));
        Files.writeString(dir.resolve("runs/notes.txt"), "my runs");
        Cli.Run fit = Cli.run("fit", job.toString(), "-q");
        assertEquals(ExitCodes.USAGE, fit.code(), fit.toString());
        assertEquals(
                "error: cannot use " + dir + " as the output folder: it holds predictions.csv, plots/ and runs/, names"
                        + " chemfit writes there, and no journal.sqlite of a fit, so they are not chemfit's and the fit"
                        + " would replace them; choose another output.folder (or --output), or move them out of "
                        + dir + "\n",
                fit.err());
        // eval writes only its run directories there (runs/eval/)
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.USAGE, eval.code(), eval.toString());
        assertEquals(
                "error: cannot use " + dir + " as the output folder: it holds runs/, a name chemfit writes there, and"
                        + " no journal.sqlite of a fit, so it is not chemfit's and the evaluation would replace it;"
                        + " choose another output.folder or execution.run_directory, or move it out of " + dir + "\n",
                eval.err());
        // report draws plots in the folder it is given (which needs an evaluations.csv to be one it reads)
        Files.writeString(dir.resolve("evaluations.csv"), "evaluation,loss\n");
        Cli.Run report = Cli.run("report", dir.toString());
        assertEquals(ExitCodes.USAGE, report.code(), report.toString());
        assertEquals(
                "error: cannot use " + dir + " as the output folder: it holds plots/, a name chemfit writes there, and"
                        + " no journal.sqlite of a fit, so it is not chemfit's and the report would replace it;"
                        + " choose the output folder of a fit (or --no-plots), or move it out of " + dir + "\n",
                report.err());
        assertEquals("a,b\n1,2\n", Files.readString(dir.resolve("predictions.csv")));
        assertEquals("not a plot of chemfit's", Files.readString(dir.resolve("plots/figure.png")));
        try (var files = Files.list(dir.resolve("runs"))) {
            assertEquals(1, files.count(), "no run directory was made");
        }
        assertFalse(Files.exists(dir.resolve("journal.sqlite")));

        // once they are moved, the fit writes there, and its own folder is used again
        Files.delete(dir.resolve("predictions.csv"));
        Files.delete(dir.resolve("evaluations.csv"));
        Files.delete(dir.resolve("plots/figure.png"));
        Files.delete(dir.resolve("plots"));
        Files.delete(dir.resolve("runs/notes.txt"));
        Files.delete(dir.resolve("runs"));
        Cli.Run first = Cli.run("fit", job.toString(), "-q");
        assertEquals(0, first.code(), first.toString());
        assertTrue(Files.exists(dir.resolve("journal.sqlite")));
        Cli.Run again = Cli.run("validate", job.toString());
        assertEquals(0, again.code(), again.toString());
        Cli.Run rerun = Cli.run("fit", job.toString(), "-q", "--restart");
        assertEquals(0, rerun.code(), rerun.toString());
        Cli.Run evalAgain = Cli.run("eval", job.toString());
        assertEquals(0, evalAgain.code(), evalAgain.toString());
    }
}
