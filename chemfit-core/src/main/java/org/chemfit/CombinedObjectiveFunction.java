package org.chemfit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.chemfit.internal.Terms;
import org.jspecify.annotations.Nullable;

/**
 * A weighted combination of objective terms: the objective of a fit. Terms may themselves be
 * combined objectives (nesting). The weighted values are reduced in term order by a
 * {@link Reducer} (sum by default), and failed terms are handled by a {@link FailurePolicy}
 * (raise by default), each at its own level of the tree. Each term has a name, unique within
 * the objective, that reports, error messages and the journal show: the one given by
 * {@link #withTermNames}, else its own {@link ObjectiveFunction#name()}, else its quantity
 * computer's {@link QuantityComputer#name()} when no other term has or takes that name, else
 * {@code term[i]}.
 *
 * <pre>{@code
 * var combined = new CombinedObjectiveFunction(
 *         List.of(p -> Math.pow(p.get("x") - 1, 2), p -> Math.pow(p.get("x") - 3, 2)),
 *         List.of(0.5, 1.0));
 * double loss = combined.evaluate(Parameters.of(Map.of("x", 2.0)));   // 1.5
 * }</pre>
 *
 * <p>After {@link #evaluate(Parameters, EvaluationContext)} the context holds one child per term
 * with its value, weight, weighted contribution, quantities, metadata, status and timing;
 * {@link #gatherMetaData(EvaluationContext)} lists each term's metadata, as ChemFit's
 * {@code gather_meta_data()} does. {@link #addFlat(List, List)} merges several combined objectives
 * into one flat one (ChemFit's {@code add_flat}), and {@link #slice(int, int)} or
 * {@link #evaluate(Parameters, int, int)} evaluate a range of terms (ChemFit's {@code idx_slice}).
 *
 * <pre>{@code
 * var flat = CombinedObjectiveFunction.addFlat(List.of(energies, forces), List.of(1.0, 0.1));
 * EvaluationContext ctx = new EvaluationContext(params);
 * flat.evaluate(params, ctx);
 * List<Map<String, Object>> meta = flat.gatherMetaData(ctx);   // one map per term
 * double firstTwo = flat.evaluate(params, 0, 2);                  // terms 0 and 1 only
 * }</pre>
 *
 * <p>When a term throws: under RAISE the remaining terms still run (serially), and the first
 * failure in term order is thrown; concurrently, every other running term is cancelled at once
 * (its program killed) and the first failure to happen is thrown. Either way it is a
 * {@link TermFailedException} naming the term; under PENALTY or SKIP the evaluation goes on. An
 * {@link EvaluationCancelledException} (an interrupt) always propagates at once.
 *
 * <p>A term of weight 0 is monitored, not fitted: it is evaluated and its value, quantities and
 * metadata are recorded in its child context as any term's, but it contributes exactly 0 whatever
 * its value (NaN and infinities included, where {@code 0 * NaN} would be NaN), and it is not
 * counted in the {@link Reducer#MEAN} number of terms, so that a monitored term leaves the loss as
 * it would be without it (a combination whose every term has weight 0 has the loss 0). Its failure neither fails
 * nor penalises the evaluation, nor cancels the other terms: its child context keeps the status
 * {@link EvaluationContext.Status#FAILED} and the failure, so it is seen in the breakdown and the
 * journal, and the failure policy is not applied to it. The loss is then exact, so such an
 * evaluation is not counted as degraded. The same holds for a combined objective of weight 0 and
 * every term below it.
 *
 * @implNote Immutable and thread-safe when its terms are: {@link #withTermNames},
 *     {@link #withReducer}, {@link #withFailurePolicy}, {@link #plus}, {@link #named} and
 *     {@link #slice} return copies. Evaluating it serially runs the terms one after another on the
 *     calling thread; wrap it in {@code AsyncWrapperCOB} to run them concurrently.
 */
public final class CombinedObjectiveFunction implements ObjectiveFunction {

    private final List<ObjectiveFunction> terms;
    private final double[] weights;
    /** The name each term was given by {@link #withTermNames}, null where it has none. */
    private final List<@Nullable String> given;
    /** The index in the default name of term 0: a slice keeps the default names its terms had. */
    private final int firstIndex;

    private final List<String> names;
    private final Reducer reducer;
    private final FailurePolicy policy;
    private final @Nullable String name;

    /**
     * Combines terms with weight 1.
     *
     * @param terms the terms, at least one
     * @throws IllegalArgumentException when there is no term, a term is null, or two terms have the
     *     same name (the message names the indices)
     * @throws NullPointerException when the list is null
     */
    public CombinedObjectiveFunction(List<? extends ObjectiveFunction> terms) {
        this(terms, ones(terms == null ? 0 : terms.size()));
    }

    /**
     * Combines terms with weights.
     *
     * @param terms the terms, at least one
     * @param weights one finite, non-negative weight per term; a term of weight 0 is evaluated and
     *     recorded but adds exactly 0, and its failure is recorded without failing the evaluation
     * @throws IllegalArgumentException when there is no term, a term is null, the counts differ, a
     *     weight is null, negative, NaN or infinite, or two terms have the same name; the message
     *     names the rule and the indices
     * @throws NullPointerException when either list is null
     */
    public CombinedObjectiveFunction(List<? extends ObjectiveFunction> terms, List<Double> weights) {
        this(
                copyTerms(terms),
                toArray(weights),
                Collections.nCopies(terms.size(), null),
                0,
                Reducer.SUM,
                FailurePolicy.raise(),
                null);
    }

    /**
     * @param given the name each term was given, null where it takes its own name or, without one,
     *     {@code term[firstIndex + i]}
     */
    private CombinedObjectiveFunction(
            List<ObjectiveFunction> terms,
            double[] weights,
            List<@Nullable String> given,
            int firstIndex,
            Reducer reducer,
            FailurePolicy policy,
            @Nullable String name) {
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
        Map<String, Integer> seen = new HashMap<>();
        // a computer's name is taken by its term only when no other term has or takes it
        Map<String, Integer> named = new HashMap<>();
        for (int i = 0; i < terms.size(); i++) {
            ObjectiveFunction t = terms.get(i);
            if (t == null) {
                throw new IllegalArgumentException("term " + i + " is null");
            }
            String own = given.get(i) != null ? given.get(i) : t.name();
            String candidate = own != null ? own : computerName(t);
            if (candidate != null) {
                named.merge(candidate, 1, Integer::sum);
            }
        }
        for (int i = 0; i < terms.size(); i++) {
            ObjectiveFunction t = terms.get(i);
            String g = given.get(i);
            String own = g != null ? g : t.name();
            String computer = own == null ? computerName(t) : null;
            String resolved = own != null
                    ? own
                    : computer != null && named.getOrDefault(computer, 0) == 1
                            ? computer
                            : "term[" + (firstIndex + i) + "]";
            Integer first = seen.putIfAbsent(resolved, i);
            if (first != null) {
                throw new IllegalArgumentException("term names must be unique: terms " + first + " and " + i
                        + " are both named '" + resolved + "'");
            }
            n.add(resolved);
        }
        this.terms = terms;
        this.weights = weights;
        this.given = Collections.unmodifiableList(new ArrayList<>(given));
        this.firstIndex = firstIndex;
        this.names = Collections.unmodifiableList(n);
        this.reducer = Objects.requireNonNull(reducer, "reducer");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.name = name;
    }

    /** A copy of the terms, refusing a null term by its index (where {@code List.copyOf} would not say which). */
    private static List<ObjectiveFunction> copyTerms(List<? extends ObjectiveFunction> terms) {
        Objects.requireNonNull(terms, "terms");
        List<ObjectiveFunction> copy = new ArrayList<>(terms.size());
        for (int i = 0; i < terms.size(); i++) {
            ObjectiveFunction t = terms.get(i);
            if (t == null) {
                throw new IllegalArgumentException("term " + i + " is null");
            }
            copy.add(t);
        }
        return Collections.unmodifiableList(copy);
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
    CombinedObjectiveFunction withWeights(List<Double> newWeights) {
        return new CombinedObjectiveFunction(terms, toArray(newWeights), given, firstIndex, reducer, policy, name);
    }

    /**
     * @param r the reducer
     * @return a copy with this reducer
     */
    public CombinedObjectiveFunction withReducer(Reducer r) {
        return new CombinedObjectiveFunction(terms, weights, given, firstIndex, r, policy, name);
    }

    /**
     * @param p the failure policy
     * @return a copy with this policy
     */
    public CombinedObjectiveFunction withFailurePolicy(FailurePolicy p) {
        return new CombinedObjectiveFunction(terms, weights, given, firstIndex, reducer, p, name);
    }

    /**
     * @param termNames one name per term, shown in reports and error messages; no two the same
     * @return a copy with these term names
     * @throws IllegalArgumentException when the count differs from the number of terms, or a name
     *     is null, blank or the same as another (the message names the indices)
     * @throws NullPointerException when the list is null
     */
    public CombinedObjectiveFunction withTermNames(List<String> termNames) {
        Objects.requireNonNull(termNames, "termNames");
        if (termNames.size() != terms.size()) {
            throw new IllegalArgumentException("there must be one name per term: got " + terms.size() + " terms and "
                    + termNames.size() + " names");
        }
        for (int i = 0; i < termNames.size(); i++) {
            if (termNames.get(i) == null) {
                throw new IllegalArgumentException("term name " + i + " is null");
            }
            try {
                org.chemfit.support.Names.requireTermName(termNames.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + " (the name of term " + i + ")", e);
            }
        }
        return new CombinedObjectiveFunction(terms, weights, List.copyOf(termNames), 0, reducer, policy, name);
    }

    /**
     * @param term another term
     * @param weight its weight
     * @return a copy with the term appended
     * @throws IllegalArgumentException when the term is null, the weight negative or not finite, or
     *     its own name already names a term (a name taken from a quantity computer is not its own: a
     *     term that took it is named by its position once another term has or takes it)
     */
    public CombinedObjectiveFunction plus(ObjectiveFunction term, double weight) {
        List<ObjectiveFunction> t = new ArrayList<>(terms);
        t.add(term);
        double[] w = java.util.Arrays.copyOf(weights, weights.length + 1);
        w[weights.length] = weight;
        List<@Nullable String> g = new ArrayList<>(given);
        g.add(null);
        return new CombinedObjectiveFunction(t, w, g, firstIndex, reducer, policy, name);
    }

    /**
     * Merges several combined objectives into one flat combined objective, as ChemFit's
     * {@code add_flat}: the terms are concatenated in order, each term's weight multiplied by the
     * weight of the objective it came from, and its name kept; a term without a name of its own (or
     * one given by {@link #withTermNames}) is named as in any combined objective: by its quantity
     * computer's name when no other term of the flat objective has or takes it, else by its
     * position in the flat objective, {@code term[i]}, so the names stay unique. Only summed objectives can be
     * flattened without changing their value, so every objective must reduce by {@link Reducer#SUM};
     * their failure policies must agree, and the flat objective keeps it.
     *
     * @param objectives the combined objectives, at least one
     * @param scales one finite, non-negative weight per objective
     * @return the flat objective: {@code sum_k scale_k * objective_k(p)}
     * @throws IllegalArgumentException when the counts differ, a weight is negative or not finite,
     *     an objective reduces by another reducer than SUM, the failure policies differ, or two
     *     objectives have a term of the same name (the message names their indices in the flat
     *     objective)
     * @throws NullPointerException when a list or an objective is null (the message names its index)
     */
    public static CombinedObjectiveFunction addFlat(List<CombinedObjectiveFunction> objectives, List<Double> scales) {
        Objects.requireNonNull(objectives, "objectives");
        double[] s = toArray(scales);
        if (objectives.isEmpty()) {
            throw new IllegalArgumentException("addFlat needs at least one combined objective, got 0");
        }
        if (s.length != objectives.size()) {
            throw new IllegalArgumentException("there must be one weight per combined objective: got "
                    + objectives.size() + " objectives and " + s.length + " weights");
        }
        List<ObjectiveFunction> t = new ArrayList<>();
        List<Double> w = new ArrayList<>();
        List<@Nullable String> n = new ArrayList<>();
        FailurePolicy policy = Objects.requireNonNull(objectives.get(0), "objective 0").policy;
        for (int k = 0; k < s.length; k++) {
            if (!Double.isFinite(s[k]) || s[k] < 0) {
                throw new IllegalArgumentException(
                        "weights must be finite and non-negative: weight " + k + " is " + s[k]);
            }
            CombinedObjectiveFunction c = Objects.requireNonNull(objectives.get(k), "objective " + k);
            if (c.reducer != Reducer.SUM) {
                throw new IllegalArgumentException(
                        "only summed objectives can be flattened without changing their value:" + " objective " + k
                                + " reduces by " + c.reducer);
            }
            if (!c.policy.equals(policy)) {
                throw new IllegalArgumentException("the objectives to flatten must share one failure policy: objective "
                        + k + " has " + c.policy + ", objective 0 has " + policy);
            }
            for (int i = 0; i < c.size(); i++) {
                t.add(c.terms.get(i));
                w.add(c.weights[i] * s[k]);
                n.add(c.given.get(i));
            }
        }
        return new CombinedObjectiveFunction(List.copyOf(t), toArray(w), n, 0, Reducer.SUM, policy, null);
    }

    /**
     * {@link #addFlat(List, List)} with weight 1 for every objective.
     *
     * @param objectives the combined objectives, at least one
     * @return the flat objective
     * @throws IllegalArgumentException as {@link #addFlat(List, List)}
     */
    public static CombinedObjectiveFunction addFlat(List<CombinedObjectiveFunction> objectives) {
        return addFlat(
                objectives,
                ones(Objects.requireNonNull(objectives, "objectives").size()));
    }

    /**
     * The terms {@code from} (inclusive) to {@code to} (exclusive) with their weights, names,
     * reducer and failure policy: ChemFit's {@code idx_slice}.
     *
     * @param from the first term, 0 or more
     * @param to one past the last term, at most {@link #size()}, above {@code from}
     * @return a combined objective of those terms
     * @throws IllegalArgumentException when the range is empty or outside 0..size(): unlike
     *     Python's {@code slice}, a negative index does not count from the end (write
     *     {@code size() - 2} for {@code -2})
     */
    public CombinedObjectiveFunction slice(int from, int to) {
        checkRange(from, to);
        return new CombinedObjectiveFunction(
                List.copyOf(terms.subList(from, to)),
                java.util.Arrays.copyOfRange(weights, from, to),
                keptNames(from, to),
                firstIndex + from,
                reducer,
                policy,
                name);
    }

    /**
     * Evaluates only the terms {@code from} (inclusive) to {@code to} (exclusive), as ChemFit's
     * {@code cob(params, idx_slice=slice(from, to))}.
     *
     * @param params the parameters
     * @param from the first term
     * @param to one past the last term
     * @return the reduced loss of those terms
     * @throws IllegalArgumentException when the range is empty or outside 0..size() (a negative
     *     index is refused, as by {@link #slice(int, int)})
     * @throws TermFailedException as {@link #evaluate(Parameters, EvaluationContext)}
     */
    public double evaluate(Parameters params, int from, int to) {
        return slice(from, to).evaluate(params);
    }

    private void checkRange(int from, int to) {
        if (from < 0 || to > terms.size() || from >= to) {
            throw new IllegalArgumentException("a range of terms must satisfy 0 <= from < to <= " + terms.size()
                    + ", got from " + from + " to " + to);
        }
    }

    /**
     * Each term's metadata from an evaluation of this objective, in term order: what the term put
     * in its context (ChemFit's {@code get_meta_data()} of each term). A term that recorded none
     * gives an empty map (where ChemFit gives None). Read it from the context an evaluation wrote,
     * or from {@code FitResult.breakdown()} after a fit.
     *
     * @param ctx the context of an evaluation of this objective
     * @return one unmodifiable map per term
     * @throws IllegalArgumentException when the context does not hold one child per term
     */
    public List<Map<String, Object>> gatherMetaData(EvaluationContext ctx) {
        return gatherMetaData(ctx, 0, terms.size());
    }

    /**
     * The metadata of the terms {@code from} (inclusive) to {@code to} (exclusive).
     *
     * @param ctx the context of an evaluation of this objective
     * @param from the first term
     * @param to one past the last term
     * @return one unmodifiable map per term of the range
     * @throws IllegalArgumentException when the context does not hold one child per term, or the
     *     range is empty or outside 0..size()
     */
    public List<Map<String, Object>> gatherMetaData(EvaluationContext ctx, int from, int to) {
        Objects.requireNonNull(ctx, "ctx");
        checkRange(from, to);
        if (ctx.children().size() != terms.size()) {
            throw new IllegalArgumentException(
                    "the context holds " + ctx.children().size() + " terms, this objective has " + terms.size()
                            + "; pass the context of an evaluation of this objective");
        }
        List<Map<String, Object>> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            out.add(Collections.unmodifiableMap(
                    new java.util.LinkedHashMap<>(ctx.child(i).metadata())));
        }
        return Collections.unmodifiableList(out);
    }

    @Override
    public CombinedObjectiveFunction named(String newName) {
        Objects.requireNonNull(newName, "name");
        return new CombinedObjectiveFunction(
                terms, weights, given, firstIndex, reducer, policy, org.chemfit.support.Names.requireTermName(newName));
    }

    @Override
    public @Nullable String name() {
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

    /**
     * @return the names given to the terms {@code from} to {@code to}, and the names here of those
     *     whose quantity computers have one (theirs, or {@code term[i]} where two terms' computers
     *     share it): within a slice, a computer's name could be unique where it is not here, and the
     *     slice's terms must keep the names they have here
     */
    private List<@Nullable String> keptNames(int from, int to) {
        List<@Nullable String> kept = new ArrayList<>(given.subList(from, to));
        for (int i = from; i < to; i++) {
            if (kept.get(i - from) == null && terms.get(i).name() == null && computerName(terms.get(i)) != null) {
                kept.set(i - from, names.get(i));
            }
        }
        return kept;
    }

    /** @return the name of the term's quantity computer ({@link QuantityComputer#name()}), or null */
    private static @Nullable String computerName(ObjectiveFunction t) {
        return t instanceof QuantityComputerObjectiveFunction q ? q.computer().name() : null;
    }

    /**
     * @return the term names, no two the same: the name given by {@link #withTermNames}, else the
     *     term's own {@link ObjectiveFunction#name()}, else the name of its quantity computer when
     *     no other term has or takes it ({@link QuantityComputer#name()}), else {@code "term[i]"} by
     *     its position (in the objective a {@link #slice} was taken from)
     */
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

    /**
     * Evaluates every term on the calling thread, one after another, filling the context with one
     * child per term, and reduces.
     *
     * @param params the parameters (those of {@code ctx}: the same object, or equal to them)
     * @param ctx a fresh context for these parameters
     * @return the reduced loss
     * @throws TermFailedException when a term of non-zero weight failed and the policy raises it
     * @throws EvaluationCancelledException when the thread is interrupted
     * @throws IllegalStateException when the context already holds terms
     * @throws IllegalArgumentException when the context holds other parameters than {@code params}
     *     (the evaluation would run at one point and be recorded at another), as
     *     {@code AsyncWrapperCOB} refuses it
     */
    @Override
    public double evaluate(Parameters params, EvaluationContext ctx) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(ctx, "ctx");
        Terms.checkParameters(params, ctx);
        return Terms.evaluate(this, params, ctx);
    }

    @Override
    public String toString() {
        return (name == null ? "CombinedObjectiveFunction" : name) + names;
    }
}
