package org.chemfit.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.FailurePolicy;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.chemfit.TermRecorder;

/**
 * How the terms of a {@link CombinedObjectiveFunction} are run and reduced: the steps that serial
 * evaluation and every scheduler share. A scheduler calls {@link #prepare}, then {@link #runTerm}
 * for each term (anywhere, in any order), then {@link #reduce}; a cluster member finds a leaf with
 * {@link #parentOf} and runs it with {@link #evaluateLeaf}.
 *
 * <pre>{@code
 * Terms.prepare(combined, ctx);
 * for (int i = 0; i < combined.size(); i++) {
 *     Terms.runTerm(combined, i, params, ctx.child(i));
 * }
 * double loss = Terms.reduce(combined, ctx);
 * }</pre>
 *
 * @implNote Stateless and thread-safe; each context is written by one thread at a time.
 */
public final class Terms {

    private Terms() {}

    /**
     * Evaluates every term on the calling thread, one after another, and reduces: serial evaluation.
     *
     * @param c the objective
     * @param params the parameters
     * @param ctx a fresh context
     * @return the reduced loss
     * @throws TermFailedException under RAISE, for the first failed term in term order
     * @throws EvaluationCancelledException when the thread is interrupted
     * @throws IllegalStateException when the context already holds terms
     */
    public static double evaluate(CombinedObjectiveFunction c, Parameters params, EvaluationContext ctx) {
        prepare(c, ctx);
        // one clock reading per term: in a serial run a term starts when the one before it ended
        long t = System.nanoTime();
        String thread = Thread.currentThread().getName();
        for (int i = 0; i < c.size(); i++) {
            t = runTerm(c, i, params, ctx.child(i), t, thread);
        }
        return reduce(c, ctx);
    }

    /**
     * Refuses to evaluate parameters into a context that holds others: the evaluation would run at
     * one point and be recorded (journal, breakdown, run directories) at another. Serial evaluation
     * and the wrappers call it once per evaluation; it allocates nothing, and the context made by
     * {@code evaluate(params)} holds the very same object, so it is then one comparison.
     *
     * @param params the parameters to evaluate
     * @param ctx the context to fill
     * @throws IllegalArgumentException when the context's parameters are not equal to {@code params}
     */
    public static void checkParameters(Parameters params, EvaluationContext ctx) {
        Parameters held = ctx.parameters();
        // equals tests identity first, without allocating
        if (!held.equals(params)) {
            throw new IllegalArgumentException(
                    "the context holds other parameters than those to evaluate: " + held + " vs " + params);
        }
    }

    /**
     * Checks a batch's contexts before any is prepared, so that a null among them spoils none of
     * the others.
     *
     * @param requests the batch's contexts
     * @throws NullPointerException naming the list ({@code requests}) or the place of a null context
     *     ({@code requests[1]})
     */
    public static void requireRequests(List<EvaluationContext> requests) {
        Objects.requireNonNull(requests, "requests");
        for (int i = 0; i < requests.size(); i++) {
            Objects.requireNonNull(requests.get(i), "requests[" + i + "]");
        }
    }

    /**
     * Adds one child context per term to {@code ctx}.
     *
     * @param c the objective
     * @param ctx the context of this combined objective, which must have no children yet
     * @throws IllegalStateException when it already has children
     */
    public static void prepare(CombinedObjectiveFunction c, EvaluationContext ctx) {
        if (!ctx.children().isEmpty()) {
            int n = ctx.children().size();
            throw new IllegalStateException("the context given already holds " + n + (n == 1 ? " term" : " terms")
                    + " of an evaluation: a context records one evaluation; give each evaluation a new"
                    + " EvaluationContext");
        }
        List<String> names = c.termNames();
        for (int i = 0; i < c.size(); i++) {
            ctx.addChild(names.get(i), c.weight(i));
        }
    }

    /**
     * Runs term {@code i}, retrying it as the policy says, and records its value or failure and
     * its timing in {@code child}. A failure is recorded, not thrown; {@link #reduce} applies the
     * policy. A leaf its recorder already holds is replayed instead of run.
     *
     * @param c the objective
     * @param i the term index
     * @param params the parameters
     * @param child the term's child context, from {@link #prepare}
     * @throws EvaluationCancelledException when the thread is interrupted or the term was cancelled
     */
    public static void runTerm(CombinedObjectiveFunction c, int i, Parameters params, EvaluationContext child) {
        runTerm(c, i, params, child, System.nanoTime(), Thread.currentThread().getName());
    }

    /** @return when the term ended ({@link System#nanoTime()}) */
    private static long runTerm(
            CombinedObjectiveFunction c, int i, Parameters params, EvaluationContext child, long t0, String thread) {
        ObjectiveFunction term = c.terms().get(i);
        String name = c.termNames().get(i);
        long start = EvaluationContext.toEpochNanos(t0);
        TermRecorder recorder = term instanceof CombinedObjectiveFunction ? null : child.recorder();
        if (Replay.fromRecorder(recorder, child)) {
            long end = System.nanoTime();
            child.timed(start, end - t0, thread);
            return end;
        }
        int attempt = 0;
        while (true) {
            try {
                double v = term.evaluate(params, child);
                child.complete(v);
                break;
            } catch (EvaluationCancelledException e) {
                throw e;
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted() || interruptedWithin(e)) {
                    // a term that wrapped the InterruptedException (a lambda must) without setting
                    // the flag again was interrupted all the same: the fit stops, as it asked
                    Thread.currentThread().interrupt();
                    throw new EvaluationCancelledException("term " + i + " '" + name + "' was interrupted", e);
                }
                child.fail(TermFailedException.wrap(
                        name, i, params, e, attempt, c.failurePolicy().retries()));
                if (attempt >= c.failurePolicy().retries()) {
                    break;
                }
                attempt++;
                child.retry(attempt);
            }
        }
        long end = System.nanoTime();
        child.timed(start, end - t0, thread);
        if (recorder != null) {
            recorder.finished(child);
            if (end - t0 >= SLOW_NANOS) {
                // the recording of a slow term (the journal commits it at once) is not the next term's time
                return System.nanoTime();
            }
        }
        return end;
    }

    /**
     * @param e what a term threw
     * @return whether it wraps an {@link InterruptedException} as its direct cause, as a lambda
     *     wraps one from a blocking call of its own thread ({@code throw new RuntimeException(e)});
     *     one reached through another exception (a {@link java.util.concurrent.CompletionException}
     *     of {@code join()}, a failure of a helper) is another thread's, and is not
     */
    static boolean interruptedWithin(Throwable e) {
        return e.getCause() instanceof InterruptedException && !(e instanceof java.util.concurrent.CompletionException);
    }

    /**
     * A term that ran this long has its recording kept out of the next term's time, at the cost of
     * another reading of the clock. After a faster one, the next term's time includes its
     * recording: the journal records a fast term in well under a microsecond, and a reading of the
     * clock costs some 30 ns on a virtual machine, a share of an in-process term's time. (A
     * {@link org.chemfit.TermRecorder} that takes long over a fast term adds that time to the
     * next term's.)
     */
    private static final long SLOW_NANOS = 100_000;

    /**
     * Applies the failure policy to the children in term order, weights and reduces their values,
     * and stores the breakdown and the total in {@code ctx}. A term of weight 0 contributes exactly
     * 0 and counts in the reducer's number of terms whatever became of it: a NaN or infinite value
     * or a failure of it changes nothing (the failure stays recorded in its context, which keeps
     * the status {@link EvaluationContext.Status#FAILED}, and the policy is not applied to it).
     *
     * @param c the objective
     * @param ctx the context whose children were filled by {@link #runTerm}
     * @return the reduced loss (NaN when every term was skipped)
     * @throws TermFailedException under RAISE, for the first failed term in term order
     */
    public static double reduce(CombinedObjectiveFunction c, EvaluationContext ctx) {
        FailurePolicy policy = c.failurePolicy();
        List<String> names = c.termNames();
        double sum = 0;
        int n = 0;
        List<Integer> skipped = null;
        for (int i = 0; i < c.size(); i++) {
            EvaluationContext k = ctx.child(i);
            if (c.weight(i) == 0) {
                // a term of weight 0 is monitored, not fitted: it adds exactly 0 whatever its value
                // (0 x NaN would be NaN), and a failure of it stays recorded in its context (FAILED)
                // without the policy standing in for it; it is not one of the terms a mean is over
                k.contribute(0.0);
                continue;
            }
            if (k.status() == EvaluationContext.Status.FAILED || k.status() == EvaluationContext.Status.PENDING) {
                Throwable f = k.failure();
                switch (policy.action()) {
                    case RAISE -> {
                        ctx.fail(f);
                        if (f instanceof TermFailedException t) {
                            throw t;
                        }
                        throw new TermFailedException(
                                "term " + i + " '" + names.get(i) + "' did not run",
                                names.get(i),
                                i,
                                ctx.parameters(),
                                null,
                                null,
                                null,
                                false,
                                f);
                    }
                    case PENALTY -> {
                        double contribution = c.weight(i) * policy.penaltyValue();
                        k.penalize(contribution);
                        sum += contribution;
                        n++;
                    }
                    case SKIP -> {
                        k.skip();
                        if (skipped == null) {
                            skipped = new ArrayList<>();
                        }
                        skipped.add(i);
                    }
                }
            } else {
                double contribution = c.weight(i) * k.value();
                k.contribute(contribution);
                sum += contribution;
                n++;
            }
        }
        if (skipped != null) {
            ctx.put("skipped", skipped);
        }
        // only terms of weight 0 (none failed, none skipped): a loss of nothing, 0
        double total = n == 0 && skipped == null ? 0.0 : c.reducer().apply(sum, n);
        ctx.complete(total);
        return total;
    }

    /**
     * Resolves a path against an objective: what a remote worker does to find the leaf.
     *
     * @param root the root objective (the worker's own copy)
     * @param path term indices from the root, as {@link LeafTask#path()} gives them
     * @return the combined objective holding the leaf; the leaf is its term {@code path[path.length - 1]}
     * @throws IllegalArgumentException when the path does not lead to a leaf of {@code root}
     */
    public static CombinedObjectiveFunction parentOf(CombinedObjectiveFunction root, int[] path) {
        if (path.length == 0) {
            throw new IllegalArgumentException("a leaf path needs at least one index, got []");
        }
        CombinedObjectiveFunction c = root;
        for (int k = 0; k < path.length; k++) {
            List<ObjectiveFunction> terms = c.terms();
            if (path[k] < 0 || path[k] >= terms.size()) {
                throw new IllegalArgumentException("path " + Arrays.toString(path) + " leaves the objective at level "
                        + k + ": index " + path[k] + " but only " + terms.size() + " terms");
            }
            ObjectiveFunction t = terms.get(path[k]);
            if (k == path.length - 1) {
                if (t instanceof CombinedObjectiveFunction) {
                    throw new IllegalArgumentException(
                            "path " + Arrays.toString(path) + " ends at a combined objective, not a leaf");
                }
                return c;
            }
            if (!(t instanceof CombinedObjectiveFunction n)) {
                throw new IllegalArgumentException(
                        "path " + Arrays.toString(path) + " goes through leaf term " + path[k] + " at level " + k);
            }
            c = n;
        }
        throw new AssertionError("unreachable");
    }

    /**
     * Builds the contexts along a leaf's path, as a serial evaluation would, and returns the
     * leaf's fresh context: its path, name, weight and evaluation id are those of serial
     * evaluation (run directories and metadata use them).
     *
     * @param root the root objective
     * @param path the leaf's path, from {@link LeafTask#path()}
     * @param params the parameters
     * @param evaluationId the evaluation id
     * @return the leaf's context, not yet run
     * @throws IllegalArgumentException when the path does not lead to a leaf
     */
    public static EvaluationContext leafContext(
            CombinedObjectiveFunction root, int[] path, Parameters params, String evaluationId) {
        CombinedObjectiveFunction parent = parentOf(root, path);
        EvaluationContext ctx = new EvaluationContext(params, evaluationId);
        CombinedObjectiveFunction level = root;
        for (int k = 0; k < path.length - 1; k++) {
            prepare(level, ctx);
            ctx = ctx.child(path[k]);
            level = (CombinedObjectiveFunction) level.terms().get(path[k]);
        }
        prepare(parent, ctx);
        return ctx.child(path[path.length - 1]);
    }

    /**
     * The worker side of a remote run: resolves the leaf by its path in the worker's own copy of
     * the objective and runs it (with the retries of its failure policy) in a fresh context named
     * and weighted as the leaf. Ship the result's value, status, quantities, metadata, failure
     * message and timing back, and hand them to {@link LeafTask#complete(EvaluationContext)}.
     *
     * @param root the worker's copy of the root objective
     * @param path the leaf's path, from {@link LeafTask#path()}
     * @param params the parameters, from {@link LeafTask#parameters()}
     * @param evaluationId the evaluation id, from {@link LeafTask#evaluationId()} (run directories use it)
     * @return the leaf's filled context; a failure is recorded in it, not thrown
     * @throws IllegalArgumentException when the path does not lead to a leaf
     * @throws EvaluationCancelledException when the worker thread was interrupted
     */
    public static EvaluationContext evaluateLeaf(
            CombinedObjectiveFunction root, int[] path, Parameters params, String evaluationId) {
        CombinedObjectiveFunction parent = parentOf(root, path);
        EvaluationContext child = leafContext(root, path, params, evaluationId);
        runTerm(parent, path[path.length - 1], params, child);
        return child;
    }
}
