package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chemfit report} given a job's folder instead of its output folder names the output folder
 * to give: the one its job file names, when it holds a fit, or else the one subfolder that does.
 */
class ReportFolderHintTest {

    @TempDir
    Path tmp;

    /** @return a job file in a folder of its own, whose output folder is {@code folder} ("out" when null) */
    private Path job(String dir, String folder) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(dir));
        String text = Files.readString(Cli.resource("jobs").resolve("lj.yaml"))
                .replace(
                        "reference: data/", "reference: " + Cli.resource("jobs").resolve("data") + "/")
                .replace("max_evaluations: 400", "max_evaluations: 5")
                .replace("folder: out", "folder: " + folder + "\n  plots: false");
        Path job = d.resolve("fit.yaml");
        Files.writeString(job, text);
        return job;
    }

    @Test
    void aJobsFolderNamesTheOutputFolderItsJobFileNames() throws IOException {
        Path job = job("lj", "results");
        Path lj = job.getParent();
        Cli.Run before = Cli.run("report", lj.toString());
        // no fit yet: nothing to name
        assertEquals(
                "error: " + lj + " holds neither results.json nor evaluations.csv nor journal.sqlite; give the"
                        + " output folder of a fit\n",
                before.err(),
                before::toString);
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        Cli.Run r = Cli.run("report", lj.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                "error: " + lj + " holds neither results.json nor evaluations.csv nor journal.sqlite; give the"
                        + " output folder of a fit: did you mean " + lj.resolve("results")
                        + " (it holds journal.sqlite)?\n",
                r.err(),
                r::toString);
        Cli.Run right = Cli.run("report", lj.resolve("results").toString(), "--no-plots");
        assertEquals(ExitCodes.OK, right.code(), right::toString);
    }

    @Test
    void aFolderWithoutAJobFileNamesItsOneSubfolderThatHoldsAFit() throws IOException {
        Path job = job("runs", "../fits/first");
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        Path fits = tmp.resolve("fits");
        Cli.Run r = Cli.run("report", fits.toString());
        assertEquals(
                "error: " + fits + " holds neither results.json nor evaluations.csv nor journal.sqlite; give the"
                        + " output folder of a fit: did you mean " + fits.resolve("first")
                        + " (it holds journal.sqlite)?\n",
                r.err(),
                r::toString);
    }
}
