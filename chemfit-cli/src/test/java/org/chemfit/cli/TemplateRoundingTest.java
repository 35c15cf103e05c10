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
 * residual names the template as a possible cause. The uncertainty's central differences take the
 * step that fixes it, and validate checks their step too. The programs are real python3 scripts.
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

    /**
     * A template that uses m.C only in a condition ({@code {% if m.C > 0.5 %}}) and prints constants
     * in its branches: a move of 1 (1 + |0|) takes the other branch, the finite-difference step of
     * 2.98e-8 (1.49e-8 of half the range of C) does not. Nothing is printed with too few digits, so
     * the warning says what the template does and that no step fixes it.
     */
    private static final String CONDITION_ONLY = """
            A = {{ m.A }}
            B = {{ m.B }}
            {% if m.C > 0.5 %}C = 0.5{% else %}C = 0.0{% endif %}
            """;

    @Test
    void aParameterUsedOnlyInAConditionIsSaidSoWithItsLineAndNoDigitsAdvice() throws IOException {
        Path job = job(CONDITION_ONLY, "{method: least-squares}");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals(
                List.of("warning: term 'curve': template " + dir.resolve("input.tmpl") + ":3 uses parameter 'm.C'"
                        + " only in a condition and never prints it, so the finite-difference step of least-squares"
                        + " (2.98023e-08, 1.49012e-08 of its size) renders the same input: the derivative is 0 and"
                        + " the fit cannot move it (it stops at the start and calls that converged); a parameter"
                        + " that only chooses what a template writes cannot be fitted by derivatives through this"
                        + " term: fit it with a method that takes none (Nelder-Mead, Powell, BOBYQA, CMA-ES), fix it"
                        + " (fixed: true), or print its value where the program reads it"),
                r.err().lines().toList(),
                r::toString);
        // Nelder-Mead takes no differences; the uncertainty's central step, 6.06e-6 of 2, is rounded
        // away as well, and is said the same way
        job = job(CONDITION_ONLY, "{method: Nelder-Mead}");
        Cli.Run simplex = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, simplex.code(), simplex::toString);
        assertEquals(
                List.of("warning: term 'curve': template " + dir.resolve("input.tmpl") + ":3 uses parameter 'm.C'"
                        + " only in a condition and never prints it, so the central-difference step of the"
                        + " uncertainty (1.21109e-05, 6.05545e-06 of its size) renders the same input: the"
                        + " uncertainty will say that it changes no residual and give it no standard error; a"
                        + " parameter that only chooses what a template writes has no derivative through this term:"
                        + " fix it (fixed: true), or print its value where the program reads it"),
                simplex.err().lines().toList(),
                simplex::toString);
    }

    @Test
    void aParameterBothTestedAndPrintedKeepsTheDigitsAdvice() throws IOException {
        // the condition names m.C first (line 3), the rounded print follows it (line 4): the
        // warning names the print's line
        String template = "A = {{ m.A }}\nB = {{ m.B }}\n{% if m.C > 0.5 %}# large C{% endif %}\n"
                + "C = {{ \"%.4f\" | format(m.C) }}\n";
        Path job = job(template, "{method: least-squares}");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, r.code(), r::toString);
        assertEquals(
                List.of(leastSquaresWarning(4, "m.C", "2.98023e-08")),
                r.err().lines().toList(),
                r::toString);
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
        // Nelder-Mead moves the parameters by far more than 4 decimals: no warning of the fit, only
        // of its uncertainty's central step, 6.06e-6 of each size (the message is asserted in
        // theUncertaintysStepIsCheckedAndItsWarningsNameTheTemplate)
        job = job(ROUNDING, "{method: Nelder-Mead}");
        Cli.Run simplex = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, simplex.code(), simplex::toString);
        List<String> lines = simplex.err().lines().toList();
        assertEquals(3, lines.size(), simplex::toString);
        assertTrue(
                lines.stream()
                        .allMatch(l -> l.contains(" with too few digits for the central-difference step of the"
                                        + " uncertainty (")
                                && !l.contains("the fit cannot move it")),
                simplex::toString);
        // every digit printed: none for Nelder-Mead either
        job = job("A = {{ m.A }}\nB = {{ m.B }}\nC = {{ m.C }}\n", "{method: Nelder-Mead}");
        Cli.Run simplexAll = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, simplexAll.code(), simplexAll::toString);
        assertEquals("", simplexAll.err(), simplexAll::toString);
    }

    @Test
    void aFitThatCannotMoveSaysSoBeforeItRunsAndIsRefusedAtItsStart() throws IOException {
        Path job = job(ROUNDING, "{method: least-squares, max_evaluations: 40}");
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        // no residual moved at the start's displaced points: the method refuses to go on, rather than stop at
        // the start and call it converged
        assertEquals(ExitCodes.FIT_FAILED, fit.code(), fit::toString);
        List<String> lines = fit.err().lines().toList();
        assertEquals(leastSquaresWarning(1, "m.A", "7.45058e-08"), lines.get(0), fit::toString);
        assertEquals(leastSquaresWarning(2, "m.B", "1.49012e-08"), lines.get(1), fit::toString);
        assertEquals(leastSquaresWarning(3, "m.C", "2.98023e-08"), lines.get(2), fit::toString);
        assertTrue(
                fit.err()
                        .contains("error: the fit failed after 4 evaluations: least-squares cannot start: no residual"
                                + " changed when each parameter was moved by its finite-difference step"),
                fit::toString);
        JsonNode results =
                new ObjectMapper().readTree(dir.resolve("out/results.json").toFile());
        // nothing moved: the best loss is the initial one
        assertEquals(
                results.at("/loss/initial").asDouble(), results.at("/loss/best").asDouble(), results::toString);
        // a resume would replay the same residuals: the way on is a changed job
        assertTrue(
                fit.out()
                        .contains("4 evaluations are in the journal, but a resume of the same job replays them and the"
                                + " method stops again: change the job as the error says and run it with --restart"),
                fit::toString);
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, eval.code(), eval::toString);
        assertTrue(eval.err().startsWith(leastSquaresWarning(1, "m.A", "7.45058e-08") + "\n"), eval::toString);
    }

    /** {@code a exp(-b x)} at 8 points, its parameters read from input.json. */
    private static final String DECAY = """
            #!/usr/bin/env python3
            import json, math
            p = json.load(open("input.json"))
            with open("table.dat", "w") as f:
                f.write("# x E\\n")
                for x in [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]:
                    f.write("%s %.10g\\n" % (x, p["a"] * math.exp(-p["b"] * x)))
            """;

    private static final double[] DECAY_X = {0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0};

    /** 2.5 exp(-0.7 x) + 0.01 (-1)^i, to 8 decimals. */
    private static final double[] DECAY_Y = {
        1.77172022, 1.23146326, 0.88484437, 0.60649241, 0.44443486, 0.29614107, 0.22573397, 0.14202516
    };

    /** The template of the decay: a with 4 decimals, b with 3. */
    private static final String DECAY_TEMPLATE =
            "{\"a\": {{ \"%.4f\" | format(m.a) }}, \"b\": {{ m.b | numberformat(\"0.000\") }}}\n";

    private Path decayJob(String optimizer) throws IOException {
        Path sim = dir.resolve("decay.py");
        Files.writeString(sim, DECAY);
        Files.setPosixFilePermissions(sim, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("input.tmpl"), DECAY_TEMPLATE);
        Path job = dir.resolve("decay.yaml");
        StringBuilder ref = new StringBuilder();
        for (double y : DECAY_Y) {
            ref.append(ref.length() == 0 ? "" : ", ").append(y);
        }
        Files.writeString(job, """
                name: decay
                parameters:
                  m:
                    a: {initial: 1.0, bounds: [0.1, 10.0]}
                    b: {initial: 0.3, bounds: [0.05, 3.0]}
                terms:
                  - name: decay
                    kind: external
                    templates: {input.json: input.tmpl}
                    command: ./decay.py
                    outputs:
                      energies: {parser: column, file: table.dat, column: E, select: all}
                    reference: {energies: [%s]}
                    unit: eV
                optimizer: %s
                output: {folder: out, plots: false}
                """.formatted(ref, optimizer));
        return job;
    }

    /** The decay at (a, b) as the program computes it from the input the template renders. */
    private static double[] decay(double a, double b) {
        double ar = Double.parseDouble(String.format(java.util.Locale.ROOT, "%.4f", a));
        double br = Double.parseDouble(
                new java.text.DecimalFormat("0.000", java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT))
                        .format(b));
        double[] y = new double[DECAY_X.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = ar * Math.exp(-br * DECAY_X[i]);
        }
        return y;
    }

    /**
     * The standard errors {@code sqrt(diag(s^2 (J^T J)^-1))}, {@code s^2 = SSR / (m - 2)}, of the
     * decay at (a, b), with J the central difference over {@code +-h} of each parameter,
     * {@code h = rel * max(|x|, start)}, or the exact derivative when rel is 0.
     */
    private static double[] standardErrors(double a, double b, double rel) {
        double[] r0 = decay(a, b);
        int m = r0.length;
        double[][] jac = new double[m][2];
        double ha = rel * Math.max(Math.abs(a), 1.0);
        double hb = rel * Math.max(Math.abs(b), 0.3);
        double[] ap = decay(a + ha, b);
        double[] am = decay(a - ha, b);
        double[] bp = decay(a, b + hb);
        double[] bm = decay(a, b - hb);
        double ssr = 0;
        for (int i = 0; i < m; i++) {
            jac[i][0] = rel == 0 ? Math.exp(-b * DECAY_X[i]) : (ap[i] - am[i]) / (2 * ha);
            jac[i][1] = rel == 0 ? -a * DECAY_X[i] * Math.exp(-b * DECAY_X[i]) : (bp[i] - bm[i]) / (2 * hb);
            double d = (rel == 0 ? a * Math.exp(-b * DECAY_X[i]) : r0[i]) - DECAY_Y[i];
            ssr += d * d;
        }
        double s2 = ssr / (m - 2);
        double saa = 0;
        double sab = 0;
        double sbb = 0;
        for (double[] row : jac) {
            saa += row[0] * row[0];
            sab += row[0] * row[1];
            sbb += row[1] * row[1];
        }
        double det = saa * sbb - sab * sab;
        return new double[] {Math.sqrt(s2 * sbb / det), Math.sqrt(s2 * saa / det)};
    }

    /**
     * As validate advises, a step of 1e-2: the fit moves a and b, and the uncertainty's central
     * differences take the same step, so both get standard errors. They are those of the central
     * difference over {@code +-1e-2} of each size at the best point, through the same rounding,
     * computed here: within 1e-6 relative (the program prints 10 significant digits, 1e-10 over a
     * difference of about 1e-2). The exact derivative gives them within 10% (b printed with 3
     * decimals, its difference over 2h = 0.014 is off by up to 1e-3 / 0.014, 7%).
     */
    @Test
    void withTheAdvisedStepTheUncertaintyGivesStandardErrors() throws IOException {
        Path job = decayJob("{method: least-squares, max_evaluations: 200}");
        Cli.Run validate = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, validate.code(), validate::toString);
        String tmpl = dir.resolve("input.tmpl").toString();
        assertEquals(
                List.of(
                        "warning: term 'decay': template " + tmpl + ":1 prints parameter 'm.a' with too few digits for"
                                + " the finite-difference step of least-squares (1.49012e-08, 1.49012e-08 of its size):"
                                + " the step renders the same input, so the derivative is 0 and the fit cannot move it"
                                + " (it stops at the start and calls that converged); print more digits ({{ m.a }}"
                                + " prints them all), or set optimizer.finite_difference_step larger (about 10^(-d/2)"
                                + " for d printed significant digits: {relative: 1.0e-2} for 4)",
                        "warning: term 'decay': template " + tmpl + ":1 prints parameter 'm.b' with too few digits for"
                                + " the finite-difference step of least-squares (4.47035e-09, 1.49012e-08 of its size):"
                                + " the step renders the same input, so the derivative is 0 and the fit cannot move it"
                                + " (it stops at the start and calls that converged); print more digits ({{ m.b }}"
                                + " prints them all), or set optimizer.finite_difference_step larger (about 10^(-d/2)"
                                + " for d printed significant digits: {relative: 1.0e-2} for 4)"),
                validate.err().lines().toList(),
                validate::toString);
        job = decayJob("{method: least-squares, max_evaluations: 200, finite_difference_step: {relative: 1.0e-2}}");
        Cli.Run advised = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, advised.code(), advised::toString);
        assertEquals("", advised.err(), advised::toString);
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        JsonNode results =
                new ObjectMapper().readTree(dir.resolve("out/results.json").toFile());
        double a = results.at("/parameters/0/best").asDouble(Double.NaN);
        double b = results.at("/parameters/1/best").asDouble(Double.NaN);
        assertEquals(2.5, a, 0.05, results::toString);
        assertEquals(0.7, b, 0.02, results::toString);
        JsonNode u = results.get("uncertainty");
        assertEquals("[\"m.a\",\"m.b\"]", u.get("estimated").toString(), results::toString);
        assertEquals("[]", u.get("no_effect").toString(), results::toString);
        double[] central = standardErrors(a, b, 1e-2);
        assertEquals(central[0], u.at("/standard_errors/m.a").asDouble(), 1e-6 * central[0], u::toString);
        assertEquals(central[1], u.at("/standard_errors/m.b").asDouble(), 1e-6 * central[1], u::toString);
        double[] exact = standardErrors(a, b, 0);
        assertEquals(exact[0], u.at("/standard_errors/m.a").asDouble(), 0.1 * exact[0], u::toString);
        assertEquals(exact[1], u.at("/standard_errors/m.b").asDouble(), 0.1 * exact[1], u::toString);
        List<String> warnings = new java.util.ArrayList<>();
        results.get("warnings").forEach(w -> warnings.add(w.asText()));
        assertTrue(warnings.stream().noneMatch(w -> w.contains("change no residual")), warnings::toString);
    }

    /**
     * Nelder-Mead takes no differences, and {@code finite_difference_step} then sets the step of
     * the uncertainty's alone: with the advised 1e-2, validate has nothing to warn of, and both
     * parameters get the standard errors of the central difference over {@code +-1e-2} of each size
     * at the best point, through the template's rounding (within 1e-6 relative, as with
     * least-squares above).
     */
    @Test
    void aMethodWithoutDifferencesTakesTheStepForItsUncertainty() throws IOException {
        // first without the step, as a user who meets the warning after a fit has it
        Path job = decayJob("{method: Nelder-Mead, max_evaluations: 150}");
        Cli.Run first = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, first.code(), first::toString);
        JsonNode before =
                new ObjectMapper().readTree(dir.resolve("out/results.json").toFile());
        assertEquals("[\"m.a\",\"m.b\"]", before.at("/uncertainty/no_effect").toString(), before::toString);
        int evaluations = before.at("/evaluations/total").asInt();
        // then with it: the step is the uncertainty's alone, so the run goes on from the journal
        // (the fit's evaluations replayed, the same best point) and only the uncertainty is new
        job = decayJob("{method: Nelder-Mead, max_evaluations: 150, finite_difference_step: {relative: 1.0e-2}}");
        Cli.Run validate = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, validate.code(), validate::toString);
        assertEquals("", validate.err(), validate::toString);
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        JsonNode results =
                new ObjectMapper().readTree(dir.resolve("out/results.json").toFile());
        assertEquals(before.at("/parameters/0/best"), results.at("/parameters/0/best"), results::toString);
        assertEquals(before.at("/parameters/1/best"), results.at("/parameters/1/best"), results::toString);
        assertTrue(
                results.at("/evaluations/replayed").asInt() >= evaluations - 4,
                "replayed " + results.at("/evaluations/replayed") + " of " + evaluations);
        double a = results.at("/parameters/0/best").asDouble(Double.NaN);
        double b = results.at("/parameters/1/best").asDouble(Double.NaN);
        JsonNode u = results.get("uncertainty");
        assertEquals("[\"m.a\",\"m.b\"]", u.get("estimated").toString(), results::toString);
        assertEquals("[]", u.get("no_effect").toString(), results::toString);
        double[] central = standardErrors(a, b, 1e-2);
        assertEquals(central[0], u.at("/standard_errors/m.a").asDouble(), 1e-6 * central[0], u::toString);
        assertEquals(central[1], u.at("/standard_errors/m.b").asDouble(), 1e-6 * central[1], u::toString);
    }

    /**
     * Nelder-Mead takes no differences, but its uncertainty does, with a step of cbrt(eps) = 6.06e-6:
     * validate warns that the template rounds that step away, and the uncertainty's own warnings in
     * results.json, as the top-level ones, name the template as a possible cause.
     */
    @Test
    void theUncertaintysStepIsCheckedAndItsWarningsNameTheTemplate() throws IOException {
        Path job = decayJob("{method: Nelder-Mead, max_evaluations: 150}");
        Cli.Run validate = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, validate.code(), validate::toString);
        String tmpl = dir.resolve("input.tmpl").toString();
        String advice = " (about 10^(-d/2) for d printed significant digits: {relative: 1.0e-2} for 4)";
        assertEquals(
                List.of(
                        "warning: term 'decay': template " + tmpl + ":1 prints parameter 'm.a' with too few digits for"
                                + " the central-difference step of the uncertainty (6.05545e-06, 6.05545e-06 of its"
                                + " size): the step renders the same input, so the uncertainty will say that it"
                                + " changes no residual and give it no standard error; print more digits ({{ m.a }}"
                                + " prints them all), or set optimizer.finite_difference_step larger, which"
                                + " Nelder-Mead, a method without finite differences, takes for its uncertainty alone"
                                + advice,
                        "warning: term 'decay': template " + tmpl + ":1 prints parameter 'm.b' with too few digits for"
                                + " the central-difference step of the uncertainty (1.81664e-06, 6.05545e-06 of its"
                                + " size): the step renders the same input, so the uncertainty will say that it"
                                + " changes no residual and give it no standard error; print more digits ({{ m.b }}"
                                + " prints them all), or set optimizer.finite_difference_step larger, which"
                                + " Nelder-Mead, a method without finite differences, takes for its uncertainty alone"
                                + advice),
                validate.err().lines().toList(),
                validate::toString);
        Cli.Run fit = Cli.run("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.OK, fit.code(), fit::toString);
        JsonNode results =
                new ObjectMapper().readTree(dir.resolve("out/results.json").toFile());
        JsonNode u = results.get("uncertainty");
        assertEquals("[\"m.a\",\"m.b\"]", u.get("no_effect").toString(), results::toString);
        String noEffect = "parameter(s) 'm.a', 'm.b' change no residual: the data do not determine them (a"
                + " potential whose species match no atom, a term that ignores them, a template that rounds them"
                + " (its inputs did not change over the step)?)";
        List<String> top = new java.util.ArrayList<>();
        results.get("warnings").forEach(w -> top.add(w.asText()));
        List<String> own = new java.util.ArrayList<>();
        u.get("warnings").forEach(w -> own.add(w.asText()));
        assertTrue(top.contains(noEffect), top::toString);
        assertTrue(own.contains(noEffect), own::toString);
    }
}
