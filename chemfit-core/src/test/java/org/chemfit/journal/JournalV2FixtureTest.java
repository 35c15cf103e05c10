package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.fit.FitResult;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.RunRecord;
import org.chemfit.journal.read.TermRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal of schema version 2 written by the code of its time and cut off by a kill (the
 * fixture {@code journal-v2.sqlite}, written by {@link JournalV2Fixture}: twelve evaluations and
 * two terms of the thirteenth) reads as it is and resumes to the uninterrupted result bit for bit,
 * replaying every recorded term.
 */
class JournalV2FixtureTest {

    private static final int RECORDED_TERMS = 12 * 3 + 2;

    @TempDir
    Path dir;

    private Path fixture() throws Exception {
        return JournalFiles.copyOut(dir, "journal-v2.sqlite");
    }

    @Test
    void aSchemaTwoJournalReadsAsItIsWithoutBeingChanged() throws Exception {
        Path f = fixture();
        try (JournalReader j = JournalReader.openReadOnly(f)) {
            RunRecord run = j.latestRun().orElseThrow();
            assertEquals("RUNNING", run.status(), "the fit was killed");
            List<EvaluationRecord> evs = j.evaluations(run.id());
            assertEquals(13, evs.size());
            assertEquals(EvaluationRecord.State.RUNNING, evs.get(12).state());
            List<TermRecord> terms = j.terms(run.id());
            assertEquals(RECORDED_TERMS, terms.size());
            assertEquals(
                    List.of("a", "b"),
                    terms.subList(36, 38).stream().map(TermRecord::name).toList());
            TermRecord t = terms.get(4);
            assertEquals("b", t.name());
            double[] curve = t.quantities().array("curve");
            assertTrue(Double.isNaN(curve[2]));
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(curve[3]));
            assertEquals("t1", t.quantities().label("tag"));
            assertEquals(List.of("ok"), j.integrityCheck());
        }
        assertEquals(2, JournalFiles.userVersion(f), "reading leaves the schema as it was");
    }

    @Test
    void aKilledSchemaTwoJournalResumesToTheUninterruptedResultBitForBit() throws Exception {
        AtomicInteger plainRuns = new AtomicInteger();
        FitResult uninterrupted;
        List<TermRecord> uninterruptedTerms;
        try (JournalReader j = JournalReader.open(dir.resolve("plain"))) {
            uninterrupted = LegacyJournalFixture.fitter(
                            LegacyJournalFixture.objective(plainRuns, -1), j, JournalV2Fixture.SETTINGS)
                    .fit("Nelder-Mead");
            uninterruptedTerms = j.terms(j.latestRun().orElseThrow().id());
        }
        Path f = fixture();
        AtomicInteger runs = new AtomicInteger();
        FitResult resumed;
        try (JournalReader j = JournalReader.open(f)) {
            resumed = LegacyJournalFixture.fitter(
                            LegacyJournalFixture.objective(runs, -1), j, JournalV2Fixture.SETTINGS)
                    .fit("Nelder-Mead");
        }
        assertEquals(
                JournalSchema.VERSION,
                JournalFiles.userVersion(f),
                "opening for writing brings the schema to today's version");
        JournalFiles.assertSameResult(uninterrupted, resumed);
        assertEquals(plainRuns.get() - RECORDED_TERMS, runs.get(), "every recorded term replayed, not run");

        try (JournalReader j = JournalReader.openReadOnly(f)) {
            assertEquals(List.of("ok"), j.integrityCheck());
            RunRecord run = j.latestRun().orElseThrow();
            assertEquals("FINISHED", run.status());
            assertEquals(2, run.attempts());
            List<TermRecord> terms = j.terms(run.id());
            assertEquals(uninterruptedTerms.size(), terms.size(), "every term recorded once");
            assertEquals(
                    RECORDED_TERMS, terms.stream().filter(t -> t.attempt() == 1).count());
            for (int i = 0; i < terms.size(); i++) {
                TermRecord a = uninterruptedTerms.get(i);
                TermRecord b = terms.get(i);
                assertEquals(a.evaluationNumber() + "/" + a.path(), b.evaluationNumber() + "/" + b.path());
                assertEquals(Double.doubleToRawLongBits(a.value()), Double.doubleToRawLongBits(b.value()), b.path());
                assertEquals(
                        Double.doubleToRawLongBits(a.quantities().get("e")),
                        Double.doubleToRawLongBits(b.quantities().get("e")),
                        b.path());
            }
        }
    }
}
