package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job's templates import one another by their names in the run directory (docs/job-file.md),
 * through the command as through the library: {@code chemfit eval} renders a template that
 * imports a macro from another and runs a real program on it, and {@code validate} says an
 * import of a template that is none of the term's, or of a macro the template does not define,
 * at the importing template's file and line.
 */
class TemplateImportsTest {

    @TempDir
    Path dir;

    /** A macro that writes one line of the input: a name, " = ", a value. */
    private static final String LIB = "{% macro line(name, value) %}{{ name }} = {{ value }}{% endmacro %}\n";

    /**
     * @param main the text of the template rendered into in.txt, which the program reads
     * @return a job of one external term 'sim' whose templates are in.txt (from templates/in.tmpl)
     *     and lib.txt (from templates/lib.tmpl, which defines the macro {@code line}); the program
     *     {@code cat in.txt} prints the input, whose line {@code e = ...} is the term's energy
     */
    private Path job(String main) throws IOException {
        Path templates = Files.createDirectories(dir.resolve("templates"));
        Files.writeString(templates.resolve("in.tmpl"), main);
        Files.writeString(templates.resolve("lib.tmpl"), LIB);
        Path job = dir.resolve("job.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters:",
                        "  lj:",
                        "    epsilon: {initial: 1.5, bounds: [0.1, 10.0]}",
                        "terms:",
                        "  - name: sim",
                        "    kind: external",
                        "    templates: {in.txt: templates/in.tmpl, lib.txt: templates/lib.tmpl}",
                        "    command: [cat, in.txt]",
                        "    outputs: {energy: {parser: regex, file: program.stdout, pattern: 'e = (\\S+)'}}",
                        "    reference: {energy: 1.0}",
                        "execution: {keep: all}",
                        "output: {folder: out}",
                        ""));
        return job;
    }

    /** @return the one run directory eval kept, under out/runs/eval */
    private Path keptRun() throws IOException {
        try (Stream<Path> runs = Files.list(dir.resolve("out/runs/eval"))) {
            List<Path> all = runs.filter(Files::isDirectory).toList();
            assertEquals(1, all.size(), all::toString);
            return all.get(0);
        }
    }

    /**
     * {@code from ... import} by the run-directory name lib.txt (the template's file is
     * templates/lib.tmpl): validate passes, eval renders in.txt with the macro at the initial
     * lj.epsilon 1.5 (2 * 1.5 = 3.0, printed as Java prints a double), and the program reads the
     * energy 3.0 from it.
     */
    @Test
    void aTemplateImportsAMacroFromAnotherByItsNameInTheRunDirectory() throws IOException {
        Path job = job("{% from \"lib.txt\" import line %}{{ line(\"e\", 2 * lj.epsilon) }}\nrun 10\n");
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, v.code(), v::toString);
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, eval.code(), eval::toString);
        // the energy read, 3.0, is 2.0 above the reference 1.0: a loss of 2.0^2 = 4
        List<String> out = eval.out().lines().toList();
        assertEquals("loss: 4", out.get(1), eval::toString);
        assertEquals(
                List.of("fit", "sim", "energy", "-", "1", "2.000", "2.000", "2.000", "-"),
                List.of(out.get(out.size() - 1).split("\\s+")),
                eval::toString);
        Path run = keptRun();
        assertEquals("e = 3.0\nrun 10\n", Files.readString(run.resolve("in.txt")));
        // the library renders as its text outside the macro: the line break after it
        assertEquals("\n", Files.readString(run.resolve("lib.txt")));
    }

    /**
     * An include given a number for its template's name: Pebble casts it to a text while it
     * renders, outside its own exceptions. Validate, eval and fit say so in the template's words,
     * naming the template and the tag's line, with the usual exit code of a bad job (not an
     * internal error), as the one problem of the job.
     */
    @Test
    void anIncludeOfANumberIsSaidInTheTemplatesWords() throws IOException {
        Path job = job("e = {{ lj.epsilon }}\n{% include 3 %}\n");
        String said = dir.resolve("templates/in.tmpl") + ":2: term 'sim': cannot be rendered in `{% include 3 %}`: it"
                + " got a number where it needs a text (a tag given a value of the wrong kind, such as a number or a"
                + " map for the name of an include or import?)";
        for (Cli.Run r : List.of(
                Cli.run("validate", job.toString()),
                Cli.run("eval", job.toString()),
                Cli.run("fit", job.toString(), "--progress", "none"))) {
            assertEquals(ExitCodes.USAGE, r.code(), r::toString);
            assertTrue(r.err().contains(said), r::toString);
            assertTrue(!r.err().contains("internal error") && !r.err().contains("Exception"), r::toString);
        }
        assertTrue(Cli.run("validate", job.toString()).err().contains("\n1 problem found"));
    }

    /**
     * A name that the templates do not know, given to an include: the unknown name is the one
     * problem, not also the number that stands in for it while the check renders.
     */
    @Test
    void anUnknownNameInAnIncludeIsTheOneProblem() throws IOException {
        Path job = job("e = {{ lj.epsilon }}\n{% include foo %}\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                dir.resolve("templates/in.tmpl") + ":2: term 'sim': unknown parameter or variable 'foo' in"
                        + " `{% include foo %}`; known names: lj.epsilon\n"
                        + "1 problem found; the job file format is described in docs/job-file.md\n",
                r.err());
    }

    /**
     * A tag given a number in a template that another includes is said once, at the included
     * template's line, not again against the template that includes it.
     */
    @Test
    void anIncludeOfANumberInAnIncludedTemplateIsSaidThereOnce() throws IOException {
        Path job = job("e = {{ lj.epsilon }}\n{% include \"lib.txt\" %}\n");
        Files.writeString(dir.resolve("templates/lib.tmpl"), "x\n{% include 3 %}\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                dir.resolve("templates/lib.tmpl") + ":2: term 'sim': cannot be rendered in `{% include 3 %}`: it got"
                        + " a number where it needs a text (a tag given a value of the wrong kind, such as a number or"
                        + " a map for the name of an include or import?)\n"
                        + "1 problem found; the job file format is described in docs/job-file.md\n",
                r.err());
    }

    /**
     * A failure of Pebble's own code that is no tag's (a function comparing a number with a
     * text) gets no advice about tags; as the stack says only the kind of tag that failed (a
     * print), the lines of the template's prints are given.
     */
    @Test
    void aFunctionGivenValuesOfTwoKindsIsSaidWithoutTheTagsAdvice() throws IOException {
        Path job = job("e = {{ lj.epsilon }}\n{{ max(1, \"a\") }}\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                dir.resolve("templates/in.tmpl") + ": term 'sim': cannot be rendered: invalid operands for"
                        + " mathematical comparison [GREATER_THAN] (on one of lines 1, 2)\n"
                        + "1 problem found; the job file format is described in docs/job-file.md\n",
                r.err());
    }

    /**
     * A failure of Pebble's code in a macro that another template defines is said at the line of
     * the rendered template whose tag calls it (of the lines of its prints, here two), not at a
     * line of the rendered template that has nothing to do with it.
     */
    @Test
    void aFailureInAnImportedMacroIsSaidAtItsCallersLines() throws IOException {
        Path job = job("e = {{ lj.epsilon }}\n{% import \"lib.txt\" %}\n{% set a = 1 %}\nx = {{ m() }}\n");
        Files.writeString(
                dir.resolve("templates/lib.tmpl"),
                "{% macro m() %}\n{% set b = max(1, \"a\") %}{{ b }}\n{% endmacro %}\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                dir.resolve("templates/in.tmpl") + ": term 'sim': cannot be rendered: invalid operands for"
                        + " mathematical comparison [GREATER_THAN] (in a macro that it calls) (on one of lines 1, 4)\n"
                        + "1 problem found; the job file format is described in docs/job-file.md\n",
                r.err());
    }

    /**
     * A failure that only the includer's map brings to an included template is said against the
     * includer, and still so when another template of the term, which it does not include, fails
     * the same way.
     */
    @Test
    void aFailureInAnIncludedTemplateIsNotHiddenByAnotherTemplatesProblem() throws IOException {
        Path job = job("e = {{ lj.epsilon }}\n{% include \"lib.txt\" with {\"v\": \"a\"} %}\n");
        Files.writeString(
                dir.resolve("templates/lib.tmpl"), "# lib\n{% if v is defined %}{{ max(1, v) }}{% endif %}\n");
        // the same failure of Pebble's code, in a template that in.tmpl does not include
        Files.writeString(dir.resolve("templates/o.tmpl"), "# other\n{{ max(2, \"b\") }}\n");
        Files.writeString(
                job,
                Files.readString(job)
                        .replace(
                                "lib.txt: templates/lib.tmpl}",
                                "lib.txt: templates/lib.tmpl, o.txt: templates/o.tmpl}"));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertEquals(
                dir.resolve("templates/in.tmpl") + ": term 'sim': cannot be rendered: invalid operands for"
                        + " mathematical comparison [GREATER_THAN] (in a template that it includes or extends)\n"
                        + dir.resolve("templates/o.tmpl")
                        + ":2: term 'sim': cannot be rendered in `{{ max(2, \"b\") }}`:"
                        + " invalid operands for mathematical comparison [GREATER_THAN]\n"
                        + "2 problems found; the job file format is described in docs/job-file.md\n",
                r.err());
    }

    /**
     * A failure of Pebble's code in the content of a template that another extends is said once,
     * at the parent's line, not also at a line of the child (whose tree has returned by the time
     * the parent renders); when only a run reaches it, the child is named without a line, saying
     * it may be in the parent.
     */
    @Test
    void aFailureInAnExtendedTemplateIsSaidAtItsLineOnly() throws IOException {
        Path job = job("{% extends \"lib.txt\" %}\n{% block body %}\ne = {{ lj.epsilon }}\n{% endblock %}\n");
        Files.writeString(
                dir.resolve("templates/lib.tmpl"),
                "# base\n{% block body %}e = 1{% endblock %}\n{% if lj.epsilon > 5 %}{% include 3 %}{% endif %}\n");
        Cli.Run valid = Cli.run("validate", job.toString());
        assertEquals(0, valid.code(), valid::toString);
        Cli.Run r = Cli.run("eval", job.toString(), "--set", "lj.epsilon=6");
        assertEquals(ExitCodes.FIT_FAILED, r.code(), r::toString);
        assertTrue(
                r.err()
                        .contains("failed at step render: template '" + dir.resolve("templates/in.tmpl") + "': cannot"
                                + " be rendered: it got a number where it needs a text (a tag given a value of the wrong kind,"
                                + " such as a number or a map for the name of an include or import?) (in it or in a template"
                                + " that it extends)"),
                r::toString);
        Files.writeString(
                dir.resolve("templates/lib.tmpl"), "# base\n{% block body %}e = 1{% endblock %}\n{% include 3 %}\n");
        Cli.Run checked = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, checked.code(), checked::toString);
        assertEquals(
                dir.resolve("templates/lib.tmpl") + ":3: term 'sim': cannot be rendered in `{% include 3 %}`: it got"
                        + " a number where it needs a text (a tag given a value of the wrong kind, such as a number or"
                        + " a map for the name of an include or import?)\n"
                        + "1 problem found; the job file format is described in docs/job-file.md\n",
                checked.err());
    }

    /**
     * In a folder of the run directory, {@code ./lib.txt} is taken from the importing template's
     * folder there, here with {@code import ... as}.
     */
    @Test
    void aNameFromDotIsTakenFromTheImportingTemplatesFolderInTheRunDirectory() throws IOException {
        Path job = job("{% import \"./lib.txt\" as lib %}{{ lib.line(\"e\", lj.epsilon) }}\n");
        Files.writeString(
                job,
                Files.readString(job)
                        .replace(
                                "{in.txt: templates/in.tmpl, lib.txt: templates/lib.tmpl}",
                                "{conf/in.txt: templates/in.tmpl, conf/lib.txt: templates/lib.tmpl}")
                        .replace("[cat, in.txt]", "[cat, conf/in.txt]"));
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, eval.code(), eval::toString);
        assertEquals("e = 1.5\n", Files.readString(keptRun().resolve("conf/in.txt")));
    }

    /**
     * A command's stdin_template imports the term's templates by the same names: the program
     * {@code cat} reads the rendered text on its standard input and prints it, and the energy is
     * read from what it printed (program.stdout).
     */
    @Test
    void aStdinTemplateImportsTheTermsTemplates() throws IOException {
        Path job = job("{% import \"lib.txt\" %}{{ line(\"e\", lj.epsilon) }}\n");
        Files.writeString(
                dir.resolve("templates/answer.tmpl"), "{% import \"lib.txt\" %}{{ line(\"e\", 4 * lj.epsilon) }}\n");
        Files.writeString(
                job,
                Files.readString(job)
                        .replace(
                                "command: [cat, in.txt]",
                                "command: {run: [cat], stdin_template: templates/answer.tmpl}"));
        Cli.Run v = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, v.code(), v::toString);
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, eval.code(), eval::toString);
        Path run = keptRun();
        assertEquals("e = 6.0\n", Files.readString(run.resolve("program.stdin")));
        assertEquals("e = 6.0\n", Files.readString(run.resolve("program.stdout")));
        assertEquals("e = 1.5\n", Files.readString(run.resolve("in.txt")));
        // 6.0 is 5.0 above the reference 1.0
        assertEquals("loss: 25", eval.out().lines().toList().get(1), eval::toString);
    }

    /**
     * An import by the template's file name rather than its run-directory name is refused by
     * validate, fit and eval alike at the importing template's file and line, with the name it
     * meant; so is a from-import of a macro the named template does not define.
     */
    @Test
    void anImportOfATemplateOrAMacroThatIsNotThereIsSaidAtItsLine() throws IOException {
        String tag = "{% import \"lib.tmpl\" %}{{ line(\"e\", lj.epsilon) }}";
        Path job = job("# input\n" + tag + "\n");
        Path main = dir.resolve("templates/in.tmpl");
        TestData.refusedEverywhere(
                dir,
                job,
                main + ":2: term 'sim': import of 'lib.tmpl' in `" + tag + "`: no template has that name (did you"
                        + " mean 'lib.txt'?); a template imports another by its name in the run directory, and the"
                        + " others are named lib.txt");
        tag = "{% from \"lib.txt\" import line, nope %}{{ line(\"e\", lj.epsilon) }}";
        job("# input\n" + tag + "\n");
        TestData.refusedEverywhere(
                dir,
                job,
                main + ":2: term 'sim': macro 'nope' imported from 'lib.txt' in `" + tag + "` is not defined there:"
                        + " 'lib.txt' defines the macro line");
    }

    /**
     * An include of a name that is none of the term's templates is said at its line like an
     * import's; a mistake inside the included template (line 4 of lib.tmpl) is said once, against
     * that template at its line, not against the one that includes it.
     */
    @Test
    void anIncludeIsCheckedAndItsTemplatesMistakeIsSaidAgainstIt() throws IOException {
        String tag = "{% include \"lib.tmpl\" %}";
        Path job = job(tag + "\nq\n");
        Path main = dir.resolve("templates/in.tmpl");
        TestData.refusedEverywhere(
                dir,
                job,
                main + ":1: term 'sim': include of 'lib.tmpl' in `" + tag + "`: no template has that name (did you"
                        + " mean 'lib.txt'?); a template includes another by its name in the run directory, and the"
                        + " others are named lib.txt");
        job("{% include \"lib.txt\" %}\nq\n");
        Path lib = dir.resolve("templates/lib.tmpl");
        Files.writeString(lib, "a\nb\nc\ne = {{ lj.epsilonn }}\n");
        TestData.refusedEverywhere(
                dir,
                job,
                lib + ":4: term 'sim': unknown parameter 'lj.epsilonn' (did you mean 'lj.epsilon'?) in"
                        + " `e = {{ lj.epsilonn }}`; known names: lj.epsilon");
    }
}
