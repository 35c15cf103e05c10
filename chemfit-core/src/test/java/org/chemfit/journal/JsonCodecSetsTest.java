package org.chemfit.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonCodecSetsTest {

    private static final List<String> SHUFFLED = List.of("h", "c", "f", "a", "g", "b", "e", "d");

    @Test
    void aSetWithoutAnOrderOfItsOwnIsWrittenSortedSoAJobHashesTheSameInEveryRun() {
        // Set.of salts its order at each start of the JVM: eight elements fall in sorted order by
        // chance once in 40,320 starts, so this fails without the sort
        String json = JsonCodec.write(Map.of("species", Set.copyOf(SHUFFLED)));
        assertEquals("{\"species\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\"]}", json);
        assertEquals(
                JsonCodec.sha256(JsonCodec.canonical(JsonCodec.readMap(json))),
                JsonCodec.sha256(JsonCodec.canonical(
                        JsonCodec.readMap("{\"species\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\"]}"))));
    }

    @Test
    void listsAndOrderedSetsKeepTheirOrder() {
        assertEquals("[\"h\",\"c\",\"f\",\"a\",\"g\",\"b\",\"e\",\"d\"]", JsonCodec.write(SHUFFLED));
        assertEquals(
                "[\"h\",\"c\",\"f\",\"a\",\"g\",\"b\",\"e\",\"d\"]", JsonCodec.write(new LinkedHashSet<>(SHUFFLED)));
    }
}
