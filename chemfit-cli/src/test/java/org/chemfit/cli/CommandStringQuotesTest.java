package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command string is split at spaces: quotes that pair up, as a shell reads them, are refused
 * with the command written as a list, and a lone apostrophe (a name such as O'Neil) is a character
 * of its word, as before. The list given back reads, in YAML, as the very words a shell would pass.
 */
class CommandStringQuotesTest {

    @TempDir
    Path dir;

    @Test
    void aLoneApostropheIsACharacterOfItsWordAndTheCommandRuns() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("O'Neil"));
        Path script = folder.resolve("run.sh");
        Files.writeString(script, "#!/bin/sh\necho \"{\\\"y\\\": $#}\" > out.json\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path job = TestData.write(
                dir,
                "fit.yaml",
                "parameters: {x: {initial: 1.0, bounds: [0.0, 2.0]}}",
                "terms:",
                "  - {name: t, kind: external, command: \"" + script + " a x\",",
                "     outputs: {y: {parser: json, file: out.json, path: /y}}, reference: {y: 2.0}}");
        Cli.Run validate = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.OK, validate.code(), validate::toString);
        Cli.Run eval = Cli.run("eval", job.toString());
        assertEquals(ExitCodes.OK, eval.code(), eval::toString);
        // the program ran from its folder O'Neil with two arguments: the apostrophe reached it as written
        assertTrue(eval.out().contains("loss: 0\n"), eval::toString);
    }

    @Test
    void quotesThatPairUpAreReadAsAShellWouldAndTheListKeepsEachWordText() {
        assertEquals(List.of("sh", "-c", "a b", "it's"), CommandsReader.shellWords("sh -c 'a b' \"it's\""));
        assertEquals(null, CommandsReader.shellWords("./sim.sh it's x"), "a quote left open: no shell reading");
        assertEquals(
                "[./echo.sh, -v, \"1.50\", \"007\", \"x y\", \"true\", \"null\", \"-\", --flag=2, \"-1\"]",
                CommandsReader.asList(
                        List.of("./echo.sh", "-v", "1.50", "007", "x y", "true", "null", "-", "--flag=2", "-1")));
    }
}
