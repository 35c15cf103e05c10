package org.chemfit.external;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Starts one program, waits for it without polling, and kills its whole process tree on a timeout
 * or an interrupt. Written by hand: no library covers killing a descendant tree with a grace period
 * on top of {@link ProcessHandle}. Once the tree is signalled, its end is awaited by polling every
 * few milliseconds (at most {@link #LAST_POLL_NANOS} apart): the descendants are not children of
 * this JVM, and nothing wakes a thread when they exit.
 */
final class ProcessRunner {

    private static final File DEV_NULL = new File("/dev/null");

    /** The first pause while waiting for a killed tree to end; it doubles up to {@link #LAST_POLL_NANOS}. */
    private static final long FIRST_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** The longest pause while waiting for a killed tree to end: how late its end may be noticed. */
    private static final long LAST_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private ProcessRunner() {}

    /** How a program ended. */
    record Result(int exitCode, boolean timedOut, long nanos) {
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
     *     and the interrupt flag is left cleared, as usual for this exception
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
        ProcessBuilder pb = new ProcessBuilder(argv)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(stdin == null ? DEV_NULL : stdin.toFile()))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        if (!env.isEmpty()) {
            pb.environment().putAll(env);
        }
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new StartException(startMessage(argv.get(0), env, e), e);
        }
        try {
            // Process.waitFor parks on the monitor that the JDK's reaper thread notifies when the child exits: no
            // polling.
            if (timeout == null) {
                int code = p.waitFor();
                return new Result(code, false, System.nanoTime() - t0);
            }
            if (p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return new Result(p.exitValue(), false, System.nanoTime() - t0);
            }
            killTree(p.toHandle(), grace);
            return new Result(exitCodeAfterKill(p), true, System.nanoTime() - t0);
        } catch (InterruptedException e) {
            killTree(p.toHandle(), grace);
            throw e;
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

    private static String startMessage(String program, Map<String, String> env, IOException e) {
        if (!program.contains("/")) {
            String path = env.getOrDefault("PATH", System.getenv("PATH"));
            if (findOnPath(program, path) == null) {
                return "program '" + program + "' not found on PATH (" + path + ")";
            }
        } else if (!Files.isExecutable(Path.of(program))) {
            return "program '" + program + "' does not exist or is not executable";
        }
        return "cannot start program '" + program + "': " + e.getMessage();
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
        boolean interrupted = Thread.interrupted();
        // Snapshot before the first signal: once a parent dies its children are re-parented and
        // can no longer be found through it.
        Map<Long, ProcessHandle> tree = new LinkedHashMap<>();
        collect(root, tree);
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
                interrupted |= awaitExit(tree, Duration.ofSeconds(5));
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return new ArrayList<>(tree.values());
    }

    private static void collect(ProcessHandle root, Map<Long, ProcessHandle> tree) {
        tree.putIfAbsent(root.pid(), root);
        root.descendants().forEach(h -> tree.putIfAbsent(h.pid(), h));
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
