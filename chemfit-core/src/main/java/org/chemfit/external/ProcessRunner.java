package org.chemfit.external;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one program, waits for it without polling, and kills its whole process tree on a timeout
 * or an interrupt. Written by hand: no library covers killing a descendant tree with a grace period
 * on top of {@link ProcessHandle}. Once the tree is signalled, its end is awaited by polling every
 * few milliseconds (at most {@link #LAST_POLL_NANOS} apart): the descendants are not children of
 * this JVM, and nothing wakes a thread when they exit.
 *
 * <p>On Linux each program starts with an environment variable, {@value #TAG_NAME}, whose value
 * is unique to that one start (its {@link Tag}); every process it starts inherits it, unless it
 * clears or replaces its environment. A process whose parent exits is re-parented to init, where
 * {@link ProcessHandle#descendants()} no longer sees it: the tag is what finds it, in {@code
 * /proc/PID/environ}, to kill it with the tree after a timeout, or after the program has exited
 * ({@link #endTagged}). A process that starts a session of its own ({@code setsid}, as a daemon
 * does) keeps its environment, and is found too. Setting the variable starts no other process.
 *
 * <p>No program outlives the JVM that started it: when the JVM exits while programs still run
 * (SIGTERM, Ctrl-C, {@link System#exit}), a shutdown hook gives their terms {@link
 * AtExit#OWNERS_NANOS a second} to stop them, as an interrupted fit does, then ends each remaining
 * program's tree itself, as a timeout does (SIGTERM, the program's kill grace, SIGKILL), before the
 * JVM ends.
 */
final class ProcessRunner {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessRunner.class);

    private static final ProcessBuilder.Redirect FROM_DEV_NULL = ProcessBuilder.Redirect.from(new File("/dev/null"));

    /** The first pause while waiting for a killed tree to end; it doubles up to {@link #LAST_POLL_NANOS}. */
    private static final long FIRST_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** The longest pause while waiting for a killed tree to end: how late its end may be noticed. */
    private static final long LAST_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private static final Path PROC = Path.of("/proc");

    /** This JVM's process id. */
    private static final long SELF = ProcessHandle.current().pid();

    /** The environment variable that tags each program and the processes it starts. */
    static final String TAG_NAME = "CHEMFIT_RUN_TAG";

    /**
     * Whether programs are tagged: on Linux, where {@code /proc} tells each process's environment;
     * elsewhere programs start as they are and only the descendants that can be reached are killed.
     */
    private static final boolean TAGGING =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")
                    && Files.isReadable(PROC.resolve("self/environ"));

    /**
     * {@code /proc/loadavg}, open for the JVM's life: read from its start again after every program
     * (the kernel writes it anew for each read from the start), a seek and a read where an open, a
     * read and a close would be three calls more. Not a channel, which an interrupt of the reading
     * thread would close for every thread. Null when it cannot be opened or is not the kernel's
     * own ({@link #openLoadavg}): every process in {@code /proc} is looked at then.
     */
    private static final @Nullable RandomAccessFile LOADAVG = openLoadavg(PROC.resolve("loadavg"));

    /**
     * The part of every tag that names this JVM: its process id, and a random number for a JVM that
     * later gets the same id (a tag left in a process that outlived an earlier fit must not match).
     */
    private static final String JVM_TAG = SELF + "-"
            + Long.toHexString(new SplittableRandom(System.nanoTime() ^ System.currentTimeMillis()).nextLong())
            + "-";

    /** The start of a tag's entry in a process's environment, up to its value. */
    private static final String ENTRY_START = TAG_NAME + "=";

    /** Numbers the programs this JVM starts, so that each one's tag is its own. */
    private static final AtomicLong STARTS = new AtomicLong();

    /**
     * How long after the first of the tagged programs started {@link #taggedProcesses} may look only
     * at the process ids handed out since then: long enough for every short program, far too short
     * for the kernel to hand out every id and come round to the same numbers again.
     */
    private static final long RECENT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private ProcessRunner() {}

    /**
     * The tag of one program: the environment entry it and the processes it starts inherit, and the
     * process id it started with (every process that inherits the tag was started later).
     *
     * @param entry the entry, {@code CHEMFIT_RUN_TAG=<value>}, exactly as it appears in {@code
     *     /proc/PID/environ}
     * @param pid the program's process id
     */
    record Tag(String entry, long pid) {
        /** @return the variable's value, without its name */
        String value() {
            return entry.substring(TAG_NAME.length() + 1);
        }

        // Written out: a record's own equals and hashCode go through a bootstrap method's method
        // handles, dear in code that has not been compiled yet, and a tag is a map's key after every
        // program a term starts.
        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof Tag t && pid == t.pid && entry.equals(t.entry);
        }

        @Override
        public int hashCode() {
            return 31 * entry.hashCode() + Long.hashCode(pid);
        }
    }

    /**
     * How a program ended.
     *
     * @param exitCode the program's exit code
     * @param timedOut whether it was killed for its timeout
     * @param nanos how long it ran
     * @param tag the tag it ran with, by which {@link #endTagged} finds what it left running; null
     *     when it ran untagged (not on Linux)
     * @param forced how many processes of its tree, killed for its timeout, were still running after
     *     the kill grace and got SIGKILL (0 when all ended on SIGTERM, or it did not time out)
     */
    record Result(
            int exitCode,
            boolean timedOut,
            long nanos,
            @Nullable Tag tag,
            int forced) {
        /** @return whether the program was ended by a signal (the JDK reports 128 + signal) */
        boolean killedBySignal() {
            return !timedOut && exitCode > 128 && exitCode < 128 + 65;
        }
    }

    /** The program could not be started. */
    static final class StartException extends IOException {
        private static final long serialVersionUID = 1L;

        StartException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Runs a program to its end.
     *
     * @param argv the full argument list
     * @param dir the working directory
     * @param env environment additions
     * @param timeout the limit, or null for none
     * @param grace how long the tree gets between SIGTERM and SIGKILL
     * @param stdout where standard output goes
     * @param stderr where standard error goes
     * @param stdin the file read as standard input, or null for {@code /dev/null}
     * @return how it ended
     * @throws StartException when the program cannot be started
     * @throws InterruptedException when the calling thread is interrupted; the tree is killed first
     *     and the interrupt flag is left cleared, as usual for this exception. Once the program has
     *     started it is an {@link Interrupted}, with the program's exit code when it is known
     */
    static Result run(
            List<String> argv,
            Path dir,
            Map<String, String> env,
            @Nullable Duration timeout,
            Duration grace,
            Path stdout,
            Path stderr,
            @Nullable Path stdin)
            throws IOException, InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before '" + argv.get(0) + "' started");
        }
        String tagValue = TAGGING ? JVM_TAG + STARTS.incrementAndGet() : null;
        ProcessBuilder pb = builder(env, tagValue != null)
                .command(argv)
                .directory(dir.toFile())
                .redirectInput(stdin == null ? FROM_DEV_NULL : ProcessBuilder.Redirect.from(stdin.toFile()))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        if (tagValue != null) {
            // last, so that an addition of the same name does not replace it
            pb.environment().put(TAG_NAME, tagValue);
        }
        long t0 = System.nanoTime();
        // watched before it starts: a JVM that begins to exit the moment after waits for it to be known
        Running running = new Running(t0, grace);
        if (!AtExit.watch(running)) {
            throw new InterruptedException("the JVM is exiting: '" + argv.get(0) + "' is not started");
        }
        Process p;
        try {
            p = startedOnceNotBusy(pb);
        } catch (IOException e) {
            RUNNING.remove(running);
            throw new StartException(startMessage(argv.get(0), dir, env, e), e);
        } catch (InterruptedException | RuntimeException | Error e) {
            RUNNING.remove(running);
            throw e;
        }
        Tag tag = tagValue == null ? null : new Tag(TAG_NAME + "=" + tagValue, p.pid());
        running.started(p, tag);
        try {
            // Process.waitFor parks on the monitor that the JDK's reaper thread notifies when the child exits: no
            // polling.
            int code;
            if (timeout == null) {
                code = p.waitFor();
            } else if (p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                code = p.exitValue();
            } else {
                running.endedByOwner = true;
                int forced = killTree(p.toHandle(), tag, t0, grace);
                return new Result(exitCodeAfterKill(p), true, System.nanoTime() - t0, tag, forced);
            }
            return new Result(code, false, System.nanoTime() - t0, tag, 0);
        } catch (InterruptedException e) {
            running.endedByOwner = true;
            throw interrupted(p, tag, t0, grace, e);
        } finally {
            RUNNING.remove(running);
        }
    }

    /**
     * Ends the tree of a program whose waiting thread was interrupted, and tells how the program
     * ended. The JDK wakes the waiting thread a moment after the program's end is known: an
     * interrupt in that moment finds a program that has ended by itself, whose code is its own.
     *
     * @param t0 when the program started, per {@link System#nanoTime()}
     * @param e the interrupt
     * @return the interrupt, with the program's exit code; the thread's interrupt flag is cleared
     */
    static Interrupted interrupted(Process p, @Nullable Tag tag, long t0, Duration grace, InterruptedException e) {
        // a zombie first: the reaper may take it between the two looks, and isAlive() then says so
        boolean endedBefore = isZombie(p.pid()) || !p.isAlive();
        long ran = System.nanoTime() - t0;
        killTree(p.toHandle(), tag, t0, grace);
        int code = exitCodeAfterKill(p);
        if (!endedBefore) {
            ran = System.nanoTime() - t0;
        }
        // the exception stands for the interrupt: a second one that came during the kill leaves no flag
        Thread.interrupted();
        Interrupted i = new Interrupted(e.getMessage(), code < 0 ? null : code, endedBefore, ran);
        i.initCause(e);
        return i;
    }

    /**
     * A thread's builder of its last start and the environment additions it holds, kept for the
     * next start: the JDK copies the JVM's whole environment into a new map for every builder whose
     * environment is touched, which the tag of every start would otherwise cost each time. The
     * JVM's own environment never changes, so a start with other additions (a private
     * {@code TMPDIR} differs from run to run) only puts back what the last additions replaced or
     * added; the tag is set anew for each start.
     */
    private record Reused(ProcessBuilder builder, Map<String, String> env) {}

    /**
     * Variables of the JVM's environment that no program gets: the cluster's secret, which signs
     * the tasks of a fit's cluster, is the fit's and not its programs' (a program that writes its
     * environment into its run directory, or a process of another user's that reads it, would
     * learn it). A term that gives one in its own environment additions passes it on.
     */
    static final java.util.Set<String> WITHHELD = java.util.Set.of("CHEMFIT_CLUSTER_SECRET");

    /** @return the builder, without the {@link #WITHHELD} variables of the JVM's environment */
    private static ProcessBuilder withheld(ProcessBuilder pb) {
        for (String name : WITHHELD) {
            if (System.getenv(name) != null) {
                pb.environment().remove(name);
            }
        }
        return pb;
    }

    /** Each thread's {@link Reused} builder, if it has started a program with an environment of its own. */
    private static final ThreadLocal<@Nullable Reused> REUSED = new ThreadLocal<>();

    /**
     * @param env the environment additions of a start
     * @param tagged whether the start gets a tag
     * @return a builder whose environment is the JVM's with the additions (and the tag of an
     *     earlier start of this thread, which the caller replaces), or a new builder with the JVM's
     *     own when there are neither additions nor a tag; confined to the calling thread
     */
    private static ProcessBuilder builder(Map<String, String> env, boolean tagged) {
        if (!tagged && env.isEmpty()) {
            return withheld(new ProcessBuilder());
        }
        Reused last = REUSED.get();
        if (last == null) {
            ProcessBuilder pb = withheld(new ProcessBuilder());
            pb.environment().putAll(env);
            REUSED.set(new Reused(pb, new HashMap<>(env)));
            return pb;
        }
        if (!last.env().equals(env)) {
            Map<String, String> environment = last.builder().environment();
            for (String name : last.env().keySet()) {
                if (!env.containsKey(name)) {
                    String own = WITHHELD.contains(name) ? null : System.getenv(name);
                    if (own == null) {
                        environment.remove(name);
                    } else {
                        environment.put(name, own);
                    }
                }
            }
            environment.putAll(env);
            last.env().clear();
            last.env().putAll(env);
        }
        return last.builder();
    }

    /**
     * The calling thread was interrupted while the program ran, or a moment after it ended: its tree
     * was killed, and the program's exit code is kept when it is known.
     */
    static final class Interrupted extends InterruptedException {
        private static final long serialVersionUID = 1L;

        /** The program's exit code, or null when it had not ended once its tree was killed. */
        final @Nullable Integer exitCode;

        /** Whether the program had ended by itself before the interrupt was seen. */
        final boolean endedBefore;

        /** How long it ran, in nanoseconds, to its end (when it ended before) or its kill. */
        final long nanos;

        Interrupted(@Nullable String message, @Nullable Integer exitCode, boolean endedBefore, long nanos) {
            super(message);
            this.exitCode = exitCode;
            this.endedBefore = endedBefore;
            this.nanos = nanos;
        }
    }

    /**
     * A program being started or running, with what ending its tree needs: its process and tag are
     * set once it has started.
     */
    private static final class Running {
        final long started;
        final Duration grace;
        volatile @Nullable Process process;
        volatile @Nullable Tag tag;
        /** Set when its own term ends its tree (a timeout, an interrupt): the hook then only waits for it. */
        volatile boolean endedByOwner;

        Running(long started, Duration grace) {
            this.started = started;
            this.grace = grace;
        }

        void started(Process p, @Nullable Tag t) {
            tag = t; // before the process, which the hook reads first
            process = p;
        }
    }

    /** The programs running now, which {@link AtExit} ends when the JVM exits before they do. */
    private static final Set<Running> RUNNING = ConcurrentHashMap.newKeySet();

    /**
     * The shutdown hook that ends the programs still running when the JVM exits, installed with the
     * first program. A command-line fit stops its terms itself when it is interrupted (each kills
     * its program's tree with its kill grace); a Java program that uses the library may not, and
     * without this its programs would run on, re-parented to init, after the end of a batch
     * allocation's JVM.
     */
    private static final class AtExit {
        /** How long the hook waits for the programs' own terms to stop them before it ends them itself. */
        static final long OWNERS_NANOS = TimeUnit.SECONDS.toNanos(1);

        static {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(AtExit::endAll, "chemfit-end-programs"));
            } catch (IllegalStateException e) {
                // the JVM is already exiting: a program started now is its term's to stop
            }
        }

        private AtExit() {}

        /** Set once the JVM exits: no program starts after it. */
        private static volatile boolean exiting;

        /** @return false when the JVM is exiting: the program must not start */
        static boolean watch(Running r) {
            RUNNING.add(r);
            if (exiting) {
                RUNNING.remove(r);
                return false;
            }
            return true; // a program watched before the hook's first look is ended by it
        }

        /**
         * Waits {@link #OWNERS_NANOS} for the terms to stop their programs, then ends each one
         * still running that no term is ending itself, and returns once every program has ended
         * (those its term ends with their kill grace included), or after a bound: the longest
         * grace of those seen, and 15 s more.
         */
        private static void endAll() {
            exiting = true;
            long now = System.nanoTime();
            long ownersUntil = now + OWNERS_NANOS;
            long until = ownersUntil;
            java.util.Set<Running> ending = new java.util.HashSet<>();
            List<Thread> enders = new ArrayList<>();
            while (!RUNNING.isEmpty()) {
                now = System.nanoTime();
                for (Running r : RUNNING) {
                    until = Math.max(until, ownersUntil + r.grace.toNanos() + TimeUnit.SECONDS.toNanos(15));
                    Process p = r.process;
                    if (p == null || r.endedByOwner || now < ownersUntil || !ending.add(r)) {
                        continue; // not started yet, ended by its term, the terms' second, or ended here already
                    }
                    if (ending.size() == 1) {
                        LOG.warn("the JVM is exiting while programs still run: ending each one's process tree"
                                + " (SIGTERM, its kill grace, SIGKILL)");
                    }
                    Tag tag = r.tag;
                    Thread t =
                            new Thread(() -> killTree(p.toHandle(), tag, r.started, r.grace), "chemfit-end-" + p.pid());
                    t.setDaemon(true);
                    t.start();
                    enders.add(t);
                }
                if (now > until) {
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            for (Thread t : enders) {
                try {
                    t.join(); // killTree waits for the tree itself, within its grace and a bounded SIGKILL wait
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * @return whether the JVM is exiting: its shutdown hooks run (after a signal, {@code System.exit}
     *     or the end of its last thread)
     */
    static boolean jvmExiting() {
        if (AtExit.exiting) {
            return true;
        }
        Thread probe = new Thread(() -> {}, "chemfit-exit-probe");
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true; // hooks can be neither added nor removed once the shutdown has begun
        }
    }

    /** @return the exit code once the JDK has reaped the killed process, or -1 when it has not within 10 s */
    private static int exitCodeAfterKill(Process p) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (true) {
                try {
                    long left = deadline - System.nanoTime();
                    return left > 0 && p.waitFor(left, TimeUnit.NANOSECONDS) ? p.exitValue() : -1;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Starts the process, again after a few milliseconds while the system refuses it as a "text
     * file busy" (ETXTBSY, error 26): a script a term has just written into its run directory (a
     * staged copy, a rendered template) is refused so while a process that another thread forks in
     * that moment still holds the descriptor this JVM wrote it through, until that child's exec
     * closes it. The wait ends within a second; a file still busy then is reported as it is.
     *
     * @throws IOException as {@link ProcessBuilder#start}
     * @throws InterruptedException when interrupted while waiting to try again
     */
    private static Process startedOnceNotBusy(ProcessBuilder pb) throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                return pb.start();
            } catch (IOException e) {
                if (attempt >= 100 || !String.valueOf(e.getMessage()).contains("error=26,")) {
                    throw e;
                }
                Thread.sleep(attempt < 10 ? 1 : 10);
            }
        }
    }

    private static String startMessage(String program, Path dir, Map<String, String> env, IOException e) {
        if (!program.contains("/")) {
            String path = env.getOrDefault("PATH", System.getenv("PATH"));
            if (findOnPath(program, path) == null) {
                return "program '" + program + "' not found on PATH (" + path + ")";
            }
        } else if (!Files.isExecutable(dir.resolve(program))) {
            // a relative path is the run directory's, where the program is started
            Path p = dir.resolve(program);
            if (Files.isDirectory(p)) {
                return "program '" + program + "' is a folder, not a program: " + p;
            }
            if (Files.exists(p)) {
                String interpreter =
                        "name the file's interpreter first in the command, such as " + interpreterExample(program);
                if (ownerMayRun(p)) {
                    // marked executable, yet access(2) says no: a file system mounted noexec (a hardened /tmp)
                    return "program '" + program + "' is marked executable" + permissions(p) + " but cannot be run"
                            + " here: " + p + " (its file system may be mounted noexec, as a hardened /tmp is: put"
                            + " the run directory on another file system, or " + interpreter + ")";
                }
                return "program '" + program + "' exists but lacks the execute permission" + permissions(p) + ": " + p
                        + " (a file staged with files or link, or rendered from a template, has the permissions of"
                        + " its source: make the source executable with chmod +x, or " + interpreter + ")";
            }
            return "program '" + program + "' does not exist"
                    + (Path.of(program).isAbsolute() ? "" : " in the run directory " + dir);
        } else {
            String line = interpreterLine(dir.resolve(program));
            if (line != null && String.valueOf(e.getMessage()).contains("error=2,")) {
                // the file is there and may run: what the system did not find is the interpreter
                return "program '" + program + "' exists and is executable, but the interpreter its #! line names"
                        + " was not found: '" + line.replace("\r", "\\r") + "'"
                        + (line.endsWith("\r")
                                ? " (the line ends with a Windows line end, CR LF, so the name the system looks"
                                        + " for ends in a carriage return: convert the file, with dos2unix)"
                                : " (install it, or correct the line)")
                        + ": " + dir.resolve(program).normalize();
            }
        }
        return "cannot start program '" + program + "': " + e.getMessage();
    }

    /**
     * @param p a file
     * @return its first line after {@code #!}, carriage return kept, when it opens with one, else null
     */
    private static @Nullable String interpreterLine(Path p) {
        byte[] head = new byte[256];
        int n;
        try (java.io.InputStream in = Files.newInputStream(p)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (n < 2 || head[0] != '#' || head[1] != '!') {
            return null;
        }
        String text = new String(head, 2, n - 2, java.nio.charset.StandardCharsets.UTF_8);
        int end = text.indexOf('\n');
        return (end >= 0 ? text.substring(0, end) : text).strip().isEmpty()
                ? null
                : (end >= 0 ? text.substring(0, end) : text).stripLeading();
    }

    /** @return whether a file's owner execute bit is set (false when POSIX permissions cannot be read) */
    private static boolean ownerMayRun(Path p) {
        try {
            return Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * @param program a script as a command names it
     * @return the command that runs it through its interpreter, by its extension ({@code [sh,
     *     ./run.sh]}, {@code [python3, ./fit.py]}), or both forms for a script without a known one
     */
    private static String interpreterExample(String program) {
        String name = program.substring(program.lastIndexOf('/') + 1);
        String ext = name.lastIndexOf('.') > 0 ? name.substring(name.lastIndexOf('.') + 1) : "";
        return switch (ext) {
            case "py" -> "[python3, " + program + "]";
            case "sh" -> "[sh, " + program + "]";
            case "bash" -> "[bash, " + program + "]";
            default -> "[sh, " + program + "] or [python3, " + program + "]";
        };
    }

    /**
     * @param p a file
     * @return its permissions in {@code ls -l}'s words ({@code " (rw-r--r--)"}), or nothing on a file
     *     system without POSIX permissions or when they cannot be read
     */
    private static String permissions(Path p) {
        try {
            return " (" + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)) + ")";
        } catch (IOException | UnsupportedOperationException e) {
            return "";
        }
    }

    /**
     * @param program a program name without a slash
     * @param path a PATH value
     * @return the executable found, or null
     */
    static @Nullable Path findOnPath(String program, @Nullable String path) {
        if (path == null) {
            return null;
        }
        for (String d : path.split(File.pathSeparator)) {
            if (d.isEmpty()) {
                continue;
            }
            Path c = Path.of(d, program);
            if (Files.isRegularFile(c) && Files.isExecutable(c)) {
                return c;
            }
        }
        return null;
    }

    /**
     * Kills a process and all its descendants: SIGTERM to every member of the tree, a grace period,
     * then SIGKILL to whatever is left (descendants that appeared meanwhile included). Returns only
     * when every process of the tree has ended (see {@link #ended}), or after a bounded wait: the
     * grace period is cut short as soon as the whole tree has ended. Preserves the caller's
     * interrupt status while it waits.
     *
     * @param root the root of the tree
     * @param grace the time between SIGTERM and SIGKILL
     * @return the processes of the tree that were seen
     */
    static List<ProcessHandle> killTree(ProcessHandle root, Duration grace) {
        Map<Long, ProcessHandle> tree = new LinkedHashMap<>();
        collect(root, tree);
        terminate(tree, List.of(), System.nanoTime(), grace);
        return new ArrayList<>(tree.values());
    }

    /**
     * Kills a process, all its descendants and every process that carries its tag, re-parented ones
     * included, as {@link #killTree(ProcessHandle, Duration)} does.
     *
     * @param tag the root's tag, or null for none
     * @param started when the root was started, per {@link System#nanoTime()}
     * @return how many of its processes were still running after the grace and got SIGKILL
     */
    private static int killTree(ProcessHandle root, @Nullable Tag tag, long started, Duration grace) {
        // Snapshot before the first signal: once a parent dies its children are re-parented and
        // can no longer be found through it.
        Map<Long, ProcessHandle> tree = new LinkedHashMap<>();
        collect(root, tree);
        List<Tag> tags = tag == null ? List.of() : List.of(tag);
        for (Member m : taggedProcesses(tags, started)) {
            collect(m.process(), tree);
        }
        return terminate(tree, tags, started, grace);
    }

    /** A process found carrying one of the tags looked for. */
    record Member(ProcessHandle process, Tag tag) {}

    /**
     * Ends every process still running with the tags of programs that have exited, as {@link
     * #endLeft} does.
     *
     * @param tags the programs' tags ({@link Result#tag()})
     * @param started when the first of the programs started, per {@link System#nanoTime()}
     * @param grace the time between SIGTERM and SIGKILL
     * @return per tag, how many processes still ran with it
     */
    static Map<Tag, Integer> endTagged(Collection<Tag> tags, long started, Duration grace) {
        Map<Tag, Integer> counts = new LinkedHashMap<>();
        endLeft(tags, started, grace).forEach((tag, left) -> counts.put(tag, left.count()));
        return counts;
    }

    /**
     * What one program left running.
     *
     * @param count how many processes still ran with its tag, and were ended
     * @param programs their program names (the file name of each one's executable), sorted, each once
     */
    record Left(int count, List<String> programs) {}

    /**
     * The pauses, in milliseconds, between the looks at {@code /proc} that give a process found with
     * a tag right after its program exited the moment to exit on its own: 150 ms in all, doubling
     * so that a quick exit is seen quickly. Open MPI's {@code orted}, which a singleton {@code lmp}
     * starts with {@code --singleton-died-pipe}, notices the end of the program by that pipe, removes
     * its session directory and exits some 10 to 40 ms after it (measured with Debian's LAMMPS on a
     * loaded 2-core machine): 150 ms leaves it several times that on a busier one, while a process
     * that stays (a script's {@code sleep 100 &}) is ended at most 150 ms later than at once, which
     * is small against the grace it then gets and paid only by runs that leave something.
     */
    private static final long[] SETTLE_PAUSES_MILLIS = {5, 10, 20, 40, 75};

    /**
     * Ends every process still running with the tags of programs that have exited: SIGTERM, the
     * grace, then SIGKILL, as for a timed-out tree. Returns at once, after one look at {@code /proc},
     * when no process is left. A process that is found is first given a moment to exit on its own
     * (an MPI daemon that ends itself once the program it served is gone, see {@link
     * #SETTLE_PAUSES_MILLIS}): {@code /proc} is looked at again after short pauses, and only what
     * still runs then is ended and counted (a zombie, which has exited, counts as gone). An interrupt
     * cuts the pauses short; the interrupt flag is preserved.
     *
     * @param tags the programs' tags ({@link Result#tag()})
     * @param started when the first of the programs started, per {@link System#nanoTime()}
     * @param grace the time between SIGTERM and SIGKILL
     * @return per tag, what still ran with it; empty when nothing did
     */
    static Map<Tag, Left> endLeft(Collection<Tag> tags, long started, Duration grace) {
        List<Member> left = taggedProcesses(tags, started);
        for (int i = 0; i < SETTLE_PAUSES_MILLIS.length && !left.isEmpty(); i++) {
            if (!pause(TimeUnit.MILLISECONDS.toNanos(SETTLE_PAUSES_MILLIS[i]))) {
                break; // interrupted: no more waiting, what is there is ended
            }
            left = taggedProcesses(tags, started);
        }
        if (left.isEmpty()) {
            return Map.of();
        }
        Map<Tag, Integer> counts = new LinkedHashMap<>();
        Map<Tag, SortedSet<String>> names = new LinkedHashMap<>();
        Map<Long, ProcessHandle> tree = new LinkedHashMap<>();
        for (Member m : left) {
            counts.merge(m.tag(), 1, Integer::sum);
            names.computeIfAbsent(m.tag(), t -> new TreeSet<>()).add(programName(m.process()));
            collect(m.process(), tree);
        }
        terminate(tree, tags, started, grace);
        Map<Tag, Left> result = new LinkedHashMap<>();
        counts.forEach((tag, n) -> result.put(tag, new Left(n, List.copyOf(names.getOrDefault(tag, new TreeSet<>())))));
        return result;
    }

    /**
     * Pauses the thread, without polling.
     *
     * @return false when the thread is interrupted (the pause is cut short and the flag left set)
     */
    private static boolean pause(long nanos) {
        long end = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = end - System.nanoTime()) {
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
            LockSupport.parkNanos(left);
        }
        return !Thread.currentThread().isInterrupted();
    }

    /**
     * @return the file name of the process's executable ({@code orted}), from {@link
     *     ProcessHandle.Info#command()}, or its name in {@code /proc/PID/comm} when that is not told;
     *     {@code ?} when neither is
     */
    static String programName(ProcessHandle h) {
        try {
            String command = h.info().command().orElse("");
            Path file = command.isEmpty() ? null : Path.of(command).getFileName();
            if (file != null) {
                return file.toString();
            }
            String comm = Files.readString(
                            PROC.resolve(Long.toString(h.pid())).resolve("comm"), StandardCharsets.ISO_8859_1)
                    .strip();
            return comm.isEmpty() ? "?" : comm;
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /**
     * A process still running with the tag of a program that an earlier process of the same fit
     * started, found in {@code /proc}.
     *
     * @param process the process
     * @param tag its tag (the entry, and the process's own id)
     * @param jvm the id of the process that started the tagged program (the first part of the tag)
     * @param cwd its working directory, or null when {@code /proc} does not tell it
     */
    record Leftover(
            ProcessHandle process,
            Tag tag,
            long jvm,
            @Nullable Path cwd) {}

    /**
     * Finds every process that still runs with the tag of a program started by one of the given
     * processes, when that process has ended: a fit that was killed ({@code kill -9}) leaves its
     * programs running, re-parented to init, with their tags. A tag names the process that started
     * its program by its id ({@code <pid>-<random>-<n>}); a tag of a process that still runs is
     * never taken (a fit that runs now, in this folder or another one), nor one of this JVM's own.
     * This JVM's id is taken for an ended one when it is among the given ids and the rest of the
     * tag is not this JVM's: an earlier process of the fit may have had the same id (as in a
     * container, where every start gets the same small id). Every process in {@code /proc} is
     * looked at; those of other users, whose environment cannot be read, are not found.
     *
     * @param jvms the ids of the earlier processes of the fit
     * @return the processes found
     */
    static List<Leftover> leftBy(Collection<Long> jvms) {
        List<Leftover> found = new ArrayList<>();
        if (!TAGGING || jvms.isEmpty()) {
            return found;
        }
        Map<Long, Boolean> ended = new java.util.HashMap<>();
        for (long jvm : jvms) {
            ended.put(
                    jvm,
                    // a fit killed a moment ago may be a zombie still, its exit not yet collected
                    jvm == SELF
                            || ProcessHandle.of(jvm).map(ProcessRunner::ended).orElse(true));
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC)) {
            for (Path p : procs) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !name.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    continue;
                }
                long pid = Long.parseLong(name);
                String entry = pid == SELF ? null : tagEntry(pid);
                if (entry == null || entry.startsWith(ENTRY_START + JVM_TAG) || !isProcess(pid)) {
                    continue;
                }
                String value = entry.substring(ENTRY_START.length());
                int dash = value.indexOf('-');
                long jvm;
                try {
                    jvm = dash > 0 ? Long.parseLong(value.substring(0, dash)) : -1;
                } catch (NumberFormatException e) {
                    continue;
                }
                if (!ended.getOrDefault(jvm, false)) {
                    continue;
                }
                Path cwd;
                try {
                    cwd = Files.readSymbolicLink(p.resolve("cwd"));
                } catch (IOException | UnsupportedOperationException e) {
                    cwd = null;
                }
                Path where = cwd;
                ProcessHandle.of(pid).ifPresent(h -> found.add(new Leftover(h, new Tag(entry, pid), jvm, where)));
            }
        } catch (IOException | DirectoryIteratorException e) {
            // no /proc: nothing to find
        }
        return found;
    }

    /**
     * @return the {@value #TAG_NAME} entry of the process's environment, or null when it carries
     *     none, is gone, is a zombie or is another user's
     */
    private static @Nullable String tagEntry(long pid) {
        byte[] env;
        try {
            env = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
        } catch (IOException e) {
            return null;
        }
        String text = new String(env, StandardCharsets.ISO_8859_1);
        for (int at = text.indexOf(ENTRY_START); at >= 0; at = text.indexOf(ENTRY_START, at + 1)) {
            if (at == 0 || text.charAt(at - 1) == '\0') {
                int end = text.indexOf('\0', at);
                return end < 0 ? text.substring(at) : text.substring(at, end);
            }
        }
        return null;
    }

    /**
     * Ends processes found by {@link #leftBy}, and their descendants: SIGTERM, the grace, then
     * SIGKILL, as for a timed-out tree.
     *
     * @param left the processes
     * @param grace the time between SIGTERM and SIGKILL
     */
    static void endLeftovers(Collection<Leftover> left, Duration grace) {
        if (left.isEmpty()) {
            return;
        }
        Map<Long, ProcessHandle> tree = new LinkedHashMap<>();
        for (Leftover l : left) {
            collect(l.process(), tree);
        }
        // no tags to look for again: a process with the same tag that was not chosen (it works
        // elsewhere) is left alone; the descendants of those chosen are ended with them
        terminate(tree, List.of(), System.nanoTime(), grace);
    }

    /**
     * SIGTERM to every process of the tree, the grace (cut short once all have ended), then SIGKILL
     * to whatever is left, descendants and tagged processes that appeared meanwhile included.
     * Preserves the caller's interrupt status while it waits.
     *
     * @return how many of the processes that got SIGTERM were still running after the grace and got
     *     SIGKILL
     */
    private static int terminate(Map<Long, ProcessHandle> tree, Collection<Tag> tags, long started, Duration grace) {
        boolean interrupted = Thread.interrupted();
        int forced = 0;
        // those that get SIGTERM: a process found later (started during the grace) gets SIGKILL
        // without one, and is not counted among those that outlived it
        java.util.Set<Long> warned = new java.util.HashSet<>(tree.keySet());
        try {
            for (ProcessHandle h : tree.values()) {
                h.destroy();
            }
            interrupted |= awaitExit(tree, grace);
            for (int round = 0; round < 5; round++) {
                List<ProcessHandle> alive = new ArrayList<>();
                for (ProcessHandle h : new ArrayList<>(tree.values())) {
                    if (!ended(h)) {
                        collect(h, tree);
                    }
                }
                for (Member m : taggedProcesses(tags, started)) {
                    collect(m.process(), tree);
                }
                for (ProcessHandle h : tree.values()) {
                    if (!ended(h)) {
                        alive.add(h);
                    }
                }
                if (alive.isEmpty()) {
                    break;
                }
                for (ProcessHandle h : alive) {
                    h.destroyForcibly();
                }
                for (ProcessHandle h : alive) {
                    if (warned.remove(h.pid())) {
                        forced++;
                    }
                }
                interrupted |= awaitExit(tree, Duration.ofSeconds(5));
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return forced;
    }

    private static void collect(ProcessHandle root, Map<Long, ProcessHandle> tree) {
        tree.putIfAbsent(root.pid(), root);
        root.descendants().forEach(h -> tree.putIfAbsent(h.pid(), h));
    }

    /**
     * Finds the processes still running (not zombies) with one of the given tags in their
     * environment, this JVM excepted. Every process with a tag was started after the program that
     * got it, so while the kernel has not come round to the same process ids again only the ids
     * handed out since the first program need a look, which after a short program are few: {@code
     * /proc/loadavg} tells the last one handed out, and how many tasks there are. Otherwise, or when
     * that range holds more ids than there are tasks, every process in {@code /proc} is looked at.
     * Processes of other users, whose environment this user may not read, are not found.
     *
     * @param tags the programs' tags
     * @param started when the first of the programs started, per {@link System#nanoTime()}
     * @return the processes found
     */
    static List<Member> taggedProcesses(Collection<Tag> tags, long started) {
        List<Member> found = new ArrayList<>();
        if (tags.isEmpty()) {
            return found;
        }
        Map<String, Tag> byEntry = new LinkedHashMap<>();
        long low = Long.MAX_VALUE;
        long high = 0;
        for (Tag t : tags) {
            byEntry.put(t.entry(), t);
            low = Math.min(low, t.pid());
            high = Math.max(high, t.pid());
        }
        long[] load = lastPidAndTasks();
        List<Long> blank = new ArrayList<>();
        if (load != null && System.nanoTime() - started < RECENT_NANOS && load[0] >= high && load[0] - low < load[1]) {
            for (long pid = low; pid <= load[0]; pid++) {
                consider(pid, byEntry, found, blank);
            }
        } else {
            try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC)) {
                for (Path p : procs) {
                    String name = p.getFileName().toString();
                    if (!name.isEmpty() && name.chars().allMatch(c -> c >= '0' && c <= '9')) {
                        consider(Long.parseLong(name), byEntry, found, blank);
                    }
                }
            } catch (IOException | DirectoryIteratorException e) {
                // no /proc: nothing to find
            }
        }
        // A process in the middle of an exec (a shell's `setsid sleep 100 &`) shows an empty
        // environment for a moment: such processes are looked at again, a few times, a moment later.
        for (int again = 0; again < BLANK_LOOKS && !blank.isEmpty(); again++) {
            LockSupport.parkNanos(BLANK_PAUSE_NANOS);
            List<Long> still = new ArrayList<>();
            for (long pid : blank) {
                consider(pid, byEntry, found, still);
            }
            blank = still;
        }
        return found;
    }

    /** How often a process whose environment read empty is looked at again. */
    private static final int BLANK_LOOKS = 3;

    /** The pause before each of those looks. */
    private static final long BLANK_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    /**
     * @return the last process id handed out and the number of tasks (threads included), from
     *     {@code /proc/loadavg} ("0.20 0.18 0.12 1/80 11206"), or null when it cannot be read
     */
    static long @Nullable [] lastPidAndTasks() {
        RandomAccessFile file = LOADAVG;
        if (file == null) {
            return null;
        }
        byte[] b = new byte[128];
        int n = 0;
        synchronized (file) {
            try {
                file.seek(0);
                // the whole line, up to its newline: a number cut short would end the range too soon
                while (n < b.length && (n == 0 || b[n - 1] != '\n')) {
                    int read = file.read(b, n, b.length - n);
                    if (read < 0) {
                        break;
                    }
                    n += read;
                }
            } catch (IOException e) {
                return null;
            }
        }
        return parseLoadavg(b, n);
    }

    /**
     * @param b the bytes read from {@code /proc/loadavg}
     * @param n how many of them were read
     * @return the last process id handed out and the number of tasks, from the line's last two
     *     fields ("0.20 0.18 0.12 1/80 11206\n" gives 11206 and 80); null unless the line ends in a
     *     newline and both are numbers of 1 to 18 digits above 0
     */
    static long @Nullable [] parseLoadavg(byte[] b, int n) {
        if (n == 0 || b[n - 1] != '\n') {
            return null;
        }
        int slash = 0;
        while (slash < n && b[slash] != '/') {
            slash++;
        }
        int space = slash + 1;
        while (space < n && b[space] != ' ') {
            space++;
        }
        long tasks = digits(b, slash + 1, space);
        long last = digits(b, space + 1, n - 1);
        return tasks < 1 || last < 1 ? null : new long[] {last, tasks};
    }

    /**
     * @param file {@code /proc/loadavg}, or another file in its place
     * @return the file opened for reading, or null when it cannot be (not Linux) or is not the
     *     kernel's own, on a {@code proc} file system: the file that LXCFS puts in its place in a
     *     container (a FUSE file system) tells counts of its own making, not the kernel's last id
     */
    static @Nullable RandomAccessFile openLoadavg(Path file) {
        try {
            return TAGGING && Files.getFileStore(file).type().equals("proc")
                    ? new RandomAccessFile(file.toFile(), "r")
                    : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** @return the number the ASCII digits from {@code from} to {@code to} write; -1 when there are none, or others */
    private static long digits(byte[] b, int from, int to) {
        if (from >= to || to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return -1;
            }
            v = 10 * v + (b[i] - '0');
        }
        return v;
    }

    /** Adds the process to found when it carries one of the tags. */
    private static void consider(long pid, Map<String, Tag> byEntry, List<Member> found, List<Long> blank) {
        if (pid == SELF) {
            return;
        }
        byte[] env = environ(pid);
        Tag tag = env == null ? null : tagOf(env, byEntry);
        if (tag == null) {
            if (env != null && env.length == 0 && mayBeInExec(pid) && isProcess(pid)) {
                blank.add(pid);
            }
            return;
        }
        if (!isProcess(pid)) {
            return;
        }
        ProcessHandle.of(pid).ifPresent(h -> {
            // the id may have been handed to another process between the two looks
            byte[] now = environ(pid);
            Tag again = now == null ? null : tagOf(now, byEntry);
            if (tag.equals(again)) {
                found.add(new Member(h, tag));
            } else if (now != null && now.length == 0 && mayBeInExec(pid)) {
                blank.add(pid); // in the middle of an exec since the first look: looked at again
            }
        });
    }

    /**
     * @return the process's environment, the bytes of {@code /proc/PID/environ}; null when it is
     *     gone or another user's. An id that no process has, as most of those looked at after a
     *     short program, is told by a look at its folder, which throws nothing, before the file is
     *     opened: a failed open costs an exception and its stack trace.
     */
    private static byte @Nullable [] environ(long pid) {
        String dir = "/proc/" + pid;
        if (!new File(dir).exists()) {
            return null;
        }
        try {
            return Files.readAllBytes(Path.of(dir, "environ"));
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * @param pid a process whose environment has just read as nothing at all
     * @return whether it is neither a zombie nor a kernel thread (a child of kthreadd, process 2):
     *     it may be between the two halves of an exec
     */
    private static boolean mayBeInExec(long pid) {
        if (pid == 2) {
            return false;
        }
        try {
            // "pid (comm) S ppid ...": the state and the parent follow the last ')'
            String stat =
                    Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return f.length > 1 && !f[0].equals("Z") && !f[0].equals("X") && !f[1].equals("2");
        } catch (IOException | RuntimeException e) {
            return false; // gone, another user's, or not read as expected
        }
    }

    /**
     * @param env a process's environment, from {@code /proc/PID/environ} (entries separated by NUL
     *     bytes, read as bytes: they may be in any encoding); empty for a zombie
     * @return the first of the tags that is an entry of it; null when it carries none
     */
    private static @Nullable Tag tagOf(byte[] env, Map<String, Tag> byEntry) {
        // one byte a char, whatever the encoding: the entries are compared byte for byte
        String text = new String(env, StandardCharsets.ISO_8859_1);
        for (int at = text.indexOf(ENTRY_START); at >= 0; at = text.indexOf(ENTRY_START, at + 1)) {
            if (at > 0 && text.charAt(at - 1) != '\0') {
                continue; // inside another entry's value
            }
            int end = text.indexOf('\0', at);
            Tag t = byEntry.get(end < 0 ? text.substring(at) : text.substring(at, end));
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    /**
     * @return whether the id is a process's, not one of its other threads' (which {@code /proc}
     *     answers for too, under ids it does not list)
     */
    private static boolean isProcess(long pid) {
        try {
            for (String line :
                    Files.readAllLines(PROC.resolve(Long.toString(pid)).resolve("status"))) {
                if (line.startsWith("Tgid:")) {
                    return Long.parseLong(line.substring(5).strip()) == pid;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /**
     * Waits until every process of the tree has ended, polling: a descendant is not a child of this
     * JVM, so nothing wakes a thread when it exits. Not {@link ProcessHandle#onExit()}, which for a
     * process that is not a child polls every 300 ms and more, and counts a zombie as alive: an
     * orphan killed with the tree is a zombie until init reaps it, which some inits (those of
     * containers and micro-VMs) do only every second or two, or never.
     *
     * @return whether the thread was interrupted while waiting (the wait goes on regardless)
     */
    private static boolean awaitExit(Map<Long, ProcessHandle> tree, Duration limit) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + limit.toNanos();
        long pauseNanos = FIRST_POLL_NANOS;
        while (true) {
            if (tree.values().stream().allMatch(ProcessRunner::ended)) {
                return interrupted;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return interrupted;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(pauseNanos, left));
            } catch (InterruptedException e) {
                interrupted = true; // a second interrupt: keep waiting, the caller restores the flag
            }
            pauseNanos = Math.min(2 * pauseNanos, LAST_POLL_NANOS);
        }
    }

    /**
     * @param h a process
     * @return whether it has ended: gone, or a zombie (it has exited, and only waits for its
     *     parent, often init, to collect its exit status; no signal can reach it any more)
     */
    private static boolean ended(ProcessHandle h) {
        return !h.isAlive() || isZombie(h.pid());
    }

    /**
     * @return whether /proc says the process is a zombie (state Z, or X while it is being removed);
     *     false without /proc (not Linux) or when it has just gone, which {@link
     *     ProcessHandle#isAlive()} then reports
     */
    private static boolean isZombie(long pid) {
        byte[] stat;
        try {
            // bytes, not text: the program's name, between parentheses, may be any bytes
            stat = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return false;
        }
        for (int i = stat.length - 1; i >= 0; i--) {
            if (stat[i] == ')') {
                // "pid (name) S ...": the state follows the name's closing parenthesis and a space
                boolean zombie = i + 2 < stat.length && (stat[i + 2] == 'Z' || stat[i + 2] == 'X');
                // the state is the main thread's: a program whose main thread ended while others
                // run shows Z too, and is not ended until its last thread is
                return zombie && threads(pid) <= 1;
            }
        }
        return false;
    }

    /** @return how many threads /proc lists for the process (0 when it is gone) */
    private static long threads(long pid) {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return tasks.count();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }
}
