package org.chemfit.cli;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a job file writes for the words of the tools its users come from: SciPy's optimizer options
 * and method names, lmfit's and ChemFit's (Python) names, and the common abbreviations of the
 * losses. A word that none of the job file's own words is close to by spelling ({@code maxiter} is
 * far from {@code max_evaluations}) would otherwise get the list of known words alone. Each entry
 * applies only where the word it points to is allowed (SciPy's {@code eps} only under
 * {@code optimizer}).
 */
final class OtherToolsWords {

    private OtherToolsWords() {}

    /** A word of another tool: the job file's word it stands for, and what to write. */
    private record Said(String target, String write) {}

    private static Said said(String target, String write) {
        return new Said(target, write);
    }

    /** What to write for a word of the budget. */
    private static final String BUDGET = "write max_evaluations: N, the budget of evaluations";
    /** What to write for a tolerance on the parameters' steps. */
    private static final String LOSS_CHANGE = "a method stops on the loss's change here, not the parameters':"
            + " write tolerance: {relative: ..., absolute: ...}";
    /** What to write for a finite-difference step. */
    private static final String STEP = "write finite_difference_step: {relative: ...}";
    /** What to write for a parameter's bounds given one by one. */
    private static final String BOUNDS = "write bounds: [lower, upper], null for an open side";
    /** What to write for initial values given apart from the parameters. */
    private static final String INITIAL = "write each parameter's initial value under parameters";
    /** What to write for nevergrad's methods. */
    private static final String NEVERGRAD = "nevergrad is not offered; CMA-ES is a population method too";
    /** What to write for a sum of squares. */
    private static final String SUM_OF_SQUARES = "the sum of squares: write squared_error";
    /** What to write for a root-mean-square loss. */
    private static final String ROOT_MEAN =
            "a root-mean-square loss is not offered: mean_squared_error has the same minimum";

    /** Keys of a map, by the other tool's word (lower case). */
    private static final Map<String, Said> KEYS = Map.ofEntries(
            Map.entry("maxiter", said("max_evaluations", BUDGET)),
            Map.entry("maxfun", said("max_evaluations", BUDGET)),
            Map.entry("maxfev", said("max_evaluations", BUDGET)),
            Map.entry("max_nfev", said("max_evaluations", BUDGET)),
            Map.entry("max_iter", said("max_evaluations", BUDGET)),
            Map.entry("maxeval", said("max_evaluations", BUDGET)),
            Map.entry("budget", said("max_evaluations", BUDGET)),
            Map.entry("ftol", said("tolerance", "write tolerance: {relative: ...}")),
            Map.entry("rtol", said("tolerance", "write tolerance: {relative: ...}")),
            Map.entry("fatol", said("tolerance", "write tolerance: {absolute: ...}")),
            Map.entry("atol", said("tolerance", "write tolerance: {absolute: ...}")),
            Map.entry("tol", said("tolerance", "write tolerance: {relative: ..., absolute: ...}")),
            Map.entry("xtol", said("tolerance", LOSS_CHANGE)),
            Map.entry("xatol", said("tolerance", LOSS_CHANGE)),
            Map.entry(
                    "gtol",
                    said(
                            "tolerance",
                            "L-BFGS-B stops when its projected gradient falls below 1e-5 (SciPy's default"
                                    + " pgtol), which a job file does not change; it also stops on the loss's"
                                    + " change: tolerance: {relative: ..., absolute: ...}")),
            Map.entry("eps", said("finite_difference_step", STEP)),
            Map.entry("diff_step", said("finite_difference_step", STEP)),
            Map.entry("random_state", said("seed", "write seed: N")),
            Map.entry("options", said("method", "write its keys under optimizer itself (max_evaluations, tolerance)")),
            Map.entry("value_bad_params", said("bad_value", "ChemFit's value_bad_params: write bad_value")),
            Map.entry("x0", said("parameters", INITIAL)),
            Map.entry("initial_params", said("parameters", INITIAL)),
            Map.entry("weights", said("terms", "write each term's weight in the term: {name: ..., weight: 0.5}")),
            Map.entry("loss_function", said("loss", "write loss: mean_squared_error (a loss by its name)")),
            // DAKOTA's
            Map.entry("max_iterations", said("max_evaluations", BUDGET)),
            Map.entry("max_function_evaluations", said("max_evaluations", BUDGET)),
            Map.entry("convergence_tolerance", said("tolerance", "write tolerance: {relative: ...}")),
            Map.entry("evaluation_concurrency", said("execution", "write execution: {workers: N}")),
            // a parameter's (a map that knows initial: the top level's bounds is a map by parameter)
            Map.entry("lower", said("initial", BOUNDS)),
            Map.entry("upper", said("initial", BOUNDS)),
            Map.entry("lower_bounds", said("initial", BOUNDS)),
            Map.entry("upper_bounds", said("initial", BOUNDS)),
            Map.entry("min", said("initial", BOUNDS)),
            Map.entry("max", said("initial", BOUNDS)),
            Map.entry("value", said("initial", "write initial: VALUE")),
            Map.entry("initial_point", said("initial", "write initial: VALUE")),
            Map.entry(
                    "scale",
                    said(
                            "initial",
                            "the fit scales each parameter itself, by the size of its start value and its bounds:"
                                    + " there is no scale to give")),
            Map.entry(
                    "scale_types", said("initial", "the fit scales each parameter itself: there is no scale to give")));

    /** Optimizer methods, by the other tool's name (lower case). */
    private static final Map<String, Said> METHODS = Map.ofEntries(
            Map.entry("lbfgs", said("L-BFGS-B", "write L-BFGS-B")),
            Map.entry("l_bfgs", said("L-BFGS-B", "write L-BFGS-B")),
            Map.entry("bfgs", said("L-BFGS-B", "SciPy's BFGS is not offered; L-BFGS-B is its bounded kin")),
            Map.entry("cg", said("L-BFGS-B", "SciPy's CG is not offered; L-BFGS-B also takes a gradient")),
            Map.entry("slsqp", said("L-BFGS-B", "SciPy's SLSQP is not offered; L-BFGS-B takes bounds")),
            Map.entry("tnc", said("L-BFGS-B", "SciPy's TNC is not offered; L-BFGS-B takes bounds")),
            Map.entry("trust-constr", said("L-BFGS-B", "SciPy's trust-constr is not offered; L-BFGS-B takes bounds")),
            Map.entry("trf", said("least-squares", "SciPy's least_squares method trf: write least-squares")),
            Map.entry("lm", said("levenberg-marquardt", "SciPy's least_squares method lm: write levenberg-marquardt")),
            Map.entry("cma", said("CMA-ES", "write CMA-ES")),
            Map.entry("cmaes", said("CMA-ES", "write CMA-ES")),
            Map.entry("ngiohtuned", said("CMA-ES", NEVERGRAD)),
            Map.entry("nevergrad", said("CMA-ES", NEVERGRAD)));

    /** Losses, by their abbreviations and other tools' names (lower case). */
    private static final Map<String, Said> LOSSES = Map.ofEntries(
            Map.entry("mse", said("mean_squared_error", "write mean_squared_error")),
            Map.entry("sse", said("squared_error", SUM_OF_SQUARES)),
            Map.entry("sum_of_squares", said("squared_error", SUM_OF_SQUARES)),
            Map.entry("l2", said("squared_error", SUM_OF_SQUARES)),
            Map.entry("rmse", said("mean_squared_error", ROOT_MEAN)),
            Map.entry("root_mean_squared_error", said("mean_squared_error", ROOT_MEAN)),
            Map.entry(
                    "mae",
                    said(
                            "absolute_error",
                            "a mean absolute error is not offered: absolute_error, their sum, has the same minimum")),
            Map.entry("l1", said("absolute_error", "the sum of absolute errors: write absolute_error")));

    /**
     * @param key a key that the map does not know
     * @param known the keys it knows
     * @return what to write instead, when the key is another tool's and its counterpart is known here
     */
    static @Nullable String key(String key, Collection<String> known) {
        return hint(KEYS, key, known);
    }

    /**
     * @param method a method name that is none of the job file's
     * @param known the job file's methods
     * @return what to write instead, when the name is another tool's
     */
    static @Nullable String method(String method, Collection<String> known) {
        return hint(METHODS, method, known);
    }

    /**
     * @param loss a loss name that is none of the job file's
     * @param known the job file's losses
     * @return what to write instead, when the name is another's or an abbreviation
     */
    static @Nullable String loss(String loss, Collection<String> known) {
        return hint(LOSSES, loss, known);
    }

    private static @Nullable String hint(Map<String, Said> words, String word, Collection<String> known) {
        Said s = words.get(word.toLowerCase(Locale.ROOT));
        return s != null && known.contains(s.target()) ? s.write() : null;
    }
}
