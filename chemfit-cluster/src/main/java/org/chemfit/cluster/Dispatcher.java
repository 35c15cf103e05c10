package org.chemfit.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.map.IMap;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.chemfit.ChemFitException;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.support.Reasons;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's side of the cluster protocol: hands leaf tasks to free members, collects their
 * results, hands the tasks of a member that left to another, and drops duplicate results.
 *
 * <p>Tasks wait in a local deque. A worker puts one signed ready token per free thread in a
 * shared queue; the token thread checks each at once (a member whose token fails the HMAC check
 * is refused and gets nothing) and queues it as a free slot; the dispatcher thread pairs the next
 * slot with the next task and sends the task straight to that member ({@link RunTask}, one call of
 * Hazelcast's executor service), recording the member as the task's owner. The call's response is
 * the signed result, and says that the member's thread is free: on the thread that receives it,
 * once its HMAC holds, the member is queued as a free slot again (one network round trip per task,
 * no shared queue in between), and the result goes to the collector thread, which checks its
 * evaluation id and task id and completes the task once: a result for a task already done is
 * dropped. When a member leaves, every task it owned goes back to the front of the deque.
 */
final class Dispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final long POLL_MS = 100;
    /**
     * Short terms go to a worker thread together, up to this much of their measured run time in
     * one call (and {@link #MAX_BATCH} tasks): one round trip then serves several of them.
     */
    static final long BATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Most tasks sent in one call. */
    static final int MAX_BATCH = 16;
    /**
     * Calls that may come back without a result that can be taken, from members still there,
     * before the task fails with the reason instead of going to a member again.
     */
    static final int MAX_FAILED_CALLS = 3;
    /**
     * Runs a response's handling on the thread that completes the call: with the members'
     * configuration that is the I/O thread that read the response, one thread hand-off less.
     * Only short, local, non-blocking work runs there.
     */
    private static final Executor ON_RESPONSE_THREAD = Runnable::run;

    /** A task in flight. */
    static final class Entry {
        final long seq;
        final RemoteLeaf leaf;
        final Frames.Task task;
        final byte[] frame;
        /** The term, for its measured run time. */
        final String termKey;

        final AtomicBoolean done = new AtomicBoolean();
        volatile @Nullable UUID owner;
        /** Run by one of the driver's own threads. */
        volatile boolean local;
        /** The driver thread running it, to interrupt on cancel; guarded by the entry. */
        @Nullable
        Thread localThread;
        /** Cancelled: finished without taking a result. */
        volatile boolean cancelled;
        /** The tasks of the call that last carried it (their list's identity); guarded by the entry. */
        @Nullable
        Object call;
        /** Calls that came back without a result that could be taken; guarded by the entry. */
        int failedCalls;

        final long queuedNanos = System.nanoTime();

        Entry(long seq, RemoteLeaf leaf, Frames.Task task, byte[] frame) {
            this.seq = seq;
            this.leaf = leaf;
            this.task = task;
            this.frame = frame;
            this.termKey = LeafRun.pathString(task.path());
        }
    }

    private final HazelcastInstance hz;
    private final CombinedObjectiveFunction root;
    private final ClusterSecret secret;
    /** The fingerprint of the driver's job: in every frame it sends, required in every frame it reads. */
    private final String job;

    private final int localThreads;
    private final Duration memberWait;
    /** Told why the waiting tasks fail each time the member wait runs out, or null. */
    private final java.util.function.@Nullable Consumer<String> onNoWorker;

    private final long session;
    private final UUID self;
    private final String selfAddress;
    /** Typed Object: a foreign member may put anything there, and it is refused, not cast. */
    private final IQueue<Object> ready;

    /** Carries each task to its member; the response is its result. */
    private final IExecutorService runner;
    /** Result frames whose HMAC held (as {@link Arrival}s), and deferred work, for the collector. */
    private final LinkedBlockingQueue<Object> arrived = new LinkedBlockingQueue<>();

    private final com.hazelcast.topic.ITopic<Object> cancels;
    private final IMap<String, String> control;
    private final IMap<String, String> refusedMap;
    private final String driverValue;
    private final UUID listenerId;

    private final LinkedBlockingDeque<Entry> pending = new LinkedBlockingDeque<>();
    /** Free worker threads, by member, in the order their tokens came. */
    private final LinkedBlockingDeque<UUID> slots = new LinkedBlockingDeque<>();

    private final Map<Long, Entry> outstanding = new ConcurrentHashMap<>();
    /** Term path to the moving average of its run time on the workers, in nanoseconds. */
    private final Map<String, Long> termNanos = new ConcurrentHashMap<>();

    private final Map<UUID, String> verified = new ConcurrentHashMap<>();
    /** Members refused for another job: their tokens' tags held, so the ids are their own. */
    private final Set<String> refusedForJob = ConcurrentHashMap.newKeySet();
    /**
     * The member ids claimed by ready tokens that could not be verified ({@code "an unknown
     * sender"} for one whose id could not be read), at most {@link #UNVERIFIED_TRACKED}: kept apart
     * from {@link #refusedForJob}, so that a forged token that claims a member cannot keep that
     * member's own refusal from being said.
     */
    private final Set<String> unverifiedClaims = ConcurrentHashMap.newKeySet();
    /** Tokens that could not be verified, claiming a sender beyond the first {@link #UNVERIFIED_TRACKED}. */
    private final LongAdder unverifiedUntracked = new LongAdder();
    /** Whether a token that could not be verified failed its tag (a wrong secret). */
    private volatile boolean unverifiedBySecret;
    /** Whether a token whose tag held could not be read (another version of chemfit, likely). */
    private volatile boolean unverifiedByVersion;
    /**
     * Refused worker (named from its verified member) to why, in short, in the order they were
     * refused: for the member wait's failure.
     */
    private final Map<String, String> refusals = Collections.synchronizedMap(new LinkedHashMap<>());
    /** Why the ready tokens that could not be verified failed, in short, one per sender claimed (tracked). */
    private final List<String> unverifiedRefusals = new CopyOnWriteArrayList<>();

    private final Map<String, LongAdder> completed = new ConcurrentHashMap<>();
    private final LongAdder requeued = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder refusedFrames = new LongAdder();
    /**
     * At most this many senders claimed by ready tokens that could not be verified are tracked:
     * each is warned about and told why; the tokens that claim others are only counted, so that a
     * flood of forged tokens neither fills the log nor grows the driver's memory.
     */
    static final int UNVERIFIED_TRACKED = 5;
    /** Calls that carried tasks to members (one per task or batch). */
    private final LongAdder calls = new LongAdder();

    /**
     * Tasks handed back because their member left, by member, until {@link #memberLeft} names
     * them in its warning.
     */
    private final Map<UUID, Queue<Entry>> heldByLeaver = new ConcurrentHashMap<>();
    /** Members whose leaving was handled: a task sent to one later never reached it. */
    private final Set<UUID> departed = ConcurrentHashMap.newKeySet();
    /** The worker that left last, as the warning that it left names it; null while none has left. */
    private volatile @Nullable String lastWorkerLeft;
    /** The warnings that members left, as logged. */
    private final List<String> departures = new CopyOnWriteArrayList<>();

    private final AtomicLong seqs = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final java.util.concurrent.ExecutorService canceller =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "chemfit-cluster-cancel");
                t.setDaemon(true);
                return t;
            });
    /** Calls {@link #onNoWorker}: a listener that blocks or throws cannot stop the watchdog. */
    private final java.util.concurrent.ExecutorService noWorkerCalls =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "chemfit-cluster-no-worker");
                t.setDaemon(true);
                return t;
            });

    private volatile boolean closed;
    private volatile long noMemberSince;
    /** Why tasks fail at once: the member wait ran out with no worker; cleared when one comes. */
    private volatile @Nullable String starved;

    Dispatcher(HazelcastInstance hz, CombinedObjectiveFunction root, ClusterOptions options) {
        ClusterMemberConfig.requireOurs(hz);
        this.hz = hz;
        this.root = root;
        this.secret = options.secret();
        this.job = options.jobFingerprint().orElseGet(() -> JobFingerprint.ofObjective(root));
        this.localThreads = options.localThreads();
        this.memberWait = options.memberWait();
        this.onNoWorker = options.onNoWorker();
        long s;
        do {
            s = new SecureRandom().nextLong();
        } while (s == 0);
        this.session = s;
        Member me = hz.getCluster().getLocalMember();
        this.self = me.getUuid();
        this.selfAddress = me.getAddress().getHost() + ":" + me.getAddress().getPort();
        this.ready = hz.getQueue(Channels.READY);
        this.runner = hz.getExecutorService(Channels.RUN);
        this.cancels = hz.getTopic(Channels.CANCEL);
        this.control = hz.getMap(Channels.CONTROL);
        this.refusedMap = hz.getMap(Channels.REFUSED);
        this.driverValue = self + "/" + Long.toHexString(session);
        warnAboutOpenConfig(hz.getConfig());
        register();
        this.listenerId = hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent e) {
                LOG.info(
                        "member {} joined cluster '{}'",
                        describe(e.getMember()),
                        hz.getConfig().getClusterName());
            }

            @Override
            public void memberRemoved(MembershipEvent e) {
                memberLeft(e.getMember());
            }
        });
        threads.add(new Thread(this::tokenLoop, "chemfit-cluster-tokens"));
        threads.add(new Thread(this::dispatchLoop, "chemfit-cluster-dispatch"));
        threads.add(new Thread(this::collectLoop, "chemfit-cluster-collect"));
        threads.add(new Thread(this::watchdogLoop, "chemfit-cluster-watchdog"));
        for (int i = 0; i < localThreads; i++) {
            threads.add(new Thread(this::localLoop, "chemfit-cluster-local-" + i));
        }
        for (Thread t : threads) {
            t.setDaemon(true);
            t.start();
        }
        LOG.info(
                "driver {} of cluster '{}' (session {}) dispatches the {} leaf terms of {}{}",
                selfAddress,
                hz.getConfig().getClusterName(),
                Long.toHexString(session),
                root.leafCount(),
                root,
                localThreads > 0 ? " and runs up to " + localThreads + " itself" : "");
    }

    /** A member not made by {@link ClusterMemberConfig} may reach outside the machine or accept any class. */
    static List<String> openSettings(com.hazelcast.config.Config c) {
        List<String> open = new ArrayList<>();
        if (c.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()) {
            open.add("multicast discovery is on");
        }
        if (!"false".equals(c.getProperty("hazelcast.phone.home.enabled"))) {
            open.add("the phone-home call is not switched off");
        }
        var filter = c.getSerializationConfig().getJavaSerializationFilterConfig();
        if (filter == null
                || filter.getWhitelist().getClasses().isEmpty()
                        && filter.getWhitelist().getPackages().isEmpty()
                        && filter.getWhitelist().getPrefixes().isEmpty()) {
            open.add("Java deserialization is not restricted");
        }
        return open;
    }

    private static void warnAboutOpenConfig(com.hazelcast.config.Config c) {
        List<String> open = openSettings(c);
        if (!open.isEmpty()) {
            LOG.warn(
                    "this cluster member's configuration is open: {}; make members with ClusterMemberConfig",
                    String.join(", ", open));
        }
    }

    /** Claims the driver entry: one driver per cluster. */
    private void register() {
        String old = control.putIfAbsent(Channels.DRIVER_KEY, driverValue);
        while (old != null) {
            UUID other = UUID.fromString(old.substring(0, old.indexOf('/')));
            if (isMember(other)) {
                throw new IllegalStateException("another driver (member " + other + ") is already running on cluster '"
                        + hz.getConfig().getClusterName() + "': run one fit per cluster name");
            }
            if (control.replace(Channels.DRIVER_KEY, old, driverValue)) {
                break;
            }
            old = control.putIfAbsent(Channels.DRIVER_KEY, driverValue);
        }
    }

    private boolean isMember(UUID uuid) {
        for (Member m : hz.getCluster().getMembers()) {
            if (m.getUuid().equals(uuid)) {
                return true;
            }
        }
        return false;
    }

    private @Nullable Member member(UUID uuid) {
        for (Member m : hz.getCluster().getMembers()) {
            if (m.getUuid().equals(uuid)) {
                return m;
            }
        }
        return null;
    }

    /**
     * @param member a member id that is known to be the member's own (a verified frame's, or a
     *     call's target)
     * @return the worker as its failures name it, "worker node07 (10.1.0.7:5701, pid 4242)", from
     *     the attributes of that member in the cluster; "worker at 10.1.0.7:5701 (member ...)" for a
     *     member without them, "member ... (no longer in the cluster)" for one no longer there
     */
    private String workerName(String member) {
        UUID id;
        try {
            id = UUID.fromString(member);
        } catch (IllegalArgumentException e) {
            return "member " + member;
        }
        Member m = member(id);
        return m == null ? "member " + member + " (no longer in the cluster)" : workerName(m);
    }

    /** @return the worker of this member as its failures name it (see {@link #workerName(String)}) */
    static String workerName(Member m) {
        String address = m.getAddress().getHost() + ":" + m.getAddress().getPort();
        String host = m.getAttribute(ClusterMemberConfig.HOST_ATTRIBUTE);
        String pid = m.getAttribute(ClusterMemberConfig.PID_ATTRIBUTE);
        if (host == null || pid == null) {
            return "worker at " + address + " (member " + m.getUuid() + ")";
        }
        return "worker " + host + " (" + address + ", pid " + pid + ")";
    }

    private static String describe(Member m) {
        return m.getUuid() + " at " + m.getAddress().getHost() + ":"
                + m.getAddress().getPort();
    }

    /** @return whether {@link #close()} was called */
    boolean isClosed() {
        return closed;
    }

    /**
     * Queues a leaf task. It is finished exactly once: {@link RemoteLeaf#completed()} with its
     * context filled (or not, when cancelled), or {@link RemoteLeaf#failed} when it could not run.
     */
    Entry submit(RemoteLeaf leaf) {
        long seq = seqs.incrementAndGet();
        Frames.Task t =
                new Frames.Task(session, seq, leaf.evaluationId(), leaf.path(), leaf.termName(), leaf.parameters());
        Entry e = new Entry(seq, leaf, t, Frames.encode(t, secret, job));
        outstanding.put(seq, e);
        if (closed) {
            fail(e, "the cluster objective is closed");
            return e;
        }
        String starvedBy = starved;
        if (starvedBy != null && localThreads == 0 && verified.isEmpty()) {
            // the member wait ran out and still no worker: fail at once rather than wait again per task
            fail(e, starvedBy);
            return e;
        }
        pending.addLast(e);
        return e;
    }

    private void fail(Entry e, String why) {
        if (e.done.compareAndSet(false, true)) {
            outstanding.remove(e.seq);
            e.leaf.failed(new ChemFitException(why));
        }
    }

    /** Finishes a cancelled task without a result. */
    private void finishCancelled(Entry e) {
        if (e.done.compareAndSet(false, true)) {
            outstanding.remove(e.seq);
            e.leaf.completed();
        }
    }

    /**
     * Cancels a task: a waiting one is finished at once without a result; a running one is
     * interrupted (on a worker, by a signed cancel frame) and finished when its member answers
     * or leaves. A result that comes for it is dropped.
     */
    void cancel(Entry e) {
        e.cancelled = true;
        // never finish a task on the thread that cancels it: LeafTask runs this from its cancel
        // hook and waits for the hook to return before it can be finished
        try {
            canceller.execute(() -> cancelNow(e));
        } catch (java.util.concurrent.RejectedExecutionException ex) {
            // closed: close() finishes every task still outstanding
        }
    }

    private void cancelNow(Entry e) {
        if (e.done.get()) {
            return;
        }
        if (pending.remove(e)) {
            finishCancelled(e);
            return;
        }
        synchronized (e) {
            if (e.localThread != null) {
                e.localThread.interrupt();
                return;
            }
        }
        if (e.owner != null && !e.local) {
            try {
                cancels.publish(Frames.encode(new Frames.Cancel(session, e.seq), secret, job));
            } catch (RuntimeException ex) {
                LOG.debug("could not send the cancel of task {}: {}", e.task.id(), ex.toString());
            }
        }
    }

    private void requeue(Entry e, UUID from) {
        requeue(e, from, false);
    }

    /**
     * Hands a task that member {@code from} holds back to the deque.
     *
     * @param left whether it comes back because its member left: it is then recorded for the
     *     warning that the member left, which names the tasks it held whether the call's failure
     *     or the membership event came first
     */
    private void requeue(Entry e, UUID from, boolean left) {
        synchronized (e) {
            if (e.done.get() || !from.equals(e.owner)) {
                return;
            }
            if (left && !e.cancelled && !departed.contains(from)) {
                // recorded before the owner is cleared: memberLeft, which reads the owner, then
                // finds the task either still owned or recorded here
                heldByLeaver
                        .computeIfAbsent(from, k -> new ConcurrentLinkedQueue<>())
                        .add(e);
            }
            e.owner = null;
        }
        if (e.cancelled) {
            later(() -> finishCancelled(e));
            return;
        }
        requeued.increment();
        pending.addFirst(e);
    }

    /**
     * A member left: the tasks it held go back to the deque, and a warning names them. A call to
     * the member may have failed (and handed its tasks back) before this event came, or come after
     * it: the tasks are counted either way, once.
     */
    private void memberLeft(Member m) {
        UUID u = m.getUuid();
        boolean wasWorker = verified.remove(u) != null;
        slots.removeIf(u::equals);
        for (Entry e : outstanding.values()) {
            if (u.equals(e.owner)) {
                requeue(e, u, true);
            }
        }
        departed.add(u);
        Queue<Entry> held = heldByLeaver.remove(u);
        List<Entry> tasks = held == null ? List.of() : List.copyOf(held);
        if (wasWorker) {
            lastWorkerLeft = workerName(m); // as the workers' failures name it
        }
        if (wasWorker || !tasks.isEmpty()) {
            // the driver's own threads take tasks too
            String msg = leftMessage(describe(m), tasks, !verified.isEmpty() || localThreads > 0);
            departures.add(msg);
            LOG.warn(msg);
        }
    }

    /** At most this many tasks are named in the warning that a member left. */
    static final int NAMED_TASKS = 5;

    /**
     * @param member the member, described
     * @param recorded the tasks it held (none, maybe)
     * @param workersLeft whether other workers are still in the cluster to take them
     * @return the warning that a member left holding these tasks
     */
    static String leftMessage(String member, List<Entry> recorded, boolean workersLeft) {
        // a task handed back by a failed call and sent to another thread of the same member before
        // the membership event came is recorded twice: it is one task held
        List<Entry> tasks = List.copyOf(new LinkedHashSet<>(recorded));
        if (tasks.isEmpty()) {
            return "member " + member + " left; it held no task";
        }
        StringBuilder b = new StringBuilder("member ")
                .append(member)
                .append(" left; the ")
                .append(tasks.size())
                .append(
                        workersLeft
                                ? " task(s) it held are handed to other members: "
                                : " task(s) it held wait for a worker to join (it was the last one): ");
        for (int i = 0; i < Math.min(tasks.size(), NAMED_TASKS); i++) {
            Entry e = tasks.get(i);
            Frames.Task t = e.task;
            b.append(i == 0 ? "" : ", ")
                    .append("term ")
                    .append(e.termKey)
                    .append(" '")
                    .append(t.termName())
                    .append("' of evaluation ")
                    .append(t.evaluationId());
        }
        if (tasks.size() > NAMED_TASKS) {
            b.append(" and ").append(tasks.size() - NAMED_TASKS).append(" more");
        }
        return b.toString();
    }

    /** @return the warnings said so far that members left, oldest first */
    List<String> departures() {
        return List.copyOf(departures);
    }

    /** Reads ready tokens as they come: checks each one and queues the verified ones as free slots. */
    private void tokenLoop() {
        while (!closed) {
            try {
                Object item = ready.poll(POLL_MS, TimeUnit.MILLISECONDS);
                if (item == null) {
                    continue;
                }
                Frames.Ready r;
                try {
                    r = Frames.decodeReady(item, secret, job);
                } catch (Frames.JobMismatchException ex) {
                    // the tag held: the member holds the secret but built another job, and the member
                    // id in the token is its own; a token it offered to an earlier driver (of that
                    // other job) is no reason to refuse it here
                    Frames.Ready theirs;
                    try {
                        theirs = Frames.decodeReady(item, secret, ex.theirs);
                    } catch (Frames.RefusedFrameException malformed) {
                        // signed but not readable: its member id cannot be read either
                        refuseUnverified(item, String.valueOf(malformed.getMessage()), true);
                        continue;
                    }
                    if (theirs.session() != session) {
                        continue;
                    }
                    refuse(
                            theirs.member(),
                            "it runs job " + ex.theirs + " but the driver runs job " + ex.ours
                                    + "; start every worker with the driver's job file and the files it reads",
                            "runs another job (fingerprint " + ex.theirs + "; the driver's is " + ex.ours + ")");
                    continue;
                } catch (Frames.RefusedFrameException ex) {
                    refuseUnverified(item, String.valueOf(ex.getMessage()), tagHolds(item));
                    continue;
                }
                if (r.session() != session) {
                    continue; // a token for an earlier driver
                }
                UUID m;
                try {
                    m = UUID.fromString(r.member());
                } catch (IllegalArgumentException ex) {
                    continue;
                }
                Member member = member(m);
                if (member == null) {
                    continue; // it left
                }
                if (verified.putIfAbsent(
                                m,
                                member.getAddress().getHost() + ":"
                                        + member.getAddress().getPort())
                        == null) {
                    LOG.info("member {} proved the cluster secret: it gets tasks", describe(member));
                }
                starved = null;
                slots.addLast(m);
            } catch (InterruptedException ex) {
                return;
            } catch (HazelcastInstanceNotActiveException ex) {
                failAll("the driver's cluster member shut down");
                return;
            } catch (RuntimeException ex) {
                if (!closed) {
                    LOG.warn("reading ready tokens: {}; going on", ex.toString());
                    pause();
                }
            }
        }
    }

    /** Hands the next task (or a batch of short ones) to the next free slot of a member that is still there. */
    private void dispatchLoop() {
        while (!closed) {
            try {
                UUID m = slots.poll(POLL_MS, TimeUnit.MILLISECONDS);
                if (m == null || !isMember(m)) {
                    continue;
                }
                Entry e = null;
                while (!closed && e == null) {
                    e = pending.poll(POLL_MS, TimeUnit.MILLISECONDS);
                    if (e != null && e.done.get()) {
                        e = null;
                    }
                    if (e == null && !isMember(m)) {
                        break;
                    }
                }
                if (e == null) {
                    continue;
                }
                if (!send(batchFrom(e), m)) {
                    slots.addFirst(m);
                }
            } catch (InterruptedException ex) {
                return;
            } catch (HazelcastInstanceNotActiveException ex) {
                failAll("the driver's cluster member shut down");
                return;
            } catch (RuntimeException ex) {
                if (!closed) {
                    LOG.warn("dispatching: {}; going on", ex.toString());
                    pause();
                }
            }
        }
    }

    /**
     * The task {@code first} and the waiting tasks after it that go with it to the same thread: only
     * terms that took less than {@link #BATCH_NANOS} together the last time they ran, so that one
     * round trip serves several terms far shorter than it. A term not yet timed, or a longer one,
     * goes alone, and the tasks are shared among the free slots, so a slow term never waits behind
     * another and no free thread is left idle while tasks wait.
     */
    private List<Entry> batchFrom(Entry first) {
        List<Entry> batch = new ArrayList<>(4);
        batch.add(first);
        long budget = BATCH_NANOS - estimate(first);
        if (budget >= BATCH_NANOS || budget <= 0) {
            return batch;
        }
        int limit = Math.min(MAX_BATCH, 1 + pending.size() / (1 + slots.size()));
        while (batch.size() < limit) {
            Entry next = pending.pollFirst();
            if (next == null) {
                break;
            }
            if (next.done.get()) {
                continue;
            }
            long t = estimate(next);
            if (t < 0 || t > budget) {
                pending.addFirst(next);
                break;
            }
            budget -= t;
            batch.add(next);
        }
        return batch;
    }

    /** @return how long the task's term took the last times it ran (a moving average), or -1 when not yet known */
    private long estimate(Entry e) {
        Long t = termNanos.get(e.termKey);
        return t == null ? -1 : t;
    }

    /**
     * Sends tasks to a free thread of a member, in one call.
     *
     * @return false when every task was cancelled meanwhile: they are finished, and the slot is still free
     */
    private boolean send(List<Entry> tasks, UUID m) {
        List<Entry> batch = new ArrayList<>(tasks.size());
        for (Entry e : tasks) {
            synchronized (e) {
                e.owner = m;
                e.call = batch;
            }
            if (e.cancelled) {
                later(() -> finishCancelled(e));
            } else {
                batch.add(e);
            }
        }
        if (batch.isEmpty()) {
            return false;
        }
        Member member = member(m);
        if (member == null) {
            slots.removeIf(m::equals); // it left: its slots go with it
            batch.forEach(e -> requeue(e, m, true));
            return true;
        }
        List<byte @Nullable []> frames = new ArrayList<>(batch.size());
        batch.forEach(e -> frames.add(e.frame));
        try {
            Future<byte @Nullable []> call = runner.submitToMember(new RunTask(Frames.bundle(frames)), member);
            calls.increment();
            // Hazelcast's futures are CompletableFutures: the response is handled where it arrives
            var unused = ((CompletionStage<?>) call)
                    .whenCompleteAsync(
                            (bundle, failure) -> {
                                try {
                                    Error fault = receiveFault;
                                    if (fault != null) {
                                        receiveFault = null;
                                        throw fault;
                                    }
                                    received(batch, m, bundle instanceof byte[] b ? b : null, failure);
                                } catch (Throwable ex) {
                                    unanswered(batch, m, ex);
                                }
                            },
                            ON_RESPONSE_THREAD);
        } catch (RuntimeException ex) {
            LOG.debug("could not hand {} task(s) to {}: {}", batch.size(), m, ex.toString());
            if (closed || gone(ex) || !isMember(m)) {
                slots.removeIf(m::equals);
                batch.forEach(e -> requeue(e, m, !closed));
            } else {
                batch.forEach(e -> retryOrFail(e, m, "it could not be sent: " + Reasons.of(ex)));
                slots.addLast(m);
            }
        }
        return true;
    }

    /**
     * Thrown once by the next response's handling, before it reads the response: for tests only. No
     * input reaches {@link #unanswered} otherwise (it handles a fault of the driver's own code in
     * {@link #received}), so a test sets this to show that the tasks then end and the slot serves on.
     */
    volatile @Nullable Error receiveFault;

    /**
     * The handling of a response to member {@code m} failed (a fault of the driver): a task left
     * waiting would hold its evaluation for ever, so each one still held by that call fails, on the
     * collector thread; one re-queued or sent again meanwhile is left to that. The member's thread
     * served the call, so it is offered the next task if the member is still there.
     */
    private void unanswered(List<Entry> batch, UUID m, Throwable ex) {
        for (Entry e : batch) {
            boolean held;
            synchronized (e) {
                // the same synchronisation as requeue and retryOrFail, which clear the owner
                held = !e.done.get() && e.call == batch && m.equals(e.owner);
            }
            if (held) {
                later(() -> internalError(e, m, ex, false));
            }
        }
        try {
            if (!closed && isMember(m)) {
                slots.addLast(m);
            }
        } catch (RuntimeException gone) {
            LOG.debug("member {} after a failed response: {}", m, gone.toString());
        }
    }

    /** Runs on the collector thread: what may run the evaluation's own completion, off the response thread. */
    private void later(Runnable r) {
        arrived.add(r);
    }

    /**
     * The response to tasks sent to member {@code m}: the bundle of their signed results,
     * {@code null} when the member serves no task, or why the call failed. Runs on the thread that
     * completed the call. A task without a verified result goes to another member.
     */
    private void received(List<Entry> batch, UUID m, byte @Nullable [] bundle, @Nullable Throwable failure) {
        if (failure == null && bundle == null) {
            // its worker stopped or refused: no task goes to it until it offers its threads again
            LOG.info("member {} did not run {} task(s) (its worker stopped or refused them)", m, batch.size());
            verified.remove(m);
            slots.removeIf(m::equals);
            batch.forEach(e -> requeue(e, m));
            return;
        }
        if (failure != null) {
            if (closed || gone(failure) || !isMember(m)) {
                // other members run them; the member's other threads went with it, so none of
                // them is offered the tasks handed back
                slots.removeIf(m::equals);
                batch.forEach(e -> requeue(e, m, !closed));
                return;
            }
            LOG.warn("{} task(s) on member {} failed: {}", batch.size(), m, failure.toString());
            batch.forEach(e -> retryOrFail(e, m, "the call failed: " + Reasons.of(failure)));
            slots.addLast(m); // the member answered: its thread serves the next task
            return;
        }
        if (bundle == null) {
            return; // both cases above returned; for the null checker
        }
        List<byte @Nullable []> results;
        try {
            results = Frames.unbundle(bundle);
            if (results.size() != batch.size()) {
                throw new Frames.RefusedFrameException(results.size() + " results for " + batch.size() + " tasks");
            }
        } catch (Frames.RefusedFrameException ex) {
            refusedFrames.increment();
            LOG.warn("refused the response of member {}: {}", m, ex.getMessage());
            batch.forEach(e -> retryOrFail(e, m, "its response was refused: " + ex.getMessage()));
            slots.addLast(m);
            return;
        }
        boolean stopped = false;
        for (int i = 0; i < batch.size(); i++) {
            Entry e = batch.get(i);
            byte[] frame = results.get(i);
            if (frame == null) {
                LOG.info("member {} did not run task {} (its worker stopped or refused it)", m, e.task.id());
                stopped = true;
                requeue(e, m);
                continue;
            }
            try {
                Frames.check(frame, secret);
            } catch (Frames.RefusedFrameException ex) {
                refusedFrames.increment();
                LOG.warn("refused the result of task {} from member {}: {}", e.task.id(), m, ex.getMessage());
                retryOrFail(e, m, "its result was refused: " + ex.getMessage());
                continue;
            }
            arrived.add(new Arrival(frame, e, m));
        }
        if (stopped) {
            // its worker is stopping: no task goes to it until it offers its threads again
            verified.remove(m);
            slots.removeIf(m::equals);
        } else {
            // the member's thread is free: the dispatch thread sends its next task (Hazelcast
            // makes no remote call from the I/O thread that runs this)
            slots.addLast(m);
        }
    }

    /** A result frame whose HMAC held, with the task it answers and the member that sent it. */
    private record Arrival(byte[] frame, Entry entry, UUID member) {}

    /** @return whether a call failed because its member left or this member stopped */
    private static boolean gone(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof com.hazelcast.core.MemberLeftException
                    || t instanceof com.hazelcast.spi.exception.TargetNotMemberException
                    || t instanceof HazelcastInstanceNotActiveException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /**
     * A call that carried a task came back without a result that can be taken, from a member that
     * is still there (the call failed, or the result was refused): the task goes to a member again,
     * and fails with the reason after {@value #MAX_FAILED_CALLS} such calls, so that a task that
     * cannot be answered (a result too large to send, say) ends under the failure policy instead of
     * going from member to member for ever.
     */
    private void retryOrFail(Entry e, UUID from, String why) {
        int failures;
        synchronized (e) {
            if (e.done.get() || !from.equals(e.owner)) {
                return;
            }
            e.owner = null;
            failures = ++e.failedCalls;
        }
        if (e.cancelled) {
            later(() -> finishCancelled(e));
            return;
        }
        if (failures >= MAX_FAILED_CALLS) {
            String msg = "term " + LeafRun.pathString(e.task.path()) + " '" + e.task.termName() + "' of evaluation "
                    + e.task.evaluationId() + " got no result that could be taken from " + failures
                    + " calls to workers; the last: " + why;
            LOG.warn(msg);
            later(() -> fail(e, msg));
            return;
        }
        requeued.increment();
        pending.addFirst(e);
    }

    /** Takes a result that arrived for a task: refused ones send the task again, or fail it. */
    private void take(Arrival a) {
        try {
            takeChecked(a);
        } catch (Throwable ex) {
            internalError(a.entry(), a.member(), ex, false);
        }
    }

    private void takeChecked(Arrival a) {
        Entry e = a.entry();
        Frames.Result r;
        try {
            r = Frames.decodeResult(a.frame(), secret, job);
        } catch (Frames.RefusedFrameException ex) {
            refusedFrames.increment();
            LOG.warn("refused a result frame: {}", ex.getMessage());
            retryOrFail(e, a.member(), "its result was refused: " + ex.getMessage());
            return;
        }
        if (r.session() != session || r.seq() != e.seq || !e.task.evaluationId().equals(r.evaluationId())) {
            refusedFrames.increment();
            String why = "the result answers task " + r.seq() + " of evaluation '" + r.evaluationId() + "' (session "
                    + r.session() + "), not this task";
            LOG.warn("refused a result for task {}: {}", e.task.id(), why);
            retryOrFail(e, a.member(), why);
            return;
        }
        finish(e, r);
    }

    /** @return how many calls carried tasks to members so far (a batch of short tasks is one) */
    long calls() {
        return calls.sum();
    }

    /** A result frame as if a member's response had carried it (tests of the collector's checks). */
    void receive(Object frame) {
        arrived.add(frame);
    }

    /**
     * Refuses a member whose ready token held the secret's tag but not the driver's job: the member
     * id in the token is verified, and the worker is named from that member's attributes.
     *
     * @param member the member id of the verified token
     * @param reason what the member is told, and the driver's warning says
     * @param brief the same in a few words, for the failure when the member wait runs out
     */
    private void refuse(String member, String reason, String brief) {
        refusedFrames.increment();
        if (refusedForJob.add(member)) {
            String named = workerName(member);
            refusals.put(named, brief);
            LOG.warn("refused {}: {}; it gets no tasks", named, reason);
            tell(member, reason);
        }
    }

    /** @return whether the frame's tag holds (whatever it says) */
    private boolean tagHolds(Object item) {
        try {
            Frames.check(item, secret);
            return true;
        } catch (Frames.RefusedFrameException ex) {
            return false;
        }
    }

    /**
     * Refuses a ready token that could not be verified: its tag failed (or it is no frame of ours),
     * or its tag held but it could not be read. Nothing in it can be believed, the member id it
     * claims included, so the warning names no worker from it. It names instead the members in the
     * cluster that have not proven the secret, from what the cluster itself knows of them (their
     * address and attributes).
     *
     * @param why why the token failed the check
     * @param signed whether its tag held: it holds the secret but could not be read, likely written
     *     by another version of chemfit
     */
    private void refuseUnverified(Object token, String why, boolean signed) {
        refusedFrames.increment();
        String claimed = Frames.unverifiedReadyMember(token);
        String key = claimed == null ? "an unknown sender" : claimed;
        if (unverifiedClaims.contains(key)) {
            return; // one warning per sender claimed: a worker offers one token per thread
        }
        boolean tracked;
        synchronized (unverifiedClaims) {
            tracked = unverifiedClaims.size() < UNVERIFIED_TRACKED && unverifiedClaims.add(key);
        }
        if (!tracked) {
            if (!unverifiedClaims.contains(key)) {
                unverifiedUntracked.increment();
                if (unverifiedUntracked.sum() == 1) {
                    LOG.warn(
                            "refused ready tokens that could not be verified from more than {} claimed senders:"
                                    + " the ones after those are counted, not logged or told",
                            UNVERIFIED_TRACKED);
                }
            }
            return;
        }
        if (signed) {
            unverifiedByVersion = true;
        } else {
            unverifiedBySecret = true;
        }
        unverifiedRefusals.add(signed ? signedUnreadable(why) : why);
        if (claimed != null && !verifiedMember(claimed)) {
            // the worker that sent it, if it is the member it claims, learns why and stops; a
            // member that proved the secret is not told to stop by a token anyone could forge (one
            // that has not proven it yet can be: see the threat model in docs/cluster.md)
            tell(
                    claimed,
                    signed
                            ? "its ready token holds the cluster secret but could not be read: " + why
                                    + ". Run the same version of chemfit as the driver"
                            : Channels.SECRET_REFUSAL + why + ". Give it the same secret as the driver");
        }
        LOG.warn(unverifiedWarning(why, signed, unproven()));
    }

    /** @return why a token whose tag held was refused, in short */
    static String signedUnreadable(String why) {
        return "signed with the cluster secret but not readable, likely by another version of chemfit: " + why;
    }

    /**
     * @param why why the token failed the check
     * @param signed whether its tag held but it could not be read
     * @param unproven the members in the cluster that have not proven the secret, as {@link
     *     #workerName(Member)} names them
     * @return the driver's warning that a ready token could not be verified
     */
    static String unverifiedWarning(String why, boolean signed, List<String> unproven) {
        return "refused a ready token that could not be verified (" + (signed ? signedUnreadable(why) : why)
                + "): who sent it is not known; " + unprovenList(unproven) + ". "
                + (signed
                        ? "Run the same version of chemfit on every worker as on the driver"
                        : "Give every worker the same secret as the driver")
                + "; its sender gets no tasks";
    }

    private static String unprovenList(List<String> unproven) {
        return unproven.isEmpty()
                ? "no member in the cluster now lacks a proof of the secret"
                : "members in the cluster that have not proven the secret: " + String.join(", ", unproven);
    }

    /** @return the members other than the driver that have not proven the secret, named from their attributes */
    private List<String> unproven() {
        List<String> names = new ArrayList<>();
        for (Member m : hz.getCluster().getMembers()) {
            if (!m.getUuid().equals(self) && !verified.containsKey(m.getUuid())) {
                names.add(workerName(m));
            }
        }
        return names;
    }

    private boolean verifiedMember(String member) {
        try {
            return verified.containsKey(UUID.fromString(member));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Records why a member is refused, for its worker to read. */
    private void tell(String member, String reason) {
        try {
            UUID.fromString(member);
            refusedMap.set(member, reason);
        } catch (RuntimeException ex) {
            LOG.debug("could not record the refusal of {}: {}", member, ex.toString());
        }
    }

    private void collectLoop() {
        while (!closed) {
            try {
                Object item = arrived.poll(POLL_MS, TimeUnit.MILLISECONDS);
                if (item == null) {
                    continue;
                }
                if (item instanceof Runnable deferred) {
                    deferred.run();
                    continue;
                }
                if (item instanceof Arrival a) {
                    take(a);
                    continue;
                }
                Frames.Result r;
                try {
                    r = Frames.decodeResult(item, secret, job);
                } catch (Frames.RefusedFrameException ex) {
                    refusedFrames.increment();
                    LOG.warn("refused a result frame: {}", ex.getMessage());
                    continue;
                }
                if (r.session() != session) {
                    continue; // for an earlier driver
                }
                Entry e = outstanding.get(r.seq());
                if (e == null) {
                    duplicates.increment();
                    LOG.debug("dropped a result for task {} of {}: already done", r.seq(), r.evaluationId());
                    continue;
                }
                if (!e.task.evaluationId().equals(r.evaluationId())) {
                    refusedFrames.increment();
                    LOG.warn(
                            "refused a result for task {}: evaluation id '{}' is not the task's '{}'",
                            r.seq(),
                            r.evaluationId(),
                            e.task.evaluationId());
                    continue;
                }
                finish(e, r);
            } catch (InterruptedException ex) {
                return;
            } catch (HazelcastInstanceNotActiveException ex) {
                failAll("the driver's cluster member shut down");
                return;
            } catch (RuntimeException ex) {
                if (!closed) {
                    LOG.warn("collecting results: {}; going on", ex.toString());
                    pause();
                }
            }
        }
    }

    private void localLoop() {
        String me = self.toString();
        Thread current = Thread.currentThread();
        while (!closed) {
            Entry e;
            try {
                e = pending.poll(POLL_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException ex) {
                return;
            }
            if (e == null || e.done.get()) {
                continue;
            }
            synchronized (e) {
                e.local = true;
                e.owner = self;
                e.localThread = current;
            }
            Frames.Result r = null;
            try {
                if (!e.cancelled) {
                    r = LeafRun.run(root, e.task, me, selfAddress);
                }
            } catch (EvaluationCancelledException ex) {
                if (closed) {
                    return;
                }
            } catch (RuntimeException ex) {
                LOG.warn("running a task on the driver: {}; going on", ex.toString());
            } finally {
                synchronized (e) {
                    e.localThread = null;
                }
            }
            if (e.cancelled) {
                Thread.interrupted(); // the interrupt was for that task only
                finishCancelled(e);
            } else if (r != null) {
                finish(e, r);
            } else {
                fail(e, "term " + LeafRun.pathString(e.task.path()) + " could not run on the driver");
            }
        }
    }

    private void finish(Entry e, Frames.Result r) {
        if (!e.done.compareAndSet(false, true)) {
            duplicates.increment();
            return;
        }
        outstanding.remove(e.seq);
        try {
            finishClaimed(e, r);
        } catch (RuntimeException ex) {
            internalError(e, e.local ? null : e.owner, ex, true);
        }
    }

    /**
     * A task failed while the driver read its result or completed it (a fault of the driver, not of
     * the term): it fails with what went wrong, so that its evaluation ends under the failure policy
     * instead of waiting for it for ever.
     *
     * @param member the member whose result it was, or null for a result of the driver's own threads
     * @param claimed whether the caller already marked the task done
     */
    private void internalError(Entry e, @Nullable UUID member, Throwable ex, boolean claimed) {
        if (!claimed) {
            if (!e.done.compareAndSet(false, true)) {
                return;
            }
            outstanding.remove(e.seq);
        }
        // claimed: from here on the task is finished whatever throws, or its evaluation waits for ever
        String msg = internalErrorMessage(
                e.termKey,
                e.task.termName(),
                e.task.evaluationId(),
                member == null ? "the driver's own thread" : "member " + member,
                String.valueOf(ex));
        try {
            msg = internalErrorMessage(
                    e.termKey,
                    e.task.termName(),
                    e.task.evaluationId(),
                    member == null ? "the driver's own thread" : workerNameOrId(member),
                    Reasons.of(ex));
            LOG.error(msg);
            LOG.debug("the result of term {} of evaluation {}", e.termKey, e.task.evaluationId(), ex);
        } catch (RuntimeException again) {
            LOG.debug("describing the failure of term {}: {}", e.termKey, again.toString());
        } finally {
            try {
                if (e.cancelled) {
                    e.leaf.completed();
                } else {
                    e.leaf.failed(new ChemFitException(msg, ex));
                }
            } catch (RuntimeException again) {
                LOG.error(
                        "could not end term {} of evaluation {} after that: {}",
                        e.termKey,
                        e.task.evaluationId(),
                        Reasons.of(again));
            }
        }
    }

    /**
     * @return the worker of the member as its failures name it, or "member ID" when the cluster
     *     cannot be asked (the driver's member is shutting down)
     */
    private String workerNameOrId(UUID member) {
        try {
            return workerName(member.toString());
        } catch (RuntimeException ex) {
            return "member " + member;
        }
    }

    /**
     * @param term the term's path ({@code 1}, {@code 2.0})
     * @param from the worker as its failures name it
     * @param reason what went wrong
     * @return why a task failed while the driver took or recorded its result
     */
    static String internalErrorMessage(String term, String termName, String evaluationId, String from, String reason) {
        return "could not record or take the worker's result for term " + term + " '" + termName + "' of evaluation "
                + evaluationId + " (from " + from + "): " + reason;
    }

    private void finishClaimed(Entry e, Frames.Result r) {
        if (e.cancelled) {
            e.leaf.completed();
            return;
        }
        if (r.error() != null) {
            e.leaf.failed(new ChemFitException("member " + r.memberAddress() + " could not run term "
                    + LeafRun.pathString(e.task.path()) + " '" + e.task.termName() + "' of evaluation "
                    + r.evaluationId() + ": "
                    + r.error()));
            return;
        }
        completed.computeIfAbsent(r.member(), k -> new LongAdder()).increment();
        if (r.durationNanos() >= 0 && !e.local && r.status() == org.chemfit.EvaluationContext.Status.OK) {
            termNanos.merge(e.termKey, r.durationNanos(), (old, t) -> (3 * old + t) / 4);
        }
        // what throws here (copying the result, the journal's recording of it) fails the task in finish
        LeafRun.apply(r, e.leaf.context());
        e.leaf.completed();
    }

    /** Fails the waiting tasks when no worker has been there for longer than the member wait. */
    private void watchdogLoop() {
        while (!closed) {
            try {
                Thread.sleep(200);
                if (localThreads > 0 || pending.isEmpty()) {
                    noMemberSince = 0;
                    continue;
                }
                verified.keySet().removeIf(u -> !isMember(u));
                if (!verified.isEmpty()) {
                    noMemberSince = 0;
                    continue;
                }
                long now = System.nanoTime();
                if (noMemberSince == 0) {
                    noMemberSince = now;
                    LOG.info(
                            "{} task(s) wait for a worker; waiting up to {} s for one to join",
                            pending.size(),
                            memberWait.toSeconds());
                    continue;
                }
                if (now - noMemberSince > memberWait.toNanos()) {
                    List<String> others = new ArrayList<>();
                    for (Member m : hz.getCluster().getMembers()) {
                        if (!m.getUuid().equals(self)) {
                            others.add(m.getAddress().getHost() + ":"
                                    + m.getAddress().getPort());
                        }
                    }
                    Map<String, String> refused;
                    synchronized (refusals) {
                        refused = new LinkedHashMap<>(refusals);
                    }
                    List<String> unverifiedNow = List.copyOf(unverifiedRefusals);
                    Unverified unverified = unverifiedNow.isEmpty()
                            ? Unverified.NONE
                            : new Unverified(
                                    unverifiedNow,
                                    unverifiedUntracked.sum(),
                                    unverifiedBySecret,
                                    unverifiedByVersion,
                                    unproven());
                    String msg = starvedMessage(
                            hz.getConfig().getClusterName(),
                            memberWait,
                            pending.size(),
                            others,
                            refused,
                            unverified,
                            selfAddress,
                            lastWorkerLeft);
                    // the tasks fail with the message, which reaches the user as their failure (the
                    // fit's error, or the first failure of each term under penalty or skip): the log
                    // says that they fail, a warning, not the message once more
                    LOG.warn(
                            starvedWarning(memberWait, pending.size(), !refused.isEmpty() || !unverifiedNow.isEmpty()));
                    starved = msg;
                    Entry e;
                    while ((e = pending.poll()) != null) {
                        fail(e, msg);
                    }
                    noMemberSince = 0;
                    var listener = onNoWorker;
                    if (listener != null) {
                        tellNoWorker(listener, msg);
                    }
                }
            } catch (InterruptedException ex) {
                return;
            } catch (RuntimeException ex) {
                if (!closed) {
                    LOG.debug("watchdog: {}", ex.toString());
                }
            }
        }
    }

    /** Tells the listener why the waiting tasks failed, on its own thread. */
    private void tellNoWorker(java.util.function.Consumer<String> listener, String why) {
        try {
            noWorkerCalls.execute(() -> {
                try {
                    listener.accept(why);
                } catch (Throwable ex) {
                    LOG.warn("the listener of the member wait failed: {}", Reasons.of(ex));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            LOG.debug("not told, closed: {}", why);
        }
    }

    /**
     * The driver's warning when the member wait ran out: that the waiting tasks fail, and that
     * their failure says why; the reason itself is said by the failure.
     *
     * @param tasks how many tasks waited
     * @param refusedSome whether workers joined but were refused
     */
    static String starvedWarning(Duration wait, int tasks, boolean refusedSome) {
        return (refusedSome ? "no worker that the driver accepts" : "no worker holding the cluster secret")
                + " joined within the member wait of " + wait.toSeconds() + " s: the " + tasks
                + " waiting task(s) fail, and so does every task sent until a worker joins; their failure"
                + " says why and what to change";
    }

    /**
     * The ready tokens refused because they could not be verified.
     *
     * @param reasons why they failed the check, one per sender claimed (of the first {@link
     *     #UNVERIFIED_TRACKED})
     * @param more the tokens that claimed other senders, only counted
     * @param wrongSecret whether some failed their tag
     * @param otherVersion whether some held the tag but could not be read
     * @param unproven the members in the cluster now that have not proven the secret, named from
     *     their attributes
     */
    record Unverified(
            List<String> reasons, long more, boolean wrongSecret, boolean otherVersion, List<String> unproven) {
        static final Unverified NONE = new Unverified(List.of(), 0, false, false, List.of());

        /** Tokens that failed their tag, for these reasons, one per sender claimed. */
        Unverified(List<String> reasons, List<String> unproven) {
            this(reasons, 0, true, false, unproven);
        }
    }

    /**
     * Why the waiting tasks fail when the member wait ran out with no worker to give them to.
     *
     * @param others the other members' addresses, now
     * @param refused the workers refused for another job (their tokens verified), each with why in a few words
     * @param unverified the tokens refused because they could not be verified
     * @param lastLeft the worker that left last, described, or null when none has left (a worker
     *     that joined and left is not one that never joined)
     */
    static String starvedMessage(
            String cluster,
            Duration wait,
            int tasks,
            List<String> others,
            Map<String, String> refused,
            Unverified unverified,
            String driverAddress,
            @Nullable String lastLeft) {
        String within = " within " + wait.toSeconds() + " s, so " + tasks + " task(s) could not run";
        if (refused.isEmpty() && unverified.reasons().isEmpty()) {
            return "no worker holding the cluster secret joined cluster '" + cluster + "'"
                    + (lastLeft == null
                            ? within
                            : " within " + wait.toSeconds() + " s after its last worker, " + lastLeft + ", left, so "
                                    + tasks + " task(s) could not run")
                    + " (other members: " + (others.isEmpty() ? "none" : others)
                    + "; refused for a wrong secret or another job: none). Start workers with the same"
                    + " cluster name, a join list that reaches " + driverAddress
                    + ", the same secret and the same job";
        }
        StringBuilder b = new StringBuilder("no worker that the driver accepts joined cluster '")
                .append(cluster)
                .append("'")
                .append(within)
                .append(": ");
        boolean anotherJob = !refused.isEmpty();
        boolean someUnverified = !unverified.reasons().isEmpty();
        if (!refused.isEmpty()) {
            b.append(refused.size())
                    .append(
                            refused.size() == 1
                                    ? " worker joined but was refused: "
                                    : " workers joined but were refused: ");
            String sep = "";
            for (Map.Entry<String, String> r : refused.entrySet()) {
                b.append(sep).append(r.getKey()).append(' ').append(r.getValue());
                sep = ", ";
            }
        }
        if (someUnverified) {
            // counted by the sender each token claimed: a worker offers one token per thread
            int n = unverified.reasons().size();
            b.append(anotherJob ? "; " : "")
                    .append("the ready tokens of ")
                    .append(n)
                    .append(n == 1 ? " claimed sender" : " claimed senders");
            if (unverified.more() > 0) {
                b.append(" and ")
                        .append(unverified.more())
                        .append(unverified.more() == 1 ? " more token" : " more tokens")
                        .append(" that claimed other senders");
            }
            b.append(" could not be verified, so who sent them is not known (")
                    .append(String.join("; ", new LinkedHashSet<>(unverified.reasons())))
                    .append("); ")
                    .append(unprovenList(unverified.unproven()));
        }
        b.append("; other members now: ").append(others.isEmpty() ? "none" : others);
        if (anotherJob) {
            b.append(". Start every worker with the driver's job file and the files it reads");
        }
        if (someUnverified && unverified.wrongSecret()) {
            b.append(". Give every worker the same secret as the driver");
        }
        if (someUnverified && unverified.otherVersion()) {
            b.append(". Run the same version of chemfit on every worker as on the driver");
        }
        // a worker that never reached the driver is not among the refused: the join advice is still its
        b.append(". A worker not named here did not join: its join list must reach ")
                .append(driverAddress);
        return b.toString();
    }

    private void failAll(String why) {
        pending.clear();
        for (Entry e : outstanding.values()) {
            if (e.cancelled) {
                finishCancelled(e);
            } else {
                fail(e, why);
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    ClusterStats stats() {
        Map<String, Long> done = new HashMap<>();
        completed.forEach((k, v) -> done.put(k, v.sum()));
        Map<String, Integer> inFlight = new HashMap<>();
        for (Entry e : outstanding.values()) {
            UUID o = e.owner;
            if (o != null && !e.done.get()) {
                inFlight.merge(o.toString(), 1, Integer::sum);
            }
        }
        Set<String> v = ConcurrentHashMap.newKeySet();
        verified.keySet().forEach(u -> v.add(u.toString()));
        Set<String> refused = new java.util.HashSet<>(refusedForJob);
        refused.addAll(unverifiedClaims);
        return new ClusterStats(done, inFlight, v, refused, requeued.sum(), duplicates.sum(), refusedFrames.sum());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Threads.interruptAndJoin(threads);
        canceller.shutdown();
        noWorkerCalls.shutdown();
        try {
            canceller.awaitTermination(5, TimeUnit.SECONDS);
            // a call under way is let end, so that what it says is said before the objective closes
            noWorkerCalls.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failAll("the cluster objective was closed");
        try {
            hz.getCluster().removeMembershipListener(listenerId);
            control.remove(Channels.DRIVER_KEY, driverValue);
        } catch (RuntimeException e) {
            LOG.debug("cleaning up the driver entry: {}", e.toString());
        }
    }
}
