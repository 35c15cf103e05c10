package org.chemfit.support;

import java.util.List;
import java.util.Objects;
import org.chemfit.journal.JournalMismatchException;
import org.jspecify.annotations.Nullable;

/**
 * Lets the Fitter throw a {@link JournalMismatchException}, whose constructor its package keeps
 * to itself (ChemFit throws it, callers catch it): the exception's class hands this class its
 * constructor once, when it is initialized.
 *
 * <pre>{@code
 * throw ResumeRefusal.create("cannot resume run 1: ...", 1, List.of("evaluation 0, term 'y': ..."));
 * }</pre>
 *
 * @implNote Thread-safe: the factory is set once.
 */
public final class ResumeRefusal {

    /** Makes the exception from its message, run and changes. */
    @FunctionalInterface
    public interface Factory {
        /**
         * @param message the full message
         * @param runId the run that was not resumed
         * @param changes one line per change
         * @return the exception
         */
        JournalMismatchException create(String message, long runId, List<String> changes);
    }

    private static volatile @Nullable Factory factory;

    private ResumeRefusal() {}

    /**
     * Called once by {@link JournalMismatchException}'s class when it is initialized.
     *
     * @param f the exception's constructor
     * @throws IllegalStateException when a factory was set already
     */
    public static synchronized void factory(Factory f) {
        if (factory != null) {
            throw new IllegalStateException("the factory of the refusals is set once, by their class");
        }
        factory = Objects.requireNonNull(f, "factory");
    }

    /**
     * @param message the full message
     * @param runId the run that was not resumed
     * @param changes one line per change
     * @return the exception, to throw
     */
    public static JournalMismatchException create(String message, long runId, List<String> changes) {
        Factory f = factory;
        if (f == null) {
            try {
                // initializing the exception's class sets the factory
                Class.forName(JournalMismatchException.class.getName(), true, ResumeRefusal.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            f = Objects.requireNonNull(factory, "the factory of the refusals");
        }
        return f.create(message, runId, changes);
    }
}
