package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An output folder with another job's results and no journal: the fit refuses to replace them,
 * naming the job they are from, unless told to with --restart; the same job file may replace its
 * own.
 */
class AnotherJobsResultsTest {

    @TempDir
    Path dir;

    private Path job(String name, double target) throws IOException {
        Files.writeString(dir.resolve("in.json"), "{\"energy\": {{ x }}}\n");
        return TestData.write(
                dir,
                name + ".yaml",
                "name: " + name,
                "parameters: {x: {initial: 3.0, bounds: [0, 5]}}",
                "terms:",
                "  - name: sim",
                "    kind: external",
                "    templates: {in.json: in.json}",
                "    command: [cp, in.json, out.json]",
                "    outputs: {energy: {parser: json, file: out.json, path: /energy}}",
                "    reference: {energy: " + target + "}",
                "optimizer: {max_evaluations: 6}",
                "output: {folder: out, plots: false}");
    }

    /** Fits the job into {@code out}, then removes the journal: its results stand there alone. */
    private Path fittedWithoutJournal(Path job) throws IOException {
        assertEquals(0, Cli.run("fit", job.toString()).code());
        Path out = dir.resolve("out");
        Files.delete(out.resolve("journal.sqlite"));
        return out;
    }

    @Test
    void anotherJobsResultsWithoutAJournalAreNotReplaced() throws IOException {
        Path first = job("first", 1.0);
        Path out = fittedWithoutJournal(first);
        String before = Files.readString(out.resolve("results.json"));

        Path second = job("second", 2.0);
        Cli.Run refused = Cli.run("fit", second.toString());
        assertEquals(2, refused.code(), refused.toString());
        assertTrue(
                refused.err()
                        .contains(out + " holds the results of another job (" + out.resolve("results.json")
                                + ": job 'first' from " + first),
                refused.toString());
        assertTrue(
                refused.err()
                        .endsWith("...), and no journal that would say more; they are not replaced: give another"
                                + " --output, or --restart to keep them in " + out.resolve("earlier-runs/run-1")
                                + " and begin anew\n"),
                refused.toString());
        assertEquals(before, Files.readString(out.resolve("results.json")), "nothing was replaced");
        assertTrue(!Files.exists(out.resolve("journal.sqlite")), "no journal was begun");

        // the same job file, edited, replaces its own results; --restart keeps another's in earlier-runs
        Files.writeString(first, Files.readString(first).replace("energy: 1.0", "energy: 1.5"));
        assertEquals(0, Cli.run("fit", first.toString()).code());
        Files.delete(out.resolve("journal.sqlite"));
        Cli.Run restarted = Cli.run("fit", second.toString(), "--restart");
        assertEquals(0, restarted.code(), restarted.toString());
        assertTrue(Files.readString(out.resolve("results.json")).contains("\"name\" : \"second\""));
        assertTrue(
                Files.readString(out.resolve("earlier-runs/run-1/results.json")).contains("\"name\" : \"first\""));
    }

    /**
     * A --restart refused once it had opened the journal (its earlier files could not be moved) leaves
     * a journal with no run: it says nothing of the folder's results, and another job's are still
     * refused by a fit without --restart, and warned of by validate, not replaced.
     */
    @Test
    void aJournalWithNoRunDoesNotLetAnotherJobsResultsBeReplaced() throws IOException {
        Path first = job("first", 1.0);
        Path out = fittedWithoutJournal(first);
        String before = Files.readString(out.resolve("results.json"));
        Path second = job("second", 2.0);
        Files.writeString(out.resolve("earlier-runs"), "a note of mine\n");
        Cli.Run restart = Cli.run("fit", second.toString(), "--restart");
        assertEquals(2, restart.code(), restart.toString());
        assertTrue(restart.err().contains("earlier-runs is a file, not a folder"), restart.toString());
        assertTrue(Files.exists(out.resolve("journal.sqlite")), "the journal was opened before the move");

        Cli.Run validate = Cli.run("validate", second.toString());
        assertTrue(
                validate.err()
                        .startsWith("warning: chemfit fit will refuse this job's output folder: " + out
                                + " holds the results of another job ("),
                validate.toString());
        Cli.Run refused = Cli.run("fit", second.toString());
        assertEquals(2, refused.code(), refused.toString());
        assertTrue(
                refused.err().startsWith("error: " + out + " holds the results of another job ("), refused.toString());
        assertEquals(before, Files.readString(out.resolve("results.json")), "nothing was replaced");

        // an empty journal file says nothing either: validate warns as fit refuses
        Files.delete(out.resolve("journal.sqlite"));
        Files.writeString(out.resolve("journal.sqlite"), "");
        Cli.Run validateEmpty = Cli.run("validate", second.toString());
        assertTrue(
                validateEmpty
                        .err()
                        .startsWith("warning: chemfit fit will refuse this job's output folder: " + out
                                + " holds the results of another job ("),
                validateEmpty.toString());
        Cli.Run refusedEmpty = Cli.run("fit", second.toString());
        assertEquals(2, refusedEmpty.code(), refusedEmpty.toString());
        assertEquals(before, Files.readString(out.resolve("results.json")), "nothing was replaced");
    }
}
