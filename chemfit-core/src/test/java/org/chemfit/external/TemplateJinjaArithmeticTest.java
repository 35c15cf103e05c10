package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where Pebble and Jinja differ in ways that change a program's input silently: a division of
 * whole numbers keeps its fraction (Pebble alone cuts it off), and Jinja's raw tags are taken.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TemplateJinjaArithmeticTest {

    private static String render(String text, Map<String, Object> model) {
        Templates t = new Templates(List.of(new Templates.Source("in.txt", "/job/in.tmpl", text)));
        return t.render(model, List.copyOf(model.keySet())).get(0);
    }

    @Test
    void aDivisionOfWholeNumbersKeepsItsFraction() {
        Map<String, Object> model = Map.of("box", 25L, "steps", 1000, "x", 3.0);
        assertEquals(
                "12.5 333.3333333333333 500 -12.5",
                render("{{ box / 2 }} {{ steps / 3 }} {{ steps / 2 }} {{ -box / 2 }}", model));
        // a quotient that is whole stays a whole number, for a program that counts steps
        assertEquals("run 500", render("run {{ steps / 2 }}", model));
        // a double anywhere: Pebble's division, as before
        assertEquals("1.5 8.333333333333334", render("{{ x / 2 }} {{ box / x }}", model));
        // the precedence of * and %, left to right
        assertEquals("25 1.25", render("{{ box / 5 * 5 }} {{ box / 5 / 4 }}", model));
        assertEquals("true", render("{% if box / 2 > 12 %}true{% else %}false{% endif %}", model));
    }

    @Test
    void percentDTakesAParameterWhateverItsFractionAsPythonDoes() {
        // '%d' % 1.05 is '1' in Python, whose % Jinja's format filter is: a step from a whole start
        // renders as the start does, instead of failing the fit at its first step
        assertEquals("E 1", render("E {{ \"%d\" | format(p) }}", Map.of("p", 1.05)));
        assertEquals("E -2", render("E {{ \"%d\" | format(p) }}", Map.of("p", -2.7)));
        // only the values a %d takes: a %f beside it keeps its number, whole or not
        assertEquals(
                "n 3 x 2.000 y 0.50",
                render("n {{ \"%d x %.3f y %.2f\" | format(n, x, y) }}", Map.of("n", 3.9, "x", 2.0, "y", 0.5)));
        assertEquals("2.500 7", render("{{ \"%2$.3f %1$d\" | format(n, x) }}", Map.of("n", 7.2, "x", 2.5)));
        // %<d takes the value the conversion before it took
        assertEquals("1 1 2.50", render("{{ \"%d %<d %.2f\" | format(p, x) }}", Map.of("p", 1.05, "x", 2.5)));
        // beyond a long, the whole part exactly, as Python's int
        double big = 12345678901234567890.0; // 12345678901234567168 exactly, as Python's int() gives it
        assertEquals("12345678901234567168", render("{{ \"%d\" | format(p) }}", Map.of("p", big)));
        // a failure names the values as they were given
        TemplateException e =
                assertThrows(TemplateException.class, () -> render("{{ \"%d %d\" | format(p) }}", Map.of("p", 1.05)));
        assertEquals(true, e.reason().contains("does not fit the values [1.05]"), e.reason());
    }

    @Test
    void formatWritesNumbersAsPythonsPercentDoes() {
        // each expected text is Python's own: python3 -c "print('%.6f' % 0.0103135)", and so on
        Object[][] cases = {
            {"%.6f", 0.0103135, "0.010313"},
            {"%.2f", 1.005, "1.00"},
            {"%.2f", 2.675, "2.67"},
            {"%.1f", 0.25, "0.2"},
            {"%.0f", 2.5, "2"},
            {"%.0f", 0.5, "0"},
            {"%.3e", 1.0005, "1.000e+00"},
            {"%.1f", 300L, "300.0"},
            {"%e", 300L, "3.000000e+02"},
            {"%g", 0.0103, "0.0103"},
            {"%g", 0.0001, "0.0001"},
            {"%g", 1.03e-05, "1.03e-05"},
            {"%g", 1000000.0, "1e+06"},
            {"%10.3g", 3.14159, "      3.14"},
            {"%-8g|", 2.5, "2.5     |"},
            {"%+g", 2.5, "+2.5"},
            {"%08.3g", -3.14159, "-0003.14"},
            {"%#g", 1.0, "1.00000"},
            {"%G", 1e-10, "1E-10"},
            {"%e", 0.0, "0.000000e+00"},
            {"%g", 0.0, "0"},
            {"%g", 123456789.0, "1.23457e+08"},
            {"%.3g", 999.5, "1e+03"},
            {"%.3f", -0.0005, "-0.001"},
            {"%g", -0.0, "-0"},
            {"%.2e", 12345L, "1.23e+04"},
            {"%g", 100000.0, "100000"},
            {"%g", 1e-05, "1e-05"},
            {"%.1f", -0.0, "-0.0"},
            {"%s", 1e-05, "1e-05"},
            {"%s", 1e20, "1e+20"},
            {"%s", 100000.0, "100000.0"},
            {"%s", -0.0, "-0.0"},
            {"%0.2f", 1.2345, "1.23"},
            {"%-08.2f|", 1.5, "1.50    |"},
            {"% +.6f", 2.0, "+2.000000"},
            {"%.2f", -0.001, "-0.00"},
            {"%+.2f", -0.001, "-0.00"},
            {"%.0f", -0.4, "-0"},
            {"%#.1g", 496185L, "5.e+05"},
            {"%#08.1g", 512727L, "005.e+05"},
        };
        for (Object[] c : cases) {
            assertEquals(c[2], render("{{ \"" + c[0] + "\" | format(v) }}", Map.of("v", c[1])), c[0] + " of " + c[1]);
        }
        // several values, and one used twice, each written for its conversion
        Map<String, Object> xy = Map.of("x", 0.5, "y", 0.125);
        assertEquals("0.5 0.125 0.500", render("{{ \"%g %g %.3f\" | format(x, y, x) }}", xy));
        assertEquals("0.125 0.12 0", render("{{ \"%1$s %1$.2f %<d\" | format(y) }}", xy));
        // too few values: refused, not a value taken twice (Python: not enough arguments)
        TemplateException few =
                assertThrows(TemplateException.class, () -> render("{{ \"E = %g eV, F = %s\" | format(x) }}", xy));
        assertEquals(true, few.reason().contains("no value is given for %s"), few.reason());
    }

    @Test
    void jinjasRoundAndFloatFiltersWriteWhatJinjaWrites() {
        // each expected text is Jinja2's own: jinja2.Environment().from_string(t).render()
        String[][] cases = {
            {"{{ 2.5|round }}", "2.0"},
            {"{{ 3.5|round }}", "4.0"},
            {"{{ 2.675|round(2) }}", "2.67"},
            {"{{ 1.005|round(2) }}", "1.0"},
            {"{{ -2.5|round }}", "-2.0"},
            {"{{ 2.4|round(0, \"ceil\") }}", "3.0"},
            {"{{ -2.4|round(0, \"floor\") }}", "-3.0"},
            {"{{ 7|round }}", "7"},
            {"{{ 1234.5678|round(-2) }}", "1200.0"},
            {"{{ \"3.7\"|float }}", "3.7"},
            {"{{ 3|float }}", "3.0"},
            {"{{ 0.1|round(5) }}", "0.1"},
            {"{{ 2.5|round|int }}", "2"}
        };
        for (String[] c : cases) {
            assertEquals(c[1], render(c[0], Map.of()), c[0]);
        }
        TemplateException bad =
                assertThrows(TemplateException.class, () -> render("{{ 2.5|round(0, \"up\") }}", Map.of()));
        assertEquals(
                true, bad.reason().contains("its method must be 'common', 'ceil' or 'floor', got 'up'"), bad.reason());
    }

    @Test
    void jinjasIntFilterGivesTheWholePartAsPebblesDivisionDid() {
        Map<String, Object> model = Map.of("steps", 1000, "n", 10, "x", -2.7);
        assertEquals(
                "333 2 -2 3",
                render("{{ (steps / 3) | int }} {{ (n / 4) | int }} {{ x | int }} {{ \"3.7\" | int }}", model));
        assertEquals("30", render("{% set a = [10, 20, 30, 40] %}{{ a[(n / 4) | int] }}", model));
        // beyond a long: refused, not cut to 64 bits by the arithmetic after it
        TemplateException big =
                assertThrows(TemplateException.class, () -> render("{{ (x | int) + 1 }}", Map.of("x", 1e30)));
        assertEquals(
                true, big.reason().contains("beyond the whole numbers these templates compute with"), big.reason());
    }

    @Test
    void aWholeNumberDividedByZeroIsNamedAtItsLine() {
        TemplateException e = assertThrows(
                TemplateException.class, () -> render("a\nhalf {{ box / n }}\n", Map.of("box", 25, "n", 0)));
        assertEquals(2, e.line());
        assertEquals("/job/in.tmpl", e.template());
        assertEquals(true, e.reason().contains("division by zero: 25 / 0 (whole numbers)"), e.reason());
        TemplateException r =
                assertThrows(TemplateException.class, () -> render("{{ box % n }}\n", Map.of("box", 25, "n", 0)));
        assertEquals(
                true, r.reason().contains("division by zero: 25 % 0 (the remainder of whole numbers)"), r.reason());
        assertEquals("1 1.5", render("{{ box % 4 }} {{ x % 2 }}", Map.of("box", 25, "x", 3.5)));
    }

    @Test
    void aProgramsOwnBracesThatDoNotCompileAreToldOfRaw() {
        String raw = "put it between {% raw %} and {% endraw %}, which write what they hold as it is";
        // a shell's ${#arr[@]} opens a comment that never closes
        TemplateException shell =
                assertThrows(TemplateException.class, () -> render("p = {{ p }}\nn=${#arr[@]}\n", Map.of("p", 1.0)));
        assertEquals(2, shell.line());
        assertEquals(true, shell.reason().contains("'{#' that starts here has no '#}'"), shell.reason());
        assertEquals(true, shell.reason().contains(raw), shell.reason());
        // Python's format text in a script
        TemplateException python = assertThrows(
                TemplateException.class,
                () -> render("x = {{ p }}\nprint('{{\"E\": {}}}'.format(e))\n", Map.of("p", 1.0)));
        assertEquals(true, python.reason().contains(raw), python.reason());
        // an expression that is wrong, with no brace of the program's own, is not told so
        TemplateException plain =
                assertThrows(TemplateException.class, () -> render("x = {{ p + }}\n", Map.of("p", 1.0)));
        assertEquals(false, plain.reason().contains("raw"), plain.reason());
    }

    @Test
    void jinjasSpellingsThatDoNotCompileAreToldTheirOwn() {
        Map<String, Object> model = Map.of("p", 1.0, "n", 7);
        TemplateException elif = assertThrows(
                TemplateException.class, () -> render("{% if p > 2 %}a{% elif p > 0 %}b{% endif %}\n", model));
        assertEquals(true, elif.reason().contains("write Jinja's elif as elseif: {% elseif ... %}"), elif.reason());
        TemplateException floor = assertThrows(TemplateException.class, () -> render("{{ n // 2 }}\n", model));
        assertEquals(true, floor.reason().contains("the whole part of a quotient is (a / b) | int"), floor.reason());
        assertEquals(false, floor.reason().contains("raw"), floor.reason());
        TemplateException power = assertThrows(TemplateException.class, () -> render("{{ p ** 2 }}\n", model));
        assertEquals(true, power.reason().contains("these templates have no **"), power.reason());
        // Jinja's inline if is not told of raw
        TemplateException inline =
                assertThrows(TemplateException.class, () -> render("{{ \"on\" if p else \"off\" }}\n", model));
        assertEquals(false, inline.reason().contains("raw"), inline.reason());
        assertEquals("3", render("{{ (n / 2) | int }}", model));
        // a // or ** inside a quoted text is no operator
        TemplateException url =
                assertThrows(TemplateException.class, () -> render("{{ \"http://host/x\" ~ }}\n", model));
        assertEquals(false, url.reason().contains("these templates have no"), url.reason());
    }

    @Test
    void jinjasRawTagsKeepTheirTextAsItIs() {
        Map<String, Object> model = Map.of("p", 1.5);
        assertEquals(
                "n=${#arr[@]} {{ not a tag }}\np = 1.5\n",
                render("{% raw %}n=${#arr[@]} {{ not a tag }}{% endraw %}\np = {{ p }}\n", model));
        assertEquals("{# kept #}", render("{%- raw -%}  {# kept #}  {%- endraw -%}", model));
        // the line end after the tag is kept, as Jinja keeps it
        assertEquals("n=3 \necho ${#a[@]}\nb", render("n=3 {% raw %}\necho ${#a[@]}{% endraw %}\nb", model));
        assertEquals("a\n\nX\nb", render("a\n{% raw %}\nX{% endraw %}\nb", model));
        // a raw tag inside a verbatim block is its text, and the reverse
        assertEquals("A {% raw %} B", render("{% verbatim %}A {% raw %} B{% endverbatim %}", model));
        assertEquals("A {% verbatim %} B", render("{% raw %}A {% verbatim %} B{% endraw %}", model));
        // a message quotes the line as written
        TemplateException q =
                assertThrows(TemplateException.class, () -> render("a {% raw %}x{% endraw %} {{ q }}\n", model));
        assertEquals(true, q.getMessage().contains("`a {% raw %}x{% endraw %} {{ q }}`"), q.getMessage());
        TemplateException open = assertThrows(TemplateException.class, () -> render("a\n{% raw %}x\n{{ p }}\n", model));
        assertEquals(2, open.line(), open.reason());
        assertEquals(true, open.reason().contains("the {% raw %} that starts here has no {% endraw %}"), open.reason());
        // the line of a later failure is still its own
        TemplateException e =
                assertThrows(TemplateException.class, () -> render("{% raw %}\n{{\n{% endraw %}\n{{ q }}\n", model));
        assertEquals(4, e.line(), e.reason());
    }
}
