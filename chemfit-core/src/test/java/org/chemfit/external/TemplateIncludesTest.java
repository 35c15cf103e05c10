package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A failure inside a template that another includes or imports is said against the template it
 * is in, at that template's line, once; a template that extends another knows the macros the
 * parent imports; an include or extends of a name that is none of the templates is said at its
 * line, once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TemplateIncludesTest {

    private static List<String> reasons(List<TemplateException> problems) {
        List<String> out = new ArrayList<>();
        problems.forEach(p -> out.add(p.template() + ":" + p.line() + ": " + p.reason()));
        return out;
    }

    private static Templates of(String... targetDisplayText) {
        List<Templates.Source> s = new ArrayList<>();
        for (int i = 0; i < targetDisplayText.length; i += 3) {
            s.add(new Templates.Source(targetDisplayText[i], targetDisplayText[i + 1], targetDisplayText[i + 2]));
        }
        return new Templates(s);
    }

    private static final Map<String, Object> MODEL = Map.of("lj", Map.of("epsilon", 3.0));
    private static final List<String> KNOWN = List.of("lj.epsilon");

    /** A filter that fails on line 4 of an included template is said at line 4 of that template. */
    @Test
    void aFailureInAnIncludedTemplateIsSaidAgainstIt() {
        Templates t = of(
                "in.txt",
                "/job/t/in.tmpl",
                "{% include \"lib.txt\" %}\nq\n",
                "lib.txt",
                "/job/t/lib.tmpl",
                "a\nb\ne = {{ lj.epsilon }}\n{{ \"abc\" | abs }}\n");
        TemplateException e = assertThrows(TemplateException.class, () -> t.render(MODEL, KNOWN));
        assertEquals("/job/t/lib.tmpl", e.template());
        assertEquals(4, e.line());
        assertEquals(
                "template '/job/t/lib.tmpl' line 4 column 12: filter 'abs': The 'abs' filter does require as input a"
                        + " number. in `{{ \"abc\" | abs }}` (rendering template '/job/t/in.tmpl')",
                e.getMessage());
    }

    /** An unknown name in an included template, and one in an imported macro, are each said once, against it. */
    @Test
    void aMistakeInAnIncludedOrImportedTemplateIsSaidOnce() {
        Templates included = of(
                "in.txt",
                "/job/t/in.tmpl",
                "{% include \"lib.txt\" %}\nq\n",
                "lib.txt",
                "/job/t/lib.tmpl",
                "a\nb\nc\ne = {{ lj.epsilonn }}\n");
        assertEquals(
                List.of("/job/t/lib.tmpl:4: unknown parameter 'lj.epsilonn' (did you mean 'lj.epsilon'?) in"
                        + " `e = {{ lj.epsilonn }}`; known names: lj.epsilon"),
                reasons(included.check(MODEL, KNOWN)));
        Templates imported = of(
                "in.txt",
                "/job/t/in.tmpl",
                "{% import \"lib.txt\" %}\n\n{{ line(\"e\", lj.epsilon) }}\n",
                "lib.txt",
                "/job/t/lib.tmpl",
                "a\n{% macro line(n, v) %}\n\n{{ n }} = {{ v }} {{ nosuch }}{% endmacro %}\n");
        assertEquals(
                List.of("/job/t/lib.tmpl:4: unknown parameter or variable 'nosuch' in"
                        + " `{{ n }} = {{ v }} {{ nosuch }}{% endmacro %}`; known names: lj.epsilon"),
                reasons(imported.check(MODEL, KNOWN)));
    }

    private static final String LINE = "{% macro line(n, v) %}{{ n }} = {{ v }}{% endmacro %}";

    /**
     * A child calls a macro its parent imports ({@code import}, {@code from ... as}): Pebble
     * renders it, and the check says nothing; a macro neither defines nor imports is still said.
     */
    @Test
    void aChildKnowsTheMacrosItsParentImports() {
        String child = "{% extends \"base.txt\" %}{% block body %}{{ line(\"e\", lj.epsilon) }}{% endblock %}";
        for (String base : List.of(
                "{% import \"lib.txt\" %}head\n{% block body %}default{% endblock %}",
                "{% from \"lib.txt\" import other as line %}head\n{% block body %}default{% endblock %}")) {
            Templates t = of(
                    "in.txt",
                    "in.txt",
                    child,
                    "base.txt",
                    "base.txt",
                    base,
                    "lib.txt",
                    "lib.txt",
                    LINE + "{% macro other(n, v) %}{{ n }} = {{ v }}{% endmacro %}");
            assertEquals("head\ne = 3.0", t.render(MODEL, KNOWN).get(0), base);
            assertEquals(List.of(), reasons(t.check(MODEL, KNOWN)), base);
        }
        Templates wrong = of(
                "in.txt",
                "in.txt",
                child.replace("line(", "lines("),
                "base.txt",
                "base.txt",
                "{% import \"lib.txt\" %}head\n{% block body %}default{% endblock %}",
                "lib.txt",
                "lib.txt",
                LINE);
        assertEquals(
                List.of("in.txt:1: unknown function or macro 'lines' in `" + child.replace("line(", "lines(")
                        + "`; Pebble's functions are max, min, range, and a macro is one the template defines with"
                        + " {% macro %} or imports with {% import %}"),
                reasons(wrong.check(MODEL, KNOWN)));
    }

    /** A parent's parent named from {@code ./} is taken from the parent's folder, as Pebble takes it. */
    @Test
    void aParentsNameIsTakenFromTheTemplateThatNamesIt() {
        Templates t = of(
                "in.txt",
                "/job/t/in.tmpl",
                "{% extends \"conf/base.txt\" %}{% block body %}{{ line(\"e\", lj.epsilon) }}{% endblock %}",
                "conf/base.txt",
                "/job/t/base.tmpl",
                "{% extends \"./root.txt\" %}",
                "conf/root.txt",
                "/job/t/root.tmpl",
                LINE + "head\n{% block body %}default{% endblock %}");
        assertEquals("head\ne = 3.0", t.render(MODEL, KNOWN).get(0));
        assertEquals(List.of(), reasons(t.check(MODEL, KNOWN)));
        // the parents known, a call that none of them defines is said
        Templates wrong = of(
                "in.txt",
                "/job/t/in.tmpl",
                "{% extends \"conf/base.txt\" %}{% block body %}{{ lines(1) }}{% endblock %}",
                "conf/base.txt",
                "/job/t/base.tmpl",
                "{% extends \"./root.txt\" %}",
                "conf/root.txt",
                "/job/t/root.tmpl",
                LINE + "head\n{% block body %}default{% endblock %}");
        assertEquals(
                List.of(
                        "/job/t/in.tmpl:1: unknown function or macro 'lines' in `{% extends \"conf/base.txt\" %}{% block"
                                + " body %}{{ lines(1) }}{% endblock %}`; Pebble's functions are max, min, range, and a macro is"
                                + " one the template defines with {% macro %} or imports with {% import %}"),
                reasons(wrong.check(MODEL, KNOWN)));
    }

    /**
     * An include or extends of a name that is none of the templates is said at its line, with the
     * template whose file has that name, once: not again for each template that includes this one.
     */
    @Test
    void anIncludeOrExtendsOfANameThatIsNoneOfTheTemplatesIsSaidOnceAtItsLine() {
        Templates t = of(
                "top.txt",
                "/job/t/top.tmpl",
                "a\n{% include \"nosuch.txt\" %}\n",
                "conf/in.txt",
                "/job/t/in.tmpl",
                "{% include \"../top.txt\" %}\n{% include \"lib.tmpl\" %}\n",
                "conf/lib.txt",
                "/job/t/lib.tmpl",
                "e = {{ lj.epsilon }}",
                "ext.txt",
                "/job/t/ext.tmpl",
                "x\n{% extends \"base.tmpl\" %}");
        assertEquals(
                List.of(
                        "/job/t/top.tmpl:2: include of 'nosuch.txt' in `{% include \"nosuch.txt\" %}`: no template has"
                                + " that name; a template includes another by its name in the run directory, and the"
                                + " others are named conf/in.txt, conf/lib.txt, ext.txt",
                        "/job/t/in.tmpl:2: include of 'lib.tmpl' in `{% include \"lib.tmpl\" %}`: no template has that"
                                + " name (did you mean 'conf/lib.txt'?); a template includes another by its name in the"
                                + " run directory, and the others are named top.txt, conf/lib.txt, ext.txt",
                        "/job/t/ext.tmpl:2: extends of 'base.tmpl' in `{% extends \"base.tmpl\" %}`: no template has"
                                + " that name; a template extends another by its name in the run directory, and the"
                                + " others are named top.txt, conf/in.txt, conf/lib.txt"),
                reasons(t.check(MODEL, KNOWN)));
    }

    /**
     * A {@code ./} name that an include in an imported macro uses is found from the folder of the
     * template that calls the macro: not a mistake, and Pebble renders it.
     */
    @Test
    void aRelativeIncludeInAnImportedMacroIsFoundFromTheCaller() {
        Templates t = of(
                "in.txt",
                "/job/t/in.tmpl",
                "{% from \"conf/lib.txt\" import m %}{{ m() }}\ne = {{ lj.epsilon }}\n",
                "conf/lib.txt",
                "/job/t/lib.tmpl",
                "{% macro m() %}{% include \"./frag.txt\" %}{% endmacro %}",
                "frag.txt",
                "/job/t/frag.tmpl",
                "frag");
        assertEquals(List.of(), reasons(t.check(MODEL, KNOWN)));
        assertEquals("frag\ne = 3.0\n", t.render(MODEL, KNOWN).get(0));
    }

    private static final Map<String, Object> WITH_STEPS = Map.of("lj", Map.of("epsilon", 3.0), "steps", 10);
    private static final List<String> KNOWN_STEPS = List.of("lj.epsilon", "steps");

    /**
     * A template that fails only as another renders it (included in a macro, which sees no
     * variable; included with a map that gives a text) is said against it, at its line, naming the
     * template that renders it: the included template's own check finds nothing.
     */
    @Test
    void aFailureOnlyTheIncluderBringsIsSaidOnce() {
        Templates inMacro = of(
                "in.txt",
                "/job/t/in.tmpl",
                "{% macro m() %}{% include \"part.txt\" %}{% endmacro %}{{ m() }}\ne = {{ lj.epsilon }}\n",
                "part.txt",
                "/job/t/part.tmpl",
                "s = {{ steps }}\n");
        assertEquals(
                List.of("/job/t/part.tmpl:1: unknown parameter or variable 'steps' (the job has it, but a macro sees"
                        + " only its arguments, and what it includes too) in `s = {{ steps }}`; known names:"
                        + " lj.epsilon, steps (as template '/job/t/in.tmpl' renders it)"),
                reasons(inMacro.check(WITH_STEPS, KNOWN_STEPS)));
        Templates withMap = of(
                "in.txt",
                "/job/t/in.tmpl",
                "a\n{% include \"part.txt\" with {\"k\": \"abc\"} %}\ne = {{ lj.epsilon }}\n",
                "part.txt",
                "/job/t/part.tmpl",
                "k = {{ k | default(2) | abs }}\n");
        assertEquals(
                List.of("/job/t/part.tmpl:1: filter 'abs': The 'abs' filter does require as input a number. in"
                        + " `k = {{ k | default(2) | abs }}` (as template '/job/t/in.tmpl' renders it)"),
                reasons(withMap.check(MODEL, KNOWN)));
        // the included template alone renders: k is not set, so it is 2
        assertEquals(
                "a\nk = 2\n\ne = 3.0\n",
                of(
                                "in.txt",
                                "/job/t/in.tmpl",
                                "a\n{% include \"part.txt\" %}\ne = {{ lj.epsilon }}\n",
                                "part.txt",
                                "/job/t/part.tmpl",
                                "k = {{ k | default(2) | abs }}\n")
                        .render(MODEL, KNOWN)
                        .get(0));
    }

    /**
     * A macro that a child's block calls and that is nowhere found is said at the child's line:
     * Pebble names the top parent, whose text has no such line.
     */
    @Test
    void aMacroNotFoundInAChildsBlockIsSaidAgainstTheChild() {
        Templates computedImport = of(
                "in.txt",
                "/job/t/in.tmpl",
                "{% extends \"base.txt\" %}\n{% block b %}\n{{ nosuch(1) }}{% endblock %}",
                "base.txt",
                "/job/t/base.tmpl",
                "{% set n = \"lib.txt\" %}{% import n %}e = {{ lj.epsilon }} {% block b %}{% endblock %}",
                "lib.txt",
                "/job/t/lib.tmpl",
                "{% macro line(x) %}L{{x}}{% endmacro %}");
        assertEquals(
                List.of("/job/t/in.tmpl:3: Function or Macro [nosuch] does not exist. in"
                        + " `{{ nosuch(1) }}{% endblock %}`"),
                reasons(computedImport.check(MODEL, KNOWN)));
        Templates twoLevels = of(
                "in.txt",
                "/job/t/in.tmpl",
                "{% extends \"mid.txt\" %}\n{% block body %}{{ bm(2) }} {{ ln(\"e\", lj.epsilon) }}{% endblock %}",
                "mid.txt",
                "/job/t/mid.tmpl",
                "{% extends \"base.txt\" %}{% from \"lib.txt\" import line as ln %}\n"
                        + "{% block body %}mid {{ bm(1) }}{% endblock %}",
                "base.txt",
                "/job/t/base.tmpl",
                "{% macro bm(x) %}b{{ x }}{% endmacro %}{% block body %}base{% endblock %}",
                "lib.txt",
                "/job/t/lib.tmpl",
                "{% macro line(name, value) %}{{ name }} = {{ value }}{% endmacro %}");
        assertEquals(
                List.of("/job/t/in.tmpl:2: Function or Macro [ln] does not exist. in"
                        + " `{% block body %}{{ bm(2) }} {{ ln(\"e\", lj.epsilon) }}{% endblock %}`"),
                reasons(twoLevels.check(MODEL, KNOWN)));
    }
}
