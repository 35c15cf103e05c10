package org.chemfit.support;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.jspecify.annotations.Nullable;

/**
 * Says why a user's JSON file could not be parsed, in plain words and without the parser's own
 * names: Jackson's message names its features and classes and hides the file's name behind
 * "[Source: REDACTED ...]", which no message should show. Output files, reference files, job files
 * and results files written in JSON report their parse errors through this class.
 *
 * <pre>{@code
 * catch (JsonProcessingException e) {
 *     // "the file ends inside an object (line 1, column 14)"
 *     throw new IOException(file + ": not valid JSON: " + JsonErrors.withPlace(e));
 * }
 * }</pre>
 *
 * @implNote Stateless; thread-safe.
 */
public final class JsonErrors {

    private JsonErrors() {}

    /**
     * @param e a parse error
     * @return its reason followed by where it was found, such as {@code "the file ends inside an
     *     object (line 1, column 14)"}
     */
    public static String withPlace(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String reason = reason(e.getOriginalMessage());
        return at == null || at.getLineNr() <= 0
                ? reason
                : reason + " (line " + at.getLineNr() + ", column " + Math.max(at.getColumnNr(), 1) + ")";
    }

    /**
     * @param message Jackson's original message ({@link JsonProcessingException#getOriginalMessage})
     * @return the reason alone, such as {@code "the file ends inside the array opened at line 1,
     *     column 12"}; never the parser's source description, class or feature names
     */
    public static String reason(@Nullable String message) {
        String m = firstLine(message == null ? "" : message);
        if (m.contains("Non-standard token 'NaN'")
                || m.contains("'Infinity'")
                || m.contains("'-Infinity'")
                || m.contains("'+Infinity'")) {
            return "NaN and Infinity are not JSON numbers; write a finite number";
        }
        if (m.startsWith("No content to map due to end-of-input")) {
            return "the file is empty";
        }
        m = m.replaceAll(
                        "\\(start marker at \\[Source: [^;\\]]*; line: (\\d+), column: (\\d+)\\]\\)",
                        "(opened at line $1, column $2)")
                .replaceAll(
                        "\\(for (?:Array|Object) starting at \\[Source: [^;\\]]*; line: (\\d+), column: (\\d+)\\]\\)",
                        "(opened at line $1, column $2)")
                .replaceAll("\\s*\\[Source: [^\\]]*\\]", "");
        if (m.startsWith("Unexpected end-of-input")) {
            java.util.regex.Matcher opened = java.util.regex.Pattern.compile("\\(opened at (line \\d+, column \\d+)\\)")
                    .matcher(m);
            String where = opened.find() ? "the %s opened at " + opened.group(1) : "an %s";
            if (m.contains("for Object") || m.contains("Object entries") || m.contains("in field name")) {
                return "the file ends inside " + where.formatted("object");
            }
            if (m.contains("for Array")) {
                return "the file ends inside " + where.formatted("array");
            }
            if (m.contains("string value") || m.contains("VALUE_STRING")) {
                return "the file ends inside a string";
            }
            return "the file ends before its value is complete";
        }
        // the character found without its code ("Unexpected character ('x' (code 120))", and above
        // 255 "('\u201c' (code 8220 / 0x201c))"), a control
        // character by its code, and the values JSON allows in words rather than the parser's tokens
        m = m.replaceAll("\\('(.)' \\(code \\d+(?: / 0x\\p{XDigit}+)?\\)\\)", "'$1'")
                .replaceAll("\\(\\(CTRL-CHAR, code (\\d+)\\)\\)", "(control character $1)")
                .replaceAll(
                        "(?:was expecting|expected a valid value) \\(JSON String, Number, Array, Object"
                                + " or token 'null', 'true' or 'false'\\)",
                        "expected a value (a string, number, array, object, true, false or null)");
        m = m.replaceAll(",? from `[^`]*`", "")
                .replaceAll(":? ?\\(?(?:enable|not recognized as one since Feature)[^)]*\\)?", "");
        int tick = m.indexOf('`');
        if (tick >= 0) {
            m = m.substring(0, tick).replaceAll("[\\s(:;,]+$", "");
        }
        return m.strip();
    }

    /** The message's first line: Jackson's later lines repeat the location. */
    private static String firstLine(String message) {
        StringBuilder sb = new StringBuilder();
        for (String line : message.split("\\R")) {
            if (line.isBlank() || Character.isWhitespace(line.charAt(0)) || line.startsWith(" at [Source")) {
                continue;
            }
            sb.append(sb.length() == 0 ? "" : "; ").append(line.strip());
        }
        return sb.toString();
    }
}
