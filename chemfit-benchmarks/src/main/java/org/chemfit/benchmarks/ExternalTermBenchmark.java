package org.chemfit.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.external.FileBasedQuantityComputer;
import org.chemfit.external.OutputParsers;

/**
 * Measures what one external term costs (render a template, create the run directory, spawn
 * {@code /bin/true}, wait, parse a one-line output file, delete the directory) against the bare
 * cost of starting {@code /bin/true} from Java, under both launch mechanisms, and from Python's
 * {@code subprocess.run}, all in one run. Prints a Markdown table.
 *
 * <pre>{@code
 * java -cp chemfit-benchmarks/target/benchmarks.jar org.chemfit.benchmarks.ExternalTermBenchmark [spawns per round]
 * }</pre>
 *
 * @implNote A harness, not a library class; single-threaded.
 */
public final class ExternalTermBenchmark {

    private static final int ROUNDS = 5;

    private ExternalTermBenchmark() {}

    /**
     * @param args optional: the number of spawns per round (default 400); "child" runs one JVM's share
     * @throws Exception when a measurement cannot run
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(Integer.parseInt(args[1]));
            return;
        }
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        double[] python = new double[ROUNDS];
        double[][] def = new double[3][ROUNDS];
        double[][] vfork = new double[3][ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            // alternate the three so that the machine's load falls on all of them alike
            double[] d = javaChild("", n);
            def[0][r] = d[0];
            def[1][r] = d[1];
            def[2][r] = d[2];
            double[] v = javaChild("-Djdk.lang.Process.launchMechanism=VFORK", n);
            vfork[0][r] = v[0];
            vfork[1][r] = v[1];
            vfork[2][r] = v[2];
            python[r] = python(n);
        }
        double py = median(python);
        System.out.println("| what (median of " + ROUNDS + " rounds of " + n
                + " spawns) | ms per call | minus Python's bare spawn |");
        System.out.println("| --- | ---: | ---: |");
        row("Python `subprocess.run([\"/bin/true\"])`", py, py);
        row(
                "Java bare `ProcessBuilder(\"/bin/true\").start().waitFor()`, default launch mechanism",
                median(def[0]),
                py);
        row("Java bare, `-Djdk.lang.Process.launchMechanism=VFORK`", median(vfork[0]), py);
        row(
                "whole external term (render, run dir, spawn, wait, parse, delete), run dirs on tmpfs, default launch mechanism",
                median(def[1]),
                py);
        row("whole external term, run dirs on tmpfs, `VFORK`", median(vfork[1]), py);
        row(
                "whole external term, run dirs on disk (" + System.getProperty("java.io.tmpdir")
                        + "), default launch mechanism",
                median(def[2]),
                py);
        row("whole external term, run dirs on disk, `VFORK`", median(vfork[2]), py);
    }

    private static void row(String what, double ms, double python) {
        System.out.printf(Locale.ROOT, "| %s | %.3f | %+.3f |%n", what, ms, ms - python);
    }

    private static double median(double[] a) {
        double[] c = a.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static double[] javaChild(String option, int n) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (!option.isEmpty()) {
            cmd.add(option);
        }
        cmd.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                ExternalTermBenchmark.class.getName(),
                "child",
                Integer.toString(n)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String last = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                last = line;
            }
        }
        if (p.waitFor() != 0 || last == null || !last.startsWith("RESULT ")) {
            throw new IllegalStateException("benchmark child failed: " + last);
        }
        String[] t = last.split(" ");
        return new double[] {Double.parseDouble(t[1]), Double.parseDouble(t[2]), Double.parseDouble(t[3])};
    }

    private static double python(int n) throws Exception {
        String script = "import subprocess, time\n"
                + "for _ in range(" + Math.max(50, n / 4) + "): subprocess.run(['/bin/true'])\n"
                + "t = time.perf_counter()\n"
                + "for _ in range(" + n + "): subprocess.run(['/bin/true'])\n"
                + "print((time.perf_counter() - t) / " + n + " * 1e3)\n";
        Process p = new ProcessBuilder("python3", "-c", script)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("python3 failed");
        }
        return Double.parseDouble(out);
    }

    /**
     * One JVM's share: bare spawns interleaved call by call with whole terms (on tmpfs, then on
     * disk), so that the machine's load falls on both alike. Prints the bare cost measured
     * alongside the tmpfs terms.
     */
    private static void child(int n) throws Exception {
        Path shm = Path.of("/dev/shm");
        double[] tmpfs = Files.isDirectory(shm)
                ? interleaved(Files.createTempDirectory(shm, "chemfit-bench"), n)
                : new double[] {Double.NaN, Double.NaN};
        double[] disk = interleaved(Files.createTempDirectory("chemfit-bench"), n);
        System.out.printf(
                Locale.ROOT, "RESULT %.6f %.6f %.6f%n", Double.isNaN(tmpfs[0]) ? disk[0] : tmpfs[0], tmpfs[1], disk[1]);
    }

    /** @return the mean ms of a bare spawn and of a whole term, measured call by call in turn */
    private static double[] interleaved(Path root, int n) throws Exception {
        FileBasedQuantityComputer term = FileBasedQuantityComputer.builder()
                .name("bench")
                .workDirectory(root)
                .templateText("out.txt", "energy = {{ x }}\n")
                .command("/bin/true")
                .output(OutputParsers.regex("energy", "out.txt", "energy = (\\S+)"))
                .build();
        Parameters p = Parameters.of(Map.of("x", 1.25));
        for (int i = 0; i < Math.max(50, n / 4); i++) {
            bare();
            term.compute(p, new EvaluationContext(p, "w" + i));
        }
        double sum = 0;
        long bareNanos = 0;
        long termNanos = 0;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            bare();
            long t1 = System.nanoTime();
            sum += term.compute(p, new EvaluationContext(p, "e" + i)).get("energy");
            long t2 = System.nanoTime();
            bareNanos += t1 - t0;
            termNanos += t2 - t1;
        }
        if (sum != 1.25 * n) {
            throw new IllegalStateException("wrong parse result " + sum);
        }
        try (var s = Files.list(root)) {
            if (s.findAny().isPresent()) {
                throw new IllegalStateException("run directories were left behind in " + root);
            }
        }
        Files.delete(root);
        return new double[] {bareNanos / 1e6 / n, termNanos / 1e6 / n};
    }

    private static void bare() throws Exception {
        int code = new ProcessBuilder("/bin/true").inheritIO().start().waitFor();
        if (code != 0) {
            throw new IllegalStateException("/bin/true exited " + code);
        }
    }
}
