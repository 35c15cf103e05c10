package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under {@code on_failure: penalty}, a fit stopped by Ctrl-C after a term failed, and resumed once
 * the cause of the failure is gone: the failed term runs again (a failure is not a result), now
 * succeeds, and the evaluation's loss is no longer the one recorded, so the optimizer goes on
 * another path. The resumed fit says so, rather than blame the objective or the optimizer.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PenaltyRerunResumeTest {

    @TempDir
    Path tmp;

    /**
     * a.sh is the {@link HangingProgram}; b.sh fails on its first run while {@code failing}
     * exists.
     */
    private void writeJob() throws IOException {
        HangingProgram.write(tmp, "a.sh");
        Files.createDirectories(tmp.resolve("bcalls"));
        Files.writeString(tmp.resolve("b.sh"), """
                #!/bin/sh
                i=1
                while ! mkdir "%1$s/bcalls/$i" 2>/dev/null; do i=$((i + 1)); done
                if [ -e "%1$s/failing" ] && [ "$i" -eq 1 ]; then
                  echo "licence server not reachable" >&2
                  exit 3
                fi
                . ./params.sh
                awk -v x="$x" -v y="$y" 'BEGIN { printf "{\\"e\\": %%.17g}\\n", 5 * (x + 2) ^ 2 + (y - 2) ^ 2 }' > out.json
                """.formatted(tmp.toAbsolutePath()));
        assertTrue(tmp.resolve("b.sh").toFile().setExecutable(true));
        Files.writeString(tmp.resolve("fit.yaml"), """
                name: penalty
                parameters:
                  x: {initial: 0.0, bounds: [-5, 5]}
                  y: {initial: 1.0, bounds: [-5, 5]}
                terms:
                  - name: a
                    kind: external
                    templates: {params.sh: params.sh.tpl}
                    command: ./a.sh
                    outputs: {e: {parser: json, file: out.json, path: /e}}
                    reference: {e: 0.0}
                  - name: b
                    kind: external
                    templates: {params.sh: params.sh.tpl}
                    command: ./b.sh
                    outputs: {e: {parser: json, file: out.json, path: /e}}
                    reference: {e: 0.0}
                combination: {on_failure: penalty, penalty: 1000}
                optimizer: {method: Nelder-Mead, max_evaluations: 30}
                execution: {workers: 1}
                output: {folder: out, plots: false}
                """);
    }

    /** @return what was logged (to standard error) while the command ran, and the command's run */
    private static String logged(AtomicReference<Cli.Run> run, String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            run.set(Cli.run(args));
        } finally {
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aResumeWhoseFailedTermsNowSucceedSaysWhyItGoesAnotherWay() throws Exception {
        writeJob();
        Files.writeString(tmp.resolve("failing"), "");
        Files.writeString(tmp.resolve("armed"), "9");
        String job = tmp.resolve("fit.yaml").toString();
        AtomicReference<Cli.Run> first = new AtomicReference<>();
        Thread fit = new Thread(() -> first.set(Cli.run("fit", job, "--progress", "none")));
        fit.start();
        while (!Files.exists(tmp.resolve("hang"))) {
            assertTrue(fit.isAlive(), () -> "the fit ended before run 9: " + first.get());
            Thread.sleep(20);
        }
        fit.interrupt(); // Ctrl-C
        fit.join();
        Cli.Run stopped = first.get();
        assertNotNull(stopped);
        assertEquals(ExitCodes.INTERRUPTED, stopped.code(), stopped::toString);
        assertTrue(stopped.err().contains("warning: term 'b' failed in evaluation e0"), stopped::toString);
        int recorded;
        try (JournalReader j = JournalReader.openReadOnly(tmp.resolve("out"))) {
            recorded = FitRun.finished(j, j.latestRun().orElseThrow().id());
        }
        assertEquals(8, recorded, stopped::toString);

        // the cause of the failure gone, the same command
        Files.delete(tmp.resolve("failing"));
        Files.delete(tmp.resolve("armed"));
        AtomicReference<Cli.Run> second = new AtomicReference<>();
        String logged = logged(second, "fit", job, "--progress", "none");
        Cli.Run again = second.get();
        assertNotNull(again);
        assertEquals(ExitCodes.OK, again.code(), again + logged);
        String said = again.err() + logged;
        Matcher m = Pattern.compile("run 1 evaluation 0 was recorded with failed terms \\(penalised or left out under"
                        + " on_failure\\) that ran again on resume and now gave another loss \\(1081 recorded,"
                        + " 522 now\\), so from evaluation (\\d+) the resumed fit follows another path than the"
                        + " recorded one: the (\\d+) evaluations? recorded from evaluation (\\d+) on (is|are) no"
                        + " longer replayed as evaluations \\(terms asked for again at the same parameters still"
                        + " are\\)")
                .matcher(said);
        assertTrue(m.find(), said);
        int from = Integer.parseInt(m.group(1));
        assertEquals(m.group(1), m.group(3));
        assertTrue(from >= 1 && from < recorded, said);
        assertEquals(recorded - from, Integer.parseInt(m.group(2)), said);
        assertFalse(said.contains("diverged from the recorded one"), said);
        assertFalse(said.contains("not deterministic"), said);
        // the journal holds the loss the fit went on with, no longer the penalised one
        try (JournalReader j = JournalReader.openReadOnly(tmp.resolve("out"))) {
            var e0 = j.evaluations(j.latestRun().orElseThrow().id()).get(0);
            assertEquals(522.0, e0.loss(), 0.0, said);
            assertEquals(2, e0.attempt(), said);
            assertFalse(e0.degraded(), said);
        }
        // said once, not for each evaluation after it
        assertEquals(1, said.split("follows another path", -1).length - 1, said);
    }

    /**
     * @return the number and told loss of the best evaluation among the rows that count (those no
     *     later attempt diverged at or before), by plain SQL as docs/job-file.md gives it, and the
     *     count of rows of the first attempt that do not count, and the complete evaluations that count
     */
    private static double[] bestByPlainSql(Path file) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
                java.sql.Statement s = c.createStatement()) {
            String counting = " FROM evaluations e WHERE run_id = 1 AND NOT EXISTS (SELECT 1 FROM attempts a"
                    + " WHERE a.run_id = e.run_id AND a.attempt > e.attempt AND a.diverged_at <= e.number)";
            java.sql.ResultSet best = s.executeQuery("SELECT number, told_loss" + counting
                    + " AND state = 'COMPLETE' AND degraded = 0 ORDER BY loss, number LIMIT 1");
            assertTrue(best.next());
            double[] out = {best.getInt(1), best.getDouble(2), 0, 0};
            java.sql.ResultSet left = s.executeQuery("SELECT (SELECT count(*) FROM evaluations WHERE attempt = 1)"
                    + " - (SELECT count(*)" + counting + " AND attempt = 1)");
            out[2] = left.getInt(1);
            java.sql.ResultSet complete = s.executeQuery("SELECT count(*)" + counting + " AND state = 'COMPLETE'");
            out[3] = complete.getInt(1);
            return out;
        }
    }

    @Test
    void aResumeStoppedOnItsNewPathReportsItsOwnBestNotTheAbandonedOne() throws Exception {
        writeJob();
        Files.writeString(tmp.resolve("failing"), "");
        Files.writeString(tmp.resolve("armed"), "9");
        String job = tmp.resolve("fit.yaml").toString();
        for (int attempt = 1; attempt <= 2; attempt++) {
            AtomicReference<Cli.Run> run = new AtomicReference<>();
            Thread fit = new Thread(() -> run.set(Cli.run("fit", job, "--progress", "none")));
            fit.start();
            while (!Files.exists(tmp.resolve("hang"))) {
                assertTrue(fit.isAlive(), () -> "the fit ended before it hung: " + run.get());
                Thread.sleep(20);
            }
            fit.interrupt(); // Ctrl-C
            fit.join();
            assertEquals(ExitCodes.INTERRUPTED, run.get().code(), run.get()::toString);
            Files.delete(tmp.resolve("hang"));
            // the cause of the failure gone; a.sh runs 9 times in the first attempt, and the
            // second attempt, on another path from evaluation 1 or 2 on, hangs at its third run
            Files.deleteIfExists(tmp.resolve("failing"));
            Files.writeString(tmp.resolve("armed"), "12");
        }
        Path file = tmp.resolve("out").resolve("journal.sqlite");
        double[] plain = bestByPlainSql(file);
        assertTrue(plain[2] > 0, "rows of the first attempt's path are still in the file");
        Cli.Run report = Cli.run("report", tmp.resolve("out").toString());
        assertEquals(ExitCodes.OK, report.code(), report::toString);
        String said = java.util.Arrays.toString(plain) + "\n" + report.out();
        assertTrue(
                report.out()
                        .contains("journal best: loss " + Tables.fmt(plain[1]) + " at evaluation " + (int) plain[0]),
                said);
        assertTrue(report.out().contains("2 attempts; evaluations " + (int) plain[3] + " complete, 1 cut off"), said);
        // as after a kill, which writes no results.json: the report reads the best so far from the journal
        Files.delete(tmp.resolve("out").resolve("results.json"));
        Cli.Run killed = Cli.run("report", tmp.resolve("out").toString());
        assertEquals(ExitCodes.OK, killed.code(), killed::toString);
        assertTrue(
                killed.out().contains("best loss so far: " + Tables.fmt(plain[1]) + " at evaluation " + (int) plain[0]),
                () -> java.util.Arrays.toString(plain) + "\n" + killed.out());
        try (JournalReader j = JournalReader.openReadOnly(tmp.resolve("out"))) {
            long run = j.latestRun().orElseThrow().id();
            assertEquals((int) plain[0], j.best(run).orElseThrow().number());
            assertEquals(1, j.divergedAttempts(run).size(), j.divergedAttempts(run)::toString);
        }
    }
}
