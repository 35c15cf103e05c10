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
