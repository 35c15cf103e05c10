package org.chemfit.cli;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import org.chemfit.EvaluationContext;
import org.chemfit.TermFailedException;
import org.chemfit.fit.FitListener;
import org.jspecify.annotations.Nullable;

/**
 * Says why a term failed the first time it fails in a fit that goes on (under
 * {@code on_failure: penalty} or {@code skip}, or a term of weight 0, which {@code on_failure}
 * does not apply to, under any policy): one message per term, with the reason and the
 * run directory's {@code failure.json}; later failures of the same term are only counted (in
 * {@code evaluations.csv} and {@code results.json}).
 *
 * <pre>{@code
 * fitter.listener(new FirstFailures("penalty", progress::note));
 * }</pre>
 *
 * @implNote Thread-safe: evaluations may be reported from several threads.
 */
final class FirstFailures implements FitListener {

    private final String policy;
    private final Consumer<String> print;
    private final Set<String> reported = new HashSet<>();

    /**
     * @param policy the job's {@code on_failure} word, named in the message
     * @param print where each message goes (one line or more, without a final line break)
     */
    FirstFailures(String policy, Consumer<String> print) {
        this.policy = policy;
        this.print = print;
    }

    @Override
    public void onEvaluation(int number, EvaluationContext context, double loss) {
        for (EvaluationContext term : context.children()) {
            Throwable failure = term.failure();
            if (failure == null || !first(term.name())) {
                continue;
            }
            Path dir = runDirectory(failure);
            print.accept(String.format(
                    Locale.ROOT,
                    "warning: term '%s' failed in evaluation %s (%s the fit goes on; later failures of"
                            + " this term are counted, not shown): %s%s",
                    term.name(),
                    context.evaluationId(), // e0, as evaluations.csv, the journal and other messages name it
                    // a term of weight 0 is monitored: its failure leaves the loss exact, and no policy applies
                    term.weight() == 0
                            ? "a term of weight 0, which on_failure does not apply to:"
                            : "on_failure: " + policy + ",",
                    reason(String.valueOf(failure.getMessage())),
                    dir == null ? "" : "\n  details: " + dir.resolve("failure.json")));
        }
    }

    private synchronized boolean first(String term) {
        return reported.add(term);
    }

    private static @Nullable Path runDirectory(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TermFailedException f && f.runDirectory().isPresent()) {
                return f.runDirectory().get();
            }
        }
        return null;
    }

    /**
     * @param message a term's failure message ("term 1 'bad' failed: external term 'bad' failed at ...")
     * @return the message without the leading "term N 'NAME' failed: " (the caller names the term)
     *     and without Java class names; the cluster worker a term failed on stays named ("on worker
     *     node07 (10.1.0.7:5701, pid 4242): external term 'bad' failed at ...")
     */
    static String reason(String message) {
        java.util.regex.Matcher m = LEADING.matcher(message);
        if (!m.lookingAt()) {
            return Messages.clean(message);
        }
        String worker = m.group(1);
        return Messages.clean((worker == null ? "" : worker + ": ") + message.substring(m.end()));
    }

    /** The start of a term's failure message, with the worker it failed on when it ran on a cluster. */
    private static final java.util.regex.Pattern LEADING =
            java.util.regex.Pattern.compile("term \\d+ '[^']*' failed(?: (on worker [^\\n]*?, pid \\d+\\)))?: ");
}
