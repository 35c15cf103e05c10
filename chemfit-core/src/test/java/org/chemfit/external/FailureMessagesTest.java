package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A term's failure says why in words, never with a Java class name: a run directory that cannot
 * be created, an input writer or a parser that throws, a standard-input template that names
 * something unknown (found before anything runs). Real processes ({@code awk}) and real folders.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FailureMessagesTest {

    /** A Java class name as {@code Throwable.toString()} writes it ("java.nio.file.NoSuchFileException"). */
    private static final Pattern JAVA_CLASS = Pattern.compile("\\b(java|javax|org|com)\\.[a-z.]+\\.[A-Z]\\w*");

    private static final Parameters P = Parameters.of(Map.of("x", 1.5));

    @TempDir
    Path root;

    private static void noJavaClass(String message) {
        assertFalse(JAVA_CLASS.matcher(message).find(), message);
        assertFalse(message.contains("Exception"), message);
        assertFalse(message.contains("$$Lambda"), message);
    }

    private FileBasedQuantityComputer.Builder awk(Path workDirectory) {
        return FileBasedQuantityComputer.builder()
                .name("sim")
                .workDirectory(workDirectory)
                .command(Command.of("awk", "BEGIN { print \"e = 2.5\" }"))
                .output(OutputParsers.regex("e", "program.stdout", "e = (\\S+)"));
    }

    @Test
    void aRetriedFailureSaysHowManyAttemptsRan() {
        // killed by a signal: a transient failure, retried
        FileBasedQuantityComputer.Builder b = FileBasedQuantityComputer.builder()
                .name("rt2")
                .workDirectory(root)
                .command(Command.of("sh", "-c", "kill -9 $$"))
                .output(OutputParsers.regex("e", "program.stdout", "e = (\\S+)"));
        EvaluationContext ctx = new EvaluationContext(P, "a1");
        TermFailedException e = assertThrows(
                TermFailedException.class, () -> b.retries(2).build().compute(P, ctx));
        assertTrue(
                e.getMessage()
                        .startsWith("external term 'rt2' failed at step run on attempt 3 of 3 (the 2 before it failed"
                                + " too; no retry is left): command 'sh -c kill -9 $$' exited with code 137 (as a shell"
                                + " reports a program killed by signal 9, SIGKILL)"),
                e.getMessage());
        assertTrue(e.isTransient());
        assertEquals(2, ctx.metadata().get("external_retries"));
        TermFailedException once = assertThrows(
                TermFailedException.class, () -> b.retries(0).build().compute(P, new EvaluationContext(P, "a2")));
        assertTrue(
                once.getMessage()
                        .startsWith("external term 'rt2' failed at step run: command 'sh -c kill -9 $$' exited with"
                                + " code 137"),
                once.getMessage());
    }

    @Test
    void aRunDirectoryThatCannotBeCreatedIsSaidInWords() {
        // /proc refuses every new folder: mkdir fails with "no such file or directory"
        Path under = Path.of("/proc/chemfit-rv-" + ProcessHandle.current().pid());
        FileBasedQuantityComputer c = awk(under).build();
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(P, new EvaluationContext(P, "e1")));
        assertEquals(
                "external term 'sim' failed at step create: cannot create a run directory under " + under
                        + ": no such file or folder",
                e.getMessage());
        assertTrue(e.runDirectory().isEmpty());
        noJavaClass(e.getMessage());
    }

    @Test
    void aFileInTheWayOfTheRunDirectoryIsNamedWithWhatTheFileSystemSaid() throws Exception {
        Path file = Files.writeString(root.resolve("runs"), "a file, not a folder\n");
        TermFailedException e = assertThrows(
                TermFailedException.class, () -> awk(file).build().compute(P, new EvaluationContext(P, "e2")));
        String m = e.getMessage();
        assertTrue(
                m.startsWith("external term 'sim' failed at step create: cannot create a run directory under " + file
                        + ": Not a directory: " + file + "/sim-e2-p"),
                m);
        noJavaClass(m);
    }

    @Test
    void anOutputThatIsNotANumberIsQuotedLineByLineAndTheRunDirectoryEndsTheFirstLine() {
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("sim")
                .workDirectory(root)
                .command(Command.of("awk", "BEGIN { print \"value: banana\" }"))
                .output(OutputParsers.regex("value", "program.stdout", "value: (\\S+)"))
                .keep(KeepPolicy.ALL)
                .build();
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(P, new EvaluationContext(P, "e9")));
        String m = e.getMessage();
        Path dir = e.runDirectory().orElseThrow();
        List<String> lines = m.lines().toList();
        assertTrue(lines.get(0).startsWith("external term 'sim' failed at step parse: "), m);
        assertTrue(lines.get(0).endsWith("'banana' is not a number (run directory " + dir + "); excerpt:"), m);
        assertTrue(lines.contains("  1: value: banana"), m);
        assertFalse(m.contains("  2:"), () -> "a line 2 that the file does not have: " + m);
        assertEquals(1, m.split("run directory", -1).length - 1, m);
        noJavaClass(m);
    }

    @Test
    void aLambdaInputWriterThatThrowsIsNamedByItsPlaceAndItsMessage() throws Exception {
        FileBasedQuantityComputer c = awk(root)
                .inputWriter((dir, p) -> Files.writeString(dir.resolve("ok.txt"), "fine\n"))
                .inputWriter((dir, p) -> {
                    throw new UncheckedIOException(new NoSuchFileException("/data/charges.csv"));
                })
                .keep(KeepPolicy.ALL)
                .build();
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(P, new EvaluationContext(P, "e3")));
        String m = e.getMessage();
        assertTrue(
                m.startsWith("external term 'sim' failed at step input: input writer 2 failed: "
                        + "no such file or folder: /data/charges.csv (run directory "),
                m);
        noJavaClass(m);
        String report = Files.readString(e.runDirectory().orElseThrow().resolve("failure.json"));
        assertEquals(
                "input writer 2 failed: no such file or folder: /data/charges.csv",
                new ObjectMapper().readTree(report).get("message").asText());
    }

    /**
     * A misspelt name in an expression (multiplied, added, compared) makes Pebble fail in its own
     * words ("Could not perform multiplication"); rendering for a run says the name at its line,
     * with the names known, as the check before a fit does.
     */
    @Test
    void aMisspeltNameInAnExpressionIsSaidAsAnUnknownNameWhenRenderingForARun() {
        Parameters p = Parameters.of(Map.of("lj.epsilon", 0.01, "lj.sigma", 3.4));
        for (String line : List.of(
                "pair {{ lj.epsilom * 2 }} {{ lj.sigma }}",
                "pair {{ lj.epsilom + lj.sigma }}",
                "{% if lj.epsilom > 0 %}pair 1{% endif %}")) {
            FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                    .name("sim")
                    .workDirectory(root)
                    .templateText("in.txt", "# input\n" + line + "\n")
                    .command(Command.of("true"))
                    .output(OutputParsers.regex("e", "in.txt", "pair (\\S+)"))
                    .build();
            TermFailedException e =
                    assertThrows(TermFailedException.class, () -> c.compute(p, new EvaluationContext(p, "e5")));
            String m = e.getMessage();
            assertTrue(
                    m.startsWith("external term 'sim' failed at step render: template 'in.txt' line 2: unknown"
                            + " parameter 'lj.epsilom' (did you mean 'lj.epsilon'?) in `" + line + "`; known names:"
                            + " lj.epsilon, lj.sigma"),
                    m);
            noJavaClass(m);
        }
    }

    /**
     * A failure of Pebble's own that no unknown name brings is said as it is, not as an unknown
     * name of a branch not taken (which renders without a word) nor of another template.
     */
    @Test
    void aFailureIsNotTakenForAnUnknownNameElsewhere() {
        Parameters p = Parameters.of(Map.of("x", 0.0));
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("sim")
                .workDirectory(root)
                .templateText("a.txt", "# a\npair 1 {% if x < 0.5 %}{{ max(1, \"a\") }}{% endif %}\n")
                .templateText("b.txt", "# b\n{% if x > 5 %}{{ y }}{% endif %}\n{% if x > 5 %}{{ nosuch }}{% endif %}\n")
                .command(Command.of("true"))
                .output(OutputParsers.regex("e", "a.txt", "pair (\\S+)"))
                .build();
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(p, new EvaluationContext(p, "e6")));
        assertTrue(
                e.getMessage()
                        .startsWith("external term 'sim' failed at step render: template 'a.txt' line 2: cannot be"
                                + " rendered in `pair 1 {% if x < 0.5 %}{{ max(1, \"a\") }}{% endif %}`: invalid"
                                + " operands for mathematical comparison [GREATER_THAN]"),
                e.getMessage());
    }

    @Test
    void aParserThatThrowsWithoutAMessageSaysSoWithoutItsClass() {
        FileBasedQuantityComputer c = awk(root)
                .output(dir -> {
                    throw new IllegalStateException();
                })
                .build();
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(P, new EvaluationContext(P, "e4")));
        String m = e.getMessage();
        assertTrue(
                m.startsWith("external term 'sim' failed at step parse: parser 2 failed: an error without a message"),
                m);
        noJavaClass(m);
    }

    @Test
    void wrappingAFailureWithoutAMessageNamesNoClass() {
        TermFailedException e = TermFailedException.wrap("energy", 3, P, new NullPointerException());
        assertEquals("term 3 'energy' failed: an error without a message", e.getMessage());
        TermFailedException io =
                TermFailedException.wrap("energy", 0, P, new RuntimeException(new NoSuchFileException("/data/e.csv")));
        assertEquals("term 0 'energy' failed: no such file or folder: /data/e.csv", io.getMessage());
    }

    @Test
    void aStandardInputTemplateIsCheckedBeforeAnythingRuns() throws Exception {
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("sim")
                .workDirectory(root)
                .command(Command.of("awk", "{ s += $1 } END { print \"e =\", s }")
                        .stdin(StandardInput.template("{{ x }}\n{{ aa }}\n")))
                .output(OutputParsers.regex("e", "program.stdout", "e = (\\S+)"))
                .build();
        TemplateException e = assertThrows(TemplateException.class, () -> c.checkTemplates(P));
        assertEquals("standard input of command 1", e.template());
        assertEquals(2, e.line());
        assertEquals("unknown parameter or variable 'aa' in `{{ aa }}`; known names: x", e.reason());
        try (Stream<Path> s = Files.list(root)) {
            assertEquals(List.of(), s.toList(), "the check writes and runs nothing");
        }
    }

    @Test
    void everyUnknownNameOfEveryTemplateIsReportedOnceAtItsLineWithASuggestion() {
        Parameters p = Parameters.of(Map.of("m.b", 1.0, "x", 2.0));
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("sim")
                .workDirectory(root)
                .templateText(
                        "in.txt",
                        "a = {{ x }}\nb = {{ m.b }}\nc = {{ m.bb }}\nd = 1\ne = {{ xx }}\n"
                                + "f = {{ q.b }} {{ q.c }}\ng = {{ m.bb * 2 }}\n")
                .command(Command.of("awk", "{ s += $1 } END { print \"e =\", s }")
                        .stdin(StandardInput.template("{{ y }}\n")))
                .output(OutputParsers.regex("e", "program.stdout", "e = (\\S+)"))
                .build();
        TemplateException e = assertThrows(TemplateException.class, () -> c.checkTemplates(p));
        List<String> all = new java.util.ArrayList<>();
        all.add(e.template() + ":" + e.line() + ": " + e.reason());
        for (Throwable t : e.getSuppressed()) {
            TemplateException more = (TemplateException) t;
            all.add(more.template() + ":" + more.line() + ": " + more.reason());
        }
        // q.c is not reported again under q; m.bb is reported once though line 7 uses it too
        assertEquals(
                List.of(
                        "in.txt:3: unknown parameter 'm.bb' (did you mean 'm.b'?) in `c = {{ m.bb }}`;"
                                + " known names: m.b, x",
                        "in.txt:5: unknown parameter or variable 'xx' (did you mean 'x'?) in `e = {{ xx }}`;"
                                + " known names: m.b, x",
                        "in.txt:6: unknown parameter or variable 'q' in `f = {{ q.b }} {{ q.c }}`; known names: m.b, x",
                        // no suggestion when the known name shares no letter
                        "standard input of command 1:1: unknown parameter or variable 'y' in `{{ y }}`; known names:"
                                + " m.b, x"),
                all);
    }

    /**
     * A name in a branch or a loop that the initial values do not take is found from the template's
     * tree before anything runs, and so is a function that neither Pebble nor the template defines;
     * what the template defines itself (set, a loop's variable, a macro's arguments) and what it
     * tests with {@code is defined} or gives a {@code default} is not.
     */
    @Test
    void unknownNamesInBranchesAndLoopsNotTakenAreReportedButTheTemplatesOwnNamesAreNot() {
        Parameters p = Parameters.of(Map.of("m.a", 1.0, "m.b", 2.0));
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("sim")
                .workDirectory(root)
                .templateText(
                        "in_br.tmpl",
                        "a = {{ m.a }}\nb = {{ m.b }}\n{% if m.a > 5 %}c = {{ m.zzz }}{% endif %}\n"
                                + "{% set k = 3 %}{% for i in range(1, k) %}{{ i * m.a }} {{ loop.index }}"
                                + "{% else %}{{ nope }}{% endfor %}\n"
                                + "{% macro f(w, h=2) %}{{ w * h }}{% endmacro %}{{ f(m.b) }}\n"
                                + "{% if m.gone is defined %}{{ m.gone }}{% endif %}{{ extra | default(1) }}\n"
                                + "{% if m.a < 0 %}{{ q.r }} {{ q.s }}{% elseif m.a < -1 %}{{ m[\"B-x\"] }}"
                                + "{% else %}{{ m.a }}{% endif %}\n"
                                + "{% for j in m.zzz %}{{ j }}{% endfor %}\n"
                                + "{% if m.a > 5 %}{{ nosuch(m.a) }}{% endif %}{{ f(1) }}{{ max(1, 2) }}\n")
                .command(Command.of("awk", "{ s += $1 } END { print \"e =\", s }"))
                .output(OutputParsers.regex("e", "program.stdout", "e = (\\S+)"))
                .build();
        TemplateException e = assertThrows(TemplateException.class, () -> c.checkTemplates(p));
        List<String> all = new java.util.ArrayList<>();
        all.add(e.template() + ":" + e.line() + ": " + e.reason());
        for (Throwable t : e.getSuppressed()) {
            TemplateException more = (TemplateException) t;
            all.add(more.template() + ":" + more.line() + ": " + more.reason());
        }
        // m.zzz once though line 8 loops over it too; q.s is under q, already said
        assertEquals(
                List.of(
                        "in_br.tmpl:3: unknown parameter 'm.zzz' in `{% if m.a > 5 %}c = {{ m.zzz }}{% endif %}`;"
                                + " known names: m.a, m.b",
                        "in_br.tmpl:4: unknown parameter or variable 'nope' in `{% set k = 3 %}{% for i in range(1,"
                                + " k) %}{{ i * m.a }} {{ loop.index }}{% else %}{{ nope }}{% endfor %}`; known names:"
                                + " m.a, m.b",
                        "in_br.tmpl:7: unknown parameter or variable 'q' in `{% if m.a < 0 %}{{ q.r }} {{ q.s }}"
                                + "{% elseif m.a < -1 %}{{ m[\"B-x\"] }}{% else %}{{ m.a }}{% endif %}`; known names:"
                                + " m.a, m.b",
                        "in_br.tmpl:7: unknown parameter 'm.B-x' in `{% if m.a < 0 %}{{ q.r }} {{ q.s }}"
                                + "{% elseif m.a < -1 %}{{ m[\"B-x\"] }}{% else %}{{ m.a }}{% endif %}`; known names:"
                                + " m.a, m.b",
                        // a function no one defines, after the names; f is the template's macro, max Pebble's
                        "in_br.tmpl:9: unknown function or macro 'nosuch' in `{% if m.a > 5 %}{{ nosuch(m.a) }}"
                                + "{% endif %}{{ f(1) }}{{ max(1, 2) }}`; Pebble's functions are max, min, range, and a macro is one the template defines with {% macro %} or imports with {% import %}"),
                all);
    }
}
