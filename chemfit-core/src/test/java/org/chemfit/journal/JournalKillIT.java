package org.chemfit.journal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.RunRecord;
import org.chemfit.journal.read.TermRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fit in a separate JVM, whose terms run an external program, is killed with SIGKILL at several
 * moments and resumed: the result equals an uninterrupted run's bit for bit, only the programs cut
 * off run twice, and the journal passes SQLite's integrity check.
 */
class JournalKillIT {

    private static final long FIT_TIMEOUT_SECONDS = 180;

    @TempDir
    Path dir;

    /**
     * A program of our own: counts its runs in a file and prints a number. It also numbers its runs
     * (a folder each in {@code calls}); the run whose number the file {@code armed} holds writes
     * {@code hang} and waits to be killed.
     */
    private static Path script(Path d) throws IOException {
        Path s = d.resolve("counter.sh");
        Files.createDirectories(d.resolve("calls"));
        Files.writeString(s, """
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
                awk -v i="$1" -v x="$x" -v y="$y" 'BEGIN { printf "value %%.17g\\n", (x - 0.7 * i) ^ 2 + 0.5 * (y + 0.2 * i) ^ 2 + 0.1 * x * y + 0.05 * i }' > out.txt
                """.formatted(d.toAbsolutePath()));
        return s;
    }

    private Process start(Path scenario, String mode) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(
                        java,
                        "-Xmx256m",
                        "-cp",
                        cp,
                        KillableFitDriver.class.getName(),
                        scenario.resolve("counter.sh").toString(),
                        scenario.resolve("out").toString(),
                        scenario.resolve("runs").toString(),
                        scenario.resolve("result.txt").toString(),
                        mode)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        scenario.resolve("driver.log").toFile()))
                .start();
    }

    private Path scenario(String name) throws IOException {
        Path s = Files.createDirectories(dir.resolve(name));
        script(s);
        return s;
    }

    private static void finish(Process p, Path scenario) throws Exception {
        if (!p.waitFor(FIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the fit did not finish in " + FIT_TIMEOUT_SECONDS + " s; log:\n" + log(scenario));
        }
        assertEquals(0, p.exitValue(), "the fit failed; log:\n" + log(scenario));
    }

    /** @return the fit's log, for a failure message (which an unreadable log must not replace) */
    private static String log(Path scenario) {
        Path l = scenario.resolve("driver.log");
        try {
            return Files.exists(l) ? Files.readString(l) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static long lines(Path f) throws IOException {
        if (!Files.exists(f)) {
            return 0;
        }
        try (var s = Files.lines(f)) {
            return s.count();
        }
    }

    /** @return the journal opened for reading, or null while the writer has not created it yet */
    private static JournalReader openWhenReady(Path journalDir) {
        if (!Files.exists(journalDir.resolve(Journal.DEFAULT_FILE_NAME))) {
            return null;
        }
        try {
            JournalReader j = JournalReader.openReadOnly(journalDir);
            if (j.latestRun().isEmpty()) {
                j.close();
                return null;
            }
            return j;
        } catch (JournalException e) {
            return null; // the writer has not created the schema yet
        }
    }

    /** @return the number of complete terms, read while the fit writes the journal */
    private static int completeTerms(JournalReader j) {
        long run = j.latestRun().orElseThrow().id();
        return (int) j.terms(run).stream()
                .filter(t -> t.state() == EvaluationRecord.State.COMPLETE)
                .count();
    }

    @Test
    void aFitKilledAtFiveMomentsResumesToTheUninterruptedResult() throws Exception {
        Path plain = scenario("uninterrupted");
        Process p0 = start(plain, "resume");
        finish(p0, plain);
        String expected = Files.readString(plain.resolve("result.txt"));
        long uninterruptedRuns = lines(plain.resolve("counter.txt"));
        assertTrue(expected.contains("evaluations " + KillableFitDriver.MAX_EVALUATIONS), expected);
        assertEquals(
                KillableFitDriver.TERMS * KillableFitDriver.MAX_EVALUATIONS,
                uninterruptedRuns,
                "every evaluation ran its three programs once");

        try (JournalReader j = JournalReader.openReadOnly(plain.resolve("out"))) {
            RunRecord run = j.latestRun().orElseThrow();
            assertEquals(
                    KillableFitDriver.MAX_EVALUATIONS, j.evaluations(run.id()).size());
            assertEquals(uninterruptedRuns, j.terms(run.id()).size());
            assertEquals(List.of("ok"), j.integrityCheck());
        }

        int[] killAfterCompleteTerms = {1, 8, 22, 40, 55};
        List<String> summary = new ArrayList<>();
        for (int killAt : killAfterCompleteTerms) {
            Path s = scenario("kill-" + killAt);
            // the terms run one after another: the program's run after the first killAt waits to be killed
            Files.writeString(s.resolve("armed"), Integer.toString(killAt + 1));
            Process p = start(s, "resume");
            AtomicInteger seen = new AtomicInteger(-1);
            AtomicReference<JournalReader> reader = new AtomicReference<>();
            // polled on this thread: the reader's SQLite connection stays with the thread that closes it
            await().atMost(FIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .pollInSameThread()
                    .pollInterval(Duration.ofMillis(5))
                    .failFast(() -> assertTrue(
                            p.isAlive(),
                            () -> "the fit ended before " + killAt + " terms were recorded (" + seen + "); log:\n"
                                    + log(s)))
                    .untilAsserted(() -> {
                        if (reader.get() == null) {
                            reader.set(openWhenReady(s.resolve("out")));
                        }
                        if (reader.get() != null) {
                            seen.set(completeTerms(reader.get()));
                        }
                        assertTrue(
                                seen.get() >= killAt && Files.exists(s.resolve("hang")),
                                () -> "no " + killAt + " terms recorded and the next run held in time; log:\n"
                                        + log(s));
                    });
            long liveRun = reader.get().latestRun().orElseThrow().id();
            assertEquals(
                    java.util.Optional.empty(),
                    reader.get().endedWithoutFinishing(liveRun),
                    "a run whose fit is alive is running, not stopped");
            reader.get().close();
            if (killAt == killAfterCompleteTerms[0]) {
                // a second fit on the same folder while the first one runs is refused
                try (JournalReader second = JournalReader.open(s.resolve("out"))) {
                    JournalException e = org.junit.jupiter.api.Assertions.assertThrows(
                            JournalException.class, () -> second.begin(java.util.Map.of(), JournalMode.restart()));
                    assertTrue(
                            e.getMessage().contains("is being written by another fit (pid " + p.pid() + " on "),
                            e.getMessage());
                }
            }
            // frozen before its programs are listed, so that none starts between the listing and the
            // kill and runs on as an orphan (it would count as an extra run)
            Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(p.pid()))
                    .inheritIO()
                    .start();
            assertTrue(stop.waitFor(10, TimeUnit.SECONDS) && stop.exitValue() == 0, "kill -STOP failed");
            List<ProcessHandle> children = p.descendants().toList();
            p.destroyForcibly(); // SIGKILL
            for (ProcessHandle c : children) {
                c.destroyForcibly();
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, p.exitValue(), "killed by SIGKILL");
            assertFalse(Files.exists(s.resolve("result.txt")), "the fit did not finish before the kill");
            for (ProcessHandle c : children) {
                c.onExit().get(30, TimeUnit.SECONDS);
            }

            int runningEvaluations;
            int unrecordedTerms;
            int completeAtKill;
            try (JournalReader j = JournalReader.openReadOnly(s.resolve("out"))) {
                assertEquals(List.of("ok"), j.integrityCheck(), "the journal is sound right after the kill");
                RunRecord run = j.latestRun().orElseThrow();
                assertEquals("RUNNING", run.status(), "a killed run stays RUNNING");
                assertEquals(
                        java.util.Optional.of("pid " + p.pid() + " on " + SqliteJournal.HOST),
                        j.endedWithoutFinishing(run.id()),
                        "a reader on the same host tells the killed run from a running one");
                List<EvaluationRecord> running = j.evaluations(run.id()).stream()
                        .filter(e -> e.state() == EvaluationRecord.State.RUNNING)
                        .toList();
                runningEvaluations = running.size();
                unrecordedTerms = 0;
                for (EvaluationRecord e : running) {
                    unrecordedTerms += KillableFitDriver.TERMS
                            - j.terms(run.id(), e.number()).size();
                }
                completeAtKill = j.terms(run.id()).size();
            }
            assertEquals(killAt, completeAtKill, "the terms before the held run, one at a time, were recorded");
            long firstAttemptRuns = lines(s.resolve("counter.txt"));

            Process resumed = start(s, "resume");
            finish(resumed, s);
            long totalRuns = lines(s.resolve("counter.txt"));
            String actual = Files.readString(s.resolve("result.txt"));
            assertEquals(
                    expected,
                    actual,
                    "kill after " + killAt + " terms: the resumed result equals the uninterrupted one bit for bit");
            long extra = totalRuns - uninterruptedRuns;
            summary.add("kill after " + completeAtKill + " recorded terms: " + runningEvaluations
                    + " evaluation(s) in flight with "
                    + unrecordedTerms + " term(s) not recorded, " + firstAttemptRuns + " program runs before the kill, "
                    + extra + " extra");
            assertTrue(
                    runningEvaluations <= 1,
                    "the terms run serially, so at most one evaluation is in flight: " + summary);
            assertTrue(
                    extra >= 0 && extra <= runningEvaluations,
                    "program runs over both attempts exceed the uninterrupted count by at most the evaluations in flight: "
                            + summary);
            try (JournalReader j = JournalReader.openReadOnly(s.resolve("out"))) {
                assertEquals(List.of("ok"), j.integrityCheck());
                assertEquals(1, j.runs().size());
                RunRecord run = j.latestRun().orElseThrow();
                assertEquals(2, run.attempts());
                assertEquals("FINISHED", run.status());
                assertEquals(java.util.Optional.empty(), j.endedWithoutFinishing(run.id()), "finished, not stopped");
                assertTrue(
                        j.evaluations(run.id()).stream().allMatch(e -> e.state() == EvaluationRecord.State.COMPLETE));
                // every term recorded once, each run of a program in a run directory of its own
                List<TermRecord> terms = j.terms(run.id());
                assertEquals(KillableFitDriver.TERMS * KillableFitDriver.MAX_EVALUATIONS, terms.size());
                assertTrue(terms.stream().allMatch(t -> t.state() == EvaluationRecord.State.COMPLETE));
                assertEquals(
                        terms.size(),
                        terms.stream().map(TermRecord::runDirectory).distinct().count());
                assertEquals(
                        completeAtKill,
                        terms.stream().filter(t -> t.attempt() == 1).count(),
                        "the terms recorded before the kill were replayed, not run again");
            }
        }
        System.out.println(String.join("\n", summary));
        assertEquals(killAfterCompleteTerms.length, summary.size());
        Files.writeString(dir.resolve("summary.txt"), String.join("\n", summary), StandardCharsets.UTF_8);
    }
}
