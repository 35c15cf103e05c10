package org.chemfit.support;

/**
 * Cuts text quoted in a message (a line of an input file, a number as written) to a readable
 * length: a reference CSV of one 4 MB line must not make a 4 MB error message.
 *
 * <pre>{@code
 * Excerpt.of("x".repeat(200));   // the first 80 x, then "... (200 characters)"
 * }</pre>
 *
 * @implNote Stateless; thread-safe.
 */
public final class Excerpt {

    /** How many characters of quoted text a message keeps. */
    public static final int CHARS = 80;

    private Excerpt() {}

    /**
     * @param text the text to quote
     * @return the text when it has at most {@link #CHARS} characters, else its first {@link #CHARS}
     *     characters then {@code ... (N characters)}, N the length of the whole text
     */
    public static String of(String text) {
        if (text.length() <= CHARS) {
            return text;
        }
        int end = CHARS;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // not half a character
        }
        return text.substring(0, end) + "... (" + text.length() + " characters)";
    }
}
