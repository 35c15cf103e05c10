package org.chemfit.cli;

import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Turns Ctrl-C (SIGINT), SIGTERM or SIGHUP during a fit or a worker into an orderly stop: a
 * shutdown hook interrupts the command's thread (running programs are killed by the terms that
 * started them, each with its kill grace), waits until the command has written what is finished (a
 * worker: until its running terms have ended), and kills any child process still alive. The JVM
 * then exits with 128 plus the signal's number, as the shell reports it: 130 after Ctrl-C
 * (SIGINT), 143 after SIGTERM (what SLURM sends at the end of an allocation), 129 after SIGHUP (the
 * terminal closed). The message names the cause: {@code interrupted: ...} after Ctrl-C, {@code
 * stopped by SIGTERM: ...} after SIGTERM, {@code stopped by SIGHUP: ...} after SIGHUP.
 *
 * @implNote The hook runs on the JVM's shutdown thread; the flags it shares are volatile.
 */
final class Interrupts implements AutoCloseable {

    /**
     * How long the hook waits for the results to be written before it lets the JVM end, beyond the
     * longest kill grace a running program is given ({@link #allowing}): 60 s. The system property
     * {@code chemfit.interrupt.waitSeconds} sets another, for tests that show the grace is given
     * whatever this wait.
     */
    static final long WAIT_SECONDS = Math.max(0, Long.getLong("chemfit.interrupt.waitSeconds", 60));

    private final Thread fitThread;
    private final PrintWriter err;
    /** What the hook says it does, after the cause. */
    private final String doing;
    /** What the hook says is left undone when it gives up waiting. */
    private final String undone;

    private final CountDownLatch written = new CountDownLatch(1);
    private final Thread hook;
    /** How long the hook waits, in seconds: {@link #WAIT_SECONDS} and the longest kill grace. */
    private volatile long waitSeconds = WAIT_SECONDS;
    /** The longest kill grace of a program the command may run, in whole seconds (0 when not given). */
    private volatile long graceSeconds;
    /** When the orderly stop began ({@link System#nanoTime}), for what a second Ctrl-C says is left. */
    private volatile long stopBegan;

    private volatile boolean triggered;

    /**
     * The signal that stopped the command, {@code "TERM"} or {@code "HUP"}, set by its watcher
     * before the JVM's own handler starts the shutdown hooks; null for Ctrl-C.
     */
    private static volatile @Nullable String stoppedBy;

    /** 128 + 1, the shell's code for a process ended by SIGHUP, as the JVM's handler ends it. */
    static final int HUNG_UP = 129;

    /** Set by a hook once it has said why the command stops, before it interrupts the command's thread. */
    private static volatile boolean announced;

    /**
     * The stream of the guard whose hook has begun the orderly stop, for what a second Ctrl-C
     * says; null until then.
     */
    private static volatile @Nullable Interrupts stopping;

    static {
        watch("TERM", () -> {
            stoppedBy = "TERM";
            return false;
        });
        // the terminal closed (a logout, a dropped ssh connection) with the fit in it
        watch("HUP", () -> {
            stoppedBy = "HUP";
            return false;
        });
        // a second Ctrl-C while the first one's stop is under way (the JVM ignores it) is answered
        watch("INT", () -> {
            Interrupts i = stopping;
            if (i == null) {
                return false;
            }
            long left = Math.max(0, i.waitSeconds - TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - i.stopBegan));
            i.err.println(
                    i.written.getCount() == 0
                            ? "still stopping: what is finished is written, the process ends in a moment"
                            : "still " + i.doing + ", each running program within its kill grace"
                                    + (i.graceSeconds > 0 ? " (" + i.graceSeconds + " s at most)" : "")
                                    + "; what is finished is waited for " + left + " s more at most;"
                                    + " kill -9 ends the process at once");
            i.err.flush();
            return true;
        });
    }

    private Interrupts(Thread fitThread, PrintWriter err, String doing, String undone) {
        this.fitThread = fitThread;
        this.err = err;
        this.doing = doing;
        this.undone = undone;
        this.hook = new Thread(this::onShutdown, "chemfit-interrupt");
    }

    /**
     * @param fitThread the thread running the fit
     * @param err where to say what happens
     * @return the installed guard; close it when the fit is over
     */
    static Interrupts install(Thread fitThread, PrintWriter err) {
        return install(
                fitThread,
                err,
                "stopping the running terms and writing what is finished",
                "results.json and the plots are not written; every evaluation that finished is in the journal,"
                        + " and `chemfit fit` with the same job resumes the fit");
    }

    /**
     * @param thread the thread to interrupt (a fit's, a worker's)
     * @param err where to say what happens
     * @param doing what the command does once interrupted, said after the cause
     * @return the installed guard; close it when the command has stopped what it runs
     */
    static Interrupts install(Thread thread, PrintWriter err, String doing) {
        return install(thread, err, doing, "the programs still running are killed");
    }

    private static Interrupts install(Thread thread, PrintWriter err, String doing, String undone) {
        Interrupts i = new Interrupts(thread, err, doing, undone);
        Runtime.getRuntime().addShutdownHook(i.hook);
        return i;
    }

    /**
     * Lets the hook wait for the longest kill grace of the programs the command runs, beyond
     * {@link #WAIT_SECONDS}: each running program is given its grace between SIGTERM and SIGKILL
     * before what is finished can be written.
     *
     * @param longestGrace the longest kill grace of a program the command may run
     * @return this guard
     */
    Interrupts allowing(Duration longestGrace) {
        long grace = longestGrace.getSeconds() + (longestGrace.getNano() > 0 ? 1 : 0);
        graceSeconds = Math.max(0, grace);
        waitSeconds = WAIT_SECONDS + graceSeconds;
        return this;
    }

    private void onShutdown() {
        triggered = true;
        stopBegan = System.nanoTime();
        stopping = this; // before the words: a second Ctrl-C right after them is answered
        err.println();
        String by = stoppedBy;
        err.println((by == null ? "interrupted" : "stopped by SIG" + by) + ": " + doing);
        err.flush();
        announced = true;
        fitThread.interrupt();
        long wait = waitSeconds;
        try {
            if (!written.await(wait, TimeUnit.SECONDS)) {
                err.println("gave up after " + wait + " s of " + doing + ": " + undone);
                err.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        killChildren();
    }

    /**
     * Puts a handler in front of the JVM's own handler of a signal (SIGTERM, SIGINT, SIGHUP) that first
     * runs {@code seen}, then hands the signal on unless {@code seen} answered it, so the shutdown
     * (the exit code, the hooks) stays the JVM's. A shutdown hook cannot learn which signal
     * started it and the Java platform has no public signal API, so this uses the {@code
     * sun.misc.Signal} API of the {@code jdk.unsupported} module, by reflection so that javac
     * raises no warning about it. Where it is unavailable nothing changes but the messages (the stop
     * then says {@code interrupted}, and a second Ctrl-C nothing). Under {@code -Xrs} the JVM
     * handles none of these signals: each ends the process at once, without the orderly stop. A
     * signal the process was started ignoring (SIGINT for a program started with {@code &} from a
     * script) stays ignored.
     *
     * @param name the signal's name without SIG
     * @param seen run first; true when it answered the signal itself (it is not handed on)
     */
    private static void watch(String name, java.util.function.BooleanSupplier seen) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object sig = signal.getConstructor(String.class).newInstance(name);
            Method handle = signal.getMethod("handle", signal, handler);
            Method handleIt = handler.getMethod("handle", signal);
            java.util.concurrent.atomic.AtomicReference<Object> previous =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Object watcher = Proxy.newProxyInstance(
                    Interrupts.class.getClassLoader(), new Class<?>[] {handler}, (proxy, m, args) -> {
                        if (m.equals(handleIt)) {
                            if (seen.getAsBoolean()) {
                                return null;
                            }
                            try {
                                handleIt.invoke(previous.get(), args);
                            } catch (ReflectiveOperationException | RuntimeException e) {
                                // The previous handler was a native one (it cannot be called from
                                // Java): end as the JVM's own handler does, with 128 + the signal.
                                Runtime.getRuntime().exit(exitCode(ExitCodes.INTERRUPTED));
                            }
                            return null;
                        }
                        return switch (m.getName()) {
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> "chemfit SIG" + name + " watcher";
                        };
                    });
            previous.set(handle.invoke(null, sig, watcher));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // No signal API here: the stop still works, only its messages are plainer.
        }
    }

    /** Kills every process this JVM started that is still alive, and their children. */
    static void killChildren() {
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroy);
        ProcessHandle.current().descendants().forEach(p -> {
            try {
                p.onExit().get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        });
    }

    /**
     * @return whether a guard has said why the command stops ({@code interrupted: ...} or
     *     {@code stopped by SIGTERM: ...}, {@code stopped by SIGHUP: ...}), so that the command need not
     *     say it again
     */
    static boolean announced() {
        return announced;
    }

    /**
     * The code the command exits with, in agreement with the JVM's own after SIGTERM or SIGHUP:
     * the JVM's handler ends the process with 128 + the signal once the shutdown hooks have run,
     * while the command, its results written, returns 130 for any interruption; whichever exit
     * comes first ends the process, so both must give the same code.
     *
     * @param code the command's code
     * @return {@link ExitCodes#TERMINATED} (143) or {@link #HUNG_UP} (129) in place of {@link
     *     ExitCodes#INTERRUPTED} once SIGTERM or SIGHUP was seen, else the code
     */
    static int exitCode(int code) {
        String by = stoppedBy;
        if (code != ExitCodes.INTERRUPTED || by == null) {
            return code;
        }
        return by.equals("TERM") ? ExitCodes.TERMINATED : HUNG_UP;
    }

    /** @return whether the user interrupted the fit */
    boolean triggered() {
        return triggered;
    }

    /** Tells the hook that what is finished has been written. */
    void written() {
        written.countDown();
    }

    @Override
    public void close() {
        written.countDown();
        if (!triggered) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down: the hook runs and finds the results written.
            }
        }
    }
}
