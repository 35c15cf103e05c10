package org.chemfit.external;

import org.jspecify.annotations.Nullable;

/**
 * A template does not compile (its syntax, or a filter that does not exist), names something that
 * is neither a parameter nor a variable, or gives a filter what it cannot use. It carries the
 * template's file (as given to the builder), line and, for a filter, column, so that a tool can
 * show the problem at {@code file:line:column} the way compilers do.
 *
 * <pre>{@code
 * try {
 *     computer.checkTemplates(params);
 * } catch (TemplateException e) {
 *     System.err.println(e.template() + ":" + e.line() + ": " + e.reason());   // in.lmp:11: unknown parameter ...
 * }
 * }</pre>
 *
 * @implNote Immutable.
 */
public final class TemplateException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String template;
    private final int line;
    private final int column;
    private final String reason;

    /**
     * @param template the template's file as given to the builder
     * @param line the line, from 1 (0 when unknown)
     * @param reason the rule broken, without the template's name
     * @param message the whole message (template, line and reason)
     * @param cause the template engine's exception
     */
    TemplateException(String template, int line, String reason, String message, Throwable cause) {
        this(template, line, 0, reason, message, cause);
    }

    /**
     * @param template the template's file as given to the builder
     * @param line the line, from 1 (0 when unknown)
     * @param column the column, from 1 (0 when unknown)
     * @param reason the rule broken, without the template's name
     * @param message the whole message (template, line, column and reason)
     * @param cause the template engine's exception, or null when the template was read without it
     */
    TemplateException(String template, int line, int column, String reason, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.template = template;
        this.line = line;
        this.column = column;
        this.reason = reason;
    }

    /** @return the template's file as given to the builder */
    public String template() {
        return template;
    }

    /** @return the line, from 1 (0 when unknown) */
    public int line() {
        return line;
    }

    /** @return the column, from 1 (0 when unknown: the template engine gives lines only) */
    public int column() {
        return column;
    }

    /** @return the rule broken, without the template's name and line */
    public String reason() {
        return reason;
    }
}
