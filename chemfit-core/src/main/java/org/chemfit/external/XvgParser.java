package org.chemfit.external;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.chemfit.Quantities;
import org.chemfit.support.Names;
import org.jspecify.annotations.Nullable;

/**
 * Reads a column of an {@code .xvg} file, the Grace format in which GROMACS tools write their
 * results ({@code gmx energy}, {@code gmx rdf}, {@code gmx msd}, ...). A column is chosen by its
 * legend, as the tool names it ({@code "Density"}, {@code "Potential"}, {@code "Pres-XX"}), or by
 * its index (0 is the x column, usually the time; 1 the first data set). Of the chosen column it
 * takes the first or last row, the mean, or every row, optionally only over the rows whose x lies
 * in a window (a time window: the mean of the production part of a run).
 *
 * <pre>{@code
 * XvgParser density = XvgParser.column("density", "energy.xvg", "Density").window(30, 80).mean();
 * XvgParser g = XvgParser.column("rdf", "rdf.xvg", 1).all();
 * OutputParser rho = OutputParsers.xvg("density", "energy.xvg", "Density").window(30, 80).mean(); // the same
 * }</pre>
 *
 * <p>The format: lines starting with {@code #} are comments; lines starting with {@code @} are
 * directives, of which the legends ({@code @ s0 legend "Potential"}, or the older
 * {@code @ legend string 0 "Potential"}) and the x-axis label are read and the rest ignored; a line
 * {@code &} ends the data set; every other non-blank line is a row of numbers, all rows with as
 * many columns as the first. Legend {@code sN} names column {@code N + 1}.
 *
 * <p>Failures: a malformed file (a value that is not a number, a row whose number of columns
 * differs, a legend without its closing quote, a second data set, no rows, a legend or index that
 * no column has, a window that holds no row, a chosen value that is NaN or infinite) fails with an
 * {@link OutputParseException} whose message names the file and line ({@code energy.xvg:27: ...})
 * and shows an excerpt; a legend that no column has is answered with the file's legends and a
 * "did you mean" for a near one, and a term's failure names with it every legend that its later
 * xvg parsers of the same file ask for and the file does not have. The factories throw {@link IllegalArgumentException} for a blank quantity or
 * legend, a negative index, a file path that is absolute or leaves the run directory, or a window
 * whose start is after its end. Written by hand: no maintained Java library reads Grace files.
 *
 * @implNote Immutable and thread-safe; withers return copies.
 */
public final class XvgParser implements OutputParser {

    private static final Pattern LEGEND = Pattern.compile("@\\s*s(\\d+)\\s+legend\\s+(.*)");
    private static final Pattern LEGEND_STRING = Pattern.compile("@\\s*legend\\s+string\\s+(\\d+)\\s+(.*)");
    private static final Pattern XAXIS = Pattern.compile("@\\s*xaxis\\s+label\\s+(.*)");

    /** Which rows the parser takes. */
    private enum Pick {
        FIRST,
        LAST,
        MEAN,
        ALL
    }

    private final String quantity;
    private final String file;
    private final @Nullable String legend;
    private final int index;
    private final Pick pick;
    private final double from;
    private final double to;

    private XvgParser(
            String quantity, String file, @Nullable String legend, int index, Pick pick, double from, double to) {
        this.quantity = quantity;
        this.file = file;
        this.legend = legend;
        this.index = index;
        this.pick = pick;
        this.from = from;
        this.to = to;
    }

    /**
     * @param quantity the quantity's name
     * @param file the {@code .xvg} file, relative to the run directory
     * @param legend the column's legend as the file gives it ({@code "Density"})
     * @return a parser of the last row (change with {@code first()}, {@code mean()}, {@code all()}, {@code window(...)})
     * @throws IllegalArgumentException when the legend or quantity is blank, or the file is absolute
     *     or leaves the run directory
     */
    public static XvgParser column(String quantity, String file, String legend) {
        if (legend == null || legend.isBlank()) {
            throw new IllegalArgumentException("an xvg column legend must not be blank, got '" + legend + "'");
        }
        return new XvgParser(
                checkQuantity(quantity),
                checkFile(file),
                legend,
                -1,
                Pick.LAST,
                Double.NEGATIVE_INFINITY,
                Double.POSITIVE_INFINITY);
    }

    /**
     * @param quantity the quantity's name
     * @param file the {@code .xvg} file, relative to the run directory
     * @param index the column's index: 0 the x column, 1 the first data set ({@code s0}), ...
     * @return a parser of the last row (change with {@code first()}, {@code mean()}, {@code all()}, {@code window(...)})
     * @throws IllegalArgumentException when the index is negative, the quantity is blank, or the
     *     file is absolute or leaves the run directory
     */
    public static XvgParser column(String quantity, String file, int index) {
        if (index < 0) {
            throw new IllegalArgumentException("an xvg column index must be 0 or more, got " + index);
        }
        return new XvgParser(
                checkQuantity(quantity),
                checkFile(file),
                null,
                index,
                Pick.LAST,
                Double.NEGATIVE_INFINITY,
                Double.POSITIVE_INFINITY);
    }

    /** @return a copy that takes the first row (of the window) */
    public XvgParser first() {
        return new XvgParser(quantity, file, legend, index, Pick.FIRST, from, to);
    }

    /** @return a copy that takes the last row (of the window) */
    public XvgParser last() {
        return new XvgParser(quantity, file, legend, index, Pick.LAST, from, to);
    }

    /** @return a copy that averages the rows (of the window) */
    public XvgParser mean() {
        return new XvgParser(quantity, file, legend, index, Pick.MEAN, from, to);
    }

    /** @return a copy that takes every row (of the window), as an array */
    public XvgParser all() {
        return new XvgParser(quantity, file, legend, index, Pick.ALL, from, to);
    }

    /**
     * @param start the smallest x (time) of a row taken, inclusive
     * @param end the largest x (time) of a row taken, inclusive; {@code Double.POSITIVE_INFINITY} for no end
     * @return a copy that takes only the rows whose x lies in [start, end]
     * @throws IllegalArgumentException when start is NaN or after end
     */
    public XvgParser window(double start, double end) {
        if (Double.isNaN(start) || Double.isNaN(end) || start > end) {
            throw new IllegalArgumentException(
                    "an xvg window must have start <= end, got [" + start + ", " + end + "]");
        }
        return new XvgParser(quantity, file, legend, index, pick, start, end);
    }

    @Override
    public Quantities parse(Path runDirectory) throws IOException {
        String text = OutputParsers.read(runDirectory, file, this);
        Table t = parse(text, file, toString());
        int col = legend != null ? t.columnOf(legend, file, toString(), text) : index;
        if (col >= t.columnCount()) {
            throw new OutputParseException(
                    file,
                    toString(),
                    file + ":" + t.firstRowLine + ": asked for column " + col + ", the rows have columns 0.."
                            + (t.columnCount() - 1),
                    OutputParsers.excerpt(text, false));
        }
        List<Integer> rows = new ArrayList<>();
        for (int r = 0; r < t.rowCount(); r++) {
            double x = t.columns[0][r];
            if (x >= from && x <= to) {
                rows.add(r);
            }
        }
        if (rows.isEmpty()) {
            throw new OutputParseException(
                    file,
                    toString(),
                    file + ": no row has x in [" + fmt(from) + ", " + fmt(to) + "]; x runs from "
                            + fmt(t.columns[0][0]) + " (line " + t.lines[0] + ") to "
                            + fmt(t.columns[0][t.rowCount() - 1]) + " (line "
                            + t.lines[t.rowCount() - 1] + ")",
                    OutputParsers.excerpt(text, true));
        }
        if (pick == Pick.FIRST || pick == Pick.LAST) {
            int r = rows.get(pick == Pick.FIRST ? 0 : rows.size() - 1);
            return Quantities.of(quantity, finite(t, col, r, text));
        }
        double[] values = new double[rows.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = finite(t, col, rows.get(i), text);
        }
        if (pick == Pick.ALL) {
            return Quantities.builder().put(quantity, values).build();
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return Quantities.of(quantity, sum / values.length);
    }

    private double finite(Table t, int col, int row, String text) {
        double v = t.columns[col][row];
        if (!Double.isFinite(v)) {
            throw new OutputParseException(
                    file,
                    toString(),
                    file + ":" + t.lines[row] + ": the value in column " + col
                            + (legend != null ? " ('" + legend + "')" : "") + " is " + v + ", not a finite number",
                    excerptAt(text, t.lines[row]));
        }
        return v;
    }

    /** @return the quantity's name */
    String quantity() {
        return quantity;
    }

    /** @return the file read, relative to the run directory */
    String file() {
        return file;
    }

    @Override
    public String toString() {
        String what = switch (pick) {
            case FIRST -> "first row";
            case LAST -> "last row";
            case MEAN -> "mean";
            case ALL -> "all rows";
        };
        String window = from == Double.NEGATIVE_INFINITY && to == Double.POSITIVE_INFINITY
                ? ""
                : " with x in [" + fmt(from) + ", " + fmt(to) + "]";
        return "xvg " + (legend != null ? "'" + legend + "'" : "column " + index) + " (" + what + window + ") for '"
                + quantity + "'";
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * The contents of an {@code .xvg} file: its legends and its columns of numbers. Not API: the
     * parser reads it within this package.
     *
     * <pre>{@code
     * XvgParser.Table t = XvgParser.read(Path.of("energy.xvg"));
     * double[] density = t.column(t.legends().indexOf("Density") + 1);
     * }</pre>
     *
     * @implNote Immutable once returned (the arrays handed out are copies).
     */
    static final class Table {
        private final @Nullable String xLabel;
        private final List<String> legends;
        private final double[][] columns;
        private final int[] lines;
        private final int[] legendLines;
        private final int firstRowLine;

        private Table(
                @Nullable String xLabel, List<String> legends, int[] legendLines, double[][] columns, int[] lines) {
            this.xLabel = xLabel;
            this.legends = Collections.unmodifiableList(legends);
            this.legendLines = legendLines;
            this.columns = columns;
            this.lines = lines;
            this.firstRowLine = lines.length == 0 ? 0 : lines[0];
        }

        /** @return the x-axis label, or null when the file has none */
        public @Nullable String xLabel() {
            return xLabel;
        }

        /** @return the legends by data set: element k names column k + 1 (null where a set has none) */
        public List<String> legends() {
            return legends;
        }

        /** @return the number of columns, x included */
        public int columnCount() {
            return columns.length;
        }

        /** @return the number of rows */
        public int rowCount() {
            return columns[0].length;
        }

        /**
         * @param k a column index, 0 the x column
         * @return a copy of the column
         * @throws IndexOutOfBoundsException when there is no such column
         */
        public double[] column(int k) {
            return columns[k].clone();
        }

        /** @return the line number (from 1) of row r in the file */
        public int lineOf(int r) {
            return lines[r];
        }

        /**
         * @param missing legends that no column has, at least one
         * @param file the file, as named in messages
         * @return "energy.xvg: no column has the legend 'Potental' (did you mean 'Potential'?); its
         *     legends are 'Potential', 'Density'", with every missing legend, each with the legend of
         *     the file nearest to it when one is near
         */
        String noColumnHas(List<String> missing, String file) {
            List<String> named = new ArrayList<>();
            List<String> present = new ArrayList<>();
            for (String l : legends) {
                if (l != null) {
                    named.add("'" + l + "'");
                    present.add(l);
                }
            }
            List<String> each = new ArrayList<>();
            for (String m : missing) {
                String near = Names.suggest(m, present);
                each.add("'" + m + "'" + (near == null ? "" : " (did you mean '" + near + "'?)"));
            }
            return file + ": no column has the legend" + (missing.size() == 1 ? " " : "s ") + joined(each) + "; "
                    + (named.isEmpty()
                            ? "the file has no legends (choose the column by index)"
                            : "its legends are " + String.join(", ", named));
        }

        int columnOf(String legend, String file, String parser, String text) {
            int k = legends.indexOf(legend);
            if (k < 0) {
                throw new OutputParseException(
                        file, parser, noColumnHas(List.of(legend), file), OutputParsers.excerpt(text, false));
            }
            if (legends.lastIndexOf(legend) != k) {
                throw new OutputParseException(
                        file,
                        parser,
                        file + ":" + legendLines[legends.lastIndexOf(legend)] + ": the legend '" + legend
                                + "' names two columns (s" + k + " and s" + legends.lastIndexOf(legend)
                                + "); choose the column by index",
                        OutputParsers.excerpt(text, false));
            }
            if (k + 1 >= columns.length) {
                throw new OutputParseException(
                        file,
                        parser,
                        file + ":" + legendLines[k] + ": the legend '" + legend + "' (s" + k + ") names column "
                                + (k + 1) + ", but the rows have only " + columns.length + " columns (line "
                                + firstRowLine + ")",
                        excerptAt(text, legendLines[k]));
            }
            return k + 1;
        }
    }

    /** @return "a", "a and b", "a, b and c" */
    private static String joined(List<String> items) {
        int n = items.size();
        return n == 1 ? items.get(0) : String.join(", ", items.subList(0, n - 1)) + " and " + items.get(n - 1);
    }

    /**
     * Every legend that parsers of one file ask for and that the file does not have, in one failure,
     * so that a job whose outputs misname several columns learns of all of them from one run.
     *
     * @param runDirectory the run directory
     * @param parsers parsers that read one file, the first of them one that has just failed
     * @return the failure that names each missing legend (the first parser's first), with a
     *     suggestion for each that is near a legend of the file; null when the file cannot be read
     *     or parsed, or the first parser's legend is not missing
     */
    static @Nullable OutputParseException missingLegends(Path runDirectory, List<XvgParser> parsers) {
        if (parsers.isEmpty() || parsers.get(0).legend == null) {
            return null;
        }
        String file = parsers.get(0).file;
        Table t;
        String text;
        try {
            text = OutputParsers.read(runDirectory, file, parsers.get(0));
            t = parse(text, file, parsers.get(0).toString());
        } catch (IOException | RuntimeException e) {
            return null; // the first parser's own failure says what is wrong with the file
        }
        List<String> missing = new ArrayList<>();
        List<String> which = new ArrayList<>();
        for (XvgParser p : parsers) {
            String l = p.legend;
            if (l != null && p.file.equals(file) && !t.legends().contains(l)) {
                which.add(p.toString());
                if (!missing.contains(l)) {
                    missing.add(l);
                }
            }
        }
        if (missing.isEmpty() || !missing.get(0).equals(parsers.get(0).legend)) {
            return null;
        }
        return new OutputParseException(
                file, joined(which), t.noColumnHas(missing, file), OutputParsers.excerpt(text, false));
    }

    /**
     * Reads a whole {@code .xvg} file.
     *
     * @param file the file
     * @return its legends and columns
     * @throws OutputParseException when the file is missing or malformed, naming the file and line
     * @throws IOException when it cannot be read
     */
    static Table read(Path file) throws IOException {
        Path dir = Objects.requireNonNull(file.toAbsolutePath().getParent(), "the folder of " + file);
        String name = String.valueOf(file.getFileName());
        String text = OutputParsers.read(dir, name, "xvg reader");
        return parse(text, file.toString(), "xvg reader");
    }

    static Table parse(String text, String file, String parser) {
        String[] lines = text.split("\\R", -1);
        List<String> legends = new ArrayList<>();
        List<Integer> legendLines = new ArrayList<>();
        String xLabel = null;
        List<double[]> rows = new ArrayList<>();
        List<Integer> rowLines = new ArrayList<>();
        int width = -1;
        int endOfSet = 0;
        for (int i = 0; i < lines.length; i++) {
            int ln = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("@")) {
                Matcher m = LEGEND.matcher(line);
                Matcher ms = LEGEND_STRING.matcher(line);
                Matcher mx = XAXIS.matcher(line);
                if (m.matches() || ms.matches()) {
                    Matcher g = m.matches() ? m : ms;
                    int set;
                    try {
                        set = Integer.parseInt(g.group(1));
                    } catch (NumberFormatException e) {
                        throw malformed(file, parser, ln, "data set number '" + g.group(1) + "' is too large", text);
                    }
                    String label = quoted(g.group(2), file, parser, ln, text);
                    while (legends.size() <= set) {
                        legends.add(null);
                        legendLines.add(0);
                    }
                    legends.set(set, label);
                    legendLines.set(set, ln);
                } else if (mx.matches()) {
                    xLabel = quoted(mx.group(1), file, parser, ln, text);
                }
                continue;
            }
            if (line.startsWith("&")) {
                if (!rows.isEmpty() && endOfSet == 0) {
                    endOfSet = ln;
                }
                continue;
            }
            if (endOfSet > 0) {
                throw malformed(
                        file,
                        parser,
                        ln,
                        "a second data set begins here (the first ended with '&' at line " + endOfSet
                                + "); only files with one data set of several columns are read",
                        text);
            }
            String[] t = line.split("\\s+");
            double[] row = new double[t.length];
            for (int k = 0; k < t.length; k++) {
                row[k] = number(t[k], file, parser, ln, k, text);
            }
            if (width < 0) {
                width = t.length;
            } else if (t.length != width) {
                throw malformed(
                        file,
                        parser,
                        ln,
                        "this row has " + t.length + " columns, the rows before it have " + width + " (line "
                                + rowLines.get(0) + "); is the file cut short or two files joined?",
                        text);
            }
            rows.add(row);
            rowLines.add(ln);
        }
        if (rows.isEmpty()) {
            throw new OutputParseException(
                    file,
                    parser,
                    file + ":" + lines.length + ": no rows of numbers in the file"
                            + (text.isBlank() ? " (it is empty)" : " (did the program finish?)"),
                    OutputParsers.excerpt(text, true));
        }
        double[][] columns = new double[width][rows.size()];
        int[] lineOf = new int[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            for (int k = 0; k < width; k++) {
                columns[k][r] = rows.get(r)[k];
            }
            lineOf[r] = rowLines.get(r);
        }
        int[] ll = new int[legendLines.size()];
        for (int k = 0; k < ll.length; k++) {
            ll[k] = legendLines.get(k);
        }
        return new Table(xLabel, new ArrayList<>(legends), ll, columns, lineOf);
    }

    /** @return the text between the first pair of double quotes, or the bare word */
    private static String quoted(String s, String file, String parser, int ln, String text) {
        String v = s.strip();
        if (!v.startsWith("\"")) {
            if (v.isEmpty()) {
                throw malformed(file, parser, ln, "the directive names no label", text);
            }
            return v;
        }
        int end = v.indexOf('"', 1);
        if (end < 0) {
            throw malformed(file, parser, ln, "the label " + v + " has no closing quote", text);
        }
        return v.substring(1, end);
    }

    private static double number(String s, String file, String parser, int ln, int k, String text) {
        String l = s.toLowerCase(Locale.ROOT);
        switch (l) {
            case "nan", "-nan", "+nan":
                return Double.NaN;
            case "inf", "+inf", "infinity", "+infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf", "-infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                break;
        }
        try {
            if (l.endsWith("d") || l.endsWith("f") || l.startsWith("0x")) {
                throw new NumberFormatException(s);
            }
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw malformed(
                    file,
                    parser,
                    ln,
                    "'" + (s.length() > 40 ? s.substring(0, 37) + "..." : s) + "' in column " + k + " is not a number",
                    text);
        }
    }

    private static OutputParseException malformed(String file, String parser, int ln, String problem, String text) {
        return new OutputParseException(file, parser, file + ":" + ln + ": " + problem, excerptAt(text, ln));
    }

    /** @return up to two lines before and after line ln (from 1), numbered, the line itself marked */
    static String excerptAt(String text, int ln) {
        String[] lines = text.split("\\R", -1);
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(1, ln - 2); i <= Math.min(lines.length, ln + 2); i++) {
            String l = lines[i - 1];
            sb.append(i == ln ? "> " : "  ")
                    .append(i)
                    .append(": ")
                    .append(l.length() > 120 ? l.substring(0, 117) + "..." : l)
                    .append('\n');
        }
        return sb.toString().stripTrailing();
    }

    private static String fmt(double d) {
        if (d == Double.NEGATIVE_INFINITY) {
            return "-inf";
        }
        if (d == Double.POSITIVE_INFINITY) {
            return "inf";
        }
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static String checkQuantity(String quantity) {
        if (quantity == null || quantity.isBlank()) {
            throw new IllegalArgumentException("a parser needs a quantity name, got '" + quantity + "'");
        }
        return quantity;
    }

    private static String checkFile(String file) {
        RunPaths.checkRelative(Objects.requireNonNull(file, "file"), "output file");
        return file;
    }
}
