package org.chemfit.dashboard;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
import org.chemfit.journal.Journal;

/** Writes real journals by running real (in-process, cheap) fits into them. */
final class Journals {

    private Journals() {}

    /**
     * Fits two in-process terms by a random search (which spends its whole budget) into the folder's
     * journal; term "wall" fails whenever x is above 1.5 (a penalty then stands in for it).
     */
    static FitResult fit(Path dir, int evaluations) {
        try (Journal j = Journal.open(dir)) {
            return fitter(evaluations).journal(j).fit(new RandomSearch());
        }
    }

    /**
     * A method that never converges (points drawn at random, then ever closer to the best), so
     * that a fit spends its whole budget and a journal of any length can be written.
     */
    static final class RandomSearch implements Optimizer {
        @Override
        public String name() {
            return "random-search";
        }

        @Override
        public Run start(Problem p) {
            Random rnd = new Random(p.seed());
            return new Run() {
                double[] best = p.start().clone();
                double bestValue = Double.POSITIVE_INFINITY;
                int told;

                @Override
                public List<double[]> ask() {
                    double[] x = new double[best.length];
                    double scale = 1.0 / Math.sqrt(1 + told / 50.0);
                    for (int i = 0; i < x.length; i++) {
                        double span = p.upper()[i] - p.lower()[i];
                        x[i] = Math.max(
                                p.lower()[i],
                                Math.min(p.upper()[i], best[i] + scale * span * (rnd.nextDouble() - 0.5)));
                    }
                    return List.of(x);
                }

                @Override
                public void tell(List<double[]> points, double[] values) {
                    for (int i = 0; i < values.length; i++) {
                        told++;
                        if (values[i] < bestValue) {
                            bestValue = values[i];
                            best = points.get(i).clone();
                        }
                    }
                }

                @Override
                public String stopReason() {
                    return "MAX_EVALUATIONS";
                }

                @Override
                public void close() {
                    // holds nothing
                }
            };
        }
    }

    /**
     * Run in a JVM of its own by a test that kills it: fits into the folder's journal, and its
     * fourth evaluation never ends, so the run stays RUNNING until the process is killed.
     *
     * @param args the folder
     */
    public static void main(String[] args) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        CombinedObjectiveFunction ob = new CombinedObjectiveFunction(List.of(p -> {
                    if (n.incrementAndGet() == 4) {
                        try {
                            Thread.sleep(Long.MAX_VALUE); // the evaluation the kill cuts short
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return p.get("x") * p.get("x");
                }))
                .withTermNames(List.of("bowl"));
        try (Journal j = Journal.open(Path.of(args[0]))) {
            new Fitter(ob, Map.of("x", 0.3))
                    .bounds(Bounds.of(Map.of("x", List.of(-2.0, 2.0))))
                    .maxEvaluations(20)
                    .journal(j)
                    .fit(new RandomSearch());
        }
    }

    static Fitter fitter(int evaluations) {
        CombinedObjectiveFunction ob = new CombinedObjectiveFunction(
                        List.of(term("bowl", false), term("wall", true)), List.of(1.0, 0.5))
                .withTermNames(List.of("bowl", "wall"))
                .withFailurePolicy(FailurePolicy.penalty(50.0));
        return new Fitter(ob, Map.of("x", 0.3, "y", 1.1))
                .bounds(Bounds.of(Map.of("x", List.of(-2.0, 2.0), "y", List.of(-3.0, 3.0))))
                .seed(7)
                .maxEvaluations(evaluations);
    }

    private static ObjectiveFunction term(String name, boolean fails) {
        QuantityComputer qc = new QuantityComputer() {
            @Override
            public Quantities compute(Parameters p) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Quantities compute(Parameters p, EvaluationContext ctx) {
                double x = p.get("x");
                double y = p.get("y");
                if (fails && x > 1.5) {
                    throw new IllegalStateException(name + ": x = " + x + " is beyond the wall");
                }
                return Quantities.builder()
                        .put("e", (x - 1) * (x - 1) + 0.5 * (y + 0.5) * (y + 0.5) + 1e-3)
                        .build();
            }
        };
        return qc.withLoss(q -> q.get("e"));
    }
}
