package org.chemfit.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.FailurePolicy;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.jspecify.annotations.Nullable;

/**
 * One evaluation request of a dispatch: the root objective and context, its leaf tasks, and the
 * combined objectives of its tree in post-order for the bottom-up reduction. The reduction
 * mirrors what {@link CombinedObjectiveFunction#evaluate(Parameters, EvaluationContext)} does
 * serially, so the loss, breakdown and metadata are the same bit for bit.
 */
final class Request {

    /** A combined objective of the tree, with its context and where it sits in its parent. */
    private record Node(
            CombinedObjectiveFunction fn,
            EvaluationContext ctx,
            @Nullable CombinedObjectiveFunction parent,
            int index) {}

    final CombinedObjectiveFunction root;
    final EvaluationContext ctx;
    private final List<Node> nodes = new ArrayList<>();
    private int first;
    private int count;
    private Dispatch dispatch;
    /** The leaf whose failure aborted the request (the first to fail in time), or null. */
    private @Nullable LeafTask firstFailed;

    /** The loss, once reduced. */
    double value = Double.NaN;
    /** The failure of this request once reduced (a TermFailedException, or a cancellation), or null. */
    @Nullable
    RuntimeException error;

    // dispatch is set by flatten(), before anything reads it (NullAway.Init)
    @SuppressWarnings("NullAway.Init")
    Request(CombinedObjectiveFunction root, EvaluationContext ctx) {
        this.root = root;
        this.ctx = ctx;
    }

    /** Prepares the contexts of the whole tree and appends one task per leaf, in term order. */
    void flatten(Dispatch d, List<LeafTask> out) {
        this.dispatch = d;
        this.first = out.size();
        flatten(root, ctx, null, -1, new int[0], true, out);
        this.count = out.size() - first;
    }

    private void flatten(
            CombinedObjectiveFunction fn,
            EvaluationContext c,
            @Nullable CombinedObjectiveFunction parent,
            int indexInParent,
            int[] path,
            boolean raisePath,
            List<LeafTask> out) {
        Terms.prepare(fn, c);
        FailurePolicy policy = fn.failurePolicy();
        boolean raiseHere = raisePath && policy.action() == FailurePolicy.Action.RAISE;
        List<ObjectiveFunction> terms = fn.terms();
        for (int i = 0; i < terms.size(); i++) {
            int[] p = java.util.Arrays.copyOf(path, path.length + 1);
            p[path.length] = i;
            // a failure of a term of weight 0 is recorded, never raised: it aborts nothing
            boolean raiseTerm = raiseHere && fn.weight(i) != 0;
            if (terms.get(i) instanceof CombinedObjectiveFunction nested) {
                // a retried nested objective may still succeed, so its failure does not abort early
                flatten(nested, c.child(i), fn, i, p, raiseTerm && policy.retries() == 0, out);
            } else {
                out.add(new LeafTask(dispatch, this, out.size(), fn, i, p, c.child(i), raiseTerm));
            }
        }
        nodes.add(new Node(fn, c, parent, indexInParent));
    }

    /**
     * A leaf failed under RAISE all the way up: cancel every other task of the request at once,
     * before and after it in term order (pending ones never start, running ones are interrupted,
     * which kills their external processes). The first leaf to fail in time is the one raised;
     * a sibling that fails while being cancelled does not replace it.
     */
    void abort(LeafTask failed) {
        synchronized (this) {
            if (firstFailed != null) {
                return;
            }
            firstFailed = failed;
        }
        int to = first + count;
        for (int k = first; k < to; k++) {
            if (k != failed.position) {
                dispatch.tasks[k].cancelPending();
            }
        }
        for (int k = first; k < to; k++) {
            if (k != failed.position) {
                dispatch.tasks[k].cancel();
            }
        }
    }

    /**
     * Reduces the tree bottom-up once every task is finished, as serial evaluation would; sets
     * {@link #value} or {@link #error}.
     *
     * @param cancelled the cancellation of the whole dispatch, or null
     */
    void reduce(@Nullable EvaluationCancelledException cancelled) {
        if (cancelled != null) {
            error = cancelled;
            return;
        }
        Parameters params = ctx.parameters();
        String aborting;
        synchronized (this) {
            aborting = firstFailed == null ? null : firstFailed.pathString();
        }
        for (Node n : nodes) {
            // a node above the leaf that aborted the request raises that leaf's failure, even when a
            // sibling failed too before it could be cancelled
            boolean incomplete =
                    aborting != null && (n.ctx.path().isEmpty() || aborting.startsWith(n.ctx.path() + "."));
            for (EvaluationContext c : n.ctx.children()) {
                if (c.status() == EvaluationContext.Status.PENDING) {
                    incomplete = true;
                    break;
                }
            }
            if (n.parent == null) {
                reduceRoot(n, incomplete);
            } else {
                reduceNested(n, incomplete, params);
            }
        }
    }

    private void reduceRoot(Node n, boolean incomplete) {
        if (!incomplete) {
            try {
                value = Terms.reduce(n.fn, n.ctx);
            } catch (RuntimeException e) {
                error = e;
            }
            return;
        }
        // aborted: raise the failure that aborted the request, the first to happen
        Throwable f = firstFailure(n);
        n.ctx.fail(f);
        if (f instanceof RuntimeException r) {
            error = r;
        } else {
            error = new EvaluationCancelledException(
                    "evaluation " + ctx.evaluationId() + " stopped before its terms finished", f);
        }
    }

    private void reduceNested(Node n, boolean incomplete, Parameters params) {
        EvaluationContext c = n.ctx;
        String name = Objects.requireNonNull(n.parent, "a nested node has a parent")
                .termNames()
                .get(n.index);
        if (incomplete) {
            // only an aborted request leaves terms unrun; a RAISE node with a failed term failed
            Throwable f = n.fn.failurePolicy().action() == FailurePolicy.Action.RAISE ? firstFailure(n) : null;
            if (f != null) {
                c.fail(TermFailedException.wrap(name, n.index, params, f));
                setTiming(c);
            }
            return;
        }
        try {
            double v = Terms.reduce(n.fn, c);
            c.complete(v);
            setTiming(c);
        } catch (RuntimeException e) {
            c.fail(TermFailedException.wrap(name, n.index, params, e));
            setTiming(c);
            if (n.parent.failurePolicy().retries() > 0) {
                // a retry of a nested objective runs exactly as serial evaluation runs it
                Terms.runTerm(n.parent, n.index, params, c);
            }
        }
    }

    /**
     * @return the failure of the child on the path to the leaf that aborted the request (the
     *     first to fail in time), else the first failure in term order
     */
    private @Nullable Throwable firstFailure(Node n) {
        LeafTask aborting;
        synchronized (this) {
            aborting = firstFailed;
        }
        if (aborting != null) {
            String leaf = aborting.pathString();
            for (EvaluationContext c : n.ctx.children()) {
                if ((leaf.equals(c.path()) || leaf.startsWith(c.path() + "."))
                        && c.status() == EvaluationContext.Status.FAILED
                        && c.failure() != null) {
                    return c.failure();
                }
            }
        }
        for (EvaluationContext c : n.ctx.children()) {
            if (c.status() == EvaluationContext.Status.FAILED && c.failure() != null) {
                return c.failure();
            }
        }
        return null;
    }

    /** A nested objective's timing spans its terms; serial evaluation records it the same way. */
    private static void setTiming(EvaluationContext c) {
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (EvaluationContext k : c.children()) {
            if (k.endEpochNanos() != 0) {
                start = Math.min(start, k.startEpochNanos());
                end = Math.max(end, k.endEpochNanos());
            }
        }
        if (start <= end) {
            c.timed(start, end - start, Thread.currentThread().getName());
        }
    }
}
