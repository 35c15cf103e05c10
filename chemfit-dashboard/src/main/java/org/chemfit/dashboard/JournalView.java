package org.chemfit.dashboard;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chemfit.journal.Journal;
import org.chemfit.journal.JournalException;
import org.chemfit.journal.read.BestPoint;
import org.chemfit.journal.read.EvaluationRecord;
import org.chemfit.journal.read.JournalReader;
import org.chemfit.journal.read.RunRecord;
import org.chemfit.journal.read.TermRecord;
import org.chemfit.support.JsonErrors;
import org.chemfit.support.Reasons;
import org.jspecify.annotations.Nullable;

/**
 * What the dashboard knows of one output folder: the latest run of its journal, read read-only
 * and incrementally (each {@link #refresh} reads only the evaluations and terms recorded since the
 * last, and at most a few thousand of each), kept in memory as small rows so that a page is built
 * without touching the journal. Of the evaluations it reads their rows, not their records (the
 * tree of one is read only when a term of it failed); of the terms their states, values and
 * times, not their quantities; the values of the terms at the best point are read again only
 * when the best point changes.
 *
 * @implNote Thread-safe: every method but {@link #close} is synchronized; the journal is only
 *     read in {@link #refresh}, and {@link #close} stops a refresh under way after its current batch.
 */
final class JournalView implements AutoCloseable {

    /** The most points a chart receives; longer histories are downsampled to about this. */
    static final int MAX_POINTS = 2000;
    /** The most failures a page lists (the latest ones); the count says how many there are. */
    static final int MAX_FAILURES = 200;

    private static final int PAGE_SIZE = 5000;
    /** Pages read per {@link #refresh}, so that a page asking meanwhile waits for one batch, not a whole long journal. */
    private static final int PAGES_PER_REFRESH = 2;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One evaluation, without its metadata tree. */
    record Row(
            int number,
            String state,
            double loss,
            double told,
            double[] params,
            double seconds,
            @Nullable Instant started,
            @Nullable Instant ended,
            String host,
            String failure,
            BestPoint.Kind kind,
            int attempt,
            boolean degraded,
            @Nullable String stoodIn) {}

    /** One leaf term's tally over the run. */
    static final class TermTally {
        final String path;
        final String name;
        int complete;
        int failed;
        double last = Double.NaN;
        double min = Double.POSITIVE_INFINITY;
        double seconds;

        TermTally(String path, String name) {
            this.path = path;
            this.name = name;
        }
    }

    /**
     * One failed term, with where its run directory is and, once a later attempt ran its
     * evaluation again and the term completed, the latest such attempt ({@code resolvedBy}, 0
     * while the failure stands).
     */
    record Failure(
            int index,
            int evaluation,
            String term,
            String path,
            @Nullable String message,
            @Nullable String runDirectory,
            String host,
            @Nullable Instant ended,
            int attempt,
            int resolvedBy) {

        /** @return this failure, resolved by a run of its term that completed in the given attempt */
        Failure resolvedIn(int laterAttempt) {
            return new Failure(
                    index, evaluation, term, path, message, runDirectory, host, ended, attempt, laterAttempt);
        }
    }

    private final Path dir;
    private @Nullable String outputs;
    private @Nullable JournalReader journal;
    /** The journal file's and its log's sizes and times when it was opened. */
    private String openedStamp = "";

    /** The size and time of the results.json last read for the run it names ("" before any). */
    private String resultsStamp = "";

    /** The run that results.json names ({@code journal_run}), as last read; null when none. */
    private @Nullable Long resultsRun;

    private @Nullable RunRecord run;
    /**
     * The run's attempts and where each that resumed it diverged from the recorded path, as last
     * read ("" before any): when it changes, the rows of earlier attempts read so far may belong
     * to a path the fit left, and everything is read again.
     */
    private String pathStamp = "";
    /** Whether {@link #run}, RUNNING in the journal, lost its process on this host (killed, out of time). */
    private boolean stopped;

    private List<String> names = List.of();
    /** Each parameter's unit as the job file gives it (the run's settings), "" for none. */
    private List<String> units = List.of();

    private final List<Row> rows = new ArrayList<>();
    /** The number after the highest evaluation read. */
    private int next;
    /**
     * The evaluations read while RUNNING, or degraded in an earlier attempt of a run that runs
     * again (whose failed terms it runs again), to be read again.
     */
    private final java.util.TreeSet<Integer> running = new java.util.TreeSet<>();

    private long lastTermId;
    private final Map<String, TermTally> terms = new LinkedHashMap<>();
    private final List<Failure> failures = new ArrayList<>();
    /** The failed terms of each evaluation, by evaluation number. */
    private final Map<Integer, List<Failure>> failuresOf = new java.util.HashMap<>();
    /**
     * How many of {@link #failures} a later attempt resolved (its term completed when that attempt
     * ran the evaluation again). Found as the completing record is read (a resumed run's attempts
     * record their terms one after the other), so that nothing is kept of the runs that completed.
     */
    private int resolvedCount;

    /** The evaluation whose terms' values {@link #atBest} holds, or -1. */
    private int atBestNumber = -1;
    /**
     * The complete terms of the best evaluation, by the key of their tally: the id and value of
     * each (a term run again after a crash has a larger id, and its value counts).
     */
    private final Map<String, TermRecord> atBest = new java.util.HashMap<>();

    /** How many records (evaluations and terms) were read from the journal so far. */
    private long recordsRead;

    private long version;
    private @Nullable String problem;
    private boolean behind;
    /** Set by {@link #close}: a refresh under way stops after its current batch. */
    private volatile boolean closing;

    private final int batch;

    JournalView(Path dir) {
        this(dir, PAGE_SIZE);
    }

    /** @param batch the records read per query (small in tests, to exercise reading in batches) */
    JournalView(Path dir, int batch) {
        this.dir = dir;
        this.batch = batch;
        this.outputs = outputsStamp();
    }

    /** @return the output folder (fixed at construction) */
    Path folder() {
        return dir;
    }

    /** @return a number that grows whenever something new was read */
    synchronized long version() {
        return version;
    }

    /** @return whether the last {@link #refresh} left records unread (a long journal is read in batches) */
    synchronized boolean behind() {
        return behind;
    }

    /**
     * @return how many evaluation and term records this view read from the journal so far: its
     *     work, which for each refresh grows with what is new in the journal, not with its length
     */
    synchronized long recordsRead() {
        return recordsRead;
    }

    /** Reads until everything recorded so far is read. */
    void refreshAll() {
        refresh();
        while (behind() && !closing) {
            refresh();
        }
    }

    /**
     * Reads until everything recorded so far is read, or the deadline passed (a long journal
     * is read in batches; the last one under way is finished).
     *
     * @param deadline a time of {@link System#nanoTime()}
     */
    void refreshUntil(long deadline) {
        refresh();
        while (behind() && !closing && System.nanoTime() - deadline < 0) {
            refresh();
        }
    }

    /**
     * Reads what was recorded since the last call, at most a few thousand records at a time (see
     * {@link #behind()}). A journal that does not exist yet is waited for; a journal that cannot
     * be read is reported on the page, not thrown.
     *
     * @return whether anything changed
     */
    synchronized boolean refresh() {
        if (closing) {
            return false;
        }
        try {
            boolean changed = read();
            String stamp = outputsStamp();
            if (!stamp.equals(outputs)) {
                // results.json and predictions.csv are written after the journal's last record
                outputs = stamp;
                changed = true;
            }
            if (problem != null) {
                problem = null;
                changed = true;
            }
            if (changed) {
                version++;
            }
            return changed;
        } catch (JournalException | IllegalStateException e) {
            String p = String.valueOf(e.getMessage());
            if (!p.equals(problem)) {
                problem = p;
                version++;
                return true;
            }
            return false;
        }
    }

    private boolean read() {
        Path file = dir.resolve(Journal.DEFAULT_FILE_NAME);
        if (journal != null && !Files.isWritable(dir) && !fileStamp(file).equals(openedStamp)) {
            // In a folder this user may not write in, the journal is read as a file that does not
            // change (SQLite cannot make its shared-memory file there): when it does change (a fit
            // there resumed), it is opened again and read from the start.
            journal.close();
            journal = null;
            run = null;
        }
        if (journal == null) {
            if (!Files.isRegularFile(file)) {
                return false;
            }
            openedStamp = fileStamp(file);
            journal = JournalReader.openReadOnly(dir);
        }
        // the run the folder's files are about: the latest, or an earlier one resumed after it
        RunRecord latest = journal.runOfFolder(resultsRun()).orElse(null);
        if (latest == null) {
            return false;
        }
        boolean changed = !latest.equals(run);
        if (run == null || run.id() != latest.id()) {
            reset(latest);
        }
        run = latest;
        String path = latest.attempts() + " " + journal.divergedAttempts(latest.id());
        if (!path.equals(pathStamp)) {
            if (!pathStamp.isEmpty()) {
                // a resume, or a resumed fit that left the recorded path: the rows read of
                // earlier attempts are read again, as the journal's reads now give them
                reset(latest);
                changed = true;
            }
            pathStamp = path;
        }
        boolean wasStopped = stopped;
        stopped = "RUNNING".equals(latest.status())
                && journal.endedWithoutFinishing(latest.id()).isPresent();
        changed |= stopped != wasStopped;
        behind = false;
        // evaluations still running when last read: read again from the lowest (at most a page)
        boolean rowsChanged = false;
        if (!running.isEmpty()) {
            int lowest = running.first();
            rowsChanged |= store(
                    journal, journal.evaluationRows(run.id(), lowest, Math.max(1, Math.min(batch, next - lowest))));
        }
        for (int pages = 0; ; pages++) {
            if (pages == PAGES_PER_REFRESH || closing) {
                behind = true;
                break;
            }
            List<EvaluationRecord> page = journal.evaluationRows(run.id(), next, batch);
            rowsChanged |= store(journal, page);
            if (page.size() < batch) {
                break;
            }
        }
        changed |= rowsChanged;
        if (rowsChanged) {
            readAtBest(journal);
        }
        for (int pages = 0; ; pages++) {
            if (pages == PAGES_PER_REFRESH * 2 || closing) {
                behind = true;
                break;
            }
            // their states, values and times: not their quantities, which the page does not show
            List<TermRecord> page = journal.termOutcomes(run.id(), lastTermId, batch);
            recordsRead += page.size();
            for (TermRecord t : page) {
                tally(t);
                lastTermId = t.id();
                changed = true;
            }
            if (page.size() < batch) {
                break;
            }
        }
        return changed;
    }

    /**
     * Reads the values of the terms of the best evaluation when it is another than last time (the
     * terms read later add theirs as they come, see {@link #tally}).
     */
    private void readAtBest(JournalReader j) {
        RunRecord r = run;
        if (r == null) {
            return;
        }
        BestPoint<Integer> bestPoint = new BestPoint<>();
        for (Row row : rows) {
            if (row != null && "COMPLETE".equals(row.state())) {
                bestPoint.offer(row.number(), row.kind(), row.loss());
            }
        }
        Integer b = bestPoint.best();
        int best = b == null ? -1 : b;
        if (best == atBestNumber) {
            return;
        }
        atBestNumber = best;
        atBest.clear();
        if (best < 0) {
            return;
        }
        List<TermRecord> of = j.termOutcomes(r.id(), best);
        recordsRead += of.size();
        for (TermRecord t : of) {
            keepAtBest(t);
        }
    }

    /** Keeps a complete term of the best evaluation unless a later run of it is kept already. */
    private void keepAtBest(TermRecord t) {
        if (t.state() != EvaluationRecord.State.FAILED && t.evaluationNumber() == atBestNumber) {
            atBest.merge(key(t), t, (had, now) -> now.id() > had.id() ? now : had);
        }
    }

    private static String key(TermRecord t) {
        return t.path() + "\u0000" + t.name();
    }

    /**
     * Keeps the records of a page (rows without trees: the tree of a complete evaluation in which
     * a term failed is read on its own, once, for what stood in for the term).
     *
     * @return whether any is new or changed its state
     */
    private boolean store(JournalReader j, List<EvaluationRecord> page) {
        boolean changed = false;
        recordsRead += page.size();
        for (EvaluationRecord e : page) {
            Row old = e.number() < rows.size() ? rows.get(e.number()) : null;
            Row r;
            if (old != null && old.state().equals(e.state().name()) && old.attempt() == e.attempt()) {
                r = old; // read again while it ran (a batch of evaluations): unchanged
            } else if (e.degraded() && e.state() == EvaluationRecord.State.COMPLETE) {
                List<EvaluationRecord> whole = j.evaluations(e.runId(), e.number(), 1);
                recordsRead += whole.size();
                r = row(!whole.isEmpty() && whole.get(0).number() == e.number() ? whole.get(0) : e);
            } else {
                r = row(e);
            }
            while (rows.size() <= e.number()) {
                rows.add(null);
            }
            if (old == null || !old.state().equals(r.state())) {
                changed = true;
            }
            rows.set(e.number(), r);
            RunRecord now = run;
            // a term of an earlier attempt's degraded evaluation runs again in a resumed run, which
            // rewrites the evaluation's row in place: read again, as a running one is, until then
            boolean rerun = r.degraded()
                    && "COMPLETE".equals(r.state())
                    && now != null
                    && "RUNNING".equals(now.status())
                    && r.attempt() < now.attempts();
            if ("RUNNING".equals(r.state()) || rerun) {
                running.add(e.number());
            } else {
                running.remove(e.number());
            }
            next = Math.max(next, e.number() + 1);
        }
        return changed;
    }

    private void reset(RunRecord latest) {
        pathStamp = "";
        rows.clear();
        terms.clear();
        failures.clear();
        failuresOf.clear();
        resolvedCount = 0;
        next = 0;
        running.clear();
        lastTermId = 0;
        atBestNumber = -1;
        atBest.clear();
        List<String> n = new ArrayList<>();
        Object init = settingsOf(latest).get("initial");
        if (init instanceof List<?> l) {
            for (Object pair : l) {
                if (pair instanceof List<?> p && !p.isEmpty()) {
                    n.add(String.valueOf(p.get(0)));
                }
            }
        }
        names = List.copyOf(n);
        List<String> u = new ArrayList<>();
        for (String name : names) {
            u.add(unitOf(latest.settings(), name));
        }
        units = List.copyOf(u);
    }

    /**
     * @return the unit the job file gives a parameter ({@code job.file.parameters}, nested by the
     *     parts of its dotted name, in the run's settings), "" when it gives none
     */
    private static String unitOf(Map<String, Object> settings, String name) {
        Object node = settings.get("job") instanceof Map<?, ?> job && job.get("file") instanceof Map<?, ?> file
                ? file.get("parameters")
                : null;
        for (String part : name.split("\\.")) {
            node = node instanceof Map<?, ?> m ? m.get(part) : null;
        }
        return node instanceof Map<?, ?> spec && spec.get("unit") instanceof String unit ? unit : "";
    }

    /**
     * @param job the {@code job} of a run's recorded settings, as the command records it
     * @return the job's {@code name}, which tells fits of one folder's kind apart on the page and in its
     *     title; null when it records none
     */
    private static @Nullable String jobName(@Nullable Object job) {
        return job instanceof Map<?, ?> j
                        && j.get("file") instanceof Map<?, ?> file
                        && file.get("name") instanceof String name
                ? name
                : null;
    }

    private static Map<String, Object> settingsOf(RunRecord r) {
        Object fit = r.settings().get("fit");
        if (fit instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, Object> f = (Map<String, Object>) m;
            return f;
        }
        return Map.of();
    }

    private Row row(EvaluationRecord e) {
        double[] p = new double[names.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = e.parameters().get(names.get(i), Double.NaN);
        }
        return new Row(
                e.number(),
                e.state().name(),
                e.loss(),
                e.toldLoss(),
                p,
                e.seconds(),
                e.started(),
                e.ended(),
                e.host(),
                e.failure(),
                BestPoint.kind(e),
                e.attempt(),
                e.degraded(),
                e.degraded() ? stoodIn(e) : null);
    }

    /**
     * Which terms of a complete evaluation failed and how the failure policy stood in for each,
     * from its metadata tree: "term ext failed; a penalty stood in: the reason's first line".
     *
     * @return the text, or null when the tree names no such term (the term records say which failed)
     */
    private static @Nullable String stoodIn(EvaluationRecord e) {
        List<String> found = new ArrayList<>();
        try {
            stoodIn(e.tree(), found);
        } catch (RuntimeException ex) {
            return null; // a tree that cannot be read: the term records still name the failed term
        }
        return found.isEmpty() ? null : String.join("; ", found);
    }

    private static void stoodIn(Map<?, ?> node, List<String> found) {
        if (!(node.get("terms") instanceof List<?> children)) {
            return;
        }
        for (Object c : children) {
            if (!(c instanceof Map<?, ?> t)) {
                continue;
            }
            String how = switch (String.valueOf(t.get("status"))) {
                case "PENALTY" -> "a penalty stood in";
                case "SKIPPED" -> "it was skipped";
                default -> null;
            };
            if (how != null) {
                Object reason = t.get("failure");
                found.add("term " + t.get("name") + " failed; " + how
                        + (reason == null ? "" : ": " + firstLine(String.valueOf(reason))));
            }
            stoodIn(t, found);
        }
    }

    private static String firstLine(String s) {
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }

    private void tally(TermRecord t) {
        TermTally s = terms.computeIfAbsent(key(t), k -> new TermTally(t.path(), t.name()));
        if (Double.isFinite(t.seconds())) {
            s.seconds += t.seconds();
        }
        if (t.state() == EvaluationRecord.State.FAILED) {
            s.failed++;
            Failure f = new Failure(
                    failures.size(),
                    t.evaluationNumber(),
                    t.name(),
                    t.path(),
                    t.failure(),
                    t.runDirectory(),
                    t.host(),
                    t.ended(),
                    t.attempt(),
                    0);
            failures.add(f);
            failuresOf
                    .computeIfAbsent(t.evaluationNumber(), k -> new ArrayList<>())
                    .add(f);
        } else {
            s.complete++;
            s.last = t.value();
            if (t.value() < s.min) {
                s.min = t.value();
            }
            if (t.evaluationNumber() >= 0) {
                keepAtBest(t); // a term of the best evaluation recorded after it became the best
                if (t.attempt() > 1) {
                    resolve(t);
                }
            }
        }
    }

    /**
     * Marks the failures of earlier attempts that a complete term record resolves: those of the same
     * term (path and name) in the same evaluation. The records of an attempt all come before those of
     * the next, so a failure is read before the run that resolves it.
     */
    private void resolve(TermRecord t) {
        List<Failure> of = failuresOf.get(t.evaluationNumber());
        if (of == null) {
            return;
        }
        for (int i = 0; i < of.size(); i++) {
            Failure f = of.get(i);
            if (f.attempt() < t.attempt()
                    && f.resolvedBy() < t.attempt()
                    && f.term().equals(t.name())
                    && f.path().equals(t.path())) {
                if (f.resolvedBy() == 0) {
                    resolvedCount++;
                }
                Failure r = f.resolvedIn(t.attempt());
                of.set(i, r);
                failures.set(f.index(), r);
            }
        }
    }

    /**
     * @return how many entries this view keeps of the term records it read: one tally per leaf term,
     *     one per failed run and the complete terms of the best evaluation; none per completed run
     */
    synchronized int termEntriesKept() {
        return terms.size() + failures.size() + atBest.size();
    }

    /**
     * The page's state: status, counts, downsampled histories, parameters with bounds, the terms
     * and the latest failures.
     *
     * @return a JSON-able tree
     */
    synchronized Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", version);
        m.put("folder", dir.toString());
        m.put("problem", problem);
        if (run == null) {
            Map<String, Object> written = problem == null ? null : readResults();
            if (written != null) {
                fromResults(m, written);
                return m;
            }
            m.put("status", journal == null ? "waiting" : "starting");
            return m;
        }
        Map<String, Object> fit = settingsOf(run);
        m.put("run", run.id());
        m.put("status", stopped ? "stopped" : status(run.status()));
        m.put("stop_reason", run.stopReason());
        m.put("method", fit.get("method"));
        m.put("job", jobName(run.settings().get("job")));
        m.put("attempts", run.attempts());
        m.put("host", run.host());
        m.put("started", run.started() == null ? null : run.started().toString());
        m.put("ended", run.ended() == null ? null : run.ended().toString());
        int complete = 0;
        int withFailedTerms = 0;
        int failed = 0;
        int running = 0;
        // the Fitter's rule: a degraded evaluation only when no clean one, a bad one never
        BestPoint<Integer> bestPoint = new BestPoint<>();
        for (Row r : rows) {
            if (r == null) {
                continue;
            }
            switch (r.state()) {
                case "COMPLETE" -> {
                    complete++;
                    if (r.degraded()) {
                        withFailedTerms++;
                    }
                    bestPoint.offer(r.number(), r.kind(), r.loss());
                }
                case "FAILED" -> failed++;
                default -> running++;
            }
        }
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("complete", complete);
        counts.put("with_failed_terms", withFailedTerms);
        counts.put("failed", failed);
        // as `chemfit report` says: an evaluation left unfinished by a run that is not running (it
        // finished, failed, was interrupted, or its process is gone) is cut off, not running; a
        // resume runs it again
        boolean live = "RUNNING".equals(run.status()) && !stopped;
        counts.put("running", live ? running : 0);
        counts.put("cut_off", live ? 0 : running);
        counts.put("total", complete + failed + running);
        m.put("counts", counts);
        Object budget = fit.get("max_evaluations");
        m.put("budget", budget);
        Integer bestNumber = bestPoint.best();
        int best = bestNumber == null ? -1 : bestNumber;
        m.put("best_loss", best < 0 ? null : num(bestPoint.loss()));
        m.put("best_evaluation", best < 0 ? null : best);
        m.put("elapsed_seconds", elapsed());
        m.put("seconds_to_last_record", stopped ? toLastRecord() : null);
        m.put("seconds_left", secondsLeft(budget, complete + failed));
        m.put("history", history());
        m.put("parameters", parameters(fit, best));
        m.put("terms", termTable(best));
        // a failure whose term completed when a later attempt ran its evaluation again no longer
        // stands: it is listed apart, as resolved, and not counted among the failures
        List<Failure> standing = new ArrayList<>();
        List<Failure> resolved = new ArrayList<>();
        latest(standing, resolved);
        m.put("failure_count", failures.size() - resolvedCount);
        m.put("failures", listed(standing));
        m.put("resolved_failure_count", resolvedCount);
        m.put("resolved_failures", listed(resolved));
        m.put("results", results());
        m.put("outputs_stamp", outputs);
        return m;
    }

    /**
     * Collects the latest {@link #MAX_FAILURES} failures that stand and the latest of those resolved,
     * each in the order they were read; walks back from the latest only as far as it needs to.
     */
    private void latest(List<Failure> standing, List<Failure> resolved) {
        int wantStanding = Math.min(MAX_FAILURES, failures.size() - resolvedCount);
        int wantResolved = Math.min(MAX_FAILURES, resolvedCount);
        for (int i = failures.size() - 1;
                i >= 0 && (standing.size() < wantStanding || resolved.size() < wantResolved);
                i--) {
            Failure f = failures.get(i);
            List<Failure> to = f.resolvedBy() == 0 ? standing : resolved;
            if (to.size() < MAX_FAILURES) {
                to.add(f);
            }
        }
        java.util.Collections.reverse(standing);
        java.util.Collections.reverse(resolved);
    }

    /** @return the failures as the page lists them */
    private List<Object> listed(List<Failure> of) {
        List<Object> fl = new ArrayList<>();
        for (Failure f : of) {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("index", f.index());
            fm.put("evaluation", f.evaluation());
            fm.put("term", f.term());
            fm.put("message", f.message());
            fm.put("run_directory", f.runDirectory());
            fm.put("host", f.host());
            fm.put("attempt", f.attempt());
            fm.put("resolved_by_attempt", resolvedBy(f));
            fl.add(fm);
        }
        return fl;
    }

    /**
     * @return the later attempt in which the failed term completed the same evaluation, or null
     *     when none did (the failure stands)
     */
    private static @Nullable Integer resolvedBy(Failure f) {
        return f.resolvedBy() > 0 ? f.resolvedBy() : null;
    }

    /**
     * The page's state when the journal cannot be read but the fit wrote results.json (as
     * {@code chemfit report} then reports it): its status, counts, best loss and parameters, and
     * its tables; no history, terms or failures, which only the journal holds.
     */
    private void fromResults(Map<String, Object> m, Map<String, Object> r) {
        m.put("from_results", true);
        m.put("status", r.get("status") instanceof String st ? st : "done");
        m.put("stop_reason", r.get("stop_reason"));
        m.put("method", r.get("method"));
        m.put("job", r.get("job") instanceof Map<?, ?> j && j.get("name") instanceof String name ? name : null);
        Map<String, Object> counts = new LinkedHashMap<>();
        Map<?, ?> ev = r.get("evaluations") instanceof Map<?, ?> e ? e : Map.of();
        counts.put("total", ev.get("total") instanceof Number n ? n.intValue() : 0);
        // as the journal counts them: the evaluations a penalty or a skip stood in for (degraded); a
        // failed term of weight 0 leaves the loss exact. A results.json written before it held
        // evaluations.degraded has only the count with any failed term
        Object degraded = ev.get("degraded") instanceof Number ? ev.get("degraded") : ev.get("with_failed_terms");
        counts.put("with_failed_terms", degraded instanceof Number n ? n.intValue() : 0);
        m.put("counts", counts);
        m.put("budget", null);
        Map<?, ?> loss = r.get("loss") instanceof Map<?, ?> l ? l : Map.of();
        m.put("best_loss", loss.get("best") instanceof Number b ? b.doubleValue() : null);
        // results.json names the best evaluation by its id, "e28"
        m.put(
                "best_evaluation",
                ev.get("best") instanceof String id && id.matches("e\\d+") ? Integer.valueOf(id.substring(1)) : null);
        List<Object> ps = new ArrayList<>();
        if (r.get("parameters") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> pm) {
                    Map<String, Object> p = new LinkedHashMap<>();
                    for (String k : List.of("name", "unit", "lower", "initial", "best", "upper", "fixed")) {
                        p.put(k, pm.get(k));
                    }
                    p.put("at_bound", false);
                    ps.add(p);
                }
            }
        }
        m.put("parameters", ps);
        m.put("terms", List.of());
        m.put("failure_count", 0);
        m.put("failures", List.of());
        m.put("resolved_failure_count", 0);
        m.put("resolved_failures", List.of());
        m.put("results", pick(r));
        m.put("outputs_stamp", outputs);
    }

    private static String status(String s) {
        return switch (s) {
            case "FINISHED" -> "done";
            case "FAILED" -> "failed";
            case "INTERRUPTED" -> "interrupted";
            default -> "running";
        };
    }

    private @Nullable Double elapsed() {
        RunRecord r = run;
        if (r == null || stopped) { // a stopped run's end is not recorded
            return null;
        }
        Instant ended = r.ended();
        Instant end = ended != null ? ended : Instant.now();
        return Duration.between(r.started(), end).toMillis() / 1000.0;
    }

    /**
     * @return for a stopped run (its end not recorded), the seconds from its first start (a resumed
     *     run's pauses between attempts count, as in the elapsed time) to the end of the last
     *     evaluation the journal recorded; null when it recorded none
     */
    private @Nullable Double toLastRecord() {
        RunRecord r = run;
        if (r == null || r.started() == null) {
            return null;
        }
        Instant last = null;
        for (Row row : rows) {
            Instant e = row == null ? null : row.ended();
            if (e != null && (last == null || e.isAfter(last))) {
                last = e;
            }
        }
        return last == null ? null : Duration.between(r.started(), last).toMillis() / 1000.0;
    }

    private @Nullable Double secondsLeft(@Nullable Object budget, int finished) {
        RunRecord r = run;
        if (r == null || stopped || !"RUNNING".equals(r.status()) || !(budget instanceof Number b) || finished == 0) {
            return null;
        }
        Double e = elapsed();
        if (e == null) {
            return null;
        }
        int left = Math.max(0, b.intValue() - finished);
        if (r.attempts() > 1) {
            // a resumed run: the rate of the evaluations its latest attempt ran, since that attempt's
            // first one started (the time between attempts, and the evaluations replayed from the
            // journal in no time, would make the estimate far too low or too high)
            int ran = 0;
            Instant first = null;
            for (Row row : rows) {
                if (row != null && row.attempt() == r.attempts()) {
                    if (!"RUNNING".equals(row.state())) {
                        ran++;
                    }
                    // running ones too: a long evaluation may have started the attempt
                    Instant st = row.started();
                    if (st != null && (first == null || st.isBefore(first))) {
                        first = st;
                    }
                }
            }
            if (ran == 0 || first == null) {
                return null;
            }
            return Duration.between(first, Instant.now()).toMillis() / 1000.0 / ran * left;
        }
        // an upper bound: the method may converge before the budget is spent
        return e / finished * left;
    }

    /**
     * The evaluations shown on the charts: every one when there are few, else per bucket of
     * numbers the one with the lowest (by the Fitter's rule: clean before degraded before bad) and
     * the one with the highest loss (so that the best-so-far
     * curve keeps each of its steps and the spread of the loss stays visible).
     */
    // rows are compared by identity: the sample keeps the very rows of the journal, without repeats
    @SuppressWarnings("ReferenceEquality")
    private List<Row> sample() {
        List<Row> done = new ArrayList<>();
        for (Row r : rows) {
            if (r != null && !"RUNNING".equals(r.state())) {
                done.add(r);
            }
        }
        if (done.size() <= MAX_POINTS) {
            return done;
        }
        int buckets = MAX_POINTS / 2;
        List<Row> out = new ArrayList<>(MAX_POINTS + 2);
        double width = (double) done.size() / buckets;
        for (int b = 0; b < buckets; b++) {
            int from = (int) Math.floor(b * width);
            int to = Math.min(done.size(), (int) Math.floor((b + 1) * width));
            Row lo = null;
            Row hi = null;
            for (int i = from; i < to; i++) {
                Row r = done.get(i);
                if (lo == null || better(r, lo)) {
                    lo = r;
                }
                if (hi == null || key(r) > key(hi)) {
                    hi = r;
                }
            }
            if (lo == null || hi == null) { // both are set by the first row of a bucket
                continue;
            }
            if (lo.number() <= hi.number()) {
                out.add(lo);
                if (hi != lo) {
                    out.add(hi);
                }
            } else {
                out.add(hi);
                out.add(lo);
            }
        }
        Row last = done.get(done.size() - 1);
        if (out.get(out.size() - 1) != last) {
            out.add(last);
        }
        return out;
    }

    /**
     * @return whether a row comes before another for its bucket's "lowest": by the Fitter's rule
     *     (a clean evaluation before a degraded one before a bad one), then by loss
     */
    private static boolean better(Row r, Row than) {
        int c = r.kind().compareTo(than.kind());
        return c < 0 || c == 0 && key(r) < key(than);
    }

    private static double key(Row r) {
        return Double.isFinite(r.told()) ? r.told() : Double.MAX_VALUE;
    }

    private Map<String, Object> history() {
        // best so far over every evaluation, read at the sampled ones (both in number order)
        List<Row> s = sample();
        double[] bestAt = new double[s.size()];
        BestPoint<Row> best = new BestPoint<>();
        int j = 0;
        for (Row r : rows) {
            if (r == null) {
                continue;
            }
            best.offer(r, r.kind(), r.loss());
            while (j < s.size() && s.get(j).number() == r.number()) {
                bestAt[j++] = best.best() == null ? Double.NaN : best.loss();
            }
        }
        int n = s.size();
        Object[] x = new Object[n];
        Object[] loss = new Object[n];
        Object[] bestSoFar = new Object[n];
        boolean[] degraded = new boolean[n];
        Object[][] params = new Object[names.size()][n];
        for (int i = 0; i < n; i++) {
            Row r = s.get(i);
            x[i] = r.number();
            loss[i] = "COMPLETE".equals(r.state()) ? positive(r.told()) : null;
            bestSoFar[i] = positive(bestAt[i]);
            // a term failed and a penalty (or a skip) stood in: the page draws its loss apart
            degraded[i] = r.degraded() && "COMPLETE".equals(r.state());
            for (int k = 0; k < names.size(); k++) {
                params[k][i] = num(r.params()[k]);
            }
        }
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("points", n);
        h.put("of", countFinished());
        h.put("number", x);
        h.put("loss", loss);
        h.put("best", bestSoFar);
        h.put("degraded", degraded);
        h.put("parameters", params);
        h.put("has_nonpositive", hasNonPositive());
        return h;
    }

    private int countFinished() {
        int c = 0;
        for (Row r : rows) {
            if (r != null && !"RUNNING".equals(r.state())) {
                c++;
            }
        }
        return c;
    }

    private boolean hasNonPositive() {
        for (Row r : rows) {
            if (r != null && "COMPLETE".equals(r.state()) && !(r.told() > 0)) {
                return true;
            }
        }
        return false;
    }

    /** A value for a log-scale axis: null (a gap) unless finite and positive. */
    private static @Nullable Double positive(double v) {
        return Double.isFinite(v) && v > 0 ? v : null;
    }

    private static @Nullable Double num(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private List<Object> parameters(Map<String, Object> fit, int best) {
        Map<?, ?> bounds = fit.get("bounds") instanceof Map<?, ?> b ? b : Map.of();
        List<?> fixed = fit.get("fixed") instanceof List<?> f ? f : List.of();
        Map<String, Double> initial = new LinkedHashMap<>();
        if (fit.get("initial") instanceof List<?> l) {
            for (Object pair : l) {
                if (pair instanceof List<?> p && p.size() == 2 && p.get(1) instanceof Number v) {
                    initial.put(String.valueOf(p.get(0)), v.doubleValue());
                }
            }
        }
        // results.json's units once written (of this run), else the job file's in the run's settings
        Map<String, String> written = new java.util.HashMap<>();
        Map<String, Object> res = results();
        if (res != null && res.get("parameters") instanceof List<?> ps) {
            for (Object o : ps) {
                if (o instanceof Map<?, ?> pm && pm.get("name") != null && pm.get("unit") instanceof String u) {
                    written.put(String.valueOf(pm.get("name")), u);
                }
            }
        }
        List<Object> out = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            String n = names.get(k);
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", n);
            p.put("unit", written.getOrDefault(n, k < units.size() ? units.get(k) : ""));
            double lo = Double.NEGATIVE_INFINITY;
            double hi = Double.POSITIVE_INFINITY;
            if (bounds.get(n) instanceof List<?> b && b.size() == 2) {
                lo = Double.parseDouble(String.valueOf(b.get(0)));
                hi = Double.parseDouble(String.valueOf(b.get(1)));
            }
            p.put("lower", num(lo));
            p.put("upper", num(hi));
            p.put("initial", initial.get(n));
            p.put("fixed", fixed.contains(n));
            Double b = best < 0 || rows.get(best) == null
                    ? null
                    : num(rows.get(best).params()[k]);
            p.put("best", b);
            boolean near = b != null
                    && ((Double.isFinite(lo) && Double.isFinite(hi) && Math.min(b - lo, hi - b) <= 1e-3 * (hi - lo))
                            || (Double.isFinite(lo) && b == lo)
                            || (Double.isFinite(hi) && b == hi));
            p.put("at_bound", near);
            out.add(p);
        }
        return out;
    }

    private List<Object> termTable(int best) {
        List<Object> out = new ArrayList<>();
        List<TermTally> sorted = new ArrayList<>(terms.values());
        sorted.sort(Comparator.comparing((TermTally t) -> pathKey(t.path)));
        for (TermTally t : sorted) {
            Map<String, Object> m = new LinkedHashMap<>();
            TermRecord at = best >= 0 && best == atBestNumber ? atBest.get(t.path + "\u0000" + t.name) : null;
            m.put("path", t.path);
            m.put("name", t.name);
            m.put("runs", t.complete + t.failed);
            m.put("failed", t.failed);
            m.put("at_best", at == null ? null : num(at.value()));
            m.put("last", num(t.last));
            m.put("min", num(t.min));
            m.put("mean_seconds", t.complete + t.failed == 0 ? null : t.seconds / (t.complete + t.failed));
            out.add(m);
        }
        return out;
    }

    private static String pathKey(String path) {
        StringBuilder sb = new StringBuilder();
        for (String part : path.split("\\.")) {
            sb.append(String.format(
                    "%08d.",
                    part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? Integer.parseInt(part) : 0));
        }
        return sb.toString();
    }

    /** @return the sizes and times of results.json and predictions.csv ("" for one that is absent) */
    private String outputsStamp() {
        StringBuilder sb = new StringBuilder();
        for (String f : List.of("results.json", Predictions.FILE)) {
            Path p = dir.resolve(f);
            try {
                sb.append(Files.size(p))
                        .append('@')
                        .append(Files.getLastModifiedTime(p).toMillis());
            } catch (IOException e) {
                // absent (a running fit), or replaced while looked at: the next tick sees it
            }
            sb.append(';');
        }
        return sb.toString();
    }

    /**
     * The folder's predictions.csv, when the results.json beside it is of the run shown; its charts
     * only when it was written with that results.json (another fit's gives none, see
     * {@link Predictions#read}).
     *
     * @return what {@link Predictions#read} returns, or null when there is none of this run
     */
    synchronized @Nullable Map<String, Object> predictions() {
        boolean journalUnread = run == null && problem != null && readResults() != null;
        Map<String, Object> r = results();
        if (r == null && !journalUnread) {
            return null;
        }
        if (r == null) {
            r = readResults();
        }
        // the fit terms: their weights (the rows of weight 0 an older predictions.csv gives as the
        // fit's), kinds and reference values (which of the file's items are theirs); with the
        // validation terms' reference values, whether the file is the one written with these results
        return Predictions.read(
                dir,
                r != null && r.get("terms") instanceof List<?> terms ? terms : List.of(),
                r != null && r.get("validation") instanceof List<?> validation ? validation : List.of());
    }

    /**
     * @return the run the folder's results.json names ({@code journal_run}), or null when there is
     *     none; the file is read again only when its size or time changed
     */
    private @Nullable Long resultsRun() {
        Path f = dir.resolve("results.json");
        String stamp;
        try {
            stamp = Files.size(f) + "@" + Files.getLastModifiedTime(f).toMillis();
        } catch (IOException e) {
            resultsStamp = "";
            resultsRun = null;
            return null; // absent
        }
        if (!stamp.equals(resultsStamp)) {
            Map<String, Object> r = readResults();
            resultsRun = r != null && r.get("journal_run") instanceof Number n ? Long.valueOf(n.longValue()) : null;
            resultsStamp = r == null ? "" : stamp; // being written: read again at the next look
        }
        return resultsRun;
    }

    /** @return the folder's results.json as written, or null when absent or unreadable */
    private @Nullable Map<String, Object> readResults() {
        Path f = dir.resolve("results.json");
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            return JSON.readValue(f.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException e) {
            return null; // being written: the next tick reads it
        }
    }

    /**
     * What the output folder's results.json says of the terms and the fit, once it is written by the
     * run shown: one that names another run of the journal ({@code journal_run}, or none), or that the
     * run, running again after a resume, has not written yet, is an earlier fit's and is not used.
     */
    private @Nullable Map<String, Object> results() {
        RunRecord shown = run;
        if (shown == null || "RUNNING".equals(shown.status())) {
            return null;
        }
        Map<String, Object> r = readResults();
        if (r == null || !(r.get("journal_run") instanceof Number n) || n.longValue() != shown.id()) {
            return null;
        }
        return pick(r);
    }

    /** @return the parts of results.json the page shows */
    private static Map<String, Object> pick(Map<String, Object> r) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : List.of(
                "status",
                "message",
                "stop_reason",
                "loss",
                "parameters",
                "terms",
                "warnings",
                "uncertainty",
                "metrics",
                "validation",
                "evaluations")) {
            if (r.containsKey(k)) {
                m.put(k, r.get(k));
            }
        }
        return m;
    }

    /**
     * A page of the evaluations table.
     *
     * @param sort "number", "loss", "seconds" or "state"
     * @param descending the order
     * @param offset the first row
     * @param limit the most rows (1 to 500)
     * @return {@code {total, offset, columns, rows}}
     */
    synchronized Map<String, Object> evaluations(String sort, boolean descending, int offset, int limit) {
        List<Row> all = new ArrayList<>();
        for (Row r : rows) {
            if (r != null) {
                all.add(r);
            }
        }
        Comparator<Row> c = switch (sort) {
            case "loss" -> Comparator.comparingDouble(JournalView::key);
            case "seconds" ->
                Comparator.comparingDouble(r -> Double.isFinite(r.seconds()) ? r.seconds() : Double.MAX_VALUE);
            case "state" -> Comparator.comparing(Row::state);
            default -> Comparator.comparingInt(Row::number);
        };
        c = c.thenComparingInt(Row::number);
        all.sort(descending ? c.reversed() : c);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", all.size());
        m.put("offset", offset);
        m.put("parameters", names);
        List<Object> out = new ArrayList<>();
        for (int i = offset; i < Math.min(all.size(), offset + limit); i++) {
            out.add(rowMap(all.get(i), failuresOf));
        }
        m.put("rows", out);
        return m;
    }

    /** @return every evaluation, by number, as the one-file report embeds them */
    synchronized List<Object> allEvaluations() {
        List<Object> out = new ArrayList<>();
        for (Row r : rows) {
            if (r != null) {
                out.add(rowMap(r, failuresOf));
            }
        }
        return out;
    }

    synchronized List<String> parameterNames() {
        return names;
    }

    private static List<Object> rowMap(Row r, Map<Integer, List<Failure>> failuresOf) {
        // a row is a list, not a map: a long table is sent many times
        List<Object> row = new ArrayList<>();
        row.add(r.number());
        row.add(r.state());
        row.add(num(r.told()));
        row.add(num(r.seconds()));
        row.add(r.host());
        row.add(failureText(r, failuresOf.getOrDefault(r.number(), List.of())));
        for (double p : r.params()) {
            row.add(num(p));
        }
        return row;
    }

    /**
     * @return the evaluation's failure; for a complete one in which a term failed, which term and
     *     how the failure policy stood in for it (from its tree, else from the term records)
     */
    private static @Nullable String failureText(Row r, List<Failure> failed) {
        if (r.failure() != null && !r.failure().isEmpty()) {
            return r.failure();
        }
        if (!r.degraded()) {
            return r.failure();
        }
        if (r.stoodIn() != null) {
            return r.stoodIn();
        }
        List<String> parts = new ArrayList<>();
        for (Failure f : failed) {
            if (f.attempt() != r.attempt()) {
                continue; // an earlier attempt's run of the evaluation, not the one the row shows
            }
            parts.add("term " + f.term() + " failed; the failure policy stood in"
                    + (f.message() == null ? "" : ": " + firstLine(f.message())));
        }
        return parts.isEmpty() ? "a term failed; the failure policy stood in" : String.join("; ", parts);
    }

    /**
     * One failure with its {@code failure.json}, read from the run directory the journal names
     * (never from a path a request gives).
     *
     * @param index the failure's index in the run
     * @return the failure, or null when there is no such index
     */
    synchronized @Nullable Map<String, Object> failure(int index) {
        if (index < 0 || index >= failures.size()) {
            return null;
        }
        Failure f = failures.get(index);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", f.index());
        m.put("evaluation", f.evaluation());
        m.put("term", f.term());
        m.put("path", f.path());
        m.put("message", f.message());
        m.put("run_directory", f.runDirectory());
        m.put("host", f.host());
        m.put("attempt", f.attempt());
        m.put("resolved_by_attempt", resolvedBy(f));
        m.put("ended", f.ended() == null ? null : f.ended().toString());
        Object report = null;
        String note = null;
        if (f.runDirectory() == null) {
            note = "the journal names no run directory for this term";
        } else {
            Path file = Path.of(f.runDirectory()).resolve("failure.json");
            try {
                report = failureReport(file);
            } catch (IOException e) {
                note = e.getMessage();
            }
        }
        m.put("failure_json", report);
        m.put("note", note);
        return m;
    }

    /**
     * @param file a failed run's {@code failure.json}
     * @return its object
     * @throws IOException when it is missing, cannot be read, is not JSON or is no JSON object;
     *     the message says so in plain words, naming the file (and the line and column of a parse
     *     error), never with the parser's own
     */
    static Map<?, ?> failureReport(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + " cannot be read: it is a folder, not a file");
        }
        if (!Files.exists(file)) {
            Path dir = file.getParent();
            throw new IOException(
                    dir != null && Files.isDirectory(dir)
                            ? file + " does not exist (the run ended before writing it, or it was removed)"
                            : file + " does not exist (the run directory was removed, or is on another machine)");
        }
        Object content;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            content = JSON.readValue(in, Object.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + " is not valid JSON: " + JsonErrors.withPlace(e), e);
        } catch (IOException e) {
            throw new IOException(file + " cannot be read: " + Reasons.of(e, file), e);
        }
        if (content instanceof Map<?, ?> report) {
            return report;
        }
        throw new IOException(file + " is not a failure report: it holds "
                + (content == null ? "null" : content instanceof List<?> ? "an array" : "a single value")
                + ", not a JSON object");
    }

    /** @return the indices of the failures a page lists: the latest of those that stand and of those resolved */
    synchronized int[] listedFailures() {
        List<Failure> standing = new ArrayList<>();
        List<Failure> resolved = new ArrayList<>();
        latest(standing, resolved);
        return java.util.stream.Stream.of(standing, resolved)
                .flatMap(List::stream)
                .mapToInt(Failure::index)
                .sorted()
                .toArray();
    }

    /** Stops reading: a refresh under way stops after its current batch, and none starts again. */
    @Override
    public void close() {
        closing = true;
        synchronized (this) {
            if (journal != null) {
                journal.close();
                journal = null;
            }
        }
    }

    @Override
    public String toString() {
        return "JournalView[" + dir + "]";
    }
    /** @return the sizes and modification times of the journal file and of its log, as one text */
    private static String fileStamp(Path file) {
        StringBuilder sb = new StringBuilder();
        for (Path f : List.of(file, file.resolveSibling(file.getFileName() + "-wal"))) {
            try {
                sb.append(Files.size(f))
                        .append('@')
                        .append(Files.getLastModifiedTime(f).toMillis())
                        .append(' ');
            } catch (java.io.IOException e) {
                sb.append("- ");
            }
        }
        return sb.toString();
    }
}
