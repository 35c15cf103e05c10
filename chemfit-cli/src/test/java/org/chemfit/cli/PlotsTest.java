package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plots' SVG files: axis titles with units, short tick labels, text kept as text, small files. */
class PlotsTest {

    private static final Pattern TEXT = Pattern.compile("<text class=\"([a-z-]+)\"[^>]*>([^<]*)</text>");

    @TempDir
    Path tmp;

    /**
     * Checks every SVG of a plots folder: under 100 KB, every axis title names a unit in
     * parentheses, every tick label at most 8 characters, at least two ticks on each axis.
     *
     * @param plots the plots folder
     * @return the SVG files' names
     */
    static List<String> checkSvgs(Path plots) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(plots)) {
            for (Path svg :
                    s.filter(p -> p.toString().endsWith(".svg")).sorted().toList()) {
                String name = svg.getFileName().toString();
                names.add(name);
                assertTrue(Files.size(svg) < 100_000, name + " is " + Files.size(svg) + " bytes");
                assertTrue(
                        Files.isRegularFile(svg.resolveSibling(name.replace(".svg", ".png"))),
                        name + " without its PNG");
                String text = Files.readString(svg);
                Matcher m = TEXT.matcher(text);
                int titles = 0;
                int ticks = 0;
                while (m.find()) {
                    String label = m.group(2);
                    if (m.group(1).equals("axis-title")) {
                        titles++;
                        assertTrue(
                                label.matches(".+ \\(.+\\).*"), name + ": axis title without a unit: '" + label + "'");
                    } else if (m.group(1).equals("tick")) {
                        ticks++;
                        assertTrue(
                                label.length() <= 8, name + ": tick label longer than 8 characters: '" + label + "'");
                    }
                }
                assertLegendsOutsideThePlottingAreas(name, text);
                if (name.equals("correlation.svg")) {
                    // a matrix of dimensionless correlations: no numeric axis, a value in [-1, 1] in every cell
                    checkCorrelationMatrix(name, svg);
                    continue;
                }
                assertTrue(titles >= 2 && titles % 2 == 0, name + ": " + titles + " axis titles");
                assertTrue(ticks >= 2 * titles, name + ": " + ticks + " tick labels for " + titles + " axis titles");
            }
        }
        return names;
    }

    /** A correlation matrix: k labels on each side, k * k values in [-1, 1], 1 on the diagonal. */
    private static void checkCorrelationMatrix(String name, Path svg) throws IOException {
        List<String> labels = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        Matcher m = TEXT.matcher(Files.readString(svg));
        while (m.find()) {
            if (m.group(1).equals("label")) {
                labels.add(m.group(2));
            } else if (m.group(1).equals("value")) {
                values.add(Double.parseDouble(m.group(2)));
            }
        }
        int k = labels.size() / 2;
        assertTrue(k >= 2 && labels.size() == 2 * k, name + ": labels " + labels);
        assertEquals(k * k, values.size(), name + ": values " + values);
        for (int i = 0; i < k; i++) {
            assertEquals(1.0, values.get(i * k + i), 0.0, name + ": the diagonal " + values);
        }
        assertTrue(values.stream().allMatch(v -> v >= -1 && v <= 1), name + ": values " + values);
    }

    @Test
    void tickLabelsStayShortAndScalesMoveIntoTheTitle() throws IOException {
        Figure f = new Figure(800, 560, "awkward ranges");
        Figure.Panel p = f.panel(0, 1).x("temperature", "K", false).y("energy", "eV", false);
        p.points(
                new double[] {136.90001, 136.90005, 136.90009},
                new double[] {1.2e-7, -3.4e-7, 5.0e-7},
                Figure.BLUE,
                "data");
        f.write(tmp.resolve("awkward"));
        String svg = Files.readString(tmp.resolve("awkward.svg"));
        List<String> ticks = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        Matcher m = TEXT.matcher(svg);
        while (m.find()) {
            (m.group(1).equals("tick") ? ticks : m.group(1).equals("axis-title") ? titles : new ArrayList<String>())
                    .add(m.group(2));
        }
        assertTrue(ticks.stream().allMatch(t -> t.length() <= 8), ticks.toString());
        assertTrue(ticks.size() >= 6, ticks.toString());
        // Values near 136.9 spread over 1e-4: labels count from an offset; values of 1e-7 carry the factor in the
        // title.
        assertTrue(titles.get(0).startsWith("temperature (1e-5 K) - 136.9"), titles.toString());
        assertEquals("energy (1e-7 eV)", titles.get(1), titles.toString());
        assertFalse(svg.contains("<path d=\"M") && !svg.contains("<text"), "text drawn as outlines");
        // named for a screen reader and a browser's tooltip
        assertTrue(svg.contains(" role=\"img\">\n<title>awkward ranges</title>\n"), svg);
        checkSvgs(tmp);
    }

    @Test
    void logAxisHasLabelsBetweenDecadesAndMinorTicks() throws IOException {
        Figure f = new Figure(800, 560, "loss");
        Figure.Panel p = f.panel(0, 1).x("evaluation", "count", false).y("loss", "K^2", true);
        p.points(new double[] {1, 2, 3}, new double[] {700, 40, 16.58}, Figure.BLUE, null);
        f.write(tmp.resolve("log"));
        String svg = Files.readString(tmp.resolve("log.svg"));
        for (String label : List.of(">20<", ">50<", ">100<", ">200<", ">500<")) {
            assertTrue(svg.contains(label), label + " missing in " + svg);
        }
        assertEquals(3, Figure.nice(2.7), 2);
        assertEquals("2e-5", Figure.shortNumber(2e-5));
        assertEquals("0.001", Figure.shortNumber(1e-3));
        assertEquals("1e+6".replace("+", ""), Figure.shortNumber(1e6));
    }

    /** Losses near convergence, between two labelled values of 1, 2 or 5 x 10^k: still labelled. */
    @Test
    void aNarrowLogAxisIsLabelled() throws IOException {
        Figure f = new Figure(800, 560, "loss");
        Figure.Panel p = f.panel(0, 1).x("evaluation", "count", false).y("loss", "eV", true);
        p.points(new double[] {1, 2, 3, 4}, new double[] {0.0701, 0.065, 0.0612, 0.0601}, Figure.BLUE, null);
        f.write(tmp.resolve("narrow"));
        String svg = Files.readString(tmp.resolve("narrow.svg"));
        for (String label : List.of(">0.06<", ">0.07<")) {
            assertTrue(svg.contains(label), label + " missing in " + svg);
        }
        Figure g = new Figure(800, 560, "loss");
        g.panel(0, 1)
                .x("evaluation", "count", false)
                .y("loss", "eV^2", true)
                .points(new double[] {1, 2, 3}, new double[] {7.31e-7, 7.3e-7, 7.2e-7}, Figure.BLUE, null);
        g.write(tmp.resolve("narrower"));
        String narrower = Files.readString(tmp.resolve("narrower.svg"));
        long labels = List.of(">7.2e-7<", ">7.25e-7<", ">7.3e-7<").stream()
                .filter(narrower::contains)
                .count();
        assertTrue(labels >= 2, "fewer than two loss labels in " + narrower);
        // narrower than the 3 digits of a label: as many digits as tell the ticks apart, none twice
        for (double[] range :
                List.of(new double[] {12.30, 12.39}, new double[] {0.07312, 0.07338}, new double[] {1.2345, 1.2350})) {
            Figure.Axis axis = new Figure.Axis();
            axis.log = true;
            axis.include(range[0]);
            axis.include(range[1]);
            axis.layout(false);
            assertTrue(axis.labels.size() >= 2, axis.labels.toString());
            assertEquals(axis.labels.size(), new java.util.HashSet<>(axis.labels).size(), axis.labels.toString());
            for (int i = 0; i < axis.labels.size(); i++) {
                assertEquals(axis.ticks.get(i)[0], Double.parseDouble(axis.labels.get(i)), Math.abs(range[0]) * 1e-4);
            }
        }
    }

    @Test
    void oneTermDrawsNoSharePlotTwoTermsDo() throws IOException {
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("loss", Map.of("best", 1.0, "unit", "eV^2"));
        results.put("parameters", List.of());
        results.put("terms", new ArrayList<>(List.of(term("a", 1.0))));
        Path one = tmp.resolve("one");
        List<Path> files = Plots.draw(one, List.of(new double[] {1, 2, 2}, new double[] {2, 1, 1}), results);
        assertFalse(Files.exists(one.resolve("plots/loss-shares.svg")), files.toString());
        assertTrue(Files.exists(one.resolve("plots/parity-energy.svg")), files.toString());
        assertTrue(Files.exists(one.resolve("plots/residuals-energy.svg")), files.toString());
        results.put("terms", List.of(term("a", 0.25), term("b", 0.75)));
        Path two = tmp.resolve("two");
        Plots.draw(two, List.of(new double[] {1, 2, 2}), results);
        assertTrue(Files.exists(two.resolve("plots/loss-shares.svg")));
        assertTrue(Files.readString(two.resolve("plots/loss-shares.svg")).contains("2: b (75.0%)"));
        List<String> svgs = checkSvgs(two.resolve("plots"));
        assertEquals(List.of("loss-shares.svg", "loss.svg", "parity-energy.svg", "residuals-energy.svg"), svgs);
    }

    /**
     * The loss plot: an evaluation in which a term failed and a penalty stood in (its fifth column 1) is a series of
     * its own, not a loss of the evaluation; the best so far is drawn as steps (flat until an evaluation improves it,
     * every segment level or upright); a fit stopped by its budget says so in words.
     */
    @Test
    void penalisedEvaluationsAreASeriesApartTheBestSoFarStepsAndABudgetStopIsSaid() throws IOException {
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("loss", Map.of("best", 2.0, "unit", "eV^2"));
        results.put("stop_reason", "MAX_EVALUATIONS");
        results.put("parameters", List.of());
        results.put("terms", new ArrayList<>(List.of(term("a", 1.0))));
        // evaluation, loss, best so far, the best's number, penalised: evaluation 2's loss 10 is a penalty
        List<double[]> history = List.of(
                new double[] {1, 4, 4, 1, 0},
                new double[] {2, 10, 4, 1, 1},
                new double[] {3, 2, 2, 3, 0},
                new double[] {4, 3, 2, 3, 0});
        Path folder = tmp.resolve("penalised");
        Plots.draw(folder, history, results);
        String svg = Files.readString(folder.resolve("plots/loss.svg"));
        List<String> legend = legendLines(svg);
        assertEquals(
                List.of(
                        "loss of the evaluation",
                        "a term failed (penalty or skip)",
                        "best so far",
                        "best " + Tables.fmt(2.0) + " at evaluation 3",
                        "stopped at its evaluation budget",
                        "(max_evaluations), not by convergence"),
                legend);
        // the markers drawn in the plotting area: three losses in blue, the penalty apart in grey
        assertEquals(3, markersIn(svg, "#1f77b4"), svg);
        assertEquals(1, markersIn(svg, "#7f7f7f"), svg);
        // as rings, not dots like the losses': told apart without their colour
        assertTrue(svg.contains("<path fill=\"none\" stroke=\"#7f7f7f\" stroke-width=\"1.2\" d=\"M"), svg);
        // the best so far: 4 from evaluation 1 to 3, then 2 to evaluation 4: five corners, each segment level or
        // upright
        Matcher m = Pattern.compile("<polyline fill=\"none\" stroke=\"#d62728\"[^>]* points=\"([^\"]*)\"")
                .matcher(svg);
        assertTrue(m.find(), svg);
        String[] pts = m.group(1).split(" ");
        assertEquals(5, pts.length, m.group(1));
        double[][] xy = new double[pts.length][];
        for (int i = 0; i < pts.length; i++) {
            String[] c = pts[i].split(",");
            xy[i] = new double[] {Double.parseDouble(c[0]), Double.parseDouble(c[1])};
        }
        for (int i = 1; i < xy.length; i++) {
            boolean level = xy[i][1] == xy[i - 1][1];
            boolean upright = xy[i][0] == xy[i - 1][0];
            assertTrue(level != upright, "segment " + i + " of " + m.group(1));
        }
        // level from evaluation 1 to 3 (three corners at one height), then down at 3, level to 4
        assertEquals(xy[0][1], xy[2][1], 0.0);
        assertEquals(xy[2][0], xy[3][0], 0.0);
        assertTrue(xy[3][1] > xy[2][1], m.group(1)); // lower loss, larger SVG y
        assertFalse(m.find(), "one best-so-far line");
        checkSvgs(folder.resolve("plots"));
        // a fit that converged says nothing of a budget; none penalised, no such series
        results.put("stop_reason", "CONVERGED");
        Path converged = tmp.resolve("converged");
        Plots.draw(converged, List.of(new double[] {1, 4, 4, 1, 0}, new double[] {2, 2, 2, 2, 0}), results);
        assertEquals(
                List.of("loss of the evaluation", "best so far", "best " + Tables.fmt(2.0) + " at evaluation 2"),
                legendLines(Files.readString(converged.resolve("plots/loss.svg"))));
    }

    /** @return the markers (dots, squares, rings) of a colour that lie in a plotting area */
    static int markersIn(String svg, String colour) {
        List<double[]> frames = frames(svg);
        Matcher m = Pattern.compile("<path fill=\"none\" stroke=\"" + colour + "\"[^>]* d=\"([^\"]*)\"")
                .matcher(svg);
        int n = 0;
        while (m.find()) {
            Matcher d = DOT.matcher(m.group(1));
            while (d.find()) {
                double[] pt = {Double.parseDouble(d.group(1)), Double.parseDouble(d.group(2))};
                if (frames.stream().anyMatch(f -> inside(pt, f, 0))) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The parameters' plot reads evaluations.csv by column name: a header that names one twice is refused. */
    @Test
    void theParametersPlotRefusesAnEvaluationsCsvThatNamesAColumnTwice() throws IOException {
        Path folder = tmp.resolve("twice");
        Files.createDirectories(folder);
        Files.writeString(
                folder.resolve("evaluations.csv"),
                "evaluation,loss,best_loss,seconds,failed_terms,eps,Eps,eps\n1,2.0,2.0,0.1,0,1.0,2.0,3.0\n");
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("loss", Map.of("best", 1.0, "unit", "eV^2"));
        results.put("parameters", List.of(Map.of("name", "eps", "lower", 0.0, "upper", 4.0)));
        results.put("terms", List.of());
        BaseCommand.UserException e = org.junit.jupiter.api.Assertions.assertThrows(
                BaseCommand.UserException.class, () -> Plots.draw(folder, List.of(new double[] {1, 2, 2}), results));
        assertEquals(
                folder.resolve("evaluations.csv") + ":1: column 'eps' is named twice in the header, in columns 6 and 8;"
                        + " only the first would be read (chemfit fit names each column once: the file was changed after"
                        + " it was written)",
                e.getMessage());
    }

    /** @return p000, p001, ... */
    private static List<String> names(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(String.format(java.util.Locale.ROOT, "p%03d", i));
        }
        return names;
    }

    /**
     * @param folder a fit's output folder, made here
     * @param names its parameters, each within [0, 1], at 0.25 then 0.75 in its evaluations.csv
     * @return the parameters plot drawn from them
     */
    private static String parametersPlot(Path folder, List<String> names) throws IOException {
        Files.createDirectories(folder);
        List<Object> parameters = new ArrayList<>();
        StringBuilder header = new StringBuilder("evaluation,loss,best_loss,seconds,degraded,failed_terms");
        StringBuilder line1 = new StringBuilder("0,2.0,2.0,0.1,0,0");
        StringBuilder line2 = new StringBuilder("1,1.0,1.0,0.1,0,0");
        for (String name : names) {
            parameters.add(Map.of("name", name, "lower", 0.0, "upper", 1.0));
            header.append(',').append(name);
            line1.append(",0.25");
            line2.append(",0.75");
        }
        Files.writeString(folder.resolve("evaluations.csv"), header + "\n" + line1 + "\n" + line2 + "\n");
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("loss", Map.of("best", 1.0, "unit", "eV^2"));
        results.put("parameters", parameters);
        results.put("terms", List.of());
        Plots.draw(folder, List.of(new double[] {0, 2, 2}, new double[] {1, 1, 1}), results);
        return Files.readString(folder.resolve("plots/parameters.svg"));
    }

    /**
     * A fit of many parameters: the legend once ran past the figure's foot and lost its last lines; the
     * figure grows until the legend fits, and the lines past the palette's colours are dashed.
     */
    @Test
    void theParametersPlotOfFortyParametersShowsEveryOneInItsLegend() throws IOException {
        List<String> names = names(40);
        String svg = parametersPlot(tmp.resolve("forty"), names);
        assertEquals(names, legendLines(svg));
        Matcher size = Pattern.compile("<svg [^>]*height=\"([0-9]+)\"").matcher(svg);
        assertTrue(size.find(), svg);
        double height = Double.parseDouble(size.group(1));
        List<double[]> boxes = legends(svg);
        assertEquals(1, boxes.size(), svg);
        double[] box = boxes.get(0);
        assertTrue(
                box[1] + box[3] <= height,
                "the legend box ends at " + (box[1] + box[3]) + " in a figure " + height + " high");
        List<double[]> frames = frames(svg);
        assertEquals(1, frames.size(), svg);
        assertTrue(box[1] + box[3] <= frames.get(0)[1] + frames.get(0)[3], "and beside the plotting area");
        // each round of the palette's colours in a pattern of its own: no two of the 40 lines drawn alike
        java.util.Set<String> styles = new java.util.HashSet<>();
        Matcher line = Pattern.compile(
                        "<polyline fill=\"none\" stroke=\"([^\"]+)\"[^>]*?( stroke-dasharray=\"([^\"]+)\")?"
                                + " points=")
                .matcher(svg);
        int lines = 0;
        List<String> patterns = new ArrayList<>();
        while (line.find()) {
            lines++;
            styles.add(line.group(1) + " " + line.group(3));
            patterns.add(String.valueOf(line.group(3)));
        }
        // neighbours differ in pattern as well as colour from the first line on (told apart in grey)
        assertEquals(4, new java.util.HashSet<>(patterns.subList(0, 4)).size(), patterns::toString);
        assertEquals(40, lines, svg);
        assertEquals(40, styles.size(), styles::toString);
    }

    /**
     * A correlation matrix of 34 parameters with names as long as a force field's: the column labels,
     * wider than a cell, once ran into each other; they read upwards, each inside the figure, and the
     * row labels have room on the left. Short names in a small matrix stay level.
     */
    @Test
    void theCorrelationLabelsOfManyLongNamesReadUpwardsWithinTheFigure() throws IOException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 34; i++) {
            names.add(String.format(java.util.Locale.ROOT, "epsilon_Na_Cl_%02d", i));
        }
        double[][] r = new double[34][34];
        for (int i = 0; i < 34; i++) {
            r[i][i] = 1;
        }
        int side = 160 + 90 * 34; // the size Plots gives a matrix of 34
        new Figure(side, side, "many").matrix(names, r).write(tmp.resolve("many"));
        String svg = Files.readString(tmp.resolve("many.svg"));
        Matcher size = Pattern.compile("<svg [^>]*height=\"([0-9]+)\"").matcher(svg);
        assertTrue(size.find(), svg);
        double height = Double.parseDouble(size.group(1));
        Matcher label = Pattern.compile("<text class=\"label\" x=\"([-0-9.]+)\" y=\"([-0-9.]+)\"([^>]*)>([^<]*)</text>")
                .matcher(svg);
        int upright = 0;
        int level = 0;
        double lastX = Double.NEGATIVE_INFINITY;
        while (label.find()) {
            double x = Double.parseDouble(label.group(1));
            double y = Double.parseDouble(label.group(2));
            double extent = 7 * label.group(4).length();
            if (label.group(3).contains("rotate(-90")) {
                upright++;
                assertTrue(
                        y + extent <= height,
                        "a column label ends at " + (y + extent) + " in a figure " + height + " high");
                assertTrue(x - lastX >= 12, "column labels " + (x - lastX) + " px apart");
                lastX = x;
            } else {
                level++;
                assertTrue(x - extent >= 0, "a row label begins at " + (x - extent));
            }
        }
        assertEquals(34, upright, svg);
        assertEquals(34, level, svg);

        // names that differ only in their middle stay apart
        List<String> middle = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            middle.add(String.format(java.util.Locale.ROOT, "ff.very_long_parameter_name_%02d_epsilon_Na_Cl", i));
        }
        new Figure(1060, 1060, "middle").matrix(middle, new double[10][10]).write(tmp.resolve("middle"));
        Matcher shown = TEXT.matcher(Files.readString(tmp.resolve("middle.svg")));
        java.util.Set<String> labels = new java.util.HashSet<>();
        while (shown.find()) {
            if (shown.group(1).equals("label")) {
                labels.add(shown.group(2));
            }
        }
        assertEquals(new java.util.HashSet<>(middle), labels);

        new Figure(480, 480, "few")
                .matrix(List.of("eps", "sigma"), new double[][] {{1, -0.5}, {-0.5, 1}})
                .write(tmp.resolve("few"));
        String few = Files.readString(tmp.resolve("few.svg"));
        assertFalse(few.contains("rotate(-90"), few);
        assertTrue(few.contains("height=\"480\""), few);
    }

    /** Past 48 lines a legend counts the rest in its last line, and the figure stays about 1,000 px high. */
    @Test
    void theParametersPlotOfAHundredParametersListsTheFirstAndCountsTheRest() throws IOException {
        List<String> names = names(100);
        String svg = parametersPlot(tmp.resolve("hundred"), names);
        List<String> expected = new ArrayList<>(names.subList(0, Figure.MAX_LEGEND_LINES - 1));
        expected.add("\u2026 and " + (100 - Figure.MAX_LEGEND_LINES + 1) + " more");
        assertEquals(expected, legendLines(svg));
        Matcher size = Pattern.compile("<svg [^>]*height=\"([0-9]+)\"").matcher(svg);
        assertTrue(size.find(), svg);
        double height = Double.parseDouble(size.group(1));
        double[] box = legends(svg).get(0);
        assertTrue(box[1] + box[3] <= height, "the legend fits: " + (box[1] + box[3]) + " in " + height);
        assertTrue(height <= 1100, "the figure stays about 1,000 px high: " + height);
        assertEquals(100, occurrences(svg, "<polyline "), "every parameter is still drawn");
    }

    private static int occurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static final Pattern TICK = Pattern.compile(
            "<text class=\"tick\" x=\"([-0-9.]+)\" y=\"([-0-9.]+)\" font-size=\"12\" text-anchor=\"(middle|end)\">([^<]*)</text>");
    private static final Pattern RECT = Pattern.compile(
            "<rect x=\"([-0-9.]+)\" y=\"([-0-9.]+)\" width=\"([-0-9.]+)\" height=\"([-0-9.]+)\" fill=\"([^\"]+)\" stroke=\"([^\"]+)\"/>");
    private static final Pattern DOTS = Pattern.compile("stroke-linecap=\"round\" d=\"M([-0-9.]+) ([-0-9.]+)h0");

    @Test
    void aSinglePointParityPlotKeepsThePointClearOfTheLegendWithinAPaddedEqualRange() throws IOException {
        // one lattice constant, model a little above the reference (as in examples/mgo-buckingham): with axes over
        // the two values alone, the point sat in the upper left corner, where the legend was drawn
        double reference = 4.2;
        double model = 4.212;
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", "lattice");
        t.put("share", 1.0);
        t.put("reference", Map.of("lattice_constant", List.of(reference)));
        t.put("computed", Map.of("lattice_constant", List.of(model)));
        t.put("units", Map.of("lattice_constant", "Angstrom"));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("loss", Map.of("best", 1.0, "unit", "Angstrom^2"));
        results.put("parameters", List.of());
        results.put("terms", List.of(t));
        Path folder = tmp.resolve("one-point");
        Plots.draw(folder, List.of(new double[] {1, 2, 2}), results);
        checkSvgs(folder.resolve("plots"));
        String svg = Files.readString(folder.resolve("plots/parity-lattice_constant.svg"));

        // the data's marker is the first round-dot path (the legend's own marker comes after the frame)
        Matcher dot = DOTS.matcher(svg);
        assertTrue(dot.find(), svg);
        double px = Double.parseDouble(dot.group(1));
        double py = Double.parseDouble(dot.group(2));
        double[] frame = null;
        double[] legend = null;
        Matcher r = RECT.matcher(svg);
        while (r.find()) {
            double[] box = {
                Double.parseDouble(r.group(1)),
                Double.parseDouble(r.group(2)),
                Double.parseDouble(r.group(3)),
                Double.parseDouble(r.group(4))
            };
            if (r.group(5).equals("none") && r.group(6).equals("#000000")) {
                frame = box;
            } else if (r.group(6).equals("#bbbbbb")) {
                legend = box;
            }
        }
        assertTrue(frame != null && legend != null, svg);
        // the marker (radius 3) lies inside the frame and outside the legend's box
        assertTrue(
                px - 3 > frame[0] && px + 3 < frame[0] + frame[2],
                "x " + px + " frame " + java.util.Arrays.toString(frame));
        assertTrue(
                py - 3 > frame[1] && py + 3 < frame[1] + frame[3],
                "y " + py + " frame " + java.util.Arrays.toString(frame));
        boolean overlaps = px + 3 > legend[0]
                && px - 3 < legend[0] + legend[2]
                && py + 3 > legend[1]
                && py - 3 < legend[1] + legend[3];
        assertFalse(overlaps, "point (" + px + ", " + py + ") under the legend " + java.util.Arrays.toString(legend));

        // the axes' ranges, read from the tick labels: equal, around both values, padded by 2 % of them at least
        List<double[]> xt = new ArrayList<>();
        List<double[]> yt = new ArrayList<>();
        Matcher m = TICK.matcher(svg);
        while (m.find()) {
            double v = Double.parseDouble(m.group(4));
            if (m.group(3).equals("middle")) {
                xt.add(new double[] {Double.parseDouble(m.group(1)), v});
            } else {
                yt.add(new double[] {Double.parseDouble(m.group(2)) - 4, v});
            }
        }
        assertTrue(xt.size() >= 2 && yt.size() >= 2, svg);
        double xLo = at(xt, frame[0]);
        double xHi = at(xt, frame[0] + frame[2]);
        double yLo = at(yt, frame[1] + frame[3]);
        double yHi = at(yt, frame[1]);
        assertEquals(xLo, yLo, 0.002, "x from " + xLo + ", y from " + yLo);
        assertEquals(xHi, yHi, 0.002, "x to " + xHi + ", y to " + yHi);
        assertTrue(xLo < reference * 0.98 && xHi > model * 1.02, "x axis " + xLo + " to " + xHi);
        assertTrue(yLo < reference * 0.98 && yHi > model * 1.02, "y axis " + yLo + " to " + yHi);
        // the point is drawn where its values are
        assertEquals(reference, at(xt, px), 0.001);
        assertEquals(model, at(yt, py), 0.001);
    }

    /** @return the rectangles [x, y, width, height] of an SVG drawn with the given fill and stroke */
    private static List<double[]> rects(String svg, String fill, String stroke) {
        List<double[]> out = new ArrayList<>();
        Matcher r = RECT.matcher(svg);
        while (r.find()) {
            if ((fill == null || r.group(5).equals(fill)) && r.group(6).equals(stroke)) {
                out.add(new double[] {
                    Double.parseDouble(r.group(1)),
                    Double.parseDouble(r.group(2)),
                    Double.parseDouble(r.group(3)),
                    Double.parseDouble(r.group(4))
                });
            }
        }
        return out;
    }

    /** @return the plotting areas' frames of an SVG */
    private static List<double[]> frames(String svg) {
        return rects(svg, "none", "#000000");
    }

    /** @return the legend boxes of an SVG */
    private static List<double[]> legends(String svg) {
        return rects(svg, null, "#bbbbbb");
    }

    /** A marker's centre in its path: a dot's or a square's zero-length segment, a ring's move to its edge. */
    private static final Pattern DOT = Pattern.compile("M([-0-9.]+) ([-0-9.]+)(?:h0|m)");

    private static final Pattern DOT_PATH = Pattern.compile("<path fill=\"none\" [^>]* d=\"([^\"]*)\"");
    private static final Pattern POLYLINE = Pattern.compile("<polyline [^>]*points=\"([^\"]*)\"");

    /** @return the centres of every round marker of an SVG (the data's and the legend's) */
    private static List<double[]> dots(String svg) {
        List<double[]> out = new ArrayList<>();
        Matcher p = DOT_PATH.matcher(svg);
        while (p.find()) {
            Matcher d = DOT.matcher(p.group(1));
            while (d.find()) {
                out.add(new double[] {Double.parseDouble(d.group(1)), Double.parseDouble(d.group(2))});
            }
        }
        return out;
    }

    /** @return the vertices of every polyline of an SVG (curves and the parity plot's diagonal) */
    private static List<double[]> vertices(String svg) {
        List<double[]> out = new ArrayList<>();
        Matcher p = POLYLINE.matcher(svg);
        while (p.find()) {
            for (String xy : p.group(1).trim().split(" ")) {
                String[] f = xy.split(",");
                out.add(new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1])});
            }
        }
        return out;
    }

    private static boolean inside(double[] pt, double[] box, double margin) {
        return pt[0] + margin > box[0]
                && pt[0] - margin < box[0] + box[2]
                && pt[1] + margin > box[1]
                && pt[1] - margin < box[1] + box[3];
    }

    private static boolean overlap(double[] a, double[] b) {
        return a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
    }

    /**
     * Every legend box lies outside every plotting area, and no marker or curve vertex drawn in a plotting area
     * lies under a legend box.
     */
    static void assertLegendsOutsideThePlottingAreas(String name, String svg) {
        List<double[]> frames = frames(svg);
        List<double[]> legends = legends(svg);
        for (double[] l : legends) {
            for (double[] f : frames) {
                assertFalse(
                        overlap(l, f),
                        name + ": legend " + java.util.Arrays.toString(l) + " over the plotting area "
                                + java.util.Arrays.toString(f));
            }
        }
        List<double[]> data = new ArrayList<>(dots(svg));
        data.addAll(vertices(svg));
        for (double[] pt : data) {
            if (frames.stream().noneMatch(f -> inside(pt, f, 0))) {
                continue; // a legend's own marker
            }
            for (double[] l : legends) {
                assertFalse(
                        inside(pt, l, 3),
                        name + ": point " + java.util.Arrays.toString(pt) + " under the legend "
                                + java.util.Arrays.toString(l));
            }
        }
    }

    /** @return the legend lines of an SVG, in order */
    static List<String> legendLines(String svg) {
        List<String> out = new ArrayList<>();
        Matcher m = TEXT.matcher(svg);
        while (m.find()) {
            if (m.group(1).equals("legend")) {
                out.add(m.group(2));
            }
        }
        return out;
    }

    /** @return the markers of an SVG that lie in a plotting area (the data's, not the legend's) */
    private static int markersDrawn(String svg) {
        List<double[]> frames = frames(svg);
        int n = 0;
        for (double[] pt : dots(svg)) {
            if (frames.stream().anyMatch(f -> inside(pt, f, 0))) {
                n++;
            }
        }
        return n;
    }

    /** A term's map as results.json holds it: values null where the model gave none. */
    private static Map<String, Object> valued(
            String name, String quantity, String unit, List<Double> reference, List<Double> computed) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("reference", Map.of(quantity, reference));
        t.put("computed", Map.of(quantity, computed));
        t.put("units", Map.of(quantity, unit));
        return t;
    }

    /**
     * The plots are drawn of a predictions.csv only when the dashboard's check says it was written with the results
     * (results as the fit holds them, each quantity's values a {@code double[]}): one whose rows are another fit's
     * gives no parity or residual plot and one warning, naming the file and why. Its fields are read as RFC 4180
     * gives them: a term's name may hold a comma.
     */
    @Test
    void aPredictionsFileNotOfTheResultsIsWarnedOfAndNotDrawn() throws IOException {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", "dimer, wide");
        t.put("weight", 1.0);
        t.put("reference", Map.of("energy", new double[] {-60.0, -100.0, -140.0, -20.0, -5.0}));
        t.put("computed", Map.of("energy", new double[] {-58.0, -97.0, -143.0, -21.0, Double.NaN}));
        t.put("units", Map.of("energy", "K"));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("loss", Map.of("best", 1.0, "unit", "K^2"));
        results.put("parameters", List.of());
        results.put("terms", List.of(t));
        Path folder = tmp.resolve("notours");
        Files.createDirectories(folder);
        String header = "set,term,item,quantity,reference,model_initial,model_best,residual,unit\n";
        String ours = header
                + "fit,\"dimer, wide\",a,energy,-60.0,-50.0,-58.0,2.0,K\n"
                + "fit,\"dimer, wide\",b,energy,-100.0,-90.0,-97.0,3.0,K\n"
                + "fit,\"dimer, wide\",c,energy,-140.0,-130.0,-143.0,-3.0,K\n"
                + "fit,\"dimer, wide\",d,energy,-20.0,-10.0,-21.0,-1.0,K\n"
                + "fit,\"dimer, wide\",e,energy,-5.0,-4.0,,,K\n";
        Path csv = folder.resolve(Judgement.FILE);
        Files.writeString(csv, ours);
        Plots.Outcome o = Plots.render(folder, List.of(new double[] {1, 2, 2}), results, true);
        assertEquals(List.of(), o.warnings(), o.toString());
        assertTrue(Files.isRegularFile(folder.resolve("plots/parity-energy.svg")), o.toString());
        assertEquals(4, markersDrawn(Files.readString(folder.resolve("plots/parity-energy.svg"))));
        String fromOurs = Files.readString(folder.resolve("plots/parity-energy.svg"));

        // another fit's: its third row has another reference value
        Files.writeString(csv, ours.replace(",c,energy,-140.0,", ",c,energy,-141.0,"));
        o = Plots.render(folder, List.of(new double[] {1, 2, 2}), results, true);
        String warning = csv + " is another fit's (its rows are not the reference values of the terms in this run's"
                + " results.json): its values are not drawn; the plots are drawn from results.json's (a scan without the"
                + " model at the start)";
        assertEquals(List.of(warning), o.warnings());
        // the parity plot is results.json's: the very plot drawn from the file of these results above,
        // not the other file's (whose third reference value differs)
        assertEquals(fromOurs, Files.readString(folder.resolve("plots/parity-energy.svg")));
        assertFalse(Files.exists(folder.resolve("plots/residuals-energy.svg")), "4 values: no histogram");
        assertEquals(List.of("loss.svg", "parity-energy.svg"), checkSvgs(folder.resolve("plots")));
        java.io.StringWriter said = new java.io.StringWriter();
        try (java.io.PrintWriter w = new java.io.PrintWriter(said)) {
            Plots.tellWarnings(w, o);
        }
        assertEquals("warning: " + warning + System.lineSeparator(), said.toString());

        // read from results.json alone (a fit whose predictions.csv could not be written): nothing to warn of
        o = Plots.render(folder, List.of(new double[] {1, 2, 2}), results, false);
        assertEquals(List.of(), o.warnings());
        assertTrue(Files.isRegularFile(folder.resolve("plots/parity-energy.svg")));
    }

    /**
     * Two validation terms, one without a model value at the best point (it failed there): the parity plot's
     * legend counts the points it draws, and a quantity whose only values have no model value gets no plot,
     * which the outcome names with the reason.
     */
    @Test
    void theParityLegendCountsOnlyThePointsDrawnAndAQuantityWithNoneGetsNoPlot() throws IOException {
        List<Double> ref = List.of(-129.9, -127.3, -83.0);
        Map<String, Object> fitTerm = valued(
                "fitt", "energy", "K", List.of(-60.0, -100.0, -140.0, -20.0), List.of(-58.0, -97.0, -143.0, -21.0));
        fitTerm.put("share", 1.0);
        List<Double> none = java.util.Arrays.asList(null, null, null);
        Map<String, Object> failed = valued("extval", "energy", "K", ref, none);
        // one term of two quantities, as results.json keeps it
        failed.put("reference", Map.of("energy", ref, "single", List.of(-116.0)));
        failed.put("computed", Map.of("energy", none, "single", java.util.Arrays.asList((Double) null)));
        failed.put("units", Map.of("energy", "K", "single", "K"));
        Map<String, Object> ok = valued("extok", "energy", "K", ref, List.of(-124.7, -123.9, -86.0));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("loss", Map.of("best", 1.0, "unit", "K^2"));
        results.put("parameters", List.of());
        results.put("terms", List.of(fitTerm));
        results.put("validation", List.of(failed, ok));
        Path folder = tmp.resolve("valfail");
        Plots.Outcome o = Plots.render(folder, List.of(new double[] {1, 2, 2}), results, true);
        Path plots = folder.resolve("plots");

        String parity = Files.readString(plots.resolve("parity-energy.svg"));
        List<String> legend = legendLines(parity);
        assertTrue(legend.contains("fit (4)"), legend.toString());
        assertTrue(legend.contains("validation (3)"), legend.toString());
        assertEquals(4 + 3, markersDrawn(parity), parity);
        // each set its own marker, so that no set is told by its colour alone (in grey, to a red-green blind reader):
        // the fit's round dots, the validation's squares
        assertTrue(
                parity.matches("(?s).*stroke=\"" + Figure.hex(Figure.BLUE) + "\"[^>]*stroke-linecap=\"round\".*"),
                parity);
        assertTrue(
                parity.matches("(?s).*stroke=\"" + Figure.hex(Figure.ORANGE) + "\"[^>]*stroke-linecap=\"square\".*"),
                parity);
        // the residuals' histogram counts the same values
        List<String> histogram = legendLines(Files.readString(plots.resolve("residuals-energy.svg")));
        assertTrue(histogram.contains("validation (3)"), histogram.toString());
        // two sets: their bars are stacked, and the legend says so
        assertTrue(histogram.contains("sets stacked: each bar on the one before"), histogram.toString());

        assertFalse(Files.exists(plots.resolve("parity-single.svg")), o.toString());
        assertFalse(Files.exists(plots.resolve("parity-single.png")), o.toString());
        assertEquals(
                List.of("parity-single: no model value at the best point (1 reference value without one)"),
                o.skipped());
        assertTrue(o.removed().isEmpty(), o.toString());
        assertEquals(List.of("loss.svg", "parity-energy.svg", "residuals-energy.svg"), checkSvgs(plots));
        assertEquals(6, o.files().size(), o.toString());
        java.io.StringWriter said = new java.io.StringWriter();
        try (java.io.PrintWriter w = new java.io.PrintWriter(said)) {
            Plots.tellOmissions(w, o);
        }
        assertEquals(
                "plots: parity-single not drawn: no model value at the best point (1 reference value without one)",
                said.toString().strip());
    }

    /** @return the results of a scan term (energy against r) whose model values are {@code best} */
    private static Map<String, Object> scanResults(String set, List<Double> best) {
        List<Double> r = new ArrayList<>();
        List<Double> ref = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            double x = 3.4 + 0.2 * i;
            r.add(x);
            ref.add(4 * 137 * (Math.pow(3.35 / x, 12) - Math.pow(3.35 / x, 6)));
        }
        Map<String, Object> t = valued("ar2-held", "energy", "K", ref, best == null ? ref : best);
        t.put("coordinate", Map.of("column", "r", "unit", "A", "values", r));
        t.put("share", 1.0);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("loss", Map.of("best", 1.0, "unit", "K^2"));
        results.put("parameters", List.of());
        results.put(set, List.of(t));
        if (!set.equals("terms")) {
            results.put("terms", List.of());
        }
        return results;
    }

    /**
     * A scan's curve rises into the upper right corner, where a legend inside the plotting area covered the
     * reference points and both curves: every legend stands beside the plotting area.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aScansLegendCoversNoPointOfItsTail() throws IOException {
        Map<String, Object> results = scanResults("validation", null);
        Map<String, Object> t = (Map<String, Object>) ((List<Object>) results.get("validation")).get(0);
        List<Double> ref = (List<Double>) ((Map<String, Object>) t.get("reference")).get("energy");
        List<Double> model = new ArrayList<>();
        for (double v : ref) {
            model.add(v * 0.95 - 0.5);
        }
        t.put("computed", Map.of("energy", model));
        Path folder = tmp.resolve("scan");
        Plots.draw(folder, List.of(new double[] {1, 2, 2}, new double[] {2, 1, 1}), results);
        Path plots = folder.resolve("plots");
        checkSvgs(plots); // every plot: legends beside the plotting areas, no point under one
        String svg = Files.readString(plots.resolve("term-ar2-held.svg"));
        assertEquals(List.of("reference", "model at the best point", "model - reference"), legendLines(svg));
        assertEquals(2, frames(svg).size(), svg);
        assertEquals(2, legends(svg).size(), svg);
        // 23 reference points above, 23 residuals below, all drawn
        assertEquals(46, markersDrawn(svg), svg);
        // the panels share their x axis: same left and right edge
        List<double[]> f = frames(svg);
        assertEquals(f.get(0)[0], f.get(1)[0]);
        assertEquals(f.get(0)[2], f.get(1)[2]);
    }

    /**
     * An interrupted fit does not evaluate its validation terms: a validation scan then shows the reference
     * alone, says that the model was not evaluated, and has no empty residual panel.
     */
    @Test
    void aScanWithoutModelValuesShowsTheReferenceAndSaysSo() throws IOException {
        List<Double> none = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            none.add(null);
        }
        Path folder = tmp.resolve("interrupted");
        Plots.Outcome o = Plots.render(folder, List.of(new double[] {1, 2, 2}), scanResults("validation", none), true);
        String svg = Files.readString(folder.resolve("plots/term-ar2-held.svg"));
        assertEquals(List.of("reference", "model: not evaluated at the best point"), legendLines(svg));
        assertEquals(1, frames(svg).size(), "one panel, no residual panel: " + svg);
        assertEquals(23, markersDrawn(svg), svg);
        assertFalse(svg.contains("<polyline"), "no curve drawn: " + svg);
        assertFalse(Files.exists(folder.resolve("plots/parity-energy.svg")), o.toString());
        assertEquals(
                List.of("parity-energy: no model value at the best point (23 reference values without one)"),
                o.skipped());
    }

    /**
     * Plots that the results no longer give (an earlier fit's, whose predictions.csv was removed) are removed
     * when the plots are drawn; files of other kinds in the folder are left alone.
     */
    @Test
    void plotsTheResultsNoLongerGiveAreRemoved() throws IOException {
        Path folder = tmp.resolve("stale");
        Path plots = folder.resolve("plots");
        Files.createDirectories(plots);
        List<String> old = List.of(
                "parity-energy.svg",
                "parity-energy.png",
                "residuals-energy.svg",
                "residuals-energy.png",
                "term-a_b-2.png",
                "loss-shares.svg",
                "correlation.png",
                "parameters.svg",
                "loss.svg");
        for (String n : old) {
            Files.writeString(plots.resolve(n), "old");
        }
        // what the earlier drawing wrote, as it listed it
        Files.write(plots.resolve(Plots.WRITTEN_LIST), old);
        Files.writeString(plots.resolve("notes.txt"), "mine");
        Files.writeString(plots.resolve("parity-sketch.pdf"), "mine");
        // named like a plot, but not written by a drawing: the user's own, kept
        Files.writeString(plots.resolve("parity-energy-annotated.png"), "mine");
        // no results (a fit running, or results.json of another run): only the loss is drawn
        Plots.Outcome o = Plots.render(folder, List.of(new double[] {1, 2, 2}, new double[] {2, 1, 1}), null, true);
        try (Stream<Path> s = Files.list(plots)) {
            assertEquals(
                    List.of(
                            Plots.WRITTEN_LIST,
                            "loss.png",
                            "loss.svg",
                            "notes.txt",
                            "parity-energy-annotated.png",
                            "parity-sketch.pdf"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        List<String> listed = Files.readAllLines(plots.resolve(Plots.WRITTEN_LIST));
        // first, the results.json they were drawn from: none in this folder
        assertEquals(Plots.DRAWN_FROM + "none", listed.get(0));
        assertEquals(
                List.of("loss.png", "loss.svg"),
                listed.subList(1, listed.size()).stream().sorted().toList());
        assertEquals(8, o.removed().size(), o.toString());
        assertTrue(Files.readString(plots.resolve("loss.svg")).contains("Loss against evaluations"));
        java.io.StringWriter said = new java.io.StringWriter();
        try (java.io.PrintWriter w = new java.io.PrintWriter(said)) {
            Plots.tellOmissions(w, o);
        }
        assertEquals(
                "plots: removed 8 files that these results no longer give (correlation, loss-shares, parameters,"
                        + " parity-energy, residuals-energy, term-a_b-2)",
                said.toString().strip());
    }

    /** The loss plot lists the validation loss only when one is known. */
    @Test
    void theLossPlotListsTheValidationLossOnlyWhenOneIsKnown() throws IOException {
        Map<String, Object> v = valued("held", "energy", "K", List.of(1.0, 2.0), List.of(1.1, 2.1));
        v.put("loss_unit", "K^2");
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("loss", Map.of("best", 1.0, "unit", "K^2"));
        results.put("parameters", List.of());
        results.put("terms", List.of());
        results.put("validation", List.of(v));
        Map<String, Object> unknown = new LinkedHashMap<>();
        unknown.put("evaluations", 2);
        unknown.put("validation_loss", null);
        results.put("validation_history", List.of(unknown));
        List<double[]> history = List.of(new double[] {1, 2, 2}, new double[] {2, 1, 1});
        Plots.draw(tmp.resolve("unknown"), history, results);
        String none = Files.readString(tmp.resolve("unknown/plots/loss.svg"));
        assertEquals(List.of("loss of the evaluation", "best so far"), legendLines(none));
        results.put("validation_history", List.of(Map.of("evaluations", 2, "validation_loss", 1.5)));
        Plots.draw(tmp.resolve("known"), history, results);
        String known = Files.readString(tmp.resolve("known/plots/loss.svg"));
        assertTrue(legendLines(known).contains("validation, at the best so far"), known);
        // a validation loss of 0 at every check (terms of weight 0) has no place on the log axis: said, not listed
        results.put("validation_history", List.of(Map.of("evaluations", 2, "validation_loss", 0.0)));
        Plots.draw(tmp.resolve("zero"), history, results);
        List<String> zero = legendLines(Files.readString(tmp.resolve("zero/plots/loss.svg")));
        assertFalse(zero.contains("validation, at the best so far"), zero.toString());
        assertTrue(zero.contains("validation loss 0, not on a log axis"), zero.toString());
        // checks whose loss is in another unit than the fit's: not on its axis, and said so
        v.put("loss_unit", "eV^2");
        results.put("validation_history", List.of(Map.of("evaluations", 2, "validation_loss", 1.5)));
        Plots.draw(tmp.resolve("other"), history, results);
        List<String> other = legendLines(Files.readString(tmp.resolve("other/plots/loss.svg")));
        assertFalse(other.contains("validation, at the best so far"), other.toString());
        assertTrue(other.contains("validation checks: another unit,"), other.toString());
        assertTrue(other.contains("not drawn (results.json has them)"), other.toString());
    }

    /** @return a term as results.json holds it, with the loss type, weight and counts the loss plot reads */
    private static Map<String, Object> lossTerm(String name, String lossType, int count) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("weight", 1.0);
        t.put("loss_type", lossType);
        t.put("loss_unit", "eV^2");
        t.put("metrics", Map.of("energy", Map.of("unit", "eV", "best", Map.of("count", count))));
        return t;
    }

    /** @return the texts of a class ("legend", "axis-title", "tick") of an SVG, in order */
    private static List<String> texts(String svg, String cls) {
        List<String> out = new ArrayList<>();
        Matcher m = TEXT.matcher(svg);
        while (m.find()) {
            if (m.group(1).equals(cls)) {
                out.add(m.group(2));
            }
        }
        return out;
    }

    /**
     * A fit's squared error over 20 values and a validation term's over 8 (validation_every) are sums over
     * different numbers of values: drawn on one axis the held-out loss looks better than the fit by 20/8 at equal
     * errors. The loss plot gives both, in a panel of their own, as the RMSE per value in the reference unit.
     */
    @Test
    void theValidationChecksAreComparedWithTheFitAsRmsePerValueWhenBothAreSquaredErrors() throws IOException {
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("loss", Map.of("best", 2e-4, "unit", "eV^2"));
        results.put("parameters", List.of());
        results.put("combination", Map.of("reducer", "sum"));
        results.put("terms", List.of(lossTerm("curve", "squared_error", 20)));
        results.put("validation", List.of(lossTerm("held", "squared_error", 8)));
        // the same error per value, 0.005 eV, in both: 20 * 0.005^2 and 8 * 0.005^2
        results.put(
                "validation_history",
                List.of(
                        Map.of("evaluations", 10, "validation_loss", 8 * 0.01 * 0.01),
                        Map.of("evaluations", 20, "validation_loss", 8 * 0.005 * 0.005)));
        List<double[]> history = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            double best = i < 10 ? 20 * 0.01 * 0.01 : 20 * 0.005 * 0.005;
            history.add(new double[] {i, best, best, i < 10 ? 0 : 10});
        }
        Plots.draw(tmp.resolve("rmse"), history, results);
        String svg = Files.readString(tmp.resolve("rmse/plots/loss.svg"));
        List<String> legend = legendLines(svg);
        assertTrue(legend.contains("fit, best so far (20 values)"), legend.toString());
        assertTrue(legend.contains("validation (8 values)"), legend.toString());
        assertFalse(legend.contains("validation, at the best so far"), legend.toString());
        assertTrue(texts(svg, "axis-title").contains("RMSE (eV)"), texts(svg, "axis-title")::toString);
        assertEquals(2, frames(svg).size(), "the loss panel and the RMSE panel");
        // equal errors per value: the two curves end on the same height of the RMSE panel (the fit's 20 values
        // summed give 2.5 times the validation's 8 on the loss axis)
        double[] panel = frames(svg).get(1);
        List<double[]> inPanel =
                vertices(svg).stream().filter(v -> inside(v, panel, 0.5)).toList();
        double fitEnd = inPanel.stream()
                .filter(v -> Math.abs(v[0] - (panel[0] + panel[2])) < panel[2] * 0.2)
                .mapToDouble(v -> v[1])
                .max()
                .orElseThrow();
        // the lowest marker (the largest y on the page): the check after evaluation 20
        double valEnd = dots(svg).stream()
                .filter(v -> inside(v, panel, 0))
                .mapToDouble(v -> v[1])
                .max()
                .orElseThrow();
        assertEquals(fitEnd, valEnd, 0.5, "fit and validation RMSE of 0.005 eV at the last check");
        assertLegendsOutsideThePlottingAreas("loss", svg);
    }

    /**
     * Losses that are not a multiple of the sum of squared residuals: the validation loss is drawn beside the fit's,
     * their counts named, and a note says why it is not given as an RMSE.
     */
    @Test
    void otherLossesAreDrawnBesideTheFitsWithTheNumberOfValuesEachIsOver() throws IOException {
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("loss", Map.of("best", 1.0, "unit", "eV^2"));
        results.put("parameters", List.of());
        results.put("combination", Map.of("reducer", "sum"));
        Map<String, Object> fit = lossTerm("curve", "squared_error", 12);
        fit.put("weight", 2.0); // weighted unlike the other: the loss per value is no mean squared error
        results.put("terms", List.of(fit, lossTerm("line", "squared_error", 8)));
        results.put("validation", List.of(lossTerm("held", "squared_error", 8)));
        results.put("validation_history", List.of(Map.of("evaluations", 2, "validation_loss", 1.5)));
        Plots.draw(tmp.resolve("weighted"), List.of(new double[] {1, 2, 2}, new double[] {2, 1, 1}), results);
        String svg = Files.readString(tmp.resolve("weighted/plots/loss.svg"));
        List<String> legend = legendLines(svg);
        assertTrue(legend.contains("validation (8 values), best so far"), legend.toString());
        assertTrue(legend.contains("fit: 20 values, validation: 8"), legend.toString());
        assertTrue(legend.contains("no RMSE: fit weights differ per value"), legend.toString());
        assertEquals(1, frames(svg).size());

        // the same weight per value in each (2 on the fit's, 1 on the validation's): an exact multiple
        fit.put("weight", 2.0);
        Map<String, Object> line = lossTerm("line", "squared_error", 8);
        line.put("weight", 2.0);
        results.put("terms", List.of(fit, line));
        Plots.HeldOut h = java.util.Objects.requireNonNull(Plots.heldOut(results, "eV^2"));
        assertEquals("eV", h.rmseUnit());
        assertEquals(Math.sqrt(1.0 / (2 * 20)), h.fitRmse(1.0), 1e-15);
        // a loss whose product with 1 / 40 (or, under root_mean, whose square) is beyond a double, or below the
        // normal doubles, still has its RMSE: the roots of the two parts
        assertEquals(
                Math.sqrt(Double.MIN_NORMAL) * Math.sqrt(1.0 / (2 * 20)),
                h.fitRmse(Double.MIN_NORMAL),
                Math.sqrt(Double.MIN_NORMAL) * 1e-15);
        Plots.HeldOut root =
                new Plots.HeldOut(new double[] {2}, new double[] {1.5}, 8, 20, true, 0.25, 1.0 / 20, "eV", null);
        assertEquals(2 * Math.sqrt(1.0 / 20), root.fitRmse(2), 0, "an ordinary loss, as before");
        assertEquals(Math.sqrt(Math.pow(1.5, 2) * 0.25), root.validationRmse(1.5), 0);
        assertEquals(1e200 * Math.sqrt(1.0 / 20), root.fitRmse(1e200), 1e185);
        assertEquals(1e-200 * Math.sqrt(0.25), root.validationRmse(1e-200), 1e-215);
        // results.json of an older version, without the reducer: the loss could be a mean, so no RMSE
        results.remove("combination");
        Plots.draw(tmp.resolve("unrecorded"), List.of(new double[] {1, 2, 2}, new double[] {2, 1, 1}), results);
        assertTrue(legendLines(Files.readString(tmp.resolve("unrecorded/plots/loss.svg")))
                .contains("no RMSE: reducer not recorded"));
        // a loss in unit 1, of the residuals of one term divided by a scale (loss_scales): dimensionless, it is
        // no error in eV; the scale of one term is enough
        results.put("combination", Map.of("reducer", "sum"));
        List<Map<String, Object>> scaled = new ArrayList<>();
        for (String name : List.of("curve", "line", "held")) {
            Map<String, Object> t = lossTerm(name, "squared_error", 8);
            t.put("loss_unit", "1");
            t.put("loss_scales", name.equals("line") ? Map.of("energy", 0.01) : Map.of());
            scaled.add(t);
        }
        results.put("terms", List.of(scaled.get(0), scaled.get(1)));
        results.put("validation", List.of(scaled.get(2)));
        Plots.HeldOut dimensionless = java.util.Objects.requireNonNull(Plots.heldOut(results, "1"));
        assertEquals("residuals divided by a scale", dimensionless.why());
        assertEquals(null, dimensionless.rmseUnit());
        results.put("loss", Map.of("best", 1.0, "unit", "1"));
        Plots.draw(tmp.resolve("scaled"), List.of(new double[] {1, 2, 2}, new double[] {2, 1, 1}), results);
        String scaledSvg = Files.readString(tmp.resolve("scaled/plots/loss.svg"));
        assertTrue(legendLines(scaledSvg).contains("no RMSE: residuals divided by a scale"), scaledSvg);
        assertEquals(1, frames(scaledSvg).size(), "no RMSE panel");
        // a loss in unit 1 of quantities declared in unit 1, none scaled: their squared error, whose RMSE is in
        // unit 1 (the 16 fit values' sum 1 gives sqrt(1 / 16) = 0.25); no note says a scale divided them
        scaled.get(1).put("loss_scales", Map.of());
        Plots.HeldOut unitOne = java.util.Objects.requireNonNull(Plots.heldOut(results, "1"));
        assertEquals(null, unitOne.why());
        assertEquals("1", unitOne.rmseUnit());
        assertEquals(0.25, unitOne.fitRmse(1.0), 1e-15);
        Plots.draw(tmp.resolve("unit-one"), List.of(new double[] {1, 2, 2}, new double[] {2, 1, 1}), results);
        String unitOneSvg = Files.readString(tmp.resolve("unit-one/plots/loss.svg"));
        assertTrue(legendLines(unitOneSvg).stream().noneMatch(l -> l.startsWith("no RMSE")), unitOneSvg);
        assertTrue(texts(unitOneSvg, "axis-title").contains("RMSE (1)"), texts(unitOneSvg, "axis-title")::toString);
        assertEquals(2, frames(unitOneSvg).size(), "the loss panel and the RMSE panel");
        // one term without loss_scales in a file whose other terms record theirs: this version's file, and
        // that term divides by no scale that is known; no note of scales not recorded
        scaled.get(2).remove("loss_scales");
        Plots.HeldOut oneUnrecorded = java.util.Objects.requireNonNull(Plots.heldOut(results, "1"));
        assertEquals(null, oneUnrecorded.why());
        assertEquals("1", oneUnrecorded.rmseUnit());
        assertEquals(0.25, oneUnrecorded.fitRmse(1.0), 1e-15);
        // ... but with a scale on another term of the loss, the loss is still no error in unit 1
        scaled.get(1).put("loss_scales", Map.of("energy", 0.01));
        assertEquals(
                "residuals divided by a scale",
                java.util.Objects.requireNonNull(Plots.heldOut(results, "1")).why());
        // a results.json of an older version, which records the scales of no term: which of the two it is is
        // unknown
        scaled.get(0).remove("loss_scales");
        scaled.get(1).remove("loss_scales");
        assertEquals(
                "scales not recorded",
                java.util.Objects.requireNonNull(Plots.heldOut(results, "1")).why());
        Plots.draw(tmp.resolve("older"), List.of(new double[] {1, 2, 2}, new double[] {2, 1, 1}), results);
        assertTrue(legendLines(Files.readString(tmp.resolve("older/plots/loss.svg")))
                .contains("no RMSE: scales not recorded"));
        results.put("loss", Map.of("best", 1.0, "unit", "eV^2"));
        // an absolute error is no squared error
        results.put("terms", List.of(fit, line));
        results.put("validation", List.of(lossTerm("held", "absolute_error", 8)));
        assertEquals(
                "validation has absolute_error",
                java.util.Objects.requireNonNull(Plots.heldOut(results, "eV^2")).why());
    }

    /**
     * The RMSE panel of a real fit gives the numbers of the metrics table, whatever the reducer: under {@code mean}
     * the loss of two {@code squared_error} terms is half their sum of squares, under {@code root_mean} the square
     * root of that, and a {@code mean_squared_error} term of weight 3 is 3 / n of its sum. With weights that differ
     * per value the panel is not drawn, and a note says why.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
        "mean, squared_error, 1, 1",
        "root_mean, squared_error, 1, 1",
        "sum, mean_squared_error, 3, 3",
        "mean, mean_squared_error, 0.5, 0.5",
        "mean, squared_error, 1, 2"
    })
    @SuppressWarnings("unchecked")
    void theRmsePanelOfAFitGivesTheMetricsTablesRmse(String reducer, String loss, double w1, double w2)
            throws IOException {
        Path csv = Cli.resource("jobs/data/energies.csv");
        String term = "    kind: atoms\n"
                + "    reference: " + csv + "\n"
                + "    unit: eV\n"
                + "    loss: " + loss + "\n"
                + "    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}\n";
        String job = "parameters:\n"
                + "  lj:\n"
                + "    epsilon: {initial: 1.3, bounds: [0.1, 10.0]}\n"
                + "    sigma: {initial: 2.2, bounds: [1.0, 4.0]}\n"
                + "terms:\n"
                + "  - name: a\n" + term + "    weight: " + w1 + "\n"
                + "  - name: b\n" + term + "    weight: " + w2 + "\n"
                + "validation:\n"
                + "  - name: held\n" + term
                + "validation_every: 3\n"
                + "combination: {reducer: " + reducer + "}\n"
                + "optimizer: {method: Nelder-Mead, max_evaluations: 12}\n"
                + "output: {folder: out}\n";
        Path file = tmp.resolve("reduced.yaml");
        Files.writeString(file, job);
        Cli.Run r = Cli.run("fit", file.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        Map<String, Object> results = new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue(tmp.resolve("out").resolve(Results.FILE).toFile(), Map.class);
        assertEquals(reducer, ((Map<String, Object>) results.get("combination")).get("reducer"));
        Map<String, Object> lossOf = (Map<String, Object>) results.get("loss");
        String unit = (String) lossOf.get("unit");
        Plots.HeldOut h = java.util.Objects.requireNonNull(Plots.heldOut(results, unit), results::toString);
        String svg = Files.readString(tmp.resolve("out/plots/loss.svg"));
        if (w1 != w2 && loss.equals("squared_error")) {
            assertEquals(null, h.rmseUnit());
            assertEquals(1, frames(svg).size(), "no RMSE panel");
            assertTrue(legendLines(svg).contains("no RMSE: fit weights differ per value"), svg);
            return;
        }
        assertEquals("eV", h.rmseUnit(), () -> String.valueOf(h.why()));
        assertEquals(2, frames(svg).size(), "the loss panel and the RMSE panel");
        assertTrue(legendLines(svg).contains("fit, best so far (16 values)"), legendLines(svg)::toString);
        Map<String, Object> metrics = (Map<String, Object>) results.get("metrics");
        double table = rmseAtBest(metrics.get("fit"));
        double panel = h.fitRmse(((Number) lossOf.get("best")).doubleValue());
        assertEquals(table, panel, 1e-9 * table, "the fit's RMSE at the end, panel and metrics table");
        // a check at the best parameters (the fit's best loss then is its final one): the validation's RMSE
        double best = ((Number) lossOf.get("best")).doubleValue();
        int compared = 0;
        for (Object o : (List<Object>) results.get("validation_history")) {
            Map<String, Object> e = (Map<String, Object>) o;
            if (e.get("fit_loss") instanceof Number f && f.doubleValue() == best) {
                double v = rmseAtBest(metrics.get("validation"));
                assertEquals(v, h.validationRmse(((Number) e.get("validation_loss")).doubleValue()), 1e-9 * v);
                compared++;
            }
        }
        assertTrue(compared > 0 || ((List<Object>) results.get("validation_history")).isEmpty(), results::toString);
    }

    /**
     * A real fit whose residuals a {@code loss.scale} divides records each term's scales in results.json
     * ({@code loss_scales}, {@code {}} for a term without), and the loss plot's note says why no RMSE is given.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aScaledFitRecordsItsScalesAndTheNoteSaysSo() throws IOException {
        Path csv = Cli.resource("jobs/data/energies.csv");
        String term = "    kind: atoms\n"
                + "    reference: " + csv + "\n"
                + "    unit: eV\n"
                + "    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}\n";
        String job = "parameters:\n"
                + "  lj:\n"
                + "    epsilon: {initial: 1.3, bounds: [0.1, 10.0]}\n"
                + "    sigma: {initial: 2.2, bounds: [1.0, 4.0]}\n"
                + "terms:\n"
                + "  - name: a\n" + term + "    loss: {type: squared_error, scale: {energy: 0.01}}\n"
                + "validation:\n"
                + "  - name: held\n" + term + "    loss: {scale: 0.5}\n"
                + "  - name: plain\n" + term
                + "validation_every: 3\n"
                + "optimizer: {method: Nelder-Mead, max_evaluations: 9}\n"
                + "output: {folder: scaled-out}\n";
        Path file = tmp.resolve("scaled.yaml");
        Files.writeString(file, job);
        Cli.Run r = Cli.run("fit", file.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        Map<String, Object> results = new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue(tmp.resolve("scaled-out").resolve(Results.FILE).toFile(), Map.class);
        Map<String, Object> a = ((List<Map<String, Object>>) results.get("terms")).get(0);
        assertEquals(Map.of("energy", 0.01), a.get("loss_scales"));
        assertEquals("1", a.get("loss_unit"));
        List<Map<String, Object>> validation = (List<Map<String, Object>>) results.get("validation");
        assertEquals(Map.of("energy", 0.5), validation.get(0).get("loss_scales"));
        assertEquals(Map.of(), validation.get(1).get("loss_scales"));
        assertEquals("eV^2", validation.get(1).get("loss_unit"));
        // the validation's losses are of two units (1 and eV^2): not on the fit's axis; with the held-out scaled
        // term alone they are, and the note says that a scale divided them
        results.put("validation", List.of(validation.get(0)));
        Plots.HeldOut h = java.util.Objects.requireNonNull(Plots.heldOut(results, "1"), results::toString);
        assertEquals("residuals divided by a scale", h.why());
        assertEquals(null, h.rmseUnit());
    }

    @SuppressWarnings("unchecked")
    private static double rmseAtBest(Object overall) {
        Map<String, Object> energy = (Map<String, Object>) ((Map<String, Object>) overall).get("energy");
        return ((Number) ((Map<String, Object>) energy.get("best")).get("rmse")).doubleValue();
    }

    /** A legend line longer than the box takes keeps its start and end, and splits no character. */
    @Test
    void aLongLegendLineIsShortenedInItsMiddle() {
        assertEquals("short", Figure.cut("short", 40));
        String cut = Figure.cut("a".repeat(30) + "middle" + "z".repeat(30), 40);
        assertEquals(40, cut.length(), cut);
        assertTrue(cut.startsWith("a".repeat(27) + "\u2026") && cut.endsWith("z".repeat(12)), cut);
        String wide = "\ud835\udc00".repeat(30); // a letter outside the Basic Multilingual Plane, twice a char
        String w = Figure.cut(wide, 40);
        assertTrue(w.codePoints().noneMatch(c -> c >= 0xD800 && c <= 0xDFFF), "a lone surrogate: " + w);
        assertTrue(w.length() <= 40, w);
    }

    /** @return the value at pixel {@code pixel} of a linear axis, from its first and last tick */
    private static double at(List<double[]> ticks, double pixel) {
        double[] a = ticks.get(0);
        double[] b = ticks.get(ticks.size() - 1);
        return a[1] + (pixel - a[0]) * (b[1] - a[1]) / (b[0] - a[0]);
    }

    private static Map<String, Object> term(String name, double share) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("share", share);
        t.put("reference", Map.of("energy", List.of(1.0, 2.0, 3.0, 4.0, 5.0)));
        t.put("computed", Map.of("energy", List.of(1.1, 2.1, 2.9, 4.2, 5.0)));
        t.put("units", Map.of("energy", "eV"));
        return t;
    }

    /**
     * A term whose name holds a carriage return: predictions.csv quotes it, as a comma or a line
     * feed, so the file reads back as the fit wrote it and the fit draws its plots of it without
     * taking its own file for another fit's. Its parity plot would be the same drawn of results.json
     * (as a file taken for another fit's is): the scan tells the two apart, as only predictions.csv
     * holds the model at the start.
     */
    @Test
    void aTermNameWithACarriageReturnKeepsItsParityPlot() throws IOException {
        Path csv = ExamplesIT.examples().resolve("argon/data/ar2-energies.csv");
        Path file = tmp.resolve("cr.yaml");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "parameters:",
                        "  lj:",
                        "    epsilon: {initial: 100.0, bounds: [10.0, 400.0]}",
                        "    sigma: {initial: 3.2, bounds: [2.5, 4.5]}",
                        "terms:",
                        "  - name: \"ar2\\rcurve\"",
                        "    kind: atoms",
                        "    reference: " + csv,
                        "    coordinate: {column: r, unit: A}",
                        "    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}",
                        "optimizer: {method: Nelder-Mead, max_evaluations: 10}",
                        "output: {folder: cr-out}",
                        ""));
        Cli.Run r = Cli.run("fit", file.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertFalse(r.err().contains("another fit's"), r::toString);
        Path plots = tmp.resolve("cr-out/plots");
        assertTrue(Files.isRegularFile(plots.resolve("parity-energy.svg")), "a parity plot of the term");
        // the name's carriage return is not a character of a file name
        assertEquals(
                List.of("model at the start", "reference", "model at the best point", "model - reference"),
                legendLines(Files.readString(plots.resolve("term-ar2_curve.svg"))),
                "the scan drawn of the fit's own predictions.csv");
        assertTrue(Files.readString(tmp.resolve("cr-out/predictions.csv")).contains("\"ar2\rcurve\""));
    }

    @Test
    void termsWhoseNamesMakeTheSameOrATooLongFileNameEachKeepTheirPlot() throws IOException {
        Path csv = ExamplesIT.examples().resolve("argon/data/ar2-energies.csv");
        String longName = "x".repeat(300);
        List<String> names = List.of("\u03b1", "\u03b2", "a/b", "a?b", longName);
        StringBuilder job = new StringBuilder(String.join(
                "\n",
                "parameters:",
                "  lj:",
                "    epsilon: {initial: 100.0, bounds: [10.0, 400.0]}",
                "    sigma: {initial: 3.2, bounds: [2.5, 4.5]}",
                "terms:",
                ""));
        for (String n : names) {
            job.append("  - name: '")
                    .append(n)
                    .append("'\n")
                    .append("    kind: atoms\n")
                    .append("    reference: ")
                    .append(csv)
                    .append('\n')
                    .append("    coordinate: {column: r, unit: A}\n")
                    .append("    unit: K\n")
                    .append("    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}\n");
        }
        job.append("optimizer: {method: Nelder-Mead, max_evaluations: 10}\noutput: {folder: out}\n");
        Path file = tmp.resolve("names.yaml");
        Files.writeString(file, job);
        Cli.Run r = Cli.run("fit", file.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        Path plots = tmp.resolve("out").resolve("plots");
        String cut = "x".repeat(Plots.NAME_BYTES);
        List<String> expected = List.of("\u03b1", "\u03b2", "a_b", "a_b-2", cut);
        for (int i = 0; i < names.size(); i++) {
            Path svg = plots.resolve("term-" + expected.get(i) + ".svg");
            assertTrue(Files.isRegularFile(svg), svg + " for term " + i);
            assertTrue(
                    Files.readString(svg).contains(names.get(i).equals(longName) ? "xxxxxxxx" : names.get(i)),
                    svg + " is the plot of term " + names.get(i));
        }
        assertTrue(Files.readString(plots.resolve("term-a_b.svg")).contains("a/b"));
        assertTrue(Files.readString(plots.resolve("term-a_b-2.svg")).contains("a?b"));
    }

    @Test
    void theSharePlotOfManyTermsShowsTheLargestAndTheRestAsOneBar() throws IOException {
        Path csv = Cli.resource("jobs/data/energies.csv");
        StringBuilder job = new StringBuilder(String.join(
                "\n",
                "parameters:",
                "  lj:",
                "    epsilon: {initial: 1.0, bounds: [0.1, 10.0]}",
                "    sigma: {initial: 2.2, bounds: [1.0, 4.0]}",
                "terms:",
                ""));
        int terms = Plots.MAX_SHARE_BARS + 3;
        for (int i = 0; i < terms; i++) {
            job.append("  - name: t")
                    .append(i)
                    .append('\n')
                    .append("    kind: atoms\n")
                    .append("    weight: ")
                    .append(1 + i)
                    .append('\n')
                    .append("    reference: ")
                    .append(csv)
                    .append('\n')
                    .append("    potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}\n");
        }
        job.append("optimizer: {method: Nelder-Mead, max_evaluations: 5}\noutput: {folder: out}\n");
        Path file = tmp.resolve("many.yaml");
        Files.writeString(file, job);
        Cli.Run r = Cli.run("fit", file.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        String svg = Files.readString(tmp.resolve("out").resolve("plots").resolve("loss-shares.svg"));
        // the weights rise with the index: the largest shares are those of the last terms
        assertTrue(svg.contains(terms + ": t" + (terms - 1) + " ("), svg);
        assertTrue(svg.contains("the other 4 terms ("), svg);
        assertFalse(svg.contains(">1: t0 ("), "the smallest share is among the rest");
    }
}
