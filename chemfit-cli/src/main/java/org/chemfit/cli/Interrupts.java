package org.chemfit.cli;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns Ctrl-C (SIGINT) or SIGTERM during a fit into an orderly stop: a shutdown hook interrupts
 * the fit's thread (running programs are killed by the terms that started them), waits until the
 * command has written what is finished, and kills any child process still alive. The JVM then
 * exits with 128 plus the signal's number, as the shell reports it: 130 after Ctrl-C (SIGINT),
 * 143 after SIGTERM (what SLURM sends at the end of an allocation).
 *
 * @implNote The hook runs on the JVM's shutdown thread; the flags it shares are volatile.
 */
final class Interrupts implements AutoCloseable {

    /** How long the hook waits for the results to be written before it lets the JVM end. */
    static final long WAIT_SECONDS = 60;

    private final Thread fitThread;
    private final PrintWriter err;
    private final CountDownLatch written = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean triggered;

    private Interrupts(Thread fitThread, PrintWriter err) {
        this.fitThread = fitThread;
        this.err = err;
        this.hook = new Thread(this::onShutdown, "chemfit-interrupt");
    }

    /**
     * @param fitThread the thread running the fit
     * @param err where to say what happens
     * @return the installed guard; close it when the fit is over
     */
    static Interrupts install(Thread fitThread, PrintWriter err) {
        Interrupts i = new Interrupts(fitThread, err);
        Runtime.getRuntime().addShutdownHook(i.hook);
        return i;
    }

    private void onShutdown() {
        triggered = true;
        err.println();
        err.println("interrupted: stopping the running terms and writing what is finished");
        err.flush();
        fitThread.interrupt();
        try {
            written.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        killChildren();
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
