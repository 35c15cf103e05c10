package org.chemfit.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.ObjectiveFunction;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.chemfit.schedule.AsyncWrapperCOB;
import org.chemfit.schedule.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hammers the hand-written state machines of {@link LeafTask} and {@link Dispatch}: two threads
 * released together race a task's run (or its remote claim and completion, or failure) against
 * its cancellation, thousands of times. Every outcome is recorded; only the allowed ones may
 * appear, a term runs at most once, nothing runs on after the dispatch's wait returned, a task is
 * counted finished exactly once, and no interrupt meant for a task reaches the thread afterwards.
 * A hang (a task never counted, or counted twice) fails by the class timeout.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LeafTaskRaceTest {

    private static final int ITERATIONS = 10_000;

    /** Two racers, released together by a barrier. */
    private static ExecutorService racers;

    @BeforeAll
    static void start() {
        racers = Fixtures.fixedPool(2);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        Fixtures.shutdown(racers);
    }

    /** A leaf that counts its runs and stops, as a program would, when its thread is interrupted. */
    private static final class Racy implements ObjectiveFunction {
        final AtomicInteger entered = new AtomicInteger();
        final AtomicInteger exited = new AtomicInteger();
        final AtomicBoolean sawInterrupt = new AtomicBoolean();
        final CountDownLatch started = new CountDownLatch(1);

        @Override
        public double evaluate(Parameters p) {
            entered.incrementAndGet();
            started.countDown();
            try {
                // a short busy stretch, so that a cancel often lands while the term runs
                int spins = ThreadLocalRandom.current().nextInt(400);
                for (int k = 0; k < spins; k++) {
                    if (Thread.currentThread().isInterrupted()) {
                        sawInterrupt.set(true);
                        throw new EvaluationCancelledException("interrupted");
                    }
                    Thread.onSpinWait();
                }
                return 1.5;
            } finally {
                exited.incrementAndGet();
            }
        }
    }

    /**
     * A dispatch of two leaves whose runner keeps the tasks (nothing runs until a test runs it):
     * task 0 is raced, task 1 is the sentinel that the test finishes itself first, so that the
     * dispatch's wait returns exactly when task 0 is counted finished once.
     */
    private static Dispatch dispatch(Racy racy) {
        CombinedObjectiveFunction objective = new CombinedObjectiveFunction(List.<ObjectiveFunction>of(racy, p -> 2.0))
                .withTermNames(List.of("racy", "sentinel"));
        EvaluationContext ctx = new EvaluationContext(Fixtures.params(0.5, 0.25), "race");
        Dispatch d = new Dispatch(task -> {}, objective, List.of(ctx), false);
        d.start(false);
        assertEquals(2, d.tasks.length);
        d.tasks[1].run();
        assertEquals(EvaluationContext.Status.OK, d.tasks[1].context().status());
        return d;
    }

    private static void awaitStart(CountDownLatch latch) {
        try {
            assertTrue(latch.await(30, TimeUnit.SECONDS), "the term never started");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void spin(int n) {
        for (int k = 0; k < n; k++) {
            Thread.onSpinWait();
        }
    }

    /** Runs both actions at once on the two racers and waits for both. */
    private static void race(CyclicBarrier barrier, Runnable a, Runnable b) throws Exception {
        race(barrier, a, b, new AtomicReference<>());
    }

    /** As {@link #race(CyclicBarrier, Runnable, Runnable)}, publishing the first racer's thread before the start. */
    private static void race(CyclicBarrier barrier, Runnable a, Runnable b, AtomicReference<Thread> first)
            throws Exception {
        Future<?> fa = racers.submit(() -> {
            first.set(Thread.currentThread());
            barrier.await();
            a.run();
            return null;
        });
        Future<?> fb = racers.submit(() -> {
            barrier.await();
            b.run();
            return null;
        });
        fa.get();
        fb.get();
    }

    @Test
    void runRacingCancelRunsTheTermAtMostOnceAndLeavesNoInterruptBehind() throws Exception {
        Map<String, Integer> outcomes = new TreeMap<>();
        AtomicInteger leaked = new AtomicInteger();
        CyclicBarrier barrier = new CyclicBarrier(2);
        for (int i = 0; i < ITERATIONS; i++) {
            // half the races start together (run vs cancel of a task not yet running), half cancel
            // once the term runs (the interrupt vs the term's end and the task's finish)
            boolean whileRunning = i % 2 == 1;
            Racy racy = new Racy();
            Dispatch d = dispatch(racy);
            LeafTask task = d.tasks[0];
            race(
                    barrier,
                    () -> {
                        spin(ThreadLocalRandom.current().nextInt(50));
                        task.run();
                        // an interrupt meant for this task must not reach what the worker runs next
                        if (Thread.interrupted()) {
                            leaked.incrementAndGet();
                        }
                    },
                    () -> {
                        if (whileRunning) {
                            awaitStart(racy.started);
                        }
                        spin(ThreadLocalRandom.current().nextInt(400));
                        task.cancel();
                    });
            d.await(false);
            assertEquals(
                    racy.entered.get(), racy.exited.get(), "the term still ran after the dispatch's wait returned");
            d.await(false); // returns at once only when the task was counted finished exactly once
            EvaluationContext c = task.context();
            assertTrue(racy.entered.get() <= 1, "the term ran " + racy.entered.get() + " times");
            String outcome;
            if (racy.entered.get() == 0) {
                outcome = "not run, " + (task.isCancelled() ? "cancelled" : "NOT cancelled") + ", " + c.status();
            } else if (racy.sawInterrupt.get()) {
                outcome = "interrupted while running, " + (task.isCancelled() ? "cancelled" : "NOT cancelled") + ", "
                        + c.status();
            } else {
                outcome = "ran to the end, " + (task.isCancelled() ? "cancelled late" : "not cancelled") + ", "
                        + c.status()
                        + (c.status() == EvaluationContext.Status.OK && c.value() != 1.5
                                ? " with a wrong value " + c.value()
                                : "");
            }
            outcomes.merge(outcome, 1, Integer::sum);
            assertFalse(Thread.currentThread().isInterrupted());
        }
        assertEquals(0, leaked.get(), "interrupts left on a worker thread after run() returned; outcomes " + outcomes);
        Set<String> allowed = Set.of(
                "not run, cancelled, PENDING",
                "interrupted while running, cancelled, PENDING",
                "ran to the end, not cancelled, OK",
                "ran to the end, cancelled late, OK");
        assertTrue(allowed.containsAll(outcomes.keySet()), "outcomes " + outcomes);
        assertEquals(
                ITERATIONS,
                outcomes.values().stream().mapToInt(Integer::intValue).sum());
        System.out.println("run vs cancel, " + ITERATIONS + " races: " + outcomes);
    }

    @Test
    void remoteCompletionOrFailureRacingCancelFinishesOnceAndAlwaysTellsTheWorker() throws Exception {
        Map<String, Integer> outcomes = new TreeMap<>();
        CyclicBarrier barrier = new CyclicBarrier(2);
        for (int i = 0; i < ITERATIONS; i++) {
            boolean failing = i % 2 == 1;
            Racy racy = new Racy();
            Dispatch d = dispatch(racy);
            LeafTask task = d.tasks[0];
            // the worker's result, computed before the race: a remote run never touches this JVM's term
            EvaluationContext result =
                    Terms.leafContext(task.root(), task.path(), task.parameters(), task.evaluationId());
            Terms.runTerm(task.parent(), task.index(), task.parameters(), result);
            AtomicBoolean claimed = new AtomicBoolean();
            AtomicInteger hookRuns = new AtomicInteger();
            race(
                    barrier,
                    () -> {
                        if (task.tryStart()) {
                            claimed.set(true);
                            spin(ThreadLocalRandom.current().nextInt(100));
                            task.onCancel(hookRuns::incrementAndGet);
                            spin(ThreadLocalRandom.current().nextInt(100));
                            if (failing) {
                                task.fail(new IllegalStateException("the worker is gone"));
                            } else {
                                task.complete(result);
                            }
                        }
                    },
                    () -> {
                        spin(ThreadLocalRandom.current().nextInt(400));
                        task.cancel();
                    });
            d.await(false);
            d.await(false); // returns at once only when the task was counted finished exactly once
            EvaluationContext c = task.context();
            String outcome;
            if (!claimed.get()) {
                outcome = "cancelled before the claim, " + (task.isCancelled() ? "cancelled" : "NOT cancelled")
                        + ", hook run " + hookRuns.get() + ", " + c.status();
            } else if (task.isCancelled()) {
                outcome = "cancelled after the claim, hook run " + (hookRuns.get() > 0 ? "at least once" : "never")
                        + ", " + (failing ? "failed: " : "completed: ") + c.status();
            } else {
                outcome = "not cancelled, hook run " + hookRuns.get() + ", " + (failing ? "failed: " : "completed: ")
                        + c.status()
                        + (failing && c.failure() != null ? " '" + c.failure().getMessage() + "'" : "")
                        + (!failing && c.value() != 1.5 ? " with a wrong value " + c.value() : "");
            }
            outcomes.merge(outcome, 1, Integer::sum);
        }
        Set<String> allowed = Set.of(
                "cancelled before the claim, cancelled, hook run 0, PENDING",
                // the result had arrived: what the worker computed is kept, the worker was told to stop
                "cancelled after the claim, hook run at least once, completed: OK",
                // a task cancelled before its failure came: that is not a term failure
                "cancelled after the claim, hook run at least once, failed: PENDING",
                // the failure was recorded before the cancel landed
                "cancelled after the claim, hook run at least once, failed: FAILED",
                "not cancelled, hook run 0, completed: OK",
                "not cancelled, hook run 0, failed: FAILED 'term 0 'racy' failed: the worker is gone'");
        assertTrue(allowed.containsAll(outcomes.keySet()), "outcomes " + outcomes);
        assertEquals(
                ITERATIONS,
                outcomes.values().stream().mapToInt(Integer::intValue).sum());
        System.out.println("claim and complete or fail vs cancel, " + ITERATIONS + " races: " + outcomes);
    }

    /**
     * @param running counts the busy terms running
     * @return six busy terms that stop when interrupted, and term 2 'density' that fails at once (RAISE)
     */
    private static CombinedObjectiveFunction failingAmongBusyTerms(AtomicInteger running) {
        List<ObjectiveFunction> terms = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            terms.add(p -> {
                running.incrementAndGet();
                try {
                    for (int s = 0; s < 1000; s++) {
                        if (Thread.currentThread().isInterrupted()) {
                            throw new EvaluationCancelledException("interrupted");
                        }
                        Thread.onSpinWait();
                    }
                    return 1.0;
                } finally {
                    running.decrementAndGet();
                }
            });
        }
        terms.add(2, p -> {
            throw new IllegalStateException("lammps exited with code 1");
        });
        return new CombinedObjectiveFunction(terms).withTermNames(List.of("a", "b", "density", "c", "d", "e", "f"));
    }

    @Test
    void anInterruptRacingARaisedFailureLeavesNoTermRunningWhenEvaluateThrows() throws Exception {
        Map<String, Integer> outcomes = new TreeMap<>();
        ExecutorService pool = Fixtures.fixedPool(4);
        CyclicBarrier barrier = new CyclicBarrier(2);
        try {
            for (int i = 0; i < 1000; i++) {
                AtomicInteger running = new AtomicInteger();
                AtomicReference<Thread> caller = new AtomicReference<>();
                AtomicReference<String> outcome = new AtomicReference<>();
                try (AsyncWrapperCOB w = new AsyncWrapperCOB(failingAmongBusyTerms(running), pool)) {
                    Runnable evaluate = () -> {
                        String o;
                        try {
                            o = "value " + w.evaluate(Fixtures.params(0, 0));
                        } catch (TermFailedException e) {
                            o = "failed: " + e.getMessage();
                        } catch (EvaluationCancelledException e) {
                            o = "cancelled, the caller "
                                    + (Thread.currentThread().isInterrupted() ? "stays" : "is NOT") + " interrupted";
                        }
                        // the contract: once evaluate returned or threw, no term of it runs any more
                        int left = running.get();
                        outcome.set(o + (left == 0 ? "" : ", " + left + " terms still running"));
                        Thread.interrupted(); // a late interrupt is for this iteration only
                    };
                    race(
                            barrier,
                            evaluate,
                            () -> {
                                spin(ThreadLocalRandom.current().nextInt(2000));
                                caller.get().interrupt();
                            },
                            caller);
                }
                outcomes.merge(outcome.get(), 1, Integer::sum);
            }
        } finally {
            Fixtures.shutdown(pool);
        }
        Set<String> allowed = Set.of(
                "cancelled, the caller stays interrupted",
                "failed: term 2 'density' failed: lammps exited with code 1");
        assertTrue(allowed.containsAll(outcomes.keySet()), "outcomes " + outcomes);
        System.out.println("raised failure vs interrupt of the caller, 1000 races: " + outcomes);
    }

    @Test
    void aRaisedFailureRacingTheCallersCancelEndsInOneOfTheTwoAndStopsEveryTerm() throws Exception {
        Map<String, Integer> outcomes = new TreeMap<>();
        ExecutorService pool = Fixtures.fixedPool(4);
        try {
            for (int i = 0; i < 500; i++) {
                AtomicInteger running = new AtomicInteger();
                try (AsyncWrapperCOB w = new AsyncWrapperCOB(failingAmongBusyTerms(running), pool)) {
                    CompletableFuture<Double> f = w.evaluateAsync(Fixtures.params(0, 0));
                    if (ThreadLocalRandom.current().nextBoolean()) {
                        Thread.onSpinWait();
                    }
                    boolean cancelled = f.cancel(true);
                    String outcome;
                    try {
                        outcome = "value " + f.get(30, TimeUnit.SECONDS);
                    } catch (CancellationException e) {
                        outcome = "cancelled" + (cancelled ? "" : " but cancel() said false");
                    } catch (ExecutionException e) {
                        outcome = (cancelled ? "cancel() said true, yet " : "")
                                + e.getCause().getClass().getSimpleName() + ": "
                                + e.getCause().getMessage();
                    }
                    outcomes.merge(outcome, 1, Integer::sum);
                    // cancelled or failed, every running term is interrupted and stops
                    await().atMost(Duration.ofSeconds(30))
                            .pollDelay(Duration.ZERO)
                            .pollInterval(Duration.ofMillis(1))
                            .untilAsserted(() -> assertEquals(0, running.get(), "terms still running"));
                }
            }
        } finally {
            Fixtures.shutdown(pool);
        }
        Set<String> allowed = Set.of(
                "cancelled",
                TermFailedException.class.getSimpleName() + ": term 2 'density' failed: lammps exited with code 1");
        assertTrue(allowed.containsAll(outcomes.keySet()), "outcomes " + outcomes);
        System.out.println("raised failure vs cancel, 500 races: " + outcomes);
    }
}
