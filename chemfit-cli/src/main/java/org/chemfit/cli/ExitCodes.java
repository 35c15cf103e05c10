package org.chemfit.cli;

/**
 * The exit codes of the {@code chemfit} command, listed in its {@code --help}.
 *
 * <pre>{@code
 * int code = new CommandLine(new ChemFitCommand()).execute("validate", "fit.yaml");
 * boolean valid = code == ExitCodes.OK;
 * }</pre>
 *
 * @implNote Constants only.
 */
public final class ExitCodes {

    /** The command did what it was asked. */
    public static final int OK = 0;
    /** A bug: an unexpected error inside ChemFit. */
    public static final int INTERNAL_ERROR = 1;
    /** Wrong usage, an invalid job file or data file, a file that cannot be read or written, or too little Java heap for the job. */
    public static final int USAGE = 2;
    /** The fit (or the evaluation) failed: a term failed under the "raise" policy or the method failed. */
    public static final int FIT_FAILED = 3;
    /** Interrupted by Ctrl-C (SIGINT); what was finished was written. */
    public static final int INTERRUPTED = 130;
    /**
     * Stopped by SIGTERM (what SLURM and other batch systems send at the end of an allocation),
     * handled like Ctrl-C: what was finished was written, and a rerun resumes. 128 + 15, the
     * shell's code for a process ended by SIGTERM.
     */
    public static final int TERMINATED = 143;

    private ExitCodes() {}
}
