package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run recorded with a budget that the job no longer gives (raised on the command line, then
 * left out) is not resumed, and the refusal says how to go on with it: the budget it was recorded
 * with; --restart begins anew. Any other change keeps the advice to restart.
 */
class BudgetChangeAdviceTest {

    @TempDir
    Path dir;

    private Path job(double initial, int budget) throws IOException {
        Files.writeString(dir.resolve("in.json"), "{\"energy\": {{ x }}}\n");
        return TestData.write(
                dir,
                "j.yaml",
                "name: budget",
                "parameters: {x: {initial: " + initial + ", bounds: [0, 5]}}",
                "terms:",
                "  - name: sim",
                "    kind: external",
                "    templates: {in.json: in.json}",
                "    command: [cp, in.json, out.json]",
                "    outputs: {energy: {parser: json, file: out.json, path: /energy}}",
                "    reference: {energy: 1.0}",
                "optimizer: {max_evaluations: " + budget + "}",
                "output: {folder: out, plots: false}");
    }

    @Test
    void aBudgetChangedAloneIsToldTheBudgetTheRunWasRecordedWith() throws IOException {
        Path job = job(3.0, 4);
        Cli.Run raised = Cli.run("fit", job.toString(), "-q", "--max-evaluations", "6");
        assertEquals(ExitCodes.OK, raised.code(), raised.toString());
        Path journal = dir.resolve("out/journal.sqlite");

        Cli.Run plain = Cli.run("fit", job.toString(), "-q");
        assertEquals(ExitCodes.USAGE, plain.code(), plain.toString());
        assertTrue(
                plain.err()
                        .startsWith("error: journal " + journal
                                + " holds run 1 of this job with another budget (settings hash "),
                plain.toString());
        assertTrue(
                plain.err()
                        .endsWith(
                                "), so it cannot be resumed: changed fit.max_evaluations: 6 -> 4. To go on with run 1,"
                                        + " give it the budget it was recorded with: --max-evaluations 6; chemfit fit --restart"
                                        + " begins a new run from nothing (the earlier runs are kept), or write to another"
                                        + " output folder.\n"),
                plain.toString());
        // the advice followed goes on with run 1: it is finished, and shown
        Cli.Run given = Cli.run("fit", job.toString(), "-q", "--max-evaluations", "6");
        assertEquals(ExitCodes.OK, given.code(), given.toString());
        assertEquals("", given.err(), given.toString());

        // the job file's budget raised to the run's is the job file changed: the one it was recorded with is told
        job(3.0, 6);
        Cli.Run edited = Cli.run("fit", job.toString(), "-q");
        assertEquals(ExitCodes.USAGE, edited.code(), edited.toString());
        assertTrue(
                edited.err()
                        .endsWith(
                                "), so it cannot be resumed: changed job.file.optimizer.max_evaluations: 4 -> 6. To go"
                                        + " on with run 1, give it the budget it was recorded with: optimizer.max_evaluations: 4"
                                        + " in the job file again, and --max-evaluations 6; chemfit fit --restart begins a new"
                                        + " run from nothing (the earlier runs are kept), or write to another output folder.\n"),
                edited.toString());
        job(3.0, 4);
        Cli.Run again = Cli.run("fit", job.toString(), "-q", "--max-evaluations", "6");
        assertEquals(ExitCodes.OK, again.code(), again.toString());
        assertEquals(given.out(), again.out(), "the same finished run, shown again");

        // another change, with the budget or not, is told to restart as before
        job(2.0, 4);
        Cli.Run other = Cli.run("fit", job.toString(), "-q");
        assertEquals(ExitCodes.USAGE, other.code(), other.toString());
        assertTrue(
                other.err()
                        .endsWith(
                                ". Restart to begin a new run in this journal (chemfit fit --restart; the earlier runs"
                                        + " are kept), or write to another output folder.\n"),
                other.toString());
        assertTrue(other.err().contains("changed fit.max_evaluations: 6 -> 4"), other.toString());
    }

    /**
     * A run recorded with the job file's budget, resumed with the file's budget raised and a
     * --max-evaluations of its own: the advice names both, and followed, the run goes on.
     */
    @Test
    void anOptionGivenBesideAnEditedFileIsToldTooWhatToGive() throws IOException {
        Path job = job(3.0, 4);
        Cli.Run first = Cli.run("fit", job.toString(), "-q");
        assertEquals(ExitCodes.OK, first.code(), first.toString());
        job(3.0, 6);
        Cli.Run both = Cli.run("fit", job.toString(), "-q", "--max-evaluations", "3");
        assertEquals(ExitCodes.USAGE, both.code(), both.toString());
        assertTrue(
                both.err()
                        .contains(" To go on with run 1, give it the budget it was recorded with:"
                                + " optimizer.max_evaluations: 4 in the job file again, and --max-evaluations 4;"),
                both.toString());
        job(3.0, 4);
        Cli.Run followed = Cli.run("fit", job.toString(), "-q", "--max-evaluations", "4");
        assertEquals(ExitCodes.OK, followed.code(), followed.toString());
        assertEquals(first.out(), followed.out(), "the same finished run, shown again");
    }
}
