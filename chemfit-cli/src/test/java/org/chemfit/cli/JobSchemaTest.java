package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One source of truth for the job file: the published schema ({@code docs/chemfit-job.schema.json}),
 * the reader ({@link JobKeys}, whose key lists the readers use, is the reference) and
 * the documentation ({@code docs/job-file.md}) name the same keys, and every job shown to users
 * validates against the schema and is accepted by the reader.
 *
 * <p>Key paths are written as dotted names: {@code optimizer.tolerance.relative}; {@code []} is an
 * item of a list, {@code *} a value of a map whose keys the user chooses (parameter names, quantity
 * names), and {@code {kind=atoms}} the branch of a map chosen by the value of one of its keys.
 *
 * <p>The rule for snippets: every fenced {@code ```yaml} block of {@code docs/*.md},
 * {@code README.md} and {@code examples/*}{@code /README.md} is a whole job file unless its info
 * string says {@code fragment}. A whole job validates and is read; its paths are relative to the
 * folder its info string names with {@code in=FOLDER} (relative to the repository), else to the
 * folder of the Markdown file. A fragment is YAML the reader parses; when it is a list (of terms)
 * or a map of top-level keys, it also validates against the schema without its required keys (a
 * list as the value of {@code terms}). Other fragments (the keys of one term, a comment) are only
 * parsed.
 */
class JobSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA_LINE = "# yaml-language-server: $schema=../../docs/chemfit-job.schema.json";

    static Path repository() {
        return ExamplesIT.examples().getParent();
    }

    private static JsonNode schemaTree() throws IOException {
        return JSON.readTree(
                repository().resolve("docs/chemfit-job.schema.json").toFile());
    }

    private static Schema schema;

    /** @return the schema, read once for all tests */
    private static synchronized Schema schema() throws IOException {
        if (schema == null) {
            schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(schemaTree());
        }
        return schema;
    }

    // ---------------------------------------------------------------- the schema and the reader name the same keys

    @Test
    void theSchemaNamesExactlyTheKeysTheReaderKnows() throws IOException {
        Walk walk = new Walk(schemaTree());
        walk.walk(walk.root, "", new ArrayDeque<>());
        SortedSet<String> reader = readerKeyPaths();

        SortedSet<String> onlySchema = new TreeSet<>(walk.keys);
        onlySchema.removeAll(reader);
        SortedSet<String> onlyReader = new TreeSet<>(reader);
        onlyReader.removeAll(walk.keys);
        assertTrue(
                onlySchema.isEmpty() && onlyReader.isEmpty(),
                () -> "key paths in the schema that the reader does not know: " + onlySchema
                        + "; key paths the reader knows that the schema lacks: " + onlyReader);
        assertTrue(reader.size() > 300, "only " + reader.size() + " key paths");
    }

    @Test
    void theSchemaListsExactlyTheValuesTheReaderAllowsWhereItChoosesFromAList() throws IOException {
        Walk walk = new Walk(schemaTree());
        walk.walk(walk.root, "", new ArrayDeque<>());
        Map<String, Set<String>> reader = readerChoices();

        for (Map.Entry<String, Set<String>> e : reader.entrySet()) {
            assertEquals(
                    e.getValue(), walk.choices.get(e.getKey()), "the values of " + e.getKey() + " (reader, schema)");
        }
        Set<String> extra = new TreeSet<>(walk.choices.keySet());
        extra.removeAll(reader.keySet());
        assertTrue(
                extra.isEmpty(),
                () -> "the schema gives a list of values at key paths where the reader has none: " + extra);
    }

    /** @return every key path the reader knows, built from its key lists */
    static SortedSet<String> readerKeyPaths() {
        SortedSet<String> out = new TreeSet<>(JobKeys.TOP_KEYS);
        JobKeys.PARAMETER_KEYS.forEach(k -> out.add("parameters.*." + k));
        for (String set : List.of("terms", "validation")) {
            String t = set + "[]";
            out.add(t + ".kind");
            for (String kind : JobKeys.KINDS) {
                String tk = t + "{kind=" + kind + "}";
                List<String> keys = new ArrayList<>(JobKeys.TERM_KEYS);
                keys.addAll(kindKeys(kind));
                keys.forEach(k -> out.add(tk + "." + k));
                JobKeys.LOSS_KEYS.forEach(k -> out.add(tk + ".loss." + k));
                switch (kind) {
                    case "atoms" -> {
                        JobKeys.RELAX_KEYS.forEach(k -> out.add(tk + ".relax." + k));
                        JobKeys.FORCES_KEYS.forEach(k -> out.add(tk + ".forces." + k));
                        JobKeys.COORDINATE_KEYS.forEach(k -> out.add(tk + ".coordinate." + k));
                        pairKeyPaths(tk + ".potential", out);
                        pairKeyPaths(tk + ".potential[]", out);
                    }
                    case "crystal" -> {
                        JobKeys.CRYSTAL_QUANTITIES.forEach(q -> out.add(tk + ".reference." + q));
                        pairKeyPaths(tk + ".potential", out);
                        pairKeyPaths(tk + ".potential[]", out);
                    }
                    default -> {
                        JobKeys.WAIT_KEYS.forEach(k -> out.add(tk + ".wait_for_files." + k));
                        JobKeys.COMMAND_KEYS.forEach(k -> out.add(tk + ".command." + k));
                        JobKeys.COMMAND_KEYS.forEach(k -> out.add(tk + ".commands[]." + k));
                        out.add(tk + ".outputs.*.parser");
                        JobKeys.PARSERS.forEach(p -> JobKeys.PARSER_KEYS
                                .get(p)
                                .forEach(k -> out.add(tk + ".outputs.*{parser=" + p + "}." + k)));
                    }
                }
            }
        }
        JobKeys.COMBINATION_KEYS.forEach(k -> out.add("combination." + k));
        JobKeys.OPTIMIZER_KEYS.forEach(k -> out.add("optimizer." + k));
        JobKeys.TOLERANCE_KEYS.forEach(k -> out.add("optimizer.tolerance." + k));
        JobKeys.STEP_KEYS.forEach(k -> out.add("optimizer.finite_difference_step." + k));
        JobKeys.EXECUTION_KEYS.forEach(k -> out.add("execution." + k));
        JobKeys.OUTPUT_KEYS.forEach(k -> out.add("output." + k));
        return out;
    }

    private static List<String> kindKeys(String kind) {
        return switch (kind) {
            case "atoms" -> JobKeys.ATOMS_KEYS;
            case "crystal" -> JobKeys.CRYSTAL_KEYS;
            case "external" -> JobKeys.EXTERNAL_KEYS;
            default -> throw new IllegalArgumentException("a kind this test does not know: " + kind);
        };
    }

    private static void pairKeyPaths(String p, Set<String> out) {
        out.add(p + ".form");
        for (String form : JobKeys.FORMS) {
            List<String> keys = new ArrayList<>(JobKeys.PAIR_KEYS);
            keys.addAll(JobKeys.FORM_PARAMETERS.get(form));
            keys.forEach(k -> out.add(p + "{form=" + form + "}." + k));
        }
    }

    /** @return for every key path whose value is chosen from a list, the reader's list */
    static Map<String, Set<String>> readerChoices() {
        Map<String, Set<String>> out = new TreeMap<>();
        for (String set : List.of("terms", "validation")) {
            String t = set + "[]";
            out.put(t + ".kind", new TreeSet<>(JobKeys.KINDS));
            for (String kind : JobKeys.KINDS) {
                String tk = t + "{kind=" + kind + "}";
                out.put(tk + ".loss", new TreeSet<>(JobKeys.LOSS_TYPES));
                out.put(tk + ".loss.type", new TreeSet<>(JobKeys.LOSS_TYPES));
                if (kind.equals("atoms")) {
                    out.put(tk + ".relax.method", new TreeSet<>(JobKeys.RELAX_METHODS));
                }
                if (kind.equals("external")) {
                    out.put(tk + ".outputs.*.parser", new TreeSet<>(JobKeys.PARSERS));
                    for (String p : JobKeys.PARSERS) {
                        if (JobKeys.PARSER_KEYS.get(p).contains("select")) {
                            out.put(tk + ".outputs.*{parser=" + p + "}.select", new TreeSet<>(JobKeys.SELECTS.get(p)));
                        }
                    }
                } else {
                    for (String pot : List.of(tk + ".potential", tk + ".potential[]")) {
                        out.put(pot + ".form", new TreeSet<>(JobKeys.FORMS));
                        out.put(pot + "{form=coulomb}.method", new TreeSet<>(JobKeys.COULOMB_METHODS));
                    }
                }
            }
        }
        out.put("combination.reducer", new TreeSet<>(JobKeys.REDUCERS));
        out.put("combination.on_failure", new TreeSet<>(JobKeys.FAILURE_ACTIONS));
        out.put("optimizer.method", new TreeSet<>(Methods.names()));
        out.put("execution.keep", new TreeSet<>(JobKeys.KEEP));
        out.put("output.journal_terms", new TreeSet<>(JobKeys.JOURNAL_TERMS));
        return out;
    }

    /**
     * Walks a JSON schema from its root and collects the key path of every named property and the
     * values of every {@code enum}, following {@code $ref}, {@code items}, {@code additionalProperties},
     * {@code allOf}/{@code anyOf}/{@code oneOf} and {@code if}/{@code then}/{@code else}. A {@code then}
     * whose {@code if} asks for one value of a key ({@code "const"}) adds {@code {key=value}} to the path.
     */
    private static final class Walk {
        final JsonNode root;
        final SortedSet<String> keys = new TreeSet<>();
        final Map<String, Set<String>> choices = new TreeMap<>();

        Walk(JsonNode root) {
            this.root = root;
        }

        void walk(JsonNode s, String path, Deque<String> refs) {
            if (s == null || !s.isObject()) {
                return;
            }
            if (s.has("$ref")) {
                String ref = s.get("$ref").asText();
                assertTrue(ref.startsWith("#/"), "only references within the schema: " + ref);
                if (!refs.contains(ref)) {
                    refs.push(ref);
                    walk(root.at(ref.substring(1)), path, refs);
                    refs.pop();
                }
            }
            if (s.has("enum")) {
                Set<String> values = choices.computeIfAbsent(path, k -> new TreeSet<>());
                s.get("enum").forEach(v -> values.add(v.asText()));
            }
            for (Map.Entry<String, JsonNode> e : s.path("properties").properties()) {
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                keys.add(p);
                walk(e.getValue(), p, refs);
            }
            walk(s.get("items"), path + "[]", refs);
            walk(s.get("additionalProperties"), path + ".*", refs);
            for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
                s.path(combinator).forEach(sub -> walk(sub, path, refs));
            }
            if (s.has("if")) {
                String branch = "";
                for (Map.Entry<String, JsonNode> e :
                        s.get("if").path("properties").properties()) {
                    if (e.getValue().has("const")) {
                        branch = "{" + e.getKey() + "="
                                + e.getValue().get("const").asText() + "}";
                    }
                }
                walk(s.get("then"), path + branch, refs);
                walk(s.get("else"), path, refs);
            }
        }
    }

    // ---------------------------------------------------------------- the documentation names the same keys

    private static final Pattern MARKER = Pattern.compile("<!-- keys: (.+?) -->");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    /** A key table of docs/job-file.md: the section it documents, its header and its rows. */
    private record Table(String section, int line, List<String> header, List<List<String>> rows) {
        /** @return the names written in code in one column of every row that has any */
        List<List<String>> codes(String column) {
            int c = header.indexOf(column);
            assertTrue(
                    c >= 0,
                    "docs/job-file.md:" + line + ": the table of '" + section + "' has no column '" + column + "'");
            List<List<String>> out = new ArrayList<>();
            for (List<String> row : rows) {
                List<String> names = new ArrayList<>();
                Matcher m = CODE.matcher(c < row.size() ? row.get(c) : "");
                while (m.find()) {
                    names.add(m.group(1));
                }
                out.add(names);
            }
            return out;
        }

        /** @return the names in code of the first column */
        Set<String> keys() {
            return codes(header.get(0)).stream().flatMap(List::stream).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** @return the key tables of docs/job-file.md: a line {@code <!-- keys: SECTION -->} followed by a table */
    static Map<String, Table> docTables() throws IOException {
        List<String> lines = Files.readAllLines(repository().resolve("docs/job-file.md"));
        Map<String, Table> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = MARKER.matcher(lines.get(i));
            if (!m.find()) {
                continue;
            }
            int j = i + 1;
            while (j < lines.size() && lines.get(j).isBlank()) {
                j++;
            }
            List<List<String>> rows = new ArrayList<>();
            List<String> header = null;
            for (; j < lines.size() && lines.get(j).startsWith("|"); j++) {
                List<String> cells = cells(lines.get(j));
                if (header == null) {
                    header = cells;
                } else if (!cells.get(0).startsWith("---")) {
                    rows.add(cells);
                }
            }
            int line = i + 1;
            assertTrue(header != null && !rows.isEmpty(), "docs/job-file.md:" + line + ": no table after " + m.group());
            assertTrue(
                    out.put(m.group(1), new Table(m.group(1), line, header, rows)) == null,
                    "docs/job-file.md:" + line + ": a second table of '" + m.group(1) + "'");
        }
        return out;
    }

    /** Splits a Markdown table row at the pipes that are not inside code ({@code `|q|`}). */
    private static List<String> cells(String row) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean code = false;
        for (char c : row.strip().substring(1).toCharArray()) {
            if (c == '`') {
                code = !code;
            }
            if (c == '|' && !code) {
                out.add(cell.toString().strip());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        return out;
    }

    @Test
    void theDocumentationNamesExactlyTheKeysTheReaderKnows() throws IOException {
        Map<String, Table> tables = docTables();
        Map<String, List<String>> reader = new LinkedHashMap<>();
        reader.put("top", JobKeys.TOP_KEYS);
        reader.put("parameter", JobKeys.PARAMETER_KEYS);
        reader.put("term", JobKeys.TERM_KEYS);
        reader.put("loss", JobKeys.LOSS_KEYS);
        reader.put("atoms", JobKeys.ATOMS_KEYS);
        reader.put("relax", JobKeys.RELAX_KEYS);
        reader.put("forces", JobKeys.FORCES_KEYS);
        reader.put("coordinate", JobKeys.COORDINATE_KEYS);
        reader.put("pair", JobKeys.PAIR_KEYS);
        reader.put("crystal", JobKeys.CRYSTAL_KEYS);
        reader.put("crystal quantities", JobKeys.CRYSTAL_QUANTITIES);
        reader.put("external", JobKeys.EXTERNAL_KEYS);
        reader.put("wait_for_files", JobKeys.WAIT_KEYS);
        reader.put("command", JobKeys.COMMAND_KEYS);
        reader.put("combination", JobKeys.COMBINATION_KEYS);
        reader.put("optimizer", JobKeys.OPTIMIZER_KEYS);
        reader.put("tolerance", JobKeys.TOLERANCE_KEYS);
        reader.put("finite_difference_step", JobKeys.STEP_KEYS);
        reader.put("execution", JobKeys.EXECUTION_KEYS);
        reader.put("output", JobKeys.OUTPUT_KEYS);

        Set<String> sections = new TreeSet<>(reader.keySet());
        sections.addAll(List.of("forms", "outputs"));
        assertEquals(
                sections,
                new TreeSet<>(tables.keySet()),
                "the key tables of docs/job-file.md (<!-- keys: SECTION --> markers)");
        for (Map.Entry<String, List<String>> e : reader.entrySet()) {
            Table t = tables.get(e.getKey());
            assertSameKeys(
                    "docs/job-file.md:" + t.line() + " (" + e.getKey() + ")", new TreeSet<>(e.getValue()), t.keys());
        }

        // | form | keys | ... |: each form's own keys
        Table forms = tables.get("forms");
        List<List<String>> names = forms.codes("form");
        List<List<String>> keys = forms.codes("keys");
        Map<String, Set<String>> documented = new TreeMap<>();
        for (int i = 0; i < names.size(); i++) {
            documented.put(names.get(i).get(0), new TreeSet<>(keys.get(i)));
        }
        assertEquals(
                new TreeSet<>(JobKeys.FORMS), documented.keySet(), "the forms of docs/job-file.md:" + forms.line());
        for (String form : JobKeys.FORMS) {
            assertSameKeys(
                    "docs/job-file.md:" + forms.line() + " (form " + form + ")",
                    new TreeSet<>(JobKeys.FORM_PARAMETERS.get(form)),
                    documented.get(form));
        }

        // | key | parsers | ... |: the keys of each parser ("all" for every parser)
        Table outputs = tables.get("outputs");
        List<List<String>> outputKeys = outputs.codes("key");
        List<List<String>> parsers = outputs.codes("parsers");
        int parsersColumn = outputs.header().indexOf("parsers");
        Map<String, Set<String>> byParser = new TreeMap<>();
        for (int i = 0; i < outputKeys.size(); i++) {
            List<String> which =
                    outputs.rows().get(i).get(parsersColumn).equals("all") ? JobKeys.PARSERS : parsers.get(i);
            for (String p : which) {
                byParser.computeIfAbsent(p, k -> new TreeSet<>()).addAll(outputKeys.get(i));
            }
        }
        assertEquals(
                new TreeSet<>(JobKeys.PARSERS), byParser.keySet(), "the parsers of docs/job-file.md:" + outputs.line());
        for (String p : JobKeys.PARSERS) {
            assertSameKeys(
                    "docs/job-file.md:" + outputs.line() + " (parser " + p + ")",
                    new TreeSet<>(JobKeys.PARSER_KEYS.get(p)),
                    byParser.get(p));
        }
    }

    private static void assertSameKeys(String where, Set<String> reader, Set<String> doc) {
        Set<String> missing = new TreeSet<>(reader);
        missing.removeAll(doc);
        Set<String> extra = new TreeSet<>(doc);
        extra.removeAll(reader);
        assertTrue(
                missing.isEmpty() && extra.isEmpty(),
                () -> where + " does not document the keys " + missing
                        + " that the reader knows, and documents the keys " + extra + " that the reader does not know");
    }

    // ---------------------------------------------------------------- every job shown validates and is read

    /** @return the examples' job files */
    static Stream<String> examples() throws IOException {
        try (Stream<Path> s = Files.list(ExamplesIT.examples())) {
            return s
                    .filter(d -> Files.isRegularFile(d.resolve("fit.yaml")))
                    .map(d -> d.getFileName() + "/fit.yaml")
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void everyExampleNamesTheSchemaOnItsFirstLineValidatesAndIsRead(String name) throws IOException {
        Path job = ExamplesIT.examples().resolve(name);
        assertEquals(SCHEMA_LINE, Files.readAllLines(job).get(0), name + ": its first line");
        assertTrue(
                Files.isRegularFile(job.getParent()
                        .resolve("../../docs/chemfit-job.schema.json")
                        .normalize()),
                name + ": the schema line's path");
        assertValidAndRead(job);
    }

    /** @return the valid job files of the tests */
    static Stream<String> testJobs() throws IOException {
        try (Stream<Path> s = Files.list(Cli.resource("jobs"))) {
            return s
                    .map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") || n.endsWith(".json"))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("testJobs")
    void everyValidTestJobValidatesAndIsRead(String name) throws IOException {
        assertValidAndRead(Cli.resource("jobs").resolve(name));
    }

    /** A fenced YAML block of a Markdown file. */
    record Snippet(Path markdown, int line, List<String> info, String text) {
        @Override
        public String toString() {
            return repository().relativize(markdown) + ":" + line;
        }
    }

    /** @return the {@code ```yaml} blocks of docs/*.md, README.md and examples/*{@code /README.md} */
    static Stream<Snippet> snippets() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> docs = Files.list(repository().resolve("docs"));
                Stream<Path> ex = Files.list(ExamplesIT.examples())) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(files::add);
            ex.map(d -> d.resolve("README.md")).filter(Files::isRegularFile).forEach(files::add);
        }
        files.add(repository().resolve("README.md"));
        List<Snippet> out = new ArrayList<>();
        for (Path md : files.stream().sorted().toList()) {
            List<String> lines = Files.readAllLines(md);
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i);
                if (!l.startsWith("```yaml")) {
                    continue;
                }
                List<String> info = List.of(l.substring(3).strip().split("\\s+"));
                StringBuilder text = new StringBuilder();
                int j = i + 1;
                for (; j < lines.size() && !lines.get(j).startsWith("```"); j++) {
                    text.append(lines.get(j)).append('\n');
                }
                out.add(new Snippet(md, i + 1, info, text.toString()));
                i = j;
            }
        }
        return out.stream();
    }

    @Test
    void theDocumentationShowsWholeJobsAndFragmentsThatAreValidated(@TempDir Path dir) throws IOException {
        List<Snippet> all = snippets().toList();
        assertTrue(
                all.stream().filter(s -> !s.info().contains("fragment")).count() >= 2, () -> "whole jobs among " + all);
        List<Snippet> validated = new ArrayList<>();
        for (Snippet s : all) {
            if (s.info().contains("fragment") && fragmentTree(s, dir) != null) {
                validated.add(s);
            }
        }
        assertTrue(validated.size() >= 8, () -> "only these fragments are validated: " + validated);
    }

    /** @return the fragment as JSON to validate against the schema without its required keys, or null to parse only */
    private static JsonNode fragmentTree(Snippet s, Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("fragment.yaml"), s.text());
        JsonNode tree = json(NodeParser.parse(file));
        if (tree.isArray()) {
            ObjectNode terms = JsonNodeFactory.instance.objectNode();
            terms.set("terms", tree);
            return terms;
        }
        if (tree.isObject()
                && !tree.isEmpty()
                && tree.propertyStream()
                        .map(Map.Entry::getKey)
                        .allMatch(k -> JobKeys.TOP_KEYS.contains(k) || k.startsWith("x-"))) {
            return tree;
        }
        return null;
    }

    private static Schema partSchema;

    /** @return the schema without its required keys, for fragments of a job */
    private static synchronized Schema partSchema() throws IOException {
        if (partSchema == null) {
            ObjectNode tree = (ObjectNode) schemaTree();
            tree.remove(List.of("required", "dependentRequired"));
            partSchema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(tree);
        }
        return partSchema;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("snippets")
    void everyJobOfTheDocumentationValidatesAndIsRead(Snippet s, @TempDir Path dir) throws IOException {
        Path job = dir.resolve("job.yaml");
        Files.writeString(job, s.text());
        if (s.info().contains("fragment")) {
            JsonNode part = fragmentTree(s, dir);
            if (part != null) {
                List<Error> errors = partSchema().validate(part);
                assertTrue(
                        errors.isEmpty(),
                        () -> "the fragment at " + s + " does not validate against the schema: " + describe(errors));
            }
            return;
        }
        Path folder = s.markdown().getParent();
        for (String word : s.info()) {
            if (word.startsWith("in=")) {
                folder = repository().resolve(word.substring(3));
            }
        }
        // the job sits beside the files it names, as a user's would
        List<Path> links = new ArrayList<>();
        try (Stream<Path> entries = Files.list(folder)) {
            for (Path p : entries.toList()) {
                if (!Files.exists(dir.resolve(p.getFileName()))) {
                    links.add(Files.createSymbolicLink(dir.resolve(p.getFileName()), p));
                }
            }
        }
        try {
            assertValidAndRead(job, "the job at " + s);
        } finally {
            for (Path link : links) {
                Files.delete(link); // the link only, before the temporary folder is cleaned
            }
        }
    }

    private static void assertValidAndRead(Path job) throws IOException {
        assertValidAndRead(job, job.toString());
    }

    private static void assertValidAndRead(Path job, String name) throws IOException {
        List<Error> errors = schema().validate(json(NodeParser.parse(job)));
        assertTrue(errors.isEmpty(), () -> name + " does not validate against the schema: " + describe(errors));
        try {
            JobFile.read(job);
        } catch (JobFileException e) {
            throw new AssertionError(
                    name + " validates against the schema, but the reader refuses it: " + e.getMessage(), e);
        }
    }

    private static String describe(List<Error> errors) {
        return errors.stream()
                .map(e -> e.getInstanceLocation() + ": " + e.getMessage())
                .collect(Collectors.joining("; "));
    }

    /** @return the job tree as the reader sees it (YAML 1.2 types, merge keys applied), as JSON */
    static JsonNode json(Node n) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (n instanceof Node.MapNode m) {
            ObjectNode o = f.objectNode();
            m.entries().forEach((k, v) -> o.set(k, json(v)));
            return o;
        }
        if (n instanceof Node.ListNode l) {
            ArrayNode a = f.arrayNode();
            l.items.forEach(i -> a.add(json(i)));
            return a;
        }
        Object v = n == null ? null : ((Node.Scalar) n).value;
        if (v == null) {
            return f.nullNode();
        }
        if (v instanceof Boolean b) {
            return f.booleanNode(b);
        }
        if (v instanceof Integer i) {
            return f.numberNode(i);
        }
        if (v instanceof Long x) {
            return f.numberNode(x);
        }
        if (v instanceof BigInteger b) {
            return f.numberNode(b);
        }
        if (v instanceof Double d) {
            return f.numberNode(d);
        }
        return f.textNode(String.valueOf(v));
    }

    // ---------------------------------------------------------------- malformed jobs break the schema too

    /**
     * A sample of the malformed job files whose broken rule the schema states (an unknown key, a
     * wrong type, a value outside a list or a range, a missing key), with what the schema's
     * message must name: the key or the place as a JSON Pointer ({@code /optimizer/method}).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "01-unknown-top-key.yaml, paramters",
        "02-unknown-optimizer-key.yaml, max_evals",
        "03-missing-terms.yaml, terms",
        "04-missing-parameters.yaml, parameters",
        "09-parameter-not-number.yaml, /parameters/lj/epsilon",
        "14-fixed-not-boolean.yaml, /parameters/lj/sigma/fixed",
        "15-terms-not-list.yaml, /terms",
        "16-term-missing-kind.yaml, kind",
        "17-term-unknown-kind.yaml, /terms/0/kind",
        "18-term-unknown-key.yaml, refrence",
        "19-term-weight-negative.yaml, /terms/0/weight",
        "20-term-weight-string.yaml, /terms/0/weight",
        "24-potential-unknown-form.yaml, /terms/0/potential/form",
        "25-loss-unknown.yaml, /terms/0/loss",
        "27-reducer-unknown.yaml, /combination/reducer",
        "29-method-unknown.yaml, /optimizer/method",
        "30-max-evaluations-zero.yaml, /optimizer/max_evaluations",
        "34-workers-zero.yaml, /execution/workers",
        "36-keep-unknown.yaml, /execution/keep",
        "37-plots-not-boolean.yaml, /output/plots",
        "38-section-not-map.yaml, /optimizer",
        "41-json-unknown-key.json, optimiser",
        "49-output-parser-unknown.yaml, /terms/0/outputs/energy/parser",
        "51-select-not-for-parser.yaml, /terms/0/outputs/energy/select",
        "57-relax-method-unknown.yaml, /terms/0/relax/method",
        "58-command-and-commands.yaml, /terms/0",
        "28-penalty-missing.yaml, penalty",
        "39-external-missing-command.yaml, /terms/0",
        "44-shifted-without-cutoff.yaml, cutoff",
        "56-batch-size-below-two.yaml, /optimizer/batch_size",
        "61-wait-for-files-unknown-key.yaml, timout",
        "69-external-key-misspelt.yaml, wait_for_file",
        "77-validation-term-unknown-key.yaml, refrence",
        "80-coulomb-method-unknown.yaml, /terms/0/potential/method",
        "81-coordinate-unknown-key.yaml, unti",
        "83-crystal-reference-unknown.yaml, shear_modulus",
        "35-timeout-unit.yaml, /execution/timeout",
        "52-output-file-escapes.yaml, /terms/0/outputs/energy/file",
        "63-wait-for-files-escapes.yaml, /terms/0/wait_for_files/files/0",
        "67-retries-too-many.yaml, /terms/0/retries",
        "236-forces-weight-not-positive.yaml, /terms/0/forces/weight",
        "239-forces-a-number.yaml, /terms/0/forces",
        "240-forces-unknown-key.yaml, wieght",
        "287-relative-error-with-a-scale.yaml, /terms/0/loss",
    })
    void aMalformedJobThatBreaksASchemaRuleIsRejectedByTheSchema(String name, String named) throws IOException {
        Path file = Cli.resource("malformed").resolve(name);
        List<Error> errors = schema().validate(json(NodeParser.parse(file)));
        assertFalse(errors.isEmpty(), name + " validates against the schema, but the reader refuses it");
        // a place is named by the error's location; a key by its message
        boolean found = named.startsWith("/")
                ? errors.stream()
                        .anyMatch(e -> e.getInstanceLocation().toString().equals(named))
                : errors.stream().anyMatch(e -> e.getMessage().contains(named));
        assertTrue(found, () -> name + ": no schema error names '" + named + "': " + describe(errors));
    }

    // ---------------------------------------------------------------- the schema's durations are the reader's

    /** Durations the reader takes: each unit once, the largest first, not 0, at most 365 days. */
    private static final List<String> DURATIONS_TAKEN = List.of(
            "1h\t30m",
            " \t1h 30m\t ",
            "90s",
            "500ms",
            "5m",
            "5min",
            "5mins",
            "10 minutes",
            "1 minute",
            "1h",
            "1 hr",
            "2 hrs",
            "2 hours",
            "1d",
            "2 days",
            "1 sec",
            "3 secs",
            "1 second",
            "1 millisecond",
            "1h30m",
            "1h 30min",
            "2h 15min",
            "1h\t30m",
            "1 hour 30 secs",
            "1d 2h 3m 4s 5ms",
            "1day2hours3minutes4seconds5milliseconds",
            "1s 500ms",
            "1m 1ms",
            "1.5h",
            "0.5s",
            "0s 1ms",
            "0h 0m 0.001s",
            "+1h",
            " + 1h ",
            "1H",
            "5 MIN",
            "2 Hours",
            "5Ms",
            "365d",
            "8760h");

    /** Durations the reader refuses: a unit twice or out of order, another form, 0, a sign but +. */
    private static final List<String> DURATIONS_REFUSED = List.of(
            // blanks other than spaces and tabs: Unicode blanks that an editor's \\s would take
            "1h\u00a030m",
            "\u00a01h",
            "1\u2000h",
            "1h\u300030m",
            "1h 2h",
            "1h 1h",
            "1h2h",
            "2 hours 1h",
            "1d 1day",
            "5m 5min",
            "1s 2secs",
            "1ms 2ms",
            "1h 30m 30m",
            "30m1h",
            "1s 1m",
            "1ms 1s",
            "1m 1d",
            "1h30",
            "1msec",
            "1M",
            "1 M",
            "1Mi",
            "5 mins s",
            "1 dayss",
            "0s",
            "0h 0m",
            "0.0s",
            "-5m",
            "+-5m",
            "++5m",
            "",
            " ",
            "h",
            "1.h",
            ".5h",
            "1,5h",
            "1h,30m",
            "10",
            "1 week",
            "1y");

    /**
     * Each duration is given as {@code execution.timeout} of a whole job, read by the reader and
     * validated against the schema, and matched by the schema's duration pattern alone, compiled by
     * java.util.regex: the pattern uses only what java.util.regex and ECMA-262 (JSON Schema's
     * regular expressions) read alike (classes of listed characters, groups, alternation, ?, +, *,
     * ^ and $ of one line, and lookahead; not {@code \s}, which is every Unicode blank in ECMA-262
     * and the ASCII ones in Java), so that what it accepts here is what it accepts in an editor. All
     * three agree on every string, taken and refused; what the pattern leaves to the reader are
     * numbers it cannot compare: more than 365 days, and less than a nanosecond.
     */
    @Test
    void theSchemasDurationPatternTakesTheDurationsTheReaderTakesAndNoOther(@TempDir Path dir) throws IOException {
        Pattern pattern = Pattern.compile(
                schemaTree().at("/$defs/duration/anyOf/1/pattern").asText());
        Files.writeString(dir.resolve("ref.csv"), "file,reference_energy\nd0.xyz,-0.01\nd1.xyz,-0.02\n");
        Files.writeString(dir.resolve("d0.xyz"), "2\n\nAr 0 0 0\nAr 0 0 3.6\n");
        Files.writeString(dir.resolve("d1.xyz"), "2\n\nAr 0 0 0\nAr 0 0 3.9\n");
        Path job = dir.resolve("job.yaml");
        List<String> disagreements = new ArrayList<>();
        Map<Boolean, List<String>> all = Map.of(true, DURATIONS_TAKEN, false, DURATIONS_REFUSED);
        for (Map.Entry<Boolean, List<String>> group : all.entrySet()) {
            for (String d : group.getValue()) {
                Files.writeString(
                        job,
                        String.join(
                                "\n",
                                "parameters:",
                                "  eps: {initial: 0.01, bounds: [0.001, 0.1]}",
                                "  sigma: {initial: 3.4, bounds: [3.0, 4.0]}",
                                "terms:",
                                "  - kind: atoms",
                                "    reference: ref.csv",
                                "    potential: {form: lennard_jones, epsilon: eps, sigma: sigma}",
                                "execution:",
                                "  timeout: '" + d + "'",
                                ""));
                boolean reader;
                try {
                    JobFile.read(job);
                    reader = true;
                } catch (JobFileException e) {
                    reader = false;
                    String m = e.getMessage();
                    assertTrue(m.contains(job + ":9:12: execution timeout must be "), () -> "'" + d + "': " + m);
                }
                boolean schemaTakes =
                        schema().validate(json(NodeParser.parse(job))).isEmpty();
                boolean patternTakes = pattern.matcher(d).find();
                if (reader != group.getKey() || schemaTakes != group.getKey() || patternTakes != group.getKey()) {
                    disagreements.add(
                            "'" + d + "': reader " + reader + ", schema " + schemaTakes + ", pattern " + patternTakes);
                }
            }
        }
        assertEquals(List.of(), disagreements, "expected to be " + all);
        // more than 365 days: the form is a duration's, the number too large, which the reader says
        assertTrue(pattern.matcher("366d").find());
        assertTrue(pattern.matcher("8761h").find());
        // less than a nanosecond: the form is a duration's, the number too small, which the reader says
        String tiny = "0.0000000001ms";
        assertTrue(pattern.matcher(tiny).find());
        Map<String, String> said = Map.of(
                "'" + tiny + "'",
                "execution timeout must be at least a nanosecond, got '" + tiny + "'",
                "1.0e-12",
                "execution timeout must be at least a nanosecond, got 1.0e-12 seconds");
        for (Map.Entry<String, String> t : said.entrySet()) {
            Files.writeString(
                    job,
                    String.join(
                            "\n",
                            "parameters:",
                            "  eps: {initial: 0.01, bounds: [0.001, 0.1]}",
                            "terms:",
                            "  - kind: atoms",
                            "    reference: ref.csv",
                            "    potential: {form: lennard_jones, epsilon: eps, sigma: 3.4}",
                            "execution:",
                            "  timeout: " + t.getKey(),
                            ""));
            JobFileException e = assertThrows(JobFileException.class, () -> JobFile.read(job));
            assertTrue(e.getMessage().contains(job + ":8:12: " + t.getValue()), e::getMessage);
        }
    }

    // ---------------------------------------------------------------- the schema line changes nothing for the reader

    @Test
    void theSchemaLineIsACommentThatLeavesLinesAndColumnsAsTheyAre(@TempDir Path dir) throws IOException {
        Path job = dir.resolve("fit.yaml");
        Files.writeString(job, SCHEMA_LINE + "\nparameters:\n  x: 1.0\nterms: []\noptimizer:\n  max_evals: 10\n");

        Cli.Run r = Cli.run("validate", job.toString());

        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains(job + ":4:8: terms must hold at least one term"), r::toString);
        assertTrue(
                r.err().contains(job + ":6:3: unknown key 'max_evals' in optimizer (did you mean 'max_evaluations'?)"),
                r::toString);
        assertFalse(r.err().contains("yaml-language-server") || r.err().contains("$schema"), r::toString);

        Files.writeString(job, SCHEMA_LINE + "\n");
        Cli.Run empty = Cli.run("validate", job.toString());
        assertEquals(ExitCodes.USAGE, empty.code(), empty::toString);
        assertTrue(empty.err().contains(job + ":1:1: the job file is empty"), empty::toString);
    }
}
