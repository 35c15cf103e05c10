package org.chemfit.testfixtures;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
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

/**
 * A fit whose path depends on whether a term failed: one parameter x, terms "a" and "b" each
 * (x - 2)^2, under {@code on_failure: penalty} (1000). Term "b" fails at x = 1.2 while
 * {@link #failing} is set. The optimizer starts at x = 1.0 (evaluation 0), asks x = 1.2
 * (evaluation 1), then follows path A ({@link #PATH_A}) when evaluation 1 was told a penalised loss
 * (at least 1000), else path B ({@link #pathB}, {@link #PATH_B} unless set).
 *
 * <p>The first attempt ({@code failing}, {@code crashAt} 2.3) is cut off at evaluation 6 (x = 2.3)
 * with evaluations 0 to 5 complete, its best evaluation 4 (x = 2.1, loss 2 * 0.01). Resumed without
 * the failure, evaluation 1 runs "b" again and gives 2 * 0.64 = 1.28 instead of 1000.64, so from
 * evaluation 2 the fit follows path B: evaluations 2, 3, 4 at x = 1.5, 1.6, 1.7, its best
 * evaluation 4 (loss 2 * 0.09), and the first attempt's evaluations 5 and 6 belong to no path the
 * fit follows.
 */
public final class DivergingFit {

    /** The points after x = 1.2 when evaluation 1 was penalised. */
    public static final double[] PATH_A = {2.5, 2.2, 2.1, 2.4, 2.3};

    /** The points after x = 1.2 when it was not. */
    public static final double[] PATH_B = {1.5, 1.6, 1.7};

    /** The points the fit follows after x = 1.2 when evaluation 1 was not penalised. */
    public volatile double[] pathB = PATH_B;

    /** Whether term "b" fails at x = 1.2. */
    public volatile boolean failing;

    /** The x at which term "a" stops the fit as a kill would (NaN: never). */
    public volatile double crashAt = Double.NaN;

    /** Called before each point the optimizer asks after x = 1.2, with the number of points told so far. */
    public volatile IntConsumer beforeAsk = n -> {};

    /** Called as term "b" starts at x = 1.2 (in a resume, as it runs the failed term again). */
    public volatile Runnable beforeB = () -> {};

    /** What stops the fit as a kill would: not a term's failure, which the policy would take. */
    public static final class Crash extends Error {
        private static final long serialVersionUID = 1L;

        Crash(String message) {
            super(message);
        }
    }

    private ObjectiveFunction term(String name) {
        QuantityComputer qc = new QuantityComputer() {
            @Override
            public Quantities compute(Parameters p) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Quantities compute(Parameters p, EvaluationContext ctx) {
                double x = p.get("x");
                if (name.equals("a") && Math.abs(x - crashAt) < 1e-9) {
                    throw new Crash("killed at x = " + x);
                }
                if (name.equals("b") && Math.abs(x - 1.2) < 1e-9) {
                    beforeB.run();
                }
                if (name.equals("b") && failing && Math.abs(x - 1.2) < 1e-9) {
                    throw new IllegalStateException("licence server not reachable");
                }
                return Quantities.builder().put("e", (x - 2) * (x - 2)).build();
            }
        };
        return qc.withLoss(q -> q.get("e"));
    }

    private final class Branching implements Optimizer {
        @Override
        public String name() {
            return "branching";
        }

        @Override
        public Run start(Problem p) {
            return new Run() {
                int told;
                double[] path = {};

                @Override
                public List<double[]> ask() {
                    if (told == 0) {
                        return List.of(new double[] {1.2});
                    }
                    beforeAsk.accept(told);
                    return told - 1 < path.length ? List.of(new double[] {path[told - 1]}) : List.of();
                }

                @Override
                public void tell(List<double[]> points, double[] values) {
                    if (told == 0) {
                        path = values[0] >= 1000 ? PATH_A : pathB;
                    }
                    told += points.size();
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

    /**
     * Runs the fit with the journal of a folder (resuming its run, if any).
     *
     * @return the Fitter's result
     */
    public FitResult fit(Path folder) {
        CombinedObjectiveFunction ob = new CombinedObjectiveFunction(List.of(term("a"), term("b")), List.of(1.0, 1.0))
                .withTermNames(List.of("a", "b"))
                .withFailurePolicy(FailurePolicy.penalty(1000));
        try (Journal j = Journal.open(folder)) {
            return new Fitter(ob, Map.of("x", 1.0))
                    .bounds(Bounds.of(Map.of("x", List.of(0.0, 3.0))))
                    .journal(j)
                    .fit(new Branching());
        }
    }
}
