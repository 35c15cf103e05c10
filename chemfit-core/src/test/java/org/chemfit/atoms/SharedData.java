package org.chemfit.atoms;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/** Finds the shared reference data by walking up from the working directory to a shared/data folder. */
final class SharedData {

    private SharedData() {
    }

    static Path folder(String name) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("shared").resolve("data").resolve(name);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        return fail("no shared/data/" + name + " folder above " + Path.of("").toAbsolutePath()
                + "; the reference data must sit in shared/ beside the project");
    }
}
