package org.chemfit.support;

import java.util.regex.Pattern;

/**
 * Numbers as people write them in reference CSVs, structure files and job files, read the same
 * way by the core's readers and the command line's: decimal text (an
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
