package org.chemfit.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.chemfit.support.DecimalText;
import org.chemfit.support.Names;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chemfit eval JOB [--params results.json] [--set name=value ...] [--per-structure] [--json
 * FILE]}: evaluates the objective once, at the initial parameters, at a finished fit's best
 * parameters (or, for a fit that has not ended or was resumed since it wrote its results.json, the
 * best point its journal recorded so far) or at
 * values given on the command line, and prints the per-term breakdown, the
 * validation terms and the error metrics of every term and quantity; with {@code --per-structure}
 * also the model beside every reference value; with {@code --json} also writes these numbers at
 * full precision ({@link Results#ofEvaluation}).
 *
 * <pre>{@code
 * chemfit eval examples/argon/fit.yaml --set lj.epsilon=120 --set lj.sigma=3.4
 * chemfit eval examples/water-dimer/fit.yaml --params examples/water-dimer/results/results.json --per-structure
 * chemfit eval examples/argon/fit.yaml --json argon-eval.json
 * }</pre>
 *
 * @implNote One instance per command line.
 */
@Command(name = "eval", description = "Evaluate JOB's objective once and print the per-term breakdown.")
final class EvalCommand extends BaseCommand {

    @picocli.CommandLine.Parameters(paramLabel = "JOB", description = "The job file (YAML or JSON).")
    Path job;

    // A list, not a picocli map: picocli's own message for a value without '=' reads "option option".
    @Option(
            names = "--set",
            paramLabel = "NAME=VALUE",
            description = "Evaluate with this parameter value (repeatable, once per parameter).")
    List<String> sets = new ArrayList<>();

    @Option(
            names = "--params",
            paramLabel = "RESULTS",
            description = "Evaluate at the best parameters of a finished fit's results.json, or of the output"
                    + " folder that holds it; of a fit that has not written it (running, or killed), at the best"
                    + " point its journal recorded so far, given as the folder, its missing results.json or its"
                    + " journal.sqlite; of a fit resumed since it wrote results.json, at the journal's best point"
                    + " too, as chemfit report shows it (--set values apply on top).")
    @Nullable
    Path params;

    @Option(
            names = "--per-structure",
            description = "Also print the model beside every reference value (each structure or "
                    + "element), as in predictions.csv.")
    boolean perStructure;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Also write the evaluation's numbers at full precision to FILE, as JSON: the"
                    + " parameters, the loss, and per term its weight, loss, units and every model value beside"
                    + " its reference, as results.json has them.")
    @Nullable
    Path json;

    @Override
    @SuppressWarnings("try") // the interrupt guard is held while the evaluation runs, not read
    int execute() {
        Map<String, String> set = sets();
        if (json != null) {
            // said before the terms run, which may take long
            refuseJsonFile(json);
        }
        // no optimizer runs: a job with nothing to fit, or one a least-squares method could not fit, is evaluated
        JobFile jf = JobFile.readToEvaluate(job);
        if (json != null) {
            refuseJobsOwnFile(json, jf);
        }
        FitPlan plan;
        try {
            // its run directories apart from the fit's, in runs/eval/
            plan = FitPlan.forEval(jf, jf.execution().workers(), jf.output().folder());
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        try (plan) {
            plan.refuseTemplateProblems();
            if (!quiet) {
                // what the data make likely to be a mistake (a charged cell, atoms 0.1 Å apart), said once
                jf.warnings().forEach(warning -> err().println("warning: " + warning));
                plan.mixedLossUnits().forEach(warning -> err().println("warning: " + warning));
                plan.stepWarnings().forEach(warning -> err().println("warning: " + warning));
            }
            Parameters p = plan.initial();
            Map<String, Double> changes = changes(jf, p, set);
            warnOutsideBounds(jf, changes);
            p = p.withAll(changes);
            EvaluationContext ctx;
            EvaluationContext v;
            // Ctrl-C or SIGTERM: the running programs (of the terms and of the validation terms) are
            // stopped and the command says so (exit 130 or 143)
            try (Interrupts interrupts = Interrupts.install(Thread.currentThread(), err(), "stopping the running terms")
                    .allowing(jf.longestKillGrace())) {
                ctx = plan.evaluateOnce(p);
                v = plan.evaluateValidation(p);
            } catch (TermFailedException e) {
                err().println("error: the evaluation failed: " + Messages.clean(e.getMessage()));
                return ExitCodes.FIT_FAILED;
            }
            if (!quiet) {
                // -q prints errors and the results only, as fit does: these are warnings of the data
                // a program that failed and whose term succeeded when run again leaves the loss exact: said here
                String retried = RetriedRuns.warning(jf, plan.runDirectory, ctx);
                if (retried != null) {
                    err().println("warning: " + retried);
                }
                new UnconvergedRelaxations(jf.terms(), jf.units(), err()::println).check(ctx, "", false);
                new UnstableCrystals(jf.terms(), err()::println).check(ctx, "", false);
                if (v != null) {
                    new UnconvergedRelaxations(jf.validation(), jf.units(), err()::println)
                            .check(v, " (validation)", false);
                    new UnstableCrystals(jf.validation(), err()::println).check(v, " (validation)", false);
                }
            }
            out().println("parameters: " + parametersLine(p, jf));
            // every term skipped leaves no loss: "-", as fit says it (and --json gives null)
            out().println("loss: "
                    + Tables.fmt(Double.isNaN(ctx.loss()) ? "-" : (Object) ctx.loss(), Results.lossUnit(plan)));
            out().println();
            printBreakdown(plan, ctx);
            Judgement judgement = Judgement.of(plan, ctx, ctx, v, v);
            java.util.List<Judgement.Row> predictions = judgement.rows();
            if (v != null) {
                out().println();
                printValidation(plan, v);
            }
            out().println();
            Tables.print(out(), metrics(judgement));
            if (perStructure) {
                out().println();
                printPerStructure(predictions);
            }
            if (json != null) {
                Path f = json;
                // the folder of the file written: a link's target's
                Path parent = Results.throughLinks(f).toAbsolutePath().getParent();
                try {
                    if (parent != null) {
                        java.nio.file.Files.createDirectories(parent);
                    }
                } catch (java.io.IOException e) {
                    throw new UserException("--json " + f + ": cannot be written: " + Messages.reason(e));
                }
                // the tables first: --json /dev/stdout writes after them
                out().flush();
                err().flush();
                Results.writeJson(f, Results.ofEvaluation(plan, p, ctx, judgement));
            }
            return ExitCodes.OK;
        }
    }

    /**
     * Refuses a --json file that cannot be written, before anything is evaluated.
     *
     * @param f the file named
     * @throws UserException when it is a folder, or its folder is a file or may not be written
     */
    private static void refuseJsonFile(Path f) {
        if (java.nio.file.Files.isDirectory(f)) {
            throw new UserException("--json " + f + ": is a folder; give the file to write the evaluation to, such as "
                    + f.resolve("eval.json"));
        }
        int fd = Results.descriptor(f);
        if (fd == 1 || fd == 2) {
            return; // this process's standard output or error, written through its stream
        }
        if (fd != Results.NO_DESCRIPTOR) {
            throw new UserException("--json " + f + ": names a descriptor other than this process's standard output or"
                    + " error; give a file, /dev/stdout or /dev/stderr");
        }
        if (java.nio.file.Files.exists(f) && !java.nio.file.Files.isRegularFile(f)) {
            // a device or a named pipe is written into, not replaced
            if (java.nio.file.Files.isWritable(f)) {
                return;
            }
            throw new UserException(
                    "--json " + f + ": cannot be written: permission denied (this user may not write it)");
        }
        Path parent = Results.throughLinks(f).toAbsolutePath().normalize().getParent();
        String why = parent == null ? null : Messages.notWritableFolder(parent);
        if (why != null) {
            // "it is a file, not a folder" is said of the folder the file would be in
            throw new UserException("--json " + f + ": cannot be written: "
                    + (why.startsWith("it ") ? parent + why.substring(2) : why));
        }
    }

    /**
     * Refuses to write the evaluation over a file the job reads (the job file, its data, templates
     * and programs) or over one that {@code chemfit fit} writes in its output folder (results.json,
     * the journal, the plots): a mistyped {@code --json} would replace them.
     *
     * @param f the file given to --json
     * @param jf the job
     * @throws UserException when f is such a file
     */
    private static void refuseJobsOwnFile(Path f, JobFile jf) {
        Path target = real(f);
        for (Path own : jf.digest().files()) {
            if (target.equals(real(own))) {
                throw new UserException("--json " + f + ": is a file the job reads (" + own
                        + "); give another file to write the evaluation to, such as eval.json");
            }
        }
        refuseFitsFile(f, target, real(jf.output().folder()), jf.output().folder(), "its");
        // another fit's output folder (of another job, or given with --output): a folder above it holding a journal
        for (Path folder = target.getParent(); folder != null; folder = folder.getParent()) {
            if (java.nio.file.Files.isRegularFile(folder.resolve(org.chemfit.journal.Journal.DEFAULT_FILE_NAME))) {
                refuseFitsFile(f, target, folder, folder, "a fit's");
            }
        }
    }

    /**
     * Refuses a --json file that is one chemfit fit writes in this output folder.
     *
     * @param f the file as given
     * @param target its real place
     * @param out the output folder's real place
     * @param shown the output folder as said
     * @param whose "its" (the job's) or "a fit's"
     */
    private static void refuseFitsFile(Path f, Path target, Path out, Path shown, String whose) {
        if (target.startsWith(out) && !target.equals(out)) {
            Path inside = out.relativize(target);
            String first = inside.getName(0).toString();
            if (inside.getNameCount() > 1
                    ? FIT_FOLDERS.contains(first)
                    : FIT_FILES.contains(first) || first.startsWith("journal.sqlite")) {
                throw new UserException("--json " + f + ": is a file chemfit fit writes in " + whose
                        + " output folder " + shown + "; give another file to write the evaluation to, such as "
                        + shown.resolve("eval.json"));
            }
        }
    }

    /** What {@code chemfit fit} writes in its output folder, besides the journal's files. */
    private static final java.util.Set<String> FIT_FILES =
            java.util.Set.of("results.json", "evaluations.csv", "predictions.csv", "failure.json");

    /** The folders {@code chemfit fit} writes in its output folder. */
    private static final java.util.Set<String> FIT_FOLDERS = java.util.Set.of("plots", "runs", FitRun.EARLIER_RUNS);

    /** @return the path with its links followed as far as it exists, absolute and normalised */
    private static Path real(Path p) {
        // through its links first: a link that leads to no file yet names the file it would write
        Path a = Results.throughLinks(p).toAbsolutePath().normalize();
        Path existing = a;
        while (existing != null && !java.nio.file.Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return a;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(a));
        } catch (java.io.IOException e) {
            return a;
        }
    }

    /**
     * @return the --set values by parameter name, as written
     * @throws UserException for a value without '=', or a parameter given twice (which value was meant is not
     *     known)
     */
    private Map<String, String> sets() {
        Map<String, String> set = new LinkedHashMap<>();
        for (String a : sets) {
            int eq = a.indexOf('=');
            if (eq <= 0 || eq == a.length() - 1) {
                throw new UserException("--set needs NAME=VALUE, such as --set lj.epsilon=1.2, got '"
                        + ParametersReader.shown(a) + "'");
            }
            String name = a.substring(0, eq).trim();
            String value = a.substring(eq + 1);
            String before = set.putIfAbsent(name, value);
            if (before != null) {
                throw new UserException("--set gives parameter '" + ParametersReader.shown(name) + "' twice, as '"
                        + ParametersReader.shown(before) + "' and as '" + ParametersReader.shown(value)
                        + "'; give each parameter once");
            }
        }
        return set;
    }

    /** Warns of each value given that lies outside its parameter's bounds: evaluated as given, which no fit would. */
    private void warnOutsideBounds(JobFile jf, Map<String, Double> changes) {
        for (JobFile.ParameterSpec spec : jf.parameters()) {
            Double v = changes.get(spec.name());
            if (v != null && (v < spec.lower() || v > spec.upper())) {
                err().println("warning: " + spec.name() + " = " + Tables.fmt(v) + " is outside its bounds ["
                        + Tables.fmt(spec.lower()) + ", " + Tables.fmt(spec.upper())
                        + "]; evaluated as given, where a fit never goes");
            }
        }
    }

    /**
     * @return the values that replace the initial ones: the best of --params, then --set
     * @throws UserException for an unknown parameter or a value that is not a finite number
     */
    /**
     * @return the parameters evaluated, each with its unit and every digit it has (an evaluation at
     *     {@code --params} may differ from another in the last): {@code lj.epsilon = 100 K, lj.sigma = 3.2 A}
     */
    static String parametersLine(Parameters p, JobFile jf) {
        java.util.List<String> each = new java.util.ArrayList<>();
        for (String name : p.names()) {
            String unit = jf.units().parameters().get(name);
            each.add(name + " = " + digits(p.get(name)) + (unit == null || unit.isBlank() ? "" : " " + unit));
        }
        return each.isEmpty() ? "none" : String.join(", ", each);
    }

    /** @return every digit of a value, in the form the tables write numbers in ({@code 2.5e+25}) */
    static String digits(double v) {
        return org.chemfit.support.DecimalText.of(v);
    }

    private Map<String, Double> changes(JobFile jf, Parameters p, Map<String, String> set) {
        Map<String, Double> changes = new LinkedHashMap<>();
        if (params != null) {
            changes.putAll(bestOf(params, p, jf, w -> err().println("warning: " + w)));
        }
        for (Map.Entry<String, String> e : set.entrySet()) {
            if (!p.contains(e.getKey())) {
                String s = Names.suggest(e.getKey(), p.names());
                throw new UserException("--set names unknown parameter '" + ParametersReader.shown(e.getKey()) + "'"
                        + (s == null ? "" : " (did you mean '" + s + "'?)") + "; parameters: "
                        + String.join(", ", p.names()));
            }
            double v = DecimalText.parse(e.getValue().trim());
            if (!Double.isFinite(v)) {
                throw new UserException("--set " + e.getKey() + " must be a finite number"
                        + DecimalText.rule(e.getValue().trim()) + ", got '" + ParametersReader.shown(e.getValue())
                        + "'");
            }
            changes.put(e.getKey(), v);
        }
        return changes;
    }

    /** Prints the per-term breakdown, then the failure of each term that failed. */
    private void printBreakdown(FitPlan plan, EvaluationContext ctx) {
        JobFile jf = plan.job;
        java.util.List<String> units = new java.util.ArrayList<>();
        for (int i = 0; i < jf.terms().size(); i++) {
            units.add(Results.termLossUnit(plan, i));
        }
        Tables.LossColumns columns = Tables.LossColumns.of(units, Results.lossUnit(plan));
        java.util.List<java.util.List<String>> rows = new java.util.ArrayList<>();
        rows.add(java.util.List.of(
                "term",
                "kind",
                "weight",
                columns.lossHeading(),
                columns.contributionHeading(),
                "share",
                "seconds",
                "status"));
        double total = 0;
        double[] parts = Tables.contributions(ctx, jf.combination().reducer());
        for (double d : parts) {
            total += Double.isFinite(d) ? d : 0;
        }
        for (int i = 0; i < ctx.children().size(); i++) {
            EvaluationContext c = ctx.child(i);
            // a loss or part that is not a number (a penalised or skipped term's) is "-", as in fit's table
            @Nullable Double loss = Double.isFinite(c.value()) ? c.value() : null;
            @Nullable Double part = Double.isFinite(parts[i]) ? parts[i] : null;
            rows.add(java.util.List.of(
                    c.name(),
                    JobKeys.word(jf.terms().get(i).kind()),
                    Tables.fmt(c.weight()),
                    Tables.fmt(loss, columns.cellUnits().get(i)),
                    Tables.fmt(part),
                    total > 0 && Double.isFinite(parts[i])
                            ? String.format(java.util.Locale.ROOT, "%.1f%%", 100 * parts[i] / total)
                            : "-",
                    String.format(java.util.Locale.ROOT, "%.3f", c.seconds()),
                    notFinite(c) ? "not finite" : c.status().name().toLowerCase(java.util.Locale.ROOT)));
        }
        Tables.print(out(), rows);
        for (EvaluationContext c : ctx.children()) {
            if (c.failure() != null) {
                out().println("term '" + c.name() + "' failed: "
                        + Messages.clean(c.failure().getMessage()));
            } else if (notFinite(c) && !computedAllFinite(c)) {
                out().println("term '" + c.name() + "': its loss is " + Tables.fmt(c.value())
                        + ": a value it computed is NaN or infinite (--per-structure shows which); a fit tells"
                        + " the optimizer bad_value for such a point, and the metrics count only the finite values");
            } else if (notFinite(c)) {
                out().println("term '" + c.name() + "': its loss is " + Tables.fmt(c.value())
                        + ", though every value it computed is finite: the loss is beyond a double once it combines"
                        + " their errors (check the values' unit and the loss's scale); a fit tells the optimizer"
                        + " bad_value for such a point");
            }
        }
    }

    /** @return whether every number of the quantities of a term and of the nodes below it is finite */
    private static boolean computedAllFinite(EvaluationContext c) {
        for (Object v : c.quantities().asMap().values()) {
            if (v instanceof Double d && !Double.isFinite(d)) {
                return false;
            }
            if (v instanceof double[] a) {
                for (double x : a) {
                    if (!Double.isFinite(x)) {
                        return false;
                    }
                }
            }
        }
        for (EvaluationContext child : c.children()) {
            if (!computedAllFinite(child)) {
                return false;
            }
        }
        return true;
    }

    /**
     * @return whether a term ran but its loss is NaN or infinite (a value it computed is not finite,
     *     or the loss overflows: see {@link #computedAllFinite})
     */
    private static boolean notFinite(EvaluationContext c) {
        return c.status() == EvaluationContext.Status.OK && !Double.isFinite(c.value());
    }

    /** Prints the loss of each validation term. */
    private void printValidation(FitPlan plan, EvaluationContext v) {
        JobFile jf = plan.job;
        java.util.List<String> units = new java.util.ArrayList<>();
        for (int i = 0; i < jf.validation().size(); i++) {
            units.add(Results.validationLossUnit(plan, i));
        }
        // headed with the loss's unit when the terms share one, as the fit terms' table is
        Tables.LossColumns columns = Tables.LossColumns.of(units, "");
        java.util.List<java.util.List<String>> vrows = new java.util.ArrayList<>();
        vrows.add(java.util.List.of("validation term", "kind", columns.lossHeading(), "status"));
        for (int i = 0; i < v.children().size(); i++) {
            EvaluationContext c = v.child(i);
            vrows.add(java.util.List.of(
                    c.name(),
                    JobKeys.word(jf.validation().get(i).kind()),
                    i < columns.cellUnits().size()
                            ? Tables.fmt((Object) c.value(), columns.cellUnits().get(i))
                            : Tables.fmt(c.value()),
                    // validation terms run under the skip policy: one that failed is shown as failed
                    c.failure() != null ? "failed" : c.status().name().toLowerCase(java.util.Locale.ROOT)));
        }
        Tables.print(out(), vrows);
        for (EvaluationContext c : v.children()) {
            if (c.failure() != null) {
                out().println("validation term '" + c.name() + "' failed: "
                        + FirstFailures.reason(String.valueOf(c.failure().getMessage())));
            }
        }
    }

    /** Prints the model beside every reference value. */
    private void printPerStructure(java.util.List<Judgement.Row> predictions) {
        java.util.List<java.util.List<String>> prows = new java.util.ArrayList<>();
        prows.add(java.util.List.of("set", "term", "item", "quantity", "reference", "model", "residual", "unit"));
        for (Judgement.Row r : predictions) {
            prows.add(java.util.List.of(
                    r.set(),
                    r.term(),
                    r.item(),
                    r.quantity(),
                    Tables.fmt(r.reference()),
                    Tables.fmt(r.best()),
                    Tables.fmt(r.residual()),
                    r.unit().isEmpty() ? "-" : r.unit()));
        }
        Tables.print(out(), prows);
    }

    /**
     * @return the metrics table of one evaluation: set, term, quantity, unit, n, RMSE, MAE, max
     *     |error|, R^2; a set of two terms or more first has its row over all of them, as the
     *     closing table of {@code fit} and {@code report} have ({@link Judgement#withOverall})
     */
    @SuppressWarnings("unchecked")
    private static java.util.List<java.util.List<String>> metrics(Judgement judgement) {
        java.util.List<java.util.List<String>> rows = new java.util.ArrayList<>();
        rows.add(java.util.List.of("set", "term", "quantity", "unit", "n", "RMSE", "MAE", "max|err|", "R^2"));
        for (String set : java.util.List.of("fit", "validation")) {
            java.util.List<JobFile.TermSpec> specs = set.equals("fit")
                    ? judgement.plan().job.terms()
                    : judgement.plan().job.validation();
            java.util.List<Map<String, Object>> terms = new java.util.ArrayList<>();
            for (JobFile.TermSpec spec : specs) {
                terms.add(Map.of(
                        "name", spec.name(), "weight", spec.weight(), "metrics", judgement.metrics(set, spec.name())));
            }
            for (Object o :
                    Judgement.withOverall(terms, specs.isEmpty() ? null : judgement.overall(set), set.equals("fit"))) {
                Map<String, Object> t = (Map<String, Object>) o;
                Map<String, Object> metrics = (Map<String, Object>)
                        java.util.Objects.requireNonNull(t.get("metrics"), "every entry has metrics");
                metrics.forEach((quantity, value) -> {
                    Map<String, Object> m = (Map<String, Object>) value;
                    // one evaluation: the start and the best point are the same
                    Map<String, Object> b = (Map<String, Object>)
                            java.util.Objects.requireNonNull(m.get("best"), "Judgement puts the best point's metrics");
                    String unit = String.valueOf(m.get("unit"));
                    rows.add(java.util.List.of(
                            set.equals("fit") && Judgement.monitored(t) ? Judgement.MONITORED : set,
                            String.valueOf(t.get("name")),
                            quantity,
                            unit.isEmpty() ? "-" : unit,
                            String.valueOf(b.get("count")),
                            Judgement.g(b.get("rmse")),
                            Judgement.g(b.get("mae")),
                            Judgement.g(b.get("max_abs_error")),
                            Judgement.g(b.get("r2"))));
                });
            }
        }
        return rows;
    }

    /**
     * @param file a results.json written by {@code chemfit fit}, or the output folder that holds
     *     it; for a fit that has not written it, the folder, the results.json missing beside its
     *     journal, or the journal, whose best point so far is taken ({@link #bestOfJournal}); the
     *     journal's too when a results.json beside a journal is not the current result of the run
     *     {@code chemfit report} reports on ({@link ReportCommand#earlier}: the fit was resumed since)
     * @param initial the job's initial parameters
     * @param job the job evaluated, which the file's job is compared with ({@link #anotherJob})
     * @param warn told that the file's job is not this one ({@link #anotherJob}), of the job's
     *     parameters the file does not list (they keep their initial values) and of the file's
     *     parameters the job does not have (not used): a results file of another job
     * @return the best value of each parameter the results list and the job has
     * @throws UserException when the file is not a results file, has no best parameters, or names
     *     none of the job's parameters
     */
    @SuppressWarnings("unchecked")
    static Map<String, Double> bestOf(
            Path file, Parameters initial, JobFile job, java.util.function.Consumer<String> warn) {
        Path asGiven = file;
        String journalName = org.chemfit.journal.Journal.DEFAULT_FILE_NAME;
        if (java.nio.file.Files.isDirectory(file)) {
            // the output folder of a fit: its results.json, else (the fit has not written it) its journal
            Path inside = file.resolve(Results.FILE);
            if (!java.nio.file.Files.isRegularFile(inside)) {
                if (java.nio.file.Files.isRegularFile(file.resolve(journalName))) {
                    return bestOfJournal(file, file.resolve(journalName), initial, job, warn);
                }
                throw new UserException("--params " + file + ": is a folder without a " + Results.FILE + " or a "
                        + journalName + "; give the results.json of a fit, or the output folder that holds it (or"
                        + " its journal)");
            }
            file = inside;
        }
        Path fileName = file.getFileName();
        if (fileName != null && fileName.toString().equals(journalName) && java.nio.file.Files.isRegularFile(file)) {
            return bestOfJournal(file, file, initial, job, warn);
        }
        Path beside = file.toAbsolutePath().resolveSibling(journalName);
        if (fileName != null
                && fileName.toString().equals(Results.FILE)
                && !java.nio.file.Files.exists(file)
                && java.nio.file.Files.isRegularFile(beside)) {
            // a fit that has not ended (running, or killed) has written no results.json yet
            return bestOfJournal(file, beside, initial, job, warn);
        }
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new UserException("--params " + file + ": "
                    + (java.nio.file.Files.exists(file) ? "not a regular file" : "no such file")
                    + "; give the results.json of a finished fit");
        }
        Map<String, Object> r = Results.read(file);
        if (fileName != null && fileName.toString().equals(Results.FILE) && java.nio.file.Files.isRegularFile(beside)) {
            // a fit resumed since it wrote results.json (running, or killed again): chemfit report
            // then shows the journal's best so far, not results.json, and so does eval
            ReportCommand.JournalFigures figures = ReportCommand.JournalFigures.read(beside, r);
            org.chemfit.journal.read.RunRecord run = figures.run();
            if (run != null && ReportCommand.earlier(r, figures) != null) {
                return bestOfJournal(asGiven, beside, r, staleResults(r, run), initial, job, warn);
            }
        }
        if (!(r.get("parameters") instanceof java.util.List<?> list)) {
            throw new UserException(
                    "--params " + file + ": holds no 'parameters' list; give the results.json of a finished fit");
        }
        Map<String, Double> given = new LinkedHashMap<>();
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> pm) || !(pm.get("name") instanceof String name)) {
                continue;
            }
            if (!(pm.get("best") instanceof Number best)) {
                throw new UserException(
                        "--params " + file + ": parameter '" + name + "' has no best value (" + fitStatus(r) + ")");
            }
            given.put(name, best.doubleValue());
        }
        Path read = file;
        return ofTheJob(file, given, initial, warn, () -> anotherJob(read, r, job));
    }

    /**
     * The best point of the run of a fit's journal that {@code chemfit report} reports on
     * ({@link ReportCommand#reportedRun}), and the same point it prints as the best so far: the
     * complete evaluation of lowest finite loss without a failed term, else the one of lowest finite
     * loss with a failed term ({@link org.chemfit.journal.read.JournalReader#best}). What the fit
     * recorded so far, for a fit that has not written its results.json (it runs, or it was killed).
     *
     * @param given the path given to {@code --params}, as the messages name it
     * @param journal the journal
     * @param initial the job's initial parameters
     * @param job the job evaluated, which the run's job settings are compared with
     * @param warn told which point is taken and from where, of a run of another job, and of the
     *     parameters that the run and the job do not share
     * @return the best value of each parameter the run has and the job has
     * @throws UserException when the journal cannot be read, holds no run or no evaluation of finite
     *     loss, or its run names none of the job's parameters
     */
    static Map<String, Double> bestOfJournal(
            Path given, Path journal, Parameters initial, JobFile job, java.util.function.Consumer<String> warn) {
        return bestOfJournal(given, journal, null, null, initial, job, warn);
    }

    /**
     * {@link #bestOfJournal(Path, Path, Parameters, JobFile, java.util.function.Consumer)}, for a
     * results.json that {@code chemfit report} does not take as the result of the run it reports on.
     *
     * @param given the path given to {@code --params}, as the messages name it
     * @param journal the journal
     * @param results the results.json beside the journal, which may name the run ({@link
     *     ReportCommand#reportedRun}), or null
     * @param why why results.json is not taken, or null when there is none
     * @param initial the job's initial parameters
     * @param job the job evaluated, which the run's job settings are compared with
     * @param warn told which point is taken and from where, of a run of another job, and of the
     *     parameters that the run and the job do not share
     * @return the best value of each parameter the run has and the job has
     * @throws UserException when the journal cannot be read, holds no run or no evaluation of finite
     *     loss, or its run names none of the job's parameters
     */
    static Map<String, Double> bestOfJournal(
            Path given,
            Path journal,
            @Nullable Map<String, Object> results,
            @Nullable String why,
            Parameters initial,
            JobFile job,
            java.util.function.Consumer<String> warn) {
        record Read(
                org.chemfit.journal.read.@Nullable RunRecord run,
                org.chemfit.journal.read.@Nullable EvaluationRecord best,
                @Nullable String stopped) {}
        Read read;
        try (org.chemfit.journal.read.JournalReader j = org.chemfit.journal.read.JournalReader.openReadOnly(journal)) {
            read = j.consistently(r -> {
                var run = ReportCommand.reportedRun(r, results).orElse(null);
                if (run == null) {
                    return new Read(null, null, null);
                }
                return new Read(
                        run,
                        r.best(run.id()).orElse(null),
                        run.status().equals("RUNNING")
                                ? r.endedWithoutFinishing(run.id()).orElse(null)
                                : null);
            });
        } catch (org.chemfit.journal.JournalException e) {
            throw new UserException("--params " + given + ": " + Messages.clean(String.valueOf(e.getMessage())));
        }
        org.chemfit.journal.read.RunRecord run = read.run();
        if (run == null) {
            throw new UserException("--params " + given + ": the journal " + journal
                    + " holds no run yet; give the results.json of a fit, or its output folder once its fit has"
                    + " recorded an evaluation");
        }
        String state = run.status().equals("RUNNING")
                ? read.stopped() != null ? "stopped without finishing (" + read.stopped() + " has ended)" : "running"
                : run.status().toLowerCase(java.util.Locale.ROOT);
        org.chemfit.journal.read.EvaluationRecord best = read.best();
        if (best == null) {
            throw new UserException("--params " + given + ": run " + run.id() + " of the journal " + journal + " ("
                    + state + ") records no evaluation of finite loss yet: there is no best point to evaluate");
        }
        warn.accept("--params " + given + ": "
                + (why != null
                        ? why
                        : java.nio.file.Files.isDirectory(given)
                                ? "holds no " + Results.FILE
                                : given.getFileName() != null
                                                && given.getFileName()
                                                        .toString()
                                                        .equals(org.chemfit.journal.Journal.DEFAULT_FILE_NAME)
                                        ? "is a journal"
                                        : "no such file")
                + "; evaluating at the best point that run " + run.id() + " of the journal " + journal + " ("
                + state + ") recorded" + (run.status().equals("RUNNING") ? " so far" : "")
                + ", as chemfit report shows it: evaluation " + best.number() + ", loss "
                + Tables.fmt(best.toldLoss())
                + (best.degraded() ? " (a term failed in every evaluation with a finite loss, this one's too)" : ""));
        return ofTheJob(given, best.parameters().asFlatMap(), initial, warn, () -> anotherRun(given, run, job));
    }

    /**
     * Why a results.json is not the current result of the run {@code chemfit report} reports on
     * (when {@link ReportCommand#earlier} says so).
     *
     * @param results the results.json
     * @param run the run reported on
     * @return {@code "results.json is from an earlier attempt of run 1 of the journal beside it (now
     *     at attempt 2), which chemfit report does not show"}, and the like
     */
    private static String staleResults(Map<String, Object> results, org.chemfit.journal.read.RunRecord run) {
        Object written = results.get("journal_run");
        String which = written instanceof Number n && n.longValue() == run.id()
                ? "is from an earlier attempt of run " + run.id() + " of the journal beside it (now at attempt "
                        + run.attempts() + ")"
                : written instanceof Number n
                        ? "is from run " + n.longValue() + " of the journal beside it, not from run " + run.id()
                        : "names no run of the journal beside it";
        return Results.FILE + " " + which + ", so chemfit report does not show it";
    }

    /**
     * Whether the run of a journal is of the job evaluated, compared as a resume compares them,
     * without the optimizer, which takes no part in an evaluation.
     *
     * @return null when it is, or when the run's settings name no job; else the warning naming the
     *     changes
     */
    private static @Nullable String anotherRun(Path given, org.chemfit.journal.read.RunRecord run, JobFile job) {
        Map<String, Object> settings;
        try {
            settings = run.settings();
        } catch (RuntimeException e) {
            return null;
        }
        if (!(settings.get("job") instanceof Map<?, ?> theirs)) {
            return null; // a fit of a program using the library: no job to compare
        }
        List<String> changes = org.chemfit.journal.JournalMismatchException.changesBetween(
                Map.of("job", withoutOptimizer(theirs)),
                Map.of("job", withoutOptimizer(asWritten(JobSettings.of(job)))));
        if (changes.isEmpty()) {
            return null;
        }
        List<String> shown = changes.subList(0, Math.min(MAX_CHANGES_SHOWN, changes.size()));
        return "--params " + given + ": run " + run.id() + " of its journal is of another job than the one evaluated"
                + " (" + job.file() + "), or of this one edited since: " + String.join("; ", shown)
                + (changes.size() > shown.size()
                        ? "; and " + Tables.count(changes.size() - shown.size(), "more change")
                        : "")
                + "; its best parameters are used all the same";
    }

    /**
     * @param file what {@code --params} gave, as the messages name it
     * @param given the values it holds, by parameter name
     * @param initial the job's initial parameters
     * @param warn told of another job, of the job's parameters not given, and of those given that the job does not have
     * @param another the warning that the values are of another job, or null; asked only once they can be used
     * @return the values of the job's parameters
     * @throws UserException when none of the values is of a parameter of the job
     */
    private static Map<String, Double> ofTheJob(
            Path file,
            Map<String, Double> given,
            Parameters initial,
            java.util.function.Consumer<String> warn,
            java.util.function.Supplier<@Nullable String> another) {
        Map<String, Double> out = new LinkedHashMap<>();
        java.util.List<String> unknown = new java.util.ArrayList<>();
        given.forEach((name, value) -> {
            if (initial.contains(name)) {
                out.put(name, value);
            } else {
                unknown.add(name);
            }
        });
        if (out.isEmpty()) {
            throw new UserException("--params " + file + ": names none of the job's parameters ("
                    + String.join(", ", initial.names()) + "); it names " + String.join(", ", unknown));
        }
        // compared only once the file's parameters can be used: a refused file gives its error alone
        String otherJob = another.get();
        if (otherJob != null) {
            warn.accept(otherJob);
        }
        java.util.List<String> missing =
                initial.names().stream().filter(n -> !out.containsKey(n)).toList();
        if (!missing.isEmpty()) {
            warn.accept("--params " + file + " does not list the job's " + parameters(missing) + ": "
                    + (missing.size() == 1 ? "it keeps its" : "they keep their")
                    + " initial value (the file may be another job's)");
        }
        if (!unknown.isEmpty()) {
            warn.accept(
                    "--params " + file + " lists " + parameters(unknown) + ", which the job does not have: not used");
        }
        return out;
    }

    /**
     * Whether the job a results file was written by is the job evaluated. A results file that
     * records the job's settings ({@code job_settings}, as the journal identifies the job) is
     * compared as a resume compares a job with its journal's run: the same job when they differ
     * only by what takes no part in the fit (the job's name and description, units, a term's
     * coordinate, the held-out terms, how an external term's program is run, a default written
     * out), and else each change is named. An older results file is compared file by file ({@code
     * job.files}: the job file and the files it names, each with its own SHA-256), or, without that
     * list, by the SHA-256 over them all ({@code job.sha256}). Its parameters may be used all the
     * same (a fit carried over to a related job), so this is said, not refused.
     *
     * @param file the results file, as the message names it
     * @param r the results, as read
     * @param job the job evaluated
     * @return null when the results record no job hash, or are of this job; else the warning,
     *     naming what changed, such as {@code "--params out/results.json was written by this job
     *     file (a/fit.yaml) when it or the files it names held other contents (sha256
     *     0123456789ab... then, ba9876543210... now): changed job.file.terms[1].weight: 0.5 -> 2.0;
     *     its best parameters are used all the same"} (of an older results file: {@code "files that
     *     differ: fit.yaml"}), or, for another job file, {@code "... was written by another job: 'a'
     *     (a/fit.yaml, sha256 ...), not the job evaluated, 'b' (b/fit.yaml, sha256 ...): ..."}
     */
    static @Nullable String anotherJob(Path file, Map<String, Object> r, JobFile job) {
        if (!(r.get("job") instanceof Map<?, ?> theirs) || !(theirs.get("sha256") instanceof String hash)) {
            return null; // nothing to compare: a results file of another program, or edited
        }
        StringBuilder why = new StringBuilder();
        if (r.get("job_settings") instanceof Map<?, ?> settings) {
            // compared as a resume compares the job with its journal's run: an edit that takes no
            // part in the fit (a name, a unit, a held-out term, a default written out) is the same job;
            // nor does the optimizer take part in an evaluation (its method, budget, seed)
            List<String> changes = org.chemfit.journal.JournalMismatchException.changesBetween(
                    Map.of("job", withoutOptimizer(settings)),
                    Map.of("job", withoutOptimizer(asWritten(JobSettings.of(job)))));
            if (changes.isEmpty()) {
                return null;
            }
            List<String> shown = changes.subList(0, Math.min(MAX_CHANGES_SHOWN, changes.size()));
            why.append(": ").append(String.join("; ", shown));
            if (changes.size() > shown.size()) {
                why.append("; and ").append(Tables.count(changes.size() - shown.size(), "more change"));
            }
        } else if (theirs.get("files") instanceof Map<?, ?> files) {
            // each file hashed once: the hash over them all would read every file again
            Map<String, String> ours = job.digest().perFile();
            java.util.List<String> differ = new java.util.ArrayList<>();
            java.util.List<String> onlyTheirs = new java.util.ArrayList<>();
            for (Map.Entry<?, ?> e : files.entrySet()) {
                String name = String.valueOf(e.getKey());
                String h = ours.get(name);
                if (h == null) {
                    onlyTheirs.add(name);
                } else if (!h.equals(e.getValue())) {
                    differ.add(name);
                }
            }
            java.util.List<String> onlyOurs =
                    ours.keySet().stream().filter(n -> !files.containsKey(n)).toList();
            if (differ.isEmpty() && onlyTheirs.isEmpty() && onlyOurs.isEmpty()) {
                return null;
            }
            if (!differ.isEmpty()) {
                why.append(": files that differ: ").append(String.join(", ", differ));
            }
            if (!onlyTheirs.isEmpty()) {
                why.append(why.length() == 0 ? ": " : "; ")
                        .append("only in its job: ")
                        .append(String.join(", ", onlyTheirs));
            }
            if (!onlyOurs.isEmpty()) {
                why.append(why.length() == 0 ? ": " : "; ")
                        .append("only in the job evaluated: ")
                        .append(String.join(", ", onlyOurs));
            }
        } else if (hash.equals(job.hash())) {
            return null;
        }
        String now = job.hash();
        if (String.valueOf(theirs.get("file")).equals(job.file().toString())) {
            return "--params " + file + " was written by this job file (" + job.file()
                    + ") when it or the files it names held other contents (sha256 " + shortHash(hash) + " then, "
                    + shortHash(now) + " now)" + why + "; its best parameters are used all the same";
        }
        return "--params " + file + " was written by another job: '" + theirs.get("name") + "' ("
                + theirs.get("file") + ", sha256 " + shortHash(hash) + "), not the job evaluated, '" + job.name()
                + "' (" + job.file() + ", sha256 " + shortHash(now) + ")" + why
                + "; its best parameters are used all the same";
    }

    /** The changes a warning names at most, as a refused resume does. */
    private static final int MAX_CHANGES_SHOWN = 20;

    /**
     * @param settings a job's settings
     * @return a copy without the job file's {@code optimizer}, nor the step of the optimizer's
     *     gradient, which take no part in an evaluation
     */
    private static Map<String, Object> withoutOptimizer(Map<?, ?> settings) {
        Map<String, Object> copy = new java.util.LinkedHashMap<>();
        settings.forEach((k, v) -> copy.put(String.valueOf(k), v));
        if (copy.get("file") instanceof Map<?, ?> file) {
            Map<Object, Object> f = new java.util.LinkedHashMap<>(file);
            f.remove("optimizer");
            copy.put("file", f);
        }
        copy.remove(JobSettings.CRYSTAL_GRADIENT_STEP);
        return copy;
    }

    /**
     * @param settings a job's settings
     * @return them as results.json holds them once read back (a non-finite bound as JSON writes it)
     */
    private static Map<String, Object> asWritten(Map<String, Object> settings) {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        try {
            return json.readValue(
                    json.writeValueAsString(settings),
                    new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a job's settings are maps, lists, text and numbers", e);
        }
    }

    /** @return the first 12 hex digits of a hash and "...", as messages show it */
    private static String shortHash(String hash) {
        return hash.substring(0, Math.min(12, hash.length())) + "...";
    }

    /**
     * @param r a results.json as read
     * @return what its status says of the fit: "the fit failed: why", "the fit was interrupted"
     */
    private static String fitStatus(Map<String, Object> r) {
        Object status = r.get("status");
        String message = r.get("message") instanceof String m && !m.isBlank()
                ? ": " + org.chemfit.support.Excerpt.of(m.strip())
                : "";
        if ("failed".equals(status)) {
            return "the results say the fit failed" + message;
        }
        if ("interrupted".equals(status)) {
            return "the results say the fit was interrupted" + message;
        }
        return "the results say the fit's status is '" + org.chemfit.support.Excerpt.of(String.valueOf(status)) + "'"
                + message;
    }

    /** @return "parameter 'a'" or "parameters 'a', 'b'" */
    private static String parameters(java.util.List<String> names) {
        return (names.size() == 1 ? "parameter " : "parameters ")
                + String.join(", ", names.stream().map(n -> "'" + n + "'").toList());
    }
}
