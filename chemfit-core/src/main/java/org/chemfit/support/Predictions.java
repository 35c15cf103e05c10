package org.chemfit.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.chemfit.EvaluationContext;
import org.jspecify.annotations.Nullable;

/**
 * The model's value beside each reference value of one term, read from the term's evaluation
 * context: one {@link Row} per reference value. A term whose context holds the quantity gives
 * one row per element of it (items named "0", "1", ...; a single number gives item "0"); a term
 * made of sub-terms, one per structure, gives one row per sub-term, named by the sub-term.
 *
 * <pre>{@code
 * List<Predictions.Row> rows = Predictions.of("dimers", ctx.child(0), Map.of("energy", energies));
 * Metrics m = Predictions.metrics(rows, "energy");
 * }</pre>
 *
 * @implNote Stateless and thread-safe.
 */
public final class Predictions {

    private Predictions() {}

    /**
     * One reference value and the model's value for it.
     *
     * <pre>{@code
     * Row r = new Row("dimers", "dimer_C1_2.4", "energy", 0.0124, 0.0151);
     * double residual = r.residual();
     * }</pre>
     *
     * @param term the term's name
     * @param item the structure's name, or the element's index within the quantity
     * @param quantity the quantity's name
     * @param reference the reference value
     * @param model the model's value (NaN when the term or structure failed)
     * @implNote Immutable.
     */
    public record Row(String term, String item, String quantity, double reference, double model) {
        /** @return model - reference */
        public double residual() {
            return model - reference;
        }
    }

    /**
     * @param term the term's name
     * @param ctx the term's evaluation context, or null (then every model value is NaN)
     * @param reference reference values by quantity
     * @return one row per reference value, in quantity order
     */
    public static List<Row> of(String term, @Nullable EvaluationContext ctx, Map<String, double[]> reference) {
        return of(term, ctx, reference, List.of());
    }

    /**
     * @param term the term's name
     * @param ctx the term's evaluation context, or null (then every model value is NaN)
     * @param reference reference values by quantity
     * @param items the names of the term's sub-terms, one per reference value (its structures), or
     *     empty; they name the rows when the context does not (a term not evaluated)
     * @return one row per reference value, in quantity order
     */
    public static List<Row> of(
            String term, @Nullable EvaluationContext ctx, Map<String, double[]> reference, List<String> items) {
        return of(term, ctx, reference, items, Map.of());
    }

    /**
     * As {@link #of(String, EvaluationContext, Map, List)}, for a term of sub-terms some of whose
     * quantities are arrays (the forces of each structure): {@code lengths} gives, for such a
     * quantity, how many of its reference values belong to each sub-term, in order, the reference
     * holding them one sub-term after the other. Its rows are named by the sub-term and the
     * element's index within it ({@code "dimer_2.4[5]"}); the model's value is that element of the
     * sub-term's array (NaN when the sub-term failed or its array has another length).
     *
     * <pre>{@code
     * List<Predictions.Row> rows = Predictions.of("md", ctx, Map.of("energy", e, "forces", f),
     *         List.of("a", "b"), Map.of("forces", new int[] {9, 12}));
     * }</pre>
     *
     * @param term the term's name
     * @param ctx the term's evaluation context, or null (then every model value is NaN)
     * @param reference reference values by quantity
     * @param items the names of the term's sub-terms
     * @param lengths for each array quantity of the sub-terms, the number of its values in each
     *     sub-term (one entry per item, adding up to the reference's length); other quantities
     *     have one value per sub-term
     * @return one row per reference value, in quantity order
     * @throws IllegalArgumentException when the lengths of a quantity do not match the items or
     *     do not add up to its reference's length
     */
    public static List<Row> of(
            String term,
            @Nullable EvaluationContext ctx,
            Map<String, double[]> reference,
            List<String> items,
            Map<String, int[]> lengths) {
        List<Row> out = new ArrayList<>();
        for (Map.Entry<String, double[]> e : reference.entrySet()) {
            String q = e.getKey();
            double[] ref = e.getValue();
            int[] per = lengths.get(q);
            if (per != null) {
                perSubTerm(term, ctx, q, ref, items, per, out);
                continue;
            }
            boolean sub = ctx != null
                    && !ctx.quantities().contains(q)
                    && ctx.children().size() == ref.length;
            double[] model = null;
            if (ctx != null && ctx.quantities().contains(q)) {
                try {
                    model = ctx.quantities().array(q);
                } catch (IllegalArgumentException notNumeric) {
                    model = null;
                }
            }
            for (int i = 0; i < ref.length; i++) {
                String item = items.size() == ref.length ? items.get(i) : Integer.toString(i);
                double m = Double.NaN;
                if (sub && ctx != null) { // sub implies ctx != null
                    EvaluationContext s = ctx.child(i);
                    item = s.name();
                    if (s.quantities().contains(q)) {
                        m = s.quantities().get(q);
                    }
                } else if (model != null && i < model.length) {
                    m = model[i];
                }
                out.add(new Row(term, item, q, ref[i], m));
            }
        }
        return out;
    }

    /** The rows of a quantity that holds an array per sub-term, sub-term after sub-term. */
    private static void perSubTerm(
            String term,
            @Nullable EvaluationContext ctx,
            String q,
            double[] ref,
            List<String> items,
            int[] per,
            List<Row> out) {
        int total = 0;
        for (int n : per) {
            total += n;
        }
        if (per.length != items.size() || total != ref.length) {
            throw new IllegalArgumentException("the lengths of '" + q + "' must give one count per sub-term ("
                    + items.size() + ") adding up to its " + ref.length + " reference values, got "
                    + java.util.Arrays.toString(per));
        }
        boolean sub = ctx != null && ctx.children().size() == items.size();
        int j = 0;
        for (int s = 0; s < per.length; s++) {
            double[] model = null;
            if (sub && ctx != null && ctx.child(s).quantities().contains(q)) { // sub implies ctx != null
                try {
                    model = ctx.child(s).quantities().array(q);
                } catch (IllegalArgumentException notNumeric) {
                    model = null;
                }
            }
            String name = sub && ctx != null ? ctx.child(s).name() : items.get(s);
            for (int k = 0; k < per[s]; k++) {
                double m = model != null && model.length == per[s] ? model[k] : Double.NaN;
                out.add(new Row(term, name + "[" + k + "]", q, ref[j++], m));
            }
        }
    }

    /**
     * @param rows rows of one term
     * @param quantity a quantity's name
     * @return the metrics of that quantity's rows
     */
    public static Metrics metrics(List<Row> rows, String quantity) {
        List<Row> of = rows.stream().filter(r -> r.quantity().equals(quantity)).toList();
        double[] ref = new double[of.size()];
        double[] model = new double[of.size()];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = of.get(i).reference();
            model[i] = of.get(i).model();
        }
        return Metrics.of(ref, model);
    }
}
