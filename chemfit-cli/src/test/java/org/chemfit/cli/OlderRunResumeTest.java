package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fit stopped by Ctrl-C, then a new run of an edited job begun with {@code --restart}, then the
 * first job again: the command resumes run 1, and the files of run 2, which stood in the output
 * folder, are kept in {@code earlier-runs/run-2} as {@code --restart} keeps them, not written over
 * by run 1's.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OlderRunResumeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private void writeJob(String name, double weight) throws IOException {
        Files.writeString(
                tmp.resolve(name),
                HangingProgram.job(
                        "older", "./run.sh", "    weight: " + weight, "{method: Nelder-Mead, max_evaluations: 12}"));
    }

    /**
     * Runs the fit of fit.yaml until the program's run {@code hangAt} hangs, does {@code meanwhile},
     * then stops the fit as Ctrl-C does.
     */
    private Cli.Run fitStoppedAt(int hangAt, @Nullable Runnable meanwhile) throws InterruptedException, IOException {
        Files.deleteIfExists(tmp.resolve("hang"));
        Files.writeString(tmp.resolve("armed"), Integer.toString(hangAt));
        AtomicReference<Cli.Run> run = new AtomicReference<>();
        Thread fit =
                new Thread(() -> run.set(Cli.run("fit", tmp.resolve("fit.yaml").toString(), "--progress", "none")));
        fit.start();
        while (!Files.exists(tmp.resolve("hang"))) {
            assertTrue(fit.isAlive(), () -> "the fit ended before program run " + hangAt + ": " + run.get());
            Thread.sleep(20);
        }
        if (meanwhile != null) {
            meanwhile.run();
        }
        fit.interrupt();
        fit.join();
        Files.delete(tmp.resolve("armed"));
        Cli.Run stopped = run.get();
        assertNotNull(stopped);
        return stopped;
    }

    @Test
    void resumingAnOlderRunKeepsTheFilesOfTheRunTheyShow() throws Exception {
        HangingProgram.write(tmp, "run.sh");
        writeJob("fit.yaml", 1.0);
        writeJob("edited.yaml", 2.0);
        Path out = tmp.resolve("out");

        // run 1: stopped by Ctrl-C while its fourth program runs
        Cli.Run stopped = fitStoppedAt(4, null);
        assertEquals(ExitCodes.INTERRUPTED, stopped.code(), stopped::toString);

        // run 2: the edited job, begun anew
        Cli.Run second = Cli.run("fit", tmp.resolve("edited.yaml").toString(), "--progress", "none", "--restart");
        assertEquals(ExitCodes.OK, second.code(), second::toString);
        byte[] run2 = Files.readAllBytes(out.resolve("results.json"));
        byte[] run2Csv = Files.readAllBytes(out.resolve("evaluations.csv"));
        assertEquals(2, JSON.readTree(run2).get("journal_run").asInt());

        // the first job again: run 1 is resumed, and run 2's files are kept; a report meanwhile is of run 1,
        // running (programs 1 to 4 were run 1's, 5 to 16 run 2's, and 17 re-runs the one cut off)
        AtomicReference<Cli.Run> during = new AtomicReference<>();
        Cli.Run third = fitStoppedAt(18, () -> during.set(Cli.run("report", out.toString(), "--no-plots")));
        assertEquals(ExitCodes.INTERRUPTED, third.code(), third::toString);
        Cli.Run report = during.get();
        assertEquals(ExitCodes.OK, report.code(), report::toString);
        assertTrue(report.out().contains("running (no results.json yet)"), report::toString);
        assertTrue(report.out().contains("run 1 of 2: RUNNING"), report::toString);
        assertTrue(!report.out().contains("FINISHED"), report::toString);
        assertTrue(third.err().contains("resuming run 1 of the journal ("), third::toString);
        Path kept = out.resolve("earlier-runs/run-2");
        assertTrue(
                third.err()
                        .contains("run 2's results.json, evaluations.csv, predictions.csv are kept in " + kept
                                + ": this command resumes run 1 of the journal, which writes its own"),
                third::toString);
        assertArrayEquals(run2, Files.readAllBytes(kept.resolve("results.json")));
        assertArrayEquals(run2Csv, Files.readAllBytes(kept.resolve("evaluations.csv")));

        // run 1 resumed once more, now that the folder's files are its own: nothing more is moved
        Cli.Run fourth = Cli.run("fit", tmp.resolve("fit.yaml").toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, fourth.code(), fourth::toString);
        assertTrue(!fourth.err().contains("kept in"), fourth::toString);
        assertArrayEquals(run2, Files.readAllBytes(kept.resolve("results.json")));
        assertEquals(
                1,
                JSON.readTree(out.resolve("results.json").toFile())
                        .get("journal_run")
                        .asInt());
        assertEquals(
                12,
                JSON.readTree(out.resolve("results.json").toFile())
                        .get("evaluations")
                        .get("total")
                        .asInt());
    }
}
