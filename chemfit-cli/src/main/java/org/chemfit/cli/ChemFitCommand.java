package org.chemfit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code chemfit} command: fits the parameters of a model to reference data, as described in
 * a job file. Each subcommand is its own class.
 *
 * <pre>{@code
 * int code = new CommandLine(new ChemFitCommand()).execute("fit", "examples/argon/fit.yaml");
 * }</pre>
 *
 * @implNote Holds no state; picocli creates one instance per command line.
 */
@Command(
        name = "chemfit",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description =
                "Fits the parameters of a model (a force field, a potential) to reference data, as described in a job file.",
        subcommands = {
            FitCommand.class,
            WorkerCommand.class,
            EvalCommand.class,
            ValidateCommand.class,
            ReportCommand.class,
            DashboardCommand.class,
            CommandLine.HelpCommand.class
        },
        synopsisSubcommandLabel = "COMMAND",
        footerHeading = "%nThe job file format is described in docs/job-file.md.%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done",
            "1:internal error (a bug in chemfit)",
            "2:wrong usage, an invalid job file or data file, a file that cannot be read or written, or too little Java heap for the job",
            "3:the fit failed (a term failed under on_failure: raise, or the method failed)",
            "129:stopped by SIGHUP (the terminal closed), handled like Ctrl-C",
            "130:interrupted (Ctrl-C); what was finished is written",
            "143:stopped by SIGTERM (as SLURM sends at the end of an allocation), handled like Ctrl-C"
        })
public final class ChemFitCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing a command: fit, worker, eval, validate, report or dashboard");
    }
}
