package org.chemfit.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.chemfit.BatchObjectiveFunction;
import org.chemfit.ChemFitException;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.chemfit.TermRecorder;

import com.hazelcast.core.HazelcastInstance;

/**
 * Evaluates the terms of a combined objective on the members of a Hazelcast cluster: the
 * counterpart of ChemFit's {@code MPIWrapperCOB}. Every member builds the same objective from
 * the same job (as every MPI rank does); only parameters and results travel. Every leaf term of
 * every request is one task, and a free member takes the next task, so a batch of evaluations
 * keeps every worker busy. Results are reduced in term order with the objective's own
 * {@code reduce}, so the loss and the per-term breakdown are the same, bit for bit, as serial
 * evaluation's. Each term's context records the member that ran it ({@code member},
 * {@code member_address}), for the journal.
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
 * {@link ClusterOptions#memberWait()} for one to join, then the evaluation fails with a message
 * saying so. A member that cannot prove the shared secret gets no tasks; frames whose HMAC
 * fails are refused and logged. One driver per cluster name.
 *
 * <p>When a term fails, its objective's {@link org.chemfit.FailurePolicy} decides, as in serial
 * evaluation: under RAISE {@link #evaluate(Parameters)} throws the {@link TermFailedException}
 * of the first failed term in term order (every term still runs).
 *
 * @implNote Thread-safe: many evaluations may run at once. It owns its dispatching threads and
 *     stops them on {@link #close()}; it does not shut down the Hazelcast member it was given.
 *     Cancelling an evaluation (or interrupting the thread that waits for it) drops its tasks
 *     that did not start and tells the workers to interrupt the terms that did.
 */
public final class ClusterWrapperCOB implements BatchObjectiveFunction, AutoCloseable {

    private final CombinedObjectiveFunction combined;
    private final Dispatcher dispatcher;

    /**
     * Drives the cluster with the secret from the environment ({@link ClusterSecret#fromEnvironment()})
     * and the default options: the driver only dispatches, and waits up to two minutes for a worker.
     *
     * @param combined the objective; every worker builds the same
     * @param member a running member of the cluster, made with {@link ClusterMemberConfig#newMember()}
     * @throws IllegalStateException when no secret is set or another driver runs on the cluster
     */
    public ClusterWrapperCOB(CombinedObjectiveFunction combined, HazelcastInstance member) {
        this(combined, member, ClusterOptions.builder(ClusterSecret.fromEnvironment()).build());
    }

    /**
     * @param combined the objective; every worker builds the same
     * @param member a running member of the cluster
     * @param options the secret, local threads and member wait
     * @throws IllegalStateException when another driver runs on the cluster
     */
    public ClusterWrapperCOB(CombinedObjectiveFunction combined, HazelcastInstance member, ClusterOptions options) {
        this.combined = Objects.requireNonNull(combined, "combined");
        this.dispatcher = new Dispatcher(Objects.requireNonNull(member, "member"), combined, Objects.requireNonNull(options, "options"));
    }

    /** @return the wrapped objective */
    public CombinedObjectiveFunction combined() {
        return combined;
    }

    @Override
    public String name() {
        return combined.name();
    }

    /** @return what was dispatched, re-queued and refused so far */
    public ClusterStats stats() {
        return dispatcher.stats();
    }

    /**
     * @throws TermFailedException when a term failed under the RAISE policy
     * @throws EvaluationCancelledException when the calling thread is interrupted
     * @throws ChemFitException when no worker could run a task (see {@link ClusterOptions#memberWait()})
     */
    @Override
    public double evaluate(Parameters params) {
        return evaluate(params, new EvaluationContext(params));
    }

    /**
     * @throws TermFailedException when a term failed under the RAISE policy
     * @throws EvaluationCancelledException when the calling thread is interrupted
     * @throws ChemFitException when no worker could run a task
     */
    @Override
    public double evaluate(Parameters params, EvaluationContext ctx) {
        CompletableFuture<Double> f = evaluateAsync(params, ctx);
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new EvaluationCancelledException("evaluation " + ctx.evaluationId() + " was interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new ChemFitException("evaluation " + ctx.evaluationId() + " failed: " + c, c);
        }
    }

    /**
     * Starts an evaluation.
     *
     * @param params the parameters
     * @return the loss, or a failure: a {@link TermFailedException} under RAISE, a
     *     {@link ChemFitException} when no worker could run a task. Cancelling it drops the
     *     evaluation's tasks.
     */
    public CompletableFuture<Double> evaluateAsync(Parameters params) {
        return evaluateAsync(params, new EvaluationContext(params));
    }

    /**
     * Starts an evaluation that fills {@code ctx}.
     *
     * @param params the parameters
     * @param ctx a fresh context for them
     * @return the loss, or a failure as {@link #evaluateAsync(Parameters)}
     * @throws IllegalStateException when closed or {@code ctx} already holds terms
     */
    public CompletableFuture<Double> evaluateAsync(Parameters params, EvaluationContext ctx) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(ctx, "ctx");
        Request r = new Request(params, ctx);
        r.start();
        return r.future;
    }

    /**
     * Evaluates every request at once: all their leaf terms go to the cluster together.
     *
     * @throws EvaluationCancelledException when the calling thread is interrupted; every task of
     *     the batch is then dropped
     */
    @Override
    public void evaluateMany(List<EvaluationContext> requests) {
        List<CompletableFuture<Double>> futures = new ArrayList<>(requests.size());
        for (EvaluationContext ctx : requests) {
            futures.add(evaluateAsync(ctx.parameters(), ctx));
        }
        for (int i = 0; i < futures.size(); i++) {
            EvaluationContext ctx = requests.get(i);
            try {
                futures.get(i).get();
            } catch (InterruptedException e) {
                futures.forEach(f -> f.cancel(true));
                Thread.currentThread().interrupt();
                throw new EvaluationCancelledException("batch of " + requests.size() + " evaluations was interrupted", e);
            } catch (ExecutionException e) {
                if (ctx.status() != EvaluationContext.Status.FAILED || ctx.failure() == null) {
                    ctx.setFailure(e.getCause());
                    ctx.setStatus(EvaluationContext.Status.FAILED);
                }
            }
        }
    }

    /** Stops dispatching; evaluations still running fail. The Hazelcast member stays up. */
    @Override
    public void close() {
        dispatcher.close();
    }

    @Override
    public String toString() {
        return "ClusterWrapperCOB[" + combined + "]";
    }

    /** One evaluation: its tree of combined objectives, flattened into leaf tasks. */
    private final class Request {
        final Parameters params;
        final EvaluationContext ctx;
        final CompletableFuture<Double> future = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterrupt) {
                boolean c = super.cancel(mayInterrupt);
                if (c) {
                    dropTasks();
                }
                return c;
            }
        };
        final List<Leaf> leaves = new ArrayList<>();
        final List<Dispatcher.Entry> entries = new ArrayList<>();

        Request(Parameters params, EvaluationContext ctx) {
            this.params = params;
            this.ctx = ctx;
        }

        void start() {
            Node root = new Node(combined, ctx, null, -1);
            flatten(root);
            List<Leaf> toSend = new ArrayList<>();
            for (Leaf l : leaves) {
                TermRecorder rec = l.context.recorder();
                TermRecorder.Recorded rc = rec == null ? null : rec.lookup(l.context);
                if (rc == null) {
                    toSend.add(l);
                } else {
                    // replay as CombinedObjectiveFunction.runTerm does: the journal already holds it
                    long start = EvaluationContext.nowEpochNanos();
                    l.context.setQuantities(rc.quantities());
                    l.context.metadata().putAll(rc.metadata());
                    l.context.setLoss(rc.value());
                    l.context.setStatus(EvaluationContext.Status.REPLAYED);
                    l.context.setTiming(start, 0, Thread.currentThread().getName());
                }
            }
            synchronized (this) {
                for (Leaf l : toSend) {
                    entries.add(dispatcher.submit(l));
                }
            }
            for (Leaf l : leaves) {
                if (!toSend.contains(l)) {
                    l.node.childDone();
                }
            }
        }

        void flatten(Node node) {
            node.cob.prepare(node.ctx);
            List<ObjectiveFunction> terms = node.cob.terms();
            for (int i = 0; i < terms.size(); i++) {
                EvaluationContext child = node.ctx.child(i);
                if (terms.get(i) instanceof CombinedObjectiveFunction c) {
                    flatten(new Node(c, child, node, i));
                } else {
                    leaves.add(new Leaf(node, i, child));
                }
            }
        }

        synchronized void dropTasks() {
            for (Dispatcher.Entry e : entries) {
                dispatcher.cancel(e);
            }
        }

        void fail(Throwable t) {
            if (future.completeExceptionally(t)) {
                dropTasks();
            }
        }

        /** A combined objective of the tree, with a count of its terms still running. */
        final class Node {
            final CombinedObjectiveFunction cob;
            final EvaluationContext ctx;
            final Node parent;
            final int index;
            final AtomicInteger remaining;
            final long startEpochNanos = EvaluationContext.nowEpochNanos();
            final long t0 = System.nanoTime();

            Node(CombinedObjectiveFunction cob, EvaluationContext ctx, Node parent, int index) {
                this.cob = cob;
                this.ctx = ctx;
                this.parent = parent;
                this.index = index;
                this.remaining = new AtomicInteger(cob.size());
            }

            void childDone() {
                if (remaining.decrementAndGet() != 0) {
                    return;
                }
                if (parent == null) {
                    try {
                        future.complete(cob.reduce(ctx));
                    } catch (RuntimeException e) {
                        future.completeExceptionally(e);
                    }
                    return;
                }
                // as runTerm records a nested combined objective in its parent
                try {
                    double v = cob.reduce(ctx);
                    ctx.setLoss(v);
                    ctx.setFailure(null);
                    ctx.setStatus(EvaluationContext.Status.OK);
                } catch (RuntimeException e) {
                    ctx.setFailure(TermFailedException.wrap(parent.cob.termNames().get(index), index, params, e));
                    ctx.setStatus(EvaluationContext.Status.FAILED);
                }
                ctx.setTiming(startEpochNanos, System.nanoTime() - t0, Thread.currentThread().getName());
                parent.childDone();
            }
        }

        /** A leaf term, as the dispatcher sees it. */
        final class Leaf implements RemoteLeaf {
            final Node node;
            final int index;
            final EvaluationContext context;

            Leaf(Node node, int index, EvaluationContext context) {
                this.node = node;
                this.index = index;
                this.context = context;
            }

            @Override
            public String evaluationId() {
                return ctx.evaluationId();
            }

            @Override
            public int[] path() {
                String p = context.path();
                String[] parts = p.split("\\.");
                int[] out = new int[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    out[i] = Integer.parseInt(parts[i]);
                }
                return out;
            }

            @Override
            public String termName() {
                return node.cob.termNames().get(index);
            }

            @Override
            public Parameters parameters() {
                return params;
            }

            @Override
            public EvaluationContext context() {
                return context;
            }

            @Override
            public void completed() {
                TermRecorder rec = context.recorder();
                if (rec != null) {
                    try {
                        rec.finished(context);
                    } catch (RuntimeException e) {
                        fail(new ChemFitException("recording term " + context.path() + " of " + ctx.evaluationId()
                                + " failed: " + e.getMessage(), e));
                        return;
                    }
                }
                node.childDone();
            }

            @Override
            public void failed(ChemFitException cause) {
                context.setFailure(cause);
                context.setStatus(EvaluationContext.Status.FAILED);
                ctx.setFailure(cause);
                ctx.setStatus(EvaluationContext.Status.FAILED);
                fail(cause);
            }
        }
    }

}
