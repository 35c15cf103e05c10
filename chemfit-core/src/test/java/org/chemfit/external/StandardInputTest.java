package org.chemfit.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.TermFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands given standard input (a text, a rendered template), run by real processes
 * ({@code awk} reading its standard input), and the look-up of a program by several names.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StandardInputTest {

    @TempDir
    Path root;

    private static final String SUM = "{ s += $1 } END { printf \"sum = %.17g\\n\", s }";

    @Test
    void aCommandReadsATextAndATemplateOnItsStandardInput() throws Exception {
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("stdin")
                .workDirectory(root)
                .keep(KeepPolicy.ALL)
                .variable("offset", 10)
                .command(Command.shell("awk '" + SUM + "' > fixed.txt").stdin(StandardInput.text("1\n2\n3.5\n")))
                .command(Command.of("awk", SUM).stdin(StandardInput.template("{{ lj.epsilon }}\n{{ offset }}\n\n")))
                .output(OutputParsers.regex("fixed", "fixed.txt", "sum = (\\S+)"))
                .output(OutputParsers.regex("rendered", "program2.stdout", "sum = (\\S+)"))
                .build();
        Parameters p = Parameters.of(Map.of("lj.epsilon", 0.25));
        EvaluationContext ctx = new EvaluationContext(p, "e1");
        Quantities q = c.compute(p, ctx);
        assertEquals(6.5, q.get("fixed"), 0.0);
        assertEquals(10.25, q.get("rendered"), 0.0);
        Path dir = Path.of((String) ctx.metadata().get("run_directory"));
        assertEquals(
                "1\n2\n3.5\n",
                Files.readString(dir.resolve("program1.stdin")),
                "the run directory shows what was read");
        assertEquals("0.25\n10\n\n", Files.readString(dir.resolve("program2.stdin")));
    }

    @Test
    void aStandardInputTemplateWithAnUnknownNameFailsAtRenderNamingIt() {
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .name("stdin")
                .workDirectory(root)
                .command(Command.of("awk", SUM).stdin(StandardInput.template("{{ x }}\n{{ sigma }}\n")))
                .output(OutputParsers.regex("s", "program.stdout", "sum = (\\S+)"))
                .build();
        Parameters p = Parameters.of(Map.of("x", 1.0));
        TermFailedException e =
                assertThrows(TermFailedException.class, () -> c.compute(p, new EvaluationContext(p, "e2")));
        assertTrue(
                e.getMessage()
                        .contains(
                                "failed at step render: template 'standard input of command 1' line 2: unknown parameter "
                                        + "or variable 'sigma'"),
                e.getMessage());
    }

    /**
     * A template file or standard-input template saved in Latin-1 ("\u00b0" is the one byte 0xB0) is
     * refused when the term is built, naming the file, the line and the byte's column.
     */
    @Test
    void aTemplateThatIsNotUtf8IsRefusedAtItsLine() throws Exception {
        Path latin1 = root.resolve("in.tmpl");
        Files.write(latin1, "e = {{ x }}\n# T = 300 \u00b0C\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        String problem = ":2: is not UTF-8 text: byte 0xB0 at column 11 cannot be read as UTF-8 (in Latin-1 and"
                + " Windows-1252 it is '\u00b0', U+00B0); ";
        IllegalArgumentException stdin =
                assertThrows(IllegalArgumentException.class, () -> StandardInput.templateFile(latin1));
        assertEquals(
                latin1 + problem + "a standard-input template must be UTF-8 text: save it as UTF-8",
                stdin.getMessage());
        IllegalArgumentException template = assertThrows(
                IllegalArgumentException.class,
                () -> FileBasedQuantityComputer.builder().template(latin1));
        assertEquals(latin1 + problem + "a template must be UTF-8 text: save it as UTF-8", template.getMessage());
    }

    @Test
    void withoutStandardInputAProgramReadsNothing() {
        FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
                .workDirectory(root)
                .command("awk", SUM)
                .output(OutputParsers.regex("s", "program.stdout", "sum = (\\S+)"))
                .build();
        Parameters p = Parameters.of(Map.of("x", 1.0));
        assertEquals(0.0, c.compute(p, new EvaluationContext(p, "e3")).get("s"), 0.0);
    }

    @Test
    void theFirstProgramFoundOnThePathIsChosen() throws Exception {
        Path bin = Files.createDirectories(root.resolve("bin"));
        Path gmxD = Files.writeString(bin.resolve("gmx_d"), "#!/bin/sh\n");
        gmxD.toFile().setExecutable(true);
        String path = root.resolve("empty") + ":" + bin;
        assertEquals(gmxD.toString(), Programs.firstOnPath(List.of("gmx", "gmx_mpi", "gmx_d"), path));
        IllegalArgumentException none = assertThrows(
                IllegalArgumentException.class, () -> Programs.firstOnPath(List.of("gmx", "gmx_mpi"), path));
        assertEquals("none of the programs gmx, gmx_mpi is on the PATH (" + path + ")", none.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Programs.firstOnPath(List.of(), path));
        assertEquals(
                gmxD.toString(),
                Programs.firstOnPath(List.of(root.resolve("nope").toString(), gmxD.toString()), path));
    }
}
