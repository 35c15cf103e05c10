package org.chemfit.journal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.chemfit.EvaluationContext;
import org.chemfit.TermRecorder;

/**
 * The durable record of a fit's evaluations: every evaluation and every leaf term is committed to
 * the journal before the optimizer hears of it, and a resumed fit replays what the journal holds
 * instead of running it again. A resumed fit checks the replayed terms against its objective: a
 * term's loss recomputed from its recorded quantities must be the recorded loss, or the resume is
 * refused with a {@link JournalMismatchException} (the term's reference data or loss changed) and
 * the run is left as it was. The default journal is an SQLite file ({@code SqliteJournal}) that
 * {@code sqlite3} or pandas can read, also while a fit is writing it.
 *
 * <pre>{@code
 * try (Journal journal = Journal.open(Path.of("out/journal.sqlite"))) {
 *     FitResult r = new Fitter(objective, initial).seed(7).journal(journal).fit("Nelder-Mead");
 * }
 * }</pre>
 *
 * @implNote Implementations are thread-safe: terms finish on many threads and are recorded as
 *     they finish. One process writes a journal at a time; any number may read it.
 */
public interface Journal extends AutoCloseable {

    /** The journal's file name when {@link #open(Path)} is given a directory. */
    String DEFAULT_FILE_NAME = "journal.sqlite";

    /**
     * How hard a commit tries to reach the disk.
     *
     * <pre>{@code
     * Journal j = Journal.open(Path.of("out"), Journal.Durability.POWER_LOSS);
     * }</pre>
     *
     * @implNote An enum: immutable.
     */
    enum Durability {
        /**
         * A commit survives the fit being killed (SIGKILL, the end of an HPC allocation, an
         * out-of-memory kill): it is in the operating system's hands when the commit returns.
         * A power cut or kernel crash may lose the last commits, never the file's consistency.
         * SQLite's {@code synchronous=NORMAL} in WAL mode. The default.
         */
        PROCESS_CRASH,
        /** A commit survives a power cut too: every commit waits for fsync ({@code synchronous=FULL}). */
        POWER_LOSS
    }

    /**
     * Opens a journal for writing and reading, creating it when missing, with
     * {@link Durability#PROCESS_CRASH}.
     *
     * @param path the journal file, or a directory not itself named {@value #DEFAULT_FILE_NAME} (the file is then {@value #DEFAULT_FILE_NAME} in it;
     *     a path that does not exist yet and has no dot in its name is taken as a directory to make)
     * @return the journal
     * @throws JournalCorruptException when the file is damaged (it is left untouched)
     * @throws JournalException when the file is not a ChemFit journal or cannot be opened
     */
    static Journal open(Path path) {
        return SqliteJournal.open(path, Durability.PROCESS_CRASH);
    }

    /**
     * Opens a journal for writing and reading, creating it when missing.
     *
     * @param path the journal file, or a directory
     * @param durability how hard each commit tries to reach the disk
     * @return the journal
     * @throws JournalCorruptException when the file is damaged (it is left untouched)
     * @throws JournalException when the file is not a ChemFit journal or cannot be opened
     */
    static Journal open(Path path, Durability durability) {
        return SqliteJournal.open(path, durability);
    }

    /**
     * Opens an existing journal for reading only; works while another process writes it. What the
     * command line's report and the dashboard read through. To read its runs, evaluations and
     * terms back, open it with {@link org.chemfit.journal.read.JournalReader#openReadOnly} instead.
     *
     * @param path the journal file, or a directory holding {@value #DEFAULT_FILE_NAME}
     * @return the journal; {@link #begin} throws on it
     * @throws JournalCorruptException when the file is damaged
     * @throws JournalException when there is no journal there
     */
    static Journal openReadOnly(Path path) {
        return SqliteJournal.openReadOnly(path);
    }

    /** @return the journal's file */
    Path path();

    /**
     * Makes the sessions begun from now on keep the leaf terms' records (their values, quantities,
     * metadata and timings) only of the evaluations that may be the best point: those that lower
     * the lowest loss recorded with its terms so far in the attempt, and every failed, degraded or
     * NaN one. Every other evaluation keeps its row: parameters, loss, state, timing and its own
     * quantities. A term that ran a millisecond or longer keeps its row whatever its evaluation.
     * It cuts the journal's size and its cost to an in-process fit of many fast terms (a fourth
     * of the records' bytes in the argon example). What is lost: a left-out evaluation's terms
     * are not in the journal, so a resumed fit runs them again (they are fast; the result is the
     * same when they are deterministic), and the report and the dashboard show no terms for it.
     * The best point, and with it the report's predictions, keep theirs.
     *
     * <pre>{@code
     * Journal j = Journal.open(Path.of("out")).termsOfImprovingEvaluationsOnly();
     * }</pre>
     *
     * @return this journal
     * @throws UnsupportedOperationException when this journal cannot leave terms out
     */
    default Journal termsOfImprovingEvaluationsOnly() {
        throw new UnsupportedOperationException(getClass().getName() + " records the terms of every evaluation");
    }

    /**
     * Starts or resumes a run. The settings identify the job: a run is resumed when its recorded
     * settings are equal (their hash), and refused otherwise with the list of changes; except that
     * settings which differ from a run's only by a larger budget ({@code fit.max_evaluations})
     * resume a run that did not end on its own (its budget stopped it, or it was killed,
     * interrupted or failed), which then records the larger budget as its own.
     *
     * @param settings the job's settings, a JSON-able tree (the Fitter adds its own: method, seed,
     *     budget, initial parameters, bounds)
     * @param mode which run to write
     * @return the session that records this attempt of the run
     * @throws JournalMismatchException when the run to resume has other settings
     * @throws JournalException when the run does not exist, another process is writing the
     *     journal, or the journal is read-only
     */
    Session begin(Map<String, ?> settings, JournalMode mode);

    /** Closes the file; a session still open is ended as INTERRUPTED first. */
    @Override
    void close();

    /**
     * One attempt of one run: what the Fitter writes through, and the {@link TermRecorder} that
     * records and replays leaf terms. The Fitter drives it; user code reads the journal file with
     * {@code sqlite3} or pandas.
     *
     * <pre>{@code
     * try (Journal.Session s = journal.begin(settings, JournalMode.resumeLatest())) {
     *     if (!s.replay(0, ctx)) {
     *         s.evaluationsStarted(0, List.of(ctx));
     *         ctx.recordTo(s);
     *         objective.evaluate(ctx.parameters(), ctx);
     *         s.evaluationFinished(0, ctx, ctx.loss());
     *     }
     *     s.end("FINISHED", "CONVERGED", bestLoss, 1);
     * }
     * }</pre>
     *
     * @implNote Thread-safe: terms are recorded from any thread.
     */
    interface Session extends TermRecorder, AutoCloseable {

        /** @return the run this session writes */
        long runId();

        /** @return this attempt's number (1 for a new run, 2 after the first resume, ...) */
        int attempt();

        /** @return whether the run was started before (this attempt replays what it recorded) */
        boolean resumed();

        /**
         * Replays a whole evaluation of an objective that has no leaf terms of its own (a plain
         * objective): when the run holds a complete evaluation of exactly these parameters,
         * its loss, quantities and metadata go into {@code ctx} (status REPLAYED).
         *
         * @param number the evaluation's number
         * @param ctx a fresh root context
         * @return whether {@code ctx} was filled from the journal (then do not evaluate it)
         */
        boolean replay(int number, EvaluationContext ctx);

        /**
         * Records evaluations as RUNNING before they run; the rows join the next group commit
         * (they tell a reader what is running; nothing is replayed from them).
         *
         * @param firstNumber the number of the first; the others follow
         * @param contexts their root contexts
         */
        void evaluationsStarted(int firstNumber, List<EvaluationContext> contexts);

        /**
         * Records an evaluation as COMPLETE (or FAILED when its context says so) and returns once
         * it and every leaf term recorded before it are committed, so that the optimizer is told
         * only what is durable. The leaf terms' records are committed in groups: everything
         * finished since the last commit shares the next one. Metadata that cannot be stored as
         * JSON (a value with no text of its own, whose {@code toString} is {@code Object}'s) fails
         * what holds it: a leaf term as it is {@link #finished}, so that its failure policy
         * applies, and the evaluation here (its context is then FAILED, the message naming the
         * key and the value's class).
         *
         * @param number the evaluation's number
         * @param ctx its context, with the loss and the per-term breakdown
         * @param toldLoss the loss the optimizer will be told
         */
        void evaluationFinished(int number, EvaluationContext ctx, double toldLoss);

        /**
         * Ends this attempt and records how the run ended. REFUSED ends an attempt that refused to
         * resume the run (its recorded evaluations are not the fit's: a replayed term's recomputed
         * loss differs from the recorded one) and puts the run back as it was before the attempt
         * began: its status, end and stop reason are kept, the attempt is recorded as REFUSED.
         *
         * @param status FINISHED, FAILED, INTERRUPTED or REFUSED
         * @param stopReason why (a StopReason name or a failure message)
         * @param bestLoss the best loss, NaN when none
         * @param evaluations the number of evaluations reached
         */
        void end(String status, String stopReason, double bestLoss, int evaluations);

        /** @return how many leaf terms and whole evaluations were replayed so far in this attempt */
        long replayed();

        /** @return how many leaf terms were run (not replayed) so far in this attempt */
        long computed();

        /** Ends the session as INTERRUPTED unless {@link #end} was called. */
        @Override
        void close();
    }
}
