package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An empty template file is a template like any other: it renders as an empty file in the run
 * directory (an input a program expects to exist, with nothing in it yet), not as a missing
 * template.
 */
class EmptyTemplateTest {

    @TempDir
    Path root;

    @Test
    void anEmptyTemplateFileRendersAsAnEmptyFile() throws Exception {
        Path empty = Files.writeString(root.resolve("extra.in.tpl"), "");
        Path main = Files.writeString(root.resolve("in.txt.tpl"), "x = {{ x }}\n");
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("sim")
                .workDirectory(root.resolve("runs"))
                .template("in.txt", main)
                .template("extra.in", empty)
                // the program sees an empty extra.in beside its rendered input
                .command("sh", "-c", "test -f extra.in && test ! -s extra.in && sed 's/x = /e = /' in.txt")
                .output(OutputParsers.regex("e", "program.stdout", "e = (\\S+)"))
                .build();
        Parameters p = Parameters.of(Map.of("x", 2.5));
        c.checkTemplates(p);
        assertEquals(List.of("x"), c.usedByTemplates(p, p.names()));
        Quantities q = c.compute(p);
        assertEquals(2.5, q.get("e"));
    }
}
