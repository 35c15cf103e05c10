package org.chemfit.atoms;

import java.util.Objects;

import org.chemfit.Parameters;

/**
 * A number a potential takes from the fit's parameters: a named parameter times a factor, or a
 * constant. Charges tied to each other are expressed this way: with {@code qH} fitted, the
 * oxygen charge of a water model is {@code ParameterRef.scaled("qH", -2)}.
 *
 * <pre>{@code
 * ParameterRef eps = ParameterRef.of("lj.epsilon");
 * ParameterRef qO  = ParameterRef.scaled("qH", -2.0);
 * ParameterRef one = ParameterRef.constant(1.0);
 * double q = qO.value(Parameters.of(Map.of("qH", 0.417)));   // -0.834
 * }</pre>
 *
 * @param name the parameter's dotted name, or null for a constant
 * @param factor the factor applied to the parameter (1 for a plain reference); for a constant, its value
 * @implNote Immutable.
 */
public record ParameterRef(String name, double factor) {

    /**
     * Validates the reference.
     *
     * @throws IllegalArgumentException when the factor is not finite or the name is empty
     */
    public ParameterRef {
        if (!Double.isFinite(factor)) {
            throw new IllegalArgumentException("a parameter factor must be finite, got " + factor);
        }
        if (name != null && name.isBlank()) {
            throw new IllegalArgumentException("a parameter name must not be empty");
        }
    }

    /**
     * @param name a parameter's dotted name
     * @return that parameter
     */
    public static ParameterRef of(String name) {
        return new ParameterRef(Objects.requireNonNull(name, "name"), 1.0);
    }

    /**
     * @param name a parameter's dotted name
     * @param factor the factor
     * @return {@code factor * name}
     */
    public static ParameterRef scaled(String name, double factor) {
        return new ParameterRef(Objects.requireNonNull(name, "name"), factor);
    }

    /**
     * @param value a fixed number
     * @return that number, whatever the parameters
     */
    public static ParameterRef constant(double value) {
        return new ParameterRef(null, value);
    }

    /** @return whether this is a constant */
    public boolean isConstant() {
        return name == null;
    }

    /**
     * @param p the parameters
     * @return the value
     * @throws IllegalArgumentException when the parameter does not exist (the message lists those that do)
     */
    public double value(Parameters p) {
        return name == null ? factor : factor * p.get(name);
    }

    @Override
    public String toString() {
        return name == null ? Double.toString(factor) : factor == 1.0 ? name : factor + "*" + name;
    }
}
