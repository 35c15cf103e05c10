package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A template that prints the parameters with fewer digits than a finite-difference step changes
 * ({@code {{ "%.4f" | format(m.A) }}}) gives the program the same input on both sides of the
 * step: the derivative is 0, and a least-squares or L-BFGS-B fit stops at its start as
 * "converged". {@code validate}, {@code fit} and {@code eval} warn of it, naming the parameter,
 * the template's line, the step and the fix; the fit's warning that the parameters change no
 * residual names the template as a possible cause. The program is a real python3 script.
 */
class TemplateRoundingTest {

    @TempDir
    Path dir;

    /** An exponential curve {@code A exp(-x / B) + C} at 7 points, its parameters read from input.txt. */
    private static final String SIM = """
            #!/usr/bin/env python3
            import math
            p = {}
            for line in open("input.txt"):
                k, v = line.split("=")
                p[k.strip()] = float(v)
            with open("table.dat", "w") as f:
                f.write("# x E\\n")
                for x in [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]:
                    f.write("%s %.10g\\n" % (x, p["A"] * math.exp(-x / p["B"]) + p["C"]))
            """;

    private static final String ROUNDING = """
            A = {{ "%.4f" | format(m.A) }}
            B = {{ "%.4f" | format(m.B) }}
            C = {{ "%.4f" | format(m.C) }}
            """;

    private Path job(String template, String optimizer) throws IOException {
        Path sim = dir.resolve("sim.py");
        Files.writeString(sim, SIM);
        Files.setPosixFilePermissions(sim, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("input.tmpl"), template);
        Path job = dir.resolve("fit.yaml");
        Files.writeString(job, """
                name: curve
                parameters:
                  m:
                    A: {initial: 5.0, bounds: [0.1, 50.0], unit: eV}
                    B: {initial: 1.0, bounds: [0.2, 3.0], unit: A}
                    C: {initial: 0.0, bounds: [-2.0, 2.0], unit: eV}
                terms:
                  - name: curve
                    kind: external
                    templates: {input.txt: input.tmpl}
                    command: ./sim.py
                    outputs:
                      energies: {parser: column, file: table.dat, column: E, select: all}
                    reference: {energies: [2.56504797, 1.23354967, 0.52084999, 0.13936934, -0.06482254, -0.17411858, -0.23262053]}
                    unit: eV
                optimizer: %s
                output: {folder: out, plots: false}
                """.formatted(optimizer));
        return job;
    }

    /** The warning of one parameter of input.tmpl, at its line, for least-squares' default step. */
    private String leastSquaresWarning(int line, String name, String step) {
        return "warning: term 'curve': template " + dir.resolve("input.tmpl") + ":" + line + " prints parameter '"
                + name + "' with too few digits for the finite-difference step of least-squares (" + step
                + ", 1.49012e-08 of its size): the step renders the same input, so the derivative is 0 and the fit"
                + " cannot move it (it stops at the start and calls that converged); print more digits ({{ " + name
                + " }} prints them all), or set optimizer.finite_difference_step larger (about 10^(-d/2) for d"
                + " printed significant digits: {relative: 1.0e-2} for 4)";
    }

    @Test
    void validateNamesEachParameterTheTemplateRoundsWithItsLineAndStep() throws IOException {
        Path job = job(ROUNDING, "{method: least-squares, max_evaluations: 40}");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        // the step is 1.49e-8 of each size: |5|, |1|, and half the range of C, which starts at 0
        assertEquals(
                List.of(
                        leastSquaresWarning(1, "m.A", "7.45058e-08"),
                        leastSquaresWarning(2, "m.B", "1.49012e-08"),
                        leastSquaresWarning(3, "m.C", "2.98023e-08")),
                r.err().lines().toList(),
                r::toString);
    }

    @Test
    void lbfgsbIsToldToPrintMoreDigitsOrToSetALargerStep() throws IOException {
        String template = "A = {{ \"%.4f\" | format(m.A) }}\nB = {{ m.B }}\nC = {{ m.C }}\n";
        Path job = job(template, "{method: L-BFGS-B}");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals(
                List.of("warning: term 'curve': template " + dir.resolve("input.tmpl") + ":1 prints parameter 'm.A'"
                        + " with too few digits for the finite-difference step of L-BFGS-B (7.45058e-08, 1.49012e-08"
                        + " of its size): the step renders the same input, so the derivative is 0 and the fit cannot"
                        + " move it (it stops at the start and calls that converged); print more digits ({{ m.A }}"
                        + " prints them all), or set optimizer.finite_difference_step larger (about 10^(-d/2) for d"
                        + " printed significant digits: {relative: 1.0e-2} for 4)"),
                r.err().lines().toList(),
                r::toString);
        // as advised: a step of 1e-2 of |5| changes the 4 decimals printed
        job = job(template, "{method: L-BFGS-B, finite_difference_step: {relative: 1.0e-2}}");
        Cli.Run larger = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, larger.code(), larger::toString);
        assertEquals("", larger.err(), larger::toString);
    }

    @Test
    void noWarningWhenTheStepShowsOrTheMethodTakesNoDifferences() throws IOException {
        // every digit printed
        Path job = job("A = {{ m.A }}\nB = {{ m.B }}\nC = {{ m.C }}\n", "{method: least-squares}");
        Cli.Run all = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, all.code(), all::toString);
        assertEquals("", all.err(), all::toString);
        // a step of 1e-2 of each size changes 4 decimals of 5, 1 and 0 (scale 2)
        job = job(ROUNDING, "{method: least-squares, finite_difference_step: {relative: 1.0e-2}}");
        Cli.Run larger = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, larger.code(), larger::toString);
        assertEquals("", larger.err(), larger::toString);
        // Nelder-Mead moves the parameters by far more than 4 decimals
        job = job(ROUNDING, "{method: Nelder-Mead}");
        Cli.Run simplex = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, simplex.code(), simplex::toString);
        assertEquals("", simplex.err(), simplex::toString);
    }

    @Test
    void aFitThatCannotMoveSaysSoBeforeItRunsAndNamesTheTemplateAfter() throws IOException {
        Path job = job(ROUNDING, "{method: least-squares, max_evaluations: 40}");
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        List<String> lines = fit.err().lines().toList();
        assertEquals(leastSquaresWarning(1, "m.A", "7.45058e-08"), lines.get(0), fit::toString);
        assertEquals(leastSquaresWarning(2, "m.B", "1.49012e-08"), lines.get(1), fit::toString);
        assertEquals(leastSquaresWarning(3, "m.C", "2.98023e-08"), lines.get(2), fit::toString);
        JsonNode results =
                new ObjectMapper().readTree(dir.resolve("out/results.json").toFile());
        // nothing moved: the best loss is the initial one
        assertEquals(
                results.at("/loss/initial").asDouble(), results.at("/loss/best").asDouble(), results::toString);
        String noEffect = "parameter(s) 'm.A', 'm.B', 'm.C' change no residual: the data do not determine them (a"
                + " potential whose species match no atom, a term that ignores them, a template that rounds them"
                + " (its inputs did not change over the step)?)";
        List<String> warnings = new java.util.ArrayList<>();
        results.get("warnings").forEach(w -> warnings.add(w.asText()));
        assertTrue(warnings.contains(noEffect), warnings::toString);
        assertTrue(fit.out().contains("\nwarning: " + noEffect + "\n"), fit::toString);
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, eval.code(), eval::toString);
        assertTrue(eval.err().startsWith(leastSquaresWarning(1, "m.A", "7.45058e-08") + "\n"), eval::toString);
    }
}
