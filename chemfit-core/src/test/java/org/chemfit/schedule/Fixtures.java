package org.chemfit.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.FailurePolicy;
import org.chemfit.LossFunctions;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.chemfit.Reducer;

/** Objectives shared by the scheduler tests. */
public final class Fixtures {

    private Fixtures() {}

    public static Parameters params(double x, double y) {
        return Parameters.of(Map.of("x", x, "y", y));
    }

    /**
     * A nested objective that exercises everything the reduction touches: quantities, metadata,
     * weights whose products round, a MEAN reducer, a PENALTY node with a retried failing term and
     * a SKIP node.
     */
    public static CombinedObjectiveFunction tree() {
        List<ObjectiveFunction> leaves = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            double ref = 0.1 * (k + 1) / 3.0;
            int kk = k;
            QuantityComputer qc = p -> Quantities.builder()
                    .put("e", Math.sin(p.get("x") * (kk + 1)) + p.get("y") / 7.0)
                    .put("rdf", new double[] {p.get("x") / 3, p.get("y") / 11, kk})
                    .build();
            leaves.add(qc.withLoss(LossFunctions.squaredError(Map.of("e", ref))).named("energy" + k));
        }
        ObjectiveFunction withMeta = new ObjectiveFunction() {
            @Override
            public double evaluate(Parameters p) {
                return Math.exp(p.get("x") / 10);
            }

            @Override
            public double evaluate(Parameters p, org.chemfit.EvaluationContext ctx) {
                ctx.put("note", "x=" + p.get("x")).put("list", List.of(1, 2.5, "three"));
                double v = evaluate(p);
                ctx.complete(v);
                return v;
            }
        };
        ObjectiveFunction failing = p -> {
            throw new IllegalStateException("simulated failure at x=" + p.get("x"));
        };
        CombinedObjectiveFunction penaltyNode = new CombinedObjectiveFunction(
                        List.of(leaves.get(0), failing.named("broken"), withMeta.named("meta")), List.of(0.3, 1.0, 0.7))
                .withFailurePolicy(FailurePolicy.penalty(42.5).withRetries(2))
                .named("penalised");
        CombinedObjectiveFunction skipNode = new CombinedObjectiveFunction(
                        List.of(failing.named("skipped"), leaves.get(1), leaves.get(2)), List.of(1.0, 0.1, 0.2))
                .withFailurePolicy(FailurePolicy.skip())
                .withReducer(Reducer.MEAN)
                .named("skipping");
        CombinedObjectiveFunction deeper = new CombinedObjectiveFunction(
                        List.of(
                                leaves.get(3),
                                new CombinedObjectiveFunction(List.of(leaves.get(4), withMeta), List.of(0.9, 0.11))),
                        List.of(1.3, 0.7))
                .withReducer(Reducer.ROOT_MEAN);
        return new CombinedObjectiveFunction(
                List.of(penaltyNode, skipNode, deeper, leaves.get(2)), List.of(0.1, 0.2, 0.3, 1e-3));
    }

    /**
     * The breakdown of a context without timing, with arrays turned into lists so that equality is
     * by value (Double.equals compares the bits, so equal maps are bit-for-bit equal).
     */
    public static Object breakdown(org.chemfit.EvaluationContext ctx) {
        return normalized(ctx.toMap(false));
    }

    private static Object normalized(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> r = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> r.put(k, normalized(v)));
            return r;
        }
        if (o instanceof List<?> l) {
            List<Object> r = new ArrayList<>();
            l.forEach(v -> r.add(normalized(v)));
            return r;
        }
        if (o instanceof double[] a) {
            List<Object> r = new ArrayList<>();
            for (double d : a) {
                r.add(d);
            }
            return r;
        }
        return o;
    }

    public static void shutdown(ExecutorService pool) throws InterruptedException {
        pool.shutdownNow();
        if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new AssertionError("pool did not terminate: " + pool);
        }
    }

    public static ThreadPoolExecutor fixedPool(int n) {
        return (ThreadPoolExecutor) java.util.concurrent.Executors.newFixedThreadPool(n);
    }
}
