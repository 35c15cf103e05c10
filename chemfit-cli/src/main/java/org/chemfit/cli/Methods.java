package org.chemfit.cli;

import java.util.ArrayList;
import java.util.List;
import org.chemfit.fit.Optimizer;
import org.chemfit.fit.Optimizers;
import org.jspecify.annotations.Nullable;

/**
 * The optimization methods a job file may name: those of {@link Optimizers}.
 *
 * @implNote Stateless.
 */
final class Methods {

    private Methods() {}

    /** @return the known method names */
    static List<String> names() {
        return Optimizers.names();
    }

    /**
     * @param name a method name as written (any case)
     * @return the canonical name, or null when unknown
     */
    static @Nullable String canonical(String name) {
        try {
            return Optimizers.byName(name).name();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * @param name a canonical name
     * @return whether the method proposes several points at once
     */
    static boolean isBatch(String name) {
        String c = canonical(name);
        return c != null && Optimizers.byName(c).isBatch();
    }

    /** @return the names of the population methods */
    static List<String> batchNames() {
        List<String> out = new ArrayList<>();
        for (String n : names()) {
            if (isBatch(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * @param name a canonical name
     * @return whether the method takes loss tolerances
     */
    static boolean takesTolerances(String name) {
        try {
            Optimizers.withTolerances(Optimizers.byName(name), 1e-8, 1e-8);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * @param name a canonical name
     * @return whether the method takes an absolute loss tolerance besides a relative one ({@code
     *     levenberg-marquardt} stops on the relative change of the loss alone, and takes no
     *     absolute tolerance)
     */
    static boolean takesAbsoluteTolerance(String name) {
        return takesTolerances(name) && !"levenberg-marquardt".equals(canonical(name));
    }

    /**
     * @param name a canonical name
     * @return whether the method takes a finite-difference step (those that take forward
     *     differences: the least-squares methods and {@code L-BFGS-B})
     */
    static boolean takesRelativeStep(String name) {
        try {
            Optimizers.withRelativeStep(Optimizers.byName(name), 1e-4);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * @param name a canonical name
     * @return whether the method fits residuals, and so needs an objective that is a sum of squares
     */
    static boolean needsResiduals(String name) {
        String c = canonical(name);
        return c != null && Optimizers.byName(c).needsResiduals();
    }

    /** @return the names of the methods that take any loss */
    static List<String> anyLossNames() {
        List<String> out = new ArrayList<>();
        for (String n : names()) {
            if (!needsResiduals(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * The loss tolerances a method stops by when the job file gives none ({@link Optimizers}'
     * own): relative and absolute, or the relative one alone for {@code levenberg-marquardt}, which
     * takes no absolute one. A {@code tolerance} written with these values is the method left
     * alone: {@code OptimizerDefaultsTest} drives each method both ways and compares the points it
     * asks for.
     *
     * @param name a canonical name of a method that takes tolerances
     * @return the tolerances, or null for a method that takes none
     */
    static double @Nullable [] ownTolerances(String name) {
        return switch (name) {
            case "Nelder-Mead", "Powell", "CMA-ES-hipparchus" -> new double[] {1e-12, 1e-15};
            case "least-squares" -> new double[] {1e-8, 0.0};
            case "L-BFGS-B" -> new double[] {2.220446049250313e-9, 0.0};
            case "levenberg-marquardt" -> new double[] {1e-8};
            default -> null;
        };
    }

    /** The relative tolerance a job file's {@code tolerance} takes when it gives only the absolute one. */
    static final double RELATIVE_TOLERANCE = 1e-12;

    /** The absolute tolerance a job file's {@code tolerance} takes when it gives only the relative one. */
    static final double ABSOLUTE_TOLERANCE = 1e-15;

    /**
     * @param free how many free parameters the fit has, at least 1
     * @return the population of {@code CMA-ES} when the job gives no {@code batch_size}: {@code 4 +
     *     floor(3 ln n)} (Hansen's tutorial, arXiv:1604.00772, as {@link Optimizers#cmaes()} takes it)
     */
    static int defaultPopulation(int free) {
        return 4 + (int) Math.floor(3 * Math.log(free));
    }

    /**
     * The relative finite-difference step of a job with crystal terms and no
     * {@code finite_difference_step}. A crystal term's elastic constants come from stresses of a
     * cell whose zero-pressure volume is solved iteratively, and carry a noise of 1e-12 to 6e-11 of
     * their size from one parameter value to the next (measured on rock-salt and caesium-chloride
     * MgO over changes of 1e-12 to 2e-10 relative): the forward-difference step suited to full
     * double precision, 1.49e-8, turns that into an error of up to 1e-3 of the Jacobian's entries,
     * which drowns a parameter the data determine weakly. About the square root of the noise
     * balances it against the error of the difference itself.
     */
    static final double CRYSTAL_STEP = 1e-5;

    /**
     * The relative finite-difference step of a job's fit: the job's {@code finite_difference_step}
     * when given; else {@link #CRYSTAL_STEP} when the method takes a step and a fit term of
     * non-zero weight is a crystal term; else NaN, the method's default.
     *
     * @param job the job
     * @return the step, or NaN
     */
    static double relativeStep(JobFile job) {
        JobFile.OptimizerSpec spec = job.optimizer();
        if (!Double.isNaN(spec.relativeStep())) {
            return spec.relativeStep();
        }
        return crystalDefault(job) ? CRYSTAL_STEP : Double.NaN;
    }

    /** {@code sqrt(eps) = 1.49e-8}: the relative forward-difference step of a method's default. */
    static final double DEFAULT_STEP = Math.sqrt(Math.ulp(1.0));

    /**
     * The relative step of the forward differences the job's method takes for its gradient or
     * Jacobian: that of {@link #relativeStep(JobFile)}, or {@link #DEFAULT_STEP} where it gives
     * none; NaN for a method that takes no differences.
     *
     * @param job the job
     * @return the step, or NaN
     */
    static double forwardStep(JobFile job) {
        String c = canonical(job.optimizer().method());
        if (c == null || !takesRelativeStep(c)) {
            return Double.NaN;
        }
        double step = relativeStep(job);
        return Double.isNaN(step) ? DEFAULT_STEP : step;
    }

    /**
     * @param job the job
     * @return whether the step of the fit is {@link #CRYSTAL_STEP} because the job has crystal
     *     terms and sets no {@code finite_difference_step}
     */
    static boolean crystalDefault(JobFile job) {
        JobFile.OptimizerSpec spec = job.optimizer();
        return Double.isNaN(spec.relativeStep())
                && canonical(spec.method()) != null
                && takesRelativeStep(spec.method())
                && job.terms().stream().anyMatch(t -> t.kind() == JobFile.TermKind.CRYSTAL && t.weight() != 0);
    }

    /**
     * @param job the job
     * @return the optimizer of its fit: {@link #create(JobFile.OptimizerSpec)} with the step of
     *     {@link #relativeStep(JobFile)}
     */
    static Optimizer create(JobFile job) {
        Optimizer o = create(job.optimizer());
        return crystalDefault(job) ? Optimizers.withRelativeStep(o, CRYSTAL_STEP) : o;
    }

    /**
     * @param spec the job's optimizer settings
     * @return the optimizer, with the job's tolerances and finite-difference step where it takes them
     */
    static Optimizer create(JobFile.OptimizerSpec spec) {
        Optimizer o = Optimizers.byName(spec.method());
        if (spec.batchSize() > 0 && o.isBatch()) {
            o = Optimizers.cmaes(spec.batchSize(), 0.3);
        }
        if (!Double.isNaN(spec.relativeTolerance()) || !Double.isNaN(spec.absoluteTolerance())) {
            double rel = Double.isNaN(spec.relativeTolerance()) ? RELATIVE_TOLERANCE : spec.relativeTolerance();
            double abs = Double.isNaN(spec.absoluteTolerance()) ? ABSOLUTE_TOLERANCE : spec.absoluteTolerance();
            o = Optimizers.withTolerances(o, rel, abs);
        }
        if (!Double.isNaN(spec.relativeStep()) && takesRelativeStep(spec.method())) {
            // another method takes the step for its uncertainty only (see FitPlan#fitter)
            o = Optimizers.withRelativeStep(o, spec.relativeStep());
        }
        return o;
    }
}
