package org.chemfit.external;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.QuantityComputer;
import org.chemfit.TermFailedException;
import org.chemfit.support.Reasons;
import org.jspecify.annotations.Nullable;

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
 * programs promise; parse, and check that each quantity has as many values as its
 * {@linkplain Builder#expectValues reference}. A failure at any step writes {@code failure.json} into the run
 * directory and throws a {@link TermFailedException} with the same facts; once a command has
 * run, both carry the program's own error (known error lines of its stdout, stderr and the
 * {@linkplain Builder#logFile(String) declared log files} first, then the last lines of each).
 * Timeouts and kills by a
 * signal are transient and retried up to {@link Builder#retries(int)} times, each attempt in a new
 * directory. A program that caught a signal, said so and exited (GROMACS's mdrun: {@code Received
 * the INT signal, stopping within 20 steps}, exit code 1) fails saying it was stopped from outside,
 * not transient; when the thread is interrupted within 2 s
 * after it (the same Ctrl-C reached the fit) or the JVM is exiting, the run is cancelled instead.
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
 *     every evaluation has its own run directory and keeps its state on its own stack. The one
 *     mutable part, the count of runs that left processes running (which keeps their warnings
 *     from repeating), is synchronized.
 */
public final class FileBasedQuantityComputer implements QuantityComputer {

    // The configuration is read by Attempt, the pipeline of one attempt, hence package-private.
    final @Nullable String name;
    final Path workDirectory;
    final Templates templates;
    /**
     * The execute bits of each template file that has some, by its target: its rendered file gets
     * them too, so that a script rendered from an executable template runs as its source would.
     */
    final Map<String, Set<PosixFilePermission>> templateExecuteBits;
    /** The standard-input templates, and for each command the index of its own among them (-1: none). */
    final Templates stdinTemplates;

    final int[] stdinTemplateOf;
    private final Map<String, Object> variables;
    final List<Stage> stages;
    final List<InputWriter> inputWriters;
    final List<Command> commands;
    final List<String> launcher;
    final Map<String, String> env;
    final @Nullable Duration timeout;
    final Duration killGrace;
    final List<String> waitFiles;
    final List<String> logFiles;
    final @Nullable Duration waitTimeout;
    final List<OutputParser> parsers;
    /** How many values each quantity with a reference must have. */
    final Map<String, Integer> expectedValues;

    final KeepPolicy keep;
    /** Whether {@link KeepPolicy#FAILED} keeps the directory of a cancelled run, as a failed run's. */
    final boolean keepCancelled;

    final int retries;
    final boolean privateTmpDir;
    /**
     * The names, directly in a run directory, of what the term itself writes there or declares that
     * its programs write: removed by name before the run directory is, which then needs no listing
     * when nothing else was written.
     */
    final List<String> runFiles;
    /** The runs whose commands left processes running, counted per command. */
    final LeftRunningWarnings leftRunningWarnings = new LeftRunningWarnings();

    /** A file linked or copied into every run directory. */
    record Stage(String target, Path source, boolean link) {}

    private FileBasedQuantityComputer(Builder b) {
        this.name = b.name;
        this.workDirectory = b.workDirectory.toAbsolutePath().normalize();
        this.templates = new Templates(b.templates);
        this.templateExecuteBits = Map.copyOf(b.templateExecuteBits);
        List<Templates.Source> stdinSources = new ArrayList<>();
        this.stdinTemplateOf = new int[b.commands.size()];
        for (int i = 0; i < b.commands.size(); i++) {
            StandardInput in = b.commands.get(i).stdinOrNull();
            stdinTemplateOf[i] = in != null && in.isTemplate() ? stdinSources.size() : -1;
            if (in != null && stdinTemplateOf[i] >= 0) {
                String source = in.sourceOrNull();
                String shown = source != null ? source : "standard input of command " + (i + 1);
                stdinSources.add(new Templates.Source(
                        RunDirectory.programFile(b.commands.size(), i, "stdin"), shown, in.text()));
            }
        }
        this.stdinTemplates = new Templates(stdinSources, b.templates);
        // in the order given: they are listed in that order, after the parameters, among the names a
        // template may use (a Map.copyOf would list them in an order that changes from one JVM to the next)
        this.variables = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.variables));
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
        this.expectedValues = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.expectedValues));
        this.keep = b.keep;
        this.keepCancelled = b.keepCancelled;
        this.retries = b.retries;
        this.privateTmpDir = b.privateTmpDir;
        this.runFiles = runFiles();
    }

    /**
     * @return the rendered templates, the staged files, each command's standard streams, the files
     *     the built-in parsers read, the declared logs, the files waited for and the private {@code
     *     tmp} folder: those of them directly in the run directory, each once
     */
    private List<String> runFiles() {
        Set<String> names = new LinkedHashSet<>();
        templates.sources().forEach(t -> names.add(t.target()));
        stdinTemplates.sources().forEach(t -> names.add(t.target()));
        stages.forEach(st -> names.add(st.target()));
        for (int i = 0; i < commands.size(); i++) {
            names.add(RunDirectory.programFile(commands.size(), i, "stdout"));
            names.add(RunDirectory.programFile(commands.size(), i, "stderr"));
            if (commands.get(i).stdinOrNull() != null) {
                names.add(RunDirectory.programFile(commands.size(), i, "stdin"));
            }
        }
        for (OutputParser p : parsers) {
            String file = OutputParsers.fileOf(p);
            if (file != null) {
                names.add(RunPaths.checkRelative(file, "output file").toString());
            }
        }
        names.addAll(logFiles);
        waitFiles.forEach(
                f -> names.add(RunPaths.checkRelative(f, "file to wait for").toString()));
        if (privateTmpDir) {
            names.add("tmp");
        }
        names.removeIf(n -> n.indexOf('/') >= 0);
        return List.copyOf(names);
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
     * <p>{@code chemfit fit} calls it for every external term when it resumes a run, after
     * {@link #endCutOffPrograms}. A program that uses the library and resumes a journal itself
     * (the {@link org.chemfit.fit.Fitter} does not call it) reads both arguments from the journal
     * file (see the {@code org.chemfit.journal} package for the tables): the {@code pid} column of
     * the run's {@code attempts} rows, on every host (a directory's name carries the id of the
     * process that created it), and the last path element of each {@code run_directory} of the
     * run's {@code terms} rows.
     *
     * <pre>{@code
     * List<Long> earlier = ...;     // SELECT pid FROM attempts WHERE run_id = ?
     * Set<String> finished = ...;   // the file names of SELECT run_directory FROM terms WHERE run_id = ?
     * List<Path> removed = term.removeCancelledRuns(earlier, finished);
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
        return RunDirectory.removeCutOff(workDirectory, name, keep, processIds, finished);
    }

    /**
     * Ends the programs that earlier processes of the same fit started for this term and left
     * running when they were killed ({@code kill -9}, out of their allocation): what a resumed fit
     * does before {@link #removeCancelledRuns} removes or a new run reuses their run directories,
     * and what a new run of the same journal ({@code chemfit fit --restart}) does, with the
     * process ids of every earlier run, before it runs anything.
     * On Linux every program runs with its {@code CHEMFIT_RUN_TAG}, whose value begins with the id
     * of the process that started it; a process is ended when its tag names one of {@code
     * processIds} that no longer runs (never a fit that runs now) and its working directory is in
     * one of this term's run directories of that process. Each gets SIGTERM, then SIGKILL after
     * the kill grace, as after a timeout. Elsewhere nothing is found.
     *
     * <p>{@code chemfit fit} calls it for every external term when it resumes a run. A program
     * that uses the library and resumes a journal itself (the {@link org.chemfit.fit.Fitter} does
     * not call it) passes the process ids of the run's earlier attempts on this machine: the
     * {@code pid} column of the journal file's {@code attempts} rows of that run whose {@code host}
     * is this machine's (see the {@code org.chemfit.journal} package for the tables).
     *
     * <pre>{@code
     * List<Long> earlier = ...;   // SELECT pid FROM attempts WHERE run_id = ? AND host = ?
     * term.endCutOffPrograms(earlier)
     *         .forEach((dir, n) -> System.err.println(n + " processes still ran in " + dir));
     * }</pre>
     *
     * @param processIds the process ids of the earlier attempts of the fit
     * @return per run directory, how many processes still ran there and were ended
     * @implNote Safe to call from any thread while this term runs nothing.
     */
    public Map<Path, Integer> endCutOffPrograms(Collection<Long> processIds) {
        return RunDirectory.endCutOff(workDirectory, name, processIds, killGrace);
    }

    /**
     * Ends the programs that processes now gone started for this term and left running: what
     * {@code chemfit worker} does as it starts, for the programs of an earlier worker of the same
     * run directory root that was killed outright ({@code kill -9}, a node's out-of-memory killer),
     * which nothing else would end. The processes looked at are those whose ids the names of this
     * term's run directories carry ({@code <term>-<evaluation>...-p<pid>-<suffix>}, direct children
     * of {@link #workDirectory()}, no links). On Linux every program runs with its {@code
     * CHEMFIT_RUN_TAG}, whose value begins with the id of the process that started it; a process is
     * ended only when that process is gone (never a fit or worker that runs now; an id handed to an
     * unrelated process since then counts as running, and nothing of it is ended) and its working
     * directory is in one of this term's run directories named after that same process. Each gets
     * SIGTERM, then SIGKILL after the kill grace, as after a timeout, with a warning naming the
     * program, its process id and its run directory; the run directories are kept as they are.
     * Elsewhere nothing is found.
     *
     * <pre>{@code
     * term.endProgramsOfEndedProcesses()
     *         .forEach((dir, n) -> System.err.println(n + " processes still ran in " + dir));
     * }</pre>
     *
     * @return per run directory, how many processes still ran there and were ended
     * @implNote Safe to call from any thread while this term runs nothing.
     */
    public Map<Path, Integer> endProgramsOfEndedProcesses() {
        return RunDirectory.endLeftByEnded(workDirectory, name, killGrace);
    }

    /**
     * The commands that run LAMMPS with {@code -screen none} while the log file that then alone
     * holds LAMMPS's errors is not declared with {@link Builder#logFile(String)}: a failure of one
     * shows the log's last {@code ERROR:} line and a hint to declare it, but not the log's end.
     *
     * <pre>{@code
     * computer.undeclaredLammpsLogs().forEach((i, log) -> warn("command " + (i + 1) + " writes its errors only to " + log));
     * }</pre>
     *
     * @return each such command's index (from 0) with its log file ({@code -log FILE}, or
     *     {@code log.lammps}), or {@code "none"} for {@code -log none}, which writes no log at all
     */
    public Map<Integer, String> undeclaredLammpsLogs() {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (int i = 0; i < commands.size(); i++) {
            Command c = commands.get(i);
            String log = c.isShell() ? null : LammpsLog.errorLog(c.withLauncher(launcher));
            if (log != null && undeclaredLog(log)) {
                out.put(i, log);
            }
        }
        return out;
    }

    /** @return whether a log file is not one of those declared with logFile ({@code "none"} never is) */
    boolean undeclaredLog(String log) {
        if (log.equals(LammpsLog.NONE)) {
            return true;
        }
        try {
            return !logFiles.contains(Path.of(log).normalize().toString());
        } catch (java.nio.file.InvalidPathException e) {
            return true;
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
        // a term the failure policy runs again keeps its context: its earlier runs' retries count too
        int before = ctx.metadata().get("external_retries") instanceof Number n ? n.intValue() : 0;
        while (true) {
            try {
                return new Attempt(this, params, ctx, attempt).run();
            } catch (TermFailedException e) {
                if (!e.isTransient() || attempt >= retries) {
                    throw e;
                }
                attempt++;
                ctx.put("external_retries", before + attempt);
            }
        }
    }

    /**
     * Reads every template (those of files and those of standard inputs) for the names it refers
     * to, in every branch and loop whether these parameters take it or not, then renders it in
     * memory with these parameters, writing and running nothing: what a check of a job does before
     * its first evaluation, so that a name that is neither a parameter nor a variable, or a function
     * that neither Pebble nor the template defines, is reported before anything runs. Names the
     * template defines ({@code set}, a loop's variable, a macro's arguments) and names tested with
     * {@code is defined} or filtered by {@code default} are not reported.
     *
     * <pre>{@code
     * computer.checkTemplates(Parameters.of(Map.of("lj.epsilon", 1.0)));
     * }</pre>
     *
     * @param params parameters with every name the fit will pass
     * @throws TemplateException naming the template and line of the first unknown name; every
     *     further unknown name, of that template and of the others, is attached to it as a
     *     suppressed {@code TemplateException} at its own template and line
     * @throws IllegalArgumentException when a parameter has the name of a variable
     */
    public void checkTemplates(Parameters params) {
        if (templates.sources().isEmpty() && stdinTemplates.sources().isEmpty()) {
            return;
        }
        Map<String, Object> model = templateModel(params);
        List<String> known = templateNames(params);
        List<TemplateException> problems = new ArrayList<>(templates.check(model, known));
        problems.addAll(stdinTemplates.check(model, known));
        if (!problems.isEmpty()) {
            TemplateException first = problems.get(0);
            problems.subList(1, problems.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    /**
     * Of these parameters, those that what the templates render depends on. Every template (those of
     * files and those of standard inputs) is rendered in memory at {@code params}, then with one
     * parameter at a time moved by {@code 1 + |value|} down and up, writing and running nothing. A
     * parameter that no template names renders the same texts, and is left out; so is one that only
     * decides a condition that both moves leave as it was, or whose change every template rounds away
     * when it formats the number.
     *
     * <pre>{@code
     * List<String> used = computer.usedByTemplates(initial, initial.names());
     * }</pre>
     *
     * @param params parameters with every name the fit will pass, at which the templates are rendered
     * @param names the parameters to look at, each a name of {@code params}
     * @return those of {@code names} whose moves change a rendered text or make a template fail, in
     *     their order; none when the computer has no templates
     * @throws TemplateException when a template does not render at {@code params} (see
     *     {@link #checkTemplates})
     * @throws IllegalArgumentException when a parameter has the name of a variable, or a name is not
     *     one of {@code params}
     */
    public List<String> usedByTemplates(Parameters params, Collection<String> names) {
        List<String> used = new ArrayList<>();
        if (templates.sources().isEmpty() && stdinTemplates.sources().isEmpty()) {
            return used;
        }
        List<String> known = templateNames(params);
        List<String> texts = renderAll(params, known);
        for (String name : names) {
            if (changedByLargeMove(params, name, texts, known) >= 0) {
                used.add(name);
            }
        }
        return used;
    }

    /**
     * Of the variables ({@link Builder#variable}), those that make no difference to what the
     * templates write: every template (those of files and those of standard inputs), rendered in
     * memory at {@code params} without the variable, renders as it does with it. Such a variable is
     * named by no template, as a misspelt one ({@code cuttoff} where a template reads
     * {@code {{ cutoff | default(8.5) }}} and so takes its default), or only where a default equal
     * to it stands in. Writing and running nothing.
     *
     * <pre>{@code
     * List<String> unused = computer.variablesTemplatesIgnore(initial);   // ["cuttoff"]
     * }</pre>
     *
     * @param params parameters with every name the fit will pass, at which the templates are rendered
     * @return those variables, in the order they were given; none when the computer has no templates
     * @throws TemplateException when a template does not render at {@code params} (see
     *     {@link #checkTemplates})
     * @throws IllegalArgumentException when a parameter has the name of a variable
     */
    public List<String> variablesTemplatesIgnore(Parameters params) {
        List<String> ignored = new ArrayList<>();
        if (variables.isEmpty()
                || templates.sources().isEmpty() && stdinTemplates.sources().isEmpty()) {
            return ignored;
        }
        List<String> known = templateNames(params);
        List<String> texts = renderAll(params, known);
        for (String variable : variables.keySet()) {
            Map<String, Object> model = templateModel(params);
            model.remove(variable);
            List<String> without;
            try {
                without = new ArrayList<>(templates.render(model, known));
                without.addAll(stdinTemplates.render(model, known));
            } catch (RuntimeException e) {
                continue; // a template that fails without it names it
            }
            if (without.equals(texts)) {
                ignored.add(variable);
            }
        }
        return ignored;
    }

    /**
     * @return the index (files then standard inputs) of the first template whose text a move of the
     *     parameter by {@code 1 + |value|}, down or up, changes (or that fails to render there);
     *     -1 when neither move changes any
     */
    private int changedByLargeMove(Parameters params, String name, List<String> texts, List<String> known) {
        double value = params.get(name);
        double step = 1 + Math.abs(value);
        for (double moved : new double[] {value - step, value + step}) {
            List<String> other;
            try {
                other = renderAll(params.with(name, moved), known);
            } catch (TemplateException e) {
                return 0; // a template that fails at the other value depends on it
            }
            for (int i = 0; i < texts.size(); i++) {
                if (!texts.get(i).equals(other.get(i))) {
                    return i;
                }
            }
        }
        return -1;
    }

    /**
     * Where a template writes a parameter: the template, as named in messages, and the line of it
     * that first names the parameter.
     *
     * @param template the template's name in messages (its path as the job gave it)
     * @param line the line (from 1) of the first use of the parameter outside a condition, such as
     *     a print, else the first line that names it by its dotted name; 0 when none does (it is
     *     reached through a variable, a loop or a map); when {@code onlyInConditions}, the line of
     *     the first condition that uses it
     * @param onlyInConditions whether the templates use the parameter only in conditions
     *     ({@code {% if eps > 100 %}}, {@code {% elseif %}}, the test before a {@code ?}) and never
     *     print it: a small move changes no input, as it only chooses what a template writes
     */
    public record TemplatePlace(String template, int line, boolean onlyInConditions) {}

    /**
     * Of these parameters, those whose small moves the templates round away: what the templates
     * render changes when the parameter moves by {@code 1 + |value|} (see {@link #usedByTemplates})
     * but not when it moves by its given step, as when a template prints it with fewer decimals
     * ({@code {{ "%.4f" | format(m.A) }}}) than a finite-difference step changes. The program then
     * sees the same input at both points, and the difference is 0. Rendered in memory, writing and
     * running nothing; none when the computer has no templates, or writes inputs of its own (an
     * {@link InputWriter}), which may carry the parameter at full precision.
     *
     * <pre>{@code
     * Map<String, TemplatePlace> rounded = computer.roundedAway(initial, Map.of("m.A", 7.45e-8));
     * }</pre>
     *
     * @param params parameters with every name the fit will pass, at which the templates are rendered
     * @param steps the parameters to look at, each a name of {@code params}, and the change of its
     *     value to try (signed)
     * @return for each such parameter, in the order of {@code steps}, the template whose text the
     *     large move changes and the line that names the parameter; or, when the templates use it
     *     only in conditions, the first template that does and the line of that condition
     * @throws TemplateException when a template does not render at {@code params} (see
     *     {@link #checkTemplates})
     * @throws IllegalArgumentException when a parameter has the name of a variable, or a name is not
     *     one of {@code params}
     */
    public Map<String, TemplatePlace> roundedAway(Parameters params, Map<String, Double> steps) {
        Map<String, TemplatePlace> out = new LinkedHashMap<>();
        if (templates.sources().isEmpty() && stdinTemplates.sources().isEmpty() || !inputWriters.isEmpty()) {
            return out;
        }
        List<String> known = templateNames(params);
        List<String> texts = renderAll(params, known);
        List<Templates.Source> sources = new ArrayList<>(templates.sources());
        sources.addAll(stdinTemplates.sources());
        for (Map.Entry<String, Double> e : steps.entrySet()) {
            String name = e.getKey();
            double step = e.getValue();
            if (!(step != 0) || !Double.isFinite(step)) {
                continue;
            }
            int changed = changedByLargeMove(params, name, texts, known);
            if (changed < 0) {
                continue;
            }
            boolean same;
            try {
                same = texts.equals(renderAll(params.with(name, params.get(name) + step), known));
            } catch (TemplateException x) {
                same = false;
            }
            if (same) {
                Templates.Source s = sources.get(changed);
                Map<String, Integer> conditions = onlyInConditions(name);
                if (conditions == null || conditions.isEmpty()) {
                    // the line of its first print, which a condition naming it first does not show
                    Templates of = changed < templates.sources().size() ? templates : stdinTemplates;
                    int printed = of.firstUseOutsideConditions(s, name);
                    int line = printed > 0 ? printed : lineNaming(s.text(), name);
                    out.put(name, new TemplatePlace(s.displayName(), line, false));
                } else {
                    Map.Entry<String, Integer> first = conditions.containsKey(s.displayName())
                            ? Map.entry(s.displayName(), conditions.get(s.displayName()))
                            : conditions.entrySet().iterator().next();
                    out.put(name, new TemplatePlace(first.getKey(), first.getValue(), true));
                }
            }
        }
        return out;
    }

    /**
     * @return when every template, of files and of standard inputs, uses the parameter only in
     *     conditions: the line of the first condition of each that uses it, by its name in messages;
     *     else null
     */
    private @Nullable Map<String, Integer> onlyInConditions(String name) {
        Map<String, Integer> files = templates.onlyInConditions(name);
        Map<String, Integer> stdin = stdinTemplates.onlyInConditions(name);
        if (files == null || stdin == null) {
            return null;
        }
        Map<String, Integer> out = new LinkedHashMap<>(files);
        stdin.forEach(out::putIfAbsent);
        return out;
    }

    /**
     * @return the first line (from 1) of a template's text that names the dotted name inside an
     *     expression or a tag ({@code {{ ... }}}, {@code {% ... %}}, not in the text around them); 0
     *     when none does
     */
    private static int lineNaming(String text, String name) {
        java.util.regex.Pattern p =
                java.util.regex.Pattern.compile("(?<![\\w.])" + java.util.regex.Pattern.quote(name) + "(?![\\w])");
        String[] lines = text.split("\n", -1);
        boolean inside = false; // an expression or a tag may span lines
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            java.util.regex.Matcher m = p.matcher(line);
            int from = 0;
            while (m.find()) {
                inside = insideAfter(line.substring(from, m.start()), inside);
                from = m.start();
                if (inside) {
                    return i + 1;
                }
            }
            inside = insideAfter(line.substring(from), inside);
        }
        return 0;
    }

    /** @return whether the end of {@code text} is inside an expression or a tag, given whether its start is */
    private static boolean insideAfter(String text, boolean inside) {
        boolean in = inside;
        for (int k = 0; k + 1 < text.length(); k++) {
            String two = text.substring(k, k + 2);
            if (!in && (two.equals("{{") || two.equals("{%"))) {
                in = true;
                k++;
            } else if (in && (two.equals("}}") || two.equals("%}"))) {
                in = false;
                k++;
            }
        }
        return in;
    }

    /** @return the texts of every template, those of files then those of standard inputs */
    private List<String> renderAll(Parameters params, List<String> known) {
        Map<String, Object> model = templateModel(params);
        List<String> texts = new ArrayList<>(templates.render(model, known));
        texts.addAll(stdinTemplates.render(model, known));
        return texts;
    }

    /**
     * @return what templates see: the variables and the parameters (nested)
     * @throws IllegalArgumentException when a parameter has the name of a variable
     */
    Map<String, Object> templateModel(Parameters params) {
        Map<String, Object> model = new LinkedHashMap<>(variables);
        for (Map.Entry<String, Object> e : params.asNestedMap().entrySet()) {
            if (model.containsKey(e.getKey())) {
                throw new IllegalArgumentException(
                        "parameter '" + e.getKey() + "' has the same name as a template variable");
            }
            model.put(e.getKey(), e.getValue());
        }
        return model;
    }

    /**
     * @return the names templates may use: the parameters' dotted names in their order, then the
     *     variables in the order they were given
     */
    List<String> templateNames(Parameters params) {
        List<String> known = new ArrayList<>(params.names());
        known.addAll(variables.keySet());
        return known;
    }

    /** @return the name given to {@link Builder#name}, or null when none was given */
    @Override
    public @Nullable String name() {
        return name;
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
        private final Map<String, Set<PosixFilePermission>> templateExecuteBits = new LinkedHashMap<>();
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
        private final Map<String, Integer> expectedValues = new LinkedHashMap<>();
        private KeepPolicy keep = KeepPolicy.FAILED;
        private boolean keepCancelled = true;
        private int retries;
        private boolean privateTmpDir;
        private final Set<String> targets = new LinkedHashSet<>();

        private Builder() {}

        /**
         * @param termName the name used in run directory names and messages (default: the term's
         *     name in its combined objective); a term made of this computer with no name of its own
         *     takes it in its combined objective when no other term there has it ({@link
         *     QuantityComputer#name()})
         * @return this builder
         * @throws IllegalArgumentException when the name is null or blank
         */
        public Builder name(String termName) {
            this.name = org.chemfit.support.Names.requireTermName(termName);
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
         * @param target where the rendered file goes in the run directory, and the name another
         *     template imports this one by ({@code {% import "lib.tmpl" %}}; one that starts with
         *     {@code ./} or {@code ../} is taken from the importing template's folder in the run
         *     directory)
         * @param source the template file, named in messages
         * @return this builder
         * @throws IllegalArgumentException when the target leaves the run directory or the source cannot be read
         *     or is not UTF-8 text (naming the line and column of its first byte that is not)
         */
        public Builder template(String target, Path source) {
            String t = target(target, "template target");
            String text;
            try {
                text = Files.readString(source, StandardCharsets.UTF_8);
            } catch (IOException e) {
                org.chemfit.support.Utf8Text.Place bad = org.chemfit.support.Utf8Text.placeOf(source, e);
                throw new IllegalArgumentException(
                        bad != null
                                ? source + ":" + bad.line() + ": " + bad.problem("a template")
                                : "cannot read template '" + source + "': " + Reasons.of(e, source),
                        e);
            }
            templates.add(new Templates.Source(t, source.toString(), text));
            Set<PosixFilePermission> x = executeBits(source);
            if (!x.isEmpty()) {
                templateExecuteBits.put(t, x);
            }
            return this;
        }

        /**
         * @param source a template file
         * @return its execute bits (owner, group, others), which its rendered file is given; none
         *     when it has none, or its file system keeps no POSIX permissions
         */
        private static Set<PosixFilePermission> executeBits(Path source) {
            Set<PosixFilePermission> bits;
            try {
                bits = Files.getPosixFilePermissions(source);
            } catch (IOException | UnsupportedOperationException e) {
                return Set.of(); // read above, so there; a file system without POSIX permissions has none
            }
            Set<PosixFilePermission> x = EnumSet.noneOf(PosixFilePermission.class);
            for (PosixFilePermission b : List.of(
                    PosixFilePermission.OWNER_EXECUTE,
                    PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_EXECUTE)) {
                if (bits.contains(b)) {
                    x.add(b);
                }
            }
            return x;
        }

        /**
         * @param source a template file, rendered under its own file name
         * @return this builder
         */
        public Builder template(Path source) {
            return template(source.getFileName().toString(), source);
        }

        /**
         * @param target where the rendered file goes in the run directory (also its name in messages,
         *     and the name another template imports it by)
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
                throw new IllegalArgumentException(
                        "a template variable name must be an identifier, got '" + variable + "'");
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
                throw new IllegalArgumentException("file to " + (link ? "link" : "copy") + " '" + source + "' "
                        + org.chemfit.support.Reasons.missing(source));
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
                    throw new IllegalArgumentException(
                            "launcher arguments must not be empty, got " + java.util.Arrays.toString(prefix));
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
         * @param parser a built-in parser from {@link OutputParsers} or a Java hook; each quantity is
         *     read by one parser: {@link #build()} refuses two built-in parsers of the same quantity,
         *     and a run fails when a parser returns a quantity that another one returned
         * @return this builder
         */
        public Builder output(OutputParser parser) {
            parsers.add(Objects.requireNonNull(parser, "parser"));
            return this;
        }

        /**
         * Says how many values a quantity must have: as many as its reference (1 for a single
         * number). A run whose parsed quantity has another number of values, or that computes no
         * such quantity, fails at step parse as an output that cannot be parsed does: with
         * {@code failure.json} in its run directory, which the keep policy keeps as a failed run's,
         * and a message naming the quantity, the file it was read from and both numbers of values.
         * Without it, the loss finds the mismatch only after the run directory is gone.
         *
         * <pre>{@code
         * builder.output(OutputParsers.json("rdf", "out.json", "rdf")).expectValues("rdf", referenceRdf.length);
         * }</pre>
         *
         * @param quantity the quantity's name
         * @param count how many values it must have, 1 or more
         * @return this builder
         * @throws IllegalArgumentException when the name is blank or the count is below 1
         */
        public Builder expectValues(String quantity, int count) {
            if (quantity == null || quantity.isBlank()) {
                throw new IllegalArgumentException("a quantity name must not be blank, got '" + quantity + "'");
            }
            if (count < 1) {
                throw new IllegalArgumentException(
                        "quantity '" + quantity + "' must be expected to have 1 value or more, got " + count);
            }
            expectedValues.put(quantity, count);
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
         * Whether {@link KeepPolicy#FAILED} keeps the run directory of a cancelled run (its thread
         * interrupted: the evaluation was cancelled, the fit stopped) as a failed run's, with its
         * {@code failure.json} saying {@code "cancelled": true}: the default, where a resumed fit
         * removes it ({@link FileBasedQuantityComputer#removeCancelledRuns}). With {@code false} it
         * is removed at once, as a successful run's is: what a cluster worker does ({@code chemfit
         * worker}), which no resumed fit tidies up after and whose runs the driver cancels as a
         * matter of course. {@link KeepPolicy#ALL} keeps it and {@link KeepPolicy#NONE} removes it
         * either way.
         *
         * @param keep false to remove the directories of cancelled runs under {@link KeepPolicy#FAILED}
         * @return this builder
         */
        public Builder keepCancelled(boolean keep) {
            this.keepCancelled = keep;
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
         * @throws IllegalArgumentException when there is no command or no parser, two built-in
         *     parsers read the same quantity, a template does not compile (naming file and line), or
         *     a program is not found on PATH
         */
        public FileBasedQuantityComputer build() {
            if (commands.isEmpty()) {
                throw new IllegalArgumentException("an external term needs at least one command");
            }
            if (parsers.isEmpty()) {
                throw new IllegalArgumentException("an external term needs at least one output parser");
            }
            java.util.Map<String, OutputParser> readBy = new java.util.HashMap<>();
            for (OutputParser p : parsers) {
                String quantity = OutputParsers.quantityOf(p);
                OutputParser first = quantity == null ? null : readBy.putIfAbsent(quantity, p);
                if (first != null) {
                    throw new IllegalArgumentException("quantity '" + quantity + "' is read by two output parsers, "
                            + first + " in '" + OutputParsers.fileOf(first) + "' and " + p + " in '"
                            + OutputParsers.fileOf(p) + "': each quantity is read by one parser (the second"
                            + " would replace the first's value); give one of them another quantity name");
                }
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
                    throw new IllegalArgumentException(
                            "program '" + program + "' of command '" + c + "' does not exist or is not executable");
                }
                return; // a relative path names a staged or written file of the run directory
            }
            String path = c.env().getOrDefault("PATH", env.getOrDefault("PATH", System.getenv("PATH")));
            if (ProcessRunner.findOnPath(program, path) == null) {
                throw new IllegalArgumentException(
                        "program '" + program + "' not found on PATH (" + path + ") for command '" + c + "'");
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
