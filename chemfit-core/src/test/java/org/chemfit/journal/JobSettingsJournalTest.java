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

    /**
     * An array of any kind is stored as the list of its elements (a char one as one-letter
     * strings), as the javadoc says: the same job as that list, whose run it resumes.
     */
    @Test
    void anArrayOfAnyKindIsStoredAsAList() {
        Map<String, Object> arrays = new LinkedHashMap<>();
        arrays.put("f", new float[] {1.5f, 0.25f});
        arrays.put("s", new short[] {1, -2});
        arrays.put("b", new byte[] {3});
        arrays.put("c", new char[] {'a', 'b'});
        arrays.put("z", new boolean[] {true, false});
        arrays.put("d", new double[] {0.1, 2});
        arrays.put("i", new int[] {4});
        arrays.put("l", new long[] {5L});
        arrays.put("o", new Object[] {"x", null, 6});
        Map<String, Object> lists = new LinkedHashMap<>();
        lists.put("f", List.of(1.5, 0.25));
        lists.put("s", List.of(1, -2));
        lists.put("b", List.of(3));
        lists.put("c", List.of("a", "b"));
        lists.put("z", List.of(true, false));
        lists.put("d", List.of(0.1, 2.0));
        lists.put("i", List.of(4));
        lists.put("l", List.of(5)); // read back as the JSON number 5
        lists.put("o", java.util.Arrays.asList("x", null, 6));
        try (JournalReader j = JournalReader.open(dir)) {
            fitter(objective(1), j, 8).jobSettings(arrays).fit("Nelder-Mead");
            assertEquals(lists, j.latestRun().orElseThrow().settings().get("job"));
        }
        try (JournalReader j = JournalReader.open(dir)) {
            FitResult again = fitter(objective(1), j, 8).jobSettings(lists).fit("Nelder-Mead");
            assertEquals(8, again.evaluations());
            assertEquals(1, j.runs().size(), "the same job: its run, not a new one");
        }
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
