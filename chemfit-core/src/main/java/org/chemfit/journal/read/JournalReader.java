package org.chemfit.journal.read;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.chemfit.journal.Journal;
import org.chemfit.journal.JournalException;
import org.chemfit.journal.JournalMismatchException;
import org.chemfit.journal.JournalMode;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Journal} that is also read back, run by run, evaluation by evaluation and
 * term by term: what the command line's resume, report and dashboard read, and Java code that
 * reads a fit's journal back. ChemFit's SQLite journal is one; other tools read the file with
 * {@code sqlite3} or pandas.
 *
 * <pre>{@code
 * try (JournalReader j = JournalReader.openReadOnly(Path.of("out"))) {
 *     RunRecord run = j.latestRun().orElseThrow();
 *     EvaluationRecord best = j.best(run.id()).orElseThrow();
 * }
 * }</pre>
 *
 * @implNote Implementations are thread-safe, as {@link Journal} is; any number of processes may
 *     read a journal while one writes it.
 */
public interface JournalReader extends Journal {

    /**
     * Opens a journal for writing and reading, as {@link Journal#open(Path)} does.
     *
     * @param path the journal file, or a directory
     * @return the journal
     * @throws org.chemfit.journal.JournalCorruptException when the file is damaged
     * @throws JournalException when the file is not a ChemFit journal or cannot be opened
     */
    static JournalReader open(Path path) {
        return of(Journal.open(path));
    }

    /**
     * Opens a journal for writing and reading, as {@link Journal#open(Path, Journal.Durability)} does.
     *
     * @param path the journal file, or a directory
     * @param durability how hard each commit tries to reach the disk
     * @return the journal
     * @throws org.chemfit.journal.JournalCorruptException when the file is damaged
     * @throws JournalException when the file is not a ChemFit journal or cannot be opened
     */
    static JournalReader open(Path path, Journal.Durability durability) {
        return of(Journal.open(path, durability));
    }

    /**
     * Opens an existing journal for reading only, as {@link Journal#openReadOnly(Path)} does.
     *
     * @param path the journal file, or a directory holding {@value Journal#DEFAULT_FILE_NAME}
     * @return the journal; {@link Journal#begin} throws on it
     * @throws org.chemfit.journal.JournalCorruptException when the file is damaged
     * @throws JournalException when there is no journal there
     */
    static JournalReader openReadOnly(Path path) {
        return of(Journal.openReadOnly(path));
    }

    /**
     * The reading side of a journal that has one. It is the same object: closing the reader closes
     * the journal, and a fit still writing it then fails. To read while a fit of this process
     * writes, leave the reader open, or read through one of its own ({@link #openReadOnly(Path)}).
     *
     * @param journal a journal, such as one {@link Journal#open(Path)} returned
     * @return the same journal, to read
     * @throws IllegalArgumentException when the journal cannot be read back (a journal written
     *     by other code than ChemFit's)
     */
    static JournalReader of(Journal journal) {
        if (journal instanceof JournalReader reader) {
            return reader;
        }
        throw new IllegalArgumentException(
                "a journal of type " + journal.getClass().getSimpleName()
                        + " cannot be read back: only ChemFit's own journal (Journal.open) can");
    }

    /**
     * Says which run {@link Journal#begin} would write, without writing anything: a command line checks
     * this before it touches the output folder. On a journal opened for writing, with no fit of its own
     * running, it also takes the journal's writer lock, which it keeps until {@link #close}, so that no
     * other fit starts in the folder before this one has begun, nor while it writes its results after
     * its session ended; a read-only journal takes none.
     *
     * @param settings the job's settings, as for {@link Journal#begin}
     * @param mode which run
     * @return the run that would be resumed, or empty for a new run
     * @throws JournalMismatchException when the run to resume has other settings
     * @throws JournalException when the run to resume does not exist, or another process is
     *     writing the journal now
     */
    Optional<RunRecord> check(Map<String, ?> settings, JournalMode mode);

    /**
     * @return every run, oldest first
     * @throws JournalException when the file cannot be read
     */
    List<RunRecord> runs();

    /**
     * @param runId a run id
     * @return that run, if recorded
     */
    Optional<RunRecord> run(long runId);

    /**
     * @return the most recently started run, if any: the run whose attempt began last (a run resumed
     *     after a later run is then the latest), or the last run begun where attempts are not kept
     */
    Optional<RunRecord> latestRun();

    /**
     * The run that an output folder's files are about, which {@code chemfit report}, its
     * {@code report.html} and the dashboard show: the latest run, unless the folder's results.json
     * names an earlier run that ended after the latest one ended (an earlier run resumed and
     * finished after a later one: results.json, predictions.csv and evaluations.csv are then that
     * run's). A latest run that has not ended (it runs, or stopped without finishing) is the one,
     * as it is what a resume would go on with. The latest run is {@link #latestRun}: in the SQLite
     * journal, the run whose attempt began last, so that a fit that resumes an earlier run (run 1,
     * after a new run 2 finished) makes that run the folder's while it runs, as it writes the
     * folder's files anew.
     *
     * @param resultsRun the run the folder's results.json names ({@code journal_run}), or null when
     *     there is no results.json or it names none
     * @return that run, or empty when the journal holds no run
     */
    default Optional<RunRecord> runOfFolder(@Nullable Long resultsRun) {
        Optional<RunRecord> latest = latestRun();
        if (latest.isEmpty() || resultsRun == null || resultsRun == latest.get().id()) {
            return latest;
        }
        java.time.Instant latestEnded = latest.get().ended();
        if (latestEnded == null) {
            return latest;
        }
        Optional<RunRecord> named = run(resultsRun);
        java.time.Instant namedEnded = named.map(RunRecord::ended).orElse(null);
        return namedEnded != null && namedEnded.isAfter(latestEnded) ? named : latest;
    }

    /**
     * Runs reads whose figures must agree with each other (a count of evaluations and the best of
     * them, the run's state and its counts) on the journal as it was at one moment: a fit that
     * writes meanwhile adds nothing to what they see. Each read alone already sees one moment;
     * reads made one after the other outside this see the commits made between them.
     *
     * <pre>{@code
     * var soFar = j.consistently(r -> Map.entry(r.evaluationCounts(run), r.best(run)));
     * }</pre>
     *
     * @param reads the reads, made through the reader they are given (this journal)
     * @param <T> what they return
     * @return what the reads returned
     * @throws JournalException when the journal cannot be read
     */
    default <T> T consistently(java.util.function.Function<? super JournalReader, ? extends T> reads) {
        return reads.apply(this);
    }

    /**
     * @param runId a run id
     * @return its evaluations, by number
     */
    List<EvaluationRecord> evaluations(long runId);

    /**
     * Reads a page of a run's evaluations: what a report polling a running fit reads, without
     * holding every metadata tree of a long run in memory.
     *
     * @param runId a run id
     * @param fromNumber the first evaluation number to read
     * @param limit the most records to return
     * @return the evaluations numbered from {@code fromNumber}, by number
     * @throws IllegalArgumentException when fromNumber is negative or limit is below 1
     */
    List<EvaluationRecord> evaluations(long runId, int fromNumber, int limit);

    /**
     * Reads a page of a run's evaluations as {@link #evaluations(long, int, int)} does, but only
     * what the evaluations table holds of each: their trees and quantities read as empty, no
     * record of an evaluation decoded. What a reader following a running fit reads for its
     * counts, losses and parameters.
     *
     * @param runId a run id
     * @param fromNumber the first evaluation number to read
     * @param limit the most records to return
     * @return the evaluations numbered from {@code fromNumber}, by number, with empty trees and quantities
     * @throws IllegalArgumentException when fromNumber is negative or limit is below 1
     */
    default List<EvaluationRecord> evaluationRows(long runId, int fromNumber, int limit) {
        return evaluations(runId, fromNumber, limit);
    }

    /**
     * @param runId a run id
     * @return how many of its evaluations are in each state (every state present, 0 when none)
     */
    Map<EvaluationRecord.State, Integer> evaluationCounts(long runId);

    /**
     * @param runId a run id
     * @return its best evaluation by the Fitter's rule ({@link BestPoint}): the complete one of
     *     lowest finite loss without a failed term, else (none such) the one of lowest finite loss
     *     with a failed term; never one whose loss was NaN or infinite; the earliest on a tie; if any
     */
    Optional<EvaluationRecord> best(long runId);

    /**
     * @param runId a run id
     * @param evaluationNumber an evaluation's number
     * @return the leaf terms recorded for it, in the order they started (a term run twice, after
     *     a crash, appears twice)
     */
    List<TermRecord> terms(long runId, int evaluationNumber);

    /**
     * The process ids of the attempts of a run (the first start and every resume), oldest first:
     * what tells the run directories a fit's own processes created (their names carry the pid)
     * from anything else in the same folder.
     *
     * @param runId a run id
     * @return the process id of each attempt; empty for a journal that does not record them
     */
    default List<Long> attemptProcessIds(long runId) {
        return List.of();
    }

    /**
     * The process ids of a run's attempts that ran on this host: the only ones whose process can
     * be told alive or gone here, and so the only ones whose leftover programs may be ended here.
     *
     * @param runId a run id
     * @return the process id of each attempt recorded on this host; empty for a journal that does
     *     not record them
     */
    default List<Long> attemptProcessIdsOnThisHost(long runId) {
        return List.of();
    }

    /**
     * Where the attempts of a run that resumed it left the path the run had recorded: the first
     * evaluation number at which each such attempt asked for other parameters than recorded. The
     * rows of earlier attempts from that number on belong to a path the fit no longer follows, and
     * the reads of evaluations and terms leave them out (they stay in the file).
     *
     * @param runId a run id
     * @return attempt number to the evaluation number it diverged at, for each attempt that
     *     diverged; empty for a journal that does not record it
     */
    default Map<Integer, Integer> divergedAttempts(long runId) {
        return Map.of();
    }

    /**
     * Tells a run that stopped without finishing from one that is running: the run's latest
     * attempt has not ended in the journal, ran on this host, its process is gone (killed, out of
     * its allocation, or crashed), and no process holds the journal's lock (a fit in another PID
     * namespace, whose process id cannot be seen from here, holds it while it runs). A fit of the
     * same job resumes such a run.
     *
     * @param runId a run id
     * @return "pid N on HOST" of that attempt's ended process; empty when the attempt ended
     *     normally, its process still runs or a process holds the journal's lock, or it ran on
     *     another host (where it cannot be told)
     */
    default Optional<String> endedWithoutFinishing(long runId) {
        return Optional.empty();
    }

    /**
     * @param runId a run id
     * @return every leaf term recorded for the run, in the order they started
     */
    List<TermRecord> terms(long runId);

    /**
     * Reads a page of a run's leaf terms, in the order they started: what a reader following a
     * running fit reads, picking up where it left off instead of reading every term again.
     *
     * <pre>{@code
     * long last = 0;
     * for (TermRecord t : journal.terms(runId, last, 1000)) {
     *     last = t.id();
     * }
     * }</pre>
     *
     * @param runId a run id
     * @param afterId read the terms whose {@link TermRecord#id()} is greater than this (0 for the first page)
     * @param limit the most records to return
     * @return the terms, by id
     * @throws IllegalArgumentException when afterId is negative or limit is below 1
     */
    List<TermRecord> terms(long runId, long afterId, int limit);

    /**
     * Reads a page of a run's leaf terms as {@link #terms(long, long, int)} does, but without their
     * quantities (read as empty): what a reader tallying the terms' states, values and times
     * reads. The journal decodes only the records the page needs.
     *
     * @param runId a run id
     * @param afterId read the terms whose {@link TermRecord#id()} is greater than this (0 for the first page)
     * @param limit the most records to return
     * @return the terms, by id, with empty quantities
     * @throws IllegalArgumentException when afterId is negative or limit is below 1
     */
    default List<TermRecord> termOutcomes(long runId, long afterId, int limit) {
        return terms(runId, afterId, limit);
    }

    /**
     * @param runId a run id
     * @param evaluationNumber an evaluation's number
     * @return the leaf terms recorded for it as {@link #terms(long, int)} returns them, but with
     *     empty quantities
     */
    default List<TermRecord> termOutcomes(long runId, int evaluationNumber) {
        return terms(runId, evaluationNumber);
    }

    /**
     * Runs SQLite's full integrity check.
     *
     * @return {@code ["ok"]} when the file is sound, else the problems found
     */
    List<String> integrityCheck();
}
