package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.chemfit.Bounds;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.FailurePolicy;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.fit.Optimizer;
import org.chemfit.fit.Problem;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal names the same best evaluation as the Fitter (a point with a skipped term only when
 * no clean point exists, a NaN loss never), in a journal written today and in one of schema version
 * 3, which had no column saying whether a term failed: read as it is, the statuses of its trees
 * say so; opened for writing, it is migrated and the column is filled from them.
 */
class JournalBestPointTest {

    @TempDir
    Path dir;

    /**
     * The points evaluated after the start (x = 1.0, clean, loss 2.0): term "b" fails above
     * x = 1.3 and is skipped, so those points score only term "a" and look better; term "a" is NaN
     * above x = 2.5.
     */
    static final double[] POINTS = {1.2, 2.0, 2.6, 1.3, 1.9};

    /** Evaluation number to whether a term of it failed: 0 (1.0), 1 (1.2) and 4 (1.3) are clean. */
    static final List<Boolean> DEGRADED = List.of(false, false, true, true, false, true);

    /** Asks for {@link #POINTS}, one at a time, then stops. */
    static final class FixedPoints implements Optimizer {
        @Override
        public String name() {
            return "fixed-points";
        }

        @Override
        public Run start(Problem p) {
            return new Run() {
                int next;

                @Override
                public List<double[]> ask() {
                    return next < POINTS.length ? List.of(new double[] {POINTS[next++]}) : List.of();
                }

                @Override
                public void tell(List<double[]> points, double[] values) {
                    // the points are fixed
                }

                @Override
                public String stopReason() {
                    return "CONVERGED";
                }

                @Override
                public void close() {
                    // holds nothing
                }
            };
        }
    }

    private static ObjectiveFunction term(String name) {
        QuantityComputer qc = new QuantityComputer() {
            @Override
            public Quantities compute(Parameters p) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Quantities compute(Parameters p, EvaluationContext ctx) {
                double x = p.get("x");
                if (name.equals("b") && x > 1.3) {
                    throw new IllegalStateException("b fails at x = " + x);
                }
                double e = name.equals("a") && x > 2.5 ? Double.NaN : (x - 2) * (x - 2);
                return Quantities.builder().put("e", e).build();
            }
        };
        return qc.withLoss(q -> q.get("e"));
    }

    static FitResult fit(Path folder) {
        CombinedObjectiveFunction ob = new CombinedObjectiveFunction(List.of(term("a"), term("b")), List.of(1.0, 1.0))
                .withTermNames(List.of("a", "b"))
                .withFailurePolicy(FailurePolicy.skip());
        try (Journal j = Journal.open(folder)) {
            return new Fitter(ob, Map.of("x", 1.0))
                    .bounds(Bounds.of(Map.of("x", List.of(0.0, 3.0))))
                    .journal(j)
                    .fit(new FixedPoints());
        }
    }

    private static List<Boolean> degradedColumn(Path file) throws Exception {
        List<Boolean> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT degraded FROM evaluations ORDER BY number")) {
            while (rs.next()) {
                out.add(rs.getInt(1) == 1);
            }
        }
        return out;
    }

    private static void assertBestIsTheCleanPoint(JournalReader j, FitResult r) {
        long run = j.latestRun().orElseThrow().id();
        List<EvaluationRecord> evs = j.evaluations(run);
        assertEquals(6, evs.size());
        List<Boolean> degraded = evs.stream().map(EvaluationRecord::degraded).toList();
        assertEquals(DEGRADED, degraded);
        assertTrue(Double.isNaN(evs.get(3).loss()), "x = 2.6 gave NaN");
        assertEquals(0.0, evs.get(2).loss(), 0.0, "x = 2.0 scores 0 with b skipped");
        EvaluationRecord best = j.best(run).orElseThrow();
        assertEquals(4, best.number(), "x = 1.3, the clean point of lowest loss");
        assertEquals(1.3, best.parameters().get("x"), 0.0);
        assertEquals(2 * 0.7 * 0.7, best.loss(), 1e-12);
        assertFalse(best.degraded());
        assertEquals(r.bestLoss(), best.loss(), 0.0, "the journal and the Fitter agree");
        assertEquals(r.bestParameters().get("x"), best.parameters().get("x"), 0.0);
    }

    @Test
    void theJournalsBestIsTheFittersNotTheLowestToldLoss() throws Exception {
        FitResult r = fit(dir);
        assertEquals(1.3, r.bestParameters().get("x"), 0.0);
        Path file = dir.resolve(Journal.DEFAULT_FILE_NAME);
        assertEquals(DEGRADED, degradedColumn(file), "written with each evaluation");
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            assertBestIsTheCleanPoint(j, r);
        }
    }

    @Test
    void aSchemaThreeJournalReadsItsDegradedPointsFromTheTreesAndIsMigrated() throws Exception {
        FitResult r = fit(dir);
        Path file = dir.resolve(Journal.DEFAULT_FILE_NAME);
        // what schema 3 wrote: the same tables without evaluations.degraded, and every tree as JSON
        java.util.List<String> trees = new java.util.ArrayList<>();
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            j.evaluations(j.latestRun().orElseThrow().id()).forEach(e -> trees.add(e.treeJson()));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            try (java.sql.PreparedStatement p = c.prepareStatement(
                    "UPDATE evaluations SET tree_json = ?, tree_terms_apart = NULL WHERE number = ?")) {
                for (int i = 0; i < trees.size(); i++) {
                    p.setString(1, trees.get(i));
                    p.setInt(2, i);
                    p.executeUpdate();
                }
            }
            s.execute("DELETE FROM term_packs WHERE substr(terms_blob, 1, 3) = X'434645'");
            s.execute("ALTER TABLE evaluations DROP COLUMN degraded");
            s.execute("ALTER TABLE attempts DROP COLUMN diverged_at");
            s.execute("PRAGMA user_version = 3");
        }
        try (JournalReader j = JournalReader.openReadOnly(file)) {
            assertBestIsTheCleanPoint(j, r);
        }
        assertEquals(3, JournalFiles.userVersion(file), "reading leaves the schema as it was");

        try (JournalReader j = JournalReader.open(file)) {
            assertBestIsTheCleanPoint(j, r);
        }
        assertEquals(JournalSchema.VERSION, JournalFiles.userVersion(file));
        assertEquals(7, JournalSchema.VERSION);
        assertEquals(DEGRADED, degradedColumn(file), "the migration filled the column from the trees");
    }
}
