package org.chemfit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
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
        // Set.of iterates from a slot and in a direction chosen at each start of the JVM, and a
        // driver and its workers are separate JVMs (the temporary folder's name places the paths
        // in its table at random: they lie in sorted order about once in 2,500 runs)
        assertEquals(JobFingerprint.ofFiles(dir, sorted), JobFingerprint.ofFiles(dir, Set.copyOf(shuffled)));
        // a list, or a set with an order of its own, is hashed in the order given, as before
        assertNotEquals(JobFingerprint.ofFiles(dir, sorted), JobFingerprint.ofFiles(dir, shuffled));
        assertEquals(JobFingerprint.ofFiles(dir, shuffled), JobFingerprint.ofFiles(dir, new LinkedHashSet<>(shuffled)));
    }
}
