package org.chemfit.cli;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The entry point of the {@code chemfit} command.
 *
 * <pre>{@code
 * java -jar chemfit.jar fit examples/argon/fit.yaml
 * }</pre>
 *
 * @implNote Stateless.
 */
public final class Main {

    private Main() {}

    /** The JDK's system property that chooses how child processes are started on Linux. */
    static final String LAUNCH_MECHANISM = "jdk.lang.Process.launchMechanism";

    /**
     * @param args the command line
     */
    public static void main(String[] args) {
        useFastProcessLaunch();
        CommandLine sub = subcommand(args);
        int code = sub != null ? sub.execute(Arrays.copyOfRange(args, 1, args.length)) : tree().execute(args);
        // --help and --version, which picocli prints before any command runs, are checked here
        code = StandardOutput.checked(
                code,
                null,
                new java.io.PrintWriter(
                        new java.io.OutputStreamWriter(System.err, java.nio.charset.Charset.defaultCharset()), true),
                false);
        System.exit(Interrupts.exitCode(code));
    }

    /** @return the whole command tree, configured as {@link #configure} says */
    static CommandLine tree() {
        return configure(new CommandLine(new ChemFitCommand()));
    }

    /**
     * A command line that was typed wrong (an unknown option, a missing JOB, a value that is not a
     * number) gets its one-line error, picocli's "did you mean", and where the options are listed,
     * rather than the whole help below the error, which buries it.
     *
     * @param cl a command line
     * @return the same command line
     */
    static CommandLine configure(CommandLine cl) {
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            java.io.PrintWriter err = c.getErr();
            String port = unreadPort(ex, args);
            if (port != null) {
                // --dashboard=abc: picocli would call "abc" an unmatched argument, far from its cause
                err.println("error: the dashboard's port must be a whole number, 0 (any free port) to 65535, got '"
                        + port + "' (--dashboard=" + port + ")");
                err.flush();
                return ExitCodes.USAGE;
            }
            if (ex instanceof CommandLine.UnmatchedArgumentException u
                    && c.getParent() == null
                    && !c.getSubcommands().isEmpty()
                    && !u.getUnmatched().isEmpty()
                    && !u.getUnmatched().get(0).startsWith("-")) {
                // chemfit fti job.yaml: a command name misspelt, not an argument of one
                java.util.List<String> names =
                        new java.util.ArrayList<>(c.getSubcommands().keySet());
                names.remove("help");
                String typed = u.getUnmatched().get(0);
                err.println("unknown command '" + typed + "'; commands: " + String.join(", ", names));
                // the command's own rule of near names ('fti' is 'fit'); picocli's would name one for any word
                String near = org.chemfit.support.Names.closest(typed, names);
                if (near != null) {
                    err.println("Did you mean: " + c.getCommandSpec().qualifiedName() + " " + near + "?");
                }
            } else {
                err.println(ex.getMessage());
                CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            }
            err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for the options.");
            err.flush();
            return ExitCodes.USAGE;
        });
        return cl;
    }

    /**
     * @param ex a command line's error
     * @param args the command line
     * @return the value of a {@code --dashboard=VALUE} that is not a number, when that value is what
     *     the error calls unmatched (the port is optional, so a value that is not one is left over)
     */
    static @Nullable String unreadPort(CommandLine.ParameterException ex, String[] args) {
        if (!(ex instanceof CommandLine.UnmatchedArgumentException u)
                || u.getUnmatched().isEmpty()) {
            return null;
        }
        String value = u.getUnmatched().get(0);
        return Arrays.asList(args).contains("--dashboard=" + value) ? value : null;
    }

    /**
     * Builds only the subcommand that the command line names: picocli reads the annotations of
     * every command it is given by reflection, and building all of them costs about a third of its
     * share of the start-up (docs/benchmarks.md, "Start-up"). The subcommand gets the name it has in
     * the whole tree ({@code chemfit eval}), so that its help, its messages and its exit codes are
     * the same. {@code --help}, {@code help fit} and a misspelt name need the whole tree.
     *
     * @param args the command line
     * @return the subcommand that the first argument names, on its own, to execute with the rest of
     *     the arguments; null when the first argument is not a subcommand's name
     */
    static @Nullable CommandLine subcommand(String... args) {
        if (args.length == 0) {
            return null;
        }
        Command root = ChemFitCommand.class.getAnnotation(Command.class);
        for (Class<?> c : root.subcommands()) {
            Command command = c.getAnnotation(Command.class);
            if (c != CommandLine.HelpCommand.class
                    && command != null
                    && command.name().equals(args[0])) {
                CommandLine cl = new CommandLine(c);
                cl.setCommandName(root.name() + " " + command.name());
                return configure(cl);
            }
        }
        return null;
    }

    /** The Java release that deprecates the {@code VFORK} launch mechanism. */
    static final int VFORK_DEPRECATED = 23;

    /**
     * Starts external programs with {@code vfork} on Linux unless the user chose a mechanism
     * ({@code -Djdk.lang.Process.launchMechanism=...}): the JDK's default there goes through a
     * helper program ({@code jspawnhelper}) and costs about 1 ms more per program started, which a
     * fit of many short external runs pays thousands of times (docs/benchmarks.md, "External
     * terms"). The property is read once, when the first process starts, so it is set before
     * anything else runs. Not from Java 23 on, which deprecates the mechanism and says so on
     * standard error at each start of the JVM; those keep their default.
     */
    static void useFastProcessLaunch() {
        if (System.getProperty(LAUNCH_MECHANISM) == null
                && Runtime.version().feature() < VFORK_DEPRECATED
                && System.getProperty("os.name", "")
                        .toLowerCase(java.util.Locale.ROOT)
                        .contains("linux")) {
            System.setProperty(LAUNCH_MECHANISM, "VFORK");
        }
    }
}
