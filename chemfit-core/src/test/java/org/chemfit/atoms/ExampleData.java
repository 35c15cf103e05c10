package org.chemfit.atoms;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the reference data of an example inside the repository ({@code examples/NAME/data}), by
 * walking up from the working directory (a module folder under Maven) to the repository root.
 */
final class ExampleData {

    private ExampleData() {}

    static Path example(String name) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("examples").resolve(name).resolve("data");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        return fail("no examples/" + name + "/data folder above " + Path.of("").toAbsolutePath()
                + "; the repository's examples hold the reference data of the tests");
    }
}
