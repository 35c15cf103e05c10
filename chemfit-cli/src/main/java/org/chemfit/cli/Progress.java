package org.chemfit.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Shows how a fit goes: on a terminal a bar redrawn in place (evaluations done out of the budget,
 * best loss so far, terms running, time left); otherwise a log line at a steady interval.
 *
 * <p>While the bar is shown, {@code System.err} (where the library's log goes) is routed through
 * it: a log line first erases the bar, is written on a line of its own, and the bar is drawn again
 * below it, so that a log line never lands on the bar's line.
 *
 * @implNote Reads the fit's counters from its own daemon thread; {@link #close()} stops it and
 *     prints the last state once.
 */
final class Progress implements AutoCloseable {

    /** How progress is shown. */
    enum Mode {
        /** A bar on a terminal, log lines otherwise. */
        AUTO,
        /** A bar redrawn in place. */
        BAR,
        /** A line at a steady interval. */
        LOG,
        /** Nothing. */
        NONE
    }

    private final PrintWriter err;
    /** The job's name, which each line of the log names: several fits may share one log. */
    private final String job;

    private final Mode mode;
    private final int budget;
    private final EvaluationLog log;
    private final IntSupplier running;
    private final long t0 = System.nanoTime();
    private final @Nullable ScheduledExecutorService ticker;
    private int lastWidth;
    private volatile boolean closing;
    /** {@code System.err} before the bar took it over, put back by {@link #close()}; null when not taken over. */
    private java.io.@Nullable PrintStream originalErr;

    private @Nullable LineStream logStream;
    /** What the fit waits for now, as ", waiting for ..." (a cluster's first worker), or "". */
    private volatile java.util.function.Supplier<String> waiting = () -> "";

    /**
     * @return whether standard error, where the bar is drawn, is a terminal: on Linux, what its descriptor
     *     leads to (a fit run as {@code chemfit fit job.yaml 2>fit.log} from a terminal logs lines into the
     *     file, not a bar of carriage returns); elsewhere Java's console, which Java 17 gives when standard
     *     input and output are a terminal, and Java 22 and later give always
     */
    static boolean errIsTerminal() {
        try {
            String to = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2"))
                    .toString();
            return to.startsWith("/dev/pts/") || to.startsWith("/dev/tty");
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            @SuppressWarnings("SystemConsoleNull") // Java 17's is null when no terminal is attached
            boolean console = System.console() != null;
            return console;
        }
    }

    Progress(
            PrintWriter err,
            String job,
            Mode requested,
            double intervalSeconds,
            int budget,
            EvaluationLog log,
            IntSupplier running) {
        this.err = err;
        this.job = job;
        this.mode = requested == Mode.AUTO ? (errIsTerminal() ? Mode.BAR : Mode.LOG) : requested;
        this.budget = budget;
        this.log = log;
        this.running = running;
        if (mode == Mode.NONE) {
            ticker = null;
            return;
        }
        ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chemfit-progress");
            t.setDaemon(true);
            return t;
        });
        ticker = exec;
        if (mode == Mode.BAR) {
            originalErr = System.err;
            logStream = new LineStream();
            System.setErr(new java.io.PrintStream(logStream, true, java.nio.charset.StandardCharsets.UTF_8));
        }
        long period = mode == Mode.BAR ? 250 : Math.max(50, (long) (intervalSeconds * 1000));
        // tick catches its own failures and the ticker is shut down on close: no one waits on the future
        var unused = exec.scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    /** @return the mode in effect (AUTO resolved) */
    Mode mode() {
        return mode;
    }

    /** Writes one line of log text on a line of its own: the bar is erased first and redrawn at the next tick. */
    private synchronized void printLog(String text) {
        if (lastWidth > 0) {
            err.print("\r" + " ".repeat(lastWidth) + "\r");
            lastWidth = 0;
        }
        err.print(text);
        err.flush();
    }

    /**
     * Prints a message on lines of its own, above the bar (redrawn at the next tick) or between
     * the progress lines.
     *
     * @param message the message, without a final line break
     */
    synchronized void note(String message) {
        printLog(message + System.lineSeparator());
    }

    /** Collects what is written to System.err into whole lines and hands each to {@link #printLog(String)}. */
    private final class LineStream extends java.io.OutputStream {
        private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

        @Override
        public void write(int b) {
            synchronized (Progress.this) {
                pending.write(b);
                if (b == '\n') {
                    flushLine();
                }
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (Progress.this) {
                for (int i = off; i < off + len; i++) {
                    write(b[i]);
                }
            }
        }

        void flushLine() {
            if (pending.size() > 0) {
                printLog(pending.toString(java.nio.charset.StandardCharsets.UTF_8));
                pending.reset();
            }
        }
    }

    /** Draws the bar or writes a progress line now (the ticker does this at its interval). */
    synchronized void tick() {
        try {
            if (closing) {
                // a tick the ticker began before close() stopped it: close() wrote the last line
                return;
            }
            if (mode == Mode.BAR && Interrupts.announced()) {
                // the stop's words ended the bar's line: a bar drawn again after them would take
                // the words of a second Ctrl-C onto its own line; close() draws the last one
                return;
            }
            if (mode == Mode.BAR) {
                String line = bar();
                err.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
                lastWidth = line.length();
            } else {
                err.println(logLine());
            }
            err.flush();
        } catch (RuntimeException e) {
            // A progress display must never stop a fit; the next tick tries again.
        }
    }

    /**
     * @param note what the fit waits for when it does, as {@code ", waiting for a worker to join"},
     *     else "": said at the end of each progress line
     * @return this
     */
    Progress waiting(java.util.function.Supplier<String> note) {
        this.waiting = note;
        return this;
    }

    String bar() {
        int done = log.count();
        int width = 24;
        int filled = budget == 0 ? 0 : (int) Math.min(width, (long) done * width / budget);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + done + "/" + budget
                + " evaluations | best " + best() + " | running " + running.getAsInt() + " | " + clock(elapsed())
                + " elapsed" + left(done) + waiting.get();
    }

    String logLine() {
        int done = log.count();
        return String.format(
                Locale.ROOT,
                "progress of %s: %d/%d evaluations, best loss %s, %d %s running, %s elapsed%s%s",
                job,
                done,
                budget,
                best(),
                running.getAsInt(),
                running.getAsInt() == 1 ? "term" : "terms",
                clock(elapsed()),
                left(done),
                waiting.get());
    }

    private String best() {
        double b = log.bestSoFar();
        return Double.isFinite(b) ? String.format(Locale.ROOT, "%.4g", b) : "-";
    }

    private double elapsed() {
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * @return the most time left: the rest of the budget at the rate of the evaluations that ran
     *     so far (those replayed from the journal by a resumed fit take no time and are not
     *     counted in the rate, though they count towards the budget)
     */
    private String left(int done) {
        int computed = log.computed();
        if (closing || computed == 0 || done >= budget) {
            return "";
        }
        return ", at most " + clock(secondsLeft(elapsed(), done, computed, budget)) + " left";
    }

    /**
     * @param elapsed seconds since the fit started
     * @param done evaluations done, replayed ones included
     * @param computed evaluations done that ran a term (at least 1)
     * @param budget the evaluation budget
     * @return the seconds the rest of the budget takes at the rate of the computed evaluations
     */
    static double secondsLeft(double elapsed, int done, int computed, int budget) {
        return elapsed / computed * Math.max(0, budget - done);
    }

    private static String clock(double s) {
        long sec = Math.round(s);
        return sec >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", sec / 3600, sec / 60 % 60, sec % 60)
                : String.format(Locale.ROOT, "%d:%02d", sec / 60, sec % 60);
    }

    @Override
    public synchronized void close() {
        if (ticker == null) {
            return;
        }
        ticker.shutdownNow();
        closing = true;
        if (originalErr != null) {
            System.setErr(originalErr);
            if (logStream != null) { // set with originalErr
                logStream.flushLine();
            }
        }
        if (mode == Mode.BAR) {
            String line = bar();
            err.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
            err.println();
        } else {
            err.println(logLine());
        }
        err.flush();
    }
}
