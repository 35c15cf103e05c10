package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.chemfit.testfixtures.MachineRequirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress bar is drawn on standard error when that is a terminal, whatever standard output is:
 * {@code chemfit fit job.yaml 2>fit.log} from a terminal logs lines into the file, and {@code chemfit fit
 * job.yaml >out.txt} draws the bar on the terminal. A real pseudo-terminal is the terminal
 * ({@code script} of util-linux).
 */
class ProgressTerminalIT {

    @TempDir
    Path tmp;

    /** Runs the built jar's {@code fit} of the argon example under a pseudo-terminal, with a redirection. */
    private String underTerminal(String output, String redirection) throws Exception {
        Path script = Path.of("/usr/bin/script");
        MachineRequirement.require(
                Files.isExecutable(script), "no /usr/bin/script to give the command a terminal (util-linux has it)");
        Path jar = ExamplesIT.examples().getParent().resolve("chemfit-cli/target/chemfit.jar");
        assertTrue(Files.isRegularFile(jar), "no jar at " + jar + "; run mvn package first");
        String command = "'" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -jar '" + jar + "' fit '"
                + ExamplesIT.examples().resolve("argon/fit.yaml") + "' --output '" + tmp.resolve(output) + "' "
                + redirection;
        Path terminal = tmp.resolve(output + ".terminal");
        Process p = new ProcessBuilder(List.of(script.toString(), "-qec", command, "/dev/null"))
                .redirectErrorStream(true)
                .redirectOutput(terminal.toFile())
                .start();
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), command);
        String shown = Files.readString(terminal, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), shown);
        return shown;
    }

    /**
     * On a terminal the help is drawn in bold and colours; on one that says it shows none
     * ({@code TERM=dumb}) it is plain text.
     */
    @Test
    void theHelpOnADumbTerminalIsPlainText() throws Exception {
        Path script = Path.of("/usr/bin/script");
        MachineRequirement.require(
                Files.isExecutable(script), "no /usr/bin/script to give the command a terminal (util-linux has it)");
        Path jar = ExamplesIT.examples().getParent().resolve("chemfit-cli/target/chemfit.jar");
        String help = "'" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -jar '" + jar + "' --help";
        java.util.Map<String, String> shown = new java.util.LinkedHashMap<>();
        for (String term : List.of("xterm", "dumb")) {
            ProcessBuilder pb =
                    new ProcessBuilder(List.of(script.toString(), "-qec", help, "/dev/null")).redirectErrorStream(true);
            pb.environment().put("TERM", term);
            pb.environment().remove("NO_COLOR");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(1, TimeUnit.MINUTES), help);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("Usage: "), out);
            shown.put(term, out);
        }
        assertTrue(shown.get("xterm").contains("\u001b["), shown.get("xterm"));
        assertFalse(shown.get("dumb").contains("\u001b"), shown.get("dumb"));
    }

    @Test
    void standardErrorRedirectedToAFileGetsLinesNotTheBar() throws Exception {
        Path log = tmp.resolve("fit.log");
        String terminal = underTerminal("err", "2>'" + log + "'");
        String logged = Files.readString(log, StandardCharsets.UTF_8);
        assertFalse(logged.contains("\r"), logged);
        assertTrue(logged.contains("\nprogress of argon-lj: "), logged);
        assertTrue(terminal.contains("argon-lj: done (converged)"), terminal);
    }

    @Test
    void standardOutputRedirectedToAFileLeavesTheBarOnTheTerminal() throws Exception {
        Path out = tmp.resolve("out.txt");
        String terminal = underTerminal("out", ">'" + out + "'");
        assertTrue(terminal.matches("(?s).*\r\\[#+-*\\].*"), terminal);
        String written = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(written.contains("argon-lj: done (converged)"), written);
        assertFalse(written.contains("\r"), written);
    }
}
