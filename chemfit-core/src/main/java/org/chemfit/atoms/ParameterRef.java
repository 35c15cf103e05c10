package org.chemfit.atoms;

import java.util.Objects;
import org.chemfit.Parameters;
import org.chemfit.support.DecimalText;
import org.jspecify.annotations.Nullable;

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
public record ParameterRef(@Nullable String name, double factor) {

    /**
     * Validates the reference.
     *
     * @throws IllegalArgumentException when the factor is not finite or the name is empty
     */
    public ParameterRef {
        if (!Double.isFinite(factor)) {
            throw new IllegalArgumentException((name == null ? "a constant" : "the factor of parameter '" + name + "'")
                    + " must be finite, got " + factor);
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

    /**
     * Parses the text form used in job files: a number ({@code "0.5"}), a parameter name
     * ({@code "qH"}), or a factor times a name ({@code "-2*qH"}, {@code "qH*-2"}). Numbers are
     * decimal text of at most 1e100 in magnitude ({@code "2d"} and {@code "0x1p3"} are not numbers).
     *
     * @param text the text
     * @return the reference
     * @throws IllegalArgumentException when the text is none of these forms
     */
    public static ParameterRef parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("expected a number, a parameter name or factor*name, got an empty text");
        }
        Double number = number(t);
        if (number != null) {
            return constant(number);
        }
        int star = t.indexOf('*');
        if (star < 0) {
            return of(checkName(t, text));
        }
        String left = t.substring(0, star).trim();
        String right = t.substring(star + 1).trim();
        Double lf = number(left);
        Double rf = number(right);
        if (lf != null && rf == null) {
            return scaled(checkName(right, text), lf);
        }
        if (rf != null && lf == null) {
            return scaled(checkName(left, text), rf);
        }
        throw new IllegalArgumentException(
                "expected a number, a parameter name or factor*name (such as -2*qH), got '" + text + "'");
    }

    /** @return the decimal number of at most 1e100 in magnitude the text is, or null */
    private static @Nullable Double number(String s) {
        double v = DecimalText.parse(s);
        return Double.isFinite(v) ? v : null;
    }

    private static String checkName(String name, String text) {
        if (name.isEmpty()
                || name.contains("*")
                || name.chars().anyMatch(Character::isWhitespace)
                || !(Character.isLetter(name.charAt(0)) || name.charAt(0) == '_')) {
            throw new IllegalArgumentException(
                    "expected a number, a parameter name or factor*name (such as -2*qH), got '" + text + "'");
        }
        return name;
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
