package org.chemfit.cli;

import java.nio.file.Path;
import java.util.List;
import org.chemfit.ChemFitException;

/**
 * A job file breaks one or more rules. Each {@link Problem} names the file, the line, the column
 * and the rule; {@link #getMessage()} lists them all, one per line, the way compilers do.
 *
 * <pre>{@code
 * try {
 *     JobFile job = JobFile.read(Path.of("fit.yaml"));
 * } catch (JobFileException e) {
 *     e.problems().forEach(p -> System.err.println(p));   // fit.yaml:7:3: unknown key 'sigmma' ...
 * }
 * }</pre>
 *
 * @implNote Immutable.
 */
public final class JobFileException extends ChemFitException {
    private static final long serialVersionUID = 1L;

    /** The most problems the message lists; a hostile file may break a rule a hundred thousand times. */
    static final int MAX_SHOWN = 200;

    private final transient List<Problem> problems;

    /**
     * @param problems what is wrong, at least one
     * @throws IllegalArgumentException when the list is empty
     */
    public JobFileException(List<Problem> problems) {
        super(format(problems));
        this.problems = List.copyOf(problems);
    }

    private static String format(List<Problem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a job file exception needs at least one problem");
        }
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (Problem p : problems) {
            if (shown == MAX_SHOWN) {
                sb.append("\n(").append(problems.size() - MAX_SHOWN).append(" more problems not shown)");
                break;
            }
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(p);
            shown++;
        }
        return sb.toString();
    }

    /** @return the problems, in file order */
    public List<Problem> problems() {
        return problems;
    }

    /**
     * One broken rule at one place of a job file.
     *
     * <pre>{@code
     * Problem p = e.problems().get(0);   // p.line() == 12, p.column() == 3
     * }</pre>
     *
     * @param file the job file (or a file it names, for a problem inside a data file)
     * @param line the line, from 1 (0 when the problem concerns the file as a whole)
     * @param column the column, from 1 (0 when unknown)
     * @param message the rule broken and the value found
     * @implNote Immutable.
     */
    public record Problem(Path file, int line, int column, String message) {
        @Override
        public String toString() {
            return (line > 0 ? file + ":" + line + (column > 0 ? ":" + column : "") : file.toString()) + ": " + message;
        }
    }
}
