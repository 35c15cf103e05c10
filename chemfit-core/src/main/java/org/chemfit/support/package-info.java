/**
 * Not API: helpers the command line shares with the core, exported only to {@code org.chemfit.cli},
 * {@code org.chemfit.cluster} and {@code org.chemfit.dashboard}.
 * {@link org.chemfit.support.Names} suggests the closest known name for a misspelt one (every
 * "did you mean" message); {@link org.chemfit.support.Predictions} and
 * {@link org.chemfit.support.Metrics} put the model's values beside the reference values and
 * summarize the errors, for the command line's results, judgement and report files;
 * {@link org.chemfit.support.Reasons} says why an operation failed in a user's words, for the
 * core's term failures, the command line's messages and the cluster's job fingerprint;
 * {@link org.chemfit.support.ResidualScale} finds the factor every residual of an objective carries,
 * for the residual variance of a fit; {@link org.chemfit.support.HostName} names the machine, for
 * the journal's attempts and the failures a cluster worker sends back;
 * {@link org.chemfit.support.JsonErrors} says why a JSON file could not be parsed, for the readers
 * of output, reference and results files and the dashboard's {@code failure.json};
 * {@link org.chemfit.support.Utf8Text} finds where a text file a job names stops being UTF-8, for
 * the readers of structure files, reference CSVs and templates.
 *
 * <pre>{@code
 * String s = Names.closest("epsilno", List.of("epsilon", "sigma"));   // "epsilon"
 * }</pre>
 *
 * <p>These types may change in any release; code outside ChemFit should not use them.
 *
 * <p>Every type and member of this package is non-null unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package org.chemfit.support;

import org.jspecify.annotations.NullMarked;
