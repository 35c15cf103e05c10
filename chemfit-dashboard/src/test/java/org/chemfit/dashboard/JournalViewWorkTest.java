package org.chemfit.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.chemfit.fit.Fitter;
import org.chemfit.fit.Optimizer;
import org.chemfit.fit.Problem;
import org.chemfit.journal.Journal;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.TermRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The work of a refresh is what is new in the journal, whatever it holds already: each
 * evaluation of a fit with many leaf terms is read once, its terms once (and once more when it
 * becomes the best), and one refresh reads at most a few batches. Counted in records read, not
 * in time.
 */
class JournalViewWorkTest {

    /** Leaf terms per evaluation: one record of the journal each. */
    private static final int TERMS = 12;

    private static final int EVALUATIONS = 80;

    @TempDir
    Path dir;

    private static ObjectiveFunction term(int i) {
        QuantityComputer qc = new QuantityComputer() {
            @Override
            public Quantities compute(Parameters p) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Quantities compute(Parameters p, EvaluationContext ctx) {
                double x = p.get("x") - 0.1 * i;
                double y = p.get("y");
                return Quantities.builder()
                        .put("e", x * x + y * y + i)
                        .put("curve", new double[] {x, y, i})
                        .build();
            }
        };
        return qc.withLoss(q -> q.get("e"));
    }

    private static Fitter fitter() {
        List<ObjectiveFunction> terms = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < TERMS; i++) {
            terms.add(term(i));
            names.add("t" + i);
        }
        return new Fitter(new CombinedObjectiveFunction(terms).withTermNames(names), Map.of("x", 0.3, "y", 1.1))
                .bounds(org.chemfit.Bounds.of(Map.of("x", List.of(-2.0, 2.0), "y", List.of(-3.0, 3.0))))
                .seed(5)
                .maxEvaluations(EVALUATIONS);
    }

    /** A random search that calls back after each evaluation is told (and so recorded). */
    private static final class Watched implements Optimizer {
        private final Runnable afterEach;

        Watched(Runnable afterEach) {
            this.afterEach = afterEach;
        }

        @Override
        public String name() {
            return "random-search";
        }

        @Override
        public Run start(Problem p) {
            Run r = new Journals.RandomSearch().start(p);
            return new Run() {
                @Override
                public List<double[]> ask() {
                    return r.ask();
                }

                @Override
                public void tell(List<double[]> points, double[] values) {
                    r.tell(points, values);
                    afterEach.run();
                }

                @Override
                public String stopReason() {
                    return r.stopReason();
                }

                @Override
                public void close() {
                    r.close();
                }
            };
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void eachRefreshWhileAFitRunsReadsTheNewEvaluationsNotTheJournal() {
        List<long[]> work = new ArrayList<>();
        try (JournalView v = new JournalView(dir, 7)) {
            try (Journal j = Journal.open(dir)) {
                fitter().journal(j).fit(new Watched(() -> {
                    long before = v.recordsRead();
                    int finished = finished(v);
                    v.refreshAll();
                    work.add(new long[] {v.recordsRead() - before, finished(v) - finished});
                }));
            }
            // told after each evaluation but the start point (which the Fitter runs itself); the
            // journal commits its records in groups, so that a refresh sees none, one or a few new
            assertTrue(work.size() >= EVALUATIONS - 1, "refreshes: " + work.size());
            long total = 0;
            long finished = 0;
            for (int i = 0; i < work.size(); i++) {
                total += work.get(i)[0];
                finished += work.get(i)[1];
                // so far: each evaluation's row and its terms, and its terms again when it became
                // the best; an evaluation running read again; the terms of one whose row the
                // next refresh reads (committed between the two reads): never any read twice more
                assertTrue(
                        total <= (finished + 1) * (1 + 2 * TERMS) + 2L * (i + 1),
                        "records read by refresh " + i + ": " + total + " for " + finished + " evaluations");
            }

            // and what was read, with the last records committed as the journal closed, is the whole run's
            v.refreshAll();
            Map<String, Object> s = v.summary();
            assertEquals(EVALUATIONS, ((Map<String, Object>) s.get("counts")).get("complete"));
            int best = (Integer) s.get("best_evaluation");
            Map<String, Double> atBest = new HashMap<>();
            try (JournalReader r = JournalReader.openReadOnly(dir)) {
                for (TermRecord t : r.terms(r.latestRun().orElseThrow().id(), best)) {
                    atBest.put(t.name(), t.value());
                }
            }
            List<Object> terms = (List<Object>) s.get("terms");
            assertEquals(TERMS, terms.size());
            for (Object o : terms) {
                Map<String, Object> t = (Map<String, Object>) o;
                assertEquals(EVALUATIONS, t.get("runs"), t.toString());
                assertEquals(atBest.get((String) t.get("name")), (Double) t.get("at_best"), 0.0, t.toString());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static int finished(JournalView v) {
        Map<String, Object> counts = (Map<String, Object>) v.summary().get("counts");
        return counts == null
                ? 0
                : (Integer) counts.getOrDefault("complete", 0) + (Integer) counts.getOrDefault("failed", 0);
    }

    @Test
    void oneRefreshOfALongJournalReadsAFewBatchesAndCloseStopsTheReading() {
        try (Journal j = Journal.open(dir)) {
            fitter().journal(j).fit(new Journals.RandomSearch());
        }
        int batch = 5;
        JournalView v = new JournalView(dir, batch);
        try {
            assertTrue(v.refresh());
            // two pages of evaluations, four of terms, and the terms of the best so far
            long first = v.recordsRead();
            assertTrue(first <= 2 * batch + 4 * batch + TERMS, "records read by one refresh: " + first);
            assertTrue(v.behind());
            v.refresh();
            assertTrue(v.recordsRead() - first <= 2 * batch + 4 * batch + TERMS);
            v.close();
            long read = v.recordsRead();
            assertFalse(v.refresh(), "a closed view reads nothing");
            v.refreshAll();
            assertEquals(read, v.recordsRead());
        } finally {
            v.close();
        }
        try (JournalView w = new JournalView(dir, batch)) {
            w.refreshAll();
            assertFalse(w.behind());
            // every evaluation and term once, and the terms of each best point on the way
            long all = EVALUATIONS + (long) EVALUATIONS * TERMS;
            assertTrue(w.recordsRead() >= all);
            assertTrue(w.recordsRead() <= 2 * all, "records read for the whole journal: " + w.recordsRead());
        }
    }

    /**
     * What the view keeps of the term records it read grows with the failures, not with the runs that
     * completed: a tally per leaf term, an entry per failed run and the terms of the best evaluation. Read
     * in small batches, a fit of 400 evaluations of two terms (800 runs, "wall" failing where x is above 1.5)
     * is kept, after every refresh, in that many entries.
     */
    @Test
    @SuppressWarnings("unchecked")
    void whatTheViewKeepsOfTheTermsGrowsWithTheirFailuresNotWithTheirCompletedRuns() {
        Journals.fit(dir, 400);
        try (JournalView v = new JournalView(dir, 7)) {
            int refreshes = 0;
            do {
                v.refresh();
                refreshes++;
                Map<String, Object> s = v.summary();
                int failed = 0;
                int atBest = 0;
                for (Object o : (List<Object>) s.get("terms")) {
                    Map<String, Object> t = (Map<String, Object>) o;
                    failed += (Integer) t.get("failed");
                    atBest += t.get("at_best") == null ? 0 : 1;
                }
                assertEquals(failed, s.get("failure_count"), "no failure was resolved");
                int tallies = ((List<Object>) s.get("terms")).size();
                assertEquals(tallies + failed + atBest, v.termEntriesKept(), "after refresh " + refreshes);
            } while (v.behind());
            assertTrue(refreshes > 10, "read in " + refreshes + " refreshes");
            Map<String, Object> s = v.summary();
            List<Object> terms = (List<Object>) s.get("terms");
            int runs = 0;
            int failed = 0;
            for (Object o : terms) {
                runs += (Integer) ((Map<String, Object>) o).get("runs");
                failed += (Integer) ((Map<String, Object>) o).get("failed");
            }
            assertEquals(800, runs);
            // the best evaluation is a clean one: both its terms completed
            assertEquals(2 + failed + 2, v.termEntriesKept(), failed + " failed of " + runs + " runs");
            // the runs that completed are many times what is kept
            assertTrue(failed > 0 && runs - failed > 4 * v.termEntriesKept(), failed + " failed of " + runs);
            // each failure listed (fewer than the page's 200), in the order read
            List<Object> listed = (List<Object>) s.get("failures");
            assertEquals(failed, listed.size());
            for (int i = 0; i < failed; i++) {
                assertEquals(i, ((Map<String, Object>) listed.get(i)).get("index"));
            }
            assertEquals(failed, v.listedFailures().length);
            assertEquals(failed - 1, v.listedFailures()[failed - 1]);
        }
    }
}
