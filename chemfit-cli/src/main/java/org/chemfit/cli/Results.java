package org.chemfit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.fit.FitResult;
import org.jspecify.annotations.Nullable;

/**
 * The content of {@code results.json}: best parameters (nested), losses, the per-term breakdown
 * with computed and reference values, evaluation counts, timings, the software version and the
 * job's hash. Kept as an ordered map so that {@code report} reads back exactly what {@code fit}
 * wrote.
 *
 * @implNote Stateless.
 */
final class Results {

    static final String FILE = "results.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Results() {}

    /**
     * The results of a fit, with each term's units and metrics (RMSE, MAE, max abs error, R^2 at
     * the start and at the best point) and the validation terms.
     *
     * @param plan the fit's plan
     * @param result the fit's result (or the partial result of a failed fit)
     * @param status "done", "interrupted" or "failed"
     * @param message why it failed, or null
     * @param log the evaluation log
     * @param started when the fit started
     * @param judgement the fit's predictions at the start and best point, or null
     * @return the results, ready to write
     */
    static Map<String, Object> of(
            FitPlan plan,
            @Nullable FitResult result,
            String status,
            @Nullable String message,
            EvaluationLog log,
            Instant started,
            @Nullable Judgement judgement) {
        JobFile job = plan.job;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("chemfit_version", Version.get());
        m.put("runtime", runtime());
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("name", job.name());
        j.put("file", job.file().toString());
        j.put("sha256", job.hash());
        j.put("files", job.digest().perFile());
        m.put("job", j);
        m.put("status", status);
        if (message != null) {
            m.put("message", message);
        }
        // a fit that failed, or was interrupted, before the method gave a result says so as well
        m.put(
                "stop_reason",
                result != null
                        ? result.stopReason().name()
                        : "failed".equals(status)
                                ? org.chemfit.fit.StopReason.FAILED.name()
                                : "interrupted".equals(status) ? org.chemfit.fit.StopReason.INTERRUPTED.name() : null);
        m.put("method", job.optimizer().method());
        // how the terms' weighted losses make the loss: what the loss plot needs to give it per value
        Map<String, Object> combination = new LinkedHashMap<>();
        combination.put("reducer", JobKeys.word(job.combination().reducer()));
        combination.put("on_failure", JobKeys.word(job.combination().onFailure()));
        m.put("combination", combination);
        Map<String, Object> loss = new LinkedHashMap<>();
        loss.put("best", result == null ? null : num(result.bestLoss()));
        loss.put("initial", result == null ? null : num(result.initialLoss()));
        if (result != null && startDegraded(log)) {
            // a penalty (or a skipped term) stood in at the start: the initial loss is not the model's
            loss.put("initial_degraded", true);
        }
        m.put("loss", loss);
        Parameters best = result == null ? null : result.bestParameters();
        m.put("best_parameters", best == null ? null : best.asNestedMap());
        m.put("initial_parameters", plan.initial().asNestedMap());
        List<Object> params = new ArrayList<>();
        for (JobFile.ParameterSpec p : job.parameters()) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("name", p.name());
            pm.put("initial", p.initial());
            pm.put("best", best == null ? null : best.get(p.name()));
            pm.put("lower", Double.isFinite(p.lower()) ? p.lower() : null);
            pm.put("upper", Double.isFinite(p.upper()) ? p.upper() : null);
            // equal bounds hold a parameter as fixed: true does, as the fit and the closing table take it
            pm.put("fixed", p.fixed() || (Double.isFinite(p.lower()) && p.lower() == p.upper()));
            pm.put("unit", job.units().parameter(p.name()));
            params.add(pm);
        }
        m.put("parameters", params);
        m.put("terms", terms(plan, result == null ? null : result.breakdown()));
        judge(m, plan, judgement);
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("total", result == null ? log.count() : result.evaluations());
        ev.put("with_failed_terms", log.withFailures());
        ev.put("degraded", log.degraded());
        ev.put("steps", result == null ? null : result.steps());
        // a round is a batch evaluated: the Fitter does not count one that an interrupt cut off
        ev.put("rounds", result == null ? null : result.rounds());
        // taken from the journal by a resumed fit rather than computed in this attempt; a point the
        // method asked for again in this attempt is a repeat, its result also taken from the journal
        int repeated = log.repeated();
        // an evaluation that an earlier attempt left cut off, all of whose terms the journal gave,
        // is neither: it was not recorded finished (the resume's first message does not count it)
        int cutOffReplayed = log.cutOffReplayed();
        int replayed = log.count() - log.computed() - repeated - cutOffReplayed;
        ev.put("replayed", replayed);
        ev.put("repeated", repeated);
        ev.put("cut_off_terms_replayed", log.cutOffTerms());
        ev.put(
                "best",
                result == null || result.breakdown() == null
                        ? null
                        : result.breakdown().evaluationId());
        m.put("evaluations", ev);
        Map<String, Object> t = new LinkedHashMap<>();
        Instant finished = Instant.now();
        t.put("started", started.toString());
        t.put("finished", finished.toString());
        double wall = result == null
                ? (finished.toEpochMilli() - started.toEpochMilli()) / 1000.0
                : result.wallTime().toNanos() / 1e9;
        t.put("wall_seconds", wall);
        // the time of the evaluations computed in this attempt: the replayed ones took none
        int n = (result == null ? log.count() : result.evaluations()) - replayed - repeated - cutOffReplayed;
        t.put("seconds_per_evaluation", n <= 0 ? null : wall / n);
        m.put("timing", t);
        m.put(
                "uncertainty",
                result == null || result.uncertainty() == null
                        ? null
                        : uncertainty(plan, Objects.requireNonNull(result.uncertainty(), "uncertainty")));
        org.chemfit.fit.Uncertainty u = result == null ? null : result.uncertainty();
        List<String> noEffect = u == null ? List.of() : u.noEffect();
        // a validation term that repeats the fit's data qualifies its metrics: said with them
        List<String> warnings = new ArrayList<>(HeldOutOverlap.notHeldOut(job.warnings()));
        if (result != null) {
            result.warnings().stream()
                    .map(Messages::inJobFileTerms)
                    .map(w -> plan.withRoundingCause(w, noEffect))
                    .forEach(warnings::add);
        }
        m.put("warnings", warnings);
        Map<String, Object> files = new LinkedHashMap<>();
        files.put("evaluations", EvaluationLog.FILE);
        if (judgement != null) {
            files.put("predictions", Judgement.FILE);
        }
        m.put("files", files);
        return m;
    }

    /**
     * @return where the fit ran, for a reader who wants to run it again: the Java runtime (version
     *     and virtual machine), the operating system (name, version, architecture) and the host
     */
    static Map<String, Object> runtime() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        r.put(
                "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
        r.put("host", org.chemfit.support.HostName.get());
        return r;
    }

    /**
     * The numbers of one evaluation, as {@code chemfit eval --json FILE} writes them: the job's
     * name and file, the parameters evaluated ({@code name}, {@code value}, {@code unit}), the loss
     * ({@code value} and {@code unit}), the terms and the validation terms as {@code results.json}
     * has them (each term's weight, loss as {@code value}, contribution, units, and every model
     * value under {@code computed} beside its {@code reference}; with the metrics and the held-out
     * losses at the start and at the best point, which one evaluation makes the same), and the
     * metrics over all terms of each set. Every number is a double written in the shortest form
     * that reads back to it exactly; a NaN or infinite loss or metric is null.
     *
     * @param plan the job's plan
     * @param p the parameters evaluated
     * @param ctx the evaluation of the fit terms at {@code p}
     * @param judgement the predictions of that evaluation and of the validation terms' at {@code p}
     * @return the content, ready to write
     */
    static Map<String, Object> ofEvaluation(FitPlan plan, Parameters p, EvaluationContext ctx, Judgement judgement) {
        JobFile job = plan.job;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("chemfit_version", Version.get());
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("name", job.name());
        j.put("file", job.file().toString());
        m.put("job", j);
        List<Object> params = new ArrayList<>();
        for (String name : p.names()) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("name", name);
            pm.put("value", p.get(name));
            pm.put("unit", job.units().parameter(name));
            params.add(pm);
        }
        m.put("parameters", params);
        Map<String, Object> loss = new LinkedHashMap<>();
        loss.put("value", num(ctx.loss()));
        m.put("loss", loss); // judge puts its unit
        m.put("terms", terms(plan, ctx));
        judge(m, plan, judgement);
        return m;
    }

    private static List<Object> terms(FitPlan plan, @Nullable EvaluationContext best) {
        List<Object> out = new ArrayList<>();
        double total = 0;
        double[] parts = best == null
                ? new double[0]
                : Tables.contributions(best, plan.job.combination().reducer());
        for (double d : parts) {
            if (Double.isFinite(d)) {
                total += d;
            }
        }
        List<JobFile.TermSpec> specs = plan.job.terms();
        for (int i = 0; i < specs.size(); i++) {
            JobFile.TermSpec spec = specs.get(i);
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", spec.name());
            t.put("kind", JobKeys.word(spec.kind()));
            t.put("weight", spec.weight());
            t.put("loss_type", JobKeys.word(spec.loss().type()));
            forcesWeight(t, spec);
            EvaluationContext c = best == null || i >= best.children().size() ? null : best.child(i);
            t.put("status", c == null ? null : statusOf(c));
            t.put("value", c == null ? null : num(c.value()));
            double part = c == null ? Double.NaN : parts[i];
            t.put("contribution", c == null ? null : num(part));
            t.put("share", c == null || !(total > 0) || !Double.isFinite(part) ? null : part / total);
            t.put("seconds", c == null ? null : num(c.seconds()));
            Map<String, Object> computed = new LinkedHashMap<>();
            if (c != null) {
                Map<String, int[]> lengths = plan.lengths.get(i);
                for (String q : plan.references.get(i).keySet()) {
                    if (lengths.containsKey(q)) {
                        // an array per sub-term (each structure's forces), sub-term after sub-term
                        List<Double> a = new ArrayList<>();
                        org.chemfit.support.Predictions.of(
                                        spec.name(),
                                        c,
                                        Map.of(q, plan.references.get(i).get(q)),
                                        plan.items.get(i),
                                        Map.of(q, lengths.get(q)))
                                .forEach(r -> a.add(r.model()));
                        computed.put(
                                q, a.stream().mapToDouble(Double::doubleValue).toArray());
                    } else if (c.quantities().contains(q)) {
                        computed.put(q, c.quantities().array(q));
                    } else if (!c.children().isEmpty()) {
                        // A term made of sub-terms (one per structure): one value per sub-term.
                        double[] a = new double[c.children().size()];
                        for (int k = 0; k < a.length; k++) {
                            EvaluationContext s = c.child(k);
                            a[k] = s.quantities().contains(q) ? s.quantities().get(q) : Double.NaN;
                        }
                        computed.put(q, a);
                    }
                }
            }
            t.put("computed", computed);
            t.put("reference", new LinkedHashMap<>(plan.references.get(i)));
            if (c != null && c.failure() != null) {
                t.put("failure", c.failure().getMessage());
            }
            out.add(t);
        }
        return out;
    }

    /**
     * @param c a term's evaluation
     * @return its status's name; {@code REPLAYED} for a term of sub-terms (an atoms term's
     *     structures) all of whose leaves the journal gave, which a resumed fit's results then
     *     write as {@code OK} with {@code replayed: true}, as for a term of one leaf
     */
    private static String statusOf(EvaluationContext c) {
        if (c.status() == EvaluationContext.Status.OK && !c.children().isEmpty() && allReplayed(c)) {
            return EvaluationContext.Status.REPLAYED.name();
        }
        return c.status().name();
    }

    private static boolean allReplayed(EvaluationContext c) {
        if (c.children().isEmpty()) {
            return c.status() == EvaluationContext.Status.REPLAYED;
        }
        for (EvaluationContext k : c.children()) {
            if (!allReplayed(k)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Adds units, coordinates and metrics to each term of {@code m}, and the validation terms (same
     * shape, with the loss at the start and the best point) as "validation".
     */
    @SuppressWarnings("unchecked")
    private static void judge(Map<String, Object> m, FitPlan plan, @Nullable Judgement judgement) {
        JobFile job = plan.job;
        List<Object> terms = (List<Object>) Objects.requireNonNull(m.get("terms"), "of() puts the terms");
        for (int i = 0; i < terms.size(); i++) {
            Map<String, Object> t = (Map<String, Object>) terms.get(i);
            extras(t, plan, plan.references.get(i), judgement, "fit");
        }
        ((Map<String, Object>) Objects.requireNonNull(m.get("loss"), "of() puts the loss")).put("unit", lossUnit(plan));
        if (judgement != null) {
            Map<String, Object> overall = new LinkedHashMap<>();
            overall.put("fit", judgement.overall("fit"));
            if (!job.validation().isEmpty()) {
                overall.put("validation", judgement.overall("validation"));
            }
            m.put("metrics", overall);
        }
        if (job.validation().isEmpty()) {
            return;
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < job.validation().size(); i++) {
            JobFile.TermSpec spec = job.validation().get(i);
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", spec.name());
            t.put("kind", JobKeys.word(spec.kind()));
            t.put("weight", spec.weight());
            t.put("loss_type", JobKeys.word(spec.loss().type()));
            forcesWeight(t, spec);
            EvaluationContext a = judgement == null ? null : child(judgement.validationInitial(), i);
            EvaluationContext b = judgement == null ? null : child(judgement.validationBest(), i);
            // validation terms run under the skip policy so that one never stops the others; a failed one is FAILED
            t.put(
                    "status",
                    b == null
                            ? null
                            : b.failure() != null ? "FAILED" : b.status().name());
            Map<String, Object> loss = new LinkedHashMap<>();
            loss.put("initial", a == null ? null : num(a.value()));
            loss.put("best", b == null ? null : num(b.value()));
            t.put("loss", loss);
            Map<String, Object> computed = new LinkedHashMap<>();
            if (judgement != null) {
                for (org.chemfit.support.Predictions.Row r : org.chemfit.support.Predictions.of(
                        spec.name(),
                        b,
                        plan.validationReferences.get(i),
                        plan.validationItems.get(i),
                        plan.validationLengths.get(i))) {
                    ((List<Object>) computed.computeIfAbsent(r.quantity(), q -> new ArrayList<>())).add(r.model());
                }
            }
            t.put("computed", computed);
            t.put("reference", new LinkedHashMap<>(plan.validationReferences.get(i)));
            if (b != null && b.failure() != null) {
                t.put("failure", b.failure().getMessage());
            }
            extras(t, plan, plan.validationReferences.get(i), judgement, "validation");
            out.add(t);
        }
        m.put("validation", out);
    }

    /** Records the forces' weight of an atoms term that fits forces: its loss weighs two quantities. */
    private static void forcesWeight(Map<String, Object> t, JobFile.TermSpec spec) {
        if (spec.config() instanceof JobFile.AtomsConfig a && a.fitsForces()) {
            t.put("forces_weight", a.forcesWeight());
        }
    }

    private static void extras(
            Map<String, Object> t,
            FitPlan plan,
            Map<String, double[]> reference,
            @Nullable Judgement judgement,
            String set) {
        String name = String.valueOf(t.get("name"));
        Map<String, Object> units = new LinkedHashMap<>();
        for (String q : reference.keySet()) {
            units.put(q, plan.job.units().quantity(name, q));
        }
        t.put("units", units);
        List<JobFile.TermSpec> specs = set.equals("fit") ? plan.job.terms() : plan.job.validation();
        specs.stream().filter(x -> x.name().equals(name)).findFirst().ifPresent(spec -> {
            Map<String, String> same = new LinkedHashMap<>();
            stringValues(units).forEach((q, u) -> same.put(q, EnergyUnits.canonical(u))); // EV is eV
            t.put("loss_unit", lossUnit(spec, same));
            // which of its quantities' differences the loss divides by a scale (none: {}), so
            // that a reader, the loss plot's note among them, tells a loss made dimensionless
            // by a scale from one of quantities in unit 1
            t.put("loss_scales", new java.util.TreeMap<>(spec.loss().scales()));
        });
        JobFile.Coordinate c = plan.job.units().coordinates().get(name);
        if (c != null && plan.coordinates.containsKey(name)) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("column", c.column());
            cm.put("unit", c.unit());
            cm.put("values", plan.coordinates.get(name));
            t.put("coordinate", cm);
        }
        if (judgement != null) {
            t.put("metrics", judgement.metrics(set, name));
        }
    }

    /**
     * The unit of the job's loss, as {@code fit} and {@code eval} print it and results.json records
     * it: the loss is a weighted sum or mean of the terms' losses, so it has their unit when they
     * share one (those of weight 0, which the loss leaves out, left out too); a root mean (an RMSE) has the square root of it (K for terms in K^2, 1 for
     * dimensionless ones); "" otherwise, or when a root mean's terms are not in a unit squared.
     */
    static String lossUnit(FitPlan plan) {
        java.util.Set<String> units = new java.util.HashSet<>();
        for (int i = 0; i < plan.job.terms().size(); i++) {
            if (plan.job.terms().get(i).weight() == 0) {
                continue; // a term to monitor is no part of the loss, nor of its unit
            }
            units.add(termLossUnit(plan, i));
        }
        if (units.size() != 1) {
            return "";
        }
        String unit = units.iterator().next();
        return plan.job.combination().reducer() == org.chemfit.Reducer.ROOT_MEAN ? squareRoot(unit) : unit;
    }

    /**
     * @param plan the fit
     * @param i a term of the fit, by its place in the job
     * @return the unit of that term's loss, as {@link #lossUnit(JobFile.TermSpec, Map)} gives it
     */
    static String termLossUnit(FitPlan plan, int i) {
        return lossUnit(plan, plan.job.terms().get(i), plan.references.get(i));
    }

    private static String lossUnit(FitPlan plan, JobFile.TermSpec spec, Map<String, double[]> references) {
        Map<String, String> quantities = new LinkedHashMap<>();
        for (String q : references.keySet()) {
            // two spellings of one unit (eV, EV) give the loss one unit
            quantities.put(q, EnergyUnits.canonical(plan.job.units().quantity(spec.name(), q)));
        }
        return lossUnit(spec, quantities);
    }

    /**
     * @param plan the job's plan
     * @param i a validation term's index
     * @return its loss unit, as {@link #termLossUnit} gives a fit term's
     */
    static String validationLossUnit(FitPlan plan, int i) {
        return lossUnit(plan, plan.job.validation().get(i), plan.validationReferences.get(i));
    }

    /**
     * @param unit a loss unit, as {@link #lossUnit(JobFile.TermSpec, Map)} writes it
     * @return its square root: {@code K} of {@code K^2}, {@code eV/Å} of {@code (eV/Å)^2},
     *     {@code 1} of {@code 1}; "" when it is not a unit squared (an absolute error's)
     */
    static String squareRoot(String unit) {
        if (unit.equals("1")) {
            return "1";
        }
        if (unit.startsWith("(") && unit.endsWith(")^2")) {
            return unit.substring(1, unit.length() - 3);
        }
        if (unit.matches("\\p{L}+\\^2")) {
            return unit.substring(0, unit.length() - 2);
        }
        return "";
    }

    /**
     * The unit of a term's loss, from the units of its quantities: u^2 for a squared error of
     * quantities in u, u for an absolute error, 1 (dimensionless) for a relative error or for a
     * quantity whose differences are divided by a scale; "" when the quantities' parts have no one
     * unit (undeclared units, units that differ, or some quantities scaled and others not, whose
     * part keeps its unit).
     *
     * @param spec the term
     * @param units the unit of each of its quantities ("" when not declared)
     * @return the unit of its loss, or ""
     */
    static String lossUnit(JobFile.TermSpec spec, Map<String, String> units) {
        if (spec.loss().type() == JobFile.LossType.RELATIVE_ERROR) {
            return "1";
        }
        java.util.Set<String> distinct = new java.util.HashSet<>();
        for (Map.Entry<String, String> e : units.entrySet()) {
            distinct.add(spec.loss().scales().containsKey(e.getKey()) ? "1" : e.getValue());
        }
        if (distinct.equals(java.util.Set.of("1"))) {
            return "1";
        }
        if (distinct.size() != 1 || distinct.contains("")) {
            return "";
        }
        String u = distinct.iterator().next();
        return spec.loss().type() == JobFile.LossType.ABSOLUTE_ERROR
                ? u
                : (u.matches("\\p{L}+") ? u + "^2" : "(" + u + ")^2");
    }

    private static Map<String, String> stringValues(Map<String, ?> m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    /**
     * @param o a list of numbers, a number or a double[]
     * @return it as an array, or null when it is something else
     */
    static double @Nullable [] toArray(@Nullable Object o) {
        if (o instanceof double[] a) {
            return a;
        }
        if (o instanceof List<?> l) {
            double[] a = new double[l.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = l.get(i) instanceof Number n ? n.doubleValue() : Double.NaN;
            }
            return a;
        }
        if (o instanceof Number n) {
            return new double[] {n.doubleValue()};
        }
        return null;
    }

    private static @Nullable EvaluationContext child(@Nullable EvaluationContext ctx, int i) {
        return ctx == null || i >= ctx.children().size() ? null : ctx.child(i);
    }

    /**
     * The uncertainty's tree, with what its residual variance is of ("residuals": model minus
     * reference, when every residual carries the same weight; else "weighted residuals", as the
     * loss squares them) and its unit: the reference quantities' unit squared when all share one
     * (and, for weighted residuals, none is divided by a scale), else ""; terms of weight 0, which
     * give no residual, are left out.
     */
    private static Map<String, Object> uncertainty(FitPlan plan, org.chemfit.fit.Uncertainty u) {
        Map<String, Object> m = new LinkedHashMap<>(u.toMap());
        m.replaceAll((k, v) -> finite(v));
        // its warnings as the top-level ones have them: with a template's rounding as a possible cause
        m.put(
                "warnings",
                u.warnings().stream()
                        .map(w -> plan.withRoundingCause(w, u.noEffect()))
                        .toList());
        boolean errors = !Double.isNaN(org.chemfit.support.ResidualScale.commonFactor(plan.objective));
        java.util.Set<String> units = new java.util.HashSet<>();
        boolean scaled = false;
        List<JobFile.TermSpec> specs = plan.job.terms();
        for (int i = 0; i < specs.size(); i++) {
            if (specs.get(i).weight() == 0) {
                continue; // a monitored term gives no residual
            }
            for (String q : plan.references.get(i).keySet()) {
                units.add(EnergyUnits.canonical(
                        plan.job.units().quantity(specs.get(i).name(), q)));
            }
            scaled |= !specs.get(i).loss().scales().isEmpty();
        }
        String unit = "";
        if (units.size() == 1 && !units.contains("") && (errors || !scaled)) {
            String q = units.iterator().next();
            unit = q.matches("\\p{L}+") ? q + "^2" : "(" + q + ")^2";
        }
        m.put("residual_variance_of", errors ? "residuals" : "weighted residuals");
        m.put("residual_variance_unit", unit);
        return m;
    }

    /** The same tree with every NaN or infinite number replaced by null (JSON has no NaN). */
    @SuppressWarnings("unchecked")
    private static @Nullable Object finite(@Nullable Object o) {
        if (o instanceof Double d) {
            return num(d);
        }
        if (o instanceof Map<?, ?> map) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            ((Map<String, Object>) map).forEach((k, v) -> out.put(k, finite(v)));
            return out;
        }
        if (o instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object e : list) {
                out.add(finite(e));
            }
            return out;
        }
        return o;
    }

    private static @Nullable Object num(double d) {
        return Double.isFinite(d) ? d : null;
    }

    /**
     * Writes results.json aside and moves it into place, so that a reader (the dashboard, {@code
     * chemfit report}) never sees half a file; the file aside is deleted when the move fails. A
     * symbolic link in its place is replaced, not written through ({@link #unlinked}).
     *
     * @param folder the output folder
     * @param results what to write
     * @return the file written
     * @throws BaseCommand.UserException when it cannot be written, naming the file and the reason
     */
    static Path write(Path folder, Map<String, Object> results) {
        return writeJson(unlinked(folder.resolve(FILE)), results);
    }

    /**
     * Removes a symbolic link where a file of the output folder is to be written, so that the
     * write makes a file of the folder's own: one who can write in a shared folder could otherwise
     * plant a link there and have the fit write over a file of its user's elsewhere (a file given
     * on the command line, as {@code eval --json}'s, is written through its link instead).
     *
     * @param f a file of the output folder
     * @return f
     * @throws BaseCommand.UserException when the link cannot be removed
     */
    static Path unlinked(Path f) {
        if (Files.isSymbolicLink(f)) {
            try {
                Files.delete(f);
            } catch (IOException e) {
                throw new BaseCommand.UserException("cannot write " + f + ": it is a symbolic link, which a file of"
                        + " the output folder replaces, and it cannot be removed: " + Messages.reason(e));
            }
        }
        return f;
    }

    /**
     * Writes a JSON file as {@link #write} writes results.json: aside ({@code FILE.tmp}), then
     * moved into place. A symbolic link is written through, as a shell's {@code >} writes, and stays
     * a link; a device or a named pipe is written into, as no file can be moved into its place; and
     * this process's standard output or error ({@code /dev/stdout}, {@code /proc/self/fd/2}) is
     * written through the stream it has open, so that a log file a shell redirected it to keeps what
     * it holds and what the script writes next; another descriptor is refused.
     *
     * @param f the file to write
     * @param content what to write
     * @return the file written
     * @throws BaseCommand.UserException when it cannot be written, naming the file and the reason
     */
    static Path writeJson(Path f, Map<String, Object> content) {
        int fd = descriptor(f);
        if (fd == 1 || fd == 2) {
            // this process's own output: written through the stream it has open, after what it wrote
            // there and at the place the shell's redirection has reached, not by opening the path again
            // (a second opening has a place of its own, which the script's next line would overwrite)
            java.io.PrintStream out = fd == 1 ? System.out : System.err;
            try {
                out.write(JSON.writeValueAsBytes(content));
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                throw new BaseCommand.UserException("cannot write " + f + ": " + Messages.reason(e));
            }
            if (out.checkError()) {
                throw new BaseCommand.UserException("cannot write " + f + ": the standard "
                        + (fd == 1 ? "output" : "error") + " of this process cannot be written (is it closed?)");
            }
            return f;
        }
        if (fd != NO_DESCRIPTOR) {
            throw new BaseCommand.UserException("cannot write " + f + ": it names a descriptor other than this"
                    + " process's standard output or error; give a file, /dev/stdout or /dev/stderr");
        }
        if (Files.exists(f) && !Files.isRegularFile(f) && !Files.isDirectory(f)) {
            try (java.io.OutputStream out = Files.newOutputStream(f, java.nio.file.StandardOpenOption.WRITE)) {
                JSON.writeValue(out, content);
            } catch (IOException e) {
                throw new BaseCommand.UserException("cannot write " + f + ": " + Messages.reason(e));
            }
            return f;
        }
        writeAside(throughLinks(f), content);
        return f;
    }

    /** An open descriptor of a process, as Linux names it: /dev/stdout, /dev/fd/3, /proc/self/fd/1. */
    private static final java.util.regex.Pattern DESCRIPTOR =
            java.util.regex.Pattern.compile("/dev/(stdout|stderr|fd/(\\d+))|/proc/(self|thread-self|\\d+)/fd/(\\d+)");

    /** What {@link #descriptor} gives for a path that names no descriptor. */
    static final int NO_DESCRIPTOR = -1;

    /**
     * @param f a path
     * @return the number of the descriptor of this process that the path, or a symbolic link on its
     *     way, names (1 for /dev/stdout), -2 for one of another process, else {@link #NO_DESCRIPTOR}
     */
    static int descriptor(Path f) {
        for (Path hop : links(f)) {
            java.util.regex.Matcher m =
                    DESCRIPTOR.matcher(hop.toAbsolutePath().normalize().toString());
            if (m.matches()) {
                if (m.group(1) != null && !m.group(1).startsWith("fd/")) {
                    return m.group(1).equals("stdout") ? 1 : 2;
                }
                if (m.group(2) != null) {
                    return Integer.parseInt(m.group(2));
                }
                String process = m.group(3);
                boolean own = process.equals("self")
                        || process.equals("thread-self")
                        || process.equals(Long.toString(ProcessHandle.current().pid()));
                return own ? Integer.parseInt(m.group(4)) : -2;
            }
        }
        return NO_DESCRIPTOR;
    }

    /**
     * @param f a path
     * @return the file its symbolic links lead to (one that does not exist yet included), else f
     */
    static Path throughLinks(Path f) {
        List<Path> hops = links(f);
        return hops.get(hops.size() - 1);
    }

    /**
     * @param f a path
     * @return f and each path its symbolic links lead to in turn, the last one no link (or one that
     *     cannot be read: the write names it and says why it failed)
     * @throws BaseCommand.UserException for a loop of links, or a chain longer than the system follows
     */
    private static List<Path> links(Path f) {
        List<Path> hops = new ArrayList<>(List.of(f));
        Path at = f;
        while (Files.isSymbolicLink(at)) {
            if (hops.size() > 40) {
                // as the system says it
                throw new BaseCommand.UserException("cannot write " + f + ": too many levels of symbolic links");
            }
            try {
                Path parent = at.toAbsolutePath().getParent();
                Path to = Files.readSymbolicLink(at);
                at = parent == null ? to : parent.resolve(to);
            } catch (IOException | RuntimeException e) {
                break;
            }
            hops.add(at);
        }
        return hops;
    }

    /** Writes a JSON file aside ({@code f.tmp}) and moves it into place. */
    private static void writeAside(Path f, Map<String, Object> content) {
        // a link planted in the place of the file aside is not written through either
        Path tmp = unlinked(Path.of(f + ".tmp"));
        try {
            JSON.writeValue(tmp.toFile(), content);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new BaseCommand.UserException("cannot write " + f + ": " + Messages.reason(e));
        }
        moveIntoPlace(tmp, f);
    }

    /**
     * Moves a file written aside into its place in one step; when it cannot, deletes it.
     *
     * @param tmp the file written aside
     * @param f its place
     * @throws BaseCommand.UserException when it cannot be moved, naming the file and the reason
     */
    static void moveIntoPlace(Path tmp, Path f) {
        try {
            Files.move(
                    tmp,
                    f,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(tmp);
            // the system names the file moved; the user knows the file it was to become
            throw new BaseCommand.UserException("cannot write " + f + ": "
                    + (Files.isDirectory(f) ? "a folder of that name is in the way" : Messages.reason(e)));
        }
    }

    /** Removes a file left aside by a write that failed; one that cannot be removed stays (the error says why the write failed). */
    static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException | RuntimeException e) {
            // a folder in its place, or a read-only folder: the write's own error is the one to report
        }
    }

    /** The keys every results.json of this version holds, with the JSON type of each. */
    private static final Map<String, Class<?>> SHAPE = shape();

    private static Map<String, Class<?>> shape() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("job", Map.class);
        m.put("status", String.class);
        m.put("loss", Map.class);
        m.put("parameters", List.class);
        m.put("terms", List.class);
        m.put("evaluations", Map.class);
        m.put("timing", Map.class);
        return m;
    }

    /**
     * @param file a results.json
     * @return its content, checked to be in the shape this version writes (the keys the tables
     *     and plots read, each of its type)
     * @throws BaseCommand.UserException when it cannot be read, is not JSON (with the line and
     *     column), or is not a results file of this version (naming the key at fault)
     */
    static Map<String, Object> read(Path file) {
        Object content;
        try {
            content = JSON.readValue(file.toFile(), Object.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            throw new BaseCommand.UserException(file
                    + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
                    + ": not valid JSON: " + org.chemfit.support.JsonErrors.reason(e.getOriginalMessage())
                    + " (a results.json of chemfit fit was expected)");
        } catch (IOException e) {
            throw new BaseCommand.UserException("cannot read " + file + ": " + Messages.reason(e));
        }
        if (!(content instanceof Map<?, ?>)) {
            // another kind of file (an XYZ file begins with a number, which alone is JSON) or JSON
            // that is no object: not a results file of any version
            throw new BaseCommand.UserException(file + ": not a results.json written by chemfit fit: "
                    + (wholeJson(file)
                            ? "it holds " + jsonType(content) + ", not an object"
                            : "it is not JSON (it does not parse as an object)"));
        }
        String wrong = wrongShape(content);
        if (wrong != null) {
            throw new BaseCommand.UserException(
                    file + ": not a results file of this chemfit version (" + Version.get() + "): " + wrong);
        }
        @SuppressWarnings("unchecked") // wrongShape checked that it is a JSON object
        Map<String, Object> m = (Map<String, Object>) content;
        return m;
    }

    /** @return whether the whole file is JSON, not only its beginning (a number, then other text) */
    private static boolean wholeJson(Path file) {
        try {
            JSON.readerFor(Object.class)
                    .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readValue(file.toFile());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** @return what is wrong with the shape of a results.json's content, or null when nothing is */
    private static @Nullable String wrongShape(@Nullable Object content) {
        if (!(content instanceof Map<?, ?> m)) {
            return "it holds " + jsonType(content) + ", not an object";
        }
        for (Map.Entry<String, Class<?>> e : SHAPE.entrySet()) {
            Object v = m.get(e.getKey());
            if (v == null) {
                return "the key '" + e.getKey() + "' is missing";
            }
            if (!e.getValue().isInstance(v)) {
                return "'" + e.getKey() + "' is " + jsonType(v) + ", not " + jsonType(e.getValue());
            }
        }
        for (String list : List.of("parameters", "terms", "validation")) {
            if (m.get(list) instanceof List<?> l) {
                for (int i = 0; i < l.size(); i++) {
                    if (!(l.get(i) instanceof Map<?, ?>)) {
                        return "'" + list + "[" + i + "]' is " + jsonType(l.get(i)) + ", not an object";
                    }
                }
            } else if (m.get(list) != null) {
                return "'" + list + "' is " + jsonType(m.get(list)) + ", not a list";
            }
        }
        for (String map : List.of("uncertainty", "metrics")) {
            if (m.get(map) != null && !(m.get(map) instanceof Map<?, ?>)) {
                return "'" + map + "' is " + jsonType(m.get(map)) + ", not an object";
            }
        }
        if (m.get("warnings") != null && !(m.get("warnings") instanceof List<?>)) {
            return "'warnings' is " + jsonType(m.get("warnings")) + ", not a list";
        }
        // the numbers the tables and plots read: each a number, or null where there is none
        String wrong = notNumbers(m.get("loss"), "loss", List.of("best", "initial"));
        for (String list : List.of("parameters", "terms", "validation")) {
            if (wrong == null && m.get(list) instanceof List<?> l) {
                for (int i = 0; i < l.size() && wrong == null; i++) {
                    String at = list + "[" + i + "]"; // counted from 0, as the job file's messages count
                    wrong = notNumbers(l.get(i), at, NUMBERS_OF_ITEMS);
                    if (wrong == null && l.get(i) instanceof Map<?, ?> item) {
                        wrong = metricsShape(item.get("metrics"), at + ".metrics");
                    }
                }
            }
        }
        return wrong != null ? wrong : metricsShape(m.get("metrics"), "metrics");
    }

    /** The keys of an item of parameters, terms or validation that hold a number or null. */
    private static final List<String> NUMBERS_OF_ITEMS =
            List.of("initial", "best", "lower", "upper", "weight", "value", "contribution", "share", "seconds");

    /** The keys of a metrics entry (at the start or at the best point) that hold a number or null. */
    private static final List<String> METRIC_NUMBERS = List.of("count", "rmse", "mae", "max_abs_error", "r2");

    /**
     * @param v an object of results.json, or null
     * @param at where it is, for the message ("terms[1]", counted from 0)
     * @param keys its keys that hold a number or null (a parameter's {@code initial} and {@code best}
     *     may also be an object or a list, nested as in the job file)
     * @return what is wrong, or null when each of those keys present holds a number or null
     */
    private static @Nullable String notNumbers(@Nullable Object v, String at, List<String> keys) {
        if (!(v instanceof Map<?, ?> m)) {
            return null; // the shape above speaks of the object itself
        }
        for (String k : keys) {
            Object x = m.get(k);
            if (x != null && !(x instanceof Number) && !(x instanceof Map<?, ?>) && !(x instanceof List<?>)) {
                return "'" + at + "." + k + "' is " + jsonType(x) + ", not a number";
            }
        }
        return null;
    }

    /**
     * @param v the metrics of results.json (quantity, then {@code initial} and {@code best}, under
     *     {@code fit} and {@code validation} at the top), or null
     * @param at where they are, for the message
     * @return what is wrong with a number in them, or null
     */
    private static @Nullable String metricsShape(@Nullable Object v, String at) {
        if (!(v instanceof Map<?, ?> m)) {
            return v == null ? null : "'" + at + "' is " + jsonType(v) + ", not an object";
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String here = at + "." + e.getKey();
            if (e.getKey().equals("initial") || e.getKey().equals("best")) {
                if (e.getValue() != null && !(e.getValue() instanceof Map<?, ?>)) {
                    return "'" + here + "' is " + jsonType(e.getValue()) + ", not an object";
                }
                String wrong = notNumbers(e.getValue(), here, METRIC_NUMBERS);
                if (wrong != null) {
                    return wrong;
                }
            } else if (e.getValue() instanceof Map<?, ?>) {
                String wrong = metricsShape(e.getValue(), here);
                if (wrong != null) {
                    return wrong;
                }
            }
        }
        return null;
    }

    /** @return a JSON value's type in JSON's words */
    private static String jsonType(@Nullable Object v) {
        if (v == null) {
            return "null";
        }
        return jsonType(v.getClass());
    }

    private static String jsonType(Class<?> c) {
        if (Map.class.isAssignableFrom(c)) {
            return "an object";
        }
        if (List.class.isAssignableFrom(c)) {
            return "a list";
        }
        if (String.class.isAssignableFrom(c)) {
            return "a string";
        }
        if (Number.class.isAssignableFrom(c)) {
            return "a number";
        }
        if (Boolean.class.isAssignableFrom(c)) {
            return "true or false";
        }
        return "a value";
    }

    /** @return whether the fit's first evaluation (number 0, the start) was degraded: a failure policy stood in */
    private static boolean startDegraded(EvaluationLog log) {
        synchronized (log.history) {
            for (double[] h : log.history) {
                if (h[0] == 0) {
                    return h[4] == 1;
                }
            }
        }
        return false;
    }
}
