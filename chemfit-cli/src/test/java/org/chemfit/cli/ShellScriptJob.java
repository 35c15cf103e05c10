package org.chemfit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The job the tests of a failing program share: one external term {@code t} whose program is a
 * shell script, fitted with Nelder-Mead over one parameter {@code a}, no plots, its output in
 * {@code out}.
 */
final class ShellScriptJob {

    private ShellScriptJob() {}

    /**
     * Writes {@code sim.sh} (the script after {@code #!/bin/sh}, executable) and {@code fit.yaml}.
     *
     * @param dir the job's folder
     * @param script the script's lines
     * @param output the term's one output, as a YAML entry ({@code e: {parser: json, file:
     *     out.json, path: e}})
     * @param reference the term's reference, as a YAML map ({@code {e: 1.0}})
     * @param evaluations the optimizer's budget
     * @param more further top-level YAML ({@code execution: {retries: 2}}), or ""
     * @return the job file
     * @throws IOException when a file cannot be written
     */
    static Path write(Path dir, String script, String output, String reference, int evaluations, String more)
            throws IOException {
        Path sim = dir.resolve("sim.sh");
        Files.writeString(sim, "#!/bin/sh\n" + script);
        Files.setPosixFilePermissions(sim, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path job = dir.resolve("fit.yaml");
        Files.writeString(job, """
                name: shape
                parameters:
                  a: {initial: 1.0, bounds: [0, 2]}
                terms:
                  - name: t
                    kind: external
                    command: [./sim.sh]
                    outputs:
                      %s
                    reference: %s
                optimizer: {method: Nelder-Mead, max_evaluations: %d}
                output: {folder: out, plots: false}
                %s
                """.formatted(output, reference, evaluations, more));
        return job;
    }

    /** The output most of these tests read: {@code e} from {@code out.json}. */
    static final String JSON_E = "e: {parser: json, file: out.json, path: e}";
}
