package org.chemfit.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.chemfit.EvaluationContext;
import org.chemfit.Reducer;
import org.jspecify.annotations.NullUnmarked;

/**
 * Plain-text tables of a fit's results: parameters and the per-term breakdown.
 *
 * @implNote Stateless.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class Tables {

    private Tables() {}

    /**
     * Prints the closing summary of a results map (as written to results.json).
     *
     * @param out where to print
     * @param r the results
     */
    @SuppressWarnings("unchecked")
    static void summary(PrintWriter out, Map<String, Object> r) {
        Map<String, Object> job = (Map<String, Object>) r.get("job");
        Map<String, Object> loss = (Map<String, Object>) r.get("loss");
        Map<String, Object> ev = (Map<String, Object>) r.get("evaluations");
        Map<String, Object> timing = (Map<String, Object>) r.get("timing");
        Object status = r.get("status");
        String stop = r.get("stop_reason") == null
                ? ""
                : r.get("stop_reason").toString().toLowerCase(Locale.ROOT).replace('_', ' ');
        int total = ev.get("total") instanceof Number t ? t.intValue() : 0;
        // a failed fit counts the evaluations that failed in its total: they ran, but did not complete
        int failed = ev.get("failed") instanceof Number f ? Math.min(f.intValue(), total) : 0;
        // rounds (batches evaluated at once) say something only when fewer than the evaluations
        String rounds = ev.get("rounds") instanceof Number n && n.intValue() > 0 && n.intValue() < total
                ? " in " + count(n.intValue(), "round")
                : "";
        // what was not computed in this attempt, said in one bracket
        List<String> notRun = new ArrayList<>();
        // a resumed fit took these from the journal; the time is that of the others
        if (ev.get("replayed") instanceof Number n && n.intValue() > 0) {
            notRun.add(n.intValue() + " replayed from the journal");
        }
        // points the method asked for again: their results were recorded, nothing ran
        if (ev.get("repeated") instanceof Number n && n.intValue() > 0) {
            notRun.add(count(n.intValue(), "point") + " asked for again, not run again");
        }
        // terms that evaluations cut off by an earlier attempt's stop had finished: not run again
        if (ev.get("cut_off_terms_replayed") instanceof Number n && n.intValue() > 0) {
            notRun.add(count(n.intValue(), "finished term") + " of evaluations cut off taken from the journal");
        }
        String replayed = notRun.isEmpty() ? "" : " (" + String.join("; ", notRun) + ")";
        out.printf(
                Locale.ROOT,
                "%s: %s%s %s%s%s, %s s%s (%s)%n",
                job.get("name"),
                status,
                stop.isEmpty() || stop.equals(String.valueOf(status)) ? "" : " (" + stop + ")",
                "failed".equals(status) && total <= failed
                        ? "before any evaluation completed"
                        : "after "
                                + (failed > 0
                                        ? count(total - failed, "completed evaluation")
                                        : count(total, "evaluation")),
                rounds,
                replayed,
                timing.get("wall_seconds") instanceof Number n
                        ? String.format(Locale.ROOT, "%.2f", n.doubleValue())
                        : "-",
                // the held-out terms ran after the fit, outside its time
                timing.get("validation_seconds") instanceof Number v
                        ? String.format(Locale.ROOT, " + %.2f s of validation", v.doubleValue())
                        : "",
                r.get("method"));
        String lossUnit = loss.get("unit") == null ? "" : loss.get("unit").toString();
        out.printf(
                Locale.ROOT,
                "loss: %s (initial %s%s)%n%n",
                fmt(loss.get("best"), lossUnit),
                fmt(loss.get("initial"), lossUnit),
                !Boolean.TRUE.equals(loss.get("initial_degraded"))
                        ? ""
                        : r.get("combination") instanceof Map<?, ?> c && "skip".equals(c.get("on_failure"))
                                ? ", without a term that failed there and was skipped"
                                : ", with a failed term's penalty in it: not the model's loss");
        List<List<String>> rows = new ArrayList<>();
        Map<String, Object> unc = r.get("uncertainty") instanceof Map<?, ?> u ? (Map<String, Object>) u : null;
        Map<String, Object> se =
                unc == null ? Map.of() : (Map<String, Object>) unc.getOrDefault("standard_errors", Map.of());
        List<Object> atBound = unc == null ? List.of() : (List<Object>) unc.getOrDefault("at_bound", List.of());
        List<Object> noEffect = unc == null ? List.of() : (List<Object>) unc.getOrDefault("no_effect", List.of());
        rows.add(
                unc == null
                        ? List.of("parameter", "unit", "initial", "best", "bounds", "")
                        : List.of("parameter", "unit", "initial", "best", "std error", "bounds", ""));
        for (Object o : (List<Object>) r.get("parameters")) {
            Map<String, Object> p = (Map<String, Object>) o;
            String bounds = p.get("lower") == null && p.get("upper") == null
                    ? ""
                    : "[" + (p.get("lower") == null ? "-inf" : fmt(p.get("lower"))) + ", "
                            + (p.get("upper") == null ? "inf" : fmt(p.get("upper"))) + "]";
            String name = String.valueOf(p.get("name"));
            Object unit = p.get("unit");
            String u = unit == null || unit.toString().isEmpty() ? "-" : unit.toString();
            // equal bounds hold a parameter as fixed: true does
            boolean pinned = p.get("lower") instanceof Number lo
                    && p.get("upper") instanceof Number hi
                    && lo.doubleValue() == hi.doubleValue();
            String note = Boolean.TRUE.equals(p.get("fixed")) || pinned
                    ? "fixed"
                    : atBound.contains(name) ? "at bound" : noEffect.contains(name) ? "no effect" : "";
            if (unc == null) {
                rows.add(List.of(name, u, fmt(p.get("initial")), fmt(p.get("best")), bounds, note));
            } else {
                rows.add(List.of(name, u, fmt(p.get("initial")), fmt(p.get("best")), fmt(se.get(name)), bounds, note));
            }
        }
        print(out, rows);
        out.println();
        if (unc != null) {
            uncertainty(out, unc);
        }
        terms(out, (List<Object>) r.get("terms"), lossUnit);
        List<List<String>> metrics = Judgement.table(r);
        if (metrics.size() > 1) {
            out.println();
            print(out, metrics);
        }
        List<Object> validation = (List<Object>) r.getOrDefault("validation", List.of());
        if ("interrupted".equals(r.get("status"))
                && !validation.isEmpty()
                && validation.stream().allMatch(o -> ((Map<String, Object>) o).get("status") == null)) {
            // their rows are empty: said here too, for chemfit report, which did not see the fit stop
            out.println("the validation terms are not evaluated: the fit was interrupted (they are when it ends:"
                    + " run the same command to resume)");
        }
        for (Object o : validation) {
            Map<String, Object> v = (Map<String, Object>) o;
            if ("FAILED".equals(v.get("status"))) {
                out.println("validation term '" + v.get("name") + "' failed at the best parameters: "
                        + FirstFailures.reason(String.valueOf(v.get("failure"))));
            }
        }
        for (Object w : (List<Object>) r.getOrDefault("warnings", List.of())) {
            out.println("warning: " + w);
        }
    }

    /**
     * @param n a count
     * @param noun its noun, singular
     * @return "1 noun" or "n nouns"
     */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** The most parameters whose correlation matrix is printed whole (8 columns fit a terminal of 120). */
    static final int MATRIX_MAX = 8;

    /** The |correlation| from which a pair is listed when the matrix is too wide to print. */
    static final double STRONG = 0.9;

    /** The most pairs listed. */
    static final int PAIRS_MAX = 20;

    /**
     * Prints, for a matrix too wide for a terminal, the pairs of parameters whose correlation is
     * {@link #STRONG} or more in magnitude, the strongest first, and where the whole matrix is.
     */
    @SuppressWarnings("unchecked")
    private static void strongPairs(PrintWriter out, List<Object> names, List<Object> cor) {
        record Pair(String a, String b, double r) {}
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            List<Object> row = (List<Object>) cor.get(i);
            for (int j = i + 1; j < names.size() && j < row.size(); j++) {
                if (row.get(j) instanceof Number d && Math.abs(d.doubleValue()) >= STRONG) {
                    pairs.add(new Pair(String.valueOf(names.get(i)), String.valueOf(names.get(j)), d.doubleValue()));
                }
            }
        }
        pairs.sort((x, y) -> Double.compare(Math.abs(y.r()), Math.abs(x.r())));
        out.printf(
                Locale.ROOT,
                "correlation of %d parameters: the matrix is in results.json (uncertainty.correlation) and"
                        + " plots/correlation.svg; %s%n",
                names.size(),
                pairs.isEmpty()
                        ? "no pair reaches " + STRONG + " in magnitude"
                        : count(pairs.size(), "pair") + " at " + STRONG + " or more in magnitude"
                                + (pairs.size() > PAIRS_MAX ? ", the " + PAIRS_MAX + " strongest:" : ":"));
        if (!pairs.isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("parameter", "parameter", "correlation"));
            for (Pair p : pairs.subList(0, Math.min(PAIRS_MAX, pairs.size()))) {
                rows.add(List.of(p.a(), p.b(), String.format(Locale.ROOT, "%.3f", p.r())));
            }
            print(out, rows);
        }
    }

    /** Prints the correlation matrix and condition number of a results map's "uncertainty". */
    @SuppressWarnings("unchecked")
    static void uncertainty(PrintWriter out, Map<String, Object> unc) {
        List<Object> names = (List<Object>) unc.getOrDefault("estimated", List.of());
        List<Object> cor = (List<Object>) unc.getOrDefault("correlation", List.of());
        // a matrix of '-' only (no standard errors, so no correlations) says nothing: left out
        boolean any = cor.stream()
                .anyMatch(row -> row instanceof List<?> l && l.stream().anyMatch(c -> c instanceof Number));
        if (names.size() > MATRIX_MAX && cor.size() == names.size() && any) {
            strongPairs(out, names, cor);
        } else if (names.size() >= 2 && cor.size() == names.size() && any) {
            List<List<String>> rows = new ArrayList<>();
            List<String> head = new ArrayList<>();
            head.add("correlation");
            for (Object n : names) {
                head.add(String.valueOf(n));
            }
            rows.add(head);
            for (int i = 0; i < names.size(); i++) {
                List<String> row = new ArrayList<>();
                row.add(String.valueOf(names.get(i)));
                for (Object c : (List<Object>) cor.get(i)) {
                    row.add(c instanceof Number d ? String.format(Locale.ROOT, "%.3f", d.doubleValue()) : "-");
                }
                rows.add(row);
            }
            print(out, rows);
        }
        Object unit = unc.get("residual_variance_unit");
        out.printf(
                Locale.ROOT,
                "uncertainty from %s: residual variance %s%s%s, %s%n%n",
                unc.get("residuals") instanceof Number n && n.doubleValue() == 1
                        ? "1 residual"
                        : fmt(unc.get("residuals")) + " residuals",
                fmt(unc.get("residual_variance")),
                unit instanceof String u && !u.isEmpty() ? " " + u : "",
                "weighted residuals".equals(unc.get("residual_variance_of")) ? " (of the weighted residuals)" : "",
                // no condition number with parameters estimated: J^T J is singular (an infinite one)
                unc.get("condition_number") instanceof Number || names.isEmpty()
                        ? "condition number of J^T J, its columns scaled to unit length, "
                                + fmt(unc.get("condition_number"))
                        : "J^T J singular");
    }

    /**
     * Each term's part of the loss, so that the parts add up to it: under {@code sum} the weighted
     * loss {@code w_i f_i}; under {@code mean} that over the number of terms of non-zero weight not
     * skipped, {@code n} (a monitored term of weight 0 is none of them);
     * under {@code root_mean}, whose loss {@code sqrt(sum / n)} is no sum of parts, the loss split
     * in proportion to {@code w_i f_i} (each part 0 when the loss is 0). A skipped term has none
     * (NaN).
     *
     * @param parent an evaluated combination (its children are the terms)
     * @param reducer how the combination reduced them
     * @return the part of each child, in order
     */
    static double[] contributions(EvaluationContext parent, Reducer reducer) {
        int size = parent.children().size();
        double[] out = new double[size];
        double sum = 0;
        int n = 0;
        for (EvaluationContext c : parent.children()) {
            if (c.status() != EvaluationContext.Status.SKIPPED && c.weight() != 0) {
                n++;
                sum += c.contribution();
            }
        }
        for (int i = 0; i < size; i++) {
            double w = parent.child(i).contribution();
            out[i] = switch (reducer) {
                case SUM -> w;
                case MEAN -> n == 0 ? 0.0 : w / n;
                // a loss of 0 has every weighted loss 0 (none is negative): each part is 0, not 0 / 0
                case ROOT_MEAN -> sum > 0 ? parent.value() * (w / sum) : sum == 0 && w == 0 ? 0.0 : Double.NaN;
            };
        }
        return out;
    }

    /**
     * The units of the term table's loss and contribution columns: a term's loss is in the unit of
     * its own quantities' errors, a contribution in the job's loss unit (the contributions add up
     * to the loss). A unit the terms share is given once, in the heading; units that differ, with
     * each loss.
     *
     * @param lossHeading the loss column's heading
     * @param contributionHeading the contribution column's heading
     * @param cellUnits the unit printed after each term's loss ("" for none)
     */
    record LossColumns(String lossHeading, String contributionHeading, List<String> cellUnits) {

        /**
         * @param termUnits each term's loss unit, in the table's order ("" when it has none)
         * @param lossUnit the job's loss unit ("" when it has none)
         * @return the headings and the units of the cells
         */
        static LossColumns of(List<String> termUnits, String lossUnit) {
            java.util.Set<String> distinct = new java.util.HashSet<>(termUnits);
            boolean shared = distinct.size() == 1;
            String one = shared ? termUnits.get(0) : "";
            return new LossColumns(
                    heading("loss", one),
                    heading("contribution", lossUnit),
                    shared ? java.util.Collections.nCopies(termUnits.size(), "") : termUnits);
        }

        private static String heading(String name, String unit) {
            // "1" (a loss its scales made dimensionless) is no unit to name
            return unit.isEmpty() || unit.equals("1") ? name : name + " (" + unit + ")";
        }
    }

    /**
     * @param out where to print
     * @param terms the "terms" list of a results map
     * @param lossUnit the job's loss unit ("" when it has none)
     */
    @SuppressWarnings("unchecked")
    static void terms(PrintWriter out, List<Object> terms, String lossUnit) {
        List<String> units = new ArrayList<>();
        for (Object o : terms) {
            Object u = ((Map<String, Object>) o).get("loss_unit");
            units.add(u == null ? "" : u.toString());
        }
        LossColumns columns = LossColumns.of(units, lossUnit);
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of(
                "term", "kind", "weight", columns.lossHeading(), columns.contributionHeading(), "share", "status"));
        for (int i = 0; i < terms.size(); i++) {
            Map<String, Object> t = (Map<String, Object>) terms.get(i);
            Object share = t.get("share");
            rows.add(List.of(
                    String.valueOf(t.get("name")),
                    String.valueOf(t.get("kind")),
                    fmt(t.get("weight")),
                    fmt(t.get("value"), columns.cellUnits().get(i)),
                    fmt(t.get("contribution")),
                    share instanceof Number s ? String.format(Locale.ROOT, "%.1f%%", 100 * s.doubleValue()) : "-",
                    t.get("status") == null ? "-" : t.get("status").toString().toLowerCase(Locale.ROOT)));
        }
        print(out, rows);
    }

    static void print(PrintWriter out, List<List<String>> rows) {
        int cols = rows.get(0).size();
        int[] w = new int[cols];
        for (List<String> row : rows) {
            for (int c = 0; c < cols; c++) {
                w[c] = Math.max(w[c], row.get(c).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < cols; c++) {
                sb.append(row.get(c));
                if (c < cols - 1) {
                    sb.append(" ".repeat(w[c] - row.get(c).length() + 2));
                }
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    /**
     * @param o a number, or something else printed as "-"
     * @param unit its unit, or "" for none
     * @return the number as {@link #fmt(Object)} prints it, followed by its unit when it has one
     */
    static String fmt(Object o, String unit) {
        // "1" (a loss its scales made dimensionless) would read as a stray number after the value
        return o instanceof Number n && !unit.isEmpty() && !unit.equals("1") && Double.isFinite(n.doubleValue())
                ? fmt(o) + " " + unit
                : fmt(o);
    }

    /**
     * @param o a number or null
     * @return six significant digits, or "-"
     */
    static String fmt(Object o) {
        if (!(o instanceof Number n)) {
            return "-";
        }
        double d = n.doubleValue();
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf"; // as a value written with every digit says it, not Java's "Infinity"
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e6) {
            return Long.toString((long) d);
        }
        return String.format(Locale.ROOT, "%.6g", d)
                .replaceFirst("(\\.\\d*?)0+(e|$)", "$1$2")
                .replace(".e", "e")
                .replaceFirst("\\.$", "");
    }
}
