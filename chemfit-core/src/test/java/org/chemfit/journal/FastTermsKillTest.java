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
        return run(scenario, haltAt, "all");
    }

    private int run(Path scenario, int haltAt, String terms) throws Exception {
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
                        Integer.toString(haltAt),
                        terms)
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

    /**
     * Resumes a killed fit and checks that its result is the uninterrupted one bit for bit, and that
     * only the terms not recorded before the kill ran again.
     */
    @SuppressWarnings("TooManyParameters") // the scenario and what the uninterrupted fit gave
    private void resumesToTheUninterruptedResult(
            Path s, int haltAt, String terms, String expected, int evaluations, int recordedBefore) throws Exception {
        assertEquals(0, run(s, -1, terms), Files.readString(s.resolve("driver.log")));
        String actual = Files.readString(s.resolve("result.txt"));
        assertEquals(
                withoutRuns(expected),
                withoutRuns(actual),
                "halt at term run " + haltAt + ": the resumed result equals the uninterrupted one bit for bit");
        assertEquals(
                T * evaluations - recordedBefore,
                runs(actual),
                "halt at term run " + haltAt + ": the terms recorded before the kill are replayed, the others run");
    }

    /** @return the count of evaluations a result file gives */
    private static int evaluations(String result) {
        return Integer.parseInt(result.lines()
                .filter(l -> l.startsWith("evaluations "))
                .findFirst()
                .orElseThrow()
                .substring(12));
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
        int evaluations = evaluations(expected);
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
            resumesToTheUninterruptedResult(s, haltAt, "all", expected, evaluations, recordedBefore);
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

    /**
     * The evaluations that may be the best point when they finish, in number order: a clean loss
     * no higher than every clean loss before it (in a serial fit, the journal keeps their terms).
     */
    private static Set<Integer> improving(List<EvaluationRecord> evs) {
        Set<Integer> out = new HashSet<>();
        double lowest = Double.POSITIVE_INFINITY;
        for (EvaluationRecord e : evs) {
            if (e.state() == EvaluationRecord.State.COMPLETE && !(e.loss() > lowest)) {
                out.add(e.number());
                lowest = e.loss();
            }
        }
        return out;
    }

    /** @return the count of recorded terms per evaluation number */
    private static java.util.Map<Integer, Long> termsPerEvaluation(List<TermRecord> terms) {
        return terms.stream()
                .collect(java.util.stream.Collectors.groupingBy(
                        TermRecord::evaluationNumber, java.util.stream.Collectors.counting()));
    }

    @Test
    void withTheTermsOfImprovingEvaluationsOnlyItKeepsThoseAndResumesToTheSameResultBitForBit() throws Exception {
        Path whole = Files.createDirectories(dir.resolve("all"));
        assertEquals(0, run(whole, -1, "all"), Files.readString(whole.resolve("driver.log")));
        String expected = Files.readString(whole.resolve("result.txt"));
        Path lean = Files.createDirectories(dir.resolve("improving"));
        assertEquals(0, run(lean, -1, "improving"), Files.readString(lean.resolve("driver.log")));
        String leanResult = Files.readString(lean.resolve("result.txt"));
        assertEquals(expected, leanResult, "the same fit, bit for bit, and each term run once per evaluation");
        int evaluations = evaluations(expected);
        Set<Integer> kept;
        try (JournalReader j = JournalReader.openReadOnly(lean.resolve("out"))) {
            RunRecord run = j.latestRun().orElseThrow();
            List<EvaluationRecord> evs = j.evaluations(run.id());
            assertEquals(evaluations, evs.size());
            assertTrue(evs.stream().allMatch(e -> e.state() == EvaluationRecord.State.COMPLETE));
            kept = improving(evs);
            assertTrue(kept.size() >= 3 && kept.size() < evaluations - 10, kept + " of " + evaluations);
            java.util.Map<Integer, Long> per = termsPerEvaluation(j.terms(run.id()));
            // and, of the others, only terms the journal's writer took while their evaluation ran past a
            // millisecond (a pause of the JVM or the machine)
            assertTrue(per.keySet().containsAll(kept), "the terms of the evaluations that lowered the best loss");
            kept.forEach(n -> assertEquals(T, per.get(n), "evaluation " + n));
            assertTrue(
                    j.terms(run.id()).size() < T * evaluations - T,
                    "the terms of the evaluations left out are not in the journal: " + per.keySet() + " against "
                            + kept);
            EvaluationRecord best = j.best(run.id()).orElseThrow();
            assertTrue(kept.contains(best.number()));
            assertEquals(T, ((List<?>) best.tree().get("terms")).size(), "the best point keeps its tree");
            for (EvaluationRecord e : evs) {
                if (!per.containsKey(e.number())) {
                    assertFalse(e.tree().containsKey("terms"), "evaluation " + e.number() + ": its root alone");
                    assertEquals(e.loss(), ((Number) e.tree().get("value")).doubleValue());
                }
            }
        }
        try (JournalReader j = JournalReader.openReadOnly(whole.resolve("out"))) {
            RunRecord run = j.latestRun().orElseThrow();
            assertEquals(T * evaluations, j.terms(run.id()).size(), "the default keeps every term");
        }
        long fileWhole = Files.size(whole.resolve("out").resolve(Journal.DEFAULT_FILE_NAME));
        long fileLean = Files.size(lean.resolve("out").resolve(Journal.DEFAULT_FILE_NAME));
        assertTrue(fileLean < fileWhole, fileLean + " bytes against " + fileWhole);

        for (int haltAt : new int[] {1, T + 1, 7 * T + 13, 20 * T}) {
            Path s = Files.createDirectories(dir.resolve("improving-halt-" + haltAt));
            assertEquals(137, run(s, haltAt, "improving"), "halted at term run " + haltAt);
            int recordedBefore;
            try (JournalReader j = JournalReader.openReadOnly(s.resolve("out"))) {
                assertEquals(List.of("ok"), j.integrityCheck(), "sound right after the kill");
                RunRecord run = j.latestRun().orElseThrow();
                assertEquals(
                        (haltAt - 1) / T,
                        j.evaluations(run.id()).stream()
                                .filter(e -> e.state() == EvaluationRecord.State.COMPLETE)
                                .count(),
                        "halt at term run " + haltAt + ": every evaluation that finished was committed");
                recordedBefore = j.terms(run.id()).size();
            }
            resumesToTheUninterruptedResult(s, haltAt, "improving", expected, evaluations, recordedBefore);
            try (JournalReader j = JournalReader.openReadOnly(s.resolve("out"))) {
                assertEquals(List.of("ok"), j.integrityCheck());
                RunRecord run = j.latestRun().orElseThrow();
                assertEquals("FINISHED", run.status());
                List<EvaluationRecord> evs = j.evaluations(run.id());
                assertEquals(evaluations, evs.size());
                java.util.Map<Integer, Long> per = termsPerEvaluation(j.terms(run.id()));
                assertTrue(
                        per.keySet().containsAll(improving(evs)),
                        "halt at term run " + haltAt + ": every evaluation that lowered the best loss keeps its terms");
            }
        }
    }
}
