package org.chemfit.journal;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.chemfit.support.Reasons;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of a journal session: takes every write submitted since its last commit into
 * one transaction. A lone write (a long simulation that just finished) is committed within a
 * millisecond ({@link #LINGER_NANOS}); many writes that arrive meanwhile or while a commit is under
 * way (the 46 fast leaf terms of one in-process evaluation) share the next commit.
 * {@link #flush()} waits until everything submitted before it
 * is committed, which is how a session keeps its promise that an evaluation is durable before the
 * optimizer hears of it. A caller that flushes while the writer is idle commits the pending writes
 * itself, so a serial fit does not wait for the writer's thread to be scheduled.
 *
 * <p>Written by hand: the JDK has no group-commit queue, and SQLite's own batching
 * ({@code executeBatch}) still needs one caller to gather the rows of many threads.
 *
 * <pre>{@code
 * GroupCommitWriter w = new GroupCommitWriter(journal, "run 1",
 *         group -> { for (Write x : group) x.apply(); },   // or merge them
 *         () -> {}, () -> false);                           // nothing after a commit or while lingering
 * w.submit(() -> insertTermRow(...));   // returns at once
 * w.flush();                            // committed when this returns
 * w.close();
 * }</pre>
 *
 * @implNote Thread-safe. Writes run on the writer's own daemon thread, inside
 *     {@link SqliteJournal#inTransaction} while it holds the journal's lock, in the order they were
 *     submitted. A write that fails rolls back its whole group; the failure is thrown by the
 *     next {@link #submit} or {@link #flush}, and nothing is written after it.
 */
final class GroupCommitWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

    /** One write, run inside the writer's transaction. */
    @FunctionalInterface
    interface Write {
        void apply() throws SQLException;
    }

    /**
     * How a group of writes is applied inside its transaction: by default one after the other; a
     * session may merge some of them (the terms of one evaluation into one row).
     */
    @FunctionalInterface
    interface Applier {
        void apply(List<Write> group) throws SQLException;
    }

    /**
     * How long the writer's thread lets a group gather before committing it: a finished result
     * waits at most this long (plus the commit) to be durable when nobody flushes.
     */
    static final long LINGER_NANOS = 1_000_000;

    private final SqliteJournal journal;
    private final Applier applier;
    private final Runnable afterCommit;
    private final java.util.function.BooleanSupplier whileLingering;
    /** Whether {@link #whileLingering} said more is left (only the writer's thread uses it). */
    private boolean moreToReady;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a write is submitted, a group is committed, or the writer is closing. */
    private final Condition changed = lock.newCondition();

    private final Thread thread;
    private List<Write> pending = new ArrayList<>();
    private long submitted;
    private long committed;
    private long commits;
    private @Nullable JournalException failure;
    private boolean closing;
    /** Whether a group is being committed (by the writer's thread or by a flushing caller). */
    private boolean busy;

    /**
     * @param journal the journal whose connection the writes use
     * @param name what the writer serves, for its thread's name
     * @param applier how a group is applied inside its transaction
     * @param afterCommit run by the committing thread after each group is committed
     * @param whileLingering work that readies what the writers of the next groups need, kept off
     *     their threads: done by the writer's own thread while it lets a group gather (the
     *     {@link #LINGER_NANOS} it waits anyway), without its lock, in short steps that each say
     *     whether more is left; it delays no commit by more than a step
     */
    GroupCommitWriter(
            SqliteJournal journal,
            String name,
            Applier applier,
            Runnable afterCommit,
            java.util.function.BooleanSupplier whileLingering) {
        this.journal = journal;
        this.applier = applier;
        this.afterCommit = afterCommit;
        this.whileLingering = whileLingering;
        this.thread = new Thread(this::loop, "chemfit-journal-writer (" + name + ")");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues a write for the next commit.
     *
     * @param write the write
     * @throws JournalException when an earlier write failed, or the writer was closed
     */
    void submit(Write write) {
        lock.lock();
        try {
            throwIfFailed();
            if (closing) {
                throw new JournalException("journal " + journal.path() + ": the session's writer has stopped (the"
                        + " journal or its session was closed while a fit still wrote it; close the journal only"
                        + " after the fit has returned)");
            }
            pending.add(write);
            submitted++;
            if (pending.size() == 1) {
                // the first write of a group wakes the writer; the others wait for its commit
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every write submitted before this call is committed, committing them itself
     * when the writer's thread is not already at it. An interrupt does not cut the wait short (the
     * commit takes milliseconds, and losing it would lose a finished result); the thread's
     * interrupt status is set again when it returns.
     *
     * @throws JournalException when a write failed
     */
    void flush() {
        lock.lock();
        try {
            long target = submitted;
            while (committed < target && failure == null) {
                if (!busy && !pending.isEmpty()) {
                    commitNextGroup();
                } else {
                    changed.awaitUninterruptibly();
                }
            }
            throwIfFailed();
        } finally {
            lock.unlock();
        }
    }

    /** @return how many transactions have been committed */
    long commits() {
        lock.lock();
        try {
            return commits;
        } finally {
            lock.unlock();
        }
    }

    private void throwIfFailed() {
        JournalException f = failure;
        if (f != null) {
            throw new JournalException(String.valueOf(f.getMessage()), f);
        }
    }

    private void loop() {
        lock.lock();
        try {
            while (true) {
                while ((pending.isEmpty() || busy) && !(closing && !busy)) {
                    // only close() ends the writer, and not before what was submitted is committed
                    changed.awaitUninterruptibly();
                }
                if (pending.isEmpty() || failure != null) {
                    return;
                }
                linger();
                if (!busy && !pending.isEmpty()) {
                    commitNextGroup();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@link #LINGER_NANOS} after the first write of a group, so that the writes of the
     * same moment (the other fast terms of an evaluation) share its commit instead of each waking
     * the writer; a flush or close meanwhile ends the wait (a flushing caller takes the group).
     * The wait is used for the steps of {@link #whileLingering} while they say more is left.
     */
    private void linger() {
        long deadline = System.nanoTime() + LINGER_NANOS;
        moreToReady = true; // the writers went on since the last group
        long left;
        while (!closing && !busy && !pending.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
            if (moreToReady) {
                readyStep();
                continue;
            }
            try {
                changed.awaitNanos(left);
            } catch (InterruptedException e) {
                // only close() ends the writer; an interrupt just ends the wait
                return;
            }
        }
    }

    /** Runs one step of {@link #whileLingering} without the lock; called holding it. */
    private void readyStep() {
        lock.unlock();
        try {
            moreToReady = whileLingering.getAsBoolean();
        } catch (RuntimeException | InternalError e) {
            // this work only saves time later: its failure is not the writes' (an InternalError
            // is a fault in a mapped file: a full file system); not tried again for this group
            moreToReady = false;
            LOG.debug("journal {}: while lingering: {}", journal.path(), Reasons.of(e));
        } finally {
            lock.lock();
        }
    }

    /** Commits the pending writes as one group; called holding the lock, which it releases meanwhile. */
    private void commitNextGroup() {
        List<Write> batch = pending;
        pending = new ArrayList<>();
        busy = true;
        JournalException failed;
        // the commit runs without the lock, so that terms can be submitted meanwhile
        lock.unlock();
        try {
            failed = commit(batch);
        } catch (RuntimeException | Error e) {
            // the writer's thread must not end with the group taken: flushers would wait forever
            failed = new JournalException(
                    "journal " + journal.path() + ": cannot record finished results: " + Reasons.of(e), e);
        } finally {
            lock.lock();
        }
        busy = false;
        if (failed != null) {
            failure = failed;
            pending.clear();
        } else {
            committed += batch.size();
            commits++;
        }
        changed.signalAll();
    }

    private @Nullable JournalException commit(List<Write> batch) {
        synchronized (journal.lock) {
            try {
                journal.ensureOpen();
                journal.inTransaction(() -> {
                    applier.apply(batch);
                    return null;
                });
                afterCommit.run();
                return null;
            } catch (SQLException e) {
                return journal.failure(
                        "record " + batch.size() + (batch.size() == 1 ? " finished result" : " finished results"), e);
            } catch (RuntimeException e) {
                return e instanceof JournalException je
                        ? je
                        : new JournalException(
                                "journal " + journal.path() + ": cannot record finished results: " + Reasons.of(e), e);
            }
        }
    }

    /** Commits what is pending and stops the writer's thread; later submits are refused. */
    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
