package org.chemfit.cli;

import static org.chemfit.cli.JobKeys.MAX_BATCH;
import static org.chemfit.cli.JobKeys.MAX_EVALUATIONS;
import static org.chemfit.cli.JobKeys.MIN_BATCH;
import static org.chemfit.cli.JobKeys.OPTIMIZER_KEYS;
import static org.chemfit.cli.JobKeys.STEP_KEYS;
import static org.chemfit.cli.JobKeys.TOLERANCE_KEYS;

import org.chemfit.cli.JobFile.OptimizerSpec;
import org.jspecify.annotations.NullUnmarked;

/**
 * Reads the {@code optimizer} section: the method, its budget, seed, batch size, tolerances and
 * finite-difference step.
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
        boolean methodRead = true;
        int max = 200;
        long seed = 42;
        int batch = 0;
        double rel = Double.NaN;
        double abs = Double.NaN;
        double step = Double.NaN;
        double bad = 1e5;
        if (n != null) {
            Node.MapNode m = r.map(n, "optimizer");
            if (m != null) {
                r.keys(m, "optimizer", OPTIMIZER_KEYS);
                if (m.entries.containsKey("method")) {
                    Node mn = m.entries.get("method");
                    String s = r.string(mn, "optimizer method");
                    methodRead = s != null;
                    if (s != null) {
                        String known = Methods.canonical(s);
                        if (known == null) {
                            methodRead = false;
                            String sug = JobReading.suggest(s, Methods.names());
                            String other = sug == null ? OtherToolsWords.method(s, Methods.names()) : null;
                            r.problem(
                                    mn,
                                    "optimizer method '" + s + "' is not known"
                                            + (sug != null
                                                    ? " (did you mean '" + sug + "'?)"
                                                    : other != null ? " (" + other + ")" : "")
                                            + "; methods: "
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
                // a population of at least 2 points per generation (CMA-ES needs two to rank), and
                // only for the population methods; a method not read yet is not known to be one
                if (m.entries.containsKey("batch_size") && methodRead && !Methods.isBatch(method)) {
                    r.problem(
                            m.entries.get("batch_size"),
                            "optimizer batch_size applies to population methods ("
                                    + String.join(", ", Methods.batchNames()) + "), not to " + method);
                } else {
                    Integer b = r.optInt(m, "batch_size", "optimizer batch_size", MIN_BATCH, MAX_BATCH);
                    batch = b == null ? 0 : b;
                }
                Node t = m.entries.get("tolerance");
                if (t != null && !Methods.takesTolerances(method)) {
                    r.problem(
                            t,
                            "optimizer tolerance does not apply to " + method
                                    + ", which stops by its own criteria or the budget");
                } else if (t instanceof Node.Scalar sc && sc.value instanceof Number number) {
                    // one number, as SciPy's tol takes it: said with the form to write
                    String written = org.chemfit.support.Excerpt.of(sc.text != null ? sc.text : sc.value.toString());
                    double value = number.doubleValue();
                    String shown = value >= 0 && Double.isFinite(value) ? written : "1.0e-8";
                    r.problem(
                            t,
                            "optimizer tolerance must be a map of keys to values, got a number (" + written
                                    + "); write it as {relative: " + shown + "} (a change of the loss relative to"
                                    + " itself), {absolute: " + shown + "}, or both, each not negative");
                } else if (t != null) {
                    Node.MapNode tm = r.map(t, "optimizer tolerance");
                    if (tm != null) {
                        r.keys(tm, "optimizer tolerance", TOLERANCE_KEYS);
                        if (tm.entries.containsKey("relative")) {
                            Double d = r.nonNegative(tm.entries.get("relative"), "optimizer tolerance relative");
                            rel = d == null ? rel : d;
                        }
                        if (tm.entries.containsKey("absolute") && !Methods.takesAbsoluteTolerance(method)) {
                            int[] place = tm.keyPlaces.get("absolute");
                            r.problem(
                                    place[0],
                                    place[1],
                                    "optimizer tolerance absolute does not apply to " + method
                                            + ", which stops on the relative change of the loss alone; give"
                                            + " tolerance: {relative: ...} only (a fit recorded with it goes on"
                                            + " without it)");
                        } else if (tm.entries.containsKey("absolute")) {
                            Double d = r.nonNegative(tm.entries.get("absolute"), "optimizer tolerance absolute");
                            abs = d == null ? abs : d;
                        }
                    }
                }
                step = step(m.entries.get("finite_difference_step"));
                if (m.entries.containsKey("bad_value")) {
                    Double d = r.nonNegative(m.entries.get("bad_value"), "optimizer bad_value");
                    bad = d == null ? bad : d;
                }
            }
        }
        return new OptimizerSpec(method, max, seed, batch, rel, abs, step, bad);
    }

    /**
     * {@code finite_difference_step: {relative: ...}}: the step of the forward-difference Jacobian
     * of the least-squares methods and gradient of {@code L-BFGS-B}, and of the uncertainty's
     * central differences with any method, relative to each parameter's size; in (0, 1).
     *
     * @param n the node, or null when the key is absent
     * @return the step, or NaN for the method's default
     */
    private double step(Node n) {
        if (n == null) {
            return Double.NaN;
        }
        if (n instanceof Node.Scalar sc && sc.value instanceof Number num) {
            double value = num.doubleValue();
            // the number alone, as other programs take a step: said with the form to write
            String written = org.chemfit.support.Excerpt.of(sc.text != null ? sc.text : sc.value.toString());
            r.problem(
                    n,
                    "optimizer finite_difference_step must be a map of keys to values, got a number (" + written
                            + "); write it as {relative: "
                            + (value > 0 && value < 1 ? written : "1.0e-5")
                            + "}, a fraction of each parameter's size above 0 and below 1");
            return Double.NaN;
        }
        Node.MapNode m = r.map(n, "optimizer finite_difference_step");
        if (m == null) {
            return Double.NaN;
        }
        r.keys(m, "optimizer finite_difference_step", STEP_KEYS);
        Node v = r.require(m, "relative", "optimizer finite_difference_step");
        if (v == null) {
            return Double.NaN;
        }
        Double d = r.positive(v, "optimizer finite_difference_step relative");
        if (d != null && d >= 1) {
            r.problem(
                    v,
                    "optimizer finite_difference_step relative must be below 1 (a fraction of each parameter's size,"
                            + " such as 1e-4), got " + JobReading.fmt(d));
            return Double.NaN;
        }
        return d == null ? Double.NaN : d;
    }

    /**
     * The method's own requirements on the free parameters: a fit needs at least one, and a method
     * may need more (BOBYQA needs two). The method itself is asked, by starting it on the job's
     * problem (its free parameters, start point, bounds, budget and seed) and closing it at once,
     * so this check and the fit refuse the same jobs with the same reason. Reported at
     * {@code optimizer.method}, or at {@code optimizer} or {@code parameters} when the method is
     * the default.
     *
     * @param top the job file's top-level map
     * @param spec the optimizer read from it
     * @param params the parameters read from it (null when they were not readable)
     */
    void checkFreeParameters(Node.MapNode top, OptimizerSpec spec, java.util.List<JobFile.ParameterSpec> params) {
        if (params == null || params.isEmpty() || Methods.canonical(spec.method()) == null) {
            return;
        }
        java.util.List<String> free = new java.util.ArrayList<>();
        java.util.List<JobFile.ParameterSpec> specs = new java.util.ArrayList<>();
        for (JobFile.ParameterSpec p : params) {
            if (!p.fixed() && p.lower() != p.upper()) {
                free.add(p.name());
                specs.add(p);
            }
        }
        Node place = place(top);
        String method = methodWords(top, spec);
        if (free.isEmpty()) {
            nothingToFit(top, spec);
            return;
        }
        double[] start = new double[free.size()];
        double[] lower = new double[free.size()];
        double[] upper = new double[free.size()];
        for (int i = 0; i < start.length; i++) {
            start[i] = specs.get(i).initial();
            lower[i] = specs.get(i).lower();
            upper[i] = specs.get(i).upper();
        }
        org.chemfit.fit.Problem problem;
        try {
            problem = new org.chemfit.fit.Problem(free, start, lower, upper, spec.maxEvaluations(), spec.seed());
        } catch (IllegalArgumentException e) {
            return; // an initial value outside its bounds, reported where the parameter is read
        }
        try {
            Methods.create(spec).start(problem).close();
        } catch (IllegalArgumentException e) {
            r.problem(
                    place,
                    method + " cannot fit this job's " + free.size() + " free parameter" + (free.size() == 1 ? "" : "s")
                            + " (" + String.join(", ", free) + "): " + e.getMessage());
        }
    }

    /**
     * The number of free parameters a method needs, checked when some parameters could not be read
     * (their bounds wrong): the method is started on a stand-in problem with as many free
     * parameters as the job declares, each in [0, 1], and only its refusal of their number is
     * reported, as {@link #checkFreeParameters} reports it.
     *
     * @param top the job file's top-level map
     * @param spec the optimizer read from it
     * @param free the names of the parameters the job declares and does not fix
     */
    void checkFreeCount(Node.MapNode top, OptimizerSpec spec, java.util.List<String> free) {
        if (free.isEmpty() || Methods.canonical(spec.method()) == null) {
            return;
        }
        double[] start = new double[free.size()];
        double[] lower = new double[free.size()];
        double[] upper = new double[free.size()];
        java.util.Arrays.fill(start, 0.5);
        java.util.Arrays.fill(upper, 1.0);
        try {
            Methods.create(spec)
                    .start(new org.chemfit.fit.Problem(free, start, lower, upper, spec.maxEvaluations(), spec.seed()))
                    .close();
        } catch (IllegalArgumentException e) {
            if (String.valueOf(e.getMessage()).contains(" needs at least ")) {
                r.problem(
                        place(top),
                        methodWords(top, spec) + " cannot fit this job's " + free.size() + " free parameter"
                                + (free.size() == 1 ? "" : "s") + " (" + String.join(", ", free) + "): "
                                + e.getMessage());
            }
        }
    }

    /**
     * Reports that the job has no free parameter, at {@code optimizer.method} (or {@code optimizer},
     * or {@code parameters}). Called by {@link #checkFreeParameters}, and when some parameters
     * could not be read but every one of them is fixed: the job has nothing to fit whatever their
     * other settings, so the problem is reported with theirs.
     *
     * @param top the job file's top-level map
     * @param spec the optimizer read from it
     */
    void nothingToFit(Node.MapNode top, OptimizerSpec spec) {
        r.problem(
                place(top),
                methodWords(top, spec) + " has nothing to fit: every parameter is fixed (or has equal bounds); "
                        + "a fit needs at least one free parameter: remove fixed: true from one, or widen its bounds");
    }

    /**
     * A least-squares method fits residuals: each term of the fit of non-zero weight needs a
     * squared-error loss (a term of weight 0 gives no residual) and the combination a reducer that
     * keeps the loss a sum of squares. Each term whose loss is not, and a
     * {@code root_mean} reducer, is reported at its own line (the loss, or its type; the reducer),
     * with the fix that fits it. Nothing is reported for a method that takes any loss, or for a loss
     * or reducer that could not be read (reported where it is read).
     *
     * @param top the job file's top-level map
     * @param spec the optimizer read from it
     * @param combination the combination read from it
     * @param terms the fit's terms as read (those that were readable)
     */
    void checkResiduals(
            Node.MapNode top,
            OptimizerSpec spec,
            JobFile.CombinationSpec combination,
            java.util.List<JobFile.TermSpec> terms) {
        if (Methods.canonical(spec.method()) == null || !Methods.needsResiduals(spec.method())) {
            return;
        }
        Node methodNode = optimizerEntry(top, "method");
        String needs = "which optimizer method " + spec.method()
                + (methodNode == null ? "" : " (line " + methodNode.line + ")") + " needs: it fits the residuals";
        String other = "or choose a method that takes any loss (" + String.join(", ", Methods.anyLossNames()) + ")";
        if (top.entries.get("terms") instanceof Node.ListNode list) {
            boolean aligned = list.items.size() == terms.size();
            for (int i = 0; i < list.items.size(); i++) {
                if (!(list.items.get(i) instanceof Node.MapNode t)) {
                    continue;
                }
                Node loss = t.entries.get("loss");
                Node word = loss instanceof Node.MapNode lm ? lm.entries.get("type") : loss;
                if (!(word instanceof Node.Scalar sc) || !(sc.value instanceof String w)) {
                    continue; // the default (squared_error), or a loss reported where it is read
                }
                String type = w.toLowerCase(java.util.Locale.ROOT).replace('-', '_');
                if (!JobKeys.LOSS_TYPES.contains(type)
                        || type.equals("squared_error")
                        || type.equals("mean_squared_error")) {
                    continue;
                }
                if (aligned && terms.get(i).weight() == 0) {
                    continue; // a monitored term gives no residual: any loss will do
                }
                String name = aligned
                        ? terms.get(i).name()
                        : t.entries.get("name") instanceof Node.Scalar n && n.value instanceof String s ? s : null;
                r.problem(
                        word,
                        (name == null ? "terms[" + i + "]" : "term '" + name + "'") + " loss " + type
                                + " is not a sum of squares, " + needs + ": use loss squared_error or"
                                + " mean_squared_error for this term, " + other);
            }
        }
        if (combination.reducer() == org.chemfit.Reducer.ROOT_MEAN
                && top.entries.get("combination") instanceof Node.MapNode c
                && c.entries.get("reducer") != null) {
            r.problem(
                    c.entries.get("reducer"),
                    "combination reducer root_mean is not a sum of squares (it is the square root of one), " + needs
                            + ": use reducer mean (root_mean squared: the same best parameters) or sum, " + other);
        }
        if (combination.onFailure() != org.chemfit.FailurePolicy.Action.RAISE
                && top.entries.get("combination") instanceof Node.MapNode c
                && c.entries.get("on_failure") != null) {
            String word = JobKeys.word(combination.onFailure());
            r.problem(
                    c.entries.get("on_failure"),
                    "combination on_failure " + word + " gives a failed term "
                            + (combination.onFailure() == org.chemfit.FailurePolicy.Action.PENALTY
                                    ? "a loss (the penalty) but no residuals"
                                    : "no residuals (it is left out, and the point has fewer residuals than the"
                                            + " others)")
                            + ", " + needs + " at every point: use on_failure raise, " + other);
        }
    }

    private static String methodWords(Node.MapNode top, OptimizerSpec spec) {
        return "optimizer method " + spec.method() + (optimizerEntry(top, "method") == null ? " (the default)" : "");
    }

    /** @return the node of optimizer.method, else of optimizer, else of parameters */
    private static Node place(Node.MapNode top) {
        Node method = optimizerEntry(top, "method");
        if (method != null) {
            return method;
        }
        Node optimizer = top.entries.get("optimizer");
        return optimizer != null ? optimizer : top.entries.get("parameters");
    }

    private static Node optimizerEntry(Node.MapNode top, String key) {
        return top.entries.get("optimizer") instanceof Node.MapNode m ? m.entries.get(key) : null;
    }
}
