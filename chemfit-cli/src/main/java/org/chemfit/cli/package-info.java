/**
 * The {@code chemfit} command: job files ({@link org.chemfit.cli.JobFile}, read with every
 * problem located by {@link org.chemfit.cli.JobFileException}), one class per subcommand (fit,
 * eval, validate, report), progress, results, tables and plots.
 *
 * <pre>{@code
 * int code = new CommandLine(new ChemFitCommand()).execute("fit", "examples/argon/fit.yaml");
 * }</pre>
 *
 * <p>The job-file format is documented in {@code docs/job-file.md}; exit codes in
 * {@link org.chemfit.cli.ExitCodes}.
 *
 * <p>Every type and member of this package is non-null unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package org.chemfit.cli;

import org.jspecify.annotations.NullMarked;
