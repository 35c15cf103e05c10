package org.chemfit.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A small plotting writer: one or more stacked panels of points, lines and bars with labelled
 * axes, drawn to SVG (text kept as {@code <text>} elements, so it stays searchable and small) and
 * to PNG (through Java2D) from one display list.
 *
 * <p>Written by hand on purpose: the plots of a fit need control that general charting libraries
 * did not give here (tick labels of at most 8 characters with the scale moved into the axis title,
 * minor ticks on log axes, SVG text as text and files under 100 KB, all plots in well under a
 * second). It draws only what {@link Plots} needs.
 *
 * <pre>{@code
 * Figure f = new Figure(800, 560, "Loss against evaluations");
 * Figure.Panel p = f.panel(0, 1).x("evaluation", "count", false).y("loss", "K^2", true);
 * p.points(x, loss, Figure.BLUE, "loss");
 * f.write(Path.of("plots/loss"));   // loss.svg and loss.png
 * }</pre>
 *
 * @implNote Not thread-safe; one figure per thread.
 */
final class Figure {

    static final Color BLUE = new Color(0x1f77b4);
    static final Color ORANGE = new Color(0xff7f0e);
    static final Color GREEN = new Color(0x2ca02c);
    static final Color RED = new Color(0xd62728);
    static final Color GREY = new Color(0x7f7f7f);
    static final Color[] PALETTE = {
        BLUE,
        ORANGE,
        GREEN,
        RED,
        new Color(0x9467bd),
        new Color(0x8c564b),
        new Color(0xe377c2),
        GREY,
        new Color(0xbcbd22),
        new Color(0x17becf)
    };
    /** The longest tick label allowed; longer ones move a scale or an offset into the axis title. */
    static final int MAX_TICK_CHARS = 8;

    private static final int LEFT = 90;
    private static final int RIGHT = 24;
    private static final int TOP = 44;
    private static final int BOTTOM = 56;
    private static final int GAP = 56;

    private final int width;
    /** The height asked for, grown by {@link #layout()} when a legend would not fit beside its panel. */
    private int height;

    private final String title;
    private final List<Panel> panels = new ArrayList<>();
    private final List<Op> ops = new ArrayList<>();
    private List<String> matrixLabels = List.of();
    private double @Nullable [][] matrix;
    /** Where the matrix goes, placed once: placing it may make the figure taller, which would move it again. */
    private @Nullable MatrixPlace matrixPlace;

    Figure(int width, int height, String title) {
        this.width = width;
        this.height = height;
        this.title = title;
    }

    /**
     * @param from the top of the panel as a fraction of the plotting height (0 is the top)
     * @param to its bottom as a fraction
     * @return a new panel
     */
    Panel panel(double from, double to) {
        Panel p = new Panel(from, to);
        panels.add(p);
        return p;
    }

    /** @return the panels, top first */
    List<Panel> panels() {
        return panels;
    }

    /** One axis: title, unit, scale and range. */
    static final class Axis {
        String name = "";
        String unit = "";
        boolean log;
        /** Ticks only at whole numbers (counts, term numbers). */
        boolean whole;

        double lo = Double.NaN;
        double hi = Double.NaN;
        /** Ticks and labels, set by {@link #layout()}. */
        final List<double[]> ticks = new ArrayList<>();

        final List<String> labels = new ArrayList<>();
        final List<Double> minor = new ArrayList<>();
        String shownTitle = "";

        /** @return the title with its unit and any scale moved out of the tick labels */
        String title() {
            return shownTitle;
        }

        void include(double v) {
            if (!Double.isFinite(v) || log && v <= 0) {
                return;
            }
            lo = Double.isNaN(lo) ? v : Math.min(lo, v);
            hi = Double.isNaN(hi) ? v : Math.max(hi, v);
        }

        void layout(boolean pad) {
            if (Double.isNaN(lo)) {
                lo = log ? 1 : 0;
                hi = log ? 10 : 1;
            }
            if (log) {
                double a = Math.log10(lo);
                double b = Math.log10(hi);
                if (b - a < 1e-9) {
                    a -= 0.5;
                    b += 0.5;
                }
                double m = pad ? 0.04 * (b - a) : 0;
                lo = Math.pow(10, a - m);
                hi = Math.pow(10, b + m);
                logTicks();
            } else {
                if (hi - lo <= Math.abs(hi) * 1e-12) {
                    double d = lo == 0 ? 1 : Math.abs(lo) * 0.1;
                    lo -= d;
                    hi += d;
                }
                double m = pad ? 0.05 * (hi - lo) : 0;
                lo -= m;
                hi += m;
                linearTicks();
            }
        }

        private void linearTicks() {
            double step = nice((hi - lo) / 6);
            if (whole) {
                step = Math.max(1, step);
            }
            double mag = Math.max(Math.abs(lo), Math.abs(hi));
            int e = 0;
            if (mag >= 1e5 || mag < 1e-2) {
                e = (int) Math.floor(Math.log10(mag));
            }
            double scale = Math.pow(10, e);
            int decimals = Math.max(0, (int) -Math.floor(Math.log10(step / scale) + 1e-9));
            List<Double> values = new ArrayList<>();
            for (double t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) {
                values.add(Math.abs(t) < step * 1e-9 ? 0.0 : t);
            }
            List<String> ls = new ArrayList<>();
            int longest = 0;
            for (double v : values) {
                String s = String.format(Locale.ROOT, "%." + decimals + "f", v / scale);
                if (s.matches("-0(\\.0*)?")) {
                    s = s.substring(1);
                }
                ls.add(s);
                longest = Math.max(longest, s.length());
            }
            String suffix = e == 0 ? "" : "1e" + e + " ";
            double offset = 0;
            if (longest > MAX_TICK_CHARS) {
                // Values far from zero compared with their spread: label the distance from an offset.
                offset = values.get(0);
                double eo = Math.floor(Math.log10(step));
                double sc = Math.pow(10, eo);
                ls.clear();
                for (double v : values) {
                    ls.add(String.format(Locale.ROOT, "%.0f", (v - offset) / sc));
                }
                suffix = (eo == 0 ? "" : "1e" + (int) eo + " ");
            }
            for (int i = 0; i < values.size(); i++) {
                ticks.add(new double[] {values.get(i)});
                labels.add(ls.get(i));
            }
            StringBuilder t = new StringBuilder(name);
            String u = suffix + (unit == null || unit.isEmpty() ? "" : unit);
            if (!u.isBlank()) {
                t.append(" (").append(u.strip()).append(')');
            }
            if (offset != 0) {
                int places = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
                t.append(" - ")
                        .append(new BigDecimal(offset)
                                .setScale(places, java.math.RoundingMode.HALF_UP)
                                .stripTrailingZeros()
                                .toPlainString());
            }
            shownTitle = t.toString();
        }

        private void logTicks() {
            int a = (int) Math.floor(Math.log10(lo));
            int b = (int) Math.ceil(Math.log10(hi));
            boolean few = Math.log10(hi / lo) <= 2.7;
            for (int k = a; k <= b; k++) {
                for (int m = 1; m <= 9; m++) {
                    double v = m * Math.pow(10, k);
                    if (v < lo * (1 - 1e-12) || v > hi * (1 + 1e-12)) {
                        continue;
                    }
                    if (m == 1 || few && (m == 2 || m == 5)) {
                        ticks.add(new double[] {v});
                        labels.add(shortNumber(v));
                    } else {
                        minor.add(v);
                    }
                }
            }
            if (ticks.size() < 2) {
                // a narrow range (losses near convergence): every 1 to 9 x 10^k inside is labelled
                for (double v : minor) {
                    ticks.add(new double[] {v});
                    labels.add(shortNumber(v));
                }
                minor.clear();
            }
            if (ticks.size() < 2) {
                // narrower still, within one such step: evenly spaced labels, as on a linear axis
                double step = nice((hi - lo) / 4);
                // as many significant digits as tell neighbouring ticks apart
                int digits = Math.max(3, (int) Math.ceil(Math.log10(Math.abs(hi) / step) + 1e-9) + 1);
                for (double v = Math.ceil(lo / step) * step; v <= hi * (1 + 1e-12); v += step) {
                    double at = v;
                    if (ticks.stream().noneMatch(t -> Math.abs(t[0] - at) < step * 1e-6)) {
                        ticks.add(new double[] {v});
                        labels.add(number(v, digits));
                    }
                }
            }
            shownTitle = name + (unit == null || unit.isEmpty() ? "" : " (" + unit + ")");
        }

        double frac(double v) {
            return log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
        }
    }

    /** A rectangle of the figure with its own axes and content. */
    final class Panel {
        final double from;
        final double to;
        final Axis x = new Axis();
        final Axis y = new Axis();
        final List<Runnable> content = new ArrayList<>();
        final List<Object[]> legend = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        boolean yZeroLine;
        int px;
        int py;
        int pw;
        int ph;

        Panel(double from, double to) {
            this.from = from;
            this.to = to;
        }

        Panel x(String name, String unit, boolean log) {
            x.name = name;
            x.unit = unit;
            x.log = log;
            return this;
        }

        Panel y(String name, String unit, boolean log) {
            y.name = name;
            y.unit = unit;
            y.log = log;
            return this;
        }

        /** Draws a horizontal line at y = 0. */
        Panel zeroLine() {
            yZeroLine = true;
            return this;
        }

        /** A line of text under the legend (a number worth reading off, such as the final loss). */
        Panel note(String text) {
            notes.add(text);
            return this;
        }

        Panel points(double[] xs, double[] ys, Color c, String label) {
            return points(xs, ys, c, Marker.DOT, label);
        }

        /** Points drawn with a marker of their own, so that sets are told apart without their colour. */
        Panel points(double[] xs, double[] ys, Color c, Marker marker, String label) {
            for (int i = 0; i < xs.length; i++) {
                x.include(xs[i]);
                y.include(ys[i]);
            }
            content.add(() -> dots(this, xs, ys, c, marker));
            if (label != null) {
                legend.add(new Object[] {label, c, marker});
            }
            return this;
        }

        Panel line(double[] xs, double[] ys, Color c, float w, boolean dashed, String label) {
            return line(xs, ys, c, w, dashed ? Dash.DASHED : Dash.SOLID, label);
        }

        Panel line(double[] xs, double[] ys, Color c, float w, Dash dash, String label) {
            for (int i = 0; i < xs.length; i++) {
                x.include(xs[i]);
                y.include(ys[i]);
            }
            content.add(() -> poly(this, xs, ys, c, w, dash));
            if (label != null) {
                legend.add(new Object[] {label, c, dash});
            }
            return this;
        }

        /** A line that does not widen the axes (a diagonal of a parity plot). */
        Panel guide(double[] xs, double[] ys, Color c, String label) {
            content.add(() -> poly(this, xs, ys, c, 1f, Dash.DASHED));
            if (label != null) {
                legend.add(new Object[] {label, c, Dash.DASHED});
            }
            return this;
        }

        /** Bars from {@code left[i]} to {@code left[i] + width} of heights {@code h[i]}, stacked on {@code base[i]}. */
        Panel bars(double[] left, double barWidth, double[] base, double[] h, Color c, String label) {
            for (int i = 0; i < left.length; i++) {
                x.include(left[i]);
                x.include(left[i] + barWidth);
                y.include(base[i]);
                y.include(base[i] + h[i]);
            }
            content.add(() -> {
                for (int i = 0; i < left.length; i++) {
                    if (h[i] <= 0) {
                        continue;
                    }
                    double x0 = sx(this, left[i]);
                    double x1 = sx(this, left[i] + barWidth);
                    double y0 = sy(this, base[i] + h[i]);
                    double y1 = sy(this, base[i]);
                    ops.add(new Op.Rect(x0, y0, x1 - x0, y1 - y0, Color.WHITE, c));
                }
            });
            if (label != null) {
                legend.add(new Object[] {label, c, "bar"});
            }
            return this;
        }
    }

    private static double sx(Panel p, double v) {
        return p.px + p.x.frac(v) * p.pw;
    }

    private static double sy(Panel p, double v) {
        return p.py + p.ph - p.y.frac(v) * p.ph;
    }

    private void dots(Panel p, double[] xs, double[] ys, Color c, Marker marker) {
        // One marker per pixel: thousands of evaluations make a small file.
        Set<Long> seen = new HashSet<>();
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            if (!Double.isFinite(xs[i]) || !Double.isFinite(ys[i]) || p.y.log && ys[i] <= 0 || p.x.log && xs[i] <= 0) {
                continue;
            }
            double a = sx(p, xs[i]);
            double b = sy(p, ys[i]);
            if (seen.add(Math.round(a) * 100_000 + Math.round(b))) {
                pts.add(new double[] {a, b});
            }
        }
        ops.add(new Op.Dots(pts, 3.0, c, marker));
    }

    private void poly(Panel p, double[] xs, double[] ys, Color c, float w, Dash dash) {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            if (!Double.isFinite(xs[i]) || !Double.isFinite(ys[i]) || p.y.log && ys[i] <= 0 || p.x.log && xs[i] <= 0) {
                continue;
            }
            double a = sx(p, xs[i]);
            double b = Math.max(p.py, Math.min(p.py + p.ph, sy(p, ys[i])));
            if (!pts.isEmpty()) {
                double[] last = pts.get(pts.size() - 1);
                if (Math.abs(last[0] - a) < 0.5 && Math.abs(last[1] - b) < 0.5) {
                    continue;
                }
            }
            pts.add(new double[] {a, b});
        }
        if (pts.size() > 1) {
            ops.add(new Op.Poly(pts, c, w, dash));
        }
    }

    /** Lays the figure out into the display list. */
    private void layout() {
        ops.clear();
        int between = TOP + BOTTOM + GAP * (panels.size() - 1);
        for (Panel p : panels) {
            int lines = listed(p).size() + p.notes.size();
            if (lines > 0) {
                // a legend of many lines (a fit of 40 parameters) would run past the figure's foot and
                // lose its last lines: the figure grows until each legend box, 5 px below its panel's
                // top, ends 5 px above its panel's foot
                double box = 18.0 * lines + 6 + 10;
                height = Math.max(height, (int) Math.ceil(between + box / (p.to - p.from)));
            }
        }
        if (matrix != null && matrixPlace == null) {
            matrixPlace = placeMatrix(matrix.length);
        }
        ops.add(new Op.Rect(0, 0, width, height, null, Color.WHITE));
        ops.add(new Op.Text(width / 2.0, 26, title, 16, 1, false, "title"));
        int plotH = height - TOP - BOTTOM - GAP * (panels.size() - 1);
        double at = TOP;
        // Every legend stands to the right of the plotting area, never over it: points and curves may lie anywhere
        // (a scan's tail, a parity plot's corner), and a box inside would hide some. The panels of a figure share
        // the widest legend's width, so that their x axes stay aligned.
        double boxW = 0;
        for (Panel p : panels) {
            boxW = Math.max(boxW, legendWidth(p));
        }
        for (Panel p : panels) {
            p.x.layout(true);
            p.y.layout(true);
            p.px = LEFT;
            // the legend takes its width and a gap of 12 px from the plotting area
            p.pw = (int) Math.round(width - LEFT - RIGHT - (boxW > 0 ? boxW + 12 : 0));
            p.py = (int) Math.round(at);
            p.ph = (int) Math.round((p.to - p.from) * plotH);
            at += p.ph + GAP;
            Color grid = new Color(0xe6e6e6);
            for (int i = 0; i < p.x.ticks.size(); i++) {
                double v = p.x.ticks.get(i)[0];
                double a = sx(p, v);
                ops.add(new Op.Line(a, p.py, a, p.py + p.ph, grid, 1, Dash.SOLID));
                ops.add(new Op.Line(a, p.py + p.ph, a, p.py + p.ph + 5, Color.BLACK, 1, Dash.SOLID));
                ops.add(new Op.Text(a, p.py + p.ph + 19, p.x.labels.get(i), 12, 1, false, "tick"));
            }
            for (double v : p.x.minor) {
                double a = sx(p, v);
                ops.add(new Op.Line(a, p.py + p.ph, a, p.py + p.ph + 3, Color.BLACK, 1, Dash.SOLID));
            }
            for (int i = 0; i < p.y.ticks.size(); i++) {
                double v = p.y.ticks.get(i)[0];
                double b = sy(p, v);
                ops.add(new Op.Line(p.px, b, p.px + p.pw, b, grid, 1, Dash.SOLID));
                ops.add(new Op.Line(p.px - 5, b, p.px, b, Color.BLACK, 1, Dash.SOLID));
                ops.add(new Op.Text(p.px - 8, b + 4, p.y.labels.get(i), 12, 2, false, "tick"));
            }
            for (double v : p.y.minor) {
                double b = sy(p, v);
                ops.add(new Op.Line(p.px + p.pw, b, p.px, b, new Color(0xf3f3f3), 1, Dash.SOLID));
                ops.add(new Op.Line(p.px - 3, b, p.px, b, Color.BLACK, 1, Dash.SOLID));
            }
            if (p.yZeroLine && !p.y.log && p.y.lo < 0 && p.y.hi > 0) {
                ops.add(new Op.Line(p.px, sy(p, 0), p.px + p.pw, sy(p, 0), GREY, 1, Dash.SOLID));
            }
            for (Runnable r : p.content) {
                r.run();
            }
            ops.add(new Op.Rect(p.px, p.py, p.pw, p.ph, Color.BLACK, null));
            ops.add(new Op.Text(p.px + p.pw / 2.0, p.py + p.ph + 40, p.x.title(), 13, 1, false, "axis-title"));
            ops.add(new Op.Text(22, p.py + p.ph / 2.0, p.y.title(), 13, 1, true, "axis-title"));
            double ly = p.py + 18;
            double lx = p.px + p.pw + 18;
            List<Object[]> listed = listed(p);
            if (!listed.isEmpty() || !p.notes.isEmpty()) {
                double h = 18 * (listed.size() + p.notes.size()) + 6;
                ops.add(new Op.Rect(lx - 6, p.py + 5, boxW, h, new Color(0xbbbbbb), Color.WHITE));
            }
            for (Object[] e : listed) {
                if (e[1] == null) {
                    // the line that counts the entries left out
                    ops.add(new Op.Text(lx, ly, (String) e[0], 12, 0, false, "legend"));
                    ly += 18;
                    continue;
                }
                Color c = (Color) e[1];
                // its mark: a dot, a bar, or a line drawn as its series is
                if (e[2] instanceof Dash dash) {
                    ops.add(new Op.Line(lx, ly - 4, lx + 20, ly - 4, c, 2, dash));
                } else if (e[2] instanceof Marker marker) {
                    ops.add(new Op.Dots(List.of(new double[] {lx + 10, ly - 4}), 3.0, c, marker));
                } else {
                    ops.add(new Op.Rect(lx + 3, ly - 10, 14, 10, Color.WHITE, c));
                }
                ops.add(new Op.Text(lx + 26, ly, cut((String) e[0], LEGEND_CHARS - 4), 12, 0, false, "legend"));
                ly += 18;
            }
            for (String n : p.notes) {
                ops.add(new Op.Text(lx, ly, cut(n, LEGEND_CHARS), 12, 0, false, "legend"));
                ly += 18;
            }
        }
        MatrixPlace place = matrixPlace;
        if (matrix != null && place != null) {
            layoutMatrix(matrix, place);
        }
    }

    /**
     * The most lines a legend lists: past them (a fit of 100 parameters), its last line counts the
     * entries left out, so that the figure stays about 1,000 px high, and the series are still drawn.
     */
    static final int MAX_LEGEND_LINES = 48;

    /**
     * @return the legend's entries as listed: all of them, or the first {@link #MAX_LEGEND_LINES} - 1 and a
     *     line ("… and 53 more", no colour) that counts the others
     */
    private static List<Object[]> listed(Panel p) {
        if (p.legend.size() <= MAX_LEGEND_LINES) {
            return p.legend;
        }
        List<Object[]> out = new ArrayList<>(p.legend.subList(0, MAX_LEGEND_LINES - 1));
        out.add(new Object[] {"\u2026 and " + (p.legend.size() - MAX_LEGEND_LINES + 1) + " more", null, null});
        return out;
    }

    /**
     * The most characters of a legend line: a box of 40 characters (about 300 px) leaves a plot 800 px wide
     * more than half its width; a longer label keeps its start and its end with '…' between.
     */
    static final int LEGEND_CHARS = 40;

    /**
     * @return the width of a panel's legend box, which fits its longest line (about 7 px per character of 12 px
     *     text), or 0 for a panel without a legend
     */
    private static double legendWidth(Panel p) {
        if (p.legend.isEmpty() && p.notes.isEmpty()) {
            return 0;
        }
        int chars = 0;
        for (Object[] e : p.legend) {
            chars = Math.max(chars, ((String) e[0]).length() + 4);
        }
        for (String n : p.notes) {
            chars = Math.max(chars, n.length());
        }
        return Math.max(150, 7 * Math.min(chars, LEGEND_CHARS) + 16);
    }

    /** @return the text, or its start and its last 12 characters with '…' between when longer than {@code max} */
    static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int tail = Math.min(12, max / 2);
        int head = max - tail - 1;
        int from = s.length() - tail;
        // never between the two halves of a character outside the Basic Multilingual Plane
        if (Character.isLowSurrogate(s.charAt(head))) {
            head--;
        }
        if (Character.isLowSurrogate(s.charAt(from))) {
            from++;
        }
        return s.substring(0, head) + "\u2026" + s.substring(from);
    }

    /**
     * Makes this figure a matrix of values from -1 to 1 (a correlation matrix): one square per
     * pair, blue for -1, white for 0, red for 1, its value written in it, the labels on the left
     * and at the bottom. A figure holds panels or a matrix, not both.
     *
     * @param labels the names of the rows and columns
     * @param values a square matrix of values in [-1, 1] (NaN drawn grey)
     * @return this figure
     */
    Figure matrix(List<String> labels, double[][] values) {
        this.matrixLabels = List.copyOf(labels);
        this.matrix = values;
        return this;
    }

    /**
     * The longest a matrix label is drawn, in characters: a longer name is cut in its middle ({@link
     * #cut}). Long enough for the names of a force field's parameters, which may differ only in their
     * middle ({@code ff.long_name_07_epsilon_Na_Cl}); the figure grows to hold them.
     */
    static final int MATRIX_LABEL_CHARS = 64;

    /** About the width of a character of a 12 px label, in pixels, as the legends reckon it. */
    private static final int LABEL_CHAR_WIDTH = 7;

    /**
     * Where a matrix's cells and labels go.
     *
     * @param left the margin on the left, which holds the longest row label
     * @param side a cell's side
     * @param upright whether the column labels are drawn reading upwards: the longest is wider than a cell
     * @param below the margin below the cells, which holds the column labels
     */
    private record MatrixPlace(double left, double side, boolean upright, double below) {}

    /**
     * Places a matrix of k rows in this figure, and makes the figure tall enough for its column labels:
     * labels wider than a cell (a fit of 30 parameters with names such as {@code epsilon_Na_Cl}) would
     * run into each other side by side, so they are drawn reading upwards, and the row labels get a
     * margin as wide as the longest.
     */
    private MatrixPlace placeMatrix(int k) {
        double longest = 0;
        for (String s : matrixLabels) {
            longest = Math.max(
                    longest, LABEL_CHAR_WIDTH * cut(s, MATRIX_LABEL_CHARS).length());
        }
        double left = Math.max(LEFT, longest + 24);
        double side = Math.min(width - left - 40, height - TOP - BOTTOM - 40) / (double) k;
        boolean upright = longest > side - 6;
        double below = upright ? longest + 24 : BOTTOM;
        height = Math.max(height, (int) Math.ceil(TOP + 10 + k * side + below));
        return new MatrixPlace(left, side, upright, below);
    }

    private void layoutMatrix(double[][] matrix, MatrixPlace place) {
        int k = matrix.length;
        double side = place.side();
        double x0 = place.left() + (width - place.left() - k * side) / 2 - 10;
        double y0 = TOP + 10;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double v = matrix[i][j];
                ops.add(new Op.Rect(x0 + j * side, y0 + i * side, side, side, Color.WHITE, shade(v)));
                ops.add(new Op.Text(
                        x0 + (j + 0.5) * side,
                        y0 + (i + 0.5) * side + 5,
                        Double.isNaN(v) ? "-" : String.format(java.util.Locale.ROOT, "%.2f", v),
                        13,
                        1,
                        false,
                        "value"));
            }
            String label = cut(matrixLabels.get(i), MATRIX_LABEL_CHARS);
            ops.add(new Op.Text(x0 - 8, y0 + (i + 0.5) * side + 5, label, 12, 2, false, "label"));
            if (place.upright()) {
                // reading upwards, its end just below its column
                ops.add(new Op.Text(x0 + (i + 0.5) * side + 4, y0 + k * side + 8, label, 12, 2, true, "label"));
            } else {
                ops.add(new Op.Text(x0 + (i + 0.5) * side, y0 + k * side + 18, label, 12, 1, false, "label"));
            }
        }
    }

    /** Blue (-1) through white (0) to red (1), light enough for black text. */
    private static Color shade(double v) {
        if (Double.isNaN(v)) {
            return Color.LIGHT_GRAY;
        }
        double t = Math.max(-1, Math.min(1, v));
        Color end = t < 0 ? new Color(0x2166ac) : new Color(0xb2182b);
        double a = 0.7 * Math.abs(t); // at most 70 % of the full colour, so that the black value stays readable
        return new Color(
                (int) Math.round(255 + (end.getRed() - 255) * a),
                (int) Math.round(255 + (end.getGreen() - 255) * a),
                (int) Math.round(255 + (end.getBlue() - 255) * a));
    }

    /**
     * Writes {@code base.svg} and {@code base.png}.
     *
     * @param base the path without extension
     * @return the two files
     * @throws IOException when a file cannot be written
     */
    List<Path> write(Path base) throws IOException {
        layout();
        Path svg = Path.of(base + ".svg");
        Path png = Path.of(base + ".png");
        // a symbolic link in a file's place is replaced, not written through (Results.unlinked)
        for (Path f : List.of(svg, png)) {
            if (Files.isSymbolicLink(f)) {
                Files.delete(f);
            }
        }
        // each written aside and moved into place: a write that fails (a full disk) leaves no empty or cut file
        writeAside(svg, svg().getBytes(StandardCharsets.UTF_8));
        writeAside(png, png(image()));
        return List.of(png, svg);
    }

    /** Writes a file aside ({@code f.tmp}) and moves it into place; a file aside whose write failed is removed. */
    private static void writeAside(Path f, byte[] content) throws IOException {
        Path tmp = Path.of(f + ".tmp");
        if (Files.isSymbolicLink(tmp)) {
            Files.delete(tmp);
        }
        try {
            Files.write(tmp, content);
            Files.move(
                    tmp,
                    f,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Results.deleteQuietly(tmp);
            if (Files.isDirectory(f)) {
                // the system names the file moved; the user knows the file it was to become
                throw new java.nio.file.FileSystemException(f.toString(), null, "a folder of that name is in the way");
            }
            throw e;
        }
    }

    /** Draws the figure without writing it: loads and warms the drawing classes and fonts. */
    void render() {
        layout();
        svg();
        png(image());
    }

    private BufferedImage image() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            for (Op op : ops) {
                op.paint(g);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /**
     * Writes an RGB image as PNG: each row Sub-filtered, deflated at the fastest level. Written by
     * hand because ImageIO's PNG writer (adaptive filters, default level) takes 3 to 5 times as
     * long for these mostly white images, the larger part of drawing a plot; the files are a
     * little larger (about 70 KB instead of 45 KB) and decode everywhere.
     */
    /** @return the PNG file of an RGB image, as {@link #write} writes it */
    private static byte[] png(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] px = ((java.awt.image.DataBufferInt) img.getRaster().getDataBuffer()).getData();
        java.io.ByteArrayOutputStream deflated = new java.io.ByteArrayOutputStream(1 << 16);
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_SPEED);
        try (java.util.zip.DeflaterOutputStream z =
                new java.util.zip.DeflaterOutputStream(deflated, deflater, 1 << 16)) {
            byte[] row = new byte[1 + 3 * w];
            row[0] = 1; // filter type Sub: each byte minus the same byte of the pixel to the left
            for (int y = 0; y < h; y++) {
                int prev = 0;
                for (int x = 0; x < w; x++) {
                    int p = px[y * w + x];
                    row[1 + 3 * x] = (byte) ((p >> 16) - (prev >> 16));
                    row[2 + 3 * x] = (byte) ((p >> 8) - (prev >> 8));
                    row[3 + 3 * x] = (byte) (p - prev);
                    prev = p;
                }
                z.write(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a PNG in memory: " + e.getMessage(), e);
        } finally {
            deflater.end();
        }
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream(deflated.size() + 64);
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(file)) {
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            java.nio.ByteBuffer ihdr =
                    java.nio.ByteBuffer.allocate(13).putInt(w).putInt(h).put(new byte[] {8, 2, 0, 0, 0});
            chunk(out, "IHDR", ihdr.array());
            chunk(out, "IDAT", deflated.toByteArray());
            chunk(out, "IEND", new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a PNG in memory: " + e.getMessage(), e);
        }
        return file.toByteArray();
    }

    private static void chunk(java.io.DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(t);
        out.write(data);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    String svg() {
        StringBuilder sb = new StringBuilder(16_384);
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(height)
                .append("\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" role=\"img\">\n")
                // what a screen reader or a browser's tooltip names the figure by
                .append("<title>")
                .append(title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
                .append("</title>\n");
        for (Op op : ops) {
            op.svg(sb);
            sb.append('\n');
        }
        return sb.append("</svg>\n").toString();
    }

    /** A drawing operation in pixel coordinates, rendered to SVG and to Java2D alike. */
    private sealed interface Op {
        void svg(StringBuilder sb);

        void paint(Graphics2D g);

        record Line(double x1, double y1, double x2, double y2, Color c, float w, Dash dash) implements Op {
            @Override
            public void svg(StringBuilder sb) {
                sb.append("<line x1=\"")
                        .append(f(x1))
                        .append("\" y1=\"")
                        .append(f(y1))
                        .append("\" x2=\"")
                        .append(f(x2))
                        .append("\" y2=\"")
                        .append(f(y2))
                        .append("\" stroke=\"")
                        .append(hex(c))
                        .append('"');
                if (w != 1) {
                    sb.append(" stroke-width=\"").append(f(w)).append('"');
                }
                dash.svg(sb);
                sb.append("/>");
            }

            @Override
            public void paint(Graphics2D g) {
                g.setColor(c);
                g.setStroke(dash.stroke(w));
                g.draw(new Line2D.Double(x1, y1, x2, y2));
            }
        }

        record Poly(List<double[]> pts, Color c, float w, Dash dash) implements Op {
            @Override
            public void svg(StringBuilder sb) {
                sb.append("<polyline fill=\"none\" stroke=\"")
                        .append(hex(c))
                        .append("\" stroke-width=\"")
                        .append(f(w))
                        .append('"');
                dash.svg(sb);
                sb.append(" points=\"");
                for (double[] p : pts) {
                    sb.append(f(p[0])).append(',').append(f(p[1])).append(' ');
                }
                sb.setLength(sb.length() - 1);
                sb.append("\"/>");
            }

            @Override
            public void paint(Graphics2D g) {
                Path2D.Double path = new Path2D.Double();
                path.moveTo(pts.get(0)[0], pts.get(0)[1]);
                for (double[] p : pts.subList(1, pts.size())) {
                    path.lineTo(p[0], p[1]);
                }
                g.setColor(c);
                g.setStroke(dash.stroke(w));
                g.draw(path);
            }
        }

        record Dots(List<double[]> pts, double r, Color c, Marker marker) implements Op {
            @Override
            public void svg(StringBuilder sb) {
                if (pts.isEmpty()) {
                    return;
                }
                if (marker == Marker.RING) {
                    // One path of circles, two arcs each, stroked and not filled.
                    double rr = r - 0.6;
                    sb.append("<path fill=\"none\" stroke=\"").append(hex(c)).append("\" stroke-width=\"1.2\" d=\"");
                    for (double[] p : pts) {
                        // from its centre (as a dot's path gives it), to its left edge, round and back
                        sb.append('M')
                                .append(f(p[0]))
                                .append(' ')
                                .append(f(p[1]))
                                .append('m')
                                .append(f(-rr))
                                .append(" 0a")
                                .append(f(rr))
                                .append(' ')
                                .append(f(rr))
                                .append(" 0 1 0 ")
                                .append(f(2 * rr))
                                .append(" 0a")
                                .append(f(rr))
                                .append(' ')
                                .append(f(rr))
                                .append(" 0 1 0 ")
                                .append(f(-2 * rr))
                                .append(" 0");
                    }
                    sb.append("\"/>");
                    return;
                }
                // One path of dots (zero-length segments with round caps, or square ones): small files.
                sb.append("<path fill=\"none\" stroke=\"")
                        .append(hex(c))
                        .append("\" stroke-width=\"")
                        .append(f(2 * r))
                        .append("\" stroke-linecap=\"")
                        .append(marker == Marker.SQUARE ? "square" : "round")
                        .append("\" d=\"");
                for (double[] p : pts) {
                    sb.append('M').append(f(p[0])).append(' ').append(f(p[1])).append("h0");
                }
                sb.append("\"/>");
            }

            @Override
            public void paint(Graphics2D g) {
                g.setColor(c);
                for (double[] p : pts) {
                    switch (marker) {
                        case DOT -> g.fill(new Ellipse2D.Double(p[0] - r, p[1] - r, 2 * r, 2 * r));
                        case SQUARE -> g.fill(new java.awt.geom.Rectangle2D.Double(p[0] - r, p[1] - r, 2 * r, 2 * r));
                        case RING -> {
                            g.setStroke(new BasicStroke(1.2f));
                            g.draw(new Ellipse2D.Double(p[0] - r + 0.6, p[1] - r + 0.6, 2 * r - 1.2, 2 * r - 1.2));
                        }
                    }
                }
            }
        }

        record Rect(
                double x,
                double y,
                double w,
                double h,
                @Nullable Color stroke,
                @Nullable Color fill) implements Op {
            @Override
            public void svg(StringBuilder sb) {
                sb.append("<rect x=\"")
                        .append(f(x))
                        .append("\" y=\"")
                        .append(f(y))
                        .append("\" width=\"")
                        .append(f(w))
                        .append("\" height=\"")
                        .append(f(h))
                        .append("\" fill=\"")
                        .append(fill == null ? "none" : hex(fill))
                        .append("\" stroke=\"")
                        .append(stroke == null ? "none" : hex(stroke))
                        .append("\"/>");
            }

            @Override
            public void paint(Graphics2D g) {
                Rectangle2D.Double r = new Rectangle2D.Double(x, y, w, h);
                if (fill != null) {
                    g.setColor(fill);
                    g.fill(r);
                }
                if (stroke != null) {
                    g.setColor(stroke);
                    g.setStroke(new BasicStroke(1f));
                    g.draw(r);
                }
            }
        }

        /** Black text of a class (title, axis-title, tick, legend); anchor 0 start, 1 middle, 2 end; rotated reads bottom to top. */
        record Text(double x, double y, String s, int size, int anchor, boolean rotated, String cls) implements Op {
            @Override
            public void svg(StringBuilder sb) {
                sb.append("<text class=\"")
                        .append(cls)
                        .append("\" x=\"")
                        .append(f(x))
                        .append("\" y=\"")
                        .append(f(y))
                        .append("\" font-size=\"")
                        .append(size)
                        .append('"');
                if (anchor != 0) {
                    sb.append(" text-anchor=\"")
                            .append(anchor == 1 ? "middle" : "end")
                            .append('"');
                }
                if (rotated) {
                    sb.append(" transform=\"rotate(-90 ")
                            .append(f(x))
                            .append(' ')
                            .append(f(y))
                            .append(")\"");
                }
                sb.append('>')
                        .append(s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
                        .append("</text>");
            }

            @Override
            public void paint(Graphics2D g) {
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, size));
                FontMetrics fm = g.getFontMetrics();
                double w = fm.stringWidth(s);
                double dx = anchor == 0 ? 0 : anchor == 1 ? -w / 2 : -w;
                if (rotated) {
                    AffineTransform saved = g.getTransform();
                    g.rotate(-Math.PI / 2, x, y);
                    g.drawString(s, (float) (x + dx), (float) y);
                    g.setTransform(saved);
                } else {
                    g.drawString(s, (float) (x + dx), (float) y);
                }
            }
        }
    }

    /** How a point is drawn: the sets of a plot each have their own, so that no set is told by its colour alone. */
    enum Marker {
        /** A filled circle. */
        DOT,
        /** A filled square. */
        SQUARE,
        /** A circle, not filled. */
        RING
    }

    /** How a line is drawn: solid, or broken in one of three patterns that tell lines of one colour apart. */
    enum Dash {
        SOLID(null),
        DASHED("6 4"),
        DOTTED("1.5 3"),
        DASH_DOT("6 3 1.5 3");

        /** The lengths of its dashes and gaps in pixels, as SVG's stroke-dasharray gives them; null when solid. */
        private final @Nullable String pattern;

        Dash(@Nullable String pattern) {
            this.pattern = pattern;
        }

        /** Writes the pattern as an SVG attribute, nothing for a solid line. */
        void svg(StringBuilder sb) {
            if (pattern != null) {
                sb.append(" stroke-dasharray=\"").append(pattern).append('"');
            }
        }

        BasicStroke stroke(float w) {
            if (pattern == null) {
                return new BasicStroke(w, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
            }
            String[] lengths = pattern.split(" ");
            float[] dash = new float[lengths.length];
            for (int k = 0; k < lengths.length; k++) {
                dash[k] = Float.parseFloat(lengths[k]);
            }
            return new BasicStroke(w, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, dash, 0f);
        }
    }

    private static String f(double v) {
        long r = Math.round(v * 10);
        return r % 10 == 0 ? Long.toString(r / 10) : Double.toString(r / 10.0);
    }

    static String hex(Color c) {
        return String.format(Locale.ROOT, "#%06x", c.getRGB() & 0xffffff);
    }

    /** @return 1, 2 or 5 times a power of ten, near {@code x} */
    static double nice(double x) {
        double e = Math.pow(10, Math.floor(Math.log10(x)));
        double m = x / e;
        return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * e;
    }

    /** @return a number in at most 8 characters: plain when short, else like 2e-5 or 1.5e+6 */
    static String shortNumber(double v) {
        return number(v, 3);
    }

    /**
     * @param v a number
     * @param digits the significant digits to keep (3 for {@link #shortNumber})
     * @return it plain when short, else like 2e-5 or 1.5e+6
     */
    static String number(double v, int digits) {
        if (v == 0) {
            return "0";
        }
        String plain = new BigDecimal(v)
                .round(new MathContext(digits))
                .stripTrailingZeros()
                .toPlainString();
        if (plain.length() <= digits + 3) {
            return plain;
        }
        String s = String.format(Locale.ROOT, "%." + (digits - 1) + "e", v)
                .replaceFirst("\\.?0+e", "e")
                .replace("e+0", "e")
                .replace("e-0", "e-")
                .replace("e+", "e");
        return s;
    }
}
