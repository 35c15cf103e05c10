package org.chemfit.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.fit.FitListener;
import org.chemfit.journal.read.BestPoint;
import org.jspecify.annotations.Nullable;

/**
 * Evaluates a job's validation terms at the best parameters so far after every N evaluations of the
 * fit ({@code validation_every: N}), on a thread of its own, so that they run beside the fit's own
 * terms and the held-out loss can be followed as the fit goes on (over-fitting shows as a held-out
 * loss that rises while the fit's loss falls).
 *
 * <pre>{@code
 * ValidationTrace trace = new ValidationTrace(plan, 25);
 * fitter.listener(trace);
 * FitResult r = fitter.fit();
 * List<Map<String, Object>> history = trace.finish(true, firstEvaluation, validationAtStart);
 * }</pre>
 *
 * @implNote {@link #onEvaluation} is called on the fit's thread; the evaluations run on one daemon
 *     thread of this object; {@link #finish} is called once, after the fit.
 */
final class ValidationTrace implements FitListener {

    private final FitPlan plan;
    private final int every;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "chemfit-validation");
        t.setDaemon(true);
        return t;
    });
    private final List<Object[]> submitted = new ArrayList<>();
    /** The fit's best point so far, by the Fitter's rule (a bad or degraded point does not win). */
    private final BestPoint<Parameters> bestPoint = new BestPoint<>();

    private @Nullable Parameters bestParameters;
    private @Nullable Parameters lastChecked;

    ValidationTrace(FitPlan plan, int every) {
        this.plan = plan;
        this.every = every;
    }

    @Override
    public void onEvaluation(int number, EvaluationContext context, double loss) {
        bestPoint.offer(context.parameters(), BestPoint.kind(context), loss);
        bestParameters = bestPoint.best();
        if ((number + 1) % every != 0
                || bestParameters == null
                || java.util.Objects.equals(bestParameters, lastChecked)) {
            return;
        }
        Parameters p = bestParameters;
        lastChecked = p;
        double fitLoss = bestPoint.loss();
        Future<EvaluationContext> f = thread.submit(() -> plan.evaluateValidation(p));
        submitted.add(new Object[] {number + 1, fitLoss, f});
    }

    /**
     * Waits for the evaluations still running (or, after an interrupted fit, cancels them) and
     * returns one entry per check: the evaluations done, the fit's best loss then, the validation
     * loss (null when a validation term failed) and each validation term's loss at the best
     * parameters then (null for one that failed). The first entry is the start, after evaluation
     * 1, from the validation terms evaluated there for the metrics (not run again), so that a held-out
     * loss that ends above its start shows; not when a term of the start failed (no best so far).
     *
     * @param wait whether to wait for evaluations not yet finished
     * @param fitStart the fit's first evaluation, or null when it is not known
     * @param validationStart the validation terms evaluated at the start, or null when they were not
     * @return the history, in order
     */
    List<Map<String, Object>> finish(
            boolean wait, @Nullable EvaluationContext fitStart, @Nullable EvaluationContext validationStart) {
        thread.shutdown();
        List<Map<String, Object>> out = new ArrayList<>();
        // the start as a check of its own when it may be the best so far: a clean evaluation
        if (fitStart != null
                && validationStart != null
                && BestPoint.kind(fitStart) == BestPoint.Kind.CLEAN
                && (submitted.isEmpty() || !Integer.valueOf(1).equals(submitted.get(0)[0]))) {
            out.add(entry(1, fitStart.loss(), validationStart));
        }
        for (Object[] s : submitted) {
            @SuppressWarnings("unchecked")
            Future<EvaluationContext> f = (Future<EvaluationContext>) s[2];
            EvaluationContext ctx;
            try {
                ctx = wait ? f.get(1, TimeUnit.HOURS) : f.isDone() ? f.get() : null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ctx = null;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                ctx = null; // a check that failed is left out; the held-out data never fail the fit
            }
            if (ctx != null) {
                out.add(entry((Integer) s[0], (Double) s[1], ctx));
            }
        }
        if (!wait) {
            thread.shutdownNow();
        }
        return out;
    }

    /** @return the entry of one check: after how many evaluations, the fit's best loss then, and the validation's */
    private static Map<String, Object> entry(int evaluations, double fitLoss, EvaluationContext ctx) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("evaluations", evaluations);
        m.put("fit_loss", Double.isFinite(fitLoss) ? fitLoss : null);
        Map<String, Object> terms = new LinkedHashMap<>();
        boolean termFailed = false;
        for (EvaluationContext c : ctx.children()) {
            boolean ok = Double.isFinite(c.value())
                    && (c.status() == EvaluationContext.Status.OK || c.status() == EvaluationContext.Status.REPLAYED);
            terms.put(c.name(), ok ? c.value() : null);
            termFailed |= !ok;
        }
        // a loss without a failed term's part is no loss of the validation: it would read as an improvement
        m.put("validation_loss", !termFailed && Double.isFinite(ctx.loss()) ? ctx.loss() : null);
        m.put("terms", terms);
        return m;
    }
}
