package org.chemfit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.NullUnmarked;
import org.jspecify.annotations.Nullable;

/**
 * Draws a fit's plots, each as PNG and SVG (with {@link Figure}), every axis titled with its unit:
 * <ul>
 * <li>{@code loss}: the loss of every evaluation and the best so far, with the final best loss
 *     written on the plot (log scale with minor ticks when the loss is positive), and the
 *     validation checks ({@code validation_every}), as RMSE per value beside the fit's when both
 *     losses are plain squared errors;</li>
 * <li>{@code term-NAME}: for a term whose reference names a coordinate column (a scan such as a
 *     dimer curve), model at the start and at the best point and the reference against the
 *     coordinate, residuals below (each only when it has values);</li>
 * <li>{@code parity-QUANTITY}: model against reference per quantity and unit (never two units on
 *     one axis), fit, monitored (a fit term of weight 0) and validation points distinguished, both axes over the same range (at least
 *     10 % of the values' magnitude wide); none for a quantity without a model value at the best
 *     point; drawn from results.json's values when the folder's predictions.csv was not written with it
 *     (the dashboard's check: another fit's, or an earlier run's of the same job), which is warned of;</li>
 * <li>{@code residuals-QUANTITY}: a histogram of the residuals at the best point (5 values or more);</li>
 * <li>{@code parameters}: each parameter's trace over the evaluations, as its position within its
 *     bounds;</li>
 * <li>{@code loss-shares}: each term's share of the best loss, when there are two terms or more;</li>
 * <li>{@code correlation}: the correlation matrix of the fitted parameters, when the fit estimated
 *     their uncertainty and two or more were estimated.</li>
 * </ul>
 * Every legend stands beside its plotting area ({@link Figure}) and counts only what is drawn. A
 * fit's drawing removes the plot files of {@code plots/} that an earlier drawing wrote and it did
 * not; a report's drawing ({@link #refresh}) removes none.
 *
 * @implNote Stateless.
 */
// Not yet checked by NullAway (docs/architecture.md, "Build gates", says why).
@NullUnmarked
final class Plots {

    private static final int W = 800;
    private static final int H = 560;

    private Plots() {}

    /** The values of one quantity of one term: reference, model at the start (or null) and at the best point. */
    record Series(
            String set,
            String term,
            String quantity,
            String unit,
            double[] reference,
            double[] initial,
            double[] best) {}

    /**
     * @param folder the output folder (plots go to its {@code plots/} folder)
     * @param history rows of [evaluation, loss, best loss so far, the best's evaluation, 1 when a
     *     term of the evaluation failed and a penalty or a skip stood in (else 0)] (the best's two
     *     NaN while no evaluation may be called the best; the last may be absent: 0)
     * @param results the results map, or null for a fit still running
     * @return the files written
     * @throws BaseCommand.UserException when a plot cannot be written, naming the folder, the file and the reason
     */
    static List<Path> draw(Path folder, List<double[]> history, @Nullable Map<String, Object> results) {
        return draw(folder, history, results, true);
    }

    /**
     * What drawing the plots did.
     *
     * @param files the files written
     * @param skipped each plot the results name but that has nothing to draw, as "NAME: why"
     * @param removed the plot files of an earlier drawing that the results no longer give, removed
     * @param warnings what the drawing warns of (a predictions.csv not of these results, of which nothing is drawn)
     */
    record Outcome(List<Path> files, List<String> skipped, List<Path> removed, List<String> warnings) {}

    /** As {@link #render(Path, List, Map, boolean)}, returning only the files written. */
    static List<Path> draw(
            Path folder, List<double[]> history, @Nullable Map<String, Object> results, boolean predictions) {
        return render(folder, history, results, predictions).files();
    }

    /**
     * As {@link #draw(Path, List, Map)}; then removes every plot file in {@code plots/} that this drawing did not
     * write (those of an earlier fit or run that these results no longer give: a parity plot beside the results
     * of a fit interrupted before its first evaluation would show another fit's values).
     *
     * @param predictions whether the folder's predictions.csv is this fit's (false when it could not
     *     be written: the values are then taken from results.json)
     * @return the files written, the plots not drawn and why, the files removed
     */
    static Outcome render(
            Path folder, List<double[]> history, @Nullable Map<String, Object> results, boolean predictions) {
        return render(folder, history, results, predictions, true);
    }

    /**
     * As {@link #render}, but removes nothing: what {@code chemfit report} draws. A report reads a
     * folder; the plots there that it does not draw (those of an earlier attempt whose results.json
     * is not the journal's latest, say) are the fit's, and stay as the fit left them.
     *
     * @return the files written and the plots not drawn and why; none removed
     */
    static Outcome refresh(Path folder, List<double[]> history, @Nullable Map<String, Object> results) {
        return render(folder, history, results, true, false);
    }

    @SuppressWarnings("unchecked")
    private static Outcome render(
            Path folder,
            List<double[]> history,
            @Nullable Map<String, Object> results,
            boolean predictions,
            boolean prune) {
        Path dir = folder.resolve("plots");
        List<Job> jobs = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            String lossUnit =
                    results != null && results.get("loss") instanceof Map<?, ?> l && l.get("unit") instanceof String u
                            ? u
                            : "";
            if (!history.isEmpty()) {
                jobs.add(new Job(loss(history, lossUnit, results), dir.resolve("loss")));
            }
            if (results == null) {
                return finish(dir, writeAll(jobs), skipped, warnings, prune);
            }
            List<Series> series = series(folder, results, predictions, warnings::add);
            for (Object set : List.of("terms", "validation")) {
                if (!(results.get(set) instanceof List<?> terms)) {
                    continue;
                }
                for (Object o : terms) {
                    Map<String, Object> t = (Map<String, Object>) o;
                    if (t.get("coordinate") instanceof Map<?, ?> c) {
                        double[] at = Results.toArray(c.get("values"));
                        for (Series s : series) {
                            // a quantity with a value per structure is drawn against the coordinate; one
                            // with several per structure (an atoms term's forces) has its parity plot only
                            if (s.term().equals(t.get("name")) && (at == null || at.length == s.reference().length)) {
                                String name = "term-" + safe(s.term())
                                        + (s.quantity().equals("energy") ? "" : "-" + safe(s.quantity()));
                                Figure f = scan(s, (Map<String, Object>) c);
                                if (f == null) {
                                    skipped.add(name + ": " + nothing(s.reference().length));
                                } else {
                                    jobs.add(new Job(f, dir.resolve(name)));
                                }
                            }
                        }
                    }
                }
            }
            Map<String, List<Series>> byQuantity = new LinkedHashMap<>();
            for (Series s : series) {
                // spellings of one unit (eV/A, eV/Å) on one plot, named as its first series spells it
                byQuantity
                        .computeIfAbsent(
                                s.quantity() + "\u0000" + EnergyUnits.sameUnit(s.unit()), k -> new ArrayList<>())
                        .add(s);
            }
            for (Map.Entry<String, List<Series>> e : byQuantity.entrySet()) {
                Series first = e.getValue().get(0);
                boolean clash = byQuantity.keySet().stream()
                                .filter(k -> k.startsWith(first.quantity() + "\u0000"))
                                .count()
                        > 1;
                String name = safe(first.quantity()) + (clash ? "-" + safe(first.unit()) : "");
                Figure parity = parity(e.getValue());
                if (parity == null) {
                    int values = 0;
                    for (Series s : e.getValue()) {
                        values += s.reference().length;
                    }
                    skipped.add("parity-" + name + ": " + nothing(values));
                    continue; // no residual either
                }
                jobs.add(new Job(parity, dir.resolve("parity-" + name)));
                Figure h = histogram(e.getValue());
                if (h != null) {
                    jobs.add(new Job(h, dir.resolve("residuals-" + name)));
                }
            }
            Figure cor = correlation(results.get("uncertainty"));
            if (cor != null) {
                jobs.add(new Job(cor, dir.resolve("correlation")));
            }
            Figure p = parameters(folder, results);
            if (p != null) {
                jobs.add(new Job(p, dir.resolve("parameters")));
            }
            Figure s = shares((List<Object>) results.get("terms"));
            if (s != null) {
                jobs.add(new Job(s, dir.resolve("loss-shares")));
            }
        } catch (IOException e) {
            throw new BaseCommand.UserException("cannot write plots to " + dir + ": " + Messages.reason(e));
        }
        return finish(dir, writeAll(jobs), skipped, warnings, prune);
    }

    /**
     * Prints what a drawing left out: a line per plot not drawn and why, and one for the files of an earlier
     * drawing it removed. Prints nothing when every plot the results give was drawn and none was removed.
     */
    static void tellOmissions(java.io.PrintWriter out, Outcome o) {
        // the files removed, by plot name (an SVG and a PNG each)
        Map<String, Integer> names = new LinkedHashMap<>();
        for (Path p : o.removed()) {
            names.merge(String.valueOf(p.getFileName()).replaceFirst("\\.(svg|png)$", ""), 1, Integer::sum);
        }
        int removed = o.removed().size();
        for (String s : o.skipped()) {
            int colon = s.indexOf(": ");
            String name = s.substring(0, colon);
            Integer files = names.remove(name);
            boolean gone = files != null;
            if (gone) {
                removed -= files;
            }
            out.println("plots: " + name + " not drawn: " + s.substring(colon + 2)
                    + (gone ? "; an earlier drawing's " + name + " removed" : ""));
        }
        if (!names.isEmpty()) {
            List<String> shown = new ArrayList<>(names.keySet());
            String list = String.join(", ", shown.subList(0, Math.min(6, shown.size())))
                    + (shown.size() > 6 ? ", and " + (shown.size() - 6) + " more" : "");
            out.println("plots: removed " + Tables.count(removed, "file") + " that these results no" + " longer give ("
                    + list + ")");
        }
    }

    /** Prints each warning of a drawing, once, after "warning: ". */
    static void tellWarnings(java.io.PrintWriter err, Outcome o) {
        o.warnings().forEach(w -> err.println("warning: " + w));
    }

    /** @return the regular files in a plots folder, 0 when there is none */
    static int filesIn(Path dir) {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return (int) files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().equals(WRITTEN_LIST))
                    .count();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Removes every plot file of the folder's {@code plots/} (drawing none).
     *
     * @return the files removed, as an outcome that drew nothing
     */
    static Outcome removeStale(Path folder) {
        return finish(folder.resolve("plots"), List.of(), List.of(), List.of(), true);
    }

    /** @return why a plot of {@code values} reference values is not drawn */
    private static String nothing(int values) {
        return "no model value at the best point (" + Tables.count(values, "reference value") + " without one)";
    }

    /** The names of the files this class writes in {@code plots/}, with a '-2', '-3', ... that {@link #distinct} adds. */
    private static final java.util.regex.Pattern PLOT_FILE = java.util.regex.Pattern.compile(
            "(loss|parameters|loss-shares|correlation|(term|parity|residuals)-.+)(-\\d+)?\\.(svg|png)");

    /**
     * The list, in {@code plots/}, of the files the last drawing wrote, one name a line: only those
     * are ever removed, so a file of the user's own there (an annotated copy named like a plot) is
     * never touched. A folder drawn by a version without it has nothing removed.
     */
    static final String WRITTEN_LIST = ".chemfit-plots";

    /** How the line of {@link #WRITTEN_LIST} that names the results the plots show begins. */
    static final String DRAWN_FROM = "# drawn from results.json, SHA-256 ";

    /**
     * @param folder an output folder
     * @return the line of {@link #WRITTEN_LIST} that names its results.json by its SHA-256 ({@code
     *     none} when it has none yet), or null when it cannot be read
     */
    static @Nullable String resultsStamp(@Nullable Path folder) {
        if (folder == null) {
            return null;
        }
        Path results = folder.resolve(Results.FILE);
        try {
            // plots drawn before there was one (chemfit report of a running fit) are of no results.json
            return DRAWN_FROM + (Files.isRegularFile(results) ? JobSettings.sha256(results) : "none");
        } catch (RuntimeException e) {
            return null; // a results.json that cannot be read names no drawing
        }
    }

    /**
     * @param name a file's name
     * @return whether a drawing of the plots writes a file of that name
     */
    static boolean isPlotFile(String name) {
        return PLOT_FILE.matcher(name).matches();
    }

    /**
     * Removes the plot files in {@code dir} that the last drawing wrote (as {@link #WRITTEN_LIST}
     * says) and this one did not, and records what this one wrote; or, unless {@code prune}, removes
     * nothing and records those files as well, so that the next fit's drawing still knows them.
     *
     * @return the outcome of the drawing
     * @throws BaseCommand.UserException when a stale plot cannot be removed
     */
    private static Outcome finish(
            Path dir, List<Path> written, List<String> skipped, List<String> warnings, boolean prune) {
        java.util.Set<String> kept = new java.util.LinkedHashSet<>();
        for (Path p : written) {
            kept.add(String.valueOf(p.getFileName()));
        }
        Path list = dir.resolve(WRITTEN_LIST);
        List<String> before;
        try {
            before = Files.isRegularFile(list)
                    ? Files.readAllLines(list, java.nio.charset.StandardCharsets.UTF_8)
                    : List.of();
        } catch (IOException e) {
            before = List.of(); // unreadable: nothing is known to be ours, nothing is removed
        }
        List<Path> removed = new ArrayList<>();
        if (!prune) {
            // the earlier drawing's files that are still there stay listed as ours
            for (String name : before) {
                Path p = dir.resolve(name).normalize();
                if (dir.equals(p.getParent()) && PLOT_FILE.matcher(name).matches() && Files.isRegularFile(p)) {
                    kept.add(name);
                }
            }
            before = List.of();
        }
        for (String name : before.stream().sorted().toList()) {
            Path p = dir.resolve(name).normalize();
            if (!kept.contains(name)
                    && dir.equals(p.getParent())
                    && PLOT_FILE.matcher(name).matches()
                    && Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new BaseCommand.UserException(
                            "cannot remove " + p + ", a plot that these results no longer give: " + Messages.reason(e));
                }
                removed.add(p);
            }
        }
        if (Files.isDirectory(dir) && (!kept.isEmpty() || Files.exists(list))) {
            try {
                if (kept.isEmpty()) {
                    Files.deleteIfExists(list); // nothing drawn: nothing of ours left to list
                } else {
                    List<String> lines = new ArrayList<>();
                    String drawnFrom = resultsStamp(dir.getParent());
                    if (drawnFrom != null) {
                        lines.add(drawnFrom); // the results they show: a fit run again finds its plots whole
                    }
                    lines.addAll(kept);
                    Files.write(Results.unlinked(list), lines, java.nio.charset.StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                throw new BaseCommand.UserException("cannot write " + list + ": " + Messages.reason(e));
            }
        }
        return new Outcome(written, List.copyOf(skipped), removed, List.copyOf(warnings));
    }

    /** A figure and the path, without extension, of its two files. */
    private record Job(Figure figure, Path base) {}

    /**
     * Writes the figures, each on its own on the cores there are (a figure's SVG and PNG take
     * tens of milliseconds to draw and encode, and the figures share nothing), and returns
     * their files in the order of the figures.
     */
    private static List<Path> writeAll(List<Job> given) {
        List<Job> jobs = distinct(given);
        int threads = Math.min(jobs.size(), Math.min(4, Runtime.getRuntime().availableProcessors()));
        if (threads <= 1) {
            List<Path> written = new ArrayList<>();
            for (Job j : jobs) {
                written.addAll(write(j));
            }
            return written;
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "chemfit-plots");
            t.setDaemon(true);
            return t;
        });
        try {
            List<java.util.concurrent.Future<List<Path>>> futures = new ArrayList<>();
            for (Job j : jobs) {
                futures.add(pool.submit(() -> write(j)));
            }
            List<Path> written = new ArrayList<>();
            RuntimeException failed = null;
            Error broke = null;
            // every figure is waited for, also after one failed: none may write its files once this returns
            for (java.util.concurrent.Future<List<Path>> f : futures) {
                try {
                    written.addAll(result(f));
                } catch (RuntimeException e) {
                    failed = failed == null ? e : failed;
                } catch (Error e) {
                    broke = broke == null ? e : broke;
                }
            }
            if (broke != null) {
                throw broke;
            }
            if (failed != null) {
                throw failed;
            }
            return written;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits for a figure's files; an interrupt does not cut the plots short (it is kept for the caller). */
    private static List<Path> result(java.util.concurrent.Future<List<Path>> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException r) {
                        throw r;
                    }
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException("drawing a plot failed: " + cause, cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static List<Path> write(Job j) {
        try {
            return j.figure().write(j.base());
        } catch (IOException e) {
            throw new BaseCommand.UserException(
                    "cannot write plots to " + j.base().getParent() + ": " + Messages.reason(e));
        }
    }

    /** The correlation matrix of the fitted parameters (two or more), or null. */
    @SuppressWarnings("unchecked")
    private static Figure correlation(Object uncertainty) {
        if (!(uncertainty instanceof Map<?, ?> u)) {
            return null;
        }
        List<Object> names = (List<Object>) u.get("estimated");
        List<Object> rows = (List<Object>) u.get("correlation");
        if (names == null || rows == null || names.size() < 2 || rows.size() != names.size()) {
            return null;
        }
        if (rows.stream()
                .noneMatch(row -> row instanceof List<?> l && l.stream().anyMatch(c -> c instanceof Number))) {
            return null; // no standard errors, so no correlations: nothing to draw
        }
        int k = names.size();
        double[][] v = new double[k][k];
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            labels.add(String.valueOf(names.get(i)));
            List<Object> row = (List<Object>) rows.get(i);
            for (int j = 0; j < k; j++) {
                v[i][j] = row.get(j) instanceof Number d ? d.doubleValue() : Double.NaN;
            }
        }
        int side = Math.max(480, 160 + 90 * k);
        return new Figure(side, side, "Correlation of the fitted parameters").matrix(labels, v);
    }

    /**
     * Draws a figure of a plot's size (points, a line, text; SVG and PNG, in memory) on a
     * low-priority daemon thread while the fit runs, so that the plots at the end of a fit do not
     * pay for loading the drawing classes and fonts or run the PNG encoder's loop before it is
     * compiled (most of their cost in a new JVM). Whatever goes wrong here is ignored: the plots
     * themselves report their own errors.
     */
    // the warm-up is only worth its CPU when nothing else wants it
    @SuppressWarnings("ThreadPriorityCheck")
    static void warmUpInBackground() {
        Thread t = new Thread(
                () -> {
                    try {
                        double[] x = new double[100];
                        double[] y = new double[x.length];
                        for (int i = 0; i < x.length; i++) {
                            x[i] = i + 1;
                            y[i] = 1 + 100.0 / (i + 1);
                        }
                        Figure f = new Figure(W, H, "warm-up");
                        f.panel(0, 1)
                                .x("x", "1", false)
                                .y("y", "1", true)
                                .points(x, y, Figure.BLUE, "a")
                                .line(x, y, Figure.RED, 1f, true, "b");
                        f.render();
                    } catch (RuntimeException | Error e) {
                        // only a warm-up
                    }
                },
                "chemfit-plots-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** The longest file name part taken from a term's or quantity's name, in bytes of UTF-8. */
    static final int NAME_BYTES = 100;

    /**
     * @return a name as part of a file name: letters and digits of any script, '.', '_' and '-'
     *     kept, anything else '_', cut to {@value #NAME_BYTES} bytes of UTF-8 (file systems take 255)
     */
    static String safe(String name) {
        String s = name.replaceAll("[^\\p{L}\\p{N}._-]", "_");
        if (s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= NAME_BYTES) {
            return s;
        }
        StringBuilder cut = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes + n > NAME_BYTES) {
                break;
            }
            cut.appendCodePoint(cp);
            bytes += n;
            i += Character.charCount(cp);
        }
        return cut.toString();
    }

    /**
     * @return the jobs, a later one whose file name an earlier one has (two names that differ only
     *     in characters a file name does not keep, or past its length) given '-2', '-3', ... so
     *     that no plot overwrites another
     */
    private static List<Job> distinct(List<Job> jobs) {
        java.util.Set<String> taken = new java.util.HashSet<>();
        List<Job> out = new ArrayList<>(jobs.size());
        for (Job j : jobs) {
            Path base = j.base();
            String name = String.valueOf(base.getFileName());
            String free = name;
            for (int k = 2; !taken.add(free); k++) {
                free = name + "-" + k;
            }
            out.add(free.equals(name) ? j : new Job(j.figure(), base.resolveSibling(free)));
        }
        return out;
    }

    /**
     * The loss plot: the fit's loss; with the validation checks ({@code validation_every}), their
     * loss at the best parameters so far. A fit's loss and a validation loss are sums over
     * different numbers of values, so they are not drawn on one axis as if alike: when each gives
     * the sum of squared residuals of its values exactly (squared errors, {@code squared_error} or
     * {@code mean_squared_error}, weighted alike per value, under a known reducer), a panel below
     * gives both as the RMSE per value in the reference unit, the numbers of the metrics table;
     * otherwise the validation loss is drawn beside the fit's with the number of values each is
     * over and a note saying why it is not given as an RMSE.
     */
    private static Figure loss(List<double[]> history, String unit, @Nullable Map<String, Object> results) {
        HeldOut v = results == null ? null : heldOut(results, unit);
        Figure f = loss(history, unit, v != null && v.rmseUnit() != null ? 0.58 : 1);
        if (results != null && "MAX_EVALUATIONS".equals(results.get("stop_reason"))) {
            // a fit stopped by its budget is not a converged one; the legend keeps 40 characters a line
            f.panels().get(0).note("stopped at its evaluation budget").note("(max_evaluations), not by convergence");
        }
        if (v == null) {
            if (results != null && otherUnit(results, unit)) {
                // checks were made, but their loss is not on this axis: said, so that none seems missing
                f.panels().get(0).note("validation checks: another unit,").note("not drawn (results.json has them)");
            }
            return f;
        }
        Figure.Panel top = f.panels().get(0);
        if (v.rmseUnit() == null
                && top.y.log
                && java.util.Arrays.stream(v.loss()).noneMatch(d -> d > 0)) {
            // nothing a log axis can draw (validation terms of weight 0): said, not a legend entry of nothing
            top.note("validation loss 0, not on a log axis");
            if (v.why() != null) {
                top.note("no RMSE: " + v.why());
            }
            return f;
        }
        if (v.rmseUnit() == null) {
            String n = v.values() > 0 ? " (" + v.values() + " values)" : "";
            top.line(
                    v.x(),
                    v.loss(),
                    Figure.ORANGE,
                    2f,
                    true,
                    n.isEmpty() ? "validation, at the best so far" : "validation" + n + ", best so far");
            top.points(v.x(), v.loss(), Figure.ORANGE, null);
            if (v.values() > 0 && v.fitValues() > 0) {
                // sums over different numbers of values: a lower validation loss need not be a better fit
                top.note("fit: " + v.fitValues() + " values, validation: " + v.values());
            }
            if (v.why() != null) {
                // the legend keeps 40 characters: each reason is short
                top.note("no RMSE: " + v.why());
            }
            return f;
        }
        double[] hx = new double[history.size()];
        double[] fit = new double[hx.length];
        for (int i = 0; i < hx.length; i++) {
            hx[i] = history.get(i)[0];
            fit[i] = v.fitRmse(history.get(i)[2]);
        }
        double[] val = new double[v.x().length];
        for (int i = 0; i < val.length; i++) {
            val[i] = v.validationRmse(v.loss()[i]);
        }
        boolean positive = java.util.Arrays.stream(fit).allMatch(d -> !(d <= 0))
                && java.util.Arrays.stream(val).allMatch(d -> !(d <= 0));
        Figure.Panel bottom = f.panel(0.58, 1).x("evaluation", "count", false).y("RMSE", v.rmseUnit(), positive);
        bottom.x.whole = true;
        double[][] fitSteps = steps(hx, fit);
        bottom.line(fitSteps[0], fitSteps[1], Figure.RED, 2f, false, "fit, best so far (" + v.fitValues() + " values)");
        bottom.line(v.x(), val, Figure.ORANGE, 2f, true, "validation (" + v.values() + " values)");
        bottom.points(v.x(), val, Figure.ORANGE, null);
        return f;
    }

    /**
     * The validation checks of a fit, as the loss plot draws them.
     *
     * @param x the evaluation after which each check ran
     * @param loss the validation loss of each check (NaN when unknown)
     * @param values the reference values of the validation terms, 0 when unknown
     * @param fitValues the reference values of the fit's terms, 0 when unknown
     * @param root whether the losses are root means ({@code reducer: root_mean}): squared first
     * @param factor what the validation loss (squared under {@code root_mean}) is multiplied by to
     *     give the mean squared error per value; NaN when it is none
     * @param fitFactor the same for the fit's loss
     * @param rmseUnit the unit of the RMSE, or null when the losses are not given as RMSEs
     * @param why when they are not, and the units allow it, why: for the plot's note; else null
     */
    record HeldOut(
            double[] x,
            double[] loss,
            int values,
            int fitValues,
            boolean root,
            double factor,
            double fitFactor,
            @Nullable String rmseUnit,
            @Nullable String why) {

        /** @return the RMSE per value of a fit loss (NaN when it is not given as one) */
        double fitRmse(double fitLoss) {
            return rmse(fitLoss, fitFactor);
        }

        /** @return the RMSE per value of a validation loss (NaN when it is not given as one) */
        double validationRmse(double validationLoss) {
            return rmse(validationLoss, factor);
        }

        /**
         * @return sqrt(mean squared error), the mean squared error being the loss (squared under {@code
         *     root_mean}) times the factor; the roots taken apart where that product overflows or falls
         *     below the normal doubles, so that an RMSE a double can hold is finite and precise
         */
        private double rmse(double loss, double by) {
            double meanSquare = (root ? loss * loss : loss) * by;
            if (loss != 0
                    && by != 0
                    && Double.isFinite(loss)
                    && Double.isFinite(by)
                    && (Double.isInfinite(meanSquare) || Math.abs(meanSquare) < Double.MIN_NORMAL)) {
                return (root ? Math.abs(loss) : Math.sqrt(loss)) * Math.sqrt(by);
            }
            return Math.sqrt(meanSquare);
        }
    }

    /**
     * @return whether the fit has validation checks with a loss whose validation terms' loss unit is
     *     not the fit's (so that the loss plot does not draw them)
     */
    @SuppressWarnings("unchecked")
    private static boolean otherUnit(Map<String, Object> results, String lossUnit) {
        if (!(results.get("validation_history") instanceof List<?> h)
                || h.stream().noneMatch(e -> e instanceof Map<?, ?> m && m.get("validation_loss") instanceof Number)
                || !(results.get("validation") instanceof List<?> v)) {
            return false;
        }
        boolean root = results.get("combination") instanceof Map<?, ?> c && "root_mean".equals(c.get("reducer"));
        for (Object o : v) {
            if (Judgement.monitored(o)) {
                continue; // no part of the validation loss, nor of its unit
            }
            String u = String.valueOf(((Map<String, Object>) o).get("loss_unit"));
            if (lossUnit.isEmpty() || !lossUnit.equals(root ? Results.squareRoot(u) : u)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the validation checks to draw on the loss plot, when some have a loss and the
     *     validation loss has the fit loss's unit; else null
     */
    @SuppressWarnings("unchecked")
    static @Nullable HeldOut heldOut(Map<String, Object> results, String lossUnit) {
        if (!(results.get("validation_history") instanceof List<?> h)
                || h.isEmpty()
                || lossUnit.isEmpty()
                || !(results.get("validation") instanceof List<?> v)) {
            return null;
        }
        // the reducer, as results.json records it (not before it did: then unknown)
        String reducer =
                results.get("combination") instanceof Map<?, ?> c && c.get("reducer") instanceof String r ? r : null;
        boolean root = "root_mean".equals(reducer);
        // under root_mean the loss is the square root of the terms' mean: its unit too
        String squared = root ? "" : lossUnit;
        for (Object o : v) {
            if (Judgement.monitored(o)) {
                continue;
            }
            String u = String.valueOf(((Map<String, Object>) o).get("loss_unit"));
            if (!lossUnit.equals(root ? Results.squareRoot(u) : u)) {
                return null; // another unit: not on this axis
            }
            squared = u;
        }
        double[] x = new double[h.size()];
        double[] y = new double[h.size()];
        for (int i = 0; i < x.length; i++) {
            Map<String, Object> e = (Map<String, Object>) h.get(i);
            x[i] = ((Number) e.get("evaluations")).doubleValue() - 1;
            y[i] = e.get("validation_loss") instanceof Number n ? n.doubleValue() : Double.NaN;
        }
        if (java.util.Arrays.stream(y).noneMatch(Double::isFinite)) {
            return null; // no validation loss known (none evaluated yet): nothing to draw, nothing in the legend
        }
        List<Object> fitTerms = results.get("terms") instanceof List<?> t ? (List<Object>) t : List.of();
        // the validation's values likewise: a monitored validation term is in no loss either
        List<Object> heldTerms =
                ((List<Object>) v).stream().filter(t -> !Judgement.monitored(t)).toList();
        int values = values(heldTerms);
        // the fit's values are those of its terms of non-zero weight: a monitored one is in no loss
        int fitValues =
                values(fitTerms.stream().filter(t -> !Judgement.monitored(t)).toList());
        PerValue val = perValue(heldTerms, reducer, "validation");
        PerValue fit = perValue(fitTerms, reducer, "fit");
        String unit = Results.squareRoot(squared);
        String why = fit.why() != null ? fit.why() : val.why();
        Boolean scaled = why == null && squared.equals("1") ? scaled(fitTerms, heldTerms) : Boolean.FALSE;
        if (scaled == null) {
            // a results.json of an older version, which does not say whether a scale divided the
            // residuals: the dimensionless loss may be of quantities in unit 1 or of scaled ones
            why = "scales not recorded";
        } else if (scaled) {
            // the residuals divided by a scale (loss: {scale: ...}): the loss, dimensionless, is no
            // error in the quantities' unit, even when one scale divides them all
            why = "residuals divided by a scale";
        } else if (why == null && !squared.equals("1") && (!squared.endsWith("^2") || unit.isEmpty())) {
            // (a loss in unit 1 that no scale made so is the squared error of quantities in unit 1:
            // its RMSE is in unit 1)
            why = "loss not in a unit squared";
        }
        return new HeldOut(x, y, values, fitValues, root, val.factor(), fit.factor(), why == null ? unit : null, why);
    }

    /**
     * @return whether a term of the loss (a fit term of non-zero weight, or a validation term)
     *     divides the differences of a quantity by a scale ({@code loss_scales} not empty); null
     *     when no term records its scales (a results.json of an older version). A term without
     *     {@code loss_scales} in a file whose other terms record theirs divides by none that is known
     */
    @SuppressWarnings("unchecked")
    private static @Nullable Boolean scaled(List<Object> fitTerms, List<Object> validation) {
        boolean any = false;
        boolean recorded = false;
        for (List<Object> set : List.of(fitTerms, validation)) {
            for (Object o : set) {
                Map<String, Object> t = (Map<String, Object>) o;
                if (!(t.get("loss_scales") instanceof Map<?, ?> scales)) {
                    continue;
                }
                recorded = true; // the file is of a version that records them
                if (set == fitTerms && t.get("weight") instanceof Number w && w.doubleValue() == 0) {
                    continue; // a monitored term: no part of the loss
                }
                any |= !scales.isEmpty();
            }
        }
        return recorded ? any : null;
    }

    /** @return the reference values of the terms (their metrics' counts), 0 when a term does not say */
    private static int values(List<Object> terms) {
        int n = 0;
        for (Object o : terms) {
            int k = values(o);
            if (k == 0) {
                return 0;
            }
            n += k;
        }
        return n;
    }

    /**
     * @return the reference values of a term: over its quantities, the larger of the metrics'
     *     counts at the start and at the best point; 0 when it does not say
     */
    @SuppressWarnings("unchecked")
    private static int values(Object term) {
        if (!(((Map<String, Object>) term).get("metrics") instanceof Map<?, ?> m) || m.isEmpty()) {
            return 0;
        }
        int n = 0;
        for (Object q : m.values()) {
            int most = 0;
            if (q instanceof Map<?, ?> qm) {
                for (String at : List.of("initial", "best")) {
                    if (qm.get(at) instanceof Map<?, ?> a && a.get("count") instanceof Number c) {
                        most = Math.max(most, c.intValue());
                    }
                }
            }
            if (most == 0) {
                return 0;
            }
            n += most;
        }
        return n;
    }

    /**
     * What a loss of some terms is multiplied by (after squaring, under {@code root_mean}) to give
     * the mean squared error per value, or why it cannot be.
     *
     * @param factor the factor; NaN when the loss is no exact multiple of the sum of squared residuals
     * @param why why not, when not; else null
     */
    record PerValue(double factor, @Nullable String why) {}

    /**
     * Each term's weighted loss is {@code w * SSE} for {@code squared_error} of weight w, and
     * {@code w / n * SSE} for {@code mean_squared_error} over n values. When every term has the same
     * multiple c of its sum of squared residuals, the weighted sum S of the terms is c times theirs
     * together; the loss is S ({@code sum}), S / terms ({@code mean}) or the square root of that
     * ({@code root_mean}), so the mean squared error over all N values is the loss (squared under
     * {@code root_mean}) times 1 / (c N) or terms / (c N), the terms and the values those of
     * non-zero weight (a fit term of weight 0, monitored, is in neither the loss nor the metrics over
     * the fit's terms; a validation term of weight 0 is in the metrics, and gives no RMSE). With
     * other losses, multiples that differ (weights that differ per value), an unknown count or
     * reducer, the loss is no mean squared error.
     *
     * @param terms the terms as results.json lists them
     * @param reducer the combination's reducer word, null when not recorded
     * @param set "fit" or "validation", for the reason
     * @return the factor, or NaN and why not
     */
    @SuppressWarnings("unchecked")
    static PerValue perValue(List<Object> terms, @Nullable String reducer, String set) {
        double nan = Double.NaN;
        if (terms.isEmpty()) {
            return new PerValue(nan, "no " + set + " terms");
        }
        double common = nan;
        int total = 0;
        int weighted = 0;
        for (Object o : terms) {
            Map<String, Object> t = (Map<String, Object>) o;
            if ("fit".equals(set) && t.get("weight") instanceof Number w0 && w0.doubleValue() == 0) {
                // a monitored term: no part of the loss, nor of the metrics over the fit's terms
                continue;
            }
            weighted++;
            Object type = t.get("loss_type");
            if (!"squared_error".equals(type) && !"mean_squared_error".equals(type)) {
                return new PerValue(nan, set + " has " + type);
            }
            if (t.get("forces_weight") != null) {
                // energies and forces weighed against each other: no one multiple of the squared residuals
                return new PerValue(nan, set + " fits forces");
            }
            int n = values(o);
            if (n == 0) {
                return new PerValue(nan, set + " counts unknown");
            }
            total += n;
            double w = t.get("weight") instanceof Number x ? x.doubleValue() : nan;
            double c = "mean_squared_error".equals(type) ? w / n : w;
            if (!(c > 0) || !Double.isFinite(c)) {
                return new PerValue(nan, set + " weight " + t.get("weight"));
            }
            if (Double.isNaN(common)) {
                common = c;
            } else if (Math.abs(c - common) > 1e-12 * common) {
                return new PerValue(nan, set + " weights differ per value");
            }
        }
        if (weighted == 0) {
            return new PerValue(nan, "no " + set + " terms of non-zero weight");
        }
        double k;
        if ("sum".equals(reducer)) {
            k = 1;
        } else if ("mean".equals(reducer) || "root_mean".equals(reducer)) {
            k = weighted;
        } else {
            return new PerValue(nan, reducer == null ? "reducer not recorded" : "reducer " + reducer);
        }
        return new PerValue(k / (common * total), null);
    }

    private static Figure loss(List<double[]> history, String unit, double bottom) {
        double[] x = new double[history.size()];
        double[] loss = new double[x.length];
        double[] penalised = new double[x.length];
        double[] best = new double[x.length];
        boolean positive = true;
        boolean anyPenalised = false;
        for (int i = 0; i < x.length; i++) {
            double[] h = history.get(i);
            x[i] = h[0];
            // an evaluation in which a term of non-zero weight failed and a penalty or a skip stood in (the
            // journal's degraded): its loss is not one the parameters gave, drawn apart
            boolean degraded = h.length > 4 && h[4] != 0;
            anyPenalised |= degraded;
            loss[i] = degraded ? Double.NaN : h[1];
            penalised[i] = degraded ? h[1] : Double.NaN;
            best[i] = h[2];
            positive &= !(h[1] <= 0) && !(h[2] <= 0);
        }
        Figure f = new Figure(W, H, "Loss against evaluations");
        Figure.Panel p = f.panel(0, bottom).x("evaluation", "count", false).y("loss", unitOrNone(unit), positive);
        p.x.whole = true;
        p.points(x, loss, Figure.BLUE, "loss of the evaluation");
        if (anyPenalised) {
            p.points(x, penalised, Figure.GREY, Figure.Marker.RING, "a term failed (penalty or skip)");
        }
        // the best so far changes only at an evaluation that improves it: flat until then, a step there
        double[][] s = steps(x, best);
        p.line(s[0], s[1], Figure.RED, 2f, false, "best so far");
        // the best and its evaluation as the log kept them (the Fitter's rule: a degraded or bad
        // evaluation does not win), not the lowest loss drawn
        double[] h = history.get(history.size() - 1);
        double last = h[2];
        if (Double.isFinite(last) && h.length > 3 && !Double.isNaN(h[3])) {
            p.note(String.format(Locale.ROOT, "best %s at evaluation %d", Tables.fmt(last), (int) h[3]));
        }
        return f;
    }

    /**
     * @return the points of a step line through (x[i], y[i]): each value held until the next x, where the line
     *     rises or falls to the next value; a NaN value is held over (the best so far is unknown before the
     *     first evaluation that may be called the best)
     */
    static double[][] steps(double[] x, double[] y) {
        int n = x.length;
        double[] sx = new double[Math.max(0, 2 * n - 1)];
        double[] sy = new double[sx.length];
        for (int i = 0; i < n; i++) {
            sx[2 * i] = x[i];
            sy[2 * i] = y[i];
            if (i + 1 < n) {
                sx[2 * i + 1] = x[i + 1];
                sy[2 * i + 1] = y[i];
            }
        }
        return new double[][] {sx, sy};
    }

    private static String unitOrNone(String unit) {
        return "1".equals(unit) ? "dimensionless" : unit;
    }

    /**
     * @return a scan's plot: in the legend only the series that have a value to draw; without a model value at
     *     the best point (a validation term an interrupted fit did not evaluate), the reference, no residual panel
     *     and a note that says so; null when there is no value at all to draw
     */
    private static Figure scan(Series s, Map<String, Object> coordinate) {
        double[] r = Results.toArray(coordinate.get("values"));
        String cunit = String.valueOf(coordinate.getOrDefault("unit", ""));
        String cname = String.valueOf(coordinate.get("column"));
        if (r == null || r.length != s.reference().length) {
            return null;
        }
        double[][] sorted = sortBy(r, s.reference(), s.initial(), s.best());
        double[] res = new double[sorted[0].length];
        for (int i = 0; i < res.length; i++) {
            res[i] = sorted[3][i] - sorted[1][i];
        }
        boolean reference = finite(sorted[0], sorted[1]) > 0;
        boolean initial = sorted[2] != null && finite(sorted[0], sorted[2]) > 0;
        boolean best = finite(sorted[0], sorted[3]) > 0;
        boolean residuals = finite(sorted[0], res) > 0;
        if (!reference && !initial && !best) {
            return null;
        }
        Figure f = new Figure(
                W,
                700,
                switch (s.set()) {
                            case "validation" -> "Validation term '";
                            case Judgement.MONITORED -> "Monitored term (weight 0) '";
                            default -> "Term '";
                        }
                        + s.term() + "': " + s.quantity() + " against " + cname);
        Figure.Panel top =
                f.panel(0, residuals ? 0.68 : 1).x(cname, cunit, false).y(s.quantity(), s.unit(), false);
        if (initial) {
            top.line(sorted[0], sorted[2], Figure.GREY, 1.5f, true, "model at the start");
        }
        if (reference) {
            top.points(sorted[0], sorted[1], Figure.ORANGE, "reference");
        }
        if (best) {
            top.line(sorted[0], sorted[3], Figure.BLUE, 2f, false, "model at the best point");
        } else {
            top.note("model: not evaluated at the best point");
        }
        if (!residuals) {
            // an empty panel over a made-up range would say nothing; the note says why there is none
            if (best) {
                top.note("residuals: no reference value");
            }
            return f;
        }
        // The y range follows the reference and the fitted model; a start far off must not flatten the curve.
        Figure.Panel bottom = f.panel(0.68, 1)
                .x(cname, cunit, false)
                .y("residual", s.unit(), false)
                .zeroLine();
        bottom.line(sorted[0], res, Figure.BLUE, 1f, false, null);
        bottom.points(sorted[0], res, Figure.BLUE, "model - reference");
        return f;
    }

    /** @return how many pairs (x[i], y[i]) are both finite */
    private static int finite(double[] x, double[] y) {
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                n++;
            }
        }
        return n;
    }

    /** @return the arrays reordered by the first (the coordinate), a null array staying null */
    private static double[][] sortBy(double[] key, double[]... others) {
        Integer[] idx = new Integer[key.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Double.compare(key[a], key[b]));
        double[][] out = new double[others.length + 1][];
        out[0] = new double[key.length];
        for (int i = 0; i < key.length; i++) {
            out[0][i] = key[idx[i]];
        }
        for (int k = 0; k < others.length; k++) {
            if (others[k] == null) {
                continue;
            }
            out[k + 1] = new double[key.length];
            for (int i = 0; i < key.length; i++) {
                out[k + 1][i] = others[k][idx[i]];
            }
        }
        return out;
    }

    /**
     * The sets of points the parity and residual plots draw, in order: the fit's (its terms of non-zero
     * weight), the monitored terms' (fit terms of weight 0, in no loss) and the validation's.
     */
    private static final List<String> SETS = List.of("fit", Judgement.MONITORED, "validation");

    /** @return the legend's name of a set's points */
    private static String label(String set) {
        return set.equals(Judgement.MONITORED) ? "monitored, weight 0" : set;
    }

    /** @return the marker of a set's points: a filled circle, a filled square, a ring (told apart in grey too) */
    private static Figure.Marker marker(String set) {
        return switch (set) {
            case "fit" -> Figure.Marker.DOT;
            case "validation" -> Figure.Marker.SQUARE;
            default -> Figure.Marker.RING;
        };
    }

    /** @return the colour of a set's points */
    private static java.awt.Color colour(String set) {
        return switch (set) {
            case "fit" -> Figure.BLUE;
            case "validation" -> Figure.ORANGE;
            default -> Figure.GREEN;
        };
    }

    private static Figure parity(List<Series> group) {
        Series first = group.get(0);
        Figure f = new Figure(W, H, first.quantity() + ": model at the best point against reference");
        Figure.Panel p = f.panel(0, 1)
                .x("reference " + first.quantity(), first.unit(), false)
                .y("model " + first.quantity(), first.unit(), false);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (String set : SETS) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (Series s : group) {
                if (s.set().equals(set)) {
                    for (int i = 0; i < s.reference().length; i++) {
                        // only the points drawn, and counted in the legend: a value without its model value (a
                        // validation term that failed or was not evaluated) is not a point
                        if (Double.isFinite(s.reference()[i]) && Double.isFinite(s.best()[i])) {
                            xs.add(s.reference()[i]);
                            ys.add(s.best()[i]);
                        }
                    }
                }
            }
            if (xs.isEmpty()) {
                continue;
            }
            double[] x = xs.stream().mapToDouble(Double::doubleValue).toArray();
            double[] y = ys.stream().mapToDouble(Double::doubleValue).toArray();
            for (int i = 0; i < x.length; i++) {
                if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                    lo = Math.min(lo, Math.min(x[i], y[i]));
                    hi = Math.max(hi, Math.max(x[i], y[i]));
                }
            }
            p.points(x, y, colour(set), marker(set), label(set) + " (" + x.length + ")");
        }
        if (hi >= lo) {
            // Both axes span the same range around every value, so the diagonal runs corner to corner. When the values
            // lie close together (one reference and one model value, or a fit that matches), the range is widened to
            // 10 % of their magnitude at least, so that a point shows its place against the diagonal instead of sitting
            // in a corner of a range as narrow as its own error.
            double pad = Math.max(0, 0.05 * Math.max(Math.abs(lo), Math.abs(hi)) - 0.5 * (hi - lo));
            double a = lo - pad;
            double b = hi + pad;
            p.x.include(a);
            p.x.include(b);
            p.y.include(a);
            p.y.include(b);
            p.guide(new double[] {a, b}, new double[] {a, b}, Figure.GREY, "model = reference");
        }
        return hi >= lo ? f : null;
    }

    private static Figure histogram(List<Series> group) {
        Series first = group.get(0);
        List<double[]> sets = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        int n = 0;
        for (String set : SETS) {
            List<Double> rs = new ArrayList<>();
            for (Series s : group) {
                if (s.set().equals(set)) {
                    for (int i = 0; i < s.reference().length; i++) {
                        double d = s.best()[i] - s.reference()[i];
                        if (Double.isFinite(d)) {
                            rs.add(d);
                            lo = Math.min(lo, d);
                            hi = Math.max(hi, d);
                        }
                    }
                }
            }
            sets.add(rs.stream().mapToDouble(Double::doubleValue).toArray());
            n += rs.size();
        }
        if (n < 5) {
            return null; // a histogram of a handful of values says nothing the parity plot does not
        }
        int bins = Math.max(5, Math.min(30, (int) Math.ceil(2 * Math.sqrt(n))));
        double width = Figure.nice((hi - lo) / bins);
        double start = Math.floor(lo / width) * width;
        int k = (int) Math.ceil((hi - start) / width + 1e-9);
        k = Math.max(k, 1);
        double[] left = new double[k];
        double[] base = new double[k];
        for (int i = 0; i < k; i++) {
            left[i] = start + i * width;
        }
        Figure f = new Figure(W, H, "Residuals of " + first.quantity() + " at the best point");
        Figure.Panel p =
                f.panel(0, 1).x("model - reference", first.unit(), false).y("values", "count", false);
        p.y.whole = true;
        for (int s = 0; s < SETS.size(); s++) {
            double[] counts = new double[k];
            for (double d : sets.get(s)) {
                int b = Math.min(k - 1, (int) Math.floor((d - start) / width));
                counts[Math.max(0, b)]++;
            }
            if (sets.get(s).length > 0) {
                p.bars(
                        left,
                        width,
                        base.clone(),
                        counts,
                        colour(SETS.get(s)),
                        label(SETS.get(s)) + " (" + sets.get(s).length + ")");
                for (int i = 0; i < k; i++) {
                    base[i] += counts[i];
                }
            }
        }
        p.y.include(0);
        if (java.util.stream.IntStream.range(0, SETS.size())
                        .filter(s -> sets.get(s).length > 0)
                        .count()
                > 1) {
            // a set's bar starts where the one before it ends: its count is its own part, not the top
            p.note("sets stacked: each bar on the one before");
        }
        return f;
    }

    @SuppressWarnings("unchecked")
    private static Figure parameters(Path folder, Map<String, Object> results) throws IOException {
        Path csv = folder.resolve(EvaluationLog.FILE);
        if (!Files.isRegularFile(csv) || !(results.get("parameters") instanceof List<?> params)) {
            return null;
        }
        // RFC 4180 as the log writes it: a parameter's or a term's name in its header may hold a comma or a line break
        List<org.chemfit.dashboard.Predictions.Row> lines = EvaluationLog.rows(csv);
        if (lines.size() < 2) {
            return null;
        }
        List<String> header = lines.get(0).fields();
        String twice = EvaluationLog.twice(header);
        if (twice != null) {
            throw new BaseCommand.UserException(csv + ":" + lines.get(0).line() + ": " + twice);
        }
        Figure f = new Figure(W, H, "Parameters over the evaluations, within their bounds");
        Figure.Panel p =
                f.panel(0, 1).x("evaluation", "count", false).y("position in bounds", "0 = lower, 1 = upper", false);
        p.x.whole = true;
        int colour = 0;
        for (Object o : params) {
            Map<String, Object> pm = (Map<String, Object>) o;
            String name = String.valueOf(pm.get("name"));
            int col = header.indexOf(name);
            if (col < 0
                    || Boolean.TRUE.equals(pm.get("fixed"))
                    || !(pm.get("lower") instanceof Number lo)
                    || !(pm.get("upper") instanceof Number hi)
                    || !(hi.doubleValue() > lo.doubleValue())) {
                continue;
            }
            List<double[]> pts = new ArrayList<>();
            for (org.chemfit.dashboard.Predictions.Row line : lines.subList(1, lines.size())) {
                List<String> fs = line.fields();
                try {
                    pts.add(new double[] {
                        Double.parseDouble(fs.get(0)),
                        (Double.parseDouble(fs.get(col)) - lo.doubleValue()) / (hi.doubleValue() - lo.doubleValue())
                    });
                } catch (NumberFormatException | IndexOutOfBoundsException e) {
                    // a line cut short by a crash
                }
            }
            double[] x = pts.stream().mapToDouble(a -> a[0]).toArray();
            double[] y = pts.stream().mapToDouble(a -> a[1]).toArray();
            Object unit = pm.get("unit");
            // each line in a pattern as well as a colour, so that neighbours are told apart in grey or by a
            // reader who does not tell red from green; the pattern turns by three at each round of the
            // palette's colours, so that a colour comes back in another pattern (40 lines before one repeats)
            Figure.Dash[] dashes = Figure.Dash.values();
            Figure.Dash dash = dashes[(colour + 3 * (colour / Figure.PALETTE.length)) % dashes.length];
            p.line(
                    x,
                    y,
                    Figure.PALETTE[colour++ % Figure.PALETTE.length],
                    1.5f,
                    dash,
                    name + (unit == null || "".equals(unit) ? "" : " (" + unit + ")"));
        }
        if (colour == 0) {
            return null;
        }
        p.y.include(0);
        p.y.include(1);
        return f;
    }

    /** The most bars the share plot draws: the largest shares, the last bar the rest together. */
    static final int MAX_SHARE_BARS = 12;

    @SuppressWarnings("unchecked")
    private static Figure shares(List<Object> terms) {
        List<String> names = new ArrayList<>();
        List<Double> shares = new ArrayList<>();
        for (Object o : terms) {
            Map<String, Object> t = (Map<String, Object>) o;
            if (t.get("share") instanceof Number n) {
                names.add(String.valueOf(t.get("name")));
                shares.add(100 * n.doubleValue());
            }
        }
        if (names.size() < 2) {
            return null; // one term holds all of the loss: nothing to show
        }
        // with many terms, the largest shares one by one and the rest as one bar: a bar a pixel wide
        // and a legend longer than the figure show nothing
        List<Integer> shown = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            shown.add(i);
        }
        double rest = 0;
        int restCount = 0;
        if (names.size() > MAX_SHARE_BARS) {
            shown.sort((a, b) -> Double.compare(shares.get(b), shares.get(a)));
            for (int i : shown.subList(MAX_SHARE_BARS - 1, shown.size())) {
                rest += shares.get(i);
                restCount++;
            }
            shown = new ArrayList<>(shown.subList(0, MAX_SHARE_BARS - 1));
        }
        Figure f = new Figure(W, H, "Each term's share of the best loss");
        Figure.Panel p = f.panel(0, 1)
                .x(restCount > 0 ? "term, largest shares first" : "term", "number", false)
                .y("share of the loss", "%", false);
        p.x.whole = true;
        for (int k = 0; k < shown.size(); k++) {
            int i = shown.get(k);
            p.bars(
                    new double[] {k + 0.6},
                    0.8,
                    new double[] {0},
                    new double[] {shares.get(i)},
                    Figure.PALETTE[k % Figure.PALETTE.length],
                    (i + 1) + ": " + names.get(i) + String.format(Locale.ROOT, " (%.1f%%)", shares.get(i)));
        }
        if (restCount > 0) {
            p.bars(
                    new double[] {shown.size() + 0.6},
                    0.8,
                    new double[] {0},
                    new double[] {rest},
                    Figure.PALETTE[shown.size() % Figure.PALETTE.length],
                    String.format(Locale.ROOT, "the other %d terms (%.1f%%)", restCount, rest));
        }
        int bars = shown.size() + (restCount > 0 ? 1 : 0);
        p.x.include(0.4);
        p.x.include(bars + 0.6);
        p.y.include(0);
        return f;
    }

    /**
     * The values of each term and quantity: from predictions.csv when there is one, else from results.json; from
     * results.json too when predictions.csv was not written with these results ({@link
     * org.chemfit.dashboard.Predictions#notOfResults}, the check the dashboard and report.html make: another fit's,
     * or an earlier run's of the same job), of which {@code warnings} is told, naming the file and why. The values
     * of results.json hold no model at the start: a scan plot drawn of them has none.
     *
     * @param predictions whether to read predictions.csv; from results.json alone when not
     * @param warnings receives the one warning a predictions.csv of other results gives
     */
    @SuppressWarnings("unchecked")
    static List<Series> series(
            Path folder, Map<String, Object> results, boolean predictions, java.util.function.Consumer<String> warnings)
            throws IOException {
        List<Series> out = new ArrayList<>();
        // the fit's terms of weight 0, monitored: their values are none of the fit's (a predictions.csv
        // written before it said "monitored" for them says "fit")
        java.util.Set<String> monitored = new java.util.HashSet<>();
        if (results.get("terms") instanceof List<?> fitTerms) {
            for (Object t : fitTerms) {
                if (Judgement.monitored(t)) {
                    monitored.add(String.valueOf(((Map<?, ?>) t).get("name")));
                }
            }
        }
        Path csv = folder.resolve(Judgement.FILE);
        if (predictions && Files.isRegularFile(csv)) {
            Map<String, List<double[]>> rows = new LinkedHashMap<>();
            Map<String, String[]> keys = new LinkedHashMap<>();
            List<List<String>> lines = org.chemfit.dashboard.Predictions.parse(
                    Files.readString(csv, java.nio.charset.StandardCharsets.UTF_8));
            String why = org.chemfit.dashboard.Predictions.notOfResults(lines, results);
            if (why != null) {
                warnings.accept(notOfResults(csv, why));
                return series(folder, results, false, warnings); // the values of results.json itself
            }
            for (List<String> f : lines.subList(1, lines.size())) {
                if (f.size() < 9) {
                    continue;
                }
                String set = f.get(0).equals("fit") && monitored.contains(f.get(1)) ? Judgement.MONITORED : f.get(0);
                String key = set + "\u0000" + f.get(1) + "\u0000" + f.get(3);
                keys.putIfAbsent(key, new String[] {set, f.get(1), f.get(3), f.get(8)});
                rows.computeIfAbsent(key, k -> new ArrayList<>())
                        .add(new double[] {d(f.get(4)), d(f.get(5)), d(f.get(6))});
            }
            rows.forEach((k, rs) -> {
                String[] id = keys.get(k);
                out.add(new Series(
                        id[0],
                        id[1],
                        id[2],
                        EnergyUnits.canonical(id[3]), // one unit, however a folder written before spelt it
                        rs.stream().mapToDouble(a -> a[0]).toArray(),
                        rs.stream().mapToDouble(a -> a[1]).toArray(),
                        rs.stream().mapToDouble(a -> a[2]).toArray()));
            });
            return out;
        }
        for (String set : List.of("terms", "validation")) {
            if (!(results.get(set) instanceof List<?> terms)) {
                continue;
            }
            for (Object o : terms) {
                Map<String, Object> t = (Map<String, Object>) o;
                Map<String, Object> ref = (Map<String, Object>) t.get("reference");
                Map<String, Object> comp = (Map<String, Object>) t.get("computed");
                Map<String, Object> units = t.get("units") instanceof Map<?, ?> u ? (Map<String, Object>) u : Map.of();
                if (ref == null || comp == null) {
                    continue;
                }
                for (Map.Entry<String, Object> e : ref.entrySet()) {
                    double[] r = Results.toArray(e.getValue());
                    double[] c = Results.toArray(comp.get(e.getKey()));
                    if (r != null && c != null && r.length == c.length && r.length > 0) {
                        out.add(new Series(
                                set.equals("terms")
                                        ? (monitored.contains(String.valueOf(t.get("name")))
                                                ? Judgement.MONITORED
                                                : "fit")
                                        : "validation",
                                String.valueOf(t.get("name")),
                                e.getKey(),
                                EnergyUnits.canonical(String.valueOf(units.getOrDefault(e.getKey(), ""))),
                                r,
                                null,
                                c));
                    }
                }
            }
        }
        return out;
    }

    /**
     * @param csv a predictions.csv
     * @param why why it is not of the results beside it
     * @return the warning that its values are not drawn: the plots are drawn from results.json's
     */
    static String notOfResults(Path csv, String why) {
        return csv + " is another fit's (" + why + "): its values are not drawn; the plots are drawn from"
                + " results.json's (a scan without the model at the start)";
    }

    private static double d(String s) {
        try {
            return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
