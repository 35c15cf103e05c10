package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.RunRecord;
import org.chemfit.journal.read.TermRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fit of 40 fast in-process terms per evaluation, whose results the journal commits in groups,
 * is killed at several moments (on the first term, on the last term of an evaluation before the
 * evaluation is committed, on the first term after it, and later) and resumed: the result equals
 * the uninterrupted one bit for bit, the evaluations committed before the kill are exactly those
 * that finished, and only the terms not committed run again.
 */
class FastTermsKillTest {

    private static final long TIMEOUT_SECONDS = 180;
    private static final int T = FastTermsFitDriver.TERMS;

    @TempDir
    Path dir;

    private int run(Path scenario, int haltAt) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-Xmx256m",
                        "-cp",
                        cp,
                        FastTermsFitDriver.class.getName(),
                        scenario.resolve("out").toString(),
                        scenario.resolve("result.txt").toString(),
                        Integer.toString(haltAt))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        scenario.resolve("driver.log").toFile()))
                .start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the fit did not end in " + TIMEOUT_SECONDS + " s; log:\n"
                    + Files.readString(scenario.resolve("driver.log")));
        }
        return p.exitValue();
    }

    private static int runs(String result) {
        String line =
                result.lines().filter(l -> l.startsWith("runs ")).findFirst().orElseThrow();
        return Integer.parseInt(line.substring(5));
    }

    private static String withoutRuns(String result) {
        return String.join(
                "\n", result.lines().filter(l -> !l.startsWith("runs ")).toList());
    }

    @Test
    void killedAtSeveralMomentsItResumesToTheUninterruptedResultBitForBit() throws Exception {
        Path plain = Files.createDirectories(dir.resolve("uninterrupted"));
        assertEquals(0, run(plain, -1), Files.readString(plain.resolve("driver.log")));
        String expected = Files.readString(plain.resolve("result.txt"));
        int evaluations = Integer.parseInt(expected.lines()
                .filter(l -> l.startsWith("evaluations "))
                .findFirst()
                .orElseThrow()
                .substring(12));
        assertEquals(T * evaluations, runs(expected), "each evaluation runs its terms once");
        assertTrue(evaluations > 20, expected);

        for (int haltAt : new int[] {1, T, T + 1, 7 * T + 13, 20 * T}) {
            Path s = Files.createDirectories(dir.resolve("halt-" + haltAt));
            assertEquals(137, run(s, haltAt), "halted at term run " + haltAt);
            assertFalse(Files.exists(s.resolve("result.txt")));
            int finishedEvaluations = (haltAt - 1) / T;
            int recordedBefore;
            try (JournalReader j = JournalReader.openReadOnly(s.resolve("out"))) {
                assertEquals(List.of("ok"), j.integrityCheck(), "sound right after the kill");
                RunRecord run = j.latestRun().orElseThrow();
                assertEquals("RUNNING", run.status());
                List<EvaluationRecord> evs = j.evaluations(run.id());
                long complete = evs.stream()
                        .filter(e -> e.state() == EvaluationRecord.State.COMPLETE)
                        .count();
                assertEquals(
                        finishedEvaluations,
                        complete,
                        "halt at term run " + haltAt + ": every evaluation that finished was committed, and no other");
                recordedBefore = j.terms(run.id()).size();
                int inFlight = (haltAt - 1) % T;
                assertTrue(
                        recordedBefore >= finishedEvaluations * T
                                && recordedBefore <= finishedEvaluations * T + inFlight,
                        "halt at term run " + haltAt + ": " + recordedBefore + " terms recorded");
            }
            assertEquals(0, run(s, -1), Files.readString(s.resolve("driver.log")));
            String actual = Files.readString(s.resolve("result.txt"));
            assertEquals(
                    withoutRuns(expected),
                    withoutRuns(actual),
                    "halt at term run " + haltAt + ": the resumed result equals the uninterrupted one bit for bit");
            assertEquals(
                    T * evaluations - recordedBefore,
                    runs(actual),
                    "halt at term run " + haltAt + ": the terms recorded before the kill are replayed, the others run");
            try (JournalReader j = JournalReader.openReadOnly(s.resolve("out"))) {
                assertEquals(List.of("ok"), j.integrityCheck());
                RunRecord run = j.latestRun().orElseThrow();
                assertEquals("FINISHED", run.status());
                assertEquals(2, run.attempts());
                assertEquals(evaluations, j.evaluations(run.id()).size());
                assertTrue(
                        j.evaluations(run.id()).stream().allMatch(e -> e.state() == EvaluationRecord.State.COMPLETE));
                List<TermRecord> terms = j.terms(run.id());
                assertEquals(T * evaluations, terms.size(), "every term recorded once");
                Set<String> seen = new HashSet<>();
                terms.forEach(t -> seen.add(t.evaluationNumber() + "/" + t.path()));
                assertEquals(T * evaluations, seen.size());
                assertEquals(
                        recordedBefore,
                        terms.stream().filter(t -> t.attempt() == 1).count());
                assertEquals(6, terms.get(terms.size() - 1).quantities().array("forces").length);
            }
        }
    }
}
