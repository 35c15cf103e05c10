package org.chemfit.cluster;

import org.chemfit.ChemFitException;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;

/** One leaf term of one evaluation, as the {@link Dispatcher} hands it out. */
interface RemoteLeaf {

    /** @return the evaluation id of the request */
    String evaluationId();

    /** @return the term indices from the root to the leaf */
    int[] path();

    /** @return the leaf's name in its parent */
    String termName();

    /** @return the parameters of the request */
    Parameters parameters();

    /** @return the leaf's context, filled from the result before {@link #completed()} */
    EvaluationContext context();

    /** Called once, after the result was copied into {@link #context()}. */
    void completed();

    /**
     * Called once instead of {@link #completed()} when the task could not run at all.
     *
     * @param cause why
     */
    void failed(ChemFitException cause);
}
