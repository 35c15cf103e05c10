package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.chemfit.EvaluationContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rows of predictions.csv are named by structure whether or not a term was evaluated: the
 * validation terms of a fit stopped before its end are not, and their rows carry the structures'
 * tags as a finished fit's do, so that the files of both can be joined.
 */
class PredictionItemsTest {

    @TempDir
    Path dir;

    @Test
    void aValidationTermNotEvaluatedNamesItsRowsByTheStructuresTags() throws IOException {
        TestData.copyTree(ExamplesIT.examples().resolve("argon/data"), dir.resolve("data"));
        Path job = dir.resolve("fit.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "parameters: {lj: {epsilon: {initial: 120.0, bounds: [50.0, 200.0]},"
                                + " sigma: {initial: 3.4, bounds: [3.0, 4.0]}}}",
                        "terms:",
                        "  - {name: curve, kind: atoms, reference: data/ar2-energies.csv,",
                        "     potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}}",
                        "validation:",
                        "  - {name: held, kind: atoms, reference: data/ar2-energies.csv,",
                        "     potential: {form: lennard_jones, epsilon: lj.epsilon, sigma: lj.sigma}}",
                        ""));
        List<String> tags = Files.readAllLines(dir.resolve("data/ar2-energies.csv")).stream()
                .skip(1)
                .map(l -> l.split(",")[2])
                .toList();
        assertTrue(tags.size() > 10 && tags.get(0).equals("r3.30"), tags.toString());
        try (FitPlan plan = FitPlan.build(JobFile.read(job), 1, dir.resolve("out"))) {
            EvaluationContext fit = new EvaluationContext(plan.initial(), "e0");
            plan.combined.evaluate(plan.initial(), fit);
            // stopped before the validation terms ran: no context of theirs
            List<Judgement.Row> stopped =
                    Judgement.of(plan, fit, fit, null, null).rows();
            List<Judgement.Row> held =
                    stopped.stream().filter(r -> r.set().equals("validation")).toList();
            assertEquals(tags, held.stream().map(Judgement.Row::item).toList());
            assertTrue(held.stream().allMatch(r -> Double.isNaN(r.best())), held.toString());
            // the fit's rows, evaluated, are named the same way
            assertEquals(
                    tags,
                    stopped.stream()
                            .filter(r -> r.set().equals("fit"))
                            .map(Judgement.Row::item)
                            .toList());
            // and once the validation term ran, its rows keep their names and gain the model's values
            EvaluationContext v = plan.evaluateValidation(plan.initial());
            List<Judgement.Row> finished = Judgement.of(plan, fit, fit, v, v).rows().stream()
                    .filter(r -> r.set().equals("validation"))
                    .toList();
            assertEquals(tags, finished.stream().map(Judgement.Row::item).toList());
            assertTrue(finished.stream().allMatch(r -> Double.isFinite(r.best())), finished.toString());
        }
    }
}
