package org.chemfit.cli;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Warns of more workers than the machine has cores when they would only share the cores: the
 * terms of {@code kind: atoms} and {@code kind: crystal} are computed in the {@code chemfit}
 * process, each running term keeping a core busy, so workers beyond the cores add switching
 * between threads and no speed. Workers that run {@code kind: external} terms mostly wait for
 * their programs, which may use few threads each, or wait for files or a scheduler: more of them
 * than cores can be right, so a job with an external term (fit or validation) is not warned of.
 *
 * <pre>{@code
 * String w = WorkerCores.warning(8, "fit.yaml:9:24", job, Runtime.getRuntime().availableProcessors());
 * }</pre>
 *
 * @implNote Stateless.
 */
final class WorkerCores {

    private WorkerCores() {}

    /**
     * @param workers the workers the fit runs its terms on
     * @param given where they are given: {@code fit.yaml:9:24} (the job file's line and column of
     *     {@code execution.workers}), or null for {@code --workers}
     * @param job the job, whose fit and validation terms run on the workers
     * @param cores this machine's cores ({@link Runtime#availableProcessors()}; given, so that a
     *     test chooses them)
     * @return the warning, or null when the workers are no more than the cores or a term runs a
     *     program
     */
    static @Nullable String warning(int workers, @Nullable String given, JobFile job, int cores) {
        if (workers <= cores) {
            return null;
        }
        List<JobFile.TermSpec> all = new ArrayList<>(job.terms());
        all.addAll(job.validation());
        if (all.stream().anyMatch(t -> t.kind() == JobFile.TermKind.EXTERNAL)) {
            return null;
        }
        boolean atoms = all.stream().anyMatch(t -> t.kind() == JobFile.TermKind.ATOMS);
        boolean crystal = all.stream().anyMatch(t -> t.kind() == JobFile.TermKind.CRYSTAL);
        String kinds = atoms && crystal ? "atoms and crystal terms" : atoms ? "atoms terms" : "crystal terms";
        return (given == null ? "--workers " + workers + " is" : given + ": execution workers is " + workers + ",")
                + " more than this machine's " + Tables.count(cores, "core") + ", and every term of the job is"
                + " computed in this process (" + kinds + ", each keeping a core busy while it runs): workers beyond"
                + " the cores only add switching between them, not speed; give "
                + (given == null ? "--workers " : "workers: ") + cores + " (or fewer)";
    }
}
