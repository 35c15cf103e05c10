package org.chemfit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A weighted combination of objective terms: the objective of a fit. Terms may themselves be
 * combined objectives (nesting). The weighted values are reduced in term order by a
 * {@link Reducer} (sum by default), and failed terms are handled by a {@link FailurePolicy}
 * (raise by default), each at its own level of the tree.
 *
 * <pre>{@code
 * var combined = new CombinedObjectiveFunction(
 *         List.of(p -> Math.pow(p.get("x") - 1, 2), p -> Math.pow(p.get("x") - 3, 2)),
 *         List.of(0.5, 1.0));
 * double loss = combined.evaluate(Parameters.of(Map.of("x", 2.0)));   // 1.5
 * }</pre>
 *
 * <p>After {@link #evaluate(Parameters, EvaluationContext)} the context holds one child per term
 * with its value, weight, weighted contribution, quantities, status and timing.
 *
 * <p>When a term throws: under RAISE the remaining terms still run (serially), and the first
 * failure in term order is thrown; concurrently, every other running term is cancelled at once
 * (its program killed) and the first failure to happen is thrown. Either way it is a
 * {@link TermFailedException} naming the term; under PENALTY or SKIP the evaluation goes on. An
 * {@link EvaluationCancelledException} (an interrupt) always propagates at once.
 *
 * @implNote Immutable and thread-safe when its terms are: {@code withWeights} and friends return
 *     copies. Evaluating it serially runs the terms one after another on the calling thread; wrap
 *     it in {@code AsyncWrapperCOB} to run them concurrently.
 */
public final class CombinedObjectiveFunction implements ObjectiveFunction {

    private final List<ObjectiveFunction> terms;
    private final double[] weights;
    private final List<String> names;
    private final Reducer reducer;
    private final FailurePolicy policy;
    private final String name;

    /**
     * Combines terms with weight 1.
     *
     * @param terms the terms, at least one
     * @throws IllegalArgumentException when there is no term or a term is null
     */
    public CombinedObjectiveFunction(List<? extends ObjectiveFunction> terms) {
        this(terms, ones(terms == null ? 0 : terms.size()));
    }

    /**
     * Combines terms with weights.
     *
     * @param terms the terms, at least one
     * @param weights one finite, non-negative weight per term
     * @throws IllegalArgumentException when there is no term, the counts differ, or a weight is
     *     negative, NaN or infinite; the message names the rule and the value
     */
    public CombinedObjectiveFunction(List<? extends ObjectiveFunction> terms, List<Double> weights) {
        this(List.copyOf(Objects.requireNonNull(terms, "terms")), toArray(weights), null, Reducer.SUM, FailurePolicy.raise(), null);
    }

    private CombinedObjectiveFunction(List<ObjectiveFunction> terms, double[] weights, List<String> names, Reducer reducer,
            FailurePolicy policy, String name) {
        if (terms.isEmpty()) {
            throw new IllegalArgumentException("a combined objective needs at least one term, got 0");
        }
        if (weights.length != terms.size()) {
            throw new IllegalArgumentException("there must be one weight per term: got " + terms.size() + " terms and "
                    + weights.length + " weights");
        }
        for (int i = 0; i < weights.length; i++) {
            if (Double.isNaN(weights[i]) || Double.isInfinite(weights[i])) {
                throw new IllegalArgumentException("weights must be finite: weight " + i + " is " + weights[i]);
            }
            if (weights[i] < 0) {
                throw new IllegalArgumentException("weights must not be negative: weight " + i + " is " + weights[i]);
            }
        }
        List<String> n = new ArrayList<>(terms.size());
        for (int i = 0; i < terms.size(); i++) {
            ObjectiveFunction t = terms.get(i);
            if (t == null) {
                throw new IllegalArgumentException("term " + i + " is null");
            }
            String given = names == null ? null : names.get(i);
            String own = t.name();
            n.add(given != null ? given : own != null ? own : "term[" + i + "]");
        }
        this.terms = terms;
        this.weights = weights;
        this.names = Collections.unmodifiableList(n);
        this.reducer = Objects.requireNonNull(reducer, "reducer");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.name = name;
    }

    private static List<Double> ones(int n) {
        return Collections.nCopies(n, 1.0);
    }

    private static double[] toArray(List<Double> weights) {
        Objects.requireNonNull(weights, "weights");
        double[] w = new double[weights.size()];
        for (int i = 0; i < w.length; i++) {
            Double d = weights.get(i);
            if (d == null) {
                throw new IllegalArgumentException("weights must be finite: weight " + i + " is null");
            }
            w[i] = d;
        }
        return w;
    }

    /**
     * @param newWeights one weight per term
     * @return a copy with these weights
     * @throws IllegalArgumentException as the constructor
     */
    public CombinedObjectiveFunction withWeights(List<Double> newWeights) {
        return new CombinedObjectiveFunction(terms, toArray(newWeights), names, reducer, policy, name);
    }

    /**
     * @param r the reducer
     * @return a copy with this reducer
     */
    public CombinedObjectiveFunction withReducer(Reducer r) {
        return new CombinedObjectiveFunction(terms, weights, names, r, policy, name);
    }

    /**
     * @param p the failure policy
     * @return a copy with this policy
     */
    public CombinedObjectiveFunction withFailurePolicy(FailurePolicy p) {
        return new CombinedObjectiveFunction(terms, weights, names, reducer, p, name);
    }

    /**
     * @param termNames one name per term, shown in reports and error messages
     * @return a copy with these term names
     * @throws IllegalArgumentException when the count differs from the number of terms
     * @throws NullPointerException when the list is null
     */
    public CombinedObjectiveFunction withTermNames(List<String> termNames) {
        Objects.requireNonNull(termNames, "termNames");
        if (termNames.size() != terms.size()) {
            throw new IllegalArgumentException("there must be one name per term: got " + terms.size() + " terms and "
                    + termNames.size() + " names");
        }
        return new CombinedObjectiveFunction(terms, weights, List.copyOf(termNames), reducer, policy, name);
    }

    /**
     * @param term another term
     * @param weight its weight
     * @return a copy with the term appended
     */
    public CombinedObjectiveFunction plus(ObjectiveFunction term, double weight) {
        List<ObjectiveFunction> t = new ArrayList<>(terms);
        t.add(term);
        double[] w = java.util.Arrays.copyOf(weights, weights.length + 1);
        w[weights.length] = weight;
        List<String> n = new ArrayList<>(names);
        n.add(null);
        return new CombinedObjectiveFunction(t, w, n, reducer, policy, name);
    }

    @Override
    public CombinedObjectiveFunction named(String newName) {
        return new CombinedObjectiveFunction(terms, weights, names, reducer, policy, newName);
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the terms, in order */
    public List<ObjectiveFunction> terms() {
        return terms;
    }

    /** @return the number of terms */
    public int size() {
        return terms.size();
    }

    /** @return the weights, in term order */
    public List<Double> weights() {
        List<Double> w = new ArrayList<>(weights.length);
        for (double d : weights) {
            w.add(d);
        }
        return Collections.unmodifiableList(w);
    }

    /**
     * @param i a term index
     * @return its weight
     */
    public double weight(int i) {
        return weights[i];
    }

    /** @return the term names ("term[i]" for terms without a name) */
    public List<String> termNames() {
        return names;
    }

    /** @return the reducer */
    public Reducer reducer() {
        return reducer;
    }

    /** @return the failure policy */
    public FailurePolicy failurePolicy() {
        return policy;
    }

    /** @return the number of leaf terms, counting through nested combined objectives */
    public int leafCount() {
        int n = 0;
        for (ObjectiveFunction t : terms) {
            n += t instanceof CombinedObjectiveFunction c ? c.leafCount() : 1;
        }
        return n;
    }

    @Override
    public double evaluate(Parameters params) {
        return evaluate(params, new EvaluationContext(params));
    }

    @Override
    public double evaluate(Parameters params, EvaluationContext ctx) {
        prepare(ctx);
        for (int i = 0; i < terms.size(); i++) {
            runTerm(i, params, ctx.child(i));
        }
        return reduce(ctx);
    }

    /**
     * Adds one child context per term to {@code ctx}. Schedulers call this, then
     * {@link #runTerm} for each term (anywhere, in any order), then {@link #reduce}.
     *
     * @param ctx the context of this combined objective, which must have no children yet
     * @throws IllegalStateException when it already has children
     */
    public void prepare(EvaluationContext ctx) {
        if (!ctx.children().isEmpty()) {
            throw new IllegalStateException("context already holds " + ctx.children().size() + " terms");
        }
        for (int i = 0; i < terms.size(); i++) {
            ctx.addChild(names.get(i), weights[i]);
        }
    }

    /**
     * Runs term {@code i}, retrying it as the policy says, and records its value or failure and
     * its timing in {@code child}. A failure is recorded, not thrown; {@link #reduce} applies the
     * policy.
     *
     * @param i the term index
     * @param params the parameters
     * @param child the term's child context, from {@link #prepare}
     * @throws EvaluationCancelledException when the thread is interrupted or the term was cancelled
     */
    public void runTerm(int i, Parameters params, EvaluationContext child) {
        ObjectiveFunction term = terms.get(i);
        long t0 = System.nanoTime();
        long start = EvaluationContext.toEpochNanos(t0);
        TermRecorder recorder = term instanceof CombinedObjectiveFunction ? null : child.recorder();
        if (recorder != null) {
            TermRecorder.Recorded r = recorder.lookup(child);
            if (r != null) {
                child.setQuantities(r.quantities());
                child.metadata().putAll(r.metadata());
                child.setLoss(r.value());
                child.setStatus(EvaluationContext.Status.REPLAYED);
                child.setTiming(start, System.nanoTime() - t0, Thread.currentThread().getName());
                return;
            }
        }
        int attempt = 0;
        while (true) {
            try {
                double v = term.evaluate(params, child);
                child.setLoss(v);
                child.setFailure(null);
                child.setStatus(EvaluationContext.Status.OK);
                break;
            } catch (EvaluationCancelledException e) {
                throw e;
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new EvaluationCancelledException("term " + i + " '" + names.get(i) + "' was interrupted", e);
                }
                child.setFailure(TermFailedException.wrap(names.get(i), i, params, e));
                child.setStatus(EvaluationContext.Status.FAILED);
                if (attempt >= policy.retries()) {
                    break;
                }
                attempt++;
                child.resetForRetry();
                child.put("retries", attempt);
            }
        }
        child.setTiming(start, System.nanoTime() - t0, Thread.currentThread().getName());
        if (recorder != null) {
            recorder.finished(child);
        }
    }

    /**
     * Applies the failure policy to the children in term order, weights and reduces their values,
     * and stores the breakdown and the total in {@code ctx}.
     *
     * @param ctx the context whose children were filled by {@link #runTerm}
     * @return the reduced loss (NaN when every term was skipped)
     * @throws TermFailedException under RAISE, for the first failed term in term order
     */
    public double reduce(EvaluationContext ctx) {
        double sum = 0;
        int n = 0;
        List<Integer> skipped = null;
        for (int i = 0; i < terms.size(); i++) {
            EvaluationContext c = ctx.child(i);
            if (c.status() == EvaluationContext.Status.FAILED || c.status() == EvaluationContext.Status.PENDING) {
                Throwable f = c.failure();
                switch (policy.action()) {
                    case RAISE -> {
                        ctx.setFailure(f);
                        ctx.setStatus(EvaluationContext.Status.FAILED);
                        if (f instanceof TermFailedException t) {
                            throw t;
                        }
                        throw new TermFailedException("term " + i + " '" + names.get(i) + "' did not run", names.get(i), i,
                                ctx.parameters(), null, null, null, false, f);
                    }
                    case PENALTY -> {
                        c.setStatus(EvaluationContext.Status.PENALTY);
                        double contribution = weights[i] * policy.penaltyValue();
                        c.setContribution(contribution);
                        sum += contribution;
                        n++;
                    }
                    case SKIP -> {
                        c.setStatus(EvaluationContext.Status.SKIPPED);
                        c.setContribution(Double.NaN);
                        if (skipped == null) {
                            skipped = new ArrayList<>();
                        }
                        skipped.add(i);
                    }
                }
            } else {
                double contribution = weights[i] * c.value();
                c.setContribution(contribution);
                sum += contribution;
                n++;
            }
        }
        if (skipped != null) {
            ctx.put("skipped", skipped);
        }
        double total = reducer.apply(sum, n);
        ctx.setLoss(total);
        return total;
    }

    @Override
    public String toString() {
        return (name == null ? "CombinedObjectiveFunction" : name) + names;
    }
}
