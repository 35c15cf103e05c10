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
 * {@code chemfit validate} says what {@code chemfit fit} would say of the journal in the job's
 * output folder before it starts: a job changed since its run there is refused by both, in the
 * same words, and the journal is left as it was; the same job, or one whose budget was raised
 * after it ran out of evaluations, goes on.
 */
class ValidateJournalTest {

    @TempDir
    Path tmp;

    /** @return a copy of examples/argon with a budget of 30 evaluations */
    private Path argon() throws IOException {
        Path from = ExamplesIT.examples().resolve("argon");
        Path to = tmp.resolve("argon");
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.filter(p -> !p.toString().contains("results")).toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        Path job = to.resolve("fit.yaml");
        Files.writeString(job, Files.readString(job).replace("max_evaluations: 400", "max_evaluations: 30"));
        return job;
    }

    @Test
    void aJobChangedSinceItsRunIsRefusedByValidateAsByFit() throws IOException {
        Path job = argon();
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none", "--no-plots");
        assertEquals(0, fit.code(), fit::toString);
        Cli.Run same = Cli.run("validate", job.toString());
        assertEquals(0, same.code(), same::toString);

        Files.writeString(
                job,
                Files.readString(job)
                        .replace("    loss: mean_squared_error", "    weight: 2.0\n    loss: mean_squared_error"));
        Path journal = job.resolveSibling("results/journal.sqlite");
        byte[] before = Files.readAllBytes(journal);
        Cli.Run validate = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, validate.code(), validate::toString);
        assertTrue(
                validate.err().startsWith("error: journal " + journal + " holds run 1 of a different job ("),
                validate::toString);
        assertTrue(validate.err().contains("job.file.terms[0].weight"), validate::toString);
        assertTrue(validate.err().contains("(chemfit fit --restart;"), validate::toString);
        assertTrue(!validate.err().contains("JournalMode"), validate::toString);
        assertEquals(
                new String(before, java.nio.charset.StandardCharsets.ISO_8859_1),
                new String(Files.readAllBytes(journal), java.nio.charset.StandardCharsets.ISO_8859_1));

        Cli.Run refused = Cli.run("fit", job.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.USAGE, refused.code(), refused::toString);
        assertEquals(validate.err(), refused.err());
    }

    @Test
    void aBudgetRaisedAfterTheRunRanOutIsValid() throws IOException {
        Path job = argon();
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none", "--no-plots");
        assertEquals(0, fit.code(), fit::toString);
        Files.writeString(job, Files.readString(job).replace("max_evaluations: 30", "max_evaluations: 60"));
        Cli.Run validate = Cli.run("validate", job.toString());
        assertEquals(0, validate.code(), validate::toString);
        Cli.Run more = Cli.run("fit", job.toString(), "--progress", "none", "--no-plots");
        assertEquals(0, more.code(), more::toString);
        assertTrue(more.err().contains("resum") || more.out().contains("resum"), more::toString);
    }
}
