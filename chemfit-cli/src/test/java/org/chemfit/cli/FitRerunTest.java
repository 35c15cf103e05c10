package org.chemfit.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    /**
     * A finished fit whose folder lacks what it wrote beside results.json (evaluations.csv deleted,
     * a plot deleted, plots whose drawing a kill cut short, seen as a list of them older than
     * results.json) is replayed from the journal, nothing computed again, and writes them again.
     */
    @Test
    void aFinishedFitMissingItsFilesIsReplayedAndWritesThemAgain() throws IOException {
        Path job = Cli.resource("jobs/lj.yaml");
        Path out = tmp.resolve("out");
        Cli.Run first = Cli.run("fit", job.toString(), "-o", out.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        String csv = Files.readString(out.resolve("evaluations.csv"));
        String loss = Files.readString(out.resolve("plots/loss.svg"));
        int total = JSON.readTree(out.resolve("results.json").toFile())
                .at("/evaluations/total")
                .asInt();

        Files.delete(out.resolve("evaluations.csv"));
        Cli.Run csvGone = Cli.run("fit", job.toString(), "-o", out.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, csvGone.code(), csvGone::toString);
        assertTrue(
                csvGone.err()
                        .contains(
                                "the fit of lj.yaml in " + out + " is finished, but its evaluations.csv is missing: it"
                                        + " is replayed from the journal, which writes its files again"),
                csvGone::toString);
        assertEquals(
                total,
                JSON.readTree(out.resolve("results.json").toFile())
                        .at("/evaluations/replayed")
                        .asInt());
        assertEquals(
                csv.lines().map(l -> l.replaceAll(",[0-9.]+,(0,0,)", ",S,$1")).toList(),
                Files.readString(out.resolve("evaluations.csv"))
                        .lines()
                        .map(l -> l.replaceAll(",[0-9.]+,(0,0,)", ",S,$1"))
                        .toList(),
                "the same rows, but for the seconds");

        Files.delete(out.resolve("plots/loss.svg"));
        Cli.Run plotGone = Cli.run("fit", job.toString(), "-o", out.toString(), "--progress", "none");
        assertTrue(plotGone.err().contains("is finished, but its plot plots/loss.svg is missing"), plotGone::toString);
        assertEquals(loss, Files.readString(out.resolve("plots/loss.svg")));

        // a list of the plots drawn from another results.json (an earlier attempt's): their drawing did not end
        Path list = out.resolve("plots/.chemfit-plots");
        String listed = Files.readString(list);
        assertTrue(listed.startsWith(Plots.DRAWN_FROM), listed);
        Files.writeString(list, listed.replaceFirst("SHA-256 [0-9a-f]{8}", "SHA-256 00000000"));
        Cli.Run cut = Cli.run("fit", job.toString(), "-o", out.toString(), "--progress", "none");
        assertTrue(
                cut.err()
                        .contains("is finished, but its plots are not all of its results.json (their drawing did"
                                + " not end)"),
                cut::toString);

        // plots drawn before there was a results.json (chemfit report of the running fit, then a kill): replayed
        Files.writeString(list, Files.readString(list).replaceFirst("SHA-256 [0-9a-f]{64}", "SHA-256 none"));
        Cli.Run early = Cli.run("fit", job.toString(), "-o", out.toString(), "--progress", "none");
        assertTrue(early.err().contains("is finished, but its plots are not all of its results.json"), early::toString);
        assertTrue(Files.readString(list).matches("(?s)# drawn from results.json, SHA-256 [0-9a-f]{64}\n.*"));

        // a copy of the folder (cp without -p: other times, the same files) is whole: shown
        Path copy = tmp.resolve("copy");
        TestData.copyTree(out, copy);
        Cli.Run copied = Cli.run("fit", job.toString(), "-o", copy.toString(), "--progress", "none");
        assertTrue(copied.err().contains("its result is shown and nothing runs again"), copied::toString);

        // a fit drawn with --no-plots has none: run again with plots, it is replayed to draw them
        Path bare = tmp.resolve("bare");
        Cli.Run noPlots = Cli.run("fit", job.toString(), "-o", bare.toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.OK, noPlots.code(), noPlots::toString);
        Cli.Run plots = Cli.run("fit", job.toString(), "-o", bare.toString(), "--progress", "none");
        assertTrue(plots.err().contains("is finished, but its plots were not drawn: it is replayed"), plots::toString);
        assertTrue(Files.isRegularFile(bare.resolve("plots/loss.svg")), plots::toString);

        // all there: shown, nothing replayed
        Cli.Run whole = Cli.run("fit", job.toString(), "-o", out.toString(), "--progress", "none");
        assertTrue(whole.err().contains("its result is shown and nothing runs again"), whole::toString);
    }

    /**
     * {@code execution} is no part of the job: a finished fit of an external program, with a
     * held-out term of the same program, run again after {@code execution.workers} was edited
     * is shown, as it was before the edit, and the program runs neither for the fit nor for the
     * held-out term. An edit of the job (a description) still replays it, evaluating the held-out
     * term anew.
     */
    @Test
    void aFinishedFitWhoseWorkersWereEditedIsShownWithoutRunningItsProgram() throws IOException {
        HangingProgram.write(tmp, "run.sh");
        String term = """
                    kind: external
                    templates: {params.sh: params.sh.tpl}
                    command: ./run.sh
                    outputs: {e: {parser: json, file: out.json, path: /e}}
                    reference: {e: 0.0}
                """;
        String text = "name: workers\n"
                + "parameters:\n"
                + "  x: {initial: 0.0, bounds: [-5, 5]}\n"
                + "  y: {initial: 1.0, bounds: [-5, 5]}\n"
                + "terms:\n"
                + "  - name: ext\n" + term
                + "validation:\n"
                + "  - name: held\n" + term
                + "optimizer: {method: Nelder-Mead, max_evaluations: 12}\n"
                + "execution: {workers: 1}\n"
                + "output: {folder: out, plots: false}\n";
        Path job = tmp.resolve("fit.yaml");
        Files.writeString(job, text);
        Cli.Run first = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        Path out = tmp.resolve("out");
        JsonNode results = JSON.readTree(out.resolve("results.json").toFile());
        assertEquals(12, results.at("/evaluations/total").asInt(), first::toString);
        // 12 evaluations of the fit term, and the held-out term at the initial and the best point
        assertEquals(14, calls(), first::toString);
        String written = Files.readString(out.resolve("results.json"));

        Files.writeString(job, text.replace("execution: {workers: 1}", "execution: {workers: 2}"));
        Cli.Run again = Cli.run("fit", job.toString(), "--progress", "none");

        assertEquals(ExitCodes.OK, again.code(), again::toString);
        assertTrue(
                again.err()
                        .contains("the fit of fit.yaml in " + out + " is finished (run 1 of the journal, 12 evaluations"
                                + " recorded); its result is shown and nothing runs again"),
                again::toString);
        assertEquals(14, calls(), "the program ran neither for the fit nor for the held-out term: " + again);
        assertEquals(written, Files.readString(out.resolve("results.json")), "the results are left as they were");

        // a description is an edit of the job: the fit is replayed and the held-out term evaluated anew
        Files.writeString(job, "description: edited\n" + text);
        Cli.Run replayed = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, replayed.code(), replayed::toString);
        assertEquals(
                12,
                JSON.readTree(out.resolve("results.json").toFile())
                        .at("/evaluations/replayed")
                        .asInt(),
                replayed::toString);
        assertEquals(16, calls(), "only the held-out term ran, at the initial and the best point: " + replayed);
    }

    private int calls() throws IOException {
        try (var s = Files.list(tmp.resolve("calls"))) {
            return (int) s.count();
        }
    }

    /**
     * A fit that its budget stopped goes on when given a larger one, in the same run, to the
     * result of one fit with that budget; a smaller budget is another job.
     */
    @Test
    void aFitStoppedByItsBudgetGoesOnWithALargerOne() throws IOException {
        Path job = Cli.resource("jobs/lj.yaml");
        Path whole = tmp.resolve("whole");
        Cli.Run once = Cli.run(
                "fit",
                job.toString(),
                "-o",
                whole.toString(),
                "--max-evaluations",
                "40",
                "--progress",
                "none",
                "--no-plots");
        assertEquals(ExitCodes.OK, once.code(), once::toString);
        Path out = tmp.resolve("out");
        Cli.Run first = Cli.run(
                "fit",
                job.toString(),
                "-o",
                out.toString(),
                "--max-evaluations",
                "15",
                "--progress",
                "none",
                "--no-plots");
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        assertTrue(first.out().contains("done (max evaluations) after 15 evaluations"), first::toString);
        // results.json says the budget the fit had, which its job_settings (the job file) do not
        JsonNode firstResults = JSON.readTree(out.resolve("results.json").toFile());
        assertEquals(15, firstResults.at("/optimizer/max_evaluations").asInt(), firstResults::toString);
        assertEquals(42, firstResults.at("/optimizer/seed").asInt(), firstResults::toString);
        assertEquals("Nelder-Mead", firstResults.at("/optimizer/method").asText(), firstResults::toString);
        assertTrue(
                firstResults.at("/runtime/java").asText().startsWith(System.getProperty("java.version") + " ("),
                firstResults::toString);
        assertEquals(
                org.chemfit.support.HostName.get(),
                firstResults.at("/runtime/host").asText());
        assertTrue(
                firstResults.at("/job_settings/file/optimizer/max_evaluations").asInt() != 15, firstResults::toString);

        Cli.Run more = Cli.run(
                "fit",
                job.toString(),
                "-o",
                out.toString(),
                "--max-evaluations",
                "40",
                "--progress",
                "none",
                "--no-plots");

        assertEquals(ExitCodes.OK, more.code(), more::toString);
        assertTrue(
                more.err()
                        .contains("resuming run 1 of the journal (15 evaluations recorded, attempt 2, its budget raised"
                                + " from 15 to 40): recorded results are replayed, not run again"),
                more::toString);
        JsonNode a = JSON.readTree(whole.resolve("results.json").toFile());
        JsonNode b = JSON.readTree(out.resolve("results.json").toFile());
        assertEquals(a.get("parameters").toString(), b.get("parameters").toString());
        assertEquals(a.at("/loss/best").asDouble(), b.at("/loss/best").asDouble(), 0.0, b::toString);
        assertEquals(
                a.at("/evaluations/total").asInt(), b.at("/evaluations/total").asInt());
        assertEquals(15, b.at("/evaluations/replayed").asInt(), b::toString);
        assertEquals(40, b.at("/optimizer/max_evaluations").asInt(), b::toString);
        assertEquals(a.get("optimizer"), b.get("optimizer"));
        try (JournalReader j = JournalReader.openReadOnly(out.resolve("journal.sqlite"))) {
            assertEquals(1, j.runs().size(), "the same run went on");
        }

        Cli.Run fewer = Cli.run(
                "fit",
                job.toString(),
                "-o",
                out.toString(),
                "--max-evaluations",
                "10",
                "--progress",
                "none",
                "--no-plots");
        assertEquals(ExitCodes.USAGE, fewer.code(), fewer::toString);
        assertTrue(fewer.err().contains("changed fit.max_evaluations: 40 -> 10"), fewer::toString);
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
        assertTrue(
                r.err().contains("the fit stopped in its first evaluation because it failed (e0, at {x=1.0})"),
                r::toString);
        assertTrue(r.out().contains("fails: failed before any evaluation completed,"), r::toString);
        JsonNode res = JSON.readTree(tmp.resolve("out/results.json").toFile());
        assertEquals(1, res.at("/evaluations/total").asInt(), res::toString);
        assertEquals(1, res.at("/evaluations/failed").asInt(), res::toString);

        // run again, it resumes: the one evaluation recorded is said to have failed, and runs again
        Cli.Run again =
                Cli.run("fit", job.toString(), "-o", tmp.resolve("out").toString(), "--progress", "none", "--no-plots");
        assertEquals(ExitCodes.FIT_FAILED, again.code(), again::toString);
        assertTrue(
                again.err()
                        .contains("resuming run 1 of the journal (1 evaluation recorded, 1 of them failed (its failed"
                                + " terms run again), attempt 2):"),
                again::toString);
        assertTrue(
                again.err().contains("the fit stopped in its first evaluation because it failed (e0"), again::toString);
        assertTrue(again.out().contains("fails: failed before any evaluation completed,"), again::toString);
    }

    @Test
    void aResumedFitCountsTheEvaluationsInTheJournal() throws Exception {
        Files.writeString(tmp.resolve("in.json"), "{\"energy\": {{ x }}}\n");
        // the program numbers its runs (a folder each in calls); run 5 writes hang and waits to be killed
        Files.createDirectories(tmp.resolve("calls"));
        Files.writeString(tmp.resolve("gate.sh"), """
                i=1
                while ! mkdir "%1$s/calls/$i" 2>/dev/null; do i=$((i + 1)); done
                if [ -e "%1$s/armed" ] && [ "$i" -eq "$(cat "%1$s/armed")" ]; then
                  touch "%1$s/hang"
                  exec sleep 600
                fi
                cp in.json out.json
                """.formatted(tmp.toAbsolutePath()));
        Files.writeString(tmp.resolve("armed"), "5");
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
                        "optimizer: {max_evaluations: 14}",
                        "output: {folder: out, plots: false}",
                        ""));
        Process p = InterruptIT.start(tmp, "fit", "slow.yaml", "--progress", "none");
        try {
            await("run 5 of the program, held until the fit is killed")
                    .atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(20))
                    .failFast(() ->
                            assertTrue(p.isAlive(), () -> "chemfit ended before run 5\n" + InterruptIT.output(tmp)))
                    .until(() -> Files.exists(tmp.resolve("hang")));
        } finally {
            // SIGKILL, of the fit and the program it runs: nothing is written at the end, as when a node dies
            InterruptIT.killWithPrograms(p);
        }
        Files.delete(tmp.resolve("armed"));
        int recorded;
        try (JournalReader j = JournalReader.openReadOnly(tmp.resolve("out/journal.sqlite"))) {
            recorded = FitRun.finished(j, j.latestRun().orElseThrow().id());
        }
        // one run per evaluation, one at a time: the 4 before the held run are in the journal
        assertEquals(4, recorded, "the journal holds " + recorded);

        // a report of the killed fit says so, with the journal's count, the one a resume replays
        Cli.Run report = Cli.run("report", tmp.resolve("out").toString(), "--no-plots");
        assertEquals(ExitCodes.OK, report.code(), report::toString);
        assertTrue(
                report.out().contains("stopped without finishing: its fit (pid " + p.pid() + " on "), report::toString);
        assertTrue(
                report.out()
                        .contains("; `chemfit fit JOB --output " + tmp.resolve("out")
                                + "`, with its job file and the options it was started with (--cluster and the like),"
                                + " resumes it (no results.json); " + recorded
                                + " evaluations so far"),
                report::toString);
        // and says plainly what the kill left: the records whole, the programs perhaps running
        assertEquals(
                "stopped: the fit was killed (or ran out of time) without ending its run; what it recorded in the"
                        + " journal (" + recorded + " evaluations) is intact, and a resume takes those results rather"
                        + " than computing them again; programs its external terms started may still be running in"
                        + " their run directories: `chemfit fit` with the same job ends them, then resumes the run",
                report.out().lines().toList().get(1),
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
