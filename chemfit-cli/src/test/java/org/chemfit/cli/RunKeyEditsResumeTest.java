package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An external term's {@code timeout}, {@code retries}, {@code kill_grace}, {@code log_files} and
 * {@code wait_for_files.timeout} say how its program is run and watched, never what a run that
 * succeeds gives: a fit stopped by Ctrl-C and resumed after each of them was added or changed goes
 * on in the same run, replays what it recorded and ends where one fit never stopped ends. An edit
 * of the command itself is still another job.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RunKeyEditsResumeTest {

    private static final int BUDGET = 30;

    @TempDir
    Path tmp;

    /** @param runKeys the term's lines of how its program is run, each indented as a term key */
    private static void writeJob(Path dir, String command, String... runKeys) throws IOException {
        Files.writeString(
                dir.resolve("fit.yaml"),
                HangingProgram.job(
                        "edits",
                        command,
                        String.join("\n", runKeys),
                        "{method: Nelder-Mead, max_evaluations: " + BUDGET + "}"));
    }

    private static int calls(Path dir) throws IOException {
        try (var s = Files.list(dir.resolve("calls"))) {
            return (int) s.count();
        }
    }

    /** Runs the fit until the program's run {@code hangAt} hangs, then stops it as Ctrl-C does. */
    private Cli.Run fitStoppedAt(int hangAt) throws Exception {
        Files.deleteIfExists(tmp.resolve("hang"));
        Files.writeString(tmp.resolve("armed"), Integer.toString(hangAt));
        String job = tmp.resolve("fit.yaml").toString();
        AtomicReference<Cli.Run> run = new AtomicReference<>();
        Thread fit = new Thread(() -> run.set(Cli.run("fit", job, "--progress", "none")));
        fit.start();
        while (!Files.exists(tmp.resolve("hang"))) {
            assertTrue(fit.isAlive(), () -> "the fit ended before run " + hangAt + ": " + run.get());
            Thread.sleep(20);
        }
        fit.interrupt(); // Ctrl-C
        fit.join();
        Cli.Run stopped = run.get();
        assertNotNull(stopped);
        assertEquals(ExitCodes.INTERRUPTED, stopped.code(), stopped::toString);
        return stopped;
    }

    @Test
    void aFitResumedAfterEachEditOfHowItsProgramRunsEndsAsOneFitNeverStopped() throws Exception {
        // the fit never stopped, in a folder of its own
        Path once = tmp.resolve("once");
        Files.createDirectories(once);
        HangingProgram.write(once, "run.sh");
        writeJob(
                once,
                "./run.sh",
                "    timeout: 10m",
                "    retries: 2",
                "    kill_grace: 1s",
                "    log_files: [run.log, other.log]",
                "    wait_for_files: {files: out.json, timeout: 30s}");
        Cli.Run whole = Cli.run("fit", once.resolve("fit.yaml").toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, whole.code(), whole::toString);
        assertEquals(BUDGET, calls(once), whole::toString);
        ObjectMapper json = new ObjectMapper();
        JsonNode expected = json.readTree(once.resolve("out/results.json").toFile());
        assertEquals(BUDGET, expected.get("evaluations").get("total").asInt(), whole::toString);

        HangingProgram.write(tmp, "run.sh");
        // stopped at runs 4, 9, 14, 19 and 24, each run cut off running again on resume
        writeJob(tmp, "./run.sh", "    kill_grace: 2s", "    wait_for_files: {files: out.json, timeout: 10s}");
        fitStoppedAt(4);
        String[][] edits = {
            {"    kill_grace: 2s", "    wait_for_files: {files: out.json, timeout: 10s}", "    timeout: 10m"},
            {
                "    kill_grace: 2s",
                "    wait_for_files: {files: out.json, timeout: 10s}",
                "    timeout: 20m",
                "    retries: 2"
            },
            {
                "    kill_grace: 1s",
                "    wait_for_files: {files: out.json, timeout: 10s}",
                "    timeout: 10m",
                "    retries: 2"
            },
            {
                "    kill_grace: 1s",
                "    wait_for_files: {files: out.json, timeout: 10s}",
                "    timeout: 10m",
                "    retries: 2",
                "    log_files: run.log"
            },
        };
        int hangAt = 4;
        for (String[] edit : edits) {
            writeJob(tmp, "./run.sh", edit);
            hangAt += 5;
            Cli.Run stopped = fitStoppedAt(hangAt);
            assertTrue(stopped.err().contains("resuming run 1 of the journal ("), stopped::toString);
            assertFalse(stopped.err().contains("different job"), stopped::toString);
        }
        // the last edit before the fit ends
        Files.delete(tmp.resolve("armed"));
        writeJob(
                tmp,
                "./run.sh",
                "    timeout: 10m",
                "    retries: 2",
                "    kill_grace: 1s",
                "    log_files: [run.log, other.log]",
                "    wait_for_files: {files: out.json, timeout: 30s}");
        int before = calls(tmp);
        Cli.Run last = Cli.run("fit", tmp.resolve("fit.yaml").toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, last.code(), last::toString);
        assertTrue(last.err().contains("resuming run 1 of the journal (19 evaluations recorded"), last::toString);
        // nothing recorded was run again: the program ran once for each evaluation, and again for
        // each of the 5 runs cut off
        assertEquals(BUDGET + 5, calls(tmp), last::toString);
        assertEquals(BUDGET - 19, calls(tmp) - before, last::toString);
        JsonNode got = json.readTree(tmp.resolve("out/results.json").toFile());
        assertEquals(BUDGET, got.get("evaluations").get("total").asInt(), last::toString);
        assertEquals(19, got.get("evaluations").get("replayed").asInt(), last::toString);
        assertEquals(expected.get("loss"), got.get("loss"), last::toString);
        assertEquals(expected.get("best_parameters"), got.get("best_parameters"), last::toString);
        assertEquals(expected.get("parameters"), got.get("parameters"), last::toString);

        // the command's arguments are part of the job
        writeJob(tmp, "./run.sh --fast", "    timeout: 10m");
        Cli.Run refused = Cli.run("fit", tmp.resolve("fit.yaml").toString(), "--progress", "none");
        assertEquals(ExitCodes.USAGE, refused.code(), refused::toString);
        assertTrue(refused.err().contains("cannot be resumed: changed job.file.terms[0].command:"), refused::toString);
        assertFalse(refused.err().contains("timeout"), refused::toString);
        assertEquals(BUDGET + 5, calls(tmp), refused::toString);
    }
}
