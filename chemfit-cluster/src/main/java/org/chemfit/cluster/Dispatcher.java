package org.chemfit.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.IMap;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.chemfit.ChemFitException;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's side of the cluster protocol: hands leaf tasks to free members, collects their
 * results, hands the tasks of a member that left to another, and drops duplicate results.
 *
 * <p>Tasks wait in a local deque. A worker thread that is free puts a signed ready token in a
 * shared queue; the token thread checks it at once (a member whose token fails the HMAC check
 * is refused and gets nothing) and queues it as a free slot; the dispatcher thread pairs the next
 * slot with the next task and puts the task in that member's own queue, recording the member as
 * the task's owner. The collector thread checks each result's
 * HMAC, evaluation id and task id, and completes the task once: a result for a task already done
 * is dropped. When a member leaves, every task it owned goes back to the front of the deque.
 */
final class Dispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final long POLL_MS = 100;

    /** A task in flight. */
    static final class Entry {
        final long seq;
        final RemoteLeaf leaf;
        final Frames.Task task;
        final byte[] frame;
        final AtomicBoolean done = new AtomicBoolean();
        volatile @Nullable UUID owner;
        /** Run by one of the driver's own threads. */
        volatile boolean local;
        /** The driver thread running it, to interrupt on cancel; guarded by the entry. */
        @Nullable
        Thread localThread;
        /** Cancelled: finished without taking a result. */
        volatile boolean cancelled;

        final long queuedNanos = System.nanoTime();

        Entry(long seq, RemoteLeaf leaf, Frames.Task task, byte[] frame) {
            this.seq = seq;
            this.leaf = leaf;
            this.task = task;
            this.frame = frame;
        }
    }

    private final HazelcastInstance hz;
    private final CombinedObjectiveFunction root;
    private final ClusterSecret secret;
    /** The fingerprint of the driver's job: in every frame it sends, required in every frame it reads. */
    private final String job;

    private final int localThreads;
    private final Duration memberWait;
    private final long session;
    private final UUID self;
    private final String selfAddress;
    /** Typed Object: a foreign member may put anything there, and it is refused, not cast. */
    private final IQueue<Object> ready;

    private final IQueue<Object> results;
    private final com.hazelcast.topic.ITopic<Object> cancels;
    private final IMap<String, String> control;
    private final IMap<String, String> refusedMap;
    private final String driverValue;
    private final UUID listenerId;

    private final LinkedBlockingDeque<Entry> pending = new LinkedBlockingDeque<>();
    /** Free worker threads, by member, in the order their tokens came. */
    private final LinkedBlockingDeque<UUID> slots = new LinkedBlockingDeque<>();

    private final Map<Long, Entry> outstanding = new ConcurrentHashMap<>();
    private final Map<UUID, String> verified = new ConcurrentHashMap<>();
    private final Set<String> refusedMembers = ConcurrentHashMap.newKeySet();
    private final Map<String, LongAdder> completed = new ConcurrentHashMap<>();
    private final LongAdder requeued = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder refusedFrames = new LongAdder();
    private final AtomicLong seqs = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final java.util.concurrent.ExecutorService canceller =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "chemfit-cluster-cancel");
                t.setDaemon(true);
                return t;
            });
    private volatile boolean closed;
    private volatile long noMemberSince;
    /** Why tasks fail at once: the member wait ran out with no worker; cleared when one comes. */
    private volatile @Nullable String starved;

    Dispatcher(HazelcastInstance hz, CombinedObjectiveFunction root, ClusterOptions options) {
        this.hz = hz;
        this.root = root;
        this.secret = options.secret();
        this.job = options.jobFingerprint().orElseGet(() -> JobFingerprint.ofObjective(root));
        this.localThreads = options.localThreads();
        this.memberWait = options.memberWait();
        long s;
        do {
            s = new SecureRandom().nextLong();
        } while (s == 0);
        this.session = s;
        Member me = hz.getCluster().getLocalMember();
        this.self = me.getUuid();
        this.selfAddress = me.getAddress().getHost() + ":" + me.getAddress().getPort();
        this.ready = hz.getQueue(Channels.READY);
        this.results = hz.getQueue(Channels.RESULTS);
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
        synchronized (e) {
            if (e.done.get() || !from.equals(e.owner)) {
                return;
            }
            e.owner = null;
        }
        if (e.cancelled) {
            finishCancelled(e);
            return;
        }
        requeued.increment();
        pending.addFirst(e);
    }

    private void memberLeft(Member m) {
        UUID u = m.getUuid();
        boolean wasWorker = verified.remove(u) != null;
        slots.removeIf(u::equals);
        int n = 0;
        for (Entry e : outstanding.values()) {
            if (u.equals(e.owner)) {
                requeue(e, u);
                n++;
            }
        }
        if (wasWorker || n > 0) {
            LOG.warn("member {} left; {} task(s) it held are handed to other members", describe(m), n);
        }
        try {
            hz.getQueue(Channels.tasks(u)).destroy();
        } catch (RuntimeException ex) {
            LOG.debug("could not remove the task queue of {}: {}", u, ex.toString());
        }
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
                    // the tag held: the member holds the secret but built another job
                    refuse(
                            Frames.unverifiedReadyMember(item),
                            "it runs job " + ex.theirs + " but the driver runs job " + ex.ours
                                    + "; start every worker with the driver's job file and the files it reads");
                    continue;
                } catch (Frames.RefusedFrameException ex) {
                    refuse(
                            Frames.unverifiedReadyMember(item),
                            "its ready token failed the driver's check: " + ex.getMessage()
                                    + ". Give it the same secret as the driver");
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

    /** A verified result said its thread is free: a slot, as a ready token would give. */
    private void freeSlot(String member) {
        try {
            UUID m = UUID.fromString(member);
            if (isMember(m)) {
                verified.putIfAbsent(m, "");
                slots.addLast(m);
            }
        } catch (IllegalArgumentException ex) {
            LOG.debug("a result names no member UUID: {}", member);
        }
    }

    /** Hands the next task to the next free slot of a member that is still there. */
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
                e.owner = m;
                if (e.cancelled) {
                    finishCancelled(e);
                    slots.addFirst(m);
                    continue;
                }
                try {
                    hz.<Object>getQueue(Channels.tasks(m)).offer(e.frame);
                } catch (RuntimeException ex) {
                    LOG.debug("could not hand task {} to {}: {}", e.task.id(), m, ex.toString());
                    requeue(e, m);
                    continue;
                }
                if (!isMember(m)) {
                    requeue(e, m);
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

    private void refuse(@Nullable String member, String reason) {
        refusedFrames.increment();
        String who = member == null ? "an unknown sender" : member;
        if (refusedMembers.add(who)) {
            LOG.warn("refused member {}: {}; it gets no tasks", who, reason);
            if (member != null) {
                try {
                    UUID.fromString(member);
                    refusedMap.set(member, reason);
                } catch (RuntimeException ex) {
                    LOG.debug("could not record the refusal of {}: {}", member, ex.toString());
                }
            }
        }
    }

    private void collectLoop() {
        while (!closed) {
            try {
                Object item = results.poll(POLL_MS, TimeUnit.MILLISECONDS);
                if (item == null) {
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
                if (r.ready()) {
                    freeSlot(r.member());
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
        try {
            LeafRun.apply(r, e.leaf.context());
        } catch (RuntimeException ex) {
            e.leaf.failed(new ChemFitException(
                    "could not take the result of term " + LeafRun.pathString(e.task.path()) + " from member "
                            + r.memberAddress() + ": " + ex.getMessage(),
                    ex));
            return;
        }
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
                    String msg = "no worker holding the cluster secret joined cluster '"
                            + hz.getConfig().getClusterName()
                            + "' within " + memberWait.toSeconds() + " s, so " + pending.size()
                            + " task(s) could not run"
                            + " (other members: " + (others.isEmpty() ? "none" : others)
                            + "; refused for a wrong secret or another job: "
                            + (refusedMembers.isEmpty() ? "none" : refusedMembers) + "). Start workers with the same"
                            + " cluster name, a join list that reaches " + selfAddress
                            + ", the same secret and the same job";
                    LOG.error(msg);
                    starved = msg;
                    Entry e;
                    while ((e = pending.poll()) != null) {
                        fail(e, msg);
                    }
                    noMemberSince = 0;
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
        return new ClusterStats(
                done, inFlight, v, refusedMembers, requeued.sum(), duplicates.sum(), refusedFrames.sum());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Threads.interruptAndJoin(threads);
        canceller.shutdown();
        try {
            canceller.awaitTermination(5, TimeUnit.SECONDS);
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
