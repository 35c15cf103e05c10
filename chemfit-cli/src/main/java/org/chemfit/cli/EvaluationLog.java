package org.chemfit.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.chemfit.EvaluationContext;
import org.chemfit.fit.FitListener;
import org.chemfit.journal.read.BestPoint;

/**
 * Writes one CSV line per evaluation of a fit, flushed at once so that {@code chemfit report}
 * can read a running fit and nothing finished is lost to a crash. Columns: evaluation, loss,
 * best_loss, seconds, degraded (1 when a term that counts in the loss failed and the failure policy
 * stood in for it, the journal's rule: {@link BestPoint#degraded}; else 0), failed_terms (the fit
 * terms that failed, a term of weight 0 included), then one column per parameter, then each term's
 * unweighted value. The best loss so far follows the Fitter's rule ({@link BestPoint}): an evaluation with a
 * failed term counts only while no evaluation without one was seen, and a loss that was NaN or
 * infinite (told to the optimizer as the bad value) never counts; it is empty while there is none.
 *
 * <p>A line that cannot be appended (a full disk) does not stop the fit: the journal records
 * every evaluation, so one warning says where the file stops and the fit goes on.
 *
 * @implNote Called on the Fitter's thread; {@link #bestSoFar()} and counts may be read from
 *     others (they are volatile).
 */
final class EvaluationLog implements FitListener, AutoCloseable {

    static final String FILE = "evaluations.csv";

    /**
     * What a term's column is named, before the term's name: {@code term:curve} (a job's parameter
     * may not take the name of a fit term's column).
     */
    static final String TERM_COLUMN = "term:";

    /** The columns before the parameters' (whose names a job's parameters may not take). */
    static final List<String> FIXED_COLUMNS =
            List.of("evaluation", "loss", "best_loss", "seconds", "degraded", "failed_terms");

    /**
     * Reads a file of this log as it is written: RFC 4180, a header name with a comma, a quote or a
     * line break in quotes ({@link Judgement#csv}), so that a record may span several physical
     * lines; a byte-order mark at its start (a spreadsheet adds one when it saves the file) is left out.
     *
     * @param csv the file
     * @return its records, each with the physical line it starts on; blank lines (and lines of spaces) left out
     * @throws IOException when it cannot be read
     */
    static List<org.chemfit.dashboard.Predictions.Row> rows(Path csv) throws IOException {
        String text = java.nio.file.Files.readString(csv);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        // a line of spaces only is as blank as an empty one (a file edited by hand): left out
        return org.chemfit.dashboard.Predictions.rows(text).stream()
                .filter(r -> !(r.fields().size() == 1 && r.fields().get(0).isBlank()))
                .toList();
    }

    /**
     * Finds a name that a header of this file gives two columns, which a reader that looks
     * columns up by name would read the first of. The log never writes one (a parameter may not be
     * named as a fixed column or a term's, and parameters and terms are named once); a file changed by hand may.
     *
     * <pre>{@code
     * twice(List.of("evaluation", "loss", "eps", "eps"))   // "column 'eps' is named twice in the header, in columns 3 and 4; ..."
     * }</pre>
     *
     * @param header the column names, in order
     * @return the problem, naming the name and both columns (from 1), or null when every name is given once
     */
    static @org.jspecify.annotations.Nullable String twice(List<String> header) {
        java.util.Map<String, Integer> first = new java.util.HashMap<>();
        for (int c = 0; c < header.size(); c++) {
            Integer before = first.putIfAbsent(header.get(c), c);
            if (before != null) {
                return "column '" + header.get(c) + "' is named twice in the header, in columns " + (before + 1)
                        + " and " + (c + 1) + "; only the first would be read (chemfit fit names each column"
                        + " once: the file was changed after it was written)";
            }
        }
        return null;
    }

    private final BufferedWriter writer;
    private final Path file;
    /** The header line, without its line end. */
    private final String header;
    /** Empties a resumed run's file before the header and the first line are written; null once done. */
    private @org.jspecify.annotations.Nullable IoAction beforeFirstLine;

    private final java.io.PrintWriter warnings;
    // set on the Fitter's thread at the first line that cannot be written; no line is written after it
    private volatile boolean broken;
    private final List<String> parameters;
    private final int terms;
    /** The best point so far, as evaluation numbers; only the Fitter's thread uses it. */
    private final BestPoint<Integer> bestPoint = new BestPoint<>();

    private volatile double best = Double.NaN;
    private volatile int count;
    /** Evaluations that ran a term (not all replayed from the journal). */
    private volatile int computed;
    /**
     * Evaluations of points asked for again in this attempt, whose results the journal gave without
     * running anything: not replayed from an earlier attempt.
     */
    private volatile int repeated;

    private volatile int withFailures;
    /** Evaluations with a failed term of non-zero weight, for which the failure policy stood in. */
    private volatile int degradedCount;
    /** The seconds the journal recorded for an evaluation of the run resumed, by number, NaN when none. */
    private java.util.function.IntToDoubleFunction recordedSeconds = number -> Double.NaN;
    /** One past the highest evaluation number that earlier attempts of the run recorded (0: a new run). */
    private int earlierEvaluations;
    /** The evaluation numbers that earlier attempts left cut off (started, not finished). */
    private java.util.function.IntPredicate cutOff = number -> false;
    /**
     * Evaluations that earlier attempts left cut off and whose every term the journal gave: not
     * computed, and not replayed as a finished evaluation is.
     */
    private volatile int cutOffReplayed;
    /** Leaf terms the journal gave to evaluations that earlier attempts left cut off. */
    private volatile int cutOffTerms;

    /**
     * Per evaluation: its number, its loss, the best loss so far, the best's number (NaN while none),
     * and 1 when a term of it failed under a penalty or was skipped (else 0).
     */
    final List<double[]> history = new ArrayList<>();

    /**
     * As {@link #EvaluationLog(Path, List, List, java.io.PrintWriter)}, with warnings on standard error.
     */
    EvaluationLog(Path folder, List<String> parameters, List<String> termNames) {
        this(
                folder,
                parameters,
                termNames,
                new java.io.PrintWriter(
                        new java.io.OutputStreamWriter(System.err, java.nio.charset.StandardCharsets.UTF_8), true));
    }

    /**
     * @param folder the output folder
     * @param parameters the parameters' names
     * @param termNames the terms' names
     * @param warnings where the one warning goes when a line cannot be appended
     * @throws BaseCommand.UserException when the file cannot be created, naming it and the reason
     */
    EvaluationLog(Path folder, List<String> parameters, List<String> termNames, java.io.PrintWriter warnings) {
        this(folder.resolve(FILE), open(folder.resolve(FILE)), parameters, termNames, warnings);
    }

    private EvaluationLog(
            Path file, Opened opened, List<String> parameters, List<String> termNames, java.io.PrintWriter warnings) {
        this(file, opened.stream(), opened.emptied(), parameters, termNames, warnings);
    }

    /**
     * @param file the file {@code stream} writes (named in messages)
     * @param stream where the lines go
     * @throws BaseCommand.UserException when the header cannot be written
     */
    EvaluationLog(
            Path file,
            java.io.OutputStream stream,
            List<String> parameters,
            List<String> termNames,
            java.io.PrintWriter warnings) {
        this(file, stream, null, parameters, termNames, warnings);
    }

    /**
     * @param emptied empties the file that {@code stream} writes when the first evaluation is written
     *     (a resumed run's file, kept until then), or null for a file to which the header is written at once
     */
    private EvaluationLog(
            Path file,
            java.io.OutputStream stream,
            @org.jspecify.annotations.Nullable IoAction emptied,
            List<String> parameters,
            List<String> termNames,
            java.io.PrintWriter warnings) {
        this.file = file;
        this.warnings = warnings;
        this.parameters = List.copyOf(parameters);
        this.terms = termNames.size();
        writer = new BufferedWriter(new java.io.OutputStreamWriter(stream, java.nio.charset.StandardCharsets.UTF_8));
        StringBuilder h = new StringBuilder(String.join(",", FIXED_COLUMNS));
        for (String p : parameters) {
            h.append(',').append(Judgement.csv(p));
        }
        for (String t : termNames) {
            h.append(',').append(Judgement.csv(TERM_COLUMN + t));
        }
        header = h.toString();
        beforeFirstLine = emptied;
        if (emptied != null) {
            return; // a run that fails before its first evaluation leaves the earlier attempts' lines as they were
        }
        try {
            writer.write(header);
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            try {
                writer.close();
            } catch (IOException ignored) {
                // the write's own error is the one reported
            }
            throw new BaseCommand.UserException("cannot write " + file + ": " + Messages.reason(e));
        }
    }

    /** Something done to the file that may fail as a write does. */
    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    /**
     * An opened file.
     *
     * @param stream writes it
     * @param emptied empties it before its first line, or null when it was emptied as it was opened
     */
    private record Opened(
            java.io.OutputStream stream,
            @org.jspecify.annotations.Nullable IoAction emptied) {}

    /**
     * Opens the file for writing: a symbolic link in its place is replaced ({@link Results#unlinked}).
     * A file of lines already (a resumed run's) is emptied only when the first evaluation is written, so
     * that a resume that fails as it starts (a full disk, a journal that cannot begin the attempt) leaves
     * it whole; a resume writes every line again, the replayed evaluations' included.
     */
    private static Opened open(Path file) {
        Results.unlinked(file);
        try {
            if (java.nio.file.Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    && java.nio.file.Files.size(file) > 0) {
                // RandomAccessFile and FileOutputStream, not NIO channels: those close themselves when the
                // writing thread is interrupted, and Ctrl-C interrupts the fit thread that writes here.
                java.io.RandomAccessFile kept;
                try {
                    kept = new java.io.RandomAccessFile(file.toFile(), "rw");
                } catch (java.io.FileNotFoundException notReadable) {
                    // "rw" needs to read it too: a file this user may write but not read is emptied at once
                    return new Opened(new java.io.FileOutputStream(file.toFile()), null);
                }
                return new Opened(new java.io.FileOutputStream(kept.getFD()), () -> kept.setLength(0));
            }
            return new Opened(new java.io.FileOutputStream(file.toFile()), null);
        } catch (IOException e) {
            // its message is the path and the system's reason, e.g. "/x/evaluations.csv (Is a directory)"
            throw new BaseCommand.UserException("cannot write " + file + ": " + Messages.reason(e));
        }
    }

    /**
     * Gives the times a resumed run's journal recorded: an evaluation replayed from it is written
     * with the time it took when it ran, not the moment its replay took.
     *
     * @param seconds the seconds recorded for an evaluation number, NaN when none was
     * @param earlierEvaluations one past the highest evaluation number the earlier attempts
     *     recorded: a replayed evaluation below it is theirs, one at or above it a repeat
     * @param cutOff whether the earlier attempts left an evaluation number cut off (started, not
     *     finished): its terms that the journal gives are counted apart
     */
    void recordedSeconds(
            java.util.function.IntToDoubleFunction seconds,
            int earlierEvaluations,
            java.util.function.IntPredicate cutOff) {
        this.recordedSeconds = seconds;
        this.earlierEvaluations = earlierEvaluations;
        this.cutOff = cutOff;
    }

    @Override
    // only the Fitter's thread writes the counts; other threads only read them
    @SuppressWarnings("NonAtomicVolatileUpdate")
    public void onEvaluation(int number, EvaluationContext ctx, double loss) {
        bestPoint.offer(number, BestPoint.kind(ctx), loss);
        Integer bestNumber = bestPoint.best();
        best = bestNumber == null ? Double.NaN : bestPoint.loss();
        int failed = 0;
        for (EvaluationContext c : ctx.children()) {
            if (c.status() == EvaluationContext.Status.PENALTY
                    || c.status() == EvaluationContext.Status.SKIPPED
                    || c.status() == EvaluationContext.Status.FAILED) {
                failed++;
            }
        }
        if (failed > 0) {
            withFailures++;
        }
        // the journal's rule: a failed term of weight 0 leaves the loss exact, so the point is not degraded
        boolean degraded = ctx.status() != EvaluationContext.Status.FAILED && BestPoint.degraded(ctx);
        if (degraded) {
            degradedCount++;
        }
        double seconds = 0;
        for (EvaluationContext c : ctx.children()) {
            seconds =
                    Math.max(seconds, (c.endEpochNanos() - ctx.children().get(0).startEpochNanos()) / 1e9);
        }
        boolean replayed = replayed(ctx);
        double recorded = replayed ? recordedSeconds.applyAsDouble(number) : Double.NaN;
        if (Double.isFinite(recorded)) {
            seconds = recorded;
        }
        synchronized (history) {
            history.add(
                    new double[] {number, loss, best, bestNumber == null ? Double.NaN : bestNumber, degraded ? 1 : 0});
        }
        StringBuilder sb = new StringBuilder();
        sb.append(number)
                .append(',')
                .append(num(loss))
                .append(',')
                .append(num(best))
                .append(',')
                .append(String.format(Locale.ROOT, "%.3f", seconds))
                .append(',')
                .append(degraded ? 1 : 0)
                .append(',')
                .append(failed);
        for (String p : parameters) {
            sb.append(',').append(num(ctx.parameters().get(p)));
        }
        for (int i = 0; i < terms; i++) {
            sb.append(',');
            if (i < ctx.children().size()) {
                sb.append(num(ctx.children().get(i).value()));
            }
        }
        count++;
        boolean wasCutOff = number < earlierEvaluations && cutOff.test(number);
        if (wasCutOff) {
            // an earlier attempt ran it but did not finish it: the terms it recorded are taken, the others run
            cutOffTerms += replayedLeaves(ctx);
        }
        if (!replayed) {
            computed++;
        } else if (wasCutOff) {
            cutOffReplayed++;
        } else if (number >= earlierEvaluations) {
            repeated++; // no earlier attempt recorded this number: a point asked for again in this one
        }
        if (broken) {
            return;
        }
        try {
            IoAction emptied = beforeFirstLine;
            if (emptied != null) {
                beforeFirstLine = null;
                emptied.run();
                writer.write(header);
                writer.newLine();
            }
            writer.write(sb.toString());
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            // The journal holds every evaluation (it is written before the optimizer hears of one), so a
            // full disk or a lost file system costs this convenience copy only: the fit goes on, once warned.
            broken = true;
            warnings.println("warning: cannot append to " + file + ": " + Messages.reason(e) + "; it stops before"
                    + " evaluation " + number + ", the fit goes on and every evaluation is still recorded in the"
                    + " journal");
            warnings.flush();
        }
    }

    private static String num(double d) {
        return Double.isNaN(d) ? "" : Judgement.csvNumber(d);
    }

    /** @return the best loss so far, NaN while no evaluation may be called the best */
    double bestSoFar() {
        return best;
    }

    /** @return the evaluations written */
    int count() {
        return count;
    }

    /**
     * @return the evaluations written that ran at least one term (not all taken from the journal):
     *     the ones that took time
     */
    int computed() {
        return computed;
    }

    /**
     * @return the evaluations written of points asked for again in this attempt, whose results the
     *     journal gave (not computed, and not replayed from an earlier attempt)
     */
    int repeated() {
        return repeated;
    }

    /**
     * @return the evaluations written that earlier attempts left cut off and whose every term the
     *     journal gave (not computed, and not among the evaluations replayed whole)
     */
    int cutOffReplayed() {
        return cutOffReplayed;
    }

    /** @return the leaf terms the journal gave to evaluations that earlier attempts left cut off */
    int cutOffTerms() {
        return cutOffTerms;
    }

    /** @return how many leaf terms of the evaluation were taken from the journal */
    static int replayedLeaves(EvaluationContext ctx) {
        if (ctx.children().isEmpty()) {
            return ctx.status() == EvaluationContext.Status.REPLAYED ? 1 : 0;
        }
        int n = 0;
        for (EvaluationContext c : ctx.children()) {
            n += replayedLeaves(c);
        }
        return n;
    }

    /** @return whether the evaluation, or every leaf term of it, was taken from the journal */
    static boolean replayed(EvaluationContext ctx) {
        if (ctx.status() == EvaluationContext.Status.REPLAYED) {
            return true;
        }
        if (ctx.children().isEmpty()) {
            return false;
        }
        for (EvaluationContext c : ctx.children()) {
            if (!replayed(c)) {
                return false;
            }
        }
        return true;
    }

    /** @return evaluations with at least one failed term (penalised or skipped) */
    int withFailures() {
        return withFailures;
    }

    /**
     * @return evaluations the journal calls degraded: a term of non-zero weight failed and a penalty
     *     or a skip stood in for it (a failed term of weight 0 leaves the loss exact and is not counted)
     */
    int degraded() {
        return degradedCount;
    }

    /** Closes the file; a failure to close it is warned about (every line was flushed when written). */
    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            if (!broken) {
                warnings.println("warning: cannot close " + file + ": " + Messages.reason(e));
                warnings.flush();
            }
        }
    }
}
