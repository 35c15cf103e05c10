package org.chemfit.fit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.chemfit.BatchObjectiveFunction;
import org.chemfit.Bounds;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.journal.Journal;
import org.chemfit.journal.JournalMode;
import org.chemfit.journal.read.BestPoint;
import org.chemfit.support.Names;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits the parameters of an objective: asks an {@link Optimizer} for points, evaluates them (a
 * whole generation at once when the objective is a {@link BatchObjectiveFunction}), tells the
 * optimizer the losses, and returns the best point seen.
 *
 * <pre>{@code
 * Fitter fitter = new Fitter(objective, Map.of("x", 0.0, "y", 0.0))
 *         .bounds(Bounds.builder().between("x", 0, 1.5).build())
 *         .maxEvaluations(500);
 * FitResult r = fitter.fit("Powell");
 * double x = r.bestParameters().get("x");
 * }</pre>
 *
 * <p><b>How bad values are scored.</b> A loss that is NaN or infinite is told to the optimizer as
 * {@link #valueBadParams(double) the bad value} (1e5 by default) and is logged. When the loss at the
 * start is finite and larger than the bad value, the bad value of that fit is raised to 1.1 times
 * the starting loss (as ChemFit does), so a point that cannot be evaluated always looks worse to the
 * optimizer than the start. Whatever the optimizer is told, a point whose loss was NaN or infinite,
 * or whose evaluation failed, is never reported as the best (in the {@link FitResult}, in
 * {@link FitProgress} or in the journal's best loss); a point where a term failed and the failure
 * policy substituted a penalty or skipped the term is reported only when no point without a failed
 * term was seen, with a warning. A fit in which no evaluation gave a finite loss ends with a
 * {@link FitFailedException}; so does one in which every loss was a failure policy's penalty alone,
 * no term that counts having been computed in any evaluation.
 *
 * <p>A term that fails under the RAISE policy ends the fit with a
 * {@link FitFailedException} carrying the best result so far. An interrupt ends the fit with
 * {@link StopReason#INTERRUPTED} and the best result so far; the thread stays interrupted. An
 * interrupt before any evaluation finished leaves no result to give: the fit then throws the
 * {@link org.chemfit.EvaluationCancelledException} that stopped it. A failure of the method's own
 * code (a matrix it cannot invert, say) ends the fit with a {@link FitFailedException} carrying the
 * best result so far. So does an objective that throws instead of evaluating a batch (a thread
 * pool's wrapper closed during the fit, say): each evaluation of the batch that it did not finish
 * has failed, with that exception as its failure, in the journal as in the fit.
 *
 * <p>{@link FitResult#rounds()} counts the batches evaluated at once (a least-squares method asks
 * for a trial point and its finite-difference Jacobian as one batch). When the objective is a sum
 * of squares ({@link org.chemfit.Residuals}), the fit ends with the {@link Uncertainty} of the
 * fitted parameters at the best point, from one more batch within the budget (see
 * {@link #uncertainty(boolean)}). A least-squares method refuses, with an
 * {@link IllegalArgumentException} naming the term, an objective that is not a sum of squares.
 *
 * <p>With a {@link #journal(Journal) journal}, every evaluation and every leaf term is committed
 * to it before the optimizer is told, and a fit of the same job resumes the run recorded there:
 * the optimizer asks for the same points in the same order (it is deterministic for a seed), the
 * recorded terms are replayed instead of run, and the result is the same, bit for bit, as an
 * uninterrupted fit. The job is identified by the Fitter's settings (method, seed, budget, initial
 * parameters, bounds, fixed parameters) and by the {@link #jobSettings job settings} given, or,
 * without job settings, by the term names and weights of a combined objective (seen through a
 * wrapper that evaluates one, such as a thread pool's, so that a fit begun serially resumes on a
 * pool): job settings replace the names and weights, so they must describe the weights too; a
 * changed job is refused unless restarted. The reference data are not in those
 * settings: a resumed fit recomputes each replayed term's loss from its recorded quantities with
 * the objective it is given (a {@link org.chemfit.QuantityComputerObjectiveFunction}'s loss; a
 * plain function has no quantities and is not checked) and refuses, with a
 * {@link org.chemfit.journal.JournalMismatchException} naming the term, the evaluation and both
 * losses, a run whose recorded loss differs beyond rounding (relative 1e-12): the term's data or
 * loss changed. Nothing recorded is run again for the check; the check is made as each batch is
 * recorded, so a term of that batch that the journal did not hold has run by then (its row is kept,
 * as after a kill), and the run's row is put back as it was. A larger budget is no other job for a run
 * that its budget stopped, or that did not end on its own (killed, interrupted, failed): that run goes on, to the
 * result of one fit with the larger budget.
 *
 * <p>Every batch of points goes to the objective through {@link BatchObjectiveFunction#of}: a
 * batch objective (a thread pool, a cluster) gets the whole batch, any other objective evaluates
 * it serially; the fit loop is the same for both.
 *
 * @implNote Configuration methods mutate this object and are not thread-safe; {@code fit()} copies
 *     the configuration when it starts and keeps all of a run's state to itself, so the
 *     configuration of a running fit never changes (a change made during a fit applies to the next
 *     one), and a configured Fitter may run several fits one after another.
 */
public final class Fitter {

    private static final Logger LOG = LoggerFactory.getLogger(Fitter.class);

    /** The methods that compare points alone, never following a slope. */
    private static final java.util.Set<String> COMPARES_POINTS =
            java.util.Set.of("Nelder-Mead", "CMA-ES", "CMA-ES-hipparchus");

    /**
     * How much lower than the point a fit stopped at, relative to its loss, a point of the
     * uncertainty's Jacobian must be for the fit to be said not to have converged: above the
     * rounding of a loss summed in double precision and the noise of a crystal term's loss
     * (about 3e-11 relative), below the 1e-8 of least-squares' default {@code ftol}.
     */
    static final double LOWER_BY = 1e-10;

    private final ObjectiveFunction objective;
    private final Parameters initial;
    private Bounds bounds = Bounds.none();
    private final Set<String> fixed = new LinkedHashSet<>();
    private double valueBadParams = 1e5;

    /**
     * The name of the bad-value setting in the fit's warnings: the method's here, a job file's key
     * where a command line names it instead (it replaces this name in the warnings it prints).
     */
    static final String BAD_VALUE_SETTING = "valueBadParams";

    /**
     * @param d a number
     * @return six significant digits at most, without trailing zeros: {@code 100000},
     *     {@code 9.06318e+21}, {@code 0.125}
     */
    static String readable(double d) {
        // whole numbers below 1e15 in full; the rest as the uncertainty's warnings write numbers
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Uncertainty.g(d);
    }

    /**
     * @param p parameters
     * @return them as {@code {a=1.5, b=2e+25}}, each value with every digit ({@link
     *     org.chemfit.support.DecimalText#of})
     */
    static String allDigits(Parameters p) {
        StringBuilder sb = new StringBuilder("{");
        for (String name : p.names()) {
            sb.append(sb.length() > 1 ? ", " : "")
                    .append(name)
                    .append('=')
                    .append(org.chemfit.support.DecimalText.of(p.get(name)));
        }
        return sb.append('}').toString();
    }

    private double nearBoundTolerance = 1e-3;
    private int maxEvaluations = 5000;
    private long seed = 42L;
    private Optimizer defaultOptimizer = Optimizers.nelderMead();
    private final List<FitCallback> callbacks = new ArrayList<>();
    private final List<Integer> callbackEvery = new ArrayList<>();
    private final List<FitListener> listeners = new ArrayList<>();
    private Predicate<FitProgress> stopCondition = p -> false;
    private @Nullable Journal journal;
    private JournalMode journalMode = JournalMode.resumeLatest();
    private @Nullable Map<String, ?> jobSettings;
    private boolean uncertainty = true;
    /** The relative step of the uncertainty's differences, or NaN for the method's (see {@link #uncertaintyStep}). */
    private double uncertaintyStep = Double.NaN;

    /**
     * @param objective the objective to minimise
     * @param initialParams the initial parameters: numbers or nested maps
     * @throws IllegalArgumentException for invalid parameters (see {@link Parameters#of(Map)})
     * @throws NullPointerException when an argument is null
     */
    public Fitter(ObjectiveFunction objective, Map<String, ?> initialParams) {
        this(objective, Parameters.of(Objects.requireNonNull(initialParams, "initialParams")));
    }

    /**
     * @param objective the objective to minimise
     * @param initialParams the initial parameters
     * @throws IllegalArgumentException when there is no parameter
     * @throws NullPointerException when an argument is null
     */
    public Fitter(ObjectiveFunction objective, Parameters initialParams) {
        this.objective = Objects.requireNonNull(objective, "objective");
        this.initial = Objects.requireNonNull(initialParams, "initialParams");
        if (initial.size() == 0) {
            throw new IllegalArgumentException("a fit needs at least one parameter, got none");
        }
    }

    /**
     * @param bounds bounds on some parameters ({@link Bounds#none()} for none)
     * @return this fitter
     * @throws IllegalArgumentException when a bound names an unknown parameter or an initial value
     *     lies outside its bounds
     * @throws NullPointerException when the bounds are null
     */
    public Fitter bounds(Bounds bounds) {
        Objects.requireNonNull(bounds, "bounds").validate(initial);
        this.bounds = bounds;
        return this;
    }

    /**
     * Keeps parameters at their initial value; when one of the names is refused, none is fixed.
     *
     * @param names parameters to keep at their initial value
     * @return this fitter
     * @throws IllegalArgumentException for an unknown name
     * @throws NullPointerException when the array or a name is null (the message names its index)
     */
    public Fitter fixed(String... names) {
        Objects.requireNonNull(names, "names");
        for (int i = 0; i < names.length; i++) {
            String n = Objects.requireNonNull(names[i], "names[" + i + "]");
            if (!initial.contains(n)) {
                String s = Names.closest(n, initial.names());
                throw new IllegalArgumentException(
                        "cannot fix unknown parameter '" + n + "'" + (s == null ? "" : " (did you mean '" + s + "'?)"));
            }
        }
        fixed.addAll(Arrays.asList(names));
        return this;
    }

    /**
     * Sets the loss told to the optimizer for a point whose loss is NaN or infinite. A fit that
     * starts at a finite loss above this value raises it to 1.1 times the starting loss for that
     * fit; such a point is never reported as the best whatever its score.
     *
     * <p>A negative value is refused: the built-in losses are never negative, so it would make
     * a NaN point look better to the optimizer than every point it can evaluate, and a loss that
     * can be negative is served by any value above its range (1.1 times a negative start would
     * lower the value instead of raising it).
     *
     * @param value the loss that replaces NaN or infinite losses, a finite number &ge; 0
     * @return this fitter
     * @throws IllegalArgumentException when the value is NaN, infinite or negative
     */
    public Fitter valueBadParams(double value) {
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException("valueBadParams must be a finite number >= 0 (the loss the optimizer is"
                    + " told for a NaN or infinite one, above the losses of the points it can evaluate), got "
                    + value);
        }
        this.valueBadParams = value;
        return this;
    }

    /**
     * @param tolerance a parameter closer than this fraction of its bounded range (or of
     *     max(1, |bound|) for a half-open range) to a bound is reported in the warnings, and
     *     counts as at that bound in the uncertainty when the minimum of the linearised loss
     *     within the bounds lies on it (and {@code J^T J} is not nearly singular)
     * @return this fitter
     * @throws IllegalArgumentException when NaN, infinite or negative
     */
    public Fitter nearBoundTolerance(double tolerance) {
        if (!(tolerance >= 0) || !Double.isFinite(tolerance)) {
            throw new IllegalArgumentException("near-bound tolerance must be a finite number >= 0, got " + tolerance);
        }
        this.nearBoundTolerance = tolerance;
        return this;
    }

    /**
     * @param n the most evaluations a fit may run, the initial one included
     * @return this fitter
     * @throws IllegalArgumentException when below 1
     */
    public Fitter maxEvaluations(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("the evaluation budget must be at least 1, got " + n);
        }
        this.maxEvaluations = n;
        return this;
    }

    /**
     * @param s the seed of randomised methods (a fit is reproducible for a given seed)
     * @return this fitter
     */
    public Fitter seed(long s) {
        this.seed = s;
        return this;
    }

    /**
     * @param optimizer the method {@link #fit()} uses (Nelder-Mead by default)
     * @return this fitter
     */
    public Fitter optimizer(Optimizer optimizer) {
        this.defaultOptimizer = Objects.requireNonNull(optimizer, "optimizer");
        return this;
    }

    /**
     * @param on whether to compute the {@link Uncertainty} of the fitted parameters at the end of a
     *     fit whose objective is a sum of squares (on by default): one extra round of {@code 2n}
     *     central-difference points around the best point, evaluated at once, whose relative step
     *     is that of {@link #uncertaintyStep} when set, else that of the method's finite
     *     differences when one is set ({@link Optimizers#withRelativeStep}, {@link
     *     Optimizers#leastSquares(double, double)}), else {@code cbrt(eps) = 6.06e-6}; when the
     *     budget has
     *     no room for them, the forward differences that a finite-difference method evaluated
     *     around the best point (and those of them missing, if the budget allows), else none and a
     *     warning. The budget is never exceeded. A point of that round with a lower loss is the
     *     best reported; the uncertainty, that of the point before the round, then says so in its
     *     warnings, naming both evaluations and their losses.
     * @return this fitter
     */
    public Fitter uncertainty(boolean on) {
        this.uncertainty = on;
        return this;
    }

    /**
     * Sets the relative step of the uncertainty's finite differences (see {@link #uncertainty}), in
     * place of the method's with any method: for a method that takes no finite differences
     * (Nelder-Mead, CMA-ES, ...), whose uncertainty otherwise takes {@code cbrt(eps) = 6.06e-6},
     * when the objective is read from printed output whose rounding hides so small a change. As with the method's step,
     * the central differences never take less than {@code cbrt(eps)}, and the step of parameter
     * {@code i} is {@code relative * max(|x_i|, s_i)}, where {@code s_i} is {@code |start_i|}, or
     * for a start of 0 half the width of its bounds (1 when it has none).
     *
     * @param relative the relative step, in (0, 1)
     * @return this fitter
     * @throws IllegalArgumentException when the step is not in (0, 1)
     */
    public Fitter uncertaintyStep(double relative) {
        if (!(relative > 0 && relative < 1)) {
            throw new IllegalArgumentException(
                    "the relative step of the uncertainty must lie in (0, 1), got " + relative);
        }
        this.uncertaintyStep = relative;
        return this;
    }

    /**
     * Calls a callback every {@code everySteps} steps. A step is one ask/tell round of the method:
     * for Nelder-Mead, Powell, BOBYQA and CMA-ES-hipparchus, which ask for one point at a time, a
     * step is one evaluation (as in ChemFit's nevergrad loop, not SciPy's iterations); for the batch
     * CMA-ES a step is one generation of {@code 4 + floor(3 ln n)} points (or the population given);
     * for a method that asks for a batch of points (finite-difference gradients), one batch.
     * {@link FitProgress#evaluations()} counts evaluations whatever the method.
     *
     * @param callback called with the progress
     * @param everySteps call it after every this many steps
     * @return this fitter
     * @throws IllegalArgumentException when everySteps is below 1
     */
    public Fitter callback(FitCallback callback, int everySteps) {
        if (everySteps < 1) {
            throw new IllegalArgumentException("callback interval must be at least 1 step, got " + everySteps);
        }
        callbacks.add(Objects.requireNonNull(callback, "callback"));
        callbackEvery.add(everySteps);
        return this;
    }

    /**
     * @param listener hears of every evaluation before the optimizer is told its loss
     * @return this fitter
     */
    public Fitter listener(FitListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * @param condition checked after every step; the fit stops when it holds
     * @return this fitter
     */
    public Fitter stopWhen(Predicate<FitProgress> condition) {
        this.stopCondition = this.stopCondition.or(Objects.requireNonNull(condition, "condition"));
        return this;
    }

    /**
     * Records every evaluation in a journal and resumes the run of the same job recorded there,
     * if any ({@link JournalMode#resumeLatest()}). The journal is the caller's: the Fitter
     * neither closes it nor keeps it open beyond {@code fit()}.
     *
     * @param j the journal, or null for none: the fit then records nothing (null takes back a
     *     journal given before)
     * @return this fitter
     */
    public Fitter journal(@Nullable Journal j) {
        return journal(j, JournalMode.resumeLatest());
    }

    /**
     * Records every evaluation in a journal, choosing which run to write: resume the latest run
     * of the same job, resume a given run, or start a new one.
     *
     * @param j the journal, or null for none: the fit then records nothing (null takes back a
     *     journal given before)
     * @param mode which run
     * @return this fitter
     * @throws NullPointerException when the mode is null
     */
    public Fitter journal(@Nullable Journal j, JournalMode mode) {
        this.journal = j;
        this.journalMode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /**
     * @return whether the objective is a combination whose every term has weight 0, or is itself
     *     such a combination (seen through wrappers): its loss is 0 whatever the parameters
     */
    static boolean allWeightsZero(ObjectiveFunction f) {
        ObjectiveFunction u = f;
        while (u instanceof org.chemfit.ObjectiveWrapper w) {
            u = w.wrapped();
        }
        if (!(u instanceof CombinedObjectiveFunction c) || c.size() == 0) {
            return false;
        }
        for (int i = 0; i < c.size(); i++) {
            if (c.weight(i) != 0 && !allWeightsZero(c.terms().get(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Describes the job beyond what the Fitter knows (the objective's terms and their weights,
     * reference data, the programs it runs): stored in the journal, and a run is resumed only when
     * they are equal. Given, they replace the term names and weights in the job's identity, so
     * they should hold the weights (as the command line's, the job file, do).
     *
     * @param settings a JSON-able tree (maps, lists, strings, numbers, booleans), such as a parsed
     *     job file; a {@link java.nio.file.Path} is stored as its text, an enum constant as its name,
     *     an array of any kind as a list (of numbers, booleans, or one-letter strings for a {@code
     *     char[]})
     * @return this fitter
     * @throws IllegalArgumentException naming the key, when a value is an object with no text of
     *     its own (its {@code toString()} is {@code Object}'s, which changes from one run of the JVM
     *     to the next, so that a killed fit could never be resumed), or the tree holds itself
     */
    public Fitter jobSettings(@Nullable Map<String, ?> settings) {
        if (settings != null) {
            checkSettings(settings, "", 0);
        }
        this.jobSettings = settings == null ? null : new LinkedHashMap<>(settings);
        return this;
    }

    /** How deep a tree of job settings may be: deeper is taken for a tree that holds itself. */
    private static final int SETTINGS_DEPTH = 100;

    private static void checkSettings(@Nullable Object v, String at, int depth) {
        String where = at.isEmpty() ? "job settings" : "job setting '" + at + "'";
        if (depth > SETTINGS_DEPTH) {
            throw new IllegalArgumentException(where + " lies " + SETTINGS_DEPTH
                    + " levels deep: the settings must be a tree, and this one seems to hold itself");
        }
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                checkSettings(e.getValue(), (at.isEmpty() ? "" : at + ".") + e.getKey(), depth + 1);
            }
        } else if (v instanceof Object[] a) {
            for (int i = 0; i < a.length; i++) {
                checkSettings(a[i], at + "[" + i + "]", depth + 1);
            }
        } else if (v instanceof Iterable<?> it && !(v instanceof java.nio.file.Path)) {
            int i = 0;
            for (Object x : it) {
                checkSettings(x, at + "[" + i++ + "]", depth + 1);
            }
        } else if (v != null && v.getClass().isArray()) {
            return; // an array of a primitive type (numbers, booleans, chars), stored as a list
        } else if (v != null && org.chemfit.support.StableOrder.identityText(v)) {
            throw new IllegalArgumentException(where + " is a " + v.getClass().getName()
                    + " with no text of its own; the settings are stored as JSON (maps, lists, strings,"
                    + " numbers, booleans), and this value's text would change from one run of the JVM to"
                    + " the next, so that a killed fit could not be resumed");
        }
    }

    /**
     * The settings that identify this fit's job in a journal, with the configured method.
     *
     * @return {@code {fit: {method, seed, ...}, job: <job settings>}}
     */
    public Map<String, Object> settings() {
        return settings(defaultOptimizer);
    }

    /**
     * The settings that identify this fit's job in a journal.
     *
     * @param optimizer the method
     * @return {@code {fit: {method, seed, ...}, job: <job settings>}}
     * @throws NullPointerException when the optimizer is null
     */
    public Map<String, Object> settings(Optimizer optimizer) {
        Objects.requireNonNull(optimizer, "optimizer");
        Map<String, Object> fit = new LinkedHashMap<>();
        fit.put("method", optimizer.name());
        fit.put("seed", seed);
        fit.put("max_evaluations", maxEvaluations);
        fit.put("value_bad_params", valueBadParams);
        // a list of pairs, not a map: the order of the parameters is the optimizer's coordinate
        // order, so a fit with the same values in another order is another job
        List<Object> init = new ArrayList<>();
        for (String n : initial.names()) {
            init.add(List.of(n, initial.get(n)));
        }
        fit.put("initial", init);
        Map<String, Object> b = new LinkedHashMap<>();
        for (String n : bounds.names()) {
            b.put(n, List.of(Double.toString(bounds.lower(n)), Double.toString(bounds.upper(n))));
        }
        fit.put("bounds", b);
        fit.put("fixed", List.copyOf(fixed));
        if (jobSettings == null) {
            // without job settings, the term names and weights are what is known of the job; with
            // them, they describe it (so a journal written with job settings resumes as it always
            // has), and whether the terms run serially or on a pool is no change
            fit.put("objective", describe(objective));
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("fit", fit);
        if (jobSettings != null) {
            s.put("job", jobSettings);
        }
        return s;
    }

    /**
     * @return what identifies an objective's job without job settings: the names and weights of
     *     its terms, seen through wrappers (a thread pool, a cluster) that evaluate a combined
     *     objective unchanged, so that a fit resumed on a pool is checked as a serial one is, and
     *     either resumes the other's run; else its name
     */
    private static Object describe(ObjectiveFunction f) {
        ObjectiveFunction inner = f;
        while (inner instanceof org.chemfit.ObjectiveWrapper w) {
            inner = w.wrapped();
        }
        if (inner instanceof CombinedObjectiveFunction c) {
            List<Object> terms = new ArrayList<>();
            for (int i = 0; i < c.size(); i++) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("name", c.termNames().get(i));
                t.put("weight", c.weight(i));
                Object nested = describe(c.terms().get(i));
                if (nested instanceof Map<?, ?>) {
                    t.put("objective", nested);
                }
                terms.add(t);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("terms", terms);
            return m;
        }
        return f.name() == null ? "objective" : f.name();
    }

    /** @return the objective */
    public ObjectiveFunction objective() {
        return objective;
    }

    /**
     * Fits with the configured method (Nelder-Mead unless {@link #optimizer} said otherwise).
     *
     * @return the result
     * @throws IllegalArgumentException when every term of the objective has weight 0 (its loss is
     *     0 whatever the parameters)
     * @throws FitFailedException when a term failed under the RAISE policy, the objective threw
     *     instead of evaluating (a wrapper closed during the fit), or the method failed
     *     (or the journal could not be written)
     * @throws org.chemfit.EvaluationCancelledException when the thread was interrupted before any
     *     evaluation finished (there is no result yet)
     * @throws org.chemfit.journal.JournalMismatchException when the journal holds the run to resume
     *     with other settings (the message names each change), or whose replayed terms' losses,
     *     recomputed from their recorded quantities, are not the recorded ones (a term's data changed)
     * @throws org.chemfit.journal.JournalException when the journal cannot start the run (another
     *     process is writing it, or the run to resume does not exist)
     */
    public FitResult fit() {
        return fit(defaultOptimizer);
    }

    /**
     * @param method a name from {@link Optimizers#byName}, SciPy's where it has the method
     * @return the result
     * @throws IllegalArgumentException for an unknown method, a least-squares method on an
     *     objective that is not a sum of squares (the message names the term), or an objective
     *     whose every term has weight 0
     * @throws NullPointerException when the method is null
     * @throws FitFailedException when a term failed under the RAISE policy, the objective threw
     *     instead of evaluating (a wrapper closed during the fit), or the method failed
     *     (or the journal could not be written)
     * @throws org.chemfit.EvaluationCancelledException when the thread was interrupted before any
     *     evaluation finished (there is no result yet)
     * @throws org.chemfit.journal.JournalMismatchException when the journal holds the run to resume
     *     with other settings (the message names each change), or whose replayed terms' losses,
     *     recomputed from their recorded quantities, are not the recorded ones (a term's data changed)
     * @throws org.chemfit.journal.JournalException when the journal cannot start the run (another
     *     process is writing it, or the run to resume does not exist)
     */
    public FitResult fit(String method) {
        return fit(Optimizers.byName(Objects.requireNonNull(method, "method")));
    }

    /**
     * @param optimizer the method
     * @return the result
     * @throws IllegalArgumentException when every term of the objective has weight 0
     * @throws NullPointerException when the optimizer is null
     * @throws FitFailedException when a term failed under the RAISE policy, the objective threw
     *     instead of evaluating (a wrapper closed during the fit), or the method failed
     *     (or the journal could not be written); a method that asks for a point that is null, has
     *     not one value per free parameter, or a value that is NaN, infinite or outside its bounds
     *     has failed, and the point is not evaluated
     * @throws org.chemfit.EvaluationCancelledException when the thread was interrupted before any
     *     evaluation finished (there is no result yet)
     * @throws org.chemfit.journal.JournalMismatchException when the journal holds the run to resume
     *     with other settings (the message names each change), or whose replayed terms' losses,
     *     recomputed from their recorded quantities, are not the recorded ones (a term's data changed)
     * @throws org.chemfit.journal.JournalException when the journal cannot start the run (another
     *     process is writing it, or the run to resume does not exist)
     */
    public FitResult fit(Optimizer optimizer) {
        return new RunState(Objects.requireNonNull(optimizer, "optimizer")).run();
    }

    /** The state of one fit. */
    private final class RunState {
        // the configuration of this run, copied when it starts: a Fitter changed during a fit (from
        // a callback, or another thread) changes the next fit, never the one running
        final Bounds bounds = Fitter.this.bounds;
        final Set<String> fixed = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(Fitter.this.fixed));
        final double valueBadParams = Fitter.this.valueBadParams;
        final double nearBoundTolerance = Fitter.this.nearBoundTolerance;
        final int maxEvaluations = Fitter.this.maxEvaluations;
        final long seed = Fitter.this.seed;
        final List<FitCallback> callbacks = List.copyOf(Fitter.this.callbacks);
        final List<Integer> callbackEvery = List.copyOf(Fitter.this.callbackEvery);
        final List<FitListener> listeners = List.copyOf(Fitter.this.listeners);
        final Predicate<FitProgress> stopCondition = Fitter.this.stopCondition;
        final @Nullable Journal journal = Fitter.this.journal;
        final JournalMode journalMode = Fitter.this.journalMode;
        final boolean uncertainty = Fitter.this.uncertainty;
        final double uncertaintyStep = Fitter.this.uncertaintyStep;
        /** Every batch goes through this: the objective itself, or serial evaluation of it. */
        final BatchObjectiveFunction batch = BatchObjectiveFunction.of(objective);

        final Optimizer optimizer;
        final List<String> free = new ArrayList<>();
        final long t0 = System.nanoTime();
        final List<String> warnings = new ArrayList<>();
        int evaluations;
        /** The evaluations counted in {@link #evaluations} that failed (and so stopped the fit). */
        int failedEvaluations;

        int steps;
        int rounds;
        /**
         * Whether the method's first batch, a start and its displaced points, gave one loss at every
         * point: a gradient method then sees a gradient of 0 there.
         */
        boolean firstBatchFlat;

        EvaluationContext @Nullable [] lastContexts;

        @Nullable
        Uncertainty uncertaintyResult;
        /** Residuals of the points evaluated, for an uncertainty within the budget; null when not kept. */
        java.util.@Nullable Map<java.nio.DoubleBuffer, double[]> residualCache;
        /** The number of residuals of the first point, which every point a method fits must give. */
        final ResidualCount residualCount = new ResidualCount(objective);

        /** Evaluations of the method whose loss was not finite (the uncertainty's points left out). */
        int badValues;
        /** Evaluations whose loss was not finite and which had a failed term (penalty or skipped). */
        int badWithFailedTerms;
        /**
         * Whether the points being evaluated are the uncertainty's, after the method ended: a bad
         * loss among them is no point the method was told of, and its own warning says what it
         * did to the uncertainty.
         */
        boolean uncertaintyRound;

        int degradedValues;
        /**
         * Whether an evaluation of the method with a finite loss computed a term that counts in it
         * (of weight other than 0, under parents of such weights); false while every such loss is
         * the failure policy's penalty alone.
         */
        boolean modelComputed;

        double initialLoss = Double.NaN;
        /** The bad value of this run: valueBadParams, raised when the start is worse. */
        double badValue = valueBadParams;
        /** The best point seen, by the rule every output shares (contract: a bad point never wins). */
        final BestPoint<EvaluationContext> bestPoint = new BestPoint<>();
        /** The context of the last evaluation run, whatever its outcome. */
        @Nullable
        EvaluationContext lastContext;

        double[] initialPoint;
        double initialPointLoss;

        @Nullable
        EvaluationContext initialContext;

        Journal.@Nullable Session session;

        // the fields read by the fit loop are set before it reads them; those that may stay null
        // are marked (NullAway.Init covers the ones set by the first evaluation)
        @SuppressWarnings("NullAway.Init")
        RunState(Optimizer optimizer) {
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
            for (String n : initial.names()) {
                if (!fixed.contains(n) && bounds.lower(n) != bounds.upper(n)) {
                    free.add(n);
                }
            }
        }

        // a journal that cannot record the end of a fit that otherwise succeeded fails the fit, on
        // purpose: the exception thrown in the finally block replaces the result
        @SuppressWarnings("Finally")
        FitResult run() {
            if (!free.isEmpty() && allWeightsZero(objective)) {
                // as the job file reader refuses such a fit for the command line
                throw new IllegalArgumentException("every term of the objective has weight 0: the loss is 0 whatever"
                        + " the parameters, so the fit cannot determine them; give a term a positive weight");
            }
            if (optimizer.needsResiduals()) {
                org.chemfit.Residuals.check(objective);
                org.chemfit.Residuals.checkEveryPoint(objective);
            }
            if (uncertainty
                    && (optimizer.needsResiduals() || optimizer instanceof LbfgsB)
                    && org.chemfit.Residuals.available(objective)) {
                // only the finite-difference methods evaluate the forward points the cache may serve
                residualCache = new java.util.HashMap<>();
            }
            LOG.info(
                    "fitting {} of {} parameters with {} (budget {} evaluations)",
                    free.size(),
                    initial.size(),
                    optimizer.name(),
                    maxEvaluations);
            if (journal == null) {
                return fitLoop();
            }
            session = journal.begin(settings(optimizer), journalMode);
            FitResult r = null;
            Throwable thrown = null;
            try {
                r = fitLoop();
                return r;
            } catch (RuntimeException | Error e) {
                thrown = e;
                throw e;
            } finally {
                try {
                    if (r != null) {
                        session.end(
                                r.stopReason() == StopReason.INTERRUPTED ? "INTERRUPTED" : "FINISHED",
                                r.stopReason().name(),
                                r.bestLoss(),
                                r.evaluations());
                    } else {
                        session.end(
                                thrown instanceof EvaluationCancelledException
                                        ? "INTERRUPTED"
                                        : thrown instanceof org.chemfit.journal.JournalMismatchException
                                                ? "REFUSED"
                                                : "FAILED",
                                String.valueOf(thrown == null ? null : thrown.getMessage()),
                                Double.isFinite(reportedLoss()) ? reportedLoss() : Double.NaN,
                                evaluations);
                    }
                } catch (RuntimeException e) {
                    if (thrown == null) {
                        throw e;
                    }
                    thrown.addSuppressed(e);
                }
            }
        }

        FitResult fitLoop() {
            try {
                double[] x0 = initial.toArray(free);
                double[] lo = new double[free.size()];
                double[] hi = new double[free.size()];
                for (int i = 0; i < free.size(); i++) {
                    lo[i] = bounds.lower(free.get(i));
                    hi[i] = bounds.upper(free.get(i));
                }
                Problem problem = new Problem(free, x0, lo, hi, maxEvaluations, seed);
                Optimizer.Run started = free.isEmpty() ? null : optimizer.start(problem);
                List<double[]> first = new ArrayList<>();
                first.add(x0);
                double[] v0;
                try {
                    v0 = evaluate(first, false);
                } catch (RuntimeException e) {
                    if (started != null) {
                        started.close();
                    }
                    throw e;
                }
                // the loss itself, NaN or infinite included; the optimizer was told v0[0]
                initialLoss = Objects.requireNonNull(lastContext, "the initial evaluation")
                        .loss();
                initialPoint = x0;
                initialPointLoss = v0[0];
                initialContext = lastContext;
                EvaluationContext start = Objects.requireNonNull(lastContext, "the initial evaluation");
                if (optimizer.needsResiduals() && start.status() != EvaluationContext.Status.FAILED) {
                    // the start sets the number of residuals every point must give
                    residualCount.check(start, org.chemfit.Residuals.of(objective, start));
                }
                if (Double.isFinite(initialLoss) && initialLoss > badValue && badValues == 0) {
                    // as ChemFit: a point that cannot be evaluated must look worse than the start
                    double raised = 1.1 * initialLoss;
                    boolean capped = raised == Double.POSITIVE_INFINITY;
                    if (capped) {
                        raised = Double.MAX_VALUE; // the score stays a finite number
                    }
                    warnings.add("the loss at the start, " + readable(initialLoss) + ", exceeds "
                            + BAD_VALUE_SETTING + " = " + readable(valueBadParams)
                            + "; NaN or infinite losses are scored " + readable(raised)
                            + (capped
                                    ? " (the largest double: 1.1 x the starting loss is not finite)"
                                    : " (1.1 x the starting loss)")
                            + " in this fit");
                    badValue = raised;
                } else if (badValues > 0) {
                    warnings.add("the fit starts at a point whose loss is not finite (scored " + BAD_VALUE_SETTING
                            + " = " + readable(badValue) + ")");
                }
                if (started == null) {
                    return result(StopReason.NO_FREE_PARAMETERS);
                }
                try (Optimizer.Run run = started) {
                    while (true) {
                        if (evaluations >= maxEvaluations) {
                            return result(StopReason.MAX_EVALUATIONS);
                        }
                        List<double[]> xs = step(run::ask);
                        requireValid(xs);
                        if (xs.isEmpty()) {
                            LOG.info("{} stopped: {}", optimizer.name(), run.stopReason());
                            return result(StopReason.CONVERGED);
                        }
                        List<double[]> toRun = xs;
                        boolean partial = false;
                        // the start asked again (a finite-difference method's first batch) costs no
                        // evaluation: the budget cuts the batch after its last point that fits
                        int remaining = maxEvaluations - evaluations;
                        for (int k = 0, costly = 0; k < xs.size(); k++) {
                            if ((initialPoint == null || !Arrays.equals(xs.get(k), initialPoint))
                                    && ++costly > remaining) {
                                toRun = xs.subList(0, k);
                                partial = true;
                                break;
                            }
                        }
                        int stepsBefore = steps;
                        double[] values = evaluate(toRun, true);
                        if (stepsBefore == 0 && values.length > 1) {
                            firstBatchFlat = true;
                            for (double v : values) {
                                firstBatchFlat &= v == values[0];
                            }
                        }
                        FitProgress progress = new FitProgress(
                                steps,
                                evaluations,
                                paramsOf(toRun.get(toRun.size() - 1)),
                                values[values.length - 1],
                                reportedParams(),
                                reportedLoss());
                        for (int k = 0; k < callbacks.size() && steps > stepsBefore; k++) {
                            if (steps % callbackEvery.get(k) == 0) {
                                callbacks.get(k).onStep(progress);
                            }
                        }
                        if (partial) {
                            return result(StopReason.MAX_EVALUATIONS);
                        }
                        if (stopCondition.test(progress)) {
                            return result(StopReason.STOP_CONDITION);
                        }
                        if (optimizer.needsResiduals()) {
                            EvaluationContext[] evaluated = Objects.requireNonNull(lastContexts, "evaluated contexts");
                            List<double[]> r = residuals(evaluated);
                            for (int k = 0; k < evaluated.length; k++) {
                                // a ResidualLoss gives as many at every point: a change is refused, naming the term
                                residualCount.check(evaluated[k], r.get(k));
                            }
                            step(() -> {
                                run.tell(xs, values, r);
                                return xs;
                            });
                        } else {
                            step(() -> {
                                run.tell(xs, values);
                                return xs;
                            });
                        }
                    }
                }
            } catch (EvaluationCancelledException e) {
                Thread.currentThread().interrupt();
                LOG.warn("fit interrupted after {}", completedEvaluations());
                if (reportedParams() == null) {
                    throw e;
                }
                return result(StopReason.INTERRUPTED);
            } catch (FitFailedException | org.chemfit.journal.JournalMismatchException e) {
                throw e;
            } catch (org.chemfit.ChemFitException e) {
                throw new FitFailedException(
                        "the fit failed after " + completedEvaluations() + ": " + e.getMessage(),
                        reportedParams() == null ? null : result(StopReason.FAILED),
                        e);
            }
        }

        /**
         * Asks the method or tells it, and turns a failure of the method's own code (a matrix it
         * cannot invert, a state it did not expect, from a method of the library or of its user)
         * into the fit's failure with the best result so far, as a failed term is.
         *
         * @return what the call returned
         * @throws FitFailedException when the method failed
         */
        private List<double[]> step(java.util.function.Supplier<List<double[]>> call) {
            try {
                return call.get();
            } catch (org.chemfit.ChemFitException e) {
                throw e; // an interrupt, or a method run on a thread of its own that said why it failed
            } catch (RuntimeException e) {
                throw new FitFailedException(
                        "the method " + optimizer.name() + " failed after " + completedEvaluations() + ": "
                                + org.chemfit.support.Reasons.of(e),
                        reportedParams() == null ? null : result(StopReason.FAILED),
                        e);
            }
        }

        /**
         * A list of points that is null, a point that is null, has not one value per free
         * parameter, or has a parameter that is NaN, infinite or outside its bounds is a failure of
         * the method that asked for it, with the best result so far, as a failure of its code is:
         * no such point is evaluated. A value on a bound is inside.
         *
         * @throws FitFailedException when a point asked for is not one the fit can evaluate
         */
        private void requireValid(@Nullable List<double[]> xs) {
            if (xs == null) {
                throw badPoint("it returned null instead of a list of points (an empty list ends the run)");
            }
            for (double[] x : xs) {
                if (x == null) {
                    throw badPoint("it asked for a null point");
                }
                if (x.length != free.size()) {
                    throw badPoint("it asked for a point of " + x.length + (x.length == 1 ? " value" : " values")
                            + ", not one per free parameter (" + free.size() + ")");
                }
                for (int i = 0; i < x.length; i++) {
                    if (!Double.isFinite(x[i])) {
                        throw badPoint("it asked for a point where parameter '" + free.get(i) + "' is " + x[i]
                                + ", not a finite number");
                    }
                    double lo = bounds.lower(free.get(i));
                    double hi = bounds.upper(free.get(i));
                    if (x[i] < lo || x[i] > hi) {
                        throw badPoint("it asked for a point where parameter '" + free.get(i) + "' is " + x[i]
                                + ", outside its bounds [" + lo + ", " + hi + "]");
                    }
                }
            }
        }

        private FitFailedException badPoint(String what) {
            return new FitFailedException(
                    "the method " + optimizer.name() + " failed after " + completedEvaluations() + ": " + what,
                    reportedParams() == null ? null : result(StopReason.FAILED),
                    null);
        }

        /**
         * The evaluations that completed, for the messages of a fit that stops: a failed evaluation
         * is run (and counted in {@link #evaluations}, as in {@link FitResult#evaluations()}) but
         * not completed, so a fit whose first evaluation failed has completed none.
         *
         * @return "1 evaluation", "3 evaluations", or "0 completed evaluations" and "3 completed
         *     evaluations" when an evaluation failed
         */
        String completedEvaluations() {
            int n = evaluations - failedEvaluations;
            return n + (failedEvaluations > 0 ? " completed" : "") + (n == 1 ? " evaluation" : " evaluations");
        }

        /** @return the best point to report: one without failed terms if any was seen */
        @Nullable
        Parameters reportedParams() {
            EvaluationContext b = bestPoint.best();
            return b == null ? null : b.parameters();
        }

        double reportedLoss() {
            return bestPoint.loss();
        }

        Parameters paramsOf(double[] x) {
            return initial.with(free, x);
        }

        /**
         * Evaluates a batch.
         *
         * @param xs the points
         * @param methodStep whether the method asked for them: a batch with a point not evaluated
         *     before is then one step, counted once it is evaluated, whether or not a term failed
         *     (a batch that asks only for the start again is no step: the first evaluation is not one)
         */
        double[] evaluate(List<double[]> xs, boolean methodStep) {
            int n = xs.size();
            double[] values = new double[n];
            EvaluationContext[] contexts = new EvaluationContext[n];
            boolean[] fresh = new boolean[n];
            List<EvaluationContext> toRun = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                double[] x = xs.get(k);
                if (initialPoint != null && Arrays.equals(x, initialPoint)) {
                    contexts[k] = initialContext;
                    values[k] = initialPointLoss;
                    continue;
                }
                contexts[k] = new EvaluationContext(paramsOf(x), "e" + (evaluations + toRun.size()));
                fresh[k] = true;
                toRun.add(contexts[k]);
            }
            List<EvaluationContext> toCompute = toRun;
            if (session != null && !toRun.isEmpty()) {
                int first = evaluations;
                toCompute = new ArrayList<>(toRun.size());
                for (int j = 0; j < toRun.size(); j++) {
                    EvaluationContext ctx = toRun.get(j);
                    if (!session.replay(first + j, ctx)) {
                        ctx.recordTo(session);
                        toCompute.add(ctx);
                    }
                }
                session.evaluationsStarted(first, toRun);
            }
            lastContexts = contexts;
            if (!toCompute.isEmpty()) {
                try {
                    batch.evaluateMany(toCompute);
                } catch (EvaluationCancelledException | org.chemfit.journal.JournalException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // the objective refused the batch or broke it off (a wrapper closed during the
                    // fit, say): every evaluation it did not finish failed with it, as one that threw
                    // in serial evaluation does, so the journal and the fit's failure say so
                    for (EvaluationContext ctx : toCompute) {
                        if (ctx.status() == EvaluationContext.Status.PENDING) {
                            ctx.fail(e);
                        }
                    }
                }
            }
            if (session != null && session.resumed()) {
                checkReplayed(contexts, fresh);
            }
            if (!toRun.isEmpty()) {
                rounds++; // once its batch is evaluated: one that an interrupt cuts off is not a round
                if (methodStep) {
                    steps++;
                }
            }
            if (residualCache != null) {
                for (int k = 0; k < n; k++) {
                    if (contexts[k].status() != EvaluationContext.Status.FAILED) {
                        double[] r = org.chemfit.Residuals.of(objective, contexts[k]);
                        if (r != null) {
                            residualCache.put(
                                    java.nio.DoubleBuffer.wrap(xs.get(k).clone()), r);
                        }
                    }
                }
            }
            RuntimeException failure = null;
            EvaluationContext failed = null;
            for (int k = 0; k < n; k++) {
                EvaluationContext ctx = contexts[k];
                lastContext = ctx;
                if (!fresh[k]) {
                    continue;
                }
                int number = evaluations++;
                if (ctx.status() == EvaluationContext.Status.FAILED) {
                    failedEvaluations++;
                    if (session != null) {
                        session.evaluationFinished(number, ctx, Double.NaN);
                    }
                    if (failure == null) {
                        failed = ctx;
                        failure = failureOf(ctx);
                    }
                    continue;
                }
                double v = ctx.loss();
                boolean bad = !Double.isFinite(v);
                if (bad) {
                    if (!uncertaintyRound) {
                        badValues++;
                        if (hasFailedTerm(ctx)) {
                            badWithFailedTerms++;
                        }
                    }
                    LOG.warn(
                            "evaluation {} gave a loss of {} at {}; the optimizer is told the bad value {}",
                            number,
                            org.chemfit.support.DecimalText.of(v),
                            allDigits(ctx.parameters()),
                            readable(badValue));
                    ctx.put("bad_loss", Double.toString(v));
                    v = badValue;
                }
                values[k] = v;
                if (session != null) {
                    session.evaluationFinished(number, ctx, v);
                    if (ctx.status() == EvaluationContext.Status.FAILED) {
                        // the journal failed it as it recorded it (metadata that it cannot store)
                        failedEvaluations++;
                        if (failure == null) {
                            failed = ctx;
                            failure = failureOf(ctx);
                        }
                        continue;
                    }
                }
                for (FitListener l : listeners) {
                    l.onEvaluation(number, ctx, v);
                }
                BestPoint.Kind kind = BestPoint.kind(ctx); // a bad point never wins, whatever it was scored
                if (kind == BestPoint.Kind.DEGRADED) {
                    degradedValues++;
                }
                if (!modelComputed && !bad && !uncertaintyRound) {
                    modelComputed = kind != BestPoint.Kind.DEGRADED || computesATerm(ctx);
                }
                bestPoint.offer(ctx, kind, v);
            }
            if (failure != null) {
                if (failure instanceof EvaluationCancelledException c) {
                    throw c;
                }
                throw new FitFailedException(
                        (evaluations == failedEvaluations && failedEvaluations == 1
                                        ? "the fit stopped in its first evaluation because it failed"
                                        : "the fit stopped after " + completedEvaluations()
                                                + " because an evaluation failed")
                                + (failed == null
                                        ? ""
                                        : " (" + failed.evaluationId() + ", at " + failed.parameters() + ")")
                                + ": " + failure.getMessage(),
                        reportedParams() == null ? null : result(StopReason.FAILED),
                        failure);
            }
            return values;
        }

        /** @return why a failed evaluation failed, as the exception that ends the fit is caused by */
        private static RuntimeException failureOf(EvaluationContext ctx) {
            Throwable f = ctx.failure();
            return f instanceof RuntimeException r ? r : new org.chemfit.ChemFitException(String.valueOf(f), f);
        }

        /**
         * Refuses to go on with a resumed run whose replayed terms' losses, recomputed from their
         * recorded quantities, are not the recorded ones: the data or the loss of a term changed
         * since the run was recorded. Called before the evaluations are recorded as finished, so
         * the journal keeps the run as it was.
         *
         * @throws org.chemfit.journal.JournalMismatchException naming the term, the evaluation and
         *     both losses
         */
        void checkReplayed(EvaluationContext[] contexts, boolean[] fresh) {
            Journal.Session s = Objects.requireNonNull(session, "session");
            int number = evaluations;
            for (int k = 0; k < contexts.length; k++) {
                if (!fresh[k]) {
                    continue;
                }
                String why = contexts[k].status() == EvaluationContext.Status.FAILED
                        ? null
                        : ReplayCheck.mismatch(objective, contexts[k]);
                if (why != null) {
                    String change = "evaluation " + number + ", " + why;
                    throw org.chemfit.support.ResumeRefusal.create(
                            "cannot resume run " + s.runId() + " of journal "
                                    + Objects.requireNonNull(journal).path()
                                    + ": " + change + ". The data or the loss of that term changed since the run was"
                                    + " recorded, so the recorded evaluations are not this fit's. Start a new run with"
                                    + " JournalMode.restart() (earlier runs are kept), or describe the data in"
                                    + " Fitter.jobSettings so that a changed job is a new run",
                            s.runId(),
                            List.of(change));
                }
                number++;
            }
        }

        List<double[]> residuals(EvaluationContext[] contexts) {
            List<double[]> out = new ArrayList<>(contexts.length);
            for (EvaluationContext c : contexts) {
                out.add(org.chemfit.Residuals.of(objective, c));
            }
            return out;
        }

        /** One extra round: the central-difference Jacobian at the best point, and the uncertainty from it. */
        void estimateUncertainty(StopReason reason) {
            if (!uncertainty
                    || uncertaintyResult != null
                    || bestPoint.clean() == null
                    || free.isEmpty()
                    || reason == StopReason.INTERRUPTED
                    || reason == StopReason.FAILED) {
                return;
            }
            if (!org.chemfit.Residuals.available(objective)) {
                ObjectiveFunction inner = objective;
                while (inner instanceof org.chemfit.ObjectiveWrapper w) {
                    inner = w.wrapped();
                }
                if (inner instanceof CombinedObjectiveFunction c && c.reducer() == org.chemfit.Reducer.ROOT_MEAN) {
                    // squared errors whose root is taken: one word from an uncertainty, so it is said
                    warnings.add("the uncertainty was not estimated: the terms are reduced with root_mean, the"
                            + " square root of a sum of squares, whose residuals it needs; reducer mean has the same"
                            + " best parameters and gives it");
                }
                return;
            }
            EvaluationContext at = bestPoint.clean();
            double[] r0 = at == null ? null : org.chemfit.Residuals.of(objective, at);
            if (at == null || r0 == null) {
                return;
            }
            double[] x = at.parameters().toArray(free);
            double[] lo = new double[free.size()];
            double[] hi = new double[free.size()];
            for (int i = 0; i < free.size(); i++) {
                lo[i] = bounds.lower(free.get(i));
                hi[i] = bounds.upper(free.get(i));
            }
            Problem p = new Problem(free, initial.toArray(free), lo, hi, maxEvaluations, seed);
            // central differences when the budget has room for them; else the forward differences
            // that the finite-difference methods evaluated around their points already. Both take
            // the uncertainty's own step, else the method's, when one is set: an objective read from
            // printed output needs it here as much as in the method (rounded inputs or outputs make
            // a smaller difference 0)
            double rel = Double.isNaN(uncertaintyStep) ? FiniteDifferences.relativeStepOf(optimizer) : uncertaintyStep;
            // a step set below cbrt(eps) (sqrt(eps), the forward default, written out) would be
            // worse than the central default: it takes the same points as no step set
            double centralRel = Double.isNaN(rel) ? Double.NaN : Math.max(rel, FiniteDifferences.CENTRAL_STEP);
            FiniteDifferences fd = new FiniteDifferences(p, true, centralRel);
            List<double[]> points = fd.displaced(x);
            int room = maxEvaluations - evaluations;
            List<double[]> rs = new ArrayList<>(points.size());
            boolean central = points.size() <= room;
            if (!central) {
                fd = new FiniteDifferences(p, false, rel);
                points = fd.displaced(x);
            }
            List<double[]> missing = new ArrayList<>();
            for (double[] q : points) {
                if (residualCache == null || !residualCache.containsKey(java.nio.DoubleBuffer.wrap(q))) {
                    missing.add(q);
                }
            }
            if (missing.size() > room) {
                int m = r0.length;
                int n = free.size();
                // a parameter at a bound is left out of the covariance (Uncertainty.compute), so
                // the residual variance needs more residuals than the parameters not at a bound; one
                // near a bound is left out too when the minimum of the linearised loss lies on that
                // bound, which only the Jacobian this budget cannot pay for tells: counted as
                // possibly left out, so that neither message says what the Jacobian might deny
                int atBound = 0;
                List<String> near = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if (Uncertainty.atBound(x[i], p.start()[i], lo[i], hi[i])) {
                        atBound++;
                    } else if (Uncertainty.nearBound(x[i], p.start()[i], lo[i], hi[i], nearBoundTolerance)) {
                        near.add("'" + free.get(i) + "'");
                    }
                }
                int most = n - atBound;
                int least = most - near.size();
                // a standard error needs at least one parameter estimated and fewer estimated than
                // residuals: some count j of the near ones left out with most - m < j < most
                boolean someBudgetHelps = Math.max(0, most - m + 1) <= Math.min(near.size(), most - 1);
                if (m <= least || !someBudgetHelps) {
                    // no residual variance whatever the budget: raising it would not help
                    List<String> leftOut = new ArrayList<>();
                    if (atBound > 0) {
                        leftOut.add(atBound + " at a bound, left out");
                    }
                    if (!near.isEmpty()) {
                        leftOut.add(near.size() + (atBound > 0 ? " near one (" : " near a bound (")
                                + String.join(", ", near) + "), left out"
                                + (atBound > 0 ? " too" : "") + " if the minimum of the linearised loss lies on"
                                + (near.size() == 1 ? " its bound" : " their bounds"));
                    }
                    String why;
                    if (m <= least) {
                        why = ", and the residual variance SSR/(m - n) needs more residuals than parameters";
                    } else if (most == 0) {
                        why = ": none is left to estimate, whatever the budget";
                    } else {
                        why = ", and the residual variance SSR/(m - n) needs more residuals than parameters, which"
                                + " only leaving out every one of them would give: none is estimated, whatever the"
                                + " budget";
                    }
                    warnings.add("the uncertainty cannot be estimated: the fit has " + m
                            + (m == 1 ? " residual" : " residuals") + " and " + n
                            + (n == 1 ? " free parameter" : " free parameters")
                            + (leftOut.isEmpty()
                                    ? ""
                                    : " (" + String.join(", and ", leftOut) + ", so "
                                            + (near.isEmpty() ? "" : "at least ") + least + " to estimate)")
                            + why);
                    return;
                }
                // here the central points did not fit, so the missing points are forward ones
                int k = missing.size();
                warnings.add("the uncertainty was not estimated: it takes the Jacobian of the residuals at the"
                        + " best point, by finite differences after the fit; central differences need " + 2 * n
                        + " evaluations (2 per free parameter), and forward differences, its fallback when the"
                        + " budget is short, " + (k == 1 ? "1 more evaluation" : k + " more evaluations")
                        + " (1 per free parameter, less those evaluated already), but the evaluation budget has "
                        + (room <= 0 ? "none" : "only " + room) + " left"
                        + (reason == StopReason.CONVERGED
                                ? " after the method converged: raise the budget by at least " + (k - Math.max(0, room))
                                : ": raise the budget, so that the fit converges before it ends")
                        + (m > most
                                ? ""
                                : "; with it, the " + m + (m == 1 ? " residual" : " residuals")
                                        + (m == 1 ? " gives" : " give") + " a residual variance only if "
                                        + nearLeftOut(near, most - m + 1)
                                        + " (the minimum of the linearised loss on that bound), which only that"
                                        + " Jacobian tells"));
                return;
            }
            java.util.Map<java.nio.DoubleBuffer, double[]> found = new java.util.HashMap<>();
            double[] missingLosses = new double[0];
            EvaluationContext[] missingContexts = new EvaluationContext[0];
            if (!missing.isEmpty()) {
                uncertaintyRound = true;
                try {
                    missingLosses = evaluate(missing, false);
                } catch (FitFailedException e) {
                    // the term's own failure: the fit itself had ended, and did not stop here
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    warnings.add("the uncertainty was not estimated: an evaluation at a finite-difference step from"
                            + " the best point failed: " + cause.getMessage());
                    return;
                } finally {
                    uncertaintyRound = false;
                }
                missingContexts = Objects.requireNonNull(lastContexts, "evaluated contexts");
                List<double[]> got = residuals(missingContexts);
                for (int k = 0; k < missing.size(); k++) {
                    found.put(java.nio.DoubleBuffer.wrap(missing.get(k)), got.get(k));
                }
            }
            for (double[] q : points) {
                java.nio.DoubleBuffer key = java.nio.DoubleBuffer.wrap(q);
                rs.add(found.containsKey(key) ? found.get(key) : residualCache == null ? null : residualCache.get(key));
            }
            for (int k = 0; k < rs.size(); k++) {
                double[] r = rs.get(k);
                if (r == null || r.length != r0.length) {
                    addLower(at, x, missing, missingLosses, missingContexts, reason, List.of());
                    warnings.add("the uncertainty was not estimated: the evaluation at a finite-difference step of "
                            + stepped(x, points.get(k)) + " from the best point has no residuals"
                            + failedThere(points.get(k), missing, missingContexts));
                    return;
                }
                if (!TrustRegionLeastSquares.allFinite(r)) {
                    // a difference across a NaN is no derivative; the model is not smooth there
                    addLower(at, x, missing, missingLosses, missingContexts, reason, List.of());
                    warnings.add(
                            "the uncertainty was not estimated: a residual is NaN or infinite at a finite-difference"
                                    + " step of " + stepped(x, points.get(k)) + " from the best point");
                    return;
                }
            }
            String rough = notSmooth(x, r0, points, rs);
            if (rough != null) {
                addLower(at, x, missing, missingLosses, missingContexts, reason, List.of());
                warnings.add(rough);
                return;
            }
            uncertaintyResult = Uncertainty.compute(
                    free,
                    x,
                    p.start(),
                    lo,
                    hi,
                    r0,
                    fd.jacobian(x, r0, points, rs),
                    org.chemfit.support.ResidualScale.commonFactor(objective),
                    nearBoundTolerance);
            // a point of the Jacobian's round that is the lowest evaluated is the best reported: the
            // uncertainty cannot be moved there without another round (whose points might be lower
            // again), so its warnings say whose it is, with both evaluations
            EvaluationContext best = bestPoint.clean();
            String lower = missing.isEmpty()
                    ? null
                    : lowerThanConverged(
                            at, x, missing, missingLosses, missingContexts, reason, uncertaintyResult.atBound(), best);
            if (lower != null) {
                uncertaintyResult = uncertaintyResult.withWarning(lower);
            }
            String wide = wideSteps(x, points, p.start(), lo, hi);
            if (wide != null) {
                uncertaintyResult = uncertaintyResult.withWarning(wide);
            }
            if ((reason == StopReason.MAX_EVALUATIONS || reason == StopReason.STOP_CONDITION)
                    && !uncertaintyResult.estimated().isEmpty()) {
                uncertaintyResult = uncertaintyResult.withWarning("the fit stopped "
                        + (reason == StopReason.MAX_EVALUATIONS ? "at its budget" : "at its stop condition")
                        + " before it converged: the standard errors are of its best point so far, which need not be"
                        + " the minimum their linearised model assumes");
            }
            if (!central && !uncertaintyResult.estimated().isEmpty()) {
                uncertaintyResult = uncertaintyResult.withWarning("the standard errors are taken by forward"
                        + " differences, as the budget had no room for central ones: one-sided, they cannot show"
                        + " whether the model jumps beside the best point; a larger budget gives central ones");
            }
            warnings.addAll(uncertaintyResult.warnings());
            if (lower == null && best != null && best != at) {
                // a note of the uncertainty's own, not the fit's: nothing needs doing
                uncertaintyResult = uncertaintyResult.withWarning(notTheBest(at, best, x, uncertaintyResult.atBound()));
            }
        }

        /**
         * A derivative is taken across a step only where the residuals do not jump: a cliff just
         * beside the best point (a program that gives huge values below some parameter value) makes
         * the residuals on one side of a central difference move by more than the residuals
         * themselves and by many times what they move on the other side, and the difference across
         * it no derivative; so do residuals beyond a double once squared. A smooth model moves its
         * residuals alike on both sides, whatever its curvature, and so does one at a point where a
         * parameter's slope is 0.
         *
         * @param x the best point
         * @param r0 the residuals there
         * @param points the Jacobian's points
         * @param rs their residuals, finite, of the length of r0
         * @return why the uncertainty is not estimated, or null when no parameter stepped both ways
         *     moves the residuals on one side by more than their norm at the best point and by more
         *     than 10 times what it moves them on the other side
         */
        private @Nullable String notSmooth(double[] x, double[] r0, List<double[]> points, List<double[]> rs) {
            for (int k = 0; k < rs.size(); k++) {
                double sum = 0;
                for (double v : Objects.requireNonNull(rs.get(k), "checked above")) {
                    sum += v * v;
                }
                if (!Double.isFinite(sum)) {
                    return "the uncertainty was not estimated: the residuals at a finite-difference step of "
                            + stepped(x, points.get(k)) + " from the best point are finite, but the sum of their"
                            + " squares is beyond a double";
                }
            }
            double norm = TrustRegionLeastSquares.norm(r0);
            List<String> jumps = new ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                double[] up = null;
                double[] down = null;
                for (int k = 0; k < points.size(); k++) {
                    double[] q = points.get(k);
                    if (stepsOnly(x, q, i)) {
                        if (q[i] > x[i]) {
                            up = rs.get(k);
                        } else {
                            down = rs.get(k);
                        }
                    }
                }
                if (up == null || down == null) {
                    continue; // a one-sided difference (near a bound) has no second side to compare
                }
                double above = distance(up, r0);
                double below = distance(down, r0);
                double larger = Math.max(above, below);
                if (larger > norm && larger > 10 * Math.min(above, below)) {
                    jumps.add(String.format(
                            java.util.Locale.ROOT,
                            "'%s' (by %.4g above it and %.4g below, against residuals of norm %.4g)",
                            free.get(i),
                            above,
                            below,
                            norm));
                }
            }
            if (jumps.isEmpty()) {
                return null;
            }
            return "the uncertainty was not estimated: the residuals jump at the finite-difference steps of "
                    + String.join(", ", jumps) + ": they move on one side of the best point by more than their"
                    + " own size and by more than 10 times what they move on the other, so the difference across"
                    + " the step is no derivative (a model that jumps there, such as a program that gives huge"
                    + " values past a threshold)";
        }

        /** @return the Euclidean distance between two vectors of one length */
        private static double distance(double[] a, double[] b) {
            double sum = 0;
            for (int j = 0; j < a.length; j++) {
                double d = a[j] - b[j];
                sum += d * d;
            }
            return Math.sqrt(sum);
        }

        /** @return whether a point differs from x in coordinate i alone */
        private static boolean stepsOnly(double[] x, double[] q, int i) {
            for (int j = 0; j < x.length; j++) {
                if ((j == i) == (q[j] == x[j])) {
                    return false;
                }
            }
            return true;
        }

        /**
         * @return ": " and the first line of the failure of a term, for a point of the uncertainty
         *     evaluated in its round whose term failed (and the failure policy stood in), else ""
         */
        private String failedThere(double[] q, List<double[]> missing, EvaluationContext[] contexts) {
            for (int j = 0; j < missing.size() && j < contexts.length; j++) {
                if (!java.util.Arrays.equals(missing.get(j), q)) {
                    continue;
                }
                EvaluationContext c = failedLeaf(contexts[j]);
                Throwable t = c == null ? null : c.failure();
                if (c != null && t != null) {
                    String m =
                            String.valueOf(t.getMessage()).lines().findFirst().orElse("");
                    return ": " + (m.contains("'" + c.name() + "'") ? m : "term '" + c.name() + "' failed: " + m)
                            + "; the failure policy stood in for it";
                }
            }
            return "";
        }

        /** @return whether a value is a bound, or within rounding of it (1e-12 of its size) */
        private static boolean onOrAt(double value, double bound) {
            return Double.isFinite(bound) && Math.abs(value - bound) <= 1e-12 * Math.max(1.0, Math.abs(bound));
        }

        /** @return the first term of the tree, depth first, that holds a failure, or null */
        private static @Nullable EvaluationContext failedLeaf(EvaluationContext c) {
            if (c.children().isEmpty()) {
                return c.failure() != null ? c : null;
            }
            for (EvaluationContext child : c.children()) {
                EvaluationContext f = failedLeaf(child);
                if (f != null) {
                    return f;
                }
            }
            return null;
        }

        /** @return the parameters in which a point differs from x, quoted ('a', 'b') */
        private String stepped(double[] x, double[] q) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                if (q[i] != x[i]) {
                    out.add("'" + free.get(i) + "'");
                }
            }
            return String.join(", ", out);
        }

        /**
         * Steps are scaled by the larger of a parameter's value and its start, so that a value near
         * 0 is still stepped; a step set on the method and a start far above the best value can
         * make the step a good part of the value itself, and the derivative a secant across it.
         *
         * @param x the best point
         * @param points the Jacobian's points
         * @param start the fit's start
         * @param lo the lower bounds
         * @param hi the upper bounds
         * @return the warning naming each parameter whose step is more than a tenth of its value at
         *     the best point, and whether the bounds cut it to one side, or null when there is none
         */
        private @Nullable String wideSteps(
                double[] x, List<double[]> points, double[] start, double[] lo, double[] hi) {
            List<String> wide = new ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                double h = 0;
                boolean up = false;
                boolean down = false;
                boolean cut = false;
                for (double[] q : points) {
                    double d = q[i] - x[i];
                    h = Math.max(h, Math.abs(d));
                    up |= d > 0;
                    down |= d < 0;
                    cut |= d > 0 ? onOrAt(q[i], hi[i]) : d < 0 && onOrAt(q[i], lo[i]);
                }
                if (x[i] != 0 && h > 0.1 * Math.abs(x[i])) {
                    wide.add(String.format(
                                    java.util.Locale.ROOT,
                                    "'%s' by %.6g at %.6g (started at %.6g)",
                                    free.get(i),
                                    h,
                                    x[i],
                                    start[i])
                            + (cut && up != down
                                    ? String.format(
                                            java.util.Locale.ROOT,
                                            ", one-sided and cut to its bound %.6g, as its bounds [%.6g, %.6g] leave"
                                                    + " less room than the step on either side",
                                            up ? hi[i] : lo[i],
                                            lo[i],
                                            hi[i])
                                    : ""));
                }
            }
            if (wide.isEmpty()) {
                return null;
            }
            return "the finite-difference steps of the uncertainty are more than a tenth of the value they step: "
                    + String.join(", ", wide) + "; a step is scaled by the larger of the value and the start, so"
                    + " the derivative is that of a secant across the step, and the standard error may be off;"
                    + " a smaller finite-difference step, or a fit again from the best parameters, gives the"
                    + " derivative at the best point";
        }

        /**
         * @return the warning that the best point reported, a point of the uncertainty's Jacobian,
         *     is not the point the uncertainty was computed at, naming both evaluations and losses
         */
        private String notTheBest(EvaluationContext at, EvaluationContext best, double[] x, List<String> atBound) {
            double drop = at.loss() - best.loss();
            return "the best point reported, evaluation " + best.evaluationId() + " with a loss of " + best.loss()
                    + ", is a point of the uncertainty's Jacobian, below the " + at.loss() + " of evaluation "
                    + at.evaluationId() + ", where the uncertainty was computed, by "
                    + String.format(java.util.Locale.ROOT, "%.3g", drop) + ", "
                    + (towardsBoundOnly(x, best.parameters().toArray(free), atBound)
                            ? "moving only parameters at a bound, towards it, which the covariance leaves out"
                            : "at most 1e-10 of the loss (rounding, or a step along a nearly flat direction), too"
                                    + " little to matter")
                    + "; the uncertainty is that of " + at.evaluationId();
        }

        /**
         * @param near the parameters near a bound, quoted
         * @param need how many of them must count as at their bound
         * @return "'b', near its bound, counts as at it", "all of 'b', 'c', near their bounds, count
         *     as at them", "at least 1 of 'b', 'c', near their bounds, counts as at it"
         */
        private static String nearLeftOut(List<String> near, int need) {
            if (near.size() == 1) {
                return near.get(0) + ", near its bound, counts as at it";
            }
            return (need == near.size() ? "all of " : "at least " + need + " of ") + String.join(", ", near)
                    + ", near their bounds, " + (need == 1 ? "counts as at it" : "count as at them");
        }

        /** Adds the warning of {@link #lowerThanConverged}, if any. */
        private void addLower(
                EvaluationContext at,
                double[] x,
                List<double[]> points,
                double[] losses,
                EvaluationContext[] contexts,
                StopReason reason,
                List<String> atBound) {
            if (points.isEmpty()) {
                return;
            }
            String lower = lowerThanConverged(at, x, points, losses, contexts, reason, atBound, bestPoint.clean());
            if (lower != null) {
                warnings.add(lower);
            }
        }

        /**
         * Says that the fit did not reach the minimum when a point of the uncertainty's Jacobian has
         * a lower loss than the point the method stopped at: that point is then the best reported,
         * while the covariance is the one at the point the method stopped at. A method that stopped
         * by its convergence test ({@link StopReason#CONVERGED}) met it there all the same, and the
         * warning says so, lest the stop reason and the warning seem to contradict each other.
         *
         * <p>Lower means lower by more than {@link #LOWER_BY} of the loss, above the rounding and
         * the noise of the terms this library computes. A point displaced only towards the bound
         * of a parameter at a bound (one the uncertainty leaves out) does not count: the method
         * stopped there because of the bound, whose other side holds the minimum, and the
         * parameter is reported at its bound.
         *
         * @param at the point the method stopped at (the best before the Jacobian's round)
         * @param x its free parameters
         * @param points the Jacobian's points evaluated in its round
         * @param losses their losses, as the optimizer would have been told them
         * @param contexts their evaluations
         * @param reason why the method stopped
         * @param atBound the parameters at a bound
         * @param best the best point reported (the lowest evaluated), which may be a point of the
         *     round displaced towards a bound, lower still than the one the warning is about
         * @return the warning, or null when no point of the round is lower
         */
        @Nullable
        String lowerThanConverged(
                EvaluationContext at,
                double[] x,
                List<double[]> points,
                double[] losses,
                EvaluationContext[] contexts,
                StopReason reason,
                List<String> atBound,
                @Nullable EvaluationContext best) {
            double atLoss = at.loss();
            int lowest = -1;
            for (int k = 0; k < points.size() && k < losses.length; k++) {
                if (towardsBoundOnly(x, points.get(k), atBound)) {
                    continue;
                }
                boolean clean = BestPoint.kind(contexts[k]) == BestPoint.Kind.CLEAN;
                // lower by more than the rounding of a sum of double-precision terms (or the
                // noise of an iteratively solved one, 1e-11 of a crystal term's elastic constants)
                boolean lower = losses[k] < atLoss - LOWER_BY * Math.abs(atLoss);
                if (clean && lower && (lowest < 0 || losses[k] < losses[lowest])) {
                    lowest = k;
                }
            }
            if (lowest < 0) {
                return null;
            }
            double[] q = points.get(lowest);
            List<String> moved = new ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                if (q[i] != x[i]) {
                    moved.add("'" + free.get(i) + "' from " + x[i] + " to " + q[i]);
                }
            }
            double drop = atLoss - losses[lowest];
            return "the fit did not reach the minimum"
                    + (reason == StopReason.CONVERGED ? ", though the method's convergence test was met" : "")
                    + ": a point evaluated for the uncertainty ("
                    + String.join(", ", moved) + ") has a loss of " + losses[lowest]
                    + ", below the " + atLoss + " of the point the method stopped at (by "
                    + String.format(java.util.Locale.ROOT, "%.3g", drop)
                    + (atLoss > 0 ? String.format(java.util.Locale.ROOT, ", %.3g relative", drop / atLoss) : "")
                    + "); the best point reported is "
                    + (best == null || best == contexts[lowest]
                            ? "that lower point, evaluation " + contexts[lowest].evaluationId()
                            : "evaluation " + best.evaluationId() + ", with a loss of " + best.loss()
                                    + ", a point of the same round moved only towards the bound of a parameter at"
                                    + " it, lower still than that point, evaluation "
                                    + contexts[lowest].evaluationId())
                    + ", while the uncertainty is that of the point the method stopped at, evaluation "
                    + at.evaluationId() + ": " + refit(optimizer, reason);
        }

        /**
         * @return whether {@code q} differs from {@code x} only in parameters of {@code atBound},
         *     each moved towards the bound it is nearer to
         */
        private boolean towardsBoundOnly(double[] x, double[] q, List<String> atBound) {
            boolean moved = false;
            for (int i = 0; i < x.length; i++) {
                if (q[i] == x[i]) {
                    continue;
                }
                String name = free.get(i);
                double lo = bounds.lower(name);
                double hi = bounds.upper(name);
                boolean upperSide = Math.abs(hi - x[i]) < Math.abs(x[i] - lo);
                if (!atBound.contains(name) || (upperSide ? q[i] < x[i] : q[i] > x[i])) {
                    return false;
                }
                moved = true;
            }
            return moved;
        }

        /**
         * @return whether a term of the evaluation that counts in its loss (its weight and its
         *     parents' not 0) was computed, not stood in for by the failure policy
         */
        private boolean computesATerm(EvaluationContext ctx) {
            for (EvaluationContext c : ctx.children()) {
                EvaluationContext.Status st = c.status();
                if (c.weight() == 0
                        || st == EvaluationContext.Status.PENALTY
                        || st == EvaluationContext.Status.SKIPPED) {
                    continue; // a group stood in for as a whole counts for nothing, whatever its parts did
                }
                boolean computed = c.children().isEmpty()
                        ? st == EvaluationContext.Status.OK || st == EvaluationContext.Status.REPLAYED
                        : computesATerm(c);
                if (computed) {
                    return true;
                }
            }
            return false;
        }

        /** @return whether a term of the evaluation, at any depth, failed and was given a penalty or skipped */
        private boolean hasFailedTerm(EvaluationContext ctx) {
            for (EvaluationContext c : ctx.children()) {
                if (c.status() == EvaluationContext.Status.PENALTY
                        || c.status() == EvaluationContext.Status.SKIPPED
                        || hasFailedTerm(c)) {
                    return true;
                }
            }
            return false;
        }

        FitResult result(StopReason reason) {
            estimateUncertainty(reason);
            List<String> w = new ArrayList<>(warnings);
            Parameters best = reportedParams();
            if (best == null) {
                throw new FitFailedException(
                        (evaluations == 1
                                        ? "the 1 evaluation did not give"
                                        : "none of the " + evaluations + " evaluations gave")
                                + " a finite loss (a NaN or infinite"
                                + " loss is scored " + readable(badValue)
                                + " for the optimizer but is never reported as the best)"
                                + (badWithFailedTerms == evaluations && evaluations > 0
                                        ? ": terms failed in every one, and the failure policy left no finite"
                                                + " loss (under skip, an evaluation whose every term failed has"
                                                + " none); see why the terms failed"
                                        : "")
                                + "; check the objective at the initial parameters " + allDigits(initial),
                        null,
                        null);
            }
            if (reason == StopReason.CONVERGED
                    && steps <= 1
                    && firstBatchFlat
                    && optimizer.name().equals("L-BFGS-B")) {
                // its gradient was 0 because no displaced point moved the loss: a minimum, or steps too small
                w.add("L-BFGS-B stopped at its start: every displaced point of its gradient there gave the start's"
                        + " loss exactly, so the gradient was 0. The start is a minimum whose loss changes by less"
                        + " than its last digit over the steps, or the steps were too small to move the loss (a"
                        + " start far below the size its parameter takes, outputs with few digits): if the loss"
                        + " is higher than the fit should reach, start nearer the parameters' sizes or give a"
                        + " larger relative step (in a job file optimizer.finite_difference_step: {relative:"
                        + " 1.0e-3})");
            }
            if (badValues > 0) {
                w.add((badValues == 1 ? "1 evaluation gave" : badValues + " evaluations gave")
                        + " a NaN or infinite loss; the optimizer was told " + readable(badValue)
                        + (badValues == 1
                                ? " for it and it is not reported as the best"
                                : " for them and none of them is reported as the best")
                        + (reason == StopReason.CONVERGED
                                ? "; the fit converged with such points among its evaluations: if the best"
                                        + " point lies against the region where the loss stops being finite, it may"
                                        + " be that edge, not the lowest loss outside it"
                                        + (COMPARES_POINTS.contains(optimizer.name())
                                                ? "; bounds that keep the fit out of it would show whether a lower"
                                                        + " loss lies elsewhere"
                                                : " (a method that models the loss may stop at such an edge); bounds"
                                                        + " that keep the fit out of it, or a method that compares"
                                                        + " points alone (Nelder-Mead, CMA-ES), would show whether a"
                                                        + " lower loss lies elsewhere")
                                : ""));
            }
            if (!modelComputed
                    && bestPoint.isDegraded()
                    && reason != StopReason.INTERRUPTED
                    && reason != StopReason.FAILED) {
                // every loss was the penalty alone: the method compared penalties, and the point it
                // ended at is no fit of the model (as under skip, where such evaluations have no loss)
                throw new FitFailedException(
                        "no evaluation computed a term of the fit: terms failed in "
                                + (evaluations == 1
                                        ? "the 1 evaluation, and its loss was"
                                        : "every one of the " + evaluations + " evaluations, and every loss was")
                                + " the failure policy's penalty alone, not the model's; see why the terms failed;"
                                + " check the objective at the initial parameters " + allDigits(initial),
                        null,
                        null);
            }
            EvaluationContext breakdown = bestPoint.best();
            if (bestPoint.isDegraded()) {
                w.add("every evaluation with a finite loss had a failed term; the best is one where the failure policy"
                        + " stood in for a failed term");
            } else if (degradedValues > 0) {
                w.add((degradedValues == 1
                                ? "1 evaluation had a failed term (penalty or skipped) and was"
                                : degradedValues + " evaluations had a failed term (penalty or skipped) and were")
                        + " not considered for the best");
            }
            List<String> onBound = new ArrayList<>();
            for (Bounds.NearBound nb : bounds.nearBounds(best, nearBoundTolerance)) {
                if (free.contains(nb.name())) {
                    w.add(nb.describe());
                    // on it, or a rounding step inside: levenberg-marquardt's projection through its
                    // log coordinates lands there (129.99999999999997 for a bound of 130)
                    if (onOrAt(nb.value(), nb.lower()) || onOrAt(nb.value(), nb.upper())) {
                        onBound.add("'" + nb.name() + "'");
                    }
                }
            }
            if (optimizer instanceof LevenbergMarquardt && !onBound.isEmpty() && free.size() > onBound.size()) {
                // its points are projected onto the bounds: along the other parameters it may stop short
                w.add("levenberg-marquardt ended with " + String.join(", ", onBound) + " on a bound; it has no bounds"
                        + " of its own (its points are projected onto them), so it may stop short of the best point"
                        + " along the other parameters: fit again with method least-squares, which handles bounds");
            }
            for (String s : w) {
                LOG.warn(s);
            }
            Duration wall = Duration.ofNanos(System.nanoTime() - t0);
            LOG.info(
                    "fit finished ({}): best loss {} after {} evaluations in {} s",
                    reason,
                    reportedLoss(),
                    evaluations,
                    wall.toMillis() / 1000.0);
            // the context of the reported point is kept with it
            return new FitResult(
                    best,
                    reportedLoss(),
                    initialLoss,
                    evaluations,
                    steps,
                    wall,
                    reason,
                    optimizer.name(),
                    Objects.requireNonNull(breakdown, "breakdown"),
                    w,
                    rounds,
                    uncertaintyResult);
        }
    }

    /**
     * What a fit that stopped short of the minimum can change, of what its method takes: a larger
     * finite-difference step for a method that takes forward differences, smaller tolerances for a
     * derivative-free method whose convergence test, one of loss tolerances, was met (not BOBYQA's
     * nor CMA-ES's, which take none); another method in any case.
     *
     * @param optimizer the method that stopped
     * @param reason why it stopped
     * @return the advice, "fit again from the best parameters ..."
     */
    static String refit(Optimizer optimizer, StopReason reason) {
        if (optimizer instanceof TrustRegionLeastSquares
                || optimizer instanceof LevenbergMarquardt
                || optimizer instanceof LbfgsB) {
            return "fit again from the best parameters, with another method or a larger finite-difference step";
        }
        boolean tolerances =
                reason == StopReason.CONVERGED && optimizer instanceof HipparchusOptimizer h && h.takesTolerances();
        return tolerances
                ? "fit again from the best parameters, with smaller tolerances or another method"
                : "fit again from the best parameters with another method";
    }
}
