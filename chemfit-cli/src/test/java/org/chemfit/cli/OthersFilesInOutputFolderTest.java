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
                + " choose another output.folder (or --output), or move it out of " + data + " (or remove it, if a fit"
                + " whose journal was removed left it)";
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

    /**
     * In the job's own folder ({@code folder: .}), the files chemfit would replace are refused, each
     * named: a CSV of its names, and the plots named as chemfit names them when plots are drawn. A
     * file in plots/ named as no plot is, and a runs/ folder of the user's (each run directory is
     * made beside what is there, under a name of its own), are no reason to refuse, and are left as
     * they were.
     */
    @Test
    void theJobsOwnFolderWithFilesOfThoseNamesIsRefusedNamingThemAll() throws IOException {
        Path job = job(".");
        Files.writeString(job, Files.readString(job).replace("plots: false", "plots: true"));
        Files.writeString(dir.resolve("predictions.csv"), "a,b\n1,2\n");
        Files.createDirectory(dir.resolve("plots"));
        Files.writeString(dir.resolve("plots/figure.png"), "not a plot of chemfit's");
        Files.writeString(dir.resolve("plots/loss.svg"), "my own loss plot");
        Files.createDirectory(dir.resolve("runs"));
        Files.writeString(dir.resolve("runs/notes.txt"), "my runs");
        Cli.Run fit = Cli.run("fit", job.toString(), "-q");
        assertEquals(ExitCodes.USAGE, fit.code(), fit.toString());
        assertEquals(
                "error: cannot use " + dir + " as the output folder: it holds predictions.csv and plots/loss.svg, names"
                        + " chemfit writes there, and no journal.sqlite of a fit, so they are not chemfit's and the fit"
                        + " would replace them; choose another output.folder (or --output), or move them out of "
                        + dir + " (or remove them, if a fit whose journal was removed left them)\n",
                fit.err());
        // without plots, plots/loss.svg is not drawn over
        Cli.Run noPlots = Cli.run("fit", job.toString(), "-q", "--no-plots");
        assertEquals(ExitCodes.USAGE, noPlots.code(), noPlots.toString());
        assertTrue(noPlots.err().contains("it holds predictions.csv, a name chemfit writes there"), noPlots::toString);
        // report draws plots in the folder it is given (which needs an evaluations.csv to be one it reads)
        Files.writeString(dir.resolve("evaluations.csv"), "evaluation,loss\n");
        Cli.Run report = Cli.run("report", dir.toString());
        assertEquals(ExitCodes.USAGE, report.code(), report.toString());
        assertEquals(
                "error: cannot use " + dir + " as the output folder: it holds plots/loss.svg, a name chemfit writes"
                        + " there, and no journal.sqlite of a fit, so it is not chemfit's and the report would replace"
                        + " it; choose the output folder of a fit (or --no-plots), or move it out of " + dir
                        + " (or remove it, if a fit whose journal was removed left it)\n",
                report.err());
        assertEquals("a,b\n1,2\n", Files.readString(dir.resolve("predictions.csv")));
        assertEquals("my own loss plot", Files.readString(dir.resolve("plots/loss.svg")));
        assertFalse(Files.exists(dir.resolve("journal.sqlite")));

        // the files it would replace moved: the fit runs, its run directories beside the user's runs/
        // notes, and the user's plots/figure.png stays
        Files.delete(dir.resolve("predictions.csv"));
        Files.delete(dir.resolve("evaluations.csv"));
        Files.delete(dir.resolve("plots/loss.svg"));
        Cli.Run first = Cli.run("fit", job.toString(), "-q");
        assertEquals(0, first.code(), first.toString());
        assertTrue(Files.exists(dir.resolve("journal.sqlite")));
        assertEquals("my runs", Files.readString(dir.resolve("runs/notes.txt")));
        assertEquals("not a plot of chemfit's", Files.readString(dir.resolve("plots/figure.png")));
        assertTrue(Files.exists(dir.resolve("plots/loss.svg")), "the fit drew its own");
        Cli.Run again = Cli.run("validate", job.toString());
        assertEquals(0, again.code(), again.toString());
        Cli.Run rerun = Cli.run("fit", job.toString(), "-q", "--restart");
        assertEquals(0, rerun.code(), rerun.toString());
        Cli.Run evalAgain = Cli.run("eval", job.toString());
        assertEquals(0, evalAgain.code(), evalAgain.toString());
        assertEquals("my runs", Files.readString(dir.resolve("runs/notes.txt")));
    }

    /** An evaluation writes only run directories there, each under a name of its own: a runs/ of the user's is no reason to refuse. */
    @Test
    void anEvaluationRunsBesideTheUsersRunsFolder() throws IOException {
        Path job = job(".");
        Files.createDirectory(dir.resolve("runs"));
        Files.writeString(dir.resolve("runs/notes.txt"), "my runs");
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(0, eval.code(), eval.toString());
        assertEquals("my runs", Files.readString(dir.resolve("runs/notes.txt")));
    }
}
