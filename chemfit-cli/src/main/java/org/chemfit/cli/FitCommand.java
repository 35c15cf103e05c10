package org.chemfit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.chemfit.EvaluationCancelledException;
import org.chemfit.fit.FitFailedException;
import org.chemfit.fit.FitResult;
import org.chemfit.fit.Fitter;
import org.chemfit.fit.StopReason;
import org.chemfit.journal.Journal;
import org.chemfit.journal.JournalException;
import org.chemfit.journal.JournalMode;
import org.chemfit.journal.RunRecord;

import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code chemfit fit JOB}: runs the fit a job file describes and writes results.json, a CSV of
 * every evaluation and plots into the output folder, then prints a closing table.
 *
 * <p>Every evaluation is recorded in the output folder's journal ({@code journal.sqlite}) before
 * the optimizer hears of it. Run again on a folder whose journal holds the same job, the fit
 * resumes: what was recorded is replayed instead of run, and the result is the one an
 * uninterrupted fit gives. A changed job is refused, naming each change, unless {@code --restart}
 * starts a new run in the same journal.
 *
 * <pre>{@code
 * chemfit fit examples/argon/fit.yaml --output /tmp/argon
 * }</pre>
 *
 * @implNote One instance per command line.
 */
@Command(name = "fit", description = "Run the fit that JOB describes; write results.json, evaluations.csv and plots.")
final class FitCommand extends BaseCommand {

    @Parameters(paramLabel = "JOB", description = "The job file (YAML or JSON).")
    Path job;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "Write results here instead of the job's output folder.")
    @Nullable Path output;

    @Option(names = "--workers", paramLabel = "N", description = "Run up to N terms at once (overrides execution.workers).")
    @Nullable Integer workers;

    @Option(names = "--max-evaluations", paramLabel = "N", description = "Evaluation budget (overrides optimizer.max_evaluations).")
    @Nullable Integer maxEvaluations;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto", converter = ModeConverter.class,
            description = "How progress is shown: auto, bar, log or none (default: a bar on a terminal, log lines otherwise).")
    Progress.Mode progress = Progress.Mode.AUTO;   // picocli sets the default too

    @Option(names = "--progress-interval", paramLabel = "SECONDS", defaultValue = "10",
            description = "Seconds between progress lines when not on a terminal (default: ${DEFAULT-VALUE}).")
    double progressInterval;

    @Option(names = "--no-plots", description = "Do not draw plots.")
    boolean noPlots;

    @Option(names = "--restart", description = "Start a new run in the output folder's journal (earlier runs are kept) "
            + "instead of resuming the run of this job recorded there; needed when the job changed.")
    boolean restart;

    @Option(names = "--dashboard", paramLabel = "PORT", arity = "0..1", parameterConsumer = LiveDashboard.OptionalPort.class,
            description = "Serve a web page of the fit while it runs, on PORT of 127.0.0.1 (default: " + LiveDashboard.DEFAULT_PORT
                    + "; 0 for any free port); its address is printed.")
    @Nullable Integer dashboard;

    @picocli.CommandLine.Mixin
    ClusterArgs cluster;

    @Option(names = "--member-wait", paramLabel = "SECONDS", defaultValue = "120",
            description = "With --cluster: how long terms wait while no worker is there before they fail (default: ${DEFAULT-VALUE}).")
    long memberWait;

    @Option(names = "--driver-threads", paramLabel = "N", defaultValue = "0",
            description = "With --cluster: terms this process runs itself besides the workers (default: ${DEFAULT-VALUE}).")
    int driverThreads;

    @Override
    int execute() {
        if (dashboard != null && (dashboard < 0 || dashboard > 65535)) {
            // refused before anything else, also when a finished fit would only be shown again
            throw new UserException("the dashboard's port must be 0 (any free port) to 65535, got " + dashboard);
        }
        JobFile jf = JobFile.read(job);
        if (workers != null && workers < 1) {
            throw new UserException("--workers must be at least 1, got " + workers);
        }
        if (workers != null && workers > JobReader.MAX_WORKERS) {
            throw new UserException("--workers must be at most " + JobReader.MAX_WORKERS + ", got " + workers);
        }
        if (maxEvaluations != null && maxEvaluations < 1) {
            throw new UserException("--max-evaluations must be at least 1, got " + maxEvaluations);
        }
        if (maxEvaluations != null && maxEvaluations > JobReader.MAX_EVALUATIONS) {
            throw new UserException("--max-evaluations must be at most " + JobReader.MAX_EVALUATIONS + ", got " + maxEvaluations);
        }
        if (!(progressInterval > 0) || progressInterval > 86_400) {
            throw new UserException("--progress-interval must be a positive number of seconds up to 86400 (a day), got "
                    + progressInterval);
        }
        int w = workers != null ? workers : jf.execution().workers();
        int budget = maxEvaluations != null ? maxEvaluations : jf.optimizer().maxEvaluations();
        Path folder = (output != null ? output.toAbsolutePath() : jf.output().folder()).normalize();
        if (memberWait < 1 || memberWait > (long) JobReader.MAX_SECONDS) {
            throw new UserException("--member-wait must be from 1 to " + (long) JobReader.MAX_SECONDS + " seconds (365 days), got "
                    + memberWait);
        }
        if (driverThreads < 0 || driverThreads > JobReader.MAX_WORKERS) {
            throw new UserException("--driver-threads must be from 0 to " + JobReader.MAX_WORKERS + ", got " + driverThreads);
        }
        FitPlan plan;
        try {
            plan = FitPlan.build(jf, w, folder, !cluster.enabled() ? null
                    : (combined, resources) -> cluster.drive(combined, resources, java.time.Duration.ofSeconds(memberWait),
                            driverThreads, jf.hash()));
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        List<JobFileException.Problem> templates = plan.checkTemplates();
        if (!templates.isEmpty()) {
            plan.close();
            throw new JobFileException(templates);
        }
        Progress.Mode mode = quiet ? Progress.Mode.NONE : progress;
        try {
            String why = Messages.notAFolder(folder);
            if (why != null) {
                throw new UserException("cannot use " + folder + " as the output folder: " + why);
            }
            Files.createDirectories(folder);
        } catch (IOException e) {
            plan.close();
            throw new UserException("cannot create the output folder " + folder + ": " + Messages.reason(e));
        } catch (UserException e) {
            plan.close();
            throw e;
        }
        JournalMode journalMode = restart ? JournalMode.restart() : JournalMode.resumeLatest();
        Journal journal;
        Fitter fitter;
        Optional<RunRecord> resumed;
        try {
            Map<String, Object> jobSettings = JobSettings.of(jf);
            journal = Journal.open(folder);
            fitter = plan.fitter(budget).jobSettings(jobSettings).journal(journal, journalMode);
            try {
                // refused before anything in the folder is touched
                resumed = journal.check(fitter.settings(), journalMode);
            } catch (JournalException e) {
                journal.close();
                throw e;
            }
        } catch (JournalException | UserException e) {
            plan.close();
            throw new UserException(e.getMessage());
        }
        Path previous = folder.resolve(Results.FILE);
        if (resumed.isPresent() && "FINISHED".equals(resumed.get().status()) && Files.isRegularFile(previous)) {
            // The same job already ran to its end here: show its result instead of replaying every evaluation.
            Map<String, Object> results;
            try {
                results = Results.read(previous);
            } catch (RuntimeException e) {
                results = Map.of(); // damaged: the fit is replayed from the journal, which writes it again
            }
            // results.json belongs to the last fit written here, which may be another run of the journal
            if ("done".equals(results.get("status")) && results.get("journal_run") instanceof Number n
                    && n.longValue() == resumed.get().id()) {
                try (plan; journal) {
                    if (!quiet) {
                        err().printf("the fit of %s in %s is finished (run %d of the journal, %d evaluations recorded); its result "
                                + "is shown and nothing runs again (--restart fits again)%n", jf.file().getFileName(), folder,
                                resumed.get().id(), finished(journal, resumed.get().id()));
                        err().flush();
                    }
                    Tables.summary(out(), results);
                    out().println();
                    out().println("results: " + previous);
                    out().println("journal: " + journal.path() + " (run " + resumed.get().id() + ")");
                    return ExitCodes.OK;
                }
            }
        }
        List<String> termNames = new ArrayList<>();
        jf.terms().forEach(t -> termNames.add(t.name()));
        if (!quiet) {
            String where = cluster.enabled() ? "on cluster '" + cluster.name + "'" : w + " worker" + (w == 1 ? "" : "s");
            err().printf("fitting %d parameters of %s with %s (budget %d evaluations, %s); output in %s%n",
                    jf.parameters().size(), jf.file().getFileName(), jf.optimizer().method(), budget, where, folder);
            resumed.ifPresent(r -> err().printf("resuming run %d of the journal (%d evaluations recorded, attempt %d):"
                    + " recorded results are replayed, not run again%n", r.id(), finished(journal, r.id()), r.attempts() + 1));
            err().flush();
        }
        // Run directories of runs the earlier attempts were cut off in follow the keep policy now.
        resumed.ifPresent(r -> {
            List<Path> removed = plan.removeCancelledRuns(journal, r.id());
            if (!removed.isEmpty() && !quiet) {
                err().printf("removed %d run director%s of runs cut off by the earlier attempt (execution keep: %s)%n",
                        removed.size(), removed.size() == 1 ? "y" : "ies", jf.execution().keep());
                err().flush();
            }
        });
        LiveDashboard live;
        try {
            // before any output file is opened: a port that cannot be bound changes nothing
            live = LiveDashboard.start(dashboard, folder, err());
        } catch (UserException e) {
            plan.close();
            journal.close();
            throw e;
        }
        Instant started = Instant.now();
        if (!noPlots && jf.output().plots()) {
            Plots.warmUpInBackground();
        }
        EvaluationLog opened;
        try {
            opened = new EvaluationLog(folder, plan.initial().names(), termNames);
        } catch (java.io.UncheckedIOException e) {
            plan.close();
            journal.close();
            live.close();
            throw new UserException(e.getMessage());
        }
        try (plan; journal; live; EvaluationLog log = opened;
                Interrupts interrupts = Interrupts.install(Thread.currentThread(), err())) {
            fitter.listener(log);
            // The first evaluation is the start point: kept for the metrics at the start.
            java.util.concurrent.atomic.AtomicReference<org.chemfit.EvaluationContext> first = new java.util.concurrent.atomic.AtomicReference<>();
            fitter.listener((number, ctx, loss) -> first.compareAndSet(null, ctx));
            ValidationTrace trace = jf.validationEvery() > 0 ? new ValidationTrace(plan, jf.validationEvery()) : null;
            if (trace != null) {
                fitter.listener(trace);
            }
            FitResult result = null;
            String status;
            String message = null;
            int code;
            Progress bar = new Progress(err(), mode, progressInterval, budget, log, plan.running::get);
            try {
                result = fitter.fit();
                boolean stopped = result.stopReason() == StopReason.INTERRUPTED || interrupts.triggered();
                status = stopped ? "interrupted" : "done";
                code = stopped ? ExitCodes.INTERRUPTED : ExitCodes.OK;
            } catch (FitFailedException e) {
                result = e.partialResult().orElse(null);
                boolean stopped = interrupts.triggered();
                status = stopped ? "interrupted" : "failed";
                message = e.getMessage();
                code = stopped ? ExitCodes.INTERRUPTED : ExitCodes.FIT_FAILED;
            } catch (EvaluationCancelledException e) {
                status = "interrupted";
                code = ExitCodes.INTERRUPTED;
            } catch (JournalException e) {
                // another fit writing the same folder; nothing was evaluated
                throw new UserException(e.getMessage());
            } finally {
                bar.close();
            }
            // Clear the interrupt so that writing the results is not cut short.
            boolean wasInterrupted = Thread.interrupted();
            Judgement judgement = null;
            if (result != null && code != ExitCodes.INTERRUPTED) {
                org.chemfit.EvaluationContext vInitial = null;
                org.chemfit.EvaluationContext vBest = null;
                try {
                    vInitial = plan.evaluateValidation(plan.initial());
                    vBest = result.bestParameters() == null ? null : plan.evaluateValidation(result.bestParameters());
                } catch (RuntimeException e) {
                    // Held-out data judge the fit; they never fail it. Their metrics stay empty.
                    err().println("warning: the validation terms could not be evaluated: " + e.getMessage());
                }
                // a fit with a result evaluated at least once, and the first evaluation is kept
                judgement = Judgement.of(plan, Objects.requireNonNull(first.get(), "the first evaluation"), result.breakdown(),
                        vInitial, vBest);
            }
            Map<String, Object> results = Results.of(plan, result, status, message, log, started, judgement);
            if (code == ExitCodes.FIT_FAILED) {
                // The evaluation that failed is in the journal but was never told to the log: count what the journal holds,
                // as the failure's message does.
                long run = resumed.map(RunRecord::id).orElseGet(() -> journal.latestRun().map(RunRecord::id).orElse(0L));
                @SuppressWarnings("unchecked")
                Map<String, Object> ev = (Map<String, Object>) results.get("evaluations");
                // Results.of puts the evaluations and their total
                Objects.requireNonNull(ev, "evaluations").put("total",
                        Math.max(((Number) Objects.requireNonNull(ev.get("total"), "total")).intValue(), finished(journal, run)));
            }
            long runId = resumed.map(RunRecord::id).orElseGet(() -> journal.latestRun().map(RunRecord::id).orElse(0L));
            results.put("journal_run", runId);
            if (trace != null) {
                results.put("validation_history", trace.finish(code != ExitCodes.INTERRUPTED));
            }
            Path file = Results.write(folder, results);
            if (judgement != null) {
                judgement.writeCsv(folder);
            }
            if (!noPlots && jf.output().plots() && code != ExitCodes.INTERRUPTED) {
                List<double[]> history;
                synchronized (log.history) {
                    history = new ArrayList<>(log.history);
                }
                Plots.draw(folder, history, results);
            }
            if (code == ExitCodes.FIT_FAILED) {
                err().println("error: " + message);
            }
            Tables.summary(out(), results);
            out().println();
            out().println("results: " + file);
            out().println("journal: " + journal.path() + " (run " + runId + ")");
            out().flush();
            if (code == ExitCodes.INTERRUPTED) {
                Interrupts.killChildren();
            }
            interrupts.written();
            if (wasInterrupted && code != ExitCodes.INTERRUPTED) {
                Thread.currentThread().interrupt();
            }
            return code;
        }
    }

    /** @return the evaluations of a run the journal holds as finished (complete or failed; not those cut off while running) */
    static int finished(Journal journal, long runId) {
        Map<org.chemfit.journal.EvaluationRecord.State, Integer> counts = journal.evaluationCounts(runId);
        return counts.getOrDefault(org.chemfit.journal.EvaluationRecord.State.COMPLETE, 0)
                + counts.getOrDefault(org.chemfit.journal.EvaluationRecord.State.FAILED, 0);
    }

    /** Reads --progress case-insensitively. */
    static final class ModeConverter implements picocli.CommandLine.ITypeConverter<Progress.Mode> {
        @Override
        public Progress.Mode convert(String value) {
            try {
                return Progress.Mode.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("expected auto, bar, log or none, got '" + value + "'");
            }
        }
    }
}
