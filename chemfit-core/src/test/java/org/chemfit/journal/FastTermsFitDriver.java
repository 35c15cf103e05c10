package org.chemfit.journal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
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
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.read.JournalReader;

/**
 * A fit of many fast in-process terms, run in its own JVM so that it can be killed: the process
 * halts ({@link Runtime#halt}, as abrupt as SIGKILL: no shutdown hook, no finally block, the
 * journal's writer stopped wherever it is) when the term run number given starts.
 *
 * <pre>
 * java -cp ... org.chemfit.journal.FastTermsFitDriver JOURNAL_DIR RESULT_FILE HALT_AT_TERM_RUN|-1 [improving]
 * </pre>
 *
 * <p>With {@code improving}, the journal keeps the terms of the evaluations that lower the best
 * loss only ({@link Journal#termsOfImprovingEvaluationsOnly()}).
 *
 * <p>The result file holds the best loss and parameters as raw bits and the number of term runs.
 */
public final class FastTermsFitDriver {

    static final int TERMS = 40;
    static final int MAX_EVALUATIONS = 60;

    private FastTermsFitDriver() {}

    static ObjectiveFunction objective(AtomicInteger runs, int haltAt) {
        List<ObjectiveFunction> terms = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        for (int i = 0; i < TERMS; i++) {
            final int k = i;
            QuantityComputer qc = new QuantityComputer() {
                @Override
                public Quantities compute(Parameters p) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public Quantities compute(Parameters p, EvaluationContext ctx) {
                    if (runs.incrementAndGet() == haltAt) {
                        Runtime.getRuntime().halt(137);
                    }
                    double x = p.get("x");
                    double y = p.get("y");
                    double r = 3.0 + 0.05 * k;
                    double e = Math.exp(-x * r) * y - Math.cos(r * y) * x;
                    return Quantities.builder()
                            .put("energy", e)
                            .put("forces", new double[] {e * x, -e * x, e * y, -e * y, r, -r})
                            .build();
                }
            };
            terms.add(qc.withLoss(q -> Math.pow(q.get("energy") - 0.1 * Math.sin(k), 2)));
            weights.add(1.0 + 0.01 * k);
        }
        return new CombinedObjectiveFunction(terms, weights);
    }

    /**
     * @param args journal directory, result file, the term run at which to halt (-1: never), and
     *     optionally {@code improving}
     * @throws Exception when the fit fails
     */
    public static void main(String[] args) throws Exception {
        Path journalDir = Files.createDirectories(Path.of(args[0]));
        Path resultFile = Path.of(args[1]);
        int haltAt = Integer.parseInt(args[2]);
        AtomicInteger runs = new AtomicInteger();
        try (JournalReader journal = JournalReader.open(journalDir)) {
            if (args.length > 3 && args[3].equals("improving")) {
                journal.termsOfImprovingEvaluationsOnly();
            }
            Map<String, Double> initial = new LinkedHashMap<>();
            initial.put("x", 0.5);
            initial.put("y", 0.25);
            FitResult r = new Fitter(objective(runs, haltAt), initial)
                    .seed(3)
                    .maxEvaluations(MAX_EVALUATIONS)
                    .jobSettings(Map.of("terms", TERMS))
                    .journal(journal, JournalMode.resumeLatest())
                    .fit("Nelder-Mead");
            StringBuilder sb = new StringBuilder();
            sb.append("loss ")
                    .append(Long.toHexString(Double.doubleToRawLongBits(r.bestLoss())))
                    .append('\n');
            for (String n : r.bestParameters().names()) {
                sb.append(n)
                        .append(' ')
                        .append(Long.toHexString(
                                Double.doubleToRawLongBits(r.bestParameters().get(n))))
                        .append('\n');
            }
            sb.append("evaluations ").append(r.evaluations()).append('\n');
            sb.append("stop ").append(r.stopReason()).append('\n');
            sb.append("runs ").append(runs.get()).append('\n');
            Path tmp = resultFile.resolveSibling(resultFile.getFileName() + ".tmp");
            Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, resultFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
