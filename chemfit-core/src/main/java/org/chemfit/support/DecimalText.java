package org.chemfit.support;

import java.util.regex.Pattern;

/**
 * Numbers as people write them in reference CSVs, structure files and job files, read the same
 * way by the core's readers and the command line's, and a value written back with every digit
 * ({@link #of}): decimal text (an
 * optional sign, digits with an optional decimal point, an optional exponent: {@code -41.5},
 * {@code .5}, {@code 6.2e-3}) of at most 1e100 in magnitude, the limit a job file sets for its own
 * numbers. Java's own reading also takes a type suffix ({@code 60.4d}, {@code -41.5F}) and
 * hexadecimal ({@code 0x1p3} is 8): text no one writes on purpose, refused here instead of read
 * as a number.
 *
 * <pre>{@code
 * double e = DecimalText.parse("-41.5");      // -41.5
 * double f = DecimalText.parse("0x1p3");      // NaN
 * String r = DecimalText.rule("0x1p3");       // " written in decimal (...)"
 * }</pre>
 *
 * @implNote Stateless and thread-safe.
 */
public final class DecimalText {

    /** The largest magnitude taken, as a job file's numbers. */
    public static final double MAX_MAGNITUDE = 1e100;

    /** The syntax of a job file's floats (YAML 1.2's core schema), without .inf and .nan. */
    private static final Pattern DECIMAL =
            Pattern.compile("[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?");

    /** A number written with a decimal comma, as a spreadsheet in many locales writes it: {@code -60,465539}. */
    private static final Pattern DECIMAL_COMMA = Pattern.compile("[-+]?[0-9]+,[0-9]+(?:[eE][-+]?[0-9]+)?");

    private DecimalText() {}

    /**
     * Every digit of a double, as messages write a value that must be given back exactly: the
     * digits of Java's text for it (which reads back as the same double; Java 17's is not always
     * the shortest), fixed-point from 1e-4 to below 1e16 as Python's {@code repr} writes it, and
     * outside that with an exponent as {@code %g} and Python write one ({@code e+25}, {@code e-05}):
     * {@code 136.90905128268622}, {@code 100000}, {@code 0.0001}, {@code 1e-05}, {@code 2.5e+25},
     * {@code -0}, {@code inf}, {@code nan}.
     *
     * @param v a value
     * @return its text
     */
    public static String of(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0" : "0";
        }
        java.math.BigDecimal b = new java.math.BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros();
        String digits = b.unscaledValue().toString();
        int exponent = digits.length() - 1 - b.scale();
        String sign = v < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 16) {
            return sign + b.toPlainString();
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String e = Integer.toString(Math.abs(exponent));
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
    }

    /**
     * @param text the text, without surrounding white space
     * @return its value, or NaN when it is not decimal text of at most 1e100 in magnitude
     */
    public static double parse(String text) {
        if (!DECIMAL.matcher(text).matches()) {
            return Double.NaN;
        }
        double v = Double.parseDouble(text);
        return Math.abs(v) <= MAX_MAGNITUDE ? v : Double.NaN;
    }

    /**
     * What text that {@link #parse} refused breaks, said after "expected a finite number":
     * {@code " at most 1e100 in magnitude"} for decimal text too large, {@code " written in decimal
     * (...)"} for text Java reads as a finite number in another form, {@code " with a decimal point,
     * not a comma (-60.465539)"} for a number with a decimal comma, and {@code ""} for text that
     * is no number at all ({@code abc}, {@code nan}), for which "expected a finite number" says it.
     *
     * @param text the text, without surrounding white space
     * @return the rule, with a leading space, or ""
     */
    public static String rule(String text) {
        if (DECIMAL.matcher(text).matches()) {
            return " at most 1e100 in magnitude";
        }
        if (DECIMAL_COMMA.matcher(text).matches()) {
            // a spreadsheet set to a European locale writes 60,465539
            return " with a decimal point, not a comma (" + text.replace(',', '.') + ")";
        }
        try {
            if (Double.isFinite(Double.parseDouble(text))) {
                return " written in decimal (digits with an optional sign, decimal point and exponent, such as -41.5"
                        + " or 6.2e-3; no type suffix such as d or F, no hexadecimal)";
            }
        } catch (NumberFormatException e) {
            // no number at all
        }
        return "";
    }
}
