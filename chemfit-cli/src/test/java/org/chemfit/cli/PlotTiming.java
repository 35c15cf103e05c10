package org.chemfit.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Times drawing all plots of a finished fit's output folder, in a fresh JVM (the first draw, class
 * loading included, which is what a fit pays) and then warm; prints the time and the largest SVG.
 * Not a test: run it by hand, as docs/benchmarks.md says.
 *
 * <pre>{@code
 * java -cp chemfit-cli/target/classes:chemfit-cli/target/test-classes:CLASSPATH org.chemfit.cli.PlotTiming examples/argon/results
 * }</pre>
 *
 * @implNote A command-line harness; single-threaded.
 */
public final class PlotTiming {

    private PlotTiming() {}

    /**
     * @param args the output folder of a finished fit
     * @throws Exception when the folder cannot be read or written
     */
    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]).toAbsolutePath();
        Map<String, Object> results = Results.read(folder.resolve(Results.FILE));
        List<double[]> history = new ArrayList<>();
        List<String> lines = Files.readAllLines(folder.resolve(EvaluationLog.FILE));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            history.add(new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])});
        }
        long t0 = System.nanoTime();
        List<Path> files = Plots.draw(folder, history, results);
        long t1 = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            Plots.draw(folder, history, results);
        }
        long t2 = System.nanoTime();
        long largest = 0;
        for (Path p : files) {
            if (p.toString().endsWith(".svg")) {
                largest = Math.max(largest, Files.size(p));
            }
        }
        System.out.printf(
                java.util.Locale.ROOT,
                "%d files: first draw %.3f s, warm %.3f s; largest SVG %d bytes%n",
                files.size(),
                (t1 - t0) / 1e9,
                (t2 - t1) / 4e9,
                largest);
    }
}
