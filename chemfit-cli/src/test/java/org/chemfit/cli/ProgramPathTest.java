package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A command's program given as a path is found beside the job file, and named without a "./" in it. */
class ProgramPathTest {

    @TempDir
    Path dir;

    @Test
    void aPathFromTheJobsFolderIsFoundAndNamedPlainly() throws IOException {
        Path script = Files.createDirectories(dir.resolve("scripts")).resolve("model.sh");
        Files.writeString(script, "#!/bin/sh\necho 1\n");
        assertEquals(true, script.toFile().setExecutable(true));
        assertEquals(script, ExternalTerms.findProgram("./scripts/model.sh", dir));
        assertEquals(script, ExternalTerms.findProgram("scripts/model.sh", dir));
        assertEquals(
                dir.resolve("scripts/../scripts/model.sh"),
                ExternalTerms.findProgram("scripts/../scripts/model.sh", dir),
                "a '..' is left to the file system");
        assertNull(ExternalTerms.findProgram("./scripts/missing.sh", dir));
    }
}
