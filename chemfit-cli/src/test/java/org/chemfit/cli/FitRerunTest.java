package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The counts a fit prints are the journal's: a resumed fit says how many evaluations the journal
 * holds, a failed fit gives one count in its table and its message, and a fit run again after it
 * finished shows its result without replaying anything.
 */
@org.junit.jupiter.api.Timeout(value = 240, unit = TimeUnit.SECONDS)
class FitRerunTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void aFinishedFitRunAgainShowsItsResultWithoutReplaying() throws IOException {
        Path job = Cli.resource("jobs/lj.yaml");
        Path out = tmp.resolve("out");
        Cli.Run first = Cli.run("fit", job.toString(), "-o", out.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        String csv = Files.readString(out.resolve("evaluations.csv"));
        int total = JSON.readTree(out.resolve("results.json").toFile())
                .at("/evaluations/total")
                .asInt();

        Cli.Run again = Cli.run("fit", job.toString(), "-o", out.toString(), "--progress", "none", "--no-plots");

        assertEquals(ExitCodes.OK, again.code(), again::toString);
        assertTrue(
                again.err()
                        .contains("the fit of lj.yaml in " + out + " is finished (run 1 of the journal, " + total
                                + " evaluations recorded); its result is shown and nothing runs again"),
                again::toString);
        String table = first.out()
                .substring(first.out().indexOf("parameter"), first.out().indexOf("results:"));
        assertTrue(again.out().contains(table), again::toString);
        assertEquals(csv, Files.readString(out.resolve("evaluations.csv")), "nothing was evaluated or replayed again");
    }

    @Test
    void aFailedFitGivesOneCountInItsTableItsMessageAndResults() throws IOException {
        Path job = tmp.resolve("fail.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "name: fails",
                        "parameters: {x: {initial: 1.0, bounds: [0, 2]}}",
                        "terms:",
                        "  - name: sim",
                        "    kind: external",
                        "    command: [sh, -c, 'exit 3']",
                        "    outputs: {energy: {parser: json, file: out.json, path: /energy}}",
                        "    reference: {energy: 1.0}",
                        ""));
        Cli.Run r =
                Cli.run("fit", job.toString(), "-o", tmp.resolve("out").toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        assertTrue(r.err().contains("the fit stopped after 1 evaluation because"), r::toString);
        assertTrue(r.out().contains("fails: failed after 1 evaluation,"), r::toString);
        JsonNode res = JSON.readTree(tmp.resolve("out/results.json").toFile());
        assertEquals(1, res.at("/evaluations/total").asInt(), res::toString);
    }

    @Test
    void aResumedFitCountsTheEvaluationsInTheJournal() throws Exception {
        Files.writeString(tmp.resolve("in.json"), "{\"energy\": {{ x }}}\n");
        Path job = tmp.resolve("slow.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters: {x: {initial: 3.0, bounds: [0, 5]}}",
                        "terms:",
                        "  - name: sim",
                        "    kind: external",
                        "    templates: {in.json: in.json}",
                        "    command: [sh, -c, 'sleep 0.2; cp in.json out.json']",
                        "    outputs: {energy: {parser: json, file: out.json, path: /energy}}",
                        "    reference: {energy: 1.0}",
                        "optimizer: {max_evaluations: 14}",
                        "output: {folder: out, plots: false}",
                        ""));
        Process p = InterruptIT.start(tmp, "fit", "slow.yaml", "--progress", "none");
        try {
            InterruptIT.awaitEvaluations(p, tmp.resolve("out/evaluations.csv"), 4, tmp);
        } finally {
            // SIGKILL: nothing is written at the end, as when a node dies
            p.destroyForcibly();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        }
        int recorded;
        try (JournalReader j = JournalReader.openReadOnly(tmp.resolve("out/journal.sqlite"))) {
            recorded = FitRun.finished(j, j.latestRun().orElseThrow().id());
        }
        assertTrue(recorded >= 4, "the journal holds " + recorded);

        // a report of the killed fit says so, with the journal's count, the one a resume replays
        Cli.Run report = Cli.run("report", tmp.resolve("out").toString(), "--no-plots");
        assertEquals(ExitCodes.OK, report.code(), report::toString);
        assertTrue(
                report.out().contains("stopped without finishing: its fit (pid " + p.pid() + " on "), report::toString);
        assertTrue(
                report.out()
                        .contains("; `chemfit fit JOB --output " + tmp.resolve("out")
                                + "` with the same job resumes it (no results.json); " + recorded
                                + " evaluations so far"),
                report::toString);
        assertTrue(
                // nothing runs the evaluations a stopped fit left unfinished: they are not called running
                report.out()
                        .matches(
                                "(?s).*evaluations (\\d+) complete, (0 running|[1-9]\\d* cut off when the fit stopped),"
                                        + " (\\d+) failed.*"),
                report::toString);

        Cli.Run r = Cli.run("fit", job.toString(), "--progress", "none");

        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertTrue(
                r.err().contains("resuming run 1 of the journal (" + recorded + " evaluations recorded, attempt 2)"),
                r::toString);
        assertFalse(r.err().contains("(0 evaluations recorded"), r::toString);
    }
}
