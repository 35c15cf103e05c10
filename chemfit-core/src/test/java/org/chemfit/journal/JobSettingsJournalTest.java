package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link Fitter#jobSettings} takes into a journal: a path as its text, an object with no text
 * of its own refused naming its key, the term weights still part of the job, and the journal free
 * for the next fit whatever went wrong while its run was begun.
 */
class JobSettingsJournalTest {

    @TempDir
    Path dir;

    private static CombinedObjectiveFunction objective(double weightOfB) {
        return new CombinedObjectiveFunction(
                        List.of(p -> Math.pow(p.get("x") - 1, 2), p -> Math.pow(p.get("x") + p.get("y"), 2)),
                        List.of(1.0, weightOfB))
                .withTermNames(List.of("a", "b"));
    }

    private static Fitter fitter(CombinedObjectiveFunction f, Journal j, int budget) {
        return new Fitter(f, Map.of("x", 0.3, "y", 1.1)).maxEvaluations(budget).journal(j);
    }

    @Test
    void aPathIsStoredAsItsTextAndTheSameJobResumesItsRun() {
        Map<String, Object> job = Map.of("reference", Path.of("data", "energies.csv"), "n", 3);
        FitResult first;
        try (JournalReader j = JournalReader.open(dir)) {
            first = fitter(objective(1), j, 20).jobSettings(job).fit("Nelder-Mead");
        }
        try (JournalReader j = JournalReader.open(dir)) {
            FitResult again = fitter(objective(1), j, 20).jobSettings(job).fit("Nelder-Mead");
            assertEquals(Double.doubleToRawLongBits(first.bestLoss()), Double.doubleToRawLongBits(again.bestLoss()));
            assertEquals(1, j.runs().size(), "the same job: its run, not a new one");
            assertEquals(
                    "data/energies.csv",
                    ((Map<?, ?>) j.latestRun().orElseThrow().settings().get("job")).get("reference"));
        }
    }

    @Test
    void anObjectWithNoTextOfItsOwnIsRefusedNamingItsKey() {
        Fitter f = new Fitter(objective(1), Map.of("x", 0.3, "y", 1.1));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> f.jobSettings(Map.of("data", Map.of("files", List.of("a.csv", new Object())))));
        assertTrue(
                e.getMessage().startsWith("job setting 'data.files[1]' is a java.lang.Object with no text of its own"),
                e.getMessage());
        Map<String, Object> loop = new LinkedHashMap<>();
        loop.put("self", loop);
        IllegalArgumentException deep = assertThrows(IllegalArgumentException.class, () -> f.jobSettings(loop));
        assertTrue(deep.getMessage().contains("seems to hold itself"), deep.getMessage());
        // an object whose hash is its value's has the same text in every run of the JVM: taken
        f.jobSettings(Map.of("k", new ValueHashed()));
        // numbers, arrays of numbers, enums, NaN (stored as the text "NaN") are taken
        f.jobSettings(Map.of("x", new double[] {1, 2}, "k", java.time.DayOfWeek.MONDAY, "nan", Double.NaN));
    }

    @Test
    void jobSettingsTakeThePlaceOfTheWeightsAndMayDescribeThem() {
        Map<String, Object> job = Map.of("data", "energies.csv", "weights", List.of(1.0, 1.0));
        try (JournalReader j = JournalReader.open(dir)) {
            fitter(objective(1), j, 8).jobSettings(job).fit("Nelder-Mead");
            assertTrue(
                    !((Map<?, ?>) j.latestRun().orElseThrow().settings().get("fit")).containsKey("objective"),
                    "the job settings describe the job");
        }
        try (JournalReader j = JournalReader.open(dir)) {
            JournalMismatchException e = assertThrows(
                    JournalMismatchException.class,
                    () -> fitter(objective(3), j, 8)
                            .jobSettings(Map.of("data", "energies.csv", "weights", List.of(1.0, 3.0)))
                            .fit("Nelder-Mead"));
            assertEquals(List.of("changed job.weights[1]: 1.0 -> 3.0"), e.changes());
        }
    }

    /** No text of its own, but a hash of its value: its text is the same from one run to the next. */
    private static final class ValueHashed {
        @Override
        public int hashCode() {
            return 7;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ValueHashed;
        }
    }

    /** Job settings whose list reads once, then fails with an Error, as a broken collection might. */
    private static final class OnceThenBroken implements Iterable<Object> {
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public Iterator<Object> iterator() {
            if (reads.incrementAndGet() > 1) {
                throw new AssertionError("read twice");
            }
            return new ArrayList<Object>(List.of("a")).iterator();
        }
    }

    @Test
    void theJournalIsFreeForTheNextFitAfterAnErrorWhileItsRunIsBegun() {
        try (JournalReader j = JournalReader.open(dir)) {
            Fitter broken = fitter(objective(1), j, 8).jobSettings(Map.of("list", new OnceThenBroken()));
            AssertionError e = assertThrows(AssertionError.class, () -> broken.fit("Nelder-Mead"));
            assertEquals("read twice", e.getMessage());
            FitResult r = fitter(objective(1), j, 8)
                    .jobSettings(Map.of("list", List.of("a")))
                    .fit("Nelder-Mead");
            assertEquals(8, r.evaluations());
        }
    }
}
