package org.chemfit.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.chemfit.journal.Journal;
import org.chemfit.journal.JournalException;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real GROMACS molecular dynamics (NPT liquid argon, 256 atoms, 600 steps per evaluation): a
 * {@code chemfit fit} killed with SIGKILL while GROMACS runs is resumed on the same output folder
 * and ends with the uninterrupted fit's result, bit for bit. That holds because the runs are
 * deterministic (fixed seeds in the .mdp, one thread, {@code -reprod}): the evaluation cut off by
 * the kill is run again and gives the same numbers, and the recorded ones are replayed.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class GromacsResumeIT {

    private static final int EVALUATIONS = 10;
    private static final long TIMEOUT_SECONDS = 400;

    @TempDir
    Path tmp;

    private static void finish(Process p, Path dir) throws Exception {
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chemfit did not finish in " + TIMEOUT_SECONDS + " s\n" + InterruptIT.output(dir));
        }
        assertEquals(0, p.exitValue(), InterruptIT.output(dir));
    }

    /** @return the best loss, parameters, evaluation counts and stop reason, as JSON text (doubles round-trip) */
    private static String best(Path out) throws Exception {
        JsonNode r = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        return r.get("loss").get("best").toString() + " "
                + r.get("best_parameters").toString() + " "
                + r.get("evaluations").get("total") + " " + r.get("stop_reason");
    }

    private static int recordedTerms(Path out) {
        if (!Files.exists(out.resolve(Journal.DEFAULT_FILE_NAME))) {
            return -1;
        }
        try (JournalReader j = JournalReader.openReadOnly(out)) {
            return j.latestRun().map(r -> j.terms(r.id()).size()).orElse(-1);
        } catch (JournalException e) {
            return -1;
        }
    }

    private static boolean gromacsRunning(Process p) {
        return p.descendants()
                .anyMatch(h -> h.info()
                        .command()
                        .map(c -> c.matches(".*/gmx(_mpi|_d)?$"))
                        .orElse(false));
    }

    @Test
    void aGromacsFitKilledMidRunResumesToTheUninterruptedResult() throws Exception {
        GromacsJobs.assumeMdrunRunsHere();
        Path plain = tmp.resolve("uninterrupted");
        Path plainJob = GromacsJobs.liquidJob(plain, EVALUATIONS);
        finish(InterruptIT.start(plain, "fit", plainJob.toString(), "--progress", "none"), plain);
        String expected = best(plain.resolve("out"));

        Path dir = tmp.resolve("killed");
        Path job = GromacsJobs.liquidJob(dir, EVALUATIONS);
        Path out = dir.resolve("out");
        Process p = InterruptIT.start(dir, "fit", job.toString(), "--progress", "none");
        // kill once four evaluations are recorded and GROMACS is running the fifth
        await().atMost(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .pollInSameThread()
                .pollInterval(Duration.ofMillis(5))
                .failFast(() ->
                        assertTrue(p.isAlive(), () -> "chemfit ended before the kill\n" + InterruptIT.output(dir)))
                .untilAsserted(() -> assertTrue(
                        recordedTerms(out) >= 4 && gromacsRunning(p),
                        () -> "no 4 evaluations recorded in time\n" + InterruptIT.output(dir)));
        InterruptIT.killWithPrograms(p); // SIGKILL, as at the end of an allocation
        assertFalse(Files.exists(out.resolve("results.json")), "killed before it finished");
        int recorded;
        try (JournalReader j = JournalReader.openReadOnly(out)) {
            assertEquals(List.of("ok"), j.integrityCheck());
            recorded = j.terms(j.latestRun().orElseThrow().id()).size();
        }
        assertTrue(recorded >= 4 && recorded < EVALUATIONS, "recorded " + recorded);

        Process resumed = InterruptIT.start(dir, "fit", job.toString(), "--progress", "none");
        finish(resumed, dir);
        assertTrue(
                Files.readString(dir.resolve("stderr.txt")).contains("resuming run 1 of the journal"),
                InterruptIT.output(dir));
        assertEquals(
                expected, best(out), "killed after " + recorded + " evaluations: the same result as uninterrupted");
        try (JournalReader j = JournalReader.openReadOnly(out);
                JournalReader k = JournalReader.openReadOnly(plain.resolve("out"))) {
            RunRecord run = j.latestRun().orElseThrow();
            assertEquals("FINISHED", run.status());
            assertEquals(2, run.attempts());
            assertEquals(EVALUATIONS, j.evaluationCounts(run.id()).get(EvaluationRecord.State.COMPLETE));
            long bits =
                    Double.doubleToRawLongBits(j.best(run.id()).orElseThrow().toldLoss());
            long plainBits = Double.doubleToRawLongBits(
                    k.best(k.latestRun().orElseThrow().id()).orElseThrow().toldLoss());
            assertEquals(plainBits, bits, "bit for bit");
        }
        System.out.println("GROMACS fit killed after " + recorded + " recorded evaluations, resumed to " + expected);
    }
}
