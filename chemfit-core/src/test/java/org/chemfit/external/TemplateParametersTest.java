package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.chemfit.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileBasedQuantityComputer#usedByTemplates} names the parameters that change what the
 * templates render, however a template reads them (by name, looping over their group, in a
 * condition, through a number format, in a standard-input template), and leaves out those that
 * change nothing. Nothing is written or run.
 */
class TemplateParametersTest {

    @TempDir
    Path root;

    private static final Parameters P = Parameters.of(Map.of(
            "lj.epsilon", 1.0,
            "lj.sigma", 3.4,
            "charges.na", 1.0,
            "charges.cl", -1.0,
            "cutoff_on", 1.0,
            "shift", 0.123456,
            "stdin_only", 2.0,
            "unused", 5.0,
            "unused_too", 0.0));

    private FileBasedQuantityComputer.Builder builder() {
        return FileBasedQuantityComputer.builder()
                .name("sim")
                .workDirectory(root)
                .output(OutputParsers.regex("e", "program.stdout", "e = (\\S+)"));
    }

    @Test
    void everyWayOfReadingAParameterCountsAndAParameterNoTemplateReadsDoesNot() {
        FileBasedQuantityComputer c = builder()
                .templateText(
                        "in.txt",
                        String.join(
                                "\n",
                                "pair {{ lj.epsilon }}",
                                "{% for q in charges %}charge {{ q.key }} {{ q.value }}",
                                "{% endfor %}{% if cutoff_on > 0.5 %}cutoff 10{% endif %}",
                                "shift {{ \"%.2f\" | format(shift) }}",
                                "steps {{ steps }}",
                                ""))
                .variable("steps", 100)
                .command(Command.of("cat", "in.txt").stdin(StandardInput.template("{{ stdin_only }}\n")))
                .build();
        assertEquals(
                List.of("charges.cl", "charges.na", "cutoff_on", "lj.epsilon", "shift", "stdin_only"),
                c.usedByTemplates(P, P.names())); // in the order of the names asked about: sorted
        assertEquals(List.of("shift"), c.usedByTemplates(P, List.of("unused", "shift", "lj.sigma")));
    }

    /**
     * {@link FileBasedQuantityComputer#roundedAway} names a parameter whose step renders the same
     * texts while a large move does not, with the template and the line that names it; a step that
     * changes a digit, a parameter printed in full, one no template reads, and a step of 0 are not
     * named.
     */
    @Test
    void aStepBelowThePrintedDigitsIsNamedWithItsTemplateAndLine() {
        FileBasedQuantityComputer c = builder()
                .templateText("in.txt", "pair {{ lj.epsilon }}\n# shift\nshift {{ \"%.2f\" | format(shift) }}\n")
                .command(Command.of("cat", "in.txt")
                        .stdin(StandardInput.template("x {{ \"%.1f\" | format(stdin_only) }}\n")))
                .build();
        Map<String, Double> steps = new java.util.LinkedHashMap<>();
        steps.put("lj.epsilon", 1.49e-8); // printed in full: the step shows
        steps.put("shift", 1e-4); // 0.123456 and 0.123556 both print 0.12
        steps.put("stdin_only", -1e-3); // 2.0 and 1.999 both print 2.0
        steps.put("unused", 1e-4); // no template reads it
        steps.put("cutoff_on", 0.0); // no step
        assertEquals(
                Map.of(
                        "shift", new FileBasedQuantityComputer.TemplatePlace("in.txt", 3, false),
                        "stdin_only",
                                new FileBasedQuantityComputer.TemplatePlace("standard input of command 1", 1, false)),
                c.roundedAway(P, steps));
        // a step that changes the second decimal shows
        assertEquals(Map.of(), c.roundedAway(P, Map.of("shift", 1e-2)));
    }

    /**
     * A parameter that the templates use only in conditions (of an {@code if}, before a {@code ?})
     * is named with the line of the first condition and said to be used only there; one that is
     * also printed, directly or through its group, is not, and is named with the line that prints
     * it (the loop over its group, here, not the condition that names it after).
     */
    @Test
    void aParameterUsedOnlyInConditionsIsNamedSoWithTheConditionsLine() {
        FileBasedQuantityComputer c = builder()
                .templateText(
                        "in.txt",
                        String.join(
                                "\n",
                                "pair {{ lj.epsilon }}",
                                "{% if cutoff_on > 0.5 %}cutoff 10{% endif %}",
                                "mode {{ shift > 0.5 ? \"big\" : \"small\" }}",
                                "{% for q in charges %}{{ \"%.1f\" | format(q.value) }}{% endfor %}",
                                "{% if charges.na > 0.5 %}na{% endif %}",
                                ""))
                .command(Command.of("cat", "in.txt")
                        .stdin(StandardInput.template("# stdin\n{% if stdin_only > 2.5 %}x{% endif %}\n")))
                .build();
        Map<String, Double> steps = new java.util.LinkedHashMap<>();
        steps.put("cutoff_on", 1e-3); // 1.001 > 0.5 as 1 is; 1 - 2 is not
        steps.put("shift", 1e-3); // 0.124 is small as 0.123 is; 1.12 is big
        steps.put("charges.na", 1e-3); // 1.001 prints 1.0, as 1 does; tested, and printed through its group
        steps.put("stdin_only", 1e-3); // 2.001 > 2.5 no more than 2 is; 2 + 3 is
        assertEquals(
                Map.of(
                        "cutoff_on", new FileBasedQuantityComputer.TemplatePlace("in.txt", 2, true),
                        "shift", new FileBasedQuantityComputer.TemplatePlace("in.txt", 3, true),
                        // printed through its group on line 4; line 5 is the one that names it
                        "charges.na", new FileBasedQuantityComputer.TemplatePlace("in.txt", 4, false),
                        "stdin_only",
                                new FileBasedQuantityComputer.TemplatePlace("standard input of command 1", 2, true)),
                c.roundedAway(P, steps));
    }

    @Test
    void aComputerWithoutTemplatesUsesNone() {
        FileBasedQuantityComputer c = builder().command("true").build();
        assertEquals(List.of(), c.usedByTemplates(P, P.names()));
    }
}
