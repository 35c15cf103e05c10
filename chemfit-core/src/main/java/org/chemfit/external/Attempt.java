package org.chemfit.external;

import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.TermFailedException;
import org.chemfit.support.Reasons;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of one evaluation of a {@link FileBasedQuantityComputer}: a pipeline of named
 * steps, each a method of its own, run in this order:
 * {@link Step#CREATE create} the run directory, {@link Step#RENDER render} the templates and
 * write them, {@link Step#STAGE stage} (link or copy) files, call the {@link Step#INPUT input}
 * writers, {@link Step#RUN run} the commands, {@link Step#WAIT wait} for promised files,
 * {@link Step#PARSE parse} the outputs; then the keep policy keeps or deletes the directory.
 * A step that fails writes {@code failure.json} and throws a {@link TermFailedException} naming
 * the step; an interrupt throws an {@link EvaluationCancelledException}.
 *
 * <pre>{@code
 * Quantities q = new Attempt(computer, params, ctx, 0).run();
 * }</pre>
 *
 * @implNote Confined to the thread that calls {@link #run()}; one instance runs once.
 */
final class Attempt {

    private static final Logger LOG = LoggerFactory.getLogger(FileBasedQuantityComputer.class);

    /** Lines of each output file's end shown in a failure message ({@code failure.json} keeps more). */
    private static final int MESSAGE_TAIL_LINES = 20;

    /**
     * How long a command that caught a signal and stopped waits, before its failure is reported,
     * for the interrupt of its own thread: the signal of a Ctrl-C reaches the fit and its programs
     * at once, a program that catches it (GROMACS's mdrun) exits a moment before the fit's thread is
     * interrupted, and its run is then cancelled with the fit rather than failed.
     */
    static final long SIGNAL_SETTLE_MILLIS = 2000;

    /**
     * The signals that stop a whole fit from outside, sent to its process group (a terminal's
     * Ctrl-C, a hang-up, a batch system's SIGTERM): a command killed by one of them waits {@link
     * #SIGNAL_SETTLE_MILLIS} for the fit's interrupt before its failure is reported. Not SIGQUIT
     * (Ctrl-\): the JVM takes it for a thread dump and goes on, so a command it killed failed.
     */
    private static final java.util.Set<Integer> STOPPING_SIGNALS = java.util.Set.of(1, 2, 15);

    /** The steps of an attempt, named as in messages and {@code failure.json}. */
    enum Step {
        /** Create the run directory. */
        CREATE,
        /** Render every template, then write the rendered files. */
        RENDER,
        /** Link or copy the static files. */
        STAGE,
        /** Call the input writers. */
        INPUT,
        /** Run the commands, one after the other. */
        RUN,
        /** Wait for the files the programs promise. */
        WAIT,
        /** Parse the outputs into quantities. */
        PARSE;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The rendered templates, in the order of their sources, and the rendered standard inputs. */
    private record Rendered(List<String> files, List<String> stdin) {}

    private final FileBasedQuantityComputer computer;
    private final Parameters params;
    private final EvaluationContext ctx;
    private final String term;
    private final int attempt;
    private final long startNanos = System.nanoTime();
    private final Instant started = Instant.now();
    private final Map<String, Object> timings = new LinkedHashMap<>();
    private final List<Map<String, Object>> commandLog = new ArrayList<>();
    /** The tags of the commands that ran, with each command and its entry in the command log. */
    private final Map<ProcessRunner.Tag, Ran> tagged = new LinkedHashMap<>();
    /** The commands that left processes running, warned of once the run directory is released. */
    private final List<LeftRunning> leftRunning = new ArrayList<>();
    /** When the first command started, per {@link System#nanoTime()}. */
    private long commandsStarted;

    private @Nullable RunDirectory dir;
    private Step step = Step.CREATE;
    private @Nullable List<String> argv;
    private @Nullable Integer exitCode;
    private boolean timedOut;
    private @Nullable Path stdoutFile;
    private @Nullable Path stderrFile;

    /**
     * @param computer the term's configuration
     * @param params the parameters
     * @param ctx the evaluation's context
     * @param attempt the attempt number, 0 for the first
     */
    Attempt(FileBasedQuantityComputer computer, Parameters params, EvaluationContext ctx, int attempt) {
        this.computer = computer;
        this.params = params;
        this.ctx = ctx;
        this.term = computer.name != null ? computer.name : ctx.name();
        this.attempt = attempt;
    }

    /**
     * Runs every step.
     *
     * @return the parsed quantities
     * @throws TermFailedException when a step fails
     * @throws EvaluationCancelledException when the thread is interrupted
     */
    Quantities run() {
        if (Thread.currentThread().isInterrupted()) {
            throw new EvaluationCancelledException("external term '" + term + "' was cancelled before it started");
        }
        createRunDirectory();
        try {
            long t = System.nanoTime();
            Rendered rendered = render();
            writeTemplates(rendered.files());
            timings.put("render_seconds", (System.nanoTime() - t) / 1e9);
            t = System.nanoTime();
            stageFiles();
            callInputWriters();
            timings.put("stage_seconds", (System.nanoTime() - t) / 1e9);
            runCommands(rendered.stdin());
            awaitPromisedFiles();
            endLeftProcesses();
            Quantities q = parseOutputs();
            finish(RunDirectory.Outcome.SUCCEEDED);
            return q;
        } catch (TermFailedException | EvaluationCancelledException e) {
            throw e;
        } catch (RuntimeException e) {
            throw fail(Reasons.of(e), false, e);
        } catch (Error e) {
            // not ours to wrap (an AssertionError, a StackOverflowError in a user's hook), but the run
            // directory is reported and cleaned up like that of any other failure
            endLeftProcesses();
            writeReport(Reasons.of(e), output(), false, false);
            finish(RunDirectory.Outcome.FAILED);
            throw e;
        }
    }

    /** Step create: a run directory of this attempt's own. */
    private void createRunDirectory() {
        step = Step.CREATE;
        try {
            dir = RunDirectory.create(computer.workDirectory, term, ctx.evaluationId(), ctx.path(), attempt);
        } catch (IOException e) {
            throw fail(
                    "cannot create a run directory under " + computer.workDirectory + ": "
                            + Reasons.of(e, computer.workDirectory),
                    false,
                    e);
        }
    }

    /** Step render: every template is rendered before anything is written or run. */
    private Rendered render() {
        step = Step.RENDER;
        if (computer.templates.sources().isEmpty()
                && computer.stdinTemplates.sources().isEmpty()) {
            return new Rendered(List.of(), List.of());
        }
        Map<String, Object> model;
        try {
            model = computer.templateModel(params);
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage(), false, null);
        }
        List<String> known = computer.templateNames(params);
        try {
            return new Rendered(computer.templates.render(model, known), computer.stdinTemplates.render(model, known));
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage(), false, e);
        }
    }

    /** Step render, continued: the rendered files are written. */
    private void writeTemplates(List<String> rendered) {
        for (int i = 0; i < rendered.size(); i++) {
            String written = computer.templates.sources().get(i).target();
            Path target = dir().path().resolve(written);
            try {
                prepareFolderOf(target, written);
                writeText(target, rendered.get(i));
                Set<PosixFilePermission> x = computer.templateExecuteBits.get(written);
                if (x != null) {
                    addPermissions(target, x);
                }
            } catch (IOException e) {
                throw fail("cannot write '" + written + "': " + Reasons.of(e), false, e);
            }
        }
    }

    /**
     * Gives a rendered template the execute bits of its source, as a copy of it would have; on a
     * file system without POSIX permissions, where every file may be run, it does nothing.
     *
     * @param target the rendered file
     * @param bits the bits to add to those it was written with
     * @throws IOException when the permissions cannot be read or set
     */
    private static void addPermissions(Path target, Set<PosixFilePermission> bits) throws IOException {
        Set<PosixFilePermission> now;
        try {
            now = Files.getPosixFilePermissions(target);
        } catch (UnsupportedOperationException e) {
            return;
        }
        if (!now.containsAll(bits)) {
            Set<PosixFilePermission> with = EnumSet.noneOf(PosixFilePermission.class);
            with.addAll(now);
            with.addAll(bits);
            Files.setPosixFilePermissions(target, with);
        }
    }

    /**
     * Writes text as UTF-8, as {@link Files#writeString} does, through {@link FileOutputStream},
     * the stream the JDK opens for every program's redirected output: the same system calls
     * (open, creating or truncating, write, close) through far less Java, which counts in a term
     * that runs a few hundred times before its code is compiled. Text that is not all ASCII, and a
     * file that cannot be opened, go to {@link Files#writeString}: its check of the text (an
     * unpaired surrogate is refused) and its exceptions, which name what is wrong.
     */
    static void writeText(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        // all ASCII when the bytes read back as the text; an unpaired surrogate was encoded as '?'
        if (bytes.length != text.length() || !new String(bytes, StandardCharsets.ISO_8859_1).equals(text)) {
            Files.writeString(target, text, StandardCharsets.UTF_8);
            return;
        }
        FileOutputStream out;
        try {
            out = new FileOutputStream(target.toFile());
        } catch (FileNotFoundException e) {
            Files.write(target, bytes);
            return;
        }
        try (out) {
            out.write(bytes);
        }
    }

    /** Step stage: static files are linked or copied. */
    private void stageFiles() {
        step = Step.STAGE;
        for (FileBasedQuantityComputer.Stage s : computer.stages) {
            Path target = dir().path().resolve(s.target());
            try {
                prepareFolderOf(target, s.target());
                if (s.link()) {
                    Files.createSymbolicLink(target, s.source());
                } else {
                    Files.copy(s.source(), target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            } catch (IOException e) {
                throw fail(
                        "cannot " + (s.link() ? "link" : "copy") + " '" + s.source() + "' to '" + s.target() + "': "
                                + Reasons.of(e),
                        false,
                        e);
            }
        }
    }

    /** Step input: the Java hooks write their files. */
    private void callInputWriters() {
        step = Step.INPUT;
        for (int i = 0; i < computer.inputWriters.size(); i++) {
            InputWriter w = computer.inputWriters.get(i);
            try {
                w.write(dir().path(), params);
            } catch (Exception e) {
                throw fail(described(w, "input writer", i) + " failed: " + Reasons.of(e), false, e);
            }
        }
    }

    /** Refuses a write whose folder leads out of the run directory through a symbolic link staged into it. */
    private void prepareFolderOf(Path target, String written) throws IOException {
        Path outside = dir().prepareFolderOf(target);
        if (outside != null) {
            throw fail(
                    "'" + written + "' would be written to " + outside
                            + ", outside the run directory, through a symbolic link; paths must stay inside the run directory",
                    false,
                    null);
        }
    }

    /** Step run: each command in turn, with its own environment, standard input and timeout. */
    private void runCommands(List<String> renderedStdin) {
        step = Step.RUN;
        Map<String, String> runEnv = computer.env;
        if (computer.privateTmpDir) {
            Path tmp = dir().path().resolve("tmp");
            try {
                Files.createDirectories(tmp);
            } catch (IOException io) {
                throw fail("cannot create the private TMPDIR " + tmp + ": " + Reasons.of(io, tmp), false, io);
            }
            runEnv = new LinkedHashMap<>(computer.env);
            runEnv.put("TMPDIR", tmp.toString());
        }
        for (int i = 0; i < computer.commands.size(); i++) {
            runCommand(i, runEnv, renderedStdin);
        }
    }

    /** Step run, one command: launched, waited for, its exit code checked. */
    private void runCommand(int i, Map<String, String> runEnv, List<String> renderedStdin) {
        List<Command> commands = computer.commands;
        Command c = commands.get(i);
        argv = c.isShell() ? c.arguments() : c.withLauncher(computer.launcher);
        exitCode = null;
        Map<String, String> e = runEnv;
        if (!c.env().isEmpty()) {
            e = new LinkedHashMap<>(runEnv);
            e.putAll(c.env());
        }
        Path out = dir().path().resolve(RunDirectory.programFile(commands.size(), i, "stdout"));
        stdoutFile = out;
        stderrFile = dir().path().resolve(RunDirectory.programFile(commands.size(), i, "stderr"));
        Path in = null;
        if (c.stdinOrNull() != null) {
            in = dir().path().resolve(RunDirectory.programFile(commands.size(), i, "stdin"));
            int template = computer.stdinTemplateOf[i];
            String text = template >= 0
                    ? renderedStdin.get(template)
                    : c.stdinOrNull().text();
            try {
                writeText(in, text);
            } catch (IOException io) {
                throw fail("cannot write the standard input of " + c + ": " + Reasons.of(io), false, io);
            }
        }
        Duration limit = c.timeoutOrNull() != null ? c.timeoutOrNull() : computer.timeout;
        ProcessRunner.Result r;
        if (tagged.isEmpty()) {
            commandsStarted = System.nanoTime();
        }
        try {
            r = ProcessRunner.run(argv, dir().path(), e, limit, computer.killGrace, out, stderrFile, in);
        } catch (ProcessRunner.Interrupted ie) {
            exitCode = ie.exitCode;
            Map<String, Object> log = new LinkedHashMap<>();
            log.put("command", argv);
            log.put("exit_code", ie.exitCode);
            log.put("timed_out", false);
            log.put("ended_before_interrupt", ie.endedBefore);
            log.put("seconds", ie.nanos / 1e9);
            commandLog.add(log);
            throw cancelled(ie);
        } catch (InterruptedException ie) {
            throw cancelled(ie);
        } catch (ProcessRunner.StartException se) {
            throw fail(se.getMessage(), false, se);
        } catch (IOException io) {
            throw fail("cannot run " + c + ": " + Reasons.of(io), false, io);
        }
        exitCode = r.exitCode();
        timedOut = r.timedOut();
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("command", argv);
        log.put("exit_code", r.exitCode());
        log.put("timed_out", r.timedOut());
        log.put("seconds", r.nanos() / 1e9);
        commandLog.add(log);
        ProcessRunner.Tag tag = r.tag();
        if (tag != null) {
            tagged.put(tag, new Ran(argv, log));
        }
        if (r.timedOut()) {
            throw fail(
                    "command '" + c + "' timed out after " + human(limit) + " and its process tree was killed"
                            + "; a run that needs longer needs a longer timeout"
                            + forced(r.forced())
                            + (c.isShell()
                                    ? ""
                                    : LammpsLog.emptyLogAfterKill(
                                            dir().path(), Objects.requireNonNull(argv, "set above"))),
                    true,
                    null);
        }
        if (r.exitCode() != 0) {
            boolean signal = r.killedBySignal();
            // mdrun exits with 1 (or 2) after a signal it caught; any other code is a failure of its own
            ProgramOutput.SignalStop stop = signal || (r.exitCode() != 1 && r.exitCode() != 2) ? null : signalStop();
            if (signal && STOPPING_SIGNALS.contains(r.exitCode() - 128)) {
                // a Ctrl-C (or a batch system's SIGTERM at the end of a job) reaches the whole
                // process group: the program dies of it a moment before the fit's thread is
                // interrupted, and its run is cut off with the fit, not failed
                awaitInterrupt(log);
            }
            if (stop != null) {
                awaitInterrupt(log);
                throw fail(
                        "command '" + c + "' was stopped by " + stop.signal() + " from outside the fit (the program"
                                + " said '" + stop.line() + "' and exited with code " + r.exitCode() + ")",
                        false,
                        null);
            }
            throw fail(
                    "command '" + c + "' exited with code " + r.exitCode()
                            + (signal ? " (" + signalNote(r.exitCode() - 128) + ")" : "")
                            + lammpsHint(c),
                    signal,
                    null);
        }
    }

    /**
     * @return what the last command said on its own stdout or stderr of a signal that it caught
     *     and that stopped it, or null. The declared log files are not read: one continued from an
     *     earlier run ({@code -cpi -append}) or copied from a template may hold such a line of a run
     *     that is not this one
     */
    private ProgramOutput.@Nullable SignalStop signalStop() {
        Path err = stderrFile;
        Path out = stdoutFile;
        if (err == null || out == null || dir == null) {
            return null;
        }
        return ProgramOutput.read(
                        dir.path(), List.of(String.valueOf(out.getFileName()), String.valueOf(err.getFileName())))
                .signalStop();
    }

    /**
     * Waits {@link #SIGNAL_SETTLE_MILLIS} for this thread's interrupt after a command that caught a
     * signal stopped, and cancels the run when it comes (the command's entry in {@code log} then
     * says that it had ended before the interrupt), or at once when the JVM is exiting (the
     * same signal reached it): the fit is being stopped, the run did not fail.
     *
     * @throws EvaluationCancelledException when the thread is interrupted or the JVM exits
     */
    private void awaitInterrupt(Map<String, Object> log) {
        try {
            if (ProcessRunner.jvmExiting()) {
                throw new InterruptedException("the JVM is exiting");
            }
            Thread.sleep(SIGNAL_SETTLE_MILLIS);
        } catch (InterruptedException ie) {
            // the command ended by itself, and then the fit's interrupt came
            log.put("ended_before_interrupt", true);
            throw cancelled(ie);
        }
    }

    /**
     * What an exit code above 128 means. Java's {@link Process} gives a program killed by a signal
     * the exit code 128 plus its number, as a shell does, and a program that called
     * {@code exit(139)} the same code: the code alone does not tell them apart, so the note says
     * what a shell would report rather than that the program was killed.
     *
     * @param signal the exit code less 128
     * @return "as a shell reports a program killed by signal 11, SIGSEGV" and the like
     */
    static String signalNote(int signal) {
        String name = switch (signal) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 3 -> "SIGQUIT";
            case 4 -> "SIGILL";
            case 5 -> "SIGTRAP";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 8 -> "SIGFPE";
            case 9 -> "SIGKILL";
            case 10 -> "SIGUSR1";
            case 11 -> "SIGSEGV";
            case 12 -> "SIGUSR2";
            case 13 -> "SIGPIPE";
            case 14 -> "SIGALRM";
            case 15 -> "SIGTERM";
            default -> null;
        };
        return "as a shell reports a program killed by signal " + signal + (name == null ? "" : ", " + name);
    }

    /**
     * @return for a command that runs LAMMPS with {@code -screen none} while the term does not
     *     declare its log file, the log's last error and a hint to declare it; else nothing
     */
    private String lammpsHint(Command c) {
        String log = c.isShell() ? null : LammpsLog.errorLog(Objects.requireNonNull(argv, "set by runCommand"));
        return log == null || !computer.undeclaredLog(log) ? "" : LammpsLog.failureHint(dir().path(), log);
    }

    /** Step wait: for the files the programs promise, when there are any. */
    private void awaitPromisedFiles() {
        if (computer.waitFiles.isEmpty()) {
            return;
        }
        step = Step.WAIT;
        long t = System.nanoTime();
        try {
            List<String> missing = dir().awaitFiles(
                            computer.waitFiles,
                            Objects.requireNonNull(computer.waitTimeout, "waitForFiles sets it with the files"));
            if (!missing.isEmpty()) {
                throw fail(
                        "files " + missing + " did not appear, or stayed empty, within " + human(computer.waitTimeout),
                        true,
                        null);
            }
        } catch (InterruptedException ie) {
            throw cancelled(ie);
        } catch (IOException io) {
            throw fail("cannot watch for " + computer.waitFiles + ": " + Reasons.of(io), false, io);
        }
        timings.put("wait_seconds", (System.nanoTime() - t) / 1e9);
    }

    /** Step parse: every parser in turn, their quantities merged. */
    private Quantities parseOutputs() {
        step = Step.PARSE;
        long t = System.nanoTime();
        Quantities q = Quantities.empty();
        Map<String, Integer> parserOf = new LinkedHashMap<>();
        for (int i = 0; i < computer.parsers.size(); i++) {
            OutputParser p = computer.parsers.get(i);
            Quantities part;
            try {
                part = p.parse(dir().path());
            } catch (OutputParseException pe) {
                OutputParseException all = p instanceof XvgParser x ? missingLegends(x, i) : null;
                OutputParseException reported = all != null ? all : pe;
                throw fail(reported.getMessage(), false, reported);
            } catch (Exception ex) {
                throw fail(described(p, "parser", i) + " failed: " + Reasons.of(ex), false, ex);
            } catch (OutOfMemoryError oom) {
                // what the parser held is let go: the term fails, and the fit goes on
                throw fail(
                        described(p, "parser", i) + " ran out of the memory left to Java ("
                                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB at most, " + oom.getMessage()
                                + ") reading its output; write less into it, or give Java more memory"
                                + " (CHEMFIT_JAVA_OPTS=-Xmx...)",
                        false,
                        null);
            }
            if (part == null) {
                throw fail(described(p, "parser", i) + " returned null instead of quantities", false, null);
            }
            for (String name : part.names()) {
                Integer other = parserOf.put(name, i);
                if (other != null) {
                    throw fail(
                            "quantity '" + name + "' is computed by two output parsers, "
                                    + described(computer.parsers.get(other), "parser", other) + " and "
                                    + described(p, "parser", i)
                                    + ": each quantity is computed by one parser (the second would replace the"
                                    + " first's value)",
                            false,
                            null);
                }
            }
            q = q.isEmpty() ? part : q.merge(part);
        }
        checkValueCounts(q, parserOf);
        timings.put("parse_seconds", (System.nanoTime() - t) / 1e9);
        return q;
    }

    /**
     * @param failed an xvg parser that has just failed
     * @param index its index among the parsers
     * @return when it failed because the file has no column of its legend, the failure that names
     *     that legend and those of the parsers after it that the file does not have either; else null
     */
    private @Nullable OutputParseException missingLegends(XvgParser failed, int index) {
        List<XvgParser> same = new ArrayList<>(List.of(failed));
        for (OutputParser p : computer.parsers.subList(index + 1, computer.parsers.size())) {
            if (p instanceof XvgParser x && x.file().equals(failed.file())) {
                same.add(x);
            }
        }
        return XvgParser.missingLegends(dir().path(), same);
    }

    /**
     * Step parse, continued: each quantity with a reference has as many values as its reference,
     * so that a mismatch fails this run, whose directory is still there, and not the loss after it.
     */
    private void checkValueCounts(Quantities q, Map<String, Integer> parserOf) {
        Map<String, Object> values = q.asMap();
        for (Map.Entry<String, Integer> e : computer.expectedValues.entrySet()) {
            String name = e.getKey();
            int expected = e.getValue();
            Object v = values.get(name);
            Integer parser = parserOf.get(name);
            if (v == null || parser == null) {
                throw fail(
                        "no output computes quantity '" + name + "', which has a reference; the outputs computed "
                                + (values.isEmpty() ? "nothing" : String.join(", ", values.keySet())),
                        false,
                        null);
            }
            OutputParser p = computer.parsers.get(parser);
            String file = OutputParsers.fileOf(p);
            String from = file != null ? " in " + file : " from " + described(p, "parser", parser);
            if (v instanceof String) {
                throw fail(
                        "quantity '" + name + "' is a label" + from + ", not a number; the reference has "
                                + values(expected),
                        false,
                        null);
            }
            int n = v instanceof double[] a ? a.length : 1;
            if (n != expected) {
                throw fail(
                        "quantity '" + name + "' " + (v instanceof double[] ? "has " + values(n) : "is a single number")
                                + from + ", the reference has " + values(expected)
                                + "; an output must have as many values as its reference",
                        false,
                        null);
            }
        }
    }

    /** @return "1 value", "3 values" */
    private static String values(int n) {
        return n == 1 ? "1 value" : n + " values";
    }

    /**
     * Ends the attempt with the keep policy; a kept directory is recorded in the context's
     * metadata under {@code run_directory}.
     */
    private void finish(RunDirectory.Outcome outcome) {
        if (release(outcome)) {
            ctx.put("run_directory", String.valueOf(dir));
        }
    }

    /**
     * Applies the keep policy, then warns of the processes the commands left running, naming the
     * run directory only when it is still there: in full on a command's first such run, then only
     * when the term's count of them reaches a power of ten.
     *
     * @return whether the directory is kept
     */
    private boolean release(RunDirectory.Outcome outcome) {
        if (dir == null) {
            return false;
        }
        boolean kept = dir.release(
                computer.keep,
                outcome == RunDirectory.Outcome.CANCELLED && !computer.keepCancelled
                        ? RunDirectory.Outcome.SUCCEEDED // removed as a successful run's is
                        : outcome,
                computer.runFiles);
        String where = kept ? "run directory " + dir : "its run directory was removed " + removedBy(outcome);
        for (LeftRunning l : leftRunning) {
            String command = String.join(" ", l.argv());
            LeftRunningWarnings.Note note = computer.leftRunningWarnings.count(term, command, l.programs());
            if (note == null) {
                continue; // counted, said at the next power of ten
            }
            if (!note.first()) {
                LOG.warn("{}", LeftRunningWarnings.counted(term, command, note));
                continue;
            }
            LOG.warn(
                    "external term '{}': command '{}' left {} running after it ended ({}); {} killed (evaluation {},"
                            + " {}){}",
                    term,
                    command,
                    l.count() == 1 ? "1 process" : l.count() + " processes",
                    String.join(", ", l.programs()),
                    l.count() == 1 ? "it was" : "they were",
                    ctx.evaluationId(),
                    where,
                    LeftRunningWarnings.after(note));
        }
        leftRunning.clear();
        return kept;
    }

    /** @return why the keep policy removes the directory of a run that ended so */
    private String removedBy(RunDirectory.Outcome outcome) {
        if (computer.keep == KeepPolicy.FAILED && outcome == RunDirectory.Outcome.SUCCEEDED) {
            return "under keep: failed, as the run succeeded";
        }
        if (computer.keep == KeepPolicy.FAILED && outcome == RunDirectory.Outcome.CANCELLED) {
            return "under keep: failed, as the run was cancelled";
        }
        return "under keep: " + computer.keep.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Ends the processes that the commands left running (those that carry a command's tag) once the
     * commands, and the wait for the files they promise, are over: the run directory is about to be
     * parsed, reported on and perhaps deleted. A process that exits on its own a moment later is
     * neither ended nor counted (see {@link ProcessRunner#endLeft}). Says so in the command's {@code
     * left_running} and {@code left_running_programs} in the failure report, and, once the keep
     * policy has decided on the directory, in a warning: in full on the command's first such run,
     * counted on later ones (see {@link LeftRunningWarnings}).
     */
    private void endLeftProcesses() {
        if (tagged.isEmpty()) {
            return;
        }
        Map<ProcessRunner.Tag, ProcessRunner.Left> left =
                ProcessRunner.endLeft(tagged.keySet(), commandsStarted, computer.killGrace);
        for (Map.Entry<ProcessRunner.Tag, ProcessRunner.Left> e : left.entrySet()) {
            Ran ran = Objects.requireNonNull(tagged.get(e.getKey()), "every tag has its entry");
            int n = e.getValue().count();
            ran.log().put("left_running", n);
            ran.log().put("left_running_programs", e.getValue().programs());
            leftRunning.add(new LeftRunning(ran.argv(), n, e.getValue().programs()));
        }
        tagged.clear();
    }

    /** A command that ran with a tag, and its entry in the command log. */
    private record Ran(List<String> argv, Map<String, Object> log) {}

    /** A command that left processes running, how many were killed, and their program names. */
    private record LeftRunning(List<String> argv, int count, List<String> programs) {}

    /** @return the failure, reported in {@code failure.json} and with the keep policy applied */
    private TermFailedException fail(@Nullable String message, boolean transientFailure, @Nullable Throwable cause) {
        endLeftProcesses();
        ProgramOutput output = output();
        Path err = stderrFile;
        String tail = output == null || err == null ? null : output.tails().get(String.valueOf(err.getFileName()));
        // under keep: none the directory is removed below: the message names no folder that is gone
        boolean kept = RunDirectory.keeps(computer.keep, RunDirectory.Outcome.FAILED);
        Path where = dir == null || !kept ? null : dir.path();
        String m = String.valueOf(message);
        String at = dir == null
                ? ""
                : (kept
                                ? " (run directory " + where + ")"
                                : " (its run directory was removed " + removedBy(RunDirectory.Outcome.FAILED) + ")")
                        + fullDisk(dir.path());
        // a message with an excerpt below its first line (an output that could not be parsed):
        // the run directory ends the first line, not the excerpt's last
        int firstLineEnd = m.indexOf('\n');
        if (firstLineEnd >= 0 && m.startsWith("; excerpt:", firstLineEnd - "; excerpt:".length())) {
            firstLineEnd -= "; excerpt:".length();
        }
        // a retried term says how many attempts ran: the message is of the last one
        String tries = attempt == 0
                ? ""
                : " on attempt " + (attempt + 1) + " of " + (computer.retries + 1)
                        + " (" + (attempt == 1 ? "the first" : "the " + attempt + " before it") + " failed too"
                        + (transientFailure && attempt >= computer.retries ? "; no retry is left" : "") + ")";
        String full = "external term '" + term + "' failed at step " + step + tries + ": "
                + (firstLineEnd < 0 ? m + at : m.substring(0, firstLineEnd) + at + m.substring(firstLineEnd))
                // an output that could not be parsed is shown once, in the parser's excerpt
                + (output == null
                        ? ""
                        : output.describe(
                                MESSAGE_TAIL_LINES, cause instanceof OutputParseException pe ? pe.excerpt() : null));
        TermFailedException e = new TermFailedException(
                full, term, ctx.index(), params, where, exitCode, tail, transientFailure, cause);
        writeReport(message, output, transientFailure, false);
        finish(RunDirectory.Outcome.FAILED);
        return e;
    }

    /** Below this many bytes free, a failed run's file system is said to be full. */
    private static final long FULL = 64 * 1024;

    /**
     * A program that filled its file system fails with whatever its writes made of it (a Python
     * traceback it could not write, an exit code of 1): the room left is the cause to tell.
     *
     * @param runDirectory the failed run's directory (which may be removed by now)
     * @return "; the file system of the run directory is full (0 bytes left), which may be why:
     *     ..." when less than {@link #FULL} is left for this user, else ""
     */
    private static String fullDisk(Path runDirectory) {
        for (Path p = runDirectory; p != null; p = p.getParent()) {
            if (Files.isDirectory(p)) {
                try {
                    long left = Files.getFileStore(p).getUsableSpace();
                    return left >= FULL
                            ? ""
                            : "; the file system of the run directory is full (" + left + " bytes left), which may"
                                    + " be why: free some room, or put the run directories on another file system";
                } catch (IOException e) {
                    return ""; // the room cannot be told: nothing is said of it
                }
            }
        }
        return "";
    }

    /** @return the cancellation, reported in {@code failure.json}; the interrupt flag is set again */
    private EvaluationCancelledException cancelled(InterruptedException ie) {
        String what = "external term '" + term + "' was cancelled at step " + step
                + (argv == null ? "" : " while running '" + String.join(" ", argv) + "'")
                + "; its process tree was killed";
        endLeftProcesses();
        writeReport(what, output(), false, true);
        String at = dir == null
                ? ""
                : release(RunDirectory.Outcome.CANCELLED)
                        ? " (run directory " + dir + ")"
                        : " (its run directory was removed " + removedBy(RunDirectory.Outcome.CANCELLED) + ")";
        Thread.currentThread().interrupt();
        return new EvaluationCancelledException(what + at, ie);
    }

    /**
     * @return what the last command wrote to its stdout, its stderr and the declared log files,
     *     or null when no command has started
     */
    private @Nullable ProgramOutput output() {
        Path err = stderrFile;
        if (err == null || dir == null) {
            return null;
        }
        List<String> files = new ArrayList<>();
        files.add(String.valueOf(
                Objects.requireNonNull(stdoutFile, "stdout is set with stderr").getFileName()));
        files.add(String.valueOf(err.getFileName()));
        files.addAll(computer.logFiles);
        return ProgramOutput.read(dir.path(), files);
    }

    /** Writes {@code failure.json}: the step, the message, the command and its output, the parameters, the timings. */
    private void writeReport(
            @Nullable String message, @Nullable ProgramOutput output, boolean transientFailure, boolean cancelled) {
        if (dir == null) {
            return;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("term", term);
        m.put("evaluation", ctx.evaluationId());
        m.put("term_path", ctx.path());
        m.put("attempt", attempt);
        // the run of the term by the failure policy's retries (a job's execution.retries), 0 for the first
        m.put("retry", ctx.metadata().getOrDefault("retries", 0));
        m.put("step", step.toString());
        m.put("message", message);
        m.put("cancelled", cancelled);
        m.put("transient", transientFailure);
        m.put("command", argv);
        m.put("exit_code", exitCode);
        m.put("timed_out", timedOut);
        m.put("error_lines", output == null ? List.of() : output.errorLines());
        // output is null unless both files are set
        Path err = stderrFile;
        Path out = stdoutFile;
        m.put(
                "stderr_tail",
                output == null || err == null ? null : output.tails().get(String.valueOf(err.getFileName())));
        m.put(
                "stdout_tail",
                output == null || out == null ? null : output.tails().get(String.valueOf(out.getFileName())));
        Map<String, String> logs = new LinkedHashMap<>();
        for (String f : computer.logFiles) {
            if (output != null && output.tails().containsKey(f)) {
                logs.put(f, output.tails().get(f));
            }
        }
        m.put("log_tails", logs);
        m.put("parameters", params.asNestedMap());
        m.put("run_directory", dir.toString());
        m.put("started", started.toString());
        timings.put("total_seconds", (System.nanoTime() - startNanos) / 1e9);
        m.put("timings", timings);
        m.put("commands", commandLog);
        dir.writeFailureReport(m);
    }

    /** @return the run directory, which the first step creates before any other step runs */
    private RunDirectory dir() {
        return Objects.requireNonNull(dir, "the run directory is created by the first step");
    }

    /**
     * @return "parser 'regex ...'" for a hook that says what it is, "parser 2" for one that would
     *     say only its Java class (a lambda, a class without its own {@code toString})
     */
    private static String described(Object hook, String kind, int index) {
        try {
            if (hook.getClass().getMethod("toString").getDeclaringClass() != Object.class) {
                return kind + " " + hook;
            }
        } catch (NoSuchMethodException e) {
            // every class has a public toString
        }
        return kind + " " + (index + 1);
    }

    /**
     * @param forced how many processes of a timed-out tree outlived the kill grace
     * @return what the message says of them: their files may be cut short, which a longer grace
     *     can prevent; "" when every process ended on SIGTERM
     */
    private String forced(int forced) {
        if (forced == 0) {
            return "";
        }
        return "; " + (forced == 1 ? "1 of its processes" : forced + " of its processes")
                + (computer.killGrace.isZero()
                        ? " got SIGKILL at once (kill_grace: 0), so files it was writing may be cut short"
                        : " did not end within the kill grace of " + human(computer.killGrace)
                                + " after SIGTERM and got SIGKILL, so files it was writing may be cut short"
                                + " (a longer kill_grace gives a program time to close them)");
    }

    private static String human(@Nullable Duration d) {
        return d == null ? "no limit" : d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
