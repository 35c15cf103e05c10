package org.chemfit.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code chemfit fit} of one slow external term, stopped by SIGTERM in its own JVM and run
 * again on the same output folder: the counts of results.json and of the closing line agree with
 * what was evaluated in each attempt.
 */
@org.junit.jupiter.api.Timeout(value = 300, unit = TimeUnit.SECONDS)
class ResumeCountsIT {

    private static final int BUDGET = 12;

    @TempDir
    Path tmp;

    /**
     * Writes fit.yaml: one external term, run one at a time by Nelder-Mead. Its program numbers its
     * runs (a folder each in {@code calls}); the run whose number the file {@code armed} holds writes
     * {@code hang} and waits to be stopped, so that the fit is stopped there. Every other run takes at
     * least 0.2 s (it sleeps), a duration the replayed lines must show.
     */
    private static void writeJob(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("calls"));
        Files.writeString(dir.resolve("run.sh"), """
                #!/bin/sh
                i=1
                while ! mkdir "%1$s/calls/$i" 2>/dev/null; do i=$((i + 1)); done
                if [ -e "%1$s/armed" ] && [ "$i" -eq "$(cat "%1$s/armed")" ]; then
                  touch "%1$s/hang"
                  exec sleep 600
                fi
                sleep 0.2
                . ./params.sh
                awk -v x="$x" -v y="$y" 'BEGIN { printf "{\\"e\\": %%.17g}\\n", (x - 1.5) ^ 2 + (y + 0.5) ^ 2 }' > out.json
                """.formatted(dir.toAbsolutePath()));
        assertTrue(dir.resolve("run.sh").toFile().setExecutable(true));
        Files.writeString(dir.resolve("params.sh.tpl"), "x={{ x }}\ny={{ y }}\n");
        Files.writeString(dir.resolve("fit.yaml"), """
                name: slow
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
                optimizer: {method: Nelder-Mead, max_evaluations: %d}
                execution: {workers: 1}
                output: {folder: out, plots: false}
                """.formatted(BUDGET));
    }

    private static JsonNode results(Path dir) throws IOException {
        return new ObjectMapper().readTree(dir.resolve("out/results.json").toFile());
    }

    @Test
    void sigtermCountsOnlyTheRoundsEvaluatedAndTheResumeTimesOnlyWhatItComputed() throws Exception {
        writeJob(tmp);
        // stopped in its fourth evaluation, once 3 are finished
        Files.writeString(tmp.resolve("armed"), "4");
        Process p = InterruptIT.start(tmp, "fit", "fit.yaml", "--progress", "none");
        try {
            awaitHang(p, tmp);
            InterruptIT.sigterm(p);
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chemfit did not stop within 90 s of SIGTERM");
        } finally {
            p.destroyForcibly();
        }
        String log = InterruptIT.output(tmp);
        assertEquals(ExitCodes.TERMINATED, p.exitValue(), log);
        JsonNode r = results(tmp);
        assertEquals("interrupted", r.get("status").asText(), log);
        int total = r.at("/evaluations/total").asInt();
        assertEquals(3, total, log);
        // one point a round: every round counted was evaluated, the one SIGTERM cut off is not counted
        assertEquals(total, r.at("/evaluations/rounds").asInt(), log);
        assertEquals(
                total + 1,
                Files.readAllLines(tmp.resolve("out/evaluations.csv")).size(),
                log);
        assertEquals(0, r.at("/evaluations/replayed").asInt(), log);
        List<String> out = Files.readAllLines(tmp.resolve("stdout.txt"));
        assertEquals("slow: interrupted after " + total + " evaluations, ", head(out.get(0)), log);
        // the last line says how to go on
        assertEquals(
                "run the same command to resume: " + total + " evaluations are in the journal",
                out.get(out.size() - 1),
                log);

        // the seconds the journal recorded for the evaluations this attempt finished
        List<String> seconds = new java.util.ArrayList<>();
        try (JournalReader j = JournalReader.openReadOnly(tmp.resolve("out/journal.sqlite"))) {
            long run = j.latestRun().orElseThrow().id();
            for (EvaluationRecord e : j.evaluationRows(run, 0, total)) {
                assertEquals(EvaluationRecord.State.COMPLETE, e.state(), log);
                seconds.add(String.format(java.util.Locale.ROOT, "%.3f", e.seconds()));
            }
        }
        assertEquals(total, seconds.size(), log);

        // the same command again: the journal gives the evaluations finished, the rest are computed and timed
        Process again = InterruptIT.start(tmp, "fit", "fit.yaml", "--progress", "none");
        assertTrue(again.waitFor(120, TimeUnit.SECONDS), "the resumed fit did not end within 120 s");
        String log2 = InterruptIT.output(tmp);
        assertEquals(ExitCodes.OK, again.exitValue(), log2);
        JsonNode done = results(tmp);
        assertEquals("done", done.get("status").asText(), log2);
        assertEquals(BUDGET, done.at("/evaluations/total").asInt(), log2);
        assertEquals(BUDGET, done.at("/evaluations/rounds").asInt(), log2);
        assertEquals(total, done.at("/evaluations/replayed").asInt(), log2);
        // the replayed lines carry the time each evaluation took when it ran (0.2 s and more, the
        // program sleeps), not the moment its replay took
        List<String> lines = Files.readAllLines(tmp.resolve("out/evaluations.csv"));
        for (int i = 0; i < total; i++) {
            String[] f = lines.get(i + 1).split(",", -1);
            assertEquals(Integer.toString(i), f[0], log2);
            assertEquals(seconds.get(i), f[3], "evaluation " + i + "\n" + log2);
            assertTrue(Double.parseDouble(f[3]) >= 0.2, "evaluation " + i + "\n" + log2);
        }
        double wall = done.at("/timing/wall_seconds").asDouble();
        assertEquals(
                wall / (BUDGET - total),
                done.at("/timing/seconds_per_evaluation").asDouble(),
                0.0,
                log2);
        List<String> closing = Files.readAllLines(tmp.resolve("stdout.txt"));
        assertTrue(closing.stream().noneMatch(l -> l.contains("to resume")), log2);
        assertEquals(
                "slow: done (max evaluations) after " + BUDGET + " evaluations (" + total
                        + " replayed from the journal), ",
                head(closing.get(0)),
                log2);
        // report prints the same line from results.json
        Process report = InterruptIT.start(tmp, "report", "out", "--no-plots");
        assertTrue(report.waitFor(60, TimeUnit.SECONDS), "report did not end within 60 s");
        assertEquals(
                closing.get(0), Files.readAllLines(tmp.resolve("stdout.txt")).get(0), InterruptIT.output(tmp));

        // a new run, stopped too: the command that resumes it is the one without --restart
        Files.delete(tmp.resolve("out/evaluations.csv"));
        Files.delete(tmp.resolve("hang"));
        try (var calls = Files.list(tmp.resolve("calls"))) {
            // stopped again in its fourth evaluation
            Files.writeString(tmp.resolve("armed"), Long.toString(calls.count() + 4));
        }
        Process restarted = InterruptIT.start(tmp, "fit", "fit.yaml", "--progress", "none", "--restart");
        try {
            awaitHang(restarted, tmp);
            sigterm(restarted);
        } finally {
            restarted.destroyForcibly();
        }
        String log3 = InterruptIT.output(tmp);
        assertEquals(ExitCodes.TERMINATED, restarted.exitValue(), log3);
        int total3 = results(tmp).at("/evaluations/total").asInt();
        assertEquals(3, total3, log3);
        List<String> out3 = Files.readAllLines(tmp.resolve("stdout.txt"));
        assertEquals(
                "run the same command without --restart to resume: " + total3 + " evaluations are in the journal",
                out3.get(out3.size() - 1),
                log3);
    }

    /** Waits until the program's armed run has started and waits to be stopped. */
    private static void awaitHang(Process p, Path dir) {
        await("the armed run of the program")
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(20))
                .failFast(() ->
                        assertTrue(p.isAlive(), () -> "chemfit ended before its armed run\n" + InterruptIT.output(dir)))
                .until(() -> Files.exists(dir.resolve("hang")));
    }

    /** Sends SIGTERM and waits until the fit has ended. */
    private static void sigterm(Process p) throws Exception {
        InterruptIT.sigterm(p);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chemfit did not stop within 90 s of SIGTERM");
    }

    /** @return the closing line up to its time: "NAME: STATUS after N evaluations ..., " */
    private static String head(String line) {
        int time = line.lastIndexOf(" s (");
        return line.substring(0, line.lastIndexOf(", ", time) + 2);
    }
}
