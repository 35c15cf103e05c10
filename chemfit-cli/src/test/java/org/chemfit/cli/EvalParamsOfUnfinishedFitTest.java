package org.chemfit.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * {@code chemfit eval --params} on the output of a fit that was killed before it wrote its
 * results.json: the output folder, the results.json that is not there, or the journal itself
 * give the best point the journal recorded so far, the one {@code chemfit report} prints, and
 * say so.
 */
@org.junit.jupiter.api.Timeout(value = 240, unit = TimeUnit.SECONDS)
class EvalParamsOfUnfinishedFitTest {

    @TempDir
    Path tmp;

    /**
     * Writes a job of one external term whose program gives the energy x, and whose runs from the
     * one that the file hang_at names on (when it exists) hang until the fit is killed.
     *
     * @param budget the job's max_evaluations
     * @return the job file, slow.yaml
     */
    private Path gatedJob(int budget) throws Exception {
        Files.writeString(tmp.resolve("in.json"), "{\"energy\": {{ x }}}\n");
        Files.createDirectories(tmp.resolve("calls"));
        Files.writeString(tmp.resolve("gate.sh"), """
                i=1
                while ! mkdir "%1$s/calls/$i" 2>/dev/null; do i=$((i + 1)); done
                if [ -e "%1$s/hang_at" ] && [ "$i" -ge "$(cat "%1$s/hang_at")" ]; then
                  touch "%1$s/hang"
                  exec sleep 600
                fi
                cp in.json out.json
                """.formatted(tmp.toAbsolutePath()));
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
                        "    command: [sh, '" + tmp.resolve("gate.sh") + "']",
                        "    outputs: {energy: {parser: json, file: out.json, path: /energy}}",
                        "    reference: {energy: 1.0}",
                        "optimizer: {max_evaluations: " + budget + "}",
                        "output: {folder: out, plots: false}",
                        ""));
        return job;
    }

    @Test
    void theBestPointOfAKilledFitsJournalIsEvaluated() throws Exception {
        // the program gives the energy x; its 5th run hangs until the fit is killed
        Path job = gatedJob(14);
        Files.writeString(tmp.resolve("hang_at"), "5");
        Process p = InterruptIT.start(tmp, "fit", "slow.yaml", "--progress", "none");
        try {
            await("run 5 of the program, held until the fit is killed")
                    .atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(20))
                    .failFast(() ->
                            assertTrue(p.isAlive(), () -> "chemfit ended before run 5\n" + InterruptIT.output(tmp)))
                    .until(() -> Files.exists(tmp.resolve("hang")));
        } finally {
            InterruptIT.killWithPrograms(p); // kill -9: no results.json is written
        }
        Files.delete(tmp.resolve("hang_at"));
        Path out = tmp.resolve("out");
        assertTrue(!Files.exists(out.resolve("results.json")));
        EvaluationRecord best;
        try (JournalReader j = JournalReader.openReadOnly(out.resolve("journal.sqlite"))) {
            best = j.best(j.latestRun().orElseThrow().id()).orElseThrow();
        }
        double x = best.parameters().get("x");
        String loss = Tables.fmt((x - 1) * (x - 1));
        // the point report prints as the best so far
        Cli.Run report = Cli.run("report", out.toString(), "--no-plots");
        assertTrue(
                report.out()
                        .contains("best loss so far: " + Tables.fmt(best.toldLoss()) + " at evaluation " + best.number()
                                + "\n  x = " + x + "\n"),
                report::toString);

        String from = "; evaluating at the best point that run 1 of the journal " + out.resolve("journal.sqlite")
                + " (stopped without finishing (pid " + p.pid() + " on ";
        String to = " has ended)) recorded so far, as chemfit report shows it: evaluation " + best.number() + ", loss "
                + Tables.fmt(best.toldLoss());
        for (List<String> given : List.of(
                List.of(out.toString(), "holds no results.json"),
                List.of(out.resolve("results.json").toString(), "no such file"),
                List.of(out.resolve("journal.sqlite").toString(), "is a journal"))) {
            Cli.Run eval = Cli.run("eval", job.toString(), "--params", given.get(0));
            assertEquals(ExitCodes.OK, eval.code(), eval::toString);
            List<String> warnings =
                    eval.err().lines().filter(l -> l.startsWith("warning: ")).toList();
            assertEquals(1, warnings.size(), eval::toString);
            String w = warnings.get(0);
            assertTrue(w.startsWith("warning: --params " + given.get(0) + ": " + given.get(1) + from), eval::toString);
            assertTrue(w.endsWith(to), eval::toString);
            // evaluated at that point: the program gives x, and the loss is (x - 1)^2 again
            assertTrue(
                    eval.out().startsWith("parameters: x = " + EvalCommand.digits(x) + "\nloss: " + loss + "\n"),
                    eval::toString);
        }
        // a job edited since: its journal's run is compared with it as a resume compares them
        Path edited = tmp.resolve("edited.yaml");
        Files.writeString(
                edited, Files.readString(job).replace("reference: {energy: 1.0}", "reference: {energy: 2.0}"));
        Cli.Run other = Cli.run("eval", edited.toString(), "--params", out.toString());
        assertEquals(ExitCodes.OK, other.code(), other::toString);
        assertEquals(
                "warning: --params " + out + ": run 1 of its journal is of another job than the one evaluated ("
                        + edited + "), or of this one edited since: changed job.file.terms[0].reference.energy: 1.0"
                        + " -> 2.0; its best parameters are used all the same",
                other.err()
                        .lines()
                        .filter(l -> l.startsWith("warning: "))
                        .toList()
                        .get(1),
                other::toString);
    }

    @Test
    void aResultsJsonOfAnEarlierAttemptGivesWayToTheJournalsBest() throws Exception {
        // the program gives the energy x; once hang_at names a run of it, that run and those after
        // it hang until the fit is killed
        Path job = gatedJob(6);
        // the fit ends at its budget and writes results.json
        Process first = InterruptIT.start(tmp, "fit", "slow.yaml", "--progress", "none");
        assertTrue(first.waitFor(2, TimeUnit.MINUTES), () -> InterruptIT.output(tmp));
        assertEquals(ExitCodes.OK, first.exitValue(), () -> InterruptIT.output(tmp));
        Path out = tmp.resolve("out");
        Path journal = out.resolve("journal.sqlite");
        double written = bestOfResults(out.resolve("results.json"));
        EvaluationRecord finished;
        try (JournalReader j = JournalReader.openReadOnly(journal)) {
            finished = j.best(j.latestRun().orElseThrow().id()).orElseThrow();
        }
        assertEquals(written, finished.parameters().get("x"));
        // the journal of a finished run, given itself: its best, not "so far"
        Cli.Run ofFinished = Cli.run("eval", job.toString(), "--params", journal.toString());
        assertEquals(ExitCodes.OK, ofFinished.code(), ofFinished::toString);
        assertEquals(
                List.of("warning: --params " + journal + ": is a journal; evaluating at the best point that run 1 of"
                        + " the journal " + journal + " (finished) recorded, as chemfit report shows it: evaluation "
                        + finished.number() + ", loss " + Tables.fmt(finished.toldLoss())),
                ofFinished.err().lines().filter(l -> l.startsWith("warning: ")).toList(),
                ofFinished::toString);

        // resumed with a larger budget (attempt 2 of run 1), then killed: its 6 evaluations are
        // replayed, the program's runs 7 to 11 evaluate, run 12 hangs
        Files.writeString(tmp.resolve("hang_at"), "12");
        Process p = InterruptIT.start(tmp, "fit", "slow.yaml", "--progress", "none", "--max-evaluations", "40");
        try {
            await("run 12 of the program, held until the fit is killed")
                    .atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(20))
                    .failFast(() ->
                            assertTrue(p.isAlive(), () -> "chemfit ended before run 12\n" + InterruptIT.output(tmp)))
                    .until(() -> Files.exists(tmp.resolve("hang")));
        } finally {
            InterruptIT.killWithPrograms(p);
        }
        Files.delete(tmp.resolve("hang_at"));
        EvaluationRecord best;
        try (JournalReader j = JournalReader.openReadOnly(journal)) {
            best = j.best(j.latestRun().orElseThrow().id()).orElseThrow();
        }
        double x = best.parameters().get("x");
        // results.json still holds attempt 1's best, which the resumed fit has bettered
        assertEquals(written, bestOfResults(out.resolve("results.json")));
        assertTrue(best.number() >= 6 && best.toldLoss() < finished.toldLoss(), () -> best + " " + finished);
        Cli.Run report = Cli.run("report", out.toString(), "--no-plots");
        assertTrue(report.out().contains("attempt 2; results.json is from an earlier attempt)"), report::toString);
        assertTrue(
                report.out()
                        .contains("best loss so far: " + Tables.fmt(best.toldLoss()) + " at evaluation " + best.number()
                                + "\n  x = " + x + "\n"),
                report::toString);
        String from = ": results.json is from an earlier attempt of run 1 of the journal beside it (now at attempt"
                + " 2), so chemfit report does not show it; evaluating at the best point that run 1 of the journal "
                + journal + " (stopped without finishing (pid " + p.pid() + " on ";
        String to = " has ended)) recorded so far, as chemfit report shows it: evaluation " + best.number() + ", loss "
                + Tables.fmt(best.toldLoss());
        for (Path given : List.of(out, out.resolve("results.json"))) {
            Cli.Run eval = Cli.run("eval", job.toString(), "--params", given.toString());
            assertEquals(ExitCodes.OK, eval.code(), eval::toString);
            List<String> warnings =
                    eval.err().lines().filter(l -> l.startsWith("warning: ")).toList();
            assertEquals(1, warnings.size(), eval::toString);
            assertTrue(warnings.get(0).startsWith("warning: --params " + given + from), eval::toString);
            assertTrue(warnings.get(0).endsWith(to), eval::toString);
            // evaluated at the journal's best: the program gives x, the loss is (x - 1)^2
            assertTrue(
                    eval.out()
                            .startsWith("parameters: x = " + EvalCommand.digits(x) + "\nloss: "
                                    + Tables.fmt((x - 1) * (x - 1)) + "\n"),
                    eval::toString);
        }
    }

    /** The best x of a results.json. */
    private static double bestOfResults(Path results) {
        List<?> params = (List<?>) Results.read(results).get("parameters");
        return ((Number) ((java.util.Map<?, ?>) params.get(0)).get("best")).doubleValue();
    }

    @Test
    void aFolderWithoutResultsOrJournalIsRefusedNamingIt() throws Exception {
        Path job = Cli.resource("jobs/lj.yaml");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Cli.Run eval = Cli.run(
                "eval",
                job.toString(),
                "--params",
                empty.resolve("results.json").toString());
        assertEquals(ExitCodes.USAGE, eval.code(), eval::toString);
        assertEquals(
                "error: --params " + empty.resolve("results.json") + ": no such file; give the results.json of a"
                        + " finished fit\n",
                eval.err());
    }
}
