package org.chemfit.external;

/**
 * What happens to a run directory once its evaluation is over.
 *
 * <pre>{@code
 * FileBasedQuantityComputer.builder().keep(KeepPolicy.ALL) // keep every run for inspection
 * }</pre>
 *
 * @implNote An enum: immutable and thread-safe.
 */
public enum KeepPolicy {
    /** Keep every run directory. */
    ALL,
    /**
     * Keep the directories of failed (and cancelled) runs, delete the others on success. The default.
     * A cluster worker removes those of cancelled runs too: see {@link
     * FileBasedQuantityComputer.Builder#keepCancelled}.
     */
    FAILED,
    /**
     * Delete every run directory, failed and cancelled ones too: a failure's facts then live only in
     * the exception, whose message says that the directory was removed and which names none.
     */
    NONE
}
