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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.TermRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fit stopped while one evaluation of a batch still runs: the other evaluations of the batch
 * finished their terms, which the journal holds, but not their own rows (the Fitter finishes a
 * batch's evaluations once all of them are done). The resumed fit takes those terms from the
 * journal; what it says before it starts and in its closing line counts them as what they are,
 * and agrees with the terms it really ran.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ResumeCutOffTermsTest {

    private static final int BUDGET = 14;

    @TempDir
    Path tmp;

    /**
     * fit.yaml: one external term run by CMA-ES in batches of 4 on 2 workers. Its program takes a
     * number for each run (a folder made in {@code calls}); while {@code armed} exists, run 7
     * writes {@code hang} and sleeps until it is killed.
     */
    private void writeJob() throws IOException {
        Files.createDirectories(tmp.resolve("calls"));
        Files.writeString(tmp.resolve("run.sh"), """
                #!/bin/sh
                i=1
                while ! mkdir "%1$s/calls/$i" 2>/dev/null; do i=$((i + 1)); done
                if [ -e "%1$s/armed" ] && [ "$i" -eq 7 ]; then
                  touch "%1$s/hang"
                  exec sleep 600
                fi
                . ./params.sh
                awk -v x="$x" -v y="$y" 'BEGIN { printf "{\\"e\\": %%.17g}\\n", (x - 1.5) ^ 2 + (y + 0.5) ^ 2 }' > out.json
                """.formatted(tmp.toAbsolutePath()));
        assertTrue(tmp.resolve("run.sh").toFile().setExecutable(true));
        Files.writeString(tmp.resolve("params.sh.tpl"), "x={{ x }}\ny={{ y }}\n");
        Files.writeString(tmp.resolve("fit.yaml"), """
                name: cut
                parameters:
                  x: {initial: 0.0, bounds: [-5, 5]}
                  y: {initial: 1.0, bounds: [-5, 5]}
                terms:
                  - name: ext
                    kind: external
                    templates: {params.sh: params.sh.tpl}
                    command: ./run.sh
                    files: run.sh
                    outputs: {e: {parser: json, file: out.json, path: /e}}
                    reference: {e: 0.0}
                optimizer: {method: CMA-ES, max_evaluations: %d, batch_size: 4, seed: 7}
                execution: {workers: 2}
                output: {folder: out, plots: false}
                """.formatted(BUDGET));
    }

    /** @return how many times the term's program started */
    private int calls() throws IOException {
        try (var s = Files.list(tmp.resolve("calls"))) {
            return (int) s.count();
        }
    }

    /**
     * @return the complete terms the journal holds for evaluations not finished, and how many
     *     evaluations are not finished
     */
    private int[] cutOff() {
        try (JournalReader j = JournalReader.openReadOnly(tmp.resolve("out"))) {
            long run = j.latestRun().orElseThrow().id();
            int terms = 0;
            int running = 0;
            for (EvaluationRecord e : j.evaluationRows(run, 0, 1000)) {
                if (e.state() == EvaluationRecord.State.RUNNING) {
                    running++;
                    for (TermRecord t : j.termOutcomes(run, e.number())) {
                        terms += t.state() == EvaluationRecord.State.COMPLETE ? 1 : 0;
                    }
                }
            }
            return new int[] {terms, running};
        }
    }

    @Test
    void theResumeCountsTheTermsOfEvaluationsCutOffAsItTakesThem() throws Exception {
        writeJob();
        Files.writeString(tmp.resolve("armed"), "");
        String job = tmp.resolve("fit.yaml").toString();
        String out = tmp.resolve("out").toString();
        AtomicReference<Cli.Run> first = new AtomicReference<>();
        Thread fit = new Thread(() -> first.set(Cli.run("fit", job, "--output", out, "--progress", "none")));
        fit.start();
        // wait for run 7 to hang and every other evaluation of its batch to have its term recorded
        int[] cut = {0, 0};
        while (!Files.exists(tmp.resolve("hang")) || cut[1] < 2 || cut[0] != cut[1] - 1) {
            assertTrue(fit.isAlive(), () -> "the fit ended before run 7: " + first.get());
            Thread.sleep(50);
            if (Files.exists(tmp.resolve("hang")) && Files.exists(tmp.resolve("out/journal.sqlite"))) {
                cut = cutOff();
            }
        }
        fit.interrupt(); // Ctrl-C
        fit.join();
        Cli.Run stopped = first.get();
        assertNotNull(stopped);
        assertEquals(ExitCodes.INTERRUPTED, stopped.code(), stopped::toString);
        int finished;
        try (JournalReader j = JournalReader.openReadOnly(tmp.resolve("out"))) {
            long run = j.latestRun().orElseThrow().id();
            finished = FitRun.finished(j, run);
            assertEquals(0, j.evaluationCounts(run).get(EvaluationRecord.State.FAILED));
            // the terms the batch's finished runs recorded, without their evaluations' rows
            assertEquals(cut[0], FitRun.cutOffTerms(j, run)[0]);
            assertEquals(cut[0], FitRun.cutOffTerms(j, run)[1]);
        }
        int terms = cut[0];
        assertTrue(terms >= 1, "no term of an evaluation cut off was recorded");

        // the same command again, without the hang
        Files.delete(tmp.resolve("armed"));
        int before = calls();
        Cli.Run again = Cli.run("fit", job, "--output", out, "--progress", "none");
        assertEquals(ExitCodes.OK, again.code(), again::toString);
        int ran = calls() - before;
        assertTrue(
                again.err()
                        .contains("resuming run 1 of the journal (" + Tables.count(finished, "evaluation")
                                + " recorded, and " + Tables.count(terms, "finished term") + " of "
                                + Tables.count(terms, "evaluation") + " cut off, attempt 2):"
                                + " recorded results are replayed, not run again"),
                again::toString);
        JsonNode ev = new ObjectMapper()
                .readTree(tmp.resolve("out/results.json").toFile())
                .get("evaluations");
        int total = ev.get("total").asInt();
        int repeated = ev.get("repeated").asInt();
        assertEquals(BUDGET, total, again::toString);
        // what the first message announced is what was taken from the journal
        assertEquals(finished, ev.get("replayed").asInt(), again::toString);
        assertEquals(terms, ev.get("cut_off_terms_replayed").asInt(), again::toString);
        // one term an evaluation: the program ran for every evaluation but those taken from the journal
        assertEquals(total - finished - terms - repeated, ran, again::toString);
        List<String> lines = again.out().lines().toList();
        // "cut: done (max evaluations) after 14 evaluations in 5 rounds (5 replayed ...) (3 terms ...), 1.44 s
        // (CMA-ES)"
        assertTrue(
                lines.get(0).startsWith("cut: done (max evaluations) after " + BUDGET + " evaluations "),
                again::toString);
        assertTrue(
                lines.get(0)
                        .contains(" (" + finished + " replayed from the journal"
                                + (repeated > 0
                                        ? "; " + Tables.count(repeated, "point") + " asked for again, not run again"
                                        : "")
                                + "; " + Tables.count(terms, "finished term")
                                + " of evaluations cut off taken from the journal), "),
                again::toString);
        assertFalse(Files.exists(tmp.resolve("armed")));
    }
}
