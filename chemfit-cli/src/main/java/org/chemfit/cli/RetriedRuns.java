package org.chemfit.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.chemfit.EvaluationContext;
import org.chemfit.fit.FitListener;
import org.chemfit.support.Retries;
import org.jspecify.annotations.Nullable;

/**
 * Counts the runs of terms that failed and succeeded when run again ({@code execution.retries}, and
 * an external term's own {@code retries} of transient failures: a timeout, a kill by a signal, files
 * that did not appear):
 * the evaluation's loss is exact, so nothing else says that a program failed, and a licence
 * server half down or a flaky node would go unnoticed. A term replayed from the journal by a
 * resumed fit counts as it was recorded (the journal keeps how often it was run again). A term
 * whose every run failed is not counted here: it failed, and is counted as such
 * ({@code with_failed_terms}).
 *
 * <pre>{@code
 * RetriedRuns retried = new RetriedRuns();
 * fitter.listener(retried);   // only when a term's runs may be run again
 * RetriedRuns.put(evaluations, retried, "results/runs");   // recovered_runs: 10, recovered_runs_by_term: {flaky: 10}
 * }</pre>
 *
 * @implNote Thread-safe: the counts are kept under the object's lock.
 */
final class RetriedRuns implements FitListener {

    /** Failed runs per term name, in the order the terms first had one. */
    private final Map<String, Integer> byTerm = new LinkedHashMap<>();

    @Override
    public void onEvaluation(int number, EvaluationContext context, double loss) {
        count(context.children());
    }

    private void count(List<EvaluationContext> terms) {
        for (EvaluationContext t : terms) {
            int retries = Retries.failedRuns(t);
            EvaluationContext.Status s = t.status();
            if (retries > 0 && (s == EvaluationContext.Status.OK || s == EvaluationContext.Status.REPLAYED)) {
                add(t.name(), retries);
            } else if (!t.children().isEmpty()) {
                // the terms of a combined term, which its own policy may have run again
                count(t.children());
            }
        }
    }

    private synchronized void add(String term, int failedRuns) {
        byTerm.merge(term, failedRuns, Integer::sum);
    }

    /**
     * Puts the counts into {@code results.json}'s {@code evaluations}: {@code recovered_runs}, the
     * runs that failed and whose term succeeded when run again, {@code recovered_runs_by_term}, the
     * same per term, and {@code recovered_runs_folder}, where the directories of those runs are kept.
     *
     * @param evaluations the {@code evaluations} map of the results
     * @param counts this fit's counts, or null when it retries nothing (the counts are then 0 and empty)
     * @param folder where failed runs' directories are kept ({@code failure.json} in each), or null
     *     when they are not kept or the terms have none
     */
    static void put(Map<String, Object> evaluations, @Nullable RetriedRuns counts, @Nullable String folder) {
        Map<String, Integer> by = counts == null ? Map.of() : counts.byTerm();
        int runs = by.values().stream().mapToInt(Integer::intValue).sum();
        evaluations.put("recovered_runs", runs);
        evaluations.put("recovered_runs_by_term", by);
        evaluations.put("recovered_runs_folder", runs == 0 ? null : folder);
    }

    /**
     * @param jf the job
     * @param runDirectory where the job's runs go
     * @return where failed runs' directories are kept ({@code failure.json} in each): the run
     *     directory when a fit term is external and {@code keep} is not {@code none}, else null
     */
    static @Nullable String folder(JobFile jf, java.nio.file.Path runDirectory) {
        boolean external = jf.terms().stream().anyMatch(t -> t.kind() == JobFile.TermKind.EXTERNAL);
        return external && jf.execution().keep() != org.chemfit.external.KeepPolicy.NONE
                ? runDirectory.toString()
                : null;
    }

    /**
     * @param jf the job
     * @param runDirectory where its runs go
     * @param evaluation one evaluation of its terms ({@code chemfit eval}'s)
     * @return the warning that runs of its terms failed and succeeded when run again, or null
     */
    static @Nullable String warning(JobFile jf, java.nio.file.Path runDirectory, EvaluationContext evaluation) {
        if (!jf.retriesRuns()) {
            return null;
        }
        RetriedRuns counts = new RetriedRuns();
        counts.count(evaluation.children());
        Map<String, Object> evaluations = new LinkedHashMap<>();
        put(evaluations, counts, folder(jf, runDirectory));
        return warning(evaluations);
    }

    private synchronized Map<String, Integer> byTerm() {
        return new LinkedHashMap<>(byTerm);
    }

    /**
     * @param evaluations the {@code evaluations} map of a results file
     * @return the warning (one of {@code results.json}'s {@code warnings}) that runs failed and
     *     succeeded when run again, naming where their {@code failure.json} files are when they are
     *     kept, or null when none did
     */
    static @Nullable String warning(Map<?, ?> evaluations) {
        if (!(evaluations.get("recovered_runs") instanceof Number n) || n.intValue() <= 0) {
            return null;
        }
        StringBuilder which = new StringBuilder();
        if (evaluations.get("recovered_runs_by_term") instanceof Map<?, ?> by) {
            for (Map.Entry<?, ?> e : by.entrySet()) {
                which.append(which.length() == 0 ? "" : ", ")
                        .append(e.getValue())
                        .append(" of term '")
                        .append(e.getKey())
                        .append('\'');
            }
        }
        boolean one = n.intValue() == 1;
        return String.format(
                Locale.ROOT,
                "%s failed and %s succeeded when run again (execution.retries, or an external term's own retries), which takes the run that succeeded: %s%s",
                Tables.count(n.intValue(), "run"),
                one ? "its term" : "their terms",
                which,
                evaluations.get("recovered_runs_folder") instanceof String runs
                        ? (one
                                        ? "; its failure.json is in its run directory in "
                                        : "; the failure.json of each is in its run directory in ")
                                + runs
                        : "");
    }
}
