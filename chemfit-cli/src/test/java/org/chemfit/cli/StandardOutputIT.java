package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A command whose standard output cannot be written ({@code > /dev/full}) says so and does not exit
 * 0, as Java's own streams would let it: a script must not take a report cut short for a whole one.
 * A pipe whose reader has ended ({@code | head -1}) is no failure.
 */
class StandardOutputIT {

    @TempDir
    Path tmp;

    /** Runs the built jar with its standard output sent where {@code redirection} says, in bash. */
    private String[] jar(String args, String redirection) throws Exception {
        Path jar = ExamplesIT.examples().getParent().resolve("chemfit-cli/target/chemfit.jar");
        assertTrue(Files.isRegularFile(jar), "no jar at " + jar + "; run mvn package first");
        String command = "'" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -jar '" + jar + "' " + args
                + " " + redirection;
        Path err = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(List.of("bash", "-c", command))
                .redirectError(err.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), command);
        return new String[] {Integer.toString(p.exitValue()), Files.readString(err, StandardCharsets.UTF_8)};
    }

    @Test
    void aFullDeviceAsStandardOutputIsAnErrorNamingIt() throws Exception {
        String job = "'" + ExamplesIT.examples().resolve("argon/fit.yaml") + "'";
        String[] ok = jar("validate " + job, "> /dev/null");
        assertEquals("0", ok[0], ok[1]);
        String[] full = jar("validate " + job, "> /dev/full");
        assertEquals(Integer.toString(ExitCodes.USAGE), full[0], full[1]);
        assertTrue(
                full[1].contains("error: the standard output of this command could not be written (to /dev/full):"
                        + " what it printed there is incomplete"),
                full[1]);
    }

    @Test
    void theHelpAndTheVersionIntoAFullDeviceAreErrorsToo() throws Exception {
        for (String args : List.of("--help", "--version", "fit --help")) {
            String[] full = jar(args, "> /dev/full");
            assertEquals(Integer.toString(ExitCodes.USAGE), full[0], args + ": " + full[1]);
            assertTrue(full[1].contains("could not be written (to /dev/full)"), args + ": " + full[1]);
        }
    }

    @Test
    void aPipeWhoseReaderHasEndedIsNoFailure() throws Exception {
        String job = "'" + ExamplesIT.examples().resolve("argon/fit.yaml") + "'";
        // the reader ends at once; the JVM writes its first line long after (it takes a tenth of a second to start)
        String[] piped = jar("validate " + job, "| true; exit ${PIPESTATUS[0]}");
        assertEquals("0", piped[0], piped[1]);
        assertFalse(piped[1].contains("could not be written"), piped[1]);
    }

    @Test
    void aCommandThatFailedKeepsItsOwnExitCode() throws IOException {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.tree();
        cl.setOut(new PrintWriter(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        }));
        cl.setErr(new PrintWriter(err, true));
        int fine = cl.execute(
                "validate", ExamplesIT.examples().resolve("argon/fit.yaml").toString());
        assertEquals(ExitCodes.USAGE, fine, err::toString);
        assertTrue(err.toString().contains("the standard output of this command could not be written"), err::toString);
        // a fit whose program fails ends with its own code, 3, not the 2 of its output
        Path job = ShellScriptJob.write(tmp, "exit 1\n", ShellScriptJob.JSON_E, "{e: 1.0}", 5, "");
        int failed = cl.execute("fit", job.toString(), "--progress", "none");
        assertEquals(ExitCodes.FIT_FAILED, failed, err::toString);
    }
}
