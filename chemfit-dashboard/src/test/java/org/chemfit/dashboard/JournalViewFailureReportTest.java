package org.chemfit.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.chemfit.Bounds;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.FailurePolicy;
import org.chemfit.QuantityComputer;
import org.chemfit.external.FileBasedQuantityComputer;
import org.chemfit.external.OutputParsers;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.Journal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failure's details read its {@code failure.json} from the run directory the journal names. A
 * real external term fails in every evaluation (its command exits with 3) and leaves its run
 * directory with a real {@code failure.json}; each one is then spoilt in another way, and the
 * details say what is wrong with it in plain words, naming the file (and the line and column of a
 * parse error), never with the JSON parser's own message.
 */
class JournalViewFailureReportTest {

    @TempDir
    Path dir;

    private static final int EVALUATIONS = 6;

    private void fitWithAFailingProgram() {
        FileBasedQuantityComputer ext = FileBasedQuantityComputer.builder()
                .name("ext")
                .workDirectory(dir.resolve("runs"))
                .command("sh", "-c", "echo broken >&2; exit 3")
                .output(OutputParsers.regex("e", "out.txt", "e = (\\S+)"))
                .build();
        QuantityComputer bowl = p -> org.chemfit.Quantities.builder()
                .put("e", (p.get("x") - 1) * (p.get("x") - 1))
                .build();
        CombinedObjectiveFunction ob = new CombinedObjectiveFunction(
                        List.of(bowl.withLoss(q -> q.get("e")), ext.withLoss(q -> q.get("e"))), List.of(1.0, 1.0))
                .withTermNames(List.of("bowl", "ext"))
                .withFailurePolicy(FailurePolicy.penalty(50.0));
        try (Journal j = Journal.open(dir)) {
            new Fitter(ob, Map.of("x", 0.3))
                    .bounds(Bounds.of(Map.of("x", List.of(-2.0, 2.0))))
                    .seed(3)
                    .maxEvaluations(EVALUATIONS)
                    .journal(j)
                    .fit(new Journals.RandomSearch());
        }
    }

    private static Path report(Map<String, Object> failure) {
        return Path.of((String) failure.get("run_directory")).resolve("failure.json");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSpoiltMissingOrUnreadableFailureJsonIsNamedWithWhatIsWrong() throws Exception {
        fitWithAFailingProgram();
        try (JournalView v = new JournalView(dir)) {
            v.refresh();
            assertEquals(EVALUATIONS, ((Number) v.summary().get("failure_count")).intValue());
            Map<String, Object> intact = v.failure(0);
            assertEquals(3, ((Map<String, Object>) intact.get("failure_json")).get("exit_code"), intact.toString());
            assertNull(intact.get("note"));

            Path truncated = report(v.failure(0));
            Files.writeString(truncated, "{\n  \"exit_code\": 3,\n");
            Path badToken = report(v.failure(1));
            Files.writeString(badToken, "{\"exit_code\": x}");
            Path array = report(v.failure(2));
            Files.writeString(array, "[1, 2]");
            Path missing = report(v.failure(3));
            Files.delete(missing);
            Path gone = report(v.failure(4));
            try (var files = Files.list(gone.getParent())) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(gone.getParent());
            Path folder = report(v.failure(5));
            Files.delete(folder);
            Files.createDirectory(folder);

            List<String> expected = List.of(
                    truncated + " is not valid JSON: the file ends inside an object (line 3, column 1)",
                    badToken + " is not valid JSON: Unrecognized token 'x': expected a value (a string, number,"
                            + " array, object, true, false or null) (line 1, column 15)",
                    array + " is not a failure report: it holds an array, not a JSON object",
                    missing + " does not exist (the run ended before writing it, or it was removed)",
                    gone + " does not exist (the run directory was removed, or is on another machine)",
                    folder + " cannot be read: it is a folder, not a file");
            for (int i = 0; i < EVALUATIONS; i++) {
                Map<String, Object> f = v.failure(i);
                assertEquals(expected.get(i), f.get("note"), f.toString());
                assertNull(f.get("failure_json"), f.toString());
                assertEquals(
                        dir.resolve("runs"),
                        Path.of((String) f.get("run_directory")).getParent(),
                        f.toString());
                // the failure as the journal recorded it: the term, the command and its exit code, the
                // run directory, and the last line the program wrote to its standard error
                assertEquals(
                        "term 1 'ext' failed: external term 'ext' failed at step run: command 'sh -c echo broken >&2;"
                                + " exit 3' exited with code 3 (run directory " + f.get("run_directory") + ")\n"
                                + "program.stderr (last 1 lines):\nbroken",
                        f.get("message"),
                        f.toString());
            }
        }
    }
}
