package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The process launch mechanism that the chemfit command chooses, and the subcommand it builds alone. */
class MainTest {

    private final String before = System.getProperty(Main.LAUNCH_MECHANISM);

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(Main.LAUNCH_MECHANISM);
        } else {
            System.setProperty(Main.LAUNCH_MECHANISM, before);
        }
    }

    @Test
    void programsStartWithVforkOnLinuxUnlessTheUserChoseAMechanism() {
        System.clearProperty(Main.LAUNCH_MECHANISM);
        Main.useFastProcessLaunch();
        String expected =
                System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")
                                && Runtime.version().feature() < Main.VFORK_DEPRECATED
                        ? "VFORK"
                        : null;
        assertEquals(expected, System.getProperty(Main.LAUNCH_MECHANISM));

        System.setProperty(Main.LAUNCH_MECHANISM, "POSIX_SPAWN");
        Main.useFastProcessLaunch();
        assertEquals("POSIX_SPAWN", System.getProperty(Main.LAUNCH_MECHANISM));
    }

    /** Runs a command line as {@link Main#main} does, with its output captured. */
    static Cli.Run runAsMain(String... args) {
        CommandLine sub = Main.subcommand(args);
        assertNotNull(sub, "no subcommand built for " + Arrays.toString(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        sub.setOut(new PrintWriter(out, true));
        sub.setErr(new PrintWriter(err, true));
        int code = sub.execute(Arrays.copyOfRange(args, 1, args.length));
        return new Cli.Run(code, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"fit", "worker", "eval", "validate", "report", "dashboard"})
    void aSubcommandBuiltAlonePrintsWhatTheWholeTreePrints(String name) {
        for (List<String> args : List.of(
                List.of(name, "--help"),
                List.of(name),
                List.of(name, "--no-such-option", "job.yaml"),
                List.of(name, "no-such-file.yaml"))) {
            String[] a = args.toArray(String[]::new);
            Cli.Run alone = runAsMain(a);
            Cli.Run tree = Cli.run(a);
            assertEquals(tree.toString(), alone.toString(), String.join(" ", args));
        }
        Cli.Run help = runAsMain(name, "--help");
        assertEquals(0, help.code(), help.toString());
        assertTrue(help.out().startsWith("Usage: chemfit " + name + " "), help.toString());
        Cli.Run wrong = runAsMain(name, "--no-such-option", "job.yaml");
        assertEquals(ExitCodes.USAGE, wrong.code(), wrong.toString());
        assertTrue(wrong.err().contains("Unknown option: '--no-such-option'"), wrong.toString());
    }

    @Test
    void aSubcommandBuiltAloneEvaluatesAsTheWholeTreeDoes() {
        String job = ExamplesIT.examples().resolve("argon/fit.yaml").toString();
        Cli.Run alone = runAsMain("eval", job);
        // the same but for the seconds each term took
        String seconds = "\\d+\\.\\d+( +ok)";
        assertEquals(
                Cli.run("eval", job).toString().replaceAll(seconds, "t$1"),
                alone.toString().replaceAll(seconds, "t$1"));
        assertEquals(0, alone.code(), alone.toString());
        assertTrue(alone.out().contains("loss: 771.035 K^2\n"), alone.toString());
    }

    @Test
    void helpVersionAndMisspeltNamesGetTheWholeTree() {
        assertNull(Main.subcommand());
        assertNull(Main.subcommand("--help"));
        assertNull(Main.subcommand("-V"));
        assertNull(Main.subcommand("help", "fit"));
        assertNull(Main.subcommand("evl", "job.yaml"));
        assertNull(Main.subcommand("job.yaml", "eval"));
    }
}
