package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The program the tests of an interrupted external fit share. It takes a number for each run (a
 * folder made in {@code calls} of its folder); when the file {@code armed} there holds that
 * number, it writes {@code hang} and sleeps until it is killed; otherwise it reads x and y from
 * {@code params.sh} (rendered from {@code params.sh.tpl}, also written) and writes
 * {@code {"e": (x - 1.5)^2 + 3 (y + 0.5)^2}} to {@code out.json}.
 */
final class HangingProgram {

    private HangingProgram() {}

    /**
     * @param dir the folder of the job, of {@code calls}, {@code armed} and {@code hang}
     * @param name the program's file name
     * @throws IOException when a file cannot be written
     */
    static void write(Path dir, String name) throws IOException {
        Files.createDirectories(dir.resolve("calls"));
        Files.writeString(dir.resolve(name), """
                #!/bin/sh
                i=1
                while ! mkdir "%1$s/calls/$i" 2>/dev/null; do i=$((i + 1)); done
                if [ -e "%1$s/armed" ] && [ "$i" -eq "$(cat "%1$s/armed")" ]; then
                  touch "%1$s/hang"
                  exec sleep 600
                fi
                . ./params.sh
                awk -v x="$x" -v y="$y" 'BEGIN { printf "{\\"e\\": %%.17g}\\n", (x - 1.5) ^ 2 + 3 * (y + 0.5) ^ 2 }' > out.json
                """.formatted(dir.toAbsolutePath()));
        assertTrue(dir.resolve(name).toFile().setExecutable(true));
        Files.writeString(dir.resolve("params.sh.tpl"), "x={{ x }}\ny={{ y }}\n");
    }

    /**
     * @param name the job's name
     * @param command the term's command ({@code ./run.sh})
     * @param termLines more lines of the term, each indented as a term key ({@code "    weight: 2"}), or ""
     * @param optimizer the optimizer section as a YAML map
     * @return a job of one external term {@code ext} that runs the program with x and y from 0 and 1,
     *     on one worker, its output in {@code out}, without plots
     */
    static String job(String name, String command, String termLines, String optimizer) {
        return """
                name: %s
                parameters:
                  x: {initial: 0.0, bounds: [-5, 5]}
                  y: {initial: 1.0, bounds: [-5, 5]}
                terms:
                  - name: ext
                    kind: external
                    templates: {params.sh: params.sh.tpl}
                    command: %s
                    outputs: {e: {parser: json, file: out.json, path: /e}}
                    reference: {e: 0.0}
                %s
                optimizer: %s
                execution: {workers: 1}
                output: {folder: out, plots: false}
                """.formatted(name, command, termLines, optimizer);
    }
}
