package org.chemfit.external;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One program run of an external term: an argument list (never a shell, unless made with
 * {@link #shell(String)}), an optional timeout and environment additions.
 *
 * <pre>{@code
 * Command lmp = Command.of("lmp", "-in", "in.lammps", "-log", "log.lammps")
 *         .timeout(Duration.ofMinutes(10))
 *         .env("OMP_NUM_THREADS", "1");
 * Command piped = Command.shell("grep Energy out.txt > energy.txt"); // runs /bin/sh -c
 * Command energy = Command.of("gmx", "energy", "-f", "md.edr", "-o", "energy.xvg")
 *         .stdin(StandardInput.text("Potential\nDensity\n\n"));           // answers its prompt
 * }</pre>
 *
 * <p>Failures: the factories and withers throw {@link IllegalArgumentException} for an empty
 * argument list, a null or empty argument, or a timeout that is not positive.
 *
 * @implNote Immutable and thread-safe; withers return a copy.
 */
public final class Command {

    private final List<String> arguments;
    private final boolean shell;
    private final @Nullable Duration timeout;
    private final Map<String, String> env;
    private final @Nullable StandardInput stdin;

    private Command(List<String> arguments, boolean shell, @Nullable Duration timeout, Map<String, String> env) {
        this(arguments, shell, timeout, env, null);
    }

    private Command(
            List<String> arguments,
            boolean shell,
            @Nullable Duration timeout,
            Map<String, String> env,
            @Nullable StandardInput stdin) {
        this.arguments = arguments;
        this.shell = shell;
        this.timeout = timeout;
        this.env = env;
        this.stdin = stdin;
    }

    /**
     * @param arguments the program and its arguments
     * @return the command
     * @throws IllegalArgumentException when there are no arguments or one is null or empty
     */
    public static Command of(String... arguments) {
        // Arrays.asList, not List.of: a null element must reach the check below and be named
        return of(java.util.Arrays.asList(Objects.requireNonNull(arguments, "arguments")));
    }

    /**
     * @param arguments the program and its arguments
     * @return the command
     * @throws IllegalArgumentException when there are no arguments or one is null or empty
     */
    public static Command of(List<String> arguments) {
        Objects.requireNonNull(arguments, "arguments");
        if (arguments.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least a program name, got an empty argument list");
        }
        for (int i = 0; i < arguments.size(); i++) {
            String a = arguments.get(i);
            if (a == null || (i == 0 && a.isBlank())) {
                throw new IllegalArgumentException("argument " + i + " of command " + quoted(arguments) + " is "
                        + (a == null ? "null" : "empty: it must name the program"));
            }
        }
        return new Command(List.copyOf(arguments), false, null, Map.of());
    }

    private static String quoted(List<String> arguments) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < arguments.size(); i++) {
            String a = arguments.get(i);
            sb.append(i == 0 ? "" : ", ").append(a == null ? "null" : "'" + a + "'");
        }
        return sb.append(']').toString();
    }

    /**
     * A command run by {@code /bin/sh -c script}, for pipes and redirections. Only when asked.
     *
     * @param script the shell script
     * @return the command
     * @throws IllegalArgumentException when the script is blank
     */
    public static Command shell(String script) {
        if (script == null || script.isBlank()) {
            throw new IllegalArgumentException("a shell command needs a script, got an empty one");
        }
        return new Command(List.of("/bin/sh", "-c", script), true, null, Map.of());
    }

    /**
     * @param limit how long the program may run before its whole process tree is killed
     * @return a copy with that timeout
     * @throws IllegalArgumentException when the limit is zero or negative
     */
    public Command timeout(Duration limit) {
        Objects.requireNonNull(limit, "limit");
        if (limit.isZero() || limit.isNegative()) {
            throw new IllegalArgumentException("a command timeout must be positive, got " + limit);
        }
        return new Command(arguments, shell, limit, env, stdin);
    }

    /**
     * @param name an environment variable
     * @param value its value for this command
     * @return a copy with that variable added
     * @throws IllegalArgumentException for an empty name or one containing '='
     */
    public Command env(String name, String value) {
        checkEnv(name, value);
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put(name, value);
        return new Command(arguments, shell, timeout, Collections.unmodifiableMap(e), stdin);
    }

    /**
     * @param input what the program reads on its standard input (default: nothing, {@code /dev/null})
     * @return a copy with that standard input
     */
    public Command stdin(StandardInput input) {
        return new Command(arguments, shell, timeout, env, Objects.requireNonNull(input, "input"));
    }

    /** @return the standard input, or null when the program reads {@code /dev/null} */
    @Nullable
    StandardInput stdinOrNull() {
        return stdin;
    }

    static void checkEnv(String name, String value) {
        if (name == null || name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(
                    "environment variable name must be non-empty without '=', got '" + name + "'");
        }
        Objects.requireNonNull(value, () -> "value of environment variable " + name);
    }

    /** @return the program and its arguments ({@code /bin/sh -c script} for a shell command) */
    List<String> arguments() {
        return arguments;
    }

    /** @return whether this command runs through {@code /bin/sh} */
    boolean isShell() {
        return shell;
    }

    /** @return the timeout, or null when the command's computer default applies */
    @Nullable
    Duration timeoutOrNull() {
        return timeout;
    }

    /** @return the environment additions of this command */
    public Map<String, String> env() {
        return env;
    }

    /**
     * @param launcher a launcher prefix such as {@code srun -n 4}, may be empty
     * @return the full argument list with the launcher in front
     */
    List<String> withLauncher(List<String> launcher) {
        if (launcher.isEmpty()) {
            return arguments;
        }
        List<String> all = new ArrayList<>(launcher.size() + arguments.size());
        all.addAll(launcher);
        all.addAll(arguments);
        return all;
    }

    @Override
    public String toString() {
        return shell ? "sh -c '" + arguments.get(2) + "'" : String.join(" ", arguments);
    }
}
