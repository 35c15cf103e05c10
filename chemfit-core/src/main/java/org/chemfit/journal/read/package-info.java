/**
 * The journal's reading side: what a fit recorded, read back.
 * {@link org.chemfit.journal.read.JournalReader} reads the runs
 * ({@link org.chemfit.journal.read.RunRecord}), evaluations
 * ({@link org.chemfit.journal.read.EvaluationRecord}) and leaf terms
 * ({@link org.chemfit.journal.read.TermRecord}) of a journal, for Java code, the command line's
 * resume and report and the dashboard; {@link org.chemfit.journal.read.BestPoint} is the rule that
 * names the best point, shared with the Fitter. Tools other than Java read the journal file with
 * {@code sqlite3} or pandas.
 *
 * <pre>{@code
 * try (JournalReader j = JournalReader.openReadOnly(Path.of("out"))) {
 *     j.latestRun().ifPresent(run -> System.out.println(j.evaluationCounts(run.id())));
 * }
 * }</pre>
 *
 * <p>Every type and member of this package is non-null unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package org.chemfit.journal.read;

import org.jspecify.annotations.NullMarked;
