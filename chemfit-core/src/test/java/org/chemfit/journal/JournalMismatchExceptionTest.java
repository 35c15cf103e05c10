package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link JournalMismatchException#changesBetween}: what makes job settings another job, as a
 * refused resume names it; none for the edits a resume goes on after.
 */
class JournalMismatchExceptionTest {

    /** A job of an atoms term and an external term, as the command line records it. */
    private static Map<String, Object> job(String name, double weight, Map<String, Object> externalExtras) {
        Map<String, Object> external = new LinkedHashMap<>();
        external.put("name", "sim");
        external.put("kind", "external");
        external.put("weight", weight);
        external.put("command", List.of("./sim.py"));
        external.putAll(externalExtras);
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("name", name);
        file.put("parameters", Map.of("lj", Map.of("epsilon", Map.of("initial", 1.0))));
        file.put("terms", List.of(Map.of("name", "curve", "kind", "atoms", "reference", "data/e.csv"), external));
        return Map.of("job", Map.of("file", file, "data", Map.of("data/e.csv", "0a1b", "sim.py", "9c41")));
    }

    @Test
    void editsThatTakeNoPartInTheFitMakeNoChangeAndOthersAreNamed() {
        Map<String, Object> recorded = job("a", 0.5, Map.of());
        assertEquals(List.of(), JournalMismatchException.changesBetween(recorded, job("a", 0.5, Map.of())));
        // another name, how the external program is run and watched, its unit: the same job
        assertEquals(
                List.of(),
                JournalMismatchException.changesBetween(
                        recorded, job("b", 0.5, Map.of("timeout", 600, "retries", 2, "kill_grace", 5, "unit", "eV"))));
        // a weight changed: named alone, not beside the neutral edits made with it
        assertEquals(
                List.of("changed job.file.terms[1].weight: 0.5 -> 2.0"),
                JournalMismatchException.changesBetween(recorded, job("b", 2.0, Map.of("timeout", 600))));
        // a data file changed
        Map<String, Object> edited = new LinkedHashMap<>(recorded);
        @SuppressWarnings("unchecked")
        Map<String, Object> j = new LinkedHashMap<>((Map<String, Object>) recorded.get("job"));
        j.put("data", Map.of("data/e.csv", "ffff", "sim.py", "9c41"));
        edited.put("job", j);
        assertEquals(
                List.of("changed job.data.data/e.csv: \"0a1b\" -> \"ffff\""),
                JournalMismatchException.changesBetween(recorded, edited));
    }

    /** The refusal names 20 changes and counts the rest, in the singular for one. */
    @Test
    void changesPastTheTwentyNamedAreCounted(@TempDir java.nio.file.Path dir) {
        Map<String, Object> before = new LinkedHashMap<>();
        Map<String, Object> after = new LinkedHashMap<>();
        for (int i = 0; i < 22; i++) {
            before.put("k" + i, 1);
            after.put("k" + i, i < 21 ? 2 : 1);
        }
        try (JournalReader j = JournalReader.open(dir)) {
            j.begin(before, JournalMode.resumeLatest()).close();
        }
        try (JournalReader j = JournalReader.open(dir)) {
            JournalMismatchException e =
                    assertThrows(JournalMismatchException.class, () -> j.check(after, JournalMode.resumeLatest()));
            assertEquals(21, e.changes().size(), e.getMessage());
            assertTrue(e.getMessage().contains("changed k8: 1 -> 2; and 1 more change."), e.getMessage());
        }
    }

    /**
     * A word chosen from a list, spelt as the job reader also takes it (capitals, dashes), and a
     * loss written as its type or as a map of it, are the same job; another word is named, and a
     * change beside a respelling is named alone.
     */
    @Test
    void wordsSpeltOtherwiseAreTheSameJob() {
        Map<String, Object> recorded = job("a", 0.5, Map.of("loss", "mean_squared_error"));
        for (Object loss : List.of("Mean-Squared-Error", "MEAN_SQUARED_ERROR", Map.of("type", "mean-squared-error"))) {
            assertEquals(
                    List.of(),
                    JournalMismatchException.changesBetween(recorded, job("a", 0.5, Map.of("loss", loss))),
                    String.valueOf(loss));
        }
        assertEquals(
                List.of("changed job.file.terms[1].loss: \"mean_squared_error\" -> \"absolute_error\""),
                JournalMismatchException.changesBetween(recorded, job("a", 0.5, Map.of("loss", "absolute_error"))));
        assertEquals(
                List.of("changed job.file.terms[1].weight: 0.5 -> 2.0"),
                JournalMismatchException.changesBetween(
                        recorded, job("a", 2.0, Map.of("loss", Map.of("type", "Mean-Squared-Error")))));
        // a respelt parser of an output whose name holds a space, beside a real change: the change alone
        assertEquals(
                List.of("changed job.file.terms[1].weight: 0.5 -> 2.0"),
                JournalMismatchException.changesBetween(
                        job("a", 0.5, Map.of("outputs", Map.of("f x", Map.of("parser", "regex")))),
                        job("a", 2.0, Map.of("outputs", Map.of("f x", Map.of("parser", "Regex"))))));
        // a parser, as an external term's outputs name it
        Map<String, Object> regex = Map.of("outputs", Map.of("energy", Map.of("parser", "regex", "file", "o")));
        assertEquals(
                List.of(),
                JournalMismatchException.changesBetween(
                        job("a", 0.5, regex),
                        job("a", 0.5, Map.of("outputs", Map.of("energy", Map.of("parser", "REGEX", "file", "o"))))));
    }

    /**
     * A change of the job file is listed once: a bound as the job file's key, not again as the
     * fit's bounds it sets; the budget as both, the job file's and the one in effect.
     */
    @Test
    void aChangeOfTheJobFileIsListedOnce() {
        Map<String, Object> before = Map.of(
                "fit", Map.of("max_evaluations", 60, "bounds", Map.of("lj.epsilon", List.of("0.0", "0.02"))),
                "job",
                        Map.of(
                                "file",
                                Map.of(
                                        "parameters",
                                                Map.of("lj", Map.of("epsilon", Map.of("bounds", List.of(0.0, 0.02)))),
                                        "optimizer", Map.of("max_evaluations", 60))));
        Map<String, Object> after = Map.of(
                "fit", Map.of("max_evaluations", 30, "bounds", Map.of("lj.epsilon", List.of("0.0", "0.025"))),
                "job",
                        Map.of(
                                "file",
                                Map.of(
                                        "parameters",
                                                Map.of("lj", Map.of("epsilon", Map.of("bounds", List.of(0.0, 0.025)))),
                                        "optimizer", Map.of("max_evaluations", 30))));
        assertEquals(
                List.of(
                        "changed fit.max_evaluations: 60 -> 30",
                        "changed job.file.optimizer.max_evaluations: 60 -> 30",
                        "changed job.file.parameters.lj.epsilon.bounds[1]: 0.02 -> 0.025"),
                JournalMismatchException.changesBetween(before, after));
        // a budget given on the command line, the job file's unchanged: the fit's budget is listed
        Map<String, Object> cli = Map.of(
                "fit", Map.of("max_evaluations", 90, "bounds", Map.of("lj.epsilon", List.of("0.0", "0.02"))),
                "job", before.get("job"));
        assertEquals(
                List.of("changed fit.max_evaluations: 60 -> 90"), JournalMismatchException.changesBetween(before, cli));
    }

    /** Parameters of a job file written in another order: the advice names the job file's order, not a Java map. */
    @Test
    void parametersOfAJobFileInAnotherOrderAreToldInTheJobFilesWords() {
        Map<String, Object> file = Map.of("parameters", Map.of("x", 1.0, "y", 2.0));
        Map<String, Object> before = Map.of(
                "fit", Map.of("initial", List.of(List.of("x", 1.0), List.of("y", 2.0))), "job", Map.of("file", file));
        Map<String, Object> after = Map.of(
                "fit", Map.of("initial", List.of(List.of("y", 2.0), List.of("x", 1.0))), "job", Map.of("file", file));
        assertEquals(
                List.of("the parameters' order changed: [x, y] -> [y, x] (the order of the parameters is part of the"
                        + " fit: write them in the job file in the order the run was recorded with, [x, y])"),
                JournalMismatchException.changesBetween(before, after));
    }
}
