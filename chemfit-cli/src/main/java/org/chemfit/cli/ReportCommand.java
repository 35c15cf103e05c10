package org.chemfit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code chemfit report DIR}: prints the tables of a finished fit, or the progress of a running
 * one, from its output folder, and draws its plots again (those these results give; it removes
 * none of the fit's).
 *
 * <pre>{@code
 * chemfit report examples/argon/results
 * }</pre>
 *
 * @implNote One instance per command line.
 */
@Command(
        name = "report",
        description = "Print tables and draw plots of the fit whose output folder is DIR (finished or running).")
final class ReportCommand extends BaseCommand {

    @Parameters(paramLabel = "DIR", description = "A fit's output folder.")
    Path dir;

    @Option(names = "--no-plots", description = "Print tables only.")
    boolean noPlots;

    @Option(
            names = "--html",
            description =
                    "Also write report.html: the dashboard's views in one file that opens with no server and no network.")
    boolean html;

    @Override
    int execute() {
        requireOutputFolder(dir);
        Path results = dir.resolve(Results.FILE);
        Path csv = dir.resolve(EvaluationLog.FILE);
        Path journal = dir.resolve(org.chemfit.journal.Journal.DEFAULT_FILE_NAME);
        // a link to nothing there is a journal that cannot be read, said as such below
        boolean journalThere = Files.exists(journal, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (!Files.exists(results) && !Files.exists(csv) && !journalThere) {
            throw new UserException(dir + " holds neither " + Results.FILE + " nor " + EvaluationLog.FILE + " nor "
                    + journal.getFileName() + "; give the output folder of a fit" + outputFolders(dir));
        }
        String others = noPlots
                ? null
                : OutputFolder.othersFiles(
                        dir, OutputFolder.plotFiles(dir), "the report", "the output folder of a fit (or --no-plots)");
        if (others != null) {
            // a folder no fit wrote: the plots there are someone's, not to be drawn over
            throw new UserException(others);
        }
        String unwritable = html ? Messages.notWritableFolder(dir) : null;
        if (unwritable != null) {
            // refused before anything is printed: the page asked for could not be written there
            throw new UserException("cannot write " + dir.resolve("report.html") + ": " + unwritable
                    + " (copy the folder to one you may write in, and report on the copy)");
        }
        if (html && !Files.exists(journal)) {
            // refused before anything is printed or drawn: the report asked for cannot be made
            throw new UserException(dir + " holds no " + journal.getFileName() + "; report.html is drawn from the"
                    + " journal (without --html the report prints the tables and draws the plots)");
        }
        CsvHistory csvHistory = Files.exists(csv)
                ? CsvHistory.read(csv, w -> err().println("warning: " + w))
                : new CsvHistory(new ArrayList<>(), List.of(), null);
        List<double[]> history = csvHistory.history();
        List<String> header = csvHistory.header();
        String[] bestRow = csvHistory.bestRow();
        Map<String, Object> r = Files.exists(results) ? Results.read(results) : null;
        Map<String, Object> written = r;
        // every figure the report takes from the journal, read at one moment: a running fit's
        // commits between two reads would make them disagree
        JournalFigures figures = journalThere ? JournalFigures.read(journal, written) : null;
        boolean csvOfAFit = !header.isEmpty() && "evaluation".equals(header.get(0));
        if (r == null && !csvOfAFit && (figures == null || figures.unread() != null)) {
            // what is there is no fit's (the warnings above say why): no report, and no plots folder made
            List<String> why = new ArrayList<>();
            if (Files.exists(csv)) {
                why.add(csv.getFileName() + " is not one chemfit wrote (its first line is '" + firstLine(header)
                        + "', not 'evaluation,loss,best_loss,...')");
            }
            if (figures != null && figures.unread() != null) {
                why.add(journal.getFileName() + " cannot be read (" + figures.unread() + ")");
            }
            throw new UserException(dir + " holds nothing of a fit that chemfit can read: " + String.join("; ", why)
                    + "; give the output folder of a fit" + outputFolders(dir));
        }
        String earlier = r == null || figures == null ? null : earlier(r, figures);
        if (earlier != null) {
            // results.json (and predictions.csv, written with it) belong to another run than the journal's latest
            r = null;
        }
        if (r != null) {
            try {
                Tables.summary(out(), r);
                if (!"done".equals(r.get("status")) && r.get("message") instanceof String why && !why.isBlank()) {
                    // what the fit said when it stopped: results.json keeps it, the tables do not show it
                    out().println(r.get("status") + ": " + Messages.clean(why).replace("\n", "\n  "));
                }
            } catch (ClassCastException e) {
                throw new UserException(results + ": not a results file of this chemfit version (" + Version.get()
                        + "): a value is not of the type this version writes");
            }
        } else {
            // One count: the journal's (what a resume replays) when there is one, else the CSV's rows.
            JournalFigures soFar = figures == null || figures.unread() != null ? null : figures;
            Integer recorded = soFar == null ? null : soFar.finished();
            String state = soFar == null ? null : soFar.state();
            String count = recorded != null
                    ? Tables.count(recorded, "evaluation") + " so far"
                    : Tables.count(history.size(), "evaluation") + " in " + EvaluationLog.FILE;
            out().printf(
                            "%s: %s; %s%n",
                            dir,
                            earlier != null
                                    ? earlier
                                    : state == null
                                            // no journal says whether its fit runs: evaluations.csv alone cannot
                                            ? "no " + Results.FILE
                                                    + " (the fit is running, or stopped before writing it)"
                                            : state + " (no " + Results.FILE + (state.equals("running") ? " yet" : "")
                                                    + ")",
                            count);
            org.chemfit.journal.read.RunRecord stoppedRun =
                    soFar == null || soFar.stopped() == null ? null : soFar.run();
            if (stoppedRun != null && recorded != null) {
                // said plainly: nothing runs the fit now, yet its programs may
                out().println(stoppedNote(stoppedRun, recorded));
            }
            if (recorded != null && csvOfAFit && history.size() > recorded && !"running".equals(state)) {
                // the fit wrote a line of evaluations.csv after each evaluation the journal had
                // committed: a journal with fewer has lost its last commits, as a copy of the
                // folder without the files SQLite and the fit keep beside it has
                err().println("warning: " + csv.getFileName() + " lists " + Tables.count(history.size(), "evaluation")
                        + " and the journal " + recorded + ": the journal misses its last commits, as a copy of"
                        + " the folder made without " + journal.getFileName() + "-wal and " + journal.getFileName()
                        + "-pending beside it does; copy those files with it and report again");
            }
            org.chemfit.journal.read.EvaluationRecord b = soFar == null ? null : soFar.best();
            if (b != null) {
                // read with the count: evaluations.csv may lag the journal by the lines not yet written
                out().println("best loss so far: " + Tables.fmt(b.toldLoss()) + " at evaluation " + b.number());
                b.parameters()
                        .asFlatMap()
                        .forEach((name, value) ->
                                out().println("  " + name + " = " + org.chemfit.support.DecimalText.of(value)));
            } else if (bestRow != null) {
                out().println("best loss so far: " + Tables.fmt(Double.parseDouble(bestRow[1])) + " at evaluation "
                        + bestRow[0]);
                int firstParam = header.indexOf("failed_terms") + 1;
                for (int k = firstParam; k < header.size() && k < bestRow.length; k++) {
                    if (!header.get(k).startsWith(EvaluationLog.TERM_COLUMN)) {
                        out().println("  " + header.get(k) + " = " + bestRow[k]);
                    }
                }
            }
        }
        if (figures != null) {
            journal(journal, figures);
        }
        Path plots = dir.resolve("plots");
        if (!noPlots && !(Files.exists(plots) ? Files.isWritable(plots) : Files.isWritable(dir))) {
            // a folder this user may only read (an archive, a colleague's results): the tables are the report
            Path where = Files.exists(plots) ? plots : dir;
            out().println("plots: not drawn again: "
                    + (Messages.readOnly(where)
                            ? "the file system of " + where + " is mounted read-only"
                            : where + " is not writable by this user")
                    + (Files.isDirectory(plots) ? " (the fit's plots are there)" : ""));
        } else if (!noPlots) {
            // draws what these results give and removes nothing: a plot not drawn now is the fit's
            Plots.Outcome drawn = Plots.refresh(dir.toAbsolutePath(), history, r);
            // the files there, which are those drawn now unless the folder holds files of its own
            int there = Plots.filesIn(plots);
            out().println("plots: " + Tables.count(there, "file") + " in " + plots
                    + (there == drawn.files().size() ? "" : " (" + drawn.files().size() + " drawn now)"));
            Plots.tellOmissions(out(), drawn);
            Plots.tellWarnings(err(), drawn);
        }
        if (html) {
            try {
                out().println("html: " + org.chemfit.dashboard.HtmlReport.write(dir));
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                throw new UserException(e.getMessage());
            }
        }
        return ExitCodes.OK;
    }

    /**
     * What a report reads from evaluations.csv.
     *
     * @param history evaluation number, loss, best loss so far, the best's number (NaN while
     *     none) of each whole row
     * @param header the column names
     * @param bestRow the fields of the row of the best evaluation, or null when there is none
     */
    private record CsvHistory(List<double[]> history, List<String> header, String @Nullable [] bestRow) {

        /** The most bad rows that {@link #read} warns of one by one. */
        private static final int MAX_WARNED = 20;

        /**
         * @param csv the file
         * @param warnings receives, for each row that is left out though it was written whole (it
         *     is followed by a line break), its problem naming the file, the line and the value (the
         *     first 20 such rows, then how many more); a last line without its line break may be one
         *     the fit is writing, or one cut short by a crash, and is left out without a word. The
         *     file is read as RFC 4180 ({@link EvaluationLog#rows}): a header name in quotes may hold
         *     a comma or a line break, and a line is the physical line a row starts on; a quote
         *     opened in a row (the fit writes none there) and not closed by the end of the file is
         *     told of too, as it takes the lines after it into one field
         * @return the rows of the file
         * @throws UserException when the file cannot be read, or its header names a column twice
         *     (naming the file, the header's line, the name and both columns)
         */
        static CsvHistory read(Path csv, java.util.function.Consumer<String> warnings) {
            List<double[]> history = new ArrayList<>();
            List<String> header = List.of();
            String[] bestRow = null;
            try {
                List<org.chemfit.dashboard.Predictions.Row> rows = EvaluationLog.rows(csv);
                int badRows = 0;
                if (!rows.isEmpty()) {
                    header = rows.get(0).fields();
                    String twice = EvaluationLog.twice(header);
                    if (twice != null) {
                        throw new UserException(csv + ":" + rows.get(0).line() + ": " + twice);
                    }
                    if (!"evaluation".equals(header.get(0))) {
                        // no file of a fit: its rows are not told of one by one (the report says what it is)
                        return new CsvHistory(history, header, null);
                    }
                }
                // The file's best_loss column follows the Fitter's rule (BestPoint): an evaluation
                // with a failed term, or whose loss was NaN or infinite, is not the best while a
                // clean one exists. So the row where that column takes a new value is the new best;
                // a clean row of exactly the loss of a degraded best takes its place too.
                double lastBest = Double.NaN;
                boolean bestDegraded = false;
                double bestNumber = Double.NaN;
                int failedColumn = header.indexOf("failed_terms");
                // written since the column was added, before failed_terms: the journal's rule (a failed
                // term of weight 0 does not degrade a point); a file without it has only the count of failed terms
                int degradedColumn =
                        failedColumn > 0 && header.get(failedColumn - 1).equals("degraded") ? failedColumn - 1 : -1;
                for (int i = 1; i < rows.size(); i++) {
                    org.chemfit.dashboard.Predictions.Row row = rows.get(i);
                    // the fit quotes no field of a row: a quote left open takes the rest of the file
                    boolean whole = row.ended() || row.unclosedQuote();
                    String[] f = row.fields().toArray(new String[0]);
                    String problem = !whole
                            ? null
                            : row.unclosedQuote()
                                    ? "a quote opened in this line is not closed by the end of the file"
                                    : rowProblem(header, f, failedColumn, degradedColumn);
                    if (problem != null) {
                        badRows++;
                        if (badRows <= MAX_WARNED) {
                            warnings.accept(csv + ":" + row.line() + ": " + problem
                                    + (row.unclosedQuote()
                                            ? "; the lines from there on are left out of the report"
                                            : "; the row is left out of the report"));
                        }
                        continue;
                    }
                    if (f.length < 3 || f[1].isEmpty()) {
                        // no loss: the evaluation's loss was NaN, which the file writes as nothing
                        continue;
                    }
                    try {
                        double number = Double.parseDouble(f[0]);
                        double loss = Double.parseDouble(f[1]);
                        double best = f[2].isEmpty() ? Double.NaN : Double.parseDouble(f[2]);
                        int flag = degradedColumn >= 0 ? degradedColumn : failedColumn;
                        boolean degraded =
                                flag > 0 && flag < f.length && !f[flag].isEmpty() && Integer.parseInt(f[flag]) > 0;
                        boolean newBest = !Double.isNaN(best)
                                && (Double.compare(best, lastBest) != 0 || loss == best && !degraded && bestDegraded);
                        if (newBest) {
                            bestRow = f;
                            bestDegraded = degraded;
                            bestNumber = number;
                        }
                        lastBest = best;
                        history.add(new double[] {number, loss, best, bestNumber, degraded ? 1 : 0});
                    } catch (NumberFormatException e) {
                        // the last line, cut short by a crash or still being written: the lines before it are whole
                    }
                }
                if (badRows > MAX_WARNED) {
                    warnings.accept(csv + ": and " + (badRows - MAX_WARNED) + " more bad rows left out (the first "
                            + MAX_WARNED + " are listed)");
                }
            } catch (IOException e) {
                throw new UserException(csv + ": cannot be read: " + e.getMessage());
            }
            return new CsvHistory(history, header, bestRow);
        }

        /**
         * @param header the column names
         * @param f the fields of a row written whole
         * @param failedColumn the index of {@code failed_terms}, or -1
         * @param degradedColumn the index of {@code degraded}, or -1
         * @return what keeps the row out of the report (its evaluation number, loss, best loss,
         *     degraded flag or count of failed terms is not a number, or it has too few fields), or
         *     null when it is read; an empty loss or best loss is a NaN, which the file writes as nothing
         */
        private static @Nullable String rowProblem(
                List<String> header, String[] f, int failedColumn, int degradedColumn) {
            if (f.length < 3) {
                return "expected at least 3 fields (" + String.join(",", EvaluationLog.FIXED_COLUMNS.subList(0, 3))
                        + ", ...), got " + f.length + ": '" + String.join(",", f) + "'";
            }
            for (int k : new int[] {0, 1, 2, degradedColumn, failedColumn}) {
                if (k < 0 || k >= f.length || k > 0 && f[k].isEmpty()) {
                    continue;
                }
                boolean whole = k == failedColumn || k == degradedColumn;
                try {
                    if (whole) {
                        Integer.parseInt(f[k]);
                    } else {
                        Double.parseDouble(f[k]);
                    }
                } catch (NumberFormatException e) {
                    String column = k < header.size() ? header.get(k) : EvaluationLog.FIXED_COLUMNS.get(k);
                    return "expected " + (whole ? "a whole number" : "a number") + " in column '" + column + "', got '"
                            + f[k] + "'";
                }
            }
            return null;
        }
    }

    /**
     * The run the report is about ({@link org.chemfit.journal.read.JournalReader#runOfFolder}): the
     * report does not mix the figures of the run the folder's files are from with another run's.
     */
    static java.util.Optional<org.chemfit.journal.read.RunRecord> reportedRun(
            org.chemfit.journal.read.JournalReader j, @Nullable Map<String, Object> results) {
        return j.runOfFolder(
                results != null && results.get("journal_run") instanceof Number n ? Long.valueOf(n.longValue()) : null);
    }

    /**
     * Whether results.json is the result of the run reported on ({@link #reportedRun}): it is when it names that run
     * ({@code journal_run}) and the run is not running again (a resumed run writes its results.json
     * when it ends).
     *
     * @return null when it is, else what the report says instead of its tables
     */
    static @Nullable String earlier(Map<String, Object> results, JournalFigures figures) {
        org.chemfit.journal.read.RunRecord latest = figures.run();
        if (latest == null) {
            return null; // no run, or a damaged journal (reported below): results.json is what there is
        }
        String word = Objects.requireNonNull(figures.state(), "the state of a run read");
        Object written = results.get("journal_run");
        boolean running = "RUNNING".equals(latest.status());
        String state = running
                ? word + " (run " + latest.id() + " of the journal; "
                : "run " + latest.id() + " of the journal is " + latest.status() + " (";
        if (!(written instanceof Number n)) {
            return state + Results.FILE + " names no run of the journal: it is not this run's)";
        }
        if (n.longValue() != latest.id()) {
            return state + Results.FILE + " and " + Judgement.FILE + " are from run " + n.longValue() + ")";
        }
        if (running) {
            return state + "attempt " + latest.attempts() + "; " + Results.FILE + " is from an earlier attempt)";
        }
        return null;
    }

    /**
     * What the report takes from the journal, every figure read in one snapshot of it
     * ({@link org.chemfit.journal.read.JournalReader#consistently}), so that they agree while a
     * fit writes it: the run reported on, how many runs the journal holds, the run's evaluations
     * by state, its best so far (the Fitter's rule) and how it stands.
     *
     * @param run the run reported on, or null when the journal holds none or cannot be read
     * @param runs how many runs the journal holds
     * @param counts the run's evaluations in each state (every state present)
     * @param best the best of its finished evaluations, or null when none is
     * @param stopped "pid N on HOST" when the run's process ended without finishing it, else null
     * @param state how the run stands, in words ({@link #state}), or null when there is no run
     * @param unread why the journal cannot be read, or null when it was read
     * @param degraded the run's complete evaluations in which the failure policy stood in for a failed term
     */
    record JournalFigures(
            org.chemfit.journal.read.@Nullable RunRecord run,
            int runs,
            Map<org.chemfit.journal.read.EvaluationRecord.State, Integer> counts,
            org.chemfit.journal.read.@Nullable EvaluationRecord best,
            @Nullable String stopped,
            @Nullable String state,
            @Nullable String unread,
            int degraded) {

        /**
         * @param file the journal
         * @param results the folder's results.json, which may name the run ({@link #reportedRun})
         * @return the figures, read at one moment; when the journal cannot be read, no figures and why
         */
        static JournalFigures read(Path file, @Nullable Map<String, Object> results) {
            try (org.chemfit.journal.read.JournalReader j = org.chemfit.journal.read.JournalReader.openReadOnly(file)) {
                return j.consistently(r -> {
                    var run = reportedRun(r, results).orElse(null);
                    if (run == null) {
                        return new JournalFigures(null, 0, Map.of(), null, null, null, null, 0);
                    }
                    String stopped = run.status().equals("RUNNING")
                            ? r.endedWithoutFinishing(run.id()).orElse(null)
                            : null;
                    return new JournalFigures(
                            run,
                            r.runs().size(),
                            r.evaluationCounts(run.id()),
                            r.best(run.id()).orElse(null),
                            stopped,
                            ReportCommand.state(run, stopped, file),
                            null,
                            degraded(r, run.id()));
                });
            } catch (org.chemfit.journal.JournalException e) {
                return new JournalFigures(null, 0, Map.of(), null, null, null, e.getMessage(), 0);
            }
        }

        /**
         * @return the run's complete evaluations in which a term failed and the failure policy stood
         *     in for it (a penalty or a skip), read a page of rows at a time without their trees
         */
        private static int degraded(org.chemfit.journal.read.JournalReader r, long runId) {
            int count = 0;
            int from = 0;
            while (true) {
                List<org.chemfit.journal.read.EvaluationRecord> page = r.evaluationRows(runId, from, DEGRADED_PAGE);
                for (org.chemfit.journal.read.EvaluationRecord e : page) {
                    if (e.degraded() && e.state() == org.chemfit.journal.read.EvaluationRecord.State.COMPLETE) {
                        count++;
                    }
                }
                if (page.size() < DEGRADED_PAGE) {
                    return count;
                }
                from = page.get(page.size() - 1).number() + 1;
            }
        }

        /** Rows of evaluations read at a time to count the degraded ones. */
        private static final int DEGRADED_PAGE = 4096;

        /** @return the evaluations of the run in this state */
        int count(org.chemfit.journal.read.EvaluationRecord.State s) {
            return counts.getOrDefault(s, 0);
        }

        /** @return the evaluations finished, complete or failed ({@link FitRun#finished}) */
        int finished() {
            return count(org.chemfit.journal.read.EvaluationRecord.State.COMPLETE)
                    + count(org.chemfit.journal.read.EvaluationRecord.State.FAILED);
        }
    }

    /**
     * @param run a run
     * @param stopped "pid N on HOST" when its process ended without finishing it, else null
     * @param file the journal, whose folder a resume must write to
     * @return how the run stands, in words: running, stopped without finishing (its process on
     *     this host is gone), failed, interrupted or finished
     */
    private static String state(org.chemfit.journal.read.RunRecord run, @Nullable String stopped, Path file) {
        return switch (run.status()) {
            case "RUNNING" ->
                java.util.Optional.ofNullable(stopped)
                        .map(p -> "stopped without finishing: its fit (" + p + ") has ended, killed or out of time;"
                                + (writtenByTheCli(run)
                                        ? " `chemfit fit JOB --output " + shellWord(folderOf(file)) + budgetOption(run)
                                                + "`, with its job file and the options it was started with"
                                                + " (--cluster and the like), resumes it" + inACopy(file)
                                        : " its program resumes it, run again with the same objective and"
                                                + " JournalMode.resumeLatest() (`chemfit fit` did not write it: its"
                                                + " settings name no job file)"))
                        .orElse("running");
            // only said when results.json is missing: the command was killed after its fit ended
            case "FINISHED" ->
                writtenByTheCli(run)
                        ? "finished, but its command was stopped before it wrote its results; `chemfit fit JOB --output "
                                + shellWord(folderOf(file)) + budgetOption(run) + "` writes them, the fit replayed from"
                                + " the journal and its held-out terms evaluated" + inACopy(file)
                        : "finished";
            case "FAILED" -> "failed";
            case "INTERRUPTED" -> "interrupted";
            default -> run.status().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /**
     * What a run that stopped without ending (its process killed, or out of its allocation's time)
     * leaves: the journal's records, whole (each evaluation is committed as it finishes), and, for a
     * fit of {@code chemfit fit} with external terms, the programs they were running, which nothing
     * ended; a resume ends those left in its run directories before it goes on
     * (docs/external-programs.md).
     *
     * @param run the run, RUNNING in the journal while its process is gone
     * @param recorded its evaluations finished (complete or failed)
     * @return {@code "stopped: the fit was killed (or ran out of time) without ending its run; what it
     *     recorded in the journal (4 evaluations) is intact, and a resume takes those results rather
     *     than computing them again; programs its external terms started may still be running in their
     *     run directories: `chemfit fit` with the same job ends them, then resumes the run"}
     */
    static String stoppedNote(org.chemfit.journal.read.RunRecord run, int recorded) {
        boolean cli = writtenByTheCli(run);
        return "stopped: the fit was killed (or ran out of time) without ending its run; "
                + (recorded == 0
                        ? "its journal is intact, though no evaluation of it had finished"
                        : "what it recorded in the journal (" + Tables.count(recorded, "evaluation") + ") is intact,"
                                + " and a resume takes those results rather than computing them again")
                + (cli && startsPrograms(run)
                        ? "; programs its external terms started may still be running in their run directories:"
                                + " `chemfit fit` with the same job ends them, then resumes the run"
                        : "");
    }

    /**
     * @return whether the run's job file has an external term (fit or validation), whose programs
     *     a killed fit leaves running; false when its settings do not say
     */
    private static boolean startsPrograms(org.chemfit.journal.read.RunRecord run) {
        Map<String, Object> settings;
        try {
            settings = run.settings();
        } catch (RuntimeException e) {
            return false;
        }
        if (!(settings.get("job") instanceof Map<?, ?> job) || !(job.get("file") instanceof Map<?, ?> file)) {
            return false;
        }
        for (String section : List.of("terms", "validation")) {
            if (file.get(section) instanceof List<?> terms) {
                for (Object t : terms) {
                    if (t instanceof Map<?, ?> term
                            && term.get("kind") instanceof String kind
                            && kind.strip().equalsIgnoreCase("external")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * @return the budget option that the run's fit had, so that the resume does not take the job
     *     file's larger one and go on past it; "" when its settings do not say
     */
    private static String budgetOption(org.chemfit.journal.read.RunRecord run) {
        long budget = FitRun.budgetOf(run);
        // the budget its job file writes needs no option (one given on the command line does)
        boolean written = run.settings().get("job") instanceof Map<?, ?> job
                && job.get("file") instanceof Map<?, ?> file
                && file.get("optimizer") instanceof Map<?, ?> optimizer
                && optimizer.get("max_evaluations") instanceof Number n
                && n.longValue() == budget;
        return budget >= 0 && !written ? " --max-evaluations " + budget : "";
    }

    /** @return the folder of a file as the user would type it ({@code .} for a bare name) */
    /**
     * @param file the journal
     * @return what a resume hint adds for a folder this user may not write in (an archive, a
     *     colleague's results, a read-only mount), where the command it gives would be refused
     */
    private static String inACopy(Path file) {
        Path folder = file.toAbsolutePath().getParent();
        return folder == null || Files.isWritable(folder)
                ? ""
                : " (in a copy of the folder that this user may write in: " + folderOf(file) + " may not be"
                        + " written here)";
    }

    private static String folderOf(Path file) {
        Path parent = file.getParent();
        return parent == null ? "." : parent.toString();
    }

    /** @return a word a shell takes as it is: quoted when it holds anything but plain path characters */
    static String shellWord(String word) {
        return word.matches("[A-Za-z0-9_./:=@%+,-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    /**
     * @return whether {@code chemfit fit} started the run: it stores the job file's tree and its
     *     data files' digests in the run's settings ({@link JobSettings}), which a program using the
     *     library has no job file for
     */
    private static boolean writtenByTheCli(org.chemfit.journal.read.RunRecord run) {
        Map<String, Object> settings;
        try {
            settings = run.settings();
        } catch (RuntimeException e) {
            return false; // settings that cannot be read name no job file either
        }
        return settings.get("job") instanceof Map<?, ?> job
                && job.get("file") instanceof Map<?, ?>
                && job.get("data") instanceof Map<?, ?>;
    }

    /**
     * Prints what the journal holds about the run reported on: read-only, so it works while the
     * fit writes it, and read at one moment with the report's other figures. A damaged journal is
     * reported and the report goes on.
     */
    private void journal(Path file, JournalFigures figures) {
        if (figures.unread() != null) {
            err().println("warning: " + figures.unread());
            return;
        }
        var run = figures.run();
        if (run == null) {
            out().println("journal: " + file + " holds no run yet");
            return;
        }
        String stopped = figures.stopped();
        boolean live = run.status().equals("RUNNING") && stopped == null;
        int unfinished = figures.count(org.chemfit.journal.read.EvaluationRecord.State.RUNNING);
        out().printf(
                        "journal: %s, run %d of %d: %s, %d attempt%s; evaluations %d complete%s, %d %s, %d failed%n",
                        file,
                        run.id(),
                        figures.runs(),
                        stopped != null ? "STOPPED (" + stopped + " ended without finishing it)" : run.status(),
                        run.attempts(),
                        run.attempts() == 1 ? "" : "s",
                        figures.count(org.chemfit.journal.read.EvaluationRecord.State.COMPLETE),
                        figures.degraded() == 0
                                ? ""
                                : " (" + figures.degraded()
                                        + " of them with a failed term the failure policy stood in for)",
                        unfinished,
                        // started but never finished, and nothing runs them now: a resume runs them again
                        live || unfinished == 0 ? "running" : "cut off when the fit stopped",
                        figures.count(org.chemfit.journal.read.EvaluationRecord.State.FAILED));
        org.chemfit.journal.read.EvaluationRecord b = figures.best();
        if (b != null) {
            java.util.List<String> values = new java.util.ArrayList<>();
            b.parameters()
                    .asFlatMap()
                    .forEach((name, v) -> values.add(name + "=" + org.chemfit.support.DecimalText.of(v)));
            out().println("journal best: loss " + Tables.fmt(b.toldLoss()) + " at evaluation " + b.number() + " {"
                    + String.join(", ", values) + "}"
                    + (b.degraded() ? " (a term failed in every evaluation with a finite loss)" : ""));
        }
    }

    /** @return a CSV's first line as read, its first 60 characters when it is longer */
    private static String firstLine(List<String> header) {
        String line = String.join(",", header);
        return line.length() <= 60 ? line : line.substring(0, 60) + "...";
    }

    /**
     * @param given a folder that holds no fit's files, as the user gave it
     * @return ": did you mean lj/results (it holds journal.sqlite)?" naming the output folders of fits that
     *     the job files in it name (or its one subfolder that holds a fit), each as a path to give in
     *     place of the folder; "" when there is none
     */
    static String outputFolders(Path given) {
        Path dir = given.toAbsolutePath().normalize();
        List<String> named = new ArrayList<>();
        for (Path f : DashboardCommand.outputFoldersIn(given)) {
            Path shown = f.startsWith(dir) ? given.resolve(dir.relativize(f)) : f;
            named.add(shown + " (it holds " + DashboardCommand.holds(f) + ")");
        }
        return named.isEmpty() ? "" : ": did you mean " + String.join(" or ", named) + "?";
    }
}
