package org.chemfit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.Quantities;
import org.chemfit.journal.Journal;
import org.chemfit.journal.JournalMode;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chemfit report} on a fit that writes its journal meanwhile: every figure it takes from
 * the journal is read at one moment, so the count of evaluations, the best of them and the
 * journal's counts by state agree in every report, however the commits fall between its reads.
 */
class ReportSnapshotTest {

    /** How many reports are read while the evaluations are written. */
    private static final int REPORTS = 40;
    /** How many times the figures alone are read while the evaluations are written. */
    private static final int READS = 200;
    /**
     * How many evaluations the writer may write per read (so that the journal, which each read
     * opens and checks, stays small, whatever the speed of the two threads).
     */
    private static final int PER_READ = 10;

    @TempDir
    Path dir;

    /**
     * Writes evaluation {@code i} as the Fitter does, one term, of loss {@code 1000 - i}: each is
     * the best so far, so the best of a moment is the last finished one.
     */
    private static void write(Journal.Session s, int i) {
        EvaluationContext ctx = new EvaluationContext(Parameters.of(Map.of("x", (double) i)), "e" + i);
        ctx.recordTo(s);
        s.evaluationsStarted(i, List.of(ctx));
        EvaluationContext child = ctx.addChild("t", 1.0);
        s.lookup(child);
        child.computed(Quantities.of("energy", i));
        child.complete(1000.0 - i);
        s.finished(child);
        ctx.complete(1000.0 - i);
        s.evaluationFinished(i, ctx, 1000.0 - i);
    }

    /**
     * Writes evaluations from another thread until {@code done} reads were made, at most
     * {@link #PER_READ} for each read, and runs the reads on this one once the first evaluation
     * is committed.
     *
     * @return the evaluations written
     */
    private int whileWriting(AtomicInteger done, int reads, Runnable read) throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        Semaphore allowed = new Semaphore(PER_READ);
        AtomicInteger written = new AtomicInteger();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (JournalReader j = JournalReader.open(dir);
                    Journal.Session s = j.begin(Map.of("job", "snapshot"), JournalMode.resumeLatest())) {
                for (int i = 0; done.get() < reads; i++) {
                    allowed.acquire();
                    write(s, i);
                    written.incrementAndGet();
                    first.countDown();
                }
                s.end("FINISHED", "CONVERGED", 1000.0 - (written.get() - 1), written.get());
            } catch (Throwable t) {
                failed.set(t);
                first.countDown();
            }
        });
        writer.start();
        try {
            assertTrue(first.await(60, TimeUnit.SECONDS), "the first evaluation was not written");
            assertNull(failed.get());
            while (done.get() < reads) {
                read.run();
                allowed.release(PER_READ);
            }
        } finally {
            done.set(reads); // the writer stops also when a read failed
            allowed.release(PER_READ * (reads + 1));
            writer.join();
        }
        assertNull(failed.get());
        return written.get();
    }

    @Test
    void theFiguresOfOneReadAgreeWhileTheFitWrites() throws Exception {
        Path journal = dir.resolve(Journal.DEFAULT_FILE_NAME);
        AtomicInteger done = new AtomicInteger();
        List<String> disagreements = new ArrayList<>();
        int last = whileWriting(done, READS, () -> {
            ReportCommand.JournalFigures f = ReportCommand.JournalFigures.read(journal, null);
            done.incrementAndGet();
            assertNull(f.unread());
            assertNotNull(f.run());
            int finished = f.finished();
            EvaluationRecord best = f.best();
            int bestNumber = best == null ? -1 : best.number();
            // evaluation n is written RUNNING, then COMPLETE: at any moment at most one runs
            int running = f.count(EvaluationRecord.State.RUNNING);
            if (bestNumber != finished - 1 || f.count(EvaluationRecord.State.COMPLETE) != finished || running > 1) {
                disagreements.add(finished + " finished, " + running + " running, best " + bestNumber);
            }
        });
        assertTrue(last > 0);
        assertEquals(List.of(), disagreements);
        // read after the fit: the figures of its end
        ReportCommand.JournalFigures f = ReportCommand.JournalFigures.read(journal, null);
        assertEquals(last, f.finished());
        assertEquals(last - 1, f.best().number());
        assertEquals("finished", f.state());
    }

    private static final Pattern SO_FAR = Pattern.compile("; (\\d+) evaluations? so far$", Pattern.MULTILINE);
    private static final Pattern BEST =
            Pattern.compile("^best loss so far: ([0-9.e+-]+) at evaluation (\\d+)$", Pattern.MULTILINE);
    private static final Pattern JOURNAL = Pattern.compile(
            "^journal: .*, run 1 of 1: RUNNING, 1 attempt; evaluations (\\d+) complete, (\\d+) running, 0 failed$",
            Pattern.MULTILINE);
    private static final Pattern JOURNAL_BEST =
            Pattern.compile("^journal best: loss ([0-9.e+-]+) at evaluation (\\d+) \\{x=", Pattern.MULTILINE);

    @Test
    void theReportOfARunningFitPrintsFiguresOfOneMoment() throws Exception {
        AtomicInteger done = new AtomicInteger();
        List<String> disagreements = new ArrayList<>();
        whileWriting(done, REPORTS, () -> {
            Cli.Run r = Cli.run("report", dir.toString(), "--no-plots");
            done.incrementAndGet();
            assertEquals(ExitCodes.OK, r.code(), r::toString);
            Matcher soFar = SO_FAR.matcher(r.out());
            Matcher best = BEST.matcher(r.out());
            Matcher journal = JOURNAL.matcher(r.out());
            Matcher journalBest = JOURNAL_BEST.matcher(r.out());
            assertTrue(
                    soFar.find() && best.find() && journal.find() && journalBest.find(),
                    () -> "unexpected report:\n" + r);
            assertTrue(r.out().startsWith(dir + ": running (no results.json yet); "), r::toString);
            int n = Integer.parseInt(soFar.group(1));
            if (Integer.parseInt(best.group(2)) != n - 1
                    || Double.parseDouble(best.group(1)) != 1000.0 - (n - 1)
                    || Integer.parseInt(journal.group(1)) != n
                    || Integer.parseInt(journal.group(2)) > 1
                    || Integer.parseInt(journalBest.group(2)) != n - 1) {
                disagreements.add(r.out());
            }
        });
        assertEquals(List.of(), disagreements);
    }
}
