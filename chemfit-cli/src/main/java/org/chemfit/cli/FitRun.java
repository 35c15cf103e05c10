package org.chemfit.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.chemfit.cli.BaseCommand.UserException;
import org.chemfit.fit.FitFailedException;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.fit.StopReason;
import org.chemfit.journal.JournalException;
import org.chemfit.journal.JournalMode;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.RunRecord;
import org.jspecify.annotations.Nullable;

/**
 * One run of {@code chemfit fit}, once the command line is parsed: builds the objective from the
 * job's plan, creates the output folder, opens the journal (resuming the run of this job recorded
 * there, or showing its result when it is finished), runs the optimizer with progress, the
 * dashboard and interrupts, writes results.json, the metrics and the plots, prints the closing
 * table, and maps how the fit ended to an exit code.
 *
 * <pre>{@code
 * int code = new FitRun(jf, new FitRun.Options(4, 200, false, folder, cluster, 120, 0, Progress.Mode.LOG, 10,
 *         false, false, null, false), out, err).run();
 * }</pre>
 *
 * <p>Every resource it opens (the plan's executors, the journal, the dashboard, the evaluation
 * log, the interrupt handlers) is closed before {@link #run()} returns or throws.
 *
 * @implNote Runs once, on the thread that calls {@link #run()}; that thread is the one an interrupt
 *     (Ctrl-C, SIGTERM) stops.
 */
final class FitRun {

    /**
     * What the command line decided.
     *
     * @param workers terms run at once
     * @param budget the evaluation budget
     * @param budgetGiven whether the budget was given on the command line ({@code --max-evaluations})
     * @param folder the output folder, absolute
     * @param cluster the cluster options
     * @param memberWait with a cluster: seconds terms wait while no worker is there
     * @param driverThreads with a cluster: terms this process runs itself
     * @param mode how progress is shown
     * @param progressInterval seconds between progress lines
     * @param noPlots whether plots are left out
     * @param restart whether a new run of the journal starts instead of resuming
     * @param dashboard the dashboard's port, or null for none
     * @param quiet whether only errors and the results are printed
     */
    record Options(
            int workers,
            int budget,
            boolean budgetGiven,
            Path folder,
            ClusterArgs cluster,
            long memberWait,
            int driverThreads,
            Progress.Mode mode,
            double progressInterval,
            boolean noPlots,
            boolean restart,
            @Nullable Integer dashboard,
            boolean quiet) {}

    /** How the optimizer's run ended: its result (partial or none), the status of results.json, a message, the exit code. */
    private record Ending(
            @Nullable FitResult result,
            String status,
            @Nullable String message,
            int code) {}

    private final JobFile jf;
    private final int w;
    private final int budget;
    /** Whether {@code --max-evaluations} gave the budget. */
    private final boolean budgetGiven;

    private final Path folder;
    private final ClusterArgs cluster;
    private final long memberWait;
    private final int driverThreads;
    private final Options options;
    private final boolean quiet;
    /** How long the validation terms took after the fit ended, or null when they did not run. */
    private @Nullable Double validationSeconds;
    /**
     * Why the validation terms could not be evaluated after the fit, as its warning says it, or null:
     * results.json keeps it among its warnings, which the dashboard and chemfit report show.
     */
    private @Nullable String validationProblem;

    private final PrintWriter out;
    private final PrintWriter err;

    // set by the step that opens the journal, before any step that reads them
    @SuppressWarnings("NullAway.Init")
    private JournalReader journal;

    @SuppressWarnings("NullAway.Init")
    private Fitter fitter;
    /** The count of failed runs that retries recovered, or null when the job retries nothing. */
    private @Nullable RetriedRuns retried;

    @SuppressWarnings("NullAway.Init")
    private Optional<RunRecord> resumed;

    /**
     * The job's settings as the journal identifies it ({@link JobSettings#of}), written to
     * results.json as {@code job_settings} so that {@code eval --params} compares a job with them
     * as a resume does.
     */
    @SuppressWarnings("NullAway.Init")
    private Map<String, Object> jobSettings;

    /**
     * The SHA-256 of the job's settings as its job file writes them ({@link JobSettings#digest}),
     * before a run's way of writing the optimizer is taken: written to results.json as {@code
     * job.settings_sha256}, so that a finished fit is shown rather than replayed when the job
     * file that wrote its results differed only by {@code execution} and {@code output}.
     */
    private @Nullable String ownSettings;

    /** The term whose failure ended the fit (under on_failure: raise), or null. */
    private @Nullable TermFailedException failedTerm;
    /**
     * Whether the method itself refused to go on (a start it cannot move from, residuals it cannot use), not a
     * term nor the journal: a resume of the same job replays the same results, and the method refuses again.
     */
    private boolean methodFailed;

    /**
     * @param jf the job file, read
     * @param options what the command line decided
     * @param out where results go
     * @param err where progress and messages go
     */
    FitRun(JobFile jf, Options options, PrintWriter out, PrintWriter err) {
        this.jf = jf;
        this.options = options;
        this.w = options.workers();
        this.budget = options.budget();
        this.budgetGiven = options.budgetGiven();
        this.folder = options.folder();
        this.cluster = options.cluster();
        this.memberWait = options.memberWait();
        this.driverThreads = options.driverThreads();
        this.quiet = options.quiet();
        this.out = out;
        this.err = err;
    }

    private PrintWriter out() {
        return out;
    }

    private PrintWriter err() {
        return err;
    }

    /**
     * Runs the fit, or shows the result of the same fit finished earlier in the folder.
     *
     * @return the exit code: {@link ExitCodes#OK}, {@link ExitCodes#FIT_FAILED} or {@link ExitCodes#INTERRUPTED}
     * @throws JobFileException when a template names an unknown parameter
     * @throws UserException for a job that cannot be built, an output folder that cannot be used, a
     *     journal that refuses the job, a dashboard port that cannot be bound
     */
    int run() {
        FitPlan plan = plan();
        // the outermost folder this command makes (null when the output folder is there): what a
        // refused fit removes again
        Path made = null;
        for (Path p = folder.toAbsolutePath();
                p != null && !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                p = p.getParent()) {
            made = p;
        }
        boolean journalThere = Files.exists(folder.resolve(org.chemfit.journal.Journal.DEFAULT_FILE_NAME));
        createOutputFolder(plan);
        openJournal(plan);
        Integer shown = showFinishedFit(plan);
        if (shown != null) {
            return shown;
        }
        try {
            announce();
            removeCutOffRuns(plan);
        } catch (RuntimeException e) {
            // the journal holds its writer's lock since its check: let go of it with the fit
            plan.close();
            journal.close();
            throw e;
        }
        LiveDashboard live;
        try {
            // before any output file is opened: a port that cannot be bound changes nothing
            live = LiveDashboard.start(options.dashboard(), folder, err());
        } catch (UserException e) {
            plan.close();
            if (!journalThere) {
                // removed while the journal holds its lock, so that no other fit takes it up meanwhile
                removeUnusedJournal(made);
            }
            journal.close();
            throw e;
        }
        Instant started = Instant.now();
        if (!options.noPlots() && jf.output().plots()) {
            Plots.warmUpInBackground();
        }
        List<String> termNames = new ArrayList<>();
        jf.terms().forEach(t -> termNames.add(t.name()));
        EvaluationLog opened;
        try {
            keepEarlierFiles(); // after the port is bound: a dashboard that cannot start moves nothing
            opened = new EvaluationLog(folder, plan.initial().names(), termNames, err());
        } catch (UserException e) {
            plan.close();
            journal.close();
            live.close();
            throw e;
        }
        JournalReader journal = this.journal;
        try (plan;
                journal;
                live;
                EvaluationLog log = opened;
                Interrupts interrupts =
                        Interrupts.install(Thread.currentThread(), err()).allowing(jf.longestKillGrace())) {
            resumed.ifPresent(run -> recorded(log, journal, run.id()));
            fitter.listener(log);
            // failed runs that a retry recovered leave the loss exact: counted to be said, only when there are retries
            retried = jf.retriesRuns() ? new RetriedRuns() : null;
            if (retried != null) {
                fitter.listener(retried);
            }
            // The first evaluation is the start point: kept for the metrics at the start.
            AtomicReference<EvaluationContext> first = new AtomicReference<>();
            fitter.listener((number, ctx, loss) -> first.compareAndSet(null, ctx));
            ValidationTrace trace = jf.validationEvery() > 0 ? new ValidationTrace(plan, jf.validationEvery()) : null;
            if (trace != null) {
                fitter.listener(trace);
            }
            Ending end = fit(plan, log, interrupts);
            // Clear the interrupt so that writing the results is not cut short.
            boolean wasInterrupted = Thread.interrupted();
            int code = writeResults(plan, end, log, first.get(), trace, started, interrupts);
            if (end.code() == ExitCodes.INTERRUPTED || interrupts.triggered()) {
                Interrupts.killChildren();
            }
            interrupts.written();
            if (wasInterrupted && end.code() != ExitCodes.INTERRUPTED) {
                Thread.currentThread().interrupt();
            }
            return code;
        }
    }

    /** Step one: the objective, the optimizer and the executors the job describes; its templates checked. */
    private FitPlan plan() {
        FitPlan plan;
        try {
            plan = FitPlan.build(
                    jf,
                    w,
                    folder,
                    !cluster.enabled()
                            ? null
                            : (combined, resources) -> cluster.drive(
                                    combined,
                                    resources,
                                    java.time.Duration.ofSeconds(memberWait),
                                    driverThreads,
                                    jf.hash(),
                                    noWorkerWarning()));
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        try {
            // the hashes of the files as the plan read them, for results.json and the journal's
            // checks: an edit or a removal while the fit runs does not change them
            jf.digest().pin();
            plan.refuseProblems();
            if (!quiet) {
                plan.mixedLossUnits().forEach(warning -> err().println("warning: " + warning));
                plan.stepWarnings().forEach(warning -> err().println("warning: " + warning));
            }
        } catch (JobFileException | UserException e) {
            plan.close();
            throw e;
        }
        return plan;
    }

    /**
     * What in an output folder takes the place of a file the fit writes (a folder named results.json,
     * predictions.csv or evaluations.csv) or of the folder it draws its plots in (a file named
     * plots); {@code chemfit validate} says it too, before a fit is started.
     *
     * @param folder the output folder, which may not exist yet
     * @param plots whether the fit draws plots
     * @return the message ("cannot use out as the output folder: out/plots is a file, ..."), or
     *     null when nothing is in the way
     */
    static @Nullable String inTheWay(Path folder, boolean plots) {
        for (String f : List.of(Results.FILE, Judgement.FILE, EvaluationLog.FILE)) {
            if (Files.isDirectory(folder.resolve(f))) {
                return "cannot use " + folder + " as the output folder: " + folder.resolve(f)
                        + " is a folder, and the fit writes its " + f + " there";
            }
        }
        Path drawn = folder.resolve("plots");
        if (plots && Files.exists(drawn) && !Files.isDirectory(drawn)) {
            return "cannot use " + folder + " as the output folder: " + drawn
                    + " is a file, and the fit draws its plots in a folder of that name (--no-plots draws none)";
        }
        return null;
    }

    /** The output folder, created when missing. */
    private void createOutputFolder(FitPlan plan) {
        try {
            String why = Messages.notAFolder(folder);
            if (why != null) {
                throw new UserException("cannot use " + folder + " as the output folder: " + why);
            }
            // an earlier fit's files that --restart kept: taken as this job's folder, its result would be replaced
            String kept = OutputFolder.keptEarlierRun(folder, "another output.folder (or --output)");
            if (kept != null) {
                throw new UserException(kept);
            }
            // a read-only file system, or a folder this user may not write in, said as such
            String unwritable = OutputFolder.unwritable(folder);
            if (unwritable != null) {
                throw new UserException(unwritable);
            }
            Files.createDirectories(folder);
            unwritable = OutputFolder.unwritable(folder);
            if (unwritable != null) {
                throw new UserException(unwritable);
            }
            // found now rather than after hours of fitting: an output file whose place a folder or a file takes
            String inTheWay = inTheWay(folder, !options.noPlots() && jf.output().plots());
            if (inTheWay != null) {
                throw new UserException(inTheWay);
            }
            // someone's files of the names the fit writes, in a folder no fit wrote: refused before anything runs
            String others = OutputFolder.othersFiles(
                    folder,
                    OutputFolder.fitNames(
                            folder, !options.noPlots() && jf.output().plots()),
                    "the fit",
                    "another output.folder (or --output)");
            if (others != null) {
                throw new UserException(others);
            }
        } catch (IOException e) {
            plan.close();
            throw new UserException("cannot create the output folder " + folder + ": " + Messages.reason(e));
        } catch (UserException e) {
            plan.close();
            throw e;
        }
    }

    /**
     * A fit refused before it began (a dashboard port that cannot be bound) leaves no empty journal
     * that this command made, nor the output folder it made for it: the folder is as it was.
     * Whatever cannot be removed stays; it holds no run, and the next fit there takes it as its own.
     *
     * @param made the outermost folder this command made for the output folder, or null when none
     */
    private void removeUnusedJournal(@Nullable Path made) {
        String name = org.chemfit.journal.Journal.DEFAULT_FILE_NAME;
        try {
            for (String suffix : List.of("", "-wal", "-shm", "-journal", ".lock")) {
                Files.deleteIfExists(folder.resolve(name + suffix));
            }
            // the folders made, innermost first, each while empty
            for (Path p = folder.toAbsolutePath(); made != null && p != null && p.startsWith(made); p = p.getParent()) {
                try (var left = Files.list(p)) {
                    if (left.findAny().isPresent()) {
                        break;
                    }
                }
                Files.delete(p);
            }
        } catch (IOException e) {
            // left as it is: an empty journal, which the next fit in the folder takes as its own
        }
    }

    /** The journal, opened and checked against the job (a changed job is refused before anything is touched). */
    private void openJournal(FitPlan plan) {
        JournalMode journalMode = options.restart() ? JournalMode.restart() : JournalMode.resumeLatest();
        try {
            refuseAnotherJobsResults();
            jobSettings = JobSettings.of(jf);
            ownSettings = JobSettings.digest(jobSettings);
            journal = JournalReader.open(folder);
            if (!options.restart() && journal.latestRun().isEmpty()) {
                // a journal with no run says nothing of the folder's results.json (a fit refused once it had
                // opened it, a --restart whose files could not be moved, left it): another job's are refused
                String another = anotherJobsResults(jf, folder, true);
                if (another != null) {
                    journal.close();
                    throw new UserException(another);
                }
            }
            if (!options.restart()) {
                // a default written out in one and left out in the other is the same optimizer:
                // written as the journal's run has it, so that the journal sees the same job
                jobSettings = JobSettings.asRecorded(jobSettings, recordedJobs(journal), jf);
            }
            if (jf.output().improvingTermsOnly()) {
                journal.termsOfImprovingEvaluationsOnly();
            }
            fitter = plan.fitter(budget).jobSettings(jobSettings).journal(journal, journalMode);
            try {
                // refused before anything in the folder is touched
                resumed = journal.check(fitter.settings(), journalMode);
            } catch (JournalException e) {
                journal.close();
                throw e;
            }
            resumed.ifPresent(this::warnOfUnitEdits);
        } catch (JournalException | UserException e) {
            plan.close();
            throw refusal(e, budget, budgetGiven, jf.file());
        }
    }

    /**
     * Warns of each parameter whose unit the resumed run recorded otherwise: the run goes on (a unit is
     * a label, and takes no part in the fit), but the numbers it recorded are in the unit it had.
     */
    private void warnOfUnitEdits(RunRecord run) {
        if (!(run.settings().get("job") instanceof Map<?, ?> recorded)) {
            return;
        }
        List<String> edits = JobSettings.unitEdits(recorded, jf);
        if (edits.isEmpty() || quiet) {
            return;
        }
        err().println("warning: "
                + (edits.size() == 1
                        ? "the unit of a parameter is not the one"
                        : "the units of " + edits.size() + " parameters are not the ones")
                + " run " + run.id() + " last recorded (" + String.join("; ", edits) + "): units are"
                + " labels and nothing is converted, so the values the run recorded are shown in the new unit as"
                + " the same numbers; to fit in the new unit, convert the parameter's initial value and bounds"
                + " and begin a new run (chemfit fit --restart)");
        err().flush();
    }

    /**
     * @param e why the journal cannot be resumed, or another reason the fit cannot start
     * @param budget the fit's budget of evaluations
     * @param budgetGiven whether the command line gave it
     * @param jobFile the job file, or null when not known
     * @return the refusal in the command's words
     */
    private static UserException refusal(RuntimeException e, int budget, boolean budgetGiven, @Nullable Path jobFile) {
        String message = String.valueOf(e.getMessage());
        String recorded = e instanceof org.chemfit.journal.JournalMismatchException m
                ? recordedBudget(m, budget, budgetGiven)
                : null;
        int advice = message.indexOf(RESTART_ADVICE);
        if (recorded != null && advice >= 0) {
            // only the budget changed: the run goes on when given the budget it was recorded with
            return new UserException(message.substring(0, advice) + " To go on with run "
                    + ((org.chemfit.journal.JournalMismatchException) e).runId()
                    + ", give it the budget it was recorded with: " + recorded + "; chemfit fit --restart begins a"
                    + " new run from nothing (the earlier runs are kept), or write to another output folder.");
        }
        // the journal's message names the Java API's way to restart too; the command says its own
        String said = message.replace("(chemfit fit --restart, or JournalMode.restart();", "(chemfit fit --restart;");
        if (e instanceof org.chemfit.journal.JournalMismatchException m && onlyXBlocks(m.changes())) {
            // a block the job reader does not read, yet part of the job: what its anchors give elsewhere is
            // recorded there (the journal's copy of the file keeps an alias as its name); JSON has no anchors
            said += jobFile == null
                            || jobFile.getFileName()
                                    .toString()
                                    .toLowerCase(java.util.Locale.ROOT)
                                    .endsWith(".json")
                    ? " A top-level x- block is part of the job; a note that takes no part in the fit belongs in"
                            + " description."
                    : " A top-level x- block is part of the job, since its anchors give values where their aliases"
                            + " stand; a note that takes no part in the fit belongs in description.";
        }
        return new UserException(said);
    }

    /**
     * What {@code chemfit fit} of the job (without {@code --restart} or {@code --max-evaluations})
     * would say of the journal in its output folder before it starts, read as {@code chemfit report}
     * reads it (evaluations a killed fit left in its pending file copied in first), the fit's check
     * of it made; or of another job's results.json there when there is no journal.
     *
     * @param jf the job file, read
     * @param plan the job's plan
     * @return the refusal that {@code --restart} would lift (a journal of another job, or another
     *     job's results.json), or null when there is no journal or the fit would start or go on with it
     * @throws UserException when the folder holds a file no fit can take as its journal, with or
     *     without {@code --restart} (not a ChemFit journal, damaged)
     */
    static @Nullable String journalRefusal(JobFile jf, FitPlan plan) {
        Path folder = jf.output().folder();
        Path file = folder.resolve(org.chemfit.journal.Journal.DEFAULT_FILE_NAME);
        if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return anotherJobsResults(jf, folder);
        }
        try {
            // a folder or a named pipe there is refused by the reader below, as the fit refuses it
            if (Files.isRegularFile(file) && Files.size(file) == 0) {
                // an empty file, which a fit makes its journal: it says nothing of the folder's results
                return anotherJobsResults(jf, folder, true);
            }
        } catch (java.io.IOException e) {
            return null; // the fit says what it cannot read
        }
        int budget = jf.optimizer().maxEvaluations();
        try (JournalReader j = JournalReader.openReadOnly(folder)) {
            if (j.latestRun().isEmpty()) {
                return anotherJobsResults(jf, folder, true); // a journal with no run says nothing of them
            }
            Map<String, Object> settings = JobSettings.asRecorded(JobSettings.of(jf), recordedJobs(j), jf);
            j.check(plan.fitter(budget).jobSettings(settings).settings(), JournalMode.resumeLatest());
            return null;
        } catch (org.chemfit.journal.JournalMismatchException e) {
            return refusal(e, budget, false, jf.file())
                    .getMessage(); // a run of another job: --restart begins a new one
        } catch (JournalException e) {
            throw refusal(e, budget, false, jf.file()); // no journal a fit can write, --restart or not
        }
    }

    /**
     * @param changes a journal's changes of the job ({@code added job.file.x-notes.tried = "sigma 3.3"})
     * @return whether some are of a top-level x- block of the job file and every other is of the budget
     *     (which alone would not refuse the run: a fit its budget stopped goes on with a larger one)
     */
    private static boolean onlyXBlocks(List<String> changes) {
        boolean x = false;
        for (String c : changes) {
            if (c.matches("(?s)(changed|added|removed) job\\.file\\.x-.*")) {
                x = true;
            } else if (!BUDGET_CHANGE.matcher(c).matches()
                    && !FILE_BUDGET_CHANGE.matcher(c).matches()) {
                return false;
            }
        }
        return x;
    }

    /** Where the journal's advice begins in its message that a run cannot be resumed. */
    private static final String RESTART_ADVICE = " Restart to begin a new run in this journal";

    /** A change of the fit's budget, as the journal names it ({@code changed fit.max_evaluations: 40 -> 30}). */
    private static final java.util.regex.Pattern BUDGET_CHANGE =
            java.util.regex.Pattern.compile("changed fit\\.max_evaluations: (\\d+) -> \\d+");

    /** A change of the job file's budget ({@code changed job.file.optimizer.max_evaluations: 30 -> 40}). */
    private static final java.util.regex.Pattern FILE_BUDGET_CHANGE =
            java.util.regex.Pattern.compile("changed job\\.file\\.optimizer\\.max_evaluations: (\\d+) -> \\d+");

    /**
     * @param e a journal's refusal to resume a run
     * @param budget the fit's budget of evaluations
     * @param budgetGiven whether the command line gave it
     * @return when the budget is all that changed (on the command line, in the job file, or both),
     *     how to give the one the run was recorded with ("--max-evaluations 40", "optimizer.max_evaluations:
     *     30 in the job file again, and --max-evaluations 40"), else null
     */
    private static @Nullable String recordedBudget(
            org.chemfit.journal.JournalMismatchException e, int budget, boolean budgetGiven) {
        String fit = null;
        String file = null;
        for (String change : e.changes()) {
            java.util.regex.Matcher m = BUDGET_CHANGE.matcher(change);
            java.util.regex.Matcher f = FILE_BUDGET_CHANGE.matcher(change);
            if (m.matches()) {
                fit = m.group(1);
            } else if (f.matches()) {
                file = f.group(1);
            } else {
                return null;
            }
        }
        if (fit == null && file == null) {
            return null;
        }
        String given = fit != null ? fit : String.valueOf(budget);
        if (file == null) {
            return "--max-evaluations " + given;
        }
        // a --max-evaluations given now stands over the file's budget: the advice names it too
        return "optimizer.max_evaluations: " + file + " in the job file again"
                + (file.equals(given) && !budgetGiven ? "" : ", and --max-evaluations " + given);
    }

    /**
     * @return the job settings ({@code settings.job}) of the journal's runs, the latest first; none
     *     when the journal cannot list them (its check then says why)
     */
    private static List<Map<?, ?>> recordedJobs(JournalReader journal) {
        List<Map<?, ?>> out = new ArrayList<>();
        try {
            for (RunRecord run : journal.runs()) {
                if (run.settings().get("job") instanceof Map<?, ?> job) {
                    out.add(job);
                }
            }
        } catch (JournalException | IllegalArgumentException e) {
            return List.of();
        }
        java.util.Collections.reverse(out); // runs() lists the oldest first
        return out;
    }

    /**
     * Without a journal, nothing tells whether the results in the folder are this job's: those of
     * another job (another job file or name) are not replaced without {@code --restart}, as a
     * journal of another job would refuse the fit.
     */
    private void refuseAnotherJobsResults() {
        if (!options.restart()) {
            String refusal = anotherJobsResults(jf, folder);
            if (refusal != null) {
                throw new UserException(refusal);
            }
        }
    }

    /**
     * @param jf the job
     * @param folder its output folder
     * @return why a fit without {@code --restart} refuses the folder's results.json of another job
     *     when no journal there says more, or null
     */
    private static @Nullable String anotherJobsResults(JobFile jf, Path folder) {
        return anotherJobsResults(jf, folder, false);
    }

    /**
     * @param jf the job
     * @param folder its output folder
     * @param journalHasNoRun whether the folder's journal, if any, holds no run (and so says nothing)
     * @return why a fit without {@code --restart} refuses the folder's results.json of another job, or null
     */
    private static @Nullable String anotherJobsResults(JobFile jf, Path folder, boolean journalHasNoRun) {
        Path results = folder.resolve(Results.FILE);
        if (!journalHasNoRun && Files.exists(folder.resolve(org.chemfit.journal.Journal.DEFAULT_FILE_NAME))
                || !Files.isRegularFile(results)) {
            return null;
        }
        Map<String, Object> earlier;
        try {
            earlier = Results.read(results);
        } catch (RuntimeException e) {
            return null; // not a results file that can be read: nothing of a job to compare
        }
        // the same job file under the same name is this job, maybe edited: its results are its own to replace
        if (earlier.get("job") instanceof Map<?, ?> job
                && job.get("sha256") instanceof String hash
                && !hash.equals(jf.hash())
                && !(jf.file().toString().equals(job.get("file")) && jf.name().equals(job.get("name")))) {
            return folder + " holds the results of another job (" + results + ": job '"
                    + job.get("name") + "' from " + job.get("file") + ", sha256 "
                    + hash.substring(0, Math.min(12, hash.length()))
                    + "...), and no journal that would say more; they are not replaced: give another --output,"
                    + " or --restart to keep them in " + keptIn(folder) + " and begin anew";
        }
        return null;
    }

    /**
     * Tells the log what the run's earlier attempts recorded, read in one pass over its evaluations:
     * the seconds of each complete evaluation, by number (what a replayed evaluation's line of
     * evaluations.csv says), and one past the highest number recorded, complete or not (an
     * evaluation replayed below it is one of theirs, at or above it a point this attempt asked for
     * again), and the numbers of the evaluations an earlier attempt left cut off (started, not
     * finished), whose recorded terms a resume takes without their evaluation.
     *
     * @param log the log of this attempt
     * @param journal the journal
     * @param runId the run resumed
     */
    private static void recorded(EvaluationLog log, JournalReader journal, long runId) {
        Map<Integer, Double> seconds = new java.util.HashMap<>();
        java.util.Set<Integer> cutOff = new java.util.HashSet<>();
        int from = 0;
        while (true) {
            List<EvaluationRecord> page = journal.evaluationRows(runId, from, 1000);
            for (EvaluationRecord e : page) {
                if (e.state() == EvaluationRecord.State.COMPLETE && Double.isFinite(e.seconds())) {
                    seconds.put(e.number(), e.seconds());
                }
                if (e.state() == EvaluationRecord.State.RUNNING) {
                    cutOff.add(e.number());
                }
                from = Math.max(from, e.number() + 1);
            }
            if (page.size() < 1000) {
                break;
            }
        }
        log.recordedSeconds(number -> seconds.getOrDefault(number, Double.NaN), from, cutOff::contains);
    }

    /**
     * A resumed fit's best point may be one it replayed: its terms say how they ran when they ran
     * ({@code OK}, with {@code replayed: true}), with the seconds the journal recorded then (the
     * sum of its leaf terms' for a term of several), not the moment of their replay.
     */
    @SuppressWarnings("unchecked")
    private void asRecorded(Map<String, Object> results, long runId) {
        if (!(results.get("terms") instanceof List<?> terms)
                || !(results.get("evaluations") instanceof Map<?, ?> ev)
                || !(ev.get("best") instanceof String bestId)) {
            return;
        }
        Optional<EvaluationRecord> best =
                journal.best(runId).filter(e -> e.evaluationId().equals(bestId));
        if (best.isEmpty()) {
            return; // the journal's best is another evaluation: nothing recorded to say of these terms
        }
        List<org.chemfit.journal.read.TermRecord> recorded =
                journal.terms(runId, best.get().number());
        for (int i = 0; i < terms.size(); i++) {
            Map<String, Object> t = (Map<String, Object>) terms.get(i);
            if (!"REPLAYED".equals(t.get("status"))) {
                continue;
            }
            t.put("status", "OK"); // a failed term is never replayed: it runs again
            t.put("replayed", true);
            String path = Integer.toString(i);
            double seconds = 0;
            boolean found = false;
            for (org.chemfit.journal.read.TermRecord r : recorded) {
                if ((r.path().equals(path) || r.path().startsWith(path + ".")) && Double.isFinite(r.seconds())) {
                    seconds += r.seconds();
                    found = true;
                }
            }
            if (found) {
                t.put("seconds", seconds);
            }
        }
    }

    /**
     * @return whether a run was recorded with these very settings (numbers compared by value), not
     *     only with settings that differ from them by what takes no part in the fit
     */
    static boolean sameSettings(RunRecord run, Fitter fitter) {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        try {
            com.fasterxml.jackson.databind.JsonNode recorded = json.readTree(run.settingsJson());
            com.fasterxml.jackson.databind.JsonNode now = json.valueToTree(fitter.settings());
            return recorded.equals(
                    // exact values: 1 equals 1.0, but two seeds above 2^53 never equal as doubles would
                    (a, b) -> a.isNumber() && b.isNumber()
                            ? a.decimalValue().compareTo(b.decimalValue())
                            : a.equals(b) ? 0 : 1,
                    now);
        } catch (IOException | IllegalArgumentException e) {
            return false; // replayed: that writes the results again whatever they held
        }
    }

    /**
     * @param runId the journal's run the results are of
     * @return the optimizer the run used, every default applied ({@link JobSettings#effectiveOptimizer}:
     *     the method, its seed, tolerances and finite-difference step) and its budget as the run was
     *     given it, {@code --max-evaluations} included: what the job file alone does not say
     */
    private Map<String, Object> optimizerUsed(long runId) {
        Map<String, Object> used = new java.util.LinkedHashMap<>(JobSettings.effectiveOptimizer(jobSettings, jf));
        long recorded = journal.run(runId).map(FitRun::budgetOf).orElse(-1L);
        used.put("max_evaluations", recorded >= 0 ? recorded : budget);
        return used;
    }

    /** @return whether the run stopped at its budget and this fit has a larger one */
    private boolean moreBudget(RunRecord run) {
        return "MAX_EVALUATIONS".equals(run.stopReason()) && budgetOf(run) < budget;
    }

    /** @return the budget the run was given, or -1 when its settings do not say */
    static long budgetOf(RunRecord run) {
        return run.settings().get("fit") instanceof Map<?, ?> fit && fit.get("max_evaluations") instanceof Number n
                ? n.longValue()
                : -1;
    }

    /**
     * When the same job already ran to its end in this folder, shows its result instead of
     * replaying every evaluation.
     *
     * @return the exit code when the result was shown (the plan and the journal are then closed), or null
     */
    private @Nullable Integer showFinishedFit(FitPlan plan) {
        Path previous = folder.resolve(Results.FILE);
        if (resumed.isEmpty() || !"FINISHED".equals(resumed.get().status()) || !Files.isRegularFile(previous)) {
            return null;
        }
        if (moreBudget(resumed.get())) {
            return null; // its budget stopped it, and this fit has a larger one: it goes on
        }
        if (!sameSettings(resumed.get(), fitter)) {
            // edits that take no part in the fit (a description, a unit, the held-out terms): every
            // evaluation is replayed, and the results are written again with them
            return null;
        }
        Map<String, Object> results;
        try {
            results = Results.read(previous);
        } catch (RuntimeException e) {
            results = Map.of(); // damaged: the fit is replayed from the journal, which writes it again
        }
        // results.json belongs to the last fit written here, which may be another run of the journal,
        // or this run written from another job file of the same fit (a default written out there, left
        // out here): replayed, the results are written again of this job file. A job file that
        // differs only by execution or output (the workers, the plots) is the same: shown
        if (!("done".equals(results.get("status"))
                && results.get("journal_run") instanceof Number n
                && n.longValue() == resumed.get().id()
                && results.get("job") instanceof Map<?, ?> job
                && writtenAsThisJob(job))) {
            return null;
        }
        String missing = missingOutputs(results);
        if (missing != null) {
            // replayed, nothing is computed again, and every file is written again
            if (!quiet) {
                err().println("the fit of " + jf.file().getFileName() + " in " + folder + " is finished, but " + missing
                        + ": it is replayed from the journal, which writes its files again");
            }
            return null;
        }
        JournalReader journal = this.journal;
        try (plan;
                journal) {
            if (!quiet) {
                err().printf(
                                "the fit of %s in %s is finished (run %d of the journal, %s recorded); its result "
                                        + "is shown and nothing runs again (--restart fits again)%n",
                                jf.file().getFileName(),
                                folder,
                                resumed.get().id(),
                                Tables.count(finished(journal, resumed.get().id()), "evaluation"));
                err().flush();
            }
            Tables.summary(out(), results);
            out().println();
            out().println("results: " + previous);
            out().println("journal: " + journal.path() + " (run "
                    + resumed.get().id() + ")");
            return ExitCodes.OK;
        }
    }

    /**
     * @param results the finished fit's results.json, read
     * @return what a finished fit's folder lacks of what the fit wrote beside its results.json (a
     *     file deleted since, plots whose drawing did not end or never ran), or null when nothing
     */
    private @Nullable String missingOutputs(Map<String, Object> results) {
        if (!Files.isRegularFile(folder.resolve(EvaluationLog.FILE))) {
            return "its " + EvaluationLog.FILE + " is missing";
        }
        if (results.get("files") instanceof Map<?, ?> files
                && files.get("predictions") != null
                && !Files.isRegularFile(folder.resolve(Judgement.FILE))) {
            return "its " + Judgement.FILE + " is missing";
        }
        if (options.noPlots() || !jf.output().plots()) {
            return null;
        }
        // the list of the plots names the results.json they were drawn from: another, or none, is a
        // drawing that did not end (a kill, a plot that could not be written) or never ran
        Path list = folder.resolve("plots").resolve(Plots.WRITTEN_LIST);
        try {
            if (!Files.isRegularFile(list)) {
                return "its plots were not drawn";
            }
            List<String> lines = Files.readAllLines(list, java.nio.charset.StandardCharsets.UTF_8);
            String stamp = lines.stream()
                    .filter(l -> l.startsWith(Plots.DRAWN_FROM))
                    .findFirst()
                    .orElse(null);
            // a list of an older version names no results.json: its plots are taken as whole
            if (stamp != null && !stamp.equals(Plots.resultsStamp(folder))) {
                return "its plots are not all of its results.json (their drawing did not end)";
            }
            for (String name : lines) {
                if (Plots.isPlotFile(name) && !Files.isRegularFile(list.resolveSibling(name))) {
                    return "its plot plots/" + name + " is missing";
                }
            }
        } catch (IOException | RuntimeException e) {
            return null; // what cannot be read is not said missing: the result is shown
        }
        return null;
    }

    /**
     * @param job the {@code job} section of the results.json in the folder
     * @return whether it was written from a job file of these very settings ({@code
     *     settings_sha256}: the job file without {@code execution} and {@code output}, and the
     *     files it names), or, in a results.json written before that key, from this very job file
     */
    private boolean writtenAsThisJob(Map<?, ?> job) {
        if (job.get("settings_sha256") instanceof String written) {
            return written.equals(ownSettings);
        }
        return jf.hash().equals(job.get("sha256"));
    }

    /** The folder, in the output folder, that keeps the files of the fits that {@code --restart} began anew after. */
    static final String EARLIER_RUNS = "earlier-runs";

    /**
     * @param folder the output folder
     * @return the folder in {@code earlier-runs} that {@code --restart} moves the earlier fit's files
     *     into: {@code run-N}, N the journal's run that results.json names ({@code run-earlier} when it
     *     names none or cannot be read), with {@code -2}, {@code -3} ... after it when that is taken
     */
    static Path keptIn(Path folder) {
        String run = "run-earlier";
        try {
            if (Results.read(folder.resolve(Results.FILE)).get("journal_run") instanceof Number n) {
                run = "run-" + n.longValue();
            }
        } catch (RuntimeException e) {
            // no results.json, or none that can be read: the files are kept all the same
        }
        Path earlier = folder.resolve(EARLIER_RUNS);
        Path to = earlier.resolve(run);
        for (int i = 2; Files.exists(to, java.nio.file.LinkOption.NOFOLLOW_LINKS); i++) {
            to = earlier.resolve(run + "-" + i);
        }
        return to;
    }

    /**
     * With {@code --restart}: the files an earlier fit (or {@code chemfit report}) wrote in the output
     * folder, its results.json, evaluations.csv, predictions.csv, report.html and plots, are moved into a
     * folder of their own, {@code earlier-runs/run-N} (N the journal's run that results.json names), before
     * the new run writes anything: however the new run ends, even failing at once, the earlier result is
     * kept as it was, beside its run in the journal.
     *
     * @throws UserException when they cannot be moved (what was moved is named)
     */
    private void keepEarlierFiles() {
        Long other = options.restart() ? null : anotherRunsFiles();
        if (!options.restart() && other == null) {
            return;
        }
        // what is done with the files that stand in the folder, for the messages
        String before = options.restart()
                ? " before --restart begins a new run"
                : " before run " + resumed.map(RunRecord::id).orElse(0L) + " of the journal is resumed";
        List<Path> present = new ArrayList<>();
        for (String name : OutputFolder.FILES) {
            if (Files.exists(folder.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                present.add(folder.resolve(name));
            }
        }
        if (Files.exists(folder.resolve(OutputFolder.PLOTS), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            present.add(folder.resolve(OutputFolder.PLOTS));
        }
        if (present.isEmpty()) {
            return;
        }
        Path earlier = folder.resolve(EARLIER_RUNS);
        Path to = keptIn(folder);
        List<String> moved = new ArrayList<>();
        try {
            if (Files.isSymbolicLink(earlier)) {
                // the earlier results would go wherever it leads, out of the folder: one who can
                // write in a shared folder could have them moved into a folder of theirs
                throw new UserException("cannot keep the earlier fit's files in " + to + before
                        + ": " + earlier + " is a symbolic link, where the kept files need a folder of"
                        + " the output folder's own (remove the link); nothing was moved");
            }
            if (Files.exists(earlier) && !Files.isDirectory(earlier)) {
                // createDirectories would say only "Not a directory" of the run's folder
                throw new UserException("cannot keep the earlier fit's files in " + to + before
                        + ": " + earlier + " is a file, not a folder (move it away or rename it); nothing was"
                        + " moved");
            }
            Files.createDirectories(to);
            for (Path p : present) {
                Files.move(p, to.resolve(p.getFileName()));
                moved.add(p.getFileName().toString());
            }
        } catch (java.io.IOException e) {
            throw new UserException("cannot keep the earlier fit's files in " + to + before + ": "
                    + Messages.reason(e)
                    + (moved.isEmpty() ? "; nothing was moved" : "; moved there: " + String.join(", ", moved)));
        }
        if (!quiet) {
            if (other == null) {
                err().printf(
                                "the earlier fit's %s kept in %s%n",
                                String.join(", ", moved) + (moved.size() == 1 ? " is" : " are"), to);
            } else {
                // resuming an older run would write its files over those of the run they show
                err().printf(
                                "run %d's %s kept in %s: this command resumes run %d of the journal, which writes its"
                                        + " own%n",
                                other,
                                String.join(", ", moved) + (moved.size() == 1 ? " is" : " are"),
                                to,
                                resumed.map(RunRecord::id).orElse(0L));
            }
            err().flush();
        }
    }

    /**
     * @return the journal's run whose files stand in the output folder (the run its results.json
     *     names), when this command resumes another run, whose files would take their place; null
     *     when the files are the resumed run's own, when a new run begins, or when none can be read
     */
    private @Nullable Long anotherRunsFiles() {
        if (resumed.isEmpty() || !Files.isRegularFile(folder.resolve(Results.FILE))) {
            return null;
        }
        try {
            if (Results.read(folder.resolve(Results.FILE)).get("journal_run") instanceof Number n
                    && n.longValue() != resumed.get().id()) {
                return n.longValue();
            }
        } catch (RuntimeException e) {
            // a results.json that cannot be read names no run: it is written over as before
        }
        return null;
    }

    /** Says what is fitted, where, and whether an earlier run is resumed. */
    private void announce() {
        if (quiet) {
            return;
        }
        String where = cluster.enabled() ? "on cluster '" + cluster.name + "'" : w + " worker" + (w == 1 ? "" : "s");
        // a parameter whose bounds are equal is held as a fixed one is: not free (validate says the same)
        long free = jf.parameters().stream()
                .filter(p -> !p.fixed() && p.lower() != p.upper())
                .count();
        err().printf(
                        "fitting %s of %s with %s (budget %s, %s); output in %s%n",
                        Tables.count(jf.parameters().size(), "parameter")
                                + (free == jf.parameters().size() ? "" : ", " + free + " free,"),
                        jf.file().getFileName(),
                        jf.optimizer().method(),
                        Tables.count(budget, "evaluation"),
                        where,
                        folder);
        if (Methods.crystalDefault(jf)) {
            err().printf(
                            "finite-difference step %s of each parameter's size, the default for a job with crystal terms"
                                    + " (their elastic constants carry a noise of about 1e-11 relative); optimizer"
                                    + " finite_difference_step sets another%n",
                            Tables.fmt(Methods.CRYSTAL_STEP));
        }
        resumed.ifPresent(r -> err().printf(
                        "resuming run %d of the journal (%s, attempt %d%s):"
                                + " recorded results are replayed, not run again%n",
                        r.id(),
                        // the counts read together, as one moment's
                        journal.consistently(j -> Tables.count(finished(j, r.id()), "evaluation") + " recorded"
                                + failedNote(j, r.id()) + cutOffNote(j, r.id())),
                        r.attempts() + 1,
                        budgetOf(r) >= 0 && budgetOf(r) < budget
                                ? ", its budget raised from " + budgetOf(r) + " to " + budget
                                : ""));
        err().flush();
    }

    /**
     * Before anything runs: the programs that killed earlier fits left running in the terms' run
     * directories are ended. A resumed run's run directories of runs its earlier attempts were cut
     * off in then follow the keep policy; a new run ({@code --restart}) leaves the earlier runs'
     * run directories as they are.
     */
    private void removeCutOffRuns(FitPlan plan) {
        if (resumed.isEmpty()) {
            plan.endProgramsOfEarlierRuns(journal);
        }
        resumed.ifPresent(r -> {
            List<Path> removed = plan.removeCancelledRuns(journal, r.id());
            if (!removed.isEmpty() && !quiet) {
                err().printf(
                                "removed %d run director%s of runs cut off by the earlier attempt (execution keep: %s)%n",
                                removed.size(),
                                removed.size() == 1 ? "y" : "ies",
                                JobKeys.word(jf.execution().keep()));
                err().flush();
            }
        });
    }

    /**
     * What a quiet fit that goes on past failed terms says when cluster terms fail for want of a
     * worker: the driver's warning and each term's first failure are hidden by {@code -q}, and
     * without a word the fit would go on scoring penalties (or skipping terms) for no reason the
     * user is told. Said once per fit. Under {@code raise} the fit's error says it; without
     * {@code -q}, the warnings do.
     *
     * @return the listener of the cluster's member wait, or null when nothing is to be said
     */
    private java.util.function.@Nullable Consumer<String> noWorkerWarning() {
        org.chemfit.FailurePolicy.Action policy = jf.combination().onFailure();
        if (!quiet || policy == org.chemfit.FailurePolicy.Action.RAISE) {
            return null;
        }
        java.util.concurrent.atomic.AtomicBoolean said = new java.util.concurrent.atomic.AtomicBoolean();
        PrintWriter w = err();
        return why -> {
            if (said.compareAndSet(false, true)) {
                synchronized (w) {
                    w.println(noWorkerLine(JobKeys.word(policy), why));
                    w.flush();
                }
            }
        };
    }

    /**
     * @param policy the job's {@code on_failure} word
     * @param why why the cluster's tasks failed, as they failed with it
     * @return the one line a quiet fit prints when cluster terms failed for want of a worker
     */
    static String noWorkerLine(String policy, String why) {
        return "warning: terms failed because no worker was available on the cluster (on_failure: " + policy
                + ", the fit goes on; said once under -q): " + why;
    }

    /** Runs the optimizer with progress shown, and maps how it ended to a status and an exit code. */
    private Ending fit(FitPlan plan, EvaluationLog log, Interrupts interrupts) {
        // on a cluster the terms run on the members: the driver's count of the tasks out is theirs
        java.util.function.IntSupplier running =
                cluster.enabled() ? () -> Math.max(plan.running.get(), cluster.tasksRunning()) : plan.running::get;
        Progress bar = new Progress(err(), jf.name(), options.mode(), options.progressInterval(), budget, log, running);
        if (cluster.enabled()) {
            bar.waiting(() -> cluster.waitingNote(driverThreads));
        }
        if (!quiet) {
            fitter.listener(new FirstFailures(JobKeys.word(jf.combination().onFailure()), bar::note));
            UnconvergedRelaxations relaxations = new UnconvergedRelaxations(jf.terms(), jf.units(), bar::note);
            if (relaxations.relaxes()) {
                fitter.listener(relaxations);
            }
            UnstableCrystals crystals = new UnstableCrystals(jf.terms(), bar::note);
            if (crystals.any()) {
                fitter.listener(crystals);
            }
        }
        try {
            FitResult result = fitter.fit();
            boolean stopped = result.stopReason() == StopReason.INTERRUPTED || interrupts.triggered();
            return new Ending(
                    result, stopped ? "interrupted" : "done", null, stopped ? ExitCodes.INTERRUPTED : ExitCodes.OK);
        } catch (FitFailedException e) {
            boolean stopped = interrupts.triggered();
            failedTerm = failedTerm(e);
            methodFailed = failedTerm == null && cause(e, JournalException.class) == null;
            String message = e.getMessage();
            if (failedTerm != null
                    && jf.combination().onFailure() == org.chemfit.FailurePolicy.Action.RAISE
                    && !Methods.needsResiduals(jf.optimizer().method())) {
                // the least-squares methods need every residual at every point, so raise is their only policy
                message += "\n(under on_failure: raise, a failed term ends the fit; combination.on_failure: penalty"
                        + " (with combination.penalty, the loss it scores) or skip (which leaves the term out of that"
                        + " point) lets the fit go on)";
            }
            return new Ending(
                    e.partialResult().orElse(null),
                    stopped ? "interrupted" : "failed",
                    message,
                    stopped ? ExitCodes.INTERRUPTED : ExitCodes.FIT_FAILED);
        } catch (EvaluationCancelledException e) {
            return new Ending(null, "interrupted", null, ExitCodes.INTERRUPTED);
        } catch (JournalException e) {
            // another fit writing the same folder; nothing was evaluated
            throw new UserException(e.getMessage());
        } finally {
            bar.close();
        }
    }

    /**
     * Held-out data judge the fit at its start and at its best point; they never fail it (their
     * metrics stay empty when they cannot be evaluated).
     *
     * <p>An interrupted fit is judged from what it recorded, its first evaluation and its best so far: nothing is
     * evaluated again after Ctrl-C or SIGTERM (the programs are being killed), so its validation terms, which would
     * run now, stay unevaluated and their predictions empty.
     *
     * @return the judgement, or null when the fit has no result or no evaluation finished
     */
    private @Nullable Judgement judge(
            FitPlan plan, Ending end, @Nullable EvaluationContext first, Interrupts interrupts) {
        // an interrupted fit's validation terms are not evaluated: its closing table says so (Tables.summary)
        boolean heldOut = !jf.validation().isEmpty();
        FitResult result = end.result();
        if (result == null) {
            return null;
        }
        if (end.code() == ExitCodes.INTERRUPTED) {
            return first == null ? null : Judgement.of(plan, first, result.breakdown(), null, null);
        }
        EvaluationContext vInitial = null;
        EvaluationContext vBest = null;
        long validationStart = System.nanoTime();
        try {
            if (heldOut && !quiet) {
                err().println("evaluating the validation terms at the initial and the best parameters");
                err().flush();
            }
            vInitial = plan.evaluateValidation(plan.initial());
            Parameters best = result.bestParameters();
            vBest = best == null ? null : plan.evaluateValidation(best);
            if (!quiet) {
                UnconvergedRelaxations relaxations =
                        new UnconvergedRelaxations(jf.validation(), jf.units(), err()::println);
                UnstableCrystals crystals = new UnstableCrystals(jf.validation(), err()::println);
                for (EvaluationContext v : java.util.Arrays.asList(vInitial, vBest)) {
                    if (v != null) {
                        relaxations.check(v, " (validation)", false);
                        crystals.check(v, " (validation)", false);
                    }
                }
            }
        } catch (RuntimeException e) {
            if (interrupts.triggered()) {
                // Ctrl-C or SIGTERM while they ran: said with the interrupted fit's own lines
                Thread.interrupted();
                return first == null ? null : Judgement.of(plan, first, result.breakdown(), null, null);
            }
            // Held-out data judge the fit; they never fail it. Their metrics stay empty.
            validationProblem = "the validation terms could not be evaluated: " + Messages.clean(e.getMessage());
            err().println("warning: " + validationProblem);
        }
        if (heldOut) {
            validationSeconds = (System.nanoTime() - validationStart) / 1e9;
        }
        if (interrupts.triggered()) {
            Thread.interrupted(); // the last of them finished as the signal came: the fit is interrupted all the same
            return first == null ? null : Judgement.of(plan, first, result.breakdown(), null, null);
        }
        // a fit with a result evaluated at least once, and the first evaluation is kept
        return Judgement.of(
                plan, Objects.requireNonNull(first, "the first evaluation"), result.breakdown(), vInitial, vBest);
    }

    /**
     * @return where the run directories of failed runs are kept, with their {@code failure.json}, or null when
     *     the fit has no external term or {@code keep: none} removes them
     */
    private @Nullable String failedRunsFolder(FitPlan plan) {
        return RetriedRuns.folder(jf, plan.runDirectory);
    }

    /**
     * Writes results.json, then the predictions and the plots, and prints the closing table.
     *
     * @return the exit code: the fit's, or {@link ExitCodes#USAGE} for a fit that ended well but whose predictions
     *     or plots could not be written (said after the table)
     * @throws UserException when results.json cannot be written (a failed fit has said why it failed first, an
     *     interrupted one how to resume it)
     */
    private int writeResults(
            FitPlan plan,
            Ending ending,
            EvaluationLog log,
            @Nullable EvaluationContext first,
            @Nullable ValidationTrace trace,
            Instant started,
            Interrupts interrupts) {
        Judgement judgement = judge(plan, ending, first, interrupts);
        Ending end = ending;
        if (end.code() == ExitCodes.OK && interrupts.triggered()) {
            // the fit ended, and Ctrl-C or SIGTERM came while its validation terms ran: the results say
            // interrupted, so that the same command evaluates them (the fit replayed from the journal)
            if (!quiet) {
                err().println("the fit had ended; its validation terms were interrupted and are not evaluated");
            }
            end = new Ending(end.result(), "interrupted", end.message(), ExitCodes.INTERRUPTED);
        }
        int code = end.code();
        Map<String, Object> results =
                Results.of(plan, end.result(), end.status(), end.message(), log, started, judgement);
        long runId = resumed.map(RunRecord::id)
                .orElseGet(() -> journal.latestRun().map(RunRecord::id).orElse(0L));
        @SuppressWarnings("unchecked")
        Map<String, Object> evaluations = (Map<String, Object>) results.get("evaluations");
        // Results.of puts the evaluations
        RetriedRuns.put(Objects.requireNonNull(evaluations, "evaluations"), retried, failedRunsFolder(plan));
        if (code == ExitCodes.FIT_FAILED) {
            // The evaluation that failed is in the journal but was never told to the log: count what the journal holds,
            // as the failure's message does.
            @SuppressWarnings("unchecked")
            Map<String, Object> ev = (Map<String, Object>) results.get("evaluations");
            // Results.of puts the evaluations and their total
            Objects.requireNonNull(ev, "evaluations")
                    .put(
                            "total",
                            Math.max(
                                    ((Number) Objects.requireNonNull(ev.get("total"), "total")).intValue(),
                                    finished(journal, runId)));
            // those of them that failed, stopping the fit: the closing table counts the others as completed
            ev.put("failed", journal.evaluationCounts(runId).getOrDefault(EvaluationRecord.State.FAILED, 0));
        }
        if (validationSeconds != null
                && code != ExitCodes.INTERRUPTED
                && results.get("timing") instanceof Map<?, ?> timing) {
            @SuppressWarnings("unchecked")
            Map<String, Object> t = (Map<String, Object>) timing;
            t.put("validation_seconds", validationSeconds);
        }
        results.put("journal_run", runId);
        String problem = validationProblem;
        if (problem != null && results.get("warnings") instanceof List<?> said) {
            // the validation terms' rows are empty: the warnings say why
            List<Object> warnings = new ArrayList<>(said);
            warnings.add(problem);
            results.put("warnings", warnings);
        }
        String recovered = RetriedRuns.warning(evaluations);
        if (recovered != null && results.get("warnings") instanceof List<?> said) {
            // the loss is exact, and nothing else would say that programs failed
            List<Object> warnings = new ArrayList<>(said);
            warnings.add(recovered);
            results.put("warnings", warnings);
        }
        if (results.get("job") instanceof Map<?, ?> job && ownSettings != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> j = (Map<String, Object>) job;
            j.put("settings_sha256", ownSettings);
        }
        results.put("optimizer", optimizerUsed(runId));
        // last, apart from the job's name and hashes at the top: it is long, and read by eval --params
        results.put("job_settings", jobSettings);
        if (resumed.isPresent()) {
            asRecorded(results, runId);
        }
        TermFailedException failed = failedTerm;
        if (failed != null
                && failed.termIndex() >= 0
                && failed.termIndex() < jf.terms().size()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> t = (Map<String, Object>)
                    ((List<Object>) Objects.requireNonNull(results.get("terms"), "terms")).get(failed.termIndex());
            t.put("status", "FAILED");
            t.putIfAbsent("failure", failed.getMessage());
        }
        if (trace != null) {
            results.put(
                    "validation_history",
                    trace.finish(
                            code != ExitCodes.INTERRUPTED,
                            judgement == null ? null : judgement.fitInitial(),
                            judgement == null ? null : judgement.validationInitial()));
        }
        // results.json first: a file that cannot be written after it (predictions, plots) does not hide the result
        Path file;
        try {
            file = Results.write(folder, results);
        } catch (UserException e) {
            if (code == ExitCodes.FIT_FAILED) {
                // why the fit failed comes first: it is often why results.json cannot be written (a full disk)
                err().println("error: " + Messages.clean(end.message()));
                err().flush();
                String resume = resumeHint(runId);
                if (resume != null) {
                    out().println(resume);
                    out().flush();
                }
            } else if (code == ExitCodes.INTERRUPTED) {
                // how an interrupted fit goes on comes first too: the journal holds what finished, results.json or not
                String resume = resumeHint(runId);
                if (resume != null) {
                    out().println(resume);
                    out().flush();
                }
            }
            if (code == ExitCodes.OK) {
                // the fit's result is not lost with its file: shown, and in the journal for the same command to write
                Tables.summary(out(), results);
                out().println();
                out().println("journal: " + journal.path() + " (run " + runId + ")");
                out().flush();
                throw new UserException(e.getMessage() + "; the result above is in the journal: once the folder can"
                        + " be written, the same command writes " + Results.FILE + " from it, replaying the fit");
            }
            throw e;
        }
        UserException notWritten = null;
        boolean htmlOnly = false; // the predictions and the plots were written, an earlier report.html was not
        boolean predictions = true;
        Plots.Outcome drawn = null;
        try {
            if (judgement != null) {
                try {
                    judgement.writeCsv(folder);
                } catch (UserException e) {
                    // the plots are still drawn, from results.json rather than a predictions.csv that is not this
                    // fit's; an earlier fit's predictions.csv must not stand beside these results either
                    notWritten = e;
                    predictions = false;
                    Path stale = folder.resolve(Judgement.FILE);
                    try {
                        Files.deleteIfExists(stale);
                    } catch (IOException gone) {
                        notWritten = new UserException(e.getMessage() + "; and " + stale
                                + ", left by an earlier fit, cannot be removed: " + Messages.reason(gone));
                    }
                }
            } else {
                // this fit has no predictions: an earlier fit's must not stand beside its results (nor feed its plots)
                Path stale = folder.resolve(Judgement.FILE);
                try {
                    Files.deleteIfExists(stale);
                } catch (IOException e) {
                    throw new UserException(
                            "cannot remove " + stale + ", left by an earlier fit: " + Messages.reason(e));
                }
            }
            // an interrupted fit draws its plots as well: in process, from what is written, nothing is run again
            if (!options.noPlots() && jf.output().plots()) {
                List<double[]> history;
                synchronized (log.history) {
                    history = new ArrayList<>(log.history);
                }
                drawn = Plots.render(folder, history, results, predictions);
            } else if (judgement == null && Files.isDirectory(folder.resolve("plots"))) {
                // no plots drawn, but those of an earlier fit went with the predictions.csv just removed: they
                // would stand beside results they do not show
                drawn = Plots.removeStale(folder);
            }
        } catch (UserException e) {
            // the predictions and the plots may both fail (a full disk): each is said
            notWritten = notWritten == null
                    ? e
                    : new UserException(notWritten.getMessage() + "; and " + Messages.clean(e.getMessage()));
        }
        // a report.html that chemfit report --html drew of an earlier state of this folder is drawn
        // again, so that it shows these results, not the ones before them
        Path html = folder.resolve(org.chemfit.dashboard.HtmlReport.FILE);
        String htmlSaid = null;
        try {
            if (Files.isRegularFile(html)) {
                htmlSaid = "html: " + org.chemfit.dashboard.HtmlReport.write(folder)
                        + " (drawn again: it showed an earlier state of this folder)";
            }
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            if (notWritten == null) {
                notWritten = new UserException(html + ", drawn by chemfit report --html before this fit, shows an"
                        + " earlier state and cannot be drawn again: " + Messages.clean(e.getMessage())
                        + "; chemfit report --html " + folder + " draws it once it can");
                htmlOnly = true;
            }
        }
        if (code == ExitCodes.FIT_FAILED) {
            err().println("error: " + Messages.clean(end.message()));
        }
        Tables.summary(out(), results);
        out().println();
        out().println("results: " + file);
        out().println("journal: " + journal.path() + " (run " + runId + ")");
        if (drawn != null) {
            Plots.tellWarnings(err(), drawn);
            Plots.tellOmissions(out(), drawn);
        }
        if (htmlSaid != null) {
            out().println(htmlSaid);
        }
        if (code == ExitCodes.INTERRUPTED || code == ExitCodes.FIT_FAILED) {
            String resume = resumeHint(runId);
            if (resume != null) {
                out().println(resume);
            }
        }
        out().flush();
        if (notWritten == null) {
            return code;
        }
        // the result is written and shown; what is missing is said last, and the exit code says so unless the fit's
        // own ending (failed, interrupted) already does
        // a finished fit run again writes the predictions and plots it lacks (without --restart, which starts over)
        String later = code != ExitCodes.OK || htmlOnly
                ? ""
                : "; once they can be written, the same command" + (options.restart() ? " without --restart" : "")
                        + " writes what is missing";
        err().println("error: " + Messages.clean(notWritten.getMessage()) + " (the fit's result is in " + file + later
                + ")");
        err().flush();
        return code == ExitCodes.OK ? ExitCodes.USAGE : code;
    }

    /**
     * How an interrupted or failed fit goes on: the same command resumes the run from the journal
     * when the journal recorded it as interrupted or failed with finished evaluations, or with
     * finished terms of evaluations cut off ({@code --restart} would start a new run instead); a
     * failed one once what failed is fixed outside the job (a resume must find the job file and the
     * files it stages as they were).
     *
     * @return the line to print, or null when there is nothing to resume
     */
    private @Nullable String resumeHint(long runId) {
        String status = journal.runs().stream()
                .filter(r -> r.id() == runId)
                .map(RunRecord::status)
                .findFirst()
                .orElse("");
        boolean failed = "FAILED".equals(status);
        if (!failed && !"INTERRUPTED".equals(status)) {
            return null;
        }
        // of a failed fit, the evaluations that completed: its closing table counts those
        int n = failed
                ? journal.evaluationCounts(runId).getOrDefault(EvaluationRecord.State.COMPLETE, 0)
                : finished(journal, runId);
        // the terms that finished in evaluations cut off are taken from the journal too, without running again:
        // worth resuming even when no evaluation finished (interrupted before the first one ended)
        int[] cut = failed ? new int[2] : cutOffTerms(journal, runId);
        if (n == 0 && cut[0] == 0) {
            return null;
        }
        String held = n == 0
                ? Tables.count(cut[0], "finished term") + " of " + Tables.count(cut[1], "evaluation") + " cut off"
                : Tables.count(n, "evaluation");
        String inJournal = held + (n == 1 || (n == 0 && cut[0] == 1) ? " is" : " are") + " in the journal";
        String again = "run the same command" + (options.restart() ? " without --restart" : "") + " to resume";
        if (failed && methodFailed) {
            return inJournal.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + inJournal.substring(1)
                    + ", but a resume of the same job replays them and the method stops again: change the job as the"
                    + " error says and run it with --restart";
        }
        return failed
                ? "once what failed is fixed outside the job (the job file and the files it stages or runs must stay"
                        + " as they were), " + again + ": " + inJournal + "; a changed job starts over with --restart"
                : again + ": " + inJournal;
    }

    /** @return the failed term in the causes of a failed fit, or null */
    private static @Nullable TermFailedException failedTerm(Throwable e) {
        return cause(e, TermFailedException.class);
    }

    /** @return the first of the causes of a failure, itself included, of this type, or null */
    private static <T extends Throwable> @Nullable T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** @return ", 1 of them failed (its failed terms run again)" and the like, or "" when none failed */
    private static String failedNote(JournalReader journal, long runId) {
        int failed = journal.evaluationCounts(runId).getOrDefault(EvaluationRecord.State.FAILED, 0);
        // under penalty or skip an evaluation with a failed term completed, and that term runs again too
        long degraded = journal.evaluations(runId).stream()
                .filter(e -> e.state() == EvaluationRecord.State.COMPLETE && e.degraded())
                .count();
        String said = failed == 0
                ? ""
                : ", " + failed + " of them failed (" + (failed == 1 ? "its" : "their") + " failed terms run again)";
        return degraded == 0
                ? said
                : said + ", " + degraded + " of them " + (failed == 0 ? "" : "completed ") + "with a failed term that"
                        + " the failure policy stood in for (" + (degraded == 1 ? "it runs" : "they run") + " again)";
    }

    /**
     * The terms that the evaluations an earlier attempt left cut off (started, not finished: the
     * fit was stopped while they ran, or after their terms were recorded and before they were)
     * recorded: a resume takes them from the journal, without their evaluation, when it asks for
     * the same points again; each path and name once, as a replay takes the latest.
     *
     * @return ", and 2 finished terms of 1 evaluation cut off" and the like, or "" when there are none
     */
    private static String cutOffNote(JournalReader journal, long runId) {
        int[] cut = cutOffTerms(journal, runId);
        return cut[0] == 0
                ? ""
                : ", and " + Tables.count(cut[0], "finished term") + " of " + Tables.count(cut[1], "evaluation")
                        + " cut off";
    }

    /**
     * @return the complete terms recorded for the run's evaluations left cut off (each path and
     *     name of an evaluation once), and how many such evaluations hold one
     */
    static int[] cutOffTerms(JournalReader journal, long runId) {
        if (journal.evaluationCounts(runId).getOrDefault(EvaluationRecord.State.RUNNING, 0) == 0) {
            return new int[] {0, 0};
        }
        int terms = 0;
        int evaluations = 0;
        int from = 0;
        while (true) {
            List<EvaluationRecord> page = journal.evaluationRows(runId, from, 1000);
            for (EvaluationRecord e : page) {
                from = Math.max(from, e.number() + 1);
                if (e.state() != EvaluationRecord.State.RUNNING) {
                    continue;
                }
                java.util.Set<String> kept = new java.util.HashSet<>();
                for (org.chemfit.journal.read.TermRecord t : journal.termOutcomes(runId, e.number())) {
                    if (t.state() == EvaluationRecord.State.COMPLETE) {
                        kept.add(t.path() + '\0' + t.name());
                    }
                }
                terms += kept.size();
                evaluations += kept.isEmpty() ? 0 : 1;
            }
            if (page.size() < 1000) {
                break;
            }
        }
        return new int[] {terms, evaluations};
    }

    /**
     * @param journal an open journal
     * @param runId one of its runs
     * @return the evaluations of a run the journal holds as finished (complete or failed; not those cut off while running)
     */
    static int finished(JournalReader journal, long runId) {
        Map<EvaluationRecord.State, Integer> counts = journal.evaluationCounts(runId);
        return counts.getOrDefault(EvaluationRecord.State.COMPLETE, 0)
                + counts.getOrDefault(EvaluationRecord.State.FAILED, 0);
    }
}
