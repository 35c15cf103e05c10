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

    @Test
    void aComputerWithoutTemplatesUsesNone() {
        FileBasedQuantityComputer c = builder().command("true").build();
        assertEquals(List.of(), c.usedByTemplates(P, P.names()));
    }
}
