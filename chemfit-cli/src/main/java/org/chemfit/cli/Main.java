package org.chemfit.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
        cl.registerConverter(java.nio.file.Path.class, Main::path);
        if ("dumb".equals(System.getenv("TERM"))) {
            // a terminal that shows no colours or bold, which picocli's detection does not ask about
            cl.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        }
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
            String unknown = ex instanceof CommandLine.UnmatchedArgumentException
                            || ex instanceof CommandLine.MissingParameterException
                    ? firstUnknownOption(c.getCommandSpec(), args)
                    : null;
            String misspelt = misspeltCommand(ex);
            if (unknown != null) {
                // named alone: picocli calls the JOB after it unknown too (--wrkers 2 job.yaml), or,
                // when the option is all there is, says only that the JOB is missing
                err.println(unknownOption(c, unknown));
            } else if (misspelt != null) {
                // chemfit fti job.yaml, chemfit help evl: a command name misspelt, not an argument of one
                String typed = misspelt;
                java.util.List<String> names =
                        new java.util.ArrayList<>(c.getSubcommands().keySet());
                names.remove("help");
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
     * @return the command name that {@code chemfit NAME} or {@code chemfit help NAME} gave and no
     *     command has, or null when the error is another
     */
    private static @Nullable String misspeltCommand(CommandLine.ParameterException ex) {
        CommandLine c = ex.getCommandLine();
        if (c.getParent() != null || c.getSubcommands().isEmpty()) {
            return null;
        }
        if (ex instanceof CommandLine.UnmatchedArgumentException u
                && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().get(0).startsWith("-")) {
            return u.getUnmatched().get(0);
        }
        // picocli's help command names the root in its error and gives the word as the value
        String value = ex.getValue();
        return value != null
                        && !(ex instanceof CommandLine.UnmatchedArgumentException)
                        && String.valueOf(ex.getMessage()).startsWith("Unknown subcommand '")
                ? value
                : null;
    }

    /**
     * Reads a path given on the command line. An empty one is refused: picocli's own reading makes
     * it the current folder, so that {@code -o "$OUT"} with OUT unset would write into (or resume)
     * whatever fit is there.
     *
     * @param text the argument
     * @return its path
     * @throws CommandLine.TypeConversionException for an empty argument, or one that is no path here
     */
    static java.nio.file.Path path(String text) {
        if (text.equals("-")) {
            // not standard input or output here: the name would be taken as a file's
            throw new CommandLine.TypeConversionException(
                    "'-' is not standard input or output here; give a path (./- for a file of that name;"
                            + " /dev/stdout where a file is written)");
        }
        if (text.isEmpty()) {
            throw new CommandLine.TypeConversionException(
                    "an empty path (an unset shell variable gives one); give a path ('.' for the current folder)");
        }
        try {
            return java.nio.file.Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is no path on this system ("
                    + e.getReason() + ")"
                    + (text.chars().anyMatch(ch -> ch > 127)
                            ? "; a name with letters beyond ASCII needs a UTF-8 locale, as LC_ALL=C.UTF-8 gives"
                            : ""));
        }
    }

    /**
     * @param spec the command whose options are known
     * @param args its command line (a subcommand's name before them is passed over)
     * @return the first argument before {@code --} that is written as an option and is none of the
     *     command's, with its value if it has one ({@code --wrkers}); null when there is none. A
     *     known option's value is passed over, as are clustered short options ({@code -qv}), a short
     *     option with its value attached ({@code -o/tmp/out}) and a negative number
     */
    static @Nullable String firstUnknownOption(CommandLine.Model.CommandSpec spec, String[] args) {
        boolean valueNext = false;
        for (String a : args) {
            if (valueNext) {
                valueNext = false;
                continue;
            }
            if (a.equals("--")) {
                return null;
            }
            if (!a.startsWith("-") || a.equals("-") || a.matches("-[0-9.].*")) {
                continue;
            }
            int eq = a.indexOf('=');
            String name = eq > 0 ? a.substring(0, eq) : a;
            CommandLine.Model.OptionSpec o = spec.findOption(name);
            if (o != null) {
                valueNext = eq < 0 && o.arity().min() > 0;
                continue;
            }
            if (!a.startsWith("--") && a.length() > 2 && spec.findOption(a.substring(0, 2)) != null) {
                continue;
            }
            return name;
        }
        return null;
    }

    /**
     * @param c the command
     * @param unknown an option it does not have
     * @return {@code Unknown option: '--wrkers' (did you mean '--workers'?)}; for the name of a file
     *     that begins with '-', how to give it
     */
    static String unknownOption(CommandLine c, String unknown) {
        List<String> names = new ArrayList<>();
        for (CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
            if (!o.hidden()) {
                names.addAll(Arrays.asList(o.names()));
            }
        }
        // a long option's near name: one letter from any short option is no hint (-x is not -h)
        List<String> longNames = names.stream().filter(n -> n.startsWith("--")).toList();
        String near = unknown.startsWith("--") ? org.chemfit.support.Names.closest(unknown, longNames) : null;
        if (near == null && unknown.startsWith("--")) {
            // a long option cut short (--max-evals): the one that shares all of it but its last letter
            String stem = unknown.substring(0, unknown.length() - 1);
            List<String> begun =
                    longNames.stream().filter(n -> n.startsWith(stem)).toList();
            near = stem.length() > 4 && begun.size() == 1 ? begun.get(0) : null;
        }
        boolean isFile;
        try {
            isFile = java.nio.file.Files.exists(java.nio.file.Path.of(unknown));
        } catch (RuntimeException e) {
            isFile = false; // no path on this file system
        }
        String file = isFile
                ? "; a file whose name begins with '-' is given after '--': "
                        + c.getCommandSpec().qualifiedName() + " -- " + unknown
                : "";
        return "Unknown option: '" + unknown + "'" + (near != null ? " (did you mean '" + near + "'?)" : "") + file;
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
