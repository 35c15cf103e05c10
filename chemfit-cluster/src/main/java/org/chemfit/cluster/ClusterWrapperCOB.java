package org.chemfit.cluster;

import com.hazelcast.core.HazelcastInstance;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import org.chemfit.ChemFitException;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.internal.DispatchScheduler;
import org.chemfit.internal.LeafTask;
import org.chemfit.internal.TaskRunner;
import org.chemfit.schedule.AbstractWrapperCOB;

/**
 * Evaluates the terms of a combined objective on the members of a Hazelcast cluster: the
 * counterpart of ChemFit's {@code MPIWrapperCOB}. Every member builds the same objective from
 * the same job (as every MPI rank does); only parameters and results travel. Every leaf term of
 * every request is one task, and a free member takes the next task, so a batch of evaluations
 * keeps every worker busy. Results are reduced in term order with the objective's own
 * {@code reduce}, so the loss and the per-term breakdown are the same, bit for bit, as serial
 * evaluation's. Each term's context records the member that ran it ({@code member},
 * {@code member_address}), for the journal. A task goes to its member in one call and its result
 * is that call's response; terms far shorter than that round trip, once timed, go a few to a call.
 *
 * <pre>{@code
 * HazelcastInstance member = ClusterMemberConfig.builder("fit-42").join(List.of("node01")).build().newMember();
 * try (ClusterWrapperCOB cob = new ClusterWrapperCOB(combined, member)) {   // secret from CHEMFIT_CLUSTER_SECRET
 *     FitResult r = new Fitter(cob, initial).fit();
 * } finally {
 *     member.shutdown();
 * }
 * }</pre>
 *
 * <p>Faults: a member that leaves or dies has its tasks run by another; a result that arrives
 * twice counts once. With no worker in the cluster, tasks wait up to
 * {@link ClusterOptions#memberWait()} for one to join; then each waiting term fails with a
 * message saying so (and so does every term dispatched while still no worker is there). A member
 * that cannot prove the shared secret gets no tasks; frames whose HMAC fails are refused and
 * logged. One driver per cluster name.
 *
 * <p>The scheduling (flattening nested objectives, reducing in term order, cancelling) is the
 * same as {@code AsyncWrapperCOB}'s (both extend {@link AbstractWrapperCOB}): this class only
 * supplies where the leaf tasks run. When a term fails, its objective's
 * {@link org.chemfit.FailurePolicy} decides, as in serial evaluation: under RAISE
 * {@link #evaluate(Parameters)} throws the {@link org.chemfit.TermFailedException} of the first term to fail;
 * every other term of the evaluation is cancelled at once (on the workers too).
 *
 * @implNote Thread-safe: many evaluations may run at once. It owns its dispatching threads and
 *     stops them on {@link #close()}; it does not shut down the Hazelcast member it was given.
 *     Cancelling an evaluation (or interrupting the thread that waits for it) drops its tasks
 *     that did not start and tells the workers to interrupt the terms that did.
 */
public final class ClusterWrapperCOB extends AbstractWrapperCOB {

    private final Dispatcher dispatcher;

    /**
     * Drives the cluster with the secret from the environment ({@link ClusterSecret#fromEnvironment()})
     * and the default options: the driver only dispatches, and waits up to two minutes for a worker.
     *
     * @param combined the objective; every worker builds the same
     * @param member a running member of the cluster, made with {@link ClusterMemberConfig#newMember()}
     * @throws IllegalStateException when no secret is set or another driver runs on the cluster
     * @throws IllegalArgumentException when the member was not made by {@link ClusterMemberConfig}
     */
    public ClusterWrapperCOB(CombinedObjectiveFunction combined, HazelcastInstance member) {
        this(
                combined,
                member,
                ClusterOptions.builder(ClusterSecret.fromEnvironment()).build());
    }

    /**
     * @param combined the objective; every worker builds the same
     * @param member a running member of the cluster, made with {@link ClusterMemberConfig}
     * @param options the secret, local threads and member wait
     * @throws IllegalStateException when another driver runs on the cluster
     * @throws IllegalArgumentException when the member was not made by {@link ClusterMemberConfig}
     */
    public ClusterWrapperCOB(CombinedObjectiveFunction combined, HazelcastInstance member, ClusterOptions options) {
        this(
                combined,
                new Dispatcher(
                        Objects.requireNonNull(member, "member"),
                        Objects.requireNonNull(combined, "combined"),
                        Objects.requireNonNull(options, "options")),
                member.getConfig().getClusterName());
    }

    private ClusterWrapperCOB(CombinedObjectiveFunction combined, Dispatcher dispatcher, String clusterName) {
        // flattening, reducing in term order and cancelling live once, in the scheduler; this class
        // only supplies where the leaf tasks run
        super(combined, new DispatchScheduler(new Runner(dispatcher, clusterName)));
        this.dispatcher = dispatcher;
    }

    /** @return the combined objective this cluster evaluates */
    public CombinedObjectiveFunction combined() {
        return objective();
    }

    /** @return what was dispatched, re-queued and refused so far */
    public ClusterStats stats() {
        return dispatcher.stats();
    }

    /** @return the driver's side of the protocol (tests feed it frames) */
    Dispatcher dispatcher() {
        return dispatcher;
    }

    @Override
    protected boolean isClosed() {
        return dispatcher.isClosed();
    }

    /** Stops dispatching; evaluations still running fail. The Hazelcast member stays up. */
    @Override
    public void close() {
        dispatcher.close();
    }

    /** Where the scheduler's leaf tasks go: to the dispatcher, and from there to the members. */
    private static final class Runner implements TaskRunner {
        private final Dispatcher dispatcher;
        private final String clusterName;

        Runner(Dispatcher dispatcher, String clusterName) {
            this.dispatcher = dispatcher;
            this.clusterName = clusterName;
        }

        @Override
        public void dispatch(LeafTask task) {
            if (dispatcher.isClosed()) {
                throw new RejectedExecutionException("the cluster objective is closed");
            }
            if (!task.tryStart()) {
                return; // cancelled already, or replayed from the journal
            }
            Dispatcher.Entry e = dispatcher.submit(new Leaf(task));
            task.onCancel(() -> dispatcher.cancel(e));
        }

        @Override
        public String toString() {
            return "cluster '" + clusterName + "'";
        }
    }

    /** A leaf task as the dispatcher sees it. */
    private static final class Leaf implements RemoteLeaf {
        private final LeafTask task;

        Leaf(LeafTask task) {
            this.task = task;
        }

        @Override
        public String evaluationId() {
            return task.evaluationId();
        }

        @Override
        public int[] path() {
            return task.path();
        }

        @Override
        public String termName() {
            return task.termName();
        }

        @Override
        public Parameters parameters() {
            return task.parameters();
        }

        @Override
        public EvaluationContext context() {
            return task.context();
        }

        @Override
        public void completed() {
            task.complete();
        }

        @Override
        public void failed(ChemFitException cause) {
            task.fail(cause);
        }
    }
}
