package org.chemfit.atoms;

import org.chemfit.EvaluationCancelledException;

/**
 * Stops the long loops of this package (a relaxation's steps, the zero-pressure search of a
 * crystal, a pair sum over the images of a large or small cell) when their thread is interrupted,
 * as a fit does when it is stopped (Ctrl-C, SIGTERM) or a term of the same evaluation fails under
 * RAISE: they throw {@link EvaluationCancelledException}, which the fit treats as a cancelled
 * evaluation, not a failed term. The interrupt flag is read, not cleared, so that the caller sees
 * it too.
 *
 * <pre>{@code
 * Cancellation.check("the relaxation of ", atoms);   // once per step
 * }</pre>
 *
 * @implNote Stateless. A check is one read of the thread's interrupt flag, and the message is built
 *     only when it is set: a check per relaxation step, per slab of a pair sum or per shell of
 *     reciprocal vectors costs nothing measurable beside the arithmetic it guards.
 */
final class Cancellation {

    private Cancellation() {}

    /**
     * @param what what is stopped, before its subject ({@code "the relaxation of "})
     * @param subject what it works on (a structure, a crystal's file)
     * @throws EvaluationCancelledException {@code WHAT SUBJECT was interrupted}, when the calling
     *     thread is interrupted; its flag stays set
     */
    static void check(String what, Object subject) {
        if (Thread.currentThread().isInterrupted()) {
            throw new EvaluationCancelledException(what + subject + " was interrupted");
        }
    }
}
