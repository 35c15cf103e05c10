package org.chemfit.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws a fit's plots with XChart, each as PNG and SVG: the loss against evaluations, reference
 * against fitted values per term, each term's share of the loss, and the correlation matrix of
 * the fitted parameters when the fit estimated their uncertainty.
 *
 * @implNote Stateless; XChart draws headless.
 */
final class Plots {

    private static final int W = 800;
    private static final int H = 560;

    private Plots() {
    }

    /**
     * @param folder the output folder (plots go to its {@code plots/} folder)
     * @param history rows of [evaluation, loss, best loss]
     * @param results the results map, or null for a fit still running
     * @return the files written
     */
    @SuppressWarnings("unchecked")
    static List<Path> draw(Path folder, List<double[]> history, Map<String, Object> results) {
        Path dir = folder.resolve("plots");
        List<Path> written = new ArrayList<>();
        try {
            java.nio.file.Files.createDirectories(dir);
            if (!history.isEmpty()) {
                written.addAll(save(convergence(history), dir.resolve("loss")));
            }
            if (results != null) {
                List<Object> terms = (List<Object>) results.get("terms");
                for (Object o : terms) {
                    Map<String, Object> t = (Map<String, Object>) o;
                    XYChart c = parity(t);
                    if (c != null) {
                        written.addAll(save(c, dir.resolve("term-" + safe(String.valueOf(t.get("name"))))));
                    }
                }
                CategoryChart s = shares(terms);
                if (s != null) {
                    written.addAll(save(s, dir.resolve("loss-shares")));
                }
                org.knowm.xchart.HeatMapChart cor = correlation(results.get("uncertainty"));
                if (cor != null) {
                    written.addAll(save(cor, dir.resolve("correlation")));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plots to " + dir + ": " + e.getMessage(), e);
        }
        return written;
    }

    /** The correlation matrix of the fitted parameters as a heat map from -1 to 1, or null. */
    @SuppressWarnings("unchecked")
    private static org.knowm.xchart.HeatMapChart correlation(Object uncertainty) {
        if (!(uncertainty instanceof Map<?, ?> u)) {
            return null;
        }
        List<Object> names = (List<Object>) u.get("estimated");
        List<Object> rows = (List<Object>) u.get("correlation");
        if (names == null || rows == null || names.size() < 2 || rows.size() != names.size()) {
            return null;
        }
        int k = names.size();
        List<String> labels = new ArrayList<>();
        for (Object n : names) {
            labels.add(String.valueOf(n));
        }
        List<Number[]> cells = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            List<Object> row = (List<Object>) rows.get(i);
            for (int j = 0; j < k; j++) {
                Object v = row.get(j);
                // rows from the top: the first parameter's row is drawn first
                cells.add(new Number[] {j, k - 1 - i, v instanceof Number d ? d.doubleValue() : 0.0});
            }
        }
        List<String> yLabels = new ArrayList<>(labels);
        java.util.Collections.reverse(yLabels);
        org.knowm.xchart.HeatMapChart c = new org.knowm.xchart.HeatMapChartBuilder().width(W).height(H)
                .title("Correlation of the fitted parameters").build();
        c.getStyler().setMin(-1).setMax(1).setShowValue(true).setHeatMapValueDecimalPattern("0.00")
                .setRangeColors(new java.awt.Color[] {new java.awt.Color(0x2166ac), java.awt.Color.WHITE, new java.awt.Color(0xb2182b)});
        c.addSeries("correlation", labels, yLabels, cells);
        return c;
    }

    static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static List<Path> save(Chart<?, ?> chart, Path base) throws IOException {
        BitmapEncoder.saveBitmap(chart, base + ".png", BitmapEncoder.BitmapFormat.PNG);
        VectorGraphicsEncoder.saveVectorGraphic(chart, base + ".svg", VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        return List.of(Path.of(base + ".png"), Path.of(base + ".svg"));
    }

    private static XYChart convergence(List<double[]> history) {
        double[] x = new double[history.size()];
        double[] loss = new double[x.length];
        double[] best = new double[x.length];
        boolean positive = true;
        for (int i = 0; i < x.length; i++) {
            double[] h = history.get(i);
            x[i] = h[0];
            loss[i] = h[1];
            best[i] = h[2];
            positive &= h[1] > 0 && h[2] > 0;
        }
        XYChart c = new XYChartBuilder().width(W).height(H).title("Loss against evaluations").xAxisTitle("evaluation")
                .yAxisTitle("loss").build();
        c.getStyler().setYAxisLogarithmic(positive).setLegendPosition(Styler.LegendPosition.InsideNE).setMarkerSize(4);
        XYSeries a = c.addSeries("loss", x, loss);
        a.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        XYSeries b = c.addSeries("best so far", x, best);
        b.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line).setMarker(SeriesMarkers.NONE);
        return c;
    }

    @SuppressWarnings("unchecked")
    private static XYChart parity(Map<String, Object> term) {
        Map<String, Object> ref = (Map<String, Object>) term.get("reference");
        Map<String, Object> comp = (Map<String, Object>) term.get("computed");
        if (ref == null || comp == null || comp.isEmpty()) {
            return null;
        }
        XYChart c = new XYChartBuilder().width(W).height(H).title("Term '" + term.get("name") + "': fitted against reference")
                .xAxisTitle("reference").yAxisTitle("fitted").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW).setMarkerSize(7);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, Object> e : ref.entrySet()) {
            double[] r = toArray(e.getValue());
            double[] f = toArray(comp.get(e.getKey()));
            if (r == null || f == null || r.length != f.length || r.length == 0) {
                continue;
            }
            for (int i = 0; i < r.length; i++) {
                lo = Math.min(lo, Math.min(r[i], f[i]));
                hi = Math.max(hi, Math.max(r[i], f[i]));
            }
            XYSeries s = c.addSeries(e.getKey(), r, f);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        }
        if (!(hi >= lo)) {
            return null;
        }
        if (hi == lo) {
            hi = lo + 1;
        }
        XYSeries d = c.addSeries("fitted = reference", new double[] {lo, hi}, new double[] {lo, hi});
        d.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line).setMarker(SeriesMarkers.NONE);
        return c;
    }

    private static double[] toArray(Object o) {
        if (o instanceof double[] a) {
            return a;
        }
        if (o instanceof List<?> l) {
            double[] a = new double[l.size()];
            for (int i = 0; i < a.length; i++) {
                if (!(l.get(i) instanceof Number n)) {
                    return null;
                }
                a[i] = n.doubleValue();
            }
            return a;
        }
        if (o instanceof Number n) {
            return new double[] {n.doubleValue()};
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static CategoryChart shares(List<Object> terms) {
        List<String> names = new ArrayList<>();
        List<Double> shares = new ArrayList<>();
        for (Object o : terms) {
            Map<String, Object> t = (Map<String, Object>) o;
            if (t.get("share") instanceof Number n) {
                names.add(String.valueOf(t.get("name")));
                shares.add(100 * n.doubleValue());
            }
        }
        if (names.isEmpty()) {
            return null;
        }
        CategoryChart c = new CategoryChartBuilder().width(W).height(H).title("Each term's share of the best loss")
                .xAxisTitle("term").yAxisTitle("share of the loss (%)").build();
        c.getStyler().setLegendVisible(false);
        c.addSeries("share", names, shares);
        return c;
    }
}
