package org.chemfit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobFingerprintFilesTest {

    @Test
    void filesGivenAsASetAreHashedInTheOrderOfTheirPathsSoEveryJvmAgrees(@TempDir Path dir) throws Exception {
        List<Path> shuffled = new ArrayList<>();
        for (String n : List.of("h", "c", "f", "a", "g", "b", "e", "d")) {
            Path f = dir.resolve(n + ".dat");
            Files.writeString(f, "data of " + n);
            shuffled.add(f);
        }
        List<Path> sorted = new ArrayList<>(shuffled);
        sorted.sort(null);
        // Set.of salts its order at each start of the JVM, and a driver and its workers are
        // separate JVMs: eight files fall in sorted order by chance once in 40,320 starts
        assertEquals(JobFingerprint.ofFiles(dir, sorted), JobFingerprint.ofFiles(dir, Set.copyOf(shuffled)));
        // a list is hashed in the order given, as before
        assertNotEquals(JobFingerprint.ofFiles(dir, sorted), JobFingerprint.ofFiles(dir, shuffled));
    }
}
