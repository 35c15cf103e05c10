package org.chemfit.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * best_loss, seconds, failed_terms, then one column per parameter, then each term's unweighted
 * value. The best loss so far follows the Fitter's rule ({@link BestPoint}): an evaluation with a
 * failed term counts only while no evaluation without one was seen, and a loss that was NaN or
 * infinite (told to the optimizer as the bad value) never counts; it is empty while there is none.
 *
 * @implNote Called on the Fitter's thread; {@link #bestSoFar()} and counts may be read from
 *     others (they are volatile).
 */
final class EvaluationLog implements FitListener, AutoCloseable {

    static final String FILE = "evaluations.csv";

    private final BufferedWriter writer;
    private final List<String> parameters;
    private final int terms;
    /** The best point so far, as evaluation numbers; only the Fitter's thread uses it. */
    private final BestPoint<Integer> bestPoint = new BestPoint<>();

    private volatile double best = Double.NaN;
    private volatile int count;
    private volatile int withFailures;
    /** Per evaluation: its number, its loss, the best loss so far and the best's number (NaN while none). */
    final List<double[]> history = new ArrayList<>();

    EvaluationLog(Path folder, List<String> parameters, List<String> termNames) {
        this.parameters = List.copyOf(parameters);
        this.terms = termNames.size();
        try {
            // A FileOutputStream, not Files.newBufferedWriter: NIO channels close themselves when the
            // writing thread is interrupted, and Ctrl-C interrupts the fit thread that writes here.
            writer = new BufferedWriter(new java.io.OutputStreamWriter(
                    new java.io.FileOutputStream(folder.resolve(FILE).toFile()),
                    java.nio.charset.StandardCharsets.UTF_8));
            StringBuilder h = new StringBuilder("evaluation,loss,best_loss,seconds,failed_terms");
            for (String p : parameters) {
                h.append(',').append(csv(p));
            }
            for (String t : termNames) {
                h.append(',').append(csv("term:" + t));
            }
            writer.write(h.toString());
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + folder.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
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
        double seconds = 0;
        for (EvaluationContext c : ctx.children()) {
            seconds =
                    Math.max(seconds, (c.endEpochNanos() - ctx.children().get(0).startEpochNanos()) / 1e9);
        }
        synchronized (history) {
            history.add(new double[] {number, loss, best, bestNumber == null ? Double.NaN : bestNumber});
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
        try {
            writer.write(sb.toString());
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + FILE + ": " + e.getMessage(), e);
        }
    }

    private static String num(double d) {
        return Double.isNaN(d) ? "" : Double.toString(d);
    }

    /** @return the best loss so far, NaN while no evaluation may be called the best */
    double bestSoFar() {
        return best;
    }

    /** @return the evaluations written */
    int count() {
        return count;
    }

    /** @return evaluations with at least one failed term (penalised or skipped) */
    int withFailures() {
        return withFailures;
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + FILE + ": " + e.getMessage(), e);
        }
    }
}
