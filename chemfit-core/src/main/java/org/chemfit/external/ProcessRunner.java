package org.chemfit.external;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Starts one program, waits for it without polling, and kills its whole process tree on a timeout
 * or an interrupt. Written by hand: no library covers killing a descendant tree with a grace period
 * on top of {@link ProcessHandle}. Once the tree is signalled, its end is awaited by polling every
 * few milliseconds (at most {@link #LAST_POLL_NANOS} apart): the descendants are not children of
 * this JVM, and nothing wakes a thread when they exit.
 *
 * <p>On Linux each program starts as the leader of a session of its own, through util-linux's
 * {@code setsid}, which calls {@code setsid()} and then executes the program in the same process
 * (no second process is started). A process the program starts stays in that session when its
 * parent exits and it is re-parented to init, where {@link ProcessHandle#descendants()} no longer
 * sees it: the session is what finds it, in {@code /proc}, to kill it with the tree after a timeout,
 * or after the program has exited ({@link #endSessions}). Only a process that starts a session of
 * its own ({@code setsid}, as a daemon does) leaves it.
 */
final class ProcessRunner {

    private static final File DEV_NULL = new File("/dev/null");

    /** The first pause while waiting for a killed tree to end; it doubles up to {@link #LAST_POLL_NANOS}. */
    private static final long FIRST_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** The longest pause while waiting for a killed tree to end: how late its end may be noticed. */
    private static final long LAST_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private static final Path PROC = Path.of("/proc");

    /**
     * util-linux's {@code setsid} (BusyBox's works alike), by which each program starts in a session
     * of its own; null where there is none or no {@code /proc} to find a session's members in.
     */
    private static final @Nullable String SETSID = findSetsid();

    /**
     * How long after the first of the sessions started {@link #sessionMembers} may look only at the
     * process ids handed out since then: long enough for every short program, far too short for the
     * kernel to hand out every id and come round to the same numbers again.
     */
    private static final long RECENT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private ProcessRunner() {}

    /**
     * How a program ended.
     *
     * @param exitCode the program's exit code
     * @param timedOut whether it was killed for its timeout
     * @param nanos how long it ran
     * @param session the id of the session it led, whose members {@link #endSessions} ends; 0 when it
     *     ran without a session of its own
     */
    record Result(int exitCode, boolean timedOut, long nanos, long session) {
        /** @return whether the program was ended by a signal (the JDK reports 128 + signal) */
        boolean killedBySignal() {
            return !timedOut && exitCode > 128 && exitCode < 128 + 65;
        }
    }

    /** The program could not be started. */
    static final class StartException extends IOException {
        private static final long serialVersionUID = 1L;

        StartException(String message, @Nullable Throwable cause) {
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
        String setsid = SETSID;
        String program = setsid == null ? null : launchable(argv.get(0), dir, env);
        List<String> command = argv;
        if (setsid != null && program != null) {
            command = new ArrayList<>(argv.size() + 2);
            command.add(setsid);
            command.add("--");
            command.add(program);
            command.addAll(argv.subList(1, argv.size()));
        }
        ProcessBuilder pb = new ProcessBuilder(command)
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
        long session = command == argv ? 0 : p.pid();
        try {
            // Process.waitFor parks on the monitor that the JDK's reaper thread notifies when the child exits: no
            // polling.
            int code;
            if (timeout == null) {
                code = p.waitFor();
            } else if (p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                code = p.exitValue();
            } else {
                killTree(p.toHandle(), session, t0, grace);
                return new Result(exitCodeAfterKill(p), true, System.nanoTime() - t0, session);
            }
            long nanos = System.nanoTime() - t0;
            if (session != 0 && (code == 126 || code == 127)) {
                String failed = setsidFailure(stderr);
                if (failed != null) {
                    throw new StartException("cannot start program '" + argv.get(0) + "': " + failed, null);
                }
            }
            return new Result(code, false, nanos, session);
        } catch (InterruptedException e) {
            killTree(p.toHandle(), session, t0, grace);
            throw e;
        }
    }

    /** @return the setsid to start programs with, or null */
    private static @Nullable String findSetsid() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")
                || !Files.isReadable(PROC.resolve("self/stat"))) {
            return null;
        }
        for (String s : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(s))) {
                return s;
            }
        }
        Path p = findOnPath("setsid", System.getenv("PATH"));
        return p == null ? null : p.toString();
    }

    /**
     * The program as setsid is to be given it, so that it runs what the JDK would have run: a program
     * named without a slash is looked up on this JVM's PATH, not the child's (whose PATH an
     * environment addition may change), as the JDK does.
     *
     * @return the program to hand to setsid, or null to start it without (it is not found, and the
     *     JDK's attempt to start it gives the usual error)
     */
    private static @Nullable String launchable(String program, Path dir, Map<String, String> env) {
        if (program.contains("/")) {
            Path p = dir.resolve(program);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? program : null;
        }
        Path found = findOnPath(program, System.getenv("PATH"));
        if (found == null) {
            return null;
        }
        return env.containsKey("PATH") ? found.toString() : program;
    }

    /**
     * @param stderr the program's standard error, where setsid says when it could not execute it
     * @return setsid's reason when it could not execute the program ("failed to execute ./x: No such
     *     file or directory": an interpreter that is missing), or null when the program ran
     */
    private static @Nullable String setsidFailure(Path stderr) {
        String first;
        try (var r = Files.newBufferedReader(stderr, StandardCharsets.UTF_8)) {
            first = r.readLine();
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
        return first != null && first.startsWith("setsid: ") ? first.substring("setsid: ".length()) : null;
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
        return killTree(root, 0, System.nanoTime(), grace);
    }

    /**
     * Kills a process, all its descendants and every process of the session it leads, re-parented
     * ones included, as {@link #killTree(ProcessHandle, Duration)} does.
     *
     * @param session the session the root leads, or 0 for none
     * @param started when the root was started, per {@link System#nanoTime()}
     */
    private static List<ProcessHandle> killTree(ProcessHandle root, long session, long started, Duration grace) {
        // Snapshot before the first signal: once a parent dies its children are re-parented and
        // can no longer be found through it.
        Map<Long, ProcessHandle> tree = new LinkedHashMap<>();
        collect(root, tree);
        Set<Long> sessions = session == 0 ? Set.of() : Set.of(session);
        for (Member m : sessionMembers(sessions, started)) {
            collect(m.process(), tree);
        }
        terminate(tree, sessions, started, grace);
        return new ArrayList<>(tree.values());
    }

    /** A process found in one of the sessions looked for. */
    record Member(ProcessHandle process, long session) {}

    /**
     * Ends every process still running in the sessions that programs led, once those programs have
     * exited: SIGTERM, the grace, then SIGKILL, as for a timed-out tree. Returns at once, after one
     * look at {@code /proc}, when no process is left.
     *
     * @param sessions the sessions ({@link Result#session()}; 0 is ignored)
     * @param started when the first of their programs started, per {@link System#nanoTime()}
     * @param grace the time between SIGTERM and SIGKILL
     * @return per session, how many processes were still running in it
     */
    static Map<Long, Integer> endSessions(Set<Long> sessions, long started, Duration grace) {
        List<Member> left = sessionMembers(sessions, started);
        if (left.isEmpty()) {
            return Map.of();
        }
        Map<Long, Integer> counts = new LinkedHashMap<>();
        Map<Long, ProcessHandle> tree = new LinkedHashMap<>();
        for (Member m : left) {
            counts.merge(m.session(), 1, Integer::sum);
            collect(m.process(), tree);
        }
        terminate(tree, sessions, started, grace);
        return counts;
    }

    /**
     * SIGTERM to every process of the tree, the grace (cut short once all have ended), then SIGKILL
     * to whatever is left, descendants and session members that appeared meanwhile included.
     * Preserves the caller's interrupt status while it waits.
     */
    private static void terminate(Map<Long, ProcessHandle> tree, Set<Long> sessions, long started, Duration grace) {
        boolean interrupted = Thread.interrupted();
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
                for (Member m : sessionMembers(sessions, started)) {
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
                interrupted |= awaitExit(tree, Duration.ofSeconds(5));
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void collect(ProcessHandle root, Map<Long, ProcessHandle> tree) {
        tree.putIfAbsent(root.pid(), root);
        root.descendants().forEach(h -> tree.putIfAbsent(h.pid(), h));
    }

    /**
     * Finds the processes still running (not zombies) in the given sessions, other than their
     * leaders. Every member of a session was started after its leader, so while the kernel has not
     * come round to the same process ids again only the ids handed out since the first leader need
     * a look, which after a short program are few: {@code /proc/loadavg} tells the last one handed
     * out, and how many tasks there are. Otherwise, or when that range holds more ids than there are
     * tasks, every process in {@code /proc} is looked at.
     *
     * @param sessions the session ids (the leaders' process ids)
     * @param started when the first leader started, per {@link System#nanoTime()}
     * @return the members found
     */
    static List<Member> sessionMembers(Set<Long> sessions, long started) {
        List<Member> found = new ArrayList<>();
        long low = Long.MAX_VALUE;
        long high = 0;
        for (long s : sessions) {
            if (s > 0) {
                low = Math.min(low, s);
                high = Math.max(high, s);
            }
        }
        if (high == 0) {
            return found;
        }
        long[] load = lastPidAndTasks();
        if (load != null && System.nanoTime() - started < RECENT_NANOS && load[0] >= high && load[0] - low <= load[1]) {
            for (long pid = low + 1; pid <= load[0]; pid++) {
                consider(pid, sessions, found);
            }
            return found;
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC)) {
            for (Path p : procs) {
                String name = p.getFileName().toString();
                if (!name.isEmpty() && name.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    consider(Long.parseLong(name), sessions, found);
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            // no /proc: nothing to find
        }
        return found;
    }

    /**
     * @return the last process id handed out and the number of tasks (threads included), from
     *     {@code /proc/loadavg} ("0.20 0.18 0.12 1/80 11206"), or null when it cannot be read
     */
    private static long @Nullable [] lastPidAndTasks() {
        try {
            String[] f = Files.readString(PROC.resolve("loadavg"), StandardCharsets.US_ASCII)
                    .strip()
                    .split(" ");
            String tasks = f[3].substring(f[3].indexOf('/') + 1);
            return new long[] {Long.parseLong(f[4]), Long.parseLong(tasks)};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Adds the process to found when it runs in one of the sessions and is not their leader. */
    private static void consider(long pid, Set<Long> sessions, List<Member> found) {
        if (sessions.contains(pid)) {
            return;
        }
        long session = sessionOf(pid);
        if (session <= 0 || !sessions.contains(session) || !isProcess(pid)) {
            return;
        }
        ProcessHandle.of(pid).ifPresent(h -> {
            // the id may have been handed to another process between the two looks
            if (sessionOf(pid) == session) {
                found.add(new Member(h, session));
            }
        });
    }

    /**
     * @return the session of a running process, from {@code /proc/PID/stat}; -1 when it is gone or
     *     a zombie
     */
    private static long sessionOf(long pid) {
        byte[] stat;
        try {
            stat = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("stat"));
        } catch (IOException e) {
            return -1;
        }
        int i = stat.length - 1;
        while (i >= 0 && stat[i] != ')') {
            i--;
        }
        // "pid (name) S ppid pgrp session ...": the fields after the name's closing parenthesis
        String[] f = new String(stat, i + 1, stat.length - i - 1, StandardCharsets.US_ASCII)
                .strip()
                .split(" ", 5);
        if (f.length < 5 || f[0].equals("Z") || f[0].equals("X")) {
            return -1;
        }
        try {
            return Long.parseLong(f[3]);
        } catch (NumberFormatException e) {
            return -1;
        }
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
