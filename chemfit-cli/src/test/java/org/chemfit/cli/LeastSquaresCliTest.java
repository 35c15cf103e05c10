package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.QRDecomposition;
import org.hipparchus.linear.RealMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The argon example (examples/argon) fitted with {@code method: least-squares} from a job file:
 * the Nelder-Mead optimum in a few evaluations, rounds and the uncertainty in results.json, the
 * closing table and {@code chemfit report}, and standard errors that agree with an independent
 * computation from the analytic Jacobian of the Lennard-Jones curve.
 */
@org.junit.jupiter.api.Timeout(value = 300, unit = java.util.concurrent.TimeUnit.SECONDS)
class LeastSquaresCliTest {

    @TempDir
    Path tmp;

    private Path argonWith(String method) throws IOException {
        Path src = ExamplesIT.examples().resolve("argon");
        Path dst = tmp.resolve("argon-" + method);
        Files.createDirectories(dst.resolve("data/dimers"));
        Files.copy(src.resolve("data/ar2-energies.csv"), dst.resolve("data/ar2-energies.csv"));
        try (var files = Files.list(src.resolve("data/dimers"))) {
            for (Path f : files.toList()) {
                Files.copy(f, dst.resolve("data/dimers").resolve(f.getFileName()));
            }
        }
        String job = Files.readString(src.resolve("fit.yaml")).replace("method: Nelder-Mead", "method: " + method);
        if (method.equals("levenberg-marquardt")) {
            // it stops on the relative change alone, and refuses an absolute tolerance
            job = job.replace(", absolute: 1.0e-10}", "}");
        }
        Files.writeString(dst.resolve("fit.yaml"), job);
        return dst.resolve("fit.yaml");
    }

    private JsonNode fit(Path job, Path out, Cli.Run[] run) throws IOException {
        Cli.Run r = Cli.run("fit", job.toString(), "--output", out.toString(), "--progress", "none", "--no-plots");
        run[0] = r;
        assertEquals(0, r.code(), r::toString);
        return new ObjectMapper().readTree(out.resolve("results.json").toFile());
    }

    @Test
    void argonReachesTheNelderMeadOptimumInFewEvaluationsWithStandardErrors() throws IOException {
        Cli.Run[] run = new Cli.Run[1];
        JsonNode nm = fit(argonWith("Nelder-Mead"), tmp.resolve("nm"), run);
        JsonNode ls = fit(argonWith("least-squares"), tmp.resolve("ls"), run);
        double nmLoss = nm.at("/loss/best").asDouble();
        double lsLoss = ls.at("/loss/best").asDouble();
        int evaluations = ls.at("/evaluations/total").asInt();
        int rounds = ls.at("/evaluations/rounds").asInt();
        String summary =
                "least-squares " + lsLoss + " in " + evaluations + " evaluations, " + rounds + " rounds; Nelder-Mead "
                        + nmLoss + " in " + nm.at("/evaluations/total").asInt() + " evaluations, "
                        + nm.at("/evaluations/rounds").asInt()
                        + " rounds";
        System.out.println(summary);
        assertTrue(lsLoss <= nmLoss * (1 + 1e-6), summary);
        assertTrue(evaluations <= 40, summary);
        assertEquals("least-squares", ls.get("method").asText());

        // the uncertainty, recomputed from the analytic Jacobian of E = 4 eps ((s/r)^12 - (s/r)^6)
        double eps = ls.at("/best_parameters/lj/epsilon").asDouble();
        double sigma = ls.at("/best_parameters/lj/sigma").asDouble();
        List<String> lines = Files.readAllLines(ExamplesIT.examples().resolve("argon/data/ar2-energies.csv"));
        int m = lines.size() - 1;
        double[][] jac = new double[m][2];
        double ssr = 0;
        for (int i = 0; i < m; i++) {
            String[] f = lines.get(i + 1).split(",");
            double r = Double.parseDouble(f[2].substring(1));
            double ref = Double.parseDouble(f[1]);
            double s6 = Math.pow(sigma / r, 6);
            double e = 4 * eps * (s6 * s6 - s6);
            // the loss is the mean squared error: residual (E - ref) / sqrt(m)
            double res = (e - ref) / Math.sqrt(m);
            ssr += res * res;
            jac[i][0] = 4 * (s6 * s6 - s6) / Math.sqrt(m);
            jac[i][1] = 4 * eps * (12 * s6 * s6 - 6 * s6) / sigma / Math.sqrt(m);
        }
        assertEquals(lsLoss, ssr, 1e-9 * ssr, "the loss is the sum of the squared residuals");
        RealMatrix j = MatrixUtils.createRealMatrix(jac);
        RealMatrix inv =
                new QRDecomposition(j.transpose().multiply(j)).getSolver().getInverse();
        double s2 = ssr / (m - 2);
        JsonNode se = ls.at("/uncertainty/standard_errors");
        assertEquals(
                Math.sqrt(s2 * inv.getEntry(0, 0)),
                se.get("lj.epsilon").asDouble(),
                1e-6 * Math.sqrt(s2 * inv.getEntry(0, 0)));
        assertEquals(
                Math.sqrt(s2 * inv.getEntry(1, 1)),
                se.get("lj.sigma").asDouble(),
                1e-6 * Math.sqrt(s2 * inv.getEntry(1, 1)));
        double rho = inv.getEntry(0, 1) / Math.sqrt(inv.getEntry(0, 0) * inv.getEntry(1, 1));
        assertEquals(rho, ls.at("/uncertainty/correlation/0/1").asDouble(), 1e-6);
        assertEquals(46, ls.at("/uncertainty/residuals").asInt());

        // the closing table and the report show rounds, standard errors and the correlation
        String table = run[0].out();
        assertTrue(table.contains("evaluations in " + rounds + " rounds"), table);
        assertTrue(table.contains("std error"), table);
        assertTrue(table.contains("correlation"), table);
        Cli.Run report = Cli.run("report", tmp.resolve("ls").toString());
        assertEquals(0, report.code(), report::toString);
        assertTrue(report.out().contains("std error") && report.out().contains("condition number"), report.out());
        assertTrue(Files.size(tmp.resolve("ls/plots/correlation.png")) > 1000);
        assertTrue(Files.size(tmp.resolve("ls/plots/correlation.svg")) > 1000);
    }

    @Test
    void theArgonExamplePrintsTheResidualVarianceOfItsPredictionsInKelvinSquared() throws IOException {
        Cli.Run[] run = new Cli.Run[1];
        Path out = tmp.resolve("argon");
        JsonNode res = fit(argonWith("Nelder-Mead"), out, run);
        // s^2 = SSR / (m - n) of the residuals (model minus reference) written to predictions.csv
        List<String> lines = Files.readAllLines(out.resolve("predictions.csv"));
        assertEquals("set,term,item,quantity,reference,model_initial,model_best,residual,unit", lines.get(0));
        int m = 0;
        double ssr = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f[0].equals("fit")) {
                double d = Double.parseDouble(f[7]);
                ssr += d * d;
                m++;
            }
        }
        int n = res.at("/uncertainty/estimated").size();
        assertEquals(m, res.at("/uncertainty/residuals").asInt());
        double s2 = ssr / (m - n);
        String table = run[0].out();
        Matcher printed = Pattern.compile("residual variance (\\S+) K\\^2, ").matcher(table);
        assertTrue(printed.find(), table);
        assertEquals(s2, Double.parseDouble(printed.group(1)), 1e-5 * s2, table);
        assertEquals(s2, res.at("/uncertainty/residual_variance").asDouble(), 1e-9 * s2);
        assertEquals("K^2", res.at("/uncertainty/residual_variance_unit").asText());
        assertEquals("residuals", res.at("/uncertainty/residual_variance_of").asText());
        // the loss is the mean of the squared residuals: s^2 is m / (m - n) times it, not a 1/m of that
        assertEquals(res.at("/loss/best").asDouble() * m / (m - n), s2, 1e-9 * s2);

        // the covariance is this s^2 times (J^T J)^-1, J the analytic Jacobian of the same residuals
        double eps = res.at("/best_parameters/lj/epsilon").asDouble();
        double sigma = res.at("/best_parameters/lj/sigma").asDouble();
        JsonNode coordinate = res.at("/terms/0/coordinate/values");
        double[][] jac = new double[m][2];
        for (int i = 0; i < m; i++) {
            double s6 = Math.pow(sigma / coordinate.get(i).asDouble(), 6);
            jac[i][0] = 4 * (s6 * s6 - s6);
            jac[i][1] = 4 * eps * (12 * s6 * s6 - 6 * s6) / sigma;
        }
        RealMatrix j = MatrixUtils.createRealMatrix(jac);
        RealMatrix inv =
                new QRDecomposition(j.transpose().multiply(j)).getSolver().getInverse();
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 2; b++) {
                double expected = s2 * inv.getEntry(a, b);
                assertEquals(
                        expected,
                        res.at("/uncertainty/covariance/" + a + "/" + b).asDouble(),
                        1e-6 * Math.abs(expected),
                        "covariance " + a + b);
            }
        }

        // chemfit report prints the same line from results.json
        Cli.Run report = Cli.run("report", out.toString());
        assertEquals(0, report.code(), report::toString);
        Matcher again = Pattern.compile("residual variance (\\S+) K\\^2, ").matcher(report.out());
        assertTrue(again.find(), report.out());
        assertEquals(printed.group(1), again.group(1));
    }

    /**
     * One residual, {@code y = a + b + c} against 6, and three free parameters: no residual
     * variance, so no standard errors. The closing table, results.json and the warnings say so once
     * and agree: no warning that standard errors which were not computed are unreliable, no
     * "Infinity", and no correlation table of '-' only.
     */
    @Test
    void aFitWithFewerResidualsThanParametersSaysOnceThatItHasNoStandardErrors() throws IOException {
        Path dir = tmp.resolve("one-residual");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("in.tmpl"), "{{ a }} {{ b }} {{ c }}\n");
        Files.writeString(dir.resolve("fit.yaml"), """
                parameters:
                  a: {initial: 1.0, bounds: [-10, 10]}
                  b: {initial: 1.0, bounds: [-10, 10]}
                  c: {initial: 1.0, bounds: [-10, 10]}
                terms:
                  - name: sum
                    kind: external
                    commands:
                      - run: [awk, '{ printf "y %.17g\\n", $1 + $2 + $3 }']
                        stdin_template: in.tmpl
                    outputs:
                      y: {parser: regex, file: program.stdout, pattern: 'y (\\S+)'}
                    reference: {y: 6.0}
                optimizer:
                  method: least-squares
                  max_evaluations: 60
                output: {folder: out, plots: true}
                """);
        Cli.Run r = Cli.run("fit", dir.resolve("fit.yaml").toString(), "--progress", "none");
        assertEquals(0, r.code(), r::toString);
        JsonNode res =
                new ObjectMapper().readTree(dir.resolve("out/results.json").toFile());
        assertTrue(res.at("/uncertainty/condition_number").isNull(), res::toString);
        assertEquals(1, res.at("/uncertainty/residuals").asInt(), res::toString);
        List<String> warnings = new ArrayList<>();
        res.get("warnings").forEach(w -> warnings.add(w.asText()));
        assertTrue(
                warnings.contains(
                        "only 1 residual for 3 estimated parameters: no residual variance, no standard errors"),
                warnings::toString);
        assertTrue(
                warnings.stream().noneMatch(w -> w.contains("J^T J") || w.contains("unreliable")), warnings::toString);
        assertTrue(
                r.out().contains("\nuncertainty from 1 residual: residual variance -, J^T J singular\n"), r::toString);
        assertTrue(!r.out().contains("correlation") && !r.out().contains("Infinity"), r::toString);
        // the plots were drawn (the loss's, in both formats), all but the correlation's
        assertTrue(Files.size(dir.resolve("out/plots/loss.png")) > 0, "the loss plot is drawn");
        assertTrue(Files.readString(dir.resolve("out/plots/loss.svg")).contains("<svg"), "the loss plot is drawn");
        assertTrue(!Files.exists(dir.resolve("out/plots/correlation.png")), "no correlation plot of NaN only");
        assertTrue(!Files.exists(dir.resolve("out/plots/correlation.svg")), "no correlation plot of NaN only");
    }

    /**
     * A straight line {@code y = a r + b} at r = 1, 2, 3, printed by awk with 10 significant digits,
     * fitted to 3.0, 5.0, 7.2 (optimum a = 2.1, b = 0.8667, loss 1/150); {@code step} is the job's
     * {@code finite_difference_step} map, or empty for the default.
     */
    private JsonNode roundedLine(String name, String step) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("in.tmpl"), "{{ a }}\n{{ b }}\n");
        Files.writeString(dir.resolve("fit.yaml"), """
                parameters:
                  a: {initial: 1.0, bounds: [-10, 10]}
                  b: {initial: 0.0, bounds: [-10, 10]}
                terms:
                  - name: line
                    kind: external
                    commands:
                      - run: [awk, 'NR == 1 { a = $1 } NR == 2 { b = $1 } END { for (r = 1; r <= 3; r++) printf "y %.10g\\n", a * r + b }']
                        stdin_template: in.tmpl
                    outputs:
                      y: {parser: regex, file: program.stdout, pattern: 'y (\\S+)', select: all}
                    reference: {y: [3.0, 5.0, 7.2]}
                optimizer:
                  method: least-squares
                  max_evaluations: 60
                """ + step + """
                output: {folder: out, plots: false}
                """);
        Cli.Run r = Cli.run("fit", dir.resolve("fit.yaml").toString(), "--progress", "none");
        assertEquals(0, r.code(), r::toString);
        return new ObjectMapper().readTree(dir.resolve("out/results.json").toFile());
    }

    @Test
    void outputWithTenDigitsConvergesWithALargerFiniteDifferenceStepAndCrawlsWithTheDefault() throws IOException {
        JsonNode crawl = roundedLine("default", "");
        JsonNode stepped = roundedLine("stepped", "  finite_difference_step: {relative: 1.0e-4}\n");
        String summary = "default: " + crawl.get("stop_reason") + " after " + crawl.at("/evaluations/total")
                + ", loss " + crawl.at("/loss/best") + "; step 1e-4: " + stepped.get("stop_reason") + " after "
                + stepped.at("/evaluations/total") + ", loss " + stepped.at("/loss/best");
        System.out.println(summary);
        // the default step (1.49e-8 of |x|) is below the printed resolution: the Jacobian is noise, the
        // method never meets its tolerance and the budget leaves no room for the uncertainty
        assertEquals("MAX_EVALUATIONS", crawl.get("stop_reason").asText(), summary);
        assertEquals(60, crawl.at("/evaluations/total").asInt(), summary);
        assertTrue(crawl.get("uncertainty").isNull(), summary);
        // a step of 1e-4 of |x| sees the slope: the method stops by its tolerance, within the budget,
        // at the optimum, with standard errors
        assertEquals("CONVERGED", stepped.get("stop_reason").asText(), summary);
        assertTrue(stepped.at("/evaluations/total").asInt() < 60, summary);
        assertEquals(1.0 / 150, stepped.at("/loss/best").asDouble(), 1e-6, summary);
        assertEquals(2.1, stepped.at("/best_parameters/a").asDouble(), 1e-4, summary);
        assertEquals(0.8666667, stepped.at("/best_parameters/b").asDouble(), 1e-4, summary);
        assertEquals(3, stepped.at("/uncertainty/residuals").asInt(), summary);
        assertTrue(stepped.at("/uncertainty/standard_errors/a").asDouble() > 0, summary);
    }

    private static final String ANY_LOSS =
            "or choose a method that takes any loss (Nelder-Mead, Powell, BOBYQA, CMA-ES, CMA-ES-hipparchus, L-BFGS-B)";

    /**
     * A step set for a method without differences is its uncertainty's; with a loss that is not a
     * sum of squares there is no uncertainty, and the step takes no part: validate, eval and fit
     * say so once, and the fit runs as without it.
     */
    @Test
    void aStepThatTakesNoPartIsWarnedOf() throws IOException {
        Path job = argonWith("Nelder-Mead");
        Files.writeString(
                job,
                Files.readString(job)
                        .replace("loss: mean_squared_error", "loss: absolute_error")
                        .replace(
                                "max_evaluations: 400",
                                "max_evaluations: 40\n  finite_difference_step: {relative: 1.0e-2}"));
        String warning = "warning: optimizer finite_difference_step takes no part in this fit: Nelder-Mead takes no"
                + " finite differences, and the uncertainty, which would take the step, is computed only when every"
                + " fit term's loss is a sum of squares (squared_error or mean_squared_error, reduced with sum or"
                + " mean); remove it, or choose a method that takes it (least-squares, levenberg-marquardt, L-BFGS-B)";
        for (Cli.Run r : new Cli.Run[] {
            Cli.run("validate", job.toString()),
            Cli.run("eval", job.toString()),
            Cli.run(
                    "fit",
                    job.toString(),
                    "--output",
                    tmp.resolve("unused-step").toString(),
                    "--progress",
                    "none")
        }) {
            assertEquals(0, r.code(), r::toString);
            assertEquals(1, r.err().lines().filter(warning::equals).count(), r::toString);
        }
        // the same fit without the step: the same evaluations, the same best point, bit for bit
        Path without = job.resolveSibling("without-step.yaml");
        Files.writeString(without, Files.readString(job).replace("\n  finite_difference_step: {relative: 1.0e-2}", ""));
        Cli.Run plain = Cli.run(
                "fit", without.toString(), "--output", tmp.resolve("no-step").toString(), "--progress", "none");
        assertEquals(0, plain.code(), plain::toString);
        JsonNode stepped = new ObjectMapper()
                .readTree(tmp.resolve("unused-step/results.json").toFile());
        JsonNode unstepped =
                new ObjectMapper().readTree(tmp.resolve("no-step/results.json").toFile());
        assertEquals(40, stepped.at("/evaluations/total").asInt(), stepped::toString);
        assertEquals(unstepped.at("/evaluations"), stepped.at("/evaluations"));
        assertEquals(unstepped.at("/best_parameters"), stepped.at("/best_parameters"));
        assertEquals(unstepped.at("/loss"), stepped.at("/loss"));
        // with squared errors the uncertainty takes it: no such warning
        Files.writeString(job, Files.readString(job).replace("loss: absolute_error", "loss: mean_squared_error"));
        Cli.Run squared = Cli.run("validate", job.toString());
        assertEquals(0, squared.code(), squared::toString);
        assertTrue(!squared.err().contains("takes no part"), squared::toString);
    }

    @Test
    void aLossThatIsNotASumOfSquaresIsRefusedAtTheTermsLossLine() throws IOException {
        Path job = argonWith("least-squares");
        Files.writeString(job, Files.readString(job).replace("loss: mean_squared_error", "loss: absolute_error"));
        String expected = job + ":20:11: term 'ar2-curve' loss absolute_error is not a sum of squares, which optimizer"
                + " method least-squares (line 23) needs: it fits the residuals: use loss squared_error or"
                + " mean_squared_error for this term, " + ANY_LOSS;
        for (Cli.Run r : new Cli.Run[] {
            Cli.run("validate", job.toString()),
            Cli.run("fit", job.toString(), "--output", tmp.resolve("abs").toString(), "--progress", "none")
        }) {
            assertEquals(2, r.code(), r::toString);
            assertEquals(
                    List.of(expected, "1 problem found; the job file format is described in docs/job-file.md"),
                    r.err().lines().toList(),
                    r::toString);
        }
        // eval runs no optimizer: it evaluates the loss as written
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(0, eval.code(), eval::toString);
    }

    @Test
    void aRootMeanReducerIsRefusedAtItsLineWithAdviceOnTheReducer() throws IOException {
        Path job = argonWith("least-squares");
        Files.writeString(job, Files.readString(job) + "combination: {reducer: root_mean}\n");
        int line = Files.readAllLines(job).size();
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(2, r.code(), r::toString);
        assertEquals(
                List.of(
                        job + ":" + line + ":24: combination reducer root_mean is not a sum of squares (it is the"
                                + " square root of one), which optimizer method least-squares (line 23) needs: it fits"
                                + " the residuals: use reducer mean (root_mean squared: the same best parameters) or"
                                + " sum, " + ANY_LOSS,
                        "1 problem found; the job file format is described in docs/job-file.md"),
                r.err().lines().toList(),
                r::toString);
    }

    @Test
    void theMethodNamesAreAcceptedByTheJobReader() throws IOException {
        for (String method : new ArrayList<>(
                List.of("least-squares", "least-squares-trf", "levenberg-marquardt", "L-BFGS-B", "l_bfgs_b"))) {
            Cli.Run v = Cli.run("validate", argonWith(method).toString());
            assertEquals(0, v.code(), v::toString);
        }
    }

    @Test
    void aMonitoredTermOfAnyLossLeavesTheLeastSquaresFitAsItIs() throws IOException {
        Cli.Run[] run = new Cli.Run[1];
        Path job = argonWith("least-squares");
        JsonNode alone = fit(job, tmp.resolve("alone"), run);
        // the same curve again as a monitor of weight 0 whose loss is no sum of squares
        String text = Files.readString(job);
        int terms = text.indexOf("terms:\n") + "terms:\n".length();
        Files.writeString(
                job,
                text.substring(0, terms)
                        + "  - {name: monitor, kind: atoms, reference: data/ar2-energies.csv, weight: 0,"
                        + " loss: absolute_error, potential: {form: lennard_jones, epsilon: lj.epsilon,"
                        + " sigma: lj.sigma}}\n"
                        + text.substring(terms));
        Cli.Run validate = Cli.run("validate", job.toString());
        assertEquals(0, validate.code(), validate::toString);
        JsonNode monitored = fit(job, tmp.resolve("monitored"), run);
        assertEquals(
                alone.at("/loss/best").asDouble(), monitored.at("/loss/best").asDouble(), 0.0);
        assertEquals(
                alone.at("/best_parameters/lj/epsilon").asDouble(),
                monitored.at("/best_parameters/lj/epsilon").asDouble(),
                0.0);
        assertEquals(
                alone.at("/best_parameters/lj/sigma").asDouble(),
                monitored.at("/best_parameters/lj/sigma").asDouble(),
                0.0);
        assertEquals(
                alone.at("/evaluations/total").asInt(),
                monitored.at("/evaluations/total").asInt());
        assertEquals(
                alone.at("/uncertainty").toString(),
                monitored.at("/uncertainty").toString());
    }
}
