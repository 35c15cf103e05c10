package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A template's filters: one that does not exist is found when the template is compiled, at its
 * line and column, even in a branch that no check renders; one that cannot use its input or
 * arguments fails with the template, the line, the column of the filter and what it was given,
 * in the check before anything runs and when an evaluation renders it. Real processes
 * ({@code cat}) and real folders.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TemplateFilterTest {

    private static final Parameters P = Parameters.of(Map.of("lj.epsilon", 0.5, "lj.sigma", 3.4));

    @TempDir
    Path root;

    private FileBasedQuantityComputer.Builder computer(String template) {
        return FileBasedQuantityComputer.builder()
                .name("sim")
                .workDirectory(root)
                .templateText("in.txt", template)
                .command(Command.of("cat", "in.txt"))
                .output(OutputParsers.regex("e", "program.stdout", "e = (\\S+)"));
    }

    private static List<String> all(TemplateException e) {
        List<String> out = new ArrayList<>();
        out.add(e.template() + ":" + e.line() + ":" + e.column() + ": " + e.reason());
        for (Throwable t : e.getSuppressed()) {
            TemplateException more = (TemplateException) t;
            out.add(more.template() + ":" + more.line() + ":" + more.column() + ": " + more.reason());
        }
        return out;
    }

    @Test
    void anUnknownFilterIsFoundWhenTheTemplateIsCompiledEvenInABranchNotTaken() {
        TemplateException e = assertThrows(
                TemplateException.class,
                () -> computer("# pair\n"
                                + "e = {{ lj.epsilon | nosuchfilter }}\n"
                                + "{% if lj.sigma > 10 %}s = {{ lj.sigma|numberfromat(\"0.0\") }}{% endif %}\n"
                                + "t = {{ \"a | b\" | upper }} {# x | notafilter #}\n"
                                + "{% filter uper %}text{% endfilter %}\n")
                        .build());
        List<String> problems = all(e);
        assertEquals(3, problems.size(), problems::toString);
        assertTrue(
                problems.get(0)
                        .startsWith(
                                "in.txt:2:21: unknown filter 'nosuchfilter' in `e = {{ lj.epsilon | nosuchfilter }}`;"
                                        + " the filters are abbreviate, abs,"),
                problems::toString);
        assertTrue(
                problems.get(0)
                        .endsWith(", format, int, join, last, length, lower, merge, numberformat, raw, replace,"
                                + " reverse, round, rsort, sha256, slice, sort, split, title, trim, upper, urlencode"),
                problems::toString);
        assertTrue(
                problems.get(1)
                        .startsWith("in.txt:3:39: unknown filter 'numberfromat' (did you mean 'numberformat'?) in `"),
                problems::toString);
        assertTrue(
                problems.get(2)
                        .startsWith("in.txt:5:11: unknown filter 'uper' (did you mean 'upper'?) in"
                                + " `{% filter uper %}text{% endfilter %}`;"),
                problems::toString);
        assertEquals(
                "template 'in.txt' line 2 column 21: unknown filter 'nosuchfilter' in",
                e.getMessage().substring(0, e.getMessage().indexOf(" in ") + 3));
    }

    /**
     * What looks like a filter in a quoted text (with an escaped quote in it), a comment or a
     * verbatim block is not one, and a template of known filters only compiles and renders.
     */
    @Test
    void barsInTextsCommentsAndVerbatimBlocksAreNoFilters() {
        FileBasedQuantityComputer c = computer("a = {{ \"x \\\" | nope\" | upper }} {{ 'y | nope' | lower }}\n"
                        + "{# {{ x | nope }} #}{% verbatim %}{{ x | nope }}{% endverbatim %}\n"
                        + "{%- filter upper -%}b = {{- lj.sigma | numberformat(\"0.0\") -}}{%- endfilter -%}\n")
                .build();
        c.checkTemplates(P);
        assertEquals(List.of(), c.usedByTemplates(P, List.of("lj.epsilon")));
        assertEquals(List.of("lj.sigma"), c.usedByTemplates(P, List.of("lj.sigma")));
    }

    /** A format given fewer values than it asks for, and a filter whose input is missing, say so in words. */
    @Test
    void aFormatWithoutItsValuesAndAFilterWithoutItsInputSaySoInWords() {
        TemplateException few = assertThrows(
                TemplateException.class,
                () -> computer("f = {{ \"%s %s\" | format(lj.epsilon) }}\n")
                        .build()
                        .checkTemplates(P));
        assertEquals(
                List.of("in.txt:1:18: format '%s %s' does not fit the values [0.5]: no value is given for %s in"
                        + " `f = {{ \"%s %s\" | format(lj.epsilon) }}`"),
                all(few));
        TemplateException twice = assertThrows(
                TemplateException.class,
                () -> computer("f = {{ lj.sigma | abbreviate(3) }} {{ lj.epsilon | abbreviate(3) }}\n")
                        .build()
                        .checkTemplates(P));
        // the line uses the filter twice: which of them failed is not known, so no column is given
        assertEquals(0, twice.column());
        assertTrue(twice.getMessage().startsWith("template 'in.txt' line 1: filter 'abbreviate'"), twice.getMessage());
    }

    @Test
    void aParameterWithADashInItsNameWrittenWithADotIsShownHowToWriteIt() throws Exception {
        Parameters dashed = Parameters.of(Map.of("m.A", 5.0, "m.B-x", 1.0));
        FileBasedQuantityComputer c =
                computer("a = {{ m.A }}\nb = {{ m.B-x }}\n").build();
        TemplateException e = assertThrows(TemplateException.class, () -> c.checkTemplates(dashed));
        // the template's tree reads m.B minus x: m.B is what is unknown, and the hint says why
        assertEquals(
                "template 'in.txt' line 2: unknown parameter 'm.B' (did you mean 'm.A'?) in `b = {{ m.B-x }}`;"
                        + " known names: m.A, m.B-x; parameter 'm.B-x' has a '-' in its name: write {{ m[\"B-x\"] }}",
                e.getMessage());
        // written as the hint says, the template renders
        FileBasedQuantityComputer ok =
                computer("a = {{ m.A }}\nb = {{ m[\"B-x\"] }}\n").build();
        ok.checkTemplates(dashed);
    }

    @Test
    void aFilterGivenAnArgumentItCannotUseIsReportedAtItsLineAndColumnBeforeAnythingRuns() throws Exception {
        FileBasedQuantityComputer c = computer("e = {{ lj.epsilon }}\n"
                        + "s = {{ lj.sigma | abbreviate(\"x\") }}\n"
                        + "f = {{ \"%q\" | format(lj.epsilon) }}\n"
                        + "g = {{ \"%d\" | format(\"text\") }}\n")
                .build();
        TemplateException e = assertThrows(TemplateException.class, () -> c.checkTemplates(P));
        assertEquals(
                List.of("in.txt:2:19: filter 'abbreviate' cannot use its input 3.4 with the arguments (length=\"x\"):"
                        + " it got a number where it needs a text in `s = {{ lj.sigma | abbreviate(\"x\") }}`"),
                all(e));
        assertEquals(
                "template 'in.txt' line 2 column 19: filter 'abbreviate' cannot use its input 3.4 with the"
                        + " arguments (length=\"x\"): it got a number where it needs a text in"
                        + " `s = {{ lj.sigma | abbreviate(\"x\") }}`",
                e.getMessage());
        try (Stream<Path> s = Files.list(root)) {
            assertEquals(List.of(), s.toList(), "the check writes and runs nothing");
        }

        TemplateException format = assertThrows(
                TemplateException.class,
                () -> computer("f = {{ \"%q\" | format(lj.epsilon) }}\n")
                        .build()
                        .checkTemplates(P));
        assertEquals(
                List.of("in.txt:1:15: format '%q' does not fit the values [0.5]: '%q' is not a conversion (%f, %e,"
                        + " %g, %d and %s are) in `f = {{ \"%q\" | format(lj.epsilon) }}`"),
                all(format));
        TemplateException kind = assertThrows(
                TemplateException.class,
                () -> computer("g = {{ \"%d\" | format(\"text\") }}\n").build().checkTemplates(P));
        assertEquals(
                List.of("in.txt:1:15: format '%d' does not fit the values [text]: %d cannot format a text in"
                        + " `g = {{ \"%d\" | format(\"text\") }}`"),
                all(kind));
    }

    @Test
    void aFilterThatFailsOnlyAtAnotherParameterValueFailsTheEvaluationNamingTheTemplateAndLine() {
        FileBasedQuantityComputer c = computer("e = {{ lj.epsilon }}\n"
                        + "{% if lj.sigma > 5 %}\n"
                        + "s = {{ lj.sigma | numberformat(lj.epsilon) }}\n"
                        + "{% endif %}\n")
                .build();
        c.checkTemplates(P); // the branch is not taken at sigma 3.4
        Parameters far = P.with("lj.sigma", 6.0);
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(far, new EvaluationContext(far, "e1")));
        assertTrue(
                e.getMessage()
                        .contains("template 'in.txt' line 3 column 19: filter 'numberformat' cannot use its input 6.0"
                                + " with the arguments (format=0.5): it got a number where it needs a text in"
                                + " `s = {{ lj.sigma | numberformat(lj.epsilon) }}`"),
                e.getMessage());
    }

    @Test
    void aNumberThatIsNotFiniteIsNotWrittenIntoTheProgramsInput() throws Exception {
        FileBasedQuantityComputer c = computer(
                        "# pair\n" + "e = {{ lj.epsilon }}\n" + "k = {{ 1.0 / (lj.sigma - 3.4) }}\n")
                .build();
        Parameters elsewhere = P.with("lj.sigma", 3.5);
        c.checkTemplates(elsewhere);
        TemplateException atStart = assertThrows(TemplateException.class, () -> c.checkTemplates(P));
        assertEquals(
                List.of("in.txt:3:0: a number that is not finite is not written into the program's input: this prints"
                        + " Infinity at these parameters (a division by zero?) in `k = {{ 1.0 / (lj.sigma - 3.4) }}`"),
                all(atStart));

        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(P, new EvaluationContext(P, "e1")));
        assertTrue(
                e.getMessage().contains("template 'in.txt' line 3: a number that is not finite is not written"),
                e.getMessage());
        assertTrue(Files.notExists(root.resolve("e1").resolve("in.txt")), "nothing of the run's input is written");
        assertEquals(
                0.5,
                c.compute(elsewhere, new EvaluationContext(elsewhere, "e2")).get("e"),
                0.0);

        // 0 / 0, set first and printed later, and through a macro
        FileBasedQuantityComputer nan = computer("{% macro half(x) %}{{ x / 2 }}{% endmacro %}"
                        + "{% set r = (lj.sigma - 3.4) / (lj.sigma - 3.4) %}\n"
                        + "e = {{ lj.epsilon }} m = {{ half(r) }}\n")
                .build();
        assertEquals(
                List.of("in.txt:1:0: a number that is not finite is not written into the program's input: this prints"
                        + " NaN at these parameters (a division by zero?) in `{% macro half(x) %}{{ x / 2 }}{% endmacro"
                        + " %}{% set r = (lj.sigma - 3.4) / (lj.sigma - 3.4) %}`"),
                all(assertThrows(TemplateException.class, () -> nan.checkTemplates(P))));

        // formatted into a text, by format or numberformat
        for (String written : List.of(
                "{{ \"%.6f\" | format(1.0 / (lj.sigma - 3.4)) }}",
                "{{ (1.0 / (lj.sigma - 3.4)) | numberformat(\"0.000\") }}")) {
            FileBasedQuantityComputer formatted =
                    computer("e = {{ lj.epsilon }} k = " + written + "\n").build();
            List<String> said = all(assertThrows(TemplateException.class, () -> formatted.checkTemplates(P)));
            assertEquals(1, said.size(), said::toString);
            assertTrue(
                    said.get(0)
                            .matches("in\\.txt:1:\\d+: a number that is not finite is not written into the"
                                    + " program's input: filter '(format|numberformat)' is given Infinity at these"
                                    + " parameters \\(a division by zero\\?\\) in `e = .*"),
                    said::toString);
            formatted.checkTemplates(elsewhere);
        }
    }

    @Test
    void aGroupOfParametersPrintedAsOneValueIsRefusedAtItsLine() {
        FileBasedQuantityComputer c =
                computer("e = {{ lj.epsilon }}\npair = {{ lj }}\n").build();
        assertEquals(
                List.of(
                        "in.txt:2:0: a template prints numbers and texts, not a map: this prints {epsilon: 0.5, sigma: 3.4}"
                                + " (a group of parameters or a variable's map: print one of its keys) in `pair = {{ lj }}`"),
                all(assertThrows(TemplateException.class, () -> c.checkTemplates(P))));
    }
}
