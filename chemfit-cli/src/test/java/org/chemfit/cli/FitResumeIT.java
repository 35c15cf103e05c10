package org.chemfit.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.chemfit.journal.Journal;
import org.chemfit.journal.JournalException;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chemfit fit} on a job of external terms (a program of our own that counts its runs) is
 * killed with SIGKILL at five moments and run again on the same output folder: it resumes from
 * the journal to the uninterrupted result, bit for bit, and runs again only what was cut off. A
 * changed job is refused, naming the change, until {@code --restart}.
 */
@org.junit.jupiter.api.Timeout(value = 600, unit = TimeUnit.SECONDS)
class FitResumeIT {

    private static final long TIMEOUT_SECONDS = 180;
    private static final int EVALUATIONS = 16;
    private static final int TERMS = 3;

    @TempDir
    Path tmp;

    /**
     * Writes the job, its template and the counting program into a folder of its own. The program
     * numbers its runs (a folder each in {@code calls}); the run whose number the file {@code armed}
     * holds writes {@code hang} and waits to be killed.
     */
    private static Path job(Path dir, String middleWeight) throws IOException {
        Files.createDirectories(dir.resolve("calls"));
        Files.writeString(dir.resolve("counter.sh"), """
                #!/usr/bin/env bash
                # usage: counter.sh TERM, in a run directory holding params.txt ("x y"); writes out.txt
                set -eu
                echo "term $1 pid $$" >> '%1$s/counter.txt'
                i=1
                while ! mkdir "%1$s/calls/$i" 2>/dev/null; do i=$((i + 1)); done
                if [ -e "%1$s/armed" ] && [ "$i" -eq "$(cat "%1$s/armed")" ]; then
                  touch "%1$s/hang"
                  exec sleep 600
                fi
                read -r x y < params.txt
                awk -v i="$1" -v x="$x" -v y="$y" 'BEGIN { printf "value %%.17g\\n", (x - 0.7 * i) ^ 2 + 0.5 * (y + 0.2 * i) ^ 2 + 0.05 * i }' > out.txt
                """.formatted(dir.toAbsolutePath()));
        Files.writeString(dir.resolve("params.tmpl"), "{{ x }} {{ y }}\n");
        StringBuilder terms = new StringBuilder();
        for (int i = 0; i < TERMS; i++) {
            terms.append("""
                      - kind: external
                        name: t%d
                        weight: %s
                        command: [bash, "%s", "%d"]
                        templates: {params.txt: params.tmpl}
                        outputs:
                          v: {parser: regex, file: out.txt, pattern: "value (\\\\S+)"}
                        reference: {v: 0.0}
                    """.formatted(i, i == 1 ? middleWeight : "1.0", dir.resolve("counter.sh"), i));
        }
        Path job = dir.resolve("fit.yaml");
        Files.writeString(job, """
                name: resume
                parameters:
                  x: 0.5
                  y: 0.25
                terms:
                %s
                optimizer:
                  method: Nelder-Mead
                  max_evaluations: %d
                  seed: 3
                output:
                  folder: out
                  plots: false
                """.formatted(terms.toString().stripTrailing(), EVALUATIONS));
        return job;
    }

    private static long lines(Path f) throws IOException {
        if (!Files.exists(f)) {
            return 0;
        }
        try (var s = Files.lines(f)) {
            return s.count();
        }
    }

    private static void finish(Process p, Path dir, int expectedExit) throws Exception {
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chemfit did not finish in " + TIMEOUT_SECONDS + " s\n" + InterruptIT.output(dir));
        }
        assertEquals(expectedExit, p.exitValue(), InterruptIT.output(dir));
    }

    /** @return the best loss and parameters from results.json, as JSON text (doubles round-trip exactly) */
    private static String best(Path out) throws IOException {
        JsonNode r = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        return r.get("loss").get("best").toString() + " "
                + r.get("best_parameters").toString() + " "
                + r.get("evaluations").get("total") + " " + r.get("stop_reason");
    }

    /** @return the raw bits of the journal's best loss */
    private static long journalBest(Path out) {
        try (JournalReader j = JournalReader.openReadOnly(out)) {
            return Double.doubleToRawLongBits(
                    j.best(j.latestRun().orElseThrow().id()).orElseThrow().toldLoss());
        }
    }

    /** @return the number of recorded terms of the latest run, -1 while the journal is not there yet */
    private static int recordedTerms(Path out) {
        if (!Files.exists(out.resolve(Journal.DEFAULT_FILE_NAME))) {
            return -1;
        }
        try (JournalReader j = JournalReader.openReadOnly(out)) {
            return j.latestRun().map(r -> j.terms(r.id()).size()).orElse(-1);
        } catch (JournalException e) {
            return -1; // the fit has not created the schema yet
        }
    }

    @Test
    void chemfitFitKilledAtFiveMomentsResumesToTheUninterruptedResult() throws Exception {
        Path plain = tmp.resolve("uninterrupted");
        Path plainJob = job(plain, "0.5");
        finish(InterruptIT.start(plain, "fit", plainJob.toString(), "--progress", "none"), plain, 0);
        String expected = best(plain.resolve("out"));
        long uninterruptedRuns = lines(plain.resolve("counter.txt"));
        assertEquals(TERMS * EVALUATIONS, uninterruptedRuns);
        assertTrue(
                Files.readString(plain.resolve("stdout.txt"))
                        .contains("journal: " + plain.resolve("out/journal.sqlite") + " (run 1)"),
                InterruptIT.output(plain));

        List<String> summary = new ArrayList<>();
        int[] killAfter = {1, 7, 19, 31, 44};
        for (int k = 0; k < killAfter.length; k++) {
            Path dir = tmp.resolve("kill-" + killAfter[k]);
            Path jobFile = job(dir, "0.5");
            Path out = dir.resolve("out");
            int killAt = killAfter[k];
            // the program's run after the first killAt waits to be killed
            Files.writeString(dir.resolve("armed"), Integer.toString(killAt + 1));
            Process p = InterruptIT.start(dir, "fit", jobFile.toString(), "--progress", "none");
            await().atMost(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .pollInSameThread()
                    .pollInterval(Duration.ofMillis(5))
                    .failFast(() ->
                            assertTrue(p.isAlive(), () -> "chemfit ended before the kill\n" + InterruptIT.output(dir)))
                    .untilAsserted(() -> assertTrue(
                            Files.exists(dir.resolve("hang")) && recordedTerms(out) >= killAt,
                            () -> "no " + killAt + " terms recorded and the next run held in time\n"
                                    + InterruptIT.output(dir)));
            if (k == 0) {
                // chemfit report reads the journal while the fit writes it
                Cli.Run report = Cli.run("report", out.toString(), "--no-plots");
                assertEquals(0, report.code(), report.toString());
                assertTrue(
                        report.out()
                                .contains("journal: " + out.resolve("journal.sqlite")
                                        + ", run 1 of 1: RUNNING, 1 attempt;"),
                        report.toString());
                assertTrue(report.out().startsWith(out + ": running (no results.json yet)"), report.toString());
                // a second fit on the folder is refused before it touches the first one's files
                String csv = Files.readString(out.resolve("evaluations.csv"));
                Cli.Run second = Cli.run("fit", jobFile.toString(), "--progress", "none");
                assertEquals(2, second.code(), second.toString());
                assertTrue(second.err().contains("is being written by another fit (pid " + p.pid()), second.toString());
                assertTrue(
                        Files.readString(out.resolve("evaluations.csv")).startsWith(csv),
                        "the running fit's CSV is intact");
            }
            InterruptIT.killWithPrograms(p); // SIGKILL, as at the end of an allocation
            assertFalse(Files.exists(out.resolve("results.json")), "killed before it finished");
            if (k == 0) {
                // the report tells the killed fit from a running one
                Cli.Run report = Cli.run("report", out.toString(), "--no-plots");
                assertEquals(0, report.code(), report.toString());
                assertTrue(
                        report.out().startsWith(out + ": stopped without finishing: its fit (pid " + p.pid() + " on "),
                        report.toString());
                assertTrue(report.out().contains("run 1 of 1: STOPPED (pid " + p.pid() + " on "), report.toString());
                assertFalse(report.out().contains(": running (no"), report.toString());
            }
            int running;
            int recorded;
            try (JournalReader j = JournalReader.openReadOnly(out)) {
                assertEquals(List.of("ok"), j.integrityCheck());
                RunRecord run = j.latestRun().orElseThrow();
                running = j.evaluationCounts(run.id()).get(EvaluationRecord.State.RUNNING);
                recorded = j.terms(run.id()).size();
            }
            long before = lines(dir.resolve("counter.txt"));

            Process resumed = InterruptIT.start(dir, "fit", jobFile.toString(), "--progress", "none");
            finish(resumed, dir, 0);
            assertTrue(
                    Files.readString(dir.resolve("stderr.txt")).contains("resuming run 1 of the journal"),
                    InterruptIT.output(dir));
            assertEquals(expected, best(out), "kill after " + recorded + " terms: the same result as uninterrupted");
            assertEquals(journalBest(plain.resolve("out")), journalBest(out), "bit for bit");
            long extra = lines(dir.resolve("counter.txt")) - uninterruptedRuns;
            summary.add("kill after " + recorded + " recorded terms: " + running + " evaluation(s) in flight, " + before
                    + " program runs before the kill, " + extra + " extra");
            assertTrue(
                    running <= 1 && extra >= 0 && extra <= running,
                    "program runs exceed the uninterrupted count by at most the evaluations in flight: " + summary);
            try (JournalReader j = JournalReader.openReadOnly(out)) {
                assertEquals(List.of("ok"), j.integrityCheck());
                RunRecord run = j.latestRun().orElseThrow();
                assertEquals("FINISHED", run.status());
                assertEquals(2, run.attempts());
                assertEquals(EVALUATIONS, j.evaluationCounts(run.id()).get(EvaluationRecord.State.COMPLETE));
            }
        }
        System.out.println(String.join("\n", summary));
    }

    @Test
    void aChangedJobIsRefusedNamingTheChangeUntilRestarted() throws Exception {
        Path dir = tmp.resolve("changed");
        Path jobFile = job(dir, "0.5");
        Path out = dir.resolve("out");
        Cli.Run first = Cli.run("fit", jobFile.toString(), "--progress", "none");
        assertEquals(0, first.code(), first.toString());
        String results = Files.readString(out.resolve("results.json"));
        String csv = Files.readString(out.resolve("evaluations.csv"));
        long runs = lines(dir.resolve("counter.txt"));

        job(dir, "2.0");
        Cli.Run refused = Cli.run("fit", jobFile.toString(), "--progress", "none");
        assertEquals(2, refused.code(), refused.toString());
        assertTrue(refused.err().contains("holds run 1 of a different job"), refused.toString());
        assertTrue(refused.err().contains("changed job.file.terms[1].weight: 0.5 -> 2.0"), refused.toString());
        assertTrue(refused.err().contains("--restart"), refused.toString());
        assertEquals(results, Files.readString(out.resolve("results.json")), "nothing in the folder was touched");
        assertEquals(csv, Files.readString(out.resolve("evaluations.csv")));
        assertEquals(runs, lines(dir.resolve("counter.txt")), "no program ran");

        Cli.Run budget = Cli.run("fit", jobFile.toString(), "--progress", "none", "--max-evaluations", "5");
        assertEquals(2, budget.code(), budget.toString());
        assertTrue(budget.err().contains("changed fit.max_evaluations: 16 -> 5"), budget.toString());
        // the weight is still changed beside the budget: another job
        assertTrue(budget.err().contains("holds run 1 of a different job ("), budget.toString());

        Cli.Run restarted = Cli.run("fit", jobFile.toString(), "--progress", "none", "--restart");
        assertEquals(0, restarted.code(), restarted.toString());
        assertTrue(restarted.out().contains("(run 2)"), restarted.toString());
        assertEquals(2 * runs, lines(dir.resolve("counter.txt")), "a restart replays nothing");

        // the first job again: its run is found and replayed, no program runs
        job(dir, "0.5");
        Cli.Run again = Cli.run("fit", jobFile.toString(), "--progress", "none", "--workers", "2");
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.err().contains("resuming run 1 of the journal"), again.toString());
        assertEquals(2 * runs, lines(dir.resolve("counter.txt")), "the number of workers is not part of the job");
        try (JournalReader j = JournalReader.openReadOnly(out)) {
            assertEquals(2, j.runs().size());
        }
    }
}
