package org.chemfit.cli;

import static org.chemfit.cli.JobKeys.MAX_BATCH;
import static org.chemfit.cli.JobKeys.MAX_EVALUATIONS;
import static org.chemfit.cli.JobKeys.OPTIMIZER_KEYS;
import static org.chemfit.cli.JobKeys.TOLERANCE_KEYS;

import org.chemfit.cli.JobFile.OptimizerSpec;
import org.jspecify.annotations.NullUnmarked;

/**
 * Reads the {@code optimizer} section: the method, its budget, seed, batch size and tolerances.
 *
 * <pre>{@code
 * OptimizerSpec o = new OptimizerReader(reading).read(top.entries.get("optimizer"));
 * }</pre>
 *
 * @implNote One instance per job file, used while it is read; not thread-safe.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class OptimizerReader {

    private final JobReading r;

    OptimizerReader(JobReading reading) {
        this.r = reading;
    }

    OptimizerSpec read(Node n) {
        String method = "Nelder-Mead";
        int max = 200;
        long seed = 42;
        int batch = 0;
        double rel = Double.NaN;
        double abs = Double.NaN;
        double bad = 1e5;
        if (n != null) {
            Node.MapNode m = r.map(n, "optimizer");
            if (m != null) {
                r.keys(m, "optimizer", OPTIMIZER_KEYS);
                if (m.entries.containsKey("method")) {
                    Node mn = m.entries.get("method");
                    String s = r.string(mn, "optimizer method");
                    if (s != null) {
                        String known = Methods.canonical(s);
                        if (known == null) {
                            String sug = JobReading.suggest(s, Methods.names());
                            r.problem(
                                    mn,
                                    "optimizer method '" + s + "' is not known"
                                            + (sug == null ? "" : " (did you mean '" + sug + "'?)") + "; methods: "
                                            + String.join(", ", Methods.names()));
                        } else {
                            method = known;
                        }
                    }
                }
                Integer i = r.optInt(m, "max_evaluations", "optimizer max_evaluations", 1, MAX_EVALUATIONS);
                max = i == null ? max : i;
                if (m.entries.containsKey("seed")) {
                    Double d = r.number(m.entries.get("seed"), "optimizer seed");
                    java.math.BigInteger v = JobReading.wholeValue(((Node.Scalar) m.entries.get("seed")).value);
                    if (d != null && v == null) {
                        r.problem(
                                m.entries.get("seed"),
                                "optimizer seed must be a whole number, got " + JobReading.fmt(d));
                    } else if (d != null && v.bitLength() >= 64) {
                        r.problem(
                                m.entries.get("seed"),
                                "optimizer seed must be a whole number from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE
                                        + ", got " + v);
                    } else if (d != null) {
                        seed = v.longValue();
                    }
                }
                Integer b = r.optInt(m, "batch_size", "optimizer batch_size", 1, MAX_BATCH);
                batch = b == null ? 0 : b;
                if (b != null && !Methods.isBatch(method)) {
                    r.problem(
                            m.entries.get("batch_size"),
                            "optimizer batch_size applies to population methods ("
                                    + String.join(", ", Methods.batchNames()) + "), not to " + method);
                } else if (b != null && b < 2) {
                    r.problem(
                            m.entries.get("batch_size"),
                            "optimizer batch_size of " + method
                                    + " (its population per generation) must be at least 2, got " + b);
                }
                Node t = m.entries.get("tolerance");
                if (t != null && !Methods.takesTolerances(method)) {
                    r.problem(
                            t,
                            "optimizer tolerance does not apply to " + method
                                    + ", which stops by its own criteria or the budget");
                } else if (t != null) {
                    Node.MapNode tm = r.map(t, "optimizer tolerance");
                    if (tm != null) {
                        r.keys(tm, "optimizer tolerance", TOLERANCE_KEYS);
                        if (tm.entries.containsKey("relative")) {
                            Double d = r.nonNegative(tm.entries.get("relative"), "optimizer tolerance relative");
                            rel = d == null ? rel : d;
                        }
                        if (tm.entries.containsKey("absolute")) {
                            Double d = r.nonNegative(tm.entries.get("absolute"), "optimizer tolerance absolute");
                            abs = d == null ? abs : d;
                        }
                    }
                }
                if (m.entries.containsKey("bad_value")) {
                    Double d = r.finite(m.entries.get("bad_value"), "optimizer bad_value");
                    bad = d == null ? bad : d;
                }
            }
        }
        return new OptimizerSpec(method, max, seed, batch, rel, abs, bad);
    }
}
