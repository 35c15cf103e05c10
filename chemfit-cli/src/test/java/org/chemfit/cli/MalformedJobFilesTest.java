package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file in src/test/resources/malformed breaks one rule of the job-file format. Its first
 * line (or, for JSON, a side file NAME.expect) says where and what: {@code # expect: LINE:COLUMN
 * message fragment}. {@code chemfit validate} must exit with 2 and print a line
 * {@code FILE:LINE:COLUMN: ...fragment...}, and no stack trace.
 */
@org.junit.jupiter.api.Timeout(value = 120, unit = java.util.concurrent.TimeUnit.SECONDS)
class MalformedJobFilesTest {

    private static final Pattern EXPECT = Pattern.compile("(?:# expect: )?(\\d+):(\\d+) (.+)");

    static Stream<String> files() throws IOException {
        try (Stream<Path> s = Files.list(Cli.resource("malformed"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") || n.endsWith(".json")).sorted()
                    .toList().stream();
        }
    }

    @Test
    void thereAreAtLeastThirtyMalformedFiles() throws IOException {
        assertTrue(files().count() >= 30, "only " + files().count() + " malformed files");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void validateNamesFileLineColumnAndRule(String name) throws IOException {
        Path file = Cli.resource("malformed").resolve(name);
        String spec = name.endsWith(".json") ? Files.readString(file.resolveSibling(name + ".expect")).strip()
                : Files.readAllLines(file).get(0).strip();
        Matcher m = EXPECT.matcher(spec);
        assertTrue(m.matches(), "bad expectation line in " + name + ": " + spec);
        String prefix = file + ":" + m.group(1) + ":" + m.group(2) + ": ";
        String fragment = m.group(3);

        Cli.Run r = Cli.run("validate", file.toString());

        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        List<String> lines = r.err().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(prefix) && l.contains(fragment)),
                () -> "expected a line starting with '" + prefix + "' containing '" + fragment + "'\n" + r);
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), () -> "a stack trace reached the user\n" + r);
        assertTrue(r.out().isEmpty(), r::toString);
    }

    @Test
    void validateReportsEveryProblemOfAFileAtOnce(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path data = Cli.resource("jobs/data");
        Path job = dir.resolve("many.yaml");
        Files.writeString(job, String.join("\n",
                "parameters:",
                "  x: {initial: 1.0, bounds: [2.0, 1.0]}",
                "terms:",
                "  - kind: atom",
                "optimizer:",
                "  max_evals: 3",
                "  seed: 1.5",
                "execution:",
                "  workers: 0",
                ""));
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains(job + ":2:29: parameter 'x' lower bound must not exceed its upper bound"), r::toString);
        assertTrue(r.err().contains(job + ":4:11: terms[0] kind must be one of atoms, external, crystal, got 'atom'"), r::toString);
        assertTrue(r.err().contains(job + ":6:3: unknown key 'max_evals' in optimizer (did you mean 'max_evaluations'?)"), r::toString);
        assertTrue(r.err().contains(job + ":7:9: optimizer seed must be a whole number, got 1.5"), r::toString);
        assertTrue(r.err().contains(job + ":9:12: execution workers must be a whole number of at least 1, got 0"), r::toString);
        assertTrue(r.err().contains("5 problems found"), r::toString);
        assertTrue(data.toFile().isDirectory());
    }
}
