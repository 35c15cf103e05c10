package org.chemfit.cli;

import java.nio.file.Path;
import java.util.List;
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
 * starts a new run in the same journal; a larger budget is no change for a fit that did not end on
 * its own (its budget stopped it, or it was killed, interrupted or failed): it goes on.
 *
 * <p>The command checks its options and reads the job file; the run itself is a {@link FitRun}.
 *
 * <pre>{@code
 * chemfit fit examples/argon/fit.yaml --output /tmp/argon
 * }</pre>
 *
 * @implNote One instance per command line.
 */
@Command(
        name = "fit",
        description = "Run the fit that JOB describes; write results.json, evaluations.csv and plots.",
        modelTransformer = FitCommand.MethodsFooter.class)
final class FitCommand extends BaseCommand {

    @Parameters(paramLabel = "JOB", description = "The job file (YAML or JSON).")
    Path job;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "DIR",
            description =
                    "Write results here instead of the job's output folder (relative to the current folder, not the job file's).")
    @Nullable
    Path output;

    @Option(
            names = "--workers",
            paramLabel = "N",
            description = "Run up to N terms at once (overrides execution.workers).")
    @Nullable
    Integer workers;

    @Option(
            names = "--max-evaluations",
            paramLabel = "N",
            description = "Evaluation budget (overrides optimizer.max_evaluations). A larger one goes on with a fit in"
                    + " the output folder that did not end on its own (its budget stopped it, or it was killed,"
                    + " interrupted or failed).")
    @Nullable
    Integer maxEvaluations;

    @Option(
            names = "--progress",
            paramLabel = "MODE",
            defaultValue = "auto",
            converter = ModeConverter.class,
            description =
                    "How progress is shown: auto, bar, log or none (default: a bar on a terminal, log lines otherwise).")
    Progress.Mode progress = Progress.Mode.AUTO; // picocli sets the default too

    @Option(
            names = "--progress-interval",
            paramLabel = "SECONDS",
            defaultValue = "10",
            description = "Seconds between progress lines, with --progress log or auto off a terminal (default:"
                    + " ${DEFAULT-VALUE}).")
    double progressInterval;

    @Option(names = "--no-plots", description = "Do not draw plots.")
    boolean noPlots;

    @Option(
            names = "--restart",
            description = "Start a new run in the output folder's journal (earlier runs are kept) "
                    + "instead of resuming the run of this job recorded there; needed when the job changed. "
                    + "Programs that a killed earlier run left running in the terms' run directories are "
                    + "ended first; the earlier runs' run directories are kept, and the earlier fit's "
                    + "results, evaluations.csv, predictions.csv, report and plots are moved into "
                    + "earlier-runs/run-N of the output folder.")
    boolean restart;

    @Option(
            names = "--dashboard",
            paramLabel = "PORT",
            arity = "0..1",
            parameterConsumer = LiveDashboard.OptionalPort.class,
            description = "Serve a web page of the fit while it runs, on PORT of 127.0.0.1 (default: "
                    + LiveDashboard.DEFAULT_PORT + "; 0 for any free port); its address is printed.")
    @Nullable
    Integer dashboard;

    @picocli.CommandLine.Mixin
    ClusterArgs cluster;

    @Option(
            names = "--member-wait",
            paramLabel = "SECONDS",
            defaultValue = "120",
            description =
                    "With --cluster: how long terms wait while no worker is there before they fail (default: ${DEFAULT-VALUE}).")
    long memberWait;

    @Option(
            names = "--driver-threads",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "With --cluster: terms this process runs itself besides the workers (default: ${DEFAULT-VALUE}).")
    int driverThreads;

    /** The options that mean something only with {@code --cluster}, and what each sets. */
    private static final java.util.Map<String, String> CLUSTER_ONLY = new java.util.LinkedHashMap<>();

    static {
        CLUSTER_ONLY.put("--join", "the members to join");
        CLUSTER_ONLY.put("--bind", "the interface the cluster member listens on");
        CLUSTER_ONLY.put("--port", "the first port the cluster member tries");
        CLUSTER_ONLY.put("--member-wait", "how long terms wait for a worker");
        CLUSTER_ONLY.put("--driver-threads", "the terms the driver runs itself");
    }

    @Override
    int execute() {
        if (!cluster.enabled()) {
            // refused rather than ignored: a user who meant the dashboard's port would get another one
            List<String> given = new java.util.ArrayList<>();
            CLUSTER_ONLY.forEach((option, what) -> {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    given.add(option + " (" + what + ")");
                }
            });
            if (!given.isEmpty()) {
                throw new UserException(
                        String.join(", ", given) + (given.size() == 1 ? " is an option" : " are options")
                                + " of a fit on a cluster and needs --cluster NAME (see docs/cluster.md)"
                                + (spec.commandLine().getParseResult().hasMatchedOption("--port")
                                        ? "; the dashboard's port is given as --dashboard=PORT"
                                        : ""));
            }
        } else {
            cluster.config(); // an invalid --cluster, --join or --bind is said before the job is read
        }
        if ((progress == Progress.Mode.NONE || progress == Progress.Mode.BAR)
                && spec.commandLine().getParseResult().hasMatchedOption("--progress-interval")) {
            // refused rather than ignored: the user expects lines at that interval
            throw new UserException("--progress-interval sets the interval of log lines, which --progress "
                    + progress.name().toLowerCase(java.util.Locale.ROOT)
                    + " does not write; give --progress log (or auto, which logs when standard error is no terminal)");
        }
        if (dashboard != null && (dashboard < 0 || dashboard > 65535)) {
            // refused before anything else, also when a finished fit would only be shown again
            throw new UserException("the dashboard's port must be 0 (any free port) to 65535, got " + dashboard);
        }
        JobFile jf = JobFile.read(job);
        if (workers != null && workers < 1) {
            throw new UserException("--workers must be at least 1, got " + workers);
        }
        if (workers != null && workers > JobKeys.MAX_WORKERS) {
            throw new UserException("--workers must be at most " + JobKeys.MAX_WORKERS + ", got " + workers);
        }
        if (maxEvaluations != null && maxEvaluations < 1) {
            throw new UserException("--max-evaluations must be at least 1, got " + maxEvaluations);
        }
        if (maxEvaluations != null && maxEvaluations > JobKeys.MAX_EVALUATIONS) {
            throw new UserException(
                    "--max-evaluations must be at most " + JobKeys.MAX_EVALUATIONS + ", got " + maxEvaluations);
        }
        if (!(progressInterval > 0) || progressInterval > 86_400) {
            throw new UserException("--progress-interval must be a positive number of seconds up to 86400 (a day), got "
                    + progressInterval);
        }
        int w = workers != null ? workers : jf.execution().workers();
        int budget = maxEvaluations != null ? maxEvaluations : jf.optimizer().maxEvaluations();
        Path folder = (output != null ? output.toAbsolutePath() : jf.output().folder()).normalize();
        if (memberWait < 1 || memberWait > (long) JobKeys.MAX_SECONDS) {
            throw new UserException("--member-wait must be from 1 to " + (long) JobKeys.MAX_SECONDS
                    + " seconds (365 days), got " + memberWait);
        }
        if (driverThreads < 0 || driverThreads > JobKeys.MAX_WORKERS) {
            throw new UserException(
                    "--driver-threads must be from 0 to " + JobKeys.MAX_WORKERS + ", got " + driverThreads);
        }
        Progress.Mode mode = quiet ? Progress.Mode.NONE : progress;
        if (!quiet) {
            // what the data make likely to be a mistake (a charged cell, atoms 0.1 Å apart), said once
            jf.warnings().forEach(warning -> err().println("warning: " + warning));
            // on a cluster the fit's terms run on its members, not on this machine's workers
            String cores = cluster.enabled()
                    ? null
                    : WorkerCores.warning(
                            w, workers != null ? null : jf.execution().workersAt(), jf, budget, WorkerCores.cores());
            if (cores != null) {
                err().println("warning: " + cores);
            }
        }
        return new FitRun(
                        jf,
                        new FitRun.Options(
                                w,
                                budget,
                                maxEvaluations != null,
                                folder,
                                cluster,
                                memberWait,
                                driverThreads,
                                mode,
                                progressInterval,
                                noPlots,
                                restart,
                                dashboard,
                                quiet),
                        out(),
                        err())
                .run();
    }

    /** Lists the optimization methods of this build at the end of {@code chemfit fit --help}. */
    static final class MethodsFooter implements picocli.CommandLine.IModelTransformer {
        @Override
        public picocli.CommandLine.Model.CommandSpec transform(picocli.CommandLine.Model.CommandSpec spec) {
            spec.usageMessage()
                    .footer(
                            "%nMethods (optimizer.method in the job file, any case): "
                                    + String.join(", ", Methods.names()) + ".",
                            "The job file format is described in docs/job-file.md.");
            return spec;
        }
    }

    /** Reads --progress case-insensitively. */
    static final class ModeConverter implements picocli.CommandLine.ITypeConverter<Progress.Mode> {
        @Override
        public Progress.Mode convert(String value) {
            try {
                return Progress.Mode.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(
                        "expected auto, bar, log or none, got '" + value + "'");
            }
        }
    }
}
