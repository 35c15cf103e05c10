package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
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
 * A journal written by ChemFit 0.1 (schema version 1: quantities as JSON text, every term's
 * quantities repeated in the evaluation's tree), cut off by a kill, still reads and resumes: the
 * fixture {@code journal-v1.sqlite} was written by {@link LegacyJournalFixture}.
 */
class JournalMigrationTest {

    @TempDir
    Path dir;

    private Path fixture() throws Exception {
        return JournalFiles.copyOut(dir, "journal-v1.sqlite");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSchemaOneJournalReadsAsItIsWithoutBeingChanged() throws Exception {
        Path f = fixture();
        try (JournalReader j = JournalReader.openReadOnly(f)) {
            RunRecord run = j.latestRun().orElseThrow();
            assertEquals("RUNNING", run.status(), "the fit was killed");
            List<EvaluationRecord> evs = j.evaluations(run.id());
            assertEquals(13, evs.size());
            assertEquals(EvaluationRecord.State.RUNNING, evs.get(12).state());
            List<TermRecord> terms = j.terms(run.id());
            assertEquals(12 * 3 + 1, terms.size());
            TermRecord t = terms.get(4);
            assertEquals("b", t.name());
            double[] curve = t.quantities().array("curve");
            assertEquals(4, curve.length);
            assertTrue(Double.isNaN(curve[2]));
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(curve[3]));
            assertEquals("t1", t.quantities().label("tag"));
            Map<String, Object> leaf =
                    (Map<String, Object>) ((List<?>) evs.get(1).tree().get("terms")).get(1);
            assertEquals("t1", ((Map<?, ?>) leaf.get("quantities")).get("tag"));
        }
        assertEquals(1, JournalFiles.userVersion(f), "reading leaves the schema as it was");
    }

    @Test
    void aKilledSchemaOneJournalResumesToTheUninterruptedResultBitForBit() throws Exception {
        AtomicInteger plainRuns = new AtomicInteger();
        FitResult uninterrupted = LegacyJournalFixture.fitter(LegacyJournalFixture.objective(plainRuns, -1), null)
                .fit("Nelder-Mead");
        Path f = fixture();
        AtomicInteger runs = new AtomicInteger();
        FitResult resumed;
        try (JournalReader j = JournalReader.open(f)) {
            resumed = LegacyJournalFixture.fitter(LegacyJournalFixture.objective(runs, -1), j)
                    .fit("Nelder-Mead");
        }
        assertEquals(
                JournalSchema.VERSION,
                JournalFiles.userVersion(f),
                "opening for writing brings the schema to today's version");
        JournalFiles.assertSameResult(uninterrupted, resumed);
        // 12 evaluations and one term of the 13th were recorded before the kill: replayed, not run
        assertEquals(plainRuns.get() - (12 * 3 + 1), runs.get());

        try (JournalReader j = JournalReader.openReadOnly(f)) {
            assertEquals(List.of("ok"), j.integrityCheck());
            RunRecord run = j.latestRun().orElseThrow();
            assertEquals("FINISHED", run.status());
            assertEquals(2, run.attempts());
            List<EvaluationRecord> evs = j.evaluations(run.id());
            assertEquals(uninterrupted.evaluations(), evs.size());
            assertTrue(evs.stream().allMatch(e -> e.state() == EvaluationRecord.State.COMPLETE));
            List<TermRecord> terms = j.terms(run.id());
            assertEquals(3 * uninterrupted.evaluations(), terms.size(), "every term recorded once");
            assertEquals(37, terms.stream().filter(t -> t.attempt() == 1).count());
            // a term of each schema reads the same way
            for (TermRecord t : List.of(terms.get(1), terms.get(terms.size() - 2))) {
                double[] curve = t.quantities().array("curve");
                assertTrue(Double.isNaN(curve[2]), t.toString());
                assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(curve[3]));
                assertEquals("t1", t.quantities().label("tag"));
            }
            // the tree of an evaluation of each schema holds its terms' quantities, in the same form
            Map<String, Object> oldTree = evs.get(1).tree();
            Map<String, Object> newTree = evs.get(evs.size() - 1).tree();
            // read one at a time (one query per evaluation) or all at once (one query per run): the same tree
            assertEquals(
                    evs.get(evs.size() - 1).treeJson(),
                    j.evaluations(run.id(), evs.size() - 1, 1).get(0).treeJson());
            for (Map<String, Object> tree : List.of(oldTree, newTree)) {
                List<?> leaves = (List<?>) tree.get("terms");
                assertEquals(3, leaves.size());
                Map<?, ?> leaf = (Map<?, ?>) leaves.get(2);
                assertEquals(
                        List.of(
                                "name",
                                "index",
                                "status",
                                "value",
                                "weight",
                                "contribution",
                                "quantities",
                                "metadata",
                                "timing"),
                        List.copyOf(leaf.keySet()));
                assertEquals("t2", ((Map<?, ?>) leaf.get("quantities")).get("tag"));
                assertEquals(List.of("e", "curve", "tag"), List.copyOf(((Map<?, ?>) leaf.get("quantities")).keySet()));
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), count(quantities_json), count(quantities_blob),"
                        + " (SELECT sum(last_id - first_id + 1) FROM term_packs) FROM terms")) {
            assertEquals(3 * uninterrupted.evaluations(), rs.getInt(1) + rs.getInt(4), "rows and packed terms");
            assertEquals(37, rs.getInt(2), "the rows of schema 1 keep their JSON");
            assertEquals(rs.getInt(1) - 37, rs.getInt(3), "new rows are binary");
            // packing is timing-dependent by design: a term that a loaded machine stretches past the
            // writer's millisecond, or that misses its evaluation's commit, is written as a row of its own
            assertTrue(rs.getInt(4) >= 3, "the terms of new evaluations are packed (" + rs.getInt(4) + " packed)");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT tree_json, tree_terms_apart FROM evaluations ORDER BY number DESC LIMIT 1")) {
            // the tree of a new evaluation is in its binary record (2), or JSON without the
            // quantities of the terms recorded apart (1): never the terms' quantities twice
            int where = rs.getInt(2);
            assertTrue(where == 1 || where == 2, "tree_terms_apart " + where);
            assertTrue(
                    where == 2 ? rs.getString(1) == null : !rs.getString(1).contains("\"curve\""),
                    "the stored tree leaves the terms' quantities to the terms table or its record");
        }
    }
}
