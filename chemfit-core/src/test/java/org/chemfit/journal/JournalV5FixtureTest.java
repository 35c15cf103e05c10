package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.fit.FitResult;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.RunRecord;
import org.chemfit.journal.read.TermRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal of schema version 5 whose evaluations are records of the first layout (the fixture
 * {@code journal-v5.sqlite}, written by {@link JournalV5Fixture}: eight evaluations of 40 fast
 * terms, then two attempts cut off by kills) reads as the same evaluations and terms as today's
 * records of the same fit, and resumes to the uninterrupted result bit for bit, replaying every
 * recorded term.
 */
class JournalV5FixtureTest {

    private static final int RECORDED = 8;

    @TempDir
    Path dir;

    /** The uninterrupted fit, journaled by today's code, and the journal it wrote. */
    private record Plain(FitResult result, int runs, List<EvaluationRecord> evaluations, List<TermRecord> terms) {}

    private Plain plain() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        try (JournalReader j = JournalReader.open(dir.resolve("plain"))) {
            FitResult r = JournalV5Fixture.fitter(j, runs, -1).fit("Nelder-Mead");
            long run = j.latestRun().orElseThrow().id();
            return new Plain(r, runs.get(), j.evaluations(run), j.terms(run));
        }
    }

    @Test
    void recordsOfTheFirstLayoutReadAsTodaysRecordsOfTheSameFit() throws Exception {
        Path f = JournalFiles.copyOut(dir, "journal-v5.sqlite");
        assertEquals(List.of(RECORDED), recordsOfLayout(f, 1), "the fixture holds records of the first layout");
        Plain plain = plain();
        assertEquals(0, recordsOfLayout(dir.resolve("plain/journal.sqlite"), 1).get(0), "today's are all of layout 2");
        try (JournalReader j = JournalReader.openReadOnly(f)) {
            RunRecord run = j.latestRun().orElseThrow();
            assertEquals("RUNNING", run.status(), "the fit was killed");
            List<EvaluationRecord> evs = j.evaluations(run.id());
            List<TermRecord> terms = j.terms(run.id());
            assertEquals(
                    RECORDED * FastTermsFitDriver.TERMS,
                    terms.stream().filter(t -> t.evaluationNumber() < RECORDED).count());
            for (int i = 0; i < RECORDED; i++) {
                EvaluationRecord a = plain.evaluations().get(i);
                EvaluationRecord b = evs.get(i);
                assertEquals(EvaluationRecord.State.COMPLETE, b.state());
                assertEquals(Double.doubleToRawLongBits(a.loss()), Double.doubleToRawLongBits(b.loss()), "loss " + i);
                assertEquals(withoutTiming(a.tree()), withoutTiming(b.tree()), "the tree of evaluation " + i);
            }
            for (int i = 0; i < RECORDED * FastTermsFitDriver.TERMS; i++) {
                TermRecord a = plain.terms().get(i);
                TermRecord b = terms.get(i);
                String at = b.evaluationNumber() + "/" + b.path();
                assertEquals(a.evaluationNumber() + "/" + a.path() + " " + a.name(), at + " " + b.name());
                assertEquals(Double.doubleToRawLongBits(a.value()), Double.doubleToRawLongBits(b.value()), at);
                assertEquals(
                        Double.doubleToRawLongBits(a.quantities().get("energy")),
                        Double.doubleToRawLongBits(b.quantities().get("energy")),
                        at);
                assertArrayEquals(a.quantities().array("forces"), b.quantities().array("forces"), at);
                assertEquals(a.worker(), b.worker(), at);
                assertEquals(a.state(), b.state(), at);
                assertFalse(b.started().isAfter(b.ended()), at);
            }
            assertEquals(List.of("ok"), j.integrityCheck());
        }
        assertEquals(5, JournalFiles.userVersion(f), "reading leaves the schema as it was");
    }

    @Test
    void aJournalOfFirstLayoutRecordsResumesToTheUninterruptedResultBitForBit() throws Exception {
        Plain plain = plain();
        Path f = JournalFiles.copyOut(dir, "journal-v5.sqlite");
        int recordedTerms;
        try (JournalReader j = JournalReader.openReadOnly(f)) {
            recordedTerms = j.terms(j.latestRun().orElseThrow().id()).size();
        }
        AtomicInteger runs = new AtomicInteger();
        FitResult resumed;
        try (JournalReader j = JournalReader.open(f)) {
            resumed = JournalV5Fixture.fitter(j, runs, -1).fit("Nelder-Mead");
        }
        assertEquals(JournalSchema.VERSION, JournalFiles.userVersion(f), "opening for writing brings the schema up");
        FitResult uninterrupted = plain.result();
        JournalFiles.assertSameResult(uninterrupted, resumed);
        assertEquals(plain.runs() - recordedTerms, runs.get(), "every recorded term replayed, not run");
        try (JournalReader j = JournalReader.openReadOnly(f)) {
            RunRecord run = j.latestRun().orElseThrow();
            assertEquals("FINISHED", run.status());
            List<TermRecord> terms = j.terms(run.id());
            assertEquals(plain.terms().size(), terms.size(), "every term recorded once");
            for (int i = 0; i < terms.size(); i++) {
                TermRecord a = plain.terms().get(i);
                TermRecord b = terms.get(i);
                assertEquals(a.evaluationNumber() + "/" + a.path(), b.evaluationNumber() + "/" + b.path());
                assertEquals(Double.doubleToRawLongBits(a.value()), Double.doubleToRawLongBits(b.value()), b.path());
            }
            assertEquals(List.of("ok"), j.integrityCheck());
        }
    }

    /** @return the number of records of the given layout, per the first byte after the mark */
    private static List<Integer> recordsOfLayout(Path file, int layout) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT count(*) FROM term_packs WHERE substr(terms_blob, 1, 4) = X'434645"
                                + String.format("%02x", layout) + "'")) {
            rs.next();
            return List.of(rs.getInt(1));
        }
    }

    /** @return the tree without its times, which differ from one fit to the next */
    @SuppressWarnings("unchecked")
    private static Object withoutTiming(Object node) {
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<String, Object>) m).forEach((k, v) -> {
                if (!k.equals("timing")) {
                    out.put(k, withoutTiming(v));
                }
            });
            return out;
        }
        if (node instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(withoutTiming(v)));
            return out;
        }
        return node;
    }
}
