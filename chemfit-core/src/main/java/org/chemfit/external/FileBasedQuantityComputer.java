package org.chemfit.external;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.chemfit.TermFailedException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A quantity computer backed by an external program: it renders input files from templates with
 * the parameter values, stages static files, runs one or more commands in a fresh run directory,
 * and parses the output files into quantities.
 *
 * <pre>{@code
 * QuantityComputer fcc = FileBasedQuantityComputer.builder()
 *         .name("fcc")
 *         .workDirectory(Path.of("runs"))
 *         .template("in.lammps", Path.of("templates/in.fcc"))      // {{ lj.epsilon }}, {{ lj.sigma }}
 *         .command("lmp", "-in", "in.lammps", "-log", "log.lammps", "-screen", "none")
 *         .timeout(Duration.ofMinutes(5))
 *         .output(OutputParsers.lammpsThermo("energy", "log.lammps", "PotEng").last())
 *         .build();
 * ObjectiveFunction term = fcc.withLoss(LossFunctions.squaredError(Map.of("energy", -0.337)));
 * }</pre>
 *
 * <p>One evaluation goes: create the run directory (atomically, under a name unique across
 * threads and processes: {@code <term>-<evaluation>-<path>-p<pid>-<random>}); render every
 * template (an unknown name fails here, naming the template and line, before any program runs);
 * write them; stage files; call the {@link InputWriter}s; run each command with stdout and stderr
 * in {@code <n>.stdout}/{@code <n>.stderr} files (and its {@link StandardInput}, if it has one, in
 * {@code <n>.stdin}), checking its exit code; wait for the files the
 * programs promise; parse. A failure at any step writes {@code failure.json} into the run
 * directory and throws a {@link TermFailedException} with the same facts; once a command has
 * run, both carry the program's own error (known error lines of its stdout, stderr and the
 * {@linkplain Builder#logFile(String) declared log files} first, then the last lines of each).
 * Timeouts and kills by a
 * signal are transient and retried up to {@link Builder#retries(int)} times, each attempt in a new
 * directory.
 *
 * <p>A timeout kills the program's whole process tree (SIGTERM, then SIGKILL after
 * {@link Builder#killGrace(Duration)}). Interrupting the thread that runs {@code compute} (as a
 * scheduler does to cancel an evaluation) kills the tree too and throws an
 * {@link EvaluationCancelledException}, leaving the thread's interrupt flag set.
 *
 * <p>Failures: the builder's methods and {@code build()} throw {@link IllegalArgumentException}
 * for invalid settings (a path that is absolute or leaves the run directory, a template that does
 * not compile, naming file and line, a program not found on PATH, a missing staged file);
 * {@code compute} throws {@link TermFailedException} and {@link EvaluationCancelledException}.
 *
 * @implNote Immutable and thread-safe: one instance may run any number of evaluations at once;
 *     every evaluation has its own run directory and keeps its state on its own stack.
 */
public final class FileBasedQuantityComputer implements QuantityComputer {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String PID = Long.toString(ProcessHandle.current().pid());
    /** Lines of each output file's end shown in a failure message ({@code failure.json} keeps more). */
    private static final int MESSAGE_TAIL_LINES = 20;

    private static final Logger LOG = LoggerFactory.getLogger(FileBasedQuantityComputer.class);

    private final @Nullable String name;
    private final Path workDirectory;
    private final Templates templates;
    /** The standard-input templates, and for each command the index of its own among them (-1: none). */
    private final Templates stdinTemplates;
    private final int[] stdinTemplateOf;
    private final Map<String, Object> variables;
    private final List<Stage> stages;
    private final List<InputWriter> inputWriters;
    private final List<Command> commands;
    private final List<String> launcher;
    private final Map<String, String> env;
    private final @Nullable Duration timeout;
    private final Duration killGrace;
    private final List<String> waitFiles;
    private final List<String> logFiles;
    private final @Nullable Duration waitTimeout;
    private final List<OutputParser> parsers;
    private final KeepPolicy keep;
    private final int retries;
    private final boolean privateTmpDir;

    private record Stage(String target, Path source, boolean link) {
    }

    private FileBasedQuantityComputer(Builder b) {
        this.name = b.name;
        this.workDirectory = b.workDirectory.toAbsolutePath().normalize();
        this.templates = new Templates(b.templates);
        List<Templates.Source> stdinSources = new ArrayList<>();
        this.stdinTemplateOf = new int[b.commands.size()];
        for (int i = 0; i < b.commands.size(); i++) {
            StandardInput in = b.commands.get(i).stdinOrNull();
            stdinTemplateOf[i] = in != null && in.isTemplate() ? stdinSources.size() : -1;
            if (in != null && stdinTemplateOf[i] >= 0) {
                String source = in.sourceOrNull();
                String shown = source != null ? source : "standard input of command " + (i + 1);
                stdinSources.add(new Templates.Source(stdinName(b.commands.size(), i), shown, in.text()));
            }
        }
        this.stdinTemplates = new Templates(stdinSources);
        this.variables = Map.copyOf(b.variables);
        this.stages = List.copyOf(b.stages);
        this.inputWriters = List.copyOf(b.inputWriters);
        this.commands = List.copyOf(b.commands);
        this.launcher = List.copyOf(b.launcher);
        this.env = Map.copyOf(b.env);
        this.timeout = b.timeout;
        this.killGrace = b.killGrace;
        this.waitFiles = List.copyOf(b.waitFiles);
        this.logFiles = List.copyOf(b.logFiles);
        this.waitTimeout = b.waitTimeout;
        this.parsers = List.copyOf(b.parsers);
        this.keep = b.keep;
        this.retries = b.retries;
        this.privateTmpDir = b.privateTmpDir;
    }

    /** @return a builder with the defaults: keep failed runs, no timeout, 5 s kill grace, no retries */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the root under which run directories are created */
    public Path workDirectory() {
        return workDirectory;
    }

    /**
     * Applies the keep policy to the run directories of runs that earlier processes of the same fit
     * left behind when they were stopped midway (killed, interrupted, ended by SIGTERM): what a
     * resumed fit does before it runs anything. Only directories this term itself creates are
     * looked at: direct children of {@link #workDirectory()} (no links) named
     * {@code <term>-<evaluation>...-p<pid>-<suffix>}, with {@code pid} one of {@code processIds}.
     * Of these, under {@link KeepPolicy#FAILED} and {@link KeepPolicy#NONE} a directory is removed
     * when its run was cut off: it has no {@code failure.json}, or one that says the run was
     * cancelled, and the journal does not record it as a run that finished. A failed run (its
     * {@code failure.json} says it failed) is kept; under {@link KeepPolicy#ALL} nothing is removed.
     * Each removed directory is logged at INFO.
     *
     * <pre>{@code
     * List<Path> removed = term.removeCancelledRuns(journal.attemptProcessIds(run), Set.of());
     * }</pre>
     *
     * @param processIds the process ids of the earlier attempts of the fit
     * @param finished names (last path element) of run directories the journal records for
     *     finished runs; these are never removed
     * @return the directories removed
     * @implNote Safe to call from any thread while this term runs nothing; a directory that cannot
     *     be removed is left as it is.
     */
    public List<Path> removeCancelledRuns(Collection<Long> processIds, Collection<String> finished) {
        List<Path> removed = new ArrayList<>();
        if (keep == KeepPolicy.ALL || name == null || processIds.isEmpty() || !Files.isDirectory(workDirectory)) {
            return removed;
        }
        Pattern own = Pattern.compile(Pattern.quote(safe(name)) + "-[A-Za-z0-9._-]+?-p(\\d{1,18})-[0-9a-z]+");
        try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(workDirectory)) {
            for (Path dir : entries) {
                String file = dir.getFileName().toString();
                Matcher m = own.matcher(file);
                if (!m.matches() || !processIds.contains(Long.parseLong(m.group(1))) || finished.contains(file)
                        || !Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS) || failedRun(dir)) {
                    continue;
                }
                deleteTree(dir);
                if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    LOG.info("removed the run directory {} of a run cut off by an earlier attempt (keep: {})", dir,
                            keep.name().toLowerCase(java.util.Locale.ROOT));
                    removed.add(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot look for run directories of cut-off runs in {}: {}", workDirectory, e.toString());
        }
        return removed;
    }

    /** @return whether the run directory holds the report of a failure (not of a cancellation); unreadable: yes */
    private static boolean failedRun(Path dir) {
        Path report = dir.resolve("failure.json");
        if (!Files.exists(report, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try {
            JsonNode cancelled = JSON.readTree(report.toFile()).get("cancelled");
            return cancelled == null || !cancelled.asBoolean(false);
        } catch (IOException | RuntimeException e) {
            return true; // what cannot be read is kept, to be looked at
        }
    }

    /** @return the commands, in order */
    public List<Command> commands() {
        return commands;
    }

    /** Runs with a fresh context; prefer {@link #compute(Parameters, EvaluationContext)}. */
    @Override
    public Quantities compute(Parameters params) {
        return compute(params, new EvaluationContext(params));
    }

    /**
     * Runs one evaluation in a new run directory.
     *
     * @param params the parameters
     * @param ctx the evaluation's context; its evaluation id, term path and name name the run
     *     directory, and the kept directory is recorded in its metadata under {@code run_directory}
     * @return the parsed quantities
     * @throws TermFailedException when a step fails (after the allowed retries of transient failures)
     * @throws EvaluationCancelledException when the thread is interrupted; the process tree is killed first
     */
    @Override
    public Quantities compute(Parameters params, EvaluationContext ctx) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(ctx, "ctx");
        int attempt = 0;
        while (true) {
            try {
                return attempt(params, ctx, attempt);
            } catch (TermFailedException e) {
                if (!e.isTransient() || attempt >= retries) {
                    throw e;
                }
                attempt++;
                ctx.put("external_retries", attempt);
            }
        }
    }

    /** The per-attempt state, confined to the calling thread. */
    private final class Run {
        final Parameters params;
        final EvaluationContext ctx;
        final String term;
        final int attempt;
        final long startNanos = System.nanoTime();
        final Instant started = Instant.now();
        final Map<String, Object> timings = new LinkedHashMap<>();
        final List<Map<String, Object>> commandLog = new ArrayList<>();
        @Nullable Path dir;
        String step = "create";
        @Nullable List<String> argv;
        @Nullable Integer exitCode;
        boolean timedOut;
        @Nullable Path stdoutFile;
        @Nullable Path stderrFile;

        Run(Parameters params, EvaluationContext ctx, int attempt) {
            this.params = params;
            this.ctx = ctx;
            this.term = name != null ? name : ctx.name();
            this.attempt = attempt;
        }

        TermFailedException fail(@Nullable String message, boolean transientFailure, @Nullable Throwable cause) {
            ProgramOutput output = output();
            Path err = stderrFile;
            String tail = output == null || err == null ? null : output.tails().get(String.valueOf(err.getFileName()));
            String full = "external term '" + term + "' failed at step " + step + ": " + message
                    + (dir == null ? "" : " (run directory " + dir + ")")
                    + (output == null ? "" : output.describe(MESSAGE_TAIL_LINES));
            TermFailedException e = new TermFailedException(full, term, ctx.index(), params, dir, exitCode, tail, transientFailure,
                    cause);
            writeReport(message, output, transientFailure, false);
            finish(false);
            return e;
        }

        /**
         * @return what the last command wrote to its stdout, its stderr and the declared log
         *     files, or null when no command has started
         */
        @Nullable ProgramOutput output() {
            if (stderrFile == null || dir == null) {
                return null;
            }
            List<String> files = new ArrayList<>();
            files.add(String.valueOf(Objects.requireNonNull(stdoutFile, "stdout is set with stderr").getFileName()));
            files.add(String.valueOf(stderrFile.getFileName()));
            files.addAll(logFiles);
            return ProgramOutput.read(dir, files);
        }

        void writeReport(@Nullable String message, @Nullable ProgramOutput output, boolean transientFailure,
                boolean cancelled) {
            if (dir == null || !Files.isDirectory(dir)) {
                return;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("term", term);
            m.put("evaluation", ctx.evaluationId());
            m.put("term_path", ctx.path());
            m.put("attempt", attempt);
            m.put("step", step);
            m.put("message", message);
            m.put("cancelled", cancelled);
            m.put("transient", transientFailure);
            m.put("command", argv);
            m.put("exit_code", exitCode);
            m.put("timed_out", timedOut);
            m.put("error_lines", output == null ? List.of() : output.errorLines());
            // output is null unless both files are set
            m.put("stderr_tail", output == null || stderrFile == null ? null : output.tails().get(String.valueOf(stderrFile.getFileName())));
            m.put("stdout_tail", output == null || stdoutFile == null ? null : output.tails().get(String.valueOf(stdoutFile.getFileName())));
            Map<String, String> logs = new LinkedHashMap<>();
            for (String f : logFiles) {
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
            try {
                // written aside and renamed, so that a reader never sees half a report
                Path tmp = dir.resolve(".failure.json.tmp");
                JSON.writeValue(tmp.toFile(), m);
                Files.move(tmp, dir.resolve("failure.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                // the exception still carries every fact; a full disk must not hide the original failure
            }
        }

        void finish(boolean ok) {
            if (dir == null) {
                return;
            }
            boolean delete = keep == KeepPolicy.NONE || (keep == KeepPolicy.FAILED && ok);
            if (delete) {
                deleteTree(dir);
            } else {
                ctx.put("run_directory", dir.toString());
            }
        }
    }

    private Quantities attempt(Parameters params, EvaluationContext ctx, int attempt) {
        Run run = new Run(params, ctx, attempt);
        if (Thread.currentThread().isInterrupted()) {
            throw new EvaluationCancelledException("external term '" + run.term + "' was cancelled before it started");
        }
        try {
            run.dir = createRunDirectory(run.term, ctx, attempt);
        } catch (IOException e) {
            throw run.fail("cannot create a run directory under " + workDirectory + ": " + e, false, e);
        }
        try {
            // 1. render every template before anything is written or run
            run.step = "render";
            long t = System.nanoTime();
            List<String> rendered;
            List<String> renderedStdin = List.of();
            if (templates.sources().isEmpty() && stdinTemplates.sources().isEmpty()) {
                rendered = List.of();
            } else {
                Map<String, Object> model = new LinkedHashMap<>(variables);
                for (Map.Entry<String, Object> e : params.asNestedMap().entrySet()) {
                    if (model.containsKey(e.getKey())) {
                        throw run.fail("parameter '" + e.getKey() + "' has the same name as a template variable", false, null);
                    }
                    model.put(e.getKey(), e.getValue());
                }
                List<String> known = new ArrayList<>(params.names());
                known.addAll(variables.keySet());
                try {
                    rendered = templates.render(model, known);
                    renderedStdin = stdinTemplates.render(model, known);
                } catch (IllegalArgumentException e) {
                    throw run.fail(e.getMessage(), false, e);
                }
            }
            for (int i = 0; i < rendered.size(); i++) {
                Path target = run.dir.resolve(templates.sources().get(i).target());
                try {
                    if (target.getParent() != null && !target.getParent().equals(run.dir)) {
                        Files.createDirectories(target.getParent());
                        insideRealRunDirectory(run, target, templates.sources().get(i).target());
                    }
                    Files.writeString(target, rendered.get(i), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw run.fail("cannot write '" + templates.sources().get(i).target() + "': " + e, false, e);
                }
            }
            run.timings.put("render_seconds", (System.nanoTime() - t) / 1e9);

            // 2. stage static files
            run.step = "stage";
            t = System.nanoTime();
            for (Stage s : stages) {
                Path target = run.dir.resolve(s.target());
                try {
                    if (target.getParent() != null && !target.getParent().equals(run.dir)) {
                        Files.createDirectories(target.getParent());
                        insideRealRunDirectory(run, target, s.target());
                    }
                    if (s.link()) {
                        Files.createSymbolicLink(target, s.source());
                    } else {
                        Files.copy(s.source(), target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                } catch (IOException e) {
                    throw run.fail("cannot " + (s.link() ? "link" : "copy") + " '" + s.source() + "' to '" + s.target() + "': " + e,
                            false, e);
                }
            }
            run.step = "input";
            for (InputWriter w : inputWriters) {
                try {
                    w.write(run.dir, params);
                } catch (Exception e) {
                    throw run.fail("input writer " + w + " failed: " + e, false, e);
                }
            }
            run.timings.put("stage_seconds", (System.nanoTime() - t) / 1e9);

            // 3. run the commands
            run.step = "run";
            Map<String, String> runEnv = env;
            if (privateTmpDir) {
                Path tmp = run.dir.resolve("tmp");
                try {
                    Files.createDirectories(tmp);
                } catch (IOException io) {
                    throw run.fail("cannot create the private TMPDIR " + tmp + ": " + io, false, io);
                }
                runEnv = new LinkedHashMap<>(env);
                runEnv.put("TMPDIR", tmp.toString());
            }
            for (int i = 0; i < commands.size(); i++) {
                Command c = commands.get(i);
                run.argv = c.isShell() ? c.arguments() : c.withLauncher(launcher);
                run.exitCode = null;
                Map<String, String> e = runEnv;
                if (!c.env().isEmpty()) {
                    e = new LinkedHashMap<>(runEnv);
                    e.putAll(c.env());
                }
                String base = commands.size() == 1 ? "program" : "program" + (i + 1);
                Path out = run.dir.resolve(base + ".stdout");
                run.stdoutFile = out;
                run.stderrFile = run.dir.resolve(base + ".stderr");
                Path in = null;
                if (c.stdinOrNull() != null) {
                    in = run.dir.resolve(stdinName(commands.size(), i));
                    String text = stdinTemplateOf[i] >= 0 ? renderedStdin.get(stdinTemplateOf[i]) : c.stdinOrNull().text();
                    try {
                        Files.writeString(in, text, StandardCharsets.UTF_8);
                    } catch (IOException io) {
                        throw run.fail("cannot write the standard input of " + c + ": " + io, false, io);
                    }
                }
                Duration limit = c.timeoutOrNull() != null ? c.timeoutOrNull() : timeout;
                ProcessRunner.Result r;
                try {
                    r = ProcessRunner.run(run.argv, run.dir, e, limit, killGrace, out, run.stderrFile, in);
                } catch (InterruptedException ie) {
                    throw cancelled(run, ie);
                } catch (ProcessRunner.StartException se) {
                    throw run.fail(se.getMessage(), false, se);
                } catch (IOException io) {
                    throw run.fail("cannot run " + c + ": " + io, false, io);
                }
                run.exitCode = r.exitCode();
                run.timedOut = r.timedOut();
                Map<String, Object> log = new LinkedHashMap<>();
                log.put("command", run.argv);
                log.put("exit_code", r.exitCode());
                log.put("timed_out", r.timedOut());
                log.put("seconds", r.nanos() / 1e9);
                run.commandLog.add(log);
                if (r.timedOut()) {
                    throw run.fail("command '" + c + "' timed out after " + human(limit) + " and its process tree was killed", true,
                            null);
                }
                if (r.exitCode() != 0) {
                    boolean signal = r.killedBySignal();
                    throw run.fail("command '" + c + "' exited with code " + r.exitCode()
                            + (signal ? " (killed by signal " + (r.exitCode() - 128) + ")" : ""), signal, null);
                }
            }

            // 4. wait for files a program promised
            if (!waitFiles.isEmpty()) {
                run.step = "wait";
                t = System.nanoTime();
                try {
                    Duration limit = Objects.requireNonNull(waitTimeout, "waitForFiles sets it with the files");
                    List<String> missing = awaitFiles(run.dir, waitFiles, limit);
                    if (!missing.isEmpty()) {
                        throw run.fail("files " + missing + " did not appear within " + human(limit), true, null);
                    }
                } catch (InterruptedException ie) {
                    throw cancelled(run, ie);
                } catch (IOException io) {
                    throw run.fail("cannot watch for " + waitFiles + ": " + io, false, io);
                }
                run.timings.put("wait_seconds", (System.nanoTime() - t) / 1e9);
            }

            // 5. parse
            run.step = "parse";
            t = System.nanoTime();
            Quantities q = Quantities.empty();
            for (OutputParser p : parsers) {
                Quantities part;
                try {
                    part = p.parse(run.dir);
                } catch (OutputParseException pe) {
                    throw run.fail(pe.getMessage(), false, pe);
                } catch (Exception ex) {
                    throw run.fail("parser " + p + " failed: " + ex, false, ex);
                }
                if (part == null) {
                    throw run.fail("parser " + p + " returned null instead of quantities", false, null);
                }
                q = q.isEmpty() ? part : q.merge(part);
            }
            run.timings.put("parse_seconds", (System.nanoTime() - t) / 1e9);
            run.finish(true);
            return q;
        } catch (TermFailedException | EvaluationCancelledException e) {
            throw e;
        } catch (RuntimeException e) {
            throw run.fail(e.toString(), false, e);
        } catch (Error e) {
            // not ours to wrap (an AssertionError, a StackOverflowError in a user's hook), but the run
            // directory is reported and cleaned up like that of any other failure
            run.writeReport(e.toString(), run.output(), false, false);
            run.finish(false);
            throw e;
        }
    }

    /** Refuses a write whose folder leads out of the run directory through a symbolic link staged into it. */
    private static void insideRealRunDirectory(Run run, Path target, String written) throws IOException {
        Path parent = Objects.requireNonNull(target.getParent(), "a file in the run directory has a folder").toRealPath();
        if (!parent.startsWith(Objects.requireNonNull(run.dir, "run directory").toRealPath())) {
            throw run.fail("'" + written + "' would be written to " + parent.resolve(target.getFileName())
                    + ", outside the run directory, through a symbolic link; paths must stay inside the run directory", false, null);
        }
    }

    private EvaluationCancelledException cancelled(Run run, InterruptedException ie) {
        String what = "external term '" + run.term + "' was cancelled at step " + run.step
                + (run.argv == null ? "" : " while running '" + String.join(" ", run.argv) + "'") + "; its process tree was killed";
        run.writeReport(what, run.output(), false, true);
        if (keep == KeepPolicy.NONE && run.dir != null) {
            deleteTree(run.dir);
        }
        Thread.currentThread().interrupt();
        return new EvaluationCancelledException(what + " (run directory " + run.dir + ")", ie);
    }

    private Path createRunDirectory(String term, EvaluationContext ctx, int attempt) throws IOException {
        StringBuilder sb = new StringBuilder(64).append(safe(term)).append('-').append(safe(ctx.evaluationId()));
        if (!ctx.path().isEmpty()) {
            sb.append('-').append(safe(ctx.path()));
        }
        if (attempt > 0) {
            sb.append("-retry").append(attempt);
        }
        sb.append("-p").append(PID).append('-');
        String prefix = sb.toString();
        for (int tries = 0; ; tries++) {
            Path dir = workDirectory.resolve(prefix + Long.toString(ThreadLocalRandom.current().nextLong() >>> 24, 36));
            try {
                // mkdir is atomic: of many creators of one name, exactly one succeeds
                return Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                if (tries > 20) {
                    throw e;
                }
            } catch (java.nio.file.NoSuchFileException e) {
                Files.createDirectories(workDirectory);
            }
        }
    }

    /** @return the run-directory file that holds the standard input of command i of n */
    private static String stdinName(int n, int i) {
        return (n == 1 ? "program" : "program" + (i + 1)) + ".stdin";
    }

    private static String safe(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length() && sb.length() < 48; i++) {
            char c = s.charAt(i);
            sb.append(Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '_' ? c : '_');
        }
        return sb.length() == 0 ? "_" : sb.toString();
    }

    private static String human(@Nullable Duration d) {
        return d == null ? "no limit" : d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /**
     * Waits until every file exists. Woken by the file system's change events (inotify on Linux);
     * re-checks once a second as well, for network file systems that send no events.
     *
     * @return the files still missing at the deadline
     */
    private static List<String> awaitFiles(Path dir, List<String> files, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        try (WatchService ws = dir.getFileSystem().newWatchService()) {
            Set<Path> watched = new LinkedHashSet<>();
            while (true) {
                List<String> missing = new ArrayList<>();
                for (String f : files) {
                    Path p = dir.resolve(f);
                    if (!Files.exists(p)) {
                        missing.add(f);
                        Path parent = p.getParent();
                        while (parent != null && !Files.isDirectory(parent)) {
                            parent = parent.getParent();
                        }
                        if (parent != null && watched.add(parent)) {
                            parent.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
                        }
                    }
                }
                long left = deadline - System.nanoTime();
                if (missing.isEmpty() || left <= 0) {
                    return missing;
                }
                WatchKey key = ws.poll(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
    }

    private static void deleteTree(Path dir) {
        try {
            deleteRecursively(dir);
        } catch (IOException e) {
            // a directory that cannot be deleted is left behind; the result is not affected
        }
    }

    /** Deletes a tree (one lstat per entry, inside Files.delete); never follows links. */
    private static void deleteRecursively(Path dir) throws IOException {
        try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) {
                try {
                    Files.delete(e);
                } catch (java.nio.file.DirectoryNotEmptyException notEmpty) {
                    deleteRecursively(e);
                }
            }
        }
        Files.delete(dir);
    }

    /**
     * Renders every template in memory with these parameters, writing and running nothing: what a
     * check of a job does before its first evaluation, so that a name that is neither a parameter
     * nor a variable is reported before anything runs.
     *
     * <pre>{@code
     * computer.checkTemplates(Parameters.of(Map.of("lj.epsilon", 1.0)));
     * }</pre>
     *
     * @param params parameters with every name the fit will pass
     * @throws TemplateException naming the template and line of the first unknown name
     * @throws IllegalArgumentException when a parameter has the name of a variable
     */
    public void checkTemplates(Parameters params) {
        if (templates.sources().isEmpty()) {
            return;
        }
        Map<String, Object> model = new LinkedHashMap<>(variables);
        for (Map.Entry<String, Object> e : params.asNestedMap().entrySet()) {
            if (model.containsKey(e.getKey())) {
                throw new IllegalArgumentException("parameter '" + e.getKey() + "' has the same name as a template variable");
            }
            model.put(e.getKey(), e.getValue());
        }
        List<String> known = new ArrayList<>(params.names());
        known.addAll(variables.keySet());
        templates.render(model, known);
    }

    @Override
    public String toString() {
        return "FileBasedQuantityComputer[" + (name == null ? "" : name + ": ") + commands + "]";
    }

    /**
     * Configures a {@link FileBasedQuantityComputer}. Paths of files in the run directory are
     * relative and must stay inside it; sources of templates and staged files are read from
     * wherever they are.
     *
     * <pre>{@code
     * FileBasedQuantityComputer c = FileBasedQuantityComputer.builder()
     *         .templateText("in.txt", "x = {{ x }}\n")
     *         .command("python3", "model.py", "in.txt")
     *         .output(OutputParsers.regex("y", "program.stdout", "y = (\\S+)"))
     *         .build();
     * }</pre>
     *
     * @implNote Not thread-safe; build on one thread. {@link #build()} may be called more than once.
     */
    public static final class Builder {
        private @Nullable String name;
        private Path workDirectory = Path.of(System.getProperty("java.io.tmpdir"), "chemfit-runs");
        private final List<Templates.Source> templates = new ArrayList<>();
        private final Map<String, Object> variables = new LinkedHashMap<>();
        private final List<Stage> stages = new ArrayList<>();
        private final List<InputWriter> inputWriters = new ArrayList<>();
        private final List<Command> commands = new ArrayList<>();
        private final List<String> launcher = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private @Nullable Duration timeout;
        private Duration killGrace = Duration.ofSeconds(5);
        private final List<String> waitFiles = new ArrayList<>();
        private final List<String> logFiles = new ArrayList<>();
        private @Nullable Duration waitTimeout;
        private final List<OutputParser> parsers = new ArrayList<>();
        private KeepPolicy keep = KeepPolicy.FAILED;
        private int retries;
        private boolean privateTmpDir;
        private final Set<String> targets = new LinkedHashSet<>();

        private Builder() {
        }

        /**
         * @param termName the name used in run directory names and messages (default: the term's
         *     name in its combined objective)
         * @return this builder
         * @throws IllegalArgumentException when the name is null or blank
         */
        public Builder name(String termName) {
            if (termName == null || termName.isBlank()) {
                throw new IllegalArgumentException("a term name must not be blank, got '" + termName + "'");
            }
            this.name = termName;
            return this;
        }

        /**
         * @param root the directory under which run directories are created (default
         *     {@code $TMPDIR/chemfit-runs}); it may be shared by many processes
         * @return this builder
         */
        public Builder workDirectory(Path root) {
            this.workDirectory = Objects.requireNonNull(root, "root");
            return this;
        }

        /**
         * @param target where the rendered file goes in the run directory
         * @param source the template file
         * @return this builder
         * @throws IllegalArgumentException when the target leaves the run directory or the source cannot be read
         */
        public Builder template(String target, Path source) {
            String t = target(target, "template target");
            String text;
            try {
                text = Files.readString(source, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read template '" + source + "': " + e, e);
            }
            templates.add(new Templates.Source(t, source.toString(), text));
            return this;
        }

        /**
         * @param source a template file, rendered under its own file name
         * @return this builder
         */
        public Builder template(Path source) {
            return template(source.getFileName().toString(), source);
        }

        /**
         * @param target where the rendered file goes in the run directory (also its name in messages)
         * @param text the template's text
         * @return this builder
         */
        public Builder templateText(String target, String text) {
            String t = target(target, "template target");
            templates.add(new Templates.Source(t, t, Objects.requireNonNull(text, "text")));
            return this;
        }

        /**
         * @param variable a name templates may use besides the parameters
         * @param value its value (a number, a string, a list or a map)
         * @return this builder
         * @throws IllegalArgumentException when the name is not an identifier
         * @throws NullPointerException when the value is null
         */
        public Builder variable(String variable, Object value) {
            if (variable == null || !variable.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("a template variable name must be an identifier, got '" + variable + "'");
            }
            variables.put(variable, Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @param target where the copy goes in the run directory
         * @param source the file to copy into every run directory
         * @return this builder
         */
        public Builder copy(String target, Path source) {
            return stage(target, source, false);
        }

        /**
         * @param target where the symbolic link goes in the run directory
         * @param source the file or directory it points to (made absolute)
         * @return this builder
         */
        public Builder link(String target, Path source) {
            return stage(target, source, true);
        }

        private Builder stage(String target, Path source, boolean link) {
            String t = target(target, link ? "link target" : "copy target");
            Objects.requireNonNull(source, "source");
            if (!Files.exists(source)) {
                throw new IllegalArgumentException("file to " + (link ? "link" : "copy") + " '" + source + "' does not exist");
            }
            if (!link && Files.isDirectory(source)) {
                throw new IllegalArgumentException("'" + source + "' is a directory; link it instead of copying");
            }
            stages.add(new Stage(t, source.toAbsolutePath().normalize(), link));
            return this;
        }

        /**
         * @param writer a hook that writes input files in Java, after templates and staged files
         * @return this builder
         */
        public Builder inputWriter(InputWriter writer) {
            inputWriters.add(Objects.requireNonNull(writer, "writer"));
            return this;
        }

        /**
         * @param arguments a program and its arguments, run without a shell in the run directory
         * @return this builder
         */
        public Builder command(String... arguments) {
            return command(Command.of(arguments));
        }

        /**
         * @param command a command (made with {@link Command#of} or, for a shell, {@link Command#shell})
         * @return this builder
         */
        public Builder command(Command command) {
            commands.add(Objects.requireNonNull(command, "command"));
            return this;
        }

        /**
         * @param prefix a launcher put in front of every command that is not a shell command, such
         *     as {@code "srun", "-n", "4"} or {@code "mpirun", "-np", "4"}
         * @return this builder
         * @throws IllegalArgumentException when an argument is null or blank
         */
        public Builder launcher(String... prefix) {
            launcher.clear();
            for (String p : prefix) {
                if (p == null || p.isBlank()) {
                    throw new IllegalArgumentException("launcher arguments must not be empty, got " + java.util.Arrays.toString(prefix));
                }
                launcher.add(p);
            }
            return this;
        }

        /**
         * @param variable an environment variable for every command
         * @param value its value
         * @return this builder
         */
        public Builder env(String variable, String value) {
            Command.checkEnv(variable, value);
            env.put(variable, value);
            return this;
        }

        /**
         * @param limit the default timeout of each command; on expiry the command's process tree is
         *     killed and the failure is transient
         * @return this builder
         */
        public Builder timeout(Duration limit) {
            this.timeout = positive(limit, "timeout");
            return this;
        }

        /**
         * @param grace the time between SIGTERM and SIGKILL when a tree is killed (default 5 s)
         * @return this builder
         * @throws IllegalArgumentException when the grace period is negative
         */
        public Builder killGrace(Duration grace) {
            Objects.requireNonNull(grace, "grace");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("the kill grace period must not be negative, got " + grace);
            }
            this.killGrace = grace;
            return this;
        }

        /**
         * @param limit how long to wait after the commands for the files to appear
         * @param files files the programs promise, relative to the run directory
         * @return this builder
         * @throws IllegalArgumentException when the limit is not positive, no file is given, or a
         *     file is absolute or leaves the run directory
         */
        public Builder waitForFiles(Duration limit, String... files) {
            this.waitTimeout = positive(limit, "wait timeout");
            if (files.length == 0) {
                throw new IllegalArgumentException("waitForFiles needs at least one file");
            }
            for (String f : files) {
                RunPaths.checkRelative(f, "file to wait for");
                waitFiles.add(f);
            }
            return this;
        }

        /**
         * Declares a log file the programs write (LAMMPS's {@code log.lammps}, GROMACS's
         * {@code md.log}): when the term fails, its last lines and the known error lines in it
         * (a LAMMPS {@code ERROR:}, a GROMACS {@code Fatal error:} block, the last line of a Python
         * traceback) go into the failure message and {@code failure.json}, as those of stdout and
         * stderr do. Needed when a program writes its errors only there, as LAMMPS does with
         * {@code -screen none}.
         *
         * @param file the log file, relative to the run directory; may be declared more than once
         *     for several files
         * @return this builder
         * @throws IllegalArgumentException when the file is absolute or leaves the run directory,
         *     or is declared twice
         */
        public Builder logFile(String file) {
            String f = RunPaths.checkRelative(file, "log file").toString();
            if (logFiles.contains(f)) {
                throw new IllegalArgumentException("log file '" + file + "' is declared twice");
            }
            logFiles.add(f);
            return this;
        }

        /**
         * @param parser a built-in parser from {@link OutputParsers} or a Java hook
         * @return this builder
         */
        public Builder output(OutputParser parser) {
            parsers.add(Objects.requireNonNull(parser, "parser"));
            return this;
        }

        /**
         * Points {@code TMPDIR} of every command at a {@code tmp} folder of the run directory, so
         * that concurrent runs never share scratch files. Needed, for example, by Open MPI programs
         * started as isolated singletons ({@code OMPI_MCA_ess_singleton_isolated=1}): they all
         * name their session directory {@code $TMPDIR/ompi.<host>.<uid>/jf.0}, and one run
         * finishing removes it under the others.
         *
         * @return this builder
         */
        public Builder privateTmpDir() {
            this.privateTmpDir = true;
            return this;
        }

        /**
         * @param policy what happens to run directories (default {@link KeepPolicy#FAILED})
         * @return this builder
         */
        public Builder keep(KeepPolicy policy) {
            this.keep = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param n how many times a transient failure (a timeout, a kill by a signal, files that
         *     did not appear) is retried, each time in a new run directory (default 0)
         * @return this builder
         * @throws IllegalArgumentException when n is outside 0 to 100
         */
        public Builder retries(int n) {
            if (n < 0 || n > 100) {
                throw new IllegalArgumentException("retries must be between 0 and 100, got " + n);
            }
            this.retries = n;
            return this;
        }

        /**
         * Validates the whole configuration and builds the computer.
         *
         * @return the computer
         * @throws IllegalArgumentException when there is no command or no parser, a template does
         *     not compile (naming file and line), or a program is not found on PATH
         */
        public FileBasedQuantityComputer build() {
            if (commands.isEmpty()) {
                throw new IllegalArgumentException("an external term needs at least one command");
            }
            if (parsers.isEmpty()) {
                throw new IllegalArgumentException("an external term needs at least one output parser");
            }
            for (Command c : commands) {
                List<String> argv = c.isShell() ? c.arguments() : c.withLauncher(launcher);
                checkProgram(argv.get(0), c);
            }
            return new FileBasedQuantityComputer(this);
        }

        private void checkProgram(String program, Command c) {
            if (program.contains("/")) {
                Path p = Path.of(program);
                if (p.isAbsolute() && !Files.isExecutable(p)) {
                    throw new IllegalArgumentException("program '" + program + "' of command '" + c
                            + "' does not exist or is not executable");
                }
                return; // a relative path names a staged or written file of the run directory
            }
            String path = c.env().getOrDefault("PATH", env.getOrDefault("PATH", System.getenv("PATH")));
            if (ProcessRunner.findOnPath(program, path) == null) {
                throw new IllegalArgumentException("program '" + program + "' not found on PATH (" + path + ") for command '" + c + "'");
            }
        }

        private String target(String target, String what) {
            String t = RunPaths.checkRelative(target, what).toString();
            if (!targets.add(t)) {
                throw new IllegalArgumentException(what + " '" + target + "' is written twice into the run directory");
            }
            return t;
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("the " + what + " must be positive, got " + d);
            }
            return d;
        }
    }
}
