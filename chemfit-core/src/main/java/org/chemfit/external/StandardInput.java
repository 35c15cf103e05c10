package org.chemfit.external;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.chemfit.support.Reasons;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link Command} reads on its standard input: a fixed text, or a template rendered with
 * the parameters and variables like the input files. Programs that ask questions on standard input
 * need it, for example {@code gmx energy}, which reads the names of the energy terms to extract
 * (one per line, then an empty line). Without one, a command reads {@code /dev/null}.
 *
 * <pre>{@code
 * Command energy = Command.of("gmx", "energy", "-f", "md.edr", "-o", "energy.xvg")
 *         .stdin(StandardInput.text("Potential\nDensity\n\n"));
 * Command scaled = Command.of("python3", "scale.py")
 *         .stdin(StandardInput.template("{{ lj.sigma }}\n"));
 * }</pre>
 *
 * <p>The text is written to {@code <program>.stdin} in the run directory (beside
 * {@code <program>.stdout} and {@code .stderr}), so a kept run directory shows exactly what the
 * program was given. A template fails the term at the render step, naming the command and the
 * line, when it uses a name that is neither a parameter nor a variable.
 *
 * <p>Failures: the factories throw {@link NullPointerException} for a null text or path and
 * {@link IllegalArgumentException} when a template file cannot be read.
 *
 * @implNote Immutable and thread-safe.
 */
public final class StandardInput {

    private final String text;
    private final boolean template;
    private final @Nullable String source;

    private StandardInput(String text, boolean template, @Nullable String source) {
        this.text = text;
        this.template = template;
        this.source = source;
    }

    /**
     * @param text the exact text the program reads
     * @return standard input of that text
     */
    public static StandardInput text(String text) {
        return new StandardInput(Objects.requireNonNull(text, "text"), false, null);
    }

    /**
     * @param template a template (the syntax of the input templates) rendered for every run
     * @return standard input rendered from the template
     */
    public static StandardInput template(String template) {
        return new StandardInput(Objects.requireNonNull(template, "template"), true, null);
    }

    /**
     * @param file a template file, read now
     * @return standard input rendered from the file's text for every run
     * @throws IllegalArgumentException when the file cannot be read or is not UTF-8 text (naming the
     *     line and column of its first byte that is not)
     */
    public static StandardInput templateFile(Path file) {
        Objects.requireNonNull(file, "file");
        try {
            return new StandardInput(Files.readString(file, StandardCharsets.UTF_8), true, file.toString());
        } catch (IOException e) {
            org.chemfit.support.Utf8Text.Place bad = org.chemfit.support.Utf8Text.placeOf(file, e);
            throw new IllegalArgumentException(
                    bad != null
                            ? file + ":" + bad.line() + ": " + bad.problem("a standard-input template")
                            : "cannot read the standard-input template '" + file + "': " + Reasons.of(e, file),
                    e);
        }
    }

    /** @return the text, or the template's text */
    public String text() {
        return text;
    }

    /** @return whether the text is a template rendered for every run */
    boolean isTemplate() {
        return template;
    }

    /** @return the template file it was read from, or null */
    @Nullable
    String sourceOrNull() {
        return source;
    }

    @Override
    public String toString() {
        if (source != null) {
            return "standard input from template '" + source + "'";
        }
        String t = text.replace("\n", "\\n");
        return (template ? "standard-input template \"" : "standard input \"")
                + (t.length() > 40 ? t.substring(0, 37) + "..." : t) + "\"";
    }
}
