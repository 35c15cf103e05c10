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
 * line (or, for JSON and for files that cannot hold a comment, a side file NAME.expect) says where
 * and what: {@code # expect: LINE:COLUMN message fragment}. {@code chemfit validate} must exit with
 * 2 and print a line {@code FILE:LINE:COLUMN: ...fragment...}, and no stack trace. Files 70 and up
 * are hostile: aliases, merge keys, "billion laughs", deep nesting, binary and UTF-16 text, tabs,
 * tags, numbers beyond every limit, .nan and .inf.
 */
@org.junit.jupiter.api.Timeout(value = 120, unit = java.util.concurrent.TimeUnit.SECONDS)
class MalformedJobFilesTest {

    /** A qualified Java name (java.io.X, com.fasterxml.Y) or a library's settings class, as leaked messages show them. */
    private static final Pattern JAVA_NAME =
            Pattern.compile("\\b(?:java|javax|com|org)\\.[a-z]+\\.|StreamReadConstraints|Feature\\b");

    private static final Pattern EXPECT = Pattern.compile("(?:# expect: )?(\\d+):(\\d+) (.+)");

    static Stream<String> files() throws IOException {
        try (Stream<Path> s = Files.list(Cli.resource("malformed"))) {
            return s
                    .map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") || n.endsWith(".json"))
                    .sorted()
                    .toList()
                    .stream();
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
        Path side = file.resolveSibling(name + ".expect");
        String spec = Files.exists(side)
                ? Files.readString(side).strip()
                : Files.readAllLines(file).get(0).strip();
        Matcher m = EXPECT.matcher(spec);
        assertTrue(m.matches(), "bad expectation line in " + name + ": " + spec);
        String prefix = file + ":" + m.group(1) + ":" + m.group(2) + ": ";
        String fragment = m.group(3);

        Cli.Run r = Cli.run("validate", file.toString());

        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        List<String> lines = r.err().lines().toList();
        assertTrue(
                lines.stream().anyMatch(l -> l.startsWith(prefix) && l.contains(fragment)),
                () -> "expected a line starting with '" + prefix + "' containing '" + fragment + "'\n" + r);
        assertFalse(
                r.err().contains("\tat ") || r.err().contains("Exception"),
                () -> "a stack trace reached the user\n" + r);
        assertFalse(
                JAVA_NAME.matcher(r.err()).find() || r.err().contains("`"), () -> "a Java name reached the user\n" + r);
        assertTrue(r.out().isEmpty(), r::toString);
    }

    /**
     * A parameter written with another tool's keys is refused once: it is still declared, so the
     * potential that names it is not told of an unknown parameter too.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {"272-parameter-written-as-lmfit.yaml", "273-parameter-written-with-vary.yaml"})
    void aParameterWrittenWithAnotherToolsKeysIsOneProblem(String name) {
        Cli.Run r = Cli.run("validate", Cli.resource("malformed").resolve(name).toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains("with the keys of another tool"), r::toString);
        assertFalse(r.err().contains("unknown parameter"), r::toString);
        assertTrue(
                r.err().endsWith("1 problem found; the job file format is described in docs/job-file.md\n"),
                r::toString);
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedBeforeItIsParsed(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        // one line of 2 MB: the shape that kept the YAML reader busy for minutes
        Path job = dir.resolve("huge.yaml");
        Files.writeString(job, "name: \"" + "x".repeat(2_000_000) + "\"\n");
        Cli.Run r = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(
                r.err().contains(job + ": is 2000009 bytes; a job file may hold at most 1048576 bytes (1 MiB)"),
                r::toString);
        assertFalse(r.err().contains("Exception"), r::toString);
    }

    @Test
    void anchorsAliasesAndMergeKeysAreResolvedAsYamlDefinesThem(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        Path data = Cli.resource("jobs/data/energies.csv");
        Path job = dir.resolve("anchors.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "x-lj: &lj {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}",
                        "x-budget: &budget {max_evaluations: 7}",
                        "parameters:",
                        "  lj:",
                        "    epsilon: {initial: 1.0, bounds: &b [0.1, 10.0]}",
                        "    sigma: {initial: 2.2, bounds: *b}",
                        "terms:",
                        "  - name: curve",
                        "    kind: atoms",
                        "    reference: " + data,
                        "    potential: *lj",
                        "optimizer:",
                        "  <<: *budget",
                        "  method: Powell",
                        ""));
        JobFile jf = JobFile.read(job);
        assertEquals(7, jf.optimizer().maxEvaluations());
        assertEquals("Powell", jf.optimizer().method());
        assertEquals(10.0, jf.parameters().get(1).upper());
        assertEquals(0.1, jf.parameters().get(1).lower());
        assertEquals(
                org.chemfit.atoms.ParameterRef.of("lj.sigma"),
                jf.terms().get(0).config() instanceof JobFile.AtomsConfig a
                        ? a.potential().get(0).parameters().get("sigma")
                        : null);
    }

    @Test
    void validateReportsEveryProblemOfAFileAtOnce(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path data = Cli.resource("jobs/data");
        Path job = dir.resolve("many.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
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
        assertTrue(
                r.err().contains(job + ":2:29: parameter 'x' lower bound must not exceed its upper bound"),
                r::toString);
        assertTrue(
                r.err().contains(job + ":4:11: terms[0] kind must be one of atoms, external, crystal, got 'atom'"),
                r::toString);
        assertTrue(
                r.err().contains(job + ":6:3: unknown key 'max_evals' in optimizer (did you mean 'max_evaluations'?)"),
                r::toString);
        assertTrue(r.err().contains(job + ":7:9: optimizer seed must be a whole number, got 1.5"), r::toString);
        assertTrue(
                r.err().contains(job + ":9:12: execution workers must be a whole number of at least 1, got 0"),
                r::toString);
        assertTrue(r.err().contains("5 problems found"), r::toString);
        assertTrue(data.toFile().isDirectory());
    }
}
