package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code L-BFGS-B} with {@code optimizer.finite_difference_step}: a straight line whose values a
 * real program (awk) prints with 6 significant digits stalls at its start with the default step
 * and is fitted with a step of 1e-3; a fit recorded with one step is not resumed with another.
 */
@org.junit.jupiter.api.Timeout(value = 300, unit = java.util.concurrent.TimeUnit.SECONDS)
class LbfgsbStepCliTest {

    @TempDir
    Path tmp;

    /**
     * {@code y = a r + b} at r = -1, 0, 1, printed by awk with {@code %.6g}, fitted to 1.0, 3.1,
     * 5.3 from a = 1, b = 2. The least-squares optimum is a = 2.15, b = 9.4 / 3, its loss 1/600
     * (residuals -1/60, 1/30, -1/60); the loss is {@code 2 (a - 2.15)^2 + 3 (b - 9.4/3)^2 + 1/600}.
     */
    private Path line(String name, String step) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("in.tmpl"), "{{ a }}\n{{ b }}\n");
        Path job = dir.resolve("fit.yaml");
        Files.writeString(job, """
                parameters:
                  a: {initial: 1.0, bounds: [-10, 10]}
                  b: {initial: 2.0, bounds: [-10, 10]}
                terms:
                  - name: line
                    kind: external
                    commands:
                      - run: [awk, 'NR == 1 { a = $1 } NR == 2 { b = $1 } END { for (r = -1; r <= 1; r++) printf "y %.6g\\n", a * r + b }']
                        stdin_template: in.tmpl
                    outputs:
                      y: {parser: regex, file: program.stdout, pattern: 'y (\\S+)', select: all}
                    reference: {y: [1.0, 3.1, 5.3]}
                optimizer:
                  method: L-BFGS-B
                  max_evaluations: 100
                """ + step + """
                output: {folder: out, plots: false}
                """);
        return job;
    }

    private static JsonNode results(Path job) throws IOException {
        return new ObjectMapper()
                .readTree(job.resolveSibling("out/results.json").toFile());
    }

    /** @return the rows of the fit's evaluations.csv below its header, split at the commas */
    private static List<String[]> evaluations(Path job) throws IOException {
        List<String> lines = Files.readAllLines(job.resolveSibling("out/evaluations.csv"));
        assertEquals("evaluation,loss,best_loss,seconds,degraded,failed_terms,a,b,term:line", lines.get(0));
        return lines.subList(1, lines.size()).stream().map(l -> l.split(",")).toList();
    }

    @Test
    void printedWithSixDigitsTheLineStallsWithTheDefaultStepAndIsFittedWithOneOf1e3() throws IOException {
        Path stalled = line("default", "");
        Cli.Run d = Cli.run("fit", stalled.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, d.code(), d::toString);
        JsonNode dr = results(stalled);
        // a step of 1.49e-8 of 1 and of 2 changes no printed digit of 1, 2, 3: the gradient is 0, the
        // projected gradient below pgtol, and the method stops at its start after the start and its 2
        // displaced points; the uncertainty's central differences (step 6.06e-6) add 4 points, and
        // the best of them lies within 2 * 6.06e-6 of the start
        assertEquals("CONVERGED", dr.get("stop_reason").asText(), d::toString);
        assertEquals(7, dr.at("/evaluations/total").asInt(), d::toString);
        assertEquals(1.0, dr.at("/best_parameters/a").asDouble(), 2e-5, d::toString);
        assertEquals(2.0, dr.at("/best_parameters/b").asDouble(), 2e-5, d::toString);
        assertTrue(dr.at("/loss/best").asDouble() > 6.49, d::toString);
        // said, with the two causes, where the summary gives the fit's warnings, and in results.json
        assertTrue(
                (d.out() + d.err())
                        .contains("warning: L-BFGS-B stopped at its start: every displaced point of its gradient"
                                + " there gave the start's loss exactly, so the gradient was 0."),
                d::toString);
        assertTrue(dr.get("warnings").toString().contains("L-BFGS-B stopped at its start"), dr::toString);

        Path fitted = line("stepped", "  finite_difference_step: {relative: 1.0e-3}\n");
        Cli.Run s = Cli.run("fit", fitted.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, s.code(), s::toString);
        JsonNode sr = results(fitted);
        // the gradient's displaced points: 1 + 1e-3 * max(1, 1) and 2 + 1e-3 * max(2, 2)
        List<String[]> rows = evaluations(fitted);
        assertEquals(List.of("1.0", "2.0"), List.of(rows.get(0)[6], rows.get(0)[7]), s::toString);
        assertEquals(List.of(Double.toString(1.0 + 1e-3 * 1.0), "2.0"), List.of(rows.get(1)[6], rows.get(1)[7]));
        assertEquals(List.of("1.0", Double.toString(2.0 + 1e-3 * 2.0)), List.of(rows.get(2)[6], rows.get(2)[7]));
        assertEquals("CONVERGED", sr.get("stop_reason").asText(), s::toString);
        assertTrue(sr.at("/evaluations/total").asInt() < 100, s::toString);
        // The loss is a quadratic with no cross term, whose forward difference over h is its
        // derivative at x + h / 2: the method, which stops where an iteration gains less than
        // 2.2e-9, ends where that difference is 0, at a* - h_a / 2, b* - h_b / 2 with h = 1e-3 *
        // max(|x|, start) (h_a = 2.15e-3, h_b = 3.13e-3), where the loss is above 1/600 by
        // 2 (h_a / 2)^2 + 3 (h_b / 2)^2 = 9.7e-6. Each printed value is off by 5e-6 at most and
        // each residual is below 0.04 there, so a loss is off by 1.2e-6 at most, a difference of
        // two by 2.4e-6, the gradient by 1.1e-3 (a) and 7.7e-4 (b), the end point by 2.8e-4 and
        // 1.3e-4, and the loss there rises to 1.23e-5 above 1/600 at most. The best point
        // evaluated, whose loss is no higher than the end point's but for the rounding of both,
        // is within 1.5e-5 of 1/600: within 2e-5, which puts a within sqrt(2e-5 / 2) = 3.2e-3 of
        // 2.15 and b within sqrt(2e-5 / 3) = 2.6e-3 of 9.4/3.
        assertEquals(1.0 / 600, sr.at("/loss/best").asDouble(), 2e-5, s::toString);
        assertEquals(2.15, sr.at("/best_parameters/a").asDouble(), 3.2e-3, s::toString);
        assertEquals(9.4 / 3, sr.at("/best_parameters/b").asDouble(), 2.6e-3, s::toString);
    }

    @Test
    void aFitRecordedWithOneStepIsNotResumedWithAnother() throws IOException {
        Path job = line("resume", "  finite_difference_step: {relative: 1.0e-3}\n");
        Cli.Run first = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        int total = results(job).at("/evaluations/total").asInt();

        Files.writeString(job, Files.readString(job).replace("relative: 1.0e-3", "relative: 1.0e-4"));
        Cli.Run other = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.USAGE, other.code(), other::toString);
        assertTrue(
                other.err()
                        .contains("so it cannot be resumed: changed job.file.optimizer.finite_difference_step.relative:"
                                + " 0.001 -> 1.0E-4. Restart to begin a new run in this journal"),
                other::toString);
        assertEquals(total, evaluations(job).size(), "nothing ran: " + other);

        // the same step again: the finished fit is shown, nothing runs
        Files.writeString(job, Files.readString(job).replace("relative: 1.0e-4", "relative: 1.0e-3"));
        Cli.Run same = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, same.code(), same::toString);
        assertTrue(
                same.err().contains("is finished (run 1 of the journal, " + total + " evaluations recorded)"),
                same::toString);
        assertEquals(total, evaluations(job).size(), same::toString);
    }
}
