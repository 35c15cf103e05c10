package org.chemfit.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Java's standard output keeps quiet about a failed write ({@code > /dev/full}, a full disk): the
 * command says so, and does not exit 0 with its output cut short. A pipe whose reader has ended
 * ({@code chemfit report out | head -1}) is no failure: the reader has what it wanted, and the
 * command ends as it would have, without a word, as the shell's own tools do.
 *
 * <pre>{@code
 * int code = StandardOutput.checked(ExitCodes.OK, out, err, false);
 * }</pre>
 *
 * @implNote Stateless.
 */
final class StandardOutput {

    private StandardOutput() {}

    /**
     * @param code the command's exit code
     * @param out the command's writer of its standard output, or null when it wrote only to {@code System.out}
     * @param err where to say so
     * @param fit whether the command is a fit, whose files are written all the same
     * @return the same code, or {@link ExitCodes#USAGE} in place of {@link ExitCodes#OK} when what the
     *     command printed on its standard output could not all be written (and was said)
     */
    static int checked(int code, @Nullable PrintWriter out, PrintWriter err, boolean fit) {
        // both are flushed: the command's writer into the JVM's stream, and that stream into the file
        boolean writerFailed = out != null && out.checkError();
        boolean streamFailed = System.out.checkError();
        if (!writerFailed && !streamFailed || code != ExitCodes.OK) {
            // a command that failed has said why already, and keeps its own code
            return code;
        }
        // the file is this process's standard output only when the JVM's stream failed (a writer of its
        // own, as a program that runs the command in itself gives, is not)
        String target = streamFailed ? target() : null;
        if (target != null && target.startsWith("pipe:")) {
            return code;
        }
        err.println("error: the standard output of this command could not be written"
                + (target == null ? "" : " (to " + target + ")")
                + ": what it printed there is incomplete"
                + (fit ? " (the fit's files are written in its output folder)" : ""));
        err.flush();
        return ExitCodes.USAGE;
    }

    /**
     * @return the file the standard output goes to, as Linux names it ({@code /dev/full},
     *     {@code pipe:[1234]}); "a closed descriptor" when it was closed as the command began (the
     *     JVM then opens one of its own files there); null when it cannot be told
     */
    private static @Nullable String target() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
            String home = System.getProperty("java.home");
            return home != null && target.startsWith(home) ? "a closed descriptor" : target;
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }
}
