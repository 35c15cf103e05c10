package org.chemfit.dashboard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The parity data of an output folder's {@code predictions.csv}, grouped for the page: one chart
 * per quantity and unit (quantities of different units never share one), each with its fit, its
 * monitored (fit terms of weight 0) and its validation points (reference, model at the best point).
 * Only a file written with the folder's results.json is drawn: one whose rows are not the reference
 * values of its terms, or whose model values at the best point are not their computed values, is
 * another fit's (or an earlier run's of the same job), and gives no chart. {@link #notOfResults} is
 * that check, which the command line's plots make too.
 *
 * <pre>{@code
 * // the terms and validation terms of results.json; null while the fit runs
 * Map<String, Object> p = Predictions.read(dir, terms, validation);
 * }</pre>
 *
 * <p>The command line's plots read the file with {@link #parse} and check it with {@link #notOfResults}:
 *
 * <pre>{@code
 * List<List<String>> lines = Predictions.parse(Files.readString(dir.resolve(Predictions.FILE)));
 * String why = Predictions.notOfResults(lines, results);   // null: written with these results
 * }</pre>
 *
 * @implNote Stateless; safe from several threads. The file is read whole at each call: it holds
 *     one line per reference value, which with an atoms term's forces (three per atom of each
 *     structure) may be millions. Of the items only the first {@link #MAX_ITEMS} of each term's
 *     quantity are sent, as many as the page lists.
 */
public final class Predictions {

    /** The file's name in an output folder. */
    public static final String FILE = "predictions.csv";

    private static final List<String> COLUMNS =
            List.of("set", "term", "item", "quantity", "reference", "model_initial", "model_best", "residual", "unit");

    /** The most items sent per term and quantity: the page lists no more values than these. */
    static final int MAX_ITEMS = 500;

    /** Why a file whose rows are not the terms' reference values, each in its place, is not of the results. */
    static final String OTHER_ROWS = "its rows are not the reference values of the terms in this run's results.json";

    /** Why a file whose model values at the best point are not the terms' computed values is not of the results. */
    static final String OTHER_MODEL =
            "its model values at the best point are not the computed values of the terms in this run's results.json";

    private Predictions() {}

    /**
     * Whether a predictions.csv is the one written with a results.json: its rows are, term by term and quantity by
     * quantity, the reference values of the results' fit and validation terms, each in its place, and of no other
     * term; and its model values at the best point are the terms' {@code computed} values, compared as the doubles
     * both files are written from (a value missing from either, empty in the file, null, NaN or absent in
     * results.json, is equal only to a missing one). A file that is not may be another fit's, or one an earlier run
     * of the same job left (a fit killed between writing the two files).
     *
     * @param lines the file's lines as {@link #parse} gives them, its header first
     * @param results the content of results.json (its {@code terms} and {@code validation}), as read or as the fit
     *     writes it (each quantity's values a list or a {@code double[]})
     * @return null when the file was written with these results, else why not (to be said after "is another
     *     fit's")
     */
    public static @Nullable String notOfResults(List<List<String>> lines, Map<?, ?> results) {
        if (lines.isEmpty() || !lines.get(0).equals(COLUMNS)) {
            return "its header is not " + String.join(",", COLUMNS);
        }
        return check(
                        lines,
                        results.get("terms") instanceof List<?> terms ? terms : List.of(),
                        results.get("validation") instanceof List<?> validation ? validation : List.of())
                .why();
    }

    /**
     * @param dir the output folder
     * @param terms the fit terms of the folder's results.json (its {@code terms}): those of weight 0
     *     are monitored, their rows too in a predictions.csv written before its set column said so
     *     (where they are {@code fit}); the items of a term's quantity are given only when the file's
     *     reference column of it holds that term's reference values, so that a predictions.csv of
     *     another fit (left beside these results) names none of their rows
     * @param validation the validation terms of the same results.json (its {@code validation})
     * @return {@code {of_results, not_of_results, charts: [{quantity, unit, fit: {reference, model, label},
     *     monitored: ..., validation: ...}], items, rows, skipped}}, or null when the folder holds no readable
     *     predictions.csv (a fit still running). {@code of_results} says whether the file was written with these
     *     results ({@link #notOfResults}: its rows are these terms' reference values, each in its place, and of no
     *     other term, and its model values at the best point are their computed values); when not, the file is
     *     another fit's, {@code not_of_results} says why (else it is null) and {@code charts} is empty ({@code rows}
     *     and {@code skipped} 0). {@code items}: {@code {TERM: {QUANTITY: {names, per_atom}}}}, the first
     *     {@link #MAX_ITEMS} items of each fit term's quantity whose reference values the file holds, in the
     *     file's order (the rows left out of the charts too) and whether they are the components of per-atom
     *     vectors ({@code TAG[k]}, three per atom: an atoms term's forces)
     */
    static @Nullable Map<String, Object> read(Path dir, List<?> terms, List<?> validation) {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        List<List<String>> lines;
        try {
            lines = parse(Files.readString(f, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            // being written, or not ours: nothing is drawn
            return null;
        }
        if (lines.isEmpty() || !lines.get(0).equals(COLUMNS)) {
            return null;
        }
        java.util.Set<String> monitored = new java.util.HashSet<>();
        for (Object o : terms) {
            if (o instanceof Map<?, ?> t
                    && t.get("name") instanceof String name
                    && t.get("weight") instanceof Number w
                    && w.doubleValue() == 0) {
                monitored.add(name);
            }
        }
        Check check = check(lines, terms, validation);
        boolean ours = check.why() == null;
        Map<String, Map<String, Object>> charts = new LinkedHashMap<>();
        int rows = 0;
        int skipped = 0;
        for (List<String> l : lines.subList(1, lines.size())) {
            if (l.size() != COLUMNS.size()) {
                skipped++;
                continue;
            }
            double ref = number(l.get(4));
            double best = number(l.get(6));
            if (!Double.isFinite(ref) || !Double.isFinite(best)) {
                skipped++;
                continue;
            }
            // a fit term of weight 0 is monitored: its points are none of the fit's
            String set = "validation".equals(l.get(0)) || "monitored".equals(l.get(0))
                    ? l.get(0)
                    : monitored.contains(l.get(1)) ? "monitored" : "fit";
            String quantity = l.get(3);
            String unit = l.get(8);
            Map<String, Object> chart = charts.computeIfAbsent(quantity + "\u0000" + unit, k -> {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("quantity", quantity);
                c.put("unit", unit);
                return c;
            });
            @SuppressWarnings("unchecked")
            Map<String, List<Object>> series = (Map<String, List<Object>>) chart.computeIfAbsent(set, k -> {
                Map<String, List<Object>> s = new LinkedHashMap<>();
                s.put("reference", new ArrayList<>());
                s.put("model", new ArrayList<>());
                s.put("label", new ArrayList<>());
                return s;
            });
            // the three lists are put together when the series is made
            Objects.requireNonNull(series.get("reference")).add(ref);
            Objects.requireNonNull(series.get("model")).add(best);
            Objects.requireNonNull(series.get("label")).add(l.get(2).isEmpty() ? l.get(1) : l.get(1) + " " + l.get(2));
            rows++;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("of_results", ours);
        out.put("not_of_results", check.why());
        // another fit's points are none of this fit's: no chart is drawn of them
        out.put("charts", ours ? new ArrayList<>(charts.values()) : List.of());
        Map<String, Map<String, Object>> named = new LinkedHashMap<>();
        check.items()
                .forEach((term, byQuantity) -> byQuantity.forEach((q, of) -> {
                    if (of.same()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("names", of.names);
                        m.put("per_atom", of.perAtom);
                        named.computeIfAbsent(term, k -> new LinkedHashMap<>()).put(q, m);
                    }
                }));
        out.put("items", named);
        out.put("rows", ours ? rows : 0);
        out.put("skipped", ours ? skipped : 0);
        return out;
    }

    /**
     * The rows of each term and quantity read against results.json, and whether the file is of it.
     *
     * @param items the fit terms' rows, by term and quantity
     * @param why null when the file was written with these results, else why not
     */
    private record Check(
            Map<String, Map<String, Items>> items, @Nullable String why) {}

    /**
     * @param lines the file's lines, its header first
     * @param terms the fit terms of results.json
     * @param validation its validation terms
     * @return the rows of each fit term's quantity, and whether the file is of these results
     */
    private static Check check(List<List<String>> lines, List<?> terms, List<?> validation) {
        Map<String, Map<String, Items>> items = expected(terms);
        Map<String, Map<String, Items>> validationItems = expected(validation);
        // whether every row is of a term and quantity of results.json (a file of another fit may have others)
        boolean known = true;
        for (List<String> l : lines.subList(1, lines.size())) {
            if (l.size() != COLUMNS.size()) {
                continue; // not counted: the term it would be of then lacks a row
            }
            Map<String, Items> ofTerm = ("validation".equals(l.get(0)) ? validationItems : items).get(l.get(1));
            Items of = ofTerm == null ? null : ofTerm.get(l.get(3));
            if (of == null) {
                known = false;
            } else {
                // every row of a term: in the order of its values in results.json
                of.add(l.get(2), number(l.get(4)), number(l.get(6)));
            }
        }
        // written with these results: every row a term's, and each term's reference values in it, in place (the
        // rule that names a fit term's rows by the file's items, applied to every term, validation ones too); results
        // without a reference value have a file of no row, as the fit writes it
        boolean rows = known;
        boolean model = true;
        for (Map<String, Map<String, Items>> of : List.of(items, validationItems)) {
            for (Map<String, Items> byQuantity : of.values()) {
                for (Items it : byQuantity.values()) {
                    rows &= it.same();
                    model &= it.modelEqual;
                }
            }
        }
        return new Check(items, !rows ? OTHER_ROWS : !model ? OTHER_MODEL : null);
    }

    /**
     * @param terms terms as results.json lists them, each with its {@code reference} values by quantity
     * @return for each term and quantity, the rows of the file to be read against its reference values
     */
    private static Map<String, Map<String, Items>> expected(List<?> terms) {
        Map<String, Map<String, Items>> items = new LinkedHashMap<>();
        for (Object o : terms) {
            if (o instanceof Map<?, ?> t
                    && t.get("name") instanceof String name
                    && t.get("reference") instanceof Map<?, ?> ref) {
                for (Map.Entry<?, ?> e : ref.entrySet()) {
                    List<?> values = list(e.getValue());
                    if (e.getKey() instanceof String q && values != null) {
                        // the one quantity of per-atom vectors: an atoms term's forces (chemfit-cli's FitPlan)
                        boolean perAtom = "atoms".equals(t.get("kind")) && "forces".equals(q);
                        // the model's values at the best point; none when results.json gives none of the quantity
                        List<?> model = t.get("computed") instanceof Map<?, ?> c ? list(c.get(q)) : null;
                        List<?> computed = model == null ? List.of() : model;
                        items.computeIfAbsent(name, k -> new LinkedHashMap<>())
                                .put(q, new Items(values, computed, perAtom));
                    }
                }
            }
        }
        return items;
    }

    /**
     * The rows of one term's quantity as read: its first items, whether their reference values so far
     * are results.json's, in order, and whether their model values at the best point are its computed ones.
     */
    private static final class Items {
        final List<?> reference;
        final List<?> computed;
        final boolean perAtom;
        final List<String> names = new ArrayList<>();
        int count;
        boolean equal = true;
        boolean modelEqual = true;

        Items(List<?> reference, List<?> computed, boolean perAtom) {
            this.reference = reference;
            this.computed = computed;
            this.perAtom = perAtom;
        }

        void add(String item, double ref, double best) {
            if (count < reference.size()) {
                // written with every digit (Double.toString) to both files: equal, or both missing
                equal &= sameValue(ref, at(reference, count));
                modelEqual &= sameValue(best, at(computed, count));
            }
            if (names.size() < MAX_ITEMS) {
                names.add(item);
            }
            count++;
        }

        /** @return whether the file holds the term's reference values of the quantity, each in its place */
        boolean same() {
            return equal && count == reference.size();
        }
    }

    /**
     * @param values the values of a quantity: a list as read from results.json, or the array the fit puts in the
     *     results before writing them
     * @return them as a list, or null when they are neither
     */
    private static @Nullable List<?> list(@Nullable Object values) {
        if (values instanceof double[] a) {
            return java.util.Arrays.stream(a).boxed().toList();
        }
        return values instanceof List<?> l ? l : null;
    }

    /** @return the number at {@code i}, NaN for a value missing (null, "NaN", beyond the list's end) */
    private static double at(List<?> values, int i) {
        return i < values.size() && values.get(i) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /**
     * @return whether two values written by the fit are the same double, or both missing (a non-finite value is
     *     written empty to predictions.csv and null, "NaN" or "Infinity" to results.json)
     */
    private static boolean sameValue(double a, double b) {
        return a == b || (!Double.isFinite(a) && !Double.isFinite(b));
    }

    private static double number(String s) {
        if (s.isEmpty()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /**
     * RFC 4180 fields: comma-separated, a field in double quotes may hold commas, newlines and
     * doubled quotes. Written by hand because the build carries no CSV library and the file is
     * ChemFit's own, quoted only where a name holds a comma, a quote or a newline.
     *
     * @param text the file's content
     * @return its lines, each as its fields; blank lines left out
     */
    public static List<List<String>> parse(String text) {
        List<List<String>> lines = new ArrayList<>();
        for (Row row : rows(text)) {
            lines.add(row.fields());
        }
        return lines;
    }

    /**
     * One record of a CSV file as {@link #rows} reads it: a line, or several when a quoted field
     * holds a line break.
     *
     * @param fields its fields, without their quotes
     * @param line the physical line it starts on, from 1: a line feed, a carriage return, or the
     *     two together end a line, in a quoted field too (as an editor counts them)
     * @param ended whether a line break outside quotes ends it; a last record without one ends at
     *     the end of the file (it may be a line still being written, or cut short)
     * @param unclosedQuote whether the file ends inside one of its quoted fields: a quote opened
     *     and never closed, which takes the rest of the file into the field
     */
    public record Row(List<String> fields, int line, boolean ended, boolean unclosedQuote) {

        /**
         * @param fields its fields, without their quotes (copied)
         * @param line the physical line it starts on, from 1
         * @param ended whether a line break outside quotes ends it
         * @param unclosedQuote whether the file ends inside one of its quoted fields
         */
        public Row {
            fields = List.copyOf(fields);
        }
    }

    /**
     * The records of a CSV file as {@link #parse} reads them, each with the physical line it starts
     * on, for messages that name the line of a record whose quoted field spans several.
     *
     * <pre>{@code
     * rows("a,\"b\nc\"\n\n1,2\n")   // [Row([a, b\nc], 1, true, false), Row([1, 2], 4, true, false)]
     * }</pre>
     *
     * @param text the file's content
     * @return its records in order; blank lines left out (they are counted in the line numbers)
     */
    public static List<Row> rows(String text) {
        List<Row> rows = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        int line = 1; // the physical line at i
        int start = 1; // the line the record being read starts on
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean lineBreak = c == '\n' || c == '\r';
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append(c);
                    if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                        field.append('\n');
                        i++;
                    }
                }
            } else if (c == '"') {
                quoted = true;
                any = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                any = true;
            } else if (lineBreak) {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                if (any || field.length() > 0) {
                    fields.add(field.toString());
                    rows.add(new Row(fields, start, true, false));
                }
                fields = new ArrayList<>();
                field.setLength(0);
                any = false;
                start = line + 1;
            } else {
                field.append(c);
                any = true;
            }
            if (lineBreak) {
                line++;
            }
        }
        if (any || field.length() > 0) {
            fields.add(field.toString());
            rows.add(new Row(fields, start, false, quoted));
        }
        return rows;
    }
}
