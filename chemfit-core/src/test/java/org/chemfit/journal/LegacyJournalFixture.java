package org.chemfit.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.chemfit.fit.Fitter;

/**
 * The fit behind the test fixture {@code journal-v1.sqlite}: a journal of schema version 1
 * (quantities as JSON text), written by ChemFit 0.1 and cut off by a kill in the middle of its
 * thirteenth evaluation. {@link #main} wrote it (with the version of the time on the class path):
 * the process halts, as under SIGKILL, when the term run number {@link #HALT_AT} starts; the
 * write-ahead log was then folded into the file with
 * {@code sqlite3 journal.sqlite "PRAGMA wal_checkpoint(TRUNCATE)"}.
 *
 * <pre>
 * java -cp chemfit-core/target/classes:... org.chemfit.journal.LegacyJournalFixture OUT_DIR
 * </pre>
 */
public final class LegacyJournalFixture {

    /** The term run at which the fixture's fit was cut off (1-based, three per evaluation). */
    static final int HALT_AT = 38;

    static final int MAX_EVALUATIONS = 30;
    static final Map<String, Object> SETTINGS = Map.of("fixture", "journal-v1", "terms", 3);

    private LegacyJournalFixture() {}

    /** @return three in-process terms with a number, an array (holding a NaN) and a label each */
    static CombinedObjectiveFunction objective(AtomicInteger runs, int haltAt) {
        return new CombinedObjectiveFunction(
                        List.of(term(0, 1.0, runs, haltAt), term(1, -2.0, runs, haltAt), term(2, 0.5, runs, haltAt)),
                        List.of(1.0, 0.5, 2.0))
                .withTermNames(List.of("a", "b", "c"));
    }

    private static ObjectiveFunction term(int i, double target, AtomicInteger runs, int haltAt) {
        QuantityComputer qc = new QuantityComputer() {
            @Override
            public Quantities compute(Parameters p) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Quantities compute(Parameters p, EvaluationContext ctx) {
                int n = runs.incrementAndGet();
                if (n == haltAt) {
                    Runtime.getRuntime().halt(137);
                }
                ctx.put("run_directory", "/tmp/run-" + ctx.evaluationId() + "-" + i);
                double x = p.get("x");
                double y = p.get("y");
                return Quantities.builder()
                        .put("e", Math.sin(x * (i + 1)) + y * y * 0.1 + x * y / 3)
                        .put("curve", new double[] {x, y, Double.NaN, -0.0})
                        .label("tag", "t" + i)
                        .build();
            }
        };
        return qc.withLoss(q -> Math.pow(q.get("e") - target, 2));
    }

    /** @return the fit of the fixture, on the journal given */
    static Fitter fitter(ObjectiveFunction ob, Journal j) {
        return fitter(ob, j, SETTINGS);
    }

    /** @return the fit of the fixture, on the journal given, recorded under the settings given */
    static Fitter fitter(ObjectiveFunction ob, Journal j, Map<String, Object> settings) {
        Map<String, Double> start = new LinkedHashMap<>();
        start.put("x", 0.3);
        start.put("y", 1.1);
        Fitter f = new Fitter(ob, start).seed(11).maxEvaluations(MAX_EVALUATIONS);
        return j == null ? f : f.jobSettings(settings).journal(j, JournalMode.resumeLatest());
    }

    /**
     * @param args the folder to write journal.sqlite in
     * @throws Exception never: the process halts inside the fit
     */
    public static void main(String[] args) throws Exception {
        Path out = Files.createDirectories(Path.of(args[0]));
        Journal j = Journal.open(out);
        fitter(objective(new AtomicInteger(), HALT_AT), j).fit("Nelder-Mead");
        throw new IllegalStateException("the fit should have been cut off at term run " + HALT_AT);
    }
}
