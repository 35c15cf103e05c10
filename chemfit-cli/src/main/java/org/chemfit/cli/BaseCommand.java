package org.chemfit.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.Callable;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.journal.JournalException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What every subcommand shares: the quiet and verbose switches, the command's own writers, and
 * the mapping of failures to exit codes, so that a user error is one clear message and never a
 * stack trace.
 *
 * @implNote One instance per command line; not thread-safe.
 */
abstract class BaseCommand implements Callable<Integer> {

    /** The level of Hazelcast's loggers in slf4j-simple: {@code error} unless {@code --verbose}. */
    static final String HAZELCAST_LOG_LEVEL = "org.slf4j.simpleLogger.log.com.hazelcast";

    /** The level of the fit loop's logger (org.chemfit.fit), whose warnings the command prints in its own words. */
    static final String FIT_LOG_LEVEL = "org.slf4j.simpleLogger.log.org.chemfit.fit";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help message and exit.")
    boolean help;

    @Option(
            names = {"-q", "--quiet"},
            description = "Print only errors and the final results.")
    boolean quiet;

    @Option(
            names = {"-v", "--verbose"},
            description = "Print more: the library's log and stack traces of internal errors.")
    boolean verbose;

    /** @return the command's standard output */
    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** @return the command's standard error */
    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    @Override
    public final Integer call() {
        int code = run();
        return StandardOutput.checked(code, out(), err(), this instanceof FitCommand);
    }

    private int run() {
        if (quiet && verbose) {
            err().println("error: -q (--quiet) and -v (--verbose) ask for opposite things; give one of them");
            return ExitCodes.USAGE;
        }
        System.setProperty("java.awt.headless", "true");
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : quiet ? "error" : "warn");
        }
        if (System.getProperty("hazelcast.logging.type") == null) {
            // also for what Hazelcast logs before it reads a member's configuration
            System.setProperty("hazelcast.logging.type", "slf4j");
        }
        if (System.getProperty("hazelcast.logging.class") == null
                && "slf4j".equals(System.getProperty("hazelcast.logging.type"))) {
            // through SLF4J still, but no stack trace without --verbose (see HazelcastLog)
            System.setProperty("hazelcast.logging.class", HazelcastLog.class.getName());
        }
        if (!verbose && System.getProperty(HAZELCAST_LOG_LEVEL) == null) {
            // Hazelcast warns, with stack traces, of what it recovers from by itself (a partition
            // migrating while a member joins); its errors and our own messages remain
            System.setProperty(HAZELCAST_LOG_LEVEL, "error");
        }
        if (System.getProperty(FIT_LOG_LEVEL) == null) {
            // The fit's warnings are reported by the command itself (the closing table, results.json):
            // its log repeats them only under --verbose.
            System.setProperty(FIT_LOG_LEVEL, verbose ? "info" : "error");
        }
        if (verbose) {
            // the full log: each line names its level and logger (simplelogger.properties prints only
            // "warning: message" otherwise, in the words of the command's own messages)
            System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "true");
            System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
            System.setProperty("org.slf4j.simpleLogger.warnLevelString", "WARN");
        }
        try {
            return execute();
        } catch (JobFileException e) {
            err().println(Messages.clean(e.getMessage()));
            int n = e.problems().size();
            // a job file that is not there has no format to read about
            boolean missing = e.problems().stream().allMatch(p -> p.line() == 0 && !Files.exists(p.file()));
            err().println(n + (n == 1 ? " problem" : " problems") + " found"
                    + (missing ? "" : "; the job file format is described in docs/job-file.md"));
            return ExitCodes.USAGE;
        } catch (UserException e) {
            err().println("error: " + Messages.clean(e.getMessage()));
            return ExitCodes.USAGE;
        } catch (EvaluationCancelledException e) {
            // after Ctrl-C or SIGTERM the command's guard has said so already, in more words
            if (!Interrupts.announced()) {
                err().println("interrupted");
            }
            return ExitCodes.INTERRUPTED;
        } catch (java.io.UncheckedIOException e) {
            // a file that cannot be read or written is the user's to fix (a full disk, a permission), not a bug
            String message = e.getMessage();
            err().println("error: "
                    + Messages.clean(
                            message != null
                                    ? message
                                    : Messages.reason(java.util.Objects.requireNonNull(
                                            e.getCause(), "an UncheckedIOException has a cause"))));
            return ExitCodes.USAGE;
        } catch (RuntimeException | Error e) {
            String message = e.getMessage();
            if (isMappedFileFault(e)) {
                // the JVM's word for a SIGBUS in a memory-mapped file: a file system with no room
                // left for a page of it (or a file cut short under it), the user's to fix, not a bug
                err().println("error: " + mappedFileFault(e));
                traceIfVerbose(e);
                return ExitCodes.USAGE;
            }
            if (outOfMemory(e)) {
                // a job too large for the heap the JVM was given: the user's to raise, not a bug
                err().println("error: out of memory: the job needs more than the "
                        + Runtime.getRuntime().maxMemory() / (1024 * 1024)
                        + " MiB of Java heap this run was given; give it more with CHEMFIT_JAVA_OPTS=-Xmx8g (or"
                        + " another size)"
                        + (this instanceof FitCommand
                                ? ", or fewer workers; the fit's finished evaluations are in its journal, and the same"
                                        + " command resumes it"
                                : ""));
                traceIfVerbose(e);
                return ExitCodes.USAGE;
            }
            if (noThread(e)) {
                // a limit of the machine's (processes or threads per user, a container's), not a bug
                err().println("error: the system refused this run a new thread: a limit of processes or threads was"
                        + " reached (ulimit -u, or the container's); raise it, or run fewer workers");
                traceIfVerbose(e);
                return ExitCodes.USAGE;
            }
            err().println("internal error: "
                    + (message == null || message.isBlank() ? "an unexpected failure" : Messages.clean(message)));
            traceIfVerbose(e);
            if (!verbose) {
                err().println("(run with --verbose for the stack trace, and please report it)");
            }
            return ExitCodes.INTERNAL_ERROR;
        } finally {
            out().flush();
            err().flush();
        }
    }

    /**
     * @return whether the failure is the JVM's heap running out ("Java heap space", "GC overhead
     *     limit exceeded"), or was caused by it; not the other errors of the same class (no native
     *     thread, metaspace, an array larger than the JVM allows), for which more heap is no cure
     */
    static boolean outOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                String m = String.valueOf(t.getMessage());
                return m.startsWith("Java heap space") || m.startsWith("GC overhead limit exceeded");
            }
        }
        return false;
    }

    /** Prints the failure's stack trace when {@code --verbose} asks for it. */
    private void traceIfVerbose(Throwable e) {
        if (verbose) {
            StringWriter sw = new StringWriter();
            e.printStackTrace(new PrintWriter(sw));
            err().print(sw);
        }
    }

    /** @return whether the failure is, or was caused by, the system's refusal of a new thread */
    static boolean noThread(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError && String.valueOf(t.getMessage()).startsWith("unable to create")) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param e a failure
     * @return whether it, or a cause of it, is the JVM's InternalError for a fault in a
     *     memory-mapped file (a SIGBUS: "a fault occurred in a recent unsafe memory access
     *     operation in compiled Java code", or without "recent" and "in compiled Java code")
     */
    static boolean isMappedFileFault(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InternalError && String.valueOf(t.getMessage()).contains("unsafe memory access")) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param e the JVM's InternalError for a fault in a memory-mapped file, or a failure it caused
     * @return what the user is told: the journal's own failure when one came along with it
     *     (suppressed by it, or a cause), else the fault said in words
     */
    static String mappedFileFault(Throwable e) {
        Deque<Throwable> todo = new ArrayDeque<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        todo.add(e);
        while (!todo.isEmpty()) {
            Throwable t = todo.poll();
            if (!seen.add(t)) {
                continue;
            }
            if (t instanceof JournalException && t.getMessage() != null) {
                return Messages.clean(t.getMessage());
            }
            todo.addAll(Arrays.asList(t.getSuppressed()));
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
        }
        return "a write into a memory-mapped file failed: its file system had no room left for a page of"
                + " it (free some room, then run the same command to resume: what the journal committed is"
                + " kept), or the file was cut short by another program";
    }

    /**
     * Does the command's work.
     *
     * @return the exit code
     * @throws JobFileException for an invalid job file (exit 2)
     * @throws UserException for a wrong argument or data file (exit 2)
     */
    abstract int execute();

    /**
     * @param dir the folder a command was given as a fit's output folder
     * @throws UserException when it is not a folder
     */
    static void requireOutputFolder(Path dir) {
        if (!Files.exists(dir)) {
            throw new UserException(dir + " does not exist; give the output folder of a fit");
        }
        if (!Files.isDirectory(dir)) {
            throw new UserException(dir + " is not a folder; give the output folder of a fit");
        }
    }

    /** A mistake of the user's, reported as one line and exit code 2. */
    static final class UserException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UserException(@Nullable String message) {
            super(message);
        }
    }
}
