package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fit interrupted by Ctrl-C whose results.json cannot be written still says that the same
 * command resumes it: the journal holds what finished, whatever became of results.json. The
 * {@link HangingProgram} is the program, stopped in its second run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InterruptedResultsNotWrittenTest {

    @TempDir
    Path tmp;

    @Test
    void anInterruptedFitWhoseResultsCannotBeWrittenStillSaysHowToResume() throws Exception {
        HangingProgram.write(tmp, "a.sh");
        Files.writeString(tmp.resolve("fit.yaml"), """
                name: cut
                parameters:
                  x: {initial: 0.0, bounds: [-5, 5]}
                  y: {initial: 1.0, bounds: [-5, 5]}
                terms:
                  - name: a
                    kind: external
                    templates: {params.sh: params.sh.tpl}
                    command: ./a.sh
                    outputs: {e: {parser: json, file: out.json, path: /e}}
                    reference: {e: 0.0}
                optimizer: {method: Nelder-Mead, max_evaluations: 30}
                execution: {workers: 1}
                output: {folder: out, plots: false}
                """);
        // the first evaluation finishes; the second run of the program hangs until it is killed
        Files.writeString(tmp.resolve("armed"), "2");
        // results.json is written aside first: a folder there makes that write fail, even for root
        Files.createDirectories(tmp.resolve("out/results.json.tmp/x"));
        String job = tmp.resolve("fit.yaml").toString();
        AtomicReference<Cli.Run> run = new AtomicReference<>();
        Thread fit = new Thread(() -> run.set(Cli.run("fit", job, "--progress", "none")));
        fit.start();
        while (!Files.exists(tmp.resolve("hang"))) {
            assertTrue(fit.isAlive(), () -> "the fit ended before run 2: " + run.get());
            Thread.sleep(20);
        }
        fit.interrupt(); // Ctrl-C
        fit.join();
        Cli.Run r = run.get();
        assertNotNull(r);
        assertEquals(ExitCodes.USAGE, r.code(), r::toString);
        assertTrue(r.out().contains("run the same command to resume: 1 evaluation is in the journal\n"), r::toString);
        assertTrue(r.err().contains("error: cannot write " + tmp.resolve("out/results.json") + ": "), r::toString);
        assertTrue(Files.isDirectory(tmp.resolve("out/results.json.tmp")), r::toString);

        // the folder out of the way, the same command resumes: the evaluation recorded is replayed
        Files.delete(tmp.resolve("out/results.json.tmp/x"));
        Files.delete(tmp.resolve("out/results.json.tmp"));
        Files.delete(tmp.resolve("armed"));
        Cli.Run again = Cli.run("fit", job, "--progress", "none");
        assertEquals(ExitCodes.OK, again.code(), again::toString);
        assertTrue(
                again.err().contains("resuming run 1 of the journal (1 evaluation recorded, attempt 2)"),
                again::toString);
    }
}
