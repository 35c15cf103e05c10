package org.chemfit.journal.read;

import org.chemfit.EvaluationContext;
import org.jspecify.annotations.Nullable;

/**
 * The one rule that says which point of a fit is its best, shared by the Fitter, the
 * journal, the command line's outputs and the dashboard, so that they all name the same point.
 * A point is one of three {@link Kind kinds}: clean (its evaluation finished with a finite loss
 * and no term of non-zero weight failed), degraded (a finite loss, but a term failed and the
 * failure policy substituted a penalty or skipped it) or bad (the evaluation failed, or its loss was NaN or
 * infinite, whatever the optimizer was told for it). The best point is the clean point of lowest
 * loss; a degraded point is the best only when no clean point was seen (the degraded point of
 * lowest loss); a bad point is never the best. Among equal losses the point offered first stays.
 *
 * <pre>{@code
 * BestPoint<EvaluationRecord> best = new BestPoint<>();
 * for (EvaluationRecord e : journal.evaluations(runId)) {
 *     best.offer(e, BestPoint.kind(e), e.loss());
 * }
 * EvaluationRecord b = best.best(); // null when every point was bad
 * }</pre>
 *
 * @param <T> what a point is to the caller (an evaluation context, a journal record, a number)
 * @implNote Not thread-safe: one thread offers points and reads the best (the static methods are
 *     stateless and thread-safe).
 */
public final class BestPoint<T> {

    /**
     * What a point may be in the search for the best one.
     *
     * <pre>{@code
     * if (BestPoint.kind(ctx) == BestPoint.Kind.BAD) { ... }
     * }</pre>
     *
     * @implNote An enum: immutable.
     */
    public enum Kind {
        /** Finished with a finite loss and no failed term: may be the best. */
        CLEAN,
        /** A finite loss with a failed term the failure policy stood in for: a fallback only. */
        DEGRADED,
        /** A failed evaluation or a NaN or infinite loss: never the best. */
        BAD
    }

    private @Nullable T clean;
    private double cleanLoss = Double.POSITIVE_INFINITY;
    private @Nullable T degraded;
    private double degradedLoss = Double.POSITIVE_INFINITY;

    /** Starts with no point seen. */
    public BestPoint() {}

    /**
     * @param ctx a finished evaluation
     * @return its kind: bad when it failed or its loss is not finite, degraded when a term failed
     *     anywhere below it, clean otherwise
     */
    public static Kind kind(EvaluationContext ctx) {
        boolean finished = ctx.status() != EvaluationContext.Status.FAILED;
        return kind(finished, ctx.loss(), finished && degraded(ctx));
    }

    /**
     * @param e an evaluation as the journal holds it
     * @return its kind: bad unless it is complete with a finite loss, degraded when the journal
     *     says a term failed in it, clean otherwise
     */
    public static Kind kind(EvaluationRecord e) {
        return kind(e.state() == EvaluationRecord.State.COMPLETE, e.loss(), e.degraded());
    }

    /**
     * @param finished whether the evaluation finished with a loss (not failed, not running)
     * @param loss its loss (not the value a bad loss was replaced by for the optimizer)
     * @param degraded whether a term failed in it and the failure policy stood in for it
     * @return bad unless it finished with a finite loss; else degraded or clean
     */
    public static Kind kind(boolean finished, double loss, boolean degraded) {
        if (!finished || !Double.isFinite(loss)) {
            return Kind.BAD;
        }
        return degraded ? Kind.DEGRADED : Kind.CLEAN;
    }

    /**
     * @param ctx an evaluation
     * @return whether a term anywhere below it failed (its status is PENALTY, SKIPPED or FAILED)
     *     where it counts in the loss: a term of weight 0, and everything below it, adds exactly 0
     *     whatever became of it, so its failure leaves the loss exact and the point clean
     */
    public static boolean degraded(EvaluationContext ctx) {
        // the children read without a copy: it runs for every evaluation a journal records
        for (EvaluationContext c : org.chemfit.internal.ContextValues.children(ctx)) {
            if (c.weight() == 0) {
                continue;
            }
            EvaluationContext.Status st = c.status();
            if (st == EvaluationContext.Status.PENALTY
                    || st == EvaluationContext.Status.SKIPPED
                    || st == EvaluationContext.Status.FAILED
                    || degraded(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Offers a point. A loss that is not finite makes the point bad whatever its kind.
     *
     * @param point the point
     * @param kind its kind ({@link #kind(EvaluationContext)}, {@link #kind(EvaluationRecord)})
     * @param loss its loss
     * @return whether it is now the best point
     */
    public boolean offer(T point, Kind kind, double loss) {
        if (kind == Kind.BAD || !Double.isFinite(loss)) {
            return false;
        }
        if (kind == Kind.DEGRADED) {
            if (loss < degradedLoss) {
                degradedLoss = loss;
                degraded = point;
                return clean == null;
            }
            return false;
        }
        if (loss < cleanLoss) {
            cleanLoss = loss;
            clean = point;
            return true;
        }
        return false;
    }

    /** @return the best point: the best clean one, else the best degraded one, else null */
    public @Nullable T best() {
        return clean != null ? clean : degraded;
    }

    /** @return the best point's loss, infinite when there is none */
    public double loss() {
        return clean != null ? cleanLoss : degradedLoss;
    }

    /** @return whether the best point is a degraded one (no clean point was seen) */
    public boolean isDegraded() {
        return clean == null && degraded != null;
    }

    /** @return the clean point of lowest loss, or null when no clean point was seen */
    public @Nullable T clean() {
        return clean;
    }

    /** @return the degraded point of lowest loss, or null when none was seen */
    public @Nullable T degradedBest() {
        return degraded;
    }
}
