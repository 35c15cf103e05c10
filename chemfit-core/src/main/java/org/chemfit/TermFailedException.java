package org.chemfit;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.chemfit.support.Reasons;
import org.jspecify.annotations.Nullable;

/**
 * A term of an objective failed: it threw, its program exited non-zero, timed out, or its output
 * could not be parsed. It carries the facts a user needs to find out why: the term, the
 * parameters, the run directory, the exit code and the tail of stderr.
 *
 * <pre>{@code
 * catch (TermFailedException e) {
 *     System.err.println(e.termName() + " failed in " + e.runDirectory().orElse(null));
 * }
 * }</pre>
 *
 * @implNote Immutable.
 */
public class TermFailedException extends ChemFitException {
    private static final long serialVersionUID = 1L;

    private final String termName;
    private final int termIndex;
    private final transient @Nullable Parameters parameters;
    private final transient @Nullable Path runDirectory;
    private final @Nullable Integer exitCode;
    private final @Nullable String stderrTail;
    private final boolean transientFailure;

    /**
     * Creates the exception for a failed term.
     *
     * @param message what went wrong
     * @param termName the term's name (never null; "term[3]" when it has none)
     * @param termIndex the term's index in its combined objective, or -1 when unknown
     * @param parameters the parameters it was evaluated at, or null when unknown
     * @param runDirectory the run directory, or null when the term has none
     * @param exitCode the exit code of the external program, or null when none ran
     * @param stderrTail the last lines of the program's stderr, or null
     * @param transientFailure whether a retry may succeed (a timeout, a kill by a signal)
     * @param cause the underlying failure, or null
     */
    public TermFailedException(
            String message,
            String termName,
            int termIndex,
            @Nullable Parameters parameters,
            @Nullable Path runDirectory,
            @Nullable Integer exitCode,
            @Nullable String stderrTail,
            boolean transientFailure,
            @Nullable Throwable cause) {
        super(message, cause);
        this.termName = termName;
        this.termIndex = termIndex;
        this.parameters = parameters;
        this.runDirectory = runDirectory;
        this.exitCode = exitCode;
        this.stderrTail = stderrTail;
        this.transientFailure = transientFailure;
    }

    /**
     * Wraps any failure of a term, keeping the facts of a {@code TermFailedException} cause.
     *
     * @param termName the term's name
     * @param termIndex its index in the combined objective
     * @param parameters the parameters it was evaluated at
     * @param cause what the term threw
     * @return an exception whose message starts with "term N 'name' failed"
     */
    public static TermFailedException wrap(String termName, int termIndex, Parameters parameters, Throwable cause) {
        return wrap(termName, termIndex, parameters, cause, 0, 0);
    }

    /**
     * Wraps the failure of one run of a term that the failure policy runs again up to
     * {@code retries} times; with retries, the message says which run this was: "term 0 'md' failed
     * on attempt 3 of 3 (the 2 before it failed too): ...".
     *
     * @param termName the failed term's name
     * @param termIndex its index in the combined objective
     * @param parameters the parameters it was evaluated at
     * @param cause what the term threw
     * @param attempt this run of the term, 0 for the first
     * @param retries how many times the policy runs a failed term again, 0 for none
     * @return an exception whose message starts with "term N 'name' failed"
     */
    public static TermFailedException wrap(
            String termName, int termIndex, Parameters parameters, Throwable cause, int attempt, int retries) {
        String reason = Reasons.of(cause);
        String tries = retries <= 0
                ? ""
                : " on attempt " + (attempt + 1) + " of " + (retries + 1)
                        + (attempt == 0
                                ? ""
                                : " (" + (attempt == 1 ? "the first" : "the " + attempt + " before it")
                                        + " failed too)");
        String message = "term " + termIndex + " '" + termName + "' failed" + tries + ": " + reason;
        if (cause instanceof TermFailedException t) {
            return new TermFailedException(
                    message,
                    termName,
                    termIndex,
                    parameters,
                    t.runDirectory,
                    t.exitCode,
                    t.stderrTail,
                    t.transientFailure,
                    cause);
        }
        return new TermFailedException(message, termName, termIndex, parameters, null, null, null, false, cause);
    }

    /** @return the failed term's name */
    public String termName() {
        return termName;
    }

    /** @return the failed term's index in its combined objective, or -1 */
    public int termIndex() {
        return termIndex;
    }

    /** @return the parameters the term was evaluated at, when known */
    public Optional<Parameters> parameters() {
        return Optional.ofNullable(parameters);
    }

    /**
     * @return the run directory of the failed evaluation, when it had one and the keep policy kept
     *     it (none under {@code KeepPolicy.NONE}, which removes it)
     */
    public Optional<Path> runDirectory() {
        return Optional.ofNullable(runDirectory);
    }

    /** @return the external program's exit code, when one ran */
    public OptionalInt exitCode() {
        return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }

    /** @return the tail of the program's stderr, when one ran */
    public Optional<String> stderrTail() {
        return Optional.ofNullable(stderrTail);
    }

    /** @return whether a retry may succeed (a timeout or a kill by a signal) */
    public boolean isTransient() {
        return transientFailure;
    }
}
