package org.chemfit.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.chemfit.EvaluationContext;
import org.chemfit.support.Metrics;
import org.chemfit.support.Predictions;
import org.jspecify.annotations.Nullable;

/**
 * How well a fit's model does on its fit terms and its validation terms, at the initial and at the
 * best parameters: the predictions (model beside each reference value, computed by the library's
 * {@link Predictions}) and their {@link Metrics}, as written to {@code results.json},
 * {@code predictions.csv} and the closing table.
 *
 * <pre>{@code
 * Judgement j = Judgement.of(plan, firstContext, result.breakdown(), plan.evaluateValidation(initial),
 *         plan.evaluateValidation(best));
 * j.writeCsv(folder);
 * }</pre>
 *
 * @param fitInitial the evaluation context at the initial parameters, or null
 * @param fitBest the evaluation context at the best parameters, or null
 * @param validationInitial the validation terms' context at the initial parameters, or null
 * @param validationBest the validation terms' context at the best parameters, or null
 * @param plan the fit's plan (term names, references, units)
 * @param rows the rows of every fit term, then every validation term, built once by {@link #of}
 * @param byTerm the same rows by set and term ({@link #key}), so that the metrics of each term read
 *     its own rows rather than all of them
 * @implNote Immutable once built; the contexts are read, never changed.
 */
record Judgement(
        FitPlan plan,
        EvaluationContext fitInitial,
        EvaluationContext fitBest,
        @Nullable EvaluationContext validationInitial,
        @Nullable EvaluationContext validationBest,
        List<Row> rows,
        Map<String, List<Row>> byTerm) {

    static final String FILE = "predictions.csv";

    /**
     * The set of the rows of a fit term of weight 0 (in predictions.csv, the tables and the plots):
     * monitored, in no loss and in none of the fit's values.
     */
    static final String MONITORED = "monitored";

    /**
     * @param term a fit term as results.json lists it (a map with its {@code weight})
     * @return whether it is a fit term of weight 0, monitored
     */
    static boolean monitored(@Nullable Object term) {
        return term instanceof Map<?, ?> m && m.get("weight") instanceof Number w && w.doubleValue() == 0;
    }

    /** One row of predictions.csv: a reference value with the model's value at the start and at the best point. */
    record Row(
            String set,
            String term,
            String item,
            String quantity,
            double reference,
            double initial,
            double best,
            String unit) {
        double residual() {
            return best - reference;
        }
    }

    static Judgement of(
            FitPlan plan,
            EvaluationContext fitInitial,
            EvaluationContext fitBest,
            @Nullable EvaluationContext validationInitial,
            @Nullable EvaluationContext validationBest) {
        // the predictions of every term, computed once: the metrics of each term and of each set read them
        List<Row> rows = new ArrayList<>();
        rows(plan, "fit", plan.job.terms(), plan.references, plan.items, plan.lengths, fitInitial, fitBest, rows);
        rows(
                plan,
                "validation",
                plan.job.validation(),
                plan.validationReferences,
                plan.validationItems,
                plan.validationLengths,
                validationInitial,
                validationBest,
                rows);
        Map<String, List<Row>> byTerm = new LinkedHashMap<>();
        for (Row r : rows) {
            // a monitored term is one of the fit's terms, looked up as such
            byTerm.computeIfAbsent(key(r.set().equals(MONITORED) ? "fit" : r.set(), r.term()), k -> new ArrayList<>())
                    .add(r);
        }
        return new Judgement(
                plan, fitInitial, fitBest, validationInitial, validationBest, List.copyOf(rows), Map.copyOf(byTerm));
    }

    /** @return the key of a term's rows in {@link #byTerm} */
    private static String key(String set, String term) {
        return set + '\0' + term;
    }

    private static void rows(
            FitPlan plan,
            String set,
            List<JobFile.TermSpec> specs,
            List<Map<String, double[]>> refs,
            List<List<String>> items,
            List<Map<String, int[]>> lengths,
            @Nullable EvaluationContext initial,
            @Nullable EvaluationContext best,
            List<Row> out) {
        for (int i = 0; i < specs.size(); i++) {
            String name = specs.get(i).name();
            // a fit term of weight 0 is monitored: its rows say so, and are in none of the fit's values
            String rowSet = set.equals("fit") && specs.get(i).weight() == 0 ? MONITORED : set;
            List<Predictions.Row> a =
                    Predictions.of(name, child(initial, i), refs.get(i), items.get(i), lengths.get(i));
            List<Predictions.Row> b = Predictions.of(name, child(best, i), refs.get(i), items.get(i), lengths.get(i));
            for (int k = 0; k < a.size(); k++) {
                Predictions.Row r = a.get(k);
                out.add(new Row(
                        rowSet,
                        name,
                        r.item(),
                        r.quantity(),
                        r.reference(),
                        r.model(),
                        b.get(k).model(),
                        // two spellings of one unit (EV and eV) are one unit in the metrics and plots
                        EnergyUnits.canonical(plan.job.units().quantity(name, r.quantity()))));
            }
        }
    }

    private static @Nullable EvaluationContext child(@Nullable EvaluationContext ctx, int i) {
        return ctx == null || i >= ctx.children().size() ? null : ctx.child(i);
    }

    /**
     * @param set "fit" or "validation"
     * @param term a term's name
     * @return per quantity: its unit and the metrics at the start and at the best point
     */
    Map<String, Object> metrics(String set, String term) {
        Map<String, List<Row>> byQuantity = new LinkedHashMap<>();
        for (Row r : byTerm.getOrDefault(key(set, term), List.of())) {
            byQuantity.computeIfAbsent(r.quantity(), q -> new ArrayList<>()).add(r);
        }
        return metrics(byQuantity);
    }

    /**
     * @param set "fit" or "validation"
     * @return per quantity, over all terms of the set (of the fit, those fitted: a term of weight 0
     *     is monitored, not fitted): its unit and the metrics at the start and at the best point; a
     *     quantity name used with two units is keyed "name (unit)" for each
     */
    Map<String, Object> overall(String set) {
        // the rows of a monitored term are of set MONITORED, not of the fit's
        // units compared as one when they are spellings of one (eV/A, eV/Å), named as the first row of each spells it
        Map<String, Map<String, String>> units = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.set().equals(set)) {
                units.computeIfAbsent(r.quantity(), q -> new LinkedHashMap<>())
                        .putIfAbsent(EnergyUnits.sameUnit(r.unit()), r.unit());
            }
        }
        Map<String, List<Row>> byQuantity = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.set().equals(set)) {
                // every row's quantity was put in units just above
                Map<String, String> spelt = Objects.requireNonNull(units.get(r.quantity()));
                String key = spelt.size() > 1
                        ? r.quantity() + " (" + spelt.get(EnergyUnits.sameUnit(r.unit())) + ")"
                        : r.quantity();
                byQuantity.computeIfAbsent(key, q -> new ArrayList<>()).add(r);
            }
        }
        Map<String, Object> out = metrics(byQuantity);
        // how many terms each quantity is over, so that its row is named for them ("(1 of 2)" for
        // forces that one of two terms has), not for all terms of the set
        byQuantity.forEach((q, rs) -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) Objects.requireNonNull(out.get(q));
            m.put("terms", rs.stream().map(Row::term).distinct().count());
        });
        return out;
    }

    /**
     * The metrics of each quantity at the start and at the best point, each over the points with a
     * value there: a term that failed at one end (an external program that crashed at the start,
     * under {@code on_failure: penalty}) leaves its points out of that end only, and each end's
     * {@code count} says how many points it is over.
     */
    private static Map<String, Object> metrics(Map<String, List<Row>> byQuantity) {
        Map<String, Object> out = new LinkedHashMap<>();
        byQuantity.forEach((q, rs) -> {
            double[] ref = rs.stream().mapToDouble(Row::reference).toArray();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("unit", rs.get(0).unit());
            m.put(
                    "initial",
                    map(Metrics.of(ref, rs.stream().mapToDouble(Row::initial).toArray())));
            m.put("best", map(Metrics.of(ref, rs.stream().mapToDouble(Row::best).toArray())));
            out.put(q, m);
        });
        return out;
    }

    static Map<String, Object> map(Metrics m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", m.count());
        out.put("rmse", num(m.rmse()));
        out.put("mae", num(m.mae()));
        out.put("max_abs_error", num(m.maxAbsError()));
        out.put("r2", num(m.r2()));
        return out;
    }

    private static @Nullable Object num(double d) {
        return Double.isFinite(d) ? d : null;
    }

    /**
     * Writes predictions.csv: set, term, item (structure or element index), quantity, reference,
     * model at the start, model at the best point, residual (best - reference), unit.
     *
     * <p>Written aside and moved into place, as results.json is, so that the live dashboard
     * reading it never sees half a file.
     *
     * @param folder the output folder
     * @return the file written
     * @throws BaseCommand.UserException when it cannot be written, naming the file and the reason
     */
    Path writeCsv(Path folder) {
        Path f = folder.resolve(FILE);
        Path tmp = Results.unlinked(folder.resolve(FILE + ".tmp"));
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write("set,term,item,quantity,reference,model_initial,model_best,residual,unit");
            w.newLine();
            for (Row r : rows) {
                w.write(String.join(
                        ",",
                        r.set(),
                        csv(r.term()),
                        csv(r.item()),
                        csv(r.quantity()),
                        d(r.reference()),
                        d(r.initial()),
                        d(r.best()),
                        d(r.residual()),
                        csv(r.unit())));
                w.newLine();
            }
        } catch (IOException e) {
            Results.deleteQuietly(tmp);
            throw new BaseCommand.UserException("cannot write " + f + ": " + Messages.reason(e));
        }
        Results.moveIntoPlace(tmp, f);
        return f;
    }

    /** @return a CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180) */
    static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")
                ? "\"" + s.replace("\"", "\"\"") + "\""
                : s;
    }

    private static String d(double v) {
        return Double.isFinite(v) ? csvNumber(v) : "";
    }

    /**
     * @param v a number
     * @return it for a CSV file, with digits that read back to it exactly: from 1e-4 to below 1e16
     *     as a plain decimal ({@code 0.000285}, where Java writes {@code 2.85E-4}, beside
     *     {@code 0.0052}; a whole number with its {@code .0}, {@code 12345678.0}), outside it with an
     *     exponent ({@code 1.5e-7}, {@code 2.0e16});
     *     {@code Infinity} and {@code NaN} as Java writes them
     */
    static String csvNumber(double v) {
        String s = Double.toString(v);
        double a = Math.abs(v);
        if (s.indexOf('E') < 0) {
            return s;
        }
        if (a >= 1e-4 && a < 1e16) {
            String plain = new java.math.BigDecimal(s).stripTrailingZeros().toPlainString();
            // a whole number as Java writes those below 1e7 (1234567.0), so that a column reads as decimals
            return plain.indexOf('.') < 0 ? plain + ".0" : plain;
        }
        return s.replace('E', 'e');
    }

    /**
     * The table of metrics for the closing summary and {@code report}, from a results map.
     *
     * @param results the results map (as in results.json)
     * @return rows (a header first), or just the header when there are no metrics
     */
    @SuppressWarnings("unchecked")
    static List<List<String>> table(Map<String, Object> results) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of(
                "set",
                "term",
                "quantity",
                "unit",
                "n",
                "RMSE start",
                "RMSE best",
                "MAE best",
                "max|err| best",
                "R^2 best"));
        for (String set : List.of("terms", "validation")) {
            if (!(results.get(set) instanceof List<?> terms)) {
                continue;
            }
            Map<?, ?> overall = results.get("metrics") instanceof Map<?, ?> all
                            && all.get(set.equals("terms") ? "fit" : "validation") instanceof Map<?, ?> o
                    ? o
                    : null;
            for (Object o : withOverall(terms, overall, set.equals("terms"))) {
                Map<String, Object> t = (Map<String, Object>) o;
                if (!(t.get("metrics") instanceof Map<?, ?> metrics)) {
                    continue;
                }
                for (Map.Entry<?, ?> e : metrics.entrySet()) {
                    Map<String, Object> m = (Map<String, Object>) e.getValue();
                    Map<String, Object> a = (Map<String, Object>) m.getOrDefault("initial", Map.of());
                    Map<String, Object> b = (Map<String, Object>) m.getOrDefault("best", Map.of());
                    String unit = String.valueOf(m.getOrDefault("unit", ""));
                    rows.add(List.of(
                            set.equals("terms") ? (monitored(t) ? MONITORED : "fit") : "validation",
                            String.valueOf(t.get("name")),
                            String.valueOf(e.getKey()),
                            unit.isEmpty() ? "-" : unit,
                            counts(a.get("count"), b.get("count")),
                            g(a.get("rmse")),
                            g(b.get("rmse")),
                            g(b.get("mae")),
                            g(b.get("max_abs_error")),
                            g(b.get("r2"))));
                }
            }
        }
        return rows;
    }

    /**
     * The terms of a set as the tables of metrics list them ({@link #table} for {@code fit} and
     * {@code report}, and {@code eval}): first the entries over the set's terms ({@link #overall}),
     * when there are two terms or more, then the terms one by one. The row of a quantity over the
     * set's terms is named for the terms it is over: {@code "(all N)"} when all N terms of the set
     * have it; of the fit's terms, those of weight 0 are monitored, not fitted, and {@link #overall}
     * leaves them out, so a quantity of every fitted term is over {@code "(fitted K of N)"} (their
     * own rows are of set {@value #MONITORED}); one that only some terms have is over
     * {@code "(K of N)"}. Quantities whose rows have the same name share an entry (two quantities
     * over two of three terms each are both "(2 of 3)", whichever two terms they are over). The dashboard names these
     * rows alike (app.js, {@code overallName}).
     *
     * @param terms the set's terms, each a map with its {@code name}, {@code weight} and
     *     {@code metrics} (as in results.json)
     * @param overall the metrics over all terms of the set, each quantity's with the number of terms
     *     it is over ({@code terms}; a results.json written before it was counted has none: the
     *     quantity is then taken to be over every fitted term), or null when there are none
     * @param fit whether the set is the fit's (whose terms of weight 0 the overall leaves out)
     * @return the entries to list, in order
     */
    static List<Object> withOverall(List<?> terms, @Nullable Map<?, ?> overall, boolean fit) {
        List<Object> out = new ArrayList<>();
        long fitted = fit ? terms.stream().filter(o -> !monitored(o)).count() : terms.size();
        if (terms.size() > 1 && overall != null && fitted > 0) {
            // one row per quantity over the set's terms, then the terms one by one
            Map<String, Map<Object, Object>> byName = new LinkedHashMap<>();
            overall.forEach(
                    (q, m) -> byName.computeIfAbsent(overallName(terms.size(), fitted, m), n -> new LinkedHashMap<>())
                            .put(q, m));
            byName.forEach((name, metrics) -> {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("name", name);
                t.put("metrics", metrics);
                out.add(t);
            });
        }
        out.addAll(terms);
        return out;
    }

    /**
     * @param all the number of terms of the set
     * @param fitted how many of them are fitted
     * @param metrics a quantity's metrics over the set's terms, with the number of terms it is over
     * @return the name of its row: "(all 3)", "(fitted 2 of 3)" or "(1 of 3)"
     */
    private static String overallName(long all, long fitted, @Nullable Object metrics) {
        long over = metrics instanceof Map<?, ?> m && m.get("terms") instanceof Number n ? n.longValue() : fitted;
        return over == all
                ? "(all " + all + ")"
                : over == fitted ? "(fitted " + fitted + " of " + all + ")" : "(" + over + " of " + all + ")";
    }

    /**
     * @return the best point's count, followed by the start's when it differs ({@code "3 (6 at the
     *     start)"}): the RMSE at the start is over the start's points
     */
    private static String counts(@Nullable Object start, @Nullable Object best) {
        String b = String.valueOf(best);
        return start == null || String.valueOf(start).equals(b) ? b : b + " (" + start + " at the start)";
    }

    /** Four significant digits: enough to compare errors, short enough for a table; "-" for none or NaN. */
    static String g(@Nullable Object o) {
        if (!(o instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.4g", n.doubleValue());
    }
}
