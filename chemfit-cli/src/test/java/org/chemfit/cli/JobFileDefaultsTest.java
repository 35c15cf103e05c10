package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job file's key written with the value the job reader gives it when it is left out is the same
 * fit as the key left out: the journal compares settings with those defaults applied, so such an
 * edit keeps the run (replayed, nothing computed again), as removing an atoms term's plot-only
 * {@code coordinate} does; a default-valued key changed to another value is still another job.
 * The journal lists the defaults itself; each is checked here against what the reader does.
 */
class JobFileDefaultsTest {

    @TempDir
    Path dir;

    /** A value other than the default for each listed key, to show the reader reads the key at that place. */
    private static final Map<String, Object> OTHER = Map.of(
            "terms[].weight", 2,
            "terms[].loss", "absolute_error",
            "terms[].loss.type", "absolute_error",
            "optimizer.seed", 43,
            "combination.reducer", "mean",
            "combination.on_failure", "skip");

    @SuppressWarnings("unchecked")
    private static Map<String, List<Object>> journalDefaults() throws ReflectiveOperationException {
        Field f = Class.forName("org.chemfit.journal.SqliteSession").getDeclaredField("JOB_FILE_DEFAULTS");
        f.setAccessible(true);
        return (Map<String, List<Object>>) f.get(null);
    }

    private static Map<String, Object> baseJob() {
        Map<String, Object> term = new LinkedHashMap<>();
        term.put("name", "curve");
        term.put("kind", "atoms");
        term.put("reference", "data/ar2-energies.csv");
        term.put("potential", Map.of("form", "lennard_jones", "epsilon", "lj.epsilon", "sigma", "lj.sigma"));
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("name", "argon");
        job.put(
                "parameters",
                Map.of(
                        "lj",
                        Map.of(
                                "epsilon", Map.of("initial", 100.0, "bounds", List.of(10.0, 400.0)),
                                "sigma", Map.of("initial", 3.2, "bounds", List.of(2.5, 4.5)))));
        job.put("terms", new ArrayList<>(List.of(term)));
        job.put("optimizer", new LinkedHashMap<>(Map.of("method", "Nelder-Mead", "max_evaluations", 30)));
        job.put("output", Map.of("folder", "out", "plots", false));
        return job;
    }

    /** Puts a value at a place such as {@code terms[].loss.type} ({@code terms[]}: the first term), making maps on the way. */
    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> job, String place, Object value) {
        String[] parts = place.split("\\.");
        Map<String, Object> at = job;
        for (int i = 0; i < parts.length - 1; i++) {
            if (parts[i].equals("terms[]")) {
                at = (Map<String, Object>) ((List<Object>) at.get("terms")).get(0);
            } else {
                at = (Map<String, Object>) at.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
            }
        }
        String last = parts[parts.length - 1];
        if (last.equals("terms[]")) {
            throw new IllegalArgumentException("a whole term is no default: " + place);
        }
        at.put(last, value);
    }

    private Path write(Map<String, Object> job) throws IOException {
        Path f = dir.resolve("fit.yaml");
        new ObjectMapper(new YAMLFactory()).writeValue(f.toFile(), job);
        return f;
    }

    /** @return what of the job the defaults may change: its terms, combination and optimizer */
    private List<Object> model(Map<String, Object> job) throws IOException {
        JobFile read = JobFile.read(write(job));
        return List.of(read.terms(), read.combination(), read.optimizer());
    }

    @Test
    void eachDefaultTheJournalListsIsTheJobReadersOwn() throws IOException, ReflectiveOperationException {
        TestData.copyTree(ExamplesIT.examples().resolve("argon/data"), dir.resolve("data"));
        List<Object> base = model(baseJob());
        Map<String, List<Object>> defaults = journalDefaults();
        assertTrue(defaults.size() >= OTHER.size(), defaults::toString);
        for (Map.Entry<String, List<Object>> e : defaults.entrySet()) {
            if (e.getKey().contains(".outputs.")) {
                continue; // an external term's: checked below, on such a term
            }
            for (Object form : e.getValue()) {
                Map<String, Object> job = baseJob();
                put(job, e.getKey(), form);
                assertEquals(base, model(job), e.getKey() + ": " + form + " is not what the reader takes without it");
            }
            boolean onlyEmptyMaps = e.getValue().stream().allMatch(Map.class::isInstance);
            if (!onlyEmptyMaps) {
                Object other = OTHER.get(e.getKey());
                assertNotNull(other, "a value other than the default of " + e.getKey() + " is to be checked too");
                Map<String, Object> job = baseJob();
                put(job, e.getKey(), other);
                assertNotEquals(base, model(job), e.getKey() + ": " + other + " is read as the default");
            }
        }
    }

    @Test
    void anOutputsSelectTheJournalListsIsTheJobReadersDefault() throws IOException, ReflectiveOperationException {
        List<Object> forms = journalDefaults().get("terms[].outputs.*.select");
        assertEquals(List.of("last"), forms);
        java.util.function.Function<String, Map<String, Object>> job = select -> {
            Map<String, Object> output =
                    new LinkedHashMap<>(Map.of("parser", "column", "file", "out.txt", "column", 0));
            if (select != null) {
                output.put("select", select);
            }
            Map<String, Object> term = new LinkedHashMap<>();
            term.put("name", "sim");
            term.put("kind", "external");
            term.put("command", List.of("sh", "-c", "echo 1.5 > out.txt"));
            term.put("outputs", Map.of("e", output));
            term.put("reference", Map.of("e", 1.0));
            Map<String, Object> j = baseJob();
            j.put("parameters", Map.of("x", Map.of("initial", 1.0, "bounds", List.of(0.0, 2.0))));
            j.put("terms", new ArrayList<>(List.of(term)));
            return j;
        };
        // the outputs as read (the model's reference values are arrays, equal only to themselves)
        java.util.function.Function<Map<String, Object>, Object> outputs = j -> {
            try {
                return ((JobFile.ExternalConfig)
                                JobFile.read(write(j)).terms().get(0).config())
                        .outputs();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        Object base = outputs.apply(job.apply(null));
        assertEquals(base, outputs.apply(job.apply((String) forms.get(0))), "select: last is the reader's default");
        assertNotEquals(base, outputs.apply(job.apply("first")), "select: first is read as another");

        // written after the fit, the default goes on with its run
        Cli.Run first = Cli.run("fit", write(job.apply(null)).toString());
        assertEquals(0, first.code(), first.toString());
        JsonNode before =
                new ObjectMapper().readTree(dir.resolve("out/results.json").toFile());
        replayed(
                job.apply("last"),
                before.get("evaluations").get("total").asInt(),
                before.get("loss").get("best").asDouble());
    }

    private Map<String, Object> withCoordinate() {
        Map<String, Object> job = baseJob();
        put(job, "terms[].coordinate", Map.of("column", "r", "unit", "A"));
        return job;
    }

    @Test
    void aDefaultWrittenOrLeftOutKeepsTheRunAndAnotherValueDoesNot() throws IOException {
        TestData.copyTree(ExamplesIT.examples().resolve("argon/data"), dir.resolve("data"));
        Map<String, Object> job = withCoordinate();
        Cli.Run first = Cli.run("fit", write(job).toString());
        assertEquals(0, first.code(), first.toString());
        ObjectMapper json = new ObjectMapper();
        JsonNode before = json.readTree(dir.resolve("out/results.json").toFile());
        int evaluations = before.get("evaluations").get("total").asInt();
        double best = before.get("loss").get("best").asDouble();

        // each edit alone, on the job as the journal last recorded it
        put(job, "terms[].weight", 1);
        replayed(job, evaluations, best);
        put(job, "optimizer.seed", 42);
        replayed(job, evaluations, best);
        put(job, "combination.reducer", "sum");
        put(job, "combination.on_failure", "raise");
        replayed(job, evaluations, best);
        put(job, "terms[].loss", "squared_error");
        replayed(job, evaluations, best);
        put(job, "terms[].loss", Map.of("type", "squared_error"));
        replayed(job, evaluations, best);
        // the coordinate only says what the plots and results show the term against
        ((Map<?, ?>) ((List<?>) job.get("terms")).get(0)).remove("coordinate");
        JsonNode after = replayed(job, evaluations, best);
        assertTrue(
                !after.get("terms").get(0).has("coordinate"), after.get("terms").toString());
        // defaults taken out again, as the recorded settings hold them
        Map<String, Object> plain = baseJob();
        replayed(plain, evaluations, best);
        put(plain, "terms[].weight", 1);
        replayed(plain, evaluations, best);

        put(plain, "terms[].weight", 2);
        Cli.Run refused = Cli.run("fit", write(plain).toString());
        assertEquals(ExitCodes.USAGE, refused.code(), refused.toString());
        assertTrue(
                refused.err().contains("cannot be resumed: changed job.file.terms[0].weight: 1 -> 2. Restart"),
                refused.toString());
        // left out, the weight is 1: its change to 2 is still another job
        Map<String, Object> recorded = baseJob();
        replayed(recorded, evaluations, best);
        put(recorded, "terms[].weight", 2);
        refused = Cli.run("fit", write(recorded).toString());
        assertEquals(ExitCodes.USAGE, refused.code(), refused.toString());
        assertTrue(
                refused.err().contains("cannot be resumed: added job.file.terms[0].weight = 2. Restart"),
                refused.toString());
    }

    /** Runs the job: it must go on with run 1 of the journal, replaying every evaluation. */
    private JsonNode replayed(Map<String, Object> job, int evaluations, double best) throws IOException {
        Cli.Run again = Cli.run("fit", write(job).toString());
        assertEquals(0, again.code(), again.toString());
        JsonNode after =
                new ObjectMapper().readTree(dir.resolve("out/results.json").toFile());
        assertEquals(evaluations, after.get("evaluations").get("total").asInt(), again.toString());
        assertEquals(evaluations, after.get("evaluations").get("replayed").asInt(), again.toString());
        assertEquals(1, after.get("journal_run").asInt(), again.toString());
        assertEquals(best, after.get("loss").get("best").asDouble(), 0.0, again.toString());
        assertTrue(again.out().contains("(" + evaluations + " replayed from the journal)"), again.toString());
        return after;
    }
}
