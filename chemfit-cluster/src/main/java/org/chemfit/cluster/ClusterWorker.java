package org.chemfit.cluster;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.IMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs leaf tasks for the driver of a cluster: the worker half of {@link ClusterWrapperCOB}.
 * It holds the same objective as the driver (built from the same job), and offers the driver one
 * ready token, signed with the shared secret, per thread (and per task asked for ahead); the
 * driver then sends each task straight to this member, and the response that carries its result
 * says the thread is free again. A member whose token fails the driver's check gets no task. The token, and
 * every task and result, carries the fingerprint of the member's job ({@link JobFingerprint}):
 * a worker of another job is refused by the driver, the refusal naming both fingerprints.
 *
 * <pre>{@code
 * HazelcastInstance member = ClusterMemberConfig.builder("fit-42").join(List.of("node01")).build().newMember();
 * try (ClusterWorker worker = ClusterWorker.start(member, objective, ClusterSecret.fromEnvironment(), 4)) {
 *     worker.awaitTermination();          // until the member shuts down or the driver refuses it
 * }
 * }</pre>
 *
 * <p>A task whose HMAC fails is refused and logged, never run. When a term throws, the failure
 * is sent back as the term's result; the driver's failure policy decides.
 *
 * <p>One worker per member: the member must be made by {@link ClusterMemberConfig}, whose
 * configuration knows ChemFit's task type.
 *
 * @implNote Thread-safe. Terms run on the threads of the member's executor for ChemFit's tasks,
 *     at most {@code threads} at once; {@link #close()} interrupts the running ones, waits for them
 *     to end (their programs stopped, each with its kill grace), and stops the
 *     worker's own thread; it does not shut down the Hazelcast member it was given.
 */
public final class ClusterWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterWorker.class);
    private static final long POLL_MS = 250;

    /**
     * The longest {@link #close()} waits for the running terms to end: long enough for a program's
     * kill grace (5 s by default) and the SIGKILL after it, as the driver waits for its own terms.
     */
    static final long STOP_WAIT_SECONDS = 60;

    /** How long closing waits for the worker's removal from its member (see {@link #close()}). */
    static final long REMOVE_WAIT_SECONDS = 5;

    /** Key of the running worker in its member's user context, where a {@link RunTask} finds it. */
    static final String CONTEXT_KEY = "chemfit.worker";

    private final HazelcastInstance hz;
    private final int threadCount;
    private final int prefetch;
    private final CombinedObjectiveFunction objective;
    private final ClusterSecret secret;
    /** The fingerprint of this worker's job: in every frame it sends, required in every frame it reads. */
    private final String job;

    private final UUID self;
    private final String address;
    /** How a failure names this worker: its host, address and process id ({@link LeafRun#located}). */
    private final String where;

    private final IQueue<Object> ready;
    /** One permit per thread: how many terms run at once. */
    private final Semaphore free;

    private final IMap<String, String> control;
    private final IMap<String, String> refused;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong tokenSeq = new AtomicLong();
    private final AtomicLong tasksRun = new AtomicLong();
    private final AtomicLong framesRefused = new AtomicLong();
    private final AtomicLong tasksCancelled = new AtomicLong();
    /** The task each busy thread runs, for cancel frames; its monitor guards the pair with {@link #cancelled}. */
    private final java.util.Map<Thread, Frames.Task> running = new java.util.concurrent.ConcurrentHashMap<>();

    private final java.util.Set<Frames.Task> cancelled = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A task of a driver's session, by its number. */
    private record TaskKey(long session, long seq) {}

    /** Most cancels kept for tasks that had not started when their cancel came. */
    private static final int MAX_CANCELLED_AHEAD = 4096;

    /**
     * Cancels that came for tasks not running yet (on their way, waiting for a free thread, or
     * behind another task of the same call): such a task is answered as cancelled without running.
     * Guarded by {@link #running}'s monitor; the oldest are forgotten past {@link #MAX_CANCELLED_AHEAD}.
     */
    private final java.util.Set<TaskKey> cancelledAhead =
            java.util.Collections.newSetFromMap(new java.util.LinkedHashMap<TaskKey, Boolean>() {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<TaskKey, Boolean> eldest) {
                    return size() > MAX_CANCELLED_AHEAD;
                }
            });

    private @Nullable UUID cancelListener;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile long session;
    /** The session the ready tokens were offered for. */
    private volatile long tokenSession;

    private volatile @Nullable String refusal;
    /**
     * Whether a task has passed this worker's check of the secret: a driver holding the same
     * secret has served it, so a later driver whose check its token fails holds another one.
     */
    private volatile boolean servedADriverOfItsSecret;
    /** The refusal that this worker has said it does not stop for, so that it is said once. */
    private @Nullable String refusalPassedOver;

    private volatile boolean closed;

    private ClusterWorker(
            HazelcastInstance hz,
            CombinedObjectiveFunction objective,
            ClusterSecret secret,
            int threads,
            int prefetch,
            String job) {
        this.hz = hz;
        this.job = job;
        this.threadCount = threads;
        this.free = new Semaphore(threads, true);
        this.prefetch = prefetch;
        this.objective = objective;
        this.secret = secret;
        this.self = hz.getCluster().getLocalMember().getUuid();
        var a = hz.getCluster().getLocalMember().getAddress();
        this.address = a.getHost() + ":" + a.getPort();
        this.where = org.chemfit.support.HostName.get() + " (" + address + ", pid "
                + ProcessHandle.current().pid() + ")";
        this.ready = hz.getQueue(Channels.READY);
        this.control = hz.getMap(Channels.CONTROL);
        this.refused = hz.getMap(Channels.REFUSED);
    }

    /**
     * Starts the worker threads.
     *
     * @param member a running member of the cluster (made with {@link ClusterMemberConfig#newMember()})
     * @param objective the same objective the driver evaluates, built from the same job
     * @param secret the cluster's shared secret
     * @param threads how many tasks to run at once, at least 1
     * @return the running worker
     * @throws IllegalArgumentException when {@code threads < 1}, or the member was not made by
     *     {@link ClusterMemberConfig}
     * @throws IllegalStateException when another worker runs on this member
     */
    public static ClusterWorker start(
            HazelcastInstance member, CombinedObjectiveFunction objective, ClusterSecret secret, int threads) {
        return start(member, objective, secret, threads, 0);
    }

    /**
     * Starts the worker threads, each asking for {@code prefetch} tasks ahead of the one it runs.
     * Prefetching hides the round trip between two tasks (worth it for terms of a few
     * milliseconds), at the price of tasks waiting behind a busy thread while another member may
     * be free: keep 0 for long, uneven terms.
     *
     * @param member a running member of the cluster
     * @param objective the same objective the driver evaluates
     * @param secret the cluster's shared secret
     * @param threads how many tasks to run at once, at least 1
     * @param prefetch how many tasks each thread asks for ahead, 0 or more
     * @return the running worker
     * @throws IllegalArgumentException when {@code threads < 1} or {@code prefetch < 0}, or the
     *     member was not made by {@link ClusterMemberConfig}
     * @throws IllegalStateException when another worker runs on this member
     */
    public static ClusterWorker start(
            HazelcastInstance member,
            CombinedObjectiveFunction objective,
            ClusterSecret secret,
            int threads,
            int prefetch) {
        return start(
                member,
                objective,
                secret,
                threads,
                prefetch,
                JobFingerprint.ofObjective(Objects.requireNonNull(objective, "objective")));
    }

    /**
     * Starts the worker threads for a job with a known fingerprint. The driver refuses the worker
     * when its own job's fingerprint differs (the refusal names both; see {@link #refusal()}), and
     * the worker refuses any task of another job.
     *
     * @param member a running member of the cluster
     * @param objective the same objective the driver evaluates
     * @param secret the cluster's shared secret
     * @param threads how many tasks to run at once, at least 1
     * @param prefetch how many tasks each thread asks for ahead, 0 or more
     * @param jobFingerprint the fingerprint of the job and its files, as the driver's
     *     {@link ClusterOptions.Builder#jobFingerprint(String)}
     * @return the running worker
     * @throws IllegalArgumentException when {@code threads < 1}, {@code prefetch < 0}, the
     *     fingerprint is blank or longer than 256 characters, or the member was not made by
     *     {@link ClusterMemberConfig}
     * @throws IllegalStateException when another worker runs on this member
     */
    public static ClusterWorker start(
            HazelcastInstance member,
            CombinedObjectiveFunction objective,
            ClusterSecret secret,
            int threads,
            int prefetch,
            String jobFingerprint) {
        if (jobFingerprint == null || jobFingerprint.isBlank() || jobFingerprint.length() > 256) {
            throw new IllegalArgumentException(
                    "a job fingerprint must be 1 to 256 characters, got '" + jobFingerprint + "'");
        }
        if (prefetch < 0) {
            throw new IllegalArgumentException("prefetch must be 0 or more, got " + prefetch);
        }
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(secret, "secret");
        if (threads < 1) {
            throw new IllegalArgumentException("a worker needs at least 1 thread, got " + threads);
        }
        ClusterMemberConfig.requireOurs(member);
        ClusterWorker w = new ClusterWorker(member, objective, secret, threads, prefetch, jobFingerprint);
        Object other = member.getUserContext().putIfAbsent(CONTEXT_KEY, w);
        if (other != null) {
            throw new IllegalStateException("member " + w.self + " runs a cluster worker already: one per member");
        }
        Thread watch = new Thread(w::watch, "chemfit-worker-watch");
        watch.setDaemon(true);
        w.threads.add(watch);
        try {
            w.cancelListener =
                    member.<Object>getTopic(Channels.CANCEL).addMessageListener(m -> w.onCancel(m.getMessageObject()));
        } catch (RuntimeException e) {
            member.getUserContext().remove(CONTEXT_KEY, w);
            throw e;
        }
        w.threads.forEach(Thread::start);
        LOG.info(
                "worker {} at {} runs up to {} task(s) at once for the {} leaf terms of {}",
                w.self,
                w.address,
                threads,
                objective.leafCount(),
                objective);
        return w;
    }

    /** @return the UUID of this worker's member */
    public UUID memberUuid() {
        return self;
    }

    /** @return how many tasks this worker ran */
    public long tasksRun() {
        return tasksRun.get();
    }

    /** @return how many frames this worker refused (bad HMAC or not ours) */
    public long framesRefused() {
        return framesRefused.get();
    }

    /** @return how many running tasks the driver cancelled on this worker */
    public long tasksCancelled() {
        return tasksCancelled.get();
    }

    /** A signed cancel frame: interrupts the thread running that task, if any here. */
    private void onCancel(Object item) {
        Frames.Cancel c;
        try {
            c = Frames.decodeCancel(item, secret, job);
        } catch (Frames.RefusedFrameException e) {
            framesRefused.incrementAndGet();
            LOG.warn("refused a cancel frame: {}", e.getMessage());
            return;
        }
        synchronized (running) {
            boolean found = false;
            for (java.util.Map.Entry<Thread, Frames.Task> e : running.entrySet()) {
                Frames.Task t = e.getValue();
                if (t.session() == c.session() && t.seq() == c.seq()) {
                    // under the lock the thread cannot move on to another task meanwhile
                    cancelled.add(t);
                    e.getKey().interrupt();
                    found = true;
                }
            }
            if (!found) {
                // not started yet (or done already): it is answered as cancelled if it comes
                cancelledAhead.add(new TaskKey(c.session(), c.seq()));
            }
        }
    }

    /**
     * @return why the driver refused this member, once it did; the worker logs the refusal at info
     *     level only, so that the caller that reads this says it once
     */
    public Optional<String> refusal() {
        return Optional.ofNullable(refusal);
    }

    /**
     * Waits until the worker stops: it is closed, its member shuts down, or the driver refuses it.
     *
     * @param timeout the longest wait
     * @param unit its unit
     * @return whether it stopped within the time
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return stopped.await(timeout, unit);
    }

    /**
     * Waits until the worker stops: it is closed, its member shuts down, or the driver refuses it.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    public void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    /** Watches for a (new) driver session and for a refusal. */
    private void watch() {
        long logged = 0;
        while (!closed) {
            try {
                String driver = control.get(Channels.DRIVER_KEY);
                long s = driver == null ? 0 : Long.parseUnsignedLong(driver.substring(driver.indexOf('/') + 1), 16);
                if (s != session) {
                    session = s;
                    if (s != 0 && s != logged) {
                        LOG.info("driver session {} is running: asking it for tasks", Long.toHexString(s));
                        logged = s;
                    }
                }
                String why = refused.get(self.toString());
                if (why != null
                        && refusal == null
                        && servedADriverOfItsSecret
                        && why.startsWith(Channels.SECRET_REFUSAL)) {
                    // this worker's secret was proven by the drivers it served: the driver that
                    // refuses it now holds another one (a mistyped secret, or a sender without it), and
                    // the workers are not to leave the cluster for it
                    if (!why.equals(refusalPassedOver)) {
                        refusalPassedOver = why;
                        LOG.warn("a driver refused this worker because its ready token failed the driver's check,"
                                + " but this worker has served drivers that hold its secret: the driver now"
                                + " running holds another secret (give it the workers' one), or the refusal"
                                + " was not a driver's; this worker goes on waiting for a driver that holds"
                                + " its secret");
                    }
                    why = null;
                }
                if (why != null && refusal == null) {
                    refusal = why;
                    // said by whoever reads refusal() (the worker command's error): once
                    LOG.info("the driver refused this member: {}; this member runs no task.", why);
                    stopped.countDown();
                }
                if (s != 0 && s != tokenSession && refusal == null) {
                    offerTokens(s);
                }
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                return;
            } catch (HazelcastInstanceNotActiveException e) {
                stopped.countDown();
                return;
            } catch (RuntimeException e) {
                LOG.debug("watching the driver entry failed: {}", e.toString());
                sleepQuietly();
            }
        }
    }

    /**
     * Runs the task frames that the driver sent to this member together ({@link Frames#bundle}), one
     * after the other on the Hazelcast executor thread that received them, once one of this
     * worker's {@code threads} is free.
     *
     * @return the bundle of signed result frames, the executor's response to the driver, with no
     *     frame for a task it refused (bad HMAC, another job) or did not run because it was closed;
     *     {@code null} when this worker serves no task (closed, refused by the driver) or the bundle
     *     is malformed. The driver hands every task without a result to another member
     */
    byte @Nullable [] run(byte[] bundle) {
        if (closed || refusal != null) {
            return null;
        }
        List<byte @Nullable []> frames;
        try {
            frames = Frames.unbundle(bundle);
        } catch (Frames.RefusedFrameException e) {
            framesRefused.incrementAndGet();
            LOG.warn("refused a bundle of tasks: {}", e.getMessage());
            return null;
        }
        try {
            // tasks asked for ahead (prefetch) wait here for a free thread of this worker, unless
            // the driver cancels all of them meanwhile: then they are answered at once, not run
            while (!free.tryAcquire(POLL_MS, TimeUnit.MILLISECONDS)) {
                if (closed) {
                    return null;
                }
                byte[] cancelledBundle = answerIfAllCancelled(frames);
                if (cancelledBundle != null) {
                    return cancelledBundle;
                }
            }
        } catch (InterruptedException e) {
            return null;
        }
        try {
            List<byte @Nullable []> results = new ArrayList<>(frames.size());
            for (byte[] f : frames) {
                results.add(f == null || closed ? null : runOneOrError(f));
            }
            return Frames.bundle(results);
        } finally {
            free.release();
        }
    }

    /**
     * @return the bundle of "cancelled" answers when the driver has cancelled every task of a
     *     bundle that waits for a thread, or null
     */
    private byte @Nullable [] answerIfAllCancelled(List<byte @Nullable []> frames) {
        List<Frames.Task> tasks = new ArrayList<>(frames.size());
        for (byte[] f : frames) {
            try {
                if (f == null) {
                    return null;
                }
                tasks.add(Frames.decodeTask(f, secret, job));
            } catch (Frames.RefusedFrameException e) {
                return null; // refused when it runs
            }
        }
        synchronized (running) {
            for (Frames.Task t : tasks) {
                if (!cancelledAhead.contains(new TaskKey(t.session(), t.seq()))) {
                    return null;
                }
            }
            tasks.forEach(t -> cancelledAhead.remove(new TaskKey(t.session(), t.seq())));
        }
        List<byte @Nullable []> answers = new ArrayList<>(tasks.size());
        for (Frames.Task t : tasks) {
            tasksCancelled.incrementAndGet();
            LOG.info(
                    "did not start task {} of {}: cancelled by the driver while it waited for a thread",
                    t.id(),
                    t.evaluationId());
            answers.add(answer(t, cancelledResult(t)));
        }
        return Frames.bundle(answers);
    }

    /**
     * Runs one task frame; whatever goes wrong outside the term itself (a result that cannot be
     * encoded, an error of the machinery) comes back as the task's error result, so that the
     * driver fails the task with the reason instead of sending it from member to member.
     */
    private byte @Nullable [] runOneOrError(byte[] frame) {
        try {
            return runOne(frame);
        } catch (RuntimeException | Error e) {
            Frames.Task task;
            try {
                task = Frames.decodeTask(frame, secret, job);
            } catch (Frames.RefusedFrameException | RuntimeException again) {
                return null;
            }
            String why;
            if (e instanceof Frames.FrameTooLargeException) {
                // the term's own result: sending it again elsewhere would only run the term again
                why = "its result is too large to send from a worker: " + e.getMessage();
                LOG.warn("task {} of {}: {}", task.id(), task.evaluationId(), why);
            } else {
                why = "the worker could not run or answer the task: " + e;
                // the reason in one line; its stack trace only for a debug log (a worker's console is a user's)
                LOG.error(
                        "task {} of {} could not be run or answered: {}", task.id(), task.evaluationId(), e.toString());
                LOG.debug("task {} of {}", task.id(), task.evaluationId(), e);
            }
            try {
                return Frames.encode(LeafRun.error(task, self.toString(), address, why), secret, job);
            } catch (RuntimeException again) {
                return null;
            }
        }
    }

    /** Runs one task frame on the calling thread; {@code null} when refused, or stopped by {@link #close()}. */
    private byte @Nullable [] runOne(byte[] frame) {
        Frames.Task task;
        try {
            task = Frames.decodeTask(frame, secret, job);
        } catch (Frames.JobMismatchException e) {
            framesRefused.incrementAndGet();
            LOG.warn("refused a task of another job: it is for job {}, this worker runs job {}", e.theirs, e.ours);
            return null;
        } catch (Frames.RefusedFrameException e) {
            framesRefused.incrementAndGet();
            LOG.warn("refused a task frame: {}", e.getMessage());
            return null;
        }
        servedADriverOfItsSecret = true;
        Frames.Result r;
        Thread me = Thread.currentThread();
        synchronized (running) {
            if (closed) {
                return null;
            }
            if (cancelledAhead.remove(new TaskKey(task.session(), task.seq()))) {
                tasksCancelled.incrementAndGet();
                LOG.info(
                        "did not start task {} of {}: cancelled by the driver before it started",
                        task.id(),
                        task.evaluationId());
                return answer(task, cancelledResult(task));
            }
            running.put(me, task);
        }
        try {
            r = LeafRun.run(objective, task, self.toString(), address, where);
        } catch (EvaluationCancelledException e) {
            r = null;
        } finally {
            synchronized (running) {
                running.remove(me);
                running.notifyAll();
            }
        }
        if (cancelled.remove(task)) {
            // the interrupt was for that task only; the driver dropped it already
            Thread.interrupted();
            tasksCancelled.incrementAndGet();
            LOG.info("stopped task {} of {}: cancelled by the driver", task.id(), task.evaluationId());
        } else if (r == null) {
            Thread.interrupted(); // this executor thread serves other tasks next
            if (closed) {
                return null; // the driver runs it elsewhere
            }
        }
        if (r == null) {
            r = cancelledResult(task);
        } else {
            tasksRun.incrementAndGet();
        }
        return answer(task, r);
    }

    /** @return the signed result frame of a task */
    private byte[] answer(Frames.Task task, Frames.Result r) {
        // the response says this thread is free: the driver's next task for it needs no separate token
        long current = tokenSession;
        return Frames.encode(r.ready(task.session() == current && session == current), secret, job);
    }

    private Frames.Result cancelledResult(Frames.Task task) {
        return LeafRun.error(task, self.toString(), address, "the term was cancelled on the worker");
    }

    /** One ready token per thread, and one per task each thread asks for ahead. */
    private void offerTokens(long s) {
        // set first: a result of this session that is sent meanwhile already says its thread is free
        tokenSession = s;
        try {
            for (int k = 0; k < threadCount * (1 + prefetch); k++) {
                ready.offer(
                        Frames.encode(new Frames.Ready(self.toString(), s, tokenSeq.incrementAndGet()), secret, job));
            }
        } catch (RuntimeException e) {
            tokenSession = 0; // offered again on the next look
            throw e;
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the worker: its running terms are interrupted and it waits until they have ended, at
     * most a minute (a term that runs an external program stops it as
     * its own interrupt handling does: SIGTERM to the program's process tree, its kill grace, then
     * SIGKILL), and tasks that come later are refused, so the driver runs them elsewhere. The member
     * stays up. An interrupt of the calling thread does not cut the wait short; the thread's
     * interrupt status is kept.
     */
    @Override
    public void close() {
        closed = true;
        // an interrupt of the closing thread (a second Ctrl-C, a shutdown hook) does not cut the
        // wait short: the terms' programs are being stopped; the flag is set again at the end
        boolean interrupted = Thread.interrupted();
        synchronized (running) {
            running.keySet().forEach(Thread::interrupt);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_WAIT_SECONDS);
            long left;
            while (!running.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(running, left);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        // Removing the listener is a call to every member; while the JVM's shutdown hook terminates
        // the member (SIGTERM), such a call can wait for Hazelcast's operation timeout (60 s), so it
        // is made on a thread of its own and waited for a few seconds at most: the member is going
        // away then, and its listeners with it.
        Thread remover = new Thread(
                () -> {
                    try {
                        hz.getUserContext().remove(CONTEXT_KEY, this);
                        if (cancelListener != null) {
                            hz.getTopic(Channels.CANCEL).removeMessageListener(cancelListener);
                        }
                    } catch (RuntimeException e) {
                        // the member is down already (its JVM's shutdown hook, say): nothing to remove
                        LOG.debug("removing the worker from its member: {}", e.toString());
                    }
                },
                "chemfit-worker-close");
        remover.setDaemon(true);
        remover.start();
        try {
            remover.join(TimeUnit.SECONDS.toMillis(REMOVE_WAIT_SECONDS));
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (remover.isAlive()) {
            LOG.debug("removing the worker from its member did not end within {} s", REMOVE_WAIT_SECONDS);
        }
        Threads.interruptAndJoin(threads);
        stopped.countDown();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
