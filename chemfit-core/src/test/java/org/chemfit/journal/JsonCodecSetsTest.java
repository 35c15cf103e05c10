package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.DayOfWeek;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonCodecSetsTest {

    private static final List<String> SHUFFLED = List.of("h", "c", "f", "a", "g", "b", "e", "q");

    @Test
    void aSetOfSetOfIsWrittenSortedSoThatAJobHashesTheSameInEveryRun() {
        // Set.of iterates from a slot and in a direction chosen at each start of the JVM: these
        // elements lie in its table so that no start iterates them sorted (q between a and b), so
        // this fails without the sort in every run
        assertEquals(
                "{\"species\":[\"a\",\"b\",\"c\",\"e\",\"f\",\"g\",\"h\",\"q\"]}",
                JsonCodec.write(Map.of("species", Set.copyOf(SHUFFLED))));
    }

    @Test
    void aHashSetOfEnumsIsWrittenSortedAndAnEnumSetInItsOwnOrder() {
        // enums hash by identity: a HashSet of them has another order in each run (the seven days
        // fall in sorted order by chance about once in 5,000 runs)
        assertEquals(
                "[\"FRIDAY\",\"MONDAY\",\"SATURDAY\",\"SUNDAY\",\"THURSDAY\",\"TUESDAY\",\"WEDNESDAY\"]",
                JsonCodec.write(new HashSet<>(EnumSet.allOf(DayOfWeek.class))));
        assertEquals(
                "[\"MONDAY\",\"TUESDAY\",\"WEDNESDAY\",\"THURSDAY\",\"FRIDAY\",\"SATURDAY\",\"SUNDAY\"]",
                JsonCodec.write(EnumSet.allOf(DayOfWeek.class)));
    }

    @Test
    void listsAndOrderedSetsKeepTheirOrder() {
        String given = "[\"h\",\"c\",\"f\",\"a\",\"g\",\"b\",\"e\",\"q\"]";
        assertEquals(given, JsonCodec.write(SHUFFLED));
        assertEquals(given, JsonCodec.write(new LinkedHashSet<>(SHUFFLED)));
    }
}
