package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chemfit validate} warns of what {@code chemfit fit} would refuse in the journal of the
 * job's output folder before it starts (the job itself may be meant for {@code --restart}): a job
 * changed since its run there, in the fit's words, the journal left as it was; another job's
 * results.json without a journal. The same job, one whose budget was raised after it ran out of
 * evaluations, and an empty journal file are not warned of.
 */
class ValidateJournalTest {

    @TempDir
    Path tmp;

    /** @return a copy of examples/argon with a budget of 30 evaluations */
    private Path argon() throws IOException {
        Path job = ExamplesIT.copyOf("argon", tmp.resolve("argon"));
        Files.writeString(job, Files.readString(job).replace("max_evaluations: 400", "max_evaluations: 30"));
        return job;
    }

    @Test
    void aJobChangedSinceItsRunIsWarnedOfByValidateInTheWordsFitRefusesItWith() throws IOException {
        Path job = argon();
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none", "--no-plots");
        assertEquals(0, fit.code(), fit::toString);
        Cli.Run same = Cli.run("validate", job.toString());
        assertEquals(0, same.code(), same::toString);
        assertEquals("", same.err());

        Files.writeString(
                job,
                Files.readString(job)
                        .replace("    loss: mean_squared_error", "    weight: 2.0\n    loss: mean_squared_error"));
        Path journal = job.resolveSibling("results/journal.sqlite");
        byte[] before = Files.readAllBytes(journal);
        Cli.Run validate = Cli.run("validate", job.toString());
        assertEquals(0, validate.code(), validate::toString);
        String warning = "warning: chemfit fit will refuse this job's output folder: ";
        assertTrue(
                validate.err().startsWith(warning + "journal " + journal + " holds run 1 of a different job ("),
                validate::toString);
        assertTrue(validate.err().contains("job.file.terms[0].weight"), validate::toString);
        assertTrue(validate.err().contains("(chemfit fit --restart;"), validate::toString);
        assertTrue(!validate.err().contains("JournalMode"), validate::toString);
        assertEquals(
                new String(before, java.nio.charset.StandardCharsets.ISO_8859_1),
                new String(Files.readAllBytes(journal), java.nio.charset.StandardCharsets.ISO_8859_1));

        Cli.Run refused = Cli.run("fit", job.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.USAGE, refused.code(), refused::toString);
        assertEquals(validate.err().replace(warning, "error: "), refused.err());
    }

    @Test
    void anEmptyJournalIsValidAsTheFitTakesIt() throws IOException {
        Path job = argon();
        Path journal = Files.createDirectories(job.resolveSibling("results")).resolve("journal.sqlite");
        Files.writeString(journal, "");
        Cli.Run validate = Cli.run("validate", job.toString());
        assertEquals(0, validate.code(), validate::toString);
        assertEquals("", validate.err());
        assertEquals(0, Files.size(journal));
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none", "--no-plots");
        assertEquals(0, fit.code(), fit::toString);
    }

    /** A folder where the journal belongs is an error of validate, in the fit's words; so is a named pipe, unopened. */
    @Test
    @org.junit.jupiter.api.Timeout(value = 120, unit = java.util.concurrent.TimeUnit.SECONDS)
    void aFolderOrANamedPipeWhereTheJournalBelongsIsRefusedByValidateAsByFit() throws Exception {
        Path job = argon();
        Path journal = Files.createDirectories(job.resolveSibling("results").resolve("journal.sqlite"));
        Cli.Run validate = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, validate.code(), validate::toString);
        assertEquals(
                "error: cannot read journal " + journal + ": it is a folder, not a file; a journal is an SQLite file\n",
                validate.err());
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.USAGE, fit.code(), fit::toString);
        assertEquals(validate.err(), fit.err());

        Files.delete(journal);
        Process mk = new ProcessBuilder("mkfifo", journal.toString()).start();
        assertEquals(0, mk.waitFor());
        String pipe = "error: cannot read journal " + journal + ": it is not a regular file (a named pipe, a socket or"
                + " a device); a journal is an SQLite file\n";
        Cli.Run validatePipe = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, validatePipe.code(), validatePipe::toString);
        assertEquals(pipe, validatePipe.err());
        Cli.Run fitPipe = Cli.run("fit", job.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.USAGE, fitPipe.code(), fitPipe::toString);
        assertEquals(pipe, fitPipe.err());
        Cli.Run report = Cli.run("report", job.resolveSibling("results").toString(), "--no-plots");
        assertTrue(report.toString().contains("it is not a regular file (a named pipe"), report::toString);

        // a symbolic link to nothing: validate, fit and report say so, where SQLite says only that it cannot open
        Files.delete(journal);
        Files.createSymbolicLink(journal, tmp.resolve("gone/j.sqlite"));
        String link = "error: cannot read journal " + journal + ": it is a symbolic link to "
                + tmp.resolve("gone/j.sqlite") + ", which leads to no file; a journal is an SQLite file\n";
        Cli.Run validateLink = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, validateLink.code(), validateLink::toString);
        assertEquals(link, validateLink.err());
        Cli.Run fitLink = Cli.run("fit", job.toString(), "--progress", "none", "--no-plots");
        assertEquals(link, fitLink.err());
        Cli.Run reportLink = Cli.run("report", job.resolveSibling("results").toString(), "--no-plots");
        assertTrue(reportLink.toString().contains("it is a symbolic link to "), reportLink::toString);

        // a folder named journal.sqlite: the report says what it is too
        Files.delete(journal);
        Files.createDirectories(journal);
        Cli.Run reportFolder = Cli.run("report", job.resolveSibling("results").toString(), "--no-plots");
        assertTrue(reportFolder.toString().contains(": it is a folder, not a file"), reportFolder::toString);
    }

    @Test
    void aFileThatIsNoJournalIsRefusedByValidateAsByFitWithRestart() throws IOException {
        Path job = argon();
        Path journal = Files.createDirectories(job.resolveSibling("results")).resolve("journal.sqlite");
        Files.writeString(journal, "garbage\n");
        Cli.Run validate = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, validate.code(), validate::toString);
        assertTrue(validate.err().startsWith("error: "), validate::toString);
        assertTrue(validate.err().contains(journal + " is not a ChemFit journal"), validate::toString);
        Cli.Run restart = Cli.run("fit", job.toString(), "--restart", "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.USAGE, restart.code(), restart::toString);
        assertEquals(validate.err(), restart.err());
        assertEquals("garbage\n", Files.readString(journal));
    }

    @Test
    void anotherJobsResultsWithoutAJournalAreWarnedOfByValidateInTheWordsFitRefusesThemWith() throws IOException {
        Path job = argon();
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none", "--no-plots");
        assertEquals(0, fit.code(), fit::toString);
        try (Stream<Path> files = Files.list(job.resolveSibling("results"))) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("journal.sqlite"))
                    .toList()) {
                Files.delete(f);
            }
        }
        Path other = job.resolveSibling("other.yaml");
        Files.writeString(other, Files.readString(job).replace("name: argon-lj", "name: another-fit"));
        Cli.Run validate = Cli.run("validate", other.toString());
        assertEquals(0, validate.code(), validate::toString);
        String warning = "warning: chemfit fit will refuse this job's output folder: ";
        assertTrue(
                validate.err()
                        .startsWith(warning + job.resolveSibling("results") + " holds the results of another" + " job ("
                                + job.resolveSibling("results/results.json") + ": job 'argon-lj' from "),
                validate::toString);
        Cli.Run refused = Cli.run("fit", other.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.USAGE, refused.code(), refused::toString);
        assertEquals(validate.err().replace(warning, "error: "), refused.err());
    }

    @Test
    void aBudgetRaisedAfterTheRunRanOutIsValid() throws IOException {
        Path job = argon();
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none", "--no-plots");
        assertEquals(0, fit.code(), fit::toString);
        Files.writeString(job, Files.readString(job).replace("max_evaluations: 30", "max_evaluations: 60"));
        Cli.Run validate = Cli.run("validate", job.toString());
        assertEquals(0, validate.code(), validate::toString);
        assertEquals("", validate.err());
        Cli.Run more = Cli.run("fit", job.toString(), "--progress", "none", "--no-plots");
        assertEquals(0, more.code(), more::toString);
        assertTrue(more.err().contains("resum") || more.out().contains("resum"), more::toString);
    }
}
