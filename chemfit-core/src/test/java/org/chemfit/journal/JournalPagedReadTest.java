package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.TermRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader following a fit reads the journal page by page (the dashboard does, four times a
 * second): each page decodes the records it returns, not every record after it, nor those of
 * the whole run. The work is counted in terms decoded, whatever the machine's speed.
 */
class JournalPagedReadTest {

    /** Leaf terms per evaluation, all in-process: each evaluation's terms are one record. */
    private static final int TERMS = 25;

    /** The budget (Nelder-Mead may converge before it is spent). */
    private static final int EVALUATIONS = 60;

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
                double x = p.get("x");
                return Quantities.builder()
                        .put("e", (x - 0.01 * i) * (x - 0.01 * i))
                        .put("curve", new double[] {x, i, x * i})
                        .build();
            }
        };
        return qc.withLoss(q -> q.get("e"));
    }

    private long write() {
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int i = 0; i < TERMS; i++) {
            terms.add(term(i));
        }
        try (JournalReader j = JournalReader.open(dir)) {
            new Fitter(new CombinedObjectiveFunction(terms), Map.of("x", 0.7))
                    .seed(3)
                    .maxEvaluations(EVALUATIONS)
                    .journal(j)
                    .fit("Nelder-Mead");
            return j.latestRun().orElseThrow().id();
        }
    }

    @Test
    void aPageOfTermsDecodesTheRecordsItNeedsWhereverItStarts() {
        long run = write();
        try (SqliteJournal j = (SqliteJournal) JournalReader.openReadOnly(dir)) {
            List<TermRecord> all = j.terms(run);
            int evaluations = j.evaluations(run).size();
            assertTrue(evaluations >= 40, "evaluations: " + evaluations);
            assertEquals(evaluations * TERMS, all.size());
            List<Long> perPage = new ArrayList<>();
            long after = 0;
            List<TermRecord> read = new ArrayList<>();
            while (true) {
                long before = j.termsDecoded();
                List<TermRecord> page = j.termOutcomes(run, after, TERMS);
                perPage.add(j.termsDecoded() - before);
                if (page.isEmpty()) {
                    break;
                }
                read.addAll(page);
                after = page.get(page.size() - 1).id();
            }
            // the same terms as the whole read, without their quantities
            assertEquals(all.size(), read.size());
            // every page's values are bound, none written into its text: reading the pages again, and
            // the evaluations page by page, keeps no more statements than one read of them did
            int kept = j.queries.statementsKept();
            for (long from = 0; ; ) {
                List<TermRecord> page = j.termOutcomes(run, from, TERMS);
                if (page.isEmpty()) {
                    break;
                }
                from = page.get(page.size() - 1).id();
            }
            for (int n = 0; n < evaluations; n += 7) {
                j.evaluationRows(run, n, 7);
                j.evaluations(run, n, 7);
            }
            int afterOnePass = j.queries.statementsKept();
            for (int n = 3; n < evaluations; n += 5) {
                j.evaluationRows(run, n, 5);
                j.evaluations(run, n, 5);
                j.termOutcomes(run, all.get(n).id(), 3);
            }
            assertEquals(afterOnePass, j.queries.statementsKept(), "statements kept before: " + kept);
            for (int i = 0; i < all.size(); i++) {
                TermRecord a = all.get(i);
                TermRecord b = read.get(i);
                assertEquals(a.id(), b.id());
                assertEquals(a.evaluationNumber(), b.evaluationNumber());
                assertEquals(a.path(), b.path());
                assertEquals(a.name(), b.name());
                assertEquals(a.state(), b.state());
                assertEquals(Double.doubleToRawLongBits(a.value()), Double.doubleToRawLongBits(b.value()));
                assertEquals(a.seconds(), b.seconds());
                assertTrue(b.quantities().isEmpty());
                assertTrue(!a.quantities().isEmpty());
            }
            // a page of TERMS terms takes one or two records, the first page as the last: the
            // work does not grow with what the journal holds after the page
            for (long n : perPage) {
                assertTrue(n <= 2 * TERMS, "terms decoded per page: " + perPage);
            }
            // and a page of the terms of a record that is not the first one starts there
            long before = j.termsDecoded();
            List<TermRecord> middle =
                    j.termOutcomes(run, all.get(TERMS * 30 - 1).id(), 1);
            assertEquals(
                    List.of(all.get(TERMS * 30).id()),
                    middle.stream().map(TermRecord::id).toList());
            assertTrue(j.termsDecoded() - before <= TERMS);
            // the terms of one evaluation, without quantities: its record alone
            before = j.termsDecoded();
            assertEquals(TERMS, j.termOutcomes(run, 17).size());
            assertEquals(TERMS, j.termsDecoded() - before);
        }
    }

    @Test
    void aPageOfEvaluationsReadsTheTreesOfItsOwnEvaluationsOnly() {
        long run = write();
        try (SqliteJournal j = (SqliteJournal) JournalReader.openReadOnly(dir)) {
            List<EvaluationRecord> all = j.evaluations(run);
            int evaluations = all.size();
            assertTrue(evaluations >= 40, "evaluations: " + evaluations);
            // rows: no record decoded
            long before = j.termsDecoded();
            List<EvaluationRecord> rows = j.evaluationRows(run, 0, evaluations);
            assertEquals(0, j.termsDecoded() - before);
            assertEquals(evaluations, rows.size());
            for (int i = 0; i < evaluations; i++) {
                assertEquals(all.get(i).number(), rows.get(i).number());
                assertEquals(all.get(i).state(), rows.get(i).state());
                assertEquals(
                        Double.doubleToRawLongBits(all.get(i).loss()),
                        Double.doubleToRawLongBits(rows.get(i).loss()));
                assertEquals(all.get(i).parameters(), rows.get(i).parameters());
                assertEquals(all.get(i).degraded(), rows.get(i).degraded());
                assertTrue(rows.get(i).tree().isEmpty());
            }
            // a page of ten whole records, at the start or near the end of the run: its own trees
            for (int from : new int[] {0, evaluations - 12}) {
                before = j.termsDecoded();
                List<EvaluationRecord> page = j.evaluations(run, from, 10);
                long decoded = j.termsDecoded() - before;
                assertTrue(decoded <= 2 * 10 * TERMS, "terms decoded for a page of 10: " + decoded);
                for (EvaluationRecord e : page) {
                    assertEquals(all.get(e.number()).treeJson(), e.treeJson());
                }
            }
        }
    }

    /**
     * With the terms of improving evaluations only, most records hold no term, and a slow term's
     * row comes between them: a page still holds every term, in id order, whatever its size.
     */
    @Test
    void pagesOfAJournalOfLeftOutTermsAndSlowRowsHoldEveryTermOnce() {
        List<ObjectiveFunction> terms = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        QuantityComputer slow = new QuantityComputer() {
            @Override
            public Quantities compute(Parameters p) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Quantities compute(Parameters p, EvaluationContext ctx) {
                // in one evaluation of eight, a term that runs for more than a millisecond: a row of
                // its own, committed at once, far apart in ids
                if (calls.getAndIncrement() % 8 == 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(3_000_000);
                }
                return Quantities.builder().put("e", p.get("x") * p.get("x")).build();
            }
        };
        // first: its row is committed as it finishes, and the fast terms after it end the
        // evaluation well within a millisecond, so that its record can leave them out
        terms.add(slow.withLoss(q -> q.get("e")));
        for (int i = 0; i < TERMS; i++) {
            terms.add(term(i));
        }
        long run;
        try (JournalReader j = JournalReader.open(dir)) {
            j.termsOfImprovingEvaluationsOnly();
            new Fitter(new CombinedObjectiveFunction(terms), Map.of("x", 0.7))
                    .seed(3)
                    .maxEvaluations(EVALUATIONS)
                    .journal(j)
                    .fit("Nelder-Mead");
            run = j.latestRun().orElseThrow().id();
        }
        try (JournalReader j = JournalReader.openReadOnly(dir)) {
            List<TermRecord> all = j.terms(run);
            int evaluations = j.evaluations(run).size();
            long rows = all.stream().filter(t -> t.path().equals("0")).count();
            assertTrue(rows >= evaluations / 8 && rows < evaluations, "the slow term's rows: " + rows);
            assertTrue(all.size() < evaluations * (TERMS + 1), "terms were left out: " + all.size());
            for (int limit : new int[] {1, 3, 7, 50}) {
                List<Long> paged = new ArrayList<>();
                long after = 0;
                while (true) {
                    List<TermRecord> page = j.terms(run, after, limit);
                    if (page.isEmpty()) {
                        break;
                    }
                    assertTrue(page.size() <= limit);
                    page.forEach(t -> paged.add(t.id()));
                    after = page.get(page.size() - 1).id();
                }
                assertEquals(all.stream().map(TermRecord::id).toList(), paged, "pages of " + limit);
            }
        }
    }
}
