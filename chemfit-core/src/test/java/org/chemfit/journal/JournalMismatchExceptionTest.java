package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
}
