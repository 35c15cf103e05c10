package org.chemfit.fit;

import java.util.List;

/**
 * What an {@link Optimizer} is asked to solve: minimise over the free parameters, from a start
 * point, within bounds, with a budget of evaluations and a seed for randomised methods.
 *
 * <pre>{@code
 * Problem p = new Problem(List.of("x", "y"), new double[] {0, 0},
 *         new double[] {-1, -1}, new double[] {1, 1}, 1000, 42L);
 * }</pre>
 *
 * @param names the free parameters' names
 * @param start the start point
 * @param lower lower bounds (negative infinity when open)
 * @param upper upper bounds (positive infinity when open)
 * @param maxEvaluations the budget
 * @param seed the seed of randomised methods
 * @implNote Immutable in intent: arrays are copied in, and the accessors return those copies
 *     themselves, which no caller may change; {@code equals} compares the arrays by identity, as a
 *     record's does.
 */
public record Problem(
        List<String> names, double[] start, double[] lower, double[] upper, int maxEvaluations, long seed) {

    /**
     * Validates the problem.
     *
     * @throws IllegalArgumentException when lengths differ, the start lies outside the bounds, or
     *     the budget is not positive
     */
    public Problem {
        names = List.copyOf(names);
        start = start.clone();
        lower = lower.clone();
        upper = upper.clone();
        if (start.length != names.size() || lower.length != names.size() || upper.length != names.size()) {
            throw new IllegalArgumentException(
                    "problem arrays must have one entry per free parameter (" + names.size() + ")");
        }
        for (int i = 0; i < start.length; i++) {
            if (!(start[i] >= lower[i] && start[i] <= upper[i])) {
                throw new IllegalArgumentException("start value of '" + names.get(i) + "' must lie within [" + lower[i]
                        + ", " + upper[i] + "], got " + start[i]);
            }
        }
        if (maxEvaluations < 1) {
            throw new IllegalArgumentException("the evaluation budget must be at least 1, got " + maxEvaluations);
        }
    }

    /** @return the number of free parameters */
    public int dimension() {
        return start.length;
    }

    /**
     * @param i a coordinate
     * @return whether both its bounds are finite
     */
    boolean isBoxed(int i) {
        return Double.isFinite(lower[i]) && Double.isFinite(upper[i]);
    }

    /**
     * @param x a point
     * @return a copy moved into the bounds
     */
    public double[] clip(double[] x) {
        double[] y = x.clone();
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.min(upper[i], Math.max(lower[i], y[i]));
        }
        return y;
    }
}
