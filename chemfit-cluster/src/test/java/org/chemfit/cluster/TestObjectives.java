package org.chemfit.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.Quantities;

/**
 * The objective of the cluster tests, built the same way in the test JVM and in every worker JVM:
 * six leaf terms (two of them nested one level down) whose losses are sums of transcendental
 * functions, so that any difference in how values travel or are reduced shows in the last bit.
 * Options: {@code sleepMs} (each term sleeps that long), {@code runlog} (a directory where each
 * process appends one line per term it runs to {@code <pid>.log}), {@code flat} (instead, a flat
 * objective of that many leaves). A parameter {@code sleep_ms} adds to the sleep.
 */
public final class TestObjectives implements ObjectiveFactory {

    /** Public for the worker JVMs. */
    public TestObjectives() {}

    @Override
    public CombinedObjectiveFunction create(Map<String, String> options) {
        long sleepMs = Long.parseLong(options.getOrDefault("sleepMs", "0"));
        String runlog = options.get("runlog");
        List<ObjectiveFunction> leaves = new java.util.ArrayList<>();
        if (options.containsKey("flat")) {
            // a flat objective of n leaves, for the benchmark
            int n = Integer.parseInt(options.get("flat"));
            for (int k = 0; k < n; k++) {
                leaves.add(new Term(k % 6, sleepMs, runlog == null ? null : Path.of(runlog)));
            }
            return new CombinedObjectiveFunction(leaves);
        }
        for (int k = 0; k < 6; k++) {
            leaves.add(new Term(k, sleepMs, runlog == null ? null : Path.of(runlog)));
        }
        CombinedObjectiveFunction nested = new CombinedObjectiveFunction(
                        List.of(leaves.get(2), leaves.get(3)), List.of(0.3, 1.7))
                .withTermNames(List.of("dimer", "trimer"))
                .named("clusters");
        return new CombinedObjectiveFunction(
                        List.of(leaves.get(0), leaves.get(1), nested, leaves.get(4), leaves.get(5)),
                        List.of(1.0, 0.1, 2.0, 0.7, 1.3))
                .withTermNames(List.of("energy", "forces", "clusters", "density", "rdf"));
    }

    /** Term k: a loss with a minimum near x = 1 + k/10, y = -0.5 + k/7. */
    static final class Term implements ObjectiveFunction {
        final int k;
        final long sleepMs;
        final Path runlog;

        Term(int k, long sleepMs, Path runlog) {
            this.k = k;
            this.sleepMs = sleepMs;
            this.runlog = runlog;
        }

        @Override
        public double evaluate(Parameters p) {
            return evaluate(p, new EvaluationContext(p));
        }

        @Override
        public double evaluate(Parameters p, EvaluationContext ctx) {
            if (runlog != null) {
                String line = ctx.evaluationId() + " " + ctx.path() + "\n";
                try {
                    Files.writeString(
                            runlog.resolve(ManagementFactory.getRuntimeMXBean().getPid() + ".log"),
                            line,
                            StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            long sleep = sleepMs + (long) p.get("sleep_ms", 0);
            if (sleep > 0) {
                try {
                    // the behaviour under test: a term that takes this long, as a simulation would
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new org.chemfit.EvaluationCancelledException("interrupted", e);
                }
            }
            double x = p.get("x");
            double y = p.get("y");
            double a = Math.sin(x * (k + 1) / 3.0) - Math.sin((1 + k / 10.0) * (k + 1) / 3.0);
            double b = Math.exp(0.1 * y) - Math.exp(0.1 * (-0.5 + k / 7.0));
            double loss = a * a + Math.log1p(b * b * (k + 1)) + 1e-3 * Math.cbrt(k + x * y);
            ctx.computed(Quantities.builder()
                    .put("a", a)
                    .put("curve", new double[] {a, b, a * b})
                    .label("tag", "t" + k)
                    .build());
            ctx.put("k", k);
            ctx.put("term_path", ctx.path());
            ctx.put("score", a * b);
            ctx.complete(loss);
            return loss;
        }
    }
}
