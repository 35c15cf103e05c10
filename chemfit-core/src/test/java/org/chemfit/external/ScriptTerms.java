package org.chemfit.external;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/** Terms of the tests that run a shell script of their own. */
final class ScriptTerms {

    private ScriptTerms() {}

    /**
     * Writes the script as {@code sim.sh} in root.
     *
     * @param root the test's folder; the run directories go to its {@code runs}
     * @param script the script's lines, after {@code #!/bin/sh}
     * @param grace the time between SIGTERM and SIGKILL for what it leaves running
     * @return a term named 't' that runs it and reads 'e' from out.json
     */
    static FileBasedQuantityComputer.Builder running(Path root, String script, Duration grace) throws Exception {
        Path file = root.resolve("sim.sh");
        Files.writeString(file, "#!/bin/sh\n" + script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return FileBasedQuantityComputer.builder()
                .name("t")
                .workDirectory(root.resolve("runs"))
                .command(file.toString())
                .killGrace(grace)
                .output(OutputParsers.json("e", "out.json", "e"));
    }
}
