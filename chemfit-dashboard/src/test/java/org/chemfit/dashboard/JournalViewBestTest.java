package org.chemfit.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
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
import org.chemfit.journal.Journal;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard (and report.html, drawn from the same summary) names the Fitter's best point: a
 * point where term "wall" failed and was skipped scores only term "bowl" and looks far better,
 * but it is not the best while a point without a failed term exists.
 */
class JournalViewBestTest {

    @TempDir
    Path dir;

    private static ObjectiveFunction term(String name, boolean wall) {
        QuantityComputer qc = new QuantityComputer() {
            @Override
            public Quantities compute(Parameters p) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Quantities compute(Parameters p, EvaluationContext ctx) {
                double x = p.get("x");
                double y = p.get("y");
                if (wall && x > 1.3) {
                    throw new IllegalStateException(name + ": x = " + x + " is beyond the wall");
                }
                return Quantities.builder().put("e", (x - 2) * (x - 2) + y * y).build();
            }
        };
        return qc.withLoss(q -> q.get("e"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSummaryAndTheBestSoFarCurveNameTheBestPointWithoutAFailedTerm() throws Exception {
        CombinedObjectiveFunction ob = new CombinedObjectiveFunction(
                        List.of(term("bowl", false), term("wall", true)), List.of(1.0, 1.0))
                .withTermNames(List.of("bowl", "wall"))
                .withFailurePolicy(FailurePolicy.skip());
        FitResult r;
        try (Journal j = Journal.open(dir)) {
            r = new Fitter(ob, Map.of("x", 0.5, "y", 0.5))
                    .bounds(Bounds.of(Map.of("x", List.of(0.0, 3.0), "y", List.of(-1.0, 1.0))))
                    .seed(7)
                    .maxEvaluations(300)
                    .journal(j)
                    .fit(new Journals.RandomSearch());
        }
        try (JournalReader j = JournalReader.openReadOnly(dir);
                JournalView v = new JournalView(dir)) {
            long run = j.latestRun().orElseThrow().id();
            List<EvaluationRecord> evs = j.evaluations(run);
            double lowestDegraded = evs.stream()
                    .filter(EvaluationRecord::degraded)
                    .mapToDouble(EvaluationRecord::loss)
                    .min()
                    .orElseThrow();
            EvaluationRecord clean = evs.stream()
                    .filter(e -> !e.degraded())
                    .min((a, b) -> Double.compare(a.loss(), b.loss()))
                    .orElseThrow();
            assertTrue(lowestDegraded < clean.loss() / 10, lowestDegraded + " vs " + clean.loss());
            assertEquals(r.bestLoss(), clean.loss(), 0.0, "the Fitter's best has no failed term");
            assertTrue(clean.parameters().get("x") <= 1.3);

            assertTrue(v.refresh());
            Map<String, Object> s = v.summary();
            assertEquals(clean.number(), s.get("best_evaluation"));
            assertEquals(clean.loss(), (Double) s.get("best_loss"), 0.0);
            assertEquals(clean.number(), j.best(run).orElseThrow().number());
            Map<String, Object> h = (Map<String, Object>) s.get("history");
            Object[] best = (Object[]) h.get("best");
            assertEquals(clean.loss(), (Double) best[best.length - 1], 0.0, "the best-so-far curve ends at it");
            for (Object b : best) {
                assertTrue(b == null || (Double) b >= clean.loss(), "never below the best: " + b);
            }
            for (Object p : (List<Object>) s.get("parameters")) {
                Map<String, Object> m = (Map<String, Object>) p;
                assertEquals(clean.parameters().get((String) m.get("name")), (Double) m.get("best"), 0.0, m.toString());
            }
        }
    }
}
