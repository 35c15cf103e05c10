package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The check of a job's templates from their parsed trees knows the names Pebble 3.2.4 gives each
 * place: macros another of the job's templates defines and that an {@code import} or
 * {@code from} brings in, a name a loop sets after a pass used it, and in a macro's body only
 * its arguments and what it sets. Each valid template is rendered by Pebble and passes the check;
 * each mistake is said once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TemplateScopesTest {

    private static final String LIB = "{% macro pair(x) %}P{{ x }}{% endmacro %}";

    private static Templates templates(String main) {
        return new Templates(List.of(
                new Templates.Source("in.lmp", "in.lmp", main), new Templates.Source("lib.tmpl", "lib.tmpl", LIB)));
    }

    private static List<String> reasons(List<TemplateException> problems) {
        List<String> out = new ArrayList<>();
        problems.forEach(p -> out.add(p.template() + ":" + p.line() + ": " + p.reason()));
        return out;
    }

    /**
     * Plain Pebble renders each of these "P1": import, from ... import ... as, import ... as. A
     * template with {@code from} renders again too (Pebble 3.2.4 refuses a second render of one
     * compiled template with {@code from}, so it is parsed again).
     */
    @Test
    void macrosImportedFromAnotherOfTheTemplatesAreKnown() {
        for (String main : List.of(
                "{% import \"lib.tmpl\" %}{{ pair(1) }}",
                "{% from \"lib.tmpl\" import pair as p %}{{ p(1) }}",
                "{% import \"lib.tmpl\" as lib %}{{ lib.pair(1) }}")) {
            Templates t = templates(main);
            assertEquals("P1", t.render(Map.of(), List.of()).get(0), main);
            assertEquals("P1", t.render(Map.of(), List.of()).get(0), main);
            assertEquals(List.of(), reasons(t.check(Map.of(), List.of())), main);
        }
    }

    /**
     * A template that extends another calls the macros of its parents (and, with {@code from}, an
     * imported one): Pebble renders it, and the check knows them all; a macro none of them defines
     * is still said, and a parent the tree does not name leaves the calls unchecked.
     */
    @Test
    void macrosOfTheTemplatesAnExtendingTemplateExtendsAreKnown() {
        String grand = "{% macro g(x) %}G{{ x }}{% endmacro %}[{% block b %}{% endblock %}]";
        String base = "{% extends \"grand.tmpl\" %}{% macro m(x) %}M{{ x }}{% endmacro %}";
        String main = "{% extends \"base.tmpl\" %}{% block b %}{% from \"lib.tmpl\" import pair %}"
                + "{{ m(1) }}{{ g(2) }}{{ pair(3) }}{% endblock %}";
        Templates t = new Templates(List.of(
                new Templates.Source("in.lmp", "in.lmp", main),
                new Templates.Source("base.tmpl", "base.tmpl", base),
                new Templates.Source("grand.tmpl", "grand.tmpl", grand),
                new Templates.Source("lib.tmpl", "lib.tmpl", LIB)));
        assertEquals("[M1G2P3]", t.render(Map.of(), List.of()).get(0));
        List<String> found = reasons(t.check(Map.of(), List.of()));
        assertTrue(found.stream().noneMatch(r -> r.startsWith("in.lmp:")), found::toString);

        Templates wrong = new Templates(List.of(
                new Templates.Source("in.lmp", "in.lmp", main.replace("g(2)", "h(2)")),
                new Templates.Source("base.tmpl", "base.tmpl", base),
                new Templates.Source("grand.tmpl", "grand.tmpl", grand),
                new Templates.Source("lib.tmpl", "lib.tmpl", LIB)));
        List<String> said = reasons(wrong.check(Map.of(), List.of()));
        assertTrue(said.stream().anyMatch(r -> r.startsWith("in.lmp:1: ") && r.contains("'h'")), said::toString);
    }

    /** An import of one of the templates brings in its macros only: another call is still said. */
    @Test
    void aFunctionNeitherPebbleNorAnImportedTemplateDefinesIsStillSaid() {
        Templates t = templates("{% import \"lib.tmpl\" %}{{ pair(1) }}\n{{ nosuch(1) }}\n");
        assertEquals(
                List.of("in.lmp:2: unknown function or macro 'nosuch' in `{{ nosuch(1) }}`; Pebble's functions are"
                        + " max, min, range, and a macro is one the template defines with {% macro %} or imports"
                        + " with {% import %}"),
                reasons(t.check(Map.of(), List.of())));
    }

    /**
     * A macro that {@code {% from %}} imports must be one the named template defines: Pebble 3.2.4
     * refuses the tag only when it renders it, with no line ("Function or Macro [nope] referenced by
     * alias [q] does not exist."), and not at all in a branch not taken; rendering says it as the check does. The check reads the tag's
     * names from Pebble's parsed tree and says each one missing, at the tag's line, with both
     * templates, in every branch; the imported macros known, the template's other calls are checked.
     */
    @Test
    void aMacroImportedWithFromThatItsTemplateDoesNotDefineIsSaidAtTheTagsLine() {
        String tag = "{% from \"lib.tmpl\" import pair as p, nope as q, gone %}{{ p(1) }}";
        Templates t = templates("# one\n" + tag + "\n{{ other(2) }}\n");
        TemplateException rendered = org.junit.jupiter.api.Assertions.assertThrows(
                TemplateException.class, () -> t.render(Map.of(), List.of()));
        // rendering for a run says it as the check does, rather than Pebble's words without a line
        assertEquals(2, rendered.line(), rendered::getMessage);
        assertEquals(
                "macro 'nope' imported from 'lib.tmpl' in `" + tag + "` is not defined there: 'lib.tmpl' defines the"
                        + " macro pair",
                rendered.reason());
        assertEquals(
                List.of(
                        "in.lmp:2: macro 'nope' imported from 'lib.tmpl' in `" + tag + "` is not defined there:"
                                + " 'lib.tmpl' defines the macro pair",
                        "in.lmp:2: macro 'gone' imported from 'lib.tmpl' in `" + tag + "` is not defined there:"
                                + " 'lib.tmpl' defines the macro pair",
                        "in.lmp:3: unknown function or macro 'other' in `{{ other(2) }}`; Pebble's functions are max,"
                                + " min, range, and a macro is one the template defines with {% macro %} or imports"
                                + " with {% import %}"),
                reasons(t.check(Map.of(), List.of())));
        // in a branch the rendering does not take, which Pebble renders without a word
        Templates branch = templates("x\n{% if false %}{% from \"lib.tmpl\" import nope %}{% endif %}");
        assertEquals("x\n", branch.render(Map.of(), List.of()).get(0));
        assertEquals(
                List.of("in.lmp:2: macro 'nope' imported from 'lib.tmpl' in `{% if false %}{% from \"lib.tmpl\""
                        + " import nope %}{% endif %}` is not defined there: 'lib.tmpl' defines the macro pair"),
                reasons(branch.check(Map.of(), List.of())));
        // a template that is none of them is said at the tag's line, with the names that are; its
        // macros unknown, the calls are not checked
        Templates elsewhere = templates("{% from \"other.tmpl\" import pair %}{{ pair(1) }}{{ zz(1) }}");
        assertEquals(
                List.of("in.lmp:1: import of 'other.tmpl' in `{% from \"other.tmpl\" import pair %}{{ pair(1) }}{{"
                        + " zz(1) }}`: no template has that name; a template imports another by its name in the run"
                        + " directory, and the others are named lib.tmpl"),
                reasons(elsewhere.check(Map.of(), List.of())));
    }

    /**
     * A template imports another by its name in the run directory (its target), not by the file it
     * is read from; a name from {@code ./} or {@code ../} is taken from the importing template's
     * folder there. Each renders and passes the check; a name that is none of them is said once,
     * with the template whose file has that name.
     */
    @Test
    void templatesImportOneAnotherByTheirNamesInTheRunDirectory() {
        String main = "{% import \"./lib/pair.tmpl\" %}{{ pair(1) }}"
                + "{% from \"../conf/lib/pair.tmpl\" import pair as p %}{{ p(2) }}"
                + "{% import \"conf/lib/pair.tmpl\" as lib %}{{ lib.pair(3) }}";
        Templates t = new Templates(List.of(
                new Templates.Source("conf/in.lmp", "/job/templates/in.peb", main),
                new Templates.Source("conf/lib/pair.tmpl", "/job/templates/pair.peb", LIB)));
        assertEquals("P1P2P3", t.render(Map.of(), List.of()).get(0));
        assertEquals(List.of(), reasons(t.check(Map.of(), List.of())));
        assertEquals("conf/lib.tmpl", Templates.runDirectoryName("./lib.tmpl", "conf/in.lmp"));
        assertEquals("lib.tmpl", Templates.runDirectoryName("./lib.tmpl", "in.lmp"));
        assertEquals("../lib.tmpl", Templates.runDirectoryName("../lib.tmpl", "in.lmp"));

        String byFile = "{% import \"pair.peb\" %}\n{% import \"pair.peb\" %}{{ pair(1) }}";
        Templates wrong = new Templates(List.of(
                new Templates.Source("in.lmp", "/job/templates/in.peb", byFile),
                new Templates.Source("pair.tmpl", "/job/templates/pair.peb", LIB)));
        assertEquals(
                List.of("/job/templates/in.peb:1: import of 'pair.peb' in `{% import \"pair.peb\" %}`: no template"
                        + " has that name (did you mean 'pair.tmpl'?); a template imports another by its name in the"
                        + " run directory, and the others are named pair.tmpl"),
                reasons(wrong.check(Map.of(), List.of())));
    }

    /** Pebble keeps one scope for all the passes of a loop: prev, set in one pass, is read in the next. */
    @Test
    void aNameALoopSetsAfterUsingItIsKnownInTheLoop() {
        Templates t = templates("{% for t in types %}{% if not loop.first %}{{ prev }}-{{ t }} {% endif %}"
                + "{% set prev = t %}{% endfor %}");
        Map<String, Object> context = Map.of("types", List.of("Ar", "Kr", "Xe"));
        assertEquals("Ar-Kr Kr-Xe ", t.render(context, List.of("types")).get(0));
        assertEquals(List.of(), reasons(t.check(context, List.of("types"))));
    }

    /** A computed key that the tree cannot follow is said once, by the rendering. */
    @Test
    void anUnknownComputedKeyIsSaidOnce() {
        Templates t = templates("{% set k = \"zzz\" %}{{ lj[k] }}");
        Map<String, Object> context = Map.of("lj", Map.of("epsilon", 1.0));
        List<String> said = reasons(t.check(context, List.of("lj.epsilon")));
        assertEquals(1, said.size(), said.toString());
        assertEquals(
                "in.lmp:1: unknown parameter 'zzz' in `{% set k = \"zzz\" %}{{ lj[k] }}`; known names: lj.epsilon",
                said.get(0));
    }

    /**
     * Pebble 3.2.4 gives a macro only its arguments: {@code {{ steps }}} in a macro fails though the
     * model holds steps, and so do a name set outside it and {@code locale}; a name the macro sets
     * is seen. The problem is said once, with the macro's name.
     */
    @Test
    void aMacroSeesOnlyItsArgumentsAndWhatItSets() {
        Map<String, Object> context = Map.of("steps", 5.0);
        Templates bad = templates("{% macro run() %}run {{ steps }}{% endmacro %}{{ run() }}");
        assertEquals(
                List.of("in.lmp:1: macro 'run' uses 'steps' in `{% macro run() %}run {{ steps }}{% endmacro %}"
                        + "{{ run() }}`, which it does not see: a macro sees only its arguments (and the names it"
                        + " sets); pass 'steps' to 'run' as an argument"),
                reasons(bad.check(context, List.of("steps"))));
        // a name no one has is the ordinary unknown name, said once too
        assertEquals(
                List.of("in.lmp:1: unknown parameter or variable 'steps' in `{% macro run() %}run {{ steps }}"
                        + "{% endmacro %}{{ run() }}`; known names: x"),
                reasons(bad.check(Map.of("x", 1.0), List.of("x"))));
        Templates set = templates("{% set g = 3 %}\n{% macro run() %}{{ g }}{% endmacro %}{{ run() }}");
        assertEquals(
                List.of("in.lmp:2: macro 'run' uses 'g' in `{% macro run() %}{{ g }}{% endmacro %}{{ run() }}`,"
                        + " which it does not see: a macro sees only its arguments (and the names it sets); pass 'g'"
                        + " to 'run' as an argument"),
                reasons(set.check(context, List.of("steps"))));
        // a group of parameters the macro does not see, used outside it too: said once, for the macro
        Map<String, Object> lj = Map.of("lj", Map.of("epsilon", 1.0, "sigma", 3.4));
        Templates group = templates("{{ lj.sigma }}\n{% macro pc() %}{{ lj.epsilon }}{% endmacro %}{{ pc() }}");
        List<String> said = reasons(group.check(lj, List.of("lj.epsilon", "lj.sigma")));
        assertEquals(1, said.size(), said::toString);
        assertTrue(said.get(0).startsWith("in.lmp:2: macro 'pc' uses 'lj' in "), said::toString);
        Templates good = templates("{% macro run(n) %}{% set z = 2 %}run {{ n * z }}{% endmacro %}{{ run(steps) }}");
        assertEquals("run 10.0", good.render(context, List.of("steps")).get(0));
        assertEquals(List.of(), reasons(good.check(context, List.of("steps"))));
    }

    /**
     * Pebble's for takes one name ({@code {% for k, v in m %}} does not compile in Pebble: a comma
     * where it expects a name); the refusal says how Pebble loops over a map's entries, which
     * renders "a 1;b 2;" for this map.
     */
    @Test
    void aLoopOverTwoNamesIsToldHowPebbleLoopsOverAMap() {
        TemplateException e = org.junit.jupiter.api.Assertions.assertThrows(
                TemplateException.class, () -> templates("x\n{% for k, v in m %}{{ k }}{% endfor %}"));
        assertEquals(2, e.line());
        assertEquals(
                "Unexpected token of value \",\" and type PUNCTUATION, expected token of type NAME in `{% for k, v in m"
                        + " %}{{ k }}{% endfor %}`; Pebble's for takes one name: loop over the map's entries and read"
                        + " each one's key and value, as in {% for e in m %}{{ e.key }} {{ e.value }}{% endfor %}",
                e.reason());
        Templates good = templates("{% for e in m %}{{ e.key }} {{ e.value }};{% endfor %}");
        Map<String, Object> context = Map.of("m", new java.util.TreeMap<>(Map.of("a", 1.0, "b", 2.0)));
        assertEquals("a 1.0;b 2.0;", good.render(context, List.of("m.a", "m.b")).get(0));
        assertEquals(List.of(), reasons(good.check(context, List.of("m.a", "m.b"))));
    }

    /**
     * Renders at once, each importing the other template (which Pebble parses again at each
     * render), give each the same text, and the check afterwards still reads the first trees.
     */
    @Test
    void rendersAtOnceWithImportsAreSafe() throws Exception {
        Templates t = templates("{% import \"lib.tmpl\" %}{{ pair(x) }}");
        int n = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double x = i;
                results.add(pool.submit(() -> {
                    start.await();
                    return t.render(Map.of("x", x), List.of("x")).get(0);
                }));
            }
            start.countDown();
            for (int i = 0; i < n; i++) {
                assertEquals("P" + (double) i, results.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(), reasons(t.check(Map.of("x", 1.0), List.of("x"))));
    }
}
